//! The modality library, the plan builder and the safety engine through the API.

use crate::helpers::{patient_json, spawn_app, TestApp, LEAD_A, THERAPIST_A, THERAPIST_B};
use reqwest::Method;
use serde_json::{json, Value};

async fn patient_with(app: &TestApp, token: &str, history: &[&str]) -> String {
    let mut body = patient_json("Ada", "Lovelace");
    body["history"] = json!(history);
    let (status, p) = app.api(Method::POST, "/api/v1/patients", token, Some(body)).await;
    assert_eq!(status, 201);
    let id = p["id"].as_str().unwrap_or_default().to_owned();
    app.sign_screen(token, &id, "2026-10-20", json!([])).await;
    id
}

async fn new_plan(app: &TestApp, token: &str, patient: &str) -> Value {
    let (status, plan) = app
        .api(
            Method::POST,
            &format!("/api/v1/patients/{patient}/plans"),
            token,
            Some(json!({"title": "Left L5 sciatica"})),
        )
        .await;
    assert_eq!(status, 201, "{plan}");
    plan
}

async fn modality(app: &TestApp, token: &str, code: &str) -> String {
    let (_, items) = app.api(Method::GET, "/api/v1/modalities", token, None).await;
    items
        .as_array()
        .and_then(|a| a.iter().find(|i| i["code"] == code))
        .map(|i| i["id"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_else(|| panic!("no {code}"))
}

fn items_path(plan: &Value, stage: usize) -> String {
    format!(
        "/api/v1/plans/{}/stages/{}/items",
        plan["id"].as_str().unwrap_or_default(),
        plan["stages"][stage]["id"].as_str().unwrap_or_default()
    )
}

#[tokio::test]
async fn the_library_lists_at_least_forty_items_in_all_eight_categories() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;

    let (status, items) = app.api(Method::GET, "/api/v1/modalities", &token, None).await;
    let (_, needling) = app.api(Method::GET, "/api/v1/modalities?category=dry_needling&stage=1", &token, None).await;
    let (bad, error) = app.api(Method::GET, "/api/v1/modalities?category=yoga", &token, None).await;

    assert_eq!(status, 200);
    let items = items.as_array().cloned().unwrap_or_default();
    assert!(items.len() >= 40, "{} items", items.len());
    for category in [
        "manual_therapy",
        "dry_needling",
        "taping",
        "exercise",
        "stretch",
        "nerve_mobilisation",
        "education",
        "thermal_electro",
    ] {
        assert!(items.iter().any(|i| i["category"] == category), "no {category}");
    }
    let needling = needling.as_array().cloned().unwrap_or_default();
    assert!(
        !needling.is_empty()
            && needling.iter().all(|i| i["category"] == "dry_needling"
                && i["stages"].as_array().is_some_and(|s| s.contains(&json!("pain_control"))))
    );
    assert_eq!(bad, 422);
    assert!(error["error"]["fields"]["category"].is_array());
}

#[tokio::test]
async fn a_new_plan_starts_as_a_draft_with_the_four_default_stages() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let p = patient_with(&app, &token, &[]).await;

    let plan = new_plan(&app, &token, &p).await;

    assert_eq!(plan["status"], "draft");
    let names: Vec<&str> =
        plan["stages"].as_array().map(|s| s.iter().filter_map(|x| x["name"].as_str()).collect()).unwrap_or_default();
    assert_eq!(names.len(), 4);
    assert_eq!(
        plan["stages"][0]["criteria"][0],
        json!({"id": plan["stages"][0]["criteria"][0]["id"], "measure": "nprs_worst", "comparator": "le", "value": 5.0, "words": plan["stages"][0]["criteria"][0]["words"]})
    );
}

