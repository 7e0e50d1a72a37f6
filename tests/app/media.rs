//! Uploaded pictures of clinic library items: told by their bytes, SVG cleaned, size
//! limited, shown in the library, the picker and on the handout, walled by clinic.

use crate::helpers::{csrf_token, patient_json, spawn_app, TestApp, LEAD_A, THERAPIST_A, THERAPIST_B};
use reqwest::Method;
use serde_json::{json, Value};

/// A small PNG: signature, header chunk, a data chunk and the end chunk.
fn png(width: u32, height: u32) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], data: &[u8]| {
        b.extend((data.len() as u32).to_be_bytes());
        b.extend(kind);
        b.extend(data);
        b.extend([0, 0, 0, 0]);
    };
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]);
    chunk(b"IHDR", &ihdr);
    chunk(b"IDAT", &[0x78, 0x9c, 0, 0]);
    chunk(b"IEND", &[]);
    b
}

/// A clinic item made from the sciatic nerve slider (a home exercise); returns its id.
async fn clinic_item(app: &TestApp, lead: &str) -> String {
    let (_, items) = app.api(Method::GET, "/api/v1/modalities", lead, None).await;
    let base = items
        .as_array()
        .and_then(|a| a.iter().find(|i| i["code"] == "sciatic_nerve_slider"))
        .cloned()
        .unwrap_or(Value::Null);
    let mut def = base["definition"].clone();
    def["code"] = json!("clinic_slider");
    def["name"] = json!("Clinic slider");
    let (status, item) = app.api(Method::POST, "/api/v1/modalities", lead, Some(def)).await;
    assert_eq!(status, 201, "{item}");
    item["id"].as_str().unwrap_or_default().to_owned()
}

/// Posts a file through the item page's upload form, as a browser does (multipart, with the
/// page's CSRF token); returns the status and the body or the redirect's target.
async fn upload_form(app: &TestApp, client: &reqwest::Client, item: &str, name: &str, bytes: &[u8]) -> (u16, String) {
    let (_, html) = app.page(client, &format!("/library/{item}")).await;
    let token = csrf_token(&html);
    let boundary = "----pp-test-boundary-7d1";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"{name}\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend(bytes);
    body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    let response = client
        .post(app.url(&format!("/library/{item}/image")))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let status = response.status().as_u16();
    match response.headers().get("location").and_then(|l| l.to_str().ok()) {
        Some(location) => (status, location.to_owned()),
        None => (status, response.text().await.unwrap_or_default()),
    }
}

