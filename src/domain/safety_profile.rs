//! The patient safety profile: one pure function builds it from the whole record, and
//! every safety decision (adding an item, activating, amending, advancing, printing,
//! reading a plan) reads it and nothing else (docs/clinical-rules.md, "Safety profile").
//!
//! - Facts: the history codes; from signed assessments, for each finding and side the most
//!   recent recorded value in date order (a visit that skipped a test does not erase the
//!   last result): reduced sensation, a progressing neurological deficit; screening answers
//!   that state a history fact (a positive cancer-history flag is `cancer_history`).
//! - Red flags: positive answers with no recorded action, and deteriorations found by the
//!   neurology trend (derived, so amending or back-dating a visit recomputes them).
//! - Screening: whether the current episode has a signed assessment answering every cauda
//!   equina item; suggestions the record supports for the clinician to confirm.

use super::assessment::{AssessmentContent, AssessmentKind};
use super::findings::Value;
use super::history::HistoryCode;
use super::mcid::{self, McidThresholds, Measure};
use super::neuro_trend::{self, NeedsReview, Trend, Visit};
use super::red_flags::{self, RedFlagGroup, RedFlagState, PROGRESSIVE_NEURO_DEFICIT};
use super::safety::SafetyFact;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::BTreeSet;
use uuid::Uuid;

/// One assessment as the profile sees it.
#[derive(Debug, Clone, Copy)]
pub struct RecordedAssessment<'a> {
    /// The assessment id.
    pub id: Uuid,
    /// Initial or reassessment.
    pub kind: AssessmentKind,
    /// Date of the examination.
    pub assessed_on: NaiveDate,
    /// Signed (locked) or a draft.
    pub signed: bool,
    /// The content in force (latest amendment, else the original).
    pub content: &'a AssessmentContent,
}

/// Everything known about the patient, as the profile needs it.
#[derive(Debug, Clone)]
pub struct ProfileInput<'a> {
    /// Recorded medical history.
    pub history: Vec<HistoryCode>,
    /// Date of birth.
    pub date_of_birth: NaiveDate,
    /// Onset of the current problem.
    pub onset_date: Option<NaiveDate>,
    /// Start of the current episode of care (re-referral); `None`: since the first visit.
    pub episode_started_on: Option<NaiveDate>,
    /// Every assessment, in any order (the profile sorts them by date).
    pub assessments: Vec<RecordedAssessment<'a>>,
    /// Red-flag actions recorded: (assessment id, flag code).
    pub actions: Vec<(Uuid, String)>,
    /// The clinic's MCID thresholds.
    pub thresholds: McidThresholds,
}

/// A positive red flag with no recorded action.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpenRedFlag {
    /// The assessment where it was found.
    pub assessment_id: Uuid,
    /// That assessment's date.
    pub assessed_on: NaiveDate,
    /// The flag code.
    pub code: &'static str,
    /// Its group.
    pub group: Option<RedFlagGroup>,
    /// Derived by the neurology trend rather than answered by the clinician.
    pub derived: bool,
}

/// Something the record suggests for the screen, for the clinician to confirm.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// The red-flag code it concerns.
    pub flag: &'static str,
    /// Why, in plain words.
    pub reason: String,
}

/// The patient safety profile.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SafetyProfile {
    /// Facts that hold now.
    pub facts: BTreeSet<SafetyFact>,
    /// Red flags still open (answered or derived), oldest first.
    pub open_red_flags: Vec<OpenRedFlag>,
    /// Deteriorations found over every recorded visit (drafts too), oldest first.
    pub worsened: Vec<neuro_trend::Worsened<Uuid>>,
    /// First abnormal neurology on a side never examined before (every recorded visit).
    pub needs_review: Vec<NeedsReview<Uuid>>,
    /// The current episode has a signed assessment answering every cauda equina item.
    pub screen_complete: bool,
    /// Suggestions for the screen.
    pub suggestions: Vec<Suggestion>,
    /// First day of the current episode, when known.
    pub episode_started_on: Option<NaiveDate>,
}

