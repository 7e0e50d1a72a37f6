//! The printed plan: `GET /plans/{id}/print[?version=N][&large=1]`. Its own stylesheet,
//! no navigation, A4 and Letter, one exercise never split over a page, the patient's name
//! and plan version on every page, and a weekly log sheet.

use super::components::date;
use super::session::SessionUser;
use super::{page, HtmlResult};
use crate::db::ids::PlanId;
use crate::db::Db;
use crate::domain::export::handout::{Handout, SAFETY_NET};
use crate::error::AppError;
use crate::service::exports;
use actix_web::{web, HttpResponse};
use maud::{html, Markup, DOCTYPE};
use serde::Deserialize;

/// Registers the route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/plans/{id}/print", web::get().to(print));
}

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// A CSS string literal with everything but plain letters, digits and a few marks
/// hex-escaped, so that no user text can end the string or the style element.
fn css_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, ' ' | ',' | '.' | '-' | '(' | ')') {
            out.push(c);
        } else {
            out.push_str(&format!("\\{:X} ", u32::from(c)));
        }
    }
    out.push('"');
    out
}

/// The page header and footer of every printed page: who the plan is for and its version
/// (a patient-facing title, not the plan's clinical one); page n of m.
fn page_boxes(h: &Handout) -> String {
    let running = format!("Exercise plan for {} · version {}", h.header.patient, h.version);
    let size = if h.large { "12pt" } else { "9pt" };
    format!(
        "@page {{ @top-left {{ content: {}; font-size: {size}; color: #444; }} \
         @bottom-right {{ content: \"Page \" counter(page) \" of \" counter(pages); font-size: {size}; color: #444; }} }}",
        css_string(&running)
    )
}

