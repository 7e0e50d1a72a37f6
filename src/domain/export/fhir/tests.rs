//! FHIR export tests: every resource and decision of the module doc.
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
    c.goals = vec![goal(Measure::NprsWorst, Comparator::Le, 3.0), goal(Measure::OdiImprovement, Comparator::Ge, 10.0)];
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
        activities.iter().map(|a| a["detail"].clone()).find(|d| d["code"]["text"] == json!(name)).unwrap_or_default()
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
    assert_eq!(condition_code("Chronic low back pain with referred leg pain").map(|c| c.0), Some(SNOMED_LOW_BACK_PAIN));
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
    let b = bundle(&patient(None), &condition("x"), &plan(&c, PlanStatus::Active), &[score], std::slice::from_ref(&q));
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
