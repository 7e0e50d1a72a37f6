//! The clinic's calendar: "today" is the date on the clinic's wall (its IANA time zone),
//! not the server's UTC date.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

/// The time zone of a clinic that has not chosen one.
pub const DEFAULT_TIME_ZONE: &str = "Europe/London";

/// Parses an IANA time zone name (`Europe/London`, `America/New_York`, `UTC`).
pub fn time_zone(name: &str) -> Result<Tz, String> {
    name.trim()
        .parse::<Tz>()
        .map_err(|_| "Enter an IANA time zone name, for example Europe/London or America/Toronto.".to_owned())
}

/// The local date at `now` in the zone `name` (an unknown stored name reads as the default).
pub fn today_in(name: &str, now: DateTime<Utc>) -> NaiveDate {
    let tz = time_zone(name).or_else(|_| time_zone(DEFAULT_TIME_ZONE)).unwrap_or(Tz::UTC);
    now.with_timezone(&tz).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn today_is_the_clinic_s_local_date_either_side_of_midnight_utc() {
        let late = Utc.with_ymd_and_hms(2026, 7, 1, 23, 30, 0).single().unwrap_or_default();
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default();
        assert_eq!(today_in("Europe/London", late), d(2026, 7, 2), "summer time is UTC+1");
        assert_eq!(today_in("America/Toronto", late), d(2026, 7, 1));
        assert_eq!(today_in("UTC", late), d(2026, 7, 1));
        let early = Utc.with_ymd_and_hms(2026, 12, 1, 2, 0, 0).single().unwrap_or_default();
        assert_eq!(today_in("Pacific/Auckland", early), d(2026, 12, 1));
        assert_eq!(today_in("America/Los_Angeles", early), d(2026, 11, 30));
        assert_eq!(today_in("Not/AZone", late), d(2026, 7, 2), "an unknown stored name reads as London");
    }

    #[test]
    fn a_time_zone_must_be_an_iana_name() {
        assert!(time_zone("Europe/London").is_ok() && time_zone(" Asia/Kolkata ").is_ok());
        for bad in ["", "London", "GMT+25", "Europe/Londn"] {
            assert!(time_zone(bad).is_err(), "{bad}");
        }
    }
}
