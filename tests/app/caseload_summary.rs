//! The caseload summary: right after every kind of write, time-based flags by date, and
//! patient search through the trigram index.

use crate::helpers::{patient_json, spawn_app, TestApp, LEAD_A, THERAPIST_A, THERAPIST_B};
use chrono::{Duration, Utc};
use reqwest::Method;
use serde_json::{json, Value};

fn days_ago(n: i64) -> String {
    (Utc::now().date_naive() - Duration::days(n)).to_string()
}

/// The patient's row in the lead's caseload (the clinic is small: one page).
async fn row(app: &TestApp, lead: &str, id: &str) -> Value {
    let (status, c) = app.api(Method::GET, "/api/v1/caseload", lead, None).await;
    assert_eq!(status, 200, "{c}");
    c["patients"].as_array().and_then(|ps| ps.iter().find(|p| p["id"] == id)).cloned().unwrap_or(Value::Null)
}

fn flags(row: &Value) -> Vec<String> {
    row["flags"]
        .as_array()
        .map(|f| f.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

async fn plan_version(app: &TestApp, token: &str, plan: &str) -> i64 {
    app.api(Method::GET, &format!("/api/v1/plans/{plan}"), token, None).await.1["version"].as_i64().unwrap_or_default()
}

#[tokio::test]
async fn the_caseload_is_right_after_every_kind_of_write() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let lead = app.token(LEAD_A).await;
    let p = app.create_patient(&token, "Sum", "Mary").await["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(flags(&row(&app, &lead, &p).await), vec!["no_baseline_outcome"], "a new patient has no baseline");

    // Assessment signed: baseline recorded, last assessed set.
    app.sign_screen(&token, &p, &days_ago(10), json!([{"code": "nprs_worst", "value": 8}])).await;
    let r = row(&app, &lead, &p).await;
    assert_eq!(flags(&r), Vec::<String>::new(), "{r}");
    assert_eq!(r["last_assessed_on"], days_ago(10));
    assert_eq!(r["stage"], Value::Null);

    // Plan created, activated, advanced: the stage follows.
    let (_, plan) =
        app.api(Method::POST, &format!("/api/v1/patients/{p}/plans"), &token, Some(json!({"title": "Back"}))).await;
    let plan = plan["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(row(&app, &lead, &p).await["stage"], Value::Null, "a draft plan is no active stage");
    let (activated, body) = app.api(Method::POST, &format!("/api/v1/plans/{plan}/activate"), &token, None).await;
    assert_eq!(activated, 200, "{body}");
    assert_eq!(row(&app, &lead, &p).await["stage"], 1);
    let version = plan_version(&app, &token, &plan).await;
    let (advanced, body) = app
        .api(
            Method::POST,
            &format!("/api/v1/plans/{plan}/advance"),
            &token,
            Some(json!({"version": version, "reason": ""})),
        )
        .await;
    assert_eq!(advanced, 200, "{body}");
    assert_eq!(row(&app, &lead, &p).await["stage"], 2);

    // Red flag recorded, then actioned.
    let body = json!({"kind": "reassessment", "assessed_on": days_ago(1),
        "findings": [{"code": "nprs_worst", "value": 7}, {"code": "rf_saddle_anaesthesia", "value": "positive"}]});
    let (_, a) = app.api(Method::POST, &format!("/api/v1/patients/{p}/assessments"), &token, Some(body)).await;
    let a = a["id"].as_str().unwrap_or_default().to_owned();
    app.api(Method::POST, &format!("/api/v1/assessments/{a}/sign"), &token, None).await;
    assert_eq!(flags(&row(&app, &lead, &p).await), vec!["red_flag_unresolved"]);
    let action = json!({"flag": "rf_saddle_anaesthesia", "kind": "emergency_referral",
        "action": "Sent to the emergency department by ambulance after a call to the on-call surgeon."});
    let (acted, body) =
        app.api(Method::POST, &format!("/api/v1/assessments/{a}/red-flag-actions"), &token, Some(action)).await;
    assert!(acted == 200 || acted == 201, "{acted} {body}");
    let r = row(&app, &lead, &p).await;
    assert_eq!(flags(&r), Vec::<String>::new(), "{r}");
    assert_eq!(r["last_assessed_on"], days_ago(1));

    // Reassignment.
    let (_, me) = app.api(Method::GET, "/api/v1/me", &lead, None).await;
    let browser = app.signed_in(LEAD_A).await;
    let (moved, _) = app
        .post_form(
            &browser,
            "/caseload",
            "/caseload/reassign",
            &[("patient_id", &p), ("therapist_id", me["id"].as_str().unwrap_or_default())],
        )
        .await;
    assert_eq!(moved, 303);
    assert_eq!(row(&app, &lead, &p).await["therapist_id"], me["id"]);

    // Discharge without a follow-up outcome of the episode... it has two (8, then 7).
    let (_, current) = app.api(Method::GET, &format!("/api/v1/patients/{p}"), &lead, None).await;
    let discharge = json!({"version": current["version"], "status": "discharged", "discharged_on": days_ago(0)});
    let (status, body) = app.api(Method::PATCH, &format!("/api/v1/patients/{p}"), &lead, Some(discharge)).await;
    assert_eq!(status, 200, "{body}");
    let r = row(&app, &lead, &p).await;
    assert_eq!(r["status"], "discharged", "{r}");
    assert!(!flags(&r).contains(&"reassessment_overdue".to_owned()));
}

#[tokio::test]
async fn reassessment_overdue_fires_the_day_after_the_interval_in_flags_filter_and_counts() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let lead = app.token(LEAD_A).await;
    let mut ids = Vec::new();
    for (family, days) in [("Ontime", 28), ("Late", 29)] {
        let id = app.create_patient(&token, "Due", family).await["id"].as_str().unwrap_or_default().to_owned();
        app.sign_screen(&token, &id, &days_ago(days), json!([{"code": "nprs_worst", "value": 6}])).await;
        ids.push(id);
    }

    let (_, all) = app.api(Method::GET, "/api/v1/caseload", &lead, None).await;
    let (_, overdue) = app.api(Method::GET, "/api/v1/caseload?flag=reassessment_overdue", &lead, None).await;

    assert_eq!(flags(&row(&app, &lead, &ids[0]).await), Vec::<String>::new(), "exactly four weeks is on time");
    assert_eq!(flags(&row(&app, &lead, &ids[1]).await), vec!["reassessment_overdue"]);
    assert_eq!(overdue["total"], 1, "{overdue}");
    assert_eq!(overdue["patients"][0]["id"], ids[1]);
    let counted: i64 = all["therapists"]
        .as_array()
        .map(|t| t.iter().filter_map(|x| x["flags"]["reassessment_overdue"].as_i64()).sum())
        .unwrap_or_default();
    assert_eq!(counted, 1, "{all}");
}

#[tokio::test]
async fn the_caseload_pages_and_sorts_from_the_summary() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let lead = app.token(LEAD_A).await;
    for i in 0..30 {
        app.create_patient(&token, "Page", &format!("Family{i:02}")).await;
    }
    let (_, first) = app.api(Method::GET, "/api/v1/caseload", &lead, None).await;
    let (_, second) = app.api(Method::GET, "/api/v1/caseload?page=2", &lead, None).await;
    let (_, by_flags) = app.api(Method::GET, "/api/v1/caseload?sort=flags&stage=0", &lead, None).await;

    assert_eq!(first["total"], 30);
    assert_eq!(first["patients"].as_array().map(Vec::len), Some(25));
    assert_eq!(first["patients"][0]["family_name"], "Family00");
    assert_eq!(second["patients"].as_array().map(Vec::len), Some(5));
    assert_eq!(second["patients"][0]["family_name"], "Family25");
    assert_eq!(by_flags["total"], 30);
    assert_eq!(first["stages"]["none"], 30);
}

async fn searched(app: &TestApp, token: &str, q: &str) -> Vec<String> {
    let (status, list) = app.api(Method::GET, &format!("/api/v1/patients?q={q}"), token, None).await;
    assert_eq!(status, 200, "{list}");
    list["items"]
        .as_array()
        .map(|i| i.iter().filter_map(|p| p["family_name"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn search_finds_a_substring_of_the_name_or_phone_and_a_date_of_birth_but_never_another_clinic() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let other = app.token(THERAPIST_B).await;
    for (given, family, born, phone) in [
        ("Ada", "Lovelace", "1975-03-14", "020 7946 0018"),
        ("Grace", "Hopper", "1981-12-09", "+1 (555) 010-2288"),
        ("Alan", "Turing", "1954-06-07", "0161 496 0000"),
    ] {
        let mut body = patient_json(given, family);
        body["date_of_birth"] = json!(born);
        body["phone"] = json!(phone);
        let (status, p) = app.api(Method::POST, "/api/v1/patients", &token, Some(body)).await;
        assert_eq!(status, 201, "{p}");
    }
    let mut theirs = patient_json("Ada", "Lovelock");
    theirs["phone"] = json!("020 7946 0018");
    app.api(Method::POST, "/api/v1/patients", &other, Some(theirs)).await;

    assert_eq!(searched(&app, &token, "velac").await, vec!["Lovelace"], "inside the family name");
    assert_eq!(searched(&app, &token, "ACE%20HOP").await, vec!["Hopper"], "across given and family name");
    assert_eq!(searched(&app, &token, "7946%20001").await, vec!["Lovelace"], "part of the phone, spaces ignored");
    assert_eq!(searched(&app, &token, "5550102").await, vec!["Hopper"], "phone digits across punctuation");
    assert_eq!(searched(&app, &token, "1954-06-07").await, vec!["Turing"], "a date of birth");
    assert_eq!(searched(&app, &token, "09%2F12%2F1981").await, vec!["Hopper"], "a date typed day first");
    assert_eq!(searched(&app, &token, "Tu").await, vec!["Turing"], "a short query is a family-name prefix");
    assert_eq!(searched(&app, &token, "ring").await, vec!["Turing"]);
    assert_eq!(searched(&app, &token, "Lovelock").await, Vec::<String>::new(), "another clinic's patient");
    assert_eq!(searched(&app, &other, "love").await, vec!["Lovelock"], "and the other clinic sees only its own");

    // Renaming re-indexes the patient in the same transaction.
    let (_, list) = app.api(Method::GET, "/api/v1/patients?q=turing", &token, None).await;
    let id = list["items"][0]["id"].as_str().unwrap_or_default().to_owned();
    let (status, body) = app
        .api(
            Method::PATCH,
            &format!("/api/v1/patients/{id}"),
            &token,
            Some(json!({"version": 1, "family_name": "Church"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(searched(&app, &token, "turing").await, Vec::<String>::new());
    assert_eq!(searched(&app, &token, "hurc").await, vec!["Church"]);
}
