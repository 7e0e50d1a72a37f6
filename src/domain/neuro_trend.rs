//! Neurology trend across visits (docs/clinical-rules.md, "Neurology trend").
//!
//! For each myotome, dermatome and reflex and each side, every recorded value is compared
//! with the most recent earlier recorded value of the same code and side, whatever visits
//! came between (a visit that did not test it neither hides nor resets a change). A lower
//! myotome grade, or a dermatome or reflex that moves towards reduced or absent (or newly
//! heightened), is a deterioration: a progressive neurological deficit. A first abnormal
//! value on a side never examined at an earlier visit is "needs review", not silence.
//!
//! The trend is computed from the whole record whenever it is read, so amending or
//! back-dating a visit recomputes every later comparison; nothing derived is stored in a
//! visit's content, and the clinician's own answers and notes are never overwritten.
//!
//! What "worse" means, per side, for the same code:
//! - Myotomes: any drop in grade (5 -> 4 counts).
//! - Dermatomes: loss of sensation ranks normal = increased < reduced < absent; a higher
//!   rank is worse. `increased` (hyperaesthesia) is abnormal, so normal -> increased is
//!   also worse. increased -> normal, or reduced -> increased (sensation returning), is not.
//! - Reflexes: the same with normal = brisk < reduced < absent, and normal -> brisk is
//!   worse (new hyperreflexia suggests an upper motor neuron sign).

use super::findings::{FindingValue, Side, Value};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// A neurological finding that worsened on one side between two assessments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deterioration {
    /// The finding code, e.g. `myotome_l5`.
    pub code: &'static str,
    /// The side that worsened.
    pub side: Side,
    /// The earlier value, e.g. `5` or `normal`.
    pub previous: String,
    /// The current value.
    pub current: String,
}

impl fmt::Display for Deterioration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}) worse: {} -> {}", self.code, self.side, self.previous, self.current)
    }
}

/// The myotome, dermatome and reflex codes.
pub const NEURO_CODES: &[&str] = &[
    "myotome_l4",
    "myotome_l5",
    "myotome_s1",
    "dermatome_l4",
    "dermatome_l5",
    "dermatome_s1",
    "reflex_knee",
    "reflex_ankle",
];

/// Rank of loss: higher is a greater deficit. `None` for an unrecognised word.
fn loss_rank(word: &str) -> Option<u8> {
    match word {
        "normal" | "increased" | "brisk" => Some(0),
        "reduced" => Some(1),
        "absent" => Some(2),
        _ => None,
    }
}

/// Whether `current` is worse than `previous` (the rules above).
pub fn worse(previous: &Value, current: &Value) -> bool {
    match (previous, current) {
        (Value::Integer(p), Value::Integer(c)) => c < p,
        (Value::Choice(p), Value::Choice(c)) => {
            let more_loss = matches!((loss_rank(p), loss_rank(c)), (Some(p), Some(c)) if c > p);
            let newly_heightened = *p == "normal" && matches!(*c, "increased" | "brisk");
            more_loss || newly_heightened
        }
        _ => false,
    }
}

/// Myotome, dermatome and reflex findings that worsened from `previous` to `current`: the
/// trend over two visits.
pub fn neuro_deterioration(previous: &[FindingValue], current: &[FindingValue]) -> Vec<Deterioration> {
    let visits = [Visit { key: 0, findings: previous }, Visit { key: 1, findings: current }];
    trend(&visits).worsened.into_iter().map(|w| w.change).collect()
}

/// One visit's findings, in the order visits happened.
#[derive(Debug, Clone, Copy)]
pub struct Visit<'a, K> {
    /// The caller's key for the visit (e.g. the assessment id).
    pub key: K,
    /// The findings recorded at that visit.
    pub findings: &'a [FindingValue],
}

/// A deterioration found at a visit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Worsened<K> {
    /// The visit where the worse value was recorded.
    pub at: K,
    /// What worsened, from which earlier value.
    pub change: Deterioration,
}

/// A first abnormal value on a side that earlier visits never examined.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NeedsReview<K> {
    /// The visit.
    pub at: K,
    /// The finding code, e.g. `dermatome_s1`.
    pub code: &'static str,
    /// The side.
    pub side: Side,
    /// The value, e.g. `reduced`.
    pub value: String,
}

/// The trend over a patient's visits.
#[derive(Debug, Clone, PartialEq)]
pub struct Trend<K> {
    /// Every deterioration, oldest visit first.
    pub worsened: Vec<Worsened<K>>,
    /// First abnormal values on sides never examined before.
    pub needs_review: Vec<NeedsReview<K>>,
    /// The most recent recorded value per code and side, with the visit it came from.
    pub latest: BTreeMap<(&'static str, Side), (Value, K)>,
}

impl<K: PartialEq + Clone> Trend<K> {
    /// Deteriorations found at one visit.
    pub fn worsened_at(&self, key: &K) -> Vec<&Deterioration> {
        self.worsened.iter().filter(|w| &w.at == key).map(|w| &w.change).collect()
    }

