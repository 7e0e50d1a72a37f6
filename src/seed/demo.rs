//! The demo data set: two clinics, their staff and twenty fictional sciatica patients with
//! signed assessments, so a
//! newcomer can click through. Loading is skipped when the database already has users.

use crate::authz::Actor;
use crate::db::schema::users;
use crate::db::DbConn;
use crate::domain::assessment::{AssessmentInput, ContentInput};
use crate::domain::findings::FindingInput;
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
            let therapists: Vec<&Actor> = staff.iter().filter(|a| a.role == crate::authz::Role::Therapist).collect();
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
                let patient = patients::create(conn, &ctx, &input, today)?.0.id;
                let screen = Screen { side, over_50_at_onset: age > 50, history };
                record_assessments(conn, &ctx, patient, n, &screen, weeks, today)?;
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
    let history = assessments::history(conn, ctx, patient)?.append(conn)?;
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

/// What a demo patient's record says, which the red-flag screen must agree with.
struct Screen {
    /// `left`, `right` or `bilateral`.
    side: &'static str,
    /// Older than 50 when the pain started.
    over_50_at_onset: bool,
    /// History codes.
    history: &'static [&'static str],
}

impl Screen {
    /// The legs with symptoms.
    fn legs(&self) -> &'static [&'static str] {
        match self.side {
            "right" => &["right"],
            "left" => &["left"],
            _ => &["left", "right"],
        }
    }

    /// Every red-flag item answered positive or negative: the history and the record decide
    /// the answer where they know it (a cancer history is the cancer flag, bilateral
    /// symptoms are the bilateral flag, age at onset is the age flag).
    fn red_flags(&self, saddle: &str) -> Vec<serde_json::Value> {
        let yes = |b: bool| if b { "positive" } else { "negative" };
        let has = |code: &str| self.history.contains(&code);
        [
            ("rf_saddle_anaesthesia", saddle),
            ("rf_bladder_dysfunction", "negative"),
            ("rf_bowel_dysfunction", "negative"),
            ("rf_sexual_dysfunction", "negative"),
            ("rf_bilateral_leg_symptoms", yes(self.side == "bilateral")),
            ("rf_progressive_neuro_deficit", "negative"),
            ("rf_cancer_history", yes(has("cancer_history"))),
            ("rf_unexplained_weight_loss", "negative"),
            ("rf_age_over_50_new_onset", yes(self.over_50_at_onset)),
            ("rf_night_pain", "negative"),
            ("rf_major_trauma", "negative"),
            ("rf_minor_trauma_osteoporosis", "negative"),
            ("rf_corticosteroids", yes(has("corticosteroids_long_term"))),
            ("rf_fever", "negative"),
            ("rf_immunosuppression", yes(has("immunosuppression"))),
            ("rf_iv_drug_use", "negative"),
        ]
        .into_iter()
        .map(|(code, value)| json!({"code": code, "value": value}))
        .collect()
    }
}

/// What the demo clinician recorded about a positive flag the record explains.
fn review_note(flag: &str) -> Option<&'static str> {
    Some(match flag {
        "rf_bilateral_leg_symptoms" => "Long-standing bilateral leg symptoms, unchanged for months; no saddle, bladder, bowel or sexual change. Reviewed, not concerning; safety-netting advice given.",
        "rf_cancer_history" => "Cancer treated years ago, discharged from oncology follow-up; no weight loss or night pain. GP aware; reviewed.",
        "rf_age_over_50_new_onset" => "Onset after 50 noted; mechanical pattern, no other malignancy features. Reviewed with the patient; screen again if not improving.",
        "rf_immunosuppression" => "Immunosuppressed by medication; no fever or feeling unwell. Reviewed; told to seek help with fever.",
        _ => return None,
    })
}

/// Records the review of every positive flag in `findings` that the record explains
/// (history, side, age); other positive flags stay open. Used by the demo and the generator.
pub(crate) fn record_reviews(
    conn: &mut DbConn,
    ctx: &Ctx,
    id: crate::db::ids::AssessmentId,
    findings: &[FindingInput],
) -> Result<(), AppError> {
    for f in findings.iter().filter(|f| f.value == "positive") {
        if let Some(note) = review_note(&f.code) {
            assessments::record_action(conn, ctx, id, &f.code, "reviewed_not_concerning", note)?;
        }
    }
    Ok(())
}

