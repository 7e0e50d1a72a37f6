//! A plan's lifecycle: activation (checked against the patient's safety profile, one
//! active plan per patient), amendment, stage moves and ending.

use super::plans::{
    edit_error, load, read_content, reason, require_draft, review_required, save, store_version, PlanView,
};
use super::Ctx;
use crate::db::ids::PlanId;
use crate::db::plans as store;
use crate::db::DbConn;
use crate::domain::plan::PlanStatus;
use crate::domain::safety::can_activate;
use crate::error::AppError;
use chrono::NaiveDate;
use diesel::Connection;

/// What the clinician sends to activate a plan.
#[derive(Debug, Clone, Default)]
pub struct Activation {
    /// The plan version the page showed.
    pub version: Option<i32>,
    /// Why the plan goes ahead without a complete red-flag screen this episode.
    pub screen_override_reason: Option<String>,
    /// The patient's active plan this one replaces (ended in the same transaction).
    pub replaces: Option<PlanId>,
    /// Why the old plan ends.
    pub reason: Option<String>,
}

/// Activates a draft against the current safety profile: refused while a red flag is
/// unresolved (409 `red_flag_unresolved`), while the current episode has no signed complete
/// red-flag screen and no override reason (409 `red_flag_screen_missing`), while an item
/// needs safety review (409 `safety_review_required`), and while another plan of the patient
/// is active unless it is replaced with a reason (409 `active_plan_exists`). Stores version
/// n+1 and locks the plan.
pub fn activate(
    conn: &mut DbConn,
    ctx: &Ctx,
    plan: PlanId,
    req: &Activation,
    today: NaiveDate,
) -> Result<i32, AppError> {
    let mut view = load(conn, ctx, plan)?;
    require_draft(&view)?;
    if req.version.is_some_and(|v| v != view.row.version) {
        return Err(AppError::VersionConflict);
    }
    if let Err(flags) = can_activate(&view.profile) {
        return Err(AppError::Conflict {
            code: "red_flag_unresolved",
            message: format!(
                "Record the action taken on every red flag before activating the plan: {}.",
                flags.join(", ")
            ),
        });
    }
    let screen_override = req.screen_override_reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    if !view.profile.screen_complete && screen_override.is_none() {
        return Err(AppError::Conflict {
            code: "red_flag_screen_missing",
            message: "Sign an assessment this episode that answers every cauda equina question, or give a reason to go ahead without it.".into(),
        });
    }
    if let Some(why) = screen_override {
        view.row.screen_override_reason = Some(reason("screen_override_reason", why, "the reason")?);
    }
    review_required(&view)?;
    let replaced = match (&view.active_other, req.replaces) {
        (None, _) => None,
        (Some((old, _)), Some(id)) if *old == id => {
            let why = reason("reason", req.reason.as_deref().unwrap_or_default(), "why the active plan ends")?;
            let row = store::find(conn, ctx.actor.scope(), id)?.ok_or(AppError::NotFound)?;
            let old_content = read_content(conn, &row.content)?;
            let rules = super::safety::rules_for(conn, &old_content)?;
            Some((row, old_content, rules, why))
        }
        (Some(_), _) => {
            return Err(AppError::Conflict {
                code: "active_plan_exists",
                message: "This patient has an active plan. Say which plan this one replaces, and why.".into(),
            })
        }
    };
    let mut content = view.content.clone();
    content.start(today);
    let number = view.row.plan_version + 1;
    conn.transaction(|conn| {
        if let Some((old, old_content, rules, why)) = &replaced {
            let old_view =
                PlanView { row: old.clone(), content: old_content.clone(), rules: rules.clone(), ..view.clone() };
            end_replaced(conn, ctx, &old_view, why)?;
        }
        save(conn, ctx, &view, &content, PlanStatus::Active, number, None, None, "plan.activate")?;
        store_version(conn, ctx, plan, number, &content, view.row.amend_reason.as_deref())?;
        Ok(number)
    })
}

/// Discontinues the plan that a new activation replaces, with the clinician's reason.
fn end_replaced(conn: &mut DbConn, ctx: &Ctx, old: &PlanView, why: &str) -> Result<(), AppError> {
    save(
        conn,
        ctx,
        old,
        &old.content,
        PlanStatus::Discontinued,
        old.row.plan_version,
        None,
        Some(why.to_owned()),
        "plan.discontinue",
    )
}

/// Opens an active plan for amendment: it becomes an editable draft of version n+1; the
/// active version stays on record and is printed until the amendment is activated.
pub fn amend(conn: &mut DbConn, ctx: &Ctx, plan: PlanId, version: Option<i32>, why: &str) -> Result<(), AppError> {
    let view = load(conn, ctx, plan)?;
    if view.status() != PlanStatus::Active {
        return Err(AppError::Conflict {
            code: "plan_not_active",
            message: "Only an active plan can be amended.".into(),
        });
    }
    if version.is_some_and(|v| v != view.row.version) {
        return Err(AppError::VersionConflict);
    }
    let why = reason("reason", why, "the reason for the amendment")?;
    conn.transaction(|conn| {
        save(conn, ctx, &view, &view.content, PlanStatus::Draft, view.row.plan_version, Some(why), None, "plan.amend")
    })
}

/// Moves an active plan to its next stage (the clinician confirmed); kept as a new version.
pub fn advance(
    conn: &mut DbConn,
    ctx: &Ctx,
    plan: PlanId,
    version: Option<i32>,
    today: NaiveDate,
) -> Result<u8, AppError> {
    let view = load(conn, ctx, plan)?;
    if view.status() != PlanStatus::Active {
        return Err(AppError::Conflict {
            code: "plan_not_active",
            message: "Only an active plan moves between stages.".into(),
        });
    }
    if version.is_some_and(|v| v != view.row.version) {
        return Err(AppError::VersionConflict);
    }
    review_required(&view)?;
    let mut content = view.content.clone();
    let next = content.advance(today).map_err(edit_error)?;
    let number = view.row.plan_version + 1;
    let why = format!("Moved to stage {next}: {}", content.current().map(|s| s.name.as_str()).unwrap_or_default());
    conn.transaction(|conn| {
        save(conn, ctx, &view, &content, PlanStatus::Active, number, None, None, "plan.advance")?;
        store_version(conn, ctx, plan, number, &content, Some(&why))?;
        Ok(next)
    })
}

/// Completes or discontinues a plan, with a reason.
pub fn finish(
    conn: &mut DbConn,
    ctx: &Ctx,
    plan: PlanId,
    version: Option<i32>,
    outcome: PlanStatus,
    why: &str,
) -> Result<(), AppError> {
    let view = load(conn, ctx, plan)?;
    if matches!(view.status(), PlanStatus::Completed | PlanStatus::Discontinued) {
        return Err(AppError::Conflict { code: "plan_ended", message: "This plan has ended already.".into() });
    }
    if !matches!(outcome, PlanStatus::Completed | PlanStatus::Discontinued) {
        return Err(AppError::field("status", "status must be completed or discontinued"));
    }
    if version.is_some_and(|v| v != view.row.version) {
        return Err(AppError::VersionConflict);
    }
    let why = reason("reason", why, "the reason")?;
    let action = if outcome == PlanStatus::Completed { "plan.complete" } else { "plan.discontinue" };
    conn.transaction(|conn| {
        save(conn, ctx, &view, &view.content, outcome, view.row.plan_version, None, Some(why), action)
    })
}
