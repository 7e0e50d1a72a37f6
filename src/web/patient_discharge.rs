//! Discharge and re-activation from the patient page. A refusal (a date that does not read
//! or lies ahead, a stale version) re-shows the patient page at its own URL with the message
//! beside the date and the date as typed.

use super::components::{csrf, field_errors};
use super::patients::patient_page;
use super::session::{CsrfForm, SessionUser};
use super::HtmlResult;
use crate::db::ids::PatientId;
use crate::db::patients::PatientRow;
use crate::db::Db;
use crate::domain::patient::PatientStatus;
use crate::error::{AppError, FieldErrors};
use crate::service::patients as service;
use actix_web::http::StatusCode;
use actix_web::web;
use chrono::NaiveDate;
use maud::{html, Markup};
use serde::Deserialize;

/// How the discharge form is drawn: fresh, or again after a refusal.
#[derive(Debug, Default)]
pub struct DischargeView {
    /// The date as typed (after a refusal).
    pub typed: Option<String>,
    /// Field problems.
    pub errors: FieldErrors,
    /// Refused as stale: the patient was changed by someone else.
    pub conflict: bool,
}

/// The discharge (or re-activate) form of the patient page.
pub fn discharge_form(user: &SessionUser, p: &PatientRow, today: NaiveDate, view: &DischargeView) -> Markup {
    let active = p.status == PatientStatus::Active;
    let value = view.typed.clone().unwrap_or_else(|| today.to_string());
    let invalid = view.errors.contains_key("discharged_on");
    html! {
        @if view.conflict {
            div.error-summary.conflict role="alert" {
                p { strong { "This patient was changed by someone else since you opened the page; nothing was saved." } }
                p { "Check the record as it is now and submit again if it still applies." }
            }
        }
        form.inline method="post" action=(format!("/patients/{}/discharge", p.id)) {
            (csrf(user))
            input type="hidden" name="version" value=(p.version);
            @if active {
                input type="hidden" name="status" value="discharged";
                label for="discharged_on" { "Discharge on" }
                input type="date" id="discharged_on" name="discharged_on" value=(value)
                    aria-invalid=[invalid.then_some("true")]
                    aria-describedby=[invalid.then_some("discharged_on-error")]
                    data-autofocus=[invalid.then_some("true")];
                (field_errors(&view.errors, "discharged_on"))
                button type="submit" { "Discharge" }
            } @else {
                input type="hidden" name="status" value="active";
                button type="submit" { "Re-activate" }
            }
        }
    }
}

/// The form as sent: every field text, so nothing typed fails before it can be re-shown.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DischargeForm {
    version: String,
    /// `discharged` or `active`; forms drawn before it existed send only the date.
    status: Option<String>,
    discharged_on: Option<String>,
}

/// `POST /patients/{id}/discharge`: discharges on the date given, or re-activates.
pub async fn discharge(path: web::Path<PatientId>, form: CsrfForm<DischargeForm>, db: web::Data<Db>) -> HtmlResult {
    let id = path.into_inner();
    let f = &form.form;
    let discharging = match f.status.as_deref() {
        Some("active") => false,
        Some(_) => true,
        None => f.discharged_on.is_some(),
    };
    let typed = discharging.then(|| f.discharged_on.clone().unwrap_or_default());
    let version = f.version.trim().parse::<i32>();
    let ctx = form.user.ctx.clone();
    let date = typed.clone();
    let outcome = match version {
        Ok(version) => {
            db.run(move |conn| {
                let on = date.as_deref().map(Some);
                service::change_status(conn, &ctx, id, version, on)
            })
            .await
        }
        Err(_) => Err(AppError::VersionConflict),
    };
    let view = match outcome {
        Ok(()) => return Ok(form.done(&format!("/patients/{id}"))),
        Err(AppError::Validation(errors)) => DischargeView { typed, errors, conflict: false },
        Err(AppError::VersionConflict) => DischargeView { typed, errors: FieldErrors::new(), conflict: true },
        Err(other) => return Err(other.into()),
    };
    let status = if view.conflict { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
    let markup = patient_page(&form.user, &db, id, &view).await?;
    Ok(form.reshow(&format!("/patients/{id}"), status, markup))
}
