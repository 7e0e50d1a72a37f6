//! The plan builder: one page per plan with goals, the four stages (criteria and items),
//! the safety engine's answers next to the add form, lifecycle buttons and versions. Every
//! action is a plain form post; `hx-boost` makes them in-page edits where htmx runs.

use super::assessments::flag_banner;
use super::components::{csrf, date, field_errors};
use super::layout::layout;
use super::plan_conflict::{self, Kept};
use super::plan_picker;
use super::plan_safety::{self, safety_banner};
use super::session::{CsrfForm, SessionUser};
use super::{page, HtmlError, HtmlResult};
use crate::db::audit::Reads;
use crate::db::ids::PlanId;
use crate::db::library::LibraryFilter;
use crate::db::Db;
use crate::domain::consent::ConsentInput;
use crate::domain::dosage::Dosage;
use crate::domain::modality::{Category, Setting};
use crate::domain::plan::{criterion_id, PlanStage, PlanStatus};
use crate::domain::progression::{self, Comparator, Criterion, Measure, Outcome};
use crate::error::{AppError, FieldErrors};
use crate::service::library::{self as library_service, LibraryItem};
use crate::service::plans::{self as service, AddItem, PlanView};
use actix_web::web;
use maud::{html, Markup};
use serde::Deserialize;
use uuid::Uuid;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(plan_safety::configure)
        .route("/plans/{id}", web::get().to(show))
        .route("/plans/{id}/stages/{stage}/items", web::post().to(add_item))
        .configure(super::plan_edits::configure)
        .configure(super::plan_lifecycle::configure)
        .configure(plan_picker::configure)
        .configure(super::plan_items::configure);
}

/// A failed add, re-shown beside that stage's form with what was typed.
struct AddFailure {
    stage: Uuid,
    errors: FieldErrors,
    message: String,
    form: ItemForm,
}

struct PageData {
    view: PlanView,
    library: Vec<LibraryItem>,
}

async fn load(user: &SessionUser, db: &Db, id: PlanId) -> Result<PageData, HtmlError> {
    let ctx = user.ctx.clone();
    Ok(db
        .read(move |conn| -> Result<_, AppError> {
            let mut reads = Reads::default();
            let view = reads.take(service::get(conn, &ctx, id)?);
            // The add forms, and so the library, are shown on drafts only.
            let library = if view.status() == PlanStatus::Draft {
                library_service::list(conn, &ctx, &LibraryFilter::default())?
            } else {
                Vec::new()
            };
            Ok(reads.with(PageData { view, library }))
        })
        .await?)
}

fn words(code: &str) -> String {
    code.replace('_', " ")
}

/// The plan version an edit form is based on: a stale form is refused with the
/// "changed by someone else" notice.
fn based_on(d: &PageData) -> Markup {
    html! { input type="hidden" name="version" value=(d.view.row.version); }
}

/// The version a form was based on; a form without one is treated as stale.
pub(super) fn form_version(version: Option<&str>) -> Result<i32, AppError> {
    version.and_then(|v| v.trim().parse().ok()).ok_or(AppError::VersionConflict)
}

fn criterion_text(c: &Criterion) -> String {
    format!("{} {} {}", c.measure.label(), c.comparator.symbol(), c.value)
}

