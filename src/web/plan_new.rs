//! Starting a plan for a patient: a title, and the empty default stages or a protocol.

use super::components::{csrf, field_errors};
use super::layout::layout;
use super::session::{CsrfForm, SessionUser};
use super::{page, HtmlResult};
use crate::db::ids::{PatientId, ProtocolId};
use crate::db::Db;
use crate::error::{AppError, FieldErrors};
use crate::service::library::{self as library_service, Protocol};
use crate::service::plans as service;
use actix_web::web;
use maud::{html, Markup};
use serde::Deserialize;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/patients/{id}/plans/new", web::get().to(new_form))
        .route("/patients/{id}/plans", web::post().to(create));
}

fn new_plan_page(
    user: &SessionUser,
    patient: PatientId,
    name: &str,
    protocols: &[Protocol],
    errors: &FieldErrors,
    title: &str,
) -> Markup {
    let body = html! {
        p.crumbs { a href=(format!("/patients/{patient}")) { "← " (name) } }
        h1 { "New plan for " (name) }
        form method="post" action=(format!("/patients/{patient}/plans")) {
            (csrf(user))
            div.field.invalid[errors.contains_key("title")] {
                label for="title" { "Title" }
                input #title type="text" name="title" value=(title) required placeholder="e.g. Left L5 sciatica";
                (field_errors(errors, "title"))
            }
            fieldset {
                legend { "Start from" }
                label.check { input type="radio" name="protocol_id" value="" checked; " The four default stages, empty" }
                @for p in protocols {
                    label.check {
                        input type="radio" name="protocol_id" value=(p.row.id.to_string());
                        " " strong { (p.row.name) } @if p.row.clinic_id.is_none() { " (built-in)" } " — " span.hint { (p.row.description) }
                    }
                }
                (field_errors(errors, "protocol_id"))
            }
            p.hint { "Every protocol item is checked against this patient's history and assessment before it is added." }
            button.primary type="submit" { "Start plan" }
        }
    };
    layout("New plan", user, body)
}

async fn new_form(user: SessionUser, path: web::Path<PatientId>, db: web::Data<Db>) -> HtmlResult {
    let patient = path.into_inner();
    let ctx = user.ctx.clone();
    let (p, protocols) = db
        .run(move |conn| -> Result<_, AppError> {
            Ok((crate::service::patients::get(conn, &ctx, patient)?, library_service::protocols(conn, &ctx)?))
        })
        .await?;
    let name = format!("{} {}", p.0.given_name, p.0.family_name);
    Ok(page(new_plan_page(&user, patient, &name, &protocols, &FieldErrors::new(), &p.0.condition)))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewPlanForm {
    title: String,
    protocol_id: String,
}

async fn create(path: web::Path<PatientId>, form: CsrfForm<NewPlanForm>, db: web::Data<Db>) -> HtmlResult {
    let patient = path.into_inner();
    let ctx = form.user.ctx.clone();
    let title = form.form.title.clone();
    let protocol = match form.form.protocol_id.trim() {
        "" => None,
        p => Some(
            p.parse::<ProtocolId>()
                .map_err(|_| AppError::field("protocol_id", "Choose one of the listed protocols."))?,
        ),
    };
    let today = crate::service::clinic_settings::clinic_today(&db, &ctx).await?;
    match db.run(move |conn| service::create(conn, &ctx, patient, &title, protocol, today)).await {
        Ok((id, skipped)) => {
            let codes: Vec<String> = skipped.into_iter().map(|s| s.code).collect();
            let suffix = if codes.is_empty() { String::new() } else { format!("?skipped={}", codes.join(",")) };
            Ok(form.done(&format!("/plans/{id}{suffix}")))
        }
        Err(AppError::Validation(errors)) => {
            let ctx = form.user.ctx.clone();
            let (p, protocols) = db
                .run(move |conn| -> Result<_, AppError> {
                    Ok((crate::service::patients::get(conn, &ctx, patient)?, library_service::protocols(conn, &ctx)?))
                })
                .await?;
            let name = format!("{} {}", p.0.given_name, p.0.family_name);
            Ok(form.invalid(
                &format!("/patients/{patient}/plans/new"),
                new_plan_page(&form.user, patient, &name, &protocols, &errors, &form.form.title),
            ))
        }
        Err(other) => Err(other.into()),
    }
}
