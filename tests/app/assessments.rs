//! Structured assessments: scores, validation, sign-off, amendments, red flags, progress.

use crate::helpers::{negative_screen, spawn_app, TestApp, THERAPIST_A, THERAPIST_B};
use reqwest::Method;
use serde_json::{json, Value};

async fn patient(app: &TestApp, token: &str) -> String {
    app.create_patient(token, "Ada", "Lovelace").await["id"].as_str().unwrap_or_default().to_owned()
}

async fn record(app: &TestApp, token: &str, patient: &str, body: Value) -> (u16, Value) {
    app.api(Method::POST, &format!("/api/v1/patients/{patient}/assessments"), token, Some(body)).await
}

fn initial(findings: Value) -> Value {
    json!({"kind": "initial", "assessed_on": "2026-10-01", "findings": crate::helpers::screened(findings)})
}

#[tokio::test]
async fn an_initial_assessment_is_scored_exactly_as_the_reference_says() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let p = patient(&app, &token).await;
    let mut body = initial(json!([
        {"code": "nprs_now", "value": 6}, {"code": "nprs_worst", "value": 8},
        {"code": "slr", "side": "left", "value": 35}, {"code": "slump", "side": "left", "value": true},
        {"code": "lumbar_flexion", "value": 40, "method": "inclinometer"}
    ]));
    // One section missing: 21 / 45 = 46.7 %.
    body["odi"] = json!({"pain_intensity": 3, "personal_care": 2, "lifting": 4, "walking": 2, "sitting": 3,
        "standing": 2, "sleeping": 1, "social_life": 2, "travelling": 2});
    body["start_back"] = json!([1, 1, 1, 0, 1, 0, 1, 0, "moderately"]);

    let (status, a) = record(&app, &token, &p, body).await;

    assert_eq!(status, 201, "{a}");
    assert_eq!(a["status"], "draft");
    assert_eq!(a["scores"]["odi_percent"], 46.7);
    assert_eq!(a["scores"]["start_back"], json!({"total": 5, "psychosocial": 2, "risk": "medium"}));
    assert_eq!(a["red_flags"], json!([]));
    assert_eq!(a["content"]["findings"][2], json!({"code": "slr", "side": "left", "value": 35}));
}

#[tokio::test]
async fn two_missing_odi_sections_give_no_score_rather_than_a_guess() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let p = patient(&app, &token).await;
    let mut body = initial(json!([]));
    body["odi"] = json!({"pain_intensity": 3, "personal_care": 2, "lifting": 4, "walking": 2, "sitting": 3, "standing": 2, "sleeping": 1, "social_life": 2});

    let (_, a) = record(&app, &token, &p, body).await;

    assert!(a["scores"].get("odi_percent").is_none(), "{a}");
    assert!(a["scores"]["odi_unscored"].as_str().is_some_and(|s| !s.is_empty()));
}

#[tokio::test]
async fn an_out_of_range_finding_gets_422_naming_the_finding() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let p = patient(&app, &token).await;

    let (status, error) = record(
        &app,
        &token,
        &p,
        initial(json!([{"code": "nprs_now", "value": 4}, {"code": "myotome_l5", "side": "left", "value": 7}])),
    )
    .await;
    let (odi_status, odi) =
        record(&app, &token, &p, json!({"kind": "initial", "assessed_on": "2026-10-01", "odi": {"lifting": 6}})).await;

    assert_eq!(status, 422);
    assert_eq!(error["error"]["code"], "validation_failed");
    let message = error["error"]["fields"]["findings[1]"][0].as_str().unwrap_or_default();
    assert!(message.contains("myotome_l5"), "{error}");
    assert_eq!(odi_status, 422);
    assert!(odi["error"]["fields"]["odi"][0].as_str().unwrap_or_default().contains("lifting"), "{odi}");
    let (_, list) = app.api(Method::GET, &format!("/api/v1/patients/{p}/assessments"), &token, None).await;
    assert_eq!(list, json!([]), "nothing was saved");
}