/// Uploads through the API; returns status and JSON.
async fn upload_api(app: &TestApp, token: &str, item: &str, content_type: &str, bytes: Vec<u8>) -> (u16, Value) {
    let response = reqwest::Client::new()
        .put(app.url(&format!("/api/v1/modalities/{item}/image")))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(bytes)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn media_src(html: &str) -> Option<String> {
    html.split("src=\"/library/media/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .map(|id| format!("/library/media/{id}"))
}

#[tokio::test]
async fn an_uploaded_png_shows_in_the_library_the_picker_and_on_the_handout_and_is_served_as_png() {
    let app = spawn_app().await;
    let lead = app.token(LEAD_A).await;
    let item = clinic_item(&app, &lead).await;
    let browser = app.signed_in(LEAD_A).await;
    let (status, location) = upload_form(&app, &browser, &item, "slider.png", &png(40, 20)).await;
    assert_eq!(status, 303, "{location}");

    let (_, library) = app.page(&browser, "/library?q=clinic").await;
    let src = media_src(&library).unwrap_or_else(|| panic!("no picture in the library:\n{library}"));
    assert!(library.contains("alt=\"Clinic slider: picture\""), "{library}");
    let (_, detail) = app.page(&browser, &format!("/library/{item}")).await;
    assert_eq!(media_src(&detail).as_deref(), Some(src.as_str()));

    let response = browser.get(app.url(&src)).send().await.unwrap_or_else(|e| panic!("{e}"));
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert_eq!(response.status(), 200);
    assert_eq!(header("content-type"), "image/png");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert!(
        header("content-security-policy").starts_with("default-src 'none'"),
        "{}",
        header("content-security-policy")
    );
    assert_eq!(header("content-disposition"), "inline");
    let etag = header("etag");
    assert_eq!(response.bytes().await.unwrap_or_default().to_vec(), png(40, 20));
    let again =
        browser.get(app.url(&src)).header("if-none-match", &etag).send().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.status(), 304);

    // The therapist's plan with the item: the picker and the printed handout show the picture.
    let therapist = app.token(THERAPIST_A).await;
    let (_, p) = app.api(Method::POST, "/api/v1/patients", &therapist, Some(patient_json("Iris", "Penhallow"))).await;
    let patient = p["id"].as_str().unwrap_or_default().to_owned();
    app.sign_screen(&therapist, &patient, "2026-10-20", json!([])).await;
    let (_, plan) = app
        .api(Method::POST, &format!("/api/v1/patients/{patient}/plans"), &therapist, Some(json!({"title": "Sciatica"})))
        .await;
    let plan_id = plan["id"].as_str().unwrap_or_default().to_owned();
    let stage = plan["stages"][0]["id"].as_str().unwrap_or_default().to_owned();
    let staff = app.signed_in(THERAPIST_A).await;
    let (_, picker) = app.page(&staff, &format!("/plans/{plan_id}/stages/{stage}/picker?q=clinic")).await;
    assert_eq!(media_src(&picker).as_deref(), Some(src.as_str()), "{picker}");
    let path = format!("/api/v1/plans/{plan_id}/stages/{stage}/items");
    let (status, added) =
        app.plan_api(Method::POST, &path, &therapist, Some(json!({"modality_id": item, "side": "left"}))).await;
    assert_eq!(status, 201, "{added}");
    let (status, _) = app.api(Method::POST, &format!("/api/v1/plans/{plan_id}/activate"), &therapist, None).await;
    assert_eq!(status, 200);
    let (status, handout) = app.page(&staff, &format!("/plans/{plan_id}/print")).await;
    assert_eq!(status, 200);
    assert_eq!(media_src(&handout).as_deref(), Some(src.as_str()), "{handout}");
    assert_eq!(app.audit_events("library.image_set").len(), 1);

    // Removed: the library shows no upload any more and the old address is gone.
    let (status, _) =
        app.post_form(&browser, &format!("/library/{item}"), &format!("/library/{item}/image/remove"), &[]).await;
    assert_eq!(status, 303);
    let (_, library) = app.page(&browser, "/library?q=clinic").await;
    assert_eq!(media_src(&library), None);
    assert_eq!(app.page(&browser, &src).await.0, 404);
    assert_eq!(app.audit_events("library.image_remove").len(), 1);
}

#[tokio::test]
async fn files_that_are_not_pictures_are_refused_by_their_bytes_whatever_their_name() {
    let app = spawn_app().await;
    let lead = app.token(LEAD_A).await;
    let item = clinic_item(&app, &lead).await;
    let browser = app.signed_in(LEAD_A).await;
    let html = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>".to_vec();

    let (status, page) = upload_form(&app, &browser, &item, "holiday.png", &html).await;
    assert_eq!(status, 422);
    let field = page.split("id=\"image\"").nth(1).unwrap_or_default();
    assert!(field.contains("Choose a PNG, JPEG or SVG picture"), "message next to the field:\n{page}");
    assert!(!page.contains("alert(1)"), "the file is never quoted");
    let (status, body) = upload_api(&app, &lead, &item, "image/png", html).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "validation_failed");
    assert!(body["error"]["fields"]["image"].is_array(), "{body}");

    // A real PNG sent as "picture.svg", claimed to be SVG, is a PNG and is served as one.
    let (status, image) = upload_api(&app, &lead, &item, "image/svg+xml", png(8, 8)).await;
    assert_eq!(status, 200, "{image}");
    assert_eq!(image["content_type"], "image/png");
    assert_eq!((image["width"].as_i64(), image["height"].as_i64()), (Some(8), Some(8)));
    let (status, _) = upload_form(&app, &browser, &item, "picture.svg", &png(8, 8)).await;
    assert_eq!(status, 303);
}

