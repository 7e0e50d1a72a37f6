//! An assessment as a whole: its input, validation into content, scores, red flags and the
//! measures tracked over time. Signed content is never changed; amendments add new content.

use super::findings::{self, FindingInput, FindingValue, Side, Value};
use super::mcid::{self, McidThresholds};
use super::questionnaires::{PsfsAnswers, RmdqAnswers};
use super::red_flags;
use super::scoring::{OdiAnswers, OdiBand, StartBackAnswers, StartBackScore};
use crate::field_errors::{add_field_error, FieldErrors};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Initial assessment or reassessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentKind {
    /// The first assessment of an episode (the baseline).
    Initial,
    /// A later assessment.
    Reassessment,
}

impl AssessmentKind {
    /// Both kinds.
    pub const ALL: [AssessmentKind; 2] = [Self::Initial, Self::Reassessment];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Initial => "initial",
            Self::Reassessment => "reassessment",
        }
    }

    /// Parses a code as typed.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Initial => "Initial assessment",
            Self::Reassessment => "Reassessment",
        }
    }
}

/// Whether an assessment is still editable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentStatus {
    /// Editable.
    Draft,
    /// Locked; changed only by amendment.
    Signed,
}

impl AssessmentStatus {
    /// Both statuses.
    pub const ALL: [AssessmentStatus; 2] = [Self::Draft, Self::Signed];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Signed => "signed",
        }
    }
}

crate::stored_as_code!(AssessmentKind, AssessmentStatus);

/// What an assessment records; amendments replace it as a whole.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AssessmentContent {
    /// Typed findings (validated again when read back).
    #[schema(value_type = Vec<FindingInput>)]
    pub findings: Vec<FindingValue>,
    /// ODI section answers, `{section: 0..5}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<std::collections::BTreeMap<String, u8>>)]
    pub odi: Option<OdiAnswers>,
    /// STarT Back answers: items 1-8 as 1/0, item 9 a word.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<serde_json::Value>>)]
    pub start_back: Option<StartBackAnswers>,
    /// Roland-Morris answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<bool>>)]
    pub rmdq: Option<RmdqAnswers>,
    /// Patient-Specific Functional Scale activities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<super::questionnaires::PsfsActivity>>)]
    pub psfs: Option<PsfsAnswers>,
    /// Clinical impression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impression: Option<String>,
}

/// The content fields as the API and the form send them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ContentInput {
    /// `[{code, side?, value, method?, note?}]`.
    pub findings: Vec<FindingInput>,
    /// `{section: 0..5}`; absent sections are unanswered.
    #[schema(value_type = Option<std::collections::BTreeMap<String, u8>>)]
    pub odi: Option<serde_json::Value>,
    /// Nine answers: items 1-8 agree (1/true) or disagree (0/false); item 9 one of
    /// `not_at_all slightly moderately very_much extremely`.
    #[schema(value_type = Option<Vec<serde_json::Value>>)]
    pub start_back: Option<serde_json::Value>,
    /// Roland-Morris: exactly 24 yes/no answers (`true` = yes), in statement order.
    #[schema(value_type = Option<Vec<bool>>)]
    pub rmdq: Option<serde_json::Value>,
    /// Patient-Specific Functional Scale: 1 to 5 `{activity, score}`, the activity 1–100
    /// characters, the score 0 (unable) to 10 (as before).
    #[schema(value_type = Option<Vec<Object>>)]
    pub psfs: Option<serde_json::Value>,
    /// Clinical impression.
    pub impression: Option<String>,
}

/// A new assessment as sent.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AssessmentInput {
    /// `initial` or `reassessment`.
    pub kind: String,
    /// `YYYY-MM-DD`, not in the future.
    pub assessed_on: String,
    /// The content.
    #[serde(flatten)]
    pub content: ContentInput,
}

/// Longest impression, in characters.
pub const MAX_IMPRESSION: usize = 4000;

