//! Admins edit a clinic's name, telephone and address; the handout shows them; the edit
//! is version-checked, refused to non-admins, a taken name is refused, and it is audited.

use crate::helpers::{csrf_token, spawn_app, ADMIN, THERAPIST_A};

#[tokio::test]
async fn an_admin_edits_the_clinic_details_that_the_handout_prints() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let (plan, _) = crate::handout::active_plan(&app, &token).await;
    let admin = app.signed_in(ADMIN).await;
    let therapist = app.signed_in(THERAPIST_A).await;
    let clinic = app.clinic_a;
    let action = format!("/admin/clinics/{clinic}/details");
    let (_, page) = app.page(&admin, "/admin/clinics").await;
    let version = page
        .split(&format!("action=\"{action}\""))
        .nth(1)
        .and_then(|rest| rest.split("name=\"version\" value=\"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned();
    let fields = |name: &'static str, version: String| {
        vec![
            ("name", name.to_owned()),
            ("phone", "020 7946 0999".to_owned()),
            ("address", "1 River Walk, Oxford".to_owned()),
            ("version", version),
        ]
    };

    let post = |client: &reqwest::Client, body: Vec<(&'static str, String)>, csrf: String| {
        let mut body = body;
        body.push(("csrf_token", csrf));
        client.post(app.url(&action)).form(&body).send()
    };
    let saved = post(&admin, fields("Riverside Physio Oxford", version.clone()), csrf_token(&page))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let stale = post(&admin, fields("Riverside Physio Oxford", version.clone()), csrf_token(&page))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (_, therapist_page) = app.page(&therapist, "/patients").await;
    let refused = post(&therapist, fields("Mine now", version.clone()), csrf_token(&therapist_page))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (_, handout) = app.page(&therapist, &format!("/plans/{plan}/print")).await;

    assert_eq!(saved.status().as_u16(), 303);
    assert_eq!(stale.status().as_u16(), 409, "a form based on the old version is refused");
    assert_eq!(refused.status().as_u16(), 403);
    assert!(handout.contains("Riverside Physio Oxford"), "the handout names the clinic");
    assert!(handout.contains("1 River Walk, Oxford") && handout.contains("020 7946 0999"));
    assert_eq!(app.audit_events("clinic.details").len(), 1);
}

#[tokio::test]
async fn a_clinic_cannot_take_another_clinics_name_and_the_typed_values_are_kept() {
    let app = spawn_app().await;
    let admin = app.signed_in(ADMIN).await;
    let (_, page) = app.page(&admin, "/admin/clinics").await;
    let names: Vec<String> =
        page.split("<tr><td>").skip(1).filter_map(|row| row.split('<').next().map(str::to_owned)).collect();
    assert!(names.len() >= 2, "two clinics: {names:?}");
    let action = format!("/admin/clinics/{}/details", app.clinic_a);
    let version = page
        .split(&format!("action=\"{action}\""))
        .nth(1)
        .and_then(|rest| rest.split("name=\"version\" value=\"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned();
    let other = names
        .iter()
        .find(|n| {
            !page.contains(&format!("id=\"name-{}\" type=\"text\" name=\"name\" required value=\"{n}\"", app.clinic_a))
        })
        .cloned()
        .unwrap_or_default();

    let response = admin
        .post(app.url(&action))
        .form(&[
            ("name", other.as_str()),
            ("phone", "0123"),
            ("address", ""),
            ("version", &version),
            ("csrf_token", &csrf_token(&page)),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let status = response.status().as_u16();
    let html = response.text().await.unwrap_or_default();

    assert_eq!(status, 422);
    assert!(html.contains("A clinic with this name exists already."));
    assert!(html.contains("value=\"0123\""), "the typed telephone is kept");
}
