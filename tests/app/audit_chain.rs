//! The tamper-evident audit trail: a hash chain that `physioplan audit verify` walks, kept
//! correct by concurrent writers on one database; refused accesses and exports in it.

use crate::helpers::{spawn_app, TestApp, LEAD_A, THERAPIST_A, THERAPIST_B};
use diesel::connection::SimpleConnection;
use reqwest::Method;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_physioplan");

/// Runs `physioplan audit verify`; returns (success, stdout, stderr).
fn verify(app: &TestApp) -> (bool, String, String) {
    let output = Command::new(BIN)
        .args(["audit", "verify", "--database-url", &app.database_url])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let text = |b: &[u8]| String::from_utf8_lossy(b).trim().to_owned();
    (output.status.success(), text(&output.stdout), text(&output.stderr))
}

fn sql(app: &TestApp, statement: &str) {
    let mut conn = app.db.conn().unwrap_or_else(|e| panic!("{e}"));
    conn.batch_execute(statement).unwrap_or_else(|e| panic!("{statement}: {e}"));
}

/// An app with a handful of audited events (creates and reads).
async fn app_with_events() -> TestApp {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    for name in ["Ada", "Bea", "Cy"] {
        let id = app.create_patient(&token, name, "Lovelace").await["id"].as_str().unwrap_or_default().to_owned();
        app.api(Method::GET, &format!("/api/v1/patients/{id}"), &token, None).await;
    }
    app
}

fn head_hash(stdout: &str) -> String {
    stdout.rsplit("head ").next().unwrap_or_default().trim().to_owned()
}

