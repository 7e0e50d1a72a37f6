//! A plan's lifecycle on its page: the buttons for each state (activate with the screening
//! and replacement fields, amend, advance, complete, discontinue, save as protocol) and the
//! one handler behind them.

use super::components::csrf;
use super::plans::after_step;
use super::session::{CsrfForm, SessionUser};
use super::HtmlResult;
use crate::db::ids::PlanId;
use crate::db::Db;
use crate::domain::plan::PlanStatus;
use crate::error::AppError;
use crate::service::clinic_settings::today as clinic_today;
use crate::service::plans::{self as service, PlanView};
use actix_web::web;
use maud::{html, Markup};
use serde::Deserialize;

/// Registers the route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/plans/{id}/lifecycle/{step}", web::post().to(lifecycle));
}

/// The lifecycle buttons for the plan's state.
pub fn lifecycle_panel(user: &SessionUser, view: &PlanView) -> Markup {
    let id = view.row.id;
    let step = |name: &str, label: &str, reason: Option<&str>| {
        html! {
            form.inline method="post" action=(format!("/plans/{id}/lifecycle/{name}")) {
                (csrf(user))
                input type="hidden" name="version" value=(view.row.version);
                @if let Some(placeholder) = reason {
                    input type="text" name="reason" required placeholder=(placeholder) aria-label=(format!("{label}: reason"));
                }
                button type="submit" { (label) }
            }
        }
    };
    html! {
        div.lifecycle {
            @match view.status() {
                PlanStatus::Draft => {
                    (super::plan_safety::activate_form(user, view))
                    @if view.row.plan_version > 0 {
                        a.button href=(format!("/plans/{id}/print")) { "Print handout (version " (view.row.plan_version) ")" }
                    }
                }
                PlanStatus::Active => {
                    a.button.primary href=(format!("/plans/{id}/print")) { "Print handout" }
                    (step("advance", "Move to next stage", None))
                    (step("amend", "Amend", Some("Reason for the amendment")))
                    (step("complete", "Complete", Some("Outcome, e.g. goals met")))
                    (step("discontinue", "Discontinue", Some("Reason for stopping")))
                }
                PlanStatus::Completed | PlanStatus::Discontinued => {
                    p { "Ended: " (view.row.end_reason.as_deref().unwrap_or("")) }
                }
            }
            @if user.actor().may(crate::authz::Permission::ManageLibrary) {
                form.inline method="post" action=(format!("/plans/{id}/lifecycle/protocol")) {
                    (csrf(user))
                    input type="text" name="reason" required placeholder="Protocol name" aria-label="Protocol name";
                    button type="submit" { "Save as protocol" }
                }
            }
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StepForm {
    version: Option<i32>,
    reason: String,
    screen_override_reason: Option<String>,
    replaces: Option<PlanId>,
}

async fn lifecycle(path: web::Path<(PlanId, String)>, mut form: CsrfForm<StepForm>, db: web::Data<Db>) -> HtmlResult {
    let (id, step) = path.into_inner();
    let ctx = form.user.ctx.clone();
    let StepForm { version, reason, screen_override_reason, replaces } = std::mem::take(&mut form.form);
    let outcome = db
        .run(move |conn| match step.as_str() {
            "activate" => {
                let reason = Some(reason.clone()).filter(|r| !r.trim().is_empty());
                let req = service::Activation { version, screen_override_reason, replaces, reason };
                clinic_today(conn, &ctx).and_then(|today| service::activate(conn, &ctx, id, &req, today)).map(|_| ())
            }
            "amend" => service::amend(conn, &ctx, id, version, &reason),
            "advance" => {
                clinic_today(conn, &ctx).and_then(|today| service::advance(conn, &ctx, id, version, today)).map(|_| ())
            }
            "complete" => service::finish(conn, &ctx, id, version, PlanStatus::Completed, &reason),
            "discontinue" => service::finish(conn, &ctx, id, version, PlanStatus::Discontinued, &reason),
            "protocol" => service::save_as_protocol(conn, &ctx, id, &reason, "").map(|_| ()),
            _ => Err(AppError::NotFound),
        })
        .await;
    after_step(&form, &db, id, outcome).await
}
