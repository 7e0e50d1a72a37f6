//! Patients through the API and the HTML pages: validation, versions, clinic walls.

use crate::helpers::{patient_json, spawn_app, LEAD_A, THERAPIST_A, THERAPIST_B};
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn a_patient_created_through_the_api_can_be_read_back() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;

    let created = app.create_patient(&token, "Ada", "Lovelace").await;

    assert_eq!(created["version"], 1);
    assert_eq!(created["status"], "active");
    assert_eq!(created["clinic_id"], app.clinic_a.to_string());
    assert_eq!(created["history"], json!(["anticoagulants", "diabetes"]));
    let id = created["id"].as_str().unwrap_or_default();
    let (status, read) = app.api(Method::GET, &format!("/api/v1/patients/{id}"), &token, None).await;
    assert_eq!(status, 200);
    assert_eq!(read["family_name"], "Lovelace");
    assert_eq!(read["date_of_birth"], "1975-03-14");
}

#[tokio::test]
async fn bad_input_gets_422_naming_each_field() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let mut body = patient_json("", "Doe");
    body["date_of_birth"] = json!("14/03/1975");
    body["side"] = json!("middle");
    body["history"] = json!(["warfarin"]);

    let (status, error) = app.api(Method::POST, "/api/v1/patients", &token, Some(body)).await;

    assert_eq!(status, 422);
    assert_eq!(error["error"]["code"], "validation_failed");
    let fields = &error["error"]["fields"];
    for field in ["given_name", "date_of_birth", "side", "history"] {
        assert!(fields[field].is_array(), "{field} missing in {error}");
    }
    assert_eq!(fields["history"][0], "not a known history code", "names what is expected, never the value");
}

#[tokio::test]
async fn a_value_of_the_wrong_type_is_named_not_a_bare_400() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let mut body = patient_json("Ada", "Lovelace");
    body["history"] = json!("anticoagulants");

    let (status, error) = app.api(Method::POST, "/api/v1/patients", &token, Some(body)).await;

    assert_eq!(status, 422);
    assert!(error["error"]["fields"]["history"].is_array(), "{error}");
}

#[tokio::test]
async fn a_stale_version_gets_409_and_keeps_the_newer_change() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let id = app.create_patient(&token, "Ada", "Lovelace").await["id"].as_str().unwrap_or_default().to_owned();
    let path = format!("/api/v1/patients/{id}");

    let (first, saved) = app.api(Method::PATCH, &path, &token, Some(json!({"version": 1, "phone": "0123 456"}))).await;
    let (second, conflict) =
        app.api(Method::PATCH, &path, &token, Some(json!({"version": 1, "phone": "0999 999"}))).await;

    assert_eq!(first, 200);
    assert_eq!(saved["version"], 2);
    assert_eq!(second, 409);
    assert_eq!(conflict["error"]["code"], "version_conflict");
    let (_, current) = app.api(Method::GET, &path, &token, None).await;
    assert_eq!(current["phone"], "0123 456");
}

#[tokio::test]
async fn a_patch_with_a_new_name_and_an_invalid_status_saves_nothing() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let id = app.create_patient(&token, "Ada", "Lovelace").await["id"].as_str().unwrap_or_default().to_owned();
    let path = format!("/api/v1/patients/{id}");

    let bad_status = json!({"version": 1, "family_name": "Byron", "status": "archived"});
    let (status, error) = app.api(Method::PATCH, &path, &token, Some(bad_status)).await;
    assert_eq!(status, 422, "{error}");
    assert!(error["error"]["fields"]["status"].is_array(), "{error}");
    let future = json!({"version": 1, "family_name": "Byron", "status": "discharged", "discharged_on": "2999-01-01"});
    let (status, error) = app.api(Method::PATCH, &path, &token, Some(future)).await;
    assert_eq!(status, 422, "{error}");
    assert!(error["error"]["fields"]["discharged_on"].is_array(), "{error}");

    let (_, current) = app.api(Method::GET, &path, &token, None).await;
    assert_eq!(current["family_name"], "Lovelace", "the name was not saved");
    assert_eq!(current["version"], 1);
    assert_eq!(current["status"], "active");

    let both = json!({"version": 1, "family_name": "Byron", "status": "discharged"});
    let (status, saved) = app.api(Method::PATCH, &path, &token, Some(both)).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["family_name"], "Byron");
    assert_eq!(saved["status"], "discharged");
}

