//! What keeps the assessment form quick: the section menu with progress, the live ODI and
//! STarT Back panel (an htmx partial from `POST /assessments/live-scores`, scored by the
//! domain's own functions: the browser never scores), short labels for ODI answer levels,
//! and plain labels in place of codes in every message.

use super::assessment_form::FormValues;
use super::session::CsrfForm;
use crate::domain::assessment::{AssessmentContent, ContentInput};
use crate::domain::findings::{self, Section};
use crate::domain::questionnaires::{PSFS_MAX_ACTIVITIES, RMDQ_ITEMS};
use crate::domain::scoring::OdiSection;
use actix_web::{web, HttpResponse};
use maud::{html, Markup};

/// Registers the route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/assessments/live-scores", web::post().to(live_scores));
}

/// Short labels of the six answer levels of an ODI section (the project's own words: the
/// questionnaire's statements are not reproduced).
pub fn odi_levels(section: OdiSection) -> [&'static str; 6] {
    match section {
        OdiSection::PainIntensity => ["None", "Very mild", "Moderate", "Fairly severe", "Very severe", "Extreme"],
        OdiSection::PersonalCare => {
            ["Normal, no extra pain", "Normal, painful", "Slow and careful", "Some help", "Help with most", "Cannot"]
        }
        OdiSection::Lifting => [
            "Heavy, no extra pain",
            "Heavy, painful",
            "Only from a table",
            "Light to medium",
            "Very light only",
            "Cannot",
        ],
        OdiSection::Walking => {
            ["No limit", "Under 1.5 km", "Under 800 m", "Under 400 m", "Stick or crutches", "Mostly in bed"]
        }
        OdiSection::Sitting => {
            ["Any chair, any time", "Own chair only", "Up to 1 h", "Up to 30 min", "Up to 10 min", "Cannot"]
        }
        OdiSection::Standing => {
            ["As long as wanted", "As long as wanted, painful", "Up to 1 h", "Up to 30 min", "Up to 10 min", "Cannot"]
        }
        OdiSection::Sleeping => ["Undisturbed", "Sometimes disturbed", "Under 6 h", "Under 4 h", "Under 2 h", "Cannot"],
        OdiSection::SexLife => {
            ["Normal", "Normal, some pain", "Nearly normal, very painful", "Severely limited", "Nearly none", "None"]
        }
        OdiSection::SocialLife => {
            ["Normal", "Normal, more pain", "Energetic interests limited", "Goes out less", "At home only", "None"]
        }
        OdiSection::Travelling => [
            "Anywhere",
            "Anywhere, painful",
            "Over 2 h, painful",
            "Under 1 h",
            "Short trips only",
            "For treatment only",
        ],
    }
}

fn replacement(word: &str) -> Option<String> {
    if let Some(def) = findings::find(word) {
        return Some(def.label.to_owned());
    }
    if let Some(m) = findings::method(word) {
        return Some(m.label.to_owned());
    }
    if let Ok(section) = word.parse::<OdiSection>() {
        return Some(section.label().to_owned());
    }
    Some(
        match word {
            "odi" => "ODI",
            "start_back" => "STarT Back",
            "rmdq" => "Roland-Morris",
            "psfs" => "PSFS",
            "assessed_on" => "assessment date",
            _ if word.contains('_') => return Some(word.replace('_', " ")),
            _ => return None,
        }
        .to_owned(),
    )
}

/// A message with every code in it (finding, method, ODI section, questionnaire) replaced by
/// its label: "nprs_now must be …" becomes "Pain now (NPRS) must be …".
pub fn relabel(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if !word.is_empty() {
            out.push_str(&replacement(word).unwrap_or_else(|| word.clone()));
            word.clear();
        }
    };
    for c in message.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// The form's sections in order: (element id, menu label).
pub fn menu_sections() -> Vec<(String, &'static str)> {
    let mut list = vec![("visit".to_owned(), "Visit")];
    for s in Section::ALL {
        list.push((format!("section-{}", s.code()), s.label()));
    }
    for (id, label) in [
        ("odi", "Oswestry (ODI)"),
        ("start_back", "STarT Back"),
        ("rmdq", "Roland-Morris"),
        ("psfs", "PSFS"),
        ("impression-section", "Impression"),
    ] {
        list.push((id.to_owned(), label));
    }
    list
}

