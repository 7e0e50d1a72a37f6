//! `physioplan generate`: synthetic clinics, staff and patients at scale, for benchmarks.
//!
//! Creates clinics "Generated Clinic 1..N", each with one lead (`lead@cN.generated.example`)
//! and N therapists (`therapistK@cN.generated.example`), all with [`GENERATED_PASSWORD`], and
//! spreads the patients over the clinics and therapists round-robin. Every patient has a
//! signed initial assessment (NPRS, SLR, L5/S1 myotomes and dermatomes, all ten ODI sections,
//! the nine STarT Back answers) and a plan from the built-in protocol for their STarT Back risk
//! group; most also have a signed reassessment (most improving, some not), a few a positive
//! cauda equina red flag (some with the action recorded), some a draft assessment, an
//! overridden contraindication, plans moved on a few stages, or a discharge.
//!
//! Everything goes through the service layer (validation, safety engine, audit), in
//! transactions of [`BATCH`] patients so that a file database with `synchronous = FULL`
//! commits rarely; progress goes to standard error every [`PROGRESS_EVERY`] patients.
//!
//! Deterministic for a seed: the *content* (names, dates of birth, history, findings, scores,
//! which patients are flagged, drafted, advanced or discharged) depends only on the seed and
//! the patient's position. Ids are UUID v7 (time-ordered, so they differ on every run), and
//! all dates are relative to today, so the same seed run on another day shifts every date.
//! The stream is ChaCha8 (`rand_chacha`), whose output for a seed is fixed by its algorithm,
//! not by the `rand` version (only a change in how `rand` samples ranges could move it).

use crate::authz::Actor;
use crate::db::ids::{PatientId, PlanId, ProtocolId};
use crate::db::{clinics, DbConn};
use crate::domain::assessment::{AssessmentInput, ContentInput};
use crate::domain::consent::ConsentInput;
use crate::domain::findings::FindingInput;
use crate::domain::patient::PatientInput;
use crate::domain::plan::PlanStatus;
use crate::domain::scoring::OdiSection;
use crate::error::AppError;
use crate::service::accounts::{add_clinic, add_user, ClinicInput, UserInput};
use crate::service::plans::AddItem;
use crate::service::{assessments, auth::actor_of, library, patients, plans, Ctx, Origin};
use chrono::{Duration, NaiveDate, Utc};
use diesel::Connection;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use std::time::Instant;

/// The password of every generated account (synthetic data, never for real use).
pub const GENERATED_PASSWORD: &str = "generated-password-1";

/// The first generated clinic's name; its presence means the database was generated into.
pub const FIRST_CLINIC: &str = "Generated Clinic 1";

/// Patients per transaction.
pub const BATCH: u32 = 200;

/// Patients between two progress lines on standard error.
pub const PROGRESS_EVERY: u32 = 1000;

/// Most clinics, or therapists per clinic, one run creates (each user costs a password hash).
pub const MAX_STAFF: u32 = 1000;

/// Most patients one run creates.
pub const MAX_PATIENTS: u32 = 1_000_000;

/// A generated sign-in to print.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedLogin {
    /// E-mail.
    pub email: String,
    /// `lead` or `therapist`.
    pub role: &'static str,
    /// Clinic name.
    pub clinic: String,
}

/// What a run created.
#[derive(Debug, Clone, Default)]
pub struct GenerateSummary {
    /// Clinics.
    pub clinics: u32,
    /// Users (leads and therapists).
    pub users: u32,
    /// Patients.
    pub patients: u32,
    /// Assessments, signed and draft.
    pub assessments: u32,
    /// Draft (unsigned) assessments among them.
    pub draft_assessments: u32,
    /// Plans.
    pub plans: u32,
    /// Plans activated.
    pub active_plans: u32,
    /// Stage moves recorded.
    pub stage_moves: u32,
    /// Patients with a positive cauda equina red flag.
    pub red_flags: u32,
    /// Those whose red flag has no recorded action (their plan stays a draft).
    pub open_red_flags: u32,
    /// Plan items added with an override of an absolute contraindication.
    pub overrides: u32,
    /// Patients discharged.
    pub discharged: u32,
    /// The sign-ins created, leads first per clinic.
    pub logins: Vec<GeneratedLogin>,
    /// Wall-clock time of the run.
    pub elapsed: std::time::Duration,
}

