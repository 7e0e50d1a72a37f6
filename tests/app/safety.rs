//! Safety as an invariant: one patient safety profile from the whole record, checked at
//! every step (adding, activating, advancing, printing, reading), through the API and pages.

use crate::helpers::{negative_screen, patient_json, spawn_app, TestApp, LEAD_A, THERAPIST_A};
use reqwest::Method;
use serde_json::{json, Value};

async fn patient(app: &TestApp, token: &str, history: &[&str]) -> (String, Value) {
    let mut body = patient_json("Grace", "Hopper");
    body["history"] = json!(history);
    let (status, p) = app.api(Method::POST, "/api/v1/patients", token, Some(body)).await;
    assert_eq!(status, 201, "{p}");
    (p["id"].as_str().unwrap_or_default().to_owned(), p)
}

async fn modality(app: &TestApp, token: &str, code: &str) -> String {
    let (_, items) = app.api(Method::GET, "/api/v1/modalities", token, None).await;
    items
        .as_array()
        .and_then(|a| a.iter().find(|i| i["code"] == code))
        .map(|i| i["id"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_else(|| panic!("no {code}"))
}

async fn plan_with(app: &TestApp, token: &str, patient: &str, items: &[Value]) -> Value {
    let (_, plan) = app
        .api(Method::POST, &format!("/api/v1/patients/{patient}/plans"), token, Some(json!({"title": "Plan"})))
        .await;
    let id = plan["id"].as_str().unwrap_or_default().to_owned();
    let stage = plan["stages"][0]["id"].as_str().unwrap_or_default().to_owned();
    for body in items {
        let (status, item) = app
            .plan_api(Method::POST, &format!("/api/v1/plans/{id}/stages/{stage}/items"), token, Some(body.clone()))
            .await;
        assert_eq!(status, 201, "{item}");
    }
    app.api(Method::GET, &format!("/api/v1/plans/{id}"), token, None).await.1
}

async fn record_signed(app: &TestApp, token: &str, patient: &str, kind: &str, on: &str, findings: Value) -> Value {
    let mut all = findings.as_array().cloned().unwrap_or_default();
    if kind == "initial" {
        all.extend(negative_screen());
    }
    let body = json!({"kind": kind, "assessed_on": on, "findings": all});
    let (status, a) =
        app.api(Method::POST, &format!("/api/v1/patients/{patient}/assessments"), token, Some(body)).await;
    assert_eq!(status, 201, "{a}");
    let id = a["id"].as_str().unwrap_or_default();
    let (status, signed) = app.api(Method::POST, &format!("/api/v1/assessments/{id}/sign"), token, None).await;
    assert_eq!(status, 200, "{signed}");
    signed
}

fn plan_path(plan: &Value) -> String {
    format!("/api/v1/plans/{}", plan["id"].as_str().unwrap_or_default())
}

#[tokio::test]
async fn a_pacemaker_recorded_after_tens_was_added_holds_the_plan_until_it_is_reviewed_on_the_plan_page() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let (p, patient_row) = patient(&app, &token, &[]).await;
    record_signed(&app, &token, &p, "initial", "2026-11-02", json!([])).await;
    let tens = modality(&app, &token, "tens").await;
    let plan = plan_with(&app, &token, &p, &[json!({"modality_id": tens})]).await;
    let path = plan_path(&plan);
    let (activated, _) = app.api(Method::POST, &format!("{path}/activate"), &token, None).await;

    // Today the patient reports a pacemaker.
    let mut update = patient_json("Grace", "Hopper");
    update["history"] = json!(["pacemaker"]);
    update["version"] = patient_row["version"].clone();
    let (patched, patched_body) = app.api(Method::PATCH, &format!("/api/v1/patients/{p}"), &token, Some(update)).await;
    let (_, after) = app.api(Method::GET, &path, &token, None).await;
    let (advance, advance_error) = app.api(Method::POST, &format!("{path}/advance"), &token, None).await;
    let client = app.signed_in(THERAPIST_A).await;
    let plan_id = plan["id"].as_str().unwrap_or_default();
    let print = client.get(app.url(&format!("/plans/{plan_id}/print"))).send().await.unwrap();
    let print_status = print.status().as_u16();
    let print_page = print.text().await.unwrap_or_default();
    let (_, plan_page) = app.page(&client, &format!("/plans/{plan_id}")).await;
    let lead = app.token(LEAD_A).await;
    let (_, caseload) = app.api(Method::GET, "/api/v1/caseload?flag=safety_review_needed", &lead, None).await;

    assert_eq!(activated, 200);
    assert_eq!(patched, 200, "{patched_body}");
    assert_eq!(after["safety"]["status"], "review_needed", "{}", after["safety"]);
    let problem = &after["safety"]["problems"][0];
    assert_eq!((problem["code"].as_str(), problem["fact"].as_str()), (Some("tens"), Some("pacemaker")));
    assert_eq!((problem["severity"].as_str(), problem["overridden"].as_bool()), (Some("absolute"), Some(false)));
    assert_eq!(problem["item_id"], after["stages"][0]["items"][0]["id"]);
    assert_eq!(advance, 409);
    assert_eq!(advance_error["error"]["code"], "safety_review_required");
    assert_eq!(print_status, 409, "the handout is not printed");
    assert!(print_page.contains("Handout not printed") && print_page.contains(&format!("/plans/{plan_id}")));
    assert!(plan_page.contains("Safety review needed") && plan_page.contains("Review needed:"));
    let flagged: Vec<&Value> = caseload["patients"].as_array().map(|a| a.iter().collect()).unwrap_or_default();
    assert!(flagged.iter().any(|c| c["id"] == p.as_str()), "the caseload flags the patient: {caseload}");

    // The clinician keeps TENS with a reason, from the plan page.
    let item = after["stages"][0]["items"][0]["id"].as_str().unwrap_or_default().to_owned();
    let (kept, _) = app
        .post_form(
            &client,
            &format!("/plans/{plan_id}"),
            &format!("/plans/{plan_id}/items/{item}/review"),
            &[("version", &after["version"].to_string()), ("reason", "Cardiology confirmed the device is TENS-safe")],
        )
        .await;
    let (_, reviewed) = app.api(Method::GET, &path, &token, None).await;
    let print_again = client.get(app.url(&format!("/plans/{plan_id}/print"))).send().await.unwrap().status();

    assert_eq!(kept, 303);
    assert_eq!(reviewed["safety"]["status"], "ok", "{}", reviewed["safety"]);
    assert_eq!(reviewed["safety"]["problems"][0]["overridden"], true);
    assert_eq!(reviewed["plan_version"], 2, "a reviewed active plan keeps the review as a version");
    assert_eq!(print_again, 200);
    assert_eq!(app.audit_events("plan.safety_review").len(), 1);
}

#[tokio::test]
async fn the_neurology_trend_compares_with_the_most_recent_earlier_value_whatever_visits_came_between() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let (p, _) = patient(&app, &token, &[]).await;
    record_signed(
        &app,
        &token,
        &p,
        "initial",
        "2026-10-01",
        json!([{"code": "myotome_l5", "side": "left", "value": 4}]),
    )
    .await;
    record_signed(&app, &token, &p, "reassessment", "2026-10-15", json!([{"code": "nprs_worst", "value": 5}])).await;
    let third = record_signed(
        &app,
        &token,
        &p,
        "reassessment",
        "2026-11-01",
        json!([{"code": "myotome_l5", "side": "left", "value": 2}, {"code": "dermatome_s1", "side": "right", "value": "reduced"}]),
    )
    .await;
    let client = app.signed_in(THERAPIST_A).await;
    let (_, page) = app.page(&client, &format!("/patients/{p}")).await;

    assert_eq!(third["red_flags"], json!(["rf_progressive_neuro_deficit"]), "{third}");
    assert_eq!(third["unresolved_red_flags"], json!(["rf_progressive_neuro_deficit"]));
    assert_eq!(third["neurology"]["worsened"][0]["previous"], "4");
    assert_eq!(third["neurology"]["worsened"][0]["current"], "2");
    assert_eq!(third["neurology"]["needs_review"][0]["code"], "dermatome_s1", "a side never examined needs review");
    let note =
        third["content"]["findings"].as_array().map(|f| f.iter().any(|x| x["code"] == "rf_progressive_neuro_deficit"));
    assert_eq!(note, Some(false), "nothing derived is written into the clinician's record");
    assert!(page.contains("Neurology worse than at an earlier visit"));
    assert!(!page.contains("possible cauda equina"), "a myotome drop is not labelled cauda equina");
}