#[tokio::test]
async fn needle_phobia_blocks_dry_needling_until_a_reason_is_given() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let p = patient_with(&app, &token, &["needle_phobia"]).await;
    let plan = new_plan(&app, &token, &p).await;
    let needling = modality(&app, &token, "dry_needling_piriformis").await;
    let path = items_path(&plan, 0);

    let (blocked, error) =
        app.plan_api(Method::POST, &path, &token, Some(json!({"modality_id": needling, "consent": true}))).await;
    let (no_consent, consent_error) = app.plan_api(Method::POST, &path, &token, Some(json!({"modality_id": needling, "override_reason": "Patient asked for it after discussing fear; desensitised"}))).await;
    let (added, item) = app
        .plan_api(Method::POST, &path, &token, Some(json!({"modality_id": needling, "consent": true, "override_reason": "Patient asked for it after discussing fear; desensitised"})))
        .await;

    assert_eq!(blocked, 422);
    assert_eq!(error["error"]["code"], "contraindicated");
    assert!(error["error"]["message"].as_str().unwrap_or_default().contains("needle_phobia"), "{error}");
    assert_eq!(no_consent, 422);
    assert_eq!(consent_error["error"]["code"], "consent_required");
    assert_eq!(added, 201, "{item}");
    assert!(item["override_reason"].as_str().is_some_and(|r| r.starts_with("Patient asked")));
    assert!(item["consent_recorded"].as_bool().unwrap_or(false));
    let (_, current) =
        app.api(Method::GET, &format!("/api/v1/plans/{}", plan["id"].as_str().unwrap_or_default()), &token, None).await;
    assert_eq!(current["has_override"], true, "the override is shown on the plan");
}

#[tokio::test]
async fn anticoagulants_add_dry_needling_with_a_warning() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let p = patient_with(&app, &token, &["anticoagulants"]).await;
    let plan = new_plan(&app, &token, &p).await;
    let needling = modality(&app, &token, "dry_needling_gluteus_medius").await;

    let (status, item) = app
        .plan_api(Method::POST, &items_path(&plan, 0), &token, Some(json!({"modality_id": needling, "consent": true})))
        .await;

    assert_eq!(status, 201, "{item}");
    assert_eq!(item["warnings"][0]["fact"], "anticoagulants");
    assert_eq!(item["warnings"][0]["severity"], "relative");
}

#[tokio::test]
async fn an_unresolved_cauda_equina_flag_blocks_activation_until_an_action_is_recorded() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let p = patient_with(&app, &token, &[]).await;
    let (_, a) = app
        .api(Method::POST, &format!("/api/v1/patients/{p}/assessments"), &token, Some(json!({"kind": "initial", "assessed_on": "2026-11-01", "findings": crate::helpers::screened(json!([{"code": "rf_bladder_dysfunction", "value": "positive"}]))})))
        .await;
    let plan = new_plan(&app, &token, &p).await;
    let activate = format!("/api/v1/plans/{}/activate", plan["id"].as_str().unwrap_or_default());

    let (blocked, error) = app.api(Method::POST, &activate, &token, None).await;
    app.api(
        Method::POST,
        &format!("/api/v1/assessments/{}/red-flag-actions", a["id"].as_str().unwrap_or_default()),
        &token,
        Some(json!({"flag": "rf_bladder_dysfunction", "kind": "emergency_referral", "action": "Same-day referral to the emergency department"})),
    )
    .await;
    let (ok, active) = app.api(Method::POST, &activate, &token, None).await;

    assert_eq!(blocked, 409);
    assert_eq!(error["error"]["code"], "red_flag_unresolved");
    assert!(error["error"]["message"].as_str().unwrap_or_default().contains("rf_bladder_dysfunction"));
    assert_eq!(ok, 200, "{active}");
    assert_eq!(active["status"], "active");
    assert_eq!(active["plan_version"], 1);
    assert!(active["stages"][0]["started_on"].is_string(), "the first stage starts at activation");
}

