//! Drafts saved as the clinician types. The assessment form posts itself (htmx, debounced;
//! see `assets/autosave.js`) to a draft route, which runs exactly the Save handler and
//! answers htmx with a status line and a `pp:draft-saved` event (the draft the form now
//! edits, and its version) instead of a redirect. A draft post that is not from htmx (for
//! example one held across a sign-in and posted again) is simply a Save.
//!
//! The plan builder's in-place edit forms (stage name and purpose, an item's dose and note)
//! autosave through their own POST routes: `assets/autosave.js` marks those requests
//! `PP-Autosave: true`, and the handler answers with [`plan_answer`] instead of a page or a
//! row: a status line for the form and, once saved, the plan's new version.

use super::session::CsrfForm;
use super::HtmlResult;
use crate::db::ids::{AssessmentId, PatientId};
use crate::db::Db;
use crate::error::AppError;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use maud::html;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/patients/{id}/assessments/draft", web::post().to(draft_new))
        .route("/assessments/{id}/draft", web::post().to(draft_edit));
}

/// The draft route of an assessment form's action (`None`: the form does not autosave).
pub fn assessment_draft_url(action: &str) -> Option<String> {
    if let Some(draft) = action.strip_suffix("/edit") {
        return Some(format!("{draft}/draft"));
    }
    action.ends_with("/assessments").then(|| format!("{action}/draft"))
}

/// The status line an autosave shows (replaced by the next one).
fn status(message: &str) -> maud::Markup {
    html! { span #autosave-status .hint role="status" aria-live="polite" { (message) } }
}

fn saved(id: &str, version: i32) -> HttpResponse {
    let event = serde_json::json!({"pp:draft-saved": {
        "action": format!("/assessments/{id}/edit"),
        "draft": format!("/assessments/{id}/draft"),
        "url": format!("/assessments/{id}/edit"),
        "version": version,
    }});
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("HX-Trigger", event.to_string()))
        .body(status("Draft saved.").into_string())
}

/// The Save handler's answer, as htmx wants it: a redirect is a saved draft (`id` from its
/// address unless known), anything else a line saying why it was not saved.
fn for_htmx(answer: HttpResponse, id: Option<String>, version: i32) -> HttpResponse {
    if answer.status() == StatusCode::SEE_OTHER {
        let from_location = answer
            .headers()
            .get(header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .and_then(|l| l.strip_prefix("/assessments/"))
            .map(|rest| rest.split(['/', '#', '?']).next().unwrap_or_default().to_owned());
        if let Some(id) = id.or(from_location) {
            return saved(&id, version);
        }
    }
    let message = if answer.status() == StatusCode::CONFLICT {
        "Not saved: someone else changed this assessment. Press Save draft to review it."
    } else {
        "Not saved yet: a field needs attention. Press Save draft to see which."
    };
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(status(message).into_string())
}

/// When an in-place plan form saves itself: 1.5 s after the last keystroke or choice.
pub const TRIGGER: &str = "input delay:1500ms";

/// [`TRIGGER`] for a form whose Save button htmx also sends (an item row, swapped in place).
pub const ROW_TRIGGER: &str = "submit, input delay:1500ms";

/// The answer to a plan form's autosave: 200 with a status line put in the form's
/// `.autosave-status` (htmx swaps only 2xx answers), and when saved an `HX-Trigger` with the
/// plan's new `version` for the form (`pp:draft-saved`) and the page's other forms
/// (`plan-version`). A refused autosave changes nothing on the page, so what was typed stays
/// in the form, and the line says why (never quoting what was typed). Other errors are the
/// caller's.
pub fn plan_answer(outcome: Result<(), AppError>, sent_version: i32) -> Result<HttpResponse, AppError> {
    let mut answer = HttpResponse::Ok();
    answer
        .content_type("text/html; charset=utf-8")
        .insert_header(("HX-Retarget", "find .autosave-status"))
        .insert_header(("HX-Reswap", "innerHTML"));
    let message = match outcome {
        Ok(()) => {
            let version = sent_version + 1;
            let event =
                serde_json::json!({"pp:draft-saved": {"version": version}, "plan-version": {"version": version}});
            answer.insert_header(("HX-Trigger", event.to_string()));
            "Saved.".to_owned()
        }
        Err(AppError::VersionConflict) => "Not saved: someone else changed this plan. What you typed is kept here; \
            reload the page to see their change, then enter it again."
            .to_owned(),
        Err(AppError::Validation(errors)) => {
            let why: Vec<String> = errors.values().flatten().cloned().collect();
            format!("Not saved yet: {}", why.join(" "))
        }
        Err(AppError::Conflict { message, .. }) => format!("Not saved: {message}"),
        Err(other) => return Err(other),
    };
    Ok(answer.body(html! { (message) }.into_string()))
}

async fn draft_new(path: web::Path<PatientId>, form: CsrfForm<Vec<(String, String)>>, db: web::Data<Db>) -> HtmlResult {
    let htmx = form.sender.htmx;
    let answer = super::assessments::create(path, form, db).await?;
    Ok(if htmx { for_htmx(answer, None, 1) } else { answer })
}

async fn draft_edit(
    path: web::Path<AssessmentId>,
    form: CsrfForm<Vec<(String, String)>>,
    db: web::Data<Db>,
) -> HtmlResult {
    let htmx = form.sender.htmx;
    let id = path.to_string();
    let version = form.form.iter().find(|(k, _)| k == "version").and_then(|(_, v)| v.trim().parse::<i32>().ok());
    let answer = super::assessments::update(path, form, db).await?;
    Ok(if htmx { for_htmx(answer, Some(id), version.unwrap_or(0) + 1) } else { answer })
}
