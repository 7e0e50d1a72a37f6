//! The patient handout as plain words: what a patient reads at home, often in pain, often
//! alone. Built from one plan version; never holds clinician-only notes, overrides, warnings
//! or internal codes.

use crate::domain::modality::Setting;
use crate::domain::plan::PlanContent;
use crate::domain::progression;
use chrono::NaiveDate;

/// The safety-netting box (docs/clinical-rules.md "Handout safety-netting"), on every handout.
pub const SAFETY_NET: [&str; 4] = [
    "You cannot control your bladder or bowels, or you cannot pass urine.",
    "You feel numb around your genitals or back passage (the area you would sit on).",
    "Your legs become weak, or the weakness gets worse.",
    "Your pain keeps getting worse, even with rest and pain relief.",
];

/// A home exercise as the patient follows it.
#[derive(Debug, Clone, PartialEq)]
pub struct HomeExercise {
    /// Library code (which picture to show; never printed).
    pub code: String,
    /// Name.
    pub name: String,
    /// Plain instructions.
    pub instructions: String,
    /// How much and how often, in words.
    pub dosage: String,
    /// Which side, in words.
    pub side: Option<String>,
    /// The pain rule.
    pub pain_rule: Option<String>,
    /// What is needed.
    pub equipment: Option<String>,
    /// How it gets harder.
    pub progression: Option<String>,
    /// The clinic's uploaded picture of the item, shown instead of a built-in drawing.
    pub image: Option<crate::domain::media::ImageRef>,
}

/// Everything printed on a handout.
#[derive(Debug, Clone, PartialEq)]
pub struct Handout {
    /// Clinic, patient, therapist and plan title.
    pub header: HandoutHeader,
    /// Plan version printed.
    pub version: i32,
    /// Printed on.
    pub printed_on: NaiveDate,
    /// Large print.
    pub large: bool,
    /// Goals in the patient's words, with due dates.
    pub goals: Vec<(String, Option<NaiveDate>)>,
    /// Stage number, stage count, name and why it matters.
    pub stage: Option<(u8, usize, String, String)>,
    /// Home exercises of the current stage.
    pub home: Vec<HomeExercise>,
    /// What the clinic will do in sessions: (name, what it is).
    pub sessions: Vec<(String, String)>,
    /// When the patient moves on, in words.
    pub move_on: Vec<String>,
}

/// Who and where, for the handout header.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HandoutHeader {
    /// Clinic name.
    pub clinic: String,
    /// Clinic telephone.
    pub clinic_phone: Option<String>,
    /// Clinic address.
    pub clinic_address: Option<String>,
    /// Patient's name.
    pub patient: String,
    /// Therapist's name.
    pub therapist: Option<String>,
    /// The plan's clinical title: on screen for the clinician, never on the printed pages.
    pub title: String,
}

fn side_words(side: Option<&str>) -> Option<String> {
    match side? {
        "left" => Some("Left side".into()),
        "right" => Some("Right side".into()),
        "bilateral" => Some("Both sides".into()),
        _ => None,
    }
}

/// The handout of one plan version.
pub fn handout(
    header: HandoutHeader,
    content: &PlanContent,
    version: i32,
    printed_on: NaiveDate,
    large: bool,
) -> Handout {
    let current = content.current();
    let items = current.map(|s| s.items.as_slice()).unwrap_or_default();
    let home = items
        .iter()
        .filter(|i| i.setting == Setting::Home)
        .map(|i| {
            let d = i.dosage();
            HomeExercise {
                code: i.code.clone(),
                name: i.name.clone(),
                instructions: i.patient_instructions.clone(),
                dosage: d.summary(),
                side: side_words(i.side.as_deref()),
                pain_rule: d.intensity.clone(),
                equipment: d.equipment.clone(),
                progression: d.progression.clone(),
                image: None,
            }
        })
        .collect();
    let sessions = items
        .iter()
        .filter(|i| i.setting == Setting::Clinic)
        .map(|i| (i.name.clone(), i.patient_instructions.clone()))
        .collect();
    Handout {
        header,
        version,
        printed_on,
        large,
        goals: content.goals.iter().map(|g| (progression::plain_words(&g.criterion()), g.due)).collect(),
        stage: current.map(|s| (s.position, content.stages.len(), s.name.clone(), s.purpose.clone())),
        home,
        sessions,
        move_on: current.map(|s| s.criteria.iter().map(progression::plain_words).collect()).unwrap_or_default(),
    }
}

