//! Built-in protocols: one staged sciatica plan per STarT Back risk group, following
//! stratified care (NICE NG59, JOSPT 2021).
//!
//! - Low risk: advice, reassurance and self-management with graded activity; few
//!   clinic contacts and shorter stages.
//! - Medium risk: physiotherapist-led exercise, with manual therapy only alongside it.
//! - High risk: physiotherapy with a psychologically informed approach (pain
//!   neuroscience education, activity pacing, graded exposure), more contacts and longer
//!   stages.
//!
//! Items come only from the built-in library and suit their stage. Protocols leave out
//! items NICE NG59 advises against as defaults (TENS, dry needling) and every item that
//! needs recorded consent (dry needling, thrust manipulation): a protocol is applied in
//! one step, which cannot record consent. The clinician adds such items by hand.
//! Progression criteria are the defaults of [`default_criteria`].

use super::dosage::Dosage;
use super::modality::Stage::{self, *};
use super::progression::{default_criteria, Comparator, Measure};
use super::protocol::{BuiltinProtocol, ProtocolContent, ProtocolGoal, ProtocolItem, ProtocolStage};

const LOW_DESCRIPTION: &str = "Low risk of a poor outcome (STarT Back total 0-3). Advice, reassurance and \
    self-management with graded activity at home; one or two clinic contacts per stage. NICE NG59: support \
    self-management and stay active.";
const MEDIUM_DESCRIPTION: &str = "Medium risk (STarT Back total 4 or more, psychosocial 3 or less). \
    Physiotherapist-led exercise programme, with manual therapy only alongside exercise (NICE NG59); weekly to \
    twice-weekly sessions.";
const HIGH_DESCRIPTION: &str = "High risk (STarT Back psychosocial subscore 4 or more). Psychologically informed \
    physiotherapy: pain neuroscience education, activity pacing and graded exposure to feared movements, with more \
    sessions and longer stages.";

// Stage purposes are printed on the handout: plain words.
const LOW_PAIN_PURPOSE: &str = "Understand what is going on and keep moving. Sciatica usually gets better. Use \
    comfortable positions and keep walking.";
const HIGH_PAIN_PURPOSE: &str = "Understand your pain and calm the nerve. Pain does not mean damage. We plan your \
    days so you can stay active without flare-ups.";
const HIGH_STRENGTH_PURPOSE: &str = "Build strength step by step, on a set plan rather than by how the pain feels. \
    The exercises get a little harder each week.";
const HIGH_FUNCTIONAL_PURPOSE: &str = "Return, step by step, to the tasks you have been avoiding: lifting, bending, \
    work and sport. Build habits to manage on your own.";

const PACING_TAILORING: &str =
    "Set each activity by time from a bad-day baseline, not by pain; agree the weekly increase together.";
const EXPOSURE_TAILORING: &str =
    "Graded exposure: start with the lift the patient fears least and work up their own list.";

/// An item with the library's dosage and setting.
fn item(code: &str) -> ProtocolItem {
    ProtocolItem { code: code.to_owned(), dosage_override: Dosage::default(), setting: None }
}

/// An item with dosage overrides.
fn dosed(code: &str, dosage_override: Dosage) -> ProtocolItem {
    ProtocolItem { dosage_override, ..item(code) }
}

/// A clinic talk (education) over `weeks` weekly contacts of `minutes`.
fn talk(code: &str, minutes: u32, weeks: u32) -> ProtocolItem {
    dosed(code, Dosage { minutes: Some(minutes), per_week: Some(1), duration_weeks: Some(weeks), ..Dosage::default() })
}

/// Manual therapy, only as part of a package with exercise (NICE NG59).
fn manual(code: &str, per_week: u32, weeks: u32) -> ProtocolItem {
    dosed(
        code,
        Dosage {
            per_week: Some(per_week),
            duration_weeks: Some(weeks),
            tailoring: Some("Only alongside the exercises in this stage; stop when movement has improved.".into()),
            ..Dosage::default()
        },
    )
}

/// A stage with the default name and criteria; `purpose` replaces the default when given.
/// Items are those with overrides first, then those taken as the library has them.
fn stage(stage: Stage, weeks: u8, purpose: Option<&str>, dosed: Vec<ProtocolItem>, plain: &[&str]) -> ProtocolStage {
    ProtocolStage {
        stage,
        name: stage.name().to_owned(),
        purpose: purpose.unwrap_or(stage.purpose()).to_owned(),
        planned_weeks: weeks,
        criteria: default_criteria(stage),
        items: dosed.into_iter().chain(plain.iter().map(|c| item(c))).collect(),
    }
}

