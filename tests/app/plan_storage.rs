//! Plan storage: items reference their library item version, versions share unchanged
//! stages, an old database (full copies in every row) converts and prints the same, and the
//! plan page reads no version content.

use crate::handout::active_plan;
use crate::helpers::{spawn_app, TestApp, THERAPIST_A};
use diesel::prelude::*;
use physioplan::db::plan_storage::{convert, library_copies, read_version};
use physioplan::db::schema::{plan_blobs, plan_versions, plans};
use physioplan::domain::plan::PlanContent;
use physioplan::domain::plan_storage::StoredContent;
use reqwest::Method;
use serde_json::json;

/// An active plan with versions 1 (activation), 2 (amendment adding an item) and 3 (moved
/// to stage 2); returns its id.
async fn plan_with_three_versions(app: &TestApp, token: &str) -> String {
    let (id, _) = active_plan(app, token).await;
    let path = |p: &str| format!("/api/v1/plans/{id}/{p}");
    let (amended, _) =
        app.plan_api(Method::POST, &path("amend"), token, Some(json!({"reason": "Add core work"}))).await;
    assert_eq!(amended, 200);
    let (_, plan) = app.api(Method::GET, &format!("/api/v1/plans/{id}"), token, None).await;
    let (_, library) = app.api(Method::GET, "/api/v1/modalities?q=bird", token, None).await;
    let stage = plan["stages"][1]["id"].as_str().unwrap_or_default();
    let body = json!({"modality_id": library[0]["id"], "dosage": {"sets": 2, "reps": 8}});
    let (added, item) = app.plan_api(Method::POST, &path(&format!("stages/{stage}/items")), token, Some(body)).await;
    assert_eq!(added, 201, "{item}");
    let (activated, _) = app.plan_api(Method::POST, &path("activate"), token, None).await;
    assert_eq!(activated, 200);
    let (advanced, _) = app.plan_api(Method::POST, &path("advance"), token, None).await;
    assert_eq!(advanced, 200);
    id
}

