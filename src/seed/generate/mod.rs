//! `physioplan generate`: synthetic clinics, staff and patients at scale, for benchmarks.
//!
//! Creates clinics "Generated Clinic 1..N", each with one lead (`lead@cN.generated.example`)
//! and N therapists (`therapistK@cN.generated.example`), all with [`GENERATED_PASSWORD`], and
//! spreads the patients over the clinics and therapists round-robin. Every patient has a
//! signed initial assessment (NPRS, SLR, L5/S1 myotomes and dermatomes, all ten ODI sections,
//! the nine STarT Back answers) and a plan from the built-in protocol for their STarT Back risk
//! group; most also have a signed reassessment (most improving, some not), a few a positive
//! cauda equina red flag (some with the action recorded), some a draft assessment, an
//! overridden contraindication, plans moved on a few stages, or a discharge.
//!
//! Everything goes through the service layer (validation, safety engine, audit), in
//! transactions of [`BATCH`] patients so that a file database with `synchronous = FULL`
//! commits rarely; progress goes to standard error every [`PROGRESS_EVERY`] patients.
//!
//! Deterministic for a seed: the *content* (names, dates of birth, history, findings, scores,
//! which patients are flagged, drafted, advanced or discharged) depends only on the seed and
//! the patient's position. Ids are UUID v7 (time-ordered, so they differ on every run), and
//! all dates are relative to today, so the same seed run on another day shifts every date.
//! The stream is ChaCha8 (`rand_chacha`), whose output for a seed is fixed by its algorithm,
//! not by the `rand` version (only a change in how `rand` samples ranges could move it).

use crate::authz::Actor;
use crate::db::{clinics, DbConn};
use crate::error::AppError;
use crate::service::accounts::{add_clinic, add_user, ClinicInput, UserInput};
use crate::service::auth::actor_of;
use chrono::Utc;
use diesel::Connection;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::time::Instant;

mod draw;
mod write;

pub use draw::placement;
use draw::*;
use write::*;

/// The password of every generated account (synthetic data, never for real use).
pub const GENERATED_PASSWORD: &str = "generated-password-1";

/// The first generated clinic's name; its presence means the database was generated into.
pub const FIRST_CLINIC: &str = "Generated Clinic 1";

/// Patients per transaction.
pub const BATCH: u32 = 200;

/// Patients between two progress lines on standard error.
pub const PROGRESS_EVERY: u32 = 1000;

/// Most clinics, or therapists per clinic, one run creates (each user costs a password hash).
pub const MAX_STAFF: u32 = 1000;

/// Most patients one run creates.
pub const MAX_PATIENTS: u32 = 1_000_000;

/// A generated sign-in to print.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedLogin {
    /// E-mail.
    pub email: String,
    /// `lead` or `therapist`.
    pub role: &'static str,
    /// Clinic name.
    pub clinic: String,
}

/// What a run created.
#[derive(Debug, Clone, Default)]
pub struct GenerateSummary {
    /// Clinics.
    pub clinics: u32,
    /// Users (leads and therapists).
    pub users: u32,
    /// Patients.
    pub patients: u32,
    /// Assessments, signed and draft.
    pub assessments: u32,
    /// Draft (unsigned) assessments among them.
    pub draft_assessments: u32,
    /// Plans.
    pub plans: u32,
    /// Plans activated.
    pub active_plans: u32,
    /// Stage moves recorded.
    pub stage_moves: u32,
    /// Patients with a positive cauda equina red flag.
    pub red_flags: u32,
    /// Those whose red flag has no recorded action (their plan stays a draft).
    pub open_red_flags: u32,
    /// Plan items added with an override of an absolute contraindication.
    pub overrides: u32,
    /// Patients discharged.
    pub discharged: u32,
    /// The sign-ins created, leads first per clinic.
    pub logins: Vec<GeneratedLogin>,
    /// Wall-clock time of the run.
    pub elapsed: std::time::Duration,
}

