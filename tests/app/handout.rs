//! The printed handout over HTTP: content, versions, audit, clinic walls.

use crate::helpers::{patient_json, spawn_app, TestApp, THERAPIST_A, THERAPIST_B};
use reqwest::Method;
use serde_json::{json, Value};

/// An active plan with a home exercise (with a clinician note) and a clinic item.
pub async fn active_plan(app: &TestApp, token: &str) -> (String, String) {
    let (_, p) = app.api(Method::POST, "/api/v1/patients", token, Some(patient_json("Iris", "Penhallow"))).await;
    let patient = p["id"].as_str().unwrap_or_default().to_owned();
    app.sign_screen(token, &patient, "2026-10-20", json!([])).await;
    let (_, plan) = app
        .api(
            Method::POST,
            &format!("/api/v1/patients/{patient}/plans"),
            token,
            Some(json!({"title": "Left S1 sciatica"})),
        )
        .await;
    let id = plan["id"].as_str().unwrap_or_default().to_owned();
    let (_, library) = app.api(Method::GET, "/api/v1/modalities", token, None).await;
    let find = |code: &str| {
        library
            .as_array()
            .and_then(|a| a.iter().find(|i| i["code"] == code))
            .map(|i| i["id"].clone())
            .unwrap_or(Value::Null)
    };
    let stage =
        |n: usize| format!("/api/v1/plans/{id}/stages/{}/items", plan["stages"][n]["id"].as_str().unwrap_or_default());
    for (n, body) in [
        (
            0,
            json!({"modality_id": find("sciatic_nerve_slider"), "dosage": {"sets": 2, "reps": 12, "per_day": 3}, "side": "left", "clinician_notes": "CLINICIAN-ONLY-NOTE watch for foot drop"}),
        ),
        (0, json!({"modality_id": find("lumbar_pa_mobilisation")})),
        (0, json!({"modality_id": find("knee_to_chest_stretch")})),
        (1, json!({"modality_id": find("hamstring_stretch")})),
    ] {
        let (status, item) = app.plan_api(Method::POST, &stage(n), token, Some(body)).await;
        assert_eq!(status, 201, "{item}");
    }
    app.plan_api(
        Method::POST,
        &format!("/api/v1/plans/{id}/goals"),
        token,
        Some(json!({"measure": "nprs_worst", "comparator": "le", "target": 3, "due": "2027-01-15"})),
    )
    .await;
    let (status, _) = app.api(Method::POST, &format!("/api/v1/plans/{id}/activate"), token, None).await;
    assert_eq!(status, 200);
    (id, patient)
}

#[tokio::test]
async fn the_handout_shows_the_current_stage_in_plain_words_and_nothing_clinician_only() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let (plan, _) = active_plan(&app, &token).await;
    let client = app.signed_in(THERAPIST_A).await;

    let (status, html) = app.page(&client, &format!("/plans/{plan}/print")).await;

    assert_eq!(status, 200);
    for text in [
        "Iris Penhallow",
        "Clinic A",
        "Plan version",
        "Stage 1 of 4",
        "Sciatic nerve slider",
        "2 sets of 12, 3 times a day",
        "Left side",
        "Pain rule:",
        "What we will do at the clinic",
        "Lumbar postero-anterior mobilisation",
        "When you move on",
        "Your worst pain is 3 out of 10 or less",
        "Get urgent medical help now if:",
        "numb around your genitals",
        "My exercise diary",
    ] {
        assert!(html.contains(text), "missing '{text}'");
    }
    assert!(!html.contains("CLINICIAN-ONLY-NOTE"), "clinician notes are never printed");
    assert!(!html.contains("Hamstring stretch"), "only the current stage is printed");
    let visible = html.replace("/illustrations/sciatic_nerve_slider.svg", "");
    assert!(!visible.contains("sciatic_nerve_slider"), "no internal codes (but the picture's address)");
    assert!(!html.contains("class=\"topbar\""), "no navigation chrome");
    assert_eq!(app.audit_events("plan.print").len(), 1, "every print is audited");
}