fn goal(measure: Measure, comparator: Comparator, target: f64, due_weeks: u8) -> ProtocolGoal {
    ProtocolGoal { measure, comparator, target, due_weeks: Some(due_weeks) }
}

/// Activity pacing as a weekly clinic contact for `weeks` weeks.
fn pacing(weeks: u32) -> ProtocolItem {
    let tailoring = Some(PACING_TAILORING.into());
    dosed("activity_pacing", Dosage { minutes: Some(20), duration_weeks: Some(weeks), tailoring, ..Dosage::default() })
}

/// The walking programme for high risk: time-based from a low start, not led by pain.
fn graded_walking_from_low_start() -> ProtocolItem {
    dosed(
        "graded_walking",
        Dosage {
            minutes: Some(5),
            starting_level: Some("Start below what you can walk on a bad day.".into()),
            progression: Some("Add 2 minutes each week, even if you are a little sore.".into()),
            ..Dosage::default()
        },
    )
}

/// Lifting practice as graded exposure, from the least feared lift.
fn graded_lifting_exposure() -> ProtocolItem {
    dosed(
        "floor_to_waist_lift",
        Dosage {
            starting_level: Some("Start with an empty box, at a height that feels safe.".into()),
            tailoring: Some(EXPOSURE_TAILORING.into()),
            ..Dosage::default()
        },
    )
}

fn low_risk() -> BuiltinProtocol {
    use Comparator::*;
    use Measure::*;
    let stages = vec![
        stage(
            PainControl,
            1,
            Some(LOW_PAIN_PURPOSE),
            vec![talk("pain_education", 20, 1)],
            &["positions_of_ease", "graded_walking", "pelvic_tilts"],
        ),
        stage(
            Mobility,
            2,
            None,
            vec![talk("posture_and_ergonomics", 15, 1)],
            &["sciatic_nerve_slider", "knee_to_chest_stretch", "graded_walking"],
        ),
        stage(Strength, 2, None, vec![talk("flare_up_plan", 15, 1)], &["bridge", "bird_dog", "sit_to_stand"]),
        stage(
            Functional,
            2,
            None,
            vec![talk("lifting_technique", 15, 1)],
            &["hip_hinge", "sit_to_stand", "graded_walking"],
        ),
    ];
    BuiltinProtocol {
        code: "sciatica_start_back_low",
        name: "Sciatica: STarT Back low risk",
        description: LOW_DESCRIPTION,
        content: ProtocolContent {
            goals: vec![goal(NprsWorst, Le, 3.0, 6), goal(OdiImprovement, Ge, 10.0, 6)],
            stages,
        },
    }
}

fn medium_risk() -> BuiltinProtocol {
    use Comparator::*;
    use Measure::*;
    let tensioner = dosed("sciatic_nerve_tensioner", Dosage { duration_weeks: Some(4), ..Dosage::default() });
    let stages = vec![
        stage(
            PainControl,
            2,
            None,
            vec![talk("pain_education", 20, 2), manual("lumbar_pa_mobilisation", 2, 2)],
            &["sciatic_nerve_slider", "abdominal_bracing", "graded_walking"],
        ),
        stage(
            Mobility,
            3,
            None,
            vec![manual("hip_mobilisation", 1, 3)],
            &["sciatic_nerve_slider", "hamstring_stretch", "cat_camel", "stationary_cycling"],
        ),
        stage(Strength, 4, None, vec![tensioner], &["bridge", "bird_dog", "clamshell", "side_plank"]),
        stage(
            Functional,
            3,
            None,
            vec![talk("lifting_technique", 15, 1), talk("flare_up_plan", 15, 1)],
            &["hip_hinge", "floor_to_waist_lift", "step_up"],
        ),
    ];
    let goals = vec![goal(NprsWorst, Le, 3.0, 8), goal(OdiImprovement, Ge, 10.0, 12), goal(SlrAffected, Ge, 70.0, 8)];
    BuiltinProtocol {
        code: "sciatica_start_back_medium",
        name: "Sciatica: STarT Back medium risk",
        description: MEDIUM_DESCRIPTION,
        content: ProtocolContent { goals, stages },
    }
}