impl ContentInput {
    /// Validates every finding and questionnaire; errors are keyed `findings[i]`, `odi`,
    /// `start_back`, `rmdq`, `psfs` / `psfs[i].activity` / `psfs[i].score` or
    /// `impression`, each message naming the finding or item.
    pub fn validate(&self) -> Result<AssessmentContent, FieldErrors> {
        let mut errors = FieldErrors::new();
        let findings = findings::validate_all(&self.findings).unwrap_or_else(|found| {
            for e in found {
                add_field_error(&mut errors, &format!("findings[{}]", e.index), e.message);
            }
            Vec::new()
        });
        let odi = match self.odi.as_ref().filter(|v| !v.is_null()).map(OdiAnswers::parse) {
            Some(Err(message)) => {
                add_field_error(&mut errors, "odi", message);
                None
            }
            other => other.and_then(Result::ok),
        };
        let start_back = match self.start_back.as_ref().filter(|v| !v.is_null()).map(StartBackAnswers::parse) {
            Some(Err(message)) => {
                add_field_error(&mut errors, "start_back", message);
                None
            }
            other => other.and_then(Result::ok),
        };
        let rmdq = match self.rmdq.as_ref().filter(|v| !v.is_null()).map(RmdqAnswers::parse) {
            Some(Err(message)) => {
                add_field_error(&mut errors, "rmdq", message);
                None
            }
            other => other.and_then(Result::ok),
        };
        let psfs = match self.psfs.as_ref().filter(|v| !v.is_null()).map(PsfsAnswers::parse) {
            Some(Err(problems)) => {
                for (field, message) in problems {
                    add_field_error(&mut errors, &field, message);
                }
                None
            }
            other => other.and_then(Result::ok),
        };
        let impression = self.impression.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned);
        if impression.as_ref().is_some_and(|t| t.chars().count() > MAX_IMPRESSION) {
            add_field_error(
                &mut errors,
                "impression",
                format!("impression must be at most {MAX_IMPRESSION} characters"),
            );
        }
        if errors.is_empty() {
            Ok(AssessmentContent { findings, odi, start_back, rmdq, psfs, impression })
        } else {
            Err(errors)
        }
    }
}

impl AssessmentInput {
    /// Validates kind, date and content together.
    pub fn validate(&self, today: NaiveDate) -> Result<(AssessmentKind, NaiveDate, AssessmentContent), FieldErrors> {
        let mut errors = FieldErrors::new();
        let kind = AssessmentKind::parse(self.kind.trim());
        if kind.is_none() {
            add_field_error(&mut errors, "kind", "kind must be initial or reassessment");
        }
        let date = super::dates::past_day(&self.assessed_on, today)
            .map_err(|m| add_field_error(&mut errors, "assessed_on", m))
            .ok();
        let content = self.content.validate().map_err(|e| errors.extend(e)).ok();
        match (kind, date, content) {
            (Some(kind), Some(date), Some(content)) if errors.is_empty() => Ok((kind, date, content)),
            _ => Err(errors),
        }
    }
}

/// The computed scores, as the API reports them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Scores {
    /// ODI percent, when scorable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub odi_percent: Option<f64>,
    /// ODI band.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub odi_band: Option<OdiBand>,
    /// Why the ODI has no score (more than one section missing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub odi_unscored: Option<String>,
    /// STarT Back total, psychosocial subscore and risk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_back: Option<StartBackScore>,
    /// Roland-Morris score, 0–24 (number of yes answers; higher is worse).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rmdq: Option<u8>,
    /// Patient-Specific Functional Scale, mean of the ratings, 0–10 (higher is better).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub psfs_mean: Option<f64>,
}

