//! The caseload's kept counts: after any writes, and with the clinic's mark moved forwards
//! or back, they equal a recount of the summary rows judged by the domain's own flag rules;
//! concurrent writes beside the day's first read lose no patient.

use crate::helpers::{spawn_app, TestApp, LEAD_A, THERAPIST_A};
use chrono::{Duration, NaiveDate, Utc};
use diesel::prelude::*;
use physioplan::db::caseload_counts::{groups, roll, Mark};
use physioplan::db::caseload_summary::SummaryRow;
use physioplan::db::schema::caseload_summary as cs;
use physioplan::domain::caseload::{overdue_before, Flag, Summary};
use physioplan::service::caseload_summary::rules_of;
use reqwest::Method;
use serde_json::json;
use std::collections::BTreeMap;

type Key = (Option<String>, String, i32, Option<i32>, Vec<Flag>);

fn days_ago(n: i64) -> String {
    (Utc::now().date_naive() - Duration::days(n)).to_string()
}

/// Clinic A as stored.
fn clinic_a(app: &TestApp) -> physioplan::db::clinics::Clinic {
    let mut conn = app.db.conn().unwrap_or_else(|e| panic!("{e}"));
    physioplan::db::clinics::find(&mut conn, app.clinic_a)
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("clinic A"))
}

/// The mark of day `day` under the clinic's rules.
fn mark_on(app: &TestApp, day: NaiveDate) -> Mark {
    Mark { today: day, reassess_before: overdue_before(&rules_of(&clinic_a(app)), day), stalled_before: day }
}

/// The groups recounted from the rows, each judged on `day` by the domain's flag rules.
fn recount(app: &TestApp, day: NaiveDate) -> BTreeMap<Key, i64> {
    let rules = rules_of(&clinic_a(app));
    let mut conn = app.db.conn().unwrap_or_else(|e| panic!("{e}"));
    let rows: Vec<SummaryRow> = cs::table
        .filter(cs::clinic_id.eq(app.clinic_a.to_string()))
        .select(SummaryRow::as_select())
        .load(&mut *conn)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut out = BTreeMap::new();
    for row in rows.iter().filter(|r| r.listed_until >= day) {
        let summary = Summary {
            stored: row.stored(),
            reassess_from: row.reassess_from,
            stalled_after: row.stalled_after,
            draft_since: None,
        };
        let flags = summary.flags_at(&rules, day, Utc::now().naive_utc());
        let key = (row.therapist_id.clone(), row.status.to_string(), row.stage, row.odi_band, flags);
        *out.entry(key).or_insert(0) += 1;
    }
    out
}

/// The kept groups after moving the mark to `mark`.
fn kept(app: &TestApp, mark: Mark) -> BTreeMap<Key, i64> {
    let mut conn = app.db.conn().unwrap_or_else(|e| panic!("{e}"));
    roll(&mut conn, app.clinic_a, mark).unwrap_or_else(|e| panic!("{e}"));
    let long_ago = NaiveDate::default().and_hms_opt(0, 0, 0).unwrap_or_default();
    let mut out = BTreeMap::new();
    for g in groups(&mut conn, app.clinic_a, mark.today, long_ago).unwrap_or_else(|e| panic!("{e}")) {
        let mut flags = g.flags.clone();
        flags.sort_by_key(|f| Flag::ALL.iter().position(|x| x == f));
        *out.entry((g.therapist_id.clone(), g.status.to_string(), g.stage, g.odi_band, flags)).or_insert(0) += g.n;
    }
    out.retain(|_, n| *n != 0);
    out
}

/// A patient assessed `days` ago, with an active plan when `plan`, discharged `discharged`
/// days ago when given.
async fn patient(app: &TestApp, token: &str, name: &str, days: i64, plan: bool, discharged: Option<i64>) {
    let p = app.create_patient(token, "Count", name).await["id"].as_str().unwrap_or_default().to_owned();
    app.sign_screen(token, &p, &days_ago(days), json!([{"code": "nprs_worst", "value": 6}])).await;
    if plan {
        let path = format!("/api/v1/patients/{p}/plans");
        let (_, created) = app.api(Method::POST, &path, token, Some(json!({"title": "Back"}))).await;
        let id = created["id"].as_str().unwrap_or_default();
        let (status, body) = app.api(Method::POST, &format!("/api/v1/plans/{id}/activate"), token, None).await;
        assert_eq!(status, 200, "{body}");
    }
    if let Some(ago) = discharged {
        let (_, current) = app.api(Method::GET, &format!("/api/v1/patients/{p}"), token, None).await;
        let body = json!({"version": current["version"], "status": "discharged", "discharged_on": days_ago(ago)});
        let (status, body) = app.api(Method::PATCH, &format!("/api/v1/patients/{p}"), token, Some(body)).await;
        assert_eq!(status, 200, "{body}");
    }
}

