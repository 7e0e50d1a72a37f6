//! Edits of a plan's items, stages, criteria and goals from the plan page: each form carries
//! the plan version it was drawn from and goes through `service::plans::edit`; a refusal is
//! re-shown on the plan page (a stale edit keeps what was typed).

use super::plan_conflict::Kept;
use super::plans::{after_edit, form_version, ItemForm};
use super::session::CsrfForm;
use super::HtmlResult;
use crate::db::ids::PlanId;
use crate::db::Db;
use crate::domain::progression::{Comparator, Criterion, Measure};
use crate::error::AppError;
use crate::service::plans::{self as service, PlanEdit};
use actix_web::web;
use serde::Deserialize;
use uuid::Uuid;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/plans/{id}/items/{item}/{action}", web::post().to(item_action))
        .route("/plans/{id}/stages/{stage}/edit", web::post().to(edit_stage))
        .route("/plans/{id}/stages/{stage}/criteria", web::post().to(criteria))
        .route("/plans/{id}/goals", web::post().to(goals));
}

async fn run_edit<T>(
    form: &CsrfForm<T>,
    db: &Db,
    id: PlanId,
    version: Option<&str>,
    change: Result<PlanEdit, AppError>,
    kept: Kept,
) -> HtmlResult {
    // A form that does not read (a field problem) is re-shown like any other refusal.
    let outcome = match (form_version(version), change) {
        (Ok(version), Ok(change)) => {
            let ctx = form.user.ctx.clone();
            db.run(move |conn| service::edit(conn, &ctx, id, Some(version), change)).await
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    if form.sender.autosave {
        return Ok(super::autosave::plan_answer(outcome, form_version(version).unwrap_or(0))?);
    }
    after_edit(form, db, id, outcome, Some(kept)).await
}

async fn item_action(
    path: web::Path<(PlanId, Uuid, String)>,
    form: CsrfForm<ItemForm>,
    db: web::Data<Db>,
) -> HtmlResult {
    let (id, item, action) = path.into_inner();
    let change = match action.as_str() {
        "up" => Ok(PlanEdit::MoveItem(item, -1)),
        "down" => Ok(PlanEdit::MoveItem(item, 1)),
        "remove" => Ok(PlanEdit::RemoveItem(item)),
        "update" => form.form.dosage().map(|dosage| PlanEdit::UpdateItem {
            item,
            dosage: Box::new(dosage),
            side: form.form.side.clone(),
            setting: form.form.setting.clone(),
            notes: form.form.clinician_notes.clone(),
        }),
        _ => return Err(AppError::NotFound.into()),
    };
    let f = &form.form;
    let kept = match action.as_str() {
        "update" => Kept::new(format!("/plans/{id}/items/{item}/update"), "Save the item")
            .field("sets", "Sets", f.sets.as_deref())
            .field("reps", "Reps", f.reps.as_deref())
            .field("hold_seconds", "Hold (s)", f.hold_seconds.as_deref())
            .field("per_day", "Per day", f.per_day.as_deref())
            .field("per_week", "Per week", f.per_week.as_deref())
            .field("side", "Side", f.side.as_deref())
            .field("setting", "Setting", f.setting.as_deref())
            .field("clinician_notes", "Clinician notes", f.clinician_notes.as_deref()),
        "remove" => Kept::new(format!("/plans/{id}/items/{item}/remove"), "Remove the item"),
        other => Kept::new(format!("/plans/{id}/items/{item}/{other}"), "Move the item"),
    };
    run_edit(&form, &db, id, f.version.as_deref(), change, kept).await
}

#[derive(Deserialize)]
struct StageForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    planned_weeks: String,
    version: Option<String>,
}

async fn edit_stage(path: web::Path<(PlanId, Uuid)>, form: CsrfForm<StageForm>, db: web::Data<Db>) -> HtmlResult {
    let (id, stage) = path.into_inner();
    let weeks = form
        .form
        .planned_weeks
        .trim()
        .parse::<u8>()
        .map_err(|_| AppError::field("planned_weeks", "Planned weeks must be from 1 to 52."));
    let change = weeks.map(|weeks| PlanEdit::EditStage {
        stage,
        name: form.form.name.clone(),
        purpose: form.form.purpose.clone(),
        weeks,
    });
    let f = &form.form;
    let kept = Kept::new(format!("/plans/{id}/stages/{stage}/edit"), "Save the stage")
        .field("name", "Name", Some(&f.name))
        .field("purpose", "Purpose", Some(&f.purpose))
        .field("planned_weeks", "Weeks", Some(&f.planned_weeks));
    run_edit(&form, &db, id, f.version.as_deref(), change, kept).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CriterionForm {
    measure: String,
    comparator: String,
    value: String,
    remove: Option<String>,
    target: String,
    due: String,
    version: Option<String>,
}

impl CriterionForm {
    fn parts(&self, value: &str) -> Result<(Measure, Comparator, f64), AppError> {
        let measure = self.measure.parse::<Measure>().map_err(|m| AppError::field("measure", m))?;
        let comparator = self.comparator.parse::<Comparator>().map_err(|m| AppError::field("comparator", m))?;
        let value = value.trim().parse::<f64>().map_err(|_| AppError::field("value", "Enter a number."))?;
        Ok((measure, comparator, value))
    }
}

async fn criteria(path: web::Path<(PlanId, Uuid)>, form: CsrfForm<CriterionForm>, db: web::Data<Db>) -> HtmlResult {
    let (id, stage) = path.into_inner();
    let f = &form.form;
    let action = format!("/plans/{id}/stages/{stage}/criteria");
    let (change, kept) = match f.remove.as_deref() {
        Some(criterion) => (
            Ok(PlanEdit::RemoveCriterion(stage, criterion.to_owned())),
            Kept::new(action, "Remove the criterion").hidden("remove", Some(criterion)),
        ),
        None => {
            let kept = Kept::new(action, "Add the criterion")
                .field("measure", "Measure", Some(&f.measure))
                .field("comparator", "Comparator", Some(&f.comparator))
                .field("value", "Value", Some(&f.value));
            (f.parts(&f.value).map(|(m, c, v)| PlanEdit::AddCriterion(stage, Criterion::new(m, c, v))), kept)
        }
    };
    run_edit(&form, &db, id, f.version.as_deref(), change, kept).await
}

async fn goals(path: web::Path<PlanId>, form: CsrfForm<CriterionForm>, db: web::Data<Db>) -> HtmlResult {
    let id = path.into_inner();
    let change = match form.form.remove.as_deref() {
        Some(goal) => Ok(PlanEdit::RemoveGoal(goal.parse().map_err(|_| AppError::NotFound)?)),
        None => (|| {
            let (measure, comparator, target) = form.form.parts(&form.form.target)?;
            let due = match form.form.due.trim() {
                "" => None,
                d => Some(
                    crate::domain::dates::parse_day(d)
                        .ok_or_else(|| AppError::field("due", "Enter the due date as YYYY-MM-DD."))?,
                ),
            };
            Ok(PlanEdit::AddGoal { measure, comparator, target, due })
        })(),
    };
    let f = &form.form;
    let kept = match f.remove.as_deref() {
        Some(goal) => Kept::new(format!("/plans/{id}/goals"), "Remove the goal").hidden("remove", Some(goal)),
        None => Kept::new(format!("/plans/{id}/goals"), "Add the goal")
            .field("measure", "Measure", Some(&f.measure))
            .field("comparator", "Comparator", Some(&f.comparator))
            .field("target", "Target", Some(&f.target))
            .field("due", "Due", Some(&f.due)),
    };
    run_edit(&form, &db, id, f.version.as_deref(), change, kept).await
}
