//! Patient records. Every query takes the caller's scope, so another clinic's patient is
//! simply not found.

use super::ids::{ClinicId, PatientId, UserId};
use super::schema::{patient_search, patient_search_keys, patients, users};
use super::{DbConn, DbError};
use crate::authz::Scope;
use crate::domain::history;
use crate::domain::patient::{BodySide, PatientFields, PatientStatus};
use crate::domain::patient_search::{self as search_text, Term};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};

/// A patient as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = patients)]
pub struct PatientRow {
    /// Id.
    #[diesel(deserialize_as = String)]
    pub id: PatientId,
    /// Clinic.
    #[diesel(deserialize_as = String)]
    pub clinic_id: ClinicId,
    /// Assigned therapist.
    pub therapist_id: Option<String>,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Date of birth.
    pub date_of_birth: NaiveDate,
    /// Sex code.
    pub sex: Option<String>,
    /// Telephone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Condition.
    pub condition: String,
    /// Affected side.
    #[diesel(deserialize_as = String)]
    pub side: BodySide,
    /// Onset date.
    pub onset_date: Option<NaiveDate>,
    /// History codes, space-separated (`domain::history::decode`).
    pub history: String,
    /// Under care or discharged.
    #[diesel(deserialize_as = String)]
    pub status: PatientStatus,
    /// Discharge date.
    pub discharged_on: Option<NaiveDate>,
    /// Optimistic-locking version.
    pub version: i32,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
    /// The current episode of care: 1, then one more at each re-referral.
    pub episode_number: i32,
    /// The day the current episode started (re-referral); `None` for the first episode.
    pub episode_started_on: Option<NaiveDate>,
}

/// A patient with the assigned therapist's name.
pub type PatientWithTherapist = (PatientRow, Option<String>);

/// The columns written from validated fields, on insert and update alike.
#[derive(AsChangeset, Insertable)]
#[diesel(table_name = patients, treat_none_as_null = true)]
struct FieldColumns<'a> {
    therapist_id: Option<String>,
    given_name: &'a str,
    family_name: &'a str,
    search_name: String,
    family_key: String,
    date_of_birth: NaiveDate,
    sex: Option<&'a str>,
    phone: Option<&'a str>,
    email: Option<&'a str>,
    condition: &'a str,
    side: &'static str,
    onset_date: Option<NaiveDate>,
    history: String,
}

impl<'a> From<&'a PatientFields> for FieldColumns<'a> {
    fn from(f: &'a PatientFields) -> Self {
        Self {
            therapist_id: f.therapist_id.map(|t| t.to_string()),
            given_name: &f.given_name,
            family_name: &f.family_name,
            search_name: search_key(&format!("{} {}", f.given_name, f.family_name)),
            family_key: search_key(&f.family_name),
            date_of_birth: f.date_of_birth,
            sex: f.sex.as_deref(),
            phone: f.phone.as_deref(),
            email: f.email.as_deref(),
            condition: &f.condition,
            side: f.side.code(),
            onset_date: f.onset_date,
            history: history::encode(&f.history),
        }
    }
}

/// Lower-cases text for portable case-insensitive search (LIKE differs between backends).
fn search_key(text: &str) -> String {
    text.trim().to_lowercase()
}

/// Adds a patient to a clinic.
pub fn insert(
    conn: &mut DbConn,
    clinic: ClinicId,
    fields: &PatientFields,
    now: NaiveDateTime,
) -> Result<PatientId, DbError> {
    let id = PatientId::new();
    diesel::insert_into(patients::table)
        .values((
            patients::id.eq(id.to_string()),
            patients::clinic_id.eq(clinic.to_string()),
            FieldColumns::from(fields),
            patients::status.eq("active"),
            patients::version.eq(1),
            patients::created_at.eq(now),
            patients::updated_at.eq(now),
        ))
        .execute(conn)?;
    index_for_search(conn, id, clinic, fields)?;
    Ok(id)
}

