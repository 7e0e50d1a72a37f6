//! Questionnaire scoring: Oswestry Disability Index, STarT Back and NPRS
//! (docs/clinical-rules.md, "Outcome measures"). Only answers and section names are stored;
//! the copyrighted question wording is never embedded.
//!
//! JSON shapes (assessment `odi` and `start_back` fields):
//! - `odi`: an object `{section: answer}`, answers whole numbers 0–5; a section that is
//!   absent or `null` is unanswered.
//! - `start_back`: a list of exactly 9 answers. Items 1–8: `true`/`1`/`"agree"` or
//!   `false`/`0`/`"disagree"`. Item 9 (bothersomeness) must be a word:
//!   `not_at_all|slightly|moderately|very_much|extremely`; a number is refused there,
//!   because a 0/1 could be either an already-scored item or a scale position.

use super::findings::whole_number;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// The ten ODI sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OdiSection {
    PainIntensity,
    PersonalCare,
    Lifting,
    Walking,
    Sitting,
    Standing,
    Sleeping,
    SexLife,
    SocialLife,
    Travelling,
}

impl OdiSection {
    /// Every section, in questionnaire order.
    pub const ALL: [OdiSection; 10] = [
        Self::PainIntensity,
        Self::PersonalCare,
        Self::Lifting,
        Self::Walking,
        Self::Sitting,
        Self::Standing,
        Self::Sleeping,
        Self::SexLife,
        Self::SocialLife,
        Self::Travelling,
    ];

    /// The stable code used in the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::PainIntensity => "pain_intensity",
            Self::PersonalCare => "personal_care",
            Self::Lifting => "lifting",
            Self::Walking => "walking",
            Self::Sitting => "sitting",
            Self::Standing => "standing",
            Self::Sleeping => "sleeping",
            Self::SexLife => "sex_life",
            Self::SocialLife => "social_life",
            Self::Travelling => "travelling",
        }
    }

    /// The section name shown to people (names only, not the questions).
    pub fn label(self) -> &'static str {
        match self {
            Self::PainIntensity => "Pain intensity",
            Self::PersonalCare => "Personal care",
            Self::Lifting => "Lifting",
            Self::Walking => "Walking",
            Self::Sitting => "Sitting",
            Self::Standing => "Standing",
            Self::Sleeping => "Sleeping",
            Self::SexLife => "Sex life",
            Self::SocialLife => "Social life",
            Self::Travelling => "Travelling",
        }
    }
}

impl fmt::Display for OdiSection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for OdiSection {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|c| c.code() == s).ok_or_else(|| String::from("not a known ODI section"))
    }
}

/// Answered ODI sections (0–5 each). JSON: `{"lifting": 3, ...}`; reading it validates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "BTreeMap<String, serde_json::Value>", into = "BTreeMap<String, u8>")]
pub struct OdiAnswers {
    answers: BTreeMap<OdiSection, u8>,
}

impl OdiAnswers {
    /// No answers yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one answer; refuses anything outside 0–5, naming the section.
    pub fn set(&mut self, section: OdiSection, answer: i64) -> Result<(), String> {
        let a = u8::try_from(answer)
            .ok()
            .filter(|a| *a <= 5)
            .ok_or_else(|| format!("ODI section {section} must be a whole number from 0 to 5"))?;
        self.answers.insert(section, a);
        Ok(())
    }

    /// Reads the API's `odi` object; `null` or absent sections are unanswered.
    pub fn parse(raw: &serde_json::Value) -> Result<Self, String> {
        let object = raw.as_object().ok_or("odi must be an object of section: answer (0 to 5)")?;
        let mut answers = Self::new();
        for (key, value) in object {
            let section: OdiSection = key.parse()?;
            if !value.is_null() {
                let answer =
                    whole_number(value).ok_or(format!("ODI section {section} must be a whole number from 0 to 5"))?;
                answers.set(section, answer)?;
            }
        }
        Ok(answers)
    }

    /// The answer to a section, if given.
    pub fn get(&self, section: OdiSection) -> Option<u8> {
        self.answers.get(&section).copied()
    }

