//! physioplan: a clinician-side staged treatment-plan builder for physiotherapy clinics.

pub mod access_audit;
pub mod api;
pub mod authz;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod field_errors;
pub mod http_origin;
pub mod ids;
pub mod input;
pub mod seed;
pub mod service;
pub mod startup;
pub mod telemetry;
pub mod web;

use actix_web::{web as aw, HttpResponse};

/// Applies migrations and seeds the built-in library and protocols (idempotent).
pub fn prepare(db: &db::Db) -> Result<(), String> {
    db.migrate()?;
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    db::audit_chain::seal(&mut conn).map_err(|e| format!("sealing the audit chain failed: {}", e.describe()))?;
    service::library::seed(&mut conn).map_err(|e| format!("seeding the library failed: {e}"))?;
    service::assessments::refresh_summaries(&mut conn).map_err(|e| format!("refreshing summaries failed: {e}"))?;
    service::caseload_summary::backfill(&mut conn).map_err(|e| format!("building the caseload summary failed: {e}"))?;
    Ok(())
}

/// Registers every route; shared by the server and the tests.
pub fn configure(cfg: &mut aw::ServiceConfig) {
    cfg.app_data(aw::PathConfig::default().error_handler(|_, _| web::HtmlError(error::AppError::NotFound).into()))
        .route("/healthz", aw::get().to(healthz))
        .configure(api::configure)
        .configure(web::configure);
}

/// `GET /healthz`: the process is up and the database answers.
async fn healthz(db: aw::Data<db::Db>) -> HttpResponse {
    let backend = db.backend();
    let ok = db
        .run(|conn| {
            use diesel::connection::SimpleConnection;
            conn.batch_execute("SELECT 1").map_err(db::DbError::from)
        })
        .await
        .is_ok();
    if ok {
        HttpResponse::Ok().json(serde_json::json!({"status": "ok", "database": backend}))
    } else {
        HttpResponse::ServiceUnavailable().json(serde_json::json!({"status": "unavailable", "database": backend}))
    }
}