#[tokio::test]
async fn an_active_plan_is_locked_and_an_amendment_makes_version_two_with_a_diff() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let p = patient_with(&app, &token, &[]).await;
    let plan = new_plan(&app, &token, &p).await;
    let id = plan["id"].as_str().unwrap_or_default().to_owned();
    let bridge = modality(&app, &token, "bridge").await;
    let clamshell = modality(&app, &token, "clamshell").await;
    app.plan_api(
        Method::POST,
        &items_path(&plan, 2),
        &token,
        Some(json!({"modality_id": bridge, "dosage": {"sets": 3, "reps": 10}})),
    )
    .await;
    app.api(Method::POST, &format!("/api/v1/plans/{id}/activate"), &token, None).await;

    let (locked, error) =
        app.plan_api(Method::POST, &items_path(&plan, 2), &token, Some(json!({"modality_id": clamshell}))).await;
    let (no_reason, _) = app.api(Method::POST, &format!("/api/v1/plans/{id}/amend"), &token, None).await;
    let (amending, _) = app
        .api(
            Method::POST,
            &format!("/api/v1/plans/{id}/amend"),
            &token,
            Some(json!({"reason": "Add hip abductor work"})),
        )
        .await;
    let (added, _) =
        app.plan_api(Method::POST, &items_path(&plan, 2), &token, Some(json!({"modality_id": clamshell}))).await;
    let (activated, v2) = app.api(Method::POST, &format!("/api/v1/plans/{id}/activate"), &token, None).await;
    let (_, version) = app.api(Method::GET, &format!("/api/v1/plans/{id}/versions/2"), &token, None).await;
    let (_, first) = app.api(Method::GET, &format!("/api/v1/plans/{id}/versions/1"), &token, None).await;

    assert_eq!(locked, 409);
    assert_eq!(error["error"]["code"], "plan_locked");
    assert_eq!(no_reason, 422);
    assert_eq!(amending, 200);
    assert_eq!(added, 201);
    assert_eq!(activated, 200);
    assert_eq!(v2["plan_version"], 2);
    assert_eq!(version["reason"], "Add hip abductor work");
    assert_eq!(version["changes"][0]["kind"], "added");
    assert!(version["changes"][0]["what"].as_str().unwrap_or_default().contains("Clamshell"), "{version}");
    let first_items = first["content"]["stages"][2]["items"].as_array().map(Vec::len);
    assert_eq!(first_items, Some(1), "version 1 is kept as it was");
}

#[tokio::test]
async fn another_clinics_plan_is_not_found() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let other = app.token(THERAPIST_B).await;
    let p = patient_with(&app, &token, &[]).await;
    let plan = new_plan(&app, &token, &p).await;
    let id = plan["id"].as_str().unwrap_or_default();

    assert_eq!(app.api(Method::GET, &format!("/api/v1/plans/{id}"), &other, None).await.0, 404);
    assert_eq!(app.api(Method::POST, &format!("/api/v1/plans/{id}/activate"), &other, None).await.0, 404);
    assert_eq!(
        app.api(Method::POST, &format!("/api/v1/patients/{p}/plans"), &other, Some(json!({"title": "x"}))).await.0,
        404
    );
}

#[tokio::test]
async fn the_plan_page_needs_the_same_number_of_queries_for_5_items_as_for_60() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let (_, library) = app.api(Method::GET, "/api/v1/modalities?category=exercise", &token, None).await;
    let exercise = library[0]["id"].as_str().unwrap_or_default().to_owned();
    let mut plans = Vec::new();
    for n in [5, 60] {
        let p = patient_with(&app, &token, &[]).await;
        let plan = new_plan(&app, &token, &p).await;
        for i in 0..n {
            let (status, _) = app
                .plan_api(Method::POST, &items_path(&plan, i % 4), &token, Some(json!({"modality_id": exercise})))
                .await;
            assert_eq!(status, 201);
        }
        plans.push(plan["id"].as_str().unwrap_or_default().to_owned());
    }
    let client = app.signed_in(THERAPIST_A).await;
    let mut counts = Vec::new();
    for id in &plans {
        for path in [format!("/plans/{id}"), format!("/api/v1/plans/{id}")] {
            let fetch = || async {
                if path.starts_with("/api") {
                    app.api(Method::GET, &path, &token, None).await.0
                } else {
                    app.page(&client, &path).await.0
                }
            };
            fetch().await;
            let before = app.db.queries();
            assert_eq!(fetch().await, 200);
            counts.push(app.db.queries() - before);
        }
    }
    assert!(counts.iter().all(|c| *c >= 5), "{counts:?}");
    assert_eq!((counts[0], counts[1]), (counts[2], counts[3]), "{counts:?}");
}

