//! The same set of hostile values through every JSON body field, query parameter and form
//! field: always a 4xx (control characters a 422 naming the field), never a 500, on SQLite
//! and (with TEST_DATABASE_URL) PostgreSQL.

use crate::helpers::{spawn_app, TestApp, LEAD_A, THERAPIST_A};
use reqwest::Method;
use serde_json::{json, Value};

/// Values that have broken databases or parsers before.
fn hostile() -> Vec<Value> {
    vec![
        json!("\u{0}"),
        json!("Ada\u{0}Lovelace"),
        json!("\u{1b}[31mred"),
        json!("bell\u{7}"),
        json!("del\u{7f}"),
        json!("-5000-01-01"),
        json!("+275760-09-13"),
        json!("0000-01-01"),
        json!("10000-01-01"),
        json!("1899-12-31"),
        json!(9_223_372_036_854_775_807_i64),
        json!(-9_223_372_036_854_775_807_i64),
        json!(1e308),
        json!(-1),
        json!(""),
        json!(null),
        json!([["nested"], {"a": "\u{0}"}]),
        json!({"a": 1}),
        json!("x".repeat(5000)),
        json!("%_\\'\"; DROP TABLE patients; --"),
    ]
}

/// Strings that must be refused as control characters wherever text comes in.
const CONTROL: [&str; 4] = ["\u{0}", "Ada\u{0}Lovelace", "\u{1b}[31mred", "del\u{7f}"];

async fn send(app: &TestApp, token: &str, method: &Method, path: &str, body: &Value) -> (u16, Value) {
    app.api(method.clone(), path, token, Some(body.clone())).await
}

/// Every top-level field of `valid`, replaced by every hostile value in turn.
async fn fuzz_body(app: &TestApp, token: &str, method: Method, path: &str, valid: Value) {
    let fields: Vec<String> = valid.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
    for field in &fields {
        for value in hostile() {
            let mut body = valid.clone();
            body[field] = value.clone();
            let (status, answer) = send(app, token, &method, path, &body).await;
            assert!(status < 500, "{method} {path} {field}={value}: {status} {answer}");
            if value.as_str().is_some_and(|s| CONTROL.contains(&s)) {
                assert_eq!(status, 422, "{method} {path} {field}={value}: {answer}");
                assert!(answer["error"]["fields"][field].is_array(), "{field} named: {answer}");
            }
        }
    }
    // A control character deep inside the body is named by its path.
    let mut nested = valid.clone();
    nested["history"] = json!(["diabetes", "x\u{0}"]);
    let (status, answer) = send(app, token, &method, path, &nested).await;
    assert_eq!(status, 422, "{path}: {answer}");
}

/// Every parameter of `query`, replaced by every hostile text in turn.
async fn fuzz_query(app: &TestApp, client: &reqwest::Client, token: Option<&str>, path: &str, params: &[&str]) {
    let texts: Vec<String> = hostile().iter().filter_map(|v| v.as_str().map(str::to_owned)).collect();
    let extremes = ["9223372036854775807", "99999999999999999999", "-1", "0", "1000001"];
    for param in params {
        for text in texts.iter().map(String::as_str).chain(extremes) {
            let query = serde_html_form::to_string([(*param, text)]).unwrap_or_default();
            let mut request = client.get(app.url(&format!("{path}?{query}")));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.unwrap_or_else(|e| panic!("{e}"));
            let status = response.status().as_u16();
            assert!(status < 500, "GET {path}?{param}={text:?}: {status}");
            if CONTROL.contains(&text) {
                assert_eq!(status, 422, "GET {path}?{param}={text:?}");
                if token.is_some() {
                    let body: Value = response.json().await.unwrap_or_default();
                    assert!(body["error"]["fields"][param].is_array(), "{param} named: {body}");
                }
            }
        }
    }
}

