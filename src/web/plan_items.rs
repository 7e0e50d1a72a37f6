//! One plan item's row in the builder, and its in-place edits: with htmx, saving a dose or
//! removing an item swaps only that row (`HX-Request`), and a removal leaves an "Undo" row
//! in its place that adds the same item back (through the safety engine, like any add) at
//! the same position. Each answer sends the plan's new version (`HX-Trigger:
//! plan-version`) so the page's other forms stay current. Without JavaScript the same
//! forms post to the plain routes and the page reloads.

use super::components::csrf;
use super::plan_safety::item_safety;
use super::session::{CsrfForm, SessionUser};
use super::{HtmlError, HtmlResult};
use crate::db::ids::PlanId;
use crate::db::Db;
use crate::domain::consent::ConsentInput;
use crate::domain::dosage::Dosage;
use crate::domain::plan::{PlanItem, PlanStage, PlanStatus};
use crate::error::AppError;
use crate::service::plans::{self as service, AddItem, PlanEdit, PlanView};
use actix_web::{web, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;
use uuid::Uuid;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/plans/{id}/items/{item}/row/{action}", web::post().to(row_action))
        .route("/plans/{id}/stages/{stage}/restore", web::post().to(restore));
}

fn version_field(view: &PlanView) -> Markup {
    html! { input type="hidden" name="version" value=(view.row.version); }
}

fn row_id(item: Uuid) -> String {
    format!("item-{item}")
}

/// The dose and placement fields of an item, as the edit form shows them.
pub fn dose_fields(item: &PlanItem) -> Markup {
    let o = &item.dosage_override;
    let v = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
    html! {
        div.dosage {
            label { "Sets " input type="number" min="1" max="20" name="sets" value=(v(o.sets)); }
            label { "Reps " input type="number" min="1" max="200" name="reps" value=(v(o.reps)); }
            label { "Hold (s) " input type="number" min="1" max="600" name="hold_seconds" value=(v(o.hold_seconds)); }
            label { "Per day " input type="number" min="1" max="12" name="per_day" value=(v(o.per_day)); }
            label { "Days a week " input type="number" min="1" max="7" name="per_week" value=(v(o.per_week)); }
            label { "Side "
                select name="side" {
                    option value="" { "—" }
                    @for s in ["left", "right", "bilateral"] { option value=(s) selected[item.side.as_deref() == Some(s)] { (s) } }
                }
            }
            label { "Setting "
                select name="setting" {
                    option value="" { "library default" }
                    @for s in crate::domain::modality::Setting::ALL { option value=(s.code()) selected[item.setting == s] { (s.label()) } }
                }
            }
            label.wide { "Clinician-only note " input type="text" name="clinician_notes" value=(item.clinician_notes.clone().unwrap_or_default()); }
        }
    }
}

/// One item of a stage: name, dose, safety answers and, on a draft, its actions.
pub fn item_row(user: &SessionUser, view: &PlanView, item: &PlanItem, message: Option<&str>) -> Markup {
    item_row_focused(user, view, item, message, None)
}

