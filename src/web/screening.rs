//! Red-flag screening on the assessment, patient and plan pages: the actions recorded (kind,
//! what was done, who, when, the referral letter), what the neurology trend found at a visit,
//! and what the record suggests for the screen; and the printable referral letter.

use super::components::date;
use super::layout::layout;
use super::session::SessionUser;
use super::{page, HtmlResult};
use crate::db::ids::AssessmentId;
use crate::db::Db;
use crate::domain::findings;
use crate::domain::neuro_trend::NEURO_CODES;
use crate::domain::red_flag_action::ActionKind;
use crate::domain::safety_profile::SafetyProfile;
use crate::service::assessments::AssessmentHistory;
use crate::service::referrals;
use actix_web::web;
use maud::{html, Markup};

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/assessments/{id}/referral-letter", web::get().to(letter));
}

fn label(code: &str) -> &str {
    findings::find(code).map_or(code, |d| d.label)
}

fn kind_label(kind: Option<ActionKind>) -> &'static str {
    kind.map_or("Action", ActionKind::label)
}

/// The red-flag actions recorded (for one assessment, or all of the patient's).
pub fn actions_list(history: &AssessmentHistory, only: Option<AssessmentId>) -> Markup {
    let actions: Vec<_> =
        history.actions.iter().filter(|(a, _)| only.is_none_or(|id| a.assessment_id == id.to_string())).collect();
    html! {
        @if !actions.is_empty() {
            section.actions-recorded aria-labelledby="actions-h" {
                h2 #actions-h { "Red-flag actions recorded" }
                ul {
                    @for (a, by) in actions {
                        li {
                            strong { (kind_label(a.kind)) } " · " (label(&a.flag_code)) ": " (a.action)
                            span.hint { " · " (by) ", " (date(a.recorded_at.date())) }
                            @if a.kind.is_some_and(ActionKind::has_letter) {
                                " · " a href=(format!("/assessments/{}/referral-letter", a.assessment_id)) { "referral letter" }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// What the neurology trend found at one visit, and the record's suggestions for the screen.
pub fn trend_panel(profile: &SafetyProfile, id: AssessmentId) -> Markup {
    let worsened: Vec<_> = profile.worsened.iter().filter(|w| w.at == id.0).collect();
    let review: Vec<_> = profile.needs_review.iter().filter(|n| n.at == id.0).collect();
    html! {
        @if !worsened.is_empty() || !review.is_empty() {
            section.banner role="status" aria-labelledby="trend-h" {
                h2 #trend-h { "Neurology compared with earlier visits" }
                ul {
                    @for w in &worsened {
                        li { strong { (label(w.change.code)) " (" (w.change.side) ")" } ": worse than at the last visit that tested it, "
                            (w.change.previous) " → " (w.change.current) }
                    }
                    @for n in &review {
                        li { strong { (label(n.code)) " (" (n.side) ")" } ": " (n.value) ", not examined on this side before: needs review" }
                    }
                }
            }
        }
        @if !profile.suggestions.is_empty() {
            section.banner role="status" aria-labelledby="suggest-h" {
                h2 #suggest-h { "The record suggests, for you to confirm" }
                ul { @for s in &profile.suggestions { li { strong { (label(s.flag)) } ": " (s.reason) } } }
            }
        }
    }
}

async fn letter(user: SessionUser, path: web::Path<AssessmentId>, db: web::Data<Db>) -> HtmlResult {
    let id = path.into_inner();
    let ctx = user.ctx.clone();
    let l = db.run(move |conn| referrals::letter(conn, &ctx, id)).await?;
    let patient = &l.history.patient.0;
    let record = l.history.record(id).ok_or(crate::error::AppError::NotFound)?;
    let content = record.current();
    let positive = content.red_flags();
    let neuro: Vec<_> = content.findings.iter().filter(|f| NEURO_CODES.contains(&f.code)).collect();
    let body = html! {
        article.letter {
            p { strong { (l.clinic.name) } br; @if let Some(a) = &l.clinic.address { (a) br; } @if let Some(p) = &l.clinic.phone { "Tel. " (p) } }
            p { "Date: " (date(l.referrals[0].0.recorded_at.date())) }
            h1 {
                @if l.referrals.iter().any(|(a, _)| a.kind == Some(ActionKind::EmergencyReferral)) { "Emergency referral" }
                @else { "Urgent referral to the GP" }
            }
            p { "Re: " strong { (patient.given_name) " " (patient.family_name) } ", born " (date(patient.date_of_birth)) }
            p { "Seen on " (date(record.row.assessed_on)) " for " (patient.condition) "." }
            h2 { "Red flags found" }
            ul { @for code in &positive { li { (label(code)) } } @if positive.is_empty() { li { "Neurology worse than at an earlier visit" } } }
            @if !neuro.is_empty() {
                h2 { "Neurology at this visit" }
                table.list { tbody { @for f in &neuro { tr { td { (label(f.code)) } td { (f.side.map_or("", |s| s.code())) } td { (f.value) } } } } }
            }
            h2 { "Action taken" }
            @for (a, by) in &l.referrals {
                p { strong { (kind_label(a.kind)) } ": " (a.action) }
                p { "Clinician: " (by) }
            }
        }
        p.no-print { a.button href=(format!("/assessments/{id}")) { "Back to the assessment" } }
    };
    Ok(page(layout("Referral letter", &user, body)))
}
