//! Safety review of a plan on its page: when the patient's record changes (a pacemaker is
//! recorded, sensation is found reduced), the clinician keeps an affected item with a
//! written reason for that fact, or removes it; consent can be withdrawn. On an active plan
//! each of these is kept as a new version with its reason, like a stage move.

use super::plans::{load, reason, save, store_version, PlanView};
use super::{now, Ctx};
use crate::db::ids::PlanId;
use crate::db::DbConn;
use crate::domain::consent::Withdrawal;
use crate::domain::plan::{ItemWarning, PlanContent, PlanStatus};
use crate::error::AppError;
use diesel::Connection;
use uuid::Uuid;

fn open_plan(conn: &mut DbConn, ctx: &Ctx, plan: PlanId, version: Option<i32>) -> Result<PlanView, AppError> {
    let view = load(conn, ctx, plan)?;
    if matches!(view.status(), PlanStatus::Completed | PlanStatus::Discontinued) {
        return Err(AppError::Conflict { code: "plan_ended", message: "This plan has ended already.".into() });
    }
    if version.is_some_and(|v| v != view.row.version) {
        return Err(AppError::VersionConflict);
    }
    Ok(view)
}

/// Saves a reviewed content: a draft in place; an active plan as version n+1 with `why`.
fn save_reviewed(
    conn: &mut DbConn,
    ctx: &Ctx,
    view: &PlanView,
    content: &PlanContent,
    why: &str,
    action: &str,
) -> Result<(), AppError> {
    let status = view.status();
    conn.transaction(|conn| {
        if status == PlanStatus::Active {
            let number = view.row.plan_version + 1;
            save(conn, ctx, view, content, status, number, None, None, action)?;
            store_version(conn, ctx, view.row.id, number, content, Some(why))?;
        } else {
            save(conn, ctx, view, content, status, view.row.plan_version, view.row.amend_reason.clone(), None, action)?;
        }
        Ok(())
    })
}

/// Keeps an item whose absolute contraindication arose after it was added, with a written
/// reason that covers each such fact (409 `version_conflict` when stale; 422 when the item
/// has nothing to review).
pub fn review_item(
    conn: &mut DbConn,
    ctx: &Ctx,
    plan: PlanId,
    version: Option<i32>,
    item: Uuid,
    why: &str,
) -> Result<(), AppError> {
    let view = open_plan(conn, ctx, plan, version)?;
    let why = reason("reason", why, "why the item stays despite the new contraindication")?;
    let facts: Vec<String> = view.safety.unreviewed_facts(item).into_iter().map(str::to_owned).collect();
    if facts.is_empty() {
        return Err(AppError::field("item", "This item has no contraindication waiting for review."));
    }
    let mut content: PlanContent = view.content.clone();
    let target = content.item_mut(item).map_err(|_| AppError::NotFound)?;
    for fact in &facts {
        let message =
            view.safety.for_item(item).find(|p| &p.fact == fact).map(|p| p.message.clone()).unwrap_or_default();
        target.warnings.push(ItemWarning { fact: fact.clone(), severity: "absolute".into(), message });
    }
    target.override_reason = Some(match &target.override_reason {
        Some(before) => format!("{before}; {why}"),
        None => why.clone(),
    });
    let name = target.name.clone();
    save_reviewed(
        conn,
        ctx,
        &view,
        &content,
        &format!("Safety review: {name} kept ({})", facts.join(", ")),
        "plan.safety_review",
    )
}

/// Records that the patient withdrew consent for an item. The plan then needs review until
/// the item is removed (by amending an active plan).
pub fn withdraw_consent(
    conn: &mut DbConn,
    ctx: &Ctx,
    plan: PlanId,
    version: Option<i32>,
    item: Uuid,
    why: Option<&str>,
) -> Result<(), AppError> {
    let view = open_plan(conn, ctx, plan, version)?;
    let why = why.map(str::trim).filter(|w| !w.is_empty()).map(|w| reason("reason", w, "the reason")).transpose()?;
    let mut content: PlanContent = view.content.clone();
    let target = content.item_mut(item).map_err(|_| AppError::NotFound)?;
    let Some(record) = target.consent.as_mut().filter(|c| c.stands()) else {
        return Err(AppError::field("item", "No standing consent is recorded for this item."));
    };
    record.withdrawn = Some(Withdrawal { by: ctx.actor.user_id.to_string(), at: now(), reason: why });
    target.consent_recorded = false;
    let name = target.name.clone();
    save_reviewed(conn, ctx, &view, &content, &format!("Consent withdrawn: {name}"), "plan.consent_withdraw")
}