const FEMALE: &[&str] = &[
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Mia",
    "Grace",
    "Sophia",
    "Emily",
    "Freya",
    "Ella",
    "Evie",
    "Chloe",
    "Ruby",
    "Alice",
    "Hannah",
    "Zara",
    "Priya",
    "Aisha",
    "Fatima",
    "Mei",
    "Yuki",
    "Sofia",
    "Lucia",
    "Aoife",
    "Niamh",
    "Eleanor",
    "Margaret",
    "Susan",
    "Patricia",
    "Linda",
    "Karen",
    "Helen",
    "Joanne",
    "Nora",
    "Ingrid",
    "Leila",
    "Amara",
    "Chiara",
    "Marta",
    "Agnieszka",
];
const MALE: &[&str] = &[
    "Oliver", "George", "Harry", "Noah", "Jack", "Leo", "Arthur", "Muhammad", "Oscar", "Charlie", "Jacob", "Thomas",
    "James", "William", "Daniel", "David", "Peter", "Michael", "Robert", "Richard", "Kwame", "Ibrahim", "Raj", "Arjun",
    "Luis", "Mateo", "Marco", "Hiroshi", "Wei", "Tomasz", "Sean", "Ciaran", "Harold", "Graham", "Stephen", "Paul",
    "Andrew", "Mark", "Lars", "Omar",
];
const FAMILY: &[&str] = &[
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Patel",
    "Khan",
    "Ahmed",
    "Singh",
    "Begum",
    "Ali",
    "Hussain",
    "Murphy",
    "Kelly",
    "O'Brien",
    "O'Neill",
    "Byrne",
    "Walsh",
    "Campbell",
    "Stewart",
    "MacDonald",
    "Fraser",
    "Kowalski",
    "Nowak",
    "Wiśniewski",
    "Rossi",
    "Russo",
    "Ferrari",
    "Garcia",
    "Fernandez",
    "Lopez",
    "Martin",
    "Bernard",
    "Dubois",
    "Schmidt",
    "Müller",
    "Schneider",
    "Lindqvist",
    "Andersson",
    "Nielsen",
    "Haddad",
    "Nasser",
    "Okafor",
    "Adeyemi",
    "Mensah",
    "Asante",
    "Tanaka",
    "Sato",
    "Kim",
    "Nguyen",
    "Chen",
    "Wang",
    "Li",
    "Zhang",
    "Yusuf",
    "Demir",
    "Yilmaz",
    "Papadopoulos",
    "Novak",
    "Horvat",
    "Jenkins",
    "Hughes",
    "Edwards",
    "Lewis",
    "Morgan",
    "Cooper",
    "Ward",
    "Turner",
    "Hill",
    "Moore",
    "Baker",
    "Harris",
    "Bennett",
    "Kaur",
    "Shah",
];
const CONDITIONS: &[&str] = &[
    "L5 radiculopathy",
    "S1 radiculopathy",
    "Acute sciatica, L5/S1 disc",
    "Lumbar disc herniation, L4/5",
    "Chronic sciatica",
    "Low back pain with referred leg pain",
    "Lumbar radicular pain after lifting",
    "Recurrent sciatica",
    "Degenerative stenosis with leg pain",
    "Piriformis-related buttock and leg pain",
];
/// History codes a generated patient may have (pregnancy and needle phobia are added apart).
const HISTORY: &[&str] = &[
    "anticoagulants",
    "bleeding_disorder",
    "metal_allergy",
    "adhesive_allergy",
    "fragile_skin",
    "dvt",
    "lymphoedema",
    "osteoporosis",
    "cancer_history",
    "diabetes",
    "diabetes",
    "pacemaker",
    "immunosuppression",
    "needle_phobia",
];
/// Red flags answered on every assessment: negative unless drawn (the cauda equina ones)
/// or known from the record (cancer history, immunosuppression, bilateral symptoms).
const RED_FLAGS: [&str; 11] = [
    "rf_saddle_anaesthesia",
    "rf_bladder_dysfunction",
    "rf_bowel_dysfunction",
    "rf_sexual_dysfunction",
    "rf_bilateral_leg_symptoms",
    "rf_progressive_neuro_deficit",
    "rf_cancer_history",
    "rf_unexplained_weight_loss",
    "rf_major_trauma",
    "rf_fever",
    "rf_immunosuppression",
];
/// The library item added with an override for needle-phobic patients.
const OVERRIDE_ITEM: &str = "dry_needling_piriformis";

/// The measures of one assessment.
#[derive(Debug, Clone, PartialEq)]
struct Measures {
    nprs_now: i64,
    nprs_best: i64,
    nprs_worst: i64,
    /// SLR angle on the (first) affected side; the other side of a bilateral patient is 5° more.
    slr: i64,
    myotome_l5: i64,
    myotome_s1: i64,
    dermatome_l5: &'static str,
    dermatome_s1: &'static str,
    flexion: i64,
    odi: [i64; 10],
}

/// A red flag found at the initial assessment.
#[derive(Debug, Clone, PartialEq)]
struct RedFlag {
    code: &'static str,
    /// Whether the action taken is recorded (otherwise the flag stays open).
    acted: bool,
}