    /// Whether a deficit is progressing now: the latest value of some code and side is a
    /// deterioration against the one before it.
    pub fn progressing(&self) -> bool {
        self.worsened
            .iter()
            .any(|w| self.latest.get(&(w.change.code, w.change.side)).is_some_and(|(_, at)| *at == w.at))
    }
}

/// Whether a neurological value is abnormal (a myotome below 5, any other word but normal).
pub fn abnormal(value: &Value) -> bool {
    match value {
        Value::Integer(grade) => *grade < 5,
        Value::Choice(word) => *word != "normal",
        _ => false,
    }
}

/// The trend over `visits`, oldest first.
pub fn trend<K: Clone>(visits: &[Visit<'_, K>]) -> Trend<K> {
    let mut latest: BTreeMap<(&'static str, Side), (Value, K)> = BTreeMap::new();
    let mut worsened = Vec::new();
    let mut needs_review = Vec::new();
    let mut examined_before = false;
    for visit in visits {
        let mut examined_here = false;
        for f in visit.findings.iter().filter(|f| NEURO_CODES.contains(&f.code)) {
            let Some(side) = f.side else { continue };
            examined_here = true;
            match latest.get(&(f.code, side)) {
                Some((previous, _)) if worse(previous, &f.value) => worsened.push(Worsened {
                    at: visit.key.clone(),
                    change: Deterioration {
                        code: f.code,
                        side,
                        previous: previous.to_string(),
                        current: f.value.to_string(),
                    },
                }),
                None if examined_before && abnormal(&f.value) => needs_review.push(NeedsReview {
                    at: visit.key.clone(),
                    code: f.code,
                    side,
                    value: f.value.to_string(),
                }),
                _ => {}
            }
            latest.insert((f.code, side), (f.value.clone(), visit.key.clone()));
        }
        examined_before |= examined_here;
    }
    Trend { worsened, needs_review, latest }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::findings::{validate, FindingInput};
    use proptest::prelude::*;
    use serde_json::json;

    fn f(code: &str, side: &str, value: serde_json::Value) -> FindingValue {
        let input = FindingInput {
            code: code.into(),
            side: Some(side.into()),
            value,
            method: None,
            note: None,
            positive: None,
        };
        validate(&input).unwrap()
    }

    fn run(visits: &[Vec<FindingValue>]) -> Trend<usize> {
        let list: Vec<Visit<'_, usize>> =
            visits.iter().enumerate().map(|(key, findings)| Visit { key, findings }).collect();
        trend(&list)
    }

    #[test]
    fn a_drop_across_a_visit_that_did_not_test_it_is_still_a_deterioration() {
        let got = run(&[
            vec![f("myotome_l5", "left", json!(4))],
            vec![f("slr", "left", json!(40))],
            vec![f("myotome_l5", "left", json!(2))],
        ]);
        assert_eq!(got.worsened.len(), 1);
        assert_eq!(got.worsened[0].at, 2);
        assert_eq!(got.worsened[0].change.previous, "4");
        assert_eq!(got.worsened[0].change.current, "2");
        assert!(got.progressing());
    }

    #[test]
    fn the_latest_value_of_a_finding_survives_a_visit_that_skipped_it() {
        let got = run(&[vec![f("dermatome_l5", "right", json!("reduced"))], vec![f("myotome_s1", "right", json!(5))]]);
        assert_eq!(
            got.latest.get(&("dermatome_l5", Side::Right)).map(|(v, at)| (v.to_string(), *at)),
            Some(("reduced".into(), 0))
        );
    }

    #[test]
    fn a_deficit_that_has_since_stayed_the_same_is_not_progressing_now() {
        let got = run(&[
            vec![f("reflex_ankle", "left", json!("normal"))],
            vec![f("reflex_ankle", "left", json!("reduced"))],
            vec![f("reflex_ankle", "left", json!("reduced"))],
        ]);
        assert_eq!(got.worsened.len(), 1);
        assert!(!got.progressing());
    }

    #[test]
    fn a_first_abnormal_value_on_a_side_never_examined_needs_review() {
        let got = run(&[
            vec![f("dermatome_s1", "left", json!("normal"))],
            vec![f("dermatome_s1", "right", json!("absent")), f("myotome_l4", "right", json!(5))],
        ]);
        assert!(got.worsened.is_empty());
        assert_eq!(got.needs_review.len(), 1);
        assert_eq!(
            (got.needs_review[0].code, got.needs_review[0].side, got.needs_review[0].at),
            ("dermatome_s1", Side::Right, 1)
        );
    }

    #[test]
    fn abnormal_values_at_the_first_examination_are_the_baseline_not_a_review() {
        let got = run(&[vec![f("myotome_l5", "left", json!(3))], vec![f("myotome_l5", "left", json!(3))]]);
        assert!(got.worsened.is_empty() && got.needs_review.is_empty());
    }

    #[test]
    fn improvement_then_a_new_drop_compares_with_the_most_recent_value() {
        let table =
            [(vec![3, 5, 4], vec![2]), (vec![5, 4, 5], vec![1]), (vec![2, 3, 4], vec![]), (vec![5, 5, 5], vec![])];
        for (grades, want) in table {
            let visits: Vec<Vec<FindingValue>> =
                grades.iter().map(|g| vec![f("myotome_s1", "left", json!(g))]).collect();
            let got: Vec<usize> = run(&visits).worsened.iter().map(|w| w.at).collect();
            assert_eq!(got, want, "{grades:?}");
        }
    }

    fn g(code: &str, side: Option<&str>, value: serde_json::Value) -> FindingValue {
        let input = FindingInput {
            code: code.into(),
            side: side.map(Into::into),
            value,
            method: None,
            note: None,
            positive: None,
        };
        validate(&input).unwrap()
    }

    #[test]
    fn neuro_deterioration_follows_the_documented_rules() {
        let table = [
            ("myotome_l5", json!(5), json!(4), true),
            ("myotome_l5", json!(4), json!(4), false),
            ("myotome_s1", json!(3), json!(4), false),
            ("dermatome_l5", json!("normal"), json!("reduced"), true),
            ("dermatome_l5", json!("reduced"), json!("absent"), true),
            ("dermatome_l5", json!("normal"), json!("increased"), true),
            ("dermatome_l5", json!("increased"), json!("reduced"), true),
            ("dermatome_l5", json!("absent"), json!("reduced"), false),
            ("dermatome_l5", json!("reduced"), json!("increased"), false),
            ("dermatome_l5", json!("increased"), json!("normal"), false),
            ("reflex_ankle", json!("normal"), json!("reduced"), true),
            ("reflex_ankle", json!("reduced"), json!("absent"), true),
            ("reflex_knee", json!("normal"), json!("brisk"), true),
            ("reflex_knee", json!("brisk"), json!("normal"), false),
            ("reflex_knee", json!("absent"), json!("normal"), false),
        ];
        for (code, before, after, want) in table {
            let got =
                neuro_deterioration(&[g(code, Some("left"), before.clone())], &[g(code, Some("left"), after.clone())]);
            assert_eq!(!got.is_empty(), want, "{code} {before} -> {after}");
        }
    }

    #[test]
    fn neuro_deterioration_compares_each_side_separately_and_skips_unrecorded() {
        let previous = [
            g("myotome_l5", Some("left"), json!(5)),
            g("myotome_l5", Some("right"), json!(5)),
            g("dermatome_s1", Some("left"), json!("normal")),
            g("slr", Some("left"), json!(70)),
        ];
        let current = [
            g("myotome_l5", Some("left"), json!(5)),
            g("myotome_l5", Some("right"), json!(3)),
            g("dermatome_s1", Some("right"), json!("absent")),
            g("slr", Some("left"), json!(30)),
        ];
        let got = neuro_deterioration(&previous, &current);
        assert_eq!(
            got,
            [Deterioration { code: "myotome_l5", side: Side::Right, previous: "5".into(), current: "3".into() }]
        );
        assert_eq!(got[0].to_string(), "myotome_l5 (right) worse: 5 -> 3");
    }

    proptest! {
        #[test]
        fn a_myotome_deteriorates_exactly_when_its_grade_drops(before in 0i64..=5, after in 0i64..=5, right in any::<bool>()) {
            let side = Some(if right { "right" } else { "left" });
            let got = neuro_deterioration(&[g("myotome_l4", side, json!(before))], &[g("myotome_l4", side, json!(after))]);
            prop_assert_eq!(got.len(), usize::from(after < before));
        }

        #[test]
        fn nothing_deteriorates_against_itself(grade in 0i64..=5, word in 0usize..4) {
            let list = [
                g("myotome_s1", Some("left"), json!(grade)),
                g("dermatome_l4", Some("right"), json!(["normal", "reduced", "absent", "increased"][word])),
                g("reflex_ankle", Some("left"), json!(["absent", "reduced", "normal", "brisk"][word])),
            ];
            prop_assert!(neuro_deterioration(&list, &list).is_empty());
        }
    }
}
