//! Nothing typed is lost when the session ends: a save that meets an ended session is held
//! for the same user, and finishes after they sign in again; nobody else gets it, and a
//! cross-site post is never held.

use crate::helpers::{browser, csrf_token, spawn_app, TestApp, LEAD_A, PASSWORD, THERAPIST_A};
use diesel::connection::SimpleConnection;

/// The hidden fields of the first form with `action` on a page, as (name, value).
fn hidden_fields(html: &str, action: &str) -> Vec<(String, String)> {
    let start = html.find(&format!("action=\"{action}\"")).unwrap_or_else(|| panic!("no form for {action}:\n{html}"));
    let form = &html[start..html[start..].find("</form>").map_or(html.len(), |e| start + e)];
    form.split("<input type=\"hidden\" name=\"")
        .skip(1)
        .filter_map(|rest| {
            let (name, rest) = rest.split_once('"')?;
            let value = rest.split_once("value=\"")?.1.split('"').next()?;
            Some((name.to_owned(), value.replace("&amp;", "&")))
        })
        .collect()
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

/// Opens the new-assessment form as `client`'s user and returns its CSRF token and owner.
async fn open_form(app: &TestApp, client: &reqwest::Client, patient: &str) -> Vec<(String, String)> {
    let (status, html) = app.page(client, &format!("/patients/{patient}/assessments/new")).await;
    assert_eq!(status, 200);
    let _ = csrf_token(&html);
    hidden_fields(&html, &format!("/patients/{patient}/assessments"))
}

/// Posts the typed assessment from one of our pages (the browser sends `Origin`).
async fn save(
    app: &TestApp,
    client: &reqwest::Client,
    patient: &str,
    hidden: &[(String, String)],
    origin: &str,
) -> reqwest::Response {
    let mut body: Vec<(String, String)> = hidden.to_vec();
    for (k, v) in [
        ("kind", "initial"),
        ("assessed_on", "2026-10-20"),
        ("f.nprs_now", "7"),
        ("impression", "Typed before the session ended"),
    ] {
        body.push((k.to_owned(), v.to_owned()));
    }
    client
        .post(app.url(&format!("/patients/{patient}/assessments")))
        .header("Origin", origin)
        .form(&body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

fn end_every_session(app: &TestApp) {
    let mut conn = app.db.conn().unwrap_or_else(|e| panic!("{e}"));
    conn.batch_execute("UPDATE sessions SET last_seen_at = '2000-01-01 00:00:00'").unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn a_save_after_the_session_expired_is_finished_after_signing_in_again_with_everything_typed() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let patient = app.create_patient(&token, "Ada", "Lovelace").await["id"].as_str().unwrap_or_default().to_owned();
    let client = app.signed_in(THERAPIST_A).await;
    let hidden = open_form(&app, &client, &patient).await;
    end_every_session(&app);

    let held = save(&app, &client, &patient, &hidden, &app.address).await;
    assert_eq!(held.status(), 303);
    assert_eq!(header(&held, "location"), "/login");
    let (_, login) = app.page(&client, "/login").await;
    assert!(login.contains("Nothing is lost"), "the sign-in page says the work is kept:\n{login}");
    let signed_in = app.login_as(&client, THERAPIST_A, PASSWORD).await;
    assert_eq!(header(&signed_in, "location"), "/resume");
    let (status, resume) = app.page(&client, "/resume").await;
    assert_eq!(status, 200);
    let fields = hidden_fields(&resume, &format!("/patients/{patient}/assessments"));
    assert!(fields.contains(&("impression".into(), "Typed before the session ended".into())), "{resume}");
    let finished = client
        .post(app.url(&format!("/patients/{patient}/assessments")))
        .form(&fields)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    assert_eq!(finished.status(), 303, "the replay passes the new session's CSRF check");
    let record = header(&finished, "location");
    let (_, shown) = app.page(&client, &record).await;
    assert!(shown.contains("Typed before the session ended"), "{shown}");
    let (again, _) = app.page(&client, "/resume").await;
    assert_ne!(again, 200, "a held post is used once");
    assert_eq!(app.audit_events("form.held").len(), 1);
    assert_eq!(app.audit_events("form.resumed").len(), 1);
    assert_eq!(app.audit_events("assessment.create").len(), 1, "saved once");
}

#[tokio::test]
async fn a_save_after_signing_out_in_another_tab_is_kept_and_another_user_signing_in_does_not_get_it() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let patient = app.create_patient(&token, "Ada", "Lovelace").await["id"].as_str().unwrap_or_default().to_owned();
    let client = app.signed_in(THERAPIST_A).await;
    let hidden = open_form(&app, &client, &patient).await;
    let (_, page) = app.page(&client, "/patients").await;
    let signed_out = client
        .post(app.url("/logout"))
        .form(&[("csrf_token", csrf_token(&page))])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(signed_out.status(), 303);

    let held = save(&app, &client, &patient, &hidden, &app.address).await;
    assert!(header(&held, "set-cookie").contains("pp_held="), "held for the form's owner");
    let other = app.login_as(&client, LEAD_A, PASSWORD).await;
    assert_eq!(header(&other, "location"), "/resume");
    let (status, _) = app.page(&client, "/resume").await;

    assert_eq!(status, 303, "someone else signing in in that browser gets nothing");
    assert_eq!(app.audit_events("form.hold_refused").len(), 1);
    assert!(app.audit_events("assessment.create").is_empty());
}

#[tokio::test]
async fn a_cross_site_post_without_a_session_is_never_held() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let patient = app.create_patient(&token, "Ada", "Lovelace").await["id"].as_str().unwrap_or_default().to_owned();
    let client = app.signed_in(THERAPIST_A).await;
    let hidden = open_form(&app, &client, &patient).await;
    end_every_session(&app);

    let forged = save(&app, &browser(), &patient, &hidden, "https://evil.example").await;

    assert_eq!(forged.status(), 303);
    assert_eq!(header(&forged, "location"), "/login");
    assert!(!header(&forged, "set-cookie").contains("pp_held="));
    assert!(app.audit_events("form.held").is_empty());
}