/// One patient's content, drawn from the seed before anything is stored.
#[derive(Debug, Clone, PartialEq)]
struct Spec {
    given: &'static str,
    family: &'static str,
    sex: &'static str,
    /// Age in days at today.
    age_days: i64,
    phone: String,
    with_email: bool,
    condition: &'static str,
    side: &'static str,
    history: Vec<&'static str>,
    /// Days from onset to the initial assessment.
    onset_before: i64,
    /// Days from the initial assessment to today.
    initial_ago: i64,
    initial: Measures,
    start_back: [bool; 8],
    bothersomeness: &'static str,
    red_flag: Option<RedFlag>,
    /// Days after the initial assessment, the measures, and whether they improved by the MCID.
    follow_up: Option<(i64, Measures, bool)>,
    /// A draft assessment, days before today.
    draft_ago: Option<i64>,
    /// Add a dry-needling item with an override of the needle-phobia contraindication.
    override_item: bool,
    activate: bool,
    /// Stage moves wanted (bounded by the protocol's stages and the time since activation).
    advances: u8,
    /// Discharged this many days after the reassessment (bounded by today).
    discharge_after: Option<i64>,
}

fn pick<T: Copy>(rng: &mut ChaCha8Rng, list: &[T]) -> T {
    // The lists are constants and never empty; fall back to the first anyway.
    *list.choose(rng).unwrap_or(&list[0])
}

/// Random STarT Back answers that score in `risk`: 0 low, 1 medium, 2 high (see the
/// scoring rules in `domain::scoring`): returns items 1–8 and item 9.
fn start_back(rng: &mut ChaCha8Rng, risk: u8) -> ([bool; 8], &'static str) {
    let (physical, psychosocial) = match risk {
        0 => (rng.random_range(0..=2), rng.random_range(0..=1)),
        1 => {
            let physical: u8 = rng.random_range(2..=4);
            (physical, rng.random_range(4u8.saturating_sub(physical).max(1)..=3))
        }
        _ => (rng.random_range(0..=4), rng.random_range(4..=5)),
    };
    // Item 9 counts for the psychosocial score only when "very much" or "extremely".
    let ninth = match risk {
        0 => false,
        _ if psychosocial == 5 => true,
        _ if psychosocial == 0 => false,
        _ => psychosocial > 4 || rng.random_bool(0.5),
    };
    let mut items = [false; 8];
    let mut first: Vec<usize> = (0..4).collect();
    first.shuffle(rng);
    for i in first.into_iter().take(usize::from(physical)) {
        items[i] = true;
    }
    let mut rest: Vec<usize> = (4..8).collect();
    rest.shuffle(rng);
    for i in rest.into_iter().take(usize::from(psychosocial - u8::from(ninth))) {
        items[i] = true;
    }
    let word = if ninth {
        pick(rng, &["very_much", "extremely"])
    } else {
        pick(rng, &["not_at_all", "slightly", "moderately"])
    };
    (items, word)
}

fn initial_measures(rng: &mut ChaCha8Rng) -> Measures {
    let worst = rng.random_range(5..=10);
    let now = worst - rng.random_range(1..=3);
    let best = (now - rng.random_range(1..=3)).max(0);
    let severity: i64 = rng.random_range(1..=4);
    let mut odi = [0; 10];
    for section in &mut odi {
        *section = (severity + rng.random_range(-1..=1)).clamp(0, 5);
    }
    let neuro = |rng: &mut ChaCha8Rng| if rng.random_bool(0.55) { 4 } else { pick(rng, &[3, 5, 5]) };
    let sensation = |rng: &mut ChaCha8Rng| if rng.random_bool(0.5) { "reduced" } else { "normal" };
    Measures {
        nprs_now: now,
        nprs_best: best,
        nprs_worst: worst,
        slr: rng.random_range(25..=70),
        myotome_l5: neuro(rng),
        myotome_s1: neuro(rng),
        dermatome_l5: sensation(rng),
        dermatome_s1: sensation(rng),
        flexion: rng.random_range(15..=55),
        odi,
    }
}