/// [`item_row`] with the focus on one of its move buttons (`up`, `down`) after a move.
fn item_row_focused(
    user: &SessionUser,
    view: &PlanView,
    item: &PlanItem,
    message: Option<&str>,
    focus: Option<&str>,
) -> Markup {
    let id = view.row.id;
    let editable = view.status() == PlanStatus::Draft;
    let target = format!("#{}", row_id(item.id));
    html! {
        li.item id=(row_id(item.id)) {
            div.item-head {
                (super::illustrations::img(&item.code, &item.name, 96))
                strong { (item.name) }
                span.badge { (item.category.label()) }
                span.badge { (item.setting.label()) }
                @if let Some(side) = &item.side { span.badge { (side) } }
            }
            p { (item.dosage().summary()) }
            @if let Some(m) = message { p.field-error role="alert" tabindex="-1" data-autofocus { (m) } }
            (item_safety(user, view, item))
            @if let Some(notes) = &item.clinician_notes { p.notes { "Clinician note: " (notes) } }
            @if editable {
                div.item-actions {
                    @for (action, label) in [("up", "↑ Up"), ("down", "↓ Down")] {
                        form.inline.tiny method="post" action=(format!("/plans/{id}/items/{}/{action}", item.id))
                            hx-post=(format!("/plans/{id}/items/{}/row/{action}", item.id)) hx-target="closest ol.items" hx-swap="outerHTML" {
                            (csrf(user)) (version_field(view))
                            button type="submit" data-autofocus[focus == Some(action)] { (label) }
                        }
                    }
                    form.inline.tiny method="post" action=(format!("/plans/{id}/items/{}/remove", item.id))
                        hx-post=(format!("/plans/{id}/items/{}/row/remove", item.id)) hx-target=(target) hx-swap="outerHTML" {
                        (csrf(user)) (version_field(view))
                        button type="submit" aria-label=(format!("Remove {}", item.name)) { "Remove" }
                    }
                    details {
                        summary { "Edit dosage" }
                        form.item-edit method="post" action=(format!("/plans/{id}/items/{}/update", item.id))
                            hx-post=(format!("/plans/{id}/items/{}/row/update", item.id)) hx-target=(target) hx-swap="outerHTML"
                            data-autosave="row" hx-trigger=(super::autosave::ROW_TRIGGER) hx-sync="this:queue last" {
                            (csrf(user)) (version_field(view))
                            (dose_fields(item))
                            button type="submit" { "Save item" }
                            " " span.autosave-status.hint role="status" aria-live="polite" {}
                        }
                    }
                }
            }
        }
    }
}

/// A stage's items, in order (a move answers the whole list: two rows change places).
pub fn items_list(
    user: &SessionUser,
    view: &PlanView,
    stage: &PlanStage,
    moved: Option<(Uuid, &str, Option<&str>)>,
) -> Markup {
    html! {
        ol.items id=(format!("stage-{}-items", stage.position)) {
            @for item in &stage.items {
                @let here = moved.filter(|(m, _, _)| *m == item.id);
                (item_row_focused(user, view, item, here.and_then(|(_, _, m)| m), here.map(|(_, a, _)| a)))
            }
        }
    }
}

/// What is left in a removed item's place: a notice and the form that puts it back.
fn removed_row(user: &SessionUser, view: &PlanView, stage: Uuid, position: usize, item: &PlanItem) -> Markup {
    let id = view.row.id;
    let o = &item.dosage_override;
    let v = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
    html! {
        li.item.removed id=(row_id(item.id)) {
            form.inline.tiny method="post" action=(format!("/plans/{id}/stages/{stage}/restore"))
                hx-post=(format!("/plans/{id}/stages/{stage}/restore")) hx-target=(format!("#{}", row_id(item.id))) hx-swap="outerHTML" {
                (csrf(user)) (version_field(view))
                span role="status" { "Removed " strong { (item.name) } "." }
                input type="hidden" name="modality_id" value=(item.modality_id);
                input type="hidden" name="position" value=(position);
                input type="hidden" name="sets" value=(v(o.sets));
                input type="hidden" name="reps" value=(v(o.reps));
                input type="hidden" name="hold_seconds" value=(v(o.hold_seconds));
                input type="hidden" name="per_day" value=(v(o.per_day));
                input type="hidden" name="per_week" value=(v(o.per_week));
                input type="hidden" name="side" value=(item.side.clone().unwrap_or_default());
                input type="hidden" name="setting" value=(item.setting.code());
                input type="hidden" name="clinician_notes" value=(item.clinician_notes.clone().unwrap_or_default());
                input type="hidden" name="override_reason" value=(item.override_reason.clone().unwrap_or_default());
                @if item.consent_recorded { input type="hidden" name="consent" value="true"; }
                button.undo type="submit" data-autofocus { "Undo" }
            }
        }
    }
}

