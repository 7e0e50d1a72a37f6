//! Assessments, their amendments and the actions recorded on their red flags.

use super::ids::{AmendmentId, AssessmentId, ClinicId, PatientId, RedFlagActionId, UserId};
use super::schema::{assessment_amendments, assessments, red_flag_actions, users};
use super::{DbConn, DbError};
use crate::authz::Scope;
use crate::domain::assessment::{AssessmentKind, AssessmentStatus};
use crate::domain::red_flag_action::ActionKind;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};

/// An assessment as stored (content as JSON).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = assessments)]
pub struct AssessmentRow {
    /// Id.
    #[diesel(deserialize_as = String)]
    pub id: AssessmentId,
    /// Patient.
    #[diesel(deserialize_as = String)]
    pub patient_id: PatientId,
    /// Clinic (the patient's).
    #[diesel(deserialize_as = String)]
    pub clinic_id: ClinicId,
    /// Author.
    #[diesel(deserialize_as = String)]
    pub author_id: UserId,
    /// Initial or reassessment.
    #[diesel(deserialize_as = String)]
    pub kind: AssessmentKind,
    /// Date of the examination.
    pub assessed_on: NaiveDate,
    /// Draft or signed.
    #[diesel(deserialize_as = String)]
    pub status: AssessmentStatus,
    /// The original content, JSON.
    pub content: String,
    /// Who signed.
    pub signed_by: Option<String>,
    /// When signed.
    pub signed_at: Option<NaiveDateTime>,
    /// Optimistic-locking version.
    pub version: i32,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
}

/// A new assessment.
#[derive(Debug, Insertable)]
#[diesel(table_name = assessments)]
pub struct NewAssessment {
    /// Id.
    #[diesel(serialize_as = String)]
    pub id: AssessmentId,
    /// Patient.
    #[diesel(serialize_as = String)]
    pub patient_id: PatientId,
    /// Clinic.
    #[diesel(serialize_as = String)]
    pub clinic_id: ClinicId,
    /// Author.
    #[diesel(serialize_as = String)]
    pub author_id: UserId,
    /// Kind.
    #[diesel(serialize_as = String)]
    pub kind: AssessmentKind,
    /// Date.
    pub assessed_on: NaiveDate,
    /// Draft.
    #[diesel(serialize_as = String)]
    pub status: AssessmentStatus,
    /// Content JSON.
    pub content: String,
    /// 1.
    pub version: i32,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Created.
    pub updated_at: NaiveDateTime,
}

/// An amendment as stored, with its author's name.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = assessment_amendments)]
pub struct AmendmentRow {
    /// Id.
    pub id: String,
    /// The amended assessment.
    pub assessment_id: String,
    /// Who amended.
    pub author_id: String,
    /// Why.
    pub reason: String,
    /// The content after the amendment, JSON.
    pub content: String,
    /// When.
    pub created_at: NaiveDateTime,
}

/// A red-flag action as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = red_flag_actions)]
pub struct RedFlagActionRow {
    /// Id.
    pub id: String,
    /// Patient.
    pub patient_id: String,
    /// The assessment where the flag was positive.
    pub assessment_id: String,
    /// The red-flag code.
    pub flag_code: String,
    /// What was done.
    pub action: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// When.
    pub recorded_at: NaiveDateTime,
    /// The kind of action; `None` for actions recorded before kinds (an unknown code is refused).
    #[diesel(deserialize_as = StoredActionKind)]
    pub kind: Option<ActionKind>,
}

/// A red-flag action's `kind` column as read, before it is checked: NULL (recorded before
/// kinds) or a code, which must be a known [`ActionKind`].
#[derive(Debug)]
pub struct StoredActionKind(Option<String>);

impl<DB> Queryable<Nullable<Text>, DB> for StoredActionKind
where
    DB: diesel::backend::Backend,
    Option<String>: Queryable<Nullable<Text>, DB>,
{
    type Row = <Option<String> as Queryable<Nullable<Text>, DB>>::Row;

    fn build(row: Self::Row) -> diesel::deserialize::Result<Self> {
        Ok(Self(<Option<String> as Queryable<Nullable<Text>, DB>>::build(row)?))
    }
}

