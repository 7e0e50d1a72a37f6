//! In headless Chromium: the assessment form saves a draft as the clinician types, and a
//! Save pressed after the session ended keeps everything typed and finishes after signing in.

use crate::browser::{fill, sign_in, start_browser};
use crate::helpers::{spawn_app, PASSWORD, THERAPIST_A};
use diesel::connection::SimpleConnection;
use fantoccini::Locator;
use reqwest::Method;
use std::time::Duration;

#[tokio::test]
#[ignore = "needs chromium and chromium-driver; .ci/run installs them and runs the browser tests"]
async fn browser_autosave_keeps_a_draft_and_a_save_after_the_session_ended_finishes_after_signing_in() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let patient = app.create_patient(&token, "Ada", "Lovelace").await["id"].as_str().unwrap_or_default().to_owned();
    let browser = start_browser().await;
    let c = &browser.client;
    sign_in(c, &app.address, THERAPIST_A).await;
    c.goto(&format!("{}/patients/{patient}/assessments/new", app.address)).await.unwrap_or_else(|e| panic!("{e}"));

    // Typing saves a draft by itself; the address becomes the draft's.
    fill(c, "f.nprs_now", "7").await;
    fill(c, "impression", "Typed in the browser").await;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//*[@id='autosave-status' and contains(., 'Draft saved')]"))
        .await
        .unwrap_or_else(|e| panic!("no autosave: {e}"));
    let draft_url = c.current_url().await.unwrap_or_else(|e| panic!("{e}"));
    assert!(draft_url.path().ends_with("/edit"), "reload opens the draft: {draft_url}");
    let (_, list) = app.api(Method::GET, &format!("/api/v1/patients/{patient}/assessments"), &token, None).await;
    assert_eq!(list.as_array().map(Vec::len), Some(1), "the draft exists: {list}");

    // The session ends (idle time-out), the clinician types on and presses Save.
    {
        let mut conn = app.db.conn().unwrap_or_else(|e| panic!("{e}"));
        conn.batch_execute("UPDATE sessions SET last_seen_at = '2000-01-01 00:00:00'")
            .unwrap_or_else(|e| panic!("{e}"));
    }
    fill(c, "impression", " and after the time-out").await;
    c.find(Locator::Css("form.assessment button[type=submit]"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//*[contains(., 'Nothing is lost')]"))
        .await
        .unwrap_or_else(|e| panic!("not sent to sign in: {e}"));
    fill(c, "email", THERAPIST_A).await;
    fill(c, "password", PASSWORD).await;
    c.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    // Signed in again, the save finishes by itself and shows the record.
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//*[contains(., 'Typed in the browser and after the time-out')]"))
        .await
        .unwrap_or_else(|e| panic!("the typed text is lost: {e}"));
    let (_, list) = app.api(Method::GET, &format!("/api/v1/patients/{patient}/assessments"), &token, None).await;
    let all = list.as_array().cloned().unwrap_or_default();
    assert_eq!(all.len(), 1, "one draft, saved again, not a second record: {list}");
    let id = all[0]["id"].as_str().unwrap_or_default();
    let (_, saved) = app.api(Method::GET, &format!("/api/v1/assessments/{id}"), &token, None).await;
    assert_eq!(saved["status"], "draft");
    assert_eq!(saved["content"]["impression"], "Typed in the browser and after the time-out", "{saved}");
    let nprs =
        saved["content"]["findings"].as_array().and_then(|f| f.iter().find(|f| f["code"] == "nprs_now")).cloned();
    assert_eq!(nprs.map(|f| f["value"].clone()), Some(serde_json::json!(7)), "{saved}");
    let url = c.current_url().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(url.path(), format!("/assessments/{id}"), "the address bar holds the record's page");
}
