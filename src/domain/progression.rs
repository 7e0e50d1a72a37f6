//! Progression criteria: "measure comparator value" rules that say when a patient is
//! ready to move to the next stage, evaluated against the latest assessment.
//!
//! The engine only suggests "ready to progress"; the clinician confirms. A criterion
//! without data is never met, and an empty list of criteria is never met either (there
//! is nothing to judge, so the clinician decides).

use super::modality::Stage;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

/// A number the caller derives from assessments. Yes/no measures are 1 (yes) or 0 (no).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Pain now, NPRS 0–10.
    NprsNow,
    /// Worst pain in the last 24 hours, NPRS 0–10.
    NprsWorst,
    /// Oswestry Disability Index, 0–100 % (lower is better).
    OdiPercent,
    /// ODI points gained since baseline: baseline percent minus current percent, so a
    /// fall from 46 % to 30 % is an improvement of 16.
    OdiImprovement,
    /// Straight leg raise, left, degrees at symptom onset (full range if no symptoms).
    SlrLeft,
    /// Straight leg raise, right, degrees at symptom onset (full range if no symptoms).
    SlrRight,
    /// SLR on the symptomatic side; when both sides are symptomatic, the lower of the two
    /// (see [`slr_for_side`]).
    SlrAffected,
    /// 1 when the SLR on the symptomatic side(s) does not reproduce pain below the knee
    /// (the `slr` finding is not positive), else 0.
    SlrNoDistalSymptoms,
    /// Lowest manual muscle test or myotome grade recorded, Oxford 0–5.
    MmtMin,
    /// 1 when no myotome, dermatome or reflex is worse than at the previous assessment
    /// and `rf_progressive_neuro_deficit` is not positive, else 0. No value (so never met)
    /// when the assessment examined no myotome, dermatome or reflex: unknown is not "no
    /// new deficit".
    NoNewNeuroDeficit,
    /// 1 when every goal of the plan has reached its target, else 0 (computed by the plan).
    GoalsMet,
    /// Roland-Morris Disability Questionnaire score, 0–24 (lower is better).
    Rmdq,
    /// Patient-Specific Functional Scale, mean rating 0–10 (higher is better: a goal or
    /// criterion on it uses `ge`).
    PsfsMean,
}

impl Measure {
    /// Every measure.
    pub const ALL: [Measure; 13] = [
        Self::NprsNow,
        Self::NprsWorst,
        Self::OdiPercent,
        Self::OdiImprovement,
        Self::SlrLeft,
        Self::SlrRight,
        Self::SlrAffected,
        Self::SlrNoDistalSymptoms,
        Self::MmtMin,
        Self::NoNewNeuroDeficit,
        Self::GoalsMet,
        Self::Rmdq,
        Self::PsfsMean,
    ];

    /// The stable code used in the API and the database.
    pub fn code(self) -> &'static str {
        self.names().0
    }

    /// A label for the clinician's plan screen.
    pub fn label(self) -> &'static str {
        self.names().1
    }

    fn names(self) -> (&'static str, &'static str) {
        match self {
            Self::NprsNow => ("nprs_now", "NPRS now"),
            Self::NprsWorst => ("nprs_worst", "NPRS worst (24 h)"),
            Self::OdiPercent => ("odi_percent", "ODI %"),
            Self::OdiImprovement => ("odi_improvement", "ODI improvement (points)"),
            Self::SlrLeft => ("slr_left", "SLR left (degrees)"),
            Self::SlrRight => ("slr_right", "SLR right (degrees)"),
            Self::SlrAffected => ("slr_affected", "SLR affected side (degrees)"),
            Self::SlrNoDistalSymptoms => ("slr_no_distal_symptoms", "SLR without symptoms below the knee"),
            Self::MmtMin => ("mmt_min", "Lowest muscle grade (Oxford 0-5)"),
            Self::NoNewNeuroDeficit => ("no_new_neuro_deficit", "No new neurological deficit"),
            Self::GoalsMet => ("goals_met", "All goals met"),
            Self::Rmdq => ("rmdq", "Roland-Morris score (0-24)"),
            Self::PsfsMean => ("psfs_mean", "PSFS mean rating (0-10)"),
        }
    }

    /// The values a criterion on this measure may use, inclusive.
    pub fn range(self) -> (f64, f64) {
        match self {
            Self::NprsNow | Self::NprsWorst => (0.0, 10.0),
            Self::OdiPercent => (0.0, 100.0),
            Self::OdiImprovement => (-100.0, 100.0),
            Self::SlrLeft | Self::SlrRight | Self::SlrAffected => (0.0, 120.0),
            Self::MmtMin => (0.0, 5.0),
            Self::Rmdq => (0.0, 24.0),
            Self::PsfsMean => (0.0, 10.0),
            Self::SlrNoDistalSymptoms | Self::NoNewNeuroDeficit | Self::GoalsMet => (0.0, 1.0),
        }
    }

    fn is_yes_no(self) -> bool {
        matches!(self, Self::SlrNoDistalSymptoms | Self::NoNewNeuroDeficit | Self::GoalsMet)
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Measure {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|m| m.code() == s).ok_or_else(|| String::from("not a known measure"))
    }
}