impl TryFrom<StoredActionKind> for Option<ActionKind> {
    type Error = String;

    fn try_from(stored: StoredActionKind) -> Result<Self, String> {
        stored.0.map(ActionKind::try_from).transpose()
    }
}

/// Adds an assessment.
pub fn insert(conn: &mut DbConn, row: NewAssessment) -> Result<(), DbError> {
    diesel::insert_into(assessments::table).values(row).execute(conn)?;
    Ok(())
}

/// The assessment with this id, if in scope.
pub fn find(conn: &mut DbConn, scope: Scope, id: AssessmentId) -> Result<Option<AssessmentRow>, DbError> {
    let mut query = assessments::table.filter(assessments::id.eq(id.to_string())).into_boxed();
    if let Some(clinic) = scope.clinic() {
        query = query.filter(assessments::clinic_id.eq(clinic.to_string()));
    }
    Ok(query.select(AssessmentRow::as_select()).first(conn).optional()?)
}

/// All assessments of a patient, oldest first (by date, then creation).
pub fn for_patient(conn: &mut DbConn, patient: PatientId) -> Result<Vec<AssessmentRow>, DbError> {
    Ok(assessments::table
        .filter(assessments::patient_id.eq(patient.to_string()))
        .order((assessments::assessed_on.asc(), assessments::created_at.asc()))
        .select(AssessmentRow::as_select())
        .load(conn)?)
}

/// All amendments to a patient's assessments with the authors' names, oldest first: one
/// query however many assessments there are.
pub fn amendments_for_patient(conn: &mut DbConn, patient: PatientId) -> Result<Vec<(AmendmentRow, String)>, DbError> {
    Ok(assessment_amendments::table
        .inner_join(assessments::table)
        .inner_join(users::table.on(users::id.eq(assessment_amendments::author_id)))
        .filter(assessments::patient_id.eq(patient.to_string()))
        .order(assessment_amendments::created_at.asc())
        .select((AmendmentRow::as_select(), users::name))
        .load(conn)?)
}

/// Red-flag actions recorded for a patient, with the recorders' names.
pub fn actions_for_patient(conn: &mut DbConn, patient: PatientId) -> Result<Vec<(RedFlagActionRow, String)>, DbError> {
    Ok(red_flag_actions::table
        .inner_join(users::table.on(users::id.eq(red_flag_actions::recorded_by)))
        .filter(red_flag_actions::patient_id.eq(patient.to_string()))
        .order(red_flag_actions::recorded_at.asc())
        .select((RedFlagActionRow::as_select(), users::name))
        .load(conn)?)
}

type ById = diesel::dsl::Filter<assessments::table, diesel::dsl::Eq<assessments::id, String>>;
type AtVersion = diesel::dsl::Filter<
    diesel::dsl::Filter<ById, diesel::dsl::Eq<assessments::version, i32>>,
    diesel::dsl::Eq<assessments::status, &'static str>,
>;

/// The assessment with this id, if it is still at `version` and in `status`.
fn at_version(id: AssessmentId, version: i32, status: &'static str) -> AtVersion {
    assessments::table
        .filter(assessments::id.eq(id.to_string()))
        .filter(assessments::version.eq(version))
        .filter(assessments::status.eq(status))
}

