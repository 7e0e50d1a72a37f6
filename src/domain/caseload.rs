//! Caseload flags: who needs a lead's attention and why. Pure rules over facts loaded with
//! a handful of set-based queries (see `service::caseload`); thresholds from the clinic.

use super::mcid::{self, McidThresholds};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::Serialize;

/// A reason a patient needs attention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// No signed assessment within the clinic's reassessment interval.
    ReassessmentOverdue,
    /// The initial assessment has neither ODI nor NPRS.
    NoBaselineOutcome,
    /// At least four weeks after baseline, no outcome has improved by its MCID.
    NotImproving,
    /// A positive red flag without a recorded action.
    RedFlagUnresolved,
    /// An open plan holds an item that what is now known about the patient rules out.
    SafetyReviewNeeded,
    /// The active plan overrides an absolute contraindication.
    SafetyOverride,
    /// In the current stage longer than its planned weeks plus the grace period.
    StageStalled,
    /// A draft assessment or plan older than 48 hours.
    UnsignedDraft,
    /// Discharged with no follow-up outcome measure.
    DischargedWithoutOutcome,
}

impl Flag {
    /// Every flag, most urgent first.
    pub const ALL: [Flag; 9] = [
        Self::RedFlagUnresolved,
        Self::SafetyReviewNeeded,
        Self::SafetyOverride,
        Self::NotImproving,
        Self::ReassessmentOverdue,
        Self::StageStalled,
        Self::UnsignedDraft,
        Self::NoBaselineOutcome,
        Self::DischargedWithoutOutcome,
    ];

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::ReassessmentOverdue => "reassessment_overdue",
            Self::NoBaselineOutcome => "no_baseline_outcome",
            Self::NotImproving => "not_improving",
            Self::RedFlagUnresolved => "red_flag_unresolved",
            Self::SafetyReviewNeeded => "safety_review_needed",
            Self::SafetyOverride => "safety_override",
            Self::StageStalled => "stage_stalled",
            Self::UnsignedDraft => "unsigned_draft",
            Self::DischargedWithoutOutcome => "discharged_without_outcome",
        }
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::ReassessmentOverdue => "Reassessment overdue",
            Self::NoBaselineOutcome => "No baseline outcome",
            Self::NotImproving => "Not improving",
            Self::RedFlagUnresolved => "Red flag unresolved",
            Self::SafetyReviewNeeded => "Safety review needed",
            Self::SafetyOverride => "Safety override",
            Self::StageStalled => "Stage stalled",
            Self::UnsignedDraft => "Unsigned draft",
            Self::DischargedWithoutOutcome => "Discharged without outcome",
        }
    }

    /// Parses a code.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }
}

/// What the flags need to know about one assessment.
#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentFacts {
    /// Initial (baseline) assessment.
    pub initial: bool,
    /// Signed.
    pub signed: bool,
    /// Examination date.
    pub assessed_on: NaiveDate,
    /// When recorded.
    pub created_at: NaiveDateTime,
    /// Worst pain, NPRS.
    pub nprs_worst: Option<f64>,
    /// ODI percent.
    pub odi_percent: Option<f64>,
    /// Positive red flags without an action.
    pub open_red_flags: usize,
}

impl AssessmentFacts {
    fn has_outcome(&self) -> bool {
        self.nprs_worst.is_some() || self.odi_percent.is_some()
    }
}

/// What the flags need to know about the patient's current plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanFacts {
    /// `draft` or `active`.
    pub active: bool,
    /// When the current stage began.
    pub stage_started_on: Option<NaiveDate>,
    /// Planned weeks of the current stage.
    pub planned_weeks: Option<i32>,
    /// An absolute contraindication was overridden.
    pub has_override: bool,
    /// An item needs safety review against the current record.
    pub safety_review: bool,
    /// Last change (for draft age).
    pub updated_at: NaiveDateTime,
}

/// One patient's facts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CaseFacts {
    /// Discharged.
    pub discharged: bool,
    /// Assessments, oldest first.
    pub assessments: Vec<AssessmentFacts>,
    /// Current (draft or active) plans.
    pub plans: Vec<PlanFacts>,
    /// Start of the current episode of care (re-referral); `None` for the first episode.
    pub episode_started_on: Option<NaiveDate>,
}

/// The clinic's thresholds.
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    /// Reassess at least this often (clinic setting, default 4 weeks).
    pub reassessment_interval: Duration,
    /// "Not improving" is judged only this long after baseline (4 weeks).
    pub judge_after: Duration,
    /// Extra time in a stage before it counts as stalled (1 week).
    pub stage_grace: Duration,
    /// Drafts older than this are flagged (48 hours).
    pub draft_age: Duration,
    /// MCID thresholds.
    pub mcid: McidThresholds,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            reassessment_interval: Duration::weeks(4),
            judge_after: Duration::weeks(4),
            stage_grace: Duration::weeks(1),
            draft_age: Duration::hours(48),
            mcid: McidThresholds::default(),
        }
    }
}