/// How many answers a section of the form holds (distinct fields with a value; methods
/// are part of their finding's answer and not counted).
pub fn answered(values: &FormValues, id: &str) -> usize {
    let count = |names: Vec<String>| names.iter().filter(|n| !values.all(n).is_empty()).count();
    match id {
        "visit" => count(vec!["assessed_on".into()]),
        "odi" => count(OdiSection::ALL.iter().map(|s| format!("odi.{}", s.code())).collect()),
        "start_back" => count((1..=9).map(|n| format!("sb.{n}")).collect()),
        "rmdq" => count((1..=RMDQ_ITEMS).map(|n| format!("rmdq.{n}")).collect()),
        "psfs" => count((0..PSFS_MAX_ACTIVITIES).map(|i| format!("psfs.{i}.activity")).collect()),
        "impression-section" => count(vec!["impression".into()]),
        other => {
            let Some(section) = Section::ALL.into_iter().find(|s| other == format!("section-{}", s.code())) else {
                return 0;
            };
            let names = findings::catalog()
                .iter()
                .filter(|d| d.section == section)
                .flat_map(|d| {
                    if d.per_side {
                        findings::Side::ALL.iter().map(|s| super::assessment_form::key(d.code, Some(*s))).collect()
                    } else {
                        vec![super::assessment_form::key(d.code, None)]
                    }
                })
                .collect();
            count(names)
        }
    }
}

/// The section menu: a link per section with how many answers it holds (the script keeps
/// the counts current as the clinician types), and the live score panel.
pub fn section_menu(values: &FormValues) -> Markup {
    html! {
        nav.section-menu aria-label="Assessment sections" {
            ol {
                @for (id, label) in menu_sections() {
                    @let n = answered(values, &id);
                    li.done[n > 0] {
                        a href=(format!("#{id}")) data-section=(id) {
                            span.label { (label) }
                            " "
                            span.count data-count=(id) { @if n > 0 { (n) " answered" } @else { "–" } }
                        }
                    }
                }
            }
            (live_panel(values))
        }
    }
}

/// ODI percent and STarT Back group for the answers so far, scored by the domain.
pub fn live_panel(values: &FormValues) -> Markup {
    let (input, _) = values.to_input(None);
    let odi_answered = answered(values, "odi");
    let sb_answered = answered(values, "start_back");
    let only_scores = ContentInput {
        odi: input.odi.clone(),
        start_back: if sb_answered == 9 { input.start_back.clone() } else { None },
        ..ContentInput::default()
    };
    let scored: Option<AssessmentContent> = only_scores.validate().ok();
    let scores = scored.map(|c| c.scores()).unwrap_or_default();
    html! {
        div #live-scores.live-scores aria-live="polite" {
            p {
                strong { "ODI: " }
                @if let (Some(p), Some(b), true) = (scores.odi_percent, scores.odi_band, odi_answered > 0) {
                    span #live-odi { (p) " %" } " · " (b.label())
                    @if odi_answered < 10 { " (" (odi_answered) " of 10 sections)" }
                } @else {
                    span #live-odi { (odi_answered) " of 10 sections" }
                }
            }
            p {
                strong { "STarT Back: " }
                @if let Some(sb) = scores.start_back {
                    span #live-start-back { (sb.risk.code()) " risk" } " · total " (sb.total) "/9, psychosocial " (sb.psychosocial) "/5"
                } @else {
                    span #live-start-back { (sb_answered) " of 9 items" }
                }
            }
        }
    }
}

/// The live panel for the posted form (nothing is saved; the CSRF token is still checked).
async fn live_scores(form: CsrfForm<Vec<(String, String)>>) -> HttpResponse {
    let values = FormValues::from_pairs(form.form);
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(live_panel(&values).into_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_findings_by_their_labels_not_their_codes() {
        assert_eq!(
            relabel("nprs_now must be a whole number from 0 to 10"),
            "Pain now (NPRS) must be a whole number from 0 to 10"
        );
        assert_eq!(
            relabel("lumbar_flexion by inclinometer (degrees) must be a number from 0 to 120"),
            "Lumbar flexion by Inclinometer (degrees) must be a number from 0 to 120"
        );
        assert_eq!(
            relabel("ODI section sex_life must be a whole number"),
            "ODI section Sex life must be a whole number"
        );
        assert!(!relabel("rf_saddle_anaesthesia, rf_bladder_dysfunction unanswered").contains("rf_"));
    }

    #[test]
    fn the_live_panel_scores_with_the_domain_rules() {
        let mut pairs: Vec<(String, String)> =
            OdiSection::ALL.iter().map(|s| (format!("odi.{}", s.code()), "2".to_owned())).collect();
        pairs.extend((1..=8).map(|n| (format!("sb.{n}"), if n <= 5 { "1" } else { "0" }.to_owned())));
        pairs.push(("sb.9".into(), "slightly".into()));
        let html = live_panel(&FormValues::from_pairs(pairs)).into_string();
        assert!(html.contains("40 %"), "{html}");
        assert!(html.contains("medium risk"), "{html}");
    }

    #[test]
    fn the_live_panel_counts_answers_until_there_is_a_score() {
        let pairs = vec![("odi.lifting".to_owned(), "3".to_owned()), ("sb.1".to_owned(), "1".to_owned())];
        let html = live_panel(&FormValues::from_pairs(pairs)).into_string();
        assert!(html.contains("1 of 10 sections") && html.contains("1 of 9 items"), "{html}");
    }
}
