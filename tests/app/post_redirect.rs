//! Post, then redirect, for plain and htmx-boosted forms: a success lands on a page that a
//! reload can GET; a refusal re-shows the whole page with the message and what was typed,
//! and tells htmx the page's own URL (never the action's).

use crate::helpers::{csrf_token, patient_json, spawn_app, TestApp, THERAPIST_A};
use reqwest::Method;
use serde_json::{json, Value};

/// A boosted form post (as htmx sends it) with the CSRF token of `form_page`.
pub(crate) async fn boosted(
    app: &TestApp,
    client: &reqwest::Client,
    form_page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let (_, html) = app.page(client, form_page).await;
    let token = csrf_token(&html);
    let mut body: Vec<(&str, &str)> = fields.to_vec();
    body.push(("csrf_token", &token));
    // A form carries the version of what it edits, as rendered.
    let version = html.split("name=\"version\" value=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or_default();
    if !version.is_empty() && !fields.iter().any(|(k, _)| *k == "version") {
        body.push(("version", version));
    }
    client
        .post(app.url(action))
        .header("HX-Request", "true")
        .header("HX-Boosted", "true")
        .form(&body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

pub(crate) fn header(response: &reqwest::Response, name: &str) -> String {
    response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

/// The answer names a page to show (303 `Location` and `HX-Push-Url`), and that page GETs.
async fn assert_lands_on_a_page(app: &TestApp, client: &reqwest::Client, response: &reqwest::Response) -> String {
    assert_eq!(response.status(), 303);
    let push = header(response, "hx-push-url");
    assert!(header(response, "location").starts_with(&push) && !push.is_empty(), "{push}");
    let (status, _) = app.page(client, &push).await;
    assert_eq!(status, 200, "the pushed URL {push} is a page");
    push
}

/// A refusal re-shows the page at `page` with the navigation; that page GETs.
pub(crate) async fn assert_reshown_at(
    app: &TestApp,
    client: &reqwest::Client,
    response: reqwest::Response,
    page: &str,
) -> String {
    assert_eq!(header(&response, "hx-push-url"), page);
    assert_eq!(header(&response, "hx-retarget"), "body");
    let html = response.text().await.unwrap_or_default();
    assert!(html.contains("nav aria-label=\"Main\""), "the whole page, with navigation:\n{html}");
    let (status, _) = app.page(client, page).await;
    assert_eq!(status, 200, "{page} is a page a reload can GET");
    html
}

#[tokio::test]
async fn a_boosted_patient_edit_lands_on_the_patient_and_a_bad_date_is_reshown_at_the_edit_page() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let id = app.create_patient(&token, "Ada", "Lovelace").await["id"].as_str().unwrap_or_default().to_owned();
    let client = app.signed_in(THERAPIST_A).await;
    let edit = format!("/patients/{id}/edit");
    let mut fields = vec![
        ("version", "1"),
        ("given_name", "Ada"),
        ("family_name", "Lovelace"),
        ("date_of_birth", "1975-03-14"),
        ("condition", "Right L5 radiculopathy"),
        ("side", "left"),
    ];

    let bad = {
        let mut f = fields.clone();
        f[3] = ("date_of_birth", "14th of March");
        boosted(&app, &client, &edit, &edit, &f).await
    };
    assert_eq!(bad.status(), 422);
    let html = assert_reshown_at(&app, &client, bad, &edit).await;
    assert!(html.contains("value=\"14th of March\""), "the typed value is kept");
    fields[4] = ("condition", "Right L5 radiculopathy, improving");
    let good = boosted(&app, &client, &edit, &edit, &fields).await;

    let landed = assert_lands_on_a_page(&app, &client, &good).await;
    assert_eq!(landed, format!("/patients/{id}"));
    let (_, shown) = app.page(&client, &landed).await;
    assert!(shown.contains("Right L5 radiculopathy, improving"));
}

#[tokio::test]
async fn a_boosted_assessment_save_lands_on_the_record_and_an_impossible_score_is_reshown_with_the_input() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let patient = app.create_patient(&token, "Ada", "Lovelace").await["id"].as_str().unwrap_or_default().to_owned();
    let client = app.signed_in(THERAPIST_A).await;
    let new = format!("/patients/{patient}/assessments/new");
    let action = format!("/patients/{patient}/assessments");
    let base = [("kind", "initial"), ("assessed_on", "2026-10-20"), ("impression", "Typed carefully")];

    let mut bad_fields = base.to_vec();
    bad_fields.push(("f.nprs_now", "14"));
    let bad = boosted(&app, &client, &new, &action, &bad_fields).await;
    assert_eq!(bad.status(), 422);
    let html = assert_reshown_at(&app, &client, bad, &new).await;
    assert!(html.contains("Typed carefully") && html.contains("value=\"14\""), "the typed values are kept");
    let mut good_fields = base.to_vec();
    good_fields.push(("f.nprs_now", "6"));
    let good = boosted(&app, &client, &new, &action, &good_fields).await;

    let landed = assert_lands_on_a_page(&app, &client, &good).await;
    assert!(landed.starts_with("/assessments/"), "{landed}");
    let edit = format!("{landed}/edit");
    let (_, form) = app.page(&client, &edit).await;
    let version = form.split("name=\"version\" value=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or("1");
    let mut edit_fields = base.to_vec();
    edit_fields.extend([("f.nprs_now", "11"), ("version", version)]);
    let refused = boosted(&app, &client, &edit, &edit, &edit_fields).await;
    assert_eq!(refused.status(), 422);
    assert_reshown_at(&app, &client, refused, &edit).await;
}

#[tokio::test]
async fn a_boosted_plan_item_add_lands_on_the_plan_and_a_contraindicated_one_is_reshown_at_the_plan() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let mut body = patient_json("Ada", "Lovelace");
    body["history"] = json!(["adhesive_allergy"]);
    let (_, p) = app.api(Method::POST, "/api/v1/patients", &token, Some(body)).await;
    let patient = p["id"].as_str().unwrap_or_default().to_owned();
    app.sign_screen(&token, &patient, "2026-10-20", json!([])).await;
    let (_, plan) = app
        .api(Method::POST, &format!("/api/v1/patients/{patient}/plans"), &token, Some(json!({"title": "Left L5"})))
        .await;
    let (id, stage) = (plan["id"].as_str().unwrap_or_default(), plan["stages"][0]["id"].as_str().unwrap_or_default());
    let (_, items) = app.api(Method::GET, "/api/v1/modalities", &token, None).await;
    let code_id = |code: &str| -> String {
        items
            .as_array()
            .and_then(|a| a.iter().find(|i| i["code"] == code))
            .map(|i| i["id"].as_str().unwrap_or_default().to_owned())
            .unwrap_or_default()
    };
    let client = app.signed_in(THERAPIST_A).await;
    let page = format!("/plans/{id}");
    let add = format!("/plans/{id}/stages/{stage}/items");

    let refused =
        boosted(&app, &client, &page, &add, &[("modality_id", &code_id("lumbar_kinesiology_taping")), ("reps", "12")])
            .await;
    assert_eq!(refused.status(), 422);
    let html = assert_reshown_at(&app, &client, refused, &page).await;
    assert!(html.contains("Contraindicated for this patient"), "{html}");
    let (_, modalities): (u16, Value) =
        app.api(Method::GET, "/api/v1/modalities?category=education", &token, None).await;
    let education = modalities[0]["id"].as_str().unwrap_or_default().to_owned();
    let added = boosted(&app, &client, &page, &add, &[("modality_id", &education)]).await;

    assert_eq!(assert_lands_on_a_page(&app, &client, &added).await, page);
}

#[tokio::test]
async fn a_boosted_red_flag_action_lands_on_the_assessment_and_a_missing_action_is_reshown_there() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let patient = app.create_patient(&token, "Ada", "Lovelace").await["id"].as_str().unwrap_or_default().to_owned();
    let flagged = json!([{"code": "rf_saddle_anaesthesia", "value": "positive"}]);
    let body = json!({"kind": "initial", "assessed_on": "2026-10-20", "findings": flagged});
    let (status, a) =
        app.api(Method::POST, &format!("/api/v1/patients/{patient}/assessments"), &token, Some(body)).await;
    assert_eq!(status, 201, "{a}");
    let client = app.signed_in(THERAPIST_A).await;
    let page = format!("/assessments/{}", a["id"].as_str().unwrap_or_default());
    let action = format!("{page}/red-flags");
    let flag = [("flag", "rf_saddle_anaesthesia"), ("kind", "emergency_referral")];

    let refused = boosted(&app, &client, &page, &action, &flag).await;
    assert_eq!(refused.status(), 422);
    assert_reshown_at(&app, &client, refused, &page).await;
    let mut fields = flag.to_vec();
    fields.push(("action", "Sent to the emergency department by ambulance"));
    let done = boosted(&app, &client, &page, &action, &fields).await;

    assert_eq!(assert_lands_on_a_page(&app, &client, &done).await, page);
    let (_, shown) = app.page(&client, &page).await;
    assert!(shown.contains("Sent to the emergency department by ambulance"));
}

#[tokio::test]
async fn a_plan_stage_or_criterion_that_does_not_read_is_reshown_on_the_plan_page_not_a_bare_error() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let patient = app.create_patient(&token, "Ada", "Lovelace").await["id"].as_str().unwrap_or_default().to_owned();
    let (_, plan) = app
        .api(Method::POST, &format!("/api/v1/patients/{patient}/plans"), &token, Some(json!({"title": "Left L5"})))
        .await;
    let (id, stage) = (plan["id"].as_str().unwrap_or_default(), plan["stages"][0]["id"].as_str().unwrap_or_default());
    let client = app.signed_in(THERAPIST_A).await;
    let page = format!("/plans/{id}");

    let weeks = format!("/plans/{id}/stages/{stage}/edit");
    let fields = [("name", "Pain control"), ("purpose", "Settle pain"), ("planned_weeks", "many")];
    let refused = boosted(&app, &client, &page, &weeks, &fields).await;
    assert_eq!(refused.status(), 422);
    let html = assert_reshown_at(&app, &client, refused, &page).await;
    assert!(html.contains("Planned weeks must be from 1 to 52."), "{html}");
    assert_typed_is_kept(&html, &[("name", "Pain control"), ("purpose", "Settle pain"), ("planned_weeks", "many")]);

    let criteria = format!("/plans/{id}/stages/{stage}/criteria");
    let fields = [("measure", "nprs_now"), ("comparator", "le"), ("value", "low")];
    let refused = boosted(&app, &client, &page, &criteria, &fields).await;
    assert_eq!(refused.status(), 422);
    let html = assert_reshown_at(&app, &client, refused, &page).await;
    assert!(html.contains("Enter a number."), "{html}");
    assert_typed_is_kept(&html, &[("measure", "nprs_now"), ("comparator", "le"), ("value", "low")]);

    let goals = format!("/plans/{id}/goals");
    let fields = [("measure", "odi_percent"), ("comparator", "le"), ("target", "20"), ("due", "by summer")];
    let refused = boosted(&app, &client, &page, &goals, &fields).await;
    assert_eq!(refused.status(), 422);
    let html = assert_reshown_at(&app, &client, refused, &page).await;
    assert!(html.contains("Enter the due date as YYYY-MM-DD."), "{html}");
    assert_typed_is_kept(&html, &fields);
}

/// The re-shown form (the one kept after a refusal) holds each value as typed, and the
/// messages never quote it: a free-text value appears once, in its field.
fn assert_typed_is_kept(html: &str, fields: &[(&str, &str)]) {
    let kept = html.split("form class=\"inline kept\"").nth(1).and_then(|f| f.split("</form>").next());
    let kept = kept.unwrap_or_else(|| panic!("a kept form:\n{html}"));
    for (name, value) in fields {
        assert!(kept.contains(&format!("name=\"{name}\" value=\"{value}\"")), "{name} kept as typed:\n{kept}");
    }
    for value in ["many", "by summer"] {
        assert!(html.matches(value).count() <= 1, "'{value}' is shown only in its field:\n{html}");
    }
    assert!(kept.contains("aria-invalid=\"true\""), "the field at fault is marked:\n{kept}");
}
