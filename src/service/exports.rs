//! What leaves the building: the patient handout of a plan version and the FHIR export.

use super::plans::load;
use super::Ctx;
use crate::db::audit::Audited;
use crate::db::ids::{ClinicId, PatientId, PlanId};
use crate::db::{DbConn, DbError};
use crate::error::AppError;
use chrono::NaiveDate;

/// Records an export: one `action` event for every distinct patient it contains (so the
/// trail of a patient shows every export that held them), appended together. The `detail`
/// of each names how many patients the export held.
pub fn record_patients<'a>(
    conn: &mut DbConn,
    ctx: &Ctx,
    action: &str,
    clinic: Option<ClinicId>,
    patients: impl IntoIterator<Item = &'a str>,
) -> Result<(), DbError> {
    let ids: std::collections::BTreeSet<PatientId> = patients.into_iter().filter_map(|p| p.parse().ok()).collect();
    let detail = format!("patients={}", ids.len());
    let event = |patient| super::event(Some(&ctx.actor), &ctx.origin, action, clinic, patient, Some(detail.clone()));
    let events = if ids.is_empty() { vec![event(None)] } else { ids.iter().map(|id| event(Some(*id))).collect() };
    crate::db::audit_chain::append_all(conn, events)
}

/// The handout of a plan: the active (latest activated) version, or version `number`.
/// 409 `not_activated` before the first activation. The print is audited (a refused
/// print at once, in its own transaction).
pub fn handout(
    conn: &mut DbConn,
    ctx: &Ctx,
    plan: PlanId,
    number: Option<i32>,
    large: bool,
    today: NaiveDate,
) -> Result<Audited<crate::domain::export::handout::Handout>, AppError> {
    let view = load(conn, ctx, plan)?;
    if view.row.plan_version == 0 {
        return Err(AppError::Conflict {
            code: "not_activated",
            message: "This plan has not been activated yet; activate it to print the handout.".into(),
        });
    }
    let number = number.unwrap_or(view.row.plan_version);
    let content = view.version_content(conn, number)?;
    // The version printed is checked against what is known about the patient now.
    let rules = super::safety::rules_for(conn, &content)?;
    if super::safety::evaluate(&content, &rules, &view.profile).review_needed() {
        ctx.audit(
            conn,
            "plan.print_refused",
            Some(view.row.clinic_id),
            Some(view.row.patient_id),
            Some(format!("plan={plan} version={number}")),
        )?;
        return Err(AppError::Conflict {
            code: "safety_review_required",
            message: "This handout is not printed: part of the plan no longer fits what is known about the patient. Review the plan first.".into(),
        });
    }
    let clinic = crate::db::clinics::find(conn, view.row.clinic_id)?.ok_or(AppError::NotFound)?;
    let patient = &view.history.patient;
    let header = crate::domain::export::handout::HandoutHeader {
        clinic: clinic.name,
        clinic_phone: clinic.phone,
        clinic_address: clinic.address,
        patient: format!("{} {}", patient.0.given_name, patient.0.family_name),
        therapist: patient.1.clone(),
        title: view.row.title.clone(),
    };
    let mut handout = crate::domain::export::handout::handout(header, &content, number, today, large);
    let codes: Vec<String> = handout.home.iter().map(|e| e.code.clone()).collect();
    let pictures = super::media::for_codes(conn, view.row.clinic_id, &codes)?;
    for e in &mut handout.home {
        e.image = pictures.iter().find(|p| p.modality_code == e.code).map(crate::db::media::MediaRef::image);
    }
    let detail = format!("plan={plan} version={number} large={large}");
    Ok(ctx.audited(handout, "plan.print", Some(view.row.clinic_id), Some(view.row.patient_id), Some(detail)))
}

/// A stable UUID for an exported resource derived from its source (so re-exports match).
fn derived_id(parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(parts.join("|").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_sha1_bytes(bytes).into_uuid().to_string()
}

/// The scores of an assessment exported as Observations, by measure code (see
/// `domain::export::fhir::score_code`). The hook for RMDQ and PSFS: when the assessment scores
/// carry them, add `("rmdq", scores.rmdq)` and `("psfs_mean", scores.psfs_mean)` here.
pub fn score_values(scores: &crate::domain::assessment::Scores) -> Vec<(&'static str, Option<f64>)> {
    vec![("odi_percent", scores.odi_percent)]
}

/// Which FHIR Bundle an export is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BundleKind {
    /// A `collection`: a document of the plan.
    #[default]
    Collection,
    /// A `transaction` a FHIR server imports (`PUT Type/id` entries).
    Transaction,
}