fn stage_card(user: &SessionUser, d: &PageData, stage: &PlanStage, failure: Option<&AddFailure>) -> Markup {
    let view = &d.view;
    let id = view.row.id;
    let editable = view.status() == PlanStatus::Draft;
    let current = stage.position == view.content.current_stage && view.status() == PlanStatus::Active;
    let fail = failure.filter(|f| f.stage == stage.id);
    html! {
        section.stage.current[current] id=(format!("stage-{}", stage.position)) aria-labelledby=(format!("stage-{}-h", stage.position)) {
            div.page-head {
                h3 id=(format!("stage-{}-h", stage.position)) { "Stage " (stage.position) ": " (stage.name) }
                span.hint {
                    (stage.planned_weeks) " weeks planned"
                    @if let Some(s) = stage.started_on { " · started " (date(s)) }
                    @if let Some(c) = stage.completed_on { " · completed " (date(c)) }
                    @if current { " · " strong { "current stage" } }
                }
            }
            p.purpose { (stage.purpose) }
            @if editable {
                details.edit-stage {
                    summary { "Edit stage" }
                    @let action = format!("/plans/{id}/stages/{}/edit", stage.id);
                    @let n = stage.position;
                    form.inline.stage-edit method="post" action=(action) data-autosave
                        hx-post=(action) hx-trigger=(super::autosave::TRIGGER) hx-sync="this:queue last"
                        hx-target="find .autosave-status" hx-swap="innerHTML" {
                        (csrf(user)) (based_on(d))
                        label { "Name " input type="text" id=(format!("stage-{n}-name")) name="name" value=(stage.name) required; }
                        label { "Purpose " input type="text" id=(format!("stage-{n}-purpose")) name="purpose" value=(stage.purpose); }
                        label { "Weeks " input type="number" id=(format!("stage-{n}-weeks")) name="planned_weeks" min="1" max="52" value=(stage.planned_weeks); }
                        button type="submit" { "Save stage" }
                        " " span.autosave-status.hint role="status" aria-live="polite" {}
                    }
                }
            }
            h4 { "Move on when" }
            ul.criteria {
                @for c in &stage.criteria {
                    li {
                        (progression::plain_words(c)) " " span.hint { "(" (criterion_text(c)) ")" }
                        @if editable {
                            form.inline.tiny method="post" action=(format!("/plans/{id}/stages/{}/criteria", stage.id)) {
                                (csrf(user)) (based_on(d))
                                input type="hidden" name="remove" value=(criterion_id(c));
                                button.link type="submit" aria-label="Remove criterion" { "remove" }
                            }
                        }
                    }
                }
                @if stage.criteria.is_empty() { li.hint { "No criteria: progression is the clinician's call." } }
            }
            @if editable {
                form.inline.criteria-add method="post" action=(format!("/plans/{id}/stages/{}/criteria", stage.id)) {
                    (csrf(user)) (based_on(d))
                    select name="measure" aria-label="Measure" { @for m in Measure::ALL { option value=(m.code()) { (m.label()) } } }
                    select name="comparator" aria-label="Comparator" { @for c in ["le", "lt", "eq", "ge", "gt"] { option value=(c) { (c.parse::<Comparator>().map(|c| c.symbol()).unwrap_or(c)) } } }
                    input type="number" step="any" name="value" aria-label="Value" required;
                    button type="submit" { "Add criterion" }
                }
            }
            h4 { "Treatment" }
            @if stage.items.is_empty() { p.empty { "No items yet." } }
            (super::plan_items::items_list(user, view, stage, None))
            @if editable {
                (add_form(user, d, stage, fail))
            }
        }
    }
}

/// The dosage and placement fields of the add and edit forms.
fn dosage_fields(f: &ItemForm) -> Markup {
    let num = |v: &Option<String>| v.clone().unwrap_or_default();
    html! {
        div.dosage {
            label { "Sets " input type="number" min="1" max="20" name="sets" value=(num(&f.sets)); }
            label { "Reps " input type="number" min="1" max="200" name="reps" value=(num(&f.reps)); }
            label { "Hold (s) " input type="number" min="1" max="600" name="hold_seconds" value=(num(&f.hold_seconds)); }
            label { "Per day " input type="number" min="1" max="12" name="per_day" value=(num(&f.per_day)); }
            label { "Days a week " input type="number" min="1" max="7" name="per_week" value=(num(&f.per_week)); }
            label { "Side "
                select name="side" {
                    option value="" { "—" }
                    @for s in ["left", "right", "bilateral"] { option value=(s) selected[f.side.as_deref() == Some(s)] { (s) } }
                }
            }
            label { "Setting "
                select name="setting" {
                    option value="" { "library default" }
                    @for s in Setting::ALL { option value=(s.code()) selected[f.setting.as_deref() == Some(s.code())] { (s.label()) } }
                }
            }
            label.wide { "Clinician-only note " input type="text" name="clinician_notes" value=(num(&f.clinician_notes)); }
        }
    }
}

