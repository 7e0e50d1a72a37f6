//! Treatment plans and their version snapshots.

use super::ids::{ClinicId, PatientId, PlanId, UserId};
use super::schema::{plan_blobs, plan_versions, plans, users};
use super::{DbConn, DbError};
use crate::authz::Scope;
use crate::domain::plan::PlanStatus;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use std::collections::HashMap;

/// A plan as stored (content as JSON).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = plans)]
pub struct PlanRow {
    /// Id.
    #[diesel(deserialize_as = String)]
    pub id: PlanId,
    /// Patient.
    #[diesel(deserialize_as = String)]
    pub patient_id: PatientId,
    /// Clinic.
    #[diesel(deserialize_as = String)]
    pub clinic_id: ClinicId,
    /// Title.
    pub title: String,
    /// Lifecycle state.
    #[diesel(deserialize_as = String)]
    pub status: PlanStatus,
    /// Number of the latest activated version (0 before the first activation).
    pub plan_version: i32,
    /// The working content (`PlanContent` JSON).
    pub content: String,
    /// Why the plan is being amended (while a draft of version n+1).
    pub amend_reason: Option<String>,
    /// Current stage position (kept for set-based caseload queries).
    pub current_stage: i32,
    /// When the current stage began (kept for set-based caseload queries).
    pub stage_started_on: Option<NaiveDate>,
    /// Whether an item overrides an absolute contraindication (kept for caseload queries).
    pub has_override: bool,
    /// Why it was completed or discontinued.
    pub end_reason: Option<String>,
    /// Author.
    pub created_by: String,
    /// Optimistic-locking version.
    pub version: i32,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
    /// Whether the plan needs a safety review (kept for caseload queries).
    pub safety_review: bool,
    /// Why the plan was activated without a complete red-flag screen.
    pub screen_override_reason: Option<String>,
}

/// The columns written on every save of the working content.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = plans, treat_none_as_null = true)]
pub struct PlanChanges {
    /// Lifecycle state.
    #[diesel(serialize_as = String)]
    pub status: PlanStatus,
    /// Latest activated version number.
    pub plan_version: i32,
    /// Content JSON.
    pub content: String,
    /// Amendment reason.
    pub amend_reason: Option<String>,
    /// Current stage.
    pub current_stage: i32,
    /// Stage start.
    pub stage_started_on: Option<NaiveDate>,
    /// Override present.
    pub has_override: bool,
    /// End reason.
    pub end_reason: Option<String>,
    /// Planned weeks of the current stage.
    pub stage_planned_weeks: Option<i32>,
    /// Needs a safety review.
    pub safety_review: bool,
    /// Red-flag screen override.
    pub screen_override_reason: Option<String>,
}

