//! Two more outcome measures (docs/clinical-rules.md "Outcome measures"):
//!
//! - Roland-Morris Disability Questionnaire (RMDQ): 24 yes/no statements; the score is the
//!   number of yes answers, 0–24; higher is worse. Only the answers are stored, never the
//!   statements' wording. JSON: a list of exactly 24 booleans.
//! - Patient-Specific Functional Scale (PSFS): up to five activities the patient names,
//!   each rated 0 (unable) to 10 (as before the problem); the score is the mean rating;
//!   higher is better. JSON: `[{activity, score}]`, 1 to 5 entries, the activity 1–100
//!   characters, the score a whole number 0–10.

use super::findings::whole_number;
use serde::{Deserialize, Serialize};

/// Number of RMDQ statements.
pub const RMDQ_ITEMS: usize = 24;
/// Most PSFS activities.
pub const PSFS_MAX_ACTIVITIES: usize = 5;
/// Longest PSFS activity, in characters.
pub const PSFS_MAX_ACTIVITY_CHARS: usize = 100;

/// The 24 RMDQ answers: `true` = yes, the statement applies today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "serde_json::Value", into = "serde_json::Value")]
pub struct RmdqAnswers(pub [bool; RMDQ_ITEMS]);

impl RmdqAnswers {
    /// Reads the API's `rmdq` list: exactly 24 booleans.
    pub fn parse(raw: &serde_json::Value) -> Result<Self, String> {
        let items = raw.as_array().ok_or("rmdq must be a list of 24 yes/no answers (true or false)")?;
        if items.len() != RMDQ_ITEMS {
            return Err(format!("rmdq must have exactly 24 yes/no answers, not {}", items.len()));
        }
        let mut answers = [false; RMDQ_ITEMS];
        for (i, (slot, item)) in answers.iter_mut().zip(items).enumerate() {
            *slot =
                item.as_bool().ok_or_else(|| format!("rmdq statement {} must be true (yes) or false (no)", i + 1))?;
        }
        Ok(Self(answers))
    }

    /// The number of yes answers, 0–24 (higher is worse).
    pub fn score(&self) -> u8 {
        self.0.iter().filter(|yes| **yes).count() as u8
    }
}

impl TryFrom<serde_json::Value> for RmdqAnswers {
    type Error = String;
    fn try_from(raw: serde_json::Value) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<RmdqAnswers> for serde_json::Value {
    fn from(a: RmdqAnswers) -> Self {
        a.0.iter().map(|b| serde_json::Value::Bool(*b)).collect::<Vec<_>>().into()
    }
}

/// One PSFS activity and its rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PsfsActivity {
    /// What the patient finds hard, in their words (trimmed, 1–100 characters).
    pub activity: String,
    /// 0 = unable, 10 = as before the problem.
    pub score: u8,
}

/// The PSFS activities, 1 to 5 of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "serde_json::Value", into = "Vec<PsfsActivity>")]
pub struct PsfsAnswers(pub Vec<PsfsActivity>);

impl PsfsAnswers {
    /// Reads the API's `psfs` list; each problem is keyed by its field (`psfs`,
    /// `psfs[i].activity`, `psfs[i].score`).
    pub fn parse(raw: &serde_json::Value) -> Result<Self, Vec<(String, String)>> {
        let one = |field: &str, message: &str| vec![(field.to_string(), message.to_string())];
        let items = raw.as_array().ok_or_else(|| one("psfs", "psfs must be a list of {activity, score}"))?;
        if items.is_empty() || items.len() > PSFS_MAX_ACTIVITIES {
            return Err(one("psfs", "psfs must have 1 to 5 activities"));
        }
        let mut problems = Vec::new();
        let mut activities = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let activity = item.get("activity").and_then(|a| a.as_str()).map(str::trim).unwrap_or_default();
            if activity.is_empty() || activity.chars().count() > PSFS_MAX_ACTIVITY_CHARS {
                problems.push((
                    format!("psfs[{i}].activity"),
                    format!("psfs activity {} must be text of 1 to {PSFS_MAX_ACTIVITY_CHARS} characters", i + 1),
                ));
            }
            let score = item.get("score").and_then(whole_number).filter(|s| (0..=10).contains(s));
            if score.is_none() {
                problems.push((
                    format!("psfs[{i}].score"),
                    format!("psfs score {} must be a whole number from 0 to 10", i + 1),
                ));
            }
            if let Some(score) = score {
                activities.push(PsfsActivity { activity: activity.to_string(), score: score as u8 });
            }
        }
        if problems.is_empty() {
            Ok(Self(activities))
        } else {
            Err(problems)
        }
    }

    /// The mean rating, 0–10 (higher is better).
    pub fn mean(&self) -> Option<f64> {
        let n = self.0.len();
        (n > 0).then(|| self.0.iter().map(|a| f64::from(a.score)).sum::<f64>() / n as f64)
    }
}

