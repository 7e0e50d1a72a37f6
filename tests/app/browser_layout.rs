//! Phone and tablet: every main page of the demo fits a 390 px phone and an 820 px tablet
//! without sideways scrolling; the handout of a demo plan has a picture per home exercise.
//! Ignored under plain `cargo test`; `.ci/run` runs them in headless Chromium.

use crate::browser::start_browser;
use crate::helpers::spawn_demo_app;
use fantoccini::{Client, Locator};
use physioplan::seed::demo::DEMO_PASSWORD;

const THERAPIST: &str = "sam@riverside.example";

async fn sign_in_demo(c: &Client, base: &str) {
    c.goto(&format!("{base}/login")).await.unwrap_or_else(|e| panic!("{e}"));
    for (id, text) in [("email", THERAPIST), ("password", DEMO_PASSWORD)] {
        let field = c.find(Locator::Id(id)).await.unwrap_or_else(|e| panic!("{e}"));
        field.send_keys(text).await.unwrap_or_else(|e| panic!("{e}"));
    }
    c.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    c.wait().for_element(Locator::XPath("//h1[text()='Patients']")).await.unwrap_or_else(|e| panic!("{e}"));
}

async fn js_string(c: &Client, script: &str) -> String {
    c.execute(script, vec![]).await.unwrap_or_else(|e| panic!("{script}: {e}")).as_str().unwrap_or_default().to_owned()
}

/// The pages to check, found by following links as a user would.
async fn demo_pages(c: &Client, base: &str) -> Vec<String> {
    c.goto(&format!("{base}/patients")).await.unwrap_or_else(|e| panic!("{e}"));
    let patient = js_string(
        c,
        "return document.querySelector('main a[href^=\"/patients/\"]:not([href$=\"/new\"])').getAttribute('href')",
    )
    .await;
    c.goto(&format!("{base}{patient}")).await.unwrap_or_else(|e| panic!("{e}"));
    let plan = js_string(
        c,
        "return (document.querySelector('main a[href^=\"/plans/\"]') || {getAttribute: () => ''}).getAttribute('href')",
    )
    .await;
    assert!(plan.starts_with("/plans/"), "the demo patient {patient} has a plan");
    let assessment = js_string(c, "return (document.querySelector('main a[href^=\"/assessments/\"]') || {getAttribute: () => ''}).getAttribute('href')").await;
    let mut pages = vec![
        "/patients".to_owned(),
        patient.clone(),
        format!("{patient}/assessments/new"),
        format!("{patient}/plans/new"),
        plan.clone(),
        format!("{plan}/print"),
        "/library".to_owned(),
        "/caseload".to_owned(),
    ];
    if !assessment.is_empty() {
        pages.push(assessment);
    }
    pages
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver; .ci/run installs them and runs the browser tests"]
async fn browser_every_page_fits_a_phone_and_a_tablet_without_sideways_scrolling() {
    let app = spawn_demo_app().await;
    let browser = start_browser().await;
    let c = &browser.client;
    sign_in_demo(c, &app.address).await;
    let pages = demo_pages(c, &app.address).await;

    let mut wide = Vec::new();
    for width in [390u32, 820] {
        c.set_window_rect(0, 0, width, 900).await.unwrap_or_else(|e| panic!("{e}"));
        for path in &pages {
            c.goto(&format!("{}{path}", app.address)).await.unwrap_or_else(|e| panic!("{e}"));
            let sizes = c
                .execute("return [document.documentElement.scrollWidth, window.innerWidth]", vec![])
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let (scroll, inner) = (sizes[0].as_u64().unwrap_or(u64::MAX), sizes[1].as_u64().unwrap_or(0));
            assert!(inner > 0 && inner <= u64::from(width), "{path}: window {inner} at {width}");
            if scroll > inner {
                let culprit = js_string(c, "const w = window.innerWidth; const e = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 1).pop(); return e ? e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right) : ''").await;
                wide.push(format!("{path} at {width} px: {scroll} > {inner} ({culprit})"));
            }
        }
    }
    assert!(wide.is_empty(), "pages scroll sideways:\n{}", wide.join("\n"));
    c.clone().close().await.unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver; .ci/run installs them and runs the browser tests"]
async fn browser_the_handout_of_a_demo_plan_has_a_picture_per_home_exercise() {
    let app = spawn_demo_app().await;
    let browser = start_browser().await;
    let c = &browser.client;
    sign_in_demo(c, &app.address).await;
    let pages = demo_pages(c, &app.address).await;
    let Some(print) = pages.iter().find(|p| p.ends_with("/print")) else { panic!("no handout") };

    for large in ["0", "1"] {
        c.goto(&format!("{}{print}?large={large}", app.address)).await.unwrap_or_else(|e| panic!("{e}"));
        let counts = c
            .execute(
                "const ex = [...document.querySelectorAll('article.exercise')]; \
                 return [ex.length, ex.filter(a => { const i = a.querySelector('img.illustration'); \
                 return i && i.complete && i.naturalWidth > 0; }).length]",
                vec![],
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let (exercises, pictured) = (counts[0].as_u64().unwrap_or(0), counts[1].as_u64().unwrap_or(0));
        assert!(exercises > 0, "the demo plan has home exercises");
        assert_eq!(pictured, exercises, "large={large}: every home exercise shows its loaded picture");
    }
    c.clone().close().await.unwrap_or_else(|e| panic!("{e}"));
}
