//! The plan builder's item picker: search as you type, category filter, a picture and the
//! default dose of each item, and an "Add" button per result that submits the stage's add
//! form (the existing add-item route, with its CSRF field). Without JavaScript the search is
//! a plain GET form to `GET /plans/{id}/stages/{stage}/picker`, which answers a page of its
//! own; with htmx the same route answers only the result list (`HX-Request`).

use super::components::csrf;
use super::layout::layout;
use super::session::SessionUser;
use super::{page, HtmlResult};
use crate::db::ids::PlanId;
use crate::domain::plan::PlanStage;
use crate::error::AppError;
use crate::service::library::{self as library_service, LibraryItem};
use crate::service::library::{filter_of, LibraryParams};
use crate::service::plans as plan_service;
use actix_web::{web, HttpRequest};
use maud::{html, Markup};
use serde::Deserialize;
use uuid::Uuid;

/// At most this many results are listed; the rest are counted.
pub const SHOWN: usize = 12;

/// Registers the route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/plans/{id}/stages/{stage}/picker", web::get().to(picker_route));
}

/// What was searched for.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PickQuery {
    /// Part of the name.
    pub q: String,
    /// Category code, or empty for all.
    pub category: String,
}

fn results_id(stage: &PlanStage) -> String {
    format!("picker-{}", stage.position)
}

/// The search box and category filter (a GET form of its own, placed before the add form).
pub fn search_form(plan: PlanId, stage: &PlanStage, query: &PickQuery) -> Markup {
    let action = format!("/plans/{plan}/stages/{}/picker", stage.id);
    let n = stage.position;
    html! {
        form.picker-search method="get" action=(action) role="search"
            hx-get=(action) hx-target=(format!("#{}", results_id(stage))) hx-swap="innerHTML" hx-push-url="false" {
            label for=(format!("pick-q-{n}")) { "Find an item" }
            input id=(format!("pick-q-{n}")) type="search" name="q" value=(query.q) autocomplete="off"
                placeholder="e.g. bridge, slider, taping" aria-controls=(results_id(stage))
                hx-get=(action) hx-trigger="input changed delay:250ms, search" hx-include="closest form"
                hx-target=(format!("#{}", results_id(stage))) hx-push-url="false";
            label for=(format!("pick-c-{n}")) { "Category" }
            select id=(format!("pick-c-{n}")) name="category" aria-controls=(results_id(stage))
                hx-get=(action) hx-trigger="change" hx-include="closest form"
                hx-target=(format!("#{}", results_id(stage))) hx-push-url="false" {
                option value="" { "All" }
                @for (code, label) in super::plans::categories() {
                    option value=(code) selected[query.category == code] { (label) }
                }
            }
            button type="submit" { "Search" }
        }
    }
}

/// Items suited to the stage first, the chosen one (after a refused add) before all.
fn ordered<'a>(items: &'a [LibraryItem], stage: &PlanStage, chosen: &str) -> Vec<&'a LibraryItem> {
    let mut list: Vec<&LibraryItem> = items.iter().collect();
    list.sort_by_key(|i| (i.row.id.to_string() != chosen, !i.def.suits(stage.stage)));
    list
}

/// The result list (swapped in by htmx): picture, name, category, default dose and an Add
/// button that submits the enclosing add form with this item.
pub fn results(items: &[LibraryItem], stage: &PlanStage, chosen: &str) -> Markup {
    let list = ordered(items, stage, chosen);
    html! {
        @if list.is_empty() { p.hint role="status" { "No item matches. Try fewer letters or another category." } }
        @else {
            p.hint role="status" {
                @if list.len() > SHOWN { (SHOWN) " of " (list.len()) " items shown: type to narrow the list." }
                @else { (list.len()) " items" }
            }
        }
        ul.picker {
            @for i in list.iter().take(SHOWN) {
                @let chosen_now = i.row.id.to_string() == chosen;
                li.pick.chosen[chosen_now] {
                    span.pick-picture { (super::media::picture(i, 96)) }
                    span.pick-words {
                        strong { (i.def.name) } " · " (i.def.category.label())
                        @if !i.builtin() { " " span.badge { "clinic" } }
                        br;
                        span.hint { "Default: " (i.def.dosage.summary()) " · " (i.def.setting.label()) }
                        @if i.def.consent_required { " " span.badge.warn { "needs recorded consent" } }
                        @if !i.def.suits(stage.stage) { " " span.badge { "not usually in this stage" } }
                        @if chosen_now { " " span.badge { "chosen" } }
                    }
                    button.primary type="submit" name="modality_id" value=(i.row.id.to_string())
                        aria-label=(format!("Add {} to stage {}", i.def.name, stage.position)) { "Add" }
                }
            }
        }
    }
}

/// The picker inside a stage's add form: a disabled first button so that Enter in a dose
/// field adds nothing by accident, then the results.
pub fn in_add_form(items: &[LibraryItem], stage: &PlanStage, chosen: &str) -> Markup {
    html! {
        button type="submit" disabled hidden aria-hidden="true" {}
        div.picker-results id=(results_id(stage)) aria-live="polite" { (results(items, stage, chosen)) }
    }
}

async fn picker_route(
    user: SessionUser,
    path: web::Path<(PlanId, Uuid)>,
    query: web::Query<PickQuery>,
    req: HttpRequest,
    db: web::Data<crate::db::Db>,
) -> HtmlResult {
    let (id, stage_id) = path.into_inner();
    let q = query.into_inner();
    let params = LibraryParams { q: Some(q.q.clone()), category: Some(q.category.clone()), ..LibraryParams::default() };
    let filter = filter_of(&params)?;
    let ctx = user.ctx.clone();
    let (view, items) = db
        .read(move |conn| -> Result<_, AppError> {
            let mut reads = crate::db::audit::Reads::default();
            let view = reads.take(plan_service::get(conn, &ctx, id)?);
            Ok(reads.with((view, library_service::list(conn, &ctx, &filter)?)))
        })
        .await?;
    let stage = view.content.stages.iter().find(|s| s.id == stage_id).ok_or(AppError::NotFound)?;
    if req.headers().contains_key("HX-Request") {
        return Ok(page(results(&items, stage, "")));
    }
    let body = html! {
        p.crumbs { a href=(format!("/plans/{id}#stage-{}", stage.position)) { "← " (view.row.title) } }
        h1 { "Add an item to stage " (stage.position) ": " (stage.name) }
        (search_form(id, stage, &q))
        form.add method="post" action=(format!("/plans/{id}/stages/{}/items", stage.id)) {
            (csrf(&user))
            input type="hidden" name="version" value=(view.row.version);
            (in_add_form(&items, stage, ""))
            label.check { input type="checkbox" name="consent" value="true"; " Consent recorded (needed for dry needling and thrust manipulation)" }
            p.hint { "The item is added with its default dose; change the dose, side and notes on the plan." }
        }
    };
    Ok(page(layout(&format!("Add to stage {}", stage.position), &user, body)))
}
