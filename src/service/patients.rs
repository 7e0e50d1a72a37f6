//! Patient use cases: list, read, create, update, discharge. Each is audited.

use super::Ctx;
use crate::authz::Permission;
use crate::db::audit::Audited;
use crate::db::ids::{ClinicId, PatientId, UserId};
use crate::db::patients::{self, PatientQuery, PatientWithTherapist};
use crate::db::{users, DbConn};
use crate::domain::patient::{PatientFields, PatientInput};
use crate::error::AppError;
use chrono::NaiveDate;
use diesel::Connection;

/// A stored patient as input, to pre-fill the edit form or to apply a partial update to.
pub fn input_of(row: &patients::PatientRow) -> PatientInput {
    PatientInput {
        given_name: row.given_name.clone(),
        family_name: row.family_name.clone(),
        date_of_birth: row.date_of_birth.to_string(),
        sex: row.sex.clone(),
        phone: row.phone.clone(),
        email: row.email.clone(),
        condition: row.condition.clone(),
        side: row.side.code().to_owned(),
        onset_date: row.onset_date.map(|d| d.to_string()),
        therapist_id: row.therapist_id.clone(),
        history: crate::domain::history::decode(&row.history).iter().map(|h| h.code().to_owned()).collect(),
    }
}

/// One page of patients in scope, and the total; the audit event names the ids shown.
pub fn list(
    conn: &mut DbConn,
    ctx: &Ctx,
    query: &PatientQuery,
) -> Result<Audited<(Vec<PatientWithTherapist>, i64)>, AppError> {
    ctx.actor.require(Permission::TreatPatients)?;
    let (rows, total) = patients::search(conn, ctx.actor.scope(), query)?;
    let ids: Vec<String> = rows.iter().map(|(p, _)| p.id.to_string()).collect();
    let detail = Some(format!("total={total} shown={}", ids.join(",")));
    Ok(ctx.audited((rows, total), "patient.list", None, None, detail))
}

/// One patient in scope (404 otherwise). Audited.
pub fn get(conn: &mut DbConn, ctx: &Ctx, id: PatientId) -> Result<Audited<PatientWithTherapist>, AppError> {
    ctx.actor.require(Permission::TreatPatients)?;
    let found = patients::find(conn, ctx.actor.scope(), id)?.ok_or(AppError::NotFound)?;
    let clinic = found.0.clinic_id;
    Ok(ctx.audited(found, "patient.read", Some(clinic), Some(id), None))
}

/// Validates the input, including that the therapist works at `clinic`.
fn validate(
    conn: &mut DbConn,
    clinic: ClinicId,
    input: &PatientInput,
    today: NaiveDate,
) -> Result<PatientFields, AppError> {
    let fields = input.validate_fields(today).map_err(AppError::Validation)?;
    if let Some(therapist) = fields.therapist_id {
        check_therapist(conn, clinic, therapist)?;
    }
    Ok(fields)
}

fn check_therapist(conn: &mut DbConn, clinic: ClinicId, therapist: UserId) -> Result<(), AppError> {
    let ok = users::find(conn, therapist)?
        .is_some_and(|u| u.clinic_id == clinic && u.role != crate::authz::Role::Admin && u.active);
    if ok {
        Ok(())
    } else {
        Err(AppError::field("therapist_id", "Choose a therapist of this clinic."))
    }
}

/// Adds a patient to the actor's clinic; returns the new record.
pub fn create(
    conn: &mut DbConn,
    ctx: &Ctx,
    input: &PatientInput,
    today: NaiveDate,
) -> Result<PatientWithTherapist, AppError> {
    ctx.actor.require(Permission::TreatPatients)?;
    // A new patient joins the actor's own clinic.
    let clinic = ctx.actor.clinic_id;
    let mut fields = validate(conn, clinic, input, today)?;
    // A clinician's new patient is theirs unless another therapist is named.
    if fields.therapist_id.is_none() && ctx.actor.role != crate::authz::Role::Admin {
        fields.therapist_id = Some(ctx.actor.user_id);
    }
    conn.transaction(|conn| {
        let id = patients::insert(conn, clinic, &fields, super::now())?;
        super::caseload_summary::refresh(conn, id)?;
        ctx.audit(conn, "patient.create", Some(clinic), Some(id), None)?;
        patients::find(conn, ctx.actor.scope(), id)?.ok_or(AppError::NotFound)
    })
}

/// Replaces a patient's fields, if `version` is current.
pub fn update(
    conn: &mut DbConn,
    ctx: &Ctx,
    id: PatientId,
    version: i32,
    input: &PatientInput,
    today: NaiveDate,
) -> Result<(), AppError> {
    ctx.actor.require(Permission::TreatPatients)?;
    let (current, _) = patients::find(conn, ctx.actor.scope(), id)?.ok_or(AppError::NotFound)?;
    let fields = validate(conn, current.clinic_id, input, today)?;
    // The write comes first in the transaction, so SQLite takes its write lock at once.
    conn.transaction(|conn| write_fields(conn, ctx, &current, version, &fields))
}