#[tokio::test]
async fn back_dating_an_earlier_visit_recomputes_the_later_comparison() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let (p, _) = patient(&app, &token, &[]).await;
    record_signed(
        &app,
        &token,
        &p,
        "initial",
        "2026-10-01",
        json!([{"code": "reflex_ankle", "side": "left", "value": "normal"}]),
    )
    .await;
    let body = json!({"kind": "reassessment", "assessed_on": "2026-11-01", "findings": [{"code": "reflex_ankle", "side": "left", "value": "absent"}]});
    let (_, draft) = app.api(Method::POST, &format!("/api/v1/patients/{p}/assessments"), &token, Some(body)).await;
    let id = draft["id"].as_str().unwrap_or_default();
    // Moved before the first visit, the absent reflex is the earlier value: nothing worsened.
    let moved = json!({"version": draft["version"], "assessed_on": "2026-09-01", "findings": [{"code": "reflex_ankle", "side": "left", "value": "absent"}]});
    let (status, after) = app.api(Method::PATCH, &format!("/api/v1/assessments/{id}"), &token, Some(moved)).await;

    assert_eq!(draft["red_flags"], json!(["rf_progressive_neuro_deficit"]));
    assert_eq!(status, 200, "{after}");
    assert_eq!(after["red_flags"], json!([]), "{after}");
}

