//! Reusable pieces of pages.

use super::session::SessionUser;
use crate::error::FieldErrors;
use maud::{html, Markup};

/// The hidden CSRF field every state-changing form carries, and the id of the user the
/// form is for (so a post that meets an ended session can be held for that user only; see
/// `web::held`).
pub fn csrf(user: &SessionUser) -> Markup {
    html! {
        input type="hidden" name="csrf_token" value=(user.csrf_token);
        input type="hidden" name=(super::held::OWNER_FIELD) value=(user.actor().user_id);
    }
}

/// The messages for one field, linked to it for screen readers.
pub fn field_errors(errors: &FieldErrors, field: &str) -> Markup {
    html! {
        @if let Some(messages) = errors.get(field) {
            @for message in messages {
                p.field-error id=(format!("{field}-error")) { (message) }
            }
        }
    }
}

/// A summary at the top of a form that failed validation.
pub fn error_summary(errors: &FieldErrors) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.error-summary #error-summary role="alert" tabindex="-1" {
                h2 { "Please check the highlighted fields" }
                ul { @for (field, messages) in errors { @for m in messages { li { a href=(format!("#{field}")) { (m) } } } } }
            }
        }
    }
}

/// A labelled input with its value and messages.
pub fn input(kind: &str, name: &str, label: &str, value: &str, errors: &FieldErrors, required: bool) -> Markup {
    let invalid = errors.contains_key(name);
    html! {
        div.field.invalid[invalid] {
            label for=(name) { (label) @if !required { span.hint { " (optional)" } } }
            input type=(kind) id=(name) name=(name) value=(value) required[required]
                aria-invalid=[invalid.then_some("true")]
                aria-describedby=[invalid.then(|| format!("{name}-error"))];
            (field_errors(errors, name))
        }
    }
}

/// A labelled select; `options` are (value, label).
pub fn select(
    name: &str,
    label: &str,
    options: &[(String, String)],
    selected: &str,
    errors: &FieldErrors,
    blank: Option<&str>,
) -> Markup {
    let invalid = errors.contains_key(name);
    html! {
        div.field.invalid[invalid] {
            label for=(name) { (label) }
            select id=(name) name=(name) aria-invalid=[invalid.then_some("true")] {
                @if let Some(blank) = blank { option value="" { (blank) } }
                @for (value, text) in options {
                    option value=(value) selected[value == selected] { (text) }
                }
            }
            (field_errors(errors, name))
        }
    }
}

/// Links to the previous and next page of a list.
pub fn pagination(base: &str, page: i64, per_page: i64, total: i64) -> Markup {
    let pages = ((total + per_page - 1) / per_page).max(1);
    let sep = if base.contains('?') { '&' } else { '?' };
    html! {
        nav.pagination aria-label="Pages" {
            @if page > 1 { a href=(format!("{base}{sep}page={}", page - 1)) rel="prev" { "← Previous" } }
            span { "Page " (page) " of " (pages) " · " (total) " in all" }
            @if page < pages { a href=(format!("{base}{sep}page={}", page + 1)) rel="next" { "Next →" } }
        }
    }
}

/// A query string of the filters that are set, e.g. `flag=not_improving&stage=2`.
pub fn query_string(pairs: &[(&str, &Option<String>)]) -> String {
    let kept: Vec<(&str, &str)> =
        pairs.iter().filter_map(|(k, v)| v.as_deref().filter(|v| !v.is_empty()).map(|v| (*k, v))).collect();
    serde_html_form::to_string(kept).unwrap_or_default()
}

/// A date as 23 Nov 2026.
pub fn date(d: chrono::NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

/// One CSV cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text as typed; defused when a spreadsheet would run it as a formula.
    Text(String),
    /// A number, written as is (`-18.0` stays a number).
    Number(String),
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

impl Cell {
    /// The cell as written: text starting with `=`, `+`, `-`, `@`, a tab or a carriage
    /// return gets a leading `'` so that no spreadsheet evaluates it.
    fn written(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Self::Text(text) if text.starts_with(['=', '+', '-', '@', '\t', '\r']) => format!("'{text}").into(),
            Self::Text(text) | Self::Number(text) => text.as_str().into(),
        }
    }
}

/// A CSV download (RFC 4180, by the `csv` crate): a header row, then rows.
pub fn csv_response(
    filename: &str,
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<Cell>>,
) -> Result<actix_web::HttpResponse, crate::error::AppError> {
    let failed = |_: csv::Error| crate::error::AppError::Internal("writing CSV failed".into());
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    writer.write_record(header).map_err(failed)?;
    for row in rows {
        writer.write_record(row.iter().map(|c| c.written().into_owned())).map_err(failed)?;
    }
    let out = writer.into_inner().map_err(|_| crate::error::AppError::Internal("writing CSV failed".into()))?;
    Ok(actix_web::HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{filename}\"")))
        .body(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_stay_numbers_and_only_formula_text_is_defused() {
        let rows = vec![vec![
            Cell::Number("-18.0".into()),
            Cell::Text("-18.0".into()),
            Cell::Text("=HYPERLINK(\"x\")".into()),
            Cell::Text("@SUM(A1)".into()),
            Cell::Text("\tcmd".into()),
            Cell::Text("Smith, Jo".into()),
            Cell::Text("O'Neil".into()),
        ]];
        let response = csv_response("t.csv", &["a", "b", "c", "d", "e", "f", "g"], rows).unwrap();
        let body = actix_web::body::to_bytes(response.into_body());
        let body = futures_lite(body);
        assert_eq!(
            body,
            "a,b,c,d,e,f,g\r\n-18.0,'-18.0,\"'=HYPERLINK(\"\"x\"\")\",'@SUM(A1),'\tcmd,\"Smith, Jo\",O'Neil\r\n"
        );
    }

    fn futures_lite<F: std::future::Future<Output = Result<actix_web::web::Bytes, E>>, E: std::fmt::Debug>(
        f: F,
    ) -> String {
        let bytes = actix_web::rt::System::new().block_on(f).unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }
}
