//! Integration tests: the real app on port 0 with a fresh database per test. Set
//! `TEST_DATABASE_URL=postgres://…` to run the same suite on PostgreSQL.

mod account;
mod assessments;
mod audit;
mod audit_chain;
mod audit_group_commit;
mod auth;
mod browser;
mod browser_autosave;
mod browser_layout;
mod browser_mfa;
mod caseload;
mod cli;
mod clinic_time_zone;
mod concurrent_edits;
mod corrections;
mod fuzz;
mod generate;
pub mod handout;
mod held_posts;
mod helpers;
mod illustrations;
mod layers;
mod library;
mod logs;
mod measures;
pub mod mfa;
mod patients;
mod plan_concurrency;
mod plan_picker;
mod plan_storage;
mod plans;
mod post_redirect;
mod safety;
mod throttle;
