//! The library page: browse, search and filter the modality library by category, stage
//! and region; each item's detail with dosage, contraindications and guideline stance.

use super::components::{csrf, error_summary, field_errors, input, select};
use super::layout::layout;
use super::session::{CsrfForm, SessionUser};
use super::{page, HtmlResult};
use crate::authz::Permission;
use crate::db::ids::ModalityId;
use crate::db::Db;
use crate::domain::modality::{Severity, Stage};
use crate::error::AppError;
use crate::error::FieldErrors;
use crate::service::library as service;
use crate::service::library::LibraryItem;
use crate::service::library::{filter_of, LibraryParams};
use actix_web::web;
use maud::html;
use maud::Markup;
use serde::Deserialize;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/library", web::get().to(list))
        .route("/library/{id}", web::get().to(show))
        .route("/library/{id}/clinic", web::post().to(save_clinic_item))
        .route("/library/{id}/retire", web::post().to(retire));
}

/// The editable text of a clinic item (the rest is kept from the item it starts from).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct ClinicItemForm {
    code: String,
    name: String,
    description: String,
    patient_instructions: String,
}

fn clinic_item_form(user: &SessionUser, item: &LibraryItem, form: &ClinicItemForm, errors: &FieldErrors) -> Markup {
    let editing = !item.builtin();
    html! {
        section.clinic-item aria-labelledby="clinic-item-h" {
            h2 #clinic-item-h { @if editing { "Edit this clinic item (saves version " (item.row.version + 1) ")" } @else { "Make a clinic version of this item" } }
            p.hint { "Plans that use an earlier version keep it. Category, stages, dosage, contraindications and guideline stance are kept from this item." }
            (error_summary(errors))
            form method="post" action=(format!("/library/{}/clinic", item.row.id)) {
                (csrf(user))
                @if !editing { (input("text", "code", "Code (lower case, e.g. clinic_wall_squat)", &form.code, errors, true)) }
                (input("text", "name", "Name", &form.name, errors, true))
                div.field.invalid[errors.contains_key("description")] {
                    label for="description" { "Description for clinicians" }
                    textarea #description name="description" rows="2" { (form.description) }
                    (field_errors(errors, "description"))
                }
                div.field.invalid[errors.contains_key("patient_instructions")] {
                    label for="patient_instructions" { "Instructions for the patient (short, plain sentences)" }
                    textarea #patient_instructions name="patient_instructions" rows="3" { (form.patient_instructions) }
                    (field_errors(errors, "patient_instructions"))
                }
                button.primary type="submit" { @if editing { "Save new version" } @else { "Add to the clinic library" } }
            }
        }
    }
}

async fn list(user: SessionUser, params: web::Query<LibraryParams>, db: web::Data<Db>) -> HtmlResult {
    let filter = filter_of(&params).unwrap_or_default();
    let ctx = user.ctx.clone();
    let items = db.run(move |conn| service::list(conn, &ctx, &filter)).await?;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let stages: Vec<(String, String)> =
        Stage::ALL.iter().map(|s| (s.code().to_owned(), format!("{}. {}", s.number(), s.name()))).collect();
    let none = FieldErrors::new();
    let body = html! {
        h1 { "Modality library" }
        @if user.actor().may(Permission::ManageLibrary) { p { a href="/library/protocols" { "Manage the clinic's protocols" } } }
        form.search method="get" action="/library" role="search" {
            label for="q" { "Search" }
            input #q type="search" name="q" value=(text(&params.q));
            (select("category", "Category", &super::plans::categories(), &text(&params.category), &none, Some("All")))
            (select("stage", "Stage", &stages, &text(&params.stage), &none, Some("All")))
            label for="region" { "Region" }
            input #region type="text" name="region" value=(text(&params.region)) placeholder="e.g. lumbar";
            button type="submit" { "Filter" }
        }
        p.hint { (items.len()) " items" }
        div.table-scroll { table.list {
            thead { tr { th { "Picture" } th { "Item" } th { "Category" } th { "Region" } th { "Stages" } th { "Default dosage" } th { "Guidelines" } } }
            tbody {
                @for i in &items {
                    tr {
                        td.thumb { (super::media::picture(i, 120)) }
                        td { a href=(format!("/library/{}", i.row.id)) { (i.def.name) } @if !i.builtin() { " " span.badge { "clinic v" (i.row.version) } } }
                        td { (i.def.category.label()) }
                        td { (i.def.body_region.replace('_', " ")) }
                        td { (i.def.stages.iter().map(|s| s.number().to_string()).collect::<Vec<_>>().join(", ")) }
                        td { (i.def.dosage.summary()) }
                        td { "JOSPT " (i.def.guideline.jospt_2021.label()) " · NICE " (i.def.guideline.nice_ng59.label()) @if i.def.guideline.conflict() { " " span.badge.warn { "guidelines differ" } } }
                    }
                }
            }
        } }
    };
    Ok(page(layout("Library", &user, body)))
}

async fn show(user: SessionUser, path: web::Path<ModalityId>, db: web::Data<Db>) -> HtmlResult {
    let id = path.into_inner();
    let ctx = user.ctx.clone();
    let item = db.run(move |conn| service::get(conn, &ctx, id)).await?;
    let none = FieldErrors::new();
    Ok(page(detail(&user, &item, &form_of(&item), &none, &none)))
}