#[tokio::test]
async fn audit_verify_prints_the_head_of_an_intact_chain_and_names_a_changed_event() {
    let app = app_with_events().await;
    let (ok, stdout, stderr) = verify(&app);
    assert!(ok, "{stdout} {stderr}");
    let head = head_hash(&stdout);
    assert_eq!(head.len(), 64, "{stdout}");
    assert!(head.bytes().all(|b| b.is_ascii_hexdigit()), "{stdout}");

    sql(&app, "UPDATE audit_events SET patient_id = NULL WHERE seq = 2");
    let (ok, _, stderr) = verify(&app);
    assert!(!ok, "a changed event fails verification");
    assert!(stderr.contains("#2") && stderr.contains("changed"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[tokio::test]
async fn audit_verify_names_where_an_event_was_removed() {
    let app = app_with_events().await;
    sql(&app, "DELETE FROM audit_events WHERE seq = 3");
    let (ok, _, stderr) = verify(&app);
    assert!(!ok);
    assert!(stderr.contains("before #4") && stderr.contains("removed"), "{stderr}");

    let app = app_with_events().await;
    sql(&app, "DELETE FROM audit_events WHERE seq = (SELECT MAX(seq) FROM audit_events)");
    let (ok, _, stderr) = verify(&app);
    assert!(!ok && stderr.contains("removed"), "the last event removed: {stderr}");
}

#[tokio::test]
async fn audit_verify_names_an_inserted_event() {
    let app = app_with_events().await;
    sql(
        &app,
        "INSERT INTO audit_events (id, at, action, patient_id) \
         VALUES ('forged-event', '2026-11-30 10:00:00', 'patient.read', 'someone')",
    );
    let (ok, _, stderr) = verify(&app);
    assert!(!ok);
    assert!(stderr.contains("forged-event") && stderr.contains("inserted"), "{stderr}");
}

#[tokio::test]
async fn two_instances_appending_at_once_keep_one_unbroken_chain() {
    let app = spawn_app().await;
    let second = app.second_instance();
    let token = app.token(THERAPIST_A).await;
    let mut tasks = Vec::new();
    for i in 0..24 {
        let base = if i % 2 == 0 { app.address.clone() } else { second.clone() };
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            let body = crate::helpers::patient_json(&format!("P{i}"), "Parallel");
            reqwest::Client::new()
                .post(format!("{base}/api/v1/patients"))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap_or(0), 201);
    }
    assert_eq!(app.audit_events("patient.create").len(), 24);
    let (ok, stdout, stderr) = verify(&app);
    assert!(ok, "{stdout} {stderr}");
    let mut conn = app.db.conn().unwrap_or_else(|e| panic!("{e}"));
    let verified = physioplan::db::audit_chain::verify(&mut conn).unwrap_or_else(|e| panic!("{e}"));
    let events = verified.map(|v| v.events).unwrap_or_else(|b| panic!("{b}"));
    assert!(events >= 25, "every event is in the chain: {events}");
}

fn detail_of(app: &TestApp, action: &str) -> Vec<(Option<String>, Option<String>)> {
    use diesel::prelude::*;
    use physioplan::db::schema::audit_events::dsl as a;
    let mut conn = app.db.conn().unwrap_or_else(|e| panic!("{e}"));
    a::audit_events
        .filter(a::action.eq(action))
        .select((a::patient_id, a::detail))
        .load(&mut *conn)
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn refused_accesses_are_audited_forbidden_out_of_scope_and_csrf() {
    let app = spawn_app().await;
    let token_a = app.token(THERAPIST_A).await;
    let token_b = app.token(THERAPIST_B).await;
    let a = app.create_patient(&token_a, "Ada", "Lovelace").await["id"].as_str().unwrap_or_default().to_owned();

    let (status, _) = app.api(Method::GET, &format!("/api/v1/patients/{a}"), &token_b, None).await;
    assert_eq!(status, 404);
    let therapist = app.signed_in(THERAPIST_A).await;
    let (forbidden, _) = app.page(&therapist, "/audit").await;
    assert_eq!(forbidden, 403);
    let forged = therapist
        .post(app.url("/patients"))
        .form(&[("given_name", "Eve"), ("csrf_token", "forged")])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(forged.status(), 403);

    let not_found = detail_of(&app, "access.not_found");
    assert_eq!(not_found.len(), 1, "{not_found:?}");
    assert_eq!(not_found[0].0.as_deref(), Some(a.as_str()), "names the patient asked for");
    assert!(not_found[0].1.as_deref().is_some_and(|d| d.contains("route=/api/v1/patients/{id}")), "{not_found:?}");
    let refused = detail_of(&app, "access.forbidden");
    assert!(refused.iter().any(|(_, d)| d.as_deref().is_some_and(|d| d.contains("route=/audit"))), "{refused:?}");
    assert_eq!(detail_of(&app, "access.csrf_rejected").len(), 1);
    let by_whom = app.audit_events("access.not_found");
    assert!(by_whom[0].0.is_some(), "the actor is recorded");
}

#[tokio::test]
async fn exports_record_every_patient_they_contain() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let mut ids = Vec::new();
    for name in ["Ada", "Bea", "Cy", "Di"] {
        ids.push(app.create_patient(&token, name, "Lovelace").await["id"].as_str().unwrap_or_default().to_owned());
    }
    let lead = app.signed_in(LEAD_A).await;
    let (status, csv) = app.page(&lead, "/caseload.csv").await;
    assert_eq!(status, 200, "{csv}");
    let exported: Vec<String> = detail_of(&app, "caseload.export").into_iter().filter_map(|(p, _)| p).collect();
    for id in &ids {
        assert!(exported.contains(id), "{id} missing from {exported:?}");
    }
    assert_eq!(exported.len(), ids.len());

    let (status, _) = app.page(&lead, "/audit.csv").await;
    assert_eq!(status, 200);
    let audited: Vec<String> = detail_of(&app, "audit.export").into_iter().filter_map(|(p, _)| p).collect();
    for id in &ids {
        assert!(audited.contains(id), "{id} missing from {audited:?}");
    }
}

#[tokio::test]
async fn events_from_before_the_chain_are_hashed_once_on_the_next_start() {
    let app = app_with_events().await;
    // The state the migration leaves: events numbered, not hashed, the head not sealed.
    sql(&app, "UPDATE audit_events SET prev_hash = '', hash = ''");
    sql(&app, "UPDATE audit_head SET hash = '', sealed = FALSE");
    assert!(!verify(&app).0, "unhashed events do not verify");
    physioplan::prepare(&app.db).unwrap_or_else(|e| panic!("{e}"));
    let (ok, stdout, stderr) = verify(&app);
    assert!(ok, "{stdout} {stderr}");
    sql(&app, "UPDATE audit_events SET hash = '' WHERE seq = 1");
    physioplan::prepare(&app.db).unwrap_or_else(|e| panic!("{e}"));
    assert!(!verify(&app).0, "a later start does not re-hash (and so hide) a change");
}