fn add_form(user: &SessionUser, d: &PageData, stage: &PlanStage, fail: Option<&AddFailure>) -> Markup {
    let id = d.view.row.id;
    let blank = ItemForm::default();
    let form = fail.map_or(&blank, |f| &f.form);
    let errors = fail.map(|f| f.errors.clone()).unwrap_or_default();
    html! {
        details.add-item open[fail.is_some()] {
            summary { "Add an item to stage " (stage.position) }
            @if let Some(f) = fail {
                div.error-summary role="alert" tabindex="-1" data-autofocus { p { strong { (f.message) } } }
            }
            (plan_picker::search_form(id, stage, &plan_picker::PickQuery::default()))
            // Added in place: the answer's stage card replaces this one (see `web::post`).
            form.add method="post" action=(format!("/plans/{id}/stages/{}/items", stage.id)) id=(format!("add-{}", stage.position))
                hx-target=(format!("#stage-{}", stage.position)) hx-select=(format!("#stage-{}", stage.position))
                hx-swap="outerHTML" hx-headers=r#"{"PP-In-Place": "true"}"# {
                (csrf(user)) (based_on(d))
                details.dose-options open[fail.is_some()] {
                    summary { "Dose, side and consent for the item you add (optional)" }
                    (dosage_fields(form))
                    @for (field, _) in &errors { @if field.starts_with("dosage.") { (field_errors(&errors, field)) } }
                    div.safety {
                        label.check { input type="checkbox" name="consent" value="true" checked[form.consent.is_some()]; " Consent recorded (needed for dry needling and thrust manipulation)" }
                        (field_errors(&errors, "consent"))
                        label.wide { "Override reason (only to go ahead despite an absolute contraindication) "
                            input type="text" name="override_reason" value=(form.override_reason.clone().unwrap_or_default());
                        }
                        (field_errors(&errors, "override_reason"))
                    }
                }
                (field_errors(&errors, "modality_id"))
                (plan_picker::in_add_form(&d.library, stage, &form.modality_id))
            }
        }
    }
}

