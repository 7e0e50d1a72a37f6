//! The library's safety floor, techniques and who publishes protocols, through the API and
//! the pages.

use crate::helpers::{patient_json, spawn_app, TestApp, LEAD_A, THERAPIST_A};
use reqwest::Method;
use serde_json::{json, Value};

async fn builtin(app: &TestApp, token: &str, code: &str) -> Value {
    let (_, items) = app.api(Method::GET, "/api/v1/modalities", token, None).await;
    items.as_array().and_then(|a| a.iter().find(|i| i["code"] == code)).cloned().unwrap_or_else(|| panic!("no {code}"))
}

async fn plan_for(app: &TestApp, token: &str, history: &[&str]) -> Value {
    let mut body = patient_json("Grace", "Hopper");
    body["history"] = json!(history);
    let (_, p) = app.api(Method::POST, "/api/v1/patients", token, Some(body)).await;
    let path = format!("/api/v1/patients/{}/plans", p["id"].as_str().unwrap_or_default());
    let (status, plan) = app.api(Method::POST, &path, token, Some(json!({"title": "Sciatica"}))).await;
    assert_eq!(status, 201, "{plan}");
    plan
}

fn items_path(plan: &Value) -> String {
    format!(
        "/api/v1/plans/{}/stages/{}/items",
        plan["id"].as_str().unwrap_or_default(),
        plan["stages"][0]["id"].as_str().unwrap_or_default()
    )
}

