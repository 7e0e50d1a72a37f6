//! The clinic's time zone: an admin setting (IANA name, version-checked) that every
//! "today" follows.

use crate::helpers::{spawn_app, ADMIN, THERAPIST_A};
use physioplan::domain::clock::today_in;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn an_admin_sets_the_time_zone_with_a_version_check_and_a_named_field_error() {
    let app = spawn_app().await;
    let admin = app.signed_in(ADMIN).await;
    let action = format!("/admin/clinics/{}/time-zone", app.clinic_a);

    let (_, page) = app.page(&admin, "/admin/clinics").await;
    let (bad, shown) =
        app.post_form(&admin, "/admin/clinics", &action, &[("time_zone", "Mars/Olympus"), ("version", "1")]).await;
    let (saved, _) =
        app.post_form(&admin, "/admin/clinics", &action, &[("time_zone", "America/Toronto"), ("version", "1")]).await;
    let (stale, conflict) =
        app.post_form(&admin, "/admin/clinics", &action, &[("time_zone", "Asia/Tokyo"), ("version", "1")]).await;
    let (_, after) = app.page(&admin, "/admin/clinics").await;
    let therapist = app.signed_in(THERAPIST_A).await;
    let (forbidden, _) =
        app.post_form(&therapist, "/patients", &action, &[("time_zone", "UTC"), ("version", "2")]).await;

    assert!(page.contains("value=\"Europe/London\""), "the default is Europe/London");
    assert_eq!(bad, 422);
    assert!(
        shown.contains("Enter an IANA time zone name") && shown.contains("value=\"Mars/Olympus\""),
        "message by the field, typed value kept"
    );
    assert_eq!(saved, 303);
    assert_eq!(stale, 422);
    assert!(conflict.contains("Someone changed this clinic"));
    assert!(after.contains("value=\"America/Toronto\"") && !after.contains("Asia/Tokyo"));
    assert_eq!(forbidden, 403);
    assert_eq!(app.audit_events("clinic.time_zone").len(), 1);
}

#[tokio::test]
async fn today_is_the_clinic_s_date_so_an_assessment_dated_today_there_is_not_in_the_future() {
    let app = spawn_app().await;
    let admin = app.signed_in(ADMIN).await;
    let token = app.token(THERAPIST_A).await;
    let action = format!("/admin/clinics/{}/time-zone", app.clinic_a);
    let patient = app.create_patient(&token, "Tia", "Zone").await["id"].as_str().unwrap_or_default().to_owned();
    // UTC+14 and UTC-11 are always on different dates.
    let east = today_in("Pacific/Kiritimati", chrono::Utc::now());
    let body =
        json!({"kind": "initial", "assessed_on": east.to_string(), "findings": [{"code": "nprs_worst", "value": 6}]});
    let path = format!("/api/v1/patients/{patient}/assessments");

    app.post_form(&admin, "/admin/clinics", &action, &[("time_zone", "Pacific/Pago_Pago"), ("version", "1")]).await;
    let (west, error) = app.api(Method::POST, &path, &token, Some(body.clone())).await;
    app.post_form(&admin, "/admin/clinics", &action, &[("time_zone", "Pacific/Kiritimati"), ("version", "2")]).await;
    let (created, _) = app.api(Method::POST, &path, &token, Some(body)).await;

    assert_eq!(west, 422, "tomorrow in Pago Pago: {error}");
    assert_eq!(error["error"]["fields"]["assessed_on"].as_array().map(Vec::len), Some(1));
    assert_eq!(created, 201, "today in Kiritimati");
}