    /// Unanswered sections, in questionnaire order.
    pub fn missing(&self) -> Vec<OdiSection> {
        OdiSection::ALL.into_iter().filter(|s| !self.answers.contains_key(s)).collect()
    }

    /// The score, or why there is none (more than one section unanswered).
    pub fn score(&self) -> Result<OdiScore, OdiUnscored> {
        let missing = self.missing();
        if missing.len() > 1 {
            return Err(OdiUnscored { missing });
        }
        let sum: u8 = self.answers.values().sum();
        let max = 5 * self.answers.len() as u8;
        Ok(OdiScore::from_sum(sum, max))
    }
}

impl TryFrom<BTreeMap<String, serde_json::Value>> for OdiAnswers {
    type Error = String;
    fn try_from(map: BTreeMap<String, serde_json::Value>) -> Result<Self, Self::Error> {
        Self::parse(&serde_json::Value::Object(map.into_iter().collect()))
    }
}

impl From<OdiAnswers> for BTreeMap<String, u8> {
    fn from(a: OdiAnswers) -> Self {
        a.answers.into_iter().map(|(s, v)| (s.code().to_string(), v)).collect()
    }
}

/// ODI disability band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OdiBand {
    Minimal,
    Moderate,
    Severe,
    Crippled,
    BedBound,
}

impl OdiBand {
    /// Every band, least disabled first.
    pub const ALL: [OdiBand; 5] = [Self::Minimal, Self::Moderate, Self::Severe, Self::Crippled, Self::BedBound];

    /// The stable code used in the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::Minimal => "minimal",
            Self::Moderate => "moderate",
            Self::Severe => "severe",
            Self::Crippled => "crippled",
            Self::BedBound => "bed_bound",
        }
    }

    /// The band's name as published (0–20 minimal ... 81–100 bed-bound).
    pub fn label(self) -> &'static str {
        match self {
            Self::Minimal => "Minimal disability",
            Self::Moderate => "Moderate disability",
            Self::Severe => "Severe disability",
            Self::Crippled => "Crippled",
            Self::BedBound => "Bed-bound",
        }
    }

    /// The band of a whole percent: 0–20, 21–40, 41–60, 61–80, 81–100.
    pub fn from_percent(percent: u8) -> Self {
        match percent {
            0..=20 => Self::Minimal,
            21..=40 => Self::Moderate,
            41..=60 => Self::Severe,
            61..=80 => Self::Crippled,
            _ => Self::BedBound,
        }
    }
}

impl FromStr for OdiBand {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|c| c.code() == s).ok_or_else(|| String::from("not a known ODI band"))
    }
}

/// An ODI score. The exact value is `sum / max × 100` (`max` = 5 × answered sections,
/// 50 or 45); `percent` is that rounded to one decimal. The band uses the percent rounded
/// half up to a whole number (20.4 -> 20 minimal, 20.5 -> 21 moderate, 40.9 -> 41 severe);
/// with 45 or 50 as divisor an exact half never occurs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OdiScore {
    /// Sum of the answers.
    pub sum: u8,
    /// Largest possible sum for the answered sections (50, or 45 with one missing).
    pub max: u8,
    /// Percent, rounded to one decimal.
    pub percent: f64,
    /// Disability band.
    pub band: OdiBand,
}

impl OdiScore {
    /// Scores a sum out of `max` (`max` > 0).
    pub fn from_sum(sum: u8, max: u8) -> Self {
        let (s, m) = (u32::from(sum), u32::from(max.max(1)));
        let tenths = (2000 * s + m) / (2 * m);
        let mut score = Self { sum, max, percent: f64::from(tenths) / 10.0, band: OdiBand::Minimal };
        score.band = OdiBand::from_percent(score.whole_percent());
        score
    }

    /// The percent rounded half up to a whole number, as used for the band.
    pub fn whole_percent(&self) -> u8 {
        let (s, m) = (u32::from(self.sum), u32::from(self.max.max(1)));
        u8::try_from((200 * s + m) / (2 * m)).unwrap_or(100)
    }
}

/// Why an ODI has no score: more than one section unanswered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OdiUnscored {
    /// The unanswered sections.
    pub missing: Vec<OdiSection>,
}

