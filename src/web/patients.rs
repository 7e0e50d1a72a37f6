//! Patient screens: list and search, create, view, edit, discharge.

use super::components::{csrf, date, error_summary, field_errors, input, pagination, select};
use super::layout::layout;
use super::patient_discharge::{discharge_form, DischargeView};
use super::session::{CsrfForm, SessionUser};
use super::{page, HtmlError, HtmlResult};
use crate::db::audit::Reads;
use crate::db::ids::PatientId;
use crate::db::patients::{PatientQuery, PatientRow, PatientWithTherapist};
use crate::db::users::{self, User};
use crate::db::Db;
use crate::domain::history::{self, HistoryCode};
use crate::domain::patient::{BodySide, PatientInput, SEX_CODES};
use crate::error::{AppError, FieldErrors};
use crate::service::clinic_settings::today as clinic_today;
use crate::service::patients as service;
use actix_web::http::StatusCode;
use actix_web::web;
use maud::{html, Markup};
use serde::Deserialize;

/// Patients per page.
const PER_PAGE: i64 = 25;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/patients", web::get().to(list))
        .route("/patients", web::post().to(create))
        .route("/patients/new", web::get().to(new_form))
        .route("/patients/{id}", web::get().to(show))
        .route("/patients/{id}/edit", web::get().to(edit_form))
        .route("/patients/{id}/edit", web::post().to(update))
        .route("/patients/{id}/discharge", web::post().to(super::patient_discharge::discharge));
}

#[derive(Deserialize)]
struct ListQuery {
    q: Option<String>,
    status: Option<String>,
    page: Option<String>,
}

async fn list(user: SessionUser, query: web::Query<ListQuery>, db: web::Data<Db>) -> HtmlResult {
    let page_no = crate::input::page_number(query.page.as_deref()).unwrap_or(1);
    let status = match query.status.as_deref() {
        Some("all") => None,
        Some("discharged") => Some("discharged"),
        _ => Some("active"),
    };
    let q = PatientQuery {
        name: query.q.clone(),
        status,
        therapist_id: None,
        offset: (page_no - 1) * PER_PAGE,
        limit: PER_PAGE,
    };
    let ctx = user.ctx.clone();
    let (rows, total) = db.read(move |conn| service::list(conn, &ctx, &q)).await?;
    let text = query.q.clone().unwrap_or_default();
    let status_code = status.unwrap_or("all");
    let base = format!("/patients?q={}&status={status_code}", urlencode(&text));
    let body = html! {
        div.page-head {
            h1 { "Patients" }
            a.button.primary href="/patients/new" { "New patient" }
        }
        form.search method="get" action="/patients" role="search" {
            label for="q" { "Search by name" }
            input type="search" id="q" name="q" value=(text) autocomplete="off";
            select name="status" aria-label="Status" {
                @for (value, label) in [("active", "Active"), ("discharged", "Discharged"), ("all", "All")] {
                    option value=(value) selected[value == status_code] { (label) }
                }
            }
            button type="submit" { "Search" }
        }
        @if rows.is_empty() {
            p.empty { "No patients match." }
        } @else {
            table.list {
                thead { tr { th { "Name" } th { "Born" } th { "Condition" } th { "Side" } th { "Therapist" } th { "Status" } } }
                tbody {
                    @for (p, therapist) in &rows {
                        tr {
                            td { a href=(format!("/patients/{}", p.id)) { (p.family_name) ", " (p.given_name) } }
                            td { (date(p.date_of_birth)) }
                            td { (p.condition) }
                            td { (p.side) }
                            td { (therapist.as_deref().unwrap_or("—")) }
                            td { span.badge { (p.status) } }
                        }
                    }
                }
            }
        }
        (pagination(&base, page_no, PER_PAGE, total))
    };
    Ok(page(layout("Patients", &user, body)))
}

/// Percent-encodes a query value.
fn urlencode(text: &str) -> String {
    serde_html_form::to_string([("", text)]).map(|s| s.trim_start_matches('=').to_owned()).unwrap_or_default()
}

