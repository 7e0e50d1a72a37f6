//! Two (or eight) people editing the same plan at once: every edit carries the plan
//! version it was based on; of N parallel edits based on the same version exactly one is
//! saved, the others are refused with 409 `version_conflict`, and nothing is lost: the
//! saved edit is whole, the refused ones changed nothing and succeed when sent again on
//! the new version. Runs on both databases like the rest of the suite.

use crate::helpers::{patient_json, spawn_app, TestApp, THERAPIST_A};
use reqwest::Method;
use serde_json::{json, Value};

const N: usize = 8;

/// Sends the requests at the same time; returns each one's status and body, in order.
async fn race(app: &TestApp, token: &str, requests: Vec<(Method, String, Value)>) -> Vec<(u16, Value)> {
    let client = reqwest::Client::new();
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|(method, path, body)| {
            let request = client.request(method, app.url(&path)).bearer_auth(token).json(&body);
            tokio::spawn(async move {
                let response = request.send().await.unwrap_or_else(|e| panic!("{e}"));
                let status = response.status().as_u16();
                (status, response.json::<Value>().await.unwrap_or(Value::Null))
            })
        })
        .collect();
    let mut out = Vec::new();
    for task in tasks {
        out.push(task.await.unwrap_or_else(|e| panic!("{e}")));
    }
    out
}

/// Exactly one success; every other answer is 409 `version_conflict`. Returns the winner.
fn one_winner(answers: &[(u16, Value)]) -> usize {
    let winners: Vec<usize> =
        answers.iter().enumerate().filter(|(_, (s, _))| (200..300).contains(s)).map(|(i, _)| i).collect();
    assert_eq!(winners.len(), 1, "exactly one edit is saved: {answers:?}");
    for (status, body) in answers.iter().filter(|(s, _)| !(200..300).contains(s)) {
        assert_eq!(*status, 409, "{body}");
        assert_eq!(body["error"]["code"], "version_conflict", "{body}");
    }
    winners[0]
}

/// A draft plan with one item in stage 1: (plan JSON, item id).
async fn draft(app: &TestApp, token: &str) -> (Value, String) {
    let (_, p) = app.api(Method::POST, "/api/v1/patients", token, Some(patient_json("Ines", "Concurrent"))).await;
    let patient = p["id"].as_str().unwrap_or_default().to_owned();
    let (_, plan) = app
        .api(Method::POST, &format!("/api/v1/patients/{patient}/plans"), token, Some(json!({"title": "Back"})))
        .await;
    let (_, library) = app.api(Method::GET, "/api/v1/modalities?q=bridge", token, None).await;
    let stage = plan["stages"][0]["id"].as_str().unwrap_or_default();
    let id = plan["id"].as_str().unwrap_or_default();
    let body = json!({"modality_id": library[0]["id"]});
    let (status, item) =
        app.plan_api(Method::POST, &format!("/api/v1/plans/{id}/stages/{stage}/items"), token, Some(body)).await;
    assert_eq!(status, 201, "{item}");
    let (_, plan) = app.api(Method::GET, &format!("/api/v1/plans/{id}"), token, None).await;
    (plan, item["id"].as_str().unwrap_or_default().to_owned())
}

async fn current(app: &TestApp, token: &str, plan: &Value) -> Value {
    app.api(Method::GET, &format!("/api/v1/plans/{}", plan["id"].as_str().unwrap_or_default()), token, None).await.1
}