impl AssessmentContent {
    /// Scores ODI, STarT Back, RMDQ and PSFS exactly as docs/clinical-rules.md says.
    pub fn scores(&self) -> Scores {
        let mut scores = Scores::default();
        if let Some(odi) = &self.odi {
            match odi.score() {
                Ok(s) => {
                    scores.odi_percent = Some(s.percent);
                    scores.odi_band = Some(s.band);
                }
                Err(unscored) => scores.odi_unscored = Some(unscored.to_string()),
            }
        }
        scores.start_back = self.start_back.map(|sb| sb.score());
        scores.rmdq = self.rmdq.map(|r| r.score());
        scores.psfs_mean = self.psfs.as_ref().and_then(PsfsAnswers::mean);
        scores
    }

    /// Codes of the positive red flags, in catalog order.
    pub fn red_flags(&self) -> Vec<&'static str> {
        red_flags::positive_flags(&self.findings)
    }

    /// The value of a finding (on a side, for per-side findings) as a number.
    pub fn number(&self, code: &str, side: Option<Side>) -> Option<f64> {
        self.findings.iter().find(|f| f.code == code && f.side == side).and_then(|f| match &f.value {
            Value::Grade(g) => Some(f64::from(g.grade)),
            other => other.as_f64(),
        })
    }
}

/// One point of a measure over time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Point {
    /// Assessment date.
    pub on: NaiveDate,
    /// Value.
    pub value: f64,
}

/// A measure tracked across assessments, with its change against the MCID.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Series {
    /// Stable key, e.g. `nprs_worst`, `slr_left`.
    pub key: &'static str,
    /// Label for people.
    pub label: &'static str,
    /// Unit.
    pub unit: &'static str,
    /// Scale maximum, for charts.
    pub max: f64,
    /// Values in date order.
    pub points: Vec<Point>,
    /// The MCID in points, when the measure has one.
    pub mcid_points: Option<f64>,
    /// Whether a rise is an improvement (PSFS); for every other series a fall is.
    pub higher_is_better: bool,
    /// Latest minus first value.
    pub change: Option<f64>,
    /// Whether the change reaches the MCID.
    pub reaches_mcid: Option<bool>,
}