/// Flesch-Kincaid grade of a text (syllables counted by vowel groups): the handout aims at
/// a reading age of 11–12, about grade 6–7.
pub fn reading_grade(text: &str) -> f64 {
    let sentences = text.split(['.', '!', '?']).filter(|s| s.split_whitespace().next().is_some()).count().max(1) as f64;
    let words: Vec<&str> = text.split_whitespace().collect();
    let syllables: usize = words.iter().map(|w| syllables(w)).sum();
    let n = words.len().max(1) as f64;
    0.39 * (n / sentences) + 11.8 * (syllables as f64 / n) - 15.59
}

fn syllables(word: &str) -> usize {
    let w: Vec<char> = word.to_lowercase().chars().filter(|c| c.is_ascii_alphabetic()).collect();
    let vowel = |c: &char| "aeiouy".contains(*c);
    let mut count = 0;
    let mut previous = false;
    for c in &w {
        let v = vowel(c);
        if v && !previous {
            count += 1;
        }
        previous = v;
    }
    if w.ends_with(&['e']) && !w.ends_with(&['l', 'e']) && count > 1 {
        count -= 1;
    }
    count.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::library;
    use crate::domain::protocols_builtin::builtin_protocols;

    #[test]
    fn the_safety_net_and_every_library_instruction_read_at_about_age_eleven_to_twelve() {
        let safety = SAFETY_NET.join(" ");
        assert!(reading_grade(&safety) <= 7.0, "safety box grade {}", reading_grade(&safety));
        let all: String =
            library::builtin().iter().map(|m| m.patient_instructions.as_str()).collect::<Vec<_>>().join(" ");
        let grade = reading_grade(&all);
        assert!(grade <= 7.0, "library instructions grade {grade}");
    }

    #[test]
    fn a_known_text_gets_the_expected_reading_grade() {
        // Short words, short sentences: well below grade 3.
        assert!(reading_grade("Sit on a chair. Lift your leg. Hold it. Put it down.") < 3.0);
        // Long words, one long sentence: far above.
        assert!(reading_grade("Neurodynamic mobilisation interventions demonstrate considerable physiological effectiveness regarding radiculopathy.") > 12.0);
    }

    #[test]
    fn the_handout_lists_home_exercises_and_clinic_sessions_of_the_current_stage_only() {
        let mut plan = PlanContent::with_default_stages();
        let template = builtin_protocols().into_iter().next().map(|p| p.content);
        let Some(template) = template else { panic!("no protocol") };
        for (stage, t) in plan.stages.iter_mut().zip(&template.stages) {
            for item in &t.items {
                let Some(def) = library::find(&item.code) else { continue };
                let mut built = crate::domain::plan::PlanItem::from_library(
                    "x".into(),
                    1,
                    def,
                    item.dosage_override.clone(),
                    item.setting.unwrap_or(def.setting),
                );
                built.side = Some("left".into());
                built.clinician_notes = Some("Clinician only".into());
                built.override_reason = Some("Override".into());
                stage.items.push(built);
            }
        }
        plan.current_stage = 2;
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();

        let h =
            handout(HandoutHeader { patient: "Ada Lovelace".into(), ..HandoutHeader::default() }, &plan, 3, day, false);

        let stage_two: Vec<&str> =
            plan.stages[1].items.iter().filter(|i| i.setting == Setting::Home).map(|i| i.name.as_str()).collect();
        assert_eq!(h.home.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), stage_two);
        assert_eq!(h.stage.as_ref().map(|s| s.0), Some(2));
        assert_eq!(h.move_on.len(), plan.stages[1].criteria.len());
        assert!(h.home.iter().all(|e| e.side.as_deref() == Some("Left side")));
    }
}
