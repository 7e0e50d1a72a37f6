//! Assessment screens: entry (new, draft edit, amendment), view, sign, red-flag actions.

use super::assessment_form::{errors_by_field, finding_sections, outcome_sections, FormValues};
use super::components::{csrf, date, error_summary, field_errors};
use super::layout::layout;
use super::session::{CsrfForm, SessionUser};
use super::{page, see_other, HtmlError, HtmlResult};
use crate::db::ids::{AssessmentId, PatientId};
use crate::db::Db;
use crate::domain::assessment::{AssessmentContent, AssessmentInput, Scores};
use crate::domain::findings::{self, Section};
use crate::domain::red_flag_action::ActionKind;
use crate::domain::red_flags::RedFlagGroup;
use crate::error::{AppError, FieldErrors};
use crate::service::assessments::{self as service, AssessmentHistory, AssessmentRecord, OpenFlag};
use actix_web::http::StatusCode;
use actix_web::web;
use maud::{html, Markup};
use serde::Deserialize;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/patients/{id}/assessments/new", web::get().to(new_form))
        .route("/patients/{id}/assessments", web::post().to(create))
        .route("/assessments/{id}", web::get().to(show))
        .route("/assessments/{id}/edit", web::get().to(edit_form))
        .route("/assessments/{id}/edit", web::post().to(update))
        .route("/assessments/{id}/amend", web::get().to(amend_form))
        .route("/assessments/{id}/amend", web::post().to(amend))
        .route("/assessments/{id}/sign", web::post().to(sign))
        .route("/assessments/{id}/red-flags", web::post().to(act));
}

/// What the entry form is for.
enum Mode {
    New,
    Draft(i32),
    Amend(i32),
}

struct FormView<'a> {
    mode: Mode,
    action: String,
    patient_name: String,
    kind: &'a str,
    assessed_on: &'a str,
    reason: &'a str,
    values: &'a FormValues,
    previous: Option<&'a AssessmentContent>,
    errors: &'a FieldErrors,
}

fn entry_page(user: &SessionUser, v: &FormView<'_>) -> Markup {
    let title = match v.mode {
        Mode::New => "New assessment",
        Mode::Draft(_) => "Edit draft assessment",
        Mode::Amend(_) => "Amend signed assessment",
    };
    let body = html! {
        h1 { (title) ": " (v.patient_name) }
        @if v.previous.is_some() { p.hint { "Previous values are shown beside each field." } }
        (error_summary(v.errors))
        div.assessment-layout {
        (super::assessment_live::section_menu(v.values))
        @let draft = if matches!(v.mode, Mode::Amend(_)) { None } else { super::autosave::assessment_draft_url(&v.action) };
        form.assessment method="post" action=(v.action) novalidate
            data-autosave=[draft.as_ref().map(|_| "")] hx-post=[draft.as_deref()] hx-trigger=[draft.as_ref().map(|_| "input delay:1500ms")]
            hx-target=[draft.as_ref().map(|_| "#autosave-status")] hx-swap=[draft.as_ref().map(|_| "outerHTML")] {
            (csrf(user))
            @match v.mode {
                Mode::Draft(version) | Mode::Amend(version) => { input type="hidden" name="version" value=(version); }
                Mode::New => {}
            }
            fieldset.section #visit {
                legend { "Visit" }
                div.row {
                    @if let Mode::New = v.mode {
                        div.field {
                            label for="kind" { "Kind" }
                            select #kind name="kind" {
                                option value="initial" selected[v.kind == "initial"] { "Initial assessment" }
                                option value="reassessment" selected[v.kind == "reassessment"] { "Reassessment" }
                            }
                            (field_errors(v.errors, "kind"))
                        }
                    }
                    @if !matches!(v.mode, Mode::Amend(_)) {
                        div.field.invalid[v.errors.contains_key("assessed_on")] {
                            label for="assessed_on" { "Date" }
                            input #assessed_on type="date" name="assessed_on" value=(v.assessed_on);
                            (field_errors(v.errors, "assessed_on"))
                        }
                    }
                }
                @if let Mode::Amend(_) = v.mode {
                    div.field.invalid[v.errors.contains_key("reason")] {
                        label for="reason" { "Reason for the amendment (kept with the record)" }
                        textarea #reason name="reason" rows="2" required { (v.reason) }
                        (field_errors(v.errors, "reason"))
                    }
                }
            }
            (finding_sections(v.values, v.previous, v.errors))
            (outcome_sections(v.values, v.previous, v.errors))
            div.actions {
                button.primary type="submit" { @if let Mode::Amend(_) = v.mode { "Save amendment" } @else { "Save draft" } }
                @if draft.is_some() { span #autosave-status .hint role="status" aria-live="polite" {} }
            }
        }
        }
    };
    layout(title, user, body)
}