/// How a measured value is compared with the criterion's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Comparator {
    Lt,
    Le,
    Eq,
    Ge,
    Gt,
}

/// Tolerance for floating-point rounding: ODI percents are fractions of 45 or 50, so an
/// improvement of exactly 10 points may arrive as 9.999999999999998.
const EPSILON: f64 = 1e-9;

impl Comparator {
    /// Every comparator.
    pub const ALL: [Comparator; 5] = [Self::Lt, Self::Le, Self::Eq, Self::Ge, Self::Gt];

    /// The stable code used in the API and the database.
    pub fn code(self) -> &'static str {
        match self {
            Self::Lt => "lt",
            Self::Le => "le",
            Self::Eq => "eq",
            Self::Ge => "ge",
            Self::Gt => "gt",
        }
    }

    /// The mathematical symbol, for the clinician's screen.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Eq => "=",
            Self::Ge => ">=",
            Self::Gt => ">",
        }
    }

    /// Whether `actual` satisfies the comparison with `target`, within [`EPSILON`].
    pub fn holds(self, actual: f64, target: f64) -> bool {
        match self {
            Self::Lt => actual < target - EPSILON,
            Self::Le => actual <= target + EPSILON,
            Self::Eq => (actual - target).abs() <= EPSILON,
            Self::Ge => actual >= target - EPSILON,
            Self::Gt => actual > target + EPSILON,
        }
    }
}

impl FromStr for Comparator {
    type Err = String;
    /// Accepts the code (`ge`) or the symbol (`>=`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|c| c.code() == s || c.symbol() == s)
            .ok_or_else(|| String::from("not a known comparator"))
    }
}

/// One rule, e.g. `nprs_worst le 5`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Criterion {
    /// What is measured.
    pub measure: Measure,
    /// How it is compared.
    pub comparator: Comparator,
    /// The threshold.
    pub value: f64,
}

impl Criterion {
    /// A criterion.
    pub fn new(measure: Measure, comparator: Comparator, value: f64) -> Criterion {
        Criterion { measure, comparator, value }
    }

    /// Refuses a value outside the measure's range (or not a number), naming the range.
    pub fn validate(&self) -> Result<(), String> {
        let (lo, hi) = self.measure.range();
        if self.value.is_finite() && self.value >= lo && self.value <= hi {
            Ok(())
        } else {
            Err(format!("{} must be between {} and {}", self.measure.code(), number(lo), number(hi)))
        }
    }
}

impl fmt::Display for Criterion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.measure.label(), self.comparator.symbol(), number(self.value))
    }
}

/// The latest value of each measure; a missing key means no data.
pub type MeasureSnapshot = HashMap<Measure, f64>;

/// How one criterion fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Met,
    NotMet,
    /// The measure was not recorded (or is not a number).
    NoData,
}

/// The result of [`evaluate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// True when there is at least one criterion and every one is met.
    pub met: bool,
    /// Each criterion with its outcome, in the order given.
    pub per_criterion: Vec<(Criterion, Outcome)>,
}

/// Evaluates every criterion against the snapshot.
pub fn evaluate(criteria: &[Criterion], snapshot: &MeasureSnapshot) -> Evaluation {
    let per_criterion: Vec<(Criterion, Outcome)> = criteria
        .iter()
        .map(|c| {
            let outcome = match snapshot.get(&c.measure).copied().filter(|v| v.is_finite()) {
                None => Outcome::NoData,
                Some(v) if c.comparator.holds(v, c.value) => Outcome::Met,
                Some(_) => Outcome::NotMet,
            };
            (*c, outcome)
        })
        .collect();
    let met = !per_criterion.is_empty() && per_criterion.iter().all(|(_, o)| *o == Outcome::Met);
    Evaluation { met, per_criterion }
}