#[tokio::test]
async fn another_clinics_patient_is_not_found_for_reading_or_writing() {
    let app = spawn_app().await;
    let token_a = app.token(THERAPIST_A).await;
    let token_b = app.token(THERAPIST_B).await;
    let id = app.create_patient(&token_a, "Ada", "Lovelace").await["id"].as_str().unwrap_or_default().to_owned();
    let path = format!("/api/v1/patients/{id}");

    let (read, body) = app.api(Method::GET, &path, &token_b, None).await;
    let (write, _) = app.api(Method::PATCH, &path, &token_b, Some(json!({"version": 1, "phone": "1"}))).await;
    let (_, list) = app.api(Method::GET, "/api/v1/patients", &token_b, None).await;

    assert_eq!(read, 404);
    assert_eq!(body["error"]["code"], "not_found");
    assert_eq!(write, 404);
    assert_eq!(list["total"], 0);
    let browser_b = app.signed_in(THERAPIST_B).await;
    let (status, html) = app.page(&browser_b, &format!("/patients/{id}")).await;
    assert_eq!(status, 404);
    assert!(!html.contains("Lovelace"));
}

#[tokio::test]
async fn search_finds_patients_by_part_of_the_name_case_insensitively() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    app.create_patient(&token, "Ada", "Lovelace").await;
    app.create_patient(&token, "Grace", "Hopper").await;

    let (_, found) = app.api(Method::GET, "/api/v1/patients?q=LOVE", &token, None).await;
    let (_, percent) = app.api(Method::GET, "/api/v1/patients?q=%25", &token, None).await;
    let (bad_page, error) = app.api(Method::GET, "/api/v1/patients?page=zero", &token, None).await;

    assert_eq!(found["total"], 1);
    assert_eq!(found["items"][0]["given_name"], "Ada");
    assert_eq!(percent["total"], 0, "a % in the search is a literal, not a wildcard");
    assert_eq!(bad_page, 422);
    assert!(error["error"]["fields"]["page"].is_array());
}

#[tokio::test]
async fn discharging_through_the_api_records_the_date() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let id = app.create_patient(&token, "Ada", "Lovelace").await["id"].as_str().unwrap_or_default().to_owned();

    let (status, body) = app
        .api(
            Method::PATCH,
            &format!("/api/v1/patients/{id}"),
            &token,
            Some(json!({"version": 1, "status": "discharged", "discharged_on": "2026-11-20"})),
        )
        .await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "discharged");
    assert_eq!(body["discharged_on"], "2026-11-20");
    let (_, active) = app.api(Method::GET, "/api/v1/patients", &token, None).await;
    assert_eq!(active["total"], 0, "the default list shows active patients");
}

