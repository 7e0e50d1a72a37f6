//! Clinical corrections through the API: the SLR `positive` answer is kept, the fracture
//! flag's wording, and the history code for long-term corticosteroids.

use crate::helpers::{patient_json, screened, spawn_app, THERAPIST_A};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn positive_on_an_slr_finding_is_kept_as_slr_positive_and_refused_on_other_findings() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let (_, p) = app.api(Method::POST, "/api/v1/patients", &token, Some(patient_json("Ada", "Byron"))).await;
    let path = format!("/api/v1/patients/{}/assessments", p["id"].as_str().unwrap_or_default());
    let body = |findings| json!({"kind": "initial", "assessed_on": "2026-10-01", "findings": screened(findings)});

    let (created, a) = app
        .api(
            Method::POST,
            &path,
            &token,
            Some(body(json!([{"code": "slr", "side": "left", "value": 40, "positive": true}]))),
        )
        .await;
    let (refused, error) = app
        .api(
            Method::POST,
            &path,
            &token,
            Some(body(json!([{"code": "nprs_now", "value": 3}, {"code": "slump", "side": "left", "value": true, "positive": true}]))),
        )
        .await;

    assert_eq!(created, 201, "{a}");
    let findings = a["content"]["findings"].as_array().cloned().unwrap_or_default();
    assert!(findings.iter().any(|f| f["code"] == "slr" && f["side"] == "left" && f["value"] == 40), "{a}");
    assert!(findings.iter().any(|f| f["code"] == "slr_positive" && f["side"] == "left" && f["value"] == true), "{a}");
    assert_eq!(refused, 422);
    let message = error["error"]["fields"]["findings[1]"][0].as_str().unwrap_or_default();
    assert!(message.contains("positive"), "{error}");
}

#[tokio::test]
async fn long_term_corticosteroids_is_a_history_code_and_the_fracture_flag_names_minor_trauma() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let mut body = patient_json("Edith", "Clarke");
    body["history"] = json!(["corticosteroids_long_term"]);
    let (created, p) = app.api(Method::POST, "/api/v1/patients", &token, Some(body)).await;
    let client = app.signed_in(THERAPIST_A).await;
    let (_, form) =
        app.page(&client, &format!("/patients/{}/assessments/new", p["id"].as_str().unwrap_or_default())).await;

    assert_eq!(created, 201, "{p}");
    assert_eq!(p["history"], json!(["corticosteroids_long_term"]));
    assert!(form.contains("Minor trauma with osteoporosis or long-term corticosteroid use"), "{form}");
}
