//! Starting a plan for a patient: a title, and the empty default stages or a protocol.

use super::components::{csrf, field_errors};
use super::layout::layout;
use super::session::{CsrfForm, SessionUser};
use super::{page, HtmlResult};
use crate::db::audit::Reads;
use crate::db::ids::{PatientId, ProtocolId};
use crate::db::Db;
use crate::domain::scoring::StartBackRisk;
use crate::error::{AppError, FieldErrors};
use crate::service::assessments::AssessmentHistory;
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

/// The patient's latest STarT Back result: risk group and the date it was recorded.
type LatestRisk = Option<(StartBackRisk, chrono::NaiveDate)>;

/// Whether a protocol is the one for this STarT Back group: a built-in by its code, a
/// clinic protocol by "<group> risk" in its name.
fn matches_risk(p: &Protocol, risk: StartBackRisk) -> bool {
    let code = format!("_start_back_{}", risk.code());
    p.row.code.as_deref().is_some_and(|c| c.ends_with(&code))
        || p.row.name.to_lowercase().contains(&format!("{} risk", risk.code()))
}

/// The matching protocols first (built-in before clinic ones otherwise keep their order).
fn ordered(protocols: &[Protocol], latest: LatestRisk) -> Vec<(&Protocol, bool)> {
    let mut list: Vec<(&Protocol, bool)> =
        protocols.iter().map(|p| (p, latest.is_some_and(|(r, _)| matches_risk(p, r)))).collect();
    list.sort_by_key(|(_, suggested)| !suggested);
    list
}

fn latest_risk(history: &crate::service::assessments::AssessmentHistory) -> LatestRisk {
    history.records.iter().rev().find_map(|r| r.current().scores().start_back.map(|sb| (sb.risk, r.row.assessed_on)))
}

#[allow(clippy::too_many_arguments)]
fn new_plan_page(
    user: &SessionUser,
    patient: PatientId,
    name: &str,
    protocols: &[Protocol],
    latest: LatestRisk,
    errors: &FieldErrors,
    title: &str,
    chosen: Option<&str>,
) -> Markup {
    let list = ordered(protocols, latest);
    let first_suggested = list.first().filter(|(_, s)| *s).map(|(p, _)| p.row.id.to_string());
    let chosen = chosen.map(str::to_owned).or(first_suggested).unwrap_or_default();
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
                @if let Some((risk, on)) = latest {
                    p.hint { "Latest STarT Back: " strong { (risk.code()) " risk" } " (" (super::components::date(on)) "). The matching protocol is listed first." }
                }
                @for (p, suggested) in &list {
                    label.check.protocol.suggested[*suggested] {
                        input type="radio" name="protocol_id" value=(p.row.id.to_string()) checked[chosen == p.row.id.to_string()];
                        " " strong { (p.row.name) } @if p.row.clinic_id.is_none() { " (built-in)" }
                        @if *suggested { " " span.badge.ok { "Suggested" } }
                        " — " span.hint { (p.row.description) }
                    }
                }
                label.check.protocol { input type="radio" name="protocol_id" value="" checked[chosen.is_empty()]; " The four default stages, empty" }
                (field_errors(errors, "protocol_id"))
            }
            p.hint { "Every protocol item is checked against this patient's history and assessment before it is added." }
            button.primary type="submit" { "Start plan" }
        }
    };
    layout("New plan", user, body)
}

/// What the form shows: the patient's assessments (for the suggested protocol) and the
/// protocols. The assessments read is audited.
async fn form_data(
    db: &Db,
    user: &SessionUser,
    patient: PatientId,
) -> Result<(AssessmentHistory, Vec<Protocol>), AppError> {
    let ctx = user.ctx.clone();
    db.read(move |conn| {
        let mut reads = Reads::default();
        let history = reads.take(crate::service::assessments::history(conn, &ctx, patient)?);
        Ok(reads.with((history, library_service::protocols(conn, &ctx)?)))
    })
    .await
}

async fn new_form(user: SessionUser, path: web::Path<PatientId>, db: web::Data<Db>) -> HtmlResult {
    let patient = path.into_inner();
    let (history, protocols) = form_data(&db, &user, patient).await?;
    let p = &history.patient;
    let name = format!("{} {}", p.0.given_name, p.0.family_name);
    let latest = latest_risk(&history);
    Ok(page(new_plan_page(&user, patient, &name, &protocols, latest, &FieldErrors::new(), &p.0.condition, None)))
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
        "" => Ok(None),
        p => p
            .parse::<ProtocolId>()
            .map(Some)
            .map_err(|_| AppError::field("protocol_id", "Choose one of the listed protocols.")),
    };
    let today = crate::service::clinic_settings::clinic_today(&db, &ctx).await?;
    let outcome = match protocol {
        Ok(protocol) => db.run(move |conn| service::create(conn, &ctx, patient, &title, protocol, today)).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok((id, skipped)) => {
            let codes: Vec<String> = skipped.into_iter().map(|s| s.code).collect();
            let suffix = if codes.is_empty() { String::new() } else { format!("?skipped={}", codes.join(",")) };
            Ok(form.done(&format!("/plans/{id}{suffix}")))
        }
        Err(AppError::Validation(errors)) => {
            let (history, protocols) = form_data(&db, &form.user, patient).await?;
            let p = &history.patient;
            let name = format!("{} {}", p.0.given_name, p.0.family_name);
            let chosen = form.form.protocol_id.trim();
            let latest = latest_risk(&history);
            Ok(form.invalid(
                &format!("/patients/{patient}/plans/new"),
                new_plan_page(&form.user, patient, &name, &protocols, latest, &errors, &form.form.title, Some(chosen)),
            ))
        }
        Err(other) => Err(other.into()),
    }
}
