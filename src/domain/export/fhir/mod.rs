//! FHIR R4 export of a plan: a `collection` Bundle with the Patient, the treated Condition,
//! the CarePlan, its Goals, the measurements and scores as Observations and each Oswestry
//! Disability Index as a QuestionnaireResponse; [`as_transaction`] turns it into a
//! `transaction` Bundle a FHIR server imports. Pure: the caller loads the data into the
//! plain input types below and serves the JSON.
//!
//! Decisions:
//! - The Patient's `identifier` is the patient id in the clinic's namespace
//!   (`system` `urn:uuid:<clinic id>`), so a server can match it on re-import.
//! - The treated condition is a Condition (SNOMED CT sciatica 23056005 or low back pain
//!   279039007 when the clinician's words name one; the words are always its `text`),
//!   referenced by `CarePlan.addresses`.
//! - Goal `lifecycleStatus` follows the plan: draft -> proposed, active -> active,
//!   completed -> completed, discontinued -> cancelled.
//! - NPRS now, best and worst share LOINC 72514-3 and are told apart by a second coding
//!   (`urn:physioplan:measure` `nprs_now|nprs_best|nprs_worst`) and the `text`. Every
//!   Observation has an `identifier` (`urn:ietf:rfc:3986`, its `urn:uuid:`).
//! - The ODI score is an Observation (LOINC 97909-6, %) derived from its
//!   QuestionnaireResponse, which names the LOINC ODI panel as its `questionnaire`
//!   (`http://loinc.org/q/97908-8`); its item `linkId`s are physioplan's section codes.
//! - The plan version is a CarePlan `identifier` (`system` `urn:uuid:<plan id>`, `value` the
//!   version number), since a server rewrites `meta.versionId`.
//! - Every entry's `fullUrl` is `urn:uuid:<id>` and every reference points at one of
//!   them; the resource `id` is the same id.
//! - The CarePlan has one `activity` per plan item. Its stage is written in
//!   `detail.scheduledString` ("Stage 2 of 4: Mobility, 3 weeks planned"), and each stage's
//!   purpose and "move on when" criteria in plain words are a CarePlan `note`.
//! - `detail.kind` is `ServiceRequest` for clinic items; home items have no kind and the
//!   Patient as performer. `detail.status` follows the stage: the current stage's items
//!   are `in-progress`, later ones `not-started`, earlier ones `completed`; a draft plan's
//!   are all `not-started`, a completed plan's all `completed`, and a discontinued plan's
//!   current and later items `stopped` and `cancelled`.
//! - The CarePlan lists the Observations and QuestionnaireResponses as `supportingInfo`.
//! - Clinician-only notes, safety warnings, override reasons and consent records are never
//!   exported. The ODI question wording is copyrighted: items carry section names only.

use crate::domain::modality::Setting;
use crate::domain::plan::{Goal, PlanContent, PlanItem, PlanStage, PlanStatus};
use crate::domain::progression::{plain_words, Comparator, Measure};
use crate::domain::scoring::OdiSection;
use chrono::NaiveDate;
use serde_json::{json, Value};

/// LOINC code of the 0–10 numeric pain rating (NPRS).
pub const LOINC_NPRS: &str = "72514-3";
/// LOINC code of the Oswestry Disability Index score (%).
pub const LOINC_ODI_SCORE: &str = "97909-6";
/// The canonical of the Questionnaire ODI answers are given to (the LOINC ODI panel).
pub const ODI_QUESTIONNAIRE: &str = "http://loinc.org/q/97908-8";
/// SNOMED CT: sciatica.
pub const SNOMED_SCIATICA: &str = "23056005";
/// SNOMED CT: low back pain.
pub const SNOMED_LOW_BACK_PAIN: &str = "279039007";
const SNOMED: &str = "http://snomed.info/sct";
/// The code system of physioplan's own measure codes (`nprs_now`, `rmdq`, ...).
pub const MEASURE_SYSTEM: &str = "urn:physioplan:measure";
/// The identifier system whose values are URIs (here `urn:uuid:` of the resource).
const URI_SYSTEM: &str = "urn:ietf:rfc:3986";
const CONDITION_CLINICAL: &str = "http://terminology.hl7.org/CodeSystem/condition-clinical";
const LOINC: &str = "http://loinc.org";
const UCUM: &str = "http://unitsofmeasure.org";
const OBSERVATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";