/// Whether the latest signed outcome, at least `judge_after` after the baseline, falls
/// short of the MCID on every measure both assessments recorded (improving on any one
/// measure counts as improving).
fn not_improving(signed: &[&AssessmentFacts], rules: &Rules) -> bool {
    let Some(baseline) = signed.iter().find(|a| a.has_outcome()) else { return false };
    let Some(latest) = signed.iter().rev().find(|a| a.has_outcome()) else { return false };
    if latest.assessed_on - baseline.assessed_on < rules.judge_after {
        return false;
    }
    let pairs = [
        (mcid::Measure::Odi, baseline.odi_percent, latest.odi_percent),
        (mcid::Measure::Nprs, baseline.nprs_worst, latest.nprs_worst),
    ];
    let judged: Vec<bool> =
        pairs.iter().filter_map(|(m, b, l)| Some(mcid::reaches_mcid(*m, (*b)?, (*l)?, &rules.mcid))).collect();
    !judged.is_empty() && !judged.contains(&true)
}

/// Flags that stay true until a write changes the record (kept in the caseload summary).
pub const STORED: [Flag; 6] = [
    Flag::RedFlagUnresolved,
    Flag::SafetyReviewNeeded,
    Flag::SafetyOverride,
    Flag::NotImproving,
    Flag::NoBaselineOutcome,
    Flag::DischargedWithoutOutcome,
];

/// What one patient's record says for the caseload, independent of today: the stored flags
/// and the dates from which the time-based flags hold. Recomputed at every write that
/// changes the record; the time-based flags are then a date comparison ([`Summary::flags_at`]),
/// which the database can answer from an index.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Summary {
    /// Stored flags, most urgent first (a subset of [`STORED`]).
    pub stored: Vec<Flag>,
    /// The latest signed assessment of the current episode, for a patient still under care:
    /// reassessment is overdue once today is more than the clinic's interval after it.
    pub reassess_from: Option<NaiveDate>,
    /// The last day the active plan's current stage is on time (planned weeks plus grace):
    /// stalled once today is after it (patients under care only).
    pub stalled_after: Option<NaiveDate>,
    /// The oldest draft (assessment recorded, or plan last changed): unsigned once older
    /// than the draft age.
    pub draft_since: Option<NaiveDateTime>,
}

impl Summary {
    /// All flags at `now` (the clinic's `today` for dates), most urgent first.
    pub fn flags_at(&self, rules: &Rules, today: NaiveDate, now: NaiveDateTime) -> Vec<Flag> {
        let time = |flag: Flag| match flag {
            Flag::ReassessmentOverdue => self.reassess_from.is_some_and(|d| d < overdue_before(rules, today)),
            Flag::StageStalled => self.stalled_after.is_some_and(|d| d < today),
            Flag::UnsignedDraft => self.draft_since.is_some_and(|t| t < draft_before(rules, now)),
            _ => false,
        };
        Flag::ALL.into_iter().filter(|f| self.stored.contains(f) || time(*f)).collect()
    }
}

/// Reassessment is overdue when the latest signed assessment is before this day.
pub fn overdue_before(rules: &Rules, today: NaiveDate) -> NaiveDate {
    today - rules.reassessment_interval
}

/// A draft is unsigned too long when it dates from before this time.
pub fn draft_before(rules: &Rules, now: NaiveDateTime) -> NaiveDateTime {
    now - rules.draft_age
}

/// One patient's summary: the stored flags and the time-based flags' dates.
pub fn summarise(case: &CaseFacts, rules: &Rules) -> Summary {
    // Outcomes are judged within the current episode of care.
    let episode = |a: &&AssessmentFacts| case.episode_started_on.is_none_or(|s| a.assessed_on >= s);
    let signed: Vec<&AssessmentFacts> = case.assessments.iter().filter(|a| a.signed).filter(episode).collect();
    let mut stored = Vec::new();
    let mut raise = |flag: Flag, when: bool| {
        if when {
            stored.push(flag);
        }
    };
    raise(Flag::RedFlagUnresolved, case.assessments.iter().any(|a| a.open_red_flags > 0));
    raise(Flag::SafetyReviewNeeded, case.plans.iter().any(|p| p.safety_review));
    let active = case.plans.iter().find(|p| p.active);
    raise(Flag::SafetyOverride, active.is_some_and(|p| p.has_override));
    raise(Flag::NotImproving, not_improving(&signed, rules));
    let in_episode: Vec<&AssessmentFacts> = case.assessments.iter().filter(episode).collect();
    let baseline = in_episode.iter().find(|a| a.initial).or(in_episode.first()).copied();
    raise(Flag::NoBaselineOutcome, !baseline.is_some_and(AssessmentFacts::has_outcome));
    let follow_up = signed.iter().filter(|a| a.has_outcome()).count() >= 2;
    raise(Flag::DischargedWithoutOutcome, case.discharged && !follow_up);

    let under_care = !case.discharged;
    let reassess_from = signed.iter().map(|a| a.assessed_on).max().filter(|_| under_care);
    let stalled_after = active
        .and_then(|p| Some(p.stage_started_on? + Duration::weeks(i64::from(p.planned_weeks?)) + rules.stage_grace))
        .filter(|_| under_care);
    let drafts = case.assessments.iter().filter(|a| !a.signed).map(|a| a.created_at);
    let draft_since = drafts.chain(case.plans.iter().filter(|p| !p.active).map(|p| p.updated_at)).min();
    Summary { stored, reassess_from, stalled_after, draft_since }
}