impl TryFrom<serde_json::Value> for PsfsAnswers {
    type Error = String;
    fn try_from(raw: serde_json::Value) -> Result<Self, Self::Error> {
        Self::parse(&raw).map_err(|p| p.into_iter().map(|(_, m)| m).collect::<Vec<_>>().join("; "))
    }
}

impl From<PsfsAnswers> for Vec<PsfsActivity> {
    fn from(a: PsfsAnswers) -> Self {
        a.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answers(yes: usize) -> serde_json::Value {
        json!((0..RMDQ_ITEMS).map(|i| i < yes).collect::<Vec<_>>())
    }

    #[test]
    fn the_rmdq_score_is_the_number_of_yes_answers() {
        for (yes, score) in [(0, 0), (1, 1), (12, 12), (23, 23), (24, 24)] {
            assert_eq!(RmdqAnswers::parse(&answers(yes)).map(|a| a.score()), Ok(score), "{yes} yes");
        }
    }

    #[test]
    fn the_rmdq_needs_exactly_24_booleans() {
        let table = [
            (json!([true, false]), "rmdq must have exactly 24 yes/no answers, not 2"),
            (json!((0..25).map(|_| true).collect::<Vec<_>>()), "rmdq must have exactly 24 yes/no answers, not 25"),
            (json!({"1": true}), "rmdq must be a list of 24 yes/no answers (true or false)"),
        ];
        for (raw, message) in table {
            assert_eq!(RmdqAnswers::parse(&raw), Err(message.to_string()));
        }
        let mut with_number = answers(3);
        with_number[4] = json!(1);
        assert_eq!(RmdqAnswers::parse(&with_number), Err("rmdq statement 5 must be true (yes) or false (no)".into()));
    }

    #[test]
    fn rmdq_answers_round_trip_as_a_list_of_booleans() {
        let a = RmdqAnswers::parse(&answers(7)).unwrap_or(RmdqAnswers([false; RMDQ_ITEMS]));
        let json = serde_json::to_value(a).unwrap_or_default();
        assert_eq!(json, answers(7));
        assert_eq!(serde_json::from_value::<RmdqAnswers>(json).ok(), Some(a));
    }

    #[test]
    fn the_psfs_score_is_the_mean_rating() {
        let table = [
            (json!([{"activity": "Sitting at work", "score": 3}]), 3.0),
            (json!([{"activity": "Sitting", "score": 2}, {"activity": "Lifting my son", "score": 5}]), 3.5),
            (
                json!([{"activity": "a", "score": 0}, {"activity": "b", "score": 10}, {"activity": "c", "score": 5},
                       {"activity": "d", "score": 4}, {"activity": "e", "score": 6}]),
                5.0,
            ),
        ];
        for (raw, mean) in table {
            assert_eq!(PsfsAnswers::parse(&raw).ok().and_then(|a| a.mean()), Some(mean), "{raw}");
        }
    }

    #[test]
    fn psfs_problems_name_the_field() {
        let six: Vec<_> = (0..6).map(|i| json!({"activity": format!("task {i}"), "score": 5})).collect();
        let table = [
            (json!([]), vec!["psfs"]),
            (json!(six), vec!["psfs"]),
            (json!("walking"), vec!["psfs"]),
            (json!([{"activity": " ", "score": 4}]), vec!["psfs[0].activity"]),
            (json!([{"activity": "x".repeat(101), "score": 4}]), vec!["psfs[0].activity"]),
            (json!([{"activity": "Walk", "score": 4}, {"activity": "Run", "score": 11}]), vec!["psfs[1].score"]),
            (json!([{"activity": "Walk", "score": 4.5}]), vec!["psfs[0].score"]),
            (json!([{"score": -1}]), vec!["psfs[0].activity", "psfs[0].score"]),
        ];
        for (raw, fields) in table {
            let got: Vec<String> =
                PsfsAnswers::parse(&raw).err().unwrap_or_default().into_iter().map(|(f, _)| f).collect();
            assert_eq!(got, fields, "{raw}");
        }
        let kept = PsfsAnswers::parse(&json!([{"activity": "  Gardening ", "score": 7.0}]));
        assert_eq!(kept, Ok(PsfsAnswers(vec![PsfsActivity { activity: "Gardening".into(), score: 7 }])));
    }
}
