//! The plan builder keeps up: an item's row is saved or removed in place (htmx partial
//! with the plan's new version), a removal can be undone at the same position, and the
//! new-plan page offers the protocol of the patient's latest STarT Back group first.

use crate::helpers::{csrf_token, patient_json, spawn_app, TestApp, THERAPIST_A};
use reqwest::Method;
use serde_json::{json, Value};

/// A patient with a signed initial assessment whose STarT Back group is medium.
async fn medium_risk_patient(app: &TestApp, token: &str) -> String {
    let (_, p) = app.api(Method::POST, "/api/v1/patients", token, Some(patient_json("Rhea", "Stone"))).await;
    let patient = p["id"].as_str().unwrap_or_default().to_owned();
    let body = json!({
        "kind": "initial", "assessed_on": "2026-11-02",
        "findings": crate::helpers::negative_screen(),
        "start_back": [1, 1, 1, 1, 1, 0, 0, 0, "slightly"]
    });
    let (status, a) =
        app.api(Method::POST, &format!("/api/v1/patients/{patient}/assessments"), token, Some(body)).await;
    assert_eq!(status, 201, "{a}");
    let sign = format!("/api/v1/assessments/{}/sign", a["id"].as_str().unwrap_or_default());
    assert_eq!(app.api(Method::POST, &sign, token, None).await.0, 200);
    patient
}

async fn protocol_plan(app: &TestApp, token: &str, patient: &str) -> Value {
    let (_, protocols) = app.api(Method::GET, "/api/v1/protocols", token, None).await;
    let medium = protocols
        .as_array()
        .and_then(|p| p.iter().find(|x| x["code"] == "sciatica_start_back_medium"))
        .cloned()
        .unwrap_or_default();
    let body = json!({"title": "Sciatica", "protocol_id": medium["id"]});
    let (status, plan) = app.api(Method::POST, &format!("/api/v1/patients/{patient}/plans"), token, Some(body)).await;
    assert_eq!(status, 201, "{plan}");
    plan
}

fn item_ids(plan: &Value, stage: usize) -> Vec<String> {
    plan["stages"][stage]["items"]
        .as_array()
        .map(|items| items.iter().map(|i| i["id"].as_str().unwrap_or_default().to_owned()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_new_plan_page_offers_the_protocol_of_the_latest_start_back_group_first_and_chosen() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let patient = medium_risk_patient(&app, &token).await;
    let client = app.signed_in(THERAPIST_A).await;

    let (status, html) = app.page(&client, &format!("/patients/{patient}/plans/new")).await;

    assert_eq!(status, 200);
    assert!(html.contains("Latest STarT Back: <strong>medium risk</strong>"), "{html}");
    let first = html.find(r#"name="protocol_id""#).unwrap_or(0);
    let medium = html.find("Sciatica: STarT Back medium risk").unwrap_or(usize::MAX);
    let low = html.find("Sciatica: STarT Back low risk").unwrap_or(0);
    assert!(medium < low, "the matching protocol is listed first");
    assert!(html[first..medium].contains("checked"), "and chosen");
    assert!(html.contains("Suggested"));
}

#[tokio::test]
async fn removing_an_item_in_place_leaves_an_undo_that_puts_it_back_where_it_was() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let patient = medium_risk_patient(&app, &token).await;
    let plan = protocol_plan(&app, &token, &patient).await;
    let id = plan["id"].as_str().unwrap_or_default().to_owned();
    let stage = plan["stages"][2]["id"].as_str().unwrap_or_default().to_owned();
    let before = item_ids(&plan, 2);
    assert!(before.len() >= 2, "the protocol's stage 3 has items");
    let client = app.signed_in(THERAPIST_A).await;
    let (_, page) = app.page(&client, &format!("/plans/{id}")).await;
    let csrf = csrf_token(&page);
    let version = plan["version"].to_string();

    let removed = client
        .post(app.url(&format!("/plans/{id}/items/{}/row/remove", before[0])))
        .header("HX-Request", "true")
        .form(&[("csrf_token", csrf.as_str()), ("version", version.as_str())])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let trigger = removed.headers().get("HX-Trigger").and_then(|h| h.to_str().ok()).unwrap_or_default().to_owned();
    let row = removed.text().await.unwrap_or_default();
    let (_, after_removal) = app.api(Method::GET, &format!("/api/v1/plans/{id}"), &token, None).await;
    let undo: Vec<(String, String)> = row
        .split("<input type=\"hidden\" ")
        .skip(1)
        .filter_map(|part| {
            let name = part.split("name=\"").nth(1)?.split('"').next()?.to_owned();
            let value = part.split("value=\"").nth(1)?.split('"').next()?.to_owned();
            Some((name, value))
        })
        .collect();
    let restored = client
        .post(app.url(&format!("/plans/{id}/stages/{stage}/restore")))
        .header("HX-Request", "true")
        .form(&undo)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let restored_status = restored.status().as_u16();
    let restored_row = restored.text().await.unwrap_or_default();
    let (_, after_undo) = app.api(Method::GET, &format!("/api/v1/plans/{id}"), &token, None).await;

    assert!(row.contains("Removed <strong>") && row.contains(">Undo</button>"), "{row}");
    assert!(!row.contains("<html"), "only the row is sent");
    assert!(trigger.contains(&format!("\"version\":{}", after_removal["version"])), "{trigger}");
    assert_eq!(item_ids(&after_removal, 2).len(), before.len() - 1);
    assert_eq!(restored_status, 200, "{restored_row}");
    assert!(restored_row.contains("<li class=\"item\""), "{restored_row}");
    let names = |p: &Value| -> Vec<String> {
        p["stages"][2]["items"]
            .as_array()
            .map(|i| i.iter().map(|x| x["name"].to_string()).collect())
            .unwrap_or_default()
    };
    assert_eq!(names(&after_undo), names(&plan), "the item is back at its place");
}

#[tokio::test]
async fn saving_a_dose_in_place_answers_the_row_and_a_stale_one_says_so_in_the_row() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let patient = medium_risk_patient(&app, &token).await;
    let plan = protocol_plan(&app, &token, &patient).await;
    let id = plan["id"].as_str().unwrap_or_default().to_owned();
    let item = item_ids(&plan, 2)[0].clone();
    let client = app.signed_in(THERAPIST_A).await;
    let (_, page) = app.page(&client, &format!("/plans/{id}")).await;
    let csrf = csrf_token(&page);
    let version = plan["version"].to_string();
    let url = app.url(&format!("/plans/{id}/items/{item}/row/update"));
    let fields = [("csrf_token", csrf.as_str()), ("version", version.as_str()), ("sets", "4"), ("reps", "9")];

    let saved = client.post(&url).form(&fields).send().await.unwrap_or_else(|e| panic!("{e}"));
    let saved_status = saved.status().as_u16();
    let row = saved.text().await.unwrap_or_default();
    let stale = client.post(&url).form(&fields).send().await.unwrap_or_else(|e| panic!("{e}"));
    let stale_status = stale.status().as_u16();
    let stale_row = stale.text().await.unwrap_or_default();

    assert_eq!(saved_status, 200);
    assert!(row.contains(&format!("id=\"item-{item}\"")) && row.contains("4 sets of 9"), "{row}");
    assert_eq!(stale_status, 409);
    assert!(stale_row.contains("data-autofocus"), "the refusal sits in the row, focused: {stale_row}");
}
