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

use super::modality::Setting;
use super::plan::{Goal, PlanContent, PlanItem, PlanStage, PlanStatus};
use super::progression::{plain_words, Comparator, Measure};
use super::scoring::OdiSection;
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
mod tests {
    use super::*;
    use crate::domain::dosage::Dosage;
    use crate::domain::modality::Category;
    use std::collections::HashSet;
    use uuid::Uuid;

    const NOTE: &str = "Seems anxious about work; check with GP re sick note";
    const REASON: &str = "Discussed bleeding risk with haematology, proceed";

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap_or_default()
    }

    fn item(name: &str, setting: Setting) -> PlanItem {
        PlanItem {
            id: Uuid::now_v7(),
            modality_id: "m".into(),
            code: name.to_lowercase().replace(' ', "_"),
            modality_version: 1,
            name: name.into(),
            category: Category::Exercise,
            patient_instructions: "Do it.".into(),
            default_dosage: Dosage { sets: Some(3), reps: Some(10), ..Dosage::default() },
            dosage_override: Dosage { reps: Some(12), ..Dosage::default() },
            side: Some("left".into()),
            setting,
            clinician_notes: Some(NOTE.into()),
            warnings: Vec::new(),
            override_reason: Some(REASON.into()),
            consent_recorded: true,
            consent: None,
        }
    }

    fn content() -> PlanContent {
        let mut c = PlanContent::with_default_stages();
        c.stages[0].items.push(item("Pain education", Setting::Clinic));
        c.stages[1].items.push(item("Sciatic nerve slider", Setting::Home));
        c.stages[2].items.push(item("Bridge", Setting::Home));
        c.current_stage = 2;
        c.stages[0].started_on = Some(day(1));
        let goal = |measure, comparator, target| Goal {
            id: Uuid::now_v7(),
            measure,
            comparator,
            baseline: Some(8.0),
            target,
            due: Some(day(30)),
        };
        c.goals =
            vec![goal(Measure::NprsWorst, Comparator::Le, 3.0), goal(Measure::OdiImprovement, Comparator::Ge, 10.0)];
        c
    }

    fn patient(sex: Option<&str>) -> FhirPatient {
        FhirPatient {
            id: Uuid::now_v7().to_string(),
            clinic_id: Uuid::now_v7().to_string(),
            clinic_name: "Riverside Physiotherapy".into(),
            given: "Ada".into(),
            family: "Jones".into(),
            birth_date: NaiveDate::from_ymd_opt(1980, 2, 3).unwrap_or_default(),
            sex: sex.map(str::to_owned),
            phone: Some("01234 567890".into()),
            email: None,
        }
    }

    fn plan(content: &PlanContent, status: PlanStatus) -> FhirPlan<'_> {
        FhirPlan {
            id: Uuid::now_v7().to_string(),
            title: "Sciatica plan".into(),
            status,
            version: 2,
            created: day(1),
            content,
        }
    }

    fn measurement(code: &str, value: f64) -> FhirMeasurement {
        FhirMeasurement { id: Uuid::now_v7().to_string(), code: code.into(), value, date: day(2), derived_from: None }
    }

    fn odi(percent: Option<f64>) -> FhirOdi {
        let answers = vec![("walking".into(), 2), ("pain_intensity".into(), 4), ("lifting".into(), 3)];
        FhirOdi { id: Uuid::now_v7().to_string(), date: day(2), answers, percent }
    }

    fn condition(text: &str) -> FhirCondition {
        FhirCondition {
            id: Uuid::now_v7().to_string(),
            text: text.into(),
            side: "left".into(),
            onset: Some(day(1)),
            active: true,
        }
    }
    fn full_bundle(status: PlanStatus) -> Value {
        let c = content();
        let ms = [measurement("nprs_worst", 7.0), measurement("slr_left", 45.0), measurement("nprs_now", 5.0)];
        let cond = condition("Acute sciatica, L5/S1 disc");
        bundle(&patient(Some("female")), &cond, &plan(&c, status), &ms, &[odi(Some(44.0))])
    }

    fn resources<'a>(b: &'a Value, kind: &str) -> Vec<&'a Value> {
        let entries = b["entry"].as_array().map(Vec::as_slice).unwrap_or_default();
        entries.iter().map(|e| &e["resource"]).filter(|r| r["resourceType"] == kind).collect()
    }

    fn references(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    match (k.as_str(), v) {
                        ("reference", Value::String(r)) => out.push(r.clone()),
                        _ => references(v, out),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|v| references(v, out)),
            _ => {}
        }
    }

    #[test]
    fn the_bundle_is_a_collection_of_one_patient_one_care_plan_and_each_goal_measurement_and_odi() {
        let b = full_bundle(PlanStatus::Active);
        assert_eq!((b["resourceType"].as_str(), b["type"].as_str()), (Some("Bundle"), Some("collection")));
        let counts: Vec<usize> = ["Patient", "Condition", "CarePlan", "Goal", "Observation", "QuestionnaireResponse"]
            .iter()
            .map(|k| resources(&b, k).len())
            .collect();
        assert_eq!(counts, [1, 1, 1, 2, 3, 1]);
        assert_eq!(b["entry"].as_array().map(Vec::len), Some(9));
    }

    #[test]
    fn every_reference_resolves_to_a_full_url_in_the_bundle() {
        let b = full_bundle(PlanStatus::Active);
        let entries = b["entry"].as_array().cloned().unwrap_or_default();
        let urls: HashSet<String> = entries.iter().filter_map(|e| e["fullUrl"].as_str().map(str::to_owned)).collect();
        assert_eq!(urls.len(), entries.len(), "full URLs are unique");
        for e in &entries {
            assert_eq!(e["fullUrl"].as_str().map(str::to_owned), e["resource"]["id"].as_str().map(full_url));
        }
        let mut refs = Vec::new();
        references(&b, &mut refs);
        assert!(refs.len() >= 14, "{refs:?}");
        for r in refs {
            assert!(r.starts_with("urn:uuid:") && urls.contains(&r), "{r} does not resolve");
        }
        let care_plan = resources(&b, "CarePlan")[0];
        assert_eq!(care_plan["goal"].as_array().map(Vec::len), Some(2));
        assert_eq!(care_plan["supportingInfo"].as_array().map(Vec::len), Some(4));
    }

    #[test]
    fn the_nprs_observation_carries_loinc_72514_3_and_the_value() {
        let b = full_bundle(PlanStatus::Active);
        let obs = resources(&b, "Observation");
        let worst = obs.iter().find(|o| o["valueQuantity"]["value"] == json!(7.0));
        let Some(worst) = worst else { panic!("no NPRS worst observation") };
        assert_eq!(worst["code"]["coding"][0]["system"], json!("http://loinc.org"));
        assert_eq!(worst["code"]["coding"][0]["code"], json!("72514-3"));
        assert_eq!(worst["status"], json!("final"));
        assert_eq!(worst["effectiveDateTime"], json!("2026-11-02"));
        let slr = obs.iter().find(|o| o["valueQuantity"]["value"] == json!(45.0));
        assert_eq!(slr.map(|o| o["code"]["text"].clone()), Some(json!("Straight leg raise, left")));
        assert_eq!(slr.map(|o| o["valueQuantity"]["code"].clone()), Some(json!("deg")));
        assert!(slr.is_some_and(|o| o["code"]["coding"].is_null()), "SLR has a text code only");
    }

    #[test]
    fn the_care_plan_status_maps_each_plan_status() {
        let table = [
            (PlanStatus::Draft, "draft"),
            (PlanStatus::Active, "active"),
            (PlanStatus::Completed, "completed"),
            (PlanStatus::Discontinued, "revoked"),
        ];
        for (status, fhir) in table {
            let b = full_bundle(status);
            assert_eq!(resources(&b, "CarePlan")[0]["status"], json!(fhir), "{status:?}");
            assert_eq!(resources(&b, "CarePlan")[0]["intent"], json!("plan"));
        }
    }

    #[test]
    fn clinician_notes_and_override_reasons_never_appear_in_the_bundle() {
        for status in [PlanStatus::Draft, PlanStatus::Active, PlanStatus::Completed, PlanStatus::Discontinued] {
            let text = full_bundle(status).to_string();
            assert!(!text.contains(NOTE), "clinician note leaked");
            assert!(!text.contains(REASON), "override reason leaked");
            assert!(!text.contains("consent"), "consent record leaked");
        }
    }

    #[test]
    fn activities_carry_the_item_dosage_and_stage_and_follow_the_current_stage() {
        let b = full_bundle(PlanStatus::Active);
        let activities = resources(&b, "CarePlan")[0]["activity"].as_array().cloned().unwrap_or_default();
        let detail = |name: &str| {
            activities
                .iter()
                .map(|a| a["detail"].clone())
                .find(|d| d["code"]["text"] == json!(name))
                .unwrap_or_default()
        };
        let (done, now, later) = (detail("Pain education"), detail("Sciatic nerve slider"), detail("Bridge"));
        assert_eq!(
            [&done["status"], &now["status"], &later["status"]],
            [&json!("completed"), &json!("in-progress"), &json!("not-started")]
        );
        assert_eq!(now["description"], json!("3 sets of 12 (left side)"));
        assert_eq!(now["scheduledString"], json!("Stage 2 of 4: Mobility, 3 weeks planned"));
        assert_eq!(done["kind"], json!("ServiceRequest"));
        assert!(now["kind"].is_null() && now["performer"].is_array(), "home items are done by the patient");

        let statuses = |status| -> Vec<Value> {
            let b = full_bundle(status);
            let activities = resources(&b, "CarePlan")[0]["activity"].as_array().cloned().unwrap_or_default();
            activities.iter().map(|a| a["detail"]["status"].clone()).collect()
        };
        assert_eq!(statuses(PlanStatus::Draft), vec![json!("not-started"); 3]);
        assert_eq!(statuses(PlanStatus::Discontinued), [json!("completed"), json!("stopped"), json!("cancelled")]);
    }

    #[test]
    fn goals_say_in_plain_words_what_is_targeted_by_when() {
        let b = full_bundle(PlanStatus::Active);
        let goals = resources(&b, "Goal");
        let nprs = goals[0];
        assert_eq!(nprs["lifecycleStatus"], json!("active"));
        assert_eq!(nprs["description"]["text"], json!("Your worst pain is 3 out of 10 or less"));
        let target = &nprs["target"][0];
        assert_eq!(target["measure"]["text"], json!("NPRS worst (24 h)"));
        assert_eq!(
            (&target["detailQuantity"]["value"], &target["detailQuantity"]["comparator"]),
            (&json!(3.0), &json!("<="))
        );
        assert_eq!(target["dueDate"], json!("2026-11-30"));
        assert_eq!(goals[1]["target"][0]["detailQuantity"]["comparator"], json!(">="));
    }

    #[test]
    fn the_odi_response_lists_sections_in_questionnaire_order_with_the_percent() {
        let b = full_bundle(PlanStatus::Active);
        let group = &resources(&b, "QuestionnaireResponse")[0]["item"][0];
        let items = group["item"].as_array().cloned().unwrap_or_default();
        let ids: Vec<&str> = items.iter().filter_map(|i| i["linkId"].as_str()).collect();
        assert_eq!(ids, ["pain_intensity", "lifting", "walking", "odi_percent"]);
        assert_eq!(items[0]["text"], json!("Pain intensity"));
        assert_eq!(items[1]["answer"][0]["valueInteger"], json!(3));
        assert_eq!(items[3]["answer"][0]["valueDecimal"], json!(44.0));

        let c = content();
        let unscored =
            bundle(&patient(None), &condition("Low back pain"), &plan(&c, PlanStatus::Active), &[], &[odi(None)]);
        let group = &resources(&unscored, "QuestionnaireResponse")[0]["item"][0];
        assert_eq!(group["item"].as_array().map(Vec::len), Some(3), "no percent item without a score");
    }

    #[test]
    fn the_patient_carries_name_birth_date_contact_and_mapped_gender() {
        for (sex, fhir) in [
            (Some("female"), "female"),
            (Some("male"), "male"),
            (Some("other"), "other"),
            (Some("not_stated"), "unknown"),
            (None, "unknown"),
        ] {
            let c = content();
            let b = bundle(&patient(sex), &condition("Low back pain"), &plan(&c, PlanStatus::Draft), &[], &[]);
            assert_eq!(resources(&b, "Patient")[0]["gender"], json!(fhir), "{sex:?}");
        }
        let b = full_bundle(PlanStatus::Active);
        let p = resources(&b, "Patient")[0];
        assert_eq!(p["name"][0]["family"], json!("Jones"));
        assert_eq!(p["birthDate"], json!("1980-02-03"));
        assert_eq!(p["telecom"], json!([{ "system": "phone", "value": "01234 567890" }]));
    }

    #[test]
    fn the_patient_has_an_identifier_in_the_clinics_namespace() {
        let p = patient(None);
        let c = content();
        let b = bundle(&p, &condition("x"), &plan(&c, PlanStatus::Draft), &[], &[]);
        let id = &resources(&b, "Patient")[0]["identifier"][0];
        assert_eq!(id["system"], json!(format!("urn:uuid:{}", p.clinic_id)));
        assert_eq!(id["value"], json!(p.id));
        assert_eq!(id["assigner"]["display"], json!("Riverside Physiotherapy"));
    }

    #[test]
    fn the_care_plan_addresses_the_condition_coded_in_snomed_where_the_words_name_one() {
        let b = full_bundle(PlanStatus::Active);
        let cond = resources(&b, "Condition")[0];
        assert_eq!(
            resources(&b, "CarePlan")[0]["addresses"][0]["reference"],
            json!(full_url(cond["id"].as_str().unwrap_or_default()))
        );
        assert_eq!(cond["code"]["coding"][0]["code"], json!(SNOMED_SCIATICA));
        assert_eq!(cond["code"]["text"], json!("Acute sciatica, L5/S1 disc"));
        assert_eq!(cond["clinicalStatus"]["coding"][0]["code"], json!("active"));
        assert_eq!(
            condition_code("Chronic low back pain with referred leg pain").map(|c| c.0),
            Some(SNOMED_LOW_BACK_PAIN)
        );
        assert_eq!(condition_code("Acute lumbar radicular pain").map(|c| c.0), Some(SNOMED_SCIATICA));
        assert_eq!(condition_code("Hip osteoarthritis"), None);
    }

    #[test]
    fn goals_follow_the_plan_status() {
        for (status, fhir) in [
            (PlanStatus::Draft, "proposed"),
            (PlanStatus::Active, "active"),
            (PlanStatus::Completed, "completed"),
            (PlanStatus::Discontinued, "cancelled"),
        ] {
            let b = full_bundle(status);
            assert!(resources(&b, "Goal").iter().all(|g| g["lifecycleStatus"] == json!(fhir)), "{status:?}");
        }
    }

    #[test]
    fn nprs_now_and_worst_are_told_apart_by_code_and_each_observation_has_an_identifier() {
        let b = full_bundle(PlanStatus::Active);
        let obs = resources(&b, "Observation");
        let own = |o: &Value| o["code"]["coding"][1]["code"].as_str().map(str::to_owned);
        let codes: HashSet<Option<String>> =
            obs.iter().filter(|o| o["code"]["coding"][0]["code"] == json!(LOINC_NPRS)).map(|o| own(o)).collect();
        assert_eq!(codes, HashSet::from([Some("nprs_worst".to_owned()), Some("nprs_now".to_owned())]));
        for o in obs {
            assert_eq!(o["identifier"][0]["value"], json!(full_url(o["id"].as_str().unwrap_or_default())));
        }
    }

    #[test]
    fn the_odi_score_is_an_observation_derived_from_its_questionnaire_response() {
        let c = content();
        let q = odi(Some(44.0));
        let score = FhirMeasurement { derived_from: Some(q.id.clone()), ..measurement("odi_percent", 44.0) };
        let b =
            bundle(&patient(None), &condition("x"), &plan(&c, PlanStatus::Active), &[score], std::slice::from_ref(&q));
        let o = resources(&b, "Observation")[0];
        assert_eq!(o["code"]["coding"][0]["code"], json!(LOINC_ODI_SCORE));
        assert_eq!(o["valueQuantity"]["code"], json!("%"));
        assert_eq!(o["derivedFrom"][0]["reference"], json!(full_url(&q.id)));
        assert_eq!(resources(&b, "QuestionnaireResponse")[0]["questionnaire"], json!(ODI_QUESTIONNAIRE));
        assert!(score_code("rmdq").is_some() && score_code("psfs_mean").is_some() && score_code("slr").is_none());
    }

    #[test]
    fn the_plan_version_is_an_identifier_and_the_transaction_puts_every_entry() {
        let b = full_bundle(PlanStatus::Active);
        let care_plan = resources(&b, "CarePlan")[0];
        let version = &care_plan["identifier"][1];
        assert_eq!(
            (version["system"].clone(), version["value"].clone()),
            (json!(full_url(care_plan["id"].as_str().unwrap_or_default())), json!("2"))
        );

        let t = as_transaction(b.clone());
        assert_eq!(t["type"], json!("transaction"));
        let entries = t["entry"].as_array().cloned().unwrap_or_default();
        assert_eq!(entries.len(), b["entry"].as_array().map_or(0, Vec::len));
        for e in &entries {
            let r = &e["resource"];
            let url =
                format!("{}/{}", r["resourceType"].as_str().unwrap_or_default(), r["id"].as_str().unwrap_or_default());
            assert_eq!(e["request"], json!({ "method": "PUT", "url": url }));
            assert!(e["fullUrl"].as_str().is_some_and(|u| u.starts_with("urn:uuid:")));
            assert!(r["meta"].is_null(), "a server sets meta");
        }
    }
}
