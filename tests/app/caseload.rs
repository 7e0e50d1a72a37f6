//! The caseload review: flags on one page, filters, CSV, reassignment, clinic walls.

use crate::helpers::{patient_json, spawn_app, TestApp, LEAD_A, THERAPIST_A, THERAPIST_B};
use chrono::{Duration, Utc};
use reqwest::Method;
use serde_json::{json, Value};

fn days_ago(n: i64) -> String {
    (Utc::now().date_naive() - Duration::days(n)).to_string()
}

async fn patient(app: &TestApp, token: &str, family: &str) -> String {
    let (_, p) = app.api(Method::POST, "/api/v1/patients", token, Some(patient_json("Case", family))).await;
    p["id"].as_str().unwrap_or_default().to_owned()
}

async fn assess(app: &TestApp, token: &str, p: &str, days: i64, nprs: i64, odi: Option<i64>, extra: Value) -> Value {
    let mut findings = vec![json!({"code": "nprs_worst", "value": nprs})];
    if let Some(more) = extra.as_array() {
        findings.extend(more.iter().cloned());
    }
    let initial = days > 20;
    let findings = if initial { crate::helpers::screened(Value::Array(findings)) } else { Value::Array(findings) };
    let mut body = json!({"kind": if initial { "initial" } else { "reassessment" }, "assessed_on": days_ago(days), "findings": findings});
    if let Some(a) = odi {
        body["odi"] = json!({"pain_intensity": a, "personal_care": a, "lifting": a, "walking": a, "sitting": a, "standing": a, "sleeping": a, "sex_life": a, "social_life": a, "travelling": a});
    }
    let (status, created) =
        app.api(Method::POST, &format!("/api/v1/patients/{p}/assessments"), token, Some(body)).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap_or_default();
    app.api(Method::POST, &format!("/api/v1/assessments/{id}/sign"), token, None).await;
    created
}

fn flags_of(caseload: &Value, id: &str) -> Vec<String> {
    caseload["patients"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["id"] == id))
        .and_then(|p| p["flags"].as_array())
        .map(|f| f.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_lead_sees_who_needs_attention_and_why_filters_exports_and_reassigns() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let lead = app.token(LEAD_A).await;
    let well = patient(&app, &token, "Well").await;
    assess(&app, &token, &well, 40, 8, Some(3), json!([])).await;
    assess(&app, &token, &well, 5, 3, Some(1), json!([])).await;
    let stuck = patient(&app, &token, "Stuck").await;
    assess(&app, &token, &stuck, 40, 8, Some(3), json!([])).await;
    assess(&app, &token, &stuck, 5, 7, Some(3), json!([])).await;
    let overdue = patient(&app, &token, "Overdue").await;
    assess(&app, &token, &overdue, 35, 6, Some(2), json!([])).await;
    let flagged = patient(&app, &token, "Flagged").await;
    assess(&app, &token, &flagged, 3, 6, Some(2), json!([{"code": "rf_saddle_anaesthesia", "value": "positive"}]))
        .await;
    let bare = patient(&app, &token, "Bare").await;

    let (status, c) = app.api(Method::GET, "/api/v1/caseload", &lead, None).await;

    assert_eq!(status, 200, "{c}");
    assert_eq!(flags_of(&c, &well), Vec::<String>::new(), "{}", c["patients"]);
    assert_eq!(flags_of(&c, &stuck), vec!["not_improving"]);
    assert_eq!(flags_of(&c, &overdue), vec!["reassessment_overdue"]);
    assert_eq!(flags_of(&c, &flagged), vec!["red_flag_unresolved"]);
    assert_eq!(flags_of(&c, &bare), vec!["no_baseline_outcome"]);
    let therapist = c["therapists"]
        .as_array()
        .and_then(|t| t.iter().find(|x| x["name"].as_str().is_some_and(|n| n.contains(THERAPIST_A))))
        .cloned()
        .unwrap_or_default();
    assert_eq!(therapist["active_patients"], 5);
    assert_eq!(therapist["flags"]["not_improving"], 1);

    let (_, only) = app.api(Method::GET, "/api/v1/caseload?flag=not_improving", &lead, None).await;
    assert_eq!(only["total"], 1);
    let (bad, error) = app.api(Method::GET, "/api/v1/caseload?flag=grumpy", &lead, None).await;
    assert_eq!(bad, 422);
    assert!(error["error"]["fields"]["flag"].is_array());

    let browser = app.signed_in(LEAD_A).await;
    let (page, html) = app.page(&browser, "/caseload?flag=red_flag_unresolved").await;
    assert_eq!(page, 200);
    assert!(html.contains("Flagged, Case") && !html.contains("Stuck, Case"), "the page filters to one flag");
    assert!(html.contains("<svg class=\"chart bars\""));
    let csv = browser.get(app.url("/caseload.csv?flag=not_improving")).send().await.unwrap_or_else(|e| panic!("{e}"));
    let text = csv.text().await.unwrap_or_default();
    assert!(text.starts_with("patient_id,family_name"));
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains("Stuck") && text.contains("not_improving"));

    let (_, me) = app.api(Method::GET, "/api/v1/me", &lead, None).await;
    let (moved, _) = app
        .post_form(
            &browser,
            "/caseload",
            "/caseload/reassign",
            &[("patient_id", &bare), ("therapist_id", me["id"].as_str().unwrap_or_default())],
        )
        .await;
    assert_eq!(moved, 303);
    let (_, after) = app.api(Method::GET, &format!("/api/v1/patients/{bare}"), &lead, None).await;
    assert_eq!(after["therapist_id"], me["id"]);
    assert_eq!(app.audit_events("patient.reassign").len(), 1);
}