/// Default criteria for leaving a stage (docs/clinical-rules.md "Stage criteria"); leaving stage 4
/// means discharge.
///
/// - 1 -> 2: NPRS worst <= 5 and no new neurological deficit.
/// - 2 -> 3: SLR on the affected side >= 60 degrees without symptoms below the knee. The
///   assessment stores one angle and a positive/negative flag per side, so this is two
///   criteria: `slr_affected >= 60` and `slr_no_distal_symptoms = 1`. It is stricter than
///   "60 degrees before distal symptoms start": a test that turns positive only beyond 60
///   degrees counts as not met, and the clinician may progress anyway.
/// - 3 -> 4: ODI improved >= 10 points and MMT >= 4+, read as 4.5 (a plus adds half a
///   grade, see [`mmt_grade`]), so a grade of 4 is not yet ready.
/// - discharge: all goals met.
pub fn default_criteria(stage: Stage) -> Vec<Criterion> {
    use Comparator::*;
    use Measure::*;
    match stage {
        Stage::PainControl => vec![Criterion::new(NprsWorst, Le, 5.0), Criterion::new(NoNewNeuroDeficit, Eq, 1.0)],
        Stage::Mobility => vec![Criterion::new(SlrAffected, Ge, 60.0), Criterion::new(SlrNoDistalSymptoms, Eq, 1.0)],
        Stage::Strength => vec![Criterion::new(OdiImprovement, Ge, 10.0), Criterion::new(MmtMin, Ge, 4.5)],
        Stage::Functional => vec![Criterion::new(GoalsMet, Eq, 1.0)],
    }
}

/// Reads a muscle grade such as "4", "4+" or "3-": a plus adds half a grade and a minus
/// takes half off. Refuses anything outside 0–5 ("5+", "0-").
pub fn mmt_grade(text: &str) -> Option<f64> {
    let text = text.trim();
    let (digits, shift) = match text.strip_suffix('+') {
        Some(d) => (d, 0.5),
        None => match text.strip_suffix('-') {
            Some(d) => (d, -0.5),
            None => (text, 0.0),
        },
    };
    let grade = f64::from(digits.parse::<u8>().ok()?) + shift;
    (0.0..=5.0).contains(&grade).then_some(grade)
}

/// The SLR angle that counts for `slr_affected`: the symptomatic side's, or the lower of
/// both for `bilateral` (no value unless both are recorded). `side` is the patient's
/// `left`, `right` or `bilateral`.
pub fn slr_for_side(side: &str, left: Option<f64>, right: Option<f64>) -> Option<f64> {
    match side {
        "left" => left,
        "right" => right,
        "bilateral" => Some(left?.min(right?)),
        _ => None,
    }
}

/// The criterion in plain words for the handout, e.g. "Your worst pain is 5 out of 10 or
/// less".
pub fn plain_words(c: &Criterion) -> String {
    use Measure::*;
    if c.measure.is_yes_no() {
        let wants_yes = c.comparator.holds(1.0, c.value) && !c.comparator.holds(0.0, c.value);
        let wants_no = c.comparator.holds(0.0, c.value) && !c.comparator.holds(1.0, c.value);
        let (yes, no) = match c.measure {
            SlrNoDistalSymptoms => (
                "Lifting your straight leg no longer sends pain below your knee",
                "Lifting your straight leg still sends pain below your knee",
            ),
            NoNewNeuroDeficit => ("No new numbness or weakness has appeared", "New numbness or weakness has appeared"),
            _ => ("You have reached the goals we agreed", "You have not yet reached the goals we agreed"),
        };
        return match (wants_yes, wants_no) {
            (true, _) => yes.into(),
            (_, true) => no.into(),
            _ => format!("Your physiotherapist will check: {c}"),
        };
    }
    let (subject, unit) = match c.measure {
        NprsNow => ("Your pain right now is", " out of 10"),
        NprsWorst => ("Your worst pain is", " out of 10"),
        OdiPercent => ("Your back pain questionnaire score is", "%"),
        OdiImprovement => ("Your back pain questionnaire score has improved by", " points"),
        SlrLeft => ("Your straight left leg can be lifted to", " degrees"),
        SlrRight => ("Your straight right leg can be lifted to", " degrees"),
        SlrAffected => ("Your straight painful leg can be lifted to", " degrees"),
        Rmdq => ("Your Roland-Morris back questionnaire score is", " out of 24"),
        PsfsMean => ("Your average rating of the activities you chose is", " out of 10"),
        _ => ("Your weakest muscle test scores", " out of 5"),
    };
    let v = format!("{}{unit}", number(c.value));
    let amount = match c.comparator {
        Comparator::Lt => format!("less than {v}"),
        Comparator::Le => format!("{v} or less"),
        Comparator::Eq => v,
        Comparator::Ge => format!("{v} or more"),
        Comparator::Gt => format!("more than {v}"),
    };
    format!("{subject} {amount}")
}