/// The patient, as exported.
#[derive(Debug, Clone, PartialEq)]
pub struct FhirPatient {
    /// Id (a UUID), used for the `urn:uuid:` full URL.
    pub id: String,
    /// The clinic's id (a UUID): the namespace of the patient's identifier.
    pub clinic_id: String,
    /// The clinic's name (the identifier's assigner).
    pub clinic_name: String,
    /// Given name.
    pub given: String,
    /// Family name.
    pub family: String,
    /// Date of birth.
    pub birth_date: NaiveDate,
    /// `female`, `male`, `other` or `not_stated`; anything else exports as `unknown`.
    pub sex: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
}

/// The condition the plan treats.
#[derive(Debug, Clone, PartialEq)]
pub struct FhirCondition {
    /// Id (a UUID).
    pub id: String,
    /// The clinician's words, e.g. "Acute sciatica, L5/S1 disc".
    pub text: String,
    /// `left`, `right` or `bilateral`.
    pub side: String,
    /// Onset date.
    pub onset: Option<NaiveDate>,
    /// Whether the patient is under care (else discharged: `inactive`).
    pub active: bool,
}

/// One measurement from an assessment.
#[derive(Debug, Clone, PartialEq)]
pub struct FhirMeasurement {
    /// Id (a UUID) of this measurement.
    pub id: String,
    /// `nprs_now`, `nprs_best`, `nprs_worst`, `slr_left`, `slr_right`, or a score:
    /// `odi_percent`, `rmdq`, `psfs_mean` (see [`score_code`]); any other code exports as an
    /// Observation named by the code, without a unit.
    pub code: String,
    /// The value: NPRS 0–10, SLR in degrees.
    pub value: f64,
    /// When it was measured.
    pub date: NaiveDate,
    /// The id of the QuestionnaireResponse it is derived from (scores).
    pub derived_from: Option<String>,
}

/// One Oswestry Disability Index.
#[derive(Debug, Clone, PartialEq)]
pub struct FhirOdi {
    /// Id (a UUID) of this questionnaire.
    pub id: String,
    /// When it was answered.
    pub date: NaiveDate,
    /// Section code (e.g. `lifting`) and answer 0–5.
    pub answers: Vec<(String, u8)>,
    /// The computed score in percent, if there is one.
    pub percent: Option<f64>,
}

/// The plan version being exported.
#[derive(Debug, Clone, PartialEq)]
pub struct FhirPlan<'a> {
    /// Id (a UUID) of the plan.
    pub id: String,
    /// Title.
    pub title: String,
    /// Lifecycle status.
    pub status: PlanStatus,
    /// Version number, exported as an identifier (and `meta.versionId`).
    pub version: i32,
    /// When the plan was created.
    pub created: NaiveDate,
    /// The content of this version.
    pub content: &'a PlanContent,
}

/// The `urn:uuid:` full URL of an entry with this id.
pub fn full_url(id: &str) -> String {
    format!("urn:uuid:{id}")
}

fn reference(id: &str) -> Value {
    json!({ "reference": full_url(id) })
}

/// The CarePlan status of a plan status (`discontinued` is FHIR `revoked`).
pub fn care_plan_status(status: PlanStatus) -> &'static str {
    match status {
        PlanStatus::Draft => "draft",
        PlanStatus::Active => "active",
        PlanStatus::Completed => "completed",
        PlanStatus::Discontinued => "revoked",
    }
}

