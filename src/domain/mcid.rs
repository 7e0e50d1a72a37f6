//! Minimal clinically important difference (docs/clinical-rules.md, "Outcome measures").
//!
//! For every measure here but the PSFS a lower value is better, so improvement =
//! baseline − current; for the PSFS (higher is better) improvement = current − baseline.
//! A change reaches the MCID when the absolute improvement is at least the threshold's
//! points, OR (when the threshold has a percent) the relative improvement
//! `(baseline − current) / baseline × 100` is at least that percent. A baseline of 0 has no
//! relative improvement. Comparisons allow 1e-9 of floating-point slack, so an ODI going
//! from 42.2 to 32.2 counts as 10 points. A patient is "not improving" when the change
//! does not reach the MCID.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Floating-point slack for threshold comparisons.
const SLACK: f64 = 1e-9;

/// An outcome measure with an MCID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Oswestry Disability Index, percent 0–100.
    Odi,
    /// Numeric pain rating scale, 0–10.
    Nprs,
    /// Roland-Morris Disability Questionnaire, 0–24.
    RolandMorris,
    /// Patient-Specific Functional Scale, mean rating 0–10 (higher is better).
    Psfs,
}

impl Measure {
    /// Every measure.
    pub const ALL: [Measure; 4] = [Self::Odi, Self::Nprs, Self::RolandMorris, Self::Psfs];

    /// The stable code used in the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::Odi => "odi",
            Self::Nprs => "nprs",
            Self::RolandMorris => "roland_morris",
            Self::Psfs => "psfs",
        }
    }

    /// A plain name for reports.
    pub fn label(self) -> &'static str {
        match self {
            Self::Odi => "Oswestry Disability Index",
            Self::Nprs => "Pain rating (NPRS)",
            Self::RolandMorris => "Roland-Morris Disability Questionnaire",
            Self::Psfs => "Patient-Specific Functional Scale",
        }
    }

    /// Whether a lower value means the patient is better (all but the PSFS).
    pub fn lower_is_better(self) -> bool {
        match self {
            Self::Odi | Self::Nprs | Self::RolandMorris => true,
            Self::Psfs => false,
        }
    }

    /// The scale's lowest and highest value.
    pub fn range(self) -> (f64, f64) {
        match self {
            Self::Odi => (0.0, 100.0),
            Self::Nprs => (0.0, 10.0),
            Self::RolandMorris => (0.0, 24.0),
            Self::Psfs => (0.0, 10.0),
        }
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
        Self::ALL.into_iter().find(|c| c.code() == s).ok_or_else(|| String::from("not a known measure"))
    }
}

/// One measure's MCID: an improvement of `points`, or of `percent` % of the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Threshold {
    /// Absolute improvement in the measure's own units.
    pub points: f64,
    /// Relative improvement in percent of the baseline; `None` = points only.
    #[serde(default)]
    pub percent: Option<f64>,
}

/// The MCID for each measure; clinic-configurable, defaults from the clinical reference.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct McidThresholds {
    /// Default 10 points or 30 %.
    pub odi: Threshold,
    /// Default 2 points or 30 %.
    pub nprs: Threshold,
    /// Default 5 points.
    pub roland_morris: Threshold,
    /// Default 2 points of the mean rating.
    pub psfs: Threshold,
}

impl Default for McidThresholds {
    fn default() -> Self {
        Self {
            odi: Threshold { points: 10.0, percent: Some(30.0) },
            nprs: Threshold { points: 2.0, percent: Some(30.0) },
            roland_morris: Threshold { points: 5.0, percent: None },
            psfs: Threshold { points: 2.0, percent: None },
        }
    }
}

impl McidThresholds {
    /// The threshold for one measure.
    pub fn for_measure(&self, measure: Measure) -> Threshold {
        match measure {
            Measure::Odi => self.odi,
            Measure::Nprs => self.nprs,
            Measure::RolandMorris => self.roland_morris,
            Measure::Psfs => self.psfs,
        }
    }

    /// Checks a clinic's settings: points within the scale and above 0, percent 1–100.
    pub fn validate(&self) -> Result<(), String> {
        for m in Measure::ALL {
            let t = self.for_measure(m);
            let (_, max) = m.range();
            if !(t.points > 0.0 && t.points <= max) {
                return Err(format!("{m} MCID points must be above 0 and at most {max}"));
            }
            if t.percent.is_some_and(|p| !(1.0..=100.0).contains(&p)) {
                return Err(format!("{m} MCID percent must be from 1 to 100"));
            }
        }
        Ok(())
    }
}

/// The change of a measure between baseline and now.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// Value at baseline.
    pub baseline: f64,
    /// Value now.
    pub current: f64,
    /// Improvement in points (baseline − current); negative when worse.
    pub improvement: f64,
    /// Improvement in percent of the baseline; `None` when the baseline is 0.
    pub relative_percent: Option<f64>,
}

impl Change {
    /// Whether this change reaches a threshold (points, or percent when set).
    pub fn reaches(&self, threshold: Threshold) -> bool {
        let by_points = self.improvement + SLACK >= threshold.points;
        let by_percent = match (threshold.percent, self.relative_percent) {
            (Some(needed), Some(got)) => got + SLACK >= needed,
            _ => false,
        };
        by_points || by_percent
    }
}

