//! The caseload page for clinic leads (and "my caseload" for therapists): per-therapist
//! load, who needs attention and why, small charts, filters, reassignment and CSV.

use super::components::{csrf, csv_response, date, pagination, Cell};
use super::layout::layout;
use super::session::{CsrfForm, SessionUser};
use super::{page, HtmlError, HtmlResult};
use crate::authz::{Permission, Role};
use crate::db::ids::{PatientId, UserId};
use crate::db::Db;
use crate::domain::caseload::Flag;
use crate::domain::patient::PatientStatus;
use crate::error::{AppError, FieldErrors};
use crate::service::caseload::{self as service, CaseRow, Caseload, CaseloadParams, CaseloadQuery, PER_PAGE};
use actix_web::http::StatusCode;
use actix_web::web;
use maud::{html, Markup};
use serde::Deserialize;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/caseload", web::get().to(show))
        .route("/caseload.csv", web::get().to(csv))
        .route("/caseload/reassign", web::post().to(reassign));
}

fn query_string(p: &CaseloadParams) -> String {
    super::components::query_string(&[
        ("clinic_id", &p.clinic_id),
        ("therapist_id", &p.therapist_id),
        ("flag", &p.flag),
        ("stage", &p.stage),
        ("sort", &p.sort),
    ])
}

/// A horizontal bar chart: (label, value) pairs.
fn bars(title: &str, id: &str, data: &[(String, usize)]) -> Markup {
    let max = data.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1) as f64;
    let row = 22.0;
    let height = row * data.len() as f64 + 8.0;
    html! {
        figure.chart-card {
            figcaption { strong { (title) } }
            svg.chart.bars viewBox=(format!("0 0 320 {height}")) role="img" aria-labelledby=(id) {
                title id=(id) { (title) ": " (data.iter().map(|(l, v)| format!("{l} {v}")).collect::<Vec<_>>().join(", ")) }
                @for (n, (label, value)) in data.iter().enumerate() {
                    @let y = 4.0 + n as f64 * row;
                    text.tick x="0" y=(y + 14.0) { (label) }
                    rect.bar x="130" y=(y + 3.0) width=(format!("{:.1}", 160.0 * *value as f64 / max)) height="14" {}
                    text.tick x=(format!("{:.1}", 134.0 + 160.0 * *value as f64 / max)) y=(y + 14.0) { (value) }
                }
            }
        }
    }
}

fn charts(c: &Caseload) -> Markup {
    let stages: Vec<(String, usize)> = ["No active plan", "1 Pain control", "2 Mobility", "3 Strength", "4 Function"]
        .iter()
        .zip(c.stages)
        .map(|(l, v)| ((*l).to_owned(), v))
        .collect();
    let flags: Vec<(String, usize)> =
        c.therapists.iter().map(|t| (t.user.name.clone(), t.flags.values().sum())).collect();
    let odi: Vec<(String, usize)> = ["Better by 10+", "Better by <10", "No change", "Worse"]
        .iter()
        .zip(c.odi)
        .map(|(l, v)| ((*l).to_owned(), v))
        .collect();
    html! {
        div.charts {
            (bars("Active patients by stage", "chart-stages", &stages))
            (bars("Flags per therapist", "chart-flags", &flags))
            (bars("ODI change since baseline", "chart-odi", &odi))
        }
    }
}

/// A reassignment that was refused: for which patient, the therapist chosen, and why.
struct Refused {
    patient_id: String,
    therapist_id: String,
    errors: FieldErrors,
}