#[tokio::test]
async fn the_new_patient_form_shows_messages_next_to_fields_and_keeps_the_input() {
    let app = spawn_app().await;
    let client = app.signed_in(THERAPIST_A).await;

    let (status, html) = app
        .post_form(
            &client,
            "/patients/new",
            "/patients",
            &[
                ("given_name", "Ada"),
                ("family_name", ""),
                ("date_of_birth", "1975-13-40"),
                ("condition", "Sciatica"),
                ("side", "left"),
                ("history", "pregnancy"),
            ],
        )
        .await;

    assert_eq!(status, 422);
    assert!(html.contains(r#"<p class="field-error" id="family_name-error">Enter the family name"#), "{html}");
    assert!(html.contains(r#"id="date_of_birth-error">Enter a date as YYYY-MM-DD"#));
    assert!(html.contains(r#"value="Ada""#), "typed input is kept");
    assert!(html.contains(r#"value="pregnancy" checked"#), "ticked history is kept");
}

#[tokio::test]
async fn a_therapist_adds_a_patient_through_the_form_and_sees_the_record() {
    let app = spawn_app().await;
    let client = app.signed_in(THERAPIST_A).await;

    let (status, location) = app
        .post_form(
            &client,
            "/patients/new",
            "/patients",
            &[
                ("given_name", "Ada"),
                ("family_name", "Lovelace"),
                ("date_of_birth", "1975-03-14"),
                ("condition", "Sciatica"),
                ("side", "right"),
                ("history", "pregnancy"),
                ("history", "dvt"),
            ],
        )
        .await;

    assert_eq!(status, 303);
    let (_, list) = app.page(&client, "/patients?q=lovelace").await;
    assert!(list.contains("Lovelace, Ada"), "{list}");
    assert!(list.contains(&format!("href=\"{location}\"")), "the list links to the new record");
    let (status, record) = app.page(&client, &location).await;
    assert_eq!(status, 200);
    assert!(record.contains("Pregnant") && record.contains("Deep vein thrombosis"), "{record}");
}

#[tokio::test]
async fn an_edit_over_someone_elses_change_is_refused_without_losing_the_input() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let id = app.create_patient(&token, "Ada", "Lovelace").await["id"].as_str().unwrap_or_default().to_owned();
    let client = app.signed_in(LEAD_A).await;
    let edit = format!("/patients/{id}/edit");
    let (_, form) = app.page(&client, &edit).await;
    let csrf = crate::helpers::csrf_token(&form);
    // Someone else saves first.
    app.api(
        Method::PATCH,
        &format!("/api/v1/patients/{id}"),
        &token,
        Some(json!({"version": 1, "condition": "Changed elsewhere"})),
    )
    .await;

    let response = client
        .post(app.url(&edit))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("version", "1"),
            ("given_name", "Ada"),
            ("family_name", "Lovelace"),
            ("date_of_birth", "1975-03-14"),
            ("condition", "My careful edit"),
            ("side", "left"),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    assert_eq!(response.status(), 409);
    let html = response.text().await.unwrap_or_default();
    assert!(html.contains("Someone else changed this patient"), "{html}");
    assert!(html.contains(r#"value="My careful edit""#), "the user's input is kept");
    assert!(html.contains(r#"name="version" value="2""#), "saving again is based on the current version");
    let (_, current) = app.api(Method::GET, &format!("/api/v1/patients/{id}"), &token, None).await;
    assert_eq!(current["condition"], "Changed elsewhere");
}

#[tokio::test]
async fn a_method_a_path_does_not_have_is_405_naming_the_allowed_ones_and_an_unknown_path_404() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;

    let trace = reqwest::Client::new()
        .request(Method::TRACE, app.url("/api/v1/patients"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(trace.status(), 405);
    assert_eq!(trace.headers()["allow"], "GET, POST");
    let body: Value = trace.json().await.unwrap_or_default();
    assert_eq!(body["error"]["code"], "method_not_allowed");

    let (status, _) = app.api(Method::DELETE, "/api/v1/patients", &token, None).await;
    assert_eq!(status, 405);
    let (status, body) = app.api(Method::GET, "/api/v1/no-such-thing", &token, None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("not_found")));
    let (status, body) = app.api(Method::GET, "/api/v1/patients?page=1&page=2", &token, None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("validation_failed")));
}

/// SQLite: a writer that keeps the database locked past `busy_timeout` makes a write answer
/// 503 with `Retry-After` (PostgreSQL waits for the lock instead).
#[tokio::test]
async fn a_database_locked_by_another_writer_answers_503_with_retry_after() {
    use diesel::connection::SimpleConnection;
    let app = spawn_app().await;
    if app.db.backend() != "sqlite" {
        return;
    }
    let token = app.token(THERAPIST_A).await;
    let mut holder = app.db.conn().unwrap_or_else(|e| panic!("{e}"));
    holder.batch_execute("BEGIN EXCLUSIVE").unwrap_or_else(|e| panic!("{e}"));
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/patients"))
        .bearer_auth(&token)
        .json(&crate::helpers::patient_json("Ada", "Lovelace"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    holder.batch_execute("ROLLBACK").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), 503);
    assert!(response.headers().get("retry-after").is_some());
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    assert_eq!(body["error"]["code"], "unavailable");
}
