//! In headless Chromium: a clinician sets up a second factor on the account page (QR code,
//! then a code from the app) and signs in with it.

use crate::browser::{fill, sign_in, start_browser};
use crate::helpers::{spawn_app, PASSWORD, THERAPIST_A};
use crate::mfa::code;
use fantoccini::{Client, Locator};

async fn click(c: &Client, locator: Locator<'_>) {
    c.find(locator).await.unwrap_or_else(|e| panic!("{e}")).click().await.unwrap_or_else(|e| panic!("{e}"));
}

async fn wait_for(c: &Client, xpath: &str) {
    c.wait().for_element(Locator::XPath(xpath)).await.unwrap_or_else(|e| panic!("{xpath}: {e}"));
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver; .ci/run installs them and runs the browser tests"]
async fn browser_a_clinician_enrols_a_second_factor_and_signs_in_with_it() {
    let app = spawn_app().await;
    let browser = start_browser().await;
    let c = &browser.client;
    sign_in(c, &app.address, THERAPIST_A).await;

    c.goto(&format!("{}/account", app.address)).await.unwrap_or_else(|e| panic!("{e}"));
    click(c, Locator::XPath("//button[text()='Set up a second factor']")).await;
    wait_for(c, "//div[@class='qr']/*[local-name()='svg']").await;
    let secret = c
        .find(Locator::Id("totp-secret"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    fill(c, "code", &code(&secret, THERAPIST_A, 0)).await;
    click(c, Locator::XPath("//button[text()='Turn on']")).await;
    wait_for(c, "//h1[text()='Second factor on']").await;
    let shown = c.find_all(Locator::Css("ul.recovery-codes li")).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(shown.len(), 10);

    click(c, Locator::XPath("//button[text()='Sign out']")).await;
    wait_for(c, "//h1[text()='Sign in to physioplan']").await;
    fill(c, "email", THERAPIST_A).await;
    fill(c, "password", PASSWORD).await;
    click(c, Locator::Css("button[type=submit]")).await;
    wait_for(c, "//h1[text()='Second factor']").await;
    fill(c, "code", &code(&secret, THERAPIST_A, 1)).await;
    click(c, Locator::Css("button[type=submit]")).await;
    wait_for(c, "//h1[text()='Patients']").await;

    c.clone().close().await.unwrap_or_else(|e| panic!("{e}"));
}