/// The reassessment's measures: improved by more than the MCID, or by less (never worse
/// neurology, which would raise a progressive deficit flag).
fn follow_up_measures(rng: &mut ChaCha8Rng, before: &Measures, improved: bool) -> Measures {
    let mut after = before.clone();
    if improved {
        after.nprs_worst = (before.nprs_worst - rng.random_range(3..=5)).max(0);
        after.nprs_now = (before.nprs_now - rng.random_range(2..=4)).clamp(0, after.nprs_worst);
        after.slr = (before.slr + rng.random_range(10..=25)).min(85);
        after.myotome_l5 = (before.myotome_l5 + rng.random_range(0..=1)).min(5);
        after.myotome_s1 = (before.myotome_s1 + rng.random_range(0..=1)).min(5);
        if rng.random_bool(0.6) {
            after.dermatome_l5 = "normal";
            after.dermatome_s1 = "normal";
        }
        after.flexion = (before.flexion + rng.random_range(5..=20)).min(70);
        for section in &mut after.odi {
            *section = (*section - rng.random_range(1..=2)).max(0);
        }
    } else {
        after.nprs_worst = before.nprs_worst - rng.random_range(0..=1);
        after.nprs_now = before.nprs_now.min(after.nprs_worst);
        after.slr = (before.slr + rng.random_range(0..=5)).min(85);
        // At most one ODI point better: far below the MCID (10 points or 30 %).
        if rng.random_bool(0.5) {
            if let Some(section) = after.odi.iter_mut().find(|s| **s > 0) {
                *section -= 1;
            }
        }
    }
    after.nprs_best = before.nprs_best.min(after.nprs_now);
    after
}

fn spec(rng: &mut ChaCha8Rng) -> Spec {
    let female = rng.random_bool(0.55);
    let given = if female { pick(rng, FEMALE) } else { pick(rng, MALE) };
    let family = pick(rng, FAMILY);
    let age: i64 = rng.random_range(20..=80);
    let age_days = age * 365 + age / 4 + rng.random_range(0..365);
    let side = pick(rng, &["left", "left", "right", "right", "bilateral"]);
    let mut history = Vec::new();
    if rng.random_bool(0.45) {
        for _ in 0..rng.random_range(1..=2) {
            let code = pick(rng, HISTORY);
            if !history.contains(&code) {
                history.push(code);
            }
        }
    }
    if female && age < 42 && rng.random_bool(0.08) {
        history.push("pregnancy");
    }
    let initial_ago = rng.random_range(7..=112);
    let initial = initial_measures(rng);
    let risk = pick(rng, &[0, 0, 0, 0, 1, 1, 1, 2, 2, 2]);
    let (start_back, bothersomeness) = start_back(rng, risk);
    let red_flag = rng.random_bool(0.03).then(|| RedFlag {
        code: pick(rng, &["rf_saddle_anaesthesia", "rf_saddle_anaesthesia", "rf_bladder_dysfunction"]),
        acted: rng.random_bool(0.5),
    });
    // Seen again 2–6 weeks later, when that is not in the future.
    let follow_up = if rng.random_bool(0.75) {
        let after = rng.random_range(14..=42).min(initial_ago);
        let improved = rng.random_bool(0.8);
        let measures = follow_up_measures(rng, &initial, improved);
        (after >= 14).then_some((after, measures, improved))
    } else {
        None
    };
    let last_ago = follow_up.as_ref().map_or(initial_ago, |(after, _, _)| initial_ago - after);
    let draft_ago = rng.random_bool(0.10).then(|| rng.random_range(0..=last_ago.min(6)));
    let override_item = red_flag.is_none() && rng.random_bool(0.02);
    if override_item && !history.contains(&"needle_phobia") {
        history.push("needle_phobia");
    }
    let activate = rng.random_bool(0.9);
    let advances = pick(rng, &[0, 0, 0, 1, 1, 1, 2, 2, 3]);
    let discharge_after = rng.random_bool(0.10).then(|| rng.random_range(0..=14));
    Spec {
        given,
        family,
        sex: if female { "female" } else { "male" },
        age_days,
        phone: format!("07700 9{:05}", rng.random_range(0..100_000)),
        with_email: rng.random_bool(0.7),
        condition: pick(rng, CONDITIONS),
        side,
        history,
        onset_before: rng.random_range(3..=60),
        initial_ago,
        initial,
        start_back,
        bothersomeness,
        red_flag,
        follow_up,
        draft_ago,
        override_item,
        activate,
        advances,
        discharge_after,
    }
}

fn finding(code: &str, side: Option<&str>, value: Value, method: Option<&str>) -> FindingInput {
    FindingInput {
        code: code.into(),
        side: side.map(str::to_owned),
        value,
        method: method.map(str::to_owned),
        note: None,
        positive: None,
    }
}

fn affected(side: &str) -> &'static [&'static str] {
    match side {
        "right" => &["right"],
        "bilateral" => &["left", "right"],
        _ => &["left"],
    }
}

