//! Reads are audited by group commit: concurrent requests' events are appended in one
//! transaction by one writer per instance, and each request responds only once its events
//! are committed; the hash chain stays whole with two instances and in-transaction appends
//! (patient creation) running at the same time.

use crate::handout::active_plan;
use crate::helpers::patient_json;
use crate::helpers::{spawn_app, THERAPIST_A};
use diesel::prelude::*;
use physioplan::db::schema::audit_events::dsl as a;

#[tokio::test]
async fn concurrent_plan_reads_on_two_instances_are_each_on_record_before_their_response_and_the_chain_holds() {
    let app = spawn_app().await;
    let second = app.second_instance();
    let token = app.token(THERAPIST_A).await;
    let (plan, _) = active_plan(&app, &token).await;
    let before = app.audit_events("plan.read").len();
    let mut tasks = Vec::new();
    for i in 0..32 {
        let base = if i % 2 == 0 { app.address.clone() } else { second.clone() };
        let (token, plan) = (token.clone(), plan.clone());
        let url = app.database_url.clone();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let request_id = format!("group-commit-{i}");
            let response = if i % 4 == 3 {
                let body = patient_json(&format!("G{i}"), "Grouped");
                client.post(format!("{base}/api/v1/patients")).bearer_auth(&token).json(&body)
            } else {
                client.get(format!("{base}/api/v1/plans/{plan}")).bearer_auth(&token)
            }
            .header("x-request-id", &request_id)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
            let status = response.status().as_u16();
            // The moment the response arrives, its event is committed.
            (i, status, recorded(&url, &request_id).len())
        }));
    }
    for task in tasks {
        let (i, status, recorded) = task.await.unwrap_or_else(|e| panic!("{e}"));
        assert!(status == 200 || status == 201, "request {i}: {status}");
        assert_eq!(recorded, 1, "request {i}'s event was committed before its response");
    }

    assert_eq!(app.audit_events("plan.read").len(), before + 24);
    let mut conn = app.db.conn().unwrap_or_else(|e| panic!("{e}"));
    let verified = physioplan::db::audit_chain::verify(&mut conn).unwrap_or_else(|e| panic!("{e}"));
    assert!(verified.is_ok(), "the chain is unbroken");
}

#[tokio::test]
async fn a_page_of_several_reads_answers_only_once_each_read_is_on_record() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let created = app.create_patient(&token, "Ada", "Lovelace").await;
    let patient = created["id"].as_str().unwrap_or_default().to_owned();
    let client = app.signed_in(THERAPIST_A).await;
    let mut tasks = Vec::new();
    for i in 0..12 {
        let (client, url, page) = (client.clone(), app.database_url.clone(), app.url(&format!("/patients/{patient}")));
        tasks.push(tokio::spawn(async move {
            let request_id = format!("record-page-{i}");
            let response = client.get(page).header("x-request-id", &request_id).send().await;
            let status = response.unwrap_or_else(|e| panic!("{e}")).status().as_u16();
            (i, status, recorded(&url, &request_id))
        }));
    }
    for task in tasks {
        let (i, status, mut actions) = task.await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(status, 200, "request {i}");
        actions.sort();
        assert_eq!(actions, ["assessment.list", "patient.read"], "request {i}: both reads on record before the page");
    }
    let mut conn = app.db.conn().unwrap_or_else(|e| panic!("{e}"));
    let verified = physioplan::db::audit_chain::verify(&mut conn).unwrap_or_else(|e| panic!("{e}"));
    assert!(verified.is_ok(), "the chain is unbroken");
}

/// The actions committed for `request_id`, read on a new connection.
fn recorded(url: &str, request_id: &str) -> Vec<String> {
    let url = physioplan::config::DatabaseUrl::parse(url).unwrap_or_else(|e| panic!("{e}"));
    let db = physioplan::db::Db::connect(&url, 1).unwrap_or_else(|e| panic!("{e}"));
    let mut conn = db.conn().unwrap_or_else(|e| panic!("{e}"));
    a::audit_events.filter(a::request_id.eq(request_id)).select(a::action).load(&mut *conn).unwrap_or_default()
}