/// What the patient form shows.
struct FormView<'a> {
    action: String,
    title: &'a str,
    input: &'a PatientInput,
    errors: &'a FieldErrors,
    clinicians: &'a [User],
    version: Option<i32>,
    conflict: bool,
}

fn patient_form(user: &SessionUser, v: &FormView<'_>) -> Markup {
    let i = v.input;
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    let sides: Vec<(String, String)> =
        BodySide::ALL.iter().map(|s| (s.code().to_owned(), s.code().to_owned())).collect();
    let sexes: Vec<(String, String)> = SEX_CODES.iter().map(|(c, l)| ((*c).to_owned(), (*l).to_owned())).collect();
    let clinicians: Vec<(String, String)> = v.clinicians.iter().map(|u| (u.id.to_string(), u.name.clone())).collect();
    let body = html! {
        h1 { (v.title) }
        @if v.conflict {
            div.error-summary role="alert" {
                h2 { "Someone else changed this patient while you were editing" }
                p { "Your changes are below and have not been saved. Check the patient's current record, then save again to replace it." }
            }
        }
        (error_summary(v.errors))
        form.patient method="post" action=(v.action) novalidate {
            (csrf(user))
            @if let Some(version) = v.version { input type="hidden" name="version" value=(version); }
            fieldset {
                legend { "Patient" }
                div.row {
                    (input("text", "given_name", "Given name", &i.given_name, v.errors, true))
                    (input("text", "family_name", "Family name", &i.family_name, v.errors, true))
                }
                div.row {
                    (input("date", "date_of_birth", "Date of birth", &i.date_of_birth, v.errors, true))
                    (select("sex", "Sex", &sexes, &opt(&i.sex), v.errors, Some("Not recorded")))
                }
                div.row {
                    (input("tel", "phone", "Telephone", &opt(&i.phone), v.errors, false))
                    (input("email", "email", "E-mail", &opt(&i.email), v.errors, false))
                }
            }
            fieldset {
                legend { "Episode" }
                (input("text", "condition", "Condition", &i.condition, v.errors, true))
                div.row {
                    (select("side", "Side", &sides, &i.side, v.errors, Some("Choose…")))
                    (input("date", "onset_date", "Onset", &opt(&i.onset_date), v.errors, false))
                }
                (select("therapist_id", "Therapist", &clinicians, &opt(&i.therapist_id), v.errors, Some("Unassigned")))
            }
            fieldset #history {
                legend { "Safety-relevant history" }
                div.checks {
                    @for code in HistoryCode::ALL {
                        label.check {
                            input type="checkbox" name="history" value=(code.code()) checked[i.history.iter().any(|h| h == code.code())];
                            " " (code.label())
                        }
                    }
                }
                (field_errors(v.errors, "history"))
            }
            button.primary type="submit" { "Save patient" }
        }
    };
    layout(v.title, user, body)
}

async fn clinicians(db: &Db, clinic: crate::db::ids::ClinicId) -> Result<Vec<User>, HtmlError> {
    Ok(db.run(move |conn| users::clinicians_of(conn, clinic)).await?)
}

async fn new_form(user: SessionUser, db: web::Data<Db>) -> HtmlResult {
    let clinicians = clinicians(&db, user.actor().clinic_id).await?;
    let input = PatientInput { therapist_id: Some(user.actor().user_id.to_string()), ..PatientInput::default() };
    let view = FormView {
        action: "/patients".into(),
        title: "New patient",
        input: &input,
        errors: &FieldErrors::new(),
        clinicians: &clinicians,
        version: None,
        conflict: false,
    };
    Ok(page(patient_form(&user, &view)))
}

