//! In headless Chromium: moving a plan item down swaps it with the next one in place (only
//! the stage's list is replaced, the page is not reloaded), the focus stays on the button
//! pressed, and the page's forms carry the plan's new version, so the next edit is not stale.

use crate::browser::{sign_in, start_browser};
use crate::helpers::{spawn_app, THERAPIST_A};
use fantoccini::Locator;
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
#[ignore = "needs chromium and chromium-driver; .ci/run installs them and runs the browser tests"]
async fn browser_plan_item_moves_in_place_without_reloading_and_the_next_edit_is_not_stale() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let patient = app.create_patient(&token, "Ada", "Lovelace").await["id"].as_str().unwrap_or_default().to_owned();
    let (_, plan) = app
        .api(Method::POST, &format!("/api/v1/patients/{patient}/plans"), &token, Some(json!({"title": "Left L5"})))
        .await;
    let id = plan["id"].as_str().unwrap_or_default().to_owned();
    let stage = plan["stages"][0]["id"].as_str().unwrap_or_default().to_owned();
    let mut names = Vec::new();
    for q in ["bridge", "camel"] {
        let (_, library) = app.api(Method::GET, &format!("/api/v1/modalities?q={q}"), &token, None).await;
        let body = json!({"modality_id": library[0]["id"]});
        let (status, item) =
            app.plan_api(Method::POST, &format!("/api/v1/plans/{id}/stages/{stage}/items"), &token, Some(body)).await;
        assert_eq!(status, 201, "{item}");
        names.push(item["name"].as_str().unwrap_or_default().to_owned());
    }

    let browser = start_browser().await;
    let c = &browser.client;
    sign_in(c, &app.address, THERAPIST_A).await;
    c.goto(&format!("{}/plans/{id}", app.address)).await.unwrap_or_else(|e| panic!("{e}"));
    c.execute("window.ppNotReloaded = true;", vec![]).await.unwrap_or_else(|e| panic!("{e}"));

    let down = c.find(Locator::Css("#stage-1-items li.item:first-child form[action$='/down'] button")).await;
    down.unwrap_or_else(|e| panic!("{e}")).click().await.unwrap_or_else(|e| panic!("{e}"));
    let moved = format!("//ol[@id='stage-1-items']/li[2][contains(., '{}')]", names[0]);
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(&moved))
        .await
        .unwrap_or_else(|e| panic!("not moved in place: {e}"));
    let kept = c.execute("return window.ppNotReloaded === true;", vec![]).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(kept, json!(true), "the page was not reloaded");
    let focused = c
        .execute(
            "return document.activeElement && document.activeElement.closest('form').getAttribute('action');",
            vec![],
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(focused.as_str().is_some_and(|a| a.ends_with("/down")), "focus stays on the button pressed: {focused}");
    let (_, now) = app.api(Method::GET, &format!("/api/v1/plans/{id}"), &token, None).await;
    assert_eq!(now["stages"][0]["items"][1]["name"], names[0].as_str(), "{now}");

    // The next move (of the other item, by its own form) is based on the new version.
    let up = c.find(Locator::Css("#stage-1-items li.item:nth-child(2) form[action$='/up'] button")).await;
    up.unwrap_or_else(|e| panic!("{e}")).click().await.unwrap_or_else(|e| panic!("{e}"));
    let back = format!("//ol[@id='stage-1-items']/li[1][contains(., '{}')]", names[0]);
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(&back))
        .await
        .unwrap_or_else(|e| panic!("second move not applied: {e}"));
    let page = c.source().await.unwrap_or_default();
    assert!(!page.contains("changed by someone else"), "no false conflict");
    let (_, now) = app.api(Method::GET, &format!("/api/v1/plans/{id}"), &token, None).await;
    assert_eq!(now["stages"][0]["items"][0]["name"], names[0].as_str(), "{now}");
}
