//! Roland-Morris and the Patient-Specific Functional Scale: scored through the API, refused
//! with the field named, on the form, charted with their MCIDs and usable in goals.

use crate::helpers::{screened, spawn_app, TestApp, ADMIN, THERAPIST_A};
use reqwest::Method;
use serde_json::{json, Value};

fn rmdq(yes: usize) -> Value {
    json!((0..24).map(|i| i < yes).collect::<Vec<_>>())
}

async fn record(app: &TestApp, token: &str, patient: &str, body: Value) -> (u16, Value) {
    app.api(Method::POST, &format!("/api/v1/patients/{patient}/assessments"), token, Some(body)).await
}

async fn patient(app: &TestApp, token: &str) -> String {
    app.create_patient(token, "Mary", "Somerville").await["id"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn rmdq_and_psfs_are_scored_and_kept() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let p = patient(&app, &token).await;
    let body = json!({"kind": "initial", "assessed_on": "2026-10-01", "findings": screened(json!([])), "rmdq": rmdq(14),
        "psfs": [{"activity": "Sitting at my desk", "score": 3}, {"activity": "Lifting my toddler", "score": 4}]});

    let (created, a) = record(&app, &token, &p, body).await;
    let (_, read) = app
        .api(Method::GET, &format!("/api/v1/assessments/{}", a["id"].as_str().unwrap_or_default()), &token, None)
        .await;

    assert_eq!(created, 201, "{a}");
    assert_eq!(a["scores"]["rmdq"], 14);
    assert_eq!(a["scores"]["psfs_mean"], 3.5);
    assert_eq!(read["content"]["rmdq"], rmdq(14));
    assert_eq!(read["content"]["psfs"][1], json!({"activity": "Lifting my toddler", "score": 4}));
}

#[tokio::test]
async fn bad_rmdq_and_psfs_answers_are_refused_naming_the_field() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let p = patient(&app, &token).await;
    let six: Vec<Value> = (0..6).map(|i| json!({"activity": format!("task {i}"), "score": 5})).collect();
    let table = [
        (json!({"rmdq": [true, false, true]}), "rmdq"),
        (json!({"rmdq": (0..24).map(|_| "yes").collect::<Vec<_>>()}), "rmdq"),
        (json!({"psfs": six}), "psfs"),
        (json!({"psfs": [{"activity": "Walking", "score": 11}]}), "psfs[0].score"),
        (json!({"psfs": [{"activity": "Walking", "score": 5}, {"activity": "", "score": 5}]}), "psfs[1].activity"),
        (json!({"psfs": [{"activity": "x".repeat(101), "score": 5}]}), "psfs[0].activity"),
    ];
    for (extra, field) in table {
        let mut body = json!({"kind": "reassessment", "assessed_on": "2026-10-01"});
        for (k, v) in extra.as_object().cloned().unwrap_or_default() {
            body[k] = v;
        }
        let (status, error) = record(&app, &token, &p, body).await;
        assert_eq!(status, 422, "{field}: {error}");
        assert_eq!(error["error"]["code"], "validation_failed", "{error}");
        assert!(error["error"]["fields"][field].is_array(), "{field}: {error}");
    }
}