#[tokio::test]
async fn a_signed_assessment_cannot_be_edited_in_place_but_can_be_amended_keeping_the_original() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let p = patient(&app, &token).await;
    let mut findings = negative_screen();
    findings.insert(0, json!({"code": "nprs_worst", "value": 8}));
    let (_, a) = record(&app, &token, &p, initial(json!(findings))).await;
    let path = format!("/api/v1/assessments/{}", a["id"].as_str().unwrap_or_default());

    let (signed, s) = app.api(Method::POST, &format!("{path}/sign"), &token, None).await;
    let (edit, locked) = app
        .api(
            Method::PATCH,
            &path,
            &token,
            Some(json!({"version": s["version"], "findings": [{"code": "nprs_worst", "value": 2}]})),
        )
        .await;
    let (no_reason, _) = app
        .api(
            Method::POST,
            &format!("{path}/amendments"),
            &token,
            Some(json!({"version": s["version"], "findings": [{"code": "nprs_worst", "value": 7}]})),
        )
        .await;
    let (amended, am) = app
        .api(Method::POST, &format!("{path}/amendments"), &token, Some(json!({"version": s["version"], "reason": "Typo: worst pain was 7", "findings": [{"code": "nprs_worst", "value": 7}]})))
        .await;

    assert_eq!(signed, 200);
    assert_eq!(s["status"], "signed");
    assert!(s["signed_at"].is_string());
    assert_eq!(edit, 409);
    assert_eq!(locked["error"]["code"], "locked");
    assert_eq!(no_reason, 422);
    assert_eq!(amended, 201, "{am}");
    assert_eq!(am["content"]["findings"][0]["value"], 7);
    assert_eq!(am["original"]["findings"][0]["value"], 8, "the original stays visible");
    assert_eq!(am["amendments"][0]["reason"], "Typo: worst pain was 7");
    assert!(am["amendments"][0]["author"].as_str().is_some_and(|a| !a.is_empty()));
}

#[tokio::test]
async fn a_positive_cauda_equina_flag_stays_unresolved_until_an_action_is_recorded() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let p = patient(&app, &token).await;
    let (_, a) = record(
        &app,
        &token,
        &p,
        initial(
            json!([{"code": "rf_saddle_anaesthesia", "value": "positive"}, {"code": "rf_fever", "value": "negative"}]),
        ),
    )
    .await;
    let id = a["id"].as_str().unwrap_or_default().to_owned();
    let client = app.signed_in(THERAPIST_A).await;

    let (_, page_before) = app.page(&client, &format!("/patients/{p}")).await;
    let (empty, _) = app
        .api(
            Method::POST,
            &format!("/api/v1/assessments/{id}/red-flag-actions"),
            &token,
            Some(json!({"flag": "rf_saddle_anaesthesia", "kind": "emergency_referral", "action": " "})),
        )
        .await;
    let (token_only, token_error) = app
        .api(
            Method::POST,
            &format!("/api/v1/assessments/{id}/red-flag-actions"),
            &token,
            Some(json!({"flag": "rf_saddle_anaesthesia", "kind": "emergency_referral", "action": "x"})),
        )
        .await;
    let (no_kind, kind_error) = app
        .api(
            Method::POST,
            &format!("/api/v1/assessments/{id}/red-flag-actions"),
            &token,
            Some(json!({"flag": "rf_saddle_anaesthesia", "kind": "phoned", "action": "Sent to ED for same-day MRI"})),
        )
        .await;
    let (status, after) = app
        .api(
            Method::POST,
            &format!("/api/v1/assessments/{id}/red-flag-actions"),
            &token,
            Some(json!({"flag": "rf_saddle_anaesthesia", "kind": "emergency_referral", "action": "Sent to ED for same-day MRI"})),
        )
        .await;
    let (_, page_after) = app.page(&client, &format!("/patients/{p}")).await;

    assert_eq!(a["red_flags"], json!(["rf_saddle_anaesthesia"]));
    assert_eq!(a["unresolved_red_flags"], json!(["rf_saddle_anaesthesia"]));
    assert!(page_before.contains("Urgent: possible cauda equina"), "the patient page carries the banner");
    assert_eq!(empty, 422, "an action must say what was done");
    assert_eq!((token_only, token_error["error"]["fields"]["action"].is_array()), (422, true), "{token_error}");
    assert_eq!((no_kind, kind_error["error"]["fields"]["kind"].is_array()), (422, true), "{kind_error}");
    assert_eq!(status, 201);
    assert_eq!(after["unresolved_red_flags"], json!([]));
    assert!(!page_after.contains("Urgent: possible cauda equina"));
    assert_eq!(app.audit_events("red_flag.action").len(), 1);
}

#[tokio::test]
async fn a_myotome_that_drops_since_the_last_assessment_raises_progressive_neurological_deficit() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let p = patient(&app, &token).await;
    record(&app, &token, &p, initial(json!([{"code": "myotome_l5", "side": "left", "value": 5}, {"code": "dermatome_l5", "side": "left", "value": "normal"}]))).await;

    let (_, re) = record(
        &app,
        &token,
        &p,
        json!({"kind": "reassessment", "assessed_on": "2026-10-15", "findings": [{"code": "myotome_l5", "side": "left", "value": 4}, {"code": "dermatome_l5", "side": "left", "value": "normal"}]}),
    )
    .await;

    assert_eq!(re["red_flags"], json!(["rf_progressive_neuro_deficit"]), "{re}");
    assert_eq!(re["unresolved_red_flags"], json!(["rf_progressive_neuro_deficit"]));
}