/// The findings of a full assessment.
fn findings(spec: &Spec, m: &Measures, flag: Option<&str>) -> Vec<FindingInput> {
    let mut out = vec![
        finding("nprs_now", None, json!(m.nprs_now), None),
        finding("nprs_best", None, json!(m.nprs_best), None),
        finding("nprs_worst", None, json!(m.nprs_worst), None),
    ];
    for code in RED_FLAGS {
        let known = match code {
            "rf_cancer_history" => spec.history.contains(&"cancer_history"),
            "rf_immunosuppression" => spec.history.contains(&"immunosuppression"),
            "rf_bilateral_leg_symptoms" => spec.side == "bilateral",
            _ => false,
        };
        let value = if flag == Some(code) || known { "positive" } else { "negative" };
        out.push(finding(code, None, json!(value), None));
    }
    out.push(finding("lumbar_flexion", None, json!(m.flexion), Some("inclinometer")));
    for (n, side) in affected(spec.side).iter().enumerate() {
        let slr = m.slr + 5 * n as i64;
        let side = Some(*side);
        out.push(finding("slr", side, json!(slr), None));
        out.push(finding("slr_positive", side, json!(slr < 60), None));
        out.push(finding("myotome_l5", side, json!(m.myotome_l5), None));
        out.push(finding("myotome_s1", side, json!(m.myotome_s1), None));
        out.push(finding("dermatome_l5", side, json!(m.dermatome_l5), None));
        out.push(finding("dermatome_s1", side, json!(m.dermatome_s1), None));
    }
    out
}

fn odi(m: &Measures) -> Value {
    Value::Object(OdiSection::ALL.iter().zip(m.odi).map(|(s, v)| (s.code().to_owned(), json!(v))).collect())
}

/// The ids and stage counts of the built-in STarT Back protocols, low / medium / high.
type Protocols = [(ProtocolId, usize); 3];

fn find_protocols(conn: &mut DbConn, ctx: &Ctx) -> Result<Protocols, AppError> {
    let all = library::protocols(conn, ctx)?;
    let find = |risk: &str| {
        let code = format!("sciatica_start_back_{risk}");
        all.iter()
            .find(|p| p.row.clinic_id.is_none() && p.row.code.as_deref() == Some(code.as_str()))
            .map(|p| (p.row.id, p.content.stages.len()))
            .ok_or_else(|| AppError::Internal(format!("the built-in protocol {code} is missing; run migrate first")))
    };
    Ok([find("low")?, find("medium")?, find("high")?])
}

/// A clinic's staff as service actors.
struct Staff {
    therapists: Vec<Ctx>,
}

fn ctx_of(actor: Actor) -> Ctx {
    Ctx { actor, origin: Origin { request_id: Some("generate".into()), client_addr: None } }
}

fn check_counts(clinics: u32, therapists: u32, patients: u32) -> Result<(), AppError> {
    let mut errors = crate::error::FieldErrors::new();
    for (field, value, max) in [("clinics", clinics, MAX_STAFF), ("therapists", therapists, MAX_STAFF)] {
        if value == 0 || value > max {
            crate::error::add_field_error(&mut errors, field, format!("--{field} must be from 1 to {max}"));
        }
    }
    if patients > MAX_PATIENTS {
        crate::error::add_field_error(&mut errors, "patients", format!("--patients must be at most {MAX_PATIENTS}"));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Creates the clinics and their staff (one transaction); returns the staff per clinic.
fn add_staff(
    conn: &mut DbConn,
    clinics: u32,
    therapists: u32,
    summary: &mut GenerateSummary,
) -> Result<Vec<Staff>, AppError> {
    conn.transaction(|conn| {
        let mut staff = Vec::new();
        for c in 1..=clinics {
            let name = format!("Generated Clinic {c}");
            let clinic = add_clinic(
                conn,
                &ClinicInput {
                    name: name.clone(),
                    phone: Some(format!("020 7946 {:04}", c % 10_000)),
                    address: Some(format!("{c} Synthetic Street, Testville")),
                },
            )?;
            let mut add = |local: String, person: String, role: &'static str| -> Result<Actor, AppError> {
                let email = format!("{local}@c{c}.generated.example");
                let input = UserInput {
                    email: email.clone(),
                    name: person,
                    role: role.into(),
                    clinic_id: clinic.to_string(),
                    password: GENERATED_PASSWORD.into(),
                };
                let id = add_user(conn, &input)?;
                summary.logins.push(GeneratedLogin { email, role, clinic: name.clone() });
                actor_of(&crate::db::users::find(conn, id)?.ok_or(AppError::NotFound)?)
            };
            add("lead".into(), format!("Lead {c}"), "lead")?;
            let mut list = Vec::new();
            for k in 1..=therapists {
                list.push(ctx_of(add(format!("therapist{k}"), format!("Therapist {k} (clinic {c})"), "therapist")?));
            }
            staff.push(Staff { therapists: list });
        }
        Ok(staff)
    })
}

/// What one run shares between patients.
struct Shared<'a> {
    today: NaiveDate,
    protocols: Protocols,
    needling: Option<String>,
    summary: &'a mut GenerateSummary,
}