/// The handout page (pure: everything comes in `h`). `nonce` admits the one style element
/// (the page boxes) under the Content Security Policy.
pub fn render(h: &Handout, back: &str, nonce: &str) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Your exercise plan · " (h.header.patient) }
                link rel="stylesheet" href="/assets/print.css";
                style nonce=(nonce) { (maud::PreEscaped(page_boxes(h))) }
                script src="/assets/print.js" defer {}
            }
            body.handout.large[h.large] {
                nav.no-print aria-label="Handout" {
                    a href=(back) { "← Back to the plan" }
                    button #print type="button" { "Print" }
                    @if h.large { a href=(format!("?version={}&large=0", h.version)) { "Normal print" } }
                    @else { a href=(format!("?version={}&large=1", h.version)) { "Large print" } }
                }
                header.letterhead {
                    div {
                        p.clinic { (h.header.clinic) }
                        @if let Some(a) = &h.header.clinic_address { p { (a) } }
                        @if let Some(p) = &h.header.clinic_phone { p { "Phone: " (p) } }
                    }
                    dl.who {
                        dt { "For" } dd { (h.header.patient) }
                        @if let Some(t) = &h.header.therapist { dt { "Your physio" } dd { (t) } }
                        dt { "Printed" } dd { (date(h.printed_on)) }
                        dt { "Plan version" } dd { (h.version) }
                    }
                }
                main {
                    h1 { "Your exercise plan" }
                    @if let Some((n, total, name, why)) = &h.stage {
                        section.stage aria-labelledby="stage-h" {
                            h2 #stage-h { "Stage " (n) " of " (total) ": " (name) }
                            p { (why) }
                        }
                    }
                    @if !h.goals.is_empty() {
                        section aria-labelledby="goals-h" {
                            h2 #goals-h { "What we are aiming for" }
                            ul { @for (words, due) in &h.goals { li { (words) @if let Some(d) = due { " (by " (date(*d)) ")" } } } }
                        }
                    }
                    section aria-labelledby="home-h" {
                        h2 #home-h { "Your exercises at home" }
                        @if h.home.is_empty() { p { "Your physio will go through what to do at home." } }
                        @for (n, e) in h.home.iter().enumerate() {
                            article.exercise {
                                h3 { (n + 1) ". " (e.name) @if let Some(s) = &e.side { " — " (s) } }
                                (super::media::for_code(&e.code, &e.name, e.image.as_ref(), if h.large { 480 } else { 320 }))
                                p { (e.instructions) }
                                p.amount { strong { "How much: " } (e.dosage) }
                                @if let Some(eq) = &e.equipment { p { strong { "You need: " } (eq) } }
                                @if let Some(rule) = &e.pain_rule { p.rule { strong { "Pain rule: " } (rule) } }
                                @if let Some(p) = &e.progression { p { strong { "When it gets easy: " } (p) } }
                            }
                        }
                    }
                    @if !h.sessions.is_empty() {
                        section.sessions aria-labelledby="sessions-h" {
                            h2 #sessions-h { "What we will do at the clinic" }
                            ul { @for (name, what) in &h.sessions { li { strong { (name) } ". " (what) } } }
                        }
                    }
                    @if !h.move_on.is_empty() {
                        section.move-on aria-labelledby="move-h" {
                            h2 #move-h { "When you move on to the next stage" }
                            p { "We will check these at your next review:" }
                            ul { @for m in &h.move_on { li { (m) } } }
                        }
                    }
                    aside.safety role="note" aria-labelledby="safety-h" {
                        h2 #safety-h { "Get urgent medical help now if:" }
                        ul { @for s in SAFETY_NET { li { (s) } } }
                        p { strong { "Go to an emergency department or call the emergency number straight away. Do not wait for your next appointment." } }
                        @if let Some(p) = &h.header.clinic_phone { p { "For other questions, call the clinic on " (p) "." } }
                    }
                    section.log aria-labelledby="log-h" {
                        h2 #log-h { "My exercise diary" }
                        p { "Tick a box each time you do the exercise. Bring this sheet to your next visit." }
                        @for week in 1..=2 {
                            table {
                                caption { "Week " (week) " — starting: ____ / ____" }
                                thead { tr { th scope="col" { "Exercise" } @for d in DAYS { th scope="col" { (d) } } } }
                                tbody {
                                    @for e in &h.home { tr { th scope="row" { (e.name) } @for _ in DAYS { td { span.box { "☐" } } } } }
                                    tr { th scope="row" { "Pain today (0–10)" } @for _ in DAYS { td {} } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[derive(Deserialize)]
struct PrintQuery {
    version: Option<String>,
    large: Option<String>,
}

async fn print(
    user: SessionUser,
    path: web::Path<PlanId>,
    query: web::Query<PrintQuery>,
    db: web::Data<Db>,
) -> HtmlResult {
    let id = path.into_inner();
    let version = match query.version.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => Some(v.parse::<i32>().map_err(|_| AppError::NotFound)?),
        None => None,
    };
    let large = query.large.as_deref() == Some("1");
    let ctx = user.ctx.clone();
    let today = crate::service::clinic_settings::clinic_today(&db, &ctx).await?;
    let h = match db.read(move |conn| exports::handout(conn, &ctx, id, version, large, today)).await {
        Err(AppError::Conflict { code: "safety_review_required", message }) => {
            let body = html! {
                h1 { "Handout not printed" }
                div.banner.urgent role="alert" { p { (message) } }
                p { a.button.primary href=(format!("/plans/{id}")) { "Review the plan" } }
            };
            let page = super::layout::layout("Handout not printed", &user, body).into_string();
            return Ok(HttpResponse::Conflict().content_type("text/html; charset=utf-8").body(page));
        }
        other => other?,
    };
    let nonce = crate::service::auth::random_token();
    let csp =
        format!("{}; style-src 'self' 'nonce-{nonce}'", super::security_headers::CSP.replace("style-src 'self'; ", ""));
    let mut response = page(render(&h, &format!("/plans/{id}"), &nonce));
    if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&csp) {
        response.headers_mut().insert(actix_web::http::header::CONTENT_SECURITY_POLICY, value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::export::handout::{handout, HandoutHeader};
    use crate::domain::plan::PlanContent;
    use crate::domain::protocols_builtin::builtin_protocols;

    /// A fixed plan from the medium-risk protocol, with a clinician-only note.
    fn demo() -> Handout {
        let Some(template) = builtin_protocols().into_iter().nth(1).map(|p| p.content) else { panic!("no protocol") };
        let mut plan = PlanContent::with_default_stages();
        for (n, (stage, t)) in plan.stages.iter_mut().zip(&template.stages).enumerate() {
            for (k, item) in t.items.iter().enumerate() {
                let Some(def) = crate::domain::library::find(&item.code) else { continue };
                let setting = item.setting.unwrap_or(def.setting);
                let mut built = crate::domain::plan::PlanItem::from_library(
                    "fixed".into(),
                    1,
                    def,
                    item.dosage_override.clone(),
                    setting,
                );
                built.id = uuid::Uuid::from_u128((n * 100 + k) as u128);
                built.clinician_notes = Some("CLINICIAN-ONLY: watch for foot drop".into());
                stage.items.push(built);
            }
        }
        plan.current_stage = 2;
        let header = HandoutHeader {
            clinic: "Riverside Physiotherapy".into(),
            clinic_phone: Some("020 7946 0321".into()),
            clinic_address: Some("12 Mill Lane, Riverside".into()),
            patient: "Grace Adeyemi".into(),
            therapist: Some("Jo Lindqvist".into()),
            title: "Right L5 sciatica".into(),
        };
        handout(header, &plan, 2, chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default(), false)
    }

    #[test]
    fn the_print_view_of_a_demo_plan_matches_its_snapshot() {
        let html = render(&demo(), "/plans/x", "NONCE").into_string().replace("><", ">\n<");
        insta::assert_snapshot!("handout_demo_plan", html);
    }

    #[test]
    fn the_print_view_never_shows_clinician_notes_or_codes() {
        let html = render(&demo(), "/plans/x", "NONCE").into_string();
        assert!(!html.contains("CLINICIAN-ONLY"));
        // The picture's address names the item; nothing a patient reads does.
        let html = html.replace("/illustrations/sciatic_nerve_slider.svg", "");
        assert!(!html.contains("sciatic_nerve_slider") && !html.contains("pain_control"));
        assert!(html.contains("Get urgent medical help now if:"));
    }

    #[test]
    fn every_home_exercise_has_its_picture_scaled_up_for_large_print_and_the_clinical_title_is_not_printed() {
        let mut h = demo();
        let html = render(&h, "/plans/x", "NONCE").into_string();
        assert!(!h.home.is_empty());
        assert_eq!(html.matches("class=\"illustration\"").count(), h.home.len(), "{html}");
        assert!(html.contains("width=\"320\""));
        assert!(!html.contains("Right L5 sciatica"), "the clinical title stays off the handout");
        assert!(html.contains("href=\"?version=2&amp;large=1\""), "large print keeps the version");
        h.large = true;
        let html = render(&h, "/plans/x", "NONCE").into_string();
        assert!(html.contains("width=\"480\"") && html.contains("href=\"?version=2&amp;large=0\""));
    }

    #[test]
    fn patient_text_in_the_page_header_cannot_break_out_of_the_style() {
        let mut h = demo();
        h.header.patient = "Eve \"</style><script>alert(1)</script>".into();
        let css = page_boxes(&h);
        assert!(!css.contains('<') && !css.contains("\"</"), "{css}");
        assert!(css.contains("Eve \\22 "), "{css}");
    }
}