#[tokio::test]
async fn hostile_values_in_every_api_field_and_query_answer_4xx_never_500() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let lead = app.token(LEAD_A).await;
    let patient = app.create_patient(&token, "Ada", "Lovelace").await;
    let p = patient["id"].as_str().unwrap_or_default().to_owned();
    let (_, plan) =
        app.api(Method::POST, &format!("/api/v1/patients/{p}/plans"), &token, Some(json!({"title": "Plan"}))).await;
    let plan_id = plan["id"].as_str().unwrap_or_default().to_owned();
    let stage = plan["stages"][0]["id"].as_str().unwrap_or_default().to_owned();
    let (_, items) = app.api(Method::GET, "/api/v1/modalities?q=bridge", &lead, None).await;
    let bridge = items[0]["id"].as_str().unwrap_or_default().to_owned();
    let mut definition = items[0]["definition"].clone();
    definition["code"] = json!("clinic_fuzz");

    fuzz_body(&app, &token, Method::POST, "/api/v1/patients", crate::helpers::patient_json("Ada", "Lovelace")).await;
    let patch = json!({"version": patient["version"], "phone": "0123", "date_of_birth": "1975-03-14",
                       "status": "discharged", "discharged_on": "2026-11-01"});
    fuzz_body(&app, &token, Method::PATCH, &format!("/api/v1/patients/{p}"), patch).await;
    let assessment = json!({"kind": "initial", "assessed_on": "2026-10-01",
                            "findings": [{"code": "nprs_now", "value": 4}], "odi": {"lifting": 3}});
    fuzz_body(&app, &token, Method::POST, &format!("/api/v1/patients/{p}/assessments"), assessment).await;
    fuzz_body(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/patients/{p}/plans"),
        json!({"title": "Plan", "protocol_id": null}),
    )
    .await;
    let item = json!({"modality_id": bridge, "dosage": {"sets": 3, "reps": 10}, "side": "left", "clinician_notes": "n", "version": plan["version"]});
    fuzz_body(&app, &token, Method::POST, &format!("/api/v1/plans/{plan_id}/stages/{stage}/items"), item).await;
    let goal = json!({"measure": "nprs_worst", "comparator": "le", "target": 3.0, "due": "2027-01-01", "version": plan["version"]});
    fuzz_body(&app, &token, Method::POST, &format!("/api/v1/plans/{plan_id}/goals"), goal).await;
    fuzz_body(&app, &lead, Method::POST, "/api/v1/modalities", definition).await;
    let login = json!({"email": "nobody@a.example", "password": "wrong password here"});
    for value in CONTROL {
        for field in ["email", "password"] {
            let mut body = login.clone();
            body[field] = json!(value);
            let (status, answer) = send(&app, "", &Method::POST, "/api/v1/auth/token", &body).await;
            assert_eq!(status, 422, "{field}: {answer}");
        }
    }

    let http = reqwest::Client::new();
    fuzz_query(&app, &http, Some(&token), "/api/v1/patients", &["q", "page", "status"]).await;
    fuzz_query(&app, &http, Some(&lead), "/api/v1/caseload", &["therapist_id", "flag", "stage", "sort", "page"]).await;
    fuzz_query(&app, &http, Some(&token), "/api/v1/modalities", &["q", "category", "stage"]).await;
}

#[tokio::test]
async fn hostile_values_in_html_forms_and_filters_answer_4xx_never_500() {
    let app = spawn_app().await;
    let browser = app.signed_in(LEAD_A).await;
    let token = app.token(THERAPIST_A).await;
    let patient = app.create_patient(&token, "Ada", "Lovelace").await;
    let p = patient["id"].as_str().unwrap_or_default().to_owned();
    let valid = [
        ("given_name", "Ada"),
        ("family_name", "Lovelace"),
        ("date_of_birth", "1975-03-14"),
        ("condition", "Low back pain"),
        ("side", "left"),
    ];
    let texts: Vec<String> = hostile().iter().filter_map(|v| v.as_str().map(str::to_owned)).collect();
    for (field, _) in valid {
        for text in &texts {
            let fields: Vec<(&str, &str)> =
                valid.iter().map(|(k, v)| if *k == field { (*k, text.as_str()) } else { (*k, *v) }).collect();
            let (status, body) = app.post_form(&browser, "/patients/new", "/patients", &fields).await;
            assert!(status < 500, "{field}={text:?}: {status}");
            if CONTROL.contains(&text.as_str()) {
                assert_eq!(status, 422, "{field}={text:?}: {body}");
            }
        }
    }
    for date in ["-5000-01-01", "+275760-09-13", "0000-01-01", "10000-01-01"] {
        let (status, _) = app
            .post_form(
                &browser,
                &format!("/patients/{p}"),
                &format!("/patients/{p}/discharge"),
                &[("version", "1"), ("discharged_on", date)],
            )
            .await;
        assert!((400..500).contains(&status), "discharged_on={date}: {status}");
    }
    let pages = ["/patients", "/audit", "/audit.csv", "/caseload", "/caseload.csv", "/library"];
    let params = ["q", "page", "from", "until", "patient_id", "actor_id", "action", "therapist_id", "flag", "sort"];
    for path in pages {
        fuzz_query(&app, &browser, None, path, &params).await;
    }
}
