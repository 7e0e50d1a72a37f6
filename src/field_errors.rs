//! Messages per field: a leaf module, so domain validation can report them without knowing
//! about HTTP (`crate::error` renders them).

use std::collections::BTreeMap;

/// Messages per field name, shown next to the field (HTML) or under `fields` (JSON).
pub type FieldErrors = BTreeMap<String, Vec<String>>;

/// Adds `message` to `field` in `errors`.
pub fn add_field_error(errors: &mut FieldErrors, field: &str, message: impl Into<String>) {
    errors.entry(field.to_owned()).or_default().push(message.into());
}

/// The messages of `validator` rules, per field.
pub fn from_validator(found: &validator::ValidationErrors) -> FieldErrors {
    let mut errors = FieldErrors::new();
    for (field, list) in found.field_errors() {
        for e in list {
            let message = e.message.as_ref().map_or_else(|| e.code.to_string(), |m| m.to_string());
            add_field_error(&mut errors, &field, message);
        }
    }
    errors
}
