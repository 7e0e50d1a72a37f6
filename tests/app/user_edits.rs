//! An administrator edits a user's name and role from a form that carries the user's version:
//! concurrent saves on one version keep exactly one, a stale form keeps what was typed, and
//! bad input is shown beside its field.

use crate::helpers::{csrf_token, spawn_app, TestApp, ADMIN, THERAPIST_A};
use reqwest::Method;

async fn user_id(app: &TestApp, email: &str) -> String {
    let token = app.token(email).await;
    let (_, me) = app.api(Method::GET, "/api/v1/me", &token, None).await;
    me["id"].as_str().unwrap_or_default().to_owned()
}

/// Posts the edit form (as rendered: its CSRF token) with these fields; (status, body).
async fn post_edit(app: &TestApp, client: &reqwest::Client, id: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let (_, html) = app.page(client, &format!("/admin/users/{id}/edit")).await;
    let token = csrf_token(&html);
    let mut body = fields.to_vec();
    body.push(("csrf_token", &token));
    let response = client.post(app.url(&format!("/admin/users/{id}/edit"))).form(&body).send().await;
    let response = response.unwrap_or_else(|e| panic!("{e}"));
    (response.status().as_u16(), response.text().await.unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_concurrent_admin_edits_of_one_user_on_one_version_save_one_and_refuse_the_rest_with_409() {
    let app = spawn_app().await;
    let id = user_id(&app, THERAPIST_A).await;
    let admin = app.signed_in(ADMIN).await;
    let (_, html) = app.page(&admin, &format!("/admin/users/{id}/edit")).await;
    assert!(html.contains("name=\"version\" value=\"1\""), "the form carries the version:\n{html}");
    let token = csrf_token(&html);

    let mut set = tokio::task::JoinSet::new();
    for n in 1..=8_u32 {
        let (client, url, token) = (admin.clone(), app.url(&format!("/admin/users/{id}/edit")), token.clone());
        set.spawn(async move {
            let name = format!("Thera edit {n}");
            let role = if n.is_multiple_of(2) { "lead" } else { "therapist" };
            let fields = [("name", name.as_str()), ("role", role), ("version", "1"), ("csrf_token", &token)];
            let response = client.post(url).form(&fields).send().await.unwrap_or_else(|e| panic!("{e}"));
            (n, response.status().as_u16(), response.text().await.unwrap_or_default())
        });
    }
    let results = set.join_all().await;

    let saved: Vec<u32> = results.iter().filter(|(_, s, _)| *s == 303).map(|(n, _, _)| *n).collect();
    assert_eq!(saved.len(), 1, "exactly one edit is saved: {:?}", results.iter().map(|r| r.1).collect::<Vec<_>>());
    for (n, status, body) in results.iter().filter(|(_, s, _)| *s != 303) {
        assert_eq!(*status, 409);
        assert!(body.contains("changed by someone else"), "{body}");
        assert!(body.contains(&format!("value=\"Thera edit {n}\"")), "what was typed is kept:\n{body}");
        assert!(body.contains("name=\"version\" value=\"2\""), "based on the version now:\n{body}");
    }
    let winner = saved[0];
    let (_, users) = app.page(&admin, "/admin/users").await;
    assert!(users.contains(&format!("Thera edit {winner}")), "{users}");
    assert_eq!(users.matches("Thera edit").count(), 1, "no loser's name was saved");
    let role = if winner.is_multiple_of(2) { "lead" } else { "therapist" };
    let token = app.token(THERAPIST_A).await;
    let (_, me) = app.api(Method::GET, "/api/v1/me", &token, None).await;
    assert_eq!((me["name"].as_str(), me["role"].as_str()), (Some(format!("Thera edit {winner}").as_str()), Some(role)));
}

#[tokio::test]
async fn a_user_edit_that_does_not_read_is_shown_beside_its_fields_with_what_was_typed() {
    let app = spawn_app().await;
    let id = user_id(&app, THERAPIST_A).await;
    let admin = app.signed_in(ADMIN).await;

    let (status, html) = post_edit(&app, &admin, &id, &[("name", "  "), ("role", "boss"), ("version", "1")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("id=\"name-error\"") && html.contains("id=\"role-error\""), "{html}");
    assert!(!html.contains("boss"), "the message never quotes what was typed");
    assert!(html.contains("name=\"version\" value=\"1\""), "still based on the version sent");

    let own = user_id(&app, ADMIN).await;
    let (status, html) =
        post_edit(&app, &admin, &own, &[("name", "Admin"), ("role", "therapist"), ("version", "1")]).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("You cannot take away your own administrator role."));
}

#[tokio::test]
async fn an_edit_form_opened_before_a_deactivation_is_refused_as_stale_and_keeps_the_input() {
    let app = spawn_app().await;
    let id = user_id(&app, THERAPIST_A).await;
    let admin = app.signed_in(ADMIN).await;
    let (status, _) =
        app.post_form(&admin, "/admin/users", &format!("/admin/users/{id}/active"), &[("active", "false")]).await;
    assert_eq!(status, 303);

    let (status, html) = post_edit(&app, &admin, &id, &[("name", "Renamed"), ("role", "lead"), ("version", "1")]).await;
    assert_eq!(status, 409);
    assert!(html.contains("changed by someone else") && html.contains("value=\"Renamed\""), "{html}");
    let (_, users) = app.page(&admin, "/admin/users").await;
    assert!(!users.contains("Renamed"));
}
