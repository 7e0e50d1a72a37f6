//! The TOTP second factor: enrolment through the API, sign-in with a code or a recovery code
//! (each accepted once), the two-step HTML sign-in, and what administrators may do.

use crate::helpers::{browser, csrf_token, spawn_app, TestApp, ADMIN, PASSWORD, THERAPIST_A};
use reqwest::Method;
use serde_json::{json, Value};
use totp_rs::{Algorithm, Secret, TOTP};

/// The authenticator app: codes for a secret, at the current step plus `ahead` steps.
pub fn code(secret: &str, email: &str, ahead: u64) -> String {
    let bytes = Secret::Encoded(secret.to_owned()).to_bytes().unwrap_or_else(|e| panic!("{e:?}"));
    let totp = TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes, Some("physioplan".into()), email.into())
        .unwrap_or_else(|e| panic!("{e}"));
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    totp.generate(now + 30 * ahead)
}

/// Enrols `email` through the API; returns the secret and the recovery codes.
async fn enrol(app: &TestApp, email: &str) -> (String, Vec<String>) {
    let token = app.token(email).await;
    let (status, started) = app.api(Method::POST, "/api/v1/me/totp", &token, None).await;
    assert_eq!(status, 200, "{started}");
    let secret = started["secret"].as_str().unwrap_or_default().to_owned();
    let uri = started["otpauth_uri"].as_str().unwrap_or_default();
    assert!(uri.starts_with("otpauth://totp/physioplan:") && uri.contains(&format!("secret={secret}")), "{uri}");
    let (status, confirmed) =
        app.api(Method::POST, "/api/v1/me/totp/confirm", &token, Some(json!({"code": code(&secret, email, 0)}))).await;
    assert_eq!(status, 200, "{confirmed}");
    let codes: Vec<String> = confirmed["recovery_codes"]
        .as_array()
        .map(|a| a.iter().filter_map(|c| c.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    (secret, codes)
}

async fn token_with(app: &TestApp, email: &str, totp: Option<&str>) -> (u16, Value) {
    let mut body = json!({"email": email, "password": PASSWORD});
    if let Some(code) = totp {
        body["totp"] = json!(code);
    }
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/auth/token"))
        .json(&body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn once_enrolled_a_token_needs_a_fresh_code_or_an_unused_recovery_code() {
    let app = spawn_app().await;
    let (secret, recovery) = enrol(&app, THERAPIST_A).await;
    assert_eq!(recovery.len(), 10);

    let (status, body) = token_with(&app, THERAPIST_A, None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("mfa_required")), "{body}");
    let (status, _) = token_with(&app, THERAPIST_A, Some("000000")).await;
    assert_eq!(status, 401);
    assert!(!app.audit_events("auth.mfa_failed").is_empty(), "a failed second factor is audited");

    let next = code(&secret, THERAPIST_A, 1);
    let (status, body) = token_with(&app, THERAPIST_A, Some(&next)).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = token_with(&app, THERAPIST_A, Some(&next)).await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("mfa_required")), "a code is accepted once");

    let (status, _) = token_with(&app, THERAPIST_A, Some(&recovery[3].to_uppercase())).await;
    assert_eq!(status, 200, "a recovery code stands in for the app");
    let (status, _) = token_with(&app, THERAPIST_A, Some(&recovery[3])).await;
    assert_eq!(status, 401, "a recovery code is accepted once");
}

#[tokio::test]
async fn a_wrong_code_does_not_confirm_and_a_confirmed_factor_cannot_be_replaced() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let (status, body) =
        app.api(Method::POST, "/api/v1/me/totp/confirm", &token, Some(json!({"code": "123456"}))).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("mfa_not_started")));
    let (_, started) = app.api(Method::POST, "/api/v1/me/totp", &token, None).await;
    let secret = started["secret"].as_str().unwrap_or_default().to_owned();
    let wrong = if code(&secret, THERAPIST_A, 0) == "000000" { "111111" } else { "000000" };
    let (status, body) = app.api(Method::POST, "/api/v1/me/totp/confirm", &token, Some(json!({"code": wrong}))).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"]["fields"]["code"].is_array());
    assert_eq!(token_with(&app, THERAPIST_A, None).await.0, 200, "not in force before confirmation");

    let (status, _) = app
        .api(Method::POST, "/api/v1/me/totp/confirm", &token, Some(json!({"code": code(&secret, THERAPIST_A, 0)})))
        .await;
    assert_eq!(status, 200);
    let (status, body) = app.api(Method::POST, "/api/v1/me/totp", &token, None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("mfa_enabled")));
}

/// Signs in with the password through the form; returns the response.
async fn password_step(app: &TestApp, client: &reqwest::Client) -> reqwest::Response {
    app.login_as(client, THERAPIST_A, PASSWORD).await
}

