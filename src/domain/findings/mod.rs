//! The examination finding catalog (docs/api.md finding codes) and the validator that
//! turns an API finding `{code, side?, value, method?, note?}` into a typed [`FindingValue`].
//!
//! Representation choices:
//! - Symptom regions are three per-side codes, one per symptom type: `symptom_pain`,
//!   `symptom_paraesthesia`, `symptom_numbness`. The value is one body region (see
//!   [`SYMPTOM_REGIONS`]); record one finding per region, so these codes are `repeatable`.
//!   Midline lumbar pain is recorded as `lumbar` on the side(s) where it is felt.
//! - Lumbar side flexion is one per-side code, `lumbar_side_flexion`. Each lumbar movement
//!   has its own symptom response code (`lumbar_flexion_response`, ...).
//! - `crossed_slr` is recorded on the side of the leg that is raised.
//! - Strength muscles (`mmt_*`) take an Oxford grade 0–5 with optional `+`/`-` (e.g. `4+`),
//!   because stage criteria use "MMT >= 4+"; myotomes are whole grades 0–5.
//! - A blank `side`, `method` or `note` (empty or spaces) counts as not given.

mod catalog;
mod value;

pub use catalog::*;
use serde::{Deserialize, Serialize};
pub use value::*;

fn blank_to_none(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Validates one finding; the error names the finding.
pub fn validate(input: &FindingInput) -> Result<FindingValue, String> {
    let code = input.code.trim();
    let def = find(code).ok_or_else(|| String::from("not a known finding code"))?;
    let code = def.code;
    let side = match (def.per_side, blank_to_none(&input.side)) {
        (true, None) => return Err(format!("{code} needs a side (left or right)")),
        (true, Some(s)) => Some(s.parse::<Side>().map_err(|_| format!("{code} side must be left or right"))?),
        (false, None) => None,
        (false, Some(_)) => return Err(format!("{code} takes no side")),
    };
    let method_def = match (def.methods.is_empty(), blank_to_none(&input.method)) {
        (true, None) => None,
        (true, Some(_)) => return Err(format!("{code} takes no method")),
        (false, None) => return Err(format!("{code} needs a method (one of: {})", def.methods.join(", "))),
        (false, Some(m)) => Some(
            def.methods
                .iter()
                .find(|c| **c == m)
                .and_then(|c| method(c))
                .ok_or_else(|| format!("{code} method must be one of: {}", def.methods.join(", ")))?,
        ),
    };
    let v = &input.value;
    let value = match def.value_type {
        ValueType::Integer { min, max } => whole_number(v)
            .filter(|i| (min..=max).contains(i))
            .map(Value::Integer)
            .ok_or_else(|| format!("{code} must be a whole number from {min} to {max}"))?,
        ValueType::Decimal { min, max } => {
            let (min, max, by) = match method_def {
                Some(m) => (m.min, m.max, format!(" by {} ({})", m.code, m.unit)),
                None => (min, max, String::new()),
            };
            v.as_f64()
                .filter(|f| (min..=max).contains(f))
                .map(Value::Decimal)
                .ok_or_else(|| format!("{code}{by} must be a number from {min} to {max}"))?
        }
        ValueType::Bool => v.as_bool().map(Value::Bool).ok_or_else(|| format!("{code} must be true or false"))?,
        ValueType::Choice(options) => v
            .as_str()
            .and_then(|s| options.iter().find(|o| **o == s))
            .map(|o| Value::Choice(o))
            .ok_or_else(|| format!("{code} must be one of: {}", options.join(", ")))?,
        ValueType::Text => {
            let text = v.as_str().map(str::trim).unwrap_or_default();
            if text.is_empty() || text.chars().count() > MAX_TEXT {
                return Err(format!("{code} must be text of 1 to {MAX_TEXT} characters"));
            }
            Value::Text(text.to_string())
        }
        ValueType::Oxford => match v {
            serde_json::Value::String(s) => s.trim().parse().ok(),
            other => whole_number(other).and_then(OxfordGrade::whole),
        }
        .map(Value::Grade)
        .ok_or_else(|| format!("{code} must be an Oxford grade from 0 to 5 (e.g. 4 or 4+)"))?,
    };
    let note = blank_to_none(&input.note).map(str::to_string);
    if note.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTE) {
        return Err(format!("{code} note must be at most {MAX_NOTE} characters"));
    }
    Ok(FindingValue { code, side, value, method: method_def.map(|m| m.code), note })
}

/// One refused finding in a list: its position and the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingError {
    /// Position in the submitted list, from 0.
    pub index: usize,
    /// Why it was refused (names the finding).
    pub message: String,
}

