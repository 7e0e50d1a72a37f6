//! The plan builder's picker: search as you type (htmx partial), plain GET without
//! JavaScript, pictures and default doses, and adding through the existing route.

use crate::helpers::{patient_json, spawn_app, TestApp, THERAPIST_A, THERAPIST_B};
use reqwest::Method;
use serde_json::{json, Value};

/// A draft plan; returns (plan id, first stage id).
async fn draft_plan(app: &TestApp, token: &str) -> (String, String) {
    let (_, p) = app.api(Method::POST, "/api/v1/patients", token, Some(patient_json("Pia", "Quist"))).await;
    let path = format!("/api/v1/patients/{}/plans", p["id"].as_str().unwrap_or_default());
    let (_, plan) = app.api(Method::POST, &path, token, Some(json!({"title": "Left L5 sciatica"}))).await;
    let stage = plan["stages"][0]["id"].as_str().unwrap_or_default().to_owned();
    (plan["id"].as_str().unwrap_or_default().to_owned(), stage)
}

#[tokio::test]
async fn the_plan_page_offers_a_search_with_pictures_and_default_doses_instead_of_a_drop_down() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let (plan, stage) = draft_plan(&app, &token).await;
    let client = app.signed_in(THERAPIST_A).await;

    let (status, html) = app.page(&client, &format!("/plans/{plan}")).await;

    assert_eq!(status, 200);
    assert!(!html.contains("<select id=\"modality-1\""), "the 49-item drop-down is gone");
    assert!(html.contains(&format!("hx-get=\"/plans/{plan}/stages/{stage}/picker\"")));
    assert!(html.contains("type=\"search\" name=\"q\""));
    assert!(html.contains("<img class=\"illustration\""), "results carry pictures");
    assert!(html.contains("Default: "), "the default dose shows before adding");
    assert!(html.contains("name=\"modality_id\" value=\""), "each result adds itself");
}

#[tokio::test]
async fn typing_narrows_the_list_through_a_partial_and_adding_from_it_uses_the_add_route() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let (plan, stage) = draft_plan(&app, &token).await;
    let client = app.signed_in(THERAPIST_A).await;
    let picker = format!("/plans/{plan}/stages/{stage}/picker");

    let partial = client
        .get(app.url(&format!("{picker}?q=slider&category=")))
        .header("HX-Request", "true")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(partial.status(), 200);
    let fragment = partial.text().await.unwrap_or_default();
    assert!(!fragment.contains("<html"), "htmx gets the list only");
    assert!(fragment.contains("Sciatic nerve slider (seated)") && fragment.contains("Sciatic nerve slider (lying)"));
    assert!(!fragment.contains("Bridge") && !fragment.contains("Pain education"));

    let (_, none) = app.page(&client, &format!("{picker}?q=zzzz")).await;
    assert!(none.contains("No item matches"));
    let (_, stretches) = app.page(&client, &format!("{picker}?q=&category=stretch")).await;
    assert!(stretches.contains("Hamstring stretch") && !stretches.contains("Sciatic nerve slider"));

    // Without JavaScript: a page of its own with the add form and its CSRF field.
    let (status, page) = app.page(&client, &format!("{picker}?q=bridge")).await;
    assert_eq!(status, 200);
    assert!(page.contains("<html") && page.contains(&format!("action=\"/plans/{plan}/stages/{stage}/items\"")));
    let bridge = page
        .split("name=\"modality_id\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned();
    let (added, location) = app
        .post_form(
            &client,
            &format!("{picker}?q=bridge"),
            &format!("/plans/{plan}/stages/{stage}/items"),
            &[("modality_id", &bridge)],
        )
        .await;
    assert_eq!(added, 303);
    assert!(location.starts_with(&format!("/plans/{plan}")));
    let (_, view): (u16, Value) = app.api(Method::GET, &format!("/api/v1/plans/{plan}"), &token, None).await;
    assert_eq!(view["stages"][0]["items"][0]["code"], "bridge");
}

#[tokio::test]
async fn the_picker_names_a_bad_category_and_walls_off_other_clinics() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let (plan, stage) = draft_plan(&app, &token).await;
    let client = app.signed_in(THERAPIST_A).await;
    let other = app.signed_in(THERAPIST_B).await;
    let picker = format!("/plans/{plan}/stages/{stage}/picker");

    let (bad, message) = app.page(&client, &format!("{picker}?category=nonsense")).await;
    let (walled, _) = app.page(&other, &picker).await;
    let (no_stage, _) = app.page(&client, &format!("/plans/{plan}/stages/{}/picker", uuid_zero())).await;

    assert_eq!(bad, 422);
    assert!(message.contains("category"), "the message names the field");
    assert_eq!(walled, 404);
    assert_eq!(no_stage, 404);
}

fn uuid_zero() -> &'static str {
    "00000000-0000-0000-0000-000000000000"
}
