//! A real headless Chromium: a person signs in and adds a patient. Needs Debian's `chromium`
//! and `chromium-driver`; `.ci/run` installs them and runs `cargo test -- --ignored browser`.

use crate::helpers::{spawn_app, PASSWORD, THERAPIST_A};
use fantoccini::{Client, ClientBuilder, Locator};
use std::process::Stdio;
use std::time::Duration;

/// A chromedriver process and a headless Chromium session driven through it.
pub struct Browser {
    pub client: Client,
    _driver: tokio::process::Child,
}

/// Starts chromedriver on a free port and opens a headless Chromium session.
pub async fn start_browser() -> Browser {
    let port =
        std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(9515);
    let driver = tokio::process::Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()))
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("chromedriver could not start ({e}); install chromium-driver"));
    let mut caps = serde_json::Map::new();
    let args = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,900",
    ];
    caps.insert("goog:chromeOptions".into(), serde_json::json!({ "args": args }));
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..50 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        if let Ok(client) = ClientBuilder::new(connector).capabilities(caps.clone()).connect(&url).await {
            return Browser { client, _driver: driver };
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("could not open a Chromium session through chromedriver");
}

/// Signs in through the login page.
pub async fn sign_in(client: &Client, base: &str, email: &str) {
    client.goto(&format!("{base}/login")).await.unwrap_or_else(|e| panic!("{e}"));
    client
        .find(Locator::Id("email"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .send_keys(email)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    client
        .find(Locator::Id("password"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .send_keys(PASSWORD)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    client
        .find(Locator::Css("button[type=submit]"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    client
        .wait()
        .for_element(Locator::XPath("//h1[text()='Patients']"))
        .await
        .unwrap_or_else(|e| panic!("not signed in: {e}"));
}

pub async fn fill(client: &Client, id: &str, text: &str) {
    let field = client.find(Locator::Id(id)).await.unwrap_or_else(|e| panic!("{id}: {e}"));
    field.send_keys(text).await.unwrap_or_else(|e| panic!("{id}: {e}"));
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver; .ci/run installs them and runs the browser tests"]
async fn browser_a_therapist_signs_in_and_adds_a_patient() {
    let app = spawn_app().await;
    let browser = start_browser().await;
    let c = &browser.client;

    sign_in(c, &app.address, THERAPIST_A).await;
    c.find(Locator::LinkText("New patient"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    fill(c, "given_name", "Beatrix").await;
    fill(c, "family_name", "Holloway").await;
    // Chromium's date input takes the digits in the locale's order (en-US: month, day, year).
    let dob = c.find(Locator::Id("date_of_birth")).await.unwrap_or_else(|e| panic!("{e}"));
    c.execute("arguments[0].value = '1968-07-02'", vec![serde_json::to_value(&dob).unwrap_or_default()])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    fill(c, "condition", "Right S1 radiculopathy").await;
    c.find(Locator::Css("#side option[value=right]"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    c.find(Locator::Css("input[name=history][value=anticoagulants]"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    c.find(Locator::Css("form.patient button[type=submit]"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    let heading = c
        .wait()
        .for_element(Locator::XPath("//h1[text()='Beatrix Holloway']"))
        .await
        .unwrap_or_else(|e| panic!("patient page not shown: {e}"));
    assert_eq!(heading.text().await.unwrap_or_default(), "Beatrix Holloway");
    let body = c.find(Locator::Css("main")).await.unwrap_or_else(|e| panic!("{e}")).text().await.unwrap_or_default();
    assert!(body.contains("Takes anticoagulants"), "{body}");
    assert!(body.contains("2 Jul 1968"), "{body}");
    let url = c.current_url().await.unwrap_or_else(|e| panic!("{e}"));
    assert!(url.path().starts_with("/patients/"));
    c.clone().close().await.unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver; .ci/run installs them and runs the browser tests"]
async fn browser_a_therapist_records_and_signs_an_assessment() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let patient = app.create_patient(&token, "Cyril", "Ashdown").await["id"].as_str().unwrap_or_default().to_owned();
    let browser = start_browser().await;
    let c = &browser.client;
    sign_in(c, &app.address, THERAPIST_A).await;

    c.goto(&format!("{}/patients/{patient}", app.address)).await.unwrap_or_else(|e| panic!("{e}"));
    c.find(Locator::LinkText("New assessment"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    fill(c, "f.nprs_now", "5").await;
    fill(c, "f.nprs_worst", "8").await;
    fill(c, "f.slr.right", "35").await;
    let option = |css: &'static str| async move {
        c.find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
    };
    option("select[name='f.rf_saddle_anaesthesia'] option[value=negative]").await;
    option("select[name='f.rf_bladder_dysfunction'] option[value=negative]").await;
    option("select[name='f.rf_bowel_dysfunction'] option[value=negative]").await;
    option("select[name='f.rf_sexual_dysfunction'] option[value=negative]").await;
    option("select[name='f.rf_bilateral_leg_symptoms'] option[value=negative]").await;
    option("select[name='f.rf_progressive_neuro_deficit'] option[value=negative]").await;
    for (section, answer) in [
        ("pain_intensity", 4),
        ("personal_care", 1),
        ("lifting", 3),
        ("walking", 2),
        ("sitting", 4),
        ("standing", 2),
        ("sleeping", 2),
        ("sex_life", 1),
        ("social_life", 2),
        ("travelling", 3),
    ] {
        let css = format!("select[name='odi.{section}'] option[value='{answer}']");
        c.find(Locator::Css(&css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    c.find(Locator::Css("form.assessment button[type=submit]"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    c.wait().for_element(Locator::Css("button.primary")).await.unwrap_or_else(|e| panic!("{e}"));
    let draft = c.find(Locator::Css("main")).await.unwrap_or_else(|e| panic!("{e}")).text().await.unwrap_or_default();
    // 24 / 50 = 48 %: severe disability.
    assert!(draft.contains("48 %"), "{draft}");
    c.find(Locator::XPath("//button[text()='Sign and lock']"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    c.wait().for_element(Locator::LinkText("Amend")).await.unwrap_or_else(|e| panic!("not signed: {e}"));
    let signed = c.find(Locator::Css("main")).await.unwrap_or_else(|e| panic!("{e}")).text().await.unwrap_or_default();
    assert!(signed.contains("Locked: changes are recorded as amendments"), "{signed}");
    c.clone().close().await.unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver; .ci/run installs them and runs the browser tests"]
async fn browser_a_therapist_builds_a_plan_from_a_protocol_overrides_a_contraindication_and_activates_it() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let mut body = crate::helpers::patient_json("Dora", "Fenwick");
    body["history"] = serde_json::json!(["adhesive_allergy"]);
    let (_, patient) = app.api(reqwest::Method::POST, "/api/v1/patients", &token, Some(body)).await;
    let patient = patient["id"].as_str().unwrap_or_default().to_owned();
    app.sign_screen(&token, &patient, "2026-11-02", serde_json::json!([])).await;
    let browser = start_browser().await;
    let c = &browser.client;
    let click = |css: String| async move {
        c.find(Locator::Css(&css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
    };
    sign_in(c, &app.address, THERAPIST_A).await;

    c.goto(&format!("{}/patients/{patient}/plans/new", app.address)).await.unwrap_or_else(|e| panic!("{e}"));
    let protocol =
        c.find(Locator::XPath("//label[contains(., 'medium risk')]/input")).await.unwrap_or_else(|e| panic!("{e}"));
    protocol.click().await.unwrap_or_else(|e| panic!("{e}"));
    click("form button.primary".into()).await;
    c.wait().for_element(Locator::Css("section#stage-1")).await.unwrap_or_else(|e| panic!("plan page: {e}"));
    let text = c.find(Locator::Css("main")).await.unwrap_or_else(|e| panic!("{e}")).text().await.unwrap_or_default();
    assert!(text.contains("Bridge") && text.contains("Pain education"), "protocol items are in the plan");

    // Adding happens in place: only the stage is swapped, so a mark on the page outside it
    // survives (a reload, or a boosted swap of the whole page, would drop it).
    c.execute("document.querySelector('.lifecycle').dataset.kept = 'yes';", vec![])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    click("section#stage-1 details.add-item summary".into()).await;
    fill(c, "pick-q-1", "taping").await;
    let mut shown = usize::MAX;
    for _ in 0..50 {
        shown = c.find_all(Locator::Css("#picker-1 li.pick")).await.unwrap_or_else(|e| panic!("{e}")).len();
        if shown <= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(shown <= 3, "search as you type narrowed the list to the taping items ({shown})");
    click("#picker-1 button[aria-label^='Add Lumbar kinesiology taping']".into()).await;
    let refused = c
        .wait()
        .for_element(Locator::Css("section#stage-1 .error-summary"))
        .await
        .unwrap_or_else(|e| panic!("no refusal shown: {e}"));
    assert!(refused.text().await.unwrap_or_default().contains("Allergy to adhesive or tape"));
    let reason = c.find(Locator::Css("#add-1 input[name=override_reason]")).await.unwrap_or_else(|e| panic!("{e}"));
    reason.send_keys("Hypoallergenic tape, patch test clear").await.unwrap_or_else(|e| panic!("{e}"));
    click("#add-1 button.primary".into()).await;
    c.wait()
        .for_element(Locator::XPath("//p[@class='override']/em[text()='Hypoallergenic tape, patch test clear']"))
        .await
        .unwrap_or_else(|e| panic!("override not shown: {e}"));
    let kept = c
        .execute("return document.querySelector('.lifecycle').dataset.kept || null;", vec![])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(kept, serde_json::json!("yes"), "the refused and the accepted add swapped only the stage");

    // The activation form outside the stage carries the version the add made: not stale.
    click(".lifecycle form button".into()).await;
    c.wait().for_element(Locator::LinkText("Print handout")).await.unwrap_or_else(|e| panic!("not activated: {e}"));
    let status =
        c.find(Locator::Css(".badge.status")).await.unwrap_or_else(|e| panic!("{e}")).text().await.unwrap_or_default();
    assert_eq!(status, "active");
    c.clone().close().await.unwrap_or_else(|e| panic!("{e}"));
}

/// Prints the page open in the browser to PDF and returns (pages, text of each page).
async fn print_pdf(c: &Client, size: fantoccini::wd::PrintSize) -> (usize, Vec<String>) {
    let margins = fantoccini::wd::PrintMargins { top: 1.5, bottom: 1.5, left: 1.2, right: 1.2 };
    let config = fantoccini::wd::PrintConfiguration::builder()
        .size(size)
        .margins(margins)
        .background(true)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let pdf = c.print(config).await.unwrap_or_else(|e| panic!("print: {e}"));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("handout.pdf");
    std::fs::write(&path, pdf).unwrap_or_else(|e| panic!("{e}"));
    let info = std::process::Command::new("pdfinfo")
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("pdfinfo (poppler-utils): {e}"));
    let pages: usize = String::from_utf8_lossy(&info.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:").and_then(|n| n.trim().parse().ok()))
        .unwrap_or_else(|| panic!("no page count"));
    let text = (1..=pages)
        .map(|p| {
            let out = std::process::Command::new("pdftotext")
                .args(["-f", &p.to_string(), "-l", &p.to_string(), "-layout"])
                .arg(&path)
                .arg("-")
                .output()
                .unwrap_or_else(|e| panic!("pdftotext: {e}"));
            String::from_utf8_lossy(&out.stdout).into_owned()
        })
        .collect();
    (pages, text)
}

#[tokio::test]
#[ignore = "needs chromium, chromium-driver and poppler-utils; .ci/run installs them and runs the browser tests"]
async fn browser_the_handout_prints_cleanly_on_a4_and_letter_in_normal_and_large_print() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let (plan, _) = crate::handout::active_plan(&app, &token).await;
    let browser = start_browser().await;
    let c = &browser.client;
    sign_in(c, &app.address, THERAPIST_A).await;

    for large in [false, true] {
        c.goto(&format!("{}/plans/{plan}/print?large={}", app.address, u8::from(large)))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        for size in [fantoccini::wd::PrintSize::A4, fantoccini::wd::PrintSize::US_LETTER] {
            let label = format!("large={large} size={size:?}");
            let (pages, text) = print_pdf(c, size).await;
            let all = text.join("\n");
            let max = if large { 6 } else { 4 };
            assert!((2..=max).contains(&pages), "{label}: {pages} pages");
            for must in [
                "Sciatic nerve slider",
                "Knee-to-chest stretch",
                "2 sets of 12",
                "Get urgent medical help now if",
                "Tick a box each time",
            ] {
                assert!(all.contains(must), "{label}: missing '{must}'");
            }
            assert!(!all.contains("CLINICIAN-ONLY-NOTE"), "{label}: a clinician note was printed");
            assert!(
                !all.contains("Back to the plan") && !all.contains("Large print"),
                "{label}: screen controls were printed"
            );
            for (n, page) in text.iter().enumerate() {
                assert!(
                    page.contains("Iris Penhallow") && page.contains("version 1"),
                    "{label}: page {} lacks the patient or version",
                    n + 1
                );
            }
            assert!(
                text.last().is_some_and(|p| p.contains("My exercise diary")),
                "{label}: the log sheet is its own last page"
            );
        }
    }
    c.clone().close().await.unwrap_or_else(|e| panic!("{e}"));
}
