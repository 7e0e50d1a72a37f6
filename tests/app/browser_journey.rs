//! A physiotherapist's first visit in headless Chromium: an initial assessment with the new
//! controls (body chart, "All negative", live ODI and STarT Back), a plan from the protocol
//! the page suggests for the STarT Back group, and a handout with a picture per home
//! exercise; axe-core finds no violations on those pages when `AXE_CORE_JS` names a copy
//! of axe.min.js (`.ci/run` fetches one); and the keyboard-only timing of a typical initial
//! visit (keystrokes counted, time estimated, see docs/performance.md "Keyboard timing").

use crate::browser::{fill, sign_in, start_browser};
use crate::helpers::{spawn_app, THERAPIST_A};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use std::time::{Duration, Instant};

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
}

async fn js(c: &Client, script: &str) -> serde_json::Value {
    c.execute(script, vec![]).await.unwrap_or_else(|e| panic!("{script}: {e}"))
}

/// Waits until the element's text contains `want`; returns the text.
async fn wait_text(c: &Client, css: &str, want: &str) -> String {
    let mut text = String::new();
    for _ in 0..60 {
        if let Ok(e) = c.find(Locator::Css(css)).await {
            text = e.text().await.unwrap_or_default();
            if text.contains(want) {
                return text;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} never showed '{want}' (last: '{text}')");
}

async fn screenshot(c: &Client, name: &str) {
    if let Ok(dir) = std::env::var("UX_SCREENSHOTS") {
        let png = c.screenshot().await.unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(format!("{dir}/{name}.png"), png).unwrap_or_else(|e| panic!("{e}"));
    }
}

/// Runs axe-core on the open page when `AXE_CORE_JS` is set; returns the violations.
async fn axe_violations(c: &Client) -> Option<Vec<String>> {
    let path = std::env::var("AXE_CORE_JS").ok()?;
    let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("AXE_CORE_JS={path}: {e}"));
    c.execute(&source, vec![]).await.unwrap_or_else(|e| panic!("loading axe: {e}"));
    let result = c
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map(v => \
             v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))));",
            vec![],
        )
        .await
        .unwrap_or_else(|e| panic!("axe.run: {e}"));
    Some(
        result
            .as_array()
            .map(|a| a.iter().map(|v| v.as_str().unwrap_or_default().to_owned()).collect())
            .unwrap_or_default(),
    )
}

async fn assert_accessible(c: &Client, page: &str, report: &mut Vec<String>) {
    if let Some(violations) = axe_violations(c).await {
        report.extend(violations.into_iter().map(|v| format!("{page}: {v}")));
    }
}

const ODI: [(&str, u8); 10] = [
    ("pain_intensity", 3),
    ("personal_care", 1),
    ("lifting", 3),
    ("walking", 2),
    ("sitting", 3),
    ("standing", 2),
    ("sleeping", 2),
    ("sex_life", 1),
    ("social_life", 2),
    ("travelling", 2),
];

