//! Validated types and clinical rules. No SQL and no HTML here: everything is unit-tested.

pub mod assessment;
pub mod audit_chain;
pub mod caseload;
pub mod clock;
pub mod consent;
pub mod dates;
pub mod dosage;
pub mod export;
pub mod findings;
pub mod history;
pub mod illustration;
pub mod illustrations;
pub mod library;
mod library_items;
pub mod mcid;
pub mod media;
pub mod media_svg;
pub mod modality;
pub mod neuro_trend;
pub mod patient;
pub mod patient_search;
pub mod plan;
pub mod plan_safety;
pub mod plan_storage;
pub mod progression;
pub mod protocol;
pub mod protocols_builtin;
pub mod questionnaires;
pub mod red_flag_action;
pub mod red_flags;
pub mod safety;
pub mod safety_floor;
pub mod safety_profile;
pub mod scoring;

/// Stores an enum as its code: `String::from(value)` writes `value.code()`, and
/// `T::try_from(code)` reads one of `T::ALL` back, refusing an unknown code (never a silent
/// default); `Display` writes the code. Row structs use these through diesel's `serialize_as`/`deserialize_as`.
#[macro_export]
macro_rules! stored_as_code {
    ($($t:ty),* $(,)?) => {$(
        impl TryFrom<String> for $t {
            type Error = String;
            fn try_from(code: String) -> Result<Self, String> {
                Self::ALL.into_iter().find(|v| v.code() == code).ok_or_else(|| format!("not a stored {} code", stringify!($t)))
            }
        }

        impl From<$t> for String {
            fn from(value: $t) -> String {
                value.code().to_owned()
            }
        }

        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    )*};
}

/// Text as typed, trimmed; `None` when absent or blank (forms send empty fields as "").
pub fn filled(value: &Option<String>) -> Option<String> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)
}