/// The flags of one patient at `now`, most urgent first.
pub fn flags(case: &CaseFacts, rules: &Rules, now: NaiveDateTime) -> Vec<Flag> {
    summarise(case, rules).flags_at(rules, now.date(), now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(n: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default() - Duration::days(n)
    }

    fn now() -> NaiveDateTime {
        day(0).and_hms_opt(12, 0, 0).unwrap_or_default()
    }

    fn a(days_ago: i64, nprs: Option<f64>, odi: Option<f64>) -> AssessmentFacts {
        AssessmentFacts {
            initial: false,
            signed: true,
            assessed_on: day(days_ago),
            created_at: day(days_ago).and_hms_opt(9, 0, 0).unwrap_or_default(),
            nprs_worst: nprs,
            odi_percent: odi,
            open_red_flags: 0,
        }
    }

    fn initial(days_ago: i64, nprs: Option<f64>, odi: Option<f64>) -> AssessmentFacts {
        AssessmentFacts { initial: true, ..a(days_ago, nprs, odi) }
    }

    fn plan(started_days_ago: i64, weeks: i32) -> PlanFacts {
        PlanFacts {
            active: true,
            stage_started_on: Some(day(started_days_ago)),
            planned_weeks: Some(weeks),
            has_override: false,
            safety_review: false,
            updated_at: now(),
        }
    }

    fn check(case: CaseFacts) -> Vec<Flag> {
        flags(&case, &Rules::default(), now())
    }

    #[test]
    fn outcomes_are_judged_within_the_current_episode_only() {
        // Not improving over the first episode; re-referred 20 days ago with a new baseline.
        let case = CaseFacts {
            assessments: vec![initial(90, Some(8.0), None), a(50, Some(8.0), None), initial(15, Some(7.0), None)],
            plans: vec![plan(10, 3)],
            episode_started_on: Some(day(20)),
            ..CaseFacts::default()
        };
        assert_eq!(check(case.clone()), vec![]);
        assert_eq!(check(CaseFacts { episode_started_on: None, ..case }), vec![Flag::NotImproving]);
    }

    #[test]
    fn each_flag_is_raised_by_its_rule_and_only_then() {
        let well = CaseFacts {
            assessments: vec![initial(40, Some(8.0), Some(50.0)), a(10, Some(3.0), Some(30.0))],
            plans: vec![plan(10, 3)],
            ..CaseFacts::default()
        };
        assert_eq!(check(well.clone()), vec![], "an improving, reassessed patient on schedule has no flags");

        let cases: Vec<(&str, CaseFacts, Flag)> = vec![
            (
                "overdue: last signed assessment 29 days ago",
                CaseFacts { assessments: vec![initial(29, Some(8.0), None)], ..well.clone() },
                Flag::ReassessmentOverdue,
            ),
            (
                "no baseline outcome",
                CaseFacts { assessments: vec![initial(5, None, None)], ..well.clone() },
                Flag::NoBaselineOutcome,
            ),
            (
                "not improving: NPRS 8 -> 7 and ODI 50 -> 45 after 30 days",
                CaseFacts {
                    assessments: vec![initial(40, Some(8.0), Some(50.0)), a(10, Some(7.0), Some(45.0))],
                    ..well.clone()
                },
                Flag::NotImproving,
            ),
            (
                "red flag unresolved",
                CaseFacts {
                    assessments: vec![
                        initial(40, Some(8.0), Some(50.0)),
                        AssessmentFacts { open_red_flags: 1, ..a(10, Some(3.0), Some(30.0)) },
                    ],
                    ..well.clone()
                },
                Flag::RedFlagUnresolved,
            ),
            (
                "safety override",
                CaseFacts { plans: vec![PlanFacts { has_override: true, ..plan(10, 3) }], ..well.clone() },
                Flag::SafetyOverride,
            ),
            (
                "stage stalled: 3 weeks planned, 29 days in",
                CaseFacts { plans: vec![plan(29, 3)], ..well.clone() },
                Flag::StageStalled,
            ),
            (
                "unsigned draft assessment of three days",
                CaseFacts {
                    assessments: vec![
                        initial(40, Some(8.0), Some(50.0)),
                        a(10, Some(3.0), Some(30.0)),
                        AssessmentFacts { signed: false, ..a(3, None, None) },
                    ],
                    ..well.clone()
                },
                Flag::UnsignedDraft,
            ),
            (
                "an open plan needing safety review",
                CaseFacts { plans: vec![PlanFacts { safety_review: true, ..plan(10, 3) }], ..well.clone() },
                Flag::SafetyReviewNeeded,
            ),
            (
                "discharged without a follow-up outcome",
                CaseFacts {
                    discharged: true,
                    assessments: vec![initial(40, Some(8.0), Some(50.0))],
                    ..CaseFacts::default()
                },
                Flag::DischargedWithoutOutcome,
            ),
        ];
        for (name, case, flag) in cases {
            assert_eq!(check(case), vec![flag], "{name}");
        }
    }

    #[test]
    fn boundaries_hold_exactly() {
        let base = |days: i64| CaseFacts { assessments: vec![initial(days, Some(5.0), None)], ..CaseFacts::default() };
        assert!(!check(base(28)).contains(&Flag::ReassessmentOverdue), "exactly 4 weeks is not overdue");
        assert!(check(base(29)).contains(&Flag::ReassessmentOverdue));
        let stalled = |days| CaseFacts {
            assessments: vec![initial(1, Some(5.0), None)],
            plans: vec![plan(days, 3)],
            ..CaseFacts::default()
        };
        assert!(!check(stalled(28)).contains(&Flag::StageStalled), "3 weeks + 1 week grace");
        assert!(check(stalled(29)).contains(&Flag::StageStalled));
        // A fresh draft (less than 48 h) is not flagged.
        let fresh = CaseFacts {
            assessments: vec![AssessmentFacts {
                signed: false,
                created_at: now() - Duration::hours(47),
                ..initial(0, Some(5.0), None)
            }],
            ..CaseFacts::default()
        };
        assert!(!check(fresh).contains(&Flag::UnsignedDraft));
    }

    #[test]
    fn not_improving_waits_four_weeks_and_counts_any_measure_reaching_the_mcid() {
        let case = |gap: i64, nprs: f64, odi: f64| CaseFacts {
            assessments: vec![initial(gap + 1, Some(8.0), Some(50.0)), a(1, Some(nprs), Some(odi))],
            ..CaseFacts::default()
        };
        assert!(!check(case(27, 8.0, 50.0)).contains(&Flag::NotImproving), "too early to judge");
        assert!(check(case(28, 7.0, 45.0)).contains(&Flag::NotImproving));
        assert!(!check(case(28, 6.0, 50.0)).contains(&Flag::NotImproving), "NPRS improved by its MCID of 2");
        assert!(!check(case(28, 8.0, 40.0)).contains(&Flag::NotImproving), "ODI improved by its MCID of 10");
    }

    #[test]
    fn a_stored_summary_raises_the_time_based_flags_on_the_day_they_fall_due() {
        // Signed 10 days ago, stage of 3 weeks started 10 days ago, a draft from 1 hour ago.
        let case = CaseFacts {
            assessments: vec![
                initial(10, Some(8.0), None),
                AssessmentFacts { signed: false, created_at: now() - Duration::hours(1), ..a(0, None, None) },
            ],
            plans: vec![plan(10, 3)],
            ..CaseFacts::default()
        };
        let rules = Rules::default();
        let summary = summarise(&case, &rules);
        let at = |days: i64, hours: i64| {
            let t = now() + Duration::days(days) + Duration::hours(hours);
            summary.flags_at(&rules, t.date(), t)
        };
        assert_eq!(at(0, 0), vec![]);
        assert_eq!(at(0, 48), vec![Flag::UnsignedDraft], "the draft is older than 48 hours");
        assert_eq!(at(18, 0), vec![Flag::UnsignedDraft], "28 days after signing is on time");
        assert_eq!(at(19, 0), vec![Flag::ReassessmentOverdue, Flag::StageStalled, Flag::UnsignedDraft]);
        for days in [0, 2, 18, 19, 40] {
            let t = now() + Duration::days(days);
            assert_eq!(summary.flags_at(&rules, t.date(), t), flags(&case, &rules, t), "day {days}");
        }
        let discharged = summarise(&CaseFacts { discharged: true, ..case }, &rules);
        assert_eq!((discharged.reassess_from, discharged.stalled_after), (None, None), "not under care");
    }

    #[test]
    fn every_code_round_trips() {
        for f in Flag::ALL {
            assert_eq!(Flag::parse(f.code()), Some(f));
        }
    }
}
