//! Clinic protocols for leads and admins: `GET /library/protocols` (every protocol, retired
//! ones marked), `GET|POST /library/protocols/{id}` (rename, edit the description and each
//! stage's name, purpose, weeks and items), `POST /library/protocols/{id}/retire`. Each
//! form carries the protocol's version; a stale save is shown again at 409 with what was
//! typed and a "changed by someone else" notice.

use super::components::{csrf, error_summary, field_errors, input};
use super::layout::layout;
use super::session::{CsrfForm, SessionUser};
use super::{page, HtmlResult};
use crate::db::ids::ProtocolId;
use crate::db::Db;
use crate::domain::protocol::{ProtocolContent, ProtocolItem};
use crate::error::{add_field_error, AppError, FieldErrors};
use crate::service::library::{self as library, Protocol};
use crate::service::protocols::{self as service, ProtocolEdit};
use actix_web::http::StatusCode;
use actix_web::web;
use maud::{html, Markup};
use serde::Deserialize;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/library/protocols", web::get().to(list))
        .route("/library/protocols/{id}", web::get().to(show))
        .route("/library/protocols/{id}", web::post().to(save))
        .route("/library/protocols/{id}/retire", web::post().to(retire));
}

/// The protocol form as typed: one entry per stage in each list, in stage order.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct ProtocolForm {
    version: String,
    name: String,
    description: String,
    stage_name: Vec<String>,
    stage_purpose: Vec<String>,
    stage_weeks: Vec<String>,
    /// Library codes, one a line.
    stage_items: Vec<String>,
}

fn form_of(p: &Protocol) -> ProtocolForm {
    let stages = &p.content.stages;
    ProtocolForm {
        version: p.row.version.to_string(),
        name: p.row.name.clone(),
        description: p.row.description.clone(),
        stage_name: stages.iter().map(|s| s.name.clone()).collect(),
        stage_purpose: stages.iter().map(|s| s.purpose.clone()).collect(),
        stage_weeks: stages.iter().map(|s| s.planned_weeks.to_string()).collect(),
        stage_items: stages
            .iter()
            .map(|s| s.items.iter().map(|i| i.code.as_str()).collect::<Vec<_>>().join("\n"))
            .collect(),
    }
}

/// The edit the form asks for, on top of the current content (criteria, goals and each
/// kept item's dosage and setting stay as they are).
fn edit_of(form: &ProtocolForm, current: &ProtocolContent) -> Result<ProtocolEdit, AppError> {
    let mut errors = FieldErrors::new();
    let version = form.version.trim().parse::<i32>().map_err(|_| AppError::VersionConflict)?;
    let mut content = current.clone();
    for (n, stage) in content.stages.iter_mut().enumerate() {
        let text = |list: &[String]| list.get(n).map(|s| s.trim().to_owned()).unwrap_or_default();
        stage.name = text(&form.stage_name);
        stage.purpose = text(&form.stage_purpose);
        match text(&form.stage_weeks).parse::<u8>() {
            Ok(w) => stage.planned_weeks = w,
            Err(_) => add_field_error(
                &mut errors,
                &format!("content.stages[{n}].planned_weeks"),
                "Plan 1 to 52 weeks for the stage.",
            ),
        }
        let codes = text(&form.stage_items);
        stage.items = codes
            .lines()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|code| {
                stage.items.iter().find(|i| i.code == code).cloned().unwrap_or_else(|| ProtocolItem {
                    code: code.to_owned(),
                    dosage_override: Default::default(),
                    setting: None,
                })
            })
            .collect();
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    Ok(ProtocolEdit { version, name: form.name.clone(), description: form.description.clone(), content })
}

async fn list(user: SessionUser, db: web::Data<Db>) -> HtmlResult {
    let ctx = user.ctx.clone();
    let all = db.run(move |conn| service::all(conn, &ctx)).await?;
    let body = html! {
        p.crumbs { a href="/library" { "← Library" } }
        h1 { "Protocols" }
        p.hint { "Clinic protocols can be renamed, edited and retired. A retired protocol is no longer offered for new plans; plans made from it keep what they copied. Built-in protocols are read-only." }
        div.table-scroll { table.list {
            thead { tr { th { "Protocol" } th { "Kind" } th { "Stages" } th { "Status" } } }
            tbody { @for p in &all {
                tr {
                    td { a href=(format!("/library/protocols/{}", p.row.id)) { (p.row.name) } }
                    td { @if p.row.clinic_id.is_none() { "built-in" } @else { "clinic, version " (p.row.version) } }
                    td { (p.content.stages.len()) }
                    td { @if p.row.retired { span.badge.warn { "retired" } } @else { "offered" } }
                }
            } }
        } }
    };
    Ok(page(layout("Protocols", &user, body)))
}

