//! Concurrent edits based on the same version: exactly one is saved, every other one is
//! refused with 409 `version_conflict`, and the record holds the winner's change whole.

use crate::helpers::{spawn_app, TestApp, THERAPIST_A};
use reqwest::Method;
use serde_json::{json, Value};

/// Sends eight bodies to one path at once; returns (status, body) per request.
async fn race(app: &TestApp, token: &str, method: Method, path: &str, bodies: Vec<Value>) -> Vec<(u16, Value)> {
    let mut set = tokio::task::JoinSet::new();
    for body in bodies {
        let (url, token, method) = (app.url(path), token.to_owned(), method.clone());
        set.spawn(async move {
            let response = reqwest::Client::new()
                .request(method, url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let status = response.status().as_u16();
            (status, response.json().await.unwrap_or(Value::Null))
        });
    }
    set.join_all().await
}

/// Exactly one 200; the others 409 `version_conflict`. Returns the winner's body.
fn one_winner(results: &[(u16, Value)]) -> Value {
    let saved: Vec<&Value> = results.iter().filter(|(s, _)| *s == 200).map(|(_, b)| b).collect();
    assert_eq!(saved.len(), 1, "exactly one edit is saved: {results:?}");
    for (status, body) in results.iter().filter(|(s, _)| *s != 200) {
        assert_eq!(*status, 409, "{body}");
        assert_eq!(body["error"]["code"], "version_conflict", "{body}");
    }
    saved[0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_concurrent_edits_of_one_patient_save_one_whole_and_refuse_the_rest() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let patient = app.create_patient(&token, "Ada", "Lovelace").await;
    let path = format!("/api/v1/patients/{}", patient["id"].as_str().unwrap_or_default());
    let bodies = (1..=8)
        .map(|n| json!({"version": 1, "phone": format!("0100 00{n}"), "condition": format!("Sciatica, edit {n}")}))
        .collect();

    let winner = one_winner(&race(&app, &token, Method::PATCH, &path, bodies).await);

    let (_, now) = app.api(Method::GET, &path, &token, None).await;
    assert_eq!(now["version"], 2, "one edit made one new version");
    assert_eq!(now["phone"], winner["phone"]);
    let n = winner["phone"].as_str().unwrap_or_default().chars().last().unwrap_or('?');
    assert_eq!(now["condition"], format!("Sciatica, edit {n}"), "both fields of the winner, none of a loser");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_concurrent_saves_of_one_draft_assessment_keep_one_and_refuse_the_rest() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let patient = app.create_patient(&token, "Ada", "Lovelace").await;
    let create = format!("/api/v1/patients/{}/assessments", patient["id"].as_str().unwrap_or_default());
    let (status, draft) =
        app.api(Method::POST, &create, &token, Some(json!({"kind": "initial", "assessed_on": "2026-11-20"}))).await;
    assert_eq!(status, 201, "{draft}");
    let path = format!("/api/v1/assessments/{}", draft["id"].as_str().unwrap_or_default());
    let version = draft["version"].as_i64().unwrap_or_default();
    let bodies = (1..=8).map(|n| json!({"version": version, "findings": [{"code": "nprs_now", "value": n}]})).collect();

    let winner = one_winner(&race(&app, &token, Method::PATCH, &path, bodies).await);

    let (_, now) = app.api(Method::GET, &path, &token, None).await;
    assert_eq!(now["version"], version + 1);
    let pain = |a: &Value| {
        a["content"]["findings"]
            .as_array()
            .and_then(|f| f.iter().find(|f| f["code"] == "nprs_now"))
            .map(|f| f["value"].clone())
            .unwrap_or(Value::Null)
    };
    assert_eq!(pain(&now), pain(&winner), "the saved pain score is the winner's");
    assert!(pain(&now).is_number(), "{now}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_concurrent_saves_of_one_clinics_mcid_settings_keep_one_and_refuse_the_rest() {
    let app = spawn_app().await;
    let admin = app.signed_in(crate::helpers::ADMIN).await;
    let (_, html) = app.page(&admin, "/admin/clinics").await;
    let token = crate::helpers::csrf_token(&html);
    let action = format!("/admin/clinics/{}/mcid", app.clinic_a);
    let form = html.split(&format!("action=\"{action}\"")).nth(1).unwrap_or_default();
    let version = form.split("name=\"version\" value=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or_default();
    assert!(!version.is_empty(), "the form carries the clinic's version");

    let mut set = tokio::task::JoinSet::new();
    for n in 1..=8 {
        let (client, url) = (admin.clone(), app.url(&action));
        let body = vec![
            ("csrf_token", token.clone()),
            ("version", version.to_owned()),
            ("odi_points", format!("1{n}")),
            ("nprs_points", "2".to_owned()),
        ];
        set.spawn(async move { client.post(url).form(&body).send().await.map(|r| r.status().as_u16()).unwrap_or(0) });
    }
    let statuses = set.join_all().await;

    assert_eq!(statuses.iter().filter(|s| **s == 303).count(), 1, "one save: {statuses:?}");
    assert!(statuses.iter().all(|s| *s == 303 || *s == 409), "the rest are stale: {statuses:?}");
    let token_a = app.token(crate::helpers::THERAPIST_A).await;
    let patient = app.create_patient(&token_a, "Ada", "Lovelace").await;
    let path = format!("/api/v1/patients/{}/progress", patient["id"].as_str().unwrap_or_default());
    let (_, progress) = app.api(Method::GET, &path, &token_a, None).await;
    let odi = progress["thresholds"]["odi"]["points"].as_f64().unwrap_or_default();
    assert!((11.0..=18.0).contains(&odi), "one of the eight values was saved whole: {progress}");
}