/// The Goal `lifecycleStatus` of a plan status.
pub fn goal_status(status: PlanStatus) -> &'static str {
    match status {
        PlanStatus::Draft => "proposed",
        PlanStatus::Active => "active",
        PlanStatus::Completed => "completed",
        PlanStatus::Discontinued => "cancelled",
    }
}

/// The SNOMED CT concept (code, display) the clinician's words for a condition name, if
/// any: sciatica (also radicular pain, radiculopathy), else low back pain.
pub fn condition_code(text: &str) -> Option<(&'static str, &'static str)> {
    let t = text.to_lowercase();
    if t.contains("sciatica") || t.contains("radicul") {
        Some((SNOMED_SCIATICA, "Sciatica"))
    } else if t.contains("back pain") {
        Some((SNOMED_LOW_BACK_PAIN, "Low back pain"))
    } else {
        None
    }
}

/// The FHIR administrative gender of a stored sex code.
pub fn gender(sex: Option<&str>) -> &'static str {
    match sex {
        Some("female") => "female",
        Some("male") => "male",
        Some("other") => "other",
        _ => "unknown",
    }
}

/// The Bundle (`type` `collection`) for a plan: Patient, Condition, CarePlan, Goals,
/// Observations and QuestionnaireResponses, in that order.
pub fn bundle(
    patient: &FhirPatient,
    condition: &FhirCondition,
    plan: &FhirPlan<'_>,
    measurements: &[FhirMeasurement],
    odi: &[FhirOdi],
) -> Value {
    let mut resources = vec![
        patient_resource(patient),
        condition_resource(patient, condition),
        care_plan(patient, condition, plan, measurements, odi),
    ];
    resources.extend(plan.content.goals.iter().map(|g| goal(patient, g, plan.status)));
    resources.extend(measurements.iter().map(|m| observation(patient, m)));
    resources.extend(odi.iter().map(|q| questionnaire_response(patient, q)));
    let entry: Vec<Value> = resources
        .into_iter()
        .map(|r| {
            let id = r["id"].as_str().unwrap_or_default().to_owned();
            json!({ "fullUrl": full_url(&id), "resource": r })
        })
        .collect();
    json!({ "resourceType": "Bundle", "type": "collection", "entry": entry })
}

/// The same bundle as a `transaction`: each entry a `PUT Type/id` (ids are stable, so a
/// second import updates instead of duplicating), references kept as the `urn:uuid:` full
/// URLs, which the server rewrites to the stored resources.
pub fn as_transaction(mut bundle: Value) -> Value {
    bundle["type"] = json!("transaction");
    if let Some(entries) = bundle["entry"].as_array_mut() {
        for e in entries {
            let url = format!(
                "{}/{}",
                e["resource"]["resourceType"].as_str().unwrap_or_default(),
                e["resource"]["id"].as_str().unwrap_or_default()
            );
            if let Some(meta) = e["resource"].as_object_mut() {
                meta.remove("meta");
            }
            e["request"] = json!({ "method": "PUT", "url": url });
        }
    }
    bundle
}

fn uri_identifier(id: &str) -> Value {
    json!([{ "system": URI_SYSTEM, "value": full_url(id) }])
}

fn condition_resource(patient: &FhirPatient, c: &FhirCondition) -> Value {
    let mut code = json!({ "text": c.text });
    if let Some((snomed, display)) = condition_code(&c.text) {
        code["coding"] = json!([{ "system": SNOMED, "code": snomed, "display": display }]);
    }
    let clinical = if c.active { "active" } else { "inactive" };
    let mut r = json!({
        "resourceType": "Condition",
        "id": c.id,
        "clinicalStatus": { "coding": [{ "system": CONDITION_CLINICAL, "code": clinical }] },
        "code": code,
        "subject": reference(&patient.id),
    });
    if !c.side.trim().is_empty() {
        r["bodySite"] = json!([{ "text": format!("{} side", c.side.trim()) }]);
    }
    if let Some(onset) = c.onset {
        r["onsetDateTime"] = json!(onset.to_string());
    }
    r
}