#[tokio::test]
async fn an_uploaded_svg_is_served_without_scripts_handlers_or_external_links() {
    let app = spawn_app().await;
    let lead = app.token(LEAD_A).await;
    let item = clinic_item(&app, &lead).await;
    let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 100 50" onload="alert(1)">
<script>alert(2)</script><image xlink:href="https://tracker.example/p.png" width="5" height="5"/>
<a href="javascript:alert(3)"><circle cx="5" cy="5" r="4"/></a><use href="https://tracker.example/s.svg#x"/>
<rect x="1" y="1" width="20" height="10" fill="#336" onclick="alert(4)"/></svg>"##;
    let (status, image) = upload_api(&app, &lead, &item, "text/plain", svg.as_bytes().to_vec()).await;
    assert_eq!(status, 200, "{image}");
    assert_eq!(image["content_type"], "image/svg+xml");
    let browser = app.signed_in(THERAPIST_A).await;
    let response =
        browser.get(app.url(image["url"].as_str().unwrap_or_default())).send().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("image/svg+xml"));
    assert_eq!(response.headers().get("x-content-type-options").and_then(|v| v.to_str().ok()), Some("nosniff"));
    let served = response.text().await.unwrap_or_default();
    for gone in ["script", "alert", "onload", "onclick", "tracker.example", "javascript", "<image", "<a "] {
        assert!(!served.contains(gone), "{gone} in {served}");
    }
    assert!(served.contains("<rect") && served.contains("fill=\"#336\""), "the drawing is kept: {served}");
    // A DOCTYPE with entities is refused outright.
    let bomb =
        r#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>"#;
    let (status, body) = upload_api(&app, &lead, &item, "image/svg+xml", bomb.as_bytes().to_vec()).await;
    assert_eq!(status, 422, "{body}");
}

#[tokio::test]
async fn an_oversize_picture_is_refused_naming_the_field() {
    let app = spawn_app().await;
    let lead = app.token(LEAD_A).await;
    let item = clinic_item(&app, &lead).await;
    let mut big = png(100, 100);
    big.resize(600 * 1024, 0);
    let (status, body) = upload_api(&app, &lead, &item, "image/png", big.clone()).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"]["fields"]["image"][0].as_str().unwrap_or_default().contains("512 KiB"), "{body}");
    let browser = app.signed_in(LEAD_A).await;
    let (status, page) = upload_form(&app, &browser, &item, "big.png", &big).await;
    assert_eq!(status, 422);
    assert!(page.split("id=\"image\"").nth(1).unwrap_or_default().contains("512 KiB"), "{page}");
    assert_eq!(app.audit_events("library.image_set").len(), 0);
}

#[tokio::test]
async fn another_clinic_gets_404_therapists_cannot_upload_and_a_form_without_its_token_is_refused() {
    let app = spawn_app().await;
    let lead = app.token(LEAD_A).await;
    let item = clinic_item(&app, &lead).await;
    let (_, image) = upload_api(&app, &lead, &item, "image/png", png(4, 4)).await;
    let url = image["url"].as_str().unwrap_or_default().to_owned();

    let other = app.signed_in(THERAPIST_B).await;
    assert_eq!(app.page(&other, &url).await.0, 404);
    let therapist = app.token(THERAPIST_A).await;
    let (status, _) = upload_api(&app, &therapist, &item, "image/png", png(4, 4)).await;
    assert_eq!(status, 403);
    let (status, _) = app.api(Method::DELETE, &format!("/api/v1/modalities/{item}/image"), &therapist, None).await;
    assert_eq!(status, 403);
    assert_eq!(app.page(&app.signed_in(THERAPIST_A).await, &url).await.0, 200, "the clinic's staff see it");

    // A built-in item takes no picture.
    let (_, items) = app.api(Method::GET, "/api/v1/modalities?q=bridge", &lead, None).await;
    let builtin = items[0]["id"].as_str().unwrap_or_default().to_owned();
    let (status, _) = upload_api(&app, &lead, &builtin, "image/png", png(4, 4)).await;
    assert_eq!(status, 403);

    // The upload form without the session's token.
    let browser = app.signed_in(LEAD_A).await;
    let response = browser
        .post(app.url(&format!("/library/{item}/image")))
        .header("content-type", "multipart/form-data; boundary=b")
        .body("--b\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n\r\nx\r\n--b--\r\n")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), 403);
    let (status, _) = app.api(Method::DELETE, &format!("/api/v1/modalities/{item}/image"), &lead, None).await;
    assert_eq!(status, 204);
    assert_eq!(app.page(&browser, &url).await.0, 404);
}
