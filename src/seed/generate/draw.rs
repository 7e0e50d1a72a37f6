//! Drawing a synthetic patient: names, history, measures and what happens to them, from the
//! seeded stream. Pure: nothing here touches the database.

use rand::seq::{IndexedRandom, SliceRandom};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

pub(super) const FEMALE: &[&str] = &[
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
pub(super) const MALE: &[&str] = &[
    "Oliver", "George", "Harry", "Noah", "Jack", "Leo", "Arthur", "Muhammad", "Oscar", "Charlie", "Jacob", "Thomas",
    "James", "William", "Daniel", "David", "Peter", "Michael", "Robert", "Richard", "Kwame", "Ibrahim", "Raj", "Arjun",
    "Luis", "Mateo", "Marco", "Hiroshi", "Wei", "Tomasz", "Sean", "Ciaran", "Harold", "Graham", "Stephen", "Paul",
    "Andrew", "Mark", "Lars", "Omar",
];
pub(super) const FAMILY: &[&str] = &[
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
pub(super) const CONDITIONS: &[&str] = &[
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
pub(super) const HISTORY: &[&str] = &[
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
pub(super) const RED_FLAGS: [&str; 11] = [
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
pub(super) const OVERRIDE_ITEM: &str = "dry_needling_piriformis";

/// The measures of one assessment.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Measures {
    pub(super) nprs_now: i64,
    pub(super) nprs_best: i64,
    pub(super) nprs_worst: i64,
    /// SLR angle on the (first) affected side; the other side of a bilateral patient is 5° more.
    pub(super) slr: i64,
    pub(super) myotome_l5: i64,
    pub(super) myotome_s1: i64,
    pub(super) dermatome_l5: &'static str,
    pub(super) dermatome_s1: &'static str,
    pub(super) flexion: i64,
    pub(super) odi: [i64; 10],
}

/// A red flag found at the initial assessment.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct RedFlag {
    pub(super) code: &'static str,
    /// Whether the action taken is recorded (otherwise the flag stays open).
    pub(super) acted: bool,
}

/// One patient's content, drawn from the seed before anything is stored.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Spec {
    pub(super) given: &'static str,
    pub(super) family: &'static str,
    pub(super) sex: &'static str,
    /// Age in days at today.
    pub(super) age_days: i64,
    pub(super) phone: String,
    pub(super) with_email: bool,
    pub(super) condition: &'static str,
    pub(super) side: &'static str,
    pub(super) history: Vec<&'static str>,
    /// Days from onset to the initial assessment.
    pub(super) onset_before: i64,
    /// Days from the initial assessment to today.
    pub(super) initial_ago: i64,
    pub(super) initial: Measures,
    pub(super) start_back: [bool; 8],
    pub(super) bothersomeness: &'static str,
    pub(super) red_flag: Option<RedFlag>,
    /// Days after the initial assessment, the measures, and whether they improved by the MCID.
    pub(super) follow_up: Option<(i64, Measures, bool)>,
    /// A draft assessment, days before today.
    pub(super) draft_ago: Option<i64>,
    /// Add a dry-needling item with an override of the needle-phobia contraindication.
    pub(super) override_item: bool,
    pub(super) activate: bool,
    /// Stage moves wanted (bounded by the protocol's stages and the time since activation).
    pub(super) advances: u8,
    /// Discharged this many days after the reassessment (bounded by today).
    pub(super) discharge_after: Option<i64>,
}

pub(super) fn pick<T: Copy>(rng: &mut ChaCha8Rng, list: &[T]) -> T {
    // The lists are constants and never empty; fall back to the first anyway.
    *list.choose(rng).unwrap_or(&list[0])
}

/// Random STarT Back answers that score in `risk`: 0 low, 1 medium, 2 high (see the
/// scoring rules in `domain::scoring`): returns items 1–8 and item 9.
pub(super) fn start_back(rng: &mut ChaCha8Rng, risk: u8) -> ([bool; 8], &'static str) {
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

pub(super) fn initial_measures(rng: &mut ChaCha8Rng) -> Measures {
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
pub(super) fn follow_up_measures(rng: &mut ChaCha8Rng, before: &Measures, improved: bool) -> Measures {
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

pub(super) fn spec(rng: &mut ChaCha8Rng) -> Spec {
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

/// The clinic a generated patient number (from 0) belongs to, and the therapist (both from 0).
pub fn placement(patient: u32, clinics: u32, therapists: u32) -> (u32, u32) {
    (patient % clinics.max(1), (patient / clinics.max(1)) % therapists.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::scoring::{StartBackAnswers, StartBackRisk};
    use rand::SeedableRng;
    use serde_json::{json, Value};

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