async fn create(form: CsrfForm<PatientInput>, db: web::Data<Db>) -> HtmlResult {
    let ctx = form.user.ctx.clone();
    let input = form.form.clone();
    match db
        .run(move |conn| {
            let today = clinic_today(conn, &ctx)?;
            service::create(conn, &ctx, &input, today)
        })
        .await
    {
        Ok(created) => Ok(form.done(&format!("/patients/{}", created.0.id))),
        Err(AppError::Validation(errors)) => {
            let clinicians = clinicians(&db, form.user.actor().clinic_id).await?;
            let view = FormView {
                action: "/patients".into(),
                title: "New patient",
                input: &form.form,
                errors: &errors,
                clinicians: &clinicians,
                version: None,
                conflict: false,
            };
            Ok(form.invalid("/patients/new", patient_form(&form.user, &view)))
        }
        Err(other) => Err(other.into()),
    }
}

async fn load(user: &SessionUser, db: &Db, id: PatientId) -> Result<PatientWithTherapist, HtmlError> {
    let ctx = user.ctx.clone();
    Ok(db.read(move |conn| service::get(conn, &ctx, id)).await?)
}

fn details(p: &PatientRow, therapist: Option<&str>) -> Markup {
    let history = history::decode(&p.history);
    let sex = p.sex.as_deref().and_then(|s| SEX_CODES.iter().find(|(c, _)| *c == s)).map_or("Not recorded", |(_, l)| l);
    html! {
        dl.facts {
            dt { "Born" } dd { (date(p.date_of_birth)) }
            dt { "Sex" } dd { (sex) }
            dt { "Condition" } dd { (p.condition) " (" (p.side) ")" }
            dt { "Onset" } dd { (p.onset_date.map(date).unwrap_or_else(|| "Not recorded".into())) }
            dt { "Therapist" } dd { (therapist.unwrap_or("Unassigned")) }
            dt { "Telephone" } dd { (p.phone.as_deref().unwrap_or("—")) }
            dt { "E-mail" } dd { (p.email.as_deref().unwrap_or("—")) }
            dt { "Status" } dd { (p.status) @if let Some(d) = p.discharged_on { " on " (date(d)) } }
            dt { "Episode of care" } dd { (p.episode_number) " · since " (date(p.episode_started_on.unwrap_or(p.created_at.date()))) }
        }
        section.history aria-labelledby="history-h" {
            h2 #history-h { "Safety-relevant history" }
            @if history.is_empty() { p { "None recorded." } }
            @else { ul.tags { @for h in &history { li { (h.label()) } } } }
        }
    }
}

async fn show(user: SessionUser, path: web::Path<PatientId>, db: web::Data<Db>) -> HtmlResult {
    let markup = patient_page(&user, &db, path.into_inner(), &DischargeView::default()).await?;
    Ok(page(markup))
}