#[tokio::test]
async fn reduced_sensation_recorded_last_month_still_blocks_heat_when_today_skipped_dermatomes() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let (p, _) = patient(&app, &token, &[]).await;
    record_signed(
        &app,
        &token,
        &p,
        "initial",
        "2026-10-20",
        json!([{"code": "dermatome_l5", "side": "left", "value": "reduced"}]),
    )
    .await;
    record_signed(&app, &token, &p, "reassessment", "2026-11-20", json!([{"code": "nprs_worst", "value": 4}])).await;
    let heat = modality(&app, &token, "heat_pack").await;
    let (_, plan) =
        app.api(Method::POST, &format!("/api/v1/patients/{p}/plans"), &token, Some(json!({"title": "Plan"}))).await;
    let items = format!("{}/stages/{}/items", plan_path(&plan), plan["stages"][0]["id"].as_str().unwrap_or_default());

    let (status, error) = app.plan_api(Method::POST, &items, &token, Some(json!({"modality_id": heat}))).await;

    assert_eq!(status, 422);
    assert_eq!(error["error"]["code"], "contraindicated");
    assert!(error["error"]["message"].as_str().unwrap_or_default().contains("reduced_sensation"));
}

#[tokio::test]
async fn an_initial_assessment_is_signed_only_with_every_cauda_equina_item_answered() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let (p, _) = patient(&app, &token, &[]).await;
    let body = json!({"kind": "initial", "assessed_on": "2026-11-01", "findings": [
        {"code": "rf_saddle_anaesthesia", "value": "negative"}, {"code": "rf_bladder_dysfunction", "value": "not_asked"}]});
    let (_, a) = app.api(Method::POST, &format!("/api/v1/patients/{p}/assessments"), &token, Some(body)).await;
    let id = a["id"].as_str().unwrap_or_default();

    let (status, error) = app.api(Method::POST, &format!("/api/v1/assessments/{id}/sign"), &token, None).await;

    assert_eq!(status, 422);
    let fields = error["error"]["fields"].as_object().cloned().unwrap_or_default();
    let mut named: Vec<&str> = fields.keys().map(String::as_str).collect();
    named.sort_unstable();
    assert_eq!(
        named,
        [
            "rf_bilateral_leg_symptoms",
            "rf_bladder_dysfunction",
            "rf_bowel_dysfunction",
            "rf_progressive_neuro_deficit",
            "rf_sexual_dysfunction"
        ]
    );
}

