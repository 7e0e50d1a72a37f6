//! Integration tests: the real app on port 0 with a fresh database per test. Set
//! `TEST_DATABASE_URL=postgres://…` to run the same suite on PostgreSQL.

mod account;
mod assessments;
mod audit;
mod audit_chain;
mod auth;
mod browser;
mod browser_layout;
mod browser_mfa;
mod caseload;
mod caseload_summary;
mod cli;
mod clinic_time_zone;
mod corrections;
mod fuzz;
mod generate;
pub mod handout;
mod helpers;
mod illustrations;
mod library;
mod logs;
mod measures;
pub mod mfa;
mod patients;
mod plan_picker;
mod plans;
mod safety;
mod throttle;