#[tokio::test]
async fn a_lead_adds_a_clinic_item_and_editing_it_makes_a_new_version_while_plans_keep_theirs() {
    let app = spawn_app().await;
    let lead = app.token(LEAD_A).await;
    let therapist = app.token(THERAPIST_A).await;
    let (_, builtin) = app.api(Method::GET, "/api/v1/modalities?q=bridge", &lead, None).await;
    let mut def = builtin[0]["definition"].clone();
    def["code"] = json!("clinic_wall_squat");
    def["name"] = json!("Wall squat");
    def["patient_instructions"] = json!("Lean your back on a wall. Bend your knees a little. Stand up again.");

    let (forbidden, _) = app.api(Method::POST, "/api/v1/modalities", &therapist, Some(def.clone())).await;
    let (created, item) = app.api(Method::POST, "/api/v1/modalities", &lead, Some(def.clone())).await;
    let p = patient_with(&app, &therapist, &[]).await;
    let plan = new_plan(&app, &therapist, &p).await;
    app.plan_api(Method::POST, &items_path(&plan, 2), &therapist, Some(json!({"modality_id": item["id"]}))).await;
    def["patient_instructions"] = json!("Lean on a wall. Bend your knees to a quarter squat. Stand up slowly.");
    let (edited, v2) = app
        .api(Method::PUT, &format!("/api/v1/modalities/{}", item["id"].as_str().unwrap_or_default()), &lead, Some(def))
        .await;
    let (builtin_edit, _) = app
        .api(
            Method::PUT,
            &format!("/api/v1/modalities/{}", builtin[0]["id"].as_str().unwrap_or_default()),
            &lead,
            Some(builtin[0]["definition"].clone()),
        )
        .await;
    let (_, after) = app
        .api(Method::GET, &format!("/api/v1/plans/{}", plan["id"].as_str().unwrap_or_default()), &therapist, None)
        .await;

    assert_eq!(forbidden, 403);
    assert_eq!(created, 201, "{item}");
    assert_eq!(item["builtin"], false);
    assert_eq!(edited, 200);
    assert_eq!(v2["version"], 2);
    assert_eq!(builtin_edit, 403, "built-in items are read-only");
    let kept = &after["stages"][2]["items"][0];
    assert_eq!(kept["modality_version"], 1);
    assert!(kept["patient_instructions"].as_str().unwrap_or_default().starts_with("Lean your back"));
}