#[tokio::test]
async fn progress_charts_rmdq_and_psfs_with_their_mcids_and_goals_can_use_them() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let p = patient(&app, &token).await;
    let psfs = |s: i64| json!([{"activity": "Sitting", "score": s}, {"activity": "Bending", "score": s}]);
    let first = json!({"kind": "initial", "assessed_on": "2026-10-01", "findings": screened(json!([])), "rmdq": rmdq(15), "psfs": psfs(3)});
    let (_, a) = record(&app, &token, &p, first).await;
    app.api(Method::POST, &format!("/api/v1/assessments/{}/sign", a["id"].as_str().unwrap_or_default()), &token, None)
        .await;
    let again = json!({"kind": "reassessment", "assessed_on": "2026-11-01", "rmdq": rmdq(9), "psfs": psfs(4)});
    let (_, b) = record(&app, &token, &p, again).await;
    app.api(Method::POST, &format!("/api/v1/assessments/{}/sign", b["id"].as_str().unwrap_or_default()), &token, None)
        .await;
    let (_, plan) =
        app.api(Method::POST, &format!("/api/v1/patients/{p}/plans"), &token, Some(json!({"title": "Back"}))).await;
    let plan_id = plan["id"].as_str().unwrap_or_default();
    let (goal, with_goal) = app
        .plan_api(
            Method::POST,
            &format!("/api/v1/plans/{plan_id}/goals"),
            &token,
            Some(json!({"measure": "psfs_mean", "comparator": "ge", "target": 7})),
        )
        .await;

    let (_, progress) = app.api(Method::GET, &format!("/api/v1/patients/{p}/progress"), &token, None).await;
    let series = |key: &str| {
        progress["series"].as_array().and_then(|s| s.iter().find(|x| x["key"] == key).cloned()).unwrap_or_default()
    };
    let client = app.signed_in(THERAPIST_A).await;
    let (_, page) = app.page(&client, &format!("/patients/{p}/progress")).await;

    let (r, f) = (series("rmdq"), series("psfs_mean"));
    assert_eq!(
        (r["mcid_points"].clone(), r["change"].clone(), r["reaches_mcid"].clone()),
        (json!(5.0), json!(-6.0), json!(true))
    );
    assert_eq!(
        (f["mcid_points"].clone(), f["change"].clone(), f["reaches_mcid"].clone()),
        (json!(2.0), json!(1.0), json!(false))
    );
    assert_eq!(f["higher_is_better"], true);
    assert!(
        page.contains("Roland-Morris Disability Questionnaire") && page.contains("Patient-Specific Functional Scale")
    );
    assert!(page.contains("Roland-Morris 5 points, PSFS mean 2 points"), "{page}");
    assert!((200..300).contains(&goal), "{with_goal}");
    let goals = with_goal["goals"].as_array().cloned().unwrap_or_default();
    assert!(goals.iter().any(|g| g["measure"] == "psfs_mean" && g["baseline"] == 4.0), "{with_goal}");
}

#[tokio::test]
async fn the_form_takes_numbered_rmdq_statements_and_psfs_rows_and_the_admin_sets_their_mcids() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let p = patient(&app, &token).await;
    let client = app.signed_in(THERAPIST_A).await;
    let form = format!("/patients/{p}/assessments/new");
    let action = format!("/patients/{p}/assessments");
    let (_, blank) = app.page(&client, &form).await;
    let mut fields: Vec<(String, String)> =
        vec![("kind".into(), "reassessment".into()), ("assessed_on".into(), "2026-10-01".into())];
    for n in 1..=24 {
        fields.push((format!("rmdq.{n}"), if n <= 10 { "yes" } else { "no" }.into()));
    }
    fields.push(("psfs.0.activity".into(), "Gardening".into()));
    fields.push(("psfs.0.score".into(), "12".into()));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (bad, html) = app.post_form(&client, &form, &action, &pairs).await;
    let mut fixed = pairs.clone();
    fixed.retain(|(k, _)| *k != "psfs.0.score");
    fixed.push(("psfs.0.score", "6"));
    let (ok, location) = app.post_form(&client, &form, &action, &fixed).await;
    let (_, view) = app.page(&client, &location).await;
    let admin = app.signed_in(ADMIN).await;
    let mcid = format!("/admin/clinics/{}/mcid", app.clinic_a);
    let (saved, _) = app
        .post_form(
            &admin,
            "/admin/clinics",
            &mcid,
            &[("odi_points", "10"), ("nprs_points", "2"), ("rmdq_points", "4"), ("psfs_points", "3")],
        )
        .await;
    let (refused, message) = app
        .post_form(
            &admin,
            "/admin/clinics",
            &mcid,
            &[("odi_points", "10"), ("nprs_points", "2"), ("rmdq_points", "30")],
        )
        .await;
    let (_, progress) = app.api(Method::GET, &format!("/api/v1/patients/{p}/progress"), &token, None).await;

    assert!(blank.contains("Statement 24") && blank.contains(r#"name="psfs.4.activity""#), "numbered, never worded");
    assert_eq!(bad, 422);
    assert!(
        html.contains("PSFS score 1 must be a whole number from 0 to 10"),
        "the message names the scale, not its code"
    );
    assert!(html.contains(r#"value="Gardening""#), "typed activity is kept");
    assert_eq!(ok, 303, "{location}");
    assert!(view.contains("10 / 24") && view.contains("mean 6.0 / 10"), "{view}");
    assert_eq!(saved, 303);
    assert_eq!(refused, 422);
    assert!(message.contains("roland_morris MCID points must be above 0 and at most 24"), "{message}");
    assert_eq!(progress["thresholds"]["roland_morris"]["points"], 4.0);
    assert_eq!(progress["thresholds"]["psfs"]["points"], 3.0);
}