#[tokio::test]
#[ignore = "needs chromium and chromium-driver; .ci/run installs them and runs the browser tests"]
async fn browser_journey_an_initial_visit_becomes_a_suggested_plan_and_an_illustrated_handout() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let patient = app.create_patient(&token, "Edith", "Varga").await["id"].as_str().unwrap_or_default().to_owned();
    let browser = start_browser().await;
    let c = &browser.client;
    let mut axe = Vec::new();
    sign_in(c, &app.address, THERAPIST_A).await;

    // The assessment, with the body chart, "All negative" and live scores.
    c.goto(&format!("{}/patients/{patient}/assessments/new", app.address)).await.unwrap_or_else(|e| panic!("{e}"));
    assert_accessible(c, "assessment form", &mut axe).await;
    fill(c, "f.nprs_now", "6").await;
    fill(c, "f.nprs_best", "3").await;
    fill(c, "f.nprs_worst", "8").await;
    for region in
        ["f.symptom_pain.right.buttock", "f.symptom_pain.right.calf", "f.symptom_paraesthesia.right.foot_lateral"]
    {
        click(c, &format!("#chart-{} path[data-for='{region}']", region.split('.').nth(1).unwrap_or_default())).await;
    }
    let checked = js(c, "return ['f.symptom_pain.right.buttock','f.symptom_pain.right.calf','f.symptom_paraesthesia.right.foot_lateral','f.symptom_pain.left.calf'].map(id => document.getElementById(id).checked)").await;
    assert_eq!(checked, serde_json::json!([true, true, true, false]), "a click on the chart ticks that region only");
    click(c, "button.all-negative").await;
    let answers = js(c, "return [...document.querySelectorAll('#section-red_flags select')].map(s => s.value)").await;
    let answers: Vec<&str> =
        answers.as_array().map(|a| a.iter().filter_map(|v| v.as_str()).collect()).unwrap_or_default();
    assert!(answers.len() >= 16 && answers.iter().all(|a| *a == "negative"), "every red flag answered no: {answers:?}");
    click(c, "select[name='f.rf_night_pain'] option[value=not_asked]").await;
    let counted = wait_text(c, "[data-count='section-red_flags']", "answered").await;
    assert!(counted.starts_with(&answers.len().to_string()), "the menu counts the answers: {counted}");
    fill(c, "f.slr.right", "35").await;
    for (section, answer) in ODI {
        click(c, &format!("select[name='odi.{section}'] option[value='{answer}']")).await;
    }
    // 21 of 50 = 42 %.
    let odi = wait_text(c, "#live-odi", "%").await;
    assert_eq!(odi, "42 %");
    for (n, agree) in [(1, "1"), (2, "1"), (3, "1"), (4, "0"), (5, "1"), (6, "0"), (7, "0"), (8, "1")] {
        click(c, &format!("select[name='sb.{n}'] option[value='{agree}']")).await;
    }
    click(c, "select[name='sb.9'] option[value=moderately]").await;
    wait_text(c, "#live-start-back", "medium risk").await;
    screenshot(c, "assessment").await;
    click(c, "form.assessment button[type=submit]").await;
    c.wait().for_element(Locator::XPath("//button[text()='Sign and lock']")).await.unwrap_or_else(|e| panic!("{e}"));
    let draft = c.find(Locator::Css("main")).await.unwrap_or_else(|e| panic!("{e}")).text().await.unwrap_or_default();
    assert!(draft.contains("42 %") && draft.contains("medium risk"), "{draft}");
    c.find(Locator::XPath("//button[text()='Sign and lock']"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    c.wait().for_element(Locator::LinkText("Amend")).await.unwrap_or_else(|e| panic!("not signed: {e}"));

    // The plan, from the protocol suggested for medium risk.
    c.goto(&format!("{}/patients/{patient}/plans/new", app.address)).await.unwrap_or_else(|e| panic!("{e}"));
    assert_accessible(c, "new plan", &mut axe).await;
    let chosen =
        js(c, "return document.querySelector('input[name=protocol_id]:checked').closest('label').textContent").await;
    let chosen = chosen.as_str().unwrap_or_default();
    assert!(chosen.contains("medium risk") && chosen.contains("Suggested"), "{chosen}");
    click(c, "form button.primary").await;
    c.wait().for_element(Locator::Css("section#stage-1")).await.unwrap_or_else(|e| panic!("plan page: {e}"));
    assert_accessible(c, "plan builder", &mut axe).await;
    let pictured = js(
        c,
        "return [...document.querySelectorAll('li.item')].filter(li => li.querySelector('img.illustration')).length",
    )
    .await;
    assert!(pictured.as_u64().unwrap_or(0) >= 3, "protocol items show their pictures: {pictured}");
    screenshot(c, "plan").await;
    click(c, ".lifecycle form button").await;
    c.wait().for_element(Locator::LinkText("Print handout")).await.unwrap_or_else(|e| panic!("not activated: {e}"));

    // The handout: one loaded picture per home exercise.
    click(c, "a[href$='/print']").await;
    c.wait().for_element(Locator::Css("article.exercise")).await.unwrap_or_else(|e| panic!("handout: {e}"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let counts = js(
        c,
        "const ex = [...document.querySelectorAll('article.exercise')]; \
         return [ex.length, ex.filter(a => a.querySelectorAll('img.illustration').length === 1 && \
         a.querySelector('img.illustration').naturalWidth > 0).length]",
    )
    .await;
    let (exercises, pictured) = (counts[0].as_u64().unwrap_or(0), counts[1].as_u64().unwrap_or(0));
    assert!(exercises >= 2, "home exercises printed: {exercises}");
    assert_eq!(pictured, exercises, "one picture per home exercise");
    assert_accessible(c, "handout", &mut axe).await;
    screenshot(c, "handout").await;
    assert!(axe.is_empty(), "axe-core violations:\n{}", axe.join("\n"));
    c.clone().close().await.unwrap_or_else(|e| panic!("{e}"));
}

/// One keyboard step of the timed visit: the field to reach by Tab, then what to type.
enum Step {
    /// Tab to the element with this id, then type the text (a select picks the option
    /// whose label starts with it).
    Type(&'static str, &'static str),
    /// Tab to the element matching this CSS selector, then press Space.
    Press(&'static str),
}

/// A typical initial visit for sciatica, in the order of the form.
fn typical_visit() -> Vec<Step> {
    use Step::{Press, Type};
    let mut steps = vec![
        Type("f.nprs_now", "6"),
        Type("f.nprs_best", "3"),
        Type("f.nprs_worst", "8"),
        Press("#chart-symptom_pain summary"),
        Press("[id='f.symptom_pain.right.buttock']"),
        Press("[id='f.symptom_pain.right.thigh_posterior']"),
        Press("[id='f.symptom_pain.right.calf']"),
        Press("#chart-symptom_paraesthesia summary"),
        Press("[id='f.symptom_paraesthesia.right.foot_lateral']"),
        Type("f.aggravating_factors", "sitting, bending"),
        Type("f.easing_factors", "walking"),
        Press("button.all-negative"),
        Type("f.posture_lateral_shift", "n"),
        Type("f.lumbar_flexion", "40"),
        Type("m.lumbar_flexion", "i"),
        Type("f.lumbar_extension", "15"),
        Type("m.lumbar_extension", "i"),
        Type("f.slr.left", "80"),
        Type("f.slr.right", "35"),
        Type("f.slump.left", "n"),
        Type("f.slump.right", "p"),
        Type("f.myotome_l5.left", "5"),
        Type("f.myotome_l5.right", "4"),
        Type("f.myotome_s1.left", "5"),
        Type("f.myotome_s1.right", "5"),
        Type("f.dermatome_s1.right", "r"),
        Type("f.reflex_ankle.left", "n"),
        Type("f.reflex_ankle.right", "r"),
    ];
    for (section, answer) in [
        "pain_intensity",
        "personal_care",
        "lifting",
        "walking",
        "sitting",
        "standing",
        "sleeping",
        "sex_life",
        "social_life",
        "travelling",
    ]
    .iter()
    .zip(["3", "1", "3", "2", "3", "2", "2", "1", "2", "2"])
    {
        steps.push(Type(odi_id(section), answer));
    }
    for (n, answer) in ["a", "a", "a", "d", "a", "d", "d", "a"].iter().enumerate() {
        steps.push(Type(SB_IDS[n], answer));
    }
    steps.push(Type("sb.9", "m"));
    steps.push(Type("impression", "Right S1 radiculopathy, irritable"));
    steps
}

const SB_IDS: [&str; 8] = ["sb.1", "sb.2", "sb.3", "sb.4", "sb.5", "sb.6", "sb.7", "sb.8"];

fn odi_id(section: &str) -> &'static str {
    match section {
        "pain_intensity" => "odi.pain_intensity",
        "personal_care" => "odi.personal_care",
        "lifting" => "odi.lifting",
        "walking" => "odi.walking",
        "sitting" => "odi.sitting",
        "standing" => "odi.standing",
        "sleeping" => "odi.sleeping",
        "sex_life" => "odi.sex_life",
        "social_life" => "odi.social_life",
        _ => "odi.travelling",
    }
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver; .ci/run installs them and runs the browser tests"]
async fn browser_keyboard_a_typical_initial_visit_is_recorded_with_the_keyboard_only() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let patient = app.create_patient(&token, "Kit", "Larsen").await["id"].as_str().unwrap_or_default().to_owned();
    let browser = start_browser().await;
    let c = &browser.client;
    sign_in(c, &app.address, THERAPIST_A).await;
    c.goto(&format!("{}/patients/{patient}/assessments/new", app.address)).await.unwrap_or_else(|e| panic!("{e}"));
    let tab: String = char::from(Key::Tab).to_string();
    let space: String = char::from(Key::Space).to_string();
    let enter: String = char::from(Key::Enter).to_string();
    let (mut tabs, mut typed, mut fields) = (0usize, 0usize, 0usize);
    let started = Instant::now();

    let steps = typical_visit();
    for step in &steps {
        let selector = match step {
            Step::Type(id, _) => format!("[id='{id}']"),
            Step::Press(css) => (*css).to_owned(),
        };
        let check = format!("return document.activeElement === document.querySelector(\"{selector}\")");
        let mut reached = false;
        for _ in 0..400 {
            if js(c, &check).await.as_bool().unwrap_or(false) {
                reached = true;
                break;
            }
            c.active_element()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .send_keys(&tab)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            tabs += 1;
        }
        assert!(reached, "Tab never reached {selector}");
        let active = c.active_element().await.unwrap_or_else(|e| panic!("{e}"));
        match step {
            Step::Type(_, text) => {
                active.send_keys(text).await.unwrap_or_else(|e| panic!("{e}"));
                typed += text.chars().count();
            }
            Step::Press(_) => {
                active.send_keys(&space).await.unwrap_or_else(|e| panic!("{e}"));
                typed += 1;
            }
        }
        fields += 1;
    }
    // Save: Tab to the button and press Enter.
    for _ in 0..400 {
        if js(c, "return document.activeElement.matches('form.assessment button[type=submit]')")
            .await
            .as_bool()
            .unwrap_or(false)
        {
            break;
        }
        c.active_element()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .send_keys(&tab)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        tabs += 1;
    }
    let live = wait_text(c, "#live-odi", "%").await;
    c.active_element()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .send_keys(&enter)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    typed += 1;
    c.wait()
        .for_element(Locator::XPath("//button[text()='Sign and lock']"))
        .await
        .unwrap_or_else(|e| panic!("not saved: {e}"));
    let machine = started.elapsed();
    let saved = c.find(Locator::Css("main")).await.unwrap_or_else(|e| panic!("{e}")).text().await.unwrap_or_default();

    // Keystroke-level model: 0.28 s a keystroke (average typist), 1.35 s of thought per field.
    let keystrokes = tabs + typed;
    let estimate = keystrokes as f64 * 0.28 + fields as f64 * 1.35;
    eprintln!(
        "keyboard timing: {fields} fields, {tabs} Tab presses, {typed} other keys, {keystrokes} keystrokes; \
         estimated {estimate:.0} s for a person (KLM); driven by WebDriver in {:.1} s",
        machine.as_secs_f64()
    );
    assert_eq!(live, "42 %", "the live ODI followed the keyboard answers");
    assert!(saved.contains("42 %") && saved.contains("medium risk"), "{saved}");
    assert!(saved.contains("Straight leg raise"), "{saved}");
    assert!(estimate < 240.0, "a typical initial visit takes under 4 minutes at the keyboard ({estimate:.0} s)");
    c.clone().close().await.unwrap_or_else(|e| panic!("{e}"));
}