impl SafetyProfile {
    /// Whether this fact holds for the patient.
    pub fn has(&self, fact: SafetyFact) -> bool {
        self.facts.contains(&fact)
    }

    /// The unresolved red-flag codes, sorted and once each.
    pub fn unresolved_codes(&self) -> Vec<&'static str> {
        let codes: BTreeSet<&'static str> = self.open_red_flags.iter().map(|f| f.code).collect();
        codes.into_iter().collect()
    }

    /// A profile with only these history facts (for tests and previews).
    pub fn from_history(history: &[HistoryCode]) -> Self {
        Self { facts: history.iter().map(|h| SafetyFact::History(*h)).collect(), ..Self::default() }
    }
}

/// Screening answers that state a history fact.
const FLAG_FACTS: &[(&str, HistoryCode)] = &[
    ("rf_cancer_history", HistoryCode::CancerHistory),
    ("rf_immunosuppression", HistoryCode::Immunosuppression),
    ("rf_corticosteroids", HistoryCode::CorticosteroidsLongTerm),
    ("rf_minor_trauma_osteoporosis", HistoryCode::Osteoporosis),
];

/// Age in whole years on a date.
pub fn age_on(date_of_birth: NaiveDate, on: NaiveDate) -> i32 {
    let had_birthday = (on.month(), on.day()) >= (date_of_birth.month(), date_of_birth.day());
    on.year() - date_of_birth.year() - i32::from(!had_birthday)
}

/// Whether an assessment belongs to the episode that started on `start`.
pub fn in_episode(start: Option<NaiveDate>, assessed_on: NaiveDate) -> bool {
    start.is_none_or(|s| assessed_on >= s)
}

