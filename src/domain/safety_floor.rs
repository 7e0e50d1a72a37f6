//! The safety floor (docs/clinical-rules.md "Contraindication table and floor"): the
//! contraindications and the consent rule that every library item of a kind carries,
//! whoever wrote it. A clinic item inherits the rows of its kind and cannot turn them off:
//! a missing row is added, a row weakened to relative is made absolute again, and consent
//! stays required for dry needling and thrust manipulation.
//!
//! [`with_floor`] is the one function that applies it. The service applies it when a
//! clinic item is created or edited and whenever a stored item is read, and the safety
//! check applies it again, so an item stored before the floor existed is still checked
//! with it.
//!
//! The kind is the category, refined by the technique where a category mixes risks.
//! An item that does not say its technique gets the strictest floor of its category
//! (manual therapy: thrust; heat, cold and electrotherapy: both the electrotherapy and the
//! heat rows).

use super::history::HistoryCode::*;
use super::modality::{Category, Contraindication, ModalityDef, Severity, Technique};
use super::safety::SafetyFact::{self, ProgressiveNeuroDeficit, ReducedSensation};

fn abs(fact: impl Into<SafetyFact>, note: &str) -> Contraindication {
    Contraindication { fact: fact.into(), severity: Severity::Absolute, note: note.to_string() }
}

fn rel(fact: impl Into<SafetyFact>, note: &str) -> Contraindication {
    Contraindication { fact: fact.into(), severity: Severity::Relative, note: note.to_string() }
}

/// Dry needling: the table row.
pub fn dry_needling() -> Vec<Contraindication> {
    vec![
        abs(NeedlePhobia, "Fear of needles: needling is not acceptable to the patient. Choose another treatment."),
        abs(LocalInfection, "Infection at or near the needling site."),
        abs(OpenWound, "Skin lesion or open wound at the needling site."),
        abs(Lymphoedema, "Lymphoedema in the region: needling risks infection and more swelling."),
        abs(MetalAllergy, "Metal allergy: risk of reaction to the needle."),
        rel(Anticoagulants, "Bleeding and bruising risk: light technique, firm pressure afterwards, avoid deep sites."),
        rel(BleedingDisorder, "Bleeding risk: light technique, firm pressure afterwards, avoid deep sites."),
        rel(Pregnancy, "Avoid deep needling of the lower back and pelvis, especially in the first trimester."),
        rel(Immunosuppression, "Higher infection risk: strict clean technique, check the skin."),
        rel(Diabetes, "Slower healing and infection risk; sensation may be reduced."),
        rel(
            CancerHistory,
            "Do not needle over a tumour or a limb with lymph nodes removed; check with the oncology team.",
        ),
    ]
}

/// Kinesiology taping: the table row.
pub fn taping() -> Vec<Contraindication> {
    vec![
        abs(OpenWound, "Do not tape over broken skin."),
        abs(AdhesiveAllergy, "Allergy to adhesive: skin reaction."),
        abs(FragileSkin, "Fragile skin tears when the tape is removed."),
        abs(Dvt, "Do not tape over a known or suspected deep vein thrombosis."),
        abs(LocalInfection, "Do not tape over infected skin."),
        rel(Diabetes, "Sensation may be reduced, hiding a skin reaction: check the skin at each visit."),
        rel(Pregnancy, "Avoid tension over the abdomen; watch for skin reactions."),
        rel(Lymphoedema, "Only lymphatic taping by a trained clinician; watch for skin breakdown."),
    ]
}

/// Thrust manipulation: the table row.
pub fn thrust() -> Vec<Contraindication> {
    vec![
        abs(Osteoporosis, "Severe osteoporosis: fracture risk. For mild, treated osteoporosis the clinician may override with a reason."),
        abs(CancerHistory, "Cancer with possible bone involvement: fracture risk. Override only once bone involvement is excluded."),
        abs(ProgressiveNeuroDeficit, "Progressive neurological deficit needs medical review, not manipulation."),
        abs(BleedingDisorder, "Bleeding disorder: risk of bleeding into the spinal canal or soft tissue."),
        rel(Anticoagulants, "Bleeding risk: prefer non-thrust techniques and lower force."),
    ]
}

/// TENS and electrotherapy: the table row.
pub fn electrotherapy() -> Vec<Contraindication> {
    vec![
        abs(Pacemaker, "Pacemaker or implanted stimulator: electrical interference."),
        abs(Pregnancy, "Never place electrodes over or near a pregnant abdomen or pelvis. Override only with electrodes well away from the trunk."),
        rel(Diabetes, "Sensation may be reduced: test skin sensation first and use low intensity."),
    ]
}

/// Heat: the table row.
pub fn heat() -> Vec<Contraindication> {
    vec![
        abs(ReducedSensation, "Burn risk: the patient cannot judge the heat."),
        abs(OpenWound, "Do not apply heat over an open wound."),
        abs(Dvt, "Heat increases blood flow: do not apply near a deep vein thrombosis."),
        rel(Diabetes, "Sensation and circulation may be reduced: check the skin, lower the heat, shorten the time."),
    ]
}

/// The floor rows for an item of this category and technique (empty when the table has no
/// row for it).
pub fn rows(category: Category, technique: Option<Technique>) -> Vec<Contraindication> {
    match (category, technique) {
        (Category::DryNeedling, _) => dry_needling(),
        (Category::Taping, _) => taping(),
        (Category::ManualTherapy, Some(Technique::Thrust) | None) => thrust(),
        (Category::ThermalElectro, Some(Technique::Electrotherapy)) => electrotherapy(),
        (Category::ThermalElectro, Some(Technique::Heat)) => heat(),
        (Category::ThermalElectro, None) => merge(electrotherapy(), &heat()),
        _ => Vec::new(),
    }
}

