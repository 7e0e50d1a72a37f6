//! Application services: each use case once, shared by the HTML screens, the JSON API and
//! the commands. A service checks authorisation, runs its queries and writes the audit event.

pub mod account_overview;
pub mod accounts;
pub mod assessments;
pub mod audit_log;
pub mod auth;
pub mod caseload;
pub mod caseload_summary;
pub mod clinic_settings;
pub mod exports;
pub mod held_posts;
pub mod library;
pub mod media;
pub mod passwords;
pub mod patients;
pub mod plan_items;
pub mod plan_lifecycle;
pub mod plan_review;
pub mod plans;
pub mod protocols;
pub mod referrals;
pub mod safety;
pub mod sessions;
pub mod throttle;
pub mod totp;
pub mod user_admin;

use crate::authz::Actor;
use crate::db::audit::{self, Audited, NewAuditEvent};
use crate::db::ids::{AuditId, ClinicId, PatientId};
use crate::db::{DbConn, DbError};
use chrono::{NaiveDateTime, Utc};

/// Where a request came from, for the audit log.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// The request id (also in the server log and the `X-Request-Id` header).
    pub request_id: Option<String>,
    /// The client's address.
    pub client_addr: Option<String>,
}

/// Who is acting, and from where.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The signed-in user.
    pub actor: Actor,
    /// The request's origin.
    pub origin: Origin,
}

/// The current time, UTC, as stored.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

impl Ctx {
    /// Appends an audit event for this actor. `detail` must hold ids or counts only.
    pub fn audit(
        &self,
        conn: &mut DbConn,
        action: &str,
        clinic: Option<ClinicId>,
        patient: Option<PatientId>,
        detail: Option<String>,
    ) -> Result<(), DbError> {
        record(conn, Some(&self.actor), &self.origin, action, clinic, patient, detail)
    }

    /// `value`, a read by this actor, with the audit event that puts it on record.
    /// `detail` must hold ids or counts only.
    pub fn audited<T>(
        &self,
        value: T,
        action: &str,
        clinic: Option<ClinicId>,
        patient: Option<PatientId>,
        detail: Option<String>,
    ) -> Audited<T> {
        Audited::new(value, event(Some(&self.actor), &self.origin, action, clinic, patient, detail))
    }
}

/// Appends an audit event, with or without a signed-in actor (e.g. a failed sign-in).
pub fn record(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    origin: &Origin,
    action: &str,
    clinic: Option<ClinicId>,
    patient: Option<PatientId>,
    detail: Option<String>,
) -> Result<(), DbError> {
    audit::record(conn, event(actor, origin, action, clinic, patient, detail))
}

/// An audit event to append: the clinic defaults to the actor's.
pub fn event(
    actor: Option<&Actor>,
    origin: &Origin,
    action: &str,
    clinic: Option<ClinicId>,
    patient: Option<PatientId>,
    detail: Option<String>,
) -> NewAuditEvent {
    NewAuditEvent {
        id: AuditId::new(),
        at: now(),
        actor_id: actor.map(|a| a.user_id.to_string()),
        clinic_id: clinic.or(actor.map(|a| a.clinic_id)).map(|c| c.to_string()),
        action: action.to_owned(),
        patient_id: patient.map(|p| p.to_string()),
        request_id: origin.request_id.clone(),
        client_addr: origin.client_addr.clone(),
        detail,
    }
}