fn high_risk() -> BuiltinProtocol {
    use Comparator::*;
    use Measure::*;
    let stages = vec![
        stage(
            PainControl,
            3,
            Some(HIGH_PAIN_PURPOSE),
            vec![talk("pain_education", 30, 3), pacing(3), graded_walking_from_low_start()],
            &["positions_of_ease", "sciatic_nerve_slider_lying"],
        ),
        stage(
            Mobility,
            4,
            None,
            vec![talk("pain_education", 30, 2), pacing(4)],
            &["sciatic_nerve_slider", "cat_camel", "knee_to_chest_stretch"],
        ),
        stage(
            Strength,
            5,
            Some(HIGH_STRENGTH_PURPOSE),
            vec![pacing(5)],
            &["bridge", "sit_to_stand", "stationary_cycling", "dead_bug"],
        ),
        stage(
            Functional,
            4,
            Some(HIGH_FUNCTIONAL_PURPOSE),
            vec![graded_lifting_exposure(), talk("return_to_work_and_sport", 30, 2), talk("flare_up_plan", 20, 1)],
            &["hip_hinge", "graded_walking"],
        ),
    ];
    let goals = vec![goal(NprsWorst, Le, 3.0, 12), goal(OdiImprovement, Ge, 10.0, 12), goal(SlrAffected, Ge, 70.0, 12)];
    BuiltinProtocol {
        code: "sciatica_start_back_high",
        name: "Sciatica: STarT Back high risk",
        description: HIGH_DESCRIPTION,
        content: ProtocolContent { goals, stages },
    }
}

