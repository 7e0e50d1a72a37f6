//! Leads manage clinic protocols (rename, edit, retire; versioned) and retire clinic items,
//! through the API and the pages; plans made earlier keep what they have.

use crate::helpers::{patient_json, spawn_app, TestApp, LEAD_A, THERAPIST_A};
use reqwest::Method;
use serde_json::{json, Value};

async fn new_plan(app: &TestApp, token: &str, protocol: Option<&str>) -> (u16, Value) {
    let (_, p) = app.api(Method::POST, "/api/v1/patients", token, Some(patient_json("Grace", "Hopper"))).await;
    let path = format!("/api/v1/patients/{}/plans", p["id"].as_str().unwrap_or_default());
    let mut body = json!({"title": "Sciatica"});
    if let Some(id) = protocol {
        body["protocol_id"] = json!(id);
    }
    app.api(Method::POST, &path, token, Some(body)).await
}

/// A clinic protocol saved from a fresh plan by the lead; returns its JSON.
async fn clinic_protocol(app: &TestApp, lead: &str) -> Value {
    let (status, plan) = new_plan(app, lead, None).await;
    assert_eq!(status, 201, "{plan}");
    let path = format!("/api/v1/plans/{}/protocol", plan["id"].as_str().unwrap_or_default());
    let (status, body) = app.api(Method::POST, &path, lead, Some(json!({"name": "Clinic sciatica"}))).await;
    assert_eq!(status, 201, "{body}");
    let (_, all) = app.api(Method::GET, "/api/v1/protocols", lead, None).await;
    all.as_array().and_then(|a| a.iter().find(|p| p["name"] == "Clinic sciatica")).cloned().unwrap_or(Value::Null)
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array().map(|a| a.iter().filter_map(|p| p["id"].as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

#[tokio::test]
async fn a_lead_renames_edits_and_retires_a_clinic_protocol_and_built_in_ones_stay_read_only() {
    let app = spawn_app().await;
    let lead = app.token(LEAD_A).await;
    let therapist = app.token(THERAPIST_A).await;
    let protocol = clinic_protocol(&app, &lead).await;
    let id = protocol["id"].as_str().unwrap_or_default().to_owned();
    let path = format!("/api/v1/protocols/{id}");
    assert_eq!(protocol["version"], 1);

    let mut content = protocol["content"].clone();
    content["stages"][0]["items"] = json!([{"code": "sciatic_nerve_slider"}]);
    content["stages"][0]["name"] = json!("Settle the nerve");
    let edit = json!({"version": 1, "name": "Clinic sciatica v2", "description": "For our clinic", "content": content});
    let (status, edited) = app.api(Method::PUT, &path, &lead, Some(edit.clone())).await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!((edited["version"].as_i64(), edited["name"].as_str()), (Some(2), Some("Clinic sciatica v2")));
    assert_eq!(edited["content"]["stages"][0]["items"][0]["code"], "sciatic_nerve_slider");
    let (stale, conflict) = app.api(Method::PUT, &path, &lead, Some(edit.clone())).await;
    assert_eq!((stale, conflict["error"]["code"].as_str()), (409, Some("version_conflict")));
    let (status, _) = app.api(Method::PUT, &path, &therapist, Some(edit)).await;
    assert_eq!(status, 403, "therapists do not manage protocols");

    let mut unknown = edited["content"].clone();
    unknown["stages"][1]["items"] = json!([{"code": "no_such_item"}]);
    let bad = json!({"version": 2, "name": "", "content": unknown});
    let (status, body) = app.api(Method::PUT, &path, &lead, Some(bad)).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["fields"]["name"].is_array() && body["error"]["fields"]["content.stages[1].items"].is_array(),
        "{body}"
    );

    // A plan made from it keeps its items after the protocol is retired.
    let (status, made) = new_plan(&app, &therapist, Some(&id)).await;
    assert_eq!(status, 201, "{made}");
    let (status, retired) = app.api(Method::POST, &format!("{path}/retire"), &lead, Some(json!({"version": 2}))).await;
    assert_eq!(status, 200, "{retired}");
    assert_eq!(retired["retired"], true);
    let (_, offered) = app.api(Method::GET, "/api/v1/protocols", &therapist, None).await;
    assert!(!ids(&offered).contains(&id), "a retired protocol is not offered");
    let (status, refused) = new_plan(&app, &therapist, Some(&id)).await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["error"]["fields"]["protocol_id"].is_array());
    let plan_path = format!("/api/v1/plans/{}", made["id"].as_str().unwrap_or_default());
    let (_, kept) = app.api(Method::GET, &plan_path, &therapist, None).await;
    assert_eq!(kept["stages"][0]["items"][0]["code"], "sciatic_nerve_slider", "{kept}");
    let (status, _) =
        app.api(Method::PUT, &path, &lead, Some(json!({"version": 3, "name": "x", "content": content}))).await;
    assert_eq!(status, 409, "a retired protocol is not edited");

    // Built-in protocols are read-only.
    let builtin = offered.as_array().and_then(|a| a.iter().find(|p| p["builtin"] == true)).cloned().unwrap_or_default();
    let builtin_path = format!("/api/v1/protocols/{}", builtin["id"].as_str().unwrap_or_default());
    let body = json!({"version": builtin["version"], "name": "Mine now", "content": builtin["content"]});
    let (status, _) = app.api(Method::PUT, &builtin_path, &lead, Some(body)).await;
    assert_eq!(status, 403);
    let (status, _) =
        app.api(Method::POST, &format!("{builtin_path}/retire"), &lead, Some(json!({"version": 1}))).await;
    assert_eq!(status, 403);
    assert_eq!(app.audit_events("protocol.update").len(), 1);
    assert_eq!(app.audit_events("protocol.retire").len(), 1);
}

#[tokio::test]
async fn the_protocol_pages_edit_keep_typed_input_on_a_stale_save_and_retire() {
    let app = spawn_app().await;
    let lead = app.token(LEAD_A).await;
    let protocol = clinic_protocol(&app, &lead).await;
    let id = protocol["id"].as_str().unwrap_or_default().to_owned();
    let page = format!("/library/protocols/{id}");
    let browser = app.signed_in(LEAD_A).await;
    let (_, list) = app.page(&browser, "/library/protocols").await;
    assert!(list.contains("Clinic sciatica") && list.contains(&page), "{list}");

    let stages = ["Calm", "Move", "Load", "Return"];
    let mut fields: Vec<(&str, &str)> = vec![("name", "Renamed on the page"), ("description", "")];
    for s in stages {
        fields.extend([("stage_name", s), ("stage_purpose", "why"), ("stage_weeks", "2"), ("stage_items", "")]);
    }
    fields[5] = ("stage_items", "sciatic_nerve_slider\nknee_to_chest_stretch");
    let (status, location) = app.post_form(&browser, &page, &page, &fields).await;
    assert_eq!(status, 303, "{location}");
    let (_, now) = app.api(Method::GET, &format!("/api/v1/protocols/{id}"), &lead, None).await;
    assert_eq!(now["name"], "Renamed on the page");
    assert_eq!(now["content"]["stages"][0]["items"][1]["code"], "knee_to_chest_stretch");

    // Saved from a page showing version 1 after version 2 was saved: 409, typed input kept.
    let mut stale = fields.clone();
    stale[0] = ("name", "Typed while someone else saved");
    stale.push(("version", "1"));
    let (status, html) = app.post_form(&browser, &page, &page, &stale).await;
    assert_eq!(status, 409);
    assert!(html.contains("changed by someone else"), "{html}");
    assert!(html.contains("value=\"Typed while someone else saved\""), "{html}");
    assert!(html.contains("name=\"version\" value=\"2\""), "the form is now based on the current version");

    let (status, html) = app.post_form(&browser, &page, &format!("{page}/retire"), &[("version", "1")]).await;
    assert_eq!(status, 409, "{html}");
    let (status, _) = app.post_form(&browser, &page, &format!("{page}/retire"), &[]).await;
    assert_eq!(status, 303);
    let (_, list) = app.page(&browser, "/library/protocols").await;
    assert!(list.contains("class=\"badge warn\">retired"), "{list}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_concurrent_edits_of_one_protocol_save_one_and_refuse_the_rest() {
    let app = spawn_app().await;
    let lead = app.token(LEAD_A).await;
    let protocol = clinic_protocol(&app, &lead).await;
    let path = format!("/api/v1/protocols/{}", protocol["id"].as_str().unwrap_or_default());
    let mut set = tokio::task::JoinSet::new();
    for n in 1..=8 {
        let body = json!({"version": 1, "name": format!("Edit {n}"), "content": protocol["content"]});
        let (url, token) = (app.url(&path), lead.clone());
        set.spawn(async move {
            let response = reqwest::Client::new()
                .put(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap_or(Value::Null))
        });
    }
    let results = set.join_all().await;
    let saved: Vec<&Value> = results.iter().filter(|(s, _)| *s == 200).map(|(_, b)| b).collect();
    assert_eq!(saved.len(), 1, "{results:?}");
    for (status, body) in results.iter().filter(|(s, _)| *s != 200) {
        assert_eq!((*status, body["error"]["code"].as_str()), (409, Some("version_conflict")), "{body}");
    }
    let (_, now) = app.api(Method::GET, &path, &lead, None).await;
    assert_eq!(now["version"], 2);
    assert_eq!(now["name"], saved[0]["name"]);
    assert_eq!(app.audit_events("protocol.update").len(), 1);
}

#[tokio::test]
async fn a_retired_clinic_item_leaves_the_picker_is_refused_for_new_adds_and_plans_keep_printing_it() {
    let app = spawn_app().await;
    let lead = app.token(LEAD_A).await;
    let therapist = app.token(THERAPIST_A).await;
    let (_, items) = app.api(Method::GET, "/api/v1/modalities?q=sciatic", &lead, None).await;
    let mut def = items[0]["definition"].clone();
    def["code"] = json!("clinic_glide");
    def["name"] = json!("Clinic glide");
    let (_, item) = app.api(Method::POST, "/api/v1/modalities", &lead, Some(def)).await;
    let item_id = item["id"].as_str().unwrap_or_default().to_owned();

    // A plan with the item, activated before the item is retired.
    let (_, p) = app.api(Method::POST, "/api/v1/patients", &therapist, Some(patient_json("Iris", "Penhallow"))).await;
    let patient = p["id"].as_str().unwrap_or_default().to_owned();
    app.sign_screen(&therapist, &patient, "2026-10-20", json!([])).await;
    let (_, plan) = app
        .api(Method::POST, &format!("/api/v1/patients/{patient}/plans"), &therapist, Some(json!({"title": "S1"})))
        .await;
    let plan_id = plan["id"].as_str().unwrap_or_default().to_owned();
    let items_path =
        format!("/api/v1/plans/{plan_id}/stages/{}/items", plan["stages"][0]["id"].as_str().unwrap_or_default());
    let (status, _) = app.plan_api(Method::POST, &items_path, &therapist, Some(json!({"modality_id": item_id}))).await;
    assert_eq!(status, 201);
    let (status, _) = app.api(Method::POST, &format!("/api/v1/plans/{plan_id}/activate"), &therapist, None).await;
    assert_eq!(status, 200);

    let retire = format!("/api/v1/modalities/{item_id}/retire");
    let (status, _) = app.api(Method::POST, &retire, &therapist, Some(json!({"version": 1}))).await;
    assert_eq!(status, 403);
    let (status, body) = app.api(Method::POST, &retire, &lead, Some(json!({"version": 2}))).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("version_conflict")), "{body}");
    let (status, body) = app.api(Method::POST, &retire, &lead, Some(json!({"version": 1}))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["retired"], true);
    assert_eq!(app.audit_events("library.retire").len(), 1);

    let (_, listed) = app.api(Method::GET, "/api/v1/modalities?q=clinic", &therapist, None).await;
    assert!(!ids(&listed).contains(&item_id), "retired items are not listed");
    let (_, other) = new_plan(&app, &therapist, None).await;
    let other_stage = other["stages"][0]["id"].as_str().unwrap_or_default().to_owned();
    let other_id = other["id"].as_str().unwrap_or_default().to_owned();
    let path = format!("/api/v1/plans/{other_id}/stages/{other_stage}/items");
    let (status, refused) = app.plan_api(Method::POST, &path, &therapist, Some(json!({"modality_id": item_id}))).await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["error"]["fields"]["modality_id"][0].as_str().unwrap_or_default().contains("retired"), "{refused}");
    let staff = app.signed_in(THERAPIST_A).await;
    let (_, picker) = app.page(&staff, &format!("/plans/{other_id}/stages/{other_stage}/picker?q=clinic")).await;
    assert!(!picker.contains("Clinic glide"), "{picker}");
    let (status, handout) = app.page(&staff, &format!("/plans/{plan_id}/print")).await;
    assert_eq!(status, 200);
    assert!(handout.contains("Clinic glide"), "the plan that has it still prints it");

    // The page: retired items carry a notice and no edit or retire form.
    let browser = app.signed_in(LEAD_A).await;
    let (_, page) = app.page(&browser, &format!("/library/{item_id}")).await;
    assert!(page.contains("This item is retired") && !page.contains("Retire this item"), "{page}");
    let (status, _) =
        app.api(Method::PUT, &format!("/api/v1/modalities/{item_id}"), &lead, Some(item["definition"].clone())).await;
    assert_eq!(status, 409, "a retired item is not edited");
}

#[tokio::test]
async fn the_library_page_retires_a_clinic_item_and_a_stale_retire_is_shown_as_a_conflict() {
    let app = spawn_app().await;
    let lead = app.token(LEAD_A).await;
    let (_, items) = app.api(Method::GET, "/api/v1/modalities?q=sciatic", &lead, None).await;
    let mut def = items[0]["definition"].clone();
    def["code"] = json!("clinic_glide");
    def["name"] = json!("Clinic glide");
    let (_, item) = app.api(Method::POST, "/api/v1/modalities", &lead, Some(def)).await;
    let id = item["id"].as_str().unwrap_or_default().to_owned();
    let browser = app.signed_in(LEAD_A).await;
    let page = format!("/library/{id}");
    let (status, html) = app.post_form(&browser, &page, &format!("{page}/retire"), &[("version", "7")]).await;
    assert_eq!(status, 409);
    assert!(html.contains("changed by someone else"), "{html}");
    let (status, location) = app.post_form(&browser, &page, &format!("{page}/retire"), &[]).await;
    assert_eq!((status, location.as_str()), (303, page.as_str()));
    let (_, library) = app.page(&browser, "/library?q=clinic").await;
    assert!(!library.contains("Clinic glide"), "{library}");
}
