//! Signing in and out, sessions, CSRF, throttling, tokens.

use crate::helpers::{browser, spawn_app, PASSWORD, THERAPIST_A};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn a_wrong_password_is_refused_and_no_session_is_started() {
    let app = spawn_app().await;
    let client = browser();

    let response = app.login_as(&client, THERAPIST_A, "not the password").await;

    assert_eq!(response.status(), 401);
    let html = response.text().await.unwrap_or_default();
    assert!(html.contains("The e-mail or password is not right."), "{html}");
    let (status, _) = app.page(&client, "/patients").await;
    assert_eq!(status, 303, "an unauthenticated visit is sent to the sign-in page");
}

#[tokio::test]
async fn signing_in_sets_a_hardened_session_cookie_and_shows_the_patient_list() {
    let app = spawn_app().await;
    let client = browser();

    let response = app.login_as(&client, THERAPIST_A, PASSWORD).await;

    assert_eq!(response.status(), 303);
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("pp_session="))
        .unwrap_or_default()
        .to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let (status, html) = app.page(&client, "/patients").await;
    assert_eq!(status, 200);
    assert!(html.contains("<h1>Patients</h1>"));
}

#[tokio::test]
async fn repeated_failures_throttle_the_account_even_for_the_right_password() {
    let app = spawn_app().await;
    let client = browser();
    for _ in 0..5 {
        assert_eq!(app.login_as(&client, THERAPIST_A, "wrong guess").await.status(), 401);
    }

    let response = app.login_as(&client, THERAPIST_A, PASSWORD).await;

    assert_eq!(response.status(), 429);
    assert!(response.text().await.unwrap_or_default().contains("Too many failed sign-ins"));
    let api = reqwest::Client::new()
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({"email": THERAPIST_A, "password": PASSWORD}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(api.status(), 429, "the API is throttled too");
}

#[tokio::test]
async fn signing_out_revokes_the_session_on_the_server() {
    let app = spawn_app().await;
    let client = app.signed_in(THERAPIST_A).await;
    // Keep a copy of the session cookie, as an attacker who stole it would.
    let stolen = browser();
    let stolen_cookie = {
        let response = app.login_as(&stolen, THERAPIST_A, PASSWORD).await;
        response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("pp_session="))
            .map(|c| c.split(';').next().unwrap_or_default().to_owned())
            .unwrap_or_default()
    };
    let (_, stolen_html) = app.page(&stolen, "/patients").await;
    let stolen_token = crate::helpers::csrf_token(&stolen_html);

    let out = stolen
        .post(app.url("/logout"))
        .form(&[("csrf_token", stolen_token.as_str())])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    assert_eq!(out.status(), 303);
    let replay = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let replayed =
        replay.get(app.url("/patients")).header("cookie", stolen_cookie).send().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(replayed.status(), 303, "the revoked session no longer opens pages");
    let (status, _) = app.page(&client, "/patients").await;
    assert_eq!(status, 200, "other sessions of the same user are unaffected");
}

#[tokio::test]
async fn a_form_without_the_csrf_token_is_refused_and_saves_nothing() {
    let app = spawn_app().await;
    let client = app.signed_in(THERAPIST_A).await;

    let response = client
        .post(app.url("/patients"))
        .form(&[
            ("given_name", "Forged"),
            ("family_name", "Request"),
            ("date_of_birth", "1980-01-01"),
            ("condition", "x"),
            ("side", "left"),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    assert_eq!(response.status(), 403);
    let token = app.token(THERAPIST_A).await;
    let (_, list) = app.api(Method::GET, "/api/v1/patients?q=forged", &token, None).await;
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn the_api_needs_a_valid_bearer_token() {
    let app = spawn_app().await;

    let (status, body) = app.api(Method::GET, "/api/v1/me", "not-a-token", None).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "unauthenticated");

    let anonymous =
        reqwest::Client::new().get(app.url("/api/v1/patients")).send().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(anonymous.status(), 401);

    let token = app.token(THERAPIST_A).await;
    let (status, me) = app.api(Method::GET, "/api/v1/me", &token, None).await;
    assert_eq!(status, 200);
    assert_eq!(me["email"], THERAPIST_A);
    assert_eq!(me["role"], "therapist");
    assert_eq!(me["clinic_id"], app.clinic_a.to_string());
}

#[tokio::test]
async fn a_token_request_with_a_wrong_password_gets_401_json() {
    let app = spawn_app().await;
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({"email": THERAPIST_A, "password": "nope"}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), 401);
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    assert_eq!(body["error"]["code"], "unauthenticated");
}
