//! The quick assessment form: section menu with progress, live scores from the server's
//! scoring, the body chart's checkboxes, side-less findings without side columns, the
//! "All negative" control, short ODI level labels and previous values on reassessment.

use crate::helpers::{csrf_token, spawn_app, THERAPIST_A};
use serde_json::json;

#[tokio::test]
async fn the_live_score_partial_gives_the_odi_percent_and_start_back_group_of_the_answers_so_far() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let patient = app.create_patient(&token, "Lena", "Marsh").await["id"].as_str().unwrap_or_default().to_owned();
    let client = app.signed_in(THERAPIST_A).await;
    let (_, form) = app.page(&client, &format!("/patients/{patient}/assessments/new")).await;
    let csrf = csrf_token(&form);
    let mut fields: Vec<(String, String)> = [
        "pain_intensity",
        "personal_care",
        "lifting",
        "walking",
        "sitting",
        "standing",
        "sleeping",
        "sex_life",
        "social_life",
        "travelling",
    ]
    .iter()
    .map(|s| (format!("odi.{s}"), "2".to_owned()))
    .collect();
    for n in 1..=8 {
        fields.push((format!("sb.{n}"), if n <= 5 { "1" } else { "0" }.to_owned()));
    }
    fields.push(("sb.9".into(), "slightly".into()));
    fields.push(("csrf_token".into(), csrf.clone()));

    let scored =
        client.post(app.url("/assessments/live-scores")).form(&fields).send().await.unwrap_or_else(|e| panic!("{e}"));
    let status = scored.status().as_u16();
    let html = scored.text().await.unwrap_or_default();
    let partial = client
        .post(app.url("/assessments/live-scores"))
        .form(&[("odi.lifting", "3"), ("sb.1", "1"), ("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_default();
    let forged = client
        .post(app.url("/assessments/live-scores"))
        .form(&[("odi.lifting", "3"), ("csrf_token", "forged")])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .status()
        .as_u16();

    assert_eq!(status, 200);
    assert!(html.contains(r#"<span id="live-odi">40 %</span>"#), "20 of 50 is 40 %: {html}");
    assert!(html.contains(r#"<span id="live-start-back">medium risk</span>"#), "total 5, psychosocial 1: {html}");
    assert!(!html.contains("<html"), "a partial, not a page");
    assert!(partial.contains("1 of 10 sections") && partial.contains("1 of 9 items"), "{partial}");
    assert_eq!(forged, 403, "the partial still checks the CSRF token");
}

#[tokio::test]
async fn the_form_has_a_section_menu_a_body_chart_an_all_negative_control_and_labelled_odi_levels() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let patient = app.create_patient(&token, "Noor", "Okafor").await["id"].as_str().unwrap_or_default().to_owned();
    let client = app.signed_in(THERAPIST_A).await;

    let (status, html) = app.page(&client, &format!("/patients/{patient}/assessments/new")).await;

    assert_eq!(status, 200);
    for id in ["visit", "section-subjective", "section-red_flags", "section-neurology", "odi", "start_back"] {
        assert!(html.contains(&format!(r##"href="#{id}" data-section="{id}""##)), "menu links to {id}");
        assert!(html.contains(&format!(r#"id="{id}""#)), "section {id} exists");
    }
    assert!(html.contains(r#"data-count="odi">–"#), "an unanswered section says so");
    assert!(html.contains(r#"id="live-scores""#));
    assert!(html.contains(r#"hx-post="/assessments/live-scores""#));
    assert!(html.contains(r#"<svg class="body-chart""#));
    assert!(html.contains(r#"data-for="f.symptom_pain.right.calf""#), "a clickable calf region");
    assert!(
        html.contains(
            r#"type="checkbox" id="f.symptom_numbness.left.sole" name="f.symptom_numbness.left" value="sole""#
        ),
        "a checkbox per region and side is the no-script control"
    );
    assert!(!html.contains("multiple"), "no Ctrl-click lists");
    assert!(
        html.contains(r#"<button class="all-negative" type="button" data-section="section-red_flags">All negative"#)
    );
    assert!(html.contains(r#"<option value="3">3 · Fairly severe</option>"#), "ODI levels have short labels");
    let subjective = &html
        [html.find(r#"id="section-subjective""#).unwrap_or(0)..html.find(r#"id="section-red_flags""#).unwrap_or(0)];
    assert!(!subjective.contains(">Left</div>"), "side-less findings have no side columns");
    assert!(!html.contains("<script>"), "no inline scripts");
    assert!(html.contains(r#"<script src="/assets/app.js" defer>"#));
}

#[tokio::test]
async fn body_chart_checkboxes_record_symptom_regions_and_a_reassessment_shows_them_as_previous() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let patient = app.create_patient(&token, "Pia", "Rowe").await["id"].as_str().unwrap_or_default().to_owned();
    let client = app.signed_in(THERAPIST_A).await;
    let form = format!("/patients/{patient}/assessments/new");

    let (status, location) = app
        .post_form(
            &client,
            &form,
            &format!("/patients/{patient}/assessments"),
            &[
                ("kind", "initial"),
                ("assessed_on", "2026-10-01"),
                ("f.symptom_pain.right", "calf"),
                ("f.symptom_pain.right", "thigh_posterior"),
                ("f.symptom_numbness.right", "sole"),
                ("odi.lifting", "3"),
            ],
        )
        .await;
    let id = location.rsplit('/').next().unwrap_or_default().to_owned();
    let (_, api) = app.api(reqwest::Method::GET, &format!("/api/v1/assessments/{id}"), &token, None).await;
    let (_, next) = app.page(&client, &form).await;

    assert_eq!(status, 303);
    let findings = api["content"]["findings"].as_array().cloned().unwrap_or_default();
    for (code, value) in [("symptom_pain", "calf"), ("symptom_pain", "thigh_posterior"), ("symptom_numbness", "sole")] {
        assert!(
            findings.iter().any(|f| f["code"] == code && f["side"] == "right" && f["value"] == json!(value)),
            "{code} {value} recorded: {api}"
        );
    }
    assert!(
        next.contains("previous right: back of thigh, calf") || next.contains("previous right: calf, back of thigh")
    );
    assert!(next.contains("previous: 3 · Light to medium"), "the previous ODI answer sits beside its section");
}
