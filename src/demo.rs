//! The demo data set: two clinics, their staff and twenty fictional sciatica patients with
//! signed assessments, so a
//! newcomer can click through. Loading is skipped when the database already has users.

use crate::authz::Actor;
use crate::db::schema::users;
use crate::db::DbConn;
use crate::domain::assessment::{AssessmentInput, ContentInput};
use crate::domain::patient::PatientInput;
use crate::error::AppError;
use crate::service::accounts::{add_clinic, add_user, ClinicInput, UserInput};
use crate::service::{assessments, auth::actor_of, patients, plans, Ctx, Origin};
use chrono::{Duration, Utc};
use diesel::prelude::*;
use serde_json::json;

/// The password of every demo account (the demo is for trying the product, never for real data).
pub const DEMO_PASSWORD: &str = "physio-demo-2026";

/// A demo sign-in to print.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    /// E-mail.
    pub email: String,
    /// Role label.
    pub role: &'static str,
    /// Clinic name.
    pub clinic: &'static str,
}

const CLINICS: [(&str, &str, &str, &str); 2] = [
    ("Riverside Physiotherapy", "riverside", "020 7946 0321", "12 Mill Lane, Riverside"),
    ("Hillcrest Spine & Sports", "hillcrest", "0161 496 0788", "4 Hillcrest Parade, Hillcrest"),
];

/// Staff per clinic: (local part, name, role).
const STAFF: [[(&str, &str, &str); 3]; 2] = [
    [("lead", "Priya Raman", "lead"), ("sam", "Sam Okafor", "therapist"), ("jo", "Jo Lindqvist", "therapist")],
    [("lead", "Marcus Bell", "lead"), ("aisha", "Aisha Karim", "therapist"), ("tom", "Tom Hughes", "therapist")],
];