/// A form's fields (all text, as posted).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct RowForm {
    modality_id: String,
    position: String,
    sets: String,
    reps: String,
    hold_seconds: String,
    per_day: String,
    per_week: String,
    side: String,
    setting: String,
    clinician_notes: String,
    override_reason: String,
    consent: String,
    version: String,
}

fn opt(text: &str) -> Option<String> {
    Some(text.trim()).filter(|t| !t.is_empty()).map(str::to_owned)
}

impl RowForm {
    fn dosage(&self) -> Result<Dosage, AppError> {
        let n = |field: &str, v: &str| -> Result<Option<u32>, AppError> {
            match opt(v) {
                None => Ok(None),
                Some(t) => t.parse().map(Some).map_err(|_| {
                    AppError::field(
                        &format!("dosage.{field}"),
                        format!("{} must be a whole number", field.replace('_', " ")),
                    )
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

    fn version(&self) -> Result<i32, AppError> {
        self.version.trim().parse().map_err(|_| AppError::VersionConflict)
    }
}

fn find(view: &PlanView, item: Uuid) -> Option<(Uuid, usize, &PlanItem)> {
    view.content.stages.iter().find_map(|s| s.items.iter().position(|i| i.id == item).map(|p| (s.id, p, &s.items[p])))
}

/// A row answer, with the plan's new version for the page's other forms.
fn row_response(status: actix_web::http::StatusCode, view: &PlanView, markup: Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header(("HX-Trigger", format!(r#"{{"plan-version":{{"version":{}}}}}"#, view.row.version)))
        .body(markup.into_string())
}

fn message_of(e: &AppError) -> String {
    match e {
        AppError::Validation(f) => f.values().flatten().cloned().collect::<Vec<_>>().join(" "),
        AppError::Refused { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

async fn load(user: &SessionUser, db: &Db, id: PlanId) -> Result<PlanView, HtmlError> {
    let ctx = user.ctx.clone();
    Ok(db.read(move |conn| service::get(conn, &ctx, id)).await?)
}

/// Saves a dose or removes an item, answering the row (or the removed row with Undo).
async fn row_action(path: web::Path<(PlanId, Uuid, String)>, form: CsrfForm<RowForm>, db: web::Data<Db>) -> HtmlResult {
    let (id, item, action) = path.into_inner();
    let f = form.form.clone();
    let before = load(&form.user, &db, id).await?;
    let Some((stage, position, old)) = find(&before, item).map(|(s, p, i)| (s, p, i.clone())) else {
        return Err(AppError::NotFound.into());
    };
    let change = match action.as_str() {
        "up" => Ok(PlanEdit::MoveItem(item, -1)),
        "down" => Ok(PlanEdit::MoveItem(item, 1)),
        "remove" => Ok(PlanEdit::RemoveItem(item)),
        "update" => f.dosage().map(|dosage| PlanEdit::UpdateItem {
            item,
            dosage: Box::new(dosage),
            side: opt(&f.side),
            setting: opt(&f.setting),
            notes: opt(&f.clinician_notes),
        }),
        _ => return Err(AppError::NotFound.into()),
    };
    let ctx = form.user.ctx.clone();
    let outcome = match (change, f.version()) {
        (Ok(change), Ok(version)) => db.run(move |conn| service::edit(conn, &ctx, id, Some(version), change)).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    if form.sender.autosave && action == "update" {
        return Ok(super::autosave::plan_answer(outcome, f.version().unwrap_or(0))?);
    }
    let after = load(&form.user, &db, id).await?;
    if action == "up" || action == "down" {
        // A move answers the stage's whole list, the focus back on the button pressed.
        let refused = match outcome {
            Ok(()) => None,
            Err(e @ (AppError::VersionConflict | AppError::Validation(_) | AppError::Conflict { .. })) => {
                Some((actix_web::ResponseError::status_code(&e), message_of(&e)))
            }
            Err(other) => return Err(other.into()),
        };
        let status = refused.as_ref().map_or(actix_web::http::StatusCode::OK, |(s, _)| *s);
        let Some(list) = after.content.stages.iter().find(|s| s.id == stage) else {
            return Err(AppError::NotFound.into());
        };
        let message = refused.as_ref().map(|(_, m)| m.as_str());
        let markup = items_list(&form.user, &after, list, Some((item, action.as_str(), message)));
        return Ok(row_response(status, &after, markup));
    }
    match outcome {
        Ok(()) if action == "remove" => Ok(row_response(
            actix_web::http::StatusCode::OK,
            &after,
            removed_row(&form.user, &after, stage, position, &old),
        )),
        Ok(()) => {
            let current = find(&after, item).map_or(old, |(_, _, i)| i.clone());
            Ok(row_response(actix_web::http::StatusCode::OK, &after, item_row(&form.user, &after, &current, None)))
        }
        Err(e @ (AppError::VersionConflict | AppError::Validation(_) | AppError::Conflict { .. })) => {
            let status = actix_web::ResponseError::status_code(&e);
            let current = find(&after, item).map_or(old, |(_, _, i)| i.clone());
            Ok(row_response(status, &after, item_row(&form.user, &after, &current, Some(&message_of(&e)))))
        }
        Err(other) => Err(other.into()),
    }
}

/// Undo: adds the removed item again (checked by the safety engine like any add) and moves
/// it back to where it was.
async fn restore(path: web::Path<(PlanId, Uuid)>, form: CsrfForm<RowForm>, db: web::Data<Db>) -> HtmlResult {
    let (id, stage) = path.into_inner();
    let f = form.form.clone();
    let ctx = form.user.ctx.clone();
    let dosage = f.dosage()?;
    let position: usize = f.position.trim().parse().unwrap_or(usize::MAX);
    let version = f.version()?;
    let req = AddItem {
        modality_id: f.modality_id.clone(),
        dosage: Some(dosage),
        side: opt(&f.side),
        setting: opt(&f.setting),
        clinician_notes: opt(&f.clinician_notes),
        override_reason: opt(&f.override_reason),
        consent: ConsentInput::Flag(f.consent == "true"),
        version: Some(version),
    };
    // The add and the moves back into place apply together or not at all.
    let outcome = db
        .run(move |conn| {
            diesel::Connection::transaction(conn, |conn| -> Result<Uuid, AppError> {
                let current = service::get(conn, &ctx, id)?.append(conn)?;
                let added = service::add_item(conn, &ctx, id, stage, &req)?;
                let count = current.content.stages.iter().find(|s| s.id == stage).map_or(0, |s| s.items.len());
                for _ in position.min(count)..count {
                    service::edit(conn, &ctx, id, None, PlanEdit::MoveItem(added.id, -1))?;
                }
                Ok(added.id)
            })
        })
        .await;
    let after = load(&form.user, &db, id).await?;
    match outcome {
        Ok(item) => match find(&after, item) {
            Some((_, _, i)) => {
                Ok(row_response(actix_web::http::StatusCode::OK, &after, item_row(&form.user, &after, i, None)))
            }
            None => Err(AppError::NotFound.into()),
        },
        Err(
            e @ (AppError::VersionConflict
            | AppError::Validation(_)
            | AppError::Refused { .. }
            | AppError::Conflict { .. }),
        ) => {
            let status = actix_web::ResponseError::status_code(&e);
            let markup = html! {
                li.item.removed {
                    p.field-error role="alert" tabindex="-1" data-autofocus { "Could not put the item back: " (message_of(&e)) }
                }
            };
            Ok(row_response(status, &after, markup))
        }
        Err(other) => Err(other.into()),
    }
}
