//! `physioplan generate`: synthetic data at scale through the real binary, deterministic for a
//! seed, refused on a database that has generated data already.

use diesel::prelude::*;
use physioplan::config::DatabaseUrl;
use physioplan::db::caseload_summary::SummaryRow;
use physioplan::db::schema::{assessments, caseload_summary, clinics, patients, plans, users};
use physioplan::db::Db;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_physioplan");

fn generate(db: &str, seed: &str) -> Output {
    Command::new(BIN)
        .args(["generate", "--clinics", "2", "--therapists", "2", "--patients", "40", "--seed", seed])
        .env("DATABASE_URL", db)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn open(db: &str) -> Db {
    let url = DatabaseUrl::parse(db).unwrap_or_else(|e| panic!("{e}"));
    Db::connect(&url, 1).unwrap_or_else(|e| panic!("{e}"))
}

/// Row counts: clinics, users, patients, assessments, plans.
fn counts(db: &Db) -> [i64; 5] {
    let mut conn = db.conn().unwrap_or_else(|e| panic!("{e}"));
    let c = &mut *conn;
    let count = |r: QueryResult<i64>| r.unwrap_or_else(|e| panic!("{e}"));
    [
        count(clinics::table.count().get_result(c)),
        count(users::table.count().get_result(c)),
        count(patients::table.count().get_result(c)),
        count(assessments::table.count().get_result(c)),
        count(plans::table.count().get_result(c)),
    ]
}

/// Every patient as (family, given, date of birth, NPRS now/best/worst of each assessment in
/// date order), sorted: the content a seed determines (ids and timestamps are not).
fn content(db: &Db) -> Vec<(String, String, String, Vec<i64>)> {
    let mut conn = db.conn().unwrap_or_else(|e| panic!("{e}"));
    let people: Vec<(String, String, String, chrono::NaiveDate)> = patients::table
        .select((patients::id, patients::family_name, patients::given_name, patients::date_of_birth))
        .load(&mut *conn)
        .unwrap_or_else(|e| panic!("{e}"));
    let rows: Vec<(String, chrono::NaiveDate, String, String)> = assessments::table
        .select((assessments::patient_id, assessments::assessed_on, assessments::kind, assessments::content))
        .order((assessments::assessed_on, assessments::kind, assessments::status.desc()))
        .load(&mut *conn)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut out: Vec<_> = people
        .into_iter()
        .map(|(id, family, given, born)| {
            let nprs: Vec<i64> = rows
                .iter()
                .filter(|(patient, ..)| *patient == id)
                .flat_map(|(.., json)| {
                    let content: serde_json::Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"));
                    ["nprs_now", "nprs_best", "nprs_worst"].map(|code| {
                        content["findings"]
                            .as_array()
                            .and_then(|list| list.iter().find(|f| f["code"] == code))
                            .and_then(|f| f["value"].as_f64())
                            .map_or(-1, |v| v as i64)
                    })
                })
                .collect();
            (family, given, born.to_string(), nprs)
        })
        .collect();
    out.sort();
    out
}

/// Every summary row, by patient, without its write time.
fn summaries(db: &Db) -> Vec<SummaryRow> {
    let mut conn = db.conn().unwrap_or_else(|e| panic!("{e}"));
    let mut rows: Vec<SummaryRow> = caseload_summary::table
        .select(SummaryRow::as_select())
        .order(caseload_summary::patient_id)
        .load(&mut *conn)
        .unwrap_or_else(|e| panic!("{e}"));
    for r in &mut rows {
        r.updated_at = chrono::NaiveDateTime::default();
    }
    rows
}

#[test]
fn generate_fills_a_fresh_database_the_same_way_for_a_seed_and_refuses_a_second_run() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let first = format!("sqlite://{}", dir.path().join("first.db").display());
    let second = format!("sqlite://{}", dir.path().join("second.db").display());

    let output = generate(&first, "42");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("40 patients"), "one-line summary: {stdout}");
    assert!(stdout.contains("lead@c1.generated.example"), "logins printed: {stdout}");
    assert!(stdout.contains("therapist2@c2.generated.example"), "logins printed: {stdout}");
    assert!(stdout.contains(physioplan::seed::generate::GENERATED_PASSWORD), "password printed: {stdout}");

    let db = open(&first);
    let [clinic_count, user_count, patient_count, assessment_count, plan_count] = counts(&db);
    assert_eq!(clinic_count, 2);
    assert_eq!(user_count, 2 * (2 + 1), "two therapists and a lead per clinic");
    assert_eq!(patient_count, 40);
    assert!(assessment_count >= 40, "an initial assessment each, and more: {assessment_count}");
    assert!(plan_count >= 35, "{plan_count} plans");
    let baseline = content(&db);
    assert_eq!(baseline.len(), 40);
    assert!(baseline.iter().all(|(.., nprs)| nprs.len() >= 3 && nprs.iter().all(|v| (0..=10).contains(v))));

    // The summary kept write by write equals one rebuilt from scratch.
    let kept = summaries(&db);
    assert_eq!(kept.len(), 40, "every generated patient has a caseload summary");
    {
        let mut conn = db.conn().unwrap_or_else(|e| panic!("{e}"));
        diesel::delete(caseload_summary::table).execute(&mut *conn).unwrap_or_else(|e| panic!("{e}"));
        physioplan::service::caseload_summary::backfill(&mut conn).unwrap_or_else(|e| panic!("{e}"));
    }
    assert_eq!(summaries(&db), kept, "incremental and rebuilt summaries agree");

    let output = generate(&second, "42");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(content(&open(&second)), baseline, "the same names, births and NPRS values for the same seed");

    let again = generate(&first, "42");
    assert!(!again.status.success(), "a second run on the same database is refused");
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("Generated Clinic 1"), "{stderr}");
    assert_eq!(counts(&db)[2], 40, "nothing was added");
}