/// The most recent positive or negative answer to a screening item over signed visits
/// (oldest first); `not_asked` leaves the earlier answer standing.
fn latest_answer(signed: &[RecordedAssessment<'_>], code: &str) -> Option<RedFlagState> {
    signed.iter().rev().find_map(|a| {
        let answer = a.content.findings.iter().find(|f| f.code == code)?.value.as_str()?.parse().ok()?;
        (answer != RedFlagState::NotAsked).then_some(answer)
    })
}

/// Builds the profile from the whole record.
pub fn build<'a>(input: &ProfileInput<'a>) -> SafetyProfile {
    let mut all = input.assessments.clone();
    all.sort_by_key(|a| (a.assessed_on, a.id));
    let signed: Vec<RecordedAssessment<'_>> = all.iter().copied().filter(|a| a.signed).collect();
    let visit = |a: &RecordedAssessment<'a>| Visit { key: a.id, findings: &a.content.findings };
    // Facts come from signed visits; a deterioration seen in a draft already raises a flag.
    let trend = neuro_trend::trend(&signed.iter().map(visit).collect::<Vec<_>>());
    let recorded = neuro_trend::trend(&all.iter().map(visit).collect::<Vec<_>>());

    let mut facts: BTreeSet<SafetyFact> = input.history.iter().map(|h| SafetyFact::History(*h)).collect();
    for (flag, code) in FLAG_FACTS {
        if latest_answer(&signed, flag) == Some(RedFlagState::Positive) {
            facts.insert(SafetyFact::History(*code));
        }
    }
    if reduced_sensation(&trend) {
        facts.insert(SafetyFact::ReducedSensation);
    }
    if trend.progressing() || latest_answer(&signed, PROGRESSIVE_NEURO_DEFICIT) == Some(RedFlagState::Positive) {
        facts.insert(SafetyFact::ProgressiveNeuroDeficit);
    }

    let acted = |id: Uuid, code: &str| input.actions.iter().any(|(a, c)| *a == id && c == code);
    let mut open_red_flags = Vec::new();
    for a in &all {
        let mut codes: Vec<(&'static str, bool)> = a.content.red_flags().into_iter().map(|c| (c, false)).collect();
        if !recorded.worsened_at(&a.id).is_empty() && !codes.iter().any(|(c, _)| *c == PROGRESSIVE_NEURO_DEFICIT) {
            codes.push((PROGRESSIVE_NEURO_DEFICIT, true));
        }
        for (code, derived) in codes.into_iter().filter(|(c, _)| !acted(a.id, c)) {
            open_red_flags.push(OpenRedFlag {
                assessment_id: a.id,
                assessed_on: a.assessed_on,
                code,
                group: red_flags::group(code),
                derived,
            });
        }
    }

    let episode: Vec<&RecordedAssessment<'_>> =
        signed.iter().filter(|a| in_episode(input.episode_started_on, a.assessed_on)).collect();
    let screen_complete =
        episode.iter().any(|a| red_flags::unscreened(&a.content.findings, RedFlagGroup::CaudaEquina).is_empty());
    let suggestions = suggestions(input, &episode);
    SafetyProfile {
        facts,
        open_red_flags,
        worsened: recorded.worsened,
        needs_review: recorded.needs_review,
        screen_complete,
        suggestions,
        episode_started_on: input.episode_started_on,
    }
}

fn reduced_sensation(trend: &Trend<Uuid>) -> bool {
    trend.latest.iter().any(|((code, _), (value, _))| {
        code.starts_with("dermatome_") && matches!(value, Value::Choice("reduced" | "absent"))
    })
}

/// Age over 50 at onset; no improvement after a month into the episode (change below the MCID).
fn suggestions(input: &ProfileInput<'_>, episode: &[&RecordedAssessment<'_>]) -> Vec<Suggestion> {
    let mut out = Vec::new();
    let answered_positive = |flag: &str| episode.iter().any(|a| a.content.red_flags().contains(&flag));
    if let Some(onset) = input.onset_date {
        let age = age_on(input.date_of_birth, onset);
        if age > 50 && !answered_positive("rf_age_over_50_new_onset") {
            out.push(Suggestion {
                flag: "rf_age_over_50_new_onset",
                reason: format!("Aged {age} when this episode's symptoms began."),
            });
        }
    }
    let (Some(first), Some(last)) = (episode.first(), episode.last()) else { return out };
    if (last.assessed_on - first.assessed_on).num_days() >= 28 && !answered_positive("rf_no_improvement_one_month") {
        let measured = [(Measure::Odi, "odi"), (Measure::Nprs, "nprs_worst")].into_iter().filter_map(|(m, code)| {
            let value =
                |c: &AssessmentContent| if code == "odi" { c.scores().odi_percent } else { c.number(code, None) };
            Some((m, value(first.content)?, value(last.content)?))
        });
        let measured: Vec<(Measure, f64, f64)> = measured.collect();
        if !measured.is_empty()
            && measured.iter().all(|(m, base, now)| !mcid::reaches_mcid(*m, *base, *now, &input.thresholds))
        {
            let weeks = (last.assessed_on - first.assessed_on).num_weeks();
            out.push(Suggestion {
                flag: "rf_no_improvement_one_month",
                reason: format!("No change reaching the MCID {weeks} weeks into this episode."),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::assessment::ContentInput;
    use serde_json::json;

    fn content(findings: serde_json::Value) -> AssessmentContent {
        let input: ContentInput = serde_json::from_value(json!({ "findings": findings })).unwrap();
        input.validate().unwrap()
    }

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn input<'a>(history: &[HistoryCode], assessments: Vec<RecordedAssessment<'a>>) -> ProfileInput<'a> {
        ProfileInput {
            history: history.to_vec(),
            date_of_birth: NaiveDate::from_ymd_opt(1980, 6, 1).unwrap(),
            onset_date: None,
            episode_started_on: None,
            assessments,
            actions: Vec::new(),
            thresholds: McidThresholds::default(),
        }
    }

    fn signed(on: NaiveDate, c: &AssessmentContent) -> RecordedAssessment<'_> {
        RecordedAssessment {
            id: Uuid::now_v7(),
            kind: AssessmentKind::Reassessment,
            assessed_on: on,
            signed: true,
            content: c,
        }
    }

    const CE_NEGATIVE: [&str; 6] = [
        "rf_saddle_anaesthesia",
        "rf_bladder_dysfunction",
        "rf_bowel_dysfunction",
        "rf_sexual_dysfunction",
        "rf_bilateral_leg_symptoms",
        "rf_progressive_neuro_deficit",
    ];

    fn negatives() -> Vec<serde_json::Value> {
        CE_NEGATIVE.iter().map(|c| json!({"code": c, "value": "negative"})).collect()
    }

    /// Why, the first visit's findings, the second's, the fact, whether it holds.
    type Row = (&'static str, Vec<serde_json::Value>, Vec<serde_json::Value>, SafetyFact, bool);

    #[test]
    fn facts_come_from_history_and_the_most_recent_value_of_each_finding() {
        let table: Vec<Row> = vec![
            (
                "sensation recorded last month survives a visit that skipped dermatomes",
                vec![json!({"code":"dermatome_l5","side":"left","value":"reduced"})],
                vec![json!({"code":"nprs_now","value":3})],
                SafetyFact::ReducedSensation,
                true,
            ),
            (
                "sensation that recovered no longer counts",
                vec![json!({"code":"dermatome_l5","side":"left","value":"reduced"})],
                vec![json!({"code":"dermatome_l5","side":"left","value":"normal"})],
                SafetyFact::ReducedSensation,
                false,
            ),
            (
                "a myotome drop is a progressing deficit",
                vec![json!({"code":"myotome_l5","side":"right","value":4})],
                vec![json!({"code":"myotome_l5","side":"right","value":2})],
                SafetyFact::ProgressiveNeuroDeficit,
                true,
            ),
            (
                "a positive cancer screen is the cancer_history fact",
                vec![json!({"code":"rf_cancer_history","value":"positive"})],
                vec![json!({"code":"nprs_now","value":3})],
                SafetyFact::History(HistoryCode::CancerHistory),
                true,
            ),
            (
                "a later negative answer replaces an earlier positive one",
                vec![json!({"code":"rf_corticosteroids","value":"positive"})],
                vec![json!({"code":"rf_corticosteroids","value":"negative"})],
                SafetyFact::History(HistoryCode::CorticosteroidsLongTerm),
                false,
            ),
            (
                "long-term steroids screened positive is the corticosteroids fact",
                vec![json!({"code":"nprs_now","value":3})],
                vec![json!({"code":"rf_corticosteroids","value":"positive"})],
                SafetyFact::History(HistoryCode::CorticosteroidsLongTerm),
                true,
            ),
        ];
        for (why, first, second, fact, want) in table {
            let (a, b) = (content(json!(first)), content(json!(second)));
            let profile = build(&input(&[], vec![signed(day(10, 1), &a), signed(day(11, 1), &b)]));
            assert_eq!(profile.has(fact), want, "{why}");
        }
    }

    #[test]
    fn the_profile_orders_visits_by_date_not_by_the_order_given() {
        let (early, late) = (
            content(json!([{"code":"myotome_s1","side":"left","value":5}])),
            content(json!([{"code":"myotome_s1","side":"left","value":3}])),
        );
        let profile = build(&input(&[], vec![signed(day(11, 1), &late), signed(day(10, 1), &early)]));
        assert!(profile.has(SafetyFact::ProgressiveNeuroDeficit));
        assert_eq!(profile.worsened.len(), 1);
        // Back-dated the other way, the change is an improvement.
        let profile = build(&input(&[], vec![signed(day(10, 1), &late), signed(day(11, 1), &early)]));
        assert!(!profile.has(SafetyFact::ProgressiveNeuroDeficit));
    }

    #[test]
    fn drafts_add_no_facts_but_their_positive_red_flags_stay_open() {
        let c = content(
            json!([{"code":"dermatome_l4","side":"left","value":"absent"},{"code":"rf_saddle_anaesthesia","value":"positive"}]),
        );
        let mut draft = signed(day(10, 1), &c);
        draft.signed = false;
        let profile = build(&input(&[HistoryCode::Pacemaker], vec![draft]));
        assert!(!profile.has(SafetyFact::ReducedSensation));
        assert!(profile.has(SafetyFact::History(HistoryCode::Pacemaker)));
        assert_eq!(profile.unresolved_codes(), ["rf_saddle_anaesthesia"]);
    }

    #[test]
    fn a_derived_deterioration_is_an_open_flag_until_an_action_is_recorded_for_that_visit() {
        let (a, b) = (
            content(json!([{"code":"reflex_ankle","side":"left","value":"normal"}])),
            content(json!([{"code":"reflex_ankle","side":"left","value":"absent"}])),
        );
        let (first, second) = (signed(day(10, 1), &a), signed(day(10, 20), &b));
        let mut i = input(&[], vec![first, second]);
        let profile = build(&i);
        assert_eq!(profile.open_red_flags.len(), 1);
        assert!(profile.open_red_flags[0].derived);
        assert_eq!(profile.open_red_flags[0].assessment_id, second.id);
        i.actions.push((second.id, PROGRESSIVE_NEURO_DEFICIT.to_owned()));
        assert!(build(&i).open_red_flags.is_empty());
    }

    #[test]
    fn the_screen_is_complete_only_when_the_current_episode_answers_every_cauda_equina_item() {
        let mut answers = negatives();
        let full = content(json!(answers));
        answers.pop();
        let partial = content(json!(answers));
        assert!(build(&input(&[], vec![signed(day(10, 1), &full)])).screen_complete);
        assert!(!build(&input(&[], vec![signed(day(10, 1), &partial)])).screen_complete);
        assert!(!build(&input(&[], vec![])).screen_complete);
        let mut i = input(&[], vec![signed(day(3, 1), &full)]);
        i.episode_started_on = Some(day(9, 1));
        assert!(!build(&i).screen_complete, "a screen from an earlier episode does not count");
    }

    #[test]
    fn age_over_fifty_at_onset_is_suggested_from_the_dates() {
        let mut i = input(&[], vec![]);
        i.onset_date = Some(NaiveDate::from_ymd_opt(2031, 5, 31).unwrap());
        assert!(build(&i).suggestions.is_empty(), "50 the day before the 51st birthday");
        i.onset_date = Some(NaiveDate::from_ymd_opt(2031, 6, 1).unwrap());
        assert_eq!(build(&i).suggestions[0].flag, "rf_age_over_50_new_onset");
        assert_eq!(age_on(NaiveDate::from_ymd_opt(1980, 6, 1).unwrap(), day(5, 31)), 45);
    }

    #[test]
    fn no_improvement_after_a_month_is_suggested_against_the_mcid() {
        let table = [(8, 7, 28, true), (8, 6, 28, false), (8, 8, 27, false), (8, 9, 40, true)];
        for (before, after, days, want) in table {
            let (a, b) = (
                content(json!([{"code":"nprs_worst","value":before}])),
                content(json!([{"code":"nprs_worst","value":after}])),
            );
            let later = day(10, 1) + chrono::Duration::days(days);
            let profile = build(&input(&[], vec![signed(day(10, 1), &a), signed(later, &b)]));
            let got = profile.suggestions.iter().any(|s| s.flag == "rf_no_improvement_one_month");
            assert_eq!(got, want, "{before} -> {after} after {days} days");
        }
    }
}