#[tokio::test]
async fn an_earlier_version_can_still_be_printed_after_an_amendment() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let (plan, _) = active_plan(&app, &token).await;
    app.api(
        Method::POST,
        &format!("/api/v1/plans/{plan}/amend"),
        &token,
        Some(json!({"reason": "Drop the knee-to-chest stretch"})),
    )
    .await;
    let (_, current) = app.api(Method::GET, &format!("/api/v1/plans/{plan}"), &token, None).await;
    let item = current["stages"][0]["items"][2]["id"].as_str().unwrap_or_default().to_owned();
    let based_on = json!({"version": current["version"]});
    app.api(Method::DELETE, &format!("/api/v1/plans/{plan}/items/{item}"), &token, Some(based_on)).await;
    app.api(Method::POST, &format!("/api/v1/plans/{plan}/activate"), &token, None).await;
    let client = app.signed_in(THERAPIST_A).await;

    let (_, latest) = app.page(&client, &format!("/plans/{plan}/print")).await;
    let (_, first) = app.page(&client, &format!("/plans/{plan}/print?version=1")).await;
    let (missing, _) = app.page(&client, &format!("/plans/{plan}/print?version=9")).await;

    assert!(
        latest.contains("<dd>2</dd>") && !latest.contains("Knee-to-chest"),
        "version 2 has no knee-to-chest stretch"
    );
    assert!(first.contains("<dd>1</dd>") && first.contains("Knee-to-chest stretch"), "version 1 is reproduced");
    assert_eq!(missing, 404);
}

#[tokio::test]
async fn a_plan_that_was_never_activated_has_no_handout_and_another_clinic_gets_404() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let (_, p) = app.api(Method::POST, "/api/v1/patients", &token, Some(patient_json("Ned", "Draft"))).await;
    let (_, plan) = app
        .api(
            Method::POST,
            &format!("/api/v1/patients/{}/plans", p["id"].as_str().unwrap_or_default()),
            &token,
            Some(json!({"title": "Draft"})),
        )
        .await;
    let (active, _) = active_plan(&app, &token).await;
    let client = app.signed_in(THERAPIST_A).await;
    let other = app.signed_in(THERAPIST_B).await;

    let (draft, html) = app.page(&client, &format!("/plans/{}/print", plan["id"].as_str().unwrap_or_default())).await;
    let (walled, _) = app.page(&other, &format!("/plans/{active}/print")).await;

    assert_eq!(draft, 409);
    assert!(html.contains("not been activated"));
    assert_eq!(walled, 404);
}

#[tokio::test]
async fn a_plan_exports_as_a_fhir_bundle_without_clinician_notes() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let (plan, patient) = active_plan(&app, &token).await;
    let (_, a) = app
        .api(Method::POST, &format!("/api/v1/patients/{patient}/assessments"), &token, Some(json!({"kind": "initial", "assessed_on": "2026-11-01", "findings": crate::helpers::screened(json!([{"code": "nprs_worst", "value": 7}])),
            "odi": {"pain_intensity": 3, "personal_care": 2, "lifting": 4, "walking": 2, "sitting": 3, "standing": 2, "sleeping": 1, "sex_life": 1, "social_life": 2, "travelling": 2}})))
        .await;
    app.api(Method::POST, &format!("/api/v1/assessments/{}/sign", a["id"].as_str().unwrap_or_default()), &token, None)
        .await;

    let response = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/plans/{plan}/fhir")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/fhir+json");
    let text = response.text().await.unwrap_or_default();
    assert!(!text.contains("CLINICIAN-ONLY-NOTE"));
    let bundle: Value = serde_json::from_str(&text).unwrap_or_default();
    assert_eq!(bundle["resourceType"], "Bundle");
    let types: Vec<&str> = bundle["entry"]
        .as_array()
        .map(|e| e.iter().filter_map(|x| x["resource"]["resourceType"].as_str()).collect())
        .unwrap_or_default();
    for t in ["Patient", "Condition", "CarePlan", "Goal", "Observation", "QuestionnaireResponse"] {
        assert!(types.contains(&t), "{t} missing from {types:?}");
    }
    assert!(text.contains("72514-3"), "NPRS carries its LOINC code");
    assert!(text.contains("97909-6"), "the ODI score is an Observation with its LOINC code");

    let (status, transaction) =
        app.api(Method::GET, &format!("/api/v1/plans/{plan}/fhir?type=transaction"), &token, None).await;
    assert_eq!(status, 200);
    assert_eq!(transaction["type"], "transaction");
    let entries = transaction["entry"].as_array().cloned().unwrap_or_default();
    assert_eq!(entries.len(), types.len());
    let patient_entry = entries.iter().find(|e| e["resource"]["resourceType"] == "Patient");
    assert_eq!(
        patient_entry.map(|e| e["request"].clone()),
        Some(json!({"method": "PUT", "url": format!("Patient/{patient}")}))
    );
    let (status, error) = app.api(Method::GET, &format!("/api/v1/plans/{plan}/fhir?type=document"), &token, None).await;
    assert_eq!((status, error["error"]["fields"]["type"].is_array()), (422, true));
}