fn days(today: NaiveDate, ago: i64) -> NaiveDate {
    today - Duration::days(ago)
}

/// Stores one patient with their assessments and plan through the services.
fn add_patient(conn: &mut DbConn, ctx: &Ctx, spec: &Spec, n: u32, shared: &mut Shared<'_>) -> Result<(), AppError> {
    let today = shared.today;
    let initial_on = days(today, spec.initial_ago);
    let email = spec.with_email.then(|| {
        let clean = |s: &str| s.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_lowercase();
        format!("{}.{}{n}@example.net", clean(spec.given), clean(spec.family))
    });
    let input = PatientInput {
        given_name: spec.given.into(),
        family_name: spec.family.into(),
        date_of_birth: days(today, spec.age_days).to_string(),
        sex: Some(spec.sex.into()),
        phone: Some(spec.phone.clone()),
        email,
        condition: spec.condition.into(),
        side: spec.side.into(),
        onset_date: Some((initial_on - Duration::days(spec.onset_before)).to_string()),
        therapist_id: Some(ctx.actor.user_id.to_string()),
        history: spec.history.iter().map(|h| (*h).to_owned()).collect(),
    };
    let patient = patients::create(conn, ctx, &input, today)?.0.id;
    let summary = &mut *shared.summary;
    summary.patients += 1;

    // The initial assessment, signed, and the action on a red flag when recorded.
    let mut start_back: Vec<Value> = spec.start_back.iter().map(|a| json!(u8::from(*a))).collect();
    start_back.push(json!(spec.bothersomeness));
    let flag = spec.red_flag.as_ref().map(|f| f.code);
    let initial = AssessmentInput {
        kind: "initial".into(),
        assessed_on: initial_on.to_string(),
        content: ContentInput {
            findings: findings(spec, &spec.initial, flag),
            odi: Some(odi(&spec.initial)),
            start_back: Some(Value::Array(start_back)),
            impression: Some("Radicular leg pain consistent with lumbar nerve root irritation.".into()),
            ..ContentInput::default()
        },
    };
    let initial_id = assessments::create(conn, ctx, patient, &initial, today)?;
    assessments::sign(conn, ctx, initial_id, 1)?;
    crate::demo::record_reviews(conn, ctx, initial_id, &initial.content.findings)?;
    summary.assessments += 1;
    let mut open_flag = false;
    if let Some(f) = &spec.red_flag {
        summary.red_flags += 1;
        if f.acted {
            let action = "Referred to the emergency department the same day for an urgent MRI.";
            assessments::record_action(conn, ctx, initial_id, f.code, "emergency_referral", action)?;
        } else {
            open_flag = true;
            summary.open_red_flags += 1;
        }
    }

    // The plan from the protocol for the risk group, started on the initial assessment.
    let plan = start_plan(conn, ctx, spec, patient, initial_on, shared)?;
    let summary = &mut *shared.summary;
    let activated = spec.activate && !open_flag;
    if activated {
        plans::activate(conn, ctx, plan.0, &plans::Activation::default(), initial_on)?;
        summary.active_plans += 1;
    }

    let last_on = match &spec.follow_up {
        Some((after, measures, _)) => {
            let on = initial_on + Duration::days(*after);
            let again = AssessmentInput {
                kind: "reassessment".into(),
                assessed_on: on.to_string(),
                content: ContentInput {
                    findings: findings(spec, measures, None),
                    odi: Some(odi(measures)),
                    ..ContentInput::default()
                },
            };
            let id = assessments::create(conn, ctx, patient, &again, today)?;
            assessments::sign(conn, ctx, id, 1)?;
            crate::demo::record_reviews(conn, ctx, id, &again.content.findings)?;
            summary.assessments += 1;
            on
        }
        None => initial_on,
    };
    if let Some(ago) = spec.draft_ago {
        let latest = spec.follow_up.as_ref().map_or(&spec.initial, |(_, m, _)| m);
        let draft = AssessmentInput {
            kind: "reassessment".into(),
            assessed_on: days(today, ago).max(last_on).to_string(),
            content: ContentInput {
                findings: vec![
                    finding("nprs_now", None, json!(latest.nprs_now), None),
                    finding("nprs_best", None, json!(latest.nprs_best), None),
                    finding("nprs_worst", None, json!(latest.nprs_worst), None),
                ],
                ..ContentInput::default()
            },
        };
        assessments::create(conn, ctx, patient, &draft, today)?;
        summary.assessments += 1;
        summary.draft_assessments += 1;
    }

    if activated {
        advance(conn, ctx, spec, plan, initial_on, shared.summary)?;
        let improved = spec.follow_up.as_ref().is_some_and(|(_, _, improved)| *improved);
        if let Some(after) = spec.discharge_after.filter(|_| improved) {
            plans::finish(
                conn,
                ctx,
                plan.0,
                None,
                PlanStatus::Completed,
                "Goals met at reassessment; discharged with a home programme.",
            )?;
            let (row, _) = crate::db::patients::find(conn, ctx.actor.scope(), patient)?.ok_or(AppError::NotFound)?;
            let on = (last_on + Duration::days(after)).min(today);
            patients::set_discharged(conn, ctx, patient, row.version, Some(on))?;
            shared.summary.discharged += 1;
        }
    }
    Ok(())
}