/// The plan as a FHIR R4 Bundle: Patient, the treated Condition, CarePlan (the active
/// version, or the draft before the first activation), Goals, NPRS, SLR and score
/// Observations and ODI QuestionnaireResponses from signed assessments. Audited.
pub fn fhir(conn: &mut DbConn, ctx: &Ctx, plan: PlanId, kind: BundleKind) -> Result<serde_json::Value, AppError> {
    use crate::domain::export::fhir::{
        as_transaction, bundle, FhirCondition, FhirMeasurement, FhirOdi, FhirPatient, FhirPlan,
    };
    use crate::domain::findings::Side;
    use crate::domain::scoring::OdiSection;
    let view = super::plans::get(conn, ctx, plan)?.append(conn)?;
    let content = if view.row.plan_version > 0 {
        view.version_content(conn, view.row.plan_version)?
    } else {
        view.content.clone()
    };
    let p = &view.history.patient.0;
    let clinic = crate::db::clinics::find(conn, p.clinic_id)?.ok_or(AppError::NotFound)?;
    let patient = FhirPatient {
        id: p.id.to_string(),
        clinic_id: p.clinic_id.to_string(),
        clinic_name: clinic.name,
        given: p.given_name.clone(),
        family: p.family_name.clone(),
        birth_date: p.date_of_birth,
        sex: p.sex.clone(),
        phone: p.phone.clone(),
        email: p.email.clone(),
    };
    let condition = FhirCondition {
        id: derived_id(&[&p.id.to_string(), "condition"]),
        text: p.condition.clone(),
        side: p.side.code().to_owned(),
        onset: p.onset_date,
        active: p.status == crate::domain::patient::PatientStatus::Active,
    };
    let mut measurements = Vec::new();
    let mut odi = Vec::new();
    for r in view.history.records.iter().filter(|r| r.is_signed()) {
        let c = r.current();
        let id = r.row.id.to_string();
        let values = [
            ("nprs_now", c.number("nprs_now", None)),
            ("nprs_best", c.number("nprs_best", None)),
            ("nprs_worst", c.number("nprs_worst", None)),
            ("slr_left", c.number("slr", Some(Side::Left))),
            ("slr_right", c.number("slr", Some(Side::Right))),
        ];
        for (code, value) in values {
            if let Some(value) = value {
                measurements.push(FhirMeasurement {
                    id: derived_id(&[&id, code]),
                    code: code.into(),
                    value,
                    date: r.row.assessed_on,
                    derived_from: None,
                });
            }
        }
        let questionnaire = c.odi.as_ref().map(|_| derived_id(&[&id, "odi"]));
        for (code, value) in score_values(&c.scores()) {
            if let Some(value) = value {
                measurements.push(FhirMeasurement {
                    id: derived_id(&[&id, code]),
                    code: code.into(),
                    value,
                    date: r.row.assessed_on,
                    derived_from: questionnaire.clone().filter(|_| code == "odi_percent"),
                });
            }
        }
        if let (Some(answers), Some(questionnaire)) = (&c.odi, questionnaire) {
            odi.push(FhirOdi {
                id: questionnaire,
                date: r.row.assessed_on,
                answers: OdiSection::ALL
                    .iter()
                    .filter_map(|s| answers.get(*s).map(|a| (s.code().to_owned(), a)))
                    .collect(),
                percent: c.scores().odi_percent,
            });
        }
    }
    let fhir_plan = FhirPlan {
        id: view.row.id.to_string(),
        title: view.row.title.clone(),
        status: view.status(),
        version: view.row.plan_version,
        created: view.row.created_at.date(),
        content: &content,
    };
    ctx.audit(
        conn,
        "plan.fhir_export",
        Some(view.row.clinic_id),
        Some(view.row.patient_id),
        Some(format!("plan={plan} type={kind:?}")),
    )?;
    let collection = bundle(&patient, &condition, &fhir_plan, &measurements, &odi);
    Ok(match kind {
        BundleKind::Collection => collection,
        BundleKind::Transaction => as_transaction(collection),
    })
}