/// 5 -> "5", 4.5 -> "4.5" (Rust prints whole floats without a decimal point).
fn number(v: f64) -> String {
    format!("{v}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(values: &[(Measure, f64)]) -> MeasureSnapshot {
        values.iter().copied().collect()
    }

    fn outcome(c: Criterion, value: f64) -> Outcome {
        evaluate(&[c], &snapshot(&[(c.measure, value)])).per_criterion[0].1
    }

    #[test]
    fn stage_one_criteria_are_met_when_worst_pain_is_five_and_no_new_deficit() {
        let snap = snapshot(&[(Measure::NprsWorst, 5.0), (Measure::NoNewNeuroDeficit, 1.0)]);
        let result = evaluate(&default_criteria(Stage::PainControl), &snap);
        assert!(result.met);
        assert!(result.per_criterion.iter().all(|(_, o)| *o == Outcome::Met));
    }

    #[test]
    fn one_unmet_criterion_means_not_ready() {
        let snap = snapshot(&[(Measure::NprsWorst, 6.0), (Measure::NoNewNeuroDeficit, 1.0)]);
        let result = evaluate(&default_criteria(Stage::PainControl), &snap);
        assert!(!result.met);
        assert_eq!(result.per_criterion[0].1, Outcome::NotMet);
        assert_eq!(result.per_criterion[1].1, Outcome::Met);
    }

    #[test]
    fn a_criterion_without_data_is_never_met() {
        let snap = snapshot(&[(Measure::OdiImprovement, 20.0)]);
        let criteria = default_criteria(Stage::Strength);
        let result = evaluate(&criteria, &snap);
        assert!(!result.met);
        assert_eq!(result.per_criterion[0].1, Outcome::Met);
        assert_eq!(result.per_criterion[1].1, Outcome::NoData);
        let anything = Criterion::new(Measure::NprsNow, Comparator::Le, 10.0);
        assert_eq!(outcome(anything, f64::NAN), Outcome::NoData);
    }

    #[test]
    fn an_empty_list_of_criteria_is_not_met() {
        assert!(!evaluate(&[], &snapshot(&[(Measure::NprsWorst, 0.0)])).met);
    }

    #[test]
    fn each_comparator_is_exact_at_its_boundary() {
        let c = |cmp| Criterion::new(Measure::NprsWorst, cmp, 5.0);
        use Outcome::{Met, NotMet};
        let table = [
            (Comparator::Lt, [Met, NotMet, NotMet]),
            (Comparator::Le, [Met, Met, NotMet]),
            (Comparator::Eq, [NotMet, Met, NotMet]),
            (Comparator::Ge, [NotMet, Met, Met]),
            (Comparator::Gt, [NotMet, NotMet, Met]),
        ];
        for (cmp, expected) in table {
            let rounded = [outcome(c(cmp), 5.0 - 1e-12), outcome(c(cmp), 5.0 + 1e-12)];
            assert_eq!(rounded, [expected[1]; 2], "{cmp:?} with rounding error");
            let got = [outcome(c(cmp), 4.9), outcome(c(cmp), 5.0), outcome(c(cmp), 5.1)];
            assert_eq!(got, expected, "{cmp:?}");
        }
    }

    #[test]
    fn stage_two_needs_sixty_degrees_and_no_pain_below_the_knee() {
        let criteria = default_criteria(Stage::Mobility);
        let ready = |slr, clear| {
            let snap = snapshot(&[(Measure::SlrAffected, slr), (Measure::SlrNoDistalSymptoms, clear)]);
            evaluate(&criteria, &snap).met
        };
        assert!(ready(60.0, 1.0));
        assert!(!ready(65.0, 0.0), "a positive SLR beyond 60 degrees is not enough");
        assert!(!ready(59.0, 1.0));
    }

    #[test]
    fn stage_three_needs_ten_odi_points_and_grade_four_plus() {
        let criteria = default_criteria(Stage::Strength);
        let ready = |odi, mmt| {
            let snap = snapshot(&[(Measure::OdiImprovement, odi), (Measure::MmtMin, mmt)]);
            evaluate(&criteria, &snap).met
        };
        assert!(ready(10.0, 4.5));
        assert!(!ready(10.0, 4.0), "4 is below 4+");
        assert!(!ready(9.0, 5.0));
        assert!(!ready(30.0, 3.5));
        let discharge = vec![Criterion::new(Measure::GoalsMet, Comparator::Eq, 1.0)];
        assert_eq!(default_criteria(Stage::Functional), discharge);
    }

    #[test]
    fn muscle_grades_with_plus_and_minus_are_read_as_half_grades() {
        assert_eq!(mmt_grade("4+"), Some(4.5));
        assert_eq!(mmt_grade(" 3- "), Some(2.5));
        assert_eq!(mmt_grade("5"), Some(5.0));
        assert_eq!(mmt_grade("5+"), None);
        assert_eq!(mmt_grade("0-"), None);
        assert_eq!(mmt_grade("strong"), None);
    }

    #[test]
    fn the_affected_slr_is_the_lower_side_when_both_legs_hurt() {
        assert_eq!(slr_for_side("left", Some(40.0), Some(80.0)), Some(40.0));
        assert_eq!(slr_for_side("right", Some(40.0), Some(80.0)), Some(80.0));
        assert_eq!(slr_for_side("bilateral", Some(70.0), Some(55.0)), Some(55.0));
        assert_eq!(slr_for_side("bilateral", Some(70.0), None), None);
        assert_eq!(slr_for_side("both", Some(70.0), Some(70.0)), None);
    }

    #[test]
    fn criteria_read_in_plain_words_for_the_handout() {
        use Comparator::*;
        use Measure::*;
        let table = [
            (NprsWorst, Le, 5.0, "Your worst pain is 5 out of 10 or less"),
            (OdiImprovement, Ge, 10.0, "Your back pain questionnaire score has improved by 10 points or more"),
            (SlrAffected, Gt, 60.0, "Your straight painful leg can be lifted to more than 60 degrees"),
            (MmtMin, Ge, 4.5, "Your weakest muscle test scores 4.5 out of 5 or more"),
            (OdiPercent, Lt, 20.0, "Your back pain questionnaire score is less than 20%"),
            (NprsNow, Eq, 0.0, "Your pain right now is 0 out of 10"),
            (NoNewNeuroDeficit, Eq, 1.0, "No new numbness or weakness has appeared"),
            (SlrNoDistalSymptoms, Ge, 1.0, "Lifting your straight leg no longer sends pain below your knee"),
            (GoalsMet, Eq, 1.0, "You have reached the goals we agreed"),
            (GoalsMet, Lt, 1.0, "You have not yet reached the goals we agreed"),
            (Rmdq, Le, 7.0, "Your Roland-Morris back questionnaire score is 7 out of 24 or less"),
            (PsfsMean, Ge, 7.0, "Your average rating of the activities you chose is 7 out of 10 or more"),
        ];
        for (measure, cmp, value, words) in table {
            assert_eq!(plain_words(&Criterion::new(measure, cmp, value)), words);
        }
    }

    #[test]
    fn codes_round_trip_and_values_outside_the_range_are_refused() {
        for m in Measure::ALL {
            assert_eq!(m.code().parse::<Measure>(), Ok(m));
        }
        for c in Comparator::ALL {
            assert_eq!(c.code().parse::<Comparator>(), Ok(c));
            assert_eq!(c.symbol().parse::<Comparator>(), Ok(c));
        }
        let nprs = |v| Criterion::new(Measure::NprsWorst, Comparator::Le, v);
        assert_eq!(nprs(5.0).validate(), Ok(()));
        let refused = Err("nprs_worst must be between 0 and 10".to_string());
        assert_eq!(nprs(11.0).validate(), refused);
        assert!(nprs(f64::NAN).validate().is_err());
    }

    #[test]
    fn a_criterion_serialises_with_snake_case_codes() {
        let json = serde_json::to_string(&Criterion::new(Measure::NprsWorst, Comparator::Le, 5.0)).unwrap_or_default();
        assert_eq!(json, r#"{"measure":"nprs_worst","comparator":"le","value":5.0}"#);
    }
}
