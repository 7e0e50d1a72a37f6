//! Exercise pictures: the public SVG route and the pictures on the library and handout.

use crate::handout::active_plan;
use crate::helpers::{spawn_app, THERAPIST_A};

#[tokio::test]
async fn a_picture_is_a_cacheable_svg_for_anyone_and_an_unknown_code_is_404() {
    let app = spawn_app().await;
    let anonymous = reqwest::Client::new();

    let response = anonymous.get(app.url("/illustrations/bridge.svg")).send().await.unwrap_or_else(|e| panic!("{e}"));
    let missing = anonymous.get(app.url("/illustrations/tens.svg")).send().await.unwrap_or_else(|e| panic!("{e}"));

    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/svg+xml");
    assert!(response.headers()["cache-control"].to_str().unwrap_or_default().contains("max-age"));
    let body = response.text().await.unwrap_or_default();
    assert!(
        body.contains("<svg")
            && body.contains("viewBox=")
            && body.contains("<title>Bridge: start and end positions</title>")
    );
    assert!(!body.contains("style="), "presentation attributes only, under the CSP");
    assert_eq!(missing.status(), 404);
}

fn pictures(html: &str) -> Vec<String> {
    html.split("<img class=\"illustration\" src=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn the_handout_shows_one_picture_per_home_exercise_and_the_library_shows_them_all() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let (plan, _) = active_plan(&app, &token).await;
    let client = app.signed_in(THERAPIST_A).await;

    let (_, handout) = app.page(&client, &format!("/plans/{plan}/print")).await;
    let (_, large) = app.page(&client, &format!("/plans/{plan}/print?version=1&large=1")).await;
    let (_, library) = app.page(&client, "/library?category=exercise").await;

    // Stage 1 has two home items (slider, knee-to-chest) and one clinic treatment.
    assert_eq!(
        pictures(&handout),
        vec!["/illustrations/sciatic_nerve_slider.svg", "/illustrations/knee_to_chest_stretch.svg"]
    );
    assert_eq!(handout.matches("<article class=\"exercise\">").count(), 2);
    assert!(large.contains("width=\"480\""), "large print draws bigger pictures");
    assert!(large.contains("href=\"?version=1&amp;large=0\""), "the print-size link keeps the version");
    let rows = library.matches("<tr>").count() - 1;
    assert!(rows > 10 && pictures(&library).len() == rows, "every exercise in the library has its picture");
    for src in pictures(&library) {
        let (status, _) = app.page(&client, &src).await;
        assert_eq!(status, 200, "{src}");
    }
}