#[tokio::test]
async fn a_plan_needs_a_complete_screen_this_episode_or_a_reason_kept_as_an_override() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let (p, _) = patient(&app, &token, &[]).await;
    let plan = plan_with(&app, &token, &p, &[]).await;
    let path = plan_path(&plan);

    let (missing, error) = app.api(Method::POST, &format!("{path}/activate"), &token, None).await;
    let (blank, _) =
        app.api(Method::POST, &format!("{path}/activate"), &token, Some(json!({"screen_override_reason": "  "}))).await;
    let (ok, active) = app
        .api(
            Method::POST,
            &format!("{path}/activate"),
            &token,
            Some(json!({"screen_override_reason": "Screened by the GP yesterday, letter on file"})),
        )
        .await;
    let lead = app.token(LEAD_A).await;
    let (_, caseload) = app.api(Method::GET, "/api/v1/caseload?flag=safety_override", &lead, None).await;

    assert_eq!(missing, 409);
    assert_eq!(error["error"]["code"], "red_flag_screen_missing");
    assert_eq!(blank, 409);
    assert_eq!(ok, 200, "{active}");
    assert_eq!(active["screen_override_reason"], "Screened by the GP yesterday, letter on file");
    assert_eq!(active["has_override"], true);
    assert!(caseload["patients"].as_array().is_some_and(|a| a.iter().any(|c| c["id"] == p.as_str())), "{caseload}");
}

#[tokio::test]
async fn a_patient_has_one_active_plan_unless_the_new_one_says_which_it_replaces_and_why() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let (p, _) = patient(&app, &token, &[]).await;
    record_signed(&app, &token, &p, "initial", "2026-11-02", json!([])).await;
    let first = plan_with(&app, &token, &p, &[]).await;
    let second = plan_with(&app, &token, &p, &[]).await;
    app.api(Method::POST, &format!("{}/activate", plan_path(&first)), &token, None).await;

    let (refused, error) = app.api(Method::POST, &format!("{}/activate", plan_path(&second)), &token, None).await;
    let (no_reason, _) = app
        .api(Method::POST, &format!("{}/activate", plan_path(&second)), &token, Some(json!({"replaces": first["id"]})))
        .await;
    let (replaced, _) = app
        .api(
            Method::POST,
            &format!("{}/activate", plan_path(&second)),
            &token,
            Some(json!({"replaces": first["id"], "reason": "New plan after the nerve settled"})),
        )
        .await;
    let (_, old) = app.api(Method::GET, &plan_path(&first), &token, None).await;

    assert_eq!(refused, 409);
    assert_eq!(error["error"]["code"], "active_plan_exists");
    assert_eq!(no_reason, 422);
    assert_eq!(replaced, 200);
    assert_eq!(old["status"], "discontinued");
    assert_eq!(old["end_reason"], "New plan after the nerve settled");
}

