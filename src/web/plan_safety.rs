//! The plan's safety on its page: the review banner, each item's problems next to it with
//! the way to resolve them (keep with a written reason, remove, or amend an active plan),
//! consent records with withdrawal, and the activation form's screening and replacement
//! fields. A clinician goes from a pacemaker recorded today to a reviewed plan here.

use super::components::{csrf, date};
use super::plans::after_step;
use super::session::CsrfForm;
use super::HtmlResult;
use crate::db::ids::PlanId;
use crate::db::Db;
use crate::domain::modality::Severity;
use crate::domain::plan::{PlanItem, PlanStatus};
use crate::service::plan_review;
use crate::service::plans::PlanView;
use actix_web::web;
use maud::{html, Markup};
use serde::Deserialize;
use uuid::Uuid;

/// Registers the routes (before the plan page's generic item actions).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/plans/{id}/items/{item}/review", web::post().to(review))
        .route("/plans/{id}/items/{item}/withdraw-consent", web::post().to(withdraw));
}

/// The banner shown while the plan needs review.
pub fn safety_banner(view: &PlanView) -> Markup {
    let blocking: Vec<_> = view.safety.problems.iter().filter(|p| p.blocks()).collect();
    html! {
        @if !blocking.is_empty() {
            section.banner.urgent role="alert" aria-labelledby="safety-h" {
                h2 #safety-h { "Safety review needed" }
                p { "What is known about the patient now rules out part of this plan. Until each item below is reviewed the plan cannot be activated or moved on, and its handout is not printed." }
                ul {
                    @for p in &blocking {
                        li { a href=(format!("#item-{}", p.item_id)) { (p.code.replace('_', " ")) } ": " (p.message) }
                    }
                }
            }
        }
    }
}

/// An item's consent record and safety problems, with the forms that resolve them.
pub fn item_safety(user: &super::SessionUser, view: &PlanView, item: &PlanItem) -> Markup {
    let id = view.row.id;
    let open = !matches!(view.status(), PlanStatus::Completed | PlanStatus::Discontinued);
    let problems: Vec<_> = view.safety.for_item(item.id).collect();
    let unreviewed = view.safety.unreviewed_facts(item.id);
    html! {
        span id=(format!("item-{}", item.id)) {}
        @if let Some(c) = &item.consent {
            p.consent {
                @if c.stands() { span.badge.ok { "consent recorded" } } @else { span.badge { "consent withdrawn" } }
                " " (c.kind.label()) ", " (date(c.recorded_at.date()))
                @if !c.risks.is_empty() { " · risks explained: " (c.risks.join(", ")) }
                @if let Some(w) = &c.withdrawn {
                    " · withdrawn " (date(w.at.date())) @if let Some(r) = &w.reason { ": " (r) }
                }
            }
            @if c.stands() && open {
                form.inline.tiny method="post" action=(format!("/plans/{id}/items/{}/withdraw-consent", item.id)) {
                    (csrf(user))
                    input type="hidden" name="version" value=(view.row.version);
                    input type="text" name="reason" placeholder="Reason (optional)" aria-label="Reason consent was withdrawn";
                    button type="submit" { "Record consent withdrawn" }
                }
            }
        } @else if item.consent_recorded {
            p.consent { span.badge.ok { "consent recorded" } }
        }
        @for p in &problems {
            @if p.severity == Severity::Absolute && !p.overridden {
                p.warning.absolute role="alert" { "Review needed: " (p.message) }
            } @else if p.severity == Severity::Relative {
                p.warning { "Caution: " (p.message) }
            }
        }
        @if !unreviewed.is_empty() && open {
            form.inline.review method="post" action=(format!("/plans/{id}/items/{}/review", item.id)) {
                (csrf(user))
                input type="hidden" name="version" value=(view.row.version);
                label for=(format!("review-{}", item.id)) { "Keep it: why is it still right for this patient?" }
                input type="text" id=(format!("review-{}", item.id)) name="reason" required
                    placeholder="e.g. cardiologist confirmed the device is TENS-safe";
                button type="submit" { "Keep with this reason" }
            }
            @if view.status() == PlanStatus::Active {
                p.hint { "Or amend the plan (below) and remove the item." }
            }
        }
        @for w in item.warnings.iter().filter(|w| w.severity == "absolute") {
            p.warning.absolute { "Overridden: " (w.message) }
        }
        @if let Some(reason) = &item.override_reason { p.override { "Override reason: " em { (reason) } } }
    }
}

/// The activation form: a reason when the episode's red-flag screen is missing, and which
/// active plan this one replaces, with why.
pub fn activate_form(user: &super::SessionUser, view: &PlanView) -> Markup {
    let id = view.row.id;
    html! {
        form.inline method="post" action=(format!("/plans/{id}/lifecycle/activate")) {
            (csrf(user))
            input type="hidden" name="version" value=(view.row.version);
            @if !view.profile.screen_complete {
                p.warning { "No signed assessment this episode answers every cauda equina question." }
                label for="screen-override" { "Go ahead without it because" }
                input type="text" id="screen-override" name="screen_override_reason"
                    placeholder="e.g. screened by the GP yesterday, letter on file";
            }
            @if let Some((other, title)) = &view.active_other {
                input type="hidden" name="replaces" value=(other.to_string());
                label for="replace-reason" { "This replaces the active plan “" (title) "” because" }
                input type="text" id="replace-reason" name="reason" required placeholder="e.g. new episode after re-referral";
            }
            button type="submit" { "Sign and activate" }
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReviewForm {
    version: Option<i32>,
    reason: String,
}

async fn review(path: web::Path<(PlanId, Uuid)>, form: CsrfForm<ReviewForm>, db: web::Data<Db>) -> HtmlResult {
    let (id, item) = path.into_inner();
    let (ctx, version, reason) = (form.user.ctx.clone(), form.form.version, form.form.reason.clone());
    let outcome = db.run(move |conn| plan_review::review_item(conn, &ctx, id, version, item, &reason)).await;
    after_step(&form, &db, id, outcome).await
}

async fn withdraw(path: web::Path<(PlanId, Uuid)>, form: CsrfForm<ReviewForm>, db: web::Data<Db>) -> HtmlResult {
    let (id, item) = path.into_inner();
    let (ctx, version, reason) = (form.user.ctx.clone(), form.form.version, form.form.reason.clone());
    let outcome = db.run(move |conn| plan_review::withdraw_consent(conn, &ctx, id, version, item, Some(&reason))).await;
    after_step(&form, &db, id, outcome).await
}