fn patient_name(history: &AssessmentHistory) -> String {
    format!("{} {}", history.patient.0.given_name, history.patient.0.family_name)
}

async fn load_patient(user: &SessionUser, db: &Db, patient: PatientId) -> Result<AssessmentHistory, HtmlError> {
    let ctx = user.ctx.clone();
    Ok(db.read(move |conn| service::history(conn, &ctx, patient)).await?)
}

async fn load(user: &SessionUser, db: &Db, id: AssessmentId) -> Result<AssessmentHistory, HtmlError> {
    let ctx = user.ctx.clone();
    Ok(db.read(move |conn| service::get(conn, &ctx, id)).await?)
}

fn record(history: &AssessmentHistory, id: AssessmentId) -> Result<&AssessmentRecord, HtmlError> {
    history.record(id).ok_or(HtmlError(AppError::NotFound))
}

async fn new_form(user: SessionUser, path: web::Path<PatientId>, db: web::Data<Db>) -> HtmlResult {
    let history = load_patient(&user, &db, path.into_inner()).await?;
    let previous = history.previous(None).map(AssessmentRecord::current);
    let today = crate::service::clinic_settings::clinic_today(&db, &user.ctx).await?.to_string();
    let view = FormView {
        mode: Mode::New,
        action: format!("/patients/{}/assessments", history.patient.0.id),
        patient_name: patient_name(&history),
        kind: if history.records.is_empty() { "initial" } else { "reassessment" },
        assessed_on: &today,
        reason: "",
        values: &FormValues::default(),
        previous,
        errors: &FieldErrors::new(),
    };
    Ok(page(entry_page(&user, &view)))
}

pub(super) async fn create(
    path: web::Path<PatientId>,
    form: CsrfForm<Vec<(String, String)>>,
    db: web::Data<Db>,
) -> HtmlResult {
    let patient = path.into_inner();
    let values = FormValues::from_pairs(form.form.clone());
    let (content, keys) = values.to_input(None);
    let input = AssessmentInput {
        kind: values.get("kind").to_owned(),
        assessed_on: values.get("assessed_on").to_owned(),
        content,
    };
    let ctx = form.user.ctx.clone();
    let today = crate::service::clinic_settings::clinic_today(&db, &ctx).await?;
    match db.run(move |conn| service::create(conn, &ctx, patient, &input, today)).await {
        Ok(id) => Ok(form.done(&format!("/assessments/{id}"))),
        Err(AppError::Validation(errors)) => {
            let history = load_patient(&form.user, &db, patient).await?;
            let errors = errors_by_field(errors, &keys);
            let view = FormView {
                mode: Mode::New,
                action: format!("/patients/{patient}/assessments"),
                patient_name: patient_name(&history),
                kind: values.get("kind"),
                assessed_on: values.get("assessed_on"),
                reason: "",
                values: &values,
                previous: history.previous(None).map(AssessmentRecord::current),
                errors: &errors,
            };
            Ok(form.invalid(&format!("/patients/{patient}/assessments/new"), entry_page(&form.user, &view)))
        }
        Err(other) => Err(other.into()),
    }
}

async fn edit_form(user: SessionUser, path: web::Path<AssessmentId>, db: web::Data<Db>) -> HtmlResult {
    let id = path.into_inner();
    let history = load(&user, &db, id).await?;
    let r = record(&history, id)?;
    if r.is_signed() {
        return Ok(see_other(&format!("/assessments/{id}/amend")));
    }
    let on = r.row.assessed_on.to_string();
    let view = FormView {
        mode: Mode::Draft(r.row.version),
        action: format!("/assessments/{id}/edit"),
        patient_name: patient_name(&history),
        kind: r.row.kind.code(),
        assessed_on: &on,
        reason: "",
        values: &FormValues::from_content(r.current()),
        previous: history.previous(Some(id)).map(AssessmentRecord::current),
        errors: &FieldErrors::new(),
    };
    Ok(page(entry_page(&user, &view)))
}