#[tokio::test]
async fn progress_reports_change_since_baseline_against_the_mcid() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let p = patient(&app, &token).await;
    let mut first = initial(json!([{"code": "nprs_worst", "value": 8}, {"code": "slr", "side": "left", "value": 35}]));
    first["odi"] = json!({"pain_intensity": 4, "personal_care": 2, "lifting": 4, "walking": 3, "sitting": 4, "standing": 3, "sleeping": 2, "sex_life": 2, "social_life": 3, "travelling": 3});
    let mut second = json!({"kind": "reassessment", "assessed_on": "2026-11-01", "findings": [{"code": "nprs_worst", "value": 7}, {"code": "slr", "side": "left", "value": 60}]});
    second["odi"] = json!({"pain_intensity": 2, "personal_care": 1, "lifting": 3, "walking": 1, "sitting": 2, "standing": 2, "sleeping": 1, "sex_life": 1, "social_life": 1, "travelling": 2});
    record(&app, &token, &p, first).await;
    record(&app, &token, &p, second).await;

    let (status, progress) = app.api(Method::GET, &format!("/api/v1/patients/{p}/progress"), &token, None).await;

    assert_eq!(status, 200);
    let series = |key: &str| {
        progress["series"].as_array().and_then(|s| s.iter().find(|x| x["key"] == key).cloned()).unwrap_or_default()
    };
    assert_eq!(series("nprs_worst")["change"], -1.0);
    assert_eq!(series("nprs_worst")["reaches_mcid"], false, "1 point is below the 2-point NPRS MCID");
    // ODI 60 % -> 32 %: 28 points.
    assert_eq!(series("odi_percent")["change"], -28.0);
    assert_eq!(series("odi_percent")["reaches_mcid"], true);
    assert_eq!(series("slr_left")["change"], 25.0);
    let client = app.signed_in(THERAPIST_A).await;
    let (_, html) = app.page(&client, &format!("/patients/{p}/progress")).await;
    assert!(html.contains("<svg class=\"chart\""), "charts are inline SVG");
    assert!(html.contains("reaches the MCID") && html.contains("below the MCID"));
}

#[tokio::test]
async fn the_progress_page_needs_the_same_number_of_queries_for_50_assessments_as_for_2() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let small = patient(&app, &token).await;
    let large = patient(&app, &token).await;
    for (p, n) in [(&small, 2), (&large, 50)] {
        for i in 0..n {
            let findings = json!([{"code": "nprs_worst", "value": 8 - (i % 8)}, {"code": "slr", "side": "right", "value": 40 + i}]);
            let body = json!({"kind": if i == 0 { "initial" } else { "reassessment" }, "assessed_on": "2026-10-01",
                "findings": if i == 0 { crate::helpers::screened(findings) } else { findings },
                "odi": {"pain_intensity": 3, "personal_care": 2, "lifting": 3, "walking": 2, "sitting": 3, "standing": 2, "sleeping": 1, "sex_life": 1, "social_life": 2, "travelling": 2}});
            assert_eq!(record(&app, &token, p, body).await.0, 201);
        }
    }
    let client = app.signed_in(THERAPIST_A).await;
    let mut counts = Vec::new();
    for p in [&small, &large] {
        for path in [format!("/patients/{p}/progress"), format!("/patients/{p}")] {
            app.page(&client, &path).await; // warm the session's activity write
            let before = app.db.queries();
            let (status, _) = app.page(&client, &path).await;
            assert_eq!(status, 200);
            counts.push(app.db.queries() - before);
        }
    }
    assert!(counts.iter().all(|c| *c >= 5), "the counter sees the real queries: {counts:?}");
    assert_eq!(counts[0], counts[2], "progress page: {counts:?}");
    assert_eq!(counts[1], counts[3], "patient page: {counts:?}");
}

#[tokio::test]
async fn another_clinic_cannot_read_or_sign_an_assessment() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let other = app.token(THERAPIST_B).await;
    let p = patient(&app, &token).await;
    let (_, a) = record(&app, &token, &p, initial(json!([]))).await;
    let path = format!("/api/v1/assessments/{}", a["id"].as_str().unwrap_or_default());

    assert_eq!(app.api(Method::GET, &path, &other, None).await.0, 404);
    assert_eq!(app.api(Method::POST, &format!("{path}/sign"), &other, None).await.0, 404);
    assert_eq!(
        app.api(Method::POST, &format!("/api/v1/patients/{p}/assessments"), &other, Some(initial(json!([])))).await.0,
        404
    );
}