#[tokio::test]
async fn the_kept_counts_equal_a_recount_after_writes_and_as_the_days_pass_forwards_and_back() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let today = Utc::now().date_naive();
    for (name, days, plan, discharged) in [
        ("Fresh", 2, false, None),
        ("Due", 20, true, None),
        ("Late", 60, true, None),
        ("Gone", 5, false, Some(80)),
        ("Left", 5, false, Some(1)),
    ] {
        patient(&app, &token, name, days, plan, discharged).await;
    }
    let lead = app.token(LEAD_A).await;
    let (status, caseload) = app.api(Method::GET, "/api/v1/caseload", &lead, None).await;
    assert_eq!(status, 200, "{caseload}");
    assert_eq!(caseload["total"], 5, "the first read of the day moved the counts to today: {caseload}");

    let now = kept(&app, mark_on(&app, today));
    assert_eq!(now, recount(&app, today));
    let overdue = |groups: &BTreeMap<Key, i64>| -> i64 {
        groups.iter().filter(|(k, _)| k.4.contains(&Flag::ReassessmentOverdue)).map(|(_, n)| n).sum()
    };
    assert_eq!(overdue(&now), 1, "only the patient assessed 60 days ago is overdue today");

    // Days pass: more become overdue, plans stall, the discharged leave the list; then the
    // mark goes back (a clinic's interval made longer) and everything returns.
    for day in [today + Duration::days(15), today + Duration::days(120), today - Duration::days(3), today] {
        let moved = kept(&app, mark_on(&app, day));
        assert_eq!(moved, recount(&app, day), "on {day}");
    }
    let later = kept(&app, mark_on(&app, today + Duration::days(15)));
    assert_eq!(overdue(&later), 2, "the patient assessed 20 days ago is overdue too");
    assert_eq!(later.values().sum::<i64>(), 4, "the patient discharged 80 days ago left the list after 90");
    kept(&app, mark_on(&app, today));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writes_beside_the_days_first_caseload_read_lose_no_patient() {
    let app = std::sync::Arc::new(spawn_app().await);
    let token = app.token(THERAPIST_A).await;
    let lead = app.token(LEAD_A).await;
    let today = Utc::now().date_naive();
    patient(&app, &token, "Before", 40, true, None).await;
    // Yesterday's mark: the next caseload reads roll the counts while the writers write.
    kept(&app, mark_on(&app, today - Duration::days(1)));
    let mut set = tokio::task::JoinSet::new();
    for i in 0..8 {
        let (app, token) = (app.clone(), token.clone());
        set.spawn(async move { patient(&app, &token, &format!("Writer{i}"), 3 + 10 * i, i % 2 == 0, None).await });
    }
    for _ in 0..4 {
        let (app, lead) = (app.clone(), lead.clone());
        set.spawn(async move {
            let (status, body) = app.api(Method::GET, "/api/v1/caseload", &lead, None).await;
            assert_eq!(status, 200, "{body}");
        });
    }
    set.join_all().await;

    let (_, caseload) = app.api(Method::GET, "/api/v1/caseload", &lead, None).await;
    assert_eq!(caseload["total"], 9, "{caseload}");
    assert_eq!(kept(&app, mark_on(&app, today)), recount(&app, today));
}

#[tokio::test]
async fn a_database_from_before_the_kept_counts_gets_them_from_its_rows() {
    use diesel_migrations::MigrationHarness;
    use physioplan::db::{DbConn, POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let today = Utc::now().date_naive();
    patient(&app, &token, "Old", 60, true, None).await;
    patient(&app, &token, "Older", 3, false, Some(100)).await;
    {
        let mut conn = app.db.conn().unwrap_or_else(|e| panic!("{e}"));
        let reverted = match &mut *conn {
            DbConn::Sqlite(c) => c.revert_last_migration(SQLITE_MIGRATIONS),
            DbConn::Pg(c) => c.revert_last_migration(POSTGRES_MIGRATIONS),
        }
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(reverted.to_string(), "20261201950001", "the kept counts' migration is the last one");
    }
    app.db.migrate().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(kept(&app, mark_on(&app, today)), recount(&app, today));
    assert_eq!(recount(&app, today).values().sum::<i64>(), 1, "the patient discharged 100 days ago is not listed");
}