async fn amend_form(user: SessionUser, path: web::Path<AssessmentId>, db: web::Data<Db>) -> HtmlResult {
    let id = path.into_inner();
    let history = load(&user, &db, id).await?;
    let r = record(&history, id)?;
    if !r.is_signed() {
        return Ok(see_other(&format!("/assessments/{id}/edit")));
    }
    let view = FormView {
        mode: Mode::Amend(r.row.version),
        action: format!("/assessments/{id}/amend"),
        patient_name: patient_name(&history),
        kind: r.row.kind.code(),
        assessed_on: "",
        reason: "",
        values: &FormValues::from_content(r.current()),
        previous: history.previous(Some(id)).map(AssessmentRecord::current),
        errors: &FieldErrors::new(),
    };
    Ok(page(entry_page(&user, &view)))
}

/// Saves a draft edit or an amendment; re-shows the form with the input on any problem.
async fn save(
    id: AssessmentId,
    form: CsrfForm<Vec<(String, String)>>,
    db: web::Data<Db>,
    amending: bool,
) -> HtmlResult {
    let values = FormValues::from_pairs(form.form.clone());
    let version = values
        .get("version")
        .parse::<i32>()
        .map_err(|_| AppError::field("version", "The form is missing its version."))?;
    let history = load(&form.user, &db, id).await?;
    let existing = record(&history, id)?.current().clone();
    let (content, keys) = values.to_input(Some(&existing));
    let ctx = form.user.ctx.clone();
    let reason = values.get("reason").to_owned();
    let date_text = values.get("assessed_on").to_owned();
    let outcome = db
        .run(move |conn| {
            if amending {
                return service::amend(conn, &ctx, id, version, &reason, &content);
            }
            service::update_draft(conn, &ctx, id, version, Some(&date_text), &content)
        })
        .await;
    let (errors, conflict) = match outcome {
        Ok(()) => return Ok(form.done(&format!("/assessments/{id}"))),
        Err(AppError::Validation(errors)) => (errors_by_field(errors, &keys), false),
        Err(AppError::VersionConflict) => (FieldErrors::new(), true),
        Err(other) => return Err(other.into()),
    };
    let r = record(&history, id)?;
    let mut errors = errors;
    if conflict {
        crate::error::add_field_error(
            &mut errors,
            "version",
            "Someone else saved this assessment while you were editing. Your input is below, unsaved; review the current record and save again.",
        );
    }
    let view = FormView {
        mode: if amending { Mode::Amend(r.row.version) } else { Mode::Draft(r.row.version) },
        action: format!("/assessments/{id}/{}", if amending { "amend" } else { "edit" }),
        patient_name: patient_name(&history),
        kind: r.row.kind.code(),
        assessed_on: values.get("assessed_on"),
        reason: values.get("reason"),
        values: &values,
        previous: history.previous(Some(id)).map(AssessmentRecord::current),
        errors: &errors,
    };
    let status = if conflict { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = format!("/assessments/{id}/{}", if amending { "amend" } else { "edit" });
    Ok(form.reshow(&page, status, entry_page(&form.user, &view)))
}

pub(super) async fn update(
    path: web::Path<AssessmentId>,
    form: CsrfForm<Vec<(String, String)>>,
    db: web::Data<Db>,
) -> HtmlResult {
    save(path.into_inner(), form, db, false).await
}

async fn amend(path: web::Path<AssessmentId>, form: CsrfForm<Vec<(String, String)>>, db: web::Data<Db>) -> HtmlResult {
    save(path.into_inner(), form, db, true).await
}

#[derive(Deserialize)]
struct VersionForm {
    version: i32,
}

async fn sign(path: web::Path<AssessmentId>, form: CsrfForm<VersionForm>, db: web::Data<Db>) -> HtmlResult {
    let id = path.into_inner();
    let (ctx, version) = (form.user.ctx.clone(), form.form.version);
    db.run(move |conn| service::sign(conn, &ctx, id, version)).await?;
    Ok(form.done(&format!("/assessments/{id}")))
}

#[derive(Deserialize)]
struct ActionForm {
    #[serde(default)]
    flag: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    action: String,
}

async fn act(path: web::Path<AssessmentId>, form: CsrfForm<ActionForm>, db: web::Data<Db>) -> HtmlResult {
    let id = path.into_inner();
    let (ctx, flag, kind, action) =
        (form.user.ctx.clone(), form.form.flag.clone(), form.form.kind.clone(), form.form.action.clone());
    match db.run(move |conn| service::record_action(conn, &ctx, id, &flag, &kind, &action)).await {
        Ok(()) => Ok(form.done(&format!("/assessments/{id}"))),
        Err(AppError::Validation(errors)) => {
            let history = load(&form.user, &db, id).await?;
            let markup = view_page(&form.user, &history, record(&history, id)?, &errors);
            Ok(form.invalid(&format!("/assessments/{id}"), markup))
        }
        Err(other) => Err(other.into()),
    }
}

/// The urgent banner for open red flags, with a form to record the action on each.
pub fn flag_banner(user: &SessionUser, open: &[OpenFlag], with_forms: bool, errors: &FieldErrors) -> Markup {
    // Cauda equina wording only for an answered cauda equina item: a neurology change found
    // by the trend (e.g. a one-grade drop) is named as what it is.
    let urgent = open.iter().any(|f| !f.derived && f.group.is_some_and(RedFlagGroup::is_emergency));
    html! {
        @if !open.is_empty() {
            section.banner.urgent[urgent] role="alert" aria-labelledby="flags-h" {
                h2 #flags-h {
                    @if urgent { "Urgent: possible cauda equina — arrange immediate referral" } @else { "Unresolved red flags" }
                }
                ul {
                    @for f in open {
                        li {
                            @if f.derived {
                                strong { "Neurology worse than at an earlier visit" }
                                " · found on " a href=(format!("/assessments/{}", f.assessment_id)) { (date(f.assessed_on)) }
                                " · review and record what was done"
                            } @else {
                                strong { (findings::find(f.code).map_or(f.code, |d| d.label)) }
                                " · positive on " a href=(format!("/assessments/{}", f.assessment_id)) { (date(f.assessed_on)) }
                                @if let Some(g) = f.group { " · " (g.label()) }
                            }
                            @if with_forms {
                                @let key = format!("{}-{}", f.assessment_id, f.code);
                                form.inline method="post" action=(format!("/assessments/{}/red-flags", f.assessment_id)) {
                                    (csrf(user))
                                    input type="hidden" name="flag" value=(f.code);
                                    label for=(format!("kind-{key}")) { "Kind of action" }
                                    select id=(format!("kind-{key}")) name="kind" required {
                                        @for k in ActionKind::ALL { option value=(k.code()) { (k.label()) } }
                                    }
                                    label for=(format!("action-{key}")) { "What was done" }
                                    input type="text" id=(format!("action-{key}")) name="action" required
                                        placeholder="e.g. sent to the emergency department for same-day MRI";
                                    button type="submit" { "Record action" }
                                }
                            }
                        }
                    }
                }
                (field_errors(errors, "kind"))
                (field_errors(errors, "action"))
                (field_errors(errors, "flag"))
            }
        }
    }
}