/// Creates the draft plan, with the override item when the spec asks; returns the plan and
/// its stage count.
fn start_plan(
    conn: &mut DbConn,
    ctx: &Ctx,
    spec: &Spec,
    patient: PatientId,
    on: NaiveDate,
    shared: &mut Shared<'_>,
) -> Result<(PlanId, usize), AppError> {
    let answers = crate::domain::scoring::StartBackAnswers::parse(&Value::Array(
        spec.start_back.iter().map(|a| json!(u8::from(*a))).chain([json!(spec.bothersomeness)]).collect(),
    ))
    .map_err(AppError::Internal)?;
    let (protocol, stages) = match answers.score().risk.code() {
        "low" => shared.protocols[0],
        "medium" => shared.protocols[1],
        _ => shared.protocols[2],
    };
    let (plan, _) = plans::create(conn, ctx, patient, spec.condition, Some(protocol), on)?;
    shared.summary.plans += 1;
    if let (true, Some(modality)) = (spec.override_item, shared.needling.as_ref()) {
        let view = plans::get(conn, ctx, plan)?;
        if let Some(stage) = view.content.stages.first() {
            let req = AddItem {
                modality_id: modality.clone(),
                consent: ConsentInput::Flag(true),
                override_reason: Some(
                    "Patient requests needling despite the fear of needles after discussion; \
                     stop at any sign of distress."
                        .into(),
                ),
                ..AddItem::default()
            };
            plans::add_item(conn, ctx, plan, stage.id, &req)?;
            shared.summary.overrides += 1;
        }
    }
    Ok((plan, stages))
}

/// Moves an active plan on, evenly spaced between activation and today, at most one stage
/// per fortnight, never past the last stage; plans left behind count as stalled.
fn advance(
    conn: &mut DbConn,
    ctx: &Ctx,
    spec: &Spec,
    (plan, stages): (PlanId, usize),
    activated: NaiveDate,
    summary: &mut GenerateSummary,
) -> Result<(), AppError> {
    let span = spec.initial_ago;
    let moves = i64::from(spec.advances).min(span / 14).min(stages.saturating_sub(1) as i64);
    for k in 1..=moves {
        plans::advance(conn, ctx, plan, None, activated + Duration::days(span * k / (moves + 1)))?;
        summary.stage_moves += 1;
    }
    Ok(())
}