#[tokio::test]
async fn parallel_item_adds_on_one_version_save_one_and_the_refused_succeed_when_sent_again() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let (plan, _) = draft(&app, &token).await;
    let (_, library) = app.api(Method::GET, "/api/v1/modalities?category=exercise", &token, None).await;
    let path = format!(
        "/api/v1/plans/{}/stages/{}/items",
        plan["id"].as_str().unwrap_or_default(),
        plan["stages"][2]["id"].as_str().unwrap_or_default()
    );
    let bodies: Vec<Value> = (0..N)
        .map(|n| json!({"version": plan["version"], "modality_id": library[n]["id"], "dosage": {"reps": n + 1}}))
        .collect();

    let answers = race(&app, &token, bodies.iter().map(|b| (Method::POST, path.clone(), b.clone())).collect()).await;

    let winner = one_winner(&answers);
    let after = current(&app, &token, &plan).await;
    assert_eq!(after["version"], plan["version"].as_i64().unwrap_or_default() + 1);
    let items = after["stages"][2]["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1, "only the saved edit is in the plan: {items:?}");
    assert_eq!(items[0]["modality_id"], bodies[winner]["modality_id"]);
    for (n, body) in bodies.iter().enumerate().filter(|(n, _)| *n != winner) {
        let (status, answer) = app.plan_api(Method::POST, &path, &token, Some(body.clone())).await;
        assert_eq!(status, 201, "edit {n} sent again: {answer}");
    }
    let last = current(&app, &token, &plan).await;
    assert_eq!(last["stages"][2]["items"].as_array().map(Vec::len), Some(N), "nothing is lost");
}

#[tokio::test]
async fn parallel_item_edits_on_one_version_save_exactly_one_whole() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let (plan, item) = draft(&app, &token).await;
    let path = format!("/api/v1/plans/{}/items/{item}", plan["id"].as_str().unwrap_or_default());
    let requests = (0..N)
        .map(|n| {
            let body = json!({"version": plan["version"], "dosage": {"sets": 1 + n % 5, "reps": 10 + n}, "clinician_notes": format!("edit {n}")});
            (Method::PATCH, path.clone(), body)
        })
        .collect();

    let answers = race(&app, &token, requests).await;

    let winner = one_winner(&answers);
    let saved = &current(&app, &token, &plan).await["stages"][0]["items"][0];
    assert_eq!(saved["clinician_notes"], format!("edit {winner}"));
    assert_eq!(saved["dosage_override"]["reps"], 10 + winner, "the saved edit is whole: {saved}");
}

#[tokio::test]
async fn parallel_stage_edits_on_one_version_save_exactly_one() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let (plan, _) = draft(&app, &token).await;
    let stage = plan["stages"][1]["id"].as_str().unwrap_or_default();
    let path = format!("/api/v1/plans/{}/stages/{stage}", plan["id"].as_str().unwrap_or_default());
    let requests = (0..N)
        .map(|n| {
            let body = json!({"version": plan["version"], "name": format!("Mobility {n}"), "purpose": format!("purpose {n}"), "planned_weeks": 2 + n});
            (Method::PATCH, path.clone(), body)
        })
        .collect();

    let answers = race(&app, &token, requests).await;

    let winner = one_winner(&answers);
    let after = current(&app, &token, &plan).await;
    assert_eq!(after["stages"][1]["name"], format!("Mobility {winner}"));
    assert_eq!(after["stages"][1]["purpose"], format!("purpose {winner}"));
    assert_eq!(after["stages"][1]["planned_weeks"], 2 + winner);
}

#[tokio::test]
async fn parallel_criteria_replacements_on_one_version_save_exactly_one_list() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let (plan, _) = draft(&app, &token).await;
    let stage = plan["stages"][0]["id"].as_str().unwrap_or_default();
    let path = format!("/api/v1/plans/{}/stages/{stage}/criteria", plan["id"].as_str().unwrap_or_default());
    let lists: Vec<Value> = (0..N)
        .map(|n| json!([{"measure": "nprs_worst", "comparator": "le", "value": n}, {"measure": "odi_percent", "comparator": "le", "value": 20 + n}]))
        .collect();
    let requests =
        lists.iter().map(|l| (Method::PUT, path.clone(), json!({"version": plan["version"], "criteria": l}))).collect();

    let answers = race(&app, &token, requests).await;

    let winner = one_winner(&answers);
    let criteria = &current(&app, &token, &plan).await["stages"][0]["criteria"];
    assert_eq!(criteria.as_array().map(Vec::len), Some(2));
    assert_eq!(criteria[0]["value"].as_f64(), Some(winner as f64));
    assert_eq!(criteria[1]["value"].as_f64(), Some(20.0 + winner as f64), "the saved list is whole");
}

