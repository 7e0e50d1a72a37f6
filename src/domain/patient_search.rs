//! What patient search indexes and what it looks for: one text per patient (name, date of
//! birth, phone digits), and a query turned into a substring (three characters or more,
//! served by the trigram index) or a family-name prefix (shorter).

use chrono::NaiveDate;

/// Substring queries need this many characters (a trigram); shorter ones are prefixes.
pub const MIN_SUBSTRING: usize = 3;

/// How to look a query up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// Anywhere in the indexed text (lower case; `%` and `_` are literal characters).
    Substring(String),
    /// The start of the family name (lower case).
    Prefix(String),
}

/// Only digits of a phone number, so `07700 900-123` and `07700900123` match each other.
pub fn digits(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

/// The indexed text of a patient: lower-cased "given family", the date of birth as
/// `YYYY-MM-DD`, the phone's digits.
pub fn body(given: &str, family: &str, born: NaiveDate, phone: Option<&str>) -> String {
    let name = format!("{} {}", given.trim(), family.trim()).to_lowercase();
    format!("{name} {born} {}", phone.map(digits).unwrap_or_default())
}

/// A date typed as `YYYY-MM-DD`, `DD/MM/YYYY` or `DD.MM.YYYY`.
fn date(text: &str) -> Option<NaiveDate> {
    ["%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"].iter().find_map(|f| NaiveDate::parse_from_str(text, f).ok())
}

/// Whether the text looks like (part of) a phone number.
fn phone_like(text: &str) -> bool {
    text.chars().all(|c| c.is_ascii_digit() || " +-()./".contains(c)) && text.chars().any(|c| c.is_ascii_digit())
}

/// The lookup for what was typed; `None` when nothing is left to look for.
pub fn term(query: &str) -> Option<Term> {
    let q = query.trim();
    let text = if let Some(d) = date(q) {
        d.to_string()
    } else if phone_like(q) {
        // A partial date (`1980-05`) keeps its dashes; a phone number keeps its digits.
        let partial_date = q.contains('-') && digits(q).len() <= 8;
        if partial_date {
            q.to_owned()
        } else {
            digits(q)
        }
    } else {
        q.to_lowercase()
    };
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.chars().count() {
        0 => None,
        n if n < MIN_SUBSTRING => Some(Term::Prefix(text)),
        _ => Some(Term::Substring(text)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_dates_and_phones_become_the_text_that_is_indexed() {
        let born = NaiveDate::from_ymd_opt(1980, 5, 12).unwrap_or_default();
        assert_eq!(
            body(" Ada ", "Lovelace", born, Some("+44 (0)20 7946-0018")),
            "ada lovelace 1980-05-12 4402079460018"
        );
    }

    #[test]
    fn a_query_is_a_substring_from_three_characters_and_a_prefix_below() {
        assert_eq!(term("  LoVe "), Some(Term::Substring("love".into())));
        assert_eq!(term("Lo"), Some(Term::Prefix("lo".into())));
        assert_eq!(term("12/05/1980"), Some(Term::Substring("1980-05-12".into())));
        assert_eq!(term("1980-05"), Some(Term::Substring("1980-05".into())));
        assert_eq!(term("07946 001"), Some(Term::Substring("07946001".into())));
        assert_eq!(term("020-7946-0018"), Some(Term::Substring("02079460018".into())));
        assert_eq!(term("5%"), Some(Term::Prefix("5%".into())));
        assert_eq!(term("   "), None);
    }
}