fn facts(item: &Value) -> Vec<(String, String)> {
    item["definition"]["contraindications"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|c| {
                    (
                        c["fact"].as_str().unwrap_or_default().to_owned(),
                        c["severity"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_dry_needling_clinic_item_published_without_consent_or_contraindications_keeps_the_floor() {
    let app = spawn_app().await;
    let lead = app.token(LEAD_A).await;
    let therapist = app.token(THERAPIST_A).await;
    let mut def = builtin(&app, &lead, "dry_needling_piriformis").await["definition"].clone();
    def["code"] = json!("clinic_needling_glutes");
    def["name"] = json!("Gluteal needling");
    def["consent_required"] = json!(false);
    def["contraindications"] = json!([]);

    let (created, item) = app.api(Method::POST, "/api/v1/modalities", &lead, Some(def.clone())).await;
    let plan = plan_for(&app, &therapist, &["needle_phobia", "anticoagulants"]).await;
    let id = item["id"].clone();
    let (phobic, blocked) = app
        .plan_api(Method::POST, &items_path(&plan), &therapist, Some(json!({"modality_id": id, "consent": true})))
        .await;
    let plain = plan_for(&app, &therapist, &[]).await;
    let (unconsented, refused) =
        app.plan_api(Method::POST, &items_path(&plain), &therapist, Some(json!({"modality_id": id}))).await;
    // Editing it to drop the rows again saves a new version that still has them.
    def["contraindications"] = json!([{"fact": "needle_phobia", "severity": "relative", "note": "ask"}]);
    let (edited, v2) = app
        .api(Method::PUT, &format!("/api/v1/modalities/{}", id.as_str().unwrap_or_default()), &lead, Some(def))
        .await;

    assert_eq!(created, 201, "{item}");
    assert_eq!(item["definition"]["consent_required"], true);
    assert!(facts(&item).contains(&("needle_phobia".into(), "absolute".into())), "{:?}", facts(&item));
    assert!(facts(&item).contains(&("anticoagulants".into(), "relative".into())));
    assert_eq!(phobic, 422);
    assert_eq!(blocked["error"]["code"], "contraindicated");
    assert!(blocked["error"]["message"].as_str().unwrap_or_default().contains("needle_phobia"));
    assert_eq!(unconsented, 422);
    assert_eq!(refused["error"]["code"], "consent_required");
    assert_eq!(edited, 200, "{v2}");
    assert_eq!(v2["definition"]["consent_required"], true);
    assert!(facts(&v2).contains(&("needle_phobia".into(), "absolute".into())), "{:?}", facts(&v2));
}

#[tokio::test]
async fn manual_therapy_items_say_their_technique_and_a_thrust_item_gets_the_thrust_floor() {
    let app = spawn_app().await;
    let lead = app.token(LEAD_A).await;
    let thrust = builtin(&app, &lead, "lumbar_thrust_manipulation").await;
    let soft = builtin(&app, &lead, "soft_tissue_mobilisation").await;
    let pa = builtin(&app, &lead, "lumbar_pa_mobilisation").await;
    let mut def = pa["definition"].clone();
    def["code"] = json!("clinic_rotation_thrust");
    def["technique"] = json!("thrust");
    def["consent_required"] = json!(false);
    let (created, item) = app.api(Method::POST, "/api/v1/modalities", &lead, Some(def.clone())).await;
    def["code"] = json!("clinic_unsaid");
    def.as_object_mut().map(|d| d.remove("technique"));
    let (missing, missing_error) = app.api(Method::POST, "/api/v1/modalities", &lead, Some(def.clone())).await;
    def["category"] = json!("exercise");
    def["technique"] = json!("thrust");
    let (misplaced, misplaced_error) = app.api(Method::POST, "/api/v1/modalities", &lead, Some(def)).await;

    assert_eq!(thrust["definition"]["technique"], "thrust");
    assert_eq!(soft["definition"]["technique"], "soft_tissue");
    assert_eq!(pa["definition"]["technique"], "non_thrust");
    assert_eq!(created, 201, "{item}");
    assert_eq!(item["definition"]["consent_required"], true);
    for fact in ["osteoporosis", "cancer_history", "progressive_neuro_deficit", "bleeding_disorder"] {
        assert!(facts(&item).contains(&(fact.into(), "absolute".into())), "{fact}: {:?}", facts(&item));
    }
    assert!(facts(&item).contains(&("anticoagulants".into(), "relative".into())));
    assert_eq!(missing, 422);
    assert!(missing_error["error"]["fields"]["technique"].is_array(), "{missing_error}");
    assert_eq!(misplaced, 422);
    assert!(misplaced_error["error"]["fields"]["technique"].is_array(), "{misplaced_error}");
}

#[tokio::test]
async fn only_leads_and_admins_publish_protocols_and_the_plan_page_hides_it_from_therapists() {
    let app = spawn_app().await;
    let therapist = app.token(THERAPIST_A).await;
    let lead = app.token(LEAD_A).await;
    let plan = plan_for(&app, &therapist, &[]).await;
    let id = plan["id"].as_str().unwrap_or_default().to_owned();
    let path = format!("/api/v1/plans/{id}/protocol");

    let (refused, error) = app.api(Method::POST, &path, &therapist, Some(json!({"name": "Mine"}))).await;
    let (published, _) = app.api(Method::POST, &path, &lead, Some(json!({"name": "Clinic standard"}))).await;
    let (_, protocols) = app.api(Method::GET, "/api/v1/protocols", &therapist, None).await;
    let as_therapist = app.signed_in(THERAPIST_A).await;
    let (_, therapist_page) = app.page(&as_therapist, &format!("/plans/{id}")).await;
    let (html_refused, _) = app
        .post_form(
            &as_therapist,
            &format!("/plans/{id}"),
            &format!("/plans/{id}/lifecycle/protocol"),
            &[("reason", "Mine")],
        )
        .await;
    let as_lead = app.signed_in(LEAD_A).await;
    let (_, lead_page) = app.page(&as_lead, &format!("/plans/{id}")).await;

    assert_eq!(refused, 403);
    assert_eq!(error["error"]["code"], "forbidden");
    assert_eq!(published, 201);
    let names: Vec<&str> =
        protocols.as_array().map(|p| p.iter().filter_map(|x| x["name"].as_str()).collect()).unwrap_or_default();
    assert!(names.contains(&"Clinic standard") && !names.contains(&"Mine"), "{names:?}");
    assert!(!therapist_page.contains("Save as protocol"));
    assert_eq!(html_refused, 403);
    assert!(lead_page.contains("Save as protocol"));
}

#[tokio::test]
async fn every_seed_article_modality_is_in_the_library_with_its_stance_and_seeding_again_changes_nothing() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let (_, before) = app.api(Method::GET, "/api/v1/modalities", &token, None).await;
    {
        let mut conn = app.db.conn().unwrap_or_else(|e| panic!("{e}"));
        physioplan::service::library::seed(&mut conn).unwrap_or_else(|e| panic!("{e}"));
        physioplan::service::library::seed(&mut conn).unwrap_or_else(|e| panic!("{e}"));
    }
    let (_, after) = app.api(Method::GET, "/api/v1/modalities", &token, None).await;
    let cupping = builtin(&app, &token, "cupping").await;
    let cranial = builtin(&app, &token, "cranial_osteopathy").await;

    for code in [
        "cupping",
        "pilates_based_exercise",
        "cranial_osteopathy",
        "stress_management",
        "breaks_from_sitting",
        "training_modification",
    ] {
        let item = builtin(&app, &token, code).await;
        assert_eq!(item["builtin"], true, "{code}");
        assert!(item["definition"]["guideline"]["note"].as_str().is_some_and(|n| !n.is_empty()), "{code}");
    }
    let ids = |v: &Value| {
        v.as_array().map(|a| a.iter().map(|i| (i["code"].clone(), i["version"].clone())).collect::<Vec<_>>())
    };
    assert_eq!(ids(&before), ids(&after), "seeding twice adds no item and no version");
    assert_eq!(after.as_array().map(Vec::len), Some(55));
    for item in [&cupping, &cranial] {
        let g = &item["definition"]["guideline"];
        assert_eq!((g["jospt_2021"].clone(), g["nice_ng59"].clone()), (json!("no_statement"), json!("no_statement")));
        assert!(g["note"].as_str().unwrap_or_default().contains("Never the core of a plan"));
    }
    assert!(facts(&cupping).contains(&("anticoagulants".into(), "relative".into())));
    assert!(facts(&cupping).contains(&("open_wound".into(), "absolute".into())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_concurrent_edits_of_one_item_leave_one_current_version_and_the_others_get_409() {
    let app = spawn_app().await;
    let lead = app.token(LEAD_A).await;
    let mut def = builtin(&app, &lead, "soft_tissue_mobilisation").await["definition"].clone();
    def["code"] = json!("clinic_soft_tissue");
    def["name"] = json!("Clinic soft tissue");
    let (created, item) = app.api(Method::POST, "/api/v1/modalities", &lead, Some(def.clone())).await;
    assert_eq!(created, 201, "{item}");
    let path = format!("/api/v1/modalities/{}", item["id"].as_str().unwrap_or_default());

    let edit = |n: usize| {
        let mut body = def.clone();
        body["name"] = json!(format!("Clinic soft tissue, edit {n}"));
        app.api(Method::PUT, &path, &lead, Some(body))
    };
    let results = tokio::join!(edit(1), edit(2), edit(3), edit(4), edit(5), edit(6), edit(7), edit(8));
    let results = [results.0, results.1, results.2, results.3, results.4, results.5, results.6, results.7];

    let saved: Vec<&Value> = results.iter().filter(|(s, _)| *s == 200).map(|(_, b)| b).collect();
    assert_eq!(saved.len(), 1, "exactly one edit wins: {results:?}");
    for (status, body) in results.iter().filter(|(s, _)| *s != 200) {
        assert_eq!(*status, 409, "{body}");
        assert_eq!(body["error"]["code"], "version_conflict", "{body}");
    }
    let (_, items) = app.api(Method::GET, "/api/v1/modalities", &lead, None).await;
    let current: Vec<&Value> =
        items.as_array().map(|a| a.iter().filter(|i| i["code"] == "clinic_soft_tissue").collect()).unwrap_or_default();
    assert_eq!(current.len(), 1, "one current version: {current:?}");
    assert_eq!(current[0]["version"], 2);
    assert_eq!(current[0]["name"], saved[0]["name"]);

    let (stale, conflict) = app.api(Method::PUT, &path, &lead, Some(def)).await;
    assert_eq!(stale, 409, "an edit based on the old version is refused: {conflict}");
}