fn check_counts(clinics: u32, therapists: u32, patients: u32) -> Result<(), AppError> {
    let mut errors = crate::error::FieldErrors::new();
    for (field, value, max) in [("clinics", clinics, MAX_STAFF), ("therapists", therapists, MAX_STAFF)] {
        if value == 0 || value > max {
            crate::error::add_field_error(&mut errors, field, format!("--{field} must be from 1 to {max}"));
        }
    }
    if patients > MAX_PATIENTS {
        crate::error::add_field_error(&mut errors, "patients", format!("--patients must be at most {MAX_PATIENTS}"));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Creates the clinics and their staff (one transaction); returns the staff per clinic.
fn add_staff(
    conn: &mut DbConn,
    clinics: u32,
    therapists: u32,
    summary: &mut GenerateSummary,
) -> Result<Vec<Staff>, AppError> {
    conn.transaction(|conn| {
        let mut staff = Vec::new();
        for c in 1..=clinics {
            let name = format!("Generated Clinic {c}");
            let clinic = add_clinic(
                conn,
                &ClinicInput {
                    name: name.clone(),
                    phone: Some(format!("020 7946 {:04}", c % 10_000)),
                    address: Some(format!("{c} Synthetic Street, Testville")),
                },
            )?;
            let mut add = |local: String, person: String, role: &'static str| -> Result<Actor, AppError> {
                let email = format!("{local}@c{c}.generated.example");
                let input = UserInput {
                    email: email.clone(),
                    name: person,
                    role: role.into(),
                    clinic_id: clinic.to_string(),
                    password: GENERATED_PASSWORD.into(),
                };
                let id = add_user(conn, &input)?;
                summary.logins.push(GeneratedLogin { email, role, clinic: name.clone() });
                actor_of(&crate::db::users::find(conn, id)?.ok_or(AppError::NotFound)?)
            };
            add("lead".into(), format!("Lead {c}"), "lead")?;
            let mut list = Vec::new();
            for k in 1..=therapists {
                list.push(ctx_of(add(format!("therapist{k}"), format!("Therapist {k} (clinic {c})"), "therapist")?));
            }
            staff.push(Staff { therapists: list });
        }
        Ok(staff)
    })
}

/// Generates `clinics` clinics with a lead and `therapists` therapists each, and `patients`
/// patients spread over them, with content deterministic for `seed` (see the module
/// documentation). Refused when the database has generated data already.
pub fn run(
    conn: &mut DbConn,
    clinics: u32,
    therapists: u32,
    patients: u32,
    seed: u64,
) -> Result<GenerateSummary, AppError> {
    let started = Instant::now();
    check_counts(clinics, therapists, patients)?;
    if clinics::find_by_name(conn, FIRST_CLINIC)?.is_some() {
        return Err(AppError::Conflict {
            code: "already_generated",
            message: format!(
                "this database already has generated data (a clinic named '{FIRST_CLINIC}'); use a fresh database"
            ),
        });
    }
    let mut summary = GenerateSummary { clinics, ..GenerateSummary::default() };
    let staff = add_staff(conn, clinics, therapists, &mut summary)?;
    summary.users = u32::try_from(summary.logins.len()).unwrap_or(u32::MAX);
    let first = staff.first().and_then(|s| s.therapists.first()).ok_or(AppError::NotFound)?;
    let protocols = find_protocols(conn, first)?;
    let needling =
        crate::db::library::current_by_code(conn, first.actor.clinic_id, OVERRIDE_ITEM)?.map(|row| row.id.to_string());
    let mut shared = Shared { today: Utc::now().date_naive(), protocols, needling, summary: &mut summary };
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut n = 0;
    while n < patients {
        let end = (n + BATCH).min(patients);
        conn.transaction(|conn| {
            for i in n..end {
                let spec = spec(&mut rng);
                let (clinic, therapist) = placement(i, clinics, therapists);
                let ctx = &staff[clinic as usize].therapists[therapist as usize];
                add_patient(conn, ctx, &spec, i + 1, &mut shared)?;
            }
            Ok::<_, AppError>(())
        })?;
        let before = n;
        n = end;
        if n / PROGRESS_EVERY > before / PROGRESS_EVERY || n == patients {
            eprintln!("generate: {n}/{patients} patients ({:.1} s)", started.elapsed().as_secs_f64());
        }
    }
    summary.elapsed = started.elapsed();
    Ok(summary)
}