/// An initial assessment (signed) three to six weeks ago and, for most patients, a signed
/// reassessment since; patient 18 has an unresolved cauda equina flag to show the banner.
/// Bilateral patients have findings on both legs.
fn record_assessments(
    conn: &mut DbConn,
    ctx: &Ctx,
    patient: crate::db::ids::PatientId,
    n: usize,
    screen: &Screen,
    weeks_since_onset: i64,
    today: chrono::NaiveDate,
) -> Result<(), AppError> {
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
        let mut list = vec![
            json!({"code": "nprs_now", "value": (worst - 2).max(0)}),
            json!({"code": "nprs_best", "value": (worst - 4).max(0)}),
            json!({"code": "nprs_worst", "value": worst}),
            json!({"code": "aggravating_factors", "value": "Sitting over 20 minutes, bending, coughing"}),
            json!({"code": "easing_factors", "value": "Walking short distances, lying with knees bent"}),
            json!({"code": "posture_lateral_shift", "value": if k % 3 == 0 { "right" } else { "none" }}),
            json!({"code": "sitting_tolerance", "value": 15 + k}),
            json!({"code": "standing_tolerance", "value": 20 + k}),
            json!({"code": "lumbar_flexion", "value": 35 + k, "method": "inclinometer"}),
            json!({"code": "lumbar_flexion_response", "value": "peripheralises"}),
        ];
        list.extend(screen.red_flags(flag));
        for (i, leg) in screen.legs().iter().enumerate() {
            let slr = slr + 5 * i as i64;
            list.extend([
                json!({"code": "symptom_pain", "side": leg, "value": "buttock"}),
                json!({"code": "symptom_pain", "side": leg, "value": "calf"}),
                json!({"code": "symptom_paraesthesia", "side": leg, "value": "foot_dorsum"}),
                json!({"code": "slr", "side": leg, "value": slr}),
                json!({"code": "slr_positive", "side": leg, "value": slr < 60}),
                json!({"code": "slump", "side": leg, "value": true}),
                json!({"code": "myotome_l5", "side": leg, "value": myotome}),
                json!({"code": "dermatome_l5", "side": leg, "value": "reduced"}),
                json!({"code": "reflex_ankle", "side": leg, "value": "normal"}),
                json!({"code": "mmt_gluteus_medius", "side": leg, "value": "4-"}),
                json!({"code": "hamstring_90_90", "side": leg, "value": 30 + k}),
            ]);
        }
        serde_json::Value::Array(list)
    };
    // Roland-Morris: the first `yes` statements apply; PSFS: two activities rated `score`.
    let rmdq = |yes: i64| json!((0..24).map(|i| i < yes).collect::<Vec<_>>());
    let psfs = |score: i64| {
        json!([{"activity": "Sitting through a working day", "score": score},
               {"activity": "Bending to put on socks", "score": (score + 1).min(10)}])
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
            rmdq: Some(rmdq(11 + k % 6)),
            psfs: Some(psfs(3)),
            impression: Some(
                "Radicular leg pain consistent with lumbar nerve root irritation; no serious pathology suspected."
                    .into(),
            ),
        },
    };
    let id = assessments::create(conn, ctx, patient, &first, today)?;
    assessments::sign(conn, ctx, id, 1)?;
    record_reviews(conn, ctx, id, &first.content.findings)?;
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
            rmdq: Some(rmdq(11 + k % 6 - 2 * better)),
            psfs: Some(psfs(3 + better)),
            ..ContentInput::default()
        },
    };
    let id = assessments::create(conn, ctx, patient, &again, today)?;
    assessments::sign(conn, ctx, id, 1)?;
    record_reviews(conn, ctx, id, &again.content.findings)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn screen(p: &DemoPatient) -> Screen {
        Screen { side: p.5, over_50_at_onset: p.2 > 50, history: p.7 }
    }

    fn answer(list: &[serde_json::Value], code: &str) -> String {
        list.iter().find(|f| f["code"] == code).and_then(|f| f["value"].as_str()).unwrap_or("unanswered").to_owned()
    }

    #[test]
    fn every_demo_screen_answers_every_cauda_equina_item_and_agrees_with_the_record() {
        let cauda = crate::domain::red_flags::codes_in(crate::domain::red_flags::RedFlagGroup::CaudaEquina);
        for p in &PATIENTS {
            let s = screen(p);
            let flags = s.red_flags("negative");
            for code in &cauda {
                assert!(["positive", "negative"].contains(&answer(&flags, code).as_str()), "{} {code}", p.0);
            }
            let yes = |b: bool| if b { "positive" } else { "negative" };
            assert_eq!(answer(&flags, "rf_cancer_history"), yes(p.7.contains(&"cancer_history")), "{}", p.0);
            assert_eq!(answer(&flags, "rf_immunosuppression"), yes(p.7.contains(&"immunosuppression")), "{}", p.0);
            assert_eq!(answer(&flags, "rf_bilateral_leg_symptoms"), yes(p.5 == "bilateral"), "{}", p.0);
            assert_eq!(answer(&flags, "rf_age_over_50_new_onset"), yes(p.2 > 50), "{}", p.0);
            assert_eq!(s.legs().len(), if p.5 == "bilateral" { 2 } else { 1 }, "{}", p.0);
            for f in flags.iter().filter(|f| f["value"] == "positive") {
                let code = f["code"].as_str().unwrap_or_default();
                assert!(review_note(code).is_some(), "{}: {code} is positive and never reviewed", p.0);
            }
        }
    }
}