/// Writes the patient's search text (see `domain::patient_search::body`), in the caller's
/// transaction, after the patient's own row. SQLite: an FTS5 trigram table keyed by
/// `patient_search_keys`; PostgreSQL: a table with a pg_trgm index.
fn index_for_search(conn: &mut DbConn, id: PatientId, clinic: ClinicId, f: &PatientFields) -> Result<(), DbError> {
    use diesel::sql_types::Text;
    let body = search_text::body(&f.given_name, &f.family_name, f.date_of_birth, f.phone.as_deref());
    let (id, clinic) = (id.to_string(), clinic.to_string());
    match conn {
        DbConn::Sqlite(c) => {
            diesel::sql_query("INSERT OR IGNORE INTO patient_search_keys (patient_id) VALUES (?)")
                .bind::<Text, _>(&id)
                .execute(c)?;
            diesel::sql_query(
                "DELETE FROM patient_search WHERE rowid = (SELECT n FROM patient_search_keys WHERE patient_id = ?)",
            )
            .bind::<Text, _>(&id)
            .execute(c)?;
            diesel::sql_query(
                "INSERT INTO patient_search (rowid, patient_id, clinic_id, body) \
                 VALUES ((SELECT n FROM patient_search_keys WHERE patient_id = ?), ?, ?, ?)",
            )
            .bind::<Text, _>(&id)
            .bind::<Text, _>(&id)
            .bind::<Text, _>(&clinic)
            .bind::<Text, _>(&body)
            .execute(c)?;
        }
        DbConn::Pg(c) => {
            diesel::delete(patient_search::table.filter(patient_search::patient_id.eq(&id))).execute(c)?;
            diesel::insert_into(patient_search::table)
                .values((
                    patient_search::patient_id.eq(&id),
                    patient_search::clinic_id.eq(&clinic),
                    patient_search::body.eq(&body),
                ))
                .execute(c)?;
        }
    }
    Ok(())
}

/// The patient with this id, if it is in scope.
pub fn find(conn: &mut DbConn, scope: Scope, id: PatientId) -> Result<Option<PatientWithTherapist>, DbError> {
    let mut query = patients::table
        .left_join(users::table)
        .filter(patients::id.eq(id.to_string()))
        .select((PatientRow::as_select(), users::name.nullable()))
        .into_boxed();
    if let Some(clinic) = scope.clinic() {
        query = query.filter(patients::clinic_id.eq(clinic.to_string()));
    }
    Ok(query.first(conn).optional()?)
}

/// Search and paging for the patient list.
#[derive(Debug, Clone, Default)]
pub struct PatientQuery {
    /// Part of the name, the date of birth or the phone number (`domain::patient_search`).
    pub name: Option<String>,
    /// Only this status.
    pub status: Option<&'static str>,
    /// Only this therapist's patients.
    pub therapist_id: Option<UserId>,
    /// Rows to skip.
    pub offset: i64,
    /// Rows per page.
    pub limit: i64,
}