/// The change since baseline, as an improvement in the measure's own direction.
pub fn change_since_baseline(measure: Measure, baseline: f64, current: f64) -> Change {
    let improvement = if measure.lower_is_better() { baseline - current } else { current - baseline };
    let relative_percent = (baseline > 0.0).then(|| improvement / baseline * 100.0);
    Change { baseline, current, improvement, relative_percent }
}

/// Whether the improvement from baseline to current reaches the measure's MCID.
pub fn reaches_mcid(measure: Measure, baseline: f64, current: f64, thresholds: &McidThresholds) -> bool {
    change_since_baseline(measure, baseline, current).reaches(thresholds.for_measure(measure))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn measures_round_trip_through_their_codes() {
        for m in Measure::ALL {
            assert_eq!(m.code().parse::<Measure>(), Ok(m));
        }
        assert_eq!("sf36".parse::<Measure>(), Err("not a known measure".into()));
    }

    #[test]
    fn default_thresholds_follow_the_reference_and_are_valid() {
        let t = McidThresholds::default();
        assert_eq!(t.odi, Threshold { points: 10.0, percent: Some(30.0) });
        assert_eq!(t.nprs, Threshold { points: 2.0, percent: Some(30.0) });
        assert_eq!(t.roland_morris, Threshold { points: 5.0, percent: None });
        assert_eq!(t.psfs, Threshold { points: 2.0, percent: None });
        assert_eq!(t.validate(), Ok(()));
    }

    #[test]
    fn mcid_is_reached_by_points_or_by_percent() {
        use Measure::*;
        let t = McidThresholds::default();
        let table = [
            (Odi, 40.0, 30.0, true),  // 10 points
            (Odi, 40.0, 31.0, false), // 9 points, 22.5 %
            (Odi, 20.0, 14.0, true),  // 6 points but 30 %
            (Odi, 20.0, 14.2, false), // 5.8 points, 29 %
            (Odi, 42.2, 32.2, true),  // 10 points despite float error
            (Odi, 30.0, 40.0, false), // worse
            (Odi, 0.0, 0.0, false),   // nothing to improve
            (Nprs, 8.0, 6.0, true),   // 2 points
            (Nprs, 8.0, 7.0, false),  // 1 point, 12.5 %
            (Nprs, 3.0, 2.0, true),   // 1 point but 33 %
            (Nprs, 4.0, 3.0, false),  // 1 point, 25 %
            (RolandMorris, 12.0, 7.0, true),
            (RolandMorris, 12.0, 8.0, false), // 33 % but no percent rule
            (RolandMorris, 6.0, 2.0, false),
            (Psfs, 3.0, 5.0, true),  // mean up 2 points: higher is better
            (Psfs, 3.0, 4.6, false), // 1.6 points
            (Psfs, 6.0, 3.0, false), // worse
        ];
        for (m, base, now, want) in table {
            assert_eq!(reaches_mcid(m, base, now, &t), want, "{m} {base} -> {now}");
        }
    }

    #[test]
    fn change_since_baseline_reports_points_and_percent() {
        let c = change_since_baseline(Measure::Odi, 40.0, 30.0);
        assert_eq!((c.improvement, c.relative_percent), (10.0, Some(25.0)));
        let c = change_since_baseline(Measure::Nprs, 0.0, 2.0);
        assert_eq!((c.improvement, c.relative_percent), (-2.0, None));
    }

    #[test]
    fn clinic_thresholds_are_configurable_and_checked() {
        let t: McidThresholds = serde_json::from_str(r#"{"odi":{"points":8}}"#).unwrap();
        assert_eq!(t.odi, Threshold { points: 8.0, percent: None });
        assert_eq!(t.nprs, McidThresholds::default().nprs);
        assert!(reaches_mcid(Measure::Odi, 40.0, 32.0, &t));
        let bad = McidThresholds { nprs: Threshold { points: 12.0, percent: None }, ..t };
        assert_eq!(bad.validate(), Err("nprs MCID points must be above 0 and at most 10".into()));
        let bad = McidThresholds { odi: Threshold { points: 10.0, percent: Some(0.0) }, ..t };
        assert_eq!(bad.validate(), Err("odi MCID percent must be from 1 to 100".into()));
    }

    proptest! {
        #[test]
        fn getting_worse_or_staying_the_same_never_reaches_the_mcid(base in 0.0f64..=100.0, worse in 0.0f64..=50.0) {
            prop_assert!(!reaches_mcid(Measure::Odi, base, base + worse, &McidThresholds::default()));
        }

        #[test]
        fn reaching_is_exactly_points_or_percent(base in 0u8..=10, now in 0u8..=10) {
            let (b, n) = (f64::from(base), f64::from(now));
            let want = b - n >= 2.0 || (base > 0 && (b - n) * 100.0 >= 30.0 * b);
            prop_assert_eq!(reaches_mcid(Measure::Nprs, b, n, &McidThresholds::default()), want);
        }
    }
}
