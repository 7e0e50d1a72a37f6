//! Every read and write of patient data leaves an audit event; leads and admins can read them.

use crate::helpers::{spawn_app, LEAD_A, THERAPIST_A, THERAPIST_B};
use reqwest::Method;

#[tokio::test]
async fn creating_and_reading_a_patient_writes_audit_events_with_who_and_where() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let id = app.create_patient(&token, "Ada", "Lovelace").await["id"].as_str().unwrap_or_default().to_owned();

    app.api(Method::GET, &format!("/api/v1/patients/{id}"), &token, None).await;

    let created = app.audit_events("patient.create");
    let read = app.audit_events("patient.read");
    assert_eq!(created.len(), 1);
    assert_eq!(read.len(), 1);
    let (actor, patient, request_id, client) = &read[0];
    assert!(actor.is_some());
    assert_eq!(patient.as_deref(), Some(id.as_str()));
    assert!(request_id.as_deref().is_some_and(|r| r.len() >= 32), "{request_id:?}");
    assert_eq!(client.as_deref(), Some("127.0.0.1"));
}

#[tokio::test]
async fn listing_patients_audits_which_records_were_shown() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let id = app.create_patient(&token, "Ada", "Lovelace").await["id"].as_str().unwrap_or_default().to_owned();

    let client = app.signed_in(THERAPIST_A).await;
    app.page(&client, "/patients").await;

    let events = app.audit_events("patient.list");
    assert_eq!(events.len(), 1);
    let detail: Vec<String> = {
        use diesel::prelude::*;
        use physioplan::db::schema::audit_events::dsl as a;
        let mut conn = app.db.conn().unwrap_or_else(|e| panic!("{e}"));
        a::audit_events
            .filter(a::action.eq("patient.list"))
            .select(a::detail.assume_not_null())
            .load(&mut *conn)
            .unwrap_or_default()
    };
    assert!(detail[0].contains(&id), "{detail:?}");
}

#[tokio::test]
async fn a_lead_reads_the_audit_log_of_their_clinic_and_a_therapist_cannot() {
    let app = spawn_app().await;
    let token_a = app.token(THERAPIST_A).await;
    let token_b = app.token(THERAPIST_B).await;
    let a = app.create_patient(&token_a, "Ada", "Lovelace").await["id"].as_str().unwrap_or_default().to_owned();
    let b = app.create_patient(&token_b, "Bea", "Other").await["id"].as_str().unwrap_or_default().to_owned();

    let lead = app.signed_in(LEAD_A).await;
    let (status, html) = app.page(&lead, "/audit?action=patient.create").await;
    let therapist = app.signed_in(THERAPIST_A).await;
    let (forbidden, _) = app.page(&therapist, "/audit").await;

    assert_eq!(status, 200);
    assert!(html.contains(&format!("/patients/{a}")), "own clinic's event is listed");
    assert!(!html.contains(&format!("/patients/{b}")), "another clinic's event is not");
    assert_eq!(forbidden, 403);
    let csv = lead.get(app.url("/audit.csv?action=patient.create")).send().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.unwrap_or_default();
    assert!(text.starts_with("at,actor_id,actor_name,action"));
    assert!(text.contains(&a) && !text.contains(&b));
}