/// The straight leg raise angle finding.
const SLR: &str = "slr";
/// Whether the straight leg raise reproduced radicular pain.
const SLR_POSITIVE: &str = "slr_positive";

/// Validates a whole list: each finding (an `slr` with `positive` becomes two findings,
/// the angle and `slr_positive`, so the answer is never dropped), then that no finding is recorded twice for the
/// same side (repeatable findings: not twice with the same value). All errors are returned.
pub fn validate_all(inputs: &[FindingInput]) -> Result<Vec<FindingValue>, Vec<FindingError>> {
    let mut values: Vec<FindingValue> = Vec::with_capacity(inputs.len());
    let mut errors = Vec::new();
    let expanded = inputs.iter().enumerate().flat_map(|(index, input)| {
        let slr_positive = input.positive.filter(|_| input.code.trim() == SLR).map(|positive| FindingInput {
            code: SLR_POSITIVE.into(),
            value: positive.into(),
            method: None,
            note: None,
            positive: None,
            ..input.clone()
        });
        std::iter::once((index, input.clone())).chain(slr_positive.map(|p| (index, p)))
    });
    for (index, input) in expanded {
        if input.positive.is_some() && input.code.trim() != SLR {
            let message = format!("{} takes no positive flag (only slr does)", input.code.trim());
            errors.push(FindingError { index, message });
            continue;
        }
        match validate(&input) {
            Ok(v) => {
                let repeat = values.iter().any(|p| {
                    p.code == v.code
                        && p.side == v.side
                        && (!v.def().is_some_and(|d| d.repeatable) || p.value == v.value)
                });
                if repeat {
                    let side = v.side.map(|s| format!(" ({s})")).unwrap_or_default();
                    let message = format!("{}{side} is recorded twice", v.code);
                    errors.push(FindingError { index, message });
                } else {
                    values.push(v);
                }
            }
            Err(message) => errors.push(FindingError { index, message }),
        }
    }
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn input(code: &str, side: Option<&str>, value: serde_json::Value, method: Option<&str>) -> FindingInput {
        FindingInput {
            code: code.into(),
            side: side.map(Into::into),
            value,
            method: method.map(Into::into),
            note: None,
            positive: None,
        }
    }

    fn check(
        code: &str,
        side: Option<&str>,
        value: serde_json::Value,
        method: Option<&str>,
    ) -> Result<FindingValue, String> {
        validate(&input(code, side, value, method))
    }

    #[test]
    fn every_code_named_in_the_interface_is_in_the_catalog() {
        let required = "nprs_now nprs_best nprs_worst slr slump crossed_slr myotome_l4 myotome_l5 myotome_s1 \
            dermatome_l4 dermatome_l5 dermatome_s1 reflex_knee reflex_ankle lumbar_flexion lumbar_extension \
            posture_lateral_shift posture_lordosis posture_antalgic sitting_tolerance standing_tolerance \
            hamstring_90_90 thomas_test fair_test plank_hold biering_sorensen_hold aggravating_factors \
            easing_factors pattern_24h rf_saddle_anaesthesia rf_bladder_dysfunction rf_bowel_dysfunction \
            rf_bilateral_leg_symptoms rf_progressive_neuro_deficit rf_cancer_history rf_unexplained_weight_loss \
            rf_major_trauma rf_fever";
        for code in required.split_whitespace() {
            assert!(find(code).is_some(), "{code} missing");
        }
    }

    #[test]
    fn codes_are_unique_and_the_catalog_is_in_examination_order() {
        for (i, d) in catalog().iter().enumerate() {
            assert!(catalog()[..i].iter().all(|p| p.code != d.code), "{} twice", d.code);
            assert!(i == 0 || catalog()[i - 1].section <= d.section, "{} out of order", d.code);
        }
    }

    #[test]
    fn every_method_named_by_a_finding_exists() {
        for d in catalog() {
            for m in d.methods {
                assert!(method(m).is_some(), "{} names unknown method {m}", d.code);
            }
        }
    }

    #[test]
    fn the_catalog_serialises_for_forms_and_the_api() {
        let json = serde_json::to_value(find("dermatome_l4").unwrap()).unwrap();
        assert_eq!(json["value_type"], json!({"choice": ["normal", "reduced", "absent", "increased"]}));
        assert_eq!(json["section"], json!("neurology"));
        assert_eq!(json["per_side"], json!(true));
        assert!(serde_json::to_string(catalog()).is_ok());
    }

    #[test]
    fn sections_and_sides_round_trip_through_their_codes() {
        for s in Section::ALL {
            assert_eq!(s.code().parse::<Section>(), Ok(s));
        }
        for s in Side::ALL {
            assert_eq!(s.code().parse::<Side>(), Ok(s));
        }
    }

    #[test]
    fn valid_findings_of_every_value_type_are_accepted() {
        let ok = [
            check("nprs_worst", None, json!(7), None),
            check("nprs_now", None, json!(3.0), None),
            check("slr", Some("left"), json!(45), None),
            check("slump", Some("right"), json!(true), None),
            check("dermatome_l5", Some("left"), json!("reduced"), None),
            check("lumbar_flexion", None, json!(42.5), Some("inclinometer")),
            check("lumbar_flexion", None, json!(5), Some("modified_modified_schober")),
            check("lumbar_side_flexion", Some("right"), json!(20), Some("fingertip_to_floor")),
            check("aggravating_factors", None, json!("sitting > 20 min"), None),
            check("mmt_gluteus_medius", Some("left"), json!("4+"), None),
            check("mmt_quadriceps", Some("left"), json!(5), None),
            check("rf_fever", None, json!("not_asked"), None),
            check("symptom_paraesthesia", Some("left"), json!("great_toe"), None),
        ];
        for r in ok {
            assert!(r.is_ok(), "{r:?}");
        }
        let v = check("slr", Some("left"), json!(45), None).unwrap();
        assert_eq!((v.side, v.value.clone(), v.unit()), (Some(Side::Left), Value::Integer(45), Some("degrees")));
        let v = check("lumbar_flexion", None, json!(5), Some("fingertip_to_floor")).unwrap();
        assert_eq!((v.method, v.unit()), (Some("fingertip_to_floor"), Some("cm")));
    }

    #[test]
    fn refused_findings_get_a_message_naming_the_finding() {
        let cases = [
            (check("nprs_worst", None, json!(11), None), "nprs_worst must be a whole number from 0 to 10"),
            (check("nprs_worst", None, json!(-1), None), "nprs_worst must be a whole number from 0 to 10"),
            (check("nprs_now", None, json!(2.5), None), "nprs_now must be a whole number from 0 to 10"),
            (check("nprs_now", None, json!("5"), None), "nprs_now must be a whole number from 0 to 10"),
            (check("slr", None, json!(40), None), "slr needs a side (left or right)"),
            (check("slr", Some("up"), json!(40), None), "slr side must be left or right"),
            (check("slr", Some("left"), json!(130), None), "slr must be a whole number from 0 to 120"),
            (check("nprs_now", Some("left"), json!(4), None), "nprs_now takes no side"),
            (check("slump", Some("left"), json!("positive"), None), "slump must be true or false"),
            (
                check("dermatome_s1", Some("left"), json!("numb"), None),
                "dermatome_s1 must be one of: normal, reduced, absent, increased",
            ),
            (
                check("lumbar_flexion", None, json!(40), Some("tape")),
                "lumbar_flexion method must be one of: inclinometer, modified_modified_schober, \
                 fingertip_to_floor, visual_estimate",
            ),
            (
                check("lumbar_flexion", None, json!(40), None),
                "lumbar_flexion needs a method (one of: inclinometer, modified_modified_schober, \
                 fingertip_to_floor, visual_estimate)",
            ),
            (
                check("lumbar_extension", None, json!(10), Some("fingertip_to_floor")),
                "lumbar_extension method must be one of: inclinometer, modified_modified_schober, visual_estimate",
            ),
            (
                check("lumbar_flexion", None, json!(20), Some("modified_modified_schober")),
                "lumbar_flexion by modified_modified_schober (cm) must be a number from 0 to 15",
            ),
            (check("nprs_now", None, json!(4), Some("inclinometer")), "nprs_now takes no method"),
            (check("xyz", None, json!(1), None), "not a known finding code"),
            (
                check("mmt_hip_flexors", Some("left"), json!("5+"), None),
                "mmt_hip_flexors must be an Oxford grade from 0 to 5 (e.g. 4 or 4+)",
            ),
            (check("pattern_24h", None, json!("  "), None), "pattern_24h must be text of 1 to 2000 characters"),
        ];
        for (got, want) in cases {
            assert_eq!(got, Err(want.to_string()));
        }
    }

    #[test]
    fn blank_side_method_and_note_count_as_not_given() {
        let mut i = input("nprs_now", Some(""), json!(3), Some("  "));
        i.note = Some(" ".into());
        assert_eq!(validate(&i).map(|v| v.note), Ok(None));
    }

    #[test]
    fn a_validated_finding_round_trips_through_json() {
        for v in [
            check("mmt_gluteus_maximus", Some("right"), json!("3-"), None),
            check("mmt_gluteus_maximus", Some("right"), json!(4), None),
            check("lumbar_flexion", None, json!(55.5), Some("visual_estimate")),
            check("easing_factors", None, json!("lying"), None),
        ] {
            let v = v.unwrap();
            let text = serde_json::to_string(&v).unwrap();
            assert_eq!(serde_json::from_str::<FindingValue>(&text).unwrap(), v);
        }
        assert!(serde_json::from_str::<FindingValue>(r#"{"code":"slr","value":40}"#).is_err());
    }

    #[test]
    fn a_list_refuses_duplicates_but_allows_several_symptom_regions() {
        let list = [
            input("slr", Some("left"), json!(40), None),
            input("slr", Some("right"), json!(80), None),
            input("symptom_pain", Some("left"), json!("buttock"), None),
            input("symptom_pain", Some("left"), json!("calf"), None),
            input("slr", Some("left"), json!(45), None),
            input("symptom_pain", Some("left"), json!("calf"), None),
            input("nprs_now", None, json!(20), None),
        ];
        let errors = validate_all(&list).unwrap_err();
        let got: Vec<_> = errors.iter().map(|e| (e.index, e.message.as_str())).collect();
        assert_eq!(
            got,
            [
                (4, "slr (left) is recorded twice"),
                (5, "symptom_pain (left) is recorded twice"),
                (6, "nprs_now must be a whole number from 0 to 10"),
            ]
        );
        assert_eq!(validate_all(&list[..4]).map(|v| v.len()), Ok(4));
    }

    #[test]
    fn oxford_grades_order_minus_below_plus() {
        let g = |s: &str| s.parse::<OxfordGrade>().unwrap();
        assert!(g("4-") < g("4") && g("4") < g("4+") && g("4+") < g("5-") && g("5-") < g("5"));
        for bad in ["6", "0-", "0+", "5+", "1-", "four", ""] {
            assert!(bad.parse::<OxfordGrade>().is_err(), "{bad}");
        }
        assert_eq!(g("3+").to_string(), "3+");
    }

    proptest! {
        #[test]
        fn integer_findings_accept_exactly_their_range(n in -50i64..200) {
            let r = check("slr", Some("right"), json!(n), None);
            prop_assert_eq!(r.is_ok(), (0..=120).contains(&n));
        }

        #[test]
        fn nprs_accepts_exactly_zero_to_ten(n in -1000i64..1000) {
            for code in ["nprs_now", "nprs_best", "nprs_worst"] {
                prop_assert_eq!(check(code, None, json!(n), None).is_ok(), (0..=10).contains(&n));
            }
        }

        #[test]
        fn inclinometer_values_in_range_are_kept_exactly(x in 0.0f64..=120.0) {
            let v = check("lumbar_extension", None, json!(x), Some("inclinometer")).unwrap();
            prop_assert_eq!(v.value, Value::Decimal(x));
        }

        #[test]
        fn any_string_is_either_a_listed_choice_or_refused(s in "[a-z_]{0,12}") {
            let r = check("posture_lateral_shift", None, json!(s.clone()), None);
            prop_assert_eq!(r.is_ok(), ["none", "left", "right"].contains(&s.as_str()));
        }
    }

    #[test]
    fn positive_on_an_slr_is_kept_as_slr_positive_on_the_same_side() {
        let mut slr = input("slr", Some("left"), json!(45), None);
        slr.positive = Some(true);
        let values = validate_all(&[slr.clone()]).unwrap_or_default();
        let kept: Vec<(&str, Option<Side>, String)> =
            values.iter().map(|v| (v.code, v.side, v.value.to_string())).collect();
        assert_eq!(
            kept,
            vec![
                ("slr", Some(Side::Left), "45".to_string()),
                ("slr_positive", Some(Side::Left), "positive".to_string())
            ]
        );
        let also_separate = input("slr_positive", Some("left"), json!(false), None);
        let errors = validate_all(&[slr, also_separate]).unwrap_err();
        assert_eq!(errors, vec![FindingError { index: 1, message: "slr_positive (left) is recorded twice".into() }]);
    }

    #[test]
    fn positive_on_any_other_finding_is_refused_naming_it() {
        let mut myotome = input("myotome_l5", Some("left"), json!(4), None);
        myotome.positive = Some(false);
        let errors = validate_all(&[input("nprs_now", None, json!(3), None), myotome]).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].index, 1);
        assert!(errors[0].message.starts_with("myotome_l5 takes no positive flag"), "{}", errors[0].message);
    }
}