/// The printed handout of every version, and the plan page's version list.
async fn prints(app: &TestApp, client: &reqwest::Client, id: &str) -> (Vec<String>, String) {
    let mut out = Vec::new();
    for n in 1..=3 {
        let (status, html) = app.page(client, &format!("/plans/{id}/print?version={n}")).await;
        assert_eq!(status, 200, "{html}");
        // Only the per-response CSP nonce may differ between two prints.
        let nonce = html.split("nonce=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or_default().to_owned();
        out.push(html.replace(&nonce, "NONCE"));
    }
    let (_, page) = app.page(client, &format!("/plans/{id}")).await;
    let versions = page.split("<ol class=\"versions\">").nth(1).and_then(|s| s.split("</ol></section>").next());
    (out, versions.unwrap_or_default().to_owned())
}

/// Rewrites a plan's rows as the code before the storage change wrote them: each item
/// with its whole library definition copied, each version the whole document.
fn make_old(app: &TestApp, id: &str) {
    let mut conn = app.db.conn().unwrap_or_else(|e| panic!("{e}"));
    let whole = |conn: &mut physioplan::db::DbConn, stored: StoredContent| -> PlanContent {
        let library = library_copies(conn, &stored.modality_ids()).unwrap_or_else(|e| panic!("{e}"));
        stored.hydrate(&library)
    };
    let working: String =
        plans::table.find(id).select(plans::content).first(&mut *conn).unwrap_or_else(|e| panic!("{e}"));
    let stored: StoredContent = serde_json::from_str(&working).unwrap_or_else(|e| panic!("{e}"));
    let old = serde_json::to_string(&whole(&mut conn, stored)).unwrap_or_default();
    diesel::update(plans::table.find(id))
        .set(plans::content.eq(&old))
        .execute(&mut *conn)
        .unwrap_or_else(|e| panic!("{e}"));
    let rows: Vec<(String, String)> = plan_versions::table
        .filter(plan_versions::plan_id.eq(id))
        .select((plan_versions::id, plan_versions::content))
        .load(&mut *conn)
        .unwrap_or_else(|e| panic!("{e}"));
    for (version, json) in rows {
        let stored =
            read_version(&mut conn, &json).unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|| panic!("readable"));
        let old = serde_json::to_string(&whole(&mut conn, stored)).unwrap_or_default();
        assert!(old.contains("patient_instructions"), "the old form copies the definition");
        diesel::update(plan_versions::table.find(version))
            .set((plan_versions::content.eq(old), plan_versions::changes.eq(None::<String>)))
            .execute(&mut *conn)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    diesel::delete(plan_blobs::table).execute(&mut *conn).unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn an_old_database_converts_and_every_version_prints_byte_for_byte_the_same() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let id = plan_with_three_versions(&app, &token).await;
    let client = app.signed_in(THERAPIST_A).await;
    let (before, versions_before) = prints(&app, &client, &id).await;

    make_old(&app, &id);
    // (`serve` converts before it listens; reading old rows unconverted must still work.)
    let (old, _) = prints(&app, &client, &id).await;
    app.db.migrate().unwrap_or_else(|e| panic!("{e}"));
    let (after, versions_after) = prints(&app, &client, &id).await;
    let again = convert(&mut app.db.conn().unwrap_or_else(|e| panic!("{e}"))).unwrap_or_else(|e| panic!("{e}"));

    assert!(before.iter().all(|p| p.contains("<html") && p.len() > 2000), "real handouts");
    assert_ne!(before[0], before[2], "the versions differ");
    assert_eq!(old, before, "old rows read as they were");
    assert_eq!(after, before, "converted rows print byte for byte the same");
    assert!(versions_before.contains("added: Stage 2"), "the page lists what version 2 added: {versions_before}");
    assert_eq!(versions_after, versions_before, "the stored changes are those the page showed");
    assert_eq!(again, 0, "the conversion is idempotent");
    let mut conn = app.db.conn().unwrap_or_else(|e| panic!("{e}"));
    let working: String = plans::table.find(&id).select(plans::content).first(&mut *conn).unwrap_or_default();
    assert!(!working.contains("patient_instructions"), "{working}");
    let unconverted: i64 =
        plan_versions::table.filter(plan_versions::changes.is_null()).count().get_result(&mut *conn).unwrap_or(-1);
    assert_eq!(unconverted, 0);
}

#[tokio::test]
async fn items_store_no_library_copy_and_versions_store_only_the_stages_they_changed() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let id = plan_with_three_versions(&app, &token).await;

    let mut conn = app.db.conn().unwrap_or_else(|e| panic!("{e}"));
    let working: String = plans::table.find(&id).select(plans::content).first(&mut *conn).unwrap_or_default();
    let manifests: Vec<String> = plan_versions::table
        .filter(plan_versions::plan_id.eq(&id))
        .order(plan_versions::number.asc())
        .select(plan_versions::content)
        .load(&mut *conn)
        .unwrap_or_default();
    let blobs: i64 = plan_blobs::table.count().get_result(&mut *conn).unwrap_or(-1);

    assert!(!working.contains("patient_instructions") && working.contains("CLINICIAN-ONLY-NOTE"), "{working}");
    assert_eq!(manifests.len(), 3);
    assert!(manifests.iter().all(|m| m.len() < 1000), "versions are small manifests: {manifests:?}");
    // Version 1: four stages; version 2 changed stage 2; version 3 (stage move) stages 1 and 2.
    assert_eq!(blobs, 4 + 1 + 2, "unchanged stages are stored once");
}

#[tokio::test]
async fn the_plan_page_needs_the_same_number_of_queries_with_one_version_as_with_many() {
    let app = spawn_app().await;
    let token = app.token(THERAPIST_A).await;
    let (one, _) = active_plan(&app, &token).await;
    let many = plan_with_three_versions(&app, &token).await;
    for _ in 0..3 {
        let (amended, _) = app
            .plan_api(Method::POST, &format!("/api/v1/plans/{many}/amend"), &token, Some(json!({"reason": "Review"})))
            .await;
        assert_eq!(amended, 200);
        let (activated, _) = app.plan_api(Method::POST, &format!("/api/v1/plans/{many}/activate"), &token, None).await;
        assert_eq!(activated, 200);
    }
    let client = app.signed_in(THERAPIST_A).await;
    let mut counts = Vec::new();
    for id in [&one, &many] {
        app.page(&client, &format!("/plans/{id}")).await;
        let before = app.db.queries();
        let (status, _) = app.page(&client, &format!("/plans/{id}")).await;
        assert_eq!(status, 200);
        counts.push(app.db.queries() - before);
    }
    assert_eq!(counts[0], counts[1], "{counts:?}");
}