impl fmt::Display for OdiUnscored {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<_> = self.missing.iter().map(|s| s.code()).collect();
        write!(
            f,
            "no ODI score: {} sections unanswered ({}); at most one may be missing",
            self.missing.len(),
            names.join(", ")
        )
    }
}

/// STarT Back item 9: how bothersome the back pain has been.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bothersomeness {
    NotAtAll,
    Slightly,
    Moderately,
    VeryMuch,
    Extremely,
}

impl Bothersomeness {
    /// Every answer, in scale order.
    pub const ALL: [Bothersomeness; 5] =
        [Self::NotAtAll, Self::Slightly, Self::Moderately, Self::VeryMuch, Self::Extremely];

    /// The stable code used in the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::NotAtAll => "not_at_all",
            Self::Slightly => "slightly",
            Self::Moderately => "moderately",
            Self::VeryMuch => "very_much",
            Self::Extremely => "extremely",
        }
    }

    /// Item 9 scores 1 only for "very much" or "extremely".
    pub fn scores(self) -> bool {
        matches!(self, Self::VeryMuch | Self::Extremely)
    }
}

impl FromStr for Bothersomeness {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|c| c.code() == s)
            .ok_or_else(|| format!("start_back item 9 must be one of: {}", Self::ALL.map(|b| b.code()).join(", ")))
    }
}

/// The nine STarT Back answers. JSON: `[1,0,true,false,"agree","disagree",0,1,"very_much"]`
/// on input; written back as `[1,0,1,0,1,0,0,1,"very_much"]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "serde_json::Value", into = "serde_json::Value")]
pub struct StartBackAnswers {
    /// Items 1–8: `true` = agree.
    pub agree: [bool; 8],
    /// Item 9.
    pub bothersomeness: Bothersomeness,
}

impl StartBackAnswers {
    /// Reads the API's `start_back` list (see the module documentation).
    pub fn parse(raw: &serde_json::Value) -> Result<Self, String> {
        let items = raw.as_array().ok_or("start_back must be a list of 9 answers")?;
        if items.len() != 9 {
            return Err(format!("start_back must have 9 answers, not {}", items.len()));
        }
        let mut agree = [false; 8];
        for (i, (slot, item)) in agree.iter_mut().zip(items).enumerate() {
            *slot = match item {
                serde_json::Value::Bool(b) => *b,
                serde_json::Value::String(s) if s == "agree" => true,
                serde_json::Value::String(s) if s == "disagree" => false,
                other => match whole_number(other) {
                    Some(1) => true,
                    Some(0) => false,
                    _ => {
                        return Err(format!(
                            "start_back item {} must be agree (1 or true) or disagree (0 or false)",
                            i + 1
                        ))
                    }
                },
            };
        }
        let ninth = items[8].as_str().unwrap_or_default();
        Ok(Self { agree, bothersomeness: ninth.parse()? })
    }

    /// Total (0–9), psychosocial subscore (items 5–9, 0–5) and risk group.
    pub fn score(&self) -> StartBackScore {
        let ninth = u8::from(self.bothersomeness.scores());
        let count = |items: &[bool]| items.iter().filter(|a| **a).count() as u8;
        let total = count(&self.agree) + ninth;
        let psychosocial = count(&self.agree[4..]) + ninth;
        StartBackScore { total, psychosocial, risk: StartBackRisk::from_scores(total, psychosocial) }
    }
}

impl TryFrom<serde_json::Value> for StartBackAnswers {
    type Error = String;
    fn try_from(raw: serde_json::Value) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<StartBackAnswers> for serde_json::Value {
    fn from(a: StartBackAnswers) -> Self {
        let mut items: Vec<serde_json::Value> = a.agree.iter().map(|b| u8::from(*b).into()).collect();
        items.push(a.bothersomeness.code().into());
        items.into()
    }
}

/// STarT Back risk group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StartBackRisk {
    Low,
    Medium,
    High,
}

impl StartBackRisk {
    /// Every group, lowest first.
    pub const ALL: [StartBackRisk; 3] = [Self::Low, Self::Medium, Self::High];

    /// The stable code used in the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }

    /// Psychosocial >= 4 high; else total <= 3 low; else medium.
    pub fn from_scores(total: u8, psychosocial: u8) -> Self {
        if psychosocial >= 4 {
            Self::High
        } else if total <= 3 {
            Self::Low
        } else {
            Self::Medium
        }
    }
}