/// Reads a discharge date as typed: `YYYY-MM-DD`, not after the clinic's `today`; `None`
/// (not sent) is today. The message names `discharged_on` and never repeats what was typed.
pub fn discharge_date(text: Option<&str>, today: NaiveDate) -> Result<NaiveDate, AppError> {
    match text {
        None => Ok(today),
        Some(text) => crate::domain::dates::past_day(text, today).map_err(|m| AppError::field("discharged_on", m)),
    }
}

/// Discharges a patient on the date as typed (see [`discharge_date`]; `Some(None)`: today) or
/// re-activates (`None`), if `version` is current; the date is checked against the clinic's today.
pub fn change_status(
    conn: &mut DbConn,
    ctx: &Ctx,
    id: PatientId,
    version: i32,
    discharge_on: Option<Option<&str>>,
) -> Result<(), AppError> {
    ctx.actor.require(Permission::TreatPatients)?;
    let date = match discharge_on {
        Some(text) => Some(discharge_date(text, super::clinic_settings::today(conn, ctx)?)?),
        None => None,
    };
    set_discharged(conn, ctx, id, version, date)
}

/// Discharges a patient on `date` (or re-activates with `None`), if `version` is current.
pub fn set_discharged(
    conn: &mut DbConn,
    ctx: &Ctx,
    id: PatientId,
    version: i32,
    date: Option<NaiveDate>,
) -> Result<(), AppError> {
    ctx.actor.require(Permission::TreatPatients)?;
    let (current, _) = patients::find(conn, ctx.actor.scope(), id)?.ok_or(AppError::NotFound)?;
    conn.transaction(|conn| write_status(conn, ctx, &current, version, date))
}

/// A partial update: the patient's fields as changed by `merge` (when some change) and a
/// status change (`Some(Some(date))` discharges, `Some(None)` re-activates). Everything is
/// validated first, then written in one transaction: the request applies entirely or not at all.
pub fn patch<F>(
    conn: &mut DbConn,
    ctx: &Ctx,
    id: PatientId,
    version: i32,
    merge: Option<F>,
    status: Option<Option<NaiveDate>>,
    today: NaiveDate,
) -> Result<PatientWithTherapist, AppError>
where
    F: FnOnce(PatientInput) -> Result<PatientInput, AppError>,
{
    ctx.actor.require(Permission::TreatPatients)?;
    let (current, _) = patients::find(conn, ctx.actor.scope(), id)?.ok_or(AppError::NotFound)?;
    let fields = match merge {
        Some(merge) => Some(validate(conn, current.clinic_id, &merge(input_of(&current))?, today)?),
        None => None,
    };
    conn.transaction(|conn| {
        let mut version = version;
        if let Some(fields) = &fields {
            write_fields(conn, ctx, &current, version, fields)?;
            version += 1;
        }
        if let Some(date) = status {
            write_status(conn, ctx, &current, version, date)?;
        }
        patients::find(conn, ctx.actor.scope(), id)?.ok_or(AppError::NotFound)
    })
}

/// Inside a transaction: writes validated fields if `version` is current, refreshes the
/// safety of open plans, audits.
fn write_fields(
    conn: &mut DbConn,
    ctx: &Ctx,
    current: &patients::PatientRow,
    version: i32,
    fields: &PatientFields,
) -> Result<(), AppError> {
    let id = current.id;
    if !patients::update(conn, id, version, fields, super::now())? {
        return Err(AppError::VersionConflict);
    }
    // A history change can make an item of an open plan contraindicated.
    let history = super::assessments::load_history(conn, ctx, id)?;
    super::safety::refresh_plans(conn, &history, id)?;
    ctx.audit(conn, "patient.update", Some(current.clinic_id), Some(id), Some(format!("version={}", version + 1)))?;
    Ok(())
}

/// Inside a transaction: discharges or re-activates if `version` is current, audits.
fn write_status(
    conn: &mut DbConn,
    ctx: &Ctx,
    current: &patients::PatientRow,
    version: i32,
    date: Option<NaiveDate>,
) -> Result<(), AppError> {
    let id = current.id;
    // Re-activating a discharged patient is a re-referral: a new episode of care starts.
    let reopened = (date.is_none() && current.status == crate::domain::patient::PatientStatus::Discharged)
        .then(|| super::now().date());
    if !patients::set_status(conn, id, version, date, reopened, super::now())? {
        return Err(AppError::VersionConflict);
    }
    super::caseload_summary::refresh(conn, id)?;
    let action = if date.is_some() { "patient.discharge" } else { "patient.reactivate" };
    ctx.audit(conn, action, Some(current.clinic_id), Some(id), Some(format!("version={}", version + 1)))?;
    Ok(())
}