/// ODI, STarT Back, Roland-Morris and PSFS results.
pub fn scores_card(scores: &Scores) -> Markup {
    html! {
        dl.facts.scores {
            dt { "Oswestry Disability Index" }
            dd {
                @if let (Some(p), Some(b)) = (scores.odi_percent, scores.odi_band) { strong { (p) " %" } " · " (b.label()) }
                @else if let Some(why) = &scores.odi_unscored { "Not scored: " (why) }
                @else { "Not recorded" }
            }
            dt { "STarT Back" }
            dd {
                @if let Some(sb) = &scores.start_back {
                    strong { (sb.risk.code()) " risk" } " · total " (sb.total) "/9, psychosocial " (sb.psychosocial) "/5"
                } @else { "Not recorded" }
            }
            @if let Some(r) = scores.rmdq { dt { "Roland-Morris" } dd { strong { (r) " / 24" } " (higher is worse)" } }
            @if let Some(m) = scores.psfs_mean { dt { "Patient-Specific Functional Scale" } dd { strong { "mean " (format!("{m:.1}")) " / 10" } " (higher is better)" } }
        }
    }
}

/// The findings of some content, by section.
pub fn findings_table(content: &AssessmentContent) -> Markup {
    html! {
        @for section in Section::ALL {
            @let rows: Vec<_> = content.findings.iter().filter(|f| f.def().is_some_and(|d| d.section == section)).collect();
            @if !rows.is_empty() {
                h3 { (section.label()) }
                table.list.findings {
                    thead { tr { th { "Finding" } th { "Side" } th { "Value" } th { "Method" } th { "Note" } } }
                    tbody {
                        @for f in rows {
                            tr.positive[f.code.starts_with("rf_") && f.value.to_string() == "positive"] {
                                td { (f.def().map_or(f.code, |d| d.label)) }
                                td { (f.side.map_or("", |s| s.code())) }
                                td { (f.value) @if let Some(u) = f.unit() { " " (u) } }
                                td { (f.method.and_then(findings::method).map_or("", |m| m.label)) }
                                td { (f.note.as_deref().unwrap_or("")) }
                            }
                        }
                    }
                }
            }
        }
        @if let Some(i) = &content.impression { h3 { "Impression" } p.impression { (i) } }
    }
}