#[tokio::test]
async fn a_plan_from_a_built_in_protocol_checks_every_item_against_this_patient() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let every_fact = [
        "anticoagulants",
        "bleeding_disorder",
        "pregnancy",
        "needle_phobia",
        "metal_allergy",
        "adhesive_allergy",
        "fragile_skin",
        "open_wound",
        "local_infection",
        "dvt",
        "lymphoedema",
        "osteoporosis",
        "cancer_history",
        "diabetes",
        "pacemaker",
        "immunosuppression",
    ];
    let risky = patient_with(&app, &token, &every_fact).await;
    let plain = patient_with(&app, &token, &[]).await;
    let (_, protocols) = app.api(Method::GET, "/api/v1/protocols", &token, None).await;
    let medium = protocols
        .as_array()
        .and_then(|p| p.iter().find(|x| x["code"] == "sciatica_start_back_medium"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        protocols.as_array().map(|p| p.iter().filter(|x| x["builtin"] == true).count()),
        Some(3),
        "low, medium and high"
    );

    let body = json!({"title": "From protocol", "protocol_id": medium["id"]});
    let (status, full) =
        app.api(Method::POST, &format!("/api/v1/patients/{plain}/plans"), &token, Some(body.clone())).await;
    let (_, checked) = app.api(Method::POST, &format!("/api/v1/patients/{risky}/plans"), &token, Some(body)).await;
    let (bad, error) = app
        .api(
            Method::POST,
            &format!("/api/v1/patients/{plain}/plans"),
            &token,
            Some(json!({"title": "x", "protocol_id": "not-an-id"})),
        )
        .await;

    assert_eq!(status, 201, "{full}");
    let count = |plan: &Value| {
        plan["stages"]
            .as_array()
            .map(|s| s.iter().map(|x| x["items"].as_array().map_or(0, Vec::len)).sum::<usize>())
            .unwrap_or(0)
    };
    let template_items: usize = medium["content"]["stages"]
        .as_array()
        .map(|s| s.iter().map(|x| x["items"].as_array().map_or(0, Vec::len)).sum())
        .unwrap_or(0);
    assert_eq!(count(&full), template_items, "a patient without risk facts gets every item");
    assert_eq!(full["skipped"], json!([]));
    assert_eq!(count(&checked), template_items, "exercise-based items have no absolute contraindication");
    let warned = checked["stages"][0]["items"]
        .as_array()
        .map(|i| i.iter().any(|x| x["warnings"].as_array().is_some_and(|w| !w.is_empty())));
    assert_eq!(warned, Some(true), "relative contraindications of this patient show as warnings");

    // A clinic protocol with taping, applied to a patient allergic to adhesive: taping is left out.
    let source = new_plan(&app, &token, &plain).await;
    let taping = modality(&app, &token, "lumbar_kinesiology_taping").await;
    app.plan_api(Method::POST, &items_path(&source, 0), &token, Some(json!({"modality_id": taping}))).await;
    let lead = app.token(LEAD_A).await;
    let (saved, protocol) = app
        .api(
            Method::POST,
            &format!("/api/v1/plans/{}/protocol", source["id"].as_str().unwrap_or_default()),
            &lead,
            Some(json!({"name": "Taping first"})),
        )
        .await;
    let allergic = patient_with(&app, &token, &["adhesive_allergy"]).await;
    let (_, from_clinic) = app
        .api(
            Method::POST,
            &format!("/api/v1/patients/{allergic}/plans"),
            &token,
            Some(json!({"title": "x", "protocol_id": protocol["id"]})),
        )
        .await;
    assert_eq!(saved, 201);
    assert_eq!(from_clinic["skipped"][0]["code"], "lumbar_kinesiology_taping", "{}", from_clinic["skipped"]);
    assert!(from_clinic["skipped"][0]["reason"].as_str().unwrap_or_default().contains("adhesive_allergy"));
    assert!(full["goals"].as_array().is_some_and(|g| !g.is_empty()), "protocol goals are applied");
    assert_eq!(bad, 422);
    assert!(error["error"]["fields"]["protocol_id"].is_array());
}

#[tokio::test]
async fn in_the_browser_form_a_contraindication_is_refused_then_accepted_with_a_reason_and_the_amendment_diff_shows() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let p = patient_with(&app, &token, &["adhesive_allergy"]).await;
    let plan = new_plan(&app, &token, &p).await;
    let id = plan["id"].as_str().unwrap_or_default().to_owned();
    let stage = plan["stages"][0]["id"].as_str().unwrap_or_default().to_owned();
    let taping = modality(&app, &token, "lumbar_kinesiology_taping").await;
    let client = app.signed_in(THERAPIST_A).await;
    let page = format!("/plans/{id}");
    let add = format!("/plans/{id}/stages/{stage}/items");

    let (refused, html) = app.post_form(&client, &page, &add, &[("modality_id", &taping), ("reps", "")]).await;
    let (accepted, _) = app
        .post_form(
            &client,
            &page,
            &add,
            &[("modality_id", &taping), ("override_reason", "Hypoallergenic tape patch-tested for 24 h")],
        )
        .await;
    let (_, after) = app.page(&client, &page).await;
    let (activated, _) = app.post_form(&client, &page, &format!("/plans/{id}/lifecycle/activate"), &[]).await;
    let (amended, _) = app
        .post_form(
            &client,
            &page,
            &format!("/plans/{id}/lifecycle/amend"),
            &[("reason", "Taping stopped: skin reaction")],
        )
        .await;
    let (_, draft) = app.page(&client, &page).await;
    let item = draft.split("/items/").nth(1).map(|s| s.chars().take(36).collect::<String>()).unwrap_or_default();
    let version = draft.split("name=\"version\" value=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or_default();
    app.post_form(&client, &page, &format!("/plans/{id}/items/{item}/remove"), &[("version", version)]).await;
    app.post_form(&client, &page, &format!("/plans/{id}/lifecycle/activate"), &[]).await;
    let (_, v2) = app.page(&client, &page).await;

    assert_eq!(refused, 422);
    assert!(html.contains("Contraindicated for this patient") && html.contains("adhesive_allergy"), "{html}");
    assert_eq!(accepted, 303);
    assert!(after.contains("Override reason: <em>Hypoallergenic tape patch-tested for 24 h</em>"), "{after}");
    assert_eq!(activated, 303);
    assert_eq!(amended, 303);
    assert!(draft.contains("Amendment in progress"));
    assert!(v2.contains("version 2"), "{v2}");
    assert!(v2.contains("<li class=\"removed\">removed: Stage 1"), "the version history shows the diff:\n{v2}");
    assert!(v2.contains("Taping stopped: skin reaction"));
}