/// NPRS (now and worst), ODI, RMDQ, PSFS and SLR per side across `assessments` (date order).
pub fn progress(assessments: &[(NaiveDate, &AssessmentContent)], thresholds: &McidThresholds) -> Vec<Series> {
    struct Spec {
        key: &'static str,
        label: &'static str,
        unit: &'static str,
        max: f64,
        measure: Option<mcid::Measure>,
        extract: fn(&AssessmentContent) -> Option<f64>,
    }
    let nprs = Some(mcid::Measure::Nprs);
    let specs = [
        Spec {
            key: "nprs_now",
            label: "Pain now (NPRS)",
            unit: "/10",
            max: 10.0,
            measure: nprs,
            extract: |c| c.number("nprs_now", None),
        },
        Spec {
            key: "nprs_worst",
            label: "Worst pain, 24 h (NPRS)",
            unit: "/10",
            max: 10.0,
            measure: nprs,
            extract: |c| c.number("nprs_worst", None),
        },
        Spec {
            key: "odi_percent",
            label: "Oswestry Disability Index",
            unit: "%",
            max: 100.0,
            measure: Some(mcid::Measure::Odi),
            extract: |c| c.scores().odi_percent,
        },
        Spec {
            key: "rmdq",
            label: "Roland-Morris Disability Questionnaire",
            unit: "/24",
            max: 24.0,
            measure: Some(mcid::Measure::RolandMorris),
            extract: |c| c.scores().rmdq.map(f64::from),
        },
        Spec {
            key: "psfs_mean",
            label: "Patient-Specific Functional Scale (mean)",
            unit: "/10",
            max: 10.0,
            measure: Some(mcid::Measure::Psfs),
            extract: |c| c.scores().psfs_mean,
        },
        Spec {
            key: "slr_left",
            label: "Straight leg raise, left",
            unit: "°",
            max: 120.0,
            measure: None,
            extract: |c| c.number("slr", Some(Side::Left)),
        },
        Spec {
            key: "slr_right",
            label: "Straight leg raise, right",
            unit: "°",
            max: 120.0,
            measure: None,
            extract: |c| c.number("slr", Some(Side::Right)),
        },
    ];
    specs
        .into_iter()
        .map(|Spec { key, label, unit, max, measure, extract }| {
            let points: Vec<Point> =
                assessments.iter().filter_map(|(on, c)| extract(c).map(|value| Point { on: *on, value })).collect();
            let ends = points.first().zip(points.last()).filter(|_| points.len() > 1);
            let change = ends.map(|(a, b)| b.value - a.value);
            let reaches_mcid = measure.zip(ends).map(|(m, (a, b))| mcid::reaches_mcid(m, a.value, b.value, thresholds));
            let mcid_points = measure.map(|m| thresholds.for_measure(m).points);
            let higher_is_better = measure.is_some_and(|m| !m.lower_is_better());
            Series { key, label, unit, max, points, mcid_points, higher_is_better, change, reaches_mcid }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn input(findings: serde_json::Value) -> ContentInput {
        serde_json::from_value(json!({ "findings": findings })).unwrap_or_default()
    }

    #[test]
    fn an_out_of_range_finding_is_refused_under_its_index_naming_the_finding() {
        let errors = input(json!([{"code": "nprs_now", "value": 3}, {"code": "nprs_worst", "value": 11}]))
            .validate()
            .err()
            .unwrap_or_default();
        let message = &errors["findings[1]"][0];
        assert!(message.contains("nprs_worst"), "{message}");
    }

    #[test]
    fn scores_follow_the_reference_for_odi_and_start_back() {
        let content = ContentInput {
            odi: Some(json!({"pain_intensity": 3, "personal_care": 2, "lifting": 4, "walking": 2, "sitting": 3,
                "standing": 2, "sleeping": 1, "sex_life": null, "social_life": 2, "travelling": 2})),
            start_back: Some(json!([1, 0, 1, 0, 1, 1, 1, 0, "very_much"])),
            ..ContentInput::default()
        }
        .validate()
        .unwrap_or_default();
        let scores = content.scores();
        // 21 / 45 * 100 = 46.7 (one section missing).
        assert_eq!(scores.odi_percent, Some(46.7));
        assert_eq!(scores.odi_band, Some(OdiBand::Severe));
        let sb = scores.start_back.map(|s| (s.total, s.psychosocial, s.risk.code()));
        assert_eq!(sb, Some((6, 4, "high")));
    }

    #[test]
    fn two_missing_odi_sections_give_no_score_and_say_why() {
        let content = ContentInput { odi: Some(json!({"pain_intensity": 3})), ..ContentInput::default() }
            .validate()
            .unwrap_or_default();
        let scores = content.scores();
        assert_eq!(scores.odi_percent, None);
        assert!(scores.odi_unscored.is_some());
    }

    #[test]
    fn progress_reports_change_since_baseline_against_the_mcid() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 10, d).unwrap_or_default();
        let first = input(json!([{"code": "nprs_worst", "value": 8}])).validate().unwrap_or_default();
        let second = input(json!([{"code": "nprs_worst", "value": 7}])).validate().unwrap_or_default();
        let third = input(json!([{"code": "nprs_worst", "value": 5}])).validate().unwrap_or_default();
        let thresholds = McidThresholds::default();

        let two = progress(&[(day(1), &first), (day(8), &second)], &thresholds);
        let three = progress(&[(day(1), &first), (day(8), &second), (day(15), &third)], &thresholds);

        let worst = |s: &[Series]| s.iter().find(|s| s.key == "nprs_worst").cloned();
        assert_eq!(worst(&two).and_then(|s| s.reaches_mcid), Some(false), "1 point is below the 2-point MCID");
        assert_eq!(worst(&three).and_then(|s| s.change), Some(-3.0));
        assert_eq!(worst(&three).and_then(|s| s.reaches_mcid), Some(true));
    }
}