fn patient_resource(p: &FhirPatient) -> Value {
    let telecom: Vec<Value> = [("phone", &p.phone), ("email", &p.email)]
        .into_iter()
        .filter_map(|(system, v)| {
            v.as_deref().filter(|v| !v.trim().is_empty()).map(|v| json!({ "system": system, "value": v }))
        })
        .collect();
    let mut r = json!({
        "resourceType": "Patient",
        "id": p.id,
        "identifier": [{
            "use": "usual",
            "system": format!("urn:uuid:{}", p.clinic_id),
            "value": p.id,
            "assigner": { "display": p.clinic_name },
        }],
        "name": [{ "use": "official", "family": p.family, "given": [p.given] }],
        "gender": gender(p.sex.as_deref()),
        "birthDate": p.birth_date.to_string(),
    });
    if !telecom.is_empty() {
        r["telecom"] = Value::Array(telecom);
    }
    r
}

fn care_plan(
    patient: &FhirPatient,
    condition: &FhirCondition,
    plan: &FhirPlan<'_>,
    measurements: &[FhirMeasurement],
    odi: &[FhirOdi],
) -> Value {
    let content = plan.content;
    let total = content.stages.len();
    let activity: Vec<Value> = content.items().map(|(s, i)| activity(patient, plan, s, i, total)).collect();
    let note: Vec<Value> = content.stages.iter().map(|s| json!({ "text": stage_note(s, total) })).collect();
    let supporting: Vec<Value> =
        measurements.iter().map(|m| reference(&m.id)).chain(odi.iter().map(|q| reference(&q.id))).collect();
    let mut r = json!({
        "resourceType": "CarePlan",
        "id": plan.id,
        "meta": { "versionId": plan.version.to_string() },
        "identifier": [
            { "use": "official", "system": URI_SYSTEM, "value": full_url(&plan.id) },
            { "use": "secondary", "type": { "text": "Plan version" }, "system": full_url(&plan.id),
              "value": plan.version.to_string() },
        ],
        "status": care_plan_status(plan.status),
        "intent": "plan",
        "title": plan.title,
        "subject": reference(&patient.id),
        "addresses": [reference(&condition.id)],
        "created": plan.created.to_string(),
        "goal": content.goals.iter().map(|g| reference(&g.id.to_string())).collect::<Vec<_>>(),
        "activity": activity,
        "note": note,
    });
    if let Some(start) = content.stages.iter().find_map(|s| s.started_on) {
        r["period"] = json!({ "start": start.to_string() });
    }
    if !supporting.is_empty() {
        r["supportingInfo"] = Value::Array(supporting);
    }
    r
}

/// "Stage 1 of 4: Pain control (2 weeks planned). Purpose. Move on when: a; b."
fn stage_note(s: &PlanStage, total: usize) -> String {
    let criteria: Vec<String> = s.criteria.iter().map(plain_words).collect();
    let mut text = format!("Stage {} of {total}: {} ({} planned).", s.position, s.name, weeks(s.planned_weeks));
    if !s.purpose.trim().is_empty() {
        text.push(' ');
        text.push_str(s.purpose.trim());
    }
    if !criteria.is_empty() {
        text.push_str(&format!(" Move on when: {}.", criteria.join("; ")));
    }
    text
}

/// "1 week", "3 weeks".
fn weeks(n: u8) -> String {
    if n == 1 {
        "1 week".into()
    } else {
        format!("{n} weeks")
    }
}