#[tokio::test]
async fn parallel_goal_adds_and_removals_on_one_version_save_exactly_one() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let (plan, _) = draft(&app, &token).await;
    let id = plan["id"].as_str().unwrap_or_default().to_owned();
    let requests = (0..N)
        .map(|n| {
            let body = json!({"version": plan["version"], "measure": "nprs_worst", "comparator": "le", "target": n});
            (Method::POST, format!("/api/v1/plans/{id}/goals"), body)
        })
        .collect();

    let answers = race(&app, &token, requests).await;

    let winner = one_winner(&answers);
    let after = current(&app, &token, &plan).await;
    let goals = after["goals"].as_array().cloned().unwrap_or_default();
    assert_eq!(goals.len(), 1, "{goals:?}");
    assert_eq!(goals[0]["target"].as_f64(), Some(winner as f64));

    let goal = goals[0]["id"].as_str().unwrap_or_default();
    let removals = (0..N)
        .map(|_| (Method::DELETE, format!("/api/v1/plans/{id}/goals/{goal}"), json!({"version": after["version"]})))
        .collect();
    let answers = race(&app, &token, removals).await;
    one_winner(&answers);
    let last = current(&app, &token, &plan).await;
    assert_eq!(last["goals"].as_array().map(Vec::len), Some(0));
    assert_eq!(last["version"], after["version"].as_i64().unwrap_or_default() + 1);
}

#[tokio::test]
async fn a_stale_plan_page_form_says_someone_else_changed_the_plan_and_keeps_what_was_typed() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let (plan, _) = draft(&app, &token).await;
    let id = plan["id"].as_str().unwrap_or_default().to_owned();
    let stage = plan["stages"][1]["id"].as_str().unwrap_or_default().to_owned();
    let client = app.signed_in(THERAPIST_A).await;
    let page = format!("/plans/{id}");
    let (_, html) = app.page(&client, &page).await;
    let version = html.split("name=\"version\" value=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or_default();
    // A colleague renames a stage through the API meanwhile.
    let theirs = json!({"version": plan["version"], "name": "Theirs", "purpose": "p", "planned_weeks": 3});
    let (renamed, _) =
        app.api(Method::PATCH, &format!("/api/v1/plans/{id}/stages/{stage}"), &token, Some(theirs)).await;
    assert_eq!(renamed, 200);

    let fields = [("measure", "odi_percent"), ("comparator", "le"), ("target", "17.5"), ("version", version)];
    let (goal, goal_page) = app.post_form(&client, &page, &format!("/plans/{id}/goals"), &fields).await;
    let fields = [("name", "Mine, typed"), ("purpose", "Walk to work"), ("planned_weeks", "5"), ("version", version)];
    let (stage_edit, stage_page) =
        app.post_form(&client, &page, &format!("/plans/{id}/stages/{stage}/edit"), &fields).await;

    assert_eq!(goal, 409);
    assert!(goal_page.contains("changed by someone else"), "{goal_page}");
    assert!(goal_page.contains("value=\"17.5\""), "the typed target is kept: {goal_page}");
    assert_eq!(stage_edit, 409);
    assert!(stage_page.contains("value=\"Mine, typed\"") && stage_page.contains("value=\"Walk to work\""));
    let after = current(&app, &token, &plan).await;
    assert_eq!(after["stages"][1]["name"], "Theirs", "the colleague's change is kept");
    assert_eq!(after["goals"].as_array().map(Vec::len), Some(0));
    // Sent again from the kept form (based on the current version), it is saved.
    let kept_version = after["version"].to_string();
    let fields = [("measure", "odi_percent"), ("comparator", "le"), ("target", "17.5"), ("version", &kept_version)];
    let (again, _) = app.post_form(&client, &page, &format!("/plans/{id}/goals"), &fields).await;
    assert_eq!(again, 303);
}
