//! Forms that refused with a bare error page now re-show the page the user was on, at its
//! own URL, with the message beside the field and what was typed: the discharge date, the
//! caseload reassignment, a plan item's dosage, a new plan's protocol. The API names the
//! field.

use crate::helpers::{spawn_app, TestApp, LEAD_A, THERAPIST_A, THERAPIST_B};
use crate::post_redirect::{assert_reshown_at, boosted};
use reqwest::Method;
use serde_json::{json, Value};

async fn patient(app: &TestApp) -> (String, String) {
    let token = app.token(THERAPIST_A).await;
    let id = app.create_patient(&token, "Ada", "Lovelace").await["id"].as_str().unwrap_or_default().to_owned();
    (token, id)
}

async fn status_of(app: &TestApp, token: &str, id: &str) -> Value {
    let (_, p) = app.api(Method::GET, &format!("/api/v1/patients/{id}"), token, None).await;
    p
}

#[tokio::test]
async fn a_discharge_date_that_does_not_read_or_lies_ahead_is_reshown_on_the_patient_page_with_the_date_kept() {
    let app = spawn_app().await;
    let (token, id) = patient(&app).await;
    let client = app.signed_in(THERAPIST_A).await;
    let page = format!("/patients/{id}");
    let action = format!("/patients/{id}/discharge");

    for (typed, message) in
        [("next Tuesday", "Enter a date as YYYY-MM-DD"), ("2999-01-01", "This date is in the future.")]
    {
        let fields = [("version", "1"), ("status", "discharged"), ("discharged_on", typed)];
        let refused = boosted(&app, &client, &page, &action, &fields).await;
        assert_eq!(refused.status(), 422, "{typed}");
        let html = assert_reshown_at(&app, &client, refused, &page).await;
        let field = html.split("id=\"discharged_on\"").nth(1).unwrap_or_default();
        assert!(field.contains(&format!("value=\"{typed}\"")), "the date as typed is kept:\n{html}");
        let error = html.split("id=\"discharged_on-error\"").nth(1).unwrap_or_default();
        assert!(error.starts_with(&format!(">{message}")), "the message beside the field:\n{html}");
        assert_eq!(html.matches(typed).count(), 1, "the message never quotes what was typed");
        assert_eq!(status_of(&app, &token, &id).await["status"], "active", "nothing was saved");
    }

    let done = boosted(&app, &client, &page, &action, &[("version", "1"), ("discharged_on", "2026-01-05")]).await;
    assert_eq!(done.status(), 303);
    let p = status_of(&app, &token, &id).await;
    assert_eq!((p["status"].as_str(), p["discharged_on"].as_str()), (Some("discharged"), Some("2026-01-05")));
}

#[tokio::test]
async fn a_stale_discharge_is_refused_with_409_on_the_patient_page_and_saves_nothing() {
    let app = spawn_app().await;
    let (token, id) = patient(&app).await;
    let (status, _) = app
        .api(Method::PATCH, &format!("/api/v1/patients/{id}"), &token, Some(json!({"version": 1, "phone": "0123"})))
        .await;
    assert_eq!(status, 200);
    let client = app.signed_in(THERAPIST_A).await;
    let page = format!("/patients/{id}");
    let fields = [("version", "1"), ("status", "discharged"), ("discharged_on", "2026-01-05")];
    let refused = boosted(&app, &client, &page, &format!("/patients/{id}/discharge"), &fields).await;
    assert_eq!(refused.status(), 409);
    let html = assert_reshown_at(&app, &client, refused, &page).await;
    assert!(html.contains("changed by someone else"), "{html}");
    assert!(html.contains("value=\"2026-01-05\""), "the date as typed is kept:\n{html}");
    assert_eq!(status_of(&app, &token, &id).await["status"], "active");
}

#[tokio::test]
async fn the_api_names_discharged_on_when_it_is_not_a_past_date_or_comes_without_the_status() {
    let app = spawn_app().await;
    let (token, id) = patient(&app).await;
    let path = format!("/api/v1/patients/{id}");
    for body in [
        json!({"version": 1, "status": "discharged", "discharged_on": 20260105}),
        json!({"version": 1, "status": "discharged", "discharged_on": "2999-01-01"}),
        json!({"version": 1, "status": "discharged", "discharged_on": "soon"}),
        json!({"version": 1, "discharged_on": "2026-01-05"}),
    ] {
        let (status, error) = app.api(Method::PATCH, &path, &token, Some(body.clone())).await;
        assert_eq!(status, 422, "{body}: {error}");
        assert!(error["error"]["fields"]["discharged_on"].is_array(), "{body}: {error}");
    }
    assert_eq!(status_of(&app, &token, &id).await["status"], "active");
}

