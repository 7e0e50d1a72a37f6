//! Reusable pieces of pages.

use super::session::SessionUser;
use crate::error::FieldErrors;
use maud::{html, Markup};

/// The hidden CSRF field every state-changing form carries.
pub fn csrf(user: &SessionUser) -> Markup {
    html! { input type="hidden" name="csrf_token" value=(user.csrf_token); }
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
            div.error-summary role="alert" {
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

/// A CSV download (RFC 4180): a header row, then rows; fields quoted when needed and
/// spreadsheet formulas defused.
pub fn csv_response(
    filename: &str,
    header: &str,
    rows: impl IntoIterator<Item = Vec<String>>,
) -> actix_web::HttpResponse {
    fn field(value: &str) -> String {
        let value = if value.starts_with(['=', '+', '-', '@']) { format!("'{value}") } else { value.to_owned() };
        if value.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", value.replace('"', "\"\""))
        } else {
            value
        }
    }
    let mut out = format!("{header}\r\n");
    for row in rows {
        out.push_str(&row.iter().map(|f| field(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    actix_web::HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{filename}\"")))
        .body(out)
}
