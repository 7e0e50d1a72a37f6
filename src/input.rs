//! Untrusted input, checked once where it comes in (JSON bodies, forms, query strings):
//! no control characters (both databases store them differently, PostgreSQL refuses NUL),
//! and parser messages rewritten so that they name what is expected, never the value sent.

use crate::error::{add_field_error, AppError, FieldErrors};
use serde_json::Value;

/// The message for a field holding a control character.
pub const CONTROL_MESSAGE: &str =
    "This field contains a control character (such as NUL); only printable text, tabs and line breaks are accepted.";

/// Whether `text` holds a control character other than tab, line feed and carriage return.
pub fn has_control(text: &str) -> bool {
    text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

/// Refuses a JSON document with a control character in any string or key, naming the first
/// such field by its path (e.g. `history[2]`).
pub fn check_json(value: &Value) -> Result<(), AppError> {
    fn walk(value: &Value, path: &mut String, found: &mut FieldErrors) {
        match value {
            Value::String(s) if has_control(s) => add_field_error(found, field_name(path), CONTROL_MESSAGE),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    walk(item, path, found);
                    path.truncate(len);
                }
            }
            Value::Object(map) => {
                for (key, item) in map {
                    if has_control(key) {
                        add_field_error(found, field_name(path), CONTROL_MESSAGE);
                        continue;
                    }
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key);
                    walk(item, path, found);
                    path.truncate(len);
                }
            }
            _ => {}
        }
    }
    let mut found = FieldErrors::new();
    walk(value, &mut String::new(), &mut found);
    if found.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(found))
    }
}

fn field_name(path: &str) -> &str {
    if path.is_empty() {
        "body"
    } else {
        path
    }
}

/// Refuses name/value pairs (a form or a query string) with a control character, naming
/// the fields.
pub fn check_pairs(pairs: &[(String, String)]) -> Result<(), AppError> {
    let mut found = FieldErrors::new();
    for (name, value) in pairs {
        if has_control(name) {
            add_field_error(&mut found, "form", CONTROL_MESSAGE);
        } else if has_control(value) {
            add_field_error(&mut found, name, CONTROL_MESSAGE);
        }
    }
    if found.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(found))
    }
}

/// Refuses a query string whose decoded names or values hold a control character.
pub fn check_query(query: &str) -> Result<(), AppError> {
    if query.is_empty() {
        return Ok(());
    }
    let pairs: Vec<(String, String)> = serde_html_form::from_str(query)
        .map_err(|_| AppError::field("query", "The query string could not be read."))?;
    check_pairs(&pairs)
}

/// Reads an optional `page` query value (1-based).
pub fn page_number(page: Option<&str>) -> Result<i64, AppError> {
    match page.map(str::trim).filter(|p| !p.is_empty()) {
        None => Ok(1),
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|p| (1..=1_000_000).contains(p))
            .ok_or_else(|| AppError::field("page", "page must be a whole number from 1 to 1000000.")),
    }
}

/// Rewrites a deserialiser's message (serde, serde_json, serde_html_form) so that it says
/// what was expected without quoting what was sent. Messages of our own parsers, which
/// never quote, pass unchanged; anything else with a quoted part becomes a generic sentence.
pub fn parse_message(raw: &str) -> String {
    let raw = raw.split(" at line ").next().unwrap_or(raw);
    if let Some(name) = raw.strip_prefix("missing field `").and_then(|r| r.strip_suffix('`')) {
        return format!("{name} is required.");
    }
    if raw.starts_with("unknown field `") {
        return "This field is not known.".into();
    }
    if raw.starts_with("invalid type:") || raw.starts_with("invalid value:") || raw.starts_with("invalid length") {
        if let Some((_, expected)) = raw.rsplit_once(", expected ") {
            if !has_quote(expected) {
                return format!("Expected {expected}.");
            }
        }
        return "This value has the wrong type or form.".into();
    }
    if let Some((_, options)) = raw.strip_prefix("unknown variant `").and_then(|r| r.split_once("`, expected ")) {
        return format!("Expected {}.", options.replace('`', ""));
    }
    if has_quote(raw) {
        return "This value is not valid.".into();
    }
    let mut message = raw.trim().to_owned();
    if let Some(first) = message.get(0..1) {
        message.replace_range(0..1, &first.to_uppercase());
    }
    if !message.ends_with('.') {
        message.push('.');
    }
    message
}

fn has_quote(text: &str) -> bool {
    text.contains(['\'', '"', '`'])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn control_characters_are_found_but_line_breaks_and_tabs_pass() {
        assert!(has_control("a\u{0}b"));
        assert!(has_control("bell\u{7}"));
        assert!(has_control("del\u{7f}"));
        assert!(!has_control("two\nlines\r\n\tindented"));
    }

    #[test]
    fn the_json_check_names_the_path_of_the_field() {
        let err = check_json(&json!({"history": ["ok", "bad\u{0}"], "note": "fine"})).err();
        let fields = err.as_ref().and_then(AppError::fields).cloned().unwrap_or_default();
        assert_eq!(fields.keys().collect::<Vec<_>>(), ["history[1]"]);
        assert!(check_json(&json!({"a": {"b": "c\nd"}})).is_ok());
    }

    #[test]
    fn a_query_with_an_encoded_nul_is_refused_naming_the_parameter() {
        let err = check_query("q=Zeb%00edee&page=1").err();
        let fields = err.as_ref().and_then(AppError::fields).cloned().unwrap_or_default();
        assert_eq!(fields.keys().collect::<Vec<_>>(), ["q"]);
        assert!(check_query("q=Smith&page=2").is_ok());
    }

    #[test]
    fn parser_messages_never_quote_the_value() {
        let cases = [
            ("invalid type: string \"HIV positive\", expected a sequence at line 1 column 9", "Expected a sequence."),
            ("invalid type: integer `4477`, expected a string", "Expected a string."),
            ("unknown variant `methotrexate`, expected `left` or `right`", "Expected left or right."),
            ("missing field `given_name`", "given_name is required."),
            ("unknown field `Zebedee`, expected one of `a`, `b`", "This field is not known."),
            ("input contains invalid characters", "Input contains invalid characters."),
            ("unknown history code 'HIV positive'", "This value is not valid."),
            ("NPRS must be a whole number from 0 to 10", "NPRS must be a whole number from 0 to 10."),
        ];
        for (raw, expected) in cases {
            assert_eq!(parse_message(raw), expected, "{raw}");
        }
    }
}