#[tokio::test]
async fn a_reassignment_to_someone_not_of_the_clinic_is_reshown_on_the_caseload_beside_the_row() {
    let app = spawn_app().await;
    let (_, id) = patient(&app).await;
    let other = app.token(THERAPIST_B).await;
    let (_, me) = app.api(Method::GET, "/api/v1/me", &other, None).await;
    let outsider = me["id"].as_str().unwrap_or_default().to_owned();
    let lead = app.signed_in(LEAD_A).await;
    let page = "/caseload?sort=name";

    for therapist in [outsider.as_str(), "someone"] {
        let fields = [("patient_id", id.as_str()), ("therapist_id", therapist), ("back", "sort=name&page=1")];
        let refused = boosted(&app, &lead, page, "/caseload/reassign", &fields).await;
        assert_eq!(refused.status(), 422, "{therapist}");
        let shown = refused.headers().get("hx-push-url").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        assert!(shown.starts_with("/caseload?") && shown.contains("sort=name"), "the page it was on: {shown}");
        let html = assert_reshown_at(&app, &lead, refused, &shown).await;
        let row = html.split(&format!("value=\"{id}\"")).nth(1).unwrap_or_default();
        let row = row.split("</tr>").next().unwrap_or_default();
        assert!(row.contains("aria-invalid=\"true\""), "the row's choice is marked:\n{row}");
        assert!(row.contains("Choose a therapist of this clinic."), "the message beside it:\n{row}");
    }
    let token = app.token(THERAPIST_A).await;
    let (_, me) = app.api(Method::GET, "/api/v1/me", &token, None).await;
    assert_eq!(status_of(&app, &token, &id).await["therapist_id"], me["id"], "nothing was saved");
}

#[tokio::test]
async fn an_item_dose_that_does_not_read_is_reshown_on_the_plan_page_with_what_was_typed() {
    let app = spawn_app().await;
    let (token, patient) = patient(&app).await;
    let (_, plan) = app
        .api(Method::POST, &format!("/api/v1/patients/{patient}/plans"), &token, Some(json!({"title": "Left L5"})))
        .await;
    let (id, stage) = (plan["id"].as_str().unwrap_or_default(), plan["stages"][0]["id"].as_str().unwrap_or_default());
    let (_, library) = app.api(Method::GET, "/api/v1/modalities?q=bridge", &token, None).await;
    let body = json!({"modality_id": library[0]["id"]});
    let (status, item) =
        app.plan_api(Method::POST, &format!("/api/v1/plans/{id}/stages/{stage}/items"), &token, Some(body)).await;
    assert_eq!(status, 201, "{item}");
    let item = item["id"].as_str().unwrap_or_default();
    let client = app.signed_in(THERAPIST_A).await;
    let page = format!("/plans/{id}");
    let fields = [("sets", "three"), ("reps", "10"), ("clinician_notes", "watch the knee")];
    let refused = boosted(&app, &client, &page, &format!("/plans/{id}/items/{item}/update"), &fields).await;
    assert_eq!(refused.status(), 422);
    let html = assert_reshown_at(&app, &client, refused, &page).await;
    let kept = html.split("form class=\"inline kept\"").nth(1).unwrap_or_default();
    assert!(
        kept.contains("value=\"three\"") && kept.contains("value=\"watch the knee\""),
        "typed values kept:\n{html}"
    );
    assert!(kept.contains("sets must be a whole number"), "the message beside the field:\n{kept}");
}

#[tokio::test]
async fn a_new_plan_with_a_protocol_that_is_not_listed_is_reshown_on_the_new_plan_page() {
    let app = spawn_app().await;
    let (_, patient) = patient(&app).await;
    let client = app.signed_in(THERAPIST_A).await;
    let page = format!("/patients/{patient}/plans/new");
    let fields = [("title", "Back to running"), ("protocol_id", "the usual")];
    let refused = boosted(&app, &client, &page, &format!("/patients/{patient}/plans"), &fields).await;
    assert_eq!(refused.status(), 422);
    let html = assert_reshown_at(&app, &client, refused, &page).await;
    assert!(html.contains("Choose one of the listed protocols.") && html.contains("Back to running"), "{html}");
}