async fn code_step(app: &TestApp, client: &reqwest::Client, page: &str, code: &str) -> reqwest::Response {
    let token = csrf_token(page);
    client
        .post(app.url("/login/code"))
        .form(&[("code", code), ("csrf_token", token.as_str())])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn the_html_sign_in_asks_for_the_code_before_any_session_starts() {
    let app = spawn_app().await;
    let (secret, _) = enrol(&app, THERAPIST_A).await;
    let client = browser();

    let response = password_step(&app, &client).await;
    assert_eq!(response.status(), 200);
    let cookies: Vec<String> =
        response.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok().map(str::to_owned)).collect();
    assert!(!cookies.iter().any(|c| c.starts_with("pp_session=")), "{cookies:?}");
    let page = response.text().await.unwrap_or_default();
    assert!(page.contains("authenticator app"), "{page}");
    assert_eq!(app.page(&client, "/patients").await.0, 303, "no session after the password alone");

    let wrong = code_step(&app, &client, &page, "999999x").await;
    assert_eq!(wrong.status(), 401);
    let page = wrong.text().await.unwrap_or_default();
    assert!(page.contains("The code is not right"), "{page}");

    let right = code_step(&app, &client, &page, &code(&secret, THERAPIST_A, 1)).await;
    assert_eq!(right.status(), 303);
    assert_eq!(right.headers().get("location").and_then(|l| l.to_str().ok()), Some("/patients"));
    assert_eq!(app.page(&client, "/patients").await.0, 200);
}

#[tokio::test]
async fn the_account_page_shows_a_qr_code_without_inline_script_and_turns_the_factor_on() {
    let app = spawn_app().await;
    let client = app.signed_in(THERAPIST_A).await;
    let (status, _) = app.post_form(&client, "/account", "/account/totp", &[]).await;
    assert_eq!(status, 303);

    let (status, html) = app.page(&client, "/account").await;
    assert_eq!(status, 200);
    assert!(html.contains("<svg"), "a QR code is drawn");
    let inline_scripts = html.matches("<script").count() - html.matches("<script src=").count();
    assert_eq!(inline_scripts, 0, "no inline script (strict CSP)");
    assert!(!html.contains("style="), "no inline style (strict CSP)");
    let marker = "id=\"totp-secret\">";
    let start = html.find(marker).map(|i| i + marker.len()).unwrap_or_else(|| panic!("{html}"));
    let secret = html[start..].split('<').next().unwrap_or_default().to_owned();

    let (status, html) =
        app.post_form(&client, "/account", "/account/totp/confirm", &[("code", &code(&secret, THERAPIST_A, 0))]).await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(html.matches("<li><code>").count(), 10, "ten recovery codes, shown once");
    assert_eq!(token_with(&app, THERAPIST_A, None).await.0, 401, "the factor is in force");
}

#[tokio::test]
async fn an_admin_resets_a_second_factor_and_can_require_one_for_a_clinic() {
    let app = spawn_app().await;
    enrol(&app, THERAPIST_A).await;
    let admin = app.signed_in(ADMIN).await;
    let (_, users) = app.page(&admin, "/admin/users").await;
    let user_id = {
        let marker = "/totp-reset\"";
        let end = users.find(marker).unwrap_or_else(|| panic!("no reset form:\n{users}"));
        users[..end].rsplit("/admin/users/").next().unwrap_or_default().to_owned()
    };
    let (status, _) = app.post_form(&admin, "/admin/users", &format!("/admin/users/{user_id}/totp-reset"), &[]).await;
    assert_eq!(status, 303);
    assert_eq!(token_with(&app, THERAPIST_A, None).await.0, 200, "the password alone signs in again");

    let (status, _) = app
        .post_form(
            &admin,
            "/admin/clinics",
            &format!("/admin/clinics/{}/require-totp", app.clinic_a),
            &[("require", "true")],
        )
        .await;
    assert_eq!(status, 303);
    let therapist = browser();
    let response = app.login_as(&therapist, THERAPIST_A, PASSWORD).await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers().get("location").and_then(|l| l.to_str().ok()), Some("/account?enrol=1"));
    let (_, html) = app.page(&therapist, "/account?enrol=1").await;
    assert!(html.contains("Your clinic requires a second factor"), "{html}");
    let refused = therapist.get(app.url("/patients")).send().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(refused.status(), 303, "no other page opens before enrolment");
    assert_eq!(refused.headers().get("location").and_then(|l| l.to_str().ok()), Some("/account?enrol=1"));

    let secret = {
        let (status, _) = app.post_form(&therapist, "/account", "/account/totp", &[]).await;
        assert_eq!(status, 303);
        let (_, html) = app.page(&therapist, "/account").await;
        let marker = "id=\"totp-secret\">";
        let start = html.find(marker).map(|i| i + marker.len()).unwrap_or_else(|| panic!("{html}"));
        html[start..].split('<').next().unwrap_or_default().to_owned()
    };
    let confirm = [("code", code(&secret, THERAPIST_A, 0))];
    let confirm: Vec<(&str, &str)> = confirm.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _) = app.post_form(&therapist, "/account", "/account/totp/confirm", &confirm).await;
    assert_eq!(status, 200);
    assert_eq!(app.page(&therapist, "/patients").await.0, 200, "enrolled: the pages open again");
}