/// (given, family, years old, sex, condition, side, weeks since onset, history codes).
type DemoPatient =
    (&'static str, &'static str, i64, &'static str, &'static str, &'static str, i64, &'static [&'static str]);

const PATIENTS: [DemoPatient; 20] = [
    ("Eleanor", "Whitfield", 54, "female", "L5 radiculopathy after lifting", "left", 3, &["osteoporosis"]),
    ("Daniel", "Moreno", 38, "male", "Acute sciatica, L5/S1 disc", "right", 2, &[]),
    ("Grace", "Adeyemi", 31, "female", "Pregnancy-related sciatica", "right", 6, &["pregnancy"]),
    (
        "Harold",
        "Jenkins",
        71,
        "male",
        "Lumbar stenosis with leg pain",
        "bilateral",
        20,
        &["anticoagulants", "diabetes"],
    ),
    ("Mei", "Tanaka", 45, "female", "S1 radiculopathy", "left", 8, &["needle_phobia"]),
    ("Oliver", "Brennan", 29, "male", "Discogenic low back pain", "bilateral", 12, &[]),
    (
        "Fatima",
        "Haddad",
        50,
        "female",
        "Chronic low back pain with referred leg pain",
        "left",
        30,
        &["adhesive_allergy"],
    ),
    ("George", "Kowalski", 62, "male", "L4 radiculopathy", "right", 5, &["pacemaker"]),
    ("Sofia", "Rossi", 41, "female", "Piriformis-related buttock and leg pain", "right", 10, &[]),
    ("Kwame", "Asante", 47, "male", "Sciatica after a fall", "left", 1, &["anticoagulants"]),
    ("Hannah", "Schmidt", 36, "female", "Recurrent sciatica, L5", "left", 4, &["fragile_skin"]),
    ("Luis", "Fernandez", 58, "male", "L5/S1 disc prolapse", "right", 7, &["cancer_history"]),
    ("Aoife", "Murphy", 26, "female", "Acute lumbar radicular pain", "left", 2, &[]),
    (
        "Raj",
        "Patel",
        66,
        "male",
        "Degenerative stenosis, neurogenic claudication",
        "bilateral",
        26,
        &["diabetes", "bleeding_disorder"],
    ),
    ("Chloe", "Martin", 33, "female", "Post-partum low back and leg pain", "right", 9, &["lymphoedema"]),
    ("Ibrahim", "Yusuf", 44, "male", "S1 radiculopathy, reduced ankle reflex", "right", 6, &["immunosuppression"]),
    ("Nora", "Lindgren", 59, "female", "Chronic sciatica, L5", "left", 40, &["dvt"]),
    ("Peter", "O'Neill", 52, "male", "Lumbar disc herniation, L4/5", "left", 3, &["metal_allergy"]),
    ("Yasmin", "Begum", 39, "female", "Sciatica with lateral shift", "right", 2, &["open_wound"]),
    (
        "William",
        "Clarke",
        68,
        "male",
        "Low back pain with bilateral leg symptoms",
        "bilateral",
        11,
        &["osteoporosis", "anticoagulants"],
    ),
];

/// Loads the demo data unless the database has users already; returns the logins created.
pub fn load(conn: &mut DbConn) -> Result<Vec<DemoLogin>, AppError> {
    let existing: i64 = users::table.count().get_result(conn)?;
    if existing > 0 {
        return Ok(Vec::new());
    }
    conn.transaction(|conn| {
        let mut logins = Vec::new();
        let today = Utc::now().date_naive();
        for (index, (name, domain, phone, address)) in CLINICS.iter().enumerate() {
            let clinic_id = add_clinic(
                conn,
                &ClinicInput { name: (*name).into(), phone: Some((*phone).into()), address: Some((*address).into()) },
            )?;
            let mut add = |local: &str, person: &str, role: &'static str| -> Result<Actor, AppError> {
                let email = format!("{local}@{domain}.example");
                let id = add_user(
                    conn,
                    &UserInput {
                        email: email.clone(),
                        name: person.into(),
                        role: role.into(),
                        clinic_id: clinic_id.to_string(),
                        password: DEMO_PASSWORD.into(),
                    },
                )?;
                logins.push(DemoLogin { email: email.clone(), role, clinic: name });
                let user = crate::db::users::find(conn, id)?.ok_or(AppError::NotFound)?;
                actor_of(&user)
            };
            if index == 0 {
                add("admin", "Alex Admin", "admin")?;
            }
            let staff: Vec<Actor> =
                STAFF[index].iter().map(|(local, person, role)| add(local, person, role)).collect::<Result<_, _>>()?;
            let therapists: Vec<&Actor> = staff.iter().filter(|a| a.role.code() == "therapist").collect();
            for (n, p) in PATIENTS.iter().enumerate().filter(|(n, _)| n % 2 == index) {
                let (given, family, age, sex, condition, side, weeks, history) = *p;
                let therapist = therapists[(n / 2) % therapists.len()];
                let input = PatientInput {
                    given_name: given.into(),
                    family_name: family.into(),
                    date_of_birth: (today - Duration::days(age * 365 + 40 + n as i64 * 17)).to_string(),
                    sex: Some(sex.into()),
                    phone: Some(format!("07700 900{:03}", 100 + n)),
                    email: Some(format!(
                        "{}.{}@example.net",
                        given.to_lowercase(),
                        family.to_lowercase().replace('\'', "")
                    )),
                    condition: condition.into(),
                    side: side.into(),
                    onset_date: Some((today - Duration::weeks(weeks)).to_string()),
                    therapist_id: Some(therapist.user_id.to_string()),
                    history: history.iter().map(|h| (*h).to_owned()).collect(),
                };
                let ctx = Ctx { actor: therapist.clone(), origin: Origin::default() };
                let patient = patients::create(conn, &ctx, &input, today)?;
                record_assessments(conn, &ctx, patient, n, side, weeks, today)?;
                start_plan(conn, &ctx, patient, n, condition, today)?;
            }
        }
        Ok(logins)
    })
}

/// A plan from the built-in protocol for the patient's STarT Back risk group, activated
/// unless a red flag is open; some patients have moved on a stage. One in five keeps a draft.
fn start_plan(
    conn: &mut DbConn,
    ctx: &Ctx,
    patient: crate::db::ids::PatientId,
    n: usize,
    condition: &str,
    today: chrono::NaiveDate,
) -> Result<(), AppError> {
    let history = assessments::history(conn, ctx, patient)?;
    let risk =
        history.records.first().and_then(|r| r.current().scores().start_back).map_or("medium", |s| s.risk.code());
    let code = format!("sciatica_start_back_{risk}");
    let protocol = crate::service::library::protocols(conn, ctx)?
        .into_iter()
        .find(|p| p.row.code.as_deref() == Some(code.as_str()))
        .map(|p| p.row.id);
    let started = history.records.first().map_or(today, |r| r.row.assessed_on);
    let (plan, _) = plans::create(conn, ctx, patient, condition, protocol, started)?;
    if n % 5 == 3 || !history.open_flags().is_empty() {
        return Ok(());
    }
    plans::activate(conn, ctx, plan, &plans::Activation::default(), started)?;
    if n.is_multiple_of(3) {
        plans::advance(conn, ctx, plan, None, today - Duration::days(2))?;
    }
    Ok(())
}

/// An initial assessment (signed) three to six weeks ago and, for most patients, a signed
/// reassessment since; patient 18 has an unresolved cauda equina flag to show the banner.
fn record_assessments(
    conn: &mut DbConn,
    ctx: &Ctx,
    patient: crate::db::ids::PatientId,
    n: usize,
    side: &str,
    weeks_since_onset: i64,
    today: chrono::NaiveDate,
) -> Result<(), AppError> {
    let leg = if side == "right" { "right" } else { "left" };
    let k = n as i64;
    let worst = 6 + k % 4;
    let odi = |base: i64| {
        let sections = crate::domain::scoring::OdiSection::ALL.map(|s| s.code());
        serde_json::Value::Object(
            sections
                .iter()
                .enumerate()
                .map(|(i, s)| ((*s).to_owned(), ((base + i as i64 + k) % 3 + base / 2).min(5).into()))
                .collect(),
        )
    };
    let findings = |worst: i64, slr: i64, myotome: i64, flag: &str| {
        json!([
            {"code": "nprs_now", "value": (worst - 2).max(0)}, {"code": "nprs_best", "value": (worst - 4).max(0)}, {"code": "nprs_worst", "value": worst},
            {"code": "symptom_pain", "side": leg, "value": "buttock"}, {"code": "symptom_pain", "side": leg, "value": "calf"},
            {"code": "symptom_paraesthesia", "side": leg, "value": "foot_dorsum"},
            {"code": "aggravating_factors", "value": "Sitting over 20 minutes, bending, coughing"},
            {"code": "easing_factors", "value": "Walking short distances, lying with knees bent"},
            {"code": "rf_saddle_anaesthesia", "value": flag}, {"code": "rf_bladder_dysfunction", "value": "negative"},
            {"code": "rf_bowel_dysfunction", "value": "negative"}, {"code": "rf_bilateral_leg_symptoms", "value": "negative"},
            {"code": "rf_sexual_dysfunction", "value": "negative"}, {"code": "rf_progressive_neuro_deficit", "value": "negative"},
            {"code": "rf_cancer_history", "value": "negative"}, {"code": "rf_unexplained_weight_loss", "value": "negative"},
            {"code": "rf_major_trauma", "value": "negative"}, {"code": "rf_fever", "value": "negative"},
            {"code": "posture_lateral_shift", "value": if k % 3 == 0 { "right" } else { "none" }},
            {"code": "sitting_tolerance", "value": 15 + k}, {"code": "standing_tolerance", "value": 20 + k},
            {"code": "lumbar_flexion", "value": 35 + k, "method": "inclinometer"},
            {"code": "lumbar_flexion_response", "value": "peripheralises"},
            {"code": "slr", "side": leg, "value": slr}, {"code": "slr_positive", "side": leg, "value": slr < 60},
            {"code": "slump", "side": leg, "value": true},
            {"code": "myotome_l5", "side": leg, "value": myotome}, {"code": "dermatome_l5", "side": leg, "value": "reduced"},
            {"code": "reflex_ankle", "side": leg, "value": "normal"},
            {"code": "mmt_gluteus_medius", "side": leg, "value": "4-"},
            {"code": "hamstring_90_90", "side": leg, "value": 30 + k}
        ])
    };
    let flag = if n == 18 { "positive" } else { "negative" };
    let first = AssessmentInput {
        kind: "initial".into(),
        // Seen a few days after onset, at most six weeks ago, and at least ten days ago.
        assessed_on: (today - Duration::days((weeks_since_onset * 7 - 3).min(21 + 3 * (k % 6)).max(10))).to_string(),
        content: ContentInput {
            findings: serde_json::from_value(findings(worst, 30 + (k * 7) % 25, 4, flag))
                .map_err(|e| AppError::Internal(e.to_string()))?,
            odi: Some(odi(3)),
            start_back: Some(json!([
                1,
                k % 2,
                1,
                0,
                k % 3 == 0,
                1,
                k % 4 == 0,
                0,
                if k % 3 == 0 { "very_much" } else { "moderately" }
            ])),
            impression: Some(
                "Radicular leg pain consistent with lumbar nerve root irritation; no serious pathology suspected."
                    .into(),
            ),
        },
    };
    let id = assessments::create(conn, ctx, patient, &first, today)?;
    assessments::sign(conn, ctx, id, 1)?;
    if n % 5 == 4 || n == 18 {
        return Ok(());
    }
    // Most improve; every third does not reach the MCID.
    let better = if n % 3 == 2 { 1 } else { 3 };
    let again = AssessmentInput {
        kind: "reassessment".into(),
        assessed_on: (today - Duration::days(3 + k % 5)).to_string(),
        content: ContentInput {
            findings: serde_json::from_value(findings(worst - better, 45 + (k * 7) % 25, 5, "negative"))
                .map_err(|e| AppError::Internal(e.to_string()))?,
            odi: Some(odi(if better > 1 { 1 } else { 3 })),
            start_back: None,
            impression: None,
        },
    };
    let id = assessments::create(conn, ctx, patient, &again, today)?;
    assessments::sign(conn, ctx, id, 1)?;
    Ok(())
}
