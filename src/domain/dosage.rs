//! Exercise and treatment dosage in CERT terms (Consensus on Exercise Reporting
//! Template): how much, how often, how hard, and how it progresses.

use serde::{Deserialize, Serialize};

/// How much, how often and how hard, in CERT terms. Every field is optional so that a
/// plan item can hold only the overrides it changes (see [`Dosage::merge`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Dosage {
    /// Sets per session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sets: Option<u32>,
    /// Repetitions per set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reps: Option<u32>,
    /// Hold per repetition, in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hold_seconds: Option<u32>,
    /// Minutes per bout, for time-based items (walking, heat, TENS, education).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u32>,
    /// Load in words, e.g. "light resistance band" or "body weight".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load: Option<String>,
    /// Sessions per day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_day: Option<u32>,
    /// Days (or, without `per_day`, sessions) per week, 1 to 7.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_week: Option<u32>,
    /// How many weeks to keep going.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_weeks: Option<u32>,
    /// Whether a clinician supervises it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supervised: Option<bool>,
    /// Whether it is done in a group rather than one to one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<bool>,
    /// Equipment needed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub equipment: Option<String>,
    /// Where to start (CERT starting level).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starting_level: Option<String>,
    /// Intensity and pain-monitoring rule, e.g. "pain may rise to 3/10 and settle within 24 h".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intensity: Option<String>,
    /// When and how to make it harder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progression: Option<String>,
    /// How it may be tailored to the person (CERT tailoring).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tailoring: Option<String>,
}

/// Upper bounds used by [`Dosage::validate`]; generous, they only catch typing slips.
const MAX_TEXT: usize = 500;

impl Dosage {
    /// This dosage with every field that `overrides` sets replaced. An override cannot
    /// clear a default, only change it: a plan item stores only what it changes.
    pub fn merge(&self, overrides: &Dosage) -> Dosage {
        let text = |o: &Option<String>, d: &Option<String>| o.clone().or_else(|| d.clone());
        Dosage {
            sets: overrides.sets.or(self.sets),
            reps: overrides.reps.or(self.reps),
            hold_seconds: overrides.hold_seconds.or(self.hold_seconds),
            minutes: overrides.minutes.or(self.minutes),
            load: text(&overrides.load, &self.load),
            per_day: overrides.per_day.or(self.per_day),
            per_week: overrides.per_week.or(self.per_week),
            duration_weeks: overrides.duration_weeks.or(self.duration_weeks),
            supervised: overrides.supervised.or(self.supervised),
            group: overrides.group.or(self.group),
            equipment: text(&overrides.equipment, &self.equipment),
            starting_level: text(&overrides.starting_level, &self.starting_level),
            intensity: text(&overrides.intensity, &self.intensity),
            progression: text(&overrides.progression, &self.progression),
            tailoring: text(&overrides.tailoring, &self.tailoring),
        }
    }