#[tokio::test]
async fn a_lead_makes_and_edits_a_clinic_item_in_the_library_pages() {
    let app = spawn_app().await;
    let token = app.token(LEAD_A).await;
    let bridge = modality(&app, &token, "bridge").await;
    let lead = app.signed_in(LEAD_A).await;
    let page = format!("/library/{bridge}");
    let action = format!("/library/{bridge}/clinic");

    let (bad, html) = app
        .post_form(
            &lead,
            &page,
            &action,
            &[("code", "Bad Code!"), ("name", "Bridge with band"), ("patient_instructions", "Lift your hips.")],
        )
        .await;
    let (made, location) = app
        .post_form(
            &lead,
            &page,
            &action,
            &[
                ("code", "bridge_with_band"),
                ("name", "Bridge with band"),
                ("patient_instructions", "Put a band round your knees. Lift your hips."),
            ],
        )
        .await;
    let edit_action = format!("{location}/clinic");
    let (edited, v2) = app
        .post_form(
            &lead,
            &location,
            &edit_action,
            &[
                ("name", "Bridge with band"),
                ("patient_instructions", "Band round your knees. Push them apart. Lift your hips."),
            ],
        )
        .await;
    let (_, shown) = app.page(&lead, &v2).await;
    let therapist = app.signed_in(THERAPIST_A).await;
    let (_, therapist_view) = app.page(&therapist, &page).await;

    assert_eq!(bad, 422);
    assert!(html.contains(r#"id="code-error""#), "{html}");
    assert_eq!(made, 303);
    assert_eq!(edited, 303);
    assert!(shown.contains("version 2") && shown.contains("Push them apart"), "{shown}");
    assert!(!therapist_view.contains("Make a clinic version"), "therapists read the library only");
}

#[tokio::test]
async fn criteria_goals_and_item_edits_over_the_api_need_the_plan_version_and_a_stale_one_is_409() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let p = patient_with(&app, &token, &[]).await;
    let plan = new_plan(&app, &token, &p).await;
    let id = plan["id"].as_str().unwrap_or_default().to_owned();
    let criteria_path = format!("{}/criteria", items_path(&plan, 0).trim_end_matches("/items"));
    let mine = json!([{"measure": "nprs_worst", "comparator": "le", "value": 4.0}]);
    let theirs = json!([{"measure": "nprs_worst", "comparator": "le", "value": 3.0}]);

    let (bare, bare_error) = app.api(Method::PUT, &criteria_path, &token, Some(mine.clone())).await;
    let (unversioned, unversioned_error) =
        app.api(Method::PUT, &criteria_path, &token, Some(json!({"criteria": mine}))).await;
    let v = plan["version"].clone();
    let (first, saved) =
        app.api(Method::PUT, &criteria_path, &token, Some(json!({"version": v, "criteria": theirs}))).await;
    let (stale, conflict) =
        app.api(Method::PUT, &criteria_path, &token, Some(json!({"version": v, "criteria": mine}))).await;

    assert_eq!(bare, 422, "{bare_error}");
    assert!(bare_error["error"]["fields"]["version"].is_array(), "{bare_error}");
    assert_eq!(unversioned, 422, "{unversioned_error}");
    assert!(unversioned_error["error"]["fields"]["version"].is_array(), "{unversioned_error}");
    assert_eq!(first, 200, "{saved}");
    assert_eq!(stale, 409, "{conflict}");
    assert_eq!(conflict["error"]["code"], "version_conflict");
    let (_, current) = app.api(Method::GET, &format!("/api/v1/plans/{id}"), &token, None).await;
    assert_eq!(current["stages"][0]["criteria"][0]["value"], 3.0, "the colleague's criteria are kept");

    let goal = json!({"measure": "odi_percent", "comparator": "le", "target": 20.0});
    let (added, with_goal) = app.plan_api(Method::POST, &format!("/api/v1/plans/{id}/goals"), &token, Some(goal)).await;
    assert_eq!(added, 200, "{with_goal}");
    let goal_path = format!("/api/v1/plans/{id}/goals/{}", with_goal["goals"][0]["id"].as_str().unwrap_or_default());
    let (no_version, goal_error) = app.api(Method::DELETE, &goal_path, &token, None).await;
    assert_eq!(no_version, 422, "{goal_error}");
    assert!(goal_error["error"]["fields"]["version"].is_array(), "{goal_error}");
    let (stale_goal, _) = app.api(Method::DELETE, &goal_path, &token, Some(json!({"version": v}))).await;
    assert_eq!(stale_goal, 409);
    let (removed, _) =
        app.api(Method::DELETE, &goal_path, &token, Some(json!({"version": with_goal["version"]}))).await;
    assert_eq!(removed, 200);

    let item = json!({"modality_id": modality(&app, &token, "mckenzie_extension_in_lying").await});
    let (added_item, with_item) = app.plan_api(Method::POST, &items_path(&plan, 0), &token, Some(item)).await;
    assert_eq!(added_item, 201, "{with_item}");
    let item_path = format!("/api/v1/plans/{id}/items/{}", with_item["id"].as_str().unwrap_or_default());
    for (method, path, body) in [
        (Method::PATCH, item_path.clone(), json!({"clinician_notes": "x"})),
        (Method::POST, format!("{item_path}/move"), json!({"by": 1})),
        (Method::DELETE, item_path.clone(), json!({})),
    ] {
        let (status, error) = app.api(method, &path, &token, Some(body)).await;
        assert_eq!(status, 422, "{path}: {error}");
        assert!(error["error"]["fields"]["version"].is_array(), "{path}: {error}");
    }
    let (_, now) = app.api(Method::GET, &format!("/api/v1/plans/{id}"), &token, None).await;
    let (gone, _) = app.api(Method::DELETE, &item_path, &token, Some(json!({"version": now["version"]}))).await;
    assert_eq!(gone, 200);
}

#[tokio::test]
async fn a_stale_plan_page_cannot_remove_a_criterion_a_colleague_changed_and_says_so() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let p = patient_with(&app, &token, &[]).await;
    let plan = new_plan(&app, &token, &p).await;
    let id = plan["id"].as_str().unwrap_or_default().to_owned();
    let stage = plan["stages"][0]["id"].as_str().unwrap_or_default().to_owned();
    let client = app.signed_in(THERAPIST_A).await;
    let page = format!("/plans/{id}");
    let (_, html) = app.page(&client, &page).await;
    let version = html.split("name=\"version\" value=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or_default();
    assert_eq!(version, plan["version"].to_string(), "the forms carry the plan version");
    // A colleague replaces the criteria through the API.
    let theirs = json!({"version": plan["version"], "criteria": [{"measure": "odi_percent", "comparator": "le", "value": 30.0}]});
    let (changed, _) =
        app.api(Method::PUT, &format!("/api/v1/plans/{id}/stages/{stage}/criteria"), &token, Some(theirs)).await;
    assert_eq!(changed, 200);

    let action = format!("/plans/{id}/stages/{stage}/criteria");
    let first = html.split("name=\"remove\" value=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or_default();
    assert_eq!(first.len(), 16, "a criterion is named by its id, not its position: {first}");
    let (status, body) = app.post_form(&client, &page, &action, &[("remove", first), ("version", version)]).await;

    assert_eq!(status, 409);
    assert!(body.contains("changed by someone else"), "{body}");
    let (_, current) = app.api(Method::GET, &page.replace("/plans", "/api/v1/plans"), &token, None).await;
    assert_eq!(current["stages"][0]["criteria"][0]["measure"], "odi_percent", "the colleague's criterion is kept");
}
