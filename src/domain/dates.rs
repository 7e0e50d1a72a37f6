//! Calendar dates as typed: `YYYY-MM-DD` with a four-digit year (0001 to 9999), the one
//! range both databases store (PostgreSQL refuses dates before 4713 BC, SQLite sorts text).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer};

/// Parses `YYYY-MM-DD` (surrounding spaces ignored); `None` for anything else, including
/// signed or five-digit years.
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let shape = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    if !shape {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().filter(|d| d.year() >= 1)
}

/// Why a typed date of a past event is refused.
pub const NOT_A_DATE: &str = "Enter a date as YYYY-MM-DD, e.g. 2026-04-23.";
/// A date of something that has happened, given as a later one.
pub const IN_THE_FUTURE: &str = "This date is in the future.";

/// The one rule for dates of things that have happened (assessments, discharges, onsets,
/// births): `YYYY-MM-DD`, not after `today` (the clinic's today). The message says which.
pub fn past_day(text: &str, today: NaiveDate) -> Result<NaiveDate, &'static str> {
    let date = parse_day(text).ok_or(NOT_A_DATE)?;
    if date > today {
        return Err(IN_THE_FUTURE);
    }
    Ok(date)
}

/// Serde: an optional date in that form (for `#[serde(default, deserialize_with)]`).
pub fn optional_day<'de, D: Deserializer<'de>>(de: D) -> Result<Option<NaiveDate>, D::Error> {
    match Option::<String>::deserialize(de)? {
        None => Ok(None),
        Some(text) if text.trim().is_empty() => Ok(None),
        Some(text) => {
            parse_day(&text).map(Some).ok_or_else(|| serde::de::Error::custom("expected a date as YYYY-MM-DD"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_four_digit_years_from_one_are_days() {
        assert_eq!(parse_day(" 1975-03-14 "), NaiveDate::from_ymd_opt(1975, 3, 14));
        for bad in ["-5000-01-01", "+12345-01-01", "0000-01-01", "1975-3-14", "14/03/1975", "1975-02-30", ""] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
        assert_eq!(parse_day("9999-12-31"), NaiveDate::from_ymd_opt(9999, 12, 31));
    }

    #[test]
    fn a_past_day_is_today_or_earlier_and_says_why_not() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
        assert_eq!(past_day("2026-12-01", today), Ok(today));
        assert_eq!(past_day("2026-12-02", today), Err(IN_THE_FUTURE));
        assert_eq!(past_day("1/12/2026", today), Err(NOT_A_DATE));
    }
}