/// The patient page, its discharge form as `discharge` says (what was typed, a refusal).
pub(super) async fn patient_page(
    user: &SessionUser,
    db: &Db,
    id: PatientId,
    discharge: &DischargeView,
) -> Result<Markup, HtmlError> {
    let ctx = user.ctx.clone();
    let ((p, therapist), history, plans, today) = db
        .read(move |conn| -> Result<_, AppError> {
            let mut reads = Reads::default();
            let patient = reads.take(service::get(conn, &ctx, id)?);
            let history = reads.take(crate::service::assessments::history(conn, &ctx, id)?);
            let plans = crate::service::plans::for_patient(conn, &ctx, id)?;
            Ok(reads.with((patient, history, plans, clinic_today(conn, &ctx)?)))
        })
        .await?;
    let open = history.open_flags();
    let body = html! {
        div.page-head {
            h1 { (p.given_name) " " (p.family_name) }
            a.button href=(format!("/patients/{}/edit", p.id)) { "Edit" }
        }
        (super::assessments::flag_banner(user, &open, false, &FieldErrors::new()))
        (super::screening::actions_list(&history, None))
        (details(&p, therapist.as_deref()))
        section aria-labelledby="assessments-h" {
            div.page-head {
                h2 #assessments-h { "Assessments" }
                div.actions {
                    a.button href=(format!("/patients/{}/progress", p.id)) { "Progress" }
                    a.button.primary href=(format!("/patients/{}/assessments/new", p.id)) { "New assessment" }
                }
            }
            @if history.records.is_empty() {
                p.empty { "No assessments yet." }
            } @else {
                table.list {
                    thead { tr { th { "Date" } th { "Kind" } th { "Status" } th { "Worst pain" } th { "ODI" } th { "STarT Back" } th { "Red flags" } } }
                    tbody {
                        @for r in history.records.iter().rev() {
                            @let c = r.current();
                            @let scores = c.scores();
                            tr {
                                td { a href=(format!("/assessments/{}", r.row.id)) { (date(r.row.assessed_on)) } }
                                td { (r.row.kind) }
                                td { span.badge { (r.row.status) } @if !r.amendments.is_empty() { " amended" } }
                                td { (c.number("nprs_worst", None).map(|v| format!("{v}/10")).unwrap_or_default()) }
                                td { (scores.odi_percent.map(|v| format!("{v} %")).unwrap_or_default()) }
                                td { (scores.start_back.map(|s| s.risk.code()).unwrap_or_default()) }
                                td { (c.red_flags().len()) }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="plans-h" {
            div.page-head {
                h2 #plans-h { "Plans" }
                a.button.primary href=(format!("/patients/{}/plans/new", p.id)) { "New plan" }
            }
            @if plans.is_empty() {
                p.empty { "No plans yet." }
            } @else {
                table.list {
                    thead { tr { th { "Plan" } th { "Status" } th { "Version" } th { "Stage" } th { "Started" } } }
                    tbody {
                        @for plan in &plans {
                            tr {
                                td { a href=(format!("/plans/{}", plan.id)) { (plan.title) } }
                                td { span.badge { (plan.status) } @if plan.has_override { " " span.badge.warn { "override" } } }
                                td { (plan.plan_version) }
                                td { (plan.current_stage) " of 4" }
                                td { (date(plan.created_at.date())) }
                            }
                        }
                    }
                }
            }
        }
        (discharge_form(user, &p, today, discharge))
    };
    Ok(layout(&format!("{} {}", p.given_name, p.family_name), user, body))
}

async fn edit_form(user: SessionUser, path: web::Path<PatientId>, db: web::Data<Db>) -> HtmlResult {
    let (p, _) = load(&user, &db, path.into_inner()).await?;
    let clinicians = clinicians(&db, p.clinic_id).await?;
    let input = service::input_of(&p);
    let view = FormView {
        action: format!("/patients/{}/edit", p.id),
        title: "Edit patient",
        input: &input,
        errors: &FieldErrors::new(),
        clinicians: &clinicians,
        version: Some(p.version),
        conflict: false,
    };
    Ok(page(patient_form(&user, &view)))
}

#[derive(Deserialize)]
struct Versioned {
    version: i32,
}

async fn update(path: web::Path<PatientId>, form: CsrfForm<PatientInput>, db: web::Data<Db>) -> HtmlResult {
    let id = path.into_inner();
    let Versioned { version, .. } = form.parse()?;
    let (ctx, input) = (form.user.ctx.clone(), form.form.clone());
    let outcome = db
        .run(move |conn| {
            let today = clinic_today(conn, &ctx)?;
            service::update(conn, &ctx, id, version, &input, today)
        })
        .await;
    let (errors, conflict) = match outcome {
        Ok(()) => return Ok(form.done(&format!("/patients/{id}"))),
        Err(AppError::Validation(errors)) => (errors, false),
        Err(AppError::VersionConflict) => (FieldErrors::new(), true),
        Err(other) => return Err(other.into()),
    };
    // Re-show the user's input; after a conflict, against the current version.
    let (current, _) = load(&form.user, &db, id).await?;
    let clinicians = clinicians(&db, current.clinic_id).await?;
    let view = FormView {
        action: format!("/patients/{id}/edit"),
        title: "Edit patient",
        input: &form.form,
        errors: &errors,
        clinicians: &clinicians,
        version: Some(if conflict { current.version } else { version }),
        conflict,
    };
    let status = if conflict { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(form.reshow(&format!("/patients/{id}/edit"), status, patient_form(&form.user, &view)))
}