/// Generates `clinics` clinics with a lead and `therapists` therapists each, and `patients`
/// patients spread over them, with content deterministic for `seed` (see the module
/// documentation). Refused when the database has generated data already.
pub fn run(
    conn: &mut DbConn,
    clinics: u32,
    therapists: u32,
    patients: u32,
    seed: u64,
) -> Result<GenerateSummary, AppError> {
    let started = Instant::now();
    check_counts(clinics, therapists, patients)?;
    if clinics::find_by_name(conn, FIRST_CLINIC)?.is_some() {
        return Err(AppError::Conflict {
            code: "already_generated",
            message: format!(
                "this database already has generated data (a clinic named '{FIRST_CLINIC}'); use a fresh database"
            ),
        });
    }
    let mut summary = GenerateSummary { clinics, ..GenerateSummary::default() };
    let staff = add_staff(conn, clinics, therapists, &mut summary)?;
    summary.users = u32::try_from(summary.logins.len()).unwrap_or(u32::MAX);
    let first = staff.first().and_then(|s| s.therapists.first()).ok_or(AppError::NotFound)?;
    let protocols = find_protocols(conn, first)?;
    let needling =
        crate::db::library::current_by_code(conn, first.actor.clinic_id, OVERRIDE_ITEM)?.map(|row| row.id.to_string());
    let mut shared = Shared { today: Utc::now().date_naive(), protocols, needling, summary: &mut summary };
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut n = 0;
    while n < patients {
        let end = (n + BATCH).min(patients);
        conn.transaction(|conn| {
            for i in n..end {
                let spec = spec(&mut rng);
                let (clinic, therapist) = placement(i, clinics, therapists);
                let ctx = &staff[clinic as usize].therapists[therapist as usize];
                add_patient(conn, ctx, &spec, i + 1, &mut shared)?;
            }
            Ok::<_, AppError>(())
        })?;
        let before = n;
        n = end;
        if n / PROGRESS_EVERY > before / PROGRESS_EVERY || n == patients {
            eprintln!("generate: {n}/{patients} patients ({:.1} s)", started.elapsed().as_secs_f64());
        }
    }
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// The clinic a generated patient number (from 0) belongs to, and the therapist (both from 0).
pub fn placement(patient: u32, clinics: u32, therapists: u32) -> (u32, u32) {
    (patient % clinics.max(1), (patient / clinics.max(1)) % therapists.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::scoring::{StartBackAnswers, StartBackRisk};

    fn specs(seed: u64, count: usize) -> Vec<Spec> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..count).map(|_| spec(&mut rng)).collect()
    }

    #[test]
    fn the_same_seed_draws_the_same_patients_and_another_seed_does_not() {
        assert_eq!(specs(7, 200), specs(7, 200));
        assert_ne!(specs(7, 200), specs(8, 200));
    }

    #[test]
    fn start_back_answers_score_in_the_risk_group_they_were_drawn_for() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for _ in 0..500 {
            for (risk, expected) in [(0, StartBackRisk::Low), (1, StartBackRisk::Medium), (2, StartBackRisk::High)] {
                let (items, ninth) = start_back(&mut rng, risk);
                let mut raw: Vec<Value> = items.iter().map(|a| json!(*a)).collect();
                raw.push(json!(ninth));
                let answers = StartBackAnswers::parse(&Value::Array(raw)).unwrap();
                assert_eq!(answers.score().risk, expected, "{items:?} {ninth}");
            }
        }
    }

    #[test]
    fn every_drawn_patient_is_within_the_documented_ranges() {
        for s in specs(11, 2000) {
            let age = s.age_days / 365;
            assert!((20..=81).contains(&age), "age {age}");
            assert!((7..=112).contains(&s.initial_ago));
            let m = &s.initial;
            assert!(m.nprs_best <= m.nprs_now && m.nprs_now <= m.nprs_worst && m.nprs_worst <= 10);
            assert!(m.odi.iter().all(|v| (0..=5).contains(v)));
            if let Some((after, f, _)) = &s.follow_up {
                assert!((14..=42).contains(after) && *after <= s.initial_ago);
                assert!(f.nprs_best <= f.nprs_now && f.nprs_now <= f.nprs_worst && f.nprs_best >= 0);
                assert!(f.myotome_l5 >= m.myotome_l5 && f.myotome_s1 >= m.myotome_s1, "neurology never worsens");
            }
            if s.override_item {
                assert!(s.history.contains(&"needle_phobia") && s.red_flag.is_none());
            }
        }
    }

    #[test]
    fn the_spreads_match_the_intended_proportions() {
        let all = specs(1, 10_000);
        let share = |f: &dyn Fn(&Spec) -> bool| all.iter().filter(|s| f(s)).count() as f64 / all.len() as f64;
        let follow = share(&|s| s.follow_up.is_some());
        assert!((0.6..0.8).contains(&follow), "reassessed {follow}");
        let not_improving = share(&|s| s.follow_up.as_ref().is_some_and(|(_, _, i)| !i));
        assert!((0.08..0.2).contains(&not_improving), "not improving {not_improving}");
        let flags = share(&|s| s.red_flag.is_some());
        assert!((0.015..0.045).contains(&flags), "red flags {flags}");
        let drafts = share(&|s| s.draft_ago.is_some());
        assert!((0.07..0.13).contains(&drafts), "drafts {drafts}");
        let overrides = share(&|s| s.override_item);
        assert!((0.01..0.03).contains(&overrides), "overrides {overrides}");
        for side in ["left", "right", "bilateral"] {
            assert!(share(&|s| s.side == side) > 0.1, "{side}");
        }
    }

    #[test]
    fn improvers_reach_the_nprs_mcid_and_others_fall_short_on_nprs_and_odi() {
        for s in specs(5, 3000) {
            let Some((_, after, improved)) = &s.follow_up else { continue };
            let nprs_drop = s.initial.nprs_worst - after.nprs_worst;
            let odi_drop: i64 = s.initial.odi.iter().sum::<i64>() - after.odi.iter().sum::<i64>();
            if *improved {
                assert!(nprs_drop >= 2 || after.nprs_worst == 0, "{nprs_drop}");
            } else {
                assert!(nprs_drop <= 1 && odi_drop <= 1, "{nprs_drop} {odi_drop}");
            }
        }
    }

    #[test]
    fn patients_are_spread_round_robin_over_clinics_then_therapists() {
        let placed: Vec<(u32, u32)> = (0..6).map(|p| placement(p, 2, 3)).collect();
        assert_eq!(placed, [(0, 0), (1, 0), (0, 1), (1, 1), (0, 2), (1, 2)]);
    }
}