fn detail(user: &SessionUser, p: &Protocol, form: &ProtocolForm, errors: &FieldErrors, stale: bool) -> Markup {
    let id = p.row.id;
    let editable = p.row.clinic_id.is_some() && !p.row.retired;
    let body = html! {
        p.crumbs { a href="/library/protocols" { "← Protocols" } }
        h1 { (p.row.name) }
        @if p.row.retired { p.banner { "This protocol is retired: it is no longer offered for new plans." } }
        @if stale {
            div.error-summary.conflict role="alert" {
                p { strong { "This protocol was changed by someone else since you opened it; your changes were not saved." } }
                p { "The form below still holds what you typed, now based on the current version: check it and save again." }
            }
        }
        (error_summary(errors))
        @if !editable {
            p { (p.row.description) }
            @for s in &p.content.stages {
                h2 { (s.name) " (" (s.planned_weeks) " weeks)" }
                p { (s.purpose) }
                ul { @for i in &s.items { li { code { (i.code) } } } }
            }
        } @else {
            form method="post" action=(format!("/library/protocols/{id}")) {
                (csrf(user))
                input type="hidden" name="version" value=(form.version);
                (input("text", "name", "Name", &form.name, errors, true))
                div.field.invalid[errors.contains_key("description")] {
                    label for="description" { "Description" }
                    textarea #description name="description" rows="2" { (form.description) }
                    (field_errors(errors, "description"))
                }
                @for n in 0..p.content.stages.len() {
                    @let at = |list: &[String]| list.get(n).cloned().unwrap_or_default();
                    @let key = |f: &str| format!("content.stages[{n}].{f}");
                    fieldset {
                        legend { "Stage " (n + 1) }
                        div.field.invalid[errors.contains_key(&key("name"))] {
                            label for=(format!("stage{n}_name")) { "Name" }
                            input id=(format!("stage{n}_name")) type="text" name="stage_name" value=(at(&form.stage_name)) required;
                            (field_errors(errors, &key("name")))
                        }
                        div.field.invalid[errors.contains_key(&key("purpose"))] {
                            label for=(format!("stage{n}_purpose")) { "Purpose" }
                            textarea id=(format!("stage{n}_purpose")) name="stage_purpose" rows="2" { (at(&form.stage_purpose)) }
                            (field_errors(errors, &key("purpose")))
                        }
                        div.field.invalid[errors.contains_key(&key("planned_weeks"))] {
                            label for=(format!("stage{n}_weeks")) { "Planned weeks" }
                            input id=(format!("stage{n}_weeks")) type="number" min="1" max="52" name="stage_weeks" value=(at(&form.stage_weeks));
                            (field_errors(errors, &key("planned_weeks")))
                        }
                        div.field.invalid[errors.contains_key(&key("items"))] {
                            label for=(format!("stage{n}_items")) { "Items (library codes, one a line)" }
                            textarea id=(format!("stage{n}_items")) name="stage_items" rows="4" { (at(&form.stage_items)) }
                            (field_errors(errors, &key("items")))
                        }
                    }
                }
                button.primary type="submit" { "Save" }
            }
            form method="post" action=(format!("/library/protocols/{id}/retire")) {
                (csrf(user))
                input type="hidden" name="version" value=(p.row.version);
                button type="submit" { "Retire this protocol" }
            }
        }
    };
    layout(&p.row.name, user, body)
}

async fn show(user: SessionUser, path: web::Path<ProtocolId>, db: web::Data<Db>) -> HtmlResult {
    let id = path.into_inner();
    let ctx = user.ctx.clone();
    let p = db.run(move |conn| library::protocol(conn, &ctx, id)).await?;
    Ok(page(detail(&user, &p, &form_of(&p), &FieldErrors::new(), false)))
}

async fn save(path: web::Path<ProtocolId>, form: CsrfForm<ProtocolForm>, db: web::Data<Db>) -> HtmlResult {
    let id = path.into_inner();
    let ctx = form.user.ctx.clone();
    let typed = form.form.clone();
    let outcome = db
        .run(move |conn| {
            let current = library::protocol(conn, &ctx, id)?;
            service::update(conn, &ctx, id, &edit_of(&typed, &current.content)?)
        })
        .await;
    let here = format!("/library/protocols/{id}");
    let (status, errors) = match outcome {
        Ok(_) => return Ok(form.done(&here)),
        Err(AppError::Validation(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        Err(AppError::VersionConflict) => (StatusCode::CONFLICT, FieldErrors::new()),
        Err(other) => return Err(other.into()),
    };
    let ctx = form.user.ctx.clone();
    let p = db.run(move |conn| library::protocol(conn, &ctx, id)).await?;
    let mut kept = form.form.clone();
    kept.version = p.row.version.to_string();
    let stale = status == StatusCode::CONFLICT;
    Ok(form.reshow(&here, status, detail(&form.user, &p, &kept, &errors, stale)))
}

#[derive(Deserialize)]
struct RetireForm {
    #[serde(default)]
    version: String,
}

async fn retire(path: web::Path<ProtocolId>, form: CsrfForm<RetireForm>, db: web::Data<Db>) -> HtmlResult {
    let id = path.into_inner();
    let ctx = form.user.ctx.clone();
    let version = form.form.version.trim().parse::<i32>().unwrap_or(0);
    match db.run(move |conn| service::retire(conn, &ctx, id, version)).await {
        Ok(_) => Ok(form.done("/library/protocols")),
        Err(AppError::VersionConflict) => {
            let ctx = form.user.ctx.clone();
            let p = db.run(move |conn| library::protocol(conn, &ctx, id)).await?;
            let page = detail(&form.user, &p, &form_of(&p), &FieldErrors::new(), true);
            Ok(form.reshow(&format!("/library/protocols/{id}"), StatusCode::CONFLICT, page))
        }
        Err(other) => Err(other.into()),
    }
}
