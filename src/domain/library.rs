//! The built-in modality library: read-only items every clinic starts with. The data
//! lives in `library_items`; this module gives access to it and holds the tests that
//! keep it honest (codes, stages, plain language, and the contraindication table in
//! docs/clinical-rules.md).

use super::library_items;
use super::modality::{Category, ModalityDef, Stage};
use std::sync::LazyLock;

/// Built once, on first use; the items own their data so they serialise the same way
/// as a clinic's own items.
static BUILTIN: LazyLock<Vec<ModalityDef>> = LazyLock::new(library_items::items);

/// Every built-in item, in library order.
pub fn builtin() -> &'static [ModalityDef] {
    &BUILTIN
}

/// The built-in item with this code.
pub fn find(code: &str) -> Option<&'static ModalityDef> {
    builtin().iter().find(|m| m.code == code)
}

/// Built-in items, optionally narrowed to a category and to those suiting a stage
/// (`GET /api/v1/modalities?category=&stage=`).
pub fn filter(category: Option<Category>, stage: Option<Stage>) -> Vec<&'static ModalityDef> {
    builtin()
        .iter()
        .filter(|m| category.is_none_or(|c| m.category == c))
        .filter(|m| stage.is_none_or(|s| m.suits(s)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::history::HistoryCode::{self, *};
    use super::super::modality::{Severity, Stance};
    use super::super::safety::{check_item, ItemRequest, SafetyFact, SafetyProfile, Verdict};
    use super::*;
    use std::collections::HashSet;

    fn is_snake_case(code: &str) -> bool {
        code.starts_with(|c: char| c.is_ascii_lowercase())
            && code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && !code.ends_with('_')
            && !code.contains("__")
    }

    fn sentences(text: &str) -> Vec<usize> {
        text.split(['.', '!', '?']).map(|s| s.split_whitespace().count()).filter(|n| *n > 0).collect()
    }

    #[test]
    fn the_library_has_55_items_in_all_eight_categories() {
        assert_eq!(builtin().len(), 55, "the README and docs say 55 built-in items");
        let present: HashSet<Category> = builtin().iter().map(|m| m.category).collect();
        for category in Category::ALL {
            assert!(present.contains(&category), "no {category} item");
        }
    }

    #[test]
    fn codes_are_unique_snake_case_and_findable() {
        let mut seen = HashSet::new();
        for m in builtin() {
            assert!(is_snake_case(&m.code), "{} is not snake_case", m.code);
            assert!(seen.insert(m.code.as_str()), "{} appears twice", m.code);
            assert_eq!(find(&m.code).map(|f| f.name.as_str()), Some(m.name.as_str()));
        }
        assert!(find("no_such_item").is_none());
    }

    #[test]
    fn the_items_named_in_the_brief_are_all_present() {
        let wanted = [
            "soft_tissue_mobilisation",
            "lumbar_pa_mobilisation",
            "lumbar_thrust_manipulation",
            "sacroiliac_mobilisation",
            "hip_mobilisation",
            "dry_needling_piriformis",
            "dry_needling_gluteus_minimus",
            "dry_needling_gluteus_medius",
            "dry_needling_lumbar_multifidus",
            "dry_needling_quadratus_lumborum",
            "lumbar_kinesiology_taping",
            "gluteal_kinesiology_taping",
            "bird_dog",
            "bridge",
            "clamshell",
            "dead_bug",
            "prone_press_up",
            "sit_to_stand",
            "hip_hinge",
            "graded_walking",
            "side_plank",
            "mckenzie_extension_in_lying",
            "pelvic_tilts",
            "piriformis_stretch",
            "hamstring_stretch",
            "hip_flexor_stretch",
            "knee_to_chest_stretch",
            "sciatic_nerve_slider",
            "sciatic_nerve_tensioner",
            "pain_education",
            "posture_and_ergonomics",
            "lifting_technique",
            "activity_pacing",
            "flare_up_plan",
            "heat_pack",
            "ice_pack",
            "tens",
            "cupping",
            "pilates_based_exercise",
            "cranial_osteopathy",
            "stress_management",
            "breaks_from_sitting",
            "training_modification",
        ];
        let missing: Vec<&str> = wanted.into_iter().filter(|c| find(c).is_none()).collect();
        assert!(missing.is_empty(), "missing {missing:?}");
    }

    #[test]
    fn every_item_has_a_stage_text_a_valid_dosage_and_distinct_contraindications() {
        for m in builtin() {
            assert!(!m.stages.is_empty(), "{} has no stage", m.code);
            assert!(!m.name.is_empty() && !m.description.is_empty() && !m.body_region.is_empty(), "{}", m.code);
            assert_eq!(m.dosage.validate(), Ok(()), "{}", m.code);
            let facts: HashSet<SafetyFact> = m.contraindications.iter().map(|c| c.fact).collect();
            assert_eq!(facts.len(), m.contraindications.len(), "{} lists a fact twice", m.code);
            assert!(m.contraindications.iter().all(|c| !c.note.is_empty()), "{}", m.code);
        }
        for stage in Stage::ALL {
            assert!(filter(Some(Category::Exercise), Some(stage)).len() >= 2, "few exercises for {stage}");
        }
    }

    #[test]
    fn patient_instructions_use_short_sentences_and_no_jargon() {
        let jargon = [
            "lumbar",
            "anterior",
            "posterior",
            "mobilis",
            "flexion",
            "extension",
            "dorsiflex",
            "proprioce",
            "isometric",
            "lateral",
            "supine",
            "prone",
            "piriformis",
            "gluteus",
            "gluteal",
            "multifidus",
            "quadratus",
            "sacroiliac",
            "contraindicat",
            "neural",
            "radicular",
            "distal",
            "nprs",
            "kinesiology",
        ];
        for m in builtin() {
            let lengths = sentences(&m.patient_instructions);
            assert!(!lengths.is_empty(), "{} has no instructions", m.code);
            let average = lengths.iter().sum::<usize>() as f64 / lengths.len() as f64;
            assert!(average <= 14.0, "{}: average sentence of {average:.1} words", m.code);
            assert!(lengths.iter().all(|n| *n <= 22), "{}: a sentence over 22 words", m.code);
            let lower = m.patient_instructions.to_lowercase();
            let used: Vec<&str> = jargon.iter().copied().filter(|j| lower.contains(j)).collect();
            assert!(used.is_empty(), "{} uses {used:?}", m.code);
        }
    }

    #[test]
    fn complementary_items_say_plainly_that_no_guideline_recommends_them() {
        for code in ["cupping", "cranial_osteopathy"] {
            let m = find(code).map(|m| m.guideline.clone());
            let g = m.unwrap_or_else(|| panic!("no {code}"));
            assert_eq!((g.jospt_2021, g.nice_ng59), (Stance::NoStatement, Stance::NoStatement), "{code}");
            for words in ["Complementary", "evidence", "weak", "Never the core of a plan"] {
                assert!(g.note.contains(words), "{code}: {words}");
            }
        }
        let stress = find("stress_management").map(|m| (m.category, m.guideline.nice_ng59, m.guideline.note.clone()));
        let (category, nice, note) = stress.unwrap_or((Category::Exercise, Stance::NoStatement, String::new()));
        assert_eq!((category, nice), (Category::Education, Stance::Conditional));
        assert!(note.contains("cognitive behavioural approach") && note.contains("includes exercise"), "{note}");
        let pilates =
            find("pilates_based_exercise").map(|m| (m.category, m.guideline.jospt_2021, m.guideline.nice_ng59));
        assert_eq!(pilates, Some((Category::Exercise, Stance::Recommended, Stance::Recommended)));
    }

    #[test]
    fn cupping_warns_about_bleeding_and_blocks_broken_fragile_or_infected_skin() {
        let cupping = find("cupping").map(|m| m.contraindications.clone()).unwrap_or_default();
        let severity = |h: HistoryCode| cupping.iter().find(|c| c.fact == SafetyFact::History(h)).map(|c| c.severity);
        assert_eq!(severity(Anticoagulants), Some(Severity::Relative));
        assert_eq!(severity(BleedingDisorder), Some(Severity::Relative));
        for h in [FragileSkin, OpenWound, LocalInfection] {
            assert_eq!(severity(h), Some(Severity::Absolute), "{h}");
        }
    }

    #[test]
    fn only_dry_needling_and_thrust_manipulation_need_consent() {
        for m in builtin() {
            let invasive = m.category == Category::DryNeedling || m.code == "lumbar_thrust_manipulation";
            assert_eq!(m.consent_required, invasive, "{}", m.code);
        }
    }

    #[test]
    fn every_dry_needling_item_blocks_needle_phobia_and_shows_the_guideline_conflict() {
        let needling = filter(Some(Category::DryNeedling), None);
        assert_eq!(needling.len(), 5);
        for m in needling {
            let phobia = m.contraindications.iter().find(|c| c.fact == SafetyFact::History(NeedlePhobia));
            assert_eq!(phobia.map(|c| c.severity), Some(Severity::Absolute), "{}", m.code);
            assert!(m.guideline.conflict(), "{}", m.code);
        }
    }

    /// Which items a row of the table in docs/clinical-rules.md covers.
    enum Family {
        Category(Category),
        Code(&'static str),
    }

    fn facts_with(fact: SafetyFact) -> SafetyProfile {
        SafetyProfile { facts: [fact].into(), ..SafetyProfile::default() }
    }

    fn h(codes: &[HistoryCode]) -> Vec<SafetyFact> {
        codes.iter().copied().map(SafetyFact::History).collect()
    }

    #[test]
    fn every_row_of_the_contraindication_table_blocks_or_warns() {
        use SafetyFact::{ProgressiveNeuroDeficit, ReducedSensation};
        let table: Vec<(Family, Vec<SafetyFact>, Vec<SafetyFact>)> = vec![
            (
                Family::Category(Category::DryNeedling),
                h(&[NeedlePhobia, LocalInfection, OpenWound, Lymphoedema, MetalAllergy]),
                h(&[Anticoagulants, BleedingDisorder, Pregnancy, Immunosuppression, Diabetes, CancerHistory]),
            ),
            (
                Family::Category(Category::Taping),
                h(&[OpenWound, AdhesiveAllergy, FragileSkin, Dvt, LocalInfection]),
                h(&[Diabetes, Pregnancy, Lymphoedema]),
            ),
            (
                Family::Code("lumbar_thrust_manipulation"),
                [h(&[Osteoporosis, CancerHistory, BleedingDisorder]), vec![ProgressiveNeuroDeficit]].concat(),
                h(&[Anticoagulants]),
            ),
            (Family::Code("tens"), h(&[Pacemaker, Pregnancy]), h(&[Diabetes])),
            (Family::Code("heat_pack"), [vec![ReducedSensation], h(&[OpenWound, Dvt])].concat(), h(&[Diabetes])),
        ];
        let consented = ItemRequest { override_reason: None, consent: true };
        let overridden = ItemRequest { override_reason: Some("Discussed with GP; mild case".into()), consent: true };
        for (family, absolute, relative) in table {
            let items: Vec<&ModalityDef> = match family {
                Family::Category(c) => filter(Some(c), None),
                Family::Code(code) => find(code).into_iter().collect(),
            };
            assert!(!items.is_empty());
            for m in items {
                for fact in &absolute {
                    let facts = facts_with(*fact);
                    assert_eq!(check_item(m, &facts, &consented), Verdict::Blocked(vec![*fact]), "{} / {fact}", m.code);
                    assert!(
                        matches!(check_item(m, &facts, &overridden), Verdict::Overridden { .. }),
                        "{} / {fact}",
                        m.code
                    );
                }
                for fact in &relative {
                    let warned: Vec<SafetyFact> = match check_item(m, &facts_with(*fact), &consented) {
                        Verdict::Allowed { warnings } => warnings.into_iter().map(|w| w.fact).collect(),
                        other => panic!("{} / {fact}: {other:?}", m.code),
                    };
                    assert_eq!(warned, vec![*fact], "{}", m.code);
                }
            }
        }
    }

    #[test]
    fn a_patient_without_risk_facts_can_have_every_item_without_warnings() {
        let request = ItemRequest { override_reason: None, consent: true };
        for m in builtin() {
            assert_eq!(
                check_item(m, &SafetyProfile::default(), &request),
                Verdict::Allowed { warnings: vec![] },
                "{}",
                m.code
            );
        }
    }

    #[test]
    fn built_in_items_survive_a_json_round_trip_like_clinic_items() {
        for m in builtin() {
            let json = serde_json::to_string(m).unwrap_or_default();
            let back: Option<ModalityDef> = serde_json::from_str(&json).ok();
            assert_eq!(back.as_ref(), Some(m), "{}", m.code);
        }
    }
}