fn activity_status(status: PlanStatus, position: u8, current: u8) -> &'static str {
    use std::cmp::Ordering::*;
    match (status, position.cmp(&current)) {
        (PlanStatus::Draft, _) => "not-started",
        (PlanStatus::Completed, _) | (_, Less) => "completed",
        (PlanStatus::Active, Equal) => "in-progress",
        (PlanStatus::Active, Greater) => "not-started",
        (PlanStatus::Discontinued, Equal) => "stopped",
        (PlanStatus::Discontinued, Greater) => "cancelled",
    }
}

/// Only the item's name, dosage, side and setting go out: never its clinician notes,
/// warnings, override reason or consent.
fn activity(patient: &FhirPatient, plan: &FhirPlan<'_>, s: &PlanStage, i: &PlanItem, total: usize) -> Value {
    let mut description = i.dosage().summary();
    if let Some(side) = i.side.as_deref().filter(|v| !v.trim().is_empty()) {
        description.push_str(&format!(" ({side} side)"));
    }
    let mut detail = json!({
        "code": { "text": i.name },
        "status": activity_status(plan.status, s.position, plan.content.current_stage),
        "scheduledString": format!("Stage {} of {total}: {}, {} planned", s.position, s.name, weeks(s.planned_weeks)),
        "description": description,
    });
    match i.setting {
        Setting::Clinic => detail["kind"] = json!("ServiceRequest"),
        Setting::Home => detail["performer"] = json!([reference(&patient.id)]),
    }
    json!({ "detail": detail })
}

/// UCUM unit of a measure: (human unit, UCUM code), none for yes/no measures.
fn unit(measure: Measure) -> Option<(&'static str, &'static str)> {
    use Measure::*;
    match measure {
        NprsNow | NprsWorst | OdiImprovement | MmtMin | Rmdq | PsfsMean => Some(("score", "{score}")),
        OdiPercent => Some(("%", "%")),
        SlrLeft | SlrRight | SlrAffected => Some(("degrees", "deg")),
        SlrNoDistalSymptoms | NoNewNeuroDeficit | GoalsMet => None,
    }
}

fn quantity(value: f64, unit: Option<(&str, &str)>) -> Value {
    let mut q = json!({ "value": value });
    if let Some((name, code)) = unit {
        q["unit"] = json!(name);
        q["system"] = json!(UCUM);
        q["code"] = json!(code);
    }
    q
}

fn goal(patient: &FhirPatient, g: &Goal, status: PlanStatus) -> Value {
    let mut measure = json!({ "text": g.measure.label() });
    if matches!(g.measure, Measure::NprsNow | Measure::NprsWorst) {
        measure["coding"] = json!([{ "system": LOINC, "code": LOINC_NPRS }]);
    }
    let mut detail = quantity(g.target, unit(g.measure));
    let comparator = match g.comparator {
        Comparator::Eq => None,
        other => Some(other.symbol()),
    };
    if let Some(c) = comparator {
        detail["comparator"] = json!(c);
    }
    let mut target = json!({ "measure": measure, "detailQuantity": detail });
    if let Some(due) = g.due {
        target["dueDate"] = json!(due.to_string());
    }
    let mut r = json!({
        "resourceType": "Goal",
        "id": g.id.to_string(),
        "lifecycleStatus": goal_status(status),
        "description": { "text": plain_words(&g.criterion()) },
        "subject": reference(&patient.id),
        "target": [target],
    });
    if let Some(b) = g.baseline {
        r["note"] = json!([{ "text": format!("Baseline {}: {b}", g.measure.label()) }]);
    }
    r
}

