//! Plan reads are audited by group commit: concurrent requests' events are appended in one
//! transaction by one writer per instance, and each request responds only once its event
//! is committed; the hash chain stays whole with two instances and in-transaction appends
//! (patient creation) running at the same time.

use crate::handout::active_plan;
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
                let body = crate::helpers::patient_json(&format!("G{i}"), "Grouped");
                client.post(format!("{base}/api/v1/patients")).bearer_auth(&token).json(&body)
            } else {
                client.get(format!("{base}/api/v1/plans/{plan}")).bearer_auth(&token)
            }
            .header("x-request-id", &request_id)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
            let status = response.status().as_u16();
            // The moment the response arrives, its event is committed (read on a new connection).
            let db = physioplan::db::Db::connect(
                &physioplan::config::DatabaseUrl::parse(&url).unwrap_or_else(|e| panic!("{e}")),
                1,
            )
            .unwrap_or_else(|e| panic!("{e}"));
            let mut conn = db.conn().unwrap_or_else(|e| panic!("{e}"));
            let recorded: i64 =
                a::audit_events.filter(a::request_id.eq(&request_id)).count().get_result(&mut *conn).unwrap_or(-1);
            (i, status, recorded)
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