/// Replaces a draft's content and date if it is still a draft at `version`.
pub fn update_draft(
    conn: &mut DbConn,
    id: AssessmentId,
    version: i32,
    assessed_on: NaiveDate,
    content: &str,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let changed = diesel::update(at_version(id, version, "draft"))
        .set((
            assessments::assessed_on.eq(assessed_on),
            assessments::content.eq(content),
            assessments::version.eq(version + 1),
            assessments::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(changed == 1)
}

/// Signs a draft (locks it) if it is still a draft at `version`.
pub fn sign(
    conn: &mut DbConn,
    id: AssessmentId,
    version: i32,
    by: UserId,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let changed = diesel::update(at_version(id, version, "draft"))
        .set((
            assessments::status.eq("signed"),
            assessments::signed_by.eq(by.to_string()),
            assessments::signed_at.eq(now),
            assessments::version.eq(version + 1),
            assessments::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(changed == 1)
}

/// Bumps a signed assessment's version (an amendment was added) if still at `version`.
pub fn bump_signed(conn: &mut DbConn, id: AssessmentId, version: i32, now: NaiveDateTime) -> Result<bool, DbError> {
    let changed = diesel::update(at_version(id, version, "signed"))
        .set((assessments::version.eq(version + 1), assessments::updated_at.eq(now)))
        .execute(conn)?;
    Ok(changed == 1)
}

/// Adds an amendment.
pub fn insert_amendment(
    conn: &mut DbConn,
    assessment: AssessmentId,
    author: UserId,
    reason: &str,
    content: &str,
    now: NaiveDateTime,
) -> Result<AmendmentId, DbError> {
    let id = AmendmentId::new();
    diesel::insert_into(assessment_amendments::table)
        .values((
            assessment_amendments::id.eq(id.to_string()),
            assessment_amendments::assessment_id.eq(assessment.to_string()),
            assessment_amendments::author_id.eq(author.to_string()),
            assessment_amendments::reason.eq(reason),
            assessment_amendments::content.eq(content),
            assessment_amendments::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Records what was done about a positive red flag; a second action for the same flag of
/// the same assessment is a unique violation.
#[allow(clippy::too_many_arguments)]
pub fn insert_action(
    conn: &mut DbConn,
    patient: PatientId,
    assessment: AssessmentId,
    flag: &str,
    kind: ActionKind,
    action: &str,
    by: UserId,
    now: NaiveDateTime,
) -> Result<RedFlagActionId, DbError> {
    let id = RedFlagActionId::new();
    diesel::insert_into(red_flag_actions::table)
        .values((
            red_flag_actions::id.eq(id.to_string()),
            red_flag_actions::patient_id.eq(patient.to_string()),
            red_flag_actions::assessment_id.eq(assessment.to_string()),
            red_flag_actions::flag_code.eq(flag),
            red_flag_actions::action.eq(action),
            red_flag_actions::kind.eq(kind.code()),
            red_flag_actions::recorded_by.eq(by.to_string()),
            red_flag_actions::recorded_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The outcome and red-flag summary kept beside an assessment's content for set-based
/// caseload queries.
#[derive(Debug, Clone, PartialEq, AsChangeset)]
#[diesel(table_name = assessments, treat_none_as_null = true)]
pub struct Summary {
    /// Worst pain.
    pub nprs_worst: Option<f64>,
    /// ODI percent.
    pub odi_percent: Option<f64>,
    /// Positive red-flag codes, space-separated.
    pub red_flags: String,
    /// The summary rules' version ([`SUMMARY_VERSION`]).
    pub summary_version: i32,
}

/// Bump when the summary rules change: start-up recomputes older rows.
pub const SUMMARY_VERSION: i32 = 1;

/// Stores an assessment's summary.
pub fn set_summary(conn: &mut DbConn, id: AssessmentId, summary: &Summary) -> Result<(), DbError> {
    diesel::update(assessments::table.find(id.to_string())).set(summary).execute(conn)?;
    Ok(())
}

/// Ids of assessments whose summary is missing or out of date.
pub fn stale_summaries(conn: &mut DbConn) -> Result<Vec<String>, DbError> {
    Ok(assessments::table
        .filter(assessments::summary_version.lt(SUMMARY_VERSION))
        .select(assessments::id)
        .load(conn)?)
}

/// One assessment and its amendments' contents, oldest first (for recomputing summaries).
pub fn contents(conn: &mut DbConn, id: &str) -> Result<(String, Vec<String>), DbError> {
    let original = assessments::table.find(id).select(assessments::content).first(conn)?;
    let amended = assessment_amendments::table
        .filter(assessment_amendments::assessment_id.eq(id))
        .order(assessment_amendments::created_at.asc())
        .select(assessment_amendments::content)
        .load(conn)?;
    Ok((original, amended))
}