fn row(user: &SessionUser, c: &Caseload, r: &CaseRow, back: &str, refused: Option<&Refused>) -> Markup {
    let can_reassign = user.actor().may(Permission::ReviewCaseload);
    let refused = refused.filter(|f| f.patient_id == r.id);
    let chosen = refused.map_or(r.therapist_id.clone(), |f| Some(f.therapist_id.clone()));
    let error_id = format!("therapist_id-{}-error", r.id);
    html! {
        tr {
            td { a href=(format!("/patients/{}", r.id)) { (r.family_name) ", " (r.given_name) }
                @if r.status == PatientStatus::Discharged { " " span.badge { "discharged" } } }
            td { (r.therapist.as_deref().unwrap_or("Unassigned")) }
            td { (r.stage.map(|s| s.to_string()).unwrap_or_else(|| "—".into())) }
            td { (r.last_assessed.map(date).unwrap_or_else(|| "—".into())) }
            td { (r.odi_change.map(|d| format!("{d:+.1}")).unwrap_or_default()) }
            td.flags { @for f in &r.flags { span.badge.flag.(f.code()) { (f.label()) } " " } }
            @if can_reassign {
                td {
                    form.inline.tiny method="post" action="/caseload/reassign" {
                        (csrf(user))
                        input type="hidden" name="patient_id" value=(r.id);
                        input type="hidden" name="back" value=(back);
                        select name="therapist_id" aria-label="Reassign to"
                            aria-invalid=[refused.map(|_| "true")] aria-describedby=[refused.map(|_| error_id.as_str())]
                            data-autofocus=[refused.map(|_| "true")] {
                            @if refused.is_some_and(|_| !c.therapists.iter().any(|t| Some(t.user.id.to_string()) == chosen)) {
                                option value="" selected { "Choose a therapist" }
                            }
                            @for t in &c.therapists {
                                option value=(t.user.id.to_string()) selected[chosen.as_deref() == Some(t.user.id.to_string().as_str())] { (t.user.name) }
                            }
                        }
                        button type="submit" { "Reassign" }
                        @if let Some(f) = refused {
                            @for m in f.errors.values().flatten() { p.field-error id=(error_id) { (m) } }
                        }
                    }
                }
            }
        }
    }
}

async fn show(user: SessionUser, params: web::Query<CaseloadParams>, db: web::Data<Db>) -> HtmlResult {
    Ok(page(caseload_page(&user, &db, &params, None).await?))
}

async fn caseload_page(
    user: &SessionUser,
    db: &Db,
    params: &CaseloadParams,
    refused: Option<&Refused>,
) -> Result<Markup, HtmlError> {
    let page_no = usize::try_from(crate::input::page_number(params.page.as_deref()).unwrap_or(1)).unwrap_or(1);
    let query = CaseloadQuery { page: Some(page_no), ..params.query()? };
    let ctx = user.ctx.clone();
    let c = db.read(move |conn| service::load(conn, &ctx, &query)).await?;
    let lead = user.actor().may(Permission::ReviewCaseload);
    let qs = query_string(params);
    let back = format!("{qs}&page={page_no}");
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let title = if lead { format!("Caseload · {}", c.clinic.name) } else { "My caseload".to_owned() };
    let body = html! {
        div.page-head {
            h1 { (title) }
            a.button href=(format!("/caseload.csv?{qs}")) { "Export CSV" }
        }
        form.search method="get" action="/caseload" {
            @if user.actor().role == Role::Admin {
                label { "Clinic "
                    select name="clinic_id" { @for cl in &c.clinics { option value=(cl.id.to_string()) selected[cl.id == c.clinic.id] { (cl.name) } } }
                }
            }
            @if lead {
                label { "Therapist "
                    select name="therapist_id" {
                        option value="" { "All" }
                        @for t in &c.therapists { option value=(t.user.id.to_string()) selected[text(&params.therapist_id) == t.user.id.to_string()] { (t.user.name) } }
                    }
                }
            }
            label { "Flag "
                select name="flag" {
                    option value="" { "Any" }
                    @for f in Flag::ALL { option value=(f.code()) selected[text(&params.flag) == f.code()] { (f.label()) } }
                }
            }
            label { "Stage "
                select name="stage" {
                    option value="" { "Any" }
                    @for (v, l) in [("0", "No active plan"), ("1", "1"), ("2", "2"), ("3", "3"), ("4", "4")] { option value=(v) selected[text(&params.stage) == v] { (l) } }
                }
            }
            label { "Sort "
                select name="sort" {
                    @for (v, l) in [("name", "Name"), ("flags", "Most flags"), ("stage", "Stage"), ("last_assessed", "Longest since assessed")] {
                        option value=(v) selected[text(&params.sort) == v] { (l) }
                    }
                }
            }
            button type="submit" { "Apply" }
        }
        (charts(&c))
        @if lead {
            h2 { "Therapists" }
            table.list.therapists {
                thead { tr { th { "Therapist" } th { "Active" } @for f in Flag::ALL { th { (f.label()) } } } }
                tbody {
                    @for t in &c.therapists {
                        tr {
                            td { a href=(format!("/caseload?therapist_id={}", t.user.id)) { (t.user.name) } }
                            td { (t.active) }
                            @for f in Flag::ALL {
                                td { @match t.flags.get(&f) {
                                    Some(n) => { a href=(format!("/caseload?therapist_id={}&flag={}", t.user.id, f.code())) { (n) } }
                                    None => { span.hint { "0" } }
                                } }
                            }
                        }
                    }
                }
            }
        }
        h2 { "Patients" }
        @if let Some(f) = refused {
            div.error-summary role="alert" {
                p { strong { "The patient was not reassigned." } " " @for m in f.errors.values().flatten() { (m) " " } }
            }
        }
        p.hint { (c.total) " match" }
        table.list.caseload {
            thead { tr { th { "Patient" } th { "Therapist" } th { "Stage" } th { "Last assessed" } th { "ODI change" } th { "Needs attention" } @if lead { th { "Reassign" } } } }
            tbody { @for r in &c.rows { (row(user, &c, r, &back, refused)) } }
        }
        (pagination(&format!("/caseload?{qs}"), page_no as i64, PER_PAGE as i64, c.total as i64))
    };
    Ok(layout("Caseload", user, body))
}