/// The built-in protocols: sciatica for STarT Back low, medium and high risk.
pub fn builtin_protocols() -> Vec<BuiltinProtocol> {
    vec![low_risk(), medium_risk(), high_risk()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::library::find;
    use crate::domain::modality::{Category, Setting};
    use crate::domain::safety::{check_item, ItemRequest, SafetyProfile, Verdict};
    use std::collections::HashSet;

    fn items(p: &BuiltinProtocol) -> impl Iterator<Item = (&ProtocolStage, &ProtocolItem)> {
        p.content.stages.iter().flat_map(|s| s.items.iter().map(move |i| (s, i)))
    }

    fn total_weeks(p: &BuiltinProtocol) -> u32 {
        p.content.stages.iter().map(|s| u32::from(s.planned_weeks)).sum()
    }

    #[test]
    fn there_are_three_protocols_one_per_start_back_risk_group_with_unique_codes() {
        let codes: Vec<&str> = builtin_protocols().iter().map(|p| p.code).collect();
        assert_eq!(codes, ["sciatica_start_back_low", "sciatica_start_back_medium", "sciatica_start_back_high"]);
        assert_eq!(codes.iter().collect::<HashSet<_>>().len(), 3);
        assert!(builtin_protocols().iter().all(|p| !p.name.is_empty() && !p.description.is_empty()));
    }

    #[test]
    fn every_item_exists_in_the_library_and_suits_its_stage() {
        for p in builtin_protocols() {
            for (s, i) in items(&p) {
                let def = find(&i.code);
                assert!(def.is_some(), "{}: {} is not in the library", p.code, i.code);
                assert!(def.is_some_and(|d| d.suits(s.stage)), "{}: {} does not suit {}", p.code, i.code, s.stage);
            }
        }
    }

    #[test]
    fn each_stage_has_two_to_five_items_and_no_item_twice() {
        for p in builtin_protocols() {
            for s in &p.content.stages {
                assert!((2..=5).contains(&s.items.len()), "{} {}: {} items", p.code, s.stage, s.items.len());
                let codes: HashSet<&str> = s.items.iter().map(|i| i.code.as_str()).collect();
                assert_eq!(codes.len(), s.items.len(), "{} {} repeats an item", p.code, s.stage);
            }
        }
    }

    #[test]
    fn no_protocol_item_needs_consent_so_applying_one_never_has_to_record_it() {
        let without_consent = ItemRequest { override_reason: None, consent: false };
        for p in builtin_protocols() {
            for (_, i) in items(&p) {
                let Some(def) = find(&i.code) else { panic!("{} missing", i.code) };
                assert!(!def.consent_required, "{}: {} needs consent", p.code, i.code);
                assert_eq!(
                    check_item(def, &SafetyProfile::default(), &without_consent),
                    Verdict::Allowed { warnings: vec![] },
                    "{}: {}",
                    p.code,
                    i.code
                );
            }
        }
    }

    #[test]
    fn protocols_leave_out_tens_and_dry_needling_which_nice_advises_against() {
        for p in builtin_protocols() {
            for (_, i) in items(&p) {
                let def = find(&i.code);
                assert!(def.is_some_and(|d| d.category != Category::DryNeedling), "{}: {}", p.code, i.code);
                assert_ne!(i.code, "tens", "{}", p.code);
            }
        }
    }

    #[test]
    fn every_criterion_goal_and_dosage_override_validates() {
        for p in builtin_protocols() {
            for s in &p.content.stages {
                assert_eq!(s.criteria, default_criteria(s.stage), "{} {}", p.code, s.stage);
                for c in &s.criteria {
                    assert_eq!(c.validate(), Ok(()), "{} {}", p.code, s.stage);
                }
                for i in &s.items {
                    assert_eq!(i.dosage_override.validate(), Ok(()), "{}: {}", p.code, i.code);
                }
            }
            assert!(!p.content.goals.is_empty(), "{} has no goals", p.code);
            for g in &p.content.goals {
                let c = crate::domain::progression::Criterion::new(g.measure, g.comparator, g.target);
                assert_eq!(c.validate(), Ok(()), "{}", p.code);
                let due = g.due_weeks.map(u32::from).unwrap_or_default();
                assert!((6..=12).contains(&due) && due <= total_weeks(&p), "{}: due in {due} weeks", p.code);
            }
        }
    }

    #[test]
    fn each_protocol_has_the_four_stages_in_order_with_names_purposes_and_weeks() {
        for p in builtin_protocols() {
            let stages: Vec<Stage> = p.content.stages.iter().map(|s| s.stage).collect();
            assert_eq!(stages, Stage::ALL, "{}", p.code);
            for s in &p.content.stages {
                assert_eq!(s.name, s.stage.name());
                assert!(!s.purpose.is_empty() && (1..=52).contains(&s.planned_weeks), "{} {}", p.code, s.stage);
            }
        }
    }

    #[test]
    fn stages_two_to_four_each_have_a_home_exercise() {
        for p in builtin_protocols() {
            for s in p.content.stages.iter().filter(|s| s.stage != PainControl) {
                let home = s.items.iter().any(|i| {
                    i.setting == Some(Setting::Home)
                        || (i.setting.is_none() && find(&i.code).is_some_and(|d| d.setting == Setting::Home))
                });
                assert!(home, "{} {} has no home exercise", p.code, s.stage);
            }
        }
    }

    #[test]
    fn higher_risk_means_longer_plans_and_the_slr_goal_from_medium_risk_up() {
        let all = builtin_protocols();
        let weeks: Vec<u32> = all.iter().map(total_weeks).collect();
        assert!(weeks[0] < weeks[1] && weeks[1] < weeks[2], "{weeks:?}");
        let has_slr =
            |p: &BuiltinProtocol| p.content.goals.iter().any(|g| g.measure == Measure::SlrAffected && g.target >= 70.0);
        assert_eq!(all.iter().map(has_slr).collect::<Vec<_>>(), [false, true, true]);
    }

    #[test]
    fn the_high_risk_protocol_paces_activity_and_ends_with_graded_exposure() {
        let all = builtin_protocols();
        let high = &all[2].content.stages;
        let has = |s: &ProtocolStage, code: &str| s.items.iter().any(|i| i.code == code);
        assert!(high[..3].iter().all(|s| has(s, "activity_pacing")), "pacing in stages 1-3");
        assert!(high[..2].iter().all(|s| has(s, "pain_education")), "education in stages 1-2");
        let lift = high[3].items.iter().find(|i| i.code == "floor_to_waist_lift");
        assert!(lift.is_some_and(|i| i.dosage_override.tailoring.as_deref() == Some(EXPOSURE_TAILORING)));
        let low_education = items(&all[0]).filter(|(_, i)| i.code == "pain_education").count();
        assert_eq!(low_education, 1, "low risk: a single education contact");
    }

    #[test]
    fn manual_therapy_only_appears_alongside_exercise() {
        for p in builtin_protocols() {
            for s in &p.content.stages {
                let category = |i: &ProtocolItem| find(&i.code).map(|d| d.category);
                if s.items.iter().any(|i| category(i) == Some(Category::ManualTherapy)) {
                    assert!(s.items.iter().any(|i| category(i) == Some(Category::Exercise)), "{} {}", p.code, s.stage);
                }
            }
        }
    }
}