/// One page of patients in scope, by family then given name, and the total: two queries.
/// A search term of three characters or more is looked up in the trigram index
/// (`patient_search`); a shorter one is a prefix of the family name (`family_key`, an index
/// range).
pub fn search(conn: &mut DbConn, scope: Scope, q: &PatientQuery) -> Result<(Vec<PatientWithTherapist>, i64), DbError> {
    let term = q.name.as_deref().and_then(search_text::term);
    let sqlite = matches!(conn, DbConn::Sqlite(_));
    let build = || {
        let mut query = patients::table.left_join(users::table).into_boxed();
        if let Some(clinic) = scope.clinic() {
            query = query.filter(patients::clinic_id.eq(clinic.to_string()));
        }
        match &term {
            None => {}
            Some(Term::Prefix(start)) => {
                query = query
                    .filter(patients::family_key.ge(start.clone()))
                    .filter(patients::family_key.lt(format!("{start}\u{10FFFF}")));
            }
            // SQLite: an FTS5 phrase, which the trigram index answers with row keys, without
            // reading the indexed text back (a wildcard character is literal in a phrase).
            Some(Term::Substring(text)) if sqlite => {
                let phrase = format!("\"{}\"", text.replace('"', "\"\""));
                let matched = patient_search::table
                    .select(diesel::dsl::sql::<BigInt>("rowid"))
                    .filter(diesel::dsl::sql::<Bool>("patient_search MATCH ").bind::<Text, _>(phrase));
                let found = patient_search_keys::table
                    .filter(patient_search_keys::n.eq_any(matched))
                    .select(patient_search_keys::patient_id);
                query = query.filter(patients::id.eq_any(found));
            }
            // PostgreSQL: LIKE, which the pg_trgm index serves (wildcards in the term escaped).
            Some(Term::Substring(text)) => {
                let found = patient_search::table
                    .filter(patient_search::body.like(super::contains_pattern(text)).escape('\\'))
                    .select(patient_search::patient_id);
                query = query.filter(patients::id.eq_any(found));
            }
        }
        if let Some(status) = q.status {
            query = query.filter(patients::status.eq(status));
        }
        if let Some(therapist) = q.therapist_id {
            query = query.filter(patients::therapist_id.eq(therapist.to_string()));
        }
        query
    };
    // The count and the page from one snapshot (one read transaction: SQLite keeps its page
    // cache between the two).
    conn.transaction(|conn| {
        let total = build().count().get_result(conn)?;
        let rows = build()
            .order((patients::family_name.asc(), patients::given_name.asc(), patients::id.asc()))
            .offset(q.offset)
            .limit(q.limit)
            .select((PatientRow::as_select(), users::name.nullable()))
            .load(conn)?;
        Ok((rows, total))
    })
}

/// The row with this id, if it still has this version.
fn versioned(
    id: PatientId,
    version: i32,
) -> diesel::dsl::Filter<
    diesel::dsl::Filter<patients::table, diesel::dsl::Eq<patients::id, String>>,
    diesel::dsl::Eq<patients::version, i32>,
> {
    patients::table.filter(patients::id.eq(id.to_string())).filter(patients::version.eq(version))
}

/// Writes new field values (the caller has checked scope) if the stored version is still `version`; returns whether it was.
pub fn update(
    conn: &mut DbConn,
    id: PatientId,
    version: i32,
    fields: &PatientFields,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let changed = diesel::update(versioned(id, version))
        .set((FieldColumns::from(fields), patients::version.eq(version + 1), patients::updated_at.eq(now)))
        .execute(conn)?;
    if changed == 1 {
        let clinic: Option<String> = patients::table
            .filter(patients::id.eq(id.to_string()))
            .select(patients::clinic_id)
            .first(conn)
            .optional()?;
        if let Some(clinic) = clinic.and_then(|c| c.parse::<ClinicId>().ok()) {
            index_for_search(conn, id, clinic, fields)?;
        }
    }
    Ok(changed == 1)
}

/// Discharges (or re-activates, with `None`) if the stored version is still `version`.
/// A re-activation on `reopened_on` starts a new episode of care.
pub fn set_status(
    conn: &mut DbConn,
    id: PatientId,
    version: i32,
    discharged_on: Option<NaiveDate>,
    reopened_on: Option<NaiveDate>,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let status = if discharged_on.is_some() { "discharged" } else { "active" };
    let target = versioned(id, version);
    let common = (
        patients::status.eq(status),
        patients::discharged_on.eq(discharged_on),
        patients::version.eq(version + 1),
        patients::updated_at.eq(now),
    );
    let changed = match reopened_on {
        Some(day) => diesel::update(target)
            .set((
                common,
                patients::episode_number.eq(patients::episode_number + 1),
                patients::episode_started_on.eq(day),
            ))
            .execute(conn)?,
        None => diesel::update(target).set(common).execute(conn)?,
    };
    Ok(changed == 1)
}