async fn csv(user: SessionUser, params: web::Query<CaseloadParams>, db: web::Data<Db>) -> HtmlResult {
    let query = params.query()?;
    let ctx = user.ctx.clone();
    let c = db.run(move |conn| service::export(conn, &ctx, &query)).await?;
    let rows = c.rows.iter().map(|r| {
        let number = |n: Option<String>| n.map_or(Cell::Text(String::new()), Cell::Number);
        vec![
            Cell::from(r.id.clone()),
            r.family_name.clone().into(),
            r.given_name.clone().into(),
            r.status.to_string().into(),
            r.therapist.clone().unwrap_or_default().into(),
            number(r.stage.map(|s| s.to_string())),
            r.last_assessed.map(|d| d.to_string()).unwrap_or_default().into(),
            number(r.odi_change.map(|d| format!("{d:.1}"))),
            r.flags.iter().map(|f| f.code()).collect::<Vec<_>>().join(";").into(),
        ]
    });
    let header = [
        "patient_id",
        "family_name",
        "given_name",
        "status",
        "therapist",
        "stage",
        "last_assessed_on",
        "odi_change",
        "flags",
    ];
    Ok(csv_response("caseload.csv", &header, rows)?)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReassignForm {
    patient_id: String,
    therapist_id: String,
    /// The caseload filters and page the form was on, to come back to.
    back: String,
}

async fn reassign(form: CsrfForm<ReassignForm>, db: web::Data<Db>) -> HtmlResult {
    let f = &form.form;
    let params = web::Query::<CaseloadParams>::from_query(&f.back).map(|q| q.into_inner()).unwrap_or_default();
    let page_url = format!("/caseload?{}", query_string(&params));
    let page_url = match params.page.as_deref() {
        Some(n) => format!("{page_url}&page={}", crate::input::page_number(Some(n)).unwrap_or(1)),
        None => page_url,
    };
    let patient: PatientId = f.patient_id.parse().map_err(|_| AppError::NotFound)?;
    let ctx = form.user.ctx.clone();
    let outcome = match f.therapist_id.parse::<UserId>() {
        Ok(therapist) => db.run(move |conn| service::reassign(conn, &ctx, patient, therapist)).await,
        Err(_) => Err(AppError::field("therapist_id", "Choose a therapist of this clinic.")),
    };
    let (status, errors) = match outcome {
        Ok(()) => return Ok(form.done(&page_url)),
        Err(AppError::Validation(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        Err(AppError::VersionConflict) => {
            let mut errors = FieldErrors::new();
            crate::field_errors::add_field_error(
                &mut errors,
                "therapist_id",
                "This patient was changed by someone else meanwhile; check the row and choose again.",
            );
            (StatusCode::CONFLICT, errors)
        }
        Err(other) => return Err(other.into()),
    };
    let refused = Refused { patient_id: f.patient_id.clone(), therapist_id: f.therapist_id.clone(), errors };
    let markup = caseload_page(&form.user, &db, &params, Some(&refused)).await?;
    Ok(form.reshow(&page_url, status, markup))
}