/// Adds a plan (draft, version 1).
#[allow(clippy::too_many_arguments)]
pub fn insert(
    conn: &mut DbConn,
    id: PlanId,
    patient: PatientId,
    clinic: ClinicId,
    title: &str,
    content: &str,
    by: UserId,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::insert_into(plans::table)
        .values((
            plans::id.eq(id.to_string()),
            plans::patient_id.eq(patient.to_string()),
            plans::clinic_id.eq(clinic.to_string()),
            plans::title.eq(title),
            plans::status.eq("draft"),
            plans::plan_version.eq(0),
            plans::content.eq(content),
            plans::current_stage.eq(1),
            plans::has_override.eq(false),
            plans::created_by.eq(by.to_string()),
            plans::version.eq(1),
            plans::created_at.eq(now),
            plans::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// The plan with this id, if in scope.
pub fn find(conn: &mut DbConn, scope: Scope, id: PlanId) -> Result<Option<PlanRow>, DbError> {
    let mut query = plans::table.filter(plans::id.eq(id.to_string())).into_boxed();
    if let Some(clinic) = scope.clinic() {
        query = query.filter(plans::clinic_id.eq(clinic.to_string()));
    }
    Ok(query.select(PlanRow::as_select()).first(conn).optional()?)
}

/// A patient's plans, newest first.
pub fn for_patient(conn: &mut DbConn, patient: PatientId) -> Result<Vec<PlanRow>, DbError> {
    Ok(plans::table
        .filter(plans::patient_id.eq(patient.to_string()))
        .order(plans::created_at.desc())
        .select(PlanRow::as_select())
        .load(conn)?)
}

/// Saves the working content and lifecycle columns if the plan is still at `version`.
pub fn save(
    conn: &mut DbConn,
    id: PlanId,
    version: i32,
    changes: PlanChanges,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let changed = diesel::update(plans::table.filter(plans::id.eq(id.to_string())).filter(plans::version.eq(version)))
        .set((changes, plans::version.eq(version + 1), plans::updated_at.eq(now)))
        .execute(conn)?;
    Ok(changed == 1)
}

/// The patient's active plan (id and title), if any.
pub fn active_for_patient(conn: &mut DbConn, patient: PatientId) -> Result<Option<(String, String)>, DbError> {
    Ok(plans::table
        .filter(plans::patient_id.eq(patient.to_string()))
        .filter(plans::status.eq("active"))
        .select((plans::id, plans::title))
        .first(conn)
        .optional()?)
}

/// Stores whether the plan needs a safety review (derived from the record; no version bump).
pub fn set_safety_review(conn: &mut DbConn, id: PlanId, review: bool) -> Result<(), DbError> {
    diesel::update(plans::table.filter(plans::id.eq(id.to_string())))
        .set(plans::safety_review.eq(review))
        .execute(conn)?;
    Ok(())
}

/// A version as listed: number, when, who, why and what it changed; not its content.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = plan_versions)]
pub struct PlanVersionRow {
    /// Id.
    pub id: String,
    /// Plan.
    pub plan_id: String,
    /// Number, from 1.
    pub number: i32,
    /// Why this version was made (amendments, stage moves).
    pub reason: Option<String>,
    /// Who activated it.
    pub activated_by: String,
    /// When.
    pub activated_at: NaiveDateTime,
    /// What changed from the version before (`[Change]` JSON), stored at activation.
    pub changes: Option<String>,
}

/// A version to store: its manifest, the stage blobs it names and what it changed.
#[derive(Debug, Clone)]
pub struct NewVersion<'a> {
    /// Number, from 1.
    pub number: i32,
    /// The manifest JSON (stages by content address).
    pub content: &'a str,
    /// (hash, stored stage JSON) of each stage.
    pub blobs: &'a [(String, String)],
    /// `[Change]` JSON.
    pub changes: &'a str,
    /// Why.
    pub reason: Option<&'a str>,
}

/// Stores version `v.number` of a plan and the stage blobs it names that are not stored yet.
pub fn insert_version(
    conn: &mut DbConn,
    plan: PlanId,
    v: &NewVersion<'_>,
    by: UserId,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    insert_blobs(conn, v.blobs)?;
    diesel::insert_into(plan_versions::table)
        .values((
            plan_versions::id.eq(PlanId::new().to_string()),
            plan_versions::plan_id.eq(plan.to_string()),
            plan_versions::number.eq(v.number),
            plan_versions::content.eq(v.content),
            plan_versions::reason.eq(v.reason),
            plan_versions::activated_by.eq(by.to_string()),
            plan_versions::activated_at.eq(now),
            plan_versions::changes.eq(v.changes),
        ))
        .execute(conn)?;
    Ok(())
}

/// Stores content-addressed blobs; one already stored (same hash, same content) is kept.
pub fn insert_blobs(conn: &mut DbConn, blobs: &[(String, String)]) -> Result<(), DbError> {
    let rows: Vec<_> =
        blobs.iter().map(|(h, c)| (plan_blobs::hash.eq(h.as_str()), plan_blobs::content.eq(c.as_str()))).collect();
    if rows.is_empty() {
        return Ok(());
    }
    match conn {
        DbConn::Sqlite(c) => diesel::insert_or_ignore_into(plan_blobs::table).values(&rows).execute(c)?,
        DbConn::Pg(c) => diesel::insert_into(plan_blobs::table).values(&rows).on_conflict_do_nothing().execute(c)?,
    };
    Ok(())
}

/// The stage blobs with these hashes: hash -> stored JSON.
pub fn blobs(conn: &mut DbConn, hashes: &[String]) -> Result<HashMap<String, String>, DbError> {
    if hashes.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(plan_blobs::table
        .filter(plan_blobs::hash.eq_any(hashes))
        .select((plan_blobs::hash, plan_blobs::content))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}

/// The stored content of version `number` of a plan (a manifest, or a full document from
/// before the conversion), if there is one.
pub fn version_content(conn: &mut DbConn, plan: PlanId, number: i32) -> Result<Option<String>, DbError> {
    Ok(plan_versions::table
        .filter(plan_versions::plan_id.eq(plan.to_string()))
        .filter(plan_versions::number.eq(number))
        .select(plan_versions::content)
        .first(conn)
        .optional()?)
}

/// All versions of a plan (without content) with the activating users' names, oldest first.
pub fn versions(conn: &mut DbConn, plan: PlanId) -> Result<Vec<(PlanVersionRow, String)>, DbError> {
    Ok(plan_versions::table
        .inner_join(users::table.on(users::id.eq(plan_versions::activated_by)))
        .filter(plan_versions::plan_id.eq(plan.to_string()))
        .order(plan_versions::number.asc())
        .select((PlanVersionRow::as_select(), users::name))
        .load(conn)?)
}

/// Plans whose current stage's planned weeks are not stored yet: (id, content).
pub fn missing_stage_weeks(conn: &mut DbConn) -> Result<Vec<(String, String)>, DbError> {
    Ok(plans::table.filter(plans::stage_planned_weeks.is_null()).select((plans::id, plans::content)).load(conn)?)
}

/// Stores the planned weeks of a plan's current stage.
pub fn set_stage_weeks(conn: &mut DbConn, id: &str, weeks: Option<i32>) -> Result<(), DbError> {
    diesel::update(plans::table.find(id)).set(plans::stage_planned_weeks.eq(weeks)).execute(conn)?;
    Ok(())
}
