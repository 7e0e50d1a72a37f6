//! Passwords and sessions: revoking a token, changing and resetting passwords (with the
//! policy), listing and ending sessions, and deactivating users.

use crate::helpers::{spawn_app, TestApp, ADMIN, PASSWORD, THERAPIST_A, THERAPIST_B};
use reqwest::Method;
use serde_json::{json, Value};

const NEW_PASSWORD: &str = "orchid lantern quarry bell";

async fn token_for(app: &TestApp, email: &str, password: &str) -> u16 {
    reqwest::Client::new()
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .status()
        .as_u16()
}

async fn user_id(app: &TestApp, email: &str) -> String {
    let token = app.token(email).await;
    let (_, me) = app.api(Method::GET, "/api/v1/me", &token, None).await;
    me["id"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn deleting_the_token_revokes_it_and_only_it() {
    let app = spawn_app().await;
    let (first, second) = (app.token(THERAPIST_A).await, app.token(THERAPIST_A).await);

    let response = reqwest::Client::new()
        .delete(app.url("/api/v1/auth/token"))
        .bearer_auth(&first)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    assert_eq!(response.status(), 204);
    assert_eq!(app.api(Method::GET, "/api/v1/me", &first, None).await.0, 401);
    assert_eq!(app.api(Method::GET, "/api/v1/me", &second, None).await.0, 200);
}

#[tokio::test]
async fn a_password_change_needs_the_current_one_refuses_weak_ones_and_ends_other_sessions() {
    let app = spawn_app().await;
    let (token, other_token) = (app.token(THERAPIST_A).await, app.token(THERAPIST_A).await);
    let other_browser = app.signed_in(THERAPIST_A).await;
    let change = |current: &str, new: &str| json!({"current_password": current, "new_password": new});

    let (status, body) =
        app.api(Method::POST, "/api/v1/me/password", &token, Some(change("wrong one!", NEW_PASSWORD))).await;
    assert_eq!(status, 422);
    assert!(body["error"]["fields"]["current_password"].is_array(), "{body}");
    for weak in ["password12", "short", "thera@a.example1", "Clinic A 12345"] {
        let (status, body) = app.api(Method::POST, "/api/v1/me/password", &token, Some(change(PASSWORD, weak))).await;
        assert_eq!(status, 422, "{weak}");
        assert!(body["error"]["fields"]["new_password"].is_array(), "{body}");
        assert!(!body.to_string().contains(weak), "the password is never echoed");
    }

    let (status, _) = app.api(Method::POST, "/api/v1/me/password", &token, Some(change(PASSWORD, NEW_PASSWORD))).await;

    assert_eq!(status, 204);
    assert_eq!(app.api(Method::GET, "/api/v1/me", &token, None).await.0, 200, "this token stays");
    assert_eq!(app.api(Method::GET, "/api/v1/me", &other_token, None).await.0, 401, "other tokens end");
    assert_eq!(app.page(&other_browser, "/patients").await.0, 303, "other sessions end");
    assert_eq!(token_for(&app, THERAPIST_A, PASSWORD).await, 401);
    assert_eq!(token_for(&app, THERAPIST_A, NEW_PASSWORD).await, 200);
}

#[tokio::test]
async fn sessions_and_tokens_are_listed_and_ended_one_by_one_or_all_others() {
    let app = spawn_app().await;
    let browser_session = app.signed_in(THERAPIST_A).await;
    let (token, spare) = (app.token(THERAPIST_A).await, app.token(THERAPIST_A).await);

    let (status, list) = app.api(Method::GET, "/api/v1/me/sessions", &token, None).await;
    assert_eq!(status, 200);
    let places = list.as_array().cloned().unwrap_or_default();
    assert_eq!(places.len(), 3, "{list}");
    assert_eq!(places.iter().filter(|p| p["current"] == true).count(), 1);
    let session: &Value = places.iter().find(|p| p["kind"] == "session").unwrap_or_else(|| panic!("{list}"));
    assert!(session["expires_at"].as_str().is_some_and(|t| t.ends_with('Z')), "{session}");

    let stranger = app.token(THERAPIST_B).await;
    let id = session["id"].as_str().unwrap_or_default();
    let path = format!("/api/v1/me/sessions/{id}");
    assert_eq!(app.api(Method::DELETE, &path, &stranger, None).await.0, 404, "not theirs to end");
    assert_eq!(app.api(Method::DELETE, &path, &token, None).await.0, 204);
    assert_eq!(app.page(&browser_session, "/patients").await.0, 303, "the browser session ended");

    assert_eq!(app.api(Method::DELETE, "/api/v1/me/sessions", &token, None).await.0, 204);
    assert_eq!(app.api(Method::GET, "/api/v1/me", &spare, None).await.0, 401, "all others ended");
    let (_, list) = app.api(Method::GET, "/api/v1/me/sessions", &token, None).await;
    assert_eq!(list.as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn the_account_page_changes_the_password_and_signs_out_everywhere_else() {
    let app = spawn_app().await;
    let client = app.signed_in(THERAPIST_A).await;
    let elsewhere = app.signed_in(THERAPIST_A).await;
    let (status, html) = app.page(&client, "/account").await;
    assert_eq!(status, 200);
    assert_eq!(html.matches("<td>Browser</td>").count(), 2, "both sessions are listed");

    let (status, html) = app
        .post_form(
            &client,
            "/account",
            "/account/password",
            &[("current_password", PASSWORD), ("new_password", "password12")],
        )
        .await;
    assert_eq!(status, 422);
    assert!(html.contains("too easy to guess") && !html.contains("password12"), "{html}");

    let (status, _) = app.post_form(&client, "/account", "/account/sessions/end-others", &[]).await;
    assert_eq!(status, 303);
    assert_eq!(app.page(&elsewhere, "/patients").await.0, 303);
    assert_eq!(app.page(&client, "/patients").await.0, 200, "this browser stays signed in");

    let (status, _) = app
        .post_form(
            &client,
            "/account",
            "/account/password",
            &[("current_password", PASSWORD), ("new_password", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(token_for(&app, THERAPIST_A, NEW_PASSWORD).await, 200);
}

#[tokio::test]
async fn an_admin_deactivates_reactivates_and_resets_a_password() {
    let app = spawn_app().await;
    let id = user_id(&app, THERAPIST_A).await;
    let token = app.token(THERAPIST_A).await;
    let admin = app.signed_in(ADMIN).await;

    let (status, _) =
        app.post_form(&admin, "/admin/users", &format!("/admin/users/{id}/active"), &[("active", "false")]).await;
    assert_eq!(status, 303);
    assert_eq!(app.api(Method::GET, "/api/v1/me", &token, None).await.0, 401, "tokens end");
    assert_eq!(token_for(&app, THERAPIST_A, PASSWORD).await, 401, "a deactivated user cannot sign in");
    let (_, users) = app.page(&admin, "/admin/users").await;
    assert!(users.contains("Deactivated"));

    let (status, _) =
        app.post_form(&admin, "/admin/users", &format!("/admin/users/{id}/active"), &[("active", "true")]).await;
    assert_eq!(status, 303);
    assert_eq!(token_for(&app, THERAPIST_A, PASSWORD).await, 200);

    let field = format!("password-{id}");
    let action = format!("/admin/users/{id}/password");
    let (status, html) = app.post_form(&admin, "/admin/users", &action, &[(&field, "password12")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("too easy to guess"), "{html}");
    let (status, _) = app.post_form(&admin, "/admin/users", &action, &[(&field, NEW_PASSWORD)]).await;
    assert_eq!(status, 303);
    assert_eq!(token_for(&app, THERAPIST_A, PASSWORD).await, 401);
    assert_eq!(token_for(&app, THERAPIST_A, NEW_PASSWORD).await, 200);
    assert!(!app.audit_events("user.password_reset").is_empty());
}

#[tokio::test]
async fn a_therapist_cannot_manage_users() {
    let app = spawn_app().await;
    let id = user_id(&app, THERAPIST_B).await;
    let therapist = app.signed_in(THERAPIST_A).await;
    let (status, _) =
        app.post_form(&therapist, "/patients", &format!("/admin/users/{id}/active"), &[("active", "false")]).await;
    assert_eq!(status, 403);
    assert_eq!(token_for(&app, THERAPIST_B, PASSWORD).await, 200);
}

#[tokio::test]
async fn signing_in_purges_expired_sessions_and_tokens() {
    use diesel::prelude::*;
    use physioplan::db::auth::{create_session, create_token, ApiTokenRow, SessionRow};
    use physioplan::db::schema::{api_tokens, sessions};
    let app = spawn_app().await;
    let id = user_id(&app, THERAPIST_A).await;
    let long_ago = chrono::Utc::now().naive_utc() - chrono::Duration::days(2);
    {
        let mut conn = app.db.conn().unwrap_or_else(|e| panic!("{e}"));
        let session = SessionRow {
            token_hash: "expired-session".into(),
            user_id: id.clone(),
            csrf_token: "x".into(),
            created_at: long_ago,
            last_seen_at: long_ago,
            expires_at: long_ago,
            id: "old-session".into(),
            client_addr: None,
        };
        create_session(&mut conn, &session).unwrap_or_else(|e| panic!("{e}"));
        let token = ApiTokenRow {
            token_hash: "expired-token".into(),
            user_id: id,
            created_at: long_ago,
            expires_at: long_ago,
            id: "old-token".into(),
        };
        create_token(&mut conn, &token).unwrap_or_else(|e| panic!("{e}"));
    }

    assert_eq!(token_for(&app, THERAPIST_A, PASSWORD).await, 200);

    let mut conn = app.db.conn().unwrap_or_else(|e| panic!("{e}"));
    let left: i64 = sessions::table.filter(sessions::id.eq("old-session")).count().get_result(&mut *conn).unwrap_or(-1);
    let tokens: i64 =
        api_tokens::table.filter(api_tokens::id.eq("old-token")).count().get_result(&mut *conn).unwrap_or(-1);
    assert_eq!((left, tokens), (0, 0));
}

#[tokio::test]
async fn the_openapi_document_holds_the_second_factor_and_session_routes() {
    let app = spawn_app().await;
    let doc: Value = reqwest::get(app.url("/api/v1/openapi.json"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_default();
    let paths = &doc["paths"];
    assert!(paths["/api/v1/auth/token"]["delete"].is_object());
    for path in ["/api/v1/me/totp", "/api/v1/me/totp/confirm", "/api/v1/me/password"] {
        assert!(paths[path]["post"].is_object(), "{path}");
    }
    assert!(paths["/api/v1/me/sessions"]["get"].is_object() && paths["/api/v1/me/sessions"]["delete"].is_object());
    assert!(paths["/api/v1/me/sessions/{id}"]["delete"].is_object());
    assert!(doc["components"]["schemas"]["TokenRequest"]["properties"]["totp"].is_object());
}