#[tokio::test]
async fn two_concurrent_activations_for_one_patient_leave_one_active_plan() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let (p, _) = patient(&app, &token, &[]).await;
    record_signed(&app, &token, &p, "initial", "2026-11-02", json!([])).await;
    let first = plan_with(&app, &token, &p, &[]).await;
    let second = plan_with(&app, &token, &p, &[]).await;

    let (one, two) = (format!("{}/activate", plan_path(&first)), format!("{}/activate", plan_path(&second)));
    let (a, b) = tokio::join!(app.api(Method::POST, &one, &token, None), app.api(Method::POST, &two, &token, None));
    let (_, plans) = app.api(Method::GET, &format!("/api/v1/patients/{p}/plans"), &token, None).await;

    let mut statuses = [a.0, b.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{} {}", a.1, b.1);
    let active = plans.as_array().map(|l| l.iter().filter(|x| x["status"] == "active").count());
    assert_eq!(active, Some(1));
}

#[tokio::test]
async fn consent_is_a_record_and_its_withdrawal_puts_the_plan_under_review() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let (p, _) = patient(&app, &token, &[]).await;
    record_signed(&app, &token, &p, "initial", "2026-11-02", json!([])).await;
    let needling = modality(&app, &token, "dry_needling_piriformis").await;
    let plan = plan_with(
        &app,
        &token,
        &p,
        &[json!({"modality_id": needling, "consent": {"kind": "written", "risks": ["bruising", "fainting"]}})],
    )
    .await;
    let item = plan["stages"][0]["items"][0].clone();
    let path = plan_path(&plan);

    let (withdrawn, after) = app
        .api(
            Method::POST,
            &format!("{path}/items/{}/consent/withdraw", item["id"].as_str().unwrap_or_default()),
            &token,
            Some(json!({"version": plan["version"], "reason": "Changed her mind"})),
        )
        .await;
    let (activate, error) = app.api(Method::POST, &format!("{path}/activate"), &token, None).await;

    assert_eq!(item["consent"]["kind"], "written");
    assert_eq!(item["consent"]["risks"], json!(["bruising", "fainting"]));
    assert!(item["consent"]["recorded_by"].is_string() && item["consent"]["recorded_at"].is_string());
    assert_eq!(withdrawn, 200, "{after}");
    assert_eq!(after["stages"][0]["items"][0]["consent"]["withdrawn"]["reason"], "Changed her mind");
    assert_eq!(after["safety"]["status"], "review_needed");
    assert_eq!(after["safety"]["problems"][0]["fact"], "consent");
    assert_eq!((activate, error["error"]["code"].as_str()), (409, Some("safety_review_required")));
}

#[tokio::test]
async fn a_plain_true_is_still_accepted_as_verbal_consent() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let (p, _) = patient(&app, &token, &[]).await;
    let needling = modality(&app, &token, "dry_needling_piriformis").await;
    let plan = plan_with(&app, &token, &p, &[json!({"modality_id": needling, "consent": true})]).await;

    let consent = &plan["stages"][0]["items"][0]["consent"];
    assert_eq!(consent["kind"], "verbal");
    assert_eq!(consent["risks"], json!([]));
    assert_eq!(plan["safety"]["status"], "ok");
}

#[tokio::test]
async fn a_positive_cancer_screen_is_the_cancer_history_fact() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let (p, _) = patient(&app, &token, &[]).await;
    let signed = record_signed(
        &app,
        &token,
        &p,
        "initial",
        "2026-11-02",
        json!([{"code": "rf_cancer_history", "value": "positive"}]),
    )
    .await;
    app.api(
        Method::POST,
        &format!("/api/v1/assessments/{}/red-flag-actions", signed["id"].as_str().unwrap_or_default()),
        &token,
        Some(json!({"flag": "rf_cancer_history", "kind": "gp_letter", "action": "Letter to the GP about the breast cancer history"})),
    )
    .await;
    let needling = modality(&app, &token, "dry_needling_piriformis").await;
    let plan = plan_with(&app, &token, &p, &[json!({"modality_id": needling, "consent": true})]).await;

    let warnings = plan["stages"][0]["items"][0]["warnings"].as_array().cloned().unwrap_or_default();
    assert!(warnings.iter().any(|w| w["fact"] == "cancer_history"), "{warnings:?}");
}

