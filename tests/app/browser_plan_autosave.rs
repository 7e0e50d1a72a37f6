//! In headless Chromium: the plan builder's in-place forms save as the clinician types. A
//! stage purpose typed and left alone is saved (a reload shows it), and edits that follow
//! one another in the same form and in another form of the page all land: each save takes
//! the plan's new version from the answer, so the next one is not refused as stale.

use crate::browser::{fill, sign_in, start_browser};
use crate::helpers::{spawn_app, TestApp, THERAPIST_A};
use fantoccini::{Client, Locator};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

/// Waits (up to 10 s) until the plan, read through the API, satisfies `done`.
async fn until(app: &TestApp, token: &str, plan: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..100 {
        let (_, now) = app.api(Method::GET, &format!("/api/v1/plans/{plan}"), token, None).await;
        if done(&now) {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("not saved: {what}");
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

async fn value_of(c: &Client, id: &str) -> String {
    let field = c.find(Locator::Id(id)).await.unwrap_or_else(|e| panic!("{id}: {e}"));
    field.prop("value").await.unwrap_or_else(|e| panic!("{e}")).unwrap_or_default()
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver; .ci/run installs them and runs the browser tests"]
async fn browser_plan_stage_and_item_edits_save_as_the_clinician_types_and_follow_one_another_without_409() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let patient = app.create_patient(&token, "Ada", "Lovelace").await["id"].as_str().unwrap_or_default().to_owned();
    let (_, plan) = app
        .api(Method::POST, &format!("/api/v1/patients/{patient}/plans"), &token, Some(json!({"title": "Left L5"})))
        .await;
    let id = plan["id"].as_str().unwrap_or_default().to_owned();
    let stage = plan["stages"][0]["id"].as_str().unwrap_or_default().to_owned();
    let purpose = plan["stages"][0]["purpose"].as_str().unwrap_or_default().to_owned();
    let (_, library) = app.api(Method::GET, "/api/v1/modalities?q=bridge", &token, None).await;
    let body = json!({"modality_id": library[0]["id"]});
    let (status, _) =
        app.plan_api(Method::POST, &format!("/api/v1/plans/{id}/stages/{stage}/items"), &token, Some(body)).await;
    assert_eq!(status, 201);

    let browser = start_browser().await;
    let c = &browser.client;
    sign_in(c, &app.address, THERAPIST_A).await;
    c.goto(&format!("{}/plans/{id}", app.address)).await.unwrap_or_else(|e| panic!("{e}"));

    // Typed into the stage purpose and left alone: saved, without pressing Save.
    click(c, "#stage-1 details.edit-stage summary").await;
    fill(c, "stage-1-purpose", " and walk daily").await;
    let first = format!("{purpose} and walk daily");
    until(&app, &token, &id, "the first purpose edit", |p| p["stages"][0]["purpose"] == first.as_str()).await;

    // A second edit of the same form right after: it carries the version the first answered.
    fill(c, "stage-1-purpose", ", 20 minutes").await;
    let second = format!("{first}, 20 minutes");
    until(&app, &token, &id, "the second purpose edit", |p| p["stages"][0]["purpose"] == second.as_str()).await;

    // Then another form of the page (the item's note): the page's version fields moved too.
    click(c, "#stage-1 li.item details summary").await;
    let note = c.find(Locator::Css("#stage-1 form.item-edit input[name=clinician_notes]")).await;
    note.unwrap_or_else(|e| panic!("{e}")).send_keys("watch the knee").await.unwrap_or_else(|e| panic!("{e}"));
    let saved = until(&app, &token, &id, "the item note", |p| {
        p["stages"][0]["items"][0]["clinician_notes"] == "watch the knee"
    })
    .await;
    assert_eq!(saved["stages"][0]["purpose"], second.as_str(), "the stage edit is still there");
    let status = c.find(Locator::Css("#stage-1 form.item-edit .autosave-status")).await;
    let status = status.unwrap_or_else(|e| panic!("{e}")).text().await.unwrap_or_default();
    assert!(!status.contains("Not saved"), "no edit was refused as stale: {status}");

    // A reload shows what was typed.
    c.refresh().await.unwrap_or_else(|e| panic!("{e}"));
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("stage-1-purpose"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(value_of(c, "stage-1-purpose").await, second);
}