fn view_page(user: &SessionUser, history: &AssessmentHistory, r: &AssessmentRecord, errors: &FieldErrors) -> Markup {
    let id = r.row.id;
    let profile = crate::service::safety::profile(history);
    let open: Vec<OpenFlag> = profile.open_red_flags.iter().filter(|f| f.assessment_id == id.0).cloned().collect();
    let current = r.current();
    let kind = r.row.kind.label();
    let body = html! {
        p.crumbs { a href=(format!("/patients/{}", r.row.patient_id)) { "← " (patient_name(history)) } }
        div.page-head {
            h1 { (kind) " · " (date(r.row.assessed_on)) }
            span.badge.status { (r.row.status) }
        }
        (flag_banner(user, &open, true, errors))
        (super::screening::trend_panel(&profile, id))
        (super::screening::actions_list(history, Some(id)))
        @if r.is_signed() {
            p.hint { "Signed " (r.row.signed_at.map(|t| t.format("%-d %b %Y %H:%M UTC").to_string()).unwrap_or_default()) ". Locked: changes are recorded as amendments." }
        }
        div.actions {
            @if r.is_signed() {
                a.button href=(format!("/assessments/{id}/amend")) { "Amend" }
            } @else {
                a.button href=(format!("/assessments/{id}/edit")) { "Continue editing" }
                form.inline method="post" action=(format!("/assessments/{id}/sign")) {
                    (csrf(user))
                    input type="hidden" name="version" value=(r.row.version);
                    button.primary type="submit" { "Sign and lock" }
                }
            }
            a.button href=(format!("/patients/{}/progress", r.row.patient_id)) { "Progress" }
        }
        h2 { "Scores" }
        (scores_card(&current.scores()))
        h2 { "Findings" }
        @if current.findings.is_empty() { p.empty { "No findings recorded yet." } }
        (findings_table(current))
        @if !r.amendments.is_empty() {
            h2 { "Amendments" }
            ol.amendments {
                @for a in &r.amendments {
                    li { strong { (a.author) } " · " (a.at.format("%-d %b %Y %H:%M UTC")) " · " em { (a.reason) } }
                }
            }
            details.original {
                summary { "Original signed record" }
                (scores_card(&r.original.scores()))
                (findings_table(&r.original))
            }
        }
    };
    layout(kind, user, body)
}

async fn show(user: SessionUser, path: web::Path<AssessmentId>, db: web::Data<Db>) -> HtmlResult {
    let id = path.into_inner();
    let history = load(&user, &db, id).await?;
    Ok(page(view_page(&user, &history, record(&history, id)?, &FieldErrors::new())))
}