fn plan_page(
    user: &SessionUser,
    d: &PageData,
    failure: Option<&AddFailure>,
    notice: Option<String>,
    kept: Option<(&Kept, Option<&FieldErrors>)>,
) -> Markup {
    let view = &d.view;
    let id = view.row.id;
    let patient = &view.history.patient.0;
    let open = view.profile.open_red_flags.clone();
    let editable = view.status() == PlanStatus::Draft;
    let body = html! {
        div.plan hx-boost="true" {
            p.crumbs { a href=(format!("/patients/{}", patient.id)) { "← " (patient.given_name) " " (patient.family_name) } }
            div.page-head {
                h1 { (view.row.title) }
                span {
                    span.badge.status { (view.row.status) }
                    @if view.row.plan_version > 0 { " version " (view.row.plan_version) }
                }
            }
            @if let Some(n) = notice { div.banner role="status" { p { (n) } } }
            @if let Some((k, errors)) = kept { (plan_conflict::render(user, view.row.version, k, errors)) }
            @if let Some(reason) = &view.row.amend_reason {
                @if editable { div.banner role="status" { p { "Amendment in progress (version " (view.row.plan_version + 1) "): " em { (reason) } ". Activate to make it the patient's plan; version " (view.row.plan_version) " stays in force until then." } } }
            }
            (flag_banner(user, &open, false, &FieldErrors::new()))
            (super::screening::actions_list(&view.history, None))
            (safety_banner(view))
            @if !open.is_empty() && editable { p.warning { "The plan cannot be activated until an action is recorded for each red flag (on the assessment)." } }
            (super::plan_lifecycle::lifecycle_panel(user, view))
            @if let Some((on, e)) = view.readiness().filter(|_| view.status() == PlanStatus::Active) {
                div.banner.ready[e.met] role="status" {
                    h2 { @if e.met { "Ready to progress" } @else { "Not ready to progress yet" } }
                    p.hint { "Checked against the signed assessment of " (date(on)) ". The clinician confirms." }
                    ul { @for (c, o) in &e.per_criterion {
                        li { (progression::plain_words(c)) ": " strong { (match o { Outcome::Met => "met", Outcome::NotMet => "not met", Outcome::NoData => "no data" }) } }
                    } }
                }
            }
            section aria-labelledby="goals-h" {
                h2 #goals-h { "Goals" }
                @if view.content.goals.is_empty() { p.empty { "No goals yet." } }
                ul.goals {
                    @for g in &view.content.goals {
                        li {
                            (progression::plain_words(&g.criterion()))
                            span.hint {
                                " · baseline " (g.baseline.map(|b| b.to_string()).unwrap_or_else(|| "not recorded".into()))
                                @if let Some(due) = g.due { " · by " (date(due)) }
                            }
                            @if editable {
                                form.inline.tiny method="post" action=(format!("/plans/{id}/goals")) {
                                    (csrf(user)) (based_on(d))
                                    input type="hidden" name="remove" value=(g.id.to_string());
                                    button.link type="submit" { "remove" }
                                }
                            }
                        }
                    }
                }
                @if editable {
                    form.inline method="post" action=(format!("/plans/{id}/goals")) {
                        (csrf(user)) (based_on(d))
                        select name="measure" aria-label="Measure" { @for m in Measure::ALL { option value=(m.code()) { (m.label()) } } }
                        select name="comparator" aria-label="Comparator" { @for c in ["le", "lt", "eq", "ge", "gt"] { option value=(c) { (c.parse::<Comparator>().map(|c| c.symbol()).unwrap_or(c)) } } }
                        input type="number" step="any" name="target" placeholder="Target" aria-label="Target" required;
                        input type="date" name="due" aria-label="Due date";
                        button type="submit" { "Add goal" }
                    }
                }
            }
            @for stage in &view.content.stages { (stage_card(user, d, stage, failure)) }
            @if !view.versions.is_empty() {
                section aria-labelledby="versions-h" {
                    h2 #versions-h { "Versions" }
                    ol.versions {
                        @for (v, by) in &view.versions {
                            li {
                                strong { "Version " (v.number) } " · " (by) " · " (v.activated_at.format("%-d %b %Y %H:%M UTC"))
                                @if let Some(r) = &v.reason { " · " em { (r) } }
                                " · " a href=(format!("/plans/{id}/print?version={}", v.number)) { "handout" }
                                @let changes = view.changes(v);
                                @if !changes.is_empty() {
                                    ul.diff { @for c in &changes { li.(c.kind) { (c.kind) ": " (c.what) @if !c.detail.is_empty() { " — " (c.detail) } } } }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    layout(&view.row.title, user, body)
}

#[derive(Deserialize)]
struct ShowQuery {
    skipped: Option<String>,
}

async fn show(
    user: SessionUser,
    path: web::Path<PlanId>,
    query: web::Query<ShowQuery>,
    db: web::Data<Db>,
) -> HtmlResult {
    let d = load(&user, &db, path.into_inner()).await?;
    let notice = query.skipped.as_deref().filter(|s| !s.is_empty()).map(|s| {
        format!("Not added from the protocol for this patient (contraindicated or needing consent; add them yourself if appropriate): {}.", words(s).replace(',', ", "))
    });
    Ok(page(plan_page(&user, &d, None, notice, None)))
}

/// The add and edit item form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct ItemForm {
    pub(super) modality_id: String,
    pub(super) sets: Option<String>,
    pub(super) reps: Option<String>,
    pub(super) hold_seconds: Option<String>,
    pub(super) per_day: Option<String>,
    pub(super) per_week: Option<String>,
    pub(super) side: Option<String>,
    pub(super) setting: Option<String>,
    pub(super) clinician_notes: Option<String>,
    pub(super) override_reason: Option<String>,
    pub(super) consent: Option<String>,
    pub(super) version: Option<String>,
}

impl ItemForm {
    pub(super) fn dosage(&self) -> Result<Dosage, AppError> {
        let n = |field: &str, v: &Option<String>| -> Result<Option<u32>, AppError> {
            match v.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                None => Ok(None),
                Some(t) => t.parse().map(Some).map_err(|_| {
                    AppError::field(&format!("dosage.{field}"), format!("{field} must be a whole number"))
                }),
            }
        };
        Ok(Dosage {
            sets: n("sets", &self.sets)?,
            reps: n("reps", &self.reps)?,
            hold_seconds: n("hold_seconds", &self.hold_seconds)?,
            per_day: n("per_day", &self.per_day)?,
            per_week: n("per_week", &self.per_week)?,
            ..Dosage::default()
        })
    }
}

async fn add_item(path: web::Path<(PlanId, Uuid)>, form: CsrfForm<ItemForm>, db: web::Data<Db>) -> HtmlResult {
    let (id, stage) = path.into_inner();
    let f = form.form.clone();
    let ctx = form.user.ctx.clone();
    let outcome = match f.dosage().and_then(|d| Ok((d, form_version(f.version.as_deref())?))) {
        Ok((dosage, version)) => {
            let req = AddItem {
                modality_id: f.modality_id.clone(),
                dosage: Some(dosage),
                side: f.side.clone(),
                setting: f.setting.clone(),
                clinician_notes: f.clinician_notes.clone(),
                override_reason: f.override_reason.clone(),
                consent: ConsentInput::Flag(f.consent.is_some()),
                version: Some(version),
            };
            db.run(move |conn| service::add_item(conn, &ctx, id, stage, &req)).await.map(|_| ())
        }
        Err(e) => Err(e),
    };
    let (errors, message) = match outcome {
        Ok(()) => return Ok(form.done(&format!("/plans/{id}#stage-{}", stage))),
        Err(AppError::Refused { message, fields, .. }) => (fields, message),
        Err(AppError::Validation(fields)) => (fields, "Some fields need attention.".to_owned()),
        Err(e @ AppError::VersionConflict) => (FieldErrors::new(), e.to_string()),
        Err(other) => return Err(other.into()),
    };
    let d = load(&form.user, &db, id).await?;
    let failure = AddFailure { stage, errors, message, form: f };
    let page = plan_page(&form.user, &d, Some(&failure), None, None);
    if failure.message == AppError::VersionConflict.to_string() {
        return Ok(form.reshow(&format!("/plans/{id}"), actix_web::http::StatusCode::CONFLICT, page));
    }
    Ok(form.invalid(&format!("/plans/{id}"), page))
}

/// Back to the plan after a step: its page, or the page again with the refusal's message
/// (conflicts and field problems) at the status the refusal carries.
pub(super) async fn after_step<T>(
    form: &CsrfForm<T>,
    db: &Db,
    id: PlanId,
    outcome: Result<(), AppError>,
) -> HtmlResult {
    after_edit(form, db, id, outcome, None).await
}

/// [`after_step`] for an edit: refused as stale, the page keeps what the user entered.
pub(super) async fn after_edit<T>(
    form: &CsrfForm<T>,
    db: &Db,
    id: PlanId,
    outcome: Result<(), AppError>,
    kept: Option<Kept>,
) -> HtmlResult {
    let user = &form.user;
    match outcome {
        Ok(()) => Ok(form.done(&format!("/plans/{id}"))),
        Err(e @ (AppError::Conflict { .. } | AppError::VersionConflict | AppError::Validation(_))) => {
            let d = load(user, db, id).await?;
            let message = match &e {
                AppError::Validation(f) => f.values().flatten().cloned().collect::<Vec<_>>().join(" "),
                other => other.to_string(),
            };
            let status = actix_web::ResponseError::status_code(&e);
            let markup = match (&e, &kept) {
                (AppError::VersionConflict, Some(k)) => plan_page(user, &d, None, None, Some((k, None))),
                // A field that does not read: the form again with what was typed, the message beside it.
                (AppError::Validation(errors), Some(k)) if plan_conflict::has_typed(k) => {
                    plan_page(user, &d, None, None, Some((k, Some(errors))))
                }
                _ => plan_page(user, &d, None, Some(message), None),
            };
            Ok(form.reshow(&format!("/plans/{id}"), status, markup))
        }
        Err(other) => Err(other.into()),
    }
}

/// Category labels for filters.
pub fn categories() -> Vec<(String, String)> {
    Category::ALL.iter().map(|c| (c.code().to_owned(), c.label().to_owned())).collect()
}