#[tokio::test]
async fn another_clinic_sees_none_of_it_and_a_therapist_sees_only_their_own() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let p = patient(&app, &token, "Private").await;
    let other = app.token(THERAPIST_B).await;

    let (_, theirs) = app.api(Method::GET, "/api/v1/caseload", &other, None).await;
    let (_, mine) = app.api(Method::GET, "/api/v1/caseload", &token, None).await;
    let (reassign, _) = app.api(Method::GET, &format!("/api/v1/patients/{p}"), &other, None).await;
    let therapist_b = app.signed_in(THERAPIST_B).await;
    let (forbidden, _) = app
        .post_form(&therapist_b, "/caseload", "/caseload/reassign", &[("patient_id", &p), ("therapist_id", "x")])
        .await;

    assert_eq!(theirs["total"], 0);
    assert_eq!(mine["total"], 1);
    assert_eq!(reassign, 404);
    assert!(forbidden == 403 || forbidden == 422, "a therapist cannot reassign: {forbidden}");
}

#[tokio::test]
async fn the_caseload_page_needs_the_same_number_of_queries_for_a_small_and_a_large_clinic() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let lead = app.signed_in(LEAD_A).await;
    let mut counts = Vec::new();
    for n in [3, 40] {
        for i in 0..n {
            let p = patient(&app, &token, &format!("Load{n}x{i}")).await;
            assess(&app, &token, &p, 30, 7, Some(2), json!([])).await;
        }
        for path in ["/caseload", "/caseload.csv"] {
            app.page(&lead, path).await;
            let before = app.db.queries();
            assert_eq!(app.page(&lead, path).await.0, 200);
            counts.push(app.db.queries() - before);
        }
    }
    assert!(counts.iter().all(|c| *c >= 6), "{counts:?}");
    assert_eq!((counts[0], counts[1]), (counts[2], counts[3]), "{counts:?}");
}

#[tokio::test]
async fn my_caseload_charts_count_only_the_therapists_own_patients() {
    let app = spawn_app().await;
    let lead = app.token(LEAD_A).await;
    let token = app.token(THERAPIST_A).await;
    for family in ["Lead-One", "Lead-Two"] {
        patient(&app, &lead, family).await;
    }
    patient(&app, &token, "Mine").await;
    let therapist = app.signed_in(THERAPIST_A).await;
    let lead_page = app.signed_in(LEAD_A).await;

    let (_, mine) = app.page(&therapist, "/caseload").await;
    let (_, clinic) = app.page(&lead_page, "/caseload").await;

    assert!(mine.contains("Active patients by stage: No active plan 1,"), "{mine}");
    assert!(clinic.contains("Active patients by stage: No active plan 3,"), "the lead sees the clinic");
    let flags_title = |html: &str| {
        html.split("Flags per therapist: ").nth(1).and_then(|t| t.split('<').next()).unwrap_or_default().to_owned()
    };
    assert_eq!(flags_title(&mine).split(", ").count(), 1, "only the therapist's own bar: {}", flags_title(&mine));
    assert!(flags_title(&clinic).split(", ").count() >= 2);
}