async fn save_clinic_item(
    path: web::Path<ModalityId>,
    form: CsrfForm<ClinicItemForm>,
    db: web::Data<Db>,
) -> HtmlResult {
    let id = path.into_inner();
    let ctx = form.user.ctx.clone();
    let f = form.form.clone();
    let outcome = db
        .run(move |conn| {
            let base = service::get(conn, &ctx, id)?;
            let mut def = base.def.clone();
            def.name = f.name.trim().to_owned();
            def.description = f.description.trim().to_owned();
            def.patient_instructions = f.patient_instructions.trim().to_owned();
            if base.builtin() {
                def.code = f.code.trim().to_owned();
                service::create(conn, &ctx, &def)
            } else {
                service::update(conn, &ctx, id, &def)
            }
        })
        .await;
    match outcome {
        Ok(new_id) => Ok(form.done(&format!("/library/{new_id}"))),
        Err(AppError::Validation(errors)) => {
            let ctx = form.user.ctx.clone();
            let item = db.run(move |conn| service::get(conn, &ctx, id)).await?;
            Ok(form.invalid(
                &format!("/library/{id}"),
                detail(&form.user, &item, &form.form, &errors, &FieldErrors::new()),
            ))
        }
        Err(other) => Err(other.into()),
    }
}

/// The item's page; `errors` belong to the clinic item form, `image_errors` to the picture upload.
pub(super) fn detail(
    user: &SessionUser,
    item: &LibraryItem,
    form: &ClinicItemForm,
    errors: &FieldErrors,
    image_errors: &FieldErrors,
) -> Markup {
    let d = &item.def;
    let body = html! {
        p.crumbs { a href="/library" { "← Library" } }
        h1 { (d.name) }
        p { span.badge { (d.category.label()) } " " span.badge { (d.body_region.replace('_', " ")) }
            @if let Some(t) = d.technique { " " span.badge { (t.label()) } } " " span.badge { "version " (item.row.version) }
            @if item.builtin() { " " span.badge { "built-in, read-only" } } }
        @if item.row.retired { p.banner { "This item is retired: it is no longer offered for new plans. Plans that have it keep it." } }
        p { (d.description) }
        (super::media::picture(item, 480))
        h2 { "For the patient" }
        p.instructions { (d.patient_instructions) }
        h2 { "Default dosage" }
        p { (d.dosage.summary()) " · " (d.setting.label()) }
        @if let Some(rule) = &d.dosage.intensity { p { "Pain rule: " (rule) } }
        @if let Some(p) = &d.dosage.progression { p { "Progression: " (p) } }
        h2 { "Stages" }
        p { (d.stages.iter().map(|s| format!("{}. {}", s.number(), s.name())).collect::<Vec<_>>().join(" · ")) }
        h2 { "Contraindications" }
        @if d.contraindications.is_empty() { p { "None listed." } }
        ul { @for c in &d.contraindications {
            li { strong { (if c.severity == Severity::Absolute { "Absolute" } else { "Relative" }) } ": " (c.fact.label()) " — " (c.note) }
        } }
        @if d.consent_required { p.warning { "Recorded consent is required before this item is added to a plan." } }
        h2 { "Guidelines" }
        p { "JOSPT 2021: " strong { (d.guideline.jospt_2021.label()) } " · NICE NG59: " strong { (d.guideline.nice_ng59.label()) } }
        p { (d.guideline.note) }
        @if user.actor().may(Permission::ManageLibrary) && item.row.is_current && !item.row.retired { (clinic_item_form(user, item, form, errors)) }
        @if user.actor().may(Permission::ManageLibrary) && !item.builtin() && item.row.is_current { (super::media::section(user, item, image_errors)) }
        @if user.actor().may(Permission::ManageLibrary) && !item.builtin() && item.row.is_current && !item.row.retired { (retire_section(user, item, errors)) }
    };
    layout(&d.name, user, body)
}

/// The clinic item form filled from an item.
pub(super) fn form_of(item: &LibraryItem) -> ClinicItemForm {
    ClinicItemForm {
        code: String::new(),
        name: item.def.name.clone(),
        description: item.def.description.clone(),
        patient_instructions: item.def.patient_instructions.clone(),
    }
}

/// The form that retires a clinic item, with the version it was shown at.
fn retire_section(user: &SessionUser, item: &LibraryItem, errors: &FieldErrors) -> Markup {
    html! {
        section.retire aria-labelledby="retire-h" {
            h2 #retire-h { "Retire this item" }
            p.hint { "A retired item is no longer offered in the library or the plan builder. Plans that have it keep it and still print it." }
            (field_errors(errors, "retire"))
            form method="post" action=(format!("/library/{}/retire", item.row.id)) {
                (csrf(user))
                input type="hidden" name="version" value=(item.row.version);
                button type="submit" { "Retire" }
            }
        }
    }
}

#[derive(Deserialize)]
struct RetireForm {
    #[serde(default)]
    version: String,
}

async fn retire(path: web::Path<ModalityId>, form: CsrfForm<RetireForm>, db: web::Data<Db>) -> HtmlResult {
    let id = path.into_inner();
    let ctx = form.user.ctx.clone();
    let version = form.form.version.trim().parse::<i32>().unwrap_or(0);
    match db.run(move |conn| service::retire(conn, &ctx, id, version)).await {
        Ok(()) => Ok(form.done(&format!("/library/{id}"))),
        Err(AppError::VersionConflict) => {
            let ctx = form.user.ctx.clone();
            let item = db.run(move |conn| service::get(conn, &ctx, id)).await?;
            let mut errors = FieldErrors::new();
            crate::error::add_field_error(
                &mut errors,
                "retire",
                "This item was changed by someone else since you opened it, so it was not retired. Check the current version and try again.",
            );
            let markup = detail(&form.user, &item, &form_of(&item), &errors, &FieldErrors::new());
            Ok(form.reshow(&format!("/library/{id}"), actix_web::http::StatusCode::CONFLICT, markup))
        }
        Err(other) => Err(other.into()),
    }
}