impl FromStr for StartBackRisk {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|c| c.code() == s).ok_or_else(|| String::from("not a known STarT Back risk"))
    }
}

/// A STarT Back result, as the API reports it: `{total, psychosocial, risk}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StartBackScore {
    /// Sum of all nine items, 0–9.
    pub total: u8,
    /// Sum of items 5–9, 0–5.
    pub psychosocial: u8,
    /// Risk group.
    pub risk: StartBackRisk,
}

/// Highest NPRS value.
pub const NPRS_MAX: u8 = 10;

/// Checks a numeric pain rating is a whole number 0–10.
pub fn nprs(value: i64) -> Result<u8, String> {
    u8::try_from(value)
        .ok()
        .filter(|v| *v <= NPRS_MAX)
        .ok_or_else(|| format!("NPRS must be a whole number from 0 to {NPRS_MAX}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn odi(answers: &[(OdiSection, i64)]) -> OdiAnswers {
        let mut a = OdiAnswers::new();
        for (s, v) in answers {
            a.set(*s, *v).unwrap();
        }
        a
    }

    fn all_but(skip: usize, value: i64) -> OdiAnswers {
        odi(&OdiSection::ALL[skip..].iter().map(|s| (*s, value)).collect::<Vec<_>>())
    }

    #[test]
    fn every_code_round_trips_through_its_text() {
        for s in OdiSection::ALL {
            assert_eq!(s.code().parse::<OdiSection>(), Ok(s));
        }
        for b in OdiBand::ALL {
            assert_eq!(b.code().parse::<OdiBand>(), Ok(b));
        }
        for r in StartBackRisk::ALL {
            assert_eq!(r.code().parse::<StartBackRisk>(), Ok(r));
        }
        for b in Bothersomeness::ALL {
            assert_eq!(b.code().parse::<Bothersomeness>(), Ok(b));
        }
    }

    #[test]
    fn odi_with_all_sections_answered_divides_by_fifty() {
        let a = all_but(0, 2);
        let s = a.score().unwrap();
        assert_eq!((s.sum, s.max, s.percent, s.band), (20, 50, 40.0, OdiBand::Moderate));
    }

    #[test]
    fn odi_with_one_section_missing_divides_by_forty_five() {
        let s = all_but(1, 2).score().unwrap();
        assert_eq!((s.sum, s.max, s.percent, s.band), (18, 45, 40.0, OdiBand::Moderate));
        let s = all_but(1, 5).score().unwrap();
        assert_eq!((s.percent, s.band), (100.0, OdiBand::BedBound));
    }

    #[test]
    fn odi_with_two_sections_missing_has_no_score_and_says_why() {
        let err = all_but(2, 3).score().unwrap_err();
        assert_eq!(err.missing, [OdiSection::PainIntensity, OdiSection::PersonalCare]);
        assert_eq!(
            err.to_string(),
            "no ODI score: 2 sections unanswered (pain_intensity, personal_care); at most one may be missing"
        );
        assert_eq!(OdiAnswers::new().score().unwrap_err().missing.len(), 10);
    }

    #[test]
    fn odi_band_boundaries_follow_the_reference() {
        let table = [
            (0, 50, 0.0, OdiBand::Minimal),
            (10, 50, 20.0, OdiBand::Minimal),
            (11, 50, 22.0, OdiBand::Moderate),
            (20, 50, 40.0, OdiBand::Moderate),
            (21, 50, 42.0, OdiBand::Severe),
            (30, 50, 60.0, OdiBand::Severe),
            (31, 50, 62.0, OdiBand::Crippled),
            (40, 50, 80.0, OdiBand::Crippled),
            (41, 50, 82.0, OdiBand::BedBound),
            (50, 50, 100.0, OdiBand::BedBound),
            (9, 45, 20.0, OdiBand::Minimal),
            (10, 45, 22.2, OdiBand::Moderate),
            (19, 45, 42.2, OdiBand::Severe),
            (28, 45, 62.2, OdiBand::Crippled),
            (36, 45, 80.0, OdiBand::Crippled),
            (37, 45, 82.2, OdiBand::BedBound),
        ];
        for (sum, max, percent, band) in table {
            let s = OdiScore::from_sum(sum, max);
            assert_eq!((s.percent, s.band), (percent, band), "{sum}/{max}");
        }
    }

    #[test]
    fn a_fractional_percent_is_banded_on_its_rounded_whole_percent() {
        let table = [(20, OdiBand::Minimal), (21, OdiBand::Moderate), (40, OdiBand::Moderate), (41, OdiBand::Severe)];
        for (whole, band) in table {
            assert_eq!(OdiBand::from_percent(whole), band);
        }
        // Unreachable with 45 or 50 as divisor, but shows the rule: band on the rounded percent.
        for (sum, percent, band) in
            [(51, 20.4, OdiBand::Minimal), (52, 20.8, OdiBand::Moderate), (102, 40.8, OdiBand::Severe)]
        {
            let s = OdiScore::from_sum(sum, 250);
            assert_eq!((s.percent, s.band), (percent, band));
        }
    }

    #[test]
    fn odi_json_is_parsed_with_errors_naming_the_section() {
        let ok = OdiAnswers::parse(&json!({"lifting": 3, "walking": 2.0, "sitting": null})).unwrap();
        assert_eq!((ok.get(OdiSection::Lifting), ok.get(OdiSection::Sitting)), (Some(3), None));
        let cases = [
            (json!({"lifting": 6}), "ODI section lifting must be a whole number from 0 to 5"),
            (json!({"sex_life": -1}), "ODI section sex_life must be a whole number from 0 to 5"),
            (json!({"walking": "2"}), "ODI section walking must be a whole number from 0 to 5"),
            (json!({"sleeping": 2.5}), "ODI section sleeping must be a whole number from 0 to 5"),
            (json!({"dancing": 1}), "not a known ODI section"),
            (json!([1, 2]), "odi must be an object of section: answer (0 to 5)"),
        ];
        for (raw, want) in cases {
            assert_eq!(OdiAnswers::parse(&raw), Err(want.to_string()));
        }
        let back: OdiAnswers = serde_json::from_value(serde_json::to_value(&ok).unwrap()).unwrap();
        assert_eq!(back, ok);
    }

    fn start_back(agree: [u8; 8], ninth: &str) -> StartBackScore {
        let mut raw: Vec<serde_json::Value> = agree.iter().map(|a| json!(a)).collect();
        raw.push(json!(ninth));
        StartBackAnswers::parse(&json!(raw)).unwrap().score()
    }

    #[test]
    fn start_back_risk_boundaries_follow_the_reference() {
        use StartBackRisk::*;
        let table = [
            ([0, 0, 0, 0, 0, 0, 0, 0], "not_at_all", 0, 0, Low),
            ([1, 1, 1, 0, 0, 0, 0, 0], "moderately", 3, 0, Low),
            ([1, 1, 1, 1, 0, 0, 0, 0], "extremely", 5, 1, Medium),
            ([1, 1, 1, 1, 0, 0, 0, 0], "slightly", 4, 0, Medium),
            ([0, 0, 0, 1, 1, 1, 1, 0], "not_at_all", 4, 3, Medium),
            ([0, 0, 0, 0, 1, 1, 1, 1], "moderately", 4, 4, High),
            ([0, 0, 0, 0, 1, 1, 1, 0], "very_much", 4, 4, High),
            ([0, 0, 0, 0, 1, 1, 1, 0], "moderately", 3, 3, Low),
            ([1, 1, 1, 1, 1, 1, 1, 0], "slightly", 7, 3, Medium),
            ([1, 1, 1, 1, 1, 1, 1, 1], "extremely", 9, 5, High),
        ];
        for (agree, ninth, total, psychosocial, risk) in table {
            assert_eq!(start_back(agree, ninth), StartBackScore { total, psychosocial, risk }, "{agree:?} {ninth}");
        }
    }

    #[test]
    fn start_back_item_nine_scores_only_for_very_much_or_extremely() {
        for b in Bothersomeness::ALL {
            let s = start_back([0; 8], b.code());
            assert_eq!(s.total == 1, matches!(b, Bothersomeness::VeryMuch | Bothersomeness::Extremely));
            assert_eq!(s.psychosocial, s.total);
        }
    }

    #[test]
    fn start_back_json_accepts_bools_numbers_and_words_and_names_the_bad_item() {
        let raw = json!([true, false, 1, 0, "agree", "disagree", 1.0, 0, "very_much"]);
        let a = StartBackAnswers::parse(&raw).unwrap();
        assert_eq!(a.agree, [true, false, true, false, true, false, true, false]);
        assert_eq!(serde_json::to_value(a).unwrap(), json!([1, 0, 1, 0, 1, 0, 1, 0, "very_much"]));
        let nine = "start_back item 9 must be one of: not_at_all, slightly, moderately, very_much, extremely";
        let cases = [
            (json!([0, 0, 0, 0, 0, 0, 0, 0]), "start_back must have 9 answers, not 8"),
            (json!({"1": 0}), "start_back must be a list of 9 answers"),
            (
                json!([0, 0, 2, 0, 0, 0, 0, 0, "slightly"]),
                "start_back item 3 must be agree (1 or true) or disagree (0 or false)",
            ),
            (
                json!([0, 0, 0, 0, 0, 0, 0, "yes", "slightly"]),
                "start_back item 8 must be agree (1 or true) or disagree (0 or false)",
            ),
            (json!([0, 0, 0, 0, 0, 0, 0, 0, 1]), nine),
            (json!([0, 0, 0, 0, 0, 0, 0, 0, "very much"]), nine),
        ];
        for (raw, want) in cases {
            assert_eq!(StartBackAnswers::parse(&raw), Err(want.to_string()));
        }
        assert!(serde_json::from_value::<StartBackAnswers>(json!([0, 0, 0])).is_err());
    }

    #[test]
    fn nprs_accepts_zero_to_ten_only() {
        assert_eq!(nprs(0), Ok(0));
        assert_eq!(nprs(10), Ok(10));
        assert_eq!(nprs(11), Err("NPRS must be a whole number from 0 to 10".into()));
        assert!(nprs(-1).is_err());
    }

    proptest! {
        #[test]
        fn a_scored_odi_is_always_between_zero_and_one_hundred(
            answers in proptest::collection::vec(proptest::option::of(0i64..=5), 10)
        ) {
            let mut a = OdiAnswers::new();
            for (s, v) in OdiSection::ALL.iter().zip(&answers) {
                if let Some(v) = v {
                    a.set(*s, *v).unwrap();
                }
            }
            let missing = answers.iter().filter(|v| v.is_none()).count();
            match a.score() {
                Ok(s) => {
                    prop_assert!(missing <= 1);
                    prop_assert!((0.0..=100.0).contains(&s.percent));
                    prop_assert_eq!(s.band, OdiBand::from_percent(s.whole_percent()));
                    let exact = f64::from(s.sum) / f64::from(s.max) * 100.0;
                    prop_assert!((exact - s.percent).abs() <= 0.05 + 1e-9);
                }
                Err(e) => prop_assert_eq!(e.missing.len(), missing),
            }
        }

        #[test]
        fn odi_answers_outside_zero_to_five_are_refused(v in any::<i64>()) {
            prop_assert_eq!(OdiAnswers::new().set(OdiSection::Walking, v).is_ok(), (0..=5).contains(&v));
        }

        #[test]
        fn start_back_total_is_the_sum_and_psychosocial_never_exceeds_it(
            agree in proptest::array::uniform8(any::<bool>()), ninth in 0usize..5
        ) {
            let b = Bothersomeness::ALL[ninth];
            let s = StartBackAnswers { agree, bothersomeness: b }.score();
            let sum = agree.iter().filter(|a| **a).count() as u8 + u8::from(b.scores());
            prop_assert_eq!(s.total, sum);
            prop_assert!(s.psychosocial <= s.total && s.psychosocial <= 5 && s.total <= 9);
            prop_assert_eq!(s.risk, StartBackRisk::from_scores(s.total, s.psychosocial));
            prop_assert_eq!(s.risk == StartBackRisk::High, s.psychosocial >= 4);
            prop_assert_eq!(s.risk == StartBackRisk::Low, s.total <= 3);
        }
    }
}