    /// The amount and frequency in plain words for the handout, e.g. "3 sets of 10,
    /// hold 5 s, twice a day". Equipment and rules are printed separately; an empty
    /// dosage reads "as your physiotherapist advises".
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        match (self.sets, self.reps) {
            (Some(1), Some(r)) => parts.push(format!("1 set of {r}")),
            (Some(s), Some(r)) => parts.push(format!("{s} sets of {r}")),
            (None, Some(r)) => parts.push(format!("{r} times")),
            (Some(1), None) => parts.push("1 set".into()),
            (Some(s), None) => parts.push(format!("{s} sets")),
            (None, None) => {}
        }
        if let Some(h) = self.hold_seconds {
            parts.push(format!("hold {h} s"));
        }
        if let Some(m) = self.minutes {
            parts.push(plural(m, "minute"));
        }
        if let Some(load) = self.load.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
            parts.push(load.to_string());
        }
        match (self.per_day, self.per_week) {
            (Some(d), Some(7)) => parts.push(format!("{}, every day", times_a(d, "day"))),
            (Some(d), Some(w)) => parts.push(format!("{}, {} a week", times_a(d, "day"), plural(w, "day"))),
            (Some(d), None) => parts.push(times_a(d, "day")),
            (None, Some(7)) => parts.push("every day".into()),
            (None, Some(w)) => parts.push(times_a(w, "week")),
            (None, None) => {}
        }
        if let Some(w) = self.duration_weeks {
            parts.push(format!("for {}", plural(w, "week")));
        }
        if parts.is_empty() {
            return "as your physiotherapist advises".into();
        }
        parts.join(", ")
    }

    /// Checks the numbers are in sensible ranges and texts are not overlong; on failure
    /// names each field with a message, ready for a 422 `validation_failed`.
    pub fn validate(&self) -> Result<(), Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let ranges = [
            ("sets", self.sets, 20),
            ("reps", self.reps, 200),
            ("hold_seconds", self.hold_seconds, 600),
            ("minutes", self.minutes, 240),
            ("per_day", self.per_day, 12),
            ("per_week", self.per_week, 7),
            ("duration_weeks", self.duration_weeks, 52),
        ];
        for (field, value, max) in ranges {
            if value.is_some_and(|v| v == 0 || v > max) {
                errors.push((field, format!("must be between 1 and {max}")));
            }
        }
        let texts = [
            ("load", &self.load),
            ("equipment", &self.equipment),
            ("starting_level", &self.starting_level),
            ("intensity", &self.intensity),
            ("progression", &self.progression),
            ("tailoring", &self.tailoring),
        ];
        for (field, value) in texts {
            if value.as_ref().is_some_and(|t| t.chars().count() > MAX_TEXT) {
                errors.push((field, format!("must be at most {MAX_TEXT} characters")));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// "1 week", "3 weeks".
fn plural(n: u32, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// "once a day", "twice a week", "3 times a day".
fn times_a(n: u32, period: &str) -> String {
    match n {
        1 => format!("once a {period}"),
        2 => format!("twice a {period}"),
        n => format!("{n} times a {period}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dose(sets: Option<u32>, reps: Option<u32>, hold: Option<u32>, per_day: Option<u32>) -> Dosage {
        Dosage { sets, reps, hold_seconds: hold, per_day, ..Dosage::default() }
    }

    #[test]
    fn overrides_win_and_unset_overrides_keep_the_default() {
        let base = Dosage { load: Some("body weight".into()), ..dose(Some(3), Some(10), Some(5), Some(2)) };
        let overrides = Dosage { load: Some("light band".into()), ..dose(None, Some(12), None, None) };
        let merged = base.merge(&overrides);
        assert_eq!(merged.sets, Some(3));
        assert_eq!(merged.reps, Some(12));
        assert_eq!(merged.hold_seconds, Some(5));
        assert_eq!(merged.load.as_deref(), Some("light band"));
        assert_eq!(base.merge(&Dosage::default()), base);
    }

    #[test]
    fn the_summary_reads_like_the_handout_example() {
        assert_eq!(dose(Some(3), Some(10), Some(5), Some(2)).summary(), "3 sets of 10, hold 5 s, twice a day");
        assert_eq!(dose(Some(1), Some(8), None, Some(1)).summary(), "1 set of 8, once a day");
        assert_eq!(dose(None, Some(10), None, Some(3)).summary(), "10 times, 3 times a day");
    }

    #[test]
    fn the_summary_covers_time_load_days_and_weeks() {
        let walk = Dosage {
            minutes: Some(10),
            per_day: Some(1),
            per_week: Some(5),
            duration_weeks: Some(6),
            ..Dosage::default()
        };
        assert_eq!(walk.summary(), "10 minutes, once a day, 5 days a week, for 6 weeks");
        let band = Dosage {
            load: Some(" light band ".into()),
            per_week: Some(7),
            duration_weeks: Some(1),
            ..dose(Some(2), None, None, None)
        };
        assert_eq!(band.summary(), "2 sets, light band, every day, for 1 week");
        let clinic = Dosage { per_week: Some(1), ..Dosage::default() };
        assert_eq!(clinic.summary(), "once a week");
        assert_eq!(Dosage::default().summary(), "as your physiotherapist advises");
    }

    #[test]
    fn validation_names_each_field_out_of_range() {
        assert_eq!(dose(Some(3), Some(10), Some(5), Some(2)).validate(), Ok(()));
        let bad = Dosage { per_week: Some(8), equipment: Some("x".repeat(501)), ..dose(Some(0), None, None, None) };
        let fields: Vec<&str> = bad.validate().err().unwrap_or_default().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, vec!["sets", "per_week", "equipment"]);
    }

    #[test]
    fn an_empty_dosage_serialises_to_an_empty_object_and_back() {
        assert_eq!(serde_json::to_string(&Dosage::default()).ok(), Some("{}".to_string()));
        let parsed: Result<Dosage, _> = serde_json::from_str(r#"{"sets":2,"intensity":"pain up to 3/10"}"#);
        assert_eq!(parsed.ok().and_then(|d| d.sets), Some(2));
    }
}