/// Whether recorded consent is always required: dry needling and thrust manipulation
/// (and a manual therapy item that does not say it is not a thrust).
pub fn consent(category: Category, technique: Option<Technique>) -> bool {
    matches!(
        (category, technique),
        (Category::DryNeedling, _) | (Category::ManualTherapy, Some(Technique::Thrust) | None)
    )
}

/// `list` with every floor row present at least as strongly: a missing fact is added, a
/// relative one that the floor makes absolute becomes absolute (keeping its note unless
/// blank). Rows beyond the floor are kept.
fn merge(mut list: Vec<Contraindication>, floor: &[Contraindication]) -> Vec<Contraindication> {
    for row in floor {
        if !list.iter().any(|c| c.fact == row.fact) {
            list.push(row.clone());
            continue;
        }
        for c in list.iter_mut().filter(|c| c.fact == row.fact) {
            if row.severity == Severity::Absolute {
                c.severity = Severity::Absolute;
            }
            if c.note.trim().is_empty() {
                c.note = row.note.clone();
            }
        }
    }
    list
}

/// The item with its kind's floor applied (see the module documentation). Applying it
/// twice changes nothing.
pub fn with_floor(def: &ModalityDef) -> ModalityDef {
    let mut floored = def.clone();
    floored.contraindications = merge(def.contraindications.clone(), &rows(def.category, def.technique));
    floored.consent_required = def.consent_required || consent(def.category, def.technique);
    floored
}

#[cfg(test)]
mod tests {
    use super::super::history::HistoryCode;
    use super::super::library;
    use super::super::safety::{check_item, ItemRequest, SafetyProfile, Verdict};
    use super::*;

    fn bare(category: Category, technique: Option<Technique>) -> ModalityDef {
        let mut def = library::builtin()[0].clone();
        def.category = category;
        def.technique = technique;
        def.contraindications = Vec::new();
        def.consent_required = false;
        def
    }

    fn facts(history: &[HistoryCode]) -> SafetyProfile {
        SafetyProfile::from_history(history)
    }

    #[test]
    fn a_dry_needling_item_with_nothing_listed_still_needs_consent_and_blocks_needle_phobia() {
        let floored = with_floor(&bare(Category::DryNeedling, None));
        assert!(floored.consent_required);
        let request = ItemRequest { override_reason: None, consent: true };
        assert_eq!(
            check_item(&floored, &facts(&[NeedlePhobia]), &request),
            Verdict::Blocked(vec![SafetyFact::History(NeedlePhobia)])
        );
        let no_consent = ItemRequest { override_reason: None, consent: false };
        assert_eq!(check_item(&floored, &facts(&[]), &no_consent), Verdict::ConsentRequired);
    }

    #[test]
    fn the_check_applies_the_floor_to_an_item_stored_without_it() {
        let old = bare(Category::DryNeedling, None);
        let request = ItemRequest { override_reason: None, consent: false };
        assert_eq!(check_item(&old, &facts(&[]), &request), Verdict::ConsentRequired);
        let consented = ItemRequest { override_reason: None, consent: true };
        assert!(matches!(check_item(&old, &facts(&[MetalAllergy]), &consented), Verdict::Blocked(_)));
    }

    #[test]
    fn a_row_weakened_to_relative_is_made_absolute_again_and_extra_rows_are_kept() {
        let mut def = bare(Category::Taping, None);
        def.contraindications = vec![rel(AdhesiveAllergy, "mild"), rel(ReducedSensation, "check skin")];
        let floored = with_floor(&def);
        let allergy = floored.contraindications.iter().find(|c| c.fact == SafetyFact::History(AdhesiveAllergy));
        assert_eq!(allergy.map(|c| (c.severity, c.note.as_str())), Some((Severity::Absolute, "mild")));
        assert!(floored.contraindications.iter().any(|c| c.fact == ReducedSensation));
        assert_eq!(floored.contraindications.len(), taping().len() + 1);
    }

    #[test]
    fn the_floor_follows_the_technique_and_is_strictest_when_it_is_not_given() {
        let table = [
            (Category::ManualTherapy, Some(Technique::Thrust), thrust().len(), true),
            (Category::ManualTherapy, Some(Technique::NonThrust), 0, false),
            (Category::ManualTherapy, Some(Technique::SoftTissue), 0, false),
            (Category::ManualTherapy, None, thrust().len(), true),
            (Category::ThermalElectro, Some(Technique::Electrotherapy), electrotherapy().len(), false),
            (Category::ThermalElectro, Some(Technique::Heat), heat().len(), false),
            (Category::ThermalElectro, Some(Technique::Cold), 0, false),
            (Category::Exercise, None, 0, false),
            (Category::Education, None, 0, false),
        ];
        for (category, technique, rows, consent) in table {
            let floored = with_floor(&bare(category, technique));
            assert_eq!(floored.contraindications.len(), rows, "{category} {technique:?}");
            assert_eq!(floored.consent_required, consent, "{category} {technique:?}");
        }
        let unknown_thermal = with_floor(&bare(Category::ThermalElectro, None));
        for fact in [SafetyFact::History(Pacemaker), ReducedSensation, SafetyFact::History(Dvt)] {
            assert!(unknown_thermal
                .contraindications
                .iter()
                .any(|c| c.fact == fact && c.severity == Severity::Absolute));
        }
    }

    #[test]
    fn every_built_in_item_already_meets_its_floor() {
        for def in library::builtin() {
            assert_eq!(&with_floor(def), def, "{}", def.code);
        }
    }

    #[test]
    fn applying_the_floor_twice_changes_nothing() {
        for category in Category::ALL {
            let once = with_floor(&bare(category, None));
            assert_eq!(with_floor(&once), once, "{category}");
        }
    }
}
