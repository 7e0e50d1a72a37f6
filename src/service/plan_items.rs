//! Turning a library item into a plan item: the request, its checks, and the safety
//! engine's verdict (warnings, override, or a 422 naming the facts).

use super::library::LibraryItem;
use super::{now, Ctx};
use crate::domain::consent::ConsentInput;
use crate::domain::dosage::Dosage;
use crate::domain::modality::Setting;
use crate::domain::plan::{ItemWarning, PlanItem};
use crate::domain::safety::{self, ItemRequest, SafetyProfile, Verdict};
use crate::error::{add_field_error, AppError, FieldErrors};

/// The request to add a library item to a stage.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AddItem {
    /// The library item (version) id.
    #[schema(value_type = String)]
    pub modality_id: String,
    /// Dosage overrides (CERT fields).
    pub dosage: Option<Dosage>,
    /// `left`, `right` or `bilateral`.
    #[schema(value_type = Option<crate::domain::patient::BodySide>)]
    pub side: Option<String>,
    /// `clinic` or `home`; the library default when absent.
    #[schema(value_type = Option<crate::domain::modality::Setting>)]
    pub setting: Option<String>,
    /// Notes for clinicians only.
    pub clinician_notes: Option<String>,
    /// Written reason to go ahead despite an absolute contraindication.
    pub override_reason: Option<String>,
    /// The patient's consent (needed for dry needling and thrust manipulation): `true` for
    /// verbal consent with no risks listed, or `{kind: "verbal"|"written", risks: [..]}`.
    #[schema(value_type = bool)]
    pub consent: ConsentInput,
    /// The plan version the change is based on (required over the API; 409 when stale).
    pub version: Option<i32>,
}

pub(super) fn check_side(side: Option<&str>) -> Result<Option<String>, AppError> {
    match side.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s @ ("left" | "right" | "bilateral")) => Ok(Some(s.to_owned())),
        Some(_) => Err(AppError::field("side", "side must be left, right or bilateral")),
    }
}

pub(super) fn check_setting(setting: Option<&str>, default: Setting) -> Result<Setting, AppError> {
    match setting.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => s.parse().map_err(|_| AppError::field("setting", "setting must be clinic or home")),
    }
}

pub(super) fn check_dosage(dosage: Option<&Dosage>) -> Result<Dosage, AppError> {
    let dosage = dosage.cloned().unwrap_or_default();
    dosage.validate().map_err(|problems| {
        let mut errors = FieldErrors::new();
        for (field, message) in problems {
            add_field_error(&mut errors, &format!("dosage.{field}"), message);
        }
        AppError::Validation(errors)
    })?;
    Ok(dosage)
}

pub(super) fn notes(text: Option<&str>) -> Result<Option<String>, AppError> {
    let text = text.map(str::trim).filter(|t| !t.is_empty());
    if text.is_some_and(|t| t.chars().count() > 2000) {
        return Err(AppError::field("clinician_notes", "Keep notes under 2000 characters."));
    }
    Ok(text.map(str::to_owned))
}

/// Runs the safety engine for a library item; the verdict becomes the item's warnings,
/// or a 422 `contraindicated` / `consent_required` naming the facts.
pub(super) fn build_item(
    ctx: &Ctx,
    lib: &LibraryItem,
    profile: &SafetyProfile,
    req: &AddItem,
) -> Result<PlanItem, AppError> {
    let consent =
        req.consent.record(ctx.actor.user_id.to_string(), now()).map_err(|m| AppError::field("consent", m))?;
    let request = ItemRequest { override_reason: req.override_reason.clone(), consent: consent.is_some() };
    let verdict = safety::check_item(&lib.def, profile, &request);
    let warn = |w: &safety::Warning| ItemWarning {
        fact: w.fact.code().to_owned(),
        severity: w.severity.code().to_owned(),
        message: w.message.clone(),
    };
    let (warnings, override_reason) = match &verdict {
        Verdict::Allowed { warnings } => (warnings.iter().map(warn).collect(), None),
        Verdict::Overridden { absolute, warnings, reason } => {
            (absolute.iter().chain(warnings).map(warn).collect(), Some(reason.clone()))
        }
        Verdict::Blocked(facts) => {
            let message = verdict.error_message().unwrap_or_default();
            let mut fields = FieldErrors::new();
            for f in facts {
                add_field_error(
                    &mut fields,
                    "override_reason",
                    format!("{} ({}) is an absolute contraindication.", f.label(), f.code()),
                );
            }
            return Err(AppError::Refused { code: "contraindicated", message, fields });
        }
        Verdict::ConsentRequired => {
            let message = verdict.error_message().unwrap_or_default();
            let mut fields = FieldErrors::new();
            add_field_error(&mut fields, "consent", message.clone());
            return Err(AppError::Refused { code: "consent_required", message, fields });
        }
    };
    let setting = check_setting(req.setting.as_deref(), lib.def.setting)?;
    let mut item = PlanItem::from_library(
        lib.row.id.to_string(),
        lib.row.version,
        &lib.def,
        check_dosage(req.dosage.as_ref())?,
        setting,
    );
    item.side = check_side(req.side.as_deref())?;
    item.clinician_notes = notes(req.clinician_notes.as_deref())?;
    item.warnings = warnings;
    item.override_reason = override_reason;
    if lib.def.consent_required {
        item.consent_recorded = consent.is_some();
        item.consent = consent;
    }
    Ok(item)
}