#[tokio::test]
async fn re_referral_starts_a_new_episode_with_its_own_baseline() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let (p, row) = patient(&app, &token, &[]).await;
    record_signed(&app, &token, &p, "initial", "2026-10-01", json!([])).await;
    let path = format!("/api/v1/patients/{p}");

    let (_, discharged) =
        app.api(Method::PATCH, &path, &token, Some(json!({"version": row["version"], "status": "discharged"}))).await;
    let (_, back) = app
        .api(Method::PATCH, &path, &token, Some(json!({"version": discharged["version"], "status": "active"})))
        .await;
    let plan = plan_with(&app, &token, &p, &[]).await;
    let (activate, error) = app.api(Method::POST, &format!("{}/activate", plan_path(&plan)), &token, None).await;

    assert_eq!(row["episode"]["number"], 1);
    assert!(discharged["episode"]["ended_on"].is_string());
    assert_eq!(back["episode"]["number"], 2, "{back}");
    assert!(back["episode"]["ended_on"].is_null());
    assert_eq!(
        (activate, error["error"]["code"].as_str()),
        (409, Some("red_flag_screen_missing")),
        "the screen of the earlier episode does not count"
    );
}

#[tokio::test]
async fn an_emergency_referral_prints_a_letter_and_a_review_prints_none() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let (p, _) = patient(&app, &token, &[]).await;
    let body = json!({"kind": "initial", "assessed_on": "2026-11-02", "findings": [
        {"code": "rf_saddle_anaesthesia", "value": "positive"}, {"code": "rf_bladder_dysfunction", "value": "negative"},
        {"code": "rf_bowel_dysfunction", "value": "negative"}, {"code": "rf_sexual_dysfunction", "value": "negative"},
        {"code": "rf_bilateral_leg_symptoms", "value": "negative"}, {"code": "rf_progressive_neuro_deficit", "value": "negative"},
        {"code": "myotome_l5", "side": "left", "value": 3}, {"code": "rf_fever", "value": "positive"}]});
    let (_, a) = app.api(Method::POST, &format!("/api/v1/patients/{p}/assessments"), &token, Some(body)).await;
    let id = a["id"].as_str().unwrap_or_default().to_owned();
    let act = format!("/api/v1/assessments/{id}/red-flag-actions");
    let client = app.signed_in(THERAPIST_A).await;
    let before = client.get(app.url(&format!("/assessments/{id}/referral-letter"))).send().await.unwrap().status();
    app.api(Method::POST, &act, &token, Some(json!({"flag": "rf_fever", "kind": "reviewed_not_concerning", "action": "Temperature normal in clinic, no systemic symptoms"}))).await;
    let (status, _) = app
        .api(Method::POST, &act, &token, Some(json!({"flag": "rf_saddle_anaesthesia", "kind": "emergency_referral", "action": "Sent to the emergency department by ambulance for MRI"})))
        .await;
    let (_, letter) = app.page(&client, &format!("/assessments/{id}/referral-letter")).await;
    let (_, assessment) = app.page(&client, &format!("/assessments/{id}")).await;

    assert_eq!(before, 409, "no letter before a referral is recorded");
    assert_eq!(status, 201);
    assert!(letter.contains("Emergency referral") && letter.contains("Grace Hopper"), "{letter}");
    assert!(letter.contains("Saddle anaesthesia") && letter.contains("Sent to the emergency department by ambulance"));
    assert!(letter.contains("Clinic A") && letter.contains("left"), "the clinic and the neurology are named");
    assert!(assessment.contains("Emergency referral") && assessment.contains("Reviewed: not concerning"));
    assert_eq!(app.audit_events("assessment.referral_letter").len(), 1);
}