#[tokio::test]
async fn a_therapist_records_an_assessment_through_the_form_with_errors_shown_beside_the_field() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let p = patient(&app, &token).await;
    let client = app.signed_in(THERAPIST_A).await;
    let form = format!("/patients/{p}/assessments/new");
    let action = format!("/patients/{p}/assessments");

    let (bad, html) = app
        .post_form(
            &client,
            &form,
            &action,
            &[("kind", "initial"), ("assessed_on", "2026-10-01"), ("f.nprs_worst", "12"), ("f.slr.left", "40")],
        )
        .await;
    let (ok, location) = app
        .post_form(
            &client,
            &form,
            &action,
            &[
                ("kind", "initial"),
                ("assessed_on", "2026-10-01"),
                ("f.nprs_worst", "7"),
                ("f.slr.left", "40"),
                ("f.myotome_l5.left", "4"),
                ("odi.pain_intensity", "3"),
                ("odi.lifting", "2"),
                ("odi.walking", "2"),
                ("odi.sitting", "3"),
                ("odi.standing", "2"),
                ("odi.sleeping", "1"),
                ("odi.sex_life", "1"),
                ("odi.social_life", "2"),
                ("odi.travelling", "2"),
                ("odi.personal_care", "1"),
                ("f.rf_bladder_dysfunction", "negative"),
            ],
        )
        .await;
    let (_, view) = app.page(&client, &location).await;

    assert_eq!(bad, 422);
    assert!(
        html.contains(r#"<p class="field-error" id="f.nprs_worst-error">Pain at worst, last 24 h (NPRS) must be"#),
        "the message names the field by its label"
    );
    assert!(!html.contains(">nprs_worst"), "no message names the internal code");
    assert!(html.contains(r#"id="error-summary" role="alert" tabindex="-1""#), "the summary can take focus");
    assert!(html.contains(r#"name="f.slr.left" min="0" max="120" step="1" value="40""#), "typed input is kept");
    assert_eq!(ok, 303);
    assert!(view.contains("38 %"), "ODI 19/50 = 38 % is shown:\n{view}");
    assert!(view.contains("Sign and lock"));
}

#[tokio::test]
async fn an_admin_sets_a_clinics_mcid_and_progress_uses_it() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let p = patient(&app, &token).await;
    record(&app, &token, &p, initial(json!([{"code": "nprs_worst", "value": 8}]))).await;
    record(
        &app,
        &token,
        &p,
        json!({"kind": "reassessment", "assessed_on": "2026-11-01", "findings": [{"code": "nprs_worst", "value": 7}]}),
    )
    .await;
    let admin = app.signed_in(crate::helpers::ADMIN).await;
    let action = format!("/admin/clinics/{}/mcid", app.clinic_a);

    let (bad, message) =
        app.post_form(&admin, "/admin/clinics", &action, &[("odi_points", "10"), ("nprs_points", "-1")]).await;
    let (ok, _) = app
        .post_form(
            &admin,
            "/admin/clinics",
            &action,
            &[("odi_points", "10"), ("odi_percent", "30"), ("nprs_points", "1")],
        )
        .await;
    let (_, progress) = app.api(Method::GET, &format!("/api/v1/patients/{p}/progress"), &token, None).await;

    assert_eq!(bad, 422);
    assert!(message.contains("MCID points must be above 0"), "{message}");
    assert_eq!(ok, 303);
    assert_eq!(progress["thresholds"]["nprs"]["points"], 1.0);
    let worst = progress["series"]
        .as_array()
        .and_then(|s| s.iter().find(|x| x["key"] == "nprs_worst").cloned())
        .unwrap_or_default();
    assert_eq!(worst["reaches_mcid"], true, "1 point now reaches the clinic's MCID");
}

#[tokio::test]
async fn a_draft_saved_with_a_future_date_and_a_wrong_value_names_both_fields_and_keeps_the_draft() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let patient = patient(&app, &token).await;
    let (_, draft) = record(&app, &token, &patient, json!({"kind": "initial", "assessed_on": "2026-11-20"})).await;
    let path = format!("/api/v1/assessments/{}", draft["id"].as_str().unwrap_or_default());
    let body = json!({"version": draft["version"], "assessed_on": "2999-01-01",
        "findings": [{"code": "nprs_now", "value": 11}]});

    let (status, refused) = app.api(Method::PATCH, &path, &token, Some(body)).await;

    assert_eq!(status, 422, "{refused}");
    let fields = &refused["error"]["fields"];
    assert!(fields["assessed_on"].is_array() && !fields["assessed_on"].is_null(), "{refused}");
    assert!(fields.as_object().is_some_and(|f| f.keys().any(|k| k.starts_with("findings"))), "{refused}");
    let (_, kept) = app.api(Method::GET, &path, &token, None).await;
    assert_eq!(kept["assessed_on"], "2026-11-20");
    assert_eq!(kept["version"], draft["version"], "nothing of the refused save was written");
}
