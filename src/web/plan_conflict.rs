//! A plan edit refused as stale ("changed by someone else") keeps what the user entered: the
//! plan page is shown as it is now, with the user's values in a form based on the current
//! version, so they can check the plan and save again without typing anything twice.

use super::components::{csrf, field_errors};
use super::session::SessionUser;
use crate::error::FieldErrors;
use maud::{html, Markup};

/// One value the user sent.
#[derive(Debug, Clone)]
pub struct KeptField {
    /// Form field name.
    pub name: &'static str,
    /// Label shown (empty: sent again hidden, e.g. the id of what to remove).
    pub label: &'static str,
    /// The value as typed.
    pub value: String,
}

/// An edit that was not saved: where it goes, what it was and the values sent.
#[derive(Debug, Clone)]
pub struct Kept {
    /// The form's action.
    pub action: String,
    /// What the edit was, e.g. "Add criterion".
    pub what: &'static str,
    /// The values.
    pub fields: Vec<KeptField>,
}

impl Kept {
    /// An edit posted to `action`.
    pub fn new(action: String, what: &'static str) -> Self {
        Self { action, what, fields: Vec::new() }
    }

    /// Adds a shown field (absent values are kept as empty).
    pub fn field(mut self, name: &'static str, label: &'static str, value: Option<&str>) -> Self {
        self.fields.push(KeptField { name, label, value: value.unwrap_or_default().to_owned() });
        self
    }

    /// Adds a hidden field.
    pub fn hidden(self, name: &'static str, value: Option<&str>) -> Self {
        self.field(name, "", value)
    }
}

/// The notice and the kept form, based on the plan's current `version`: refused as stale
/// (`errors` is `None`), or because a field does not read (its message beside it).
pub fn render(user: &SessionUser, version: i32, kept: &Kept, errors: Option<&FieldErrors>) -> Markup {
    // Item dosage problems are named `dosage.sets` and so on; the form field is `sets`.
    let problem = |name: &str| -> FieldErrors {
        let mut found = FieldErrors::new();
        for key in [name.to_owned(), format!("dosage.{name}")] {
            if let Some(m) = errors.and_then(|e| e.get(&key)) {
                found.entry(name.to_owned()).or_default().extend(m.iter().cloned());
            }
        }
        found
    };
    html! {
        div.error-summary.conflict role="alert" {
            @if errors.is_some() {
                p { strong { "Your change was not saved: check the field marked below." } }
                p { "What you entered is kept here: correct it and save again." }
            } @else {
                p { strong { "This plan was changed by someone else since you opened it; your change was not saved." } }
                p { "Check the plan as it is now. What you entered is kept here: save it again if it still applies." }
            }
            form.inline.kept method="post" action=(kept.action) {
                (csrf(user))
                input type="hidden" name="version" value=(version);
                @for f in &kept.fields {
                    @if f.label.is_empty() {
                        input type="hidden" name=(f.name) value=(f.value);
                    } @else {
                        @let found = problem(f.name);
                        @let bad = found.contains_key(f.name);
                        label { (f.label) " "
                            input type="text" name=(f.name) value=(f.value)
                                aria-invalid=[bad.then_some("true")]
                                aria-describedby=[bad.then(|| format!("{}-error", f.name))]
                                data-autofocus=[bad.then_some("true")];
                        }
                        (field_errors(&found, f.name))
                    }
                }
                button type="submit" { (kept.what) " again" }
            }
        }
    }
}

/// Whether `kept` has anything the user typed to show again.
pub fn has_typed(kept: &Kept) -> bool {
    kept.fields.iter().any(|f| !f.label.is_empty())
}
