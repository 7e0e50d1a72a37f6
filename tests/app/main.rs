//! Integration tests: the real app on port 0 with a fresh database per test. Set
//! `TEST_DATABASE_URL=postgres://…` to run the same suite on PostgreSQL.

mod assessments;
mod audit;
mod audit_chain;
mod auth;
mod browser;
mod caseload;
mod cli;
mod fuzz;
mod generate;
pub mod handout;
mod helpers;
mod logs;
mod patients;
mod plans;