/// The code of a score Observation: `odi_percent` (LOINC 97909-6, %), `rmdq` (0–24) and
/// `psfs_mean` (0–10) by physioplan's measure code and text (no LOINC code is used for
/// them here). The hook for new scores: add the measure here and pass its value as a
/// [`FhirMeasurement`].
pub fn score_code(measure: &str) -> Option<(Value, Option<(&'static str, &'static str)>)> {
    let own = |text: &str| json!({ "coding": [{ "system": MEASURE_SYSTEM, "code": measure }], "text": text });
    match measure {
        "odi_percent" => Some((
            json!({
                "coding": [{ "system": LOINC, "code": LOINC_ODI_SCORE, "display": "Oswestry disability index score ODI" }],
                "text": "Oswestry Disability Index (%)",
            }),
            Some(("%", "%")),
        )),
        "rmdq" => Some((own("Roland-Morris Disability Questionnaire score (0-24)"), Some(("score", "{score}")))),
        "psfs_mean" => Some((own("Patient-Specific Functional Scale, mean (0-10)"), Some(("score", "{score}")))),
        _ => None,
    }
}

fn observation(patient: &FhirPatient, m: &FhirMeasurement) -> Value {
    let nprs = |text: &str| {
        let code = json!({
            "coding": [{ "system": LOINC, "code": LOINC_NPRS }, { "system": MEASURE_SYSTEM, "code": m.code }],
            "text": text,
        });
        (code, "survey", None, unit(Measure::NprsNow))
    };
    let slr = |side: &str| {
        let code = json!({ "text": format!("Straight leg raise, {side}") });
        (code, "exam", Some(format!("{side} leg")), unit(Measure::SlrLeft))
    };
    let (code, category, body_site, unit) = match m.code.as_str() {
        "nprs_now" => nprs("Pain now (NPRS 0-10)"),
        "nprs_best" => nprs("Best pain in the last 24 hours (NPRS 0-10)"),
        "nprs_worst" => nprs("Worst pain in the last 24 hours (NPRS 0-10)"),
        "slr_left" => slr("left"),
        "slr_right" => slr("right"),
        other => match score_code(other) {
            Some((code, unit)) => (code, "survey", None, unit),
            None => (json!({ "text": other }), "exam", None, None),
        },
    };
    let mut r = json!({
        "resourceType": "Observation",
        "id": m.id,
        "identifier": uri_identifier(&m.id),
        "status": "final",
        "category": [{ "coding": [{ "system": OBSERVATION_CATEGORY, "code": category }] }],
        "code": code,
        "subject": reference(&patient.id),
        "effectiveDateTime": m.date.to_string(),
        "valueQuantity": quantity(m.value, unit),
    });
    if let Some(site) = body_site {
        r["bodySite"] = json!({ "text": site });
    }
    if let Some(from) = &m.derived_from {
        r["derivedFrom"] = json!([reference(from)]);
    }
    r
}

fn questionnaire_response(patient: &FhirPatient, q: &FhirOdi) -> Value {
    let position = |code: &str| OdiSection::ALL.iter().position(|s| s.code() == code).unwrap_or(OdiSection::ALL.len());
    let mut answers: Vec<&(String, u8)> = q.answers.iter().collect();
    answers.sort_by_key(|(code, _)| position(code));
    let mut items: Vec<Value> = answers
        .into_iter()
        .map(|(code, answer)| {
            let text = code.parse::<OdiSection>().map(|s| s.label().to_owned()).unwrap_or_else(|_| code.clone());
            json!({ "linkId": code, "text": text, "answer": [{ "valueInteger": answer }] })
        })
        .collect();
    if let Some(percent) = q.percent {
        let answer = json!([{ "valueDecimal": percent }]);
        items.push(json!({ "linkId": "odi_percent", "text": "Oswestry Disability Index (%)", "answer": answer }));
    }
    json!({
        "resourceType": "QuestionnaireResponse",
        "id": q.id,
        "identifier": { "system": URI_SYSTEM, "value": full_url(&q.id) },
        "questionnaire": ODI_QUESTIONNAIRE,
        "status": "completed",
        "subject": reference(&patient.id),
        "authored": q.date.to_string(),
        "item": [{ "linkId": "odi", "text": "Oswestry Disability Index (section answers 0-5)", "item": items }],
    })
}

#[cfg(test)]
mod tests;
