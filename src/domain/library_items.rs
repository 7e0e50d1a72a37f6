//! The data of the built-in modality library (see `library`). Codes are stable: never
//! rename one, add a new item instead. Contraindications follow the table in
//! docs/clinical-rules.md; the table rows themselves live in `safety_floor`.

use super::history::HistoryCode::*;
use super::modality::Category::{self, *};
use super::modality::Stage::*;
use super::modality::Technique;
use super::modality::{Contraindication, Dosage, GuidelineStance, ModalityDef, Setting, Severity, Stage, Stance};
use super::safety::SafetyFact::{self, ProgressiveNeuroDeficit, ReducedSensation};
use super::safety_floor;

const PAIN_RULE: &str = "Pain may go up to 3 out of 10 while you exercise. It should settle within 24 hours. Stop if pain spreads further down your leg.";
const NERVE_RULE: &str =
    "A gentle pull or tingle is fine if it stops when you stop. Stop if tingling lasts or spreads.";
const STRETCH_RULE: &str = "Feel a gentle stretch, not pain. Stop if you feel tingling down the leg.";

fn s(text: &str) -> String {
    text.to_string()
}

fn t(text: &str) -> Option<String> {
    Some(text.to_string())
}

/// 0 means "not set", which keeps the table of doses below readable.
fn dose(sets: u32, reps: u32, hold: u32, per_day: u32, per_week: u32, weeks: u32) -> Dosage {
    let opt = |v: u32| (v > 0).then_some(v);
    Dosage {
        sets: opt(sets),
        reps: opt(reps),
        hold_seconds: opt(hold),
        per_day: opt(per_day),
        per_week: opt(per_week),
        duration_weeks: opt(weeks),
        ..Dosage::default()
    }
}

/// A home exercise: unsupervised, individual, with the pain-monitoring rule.
fn home(d: Dosage, equipment: &str, progression: &str) -> Dosage {
    Dosage {
        supervised: Some(false),
        group: Some(false),
        equipment: (!equipment.is_empty()).then(|| equipment.to_string()),
        intensity: t(PAIN_RULE),
        progression: t(progression),
        ..d
    }
}

/// A clinic treatment: supervised, one to one, `per_week` sessions for `weeks` weeks.
fn session(per_week: u32, weeks: u32, minutes: u32, equipment: &str, intensity: &str) -> Dosage {
    Dosage {
        minutes: (minutes > 0).then_some(minutes),
        supervised: Some(true),
        group: Some(false),
        equipment: (!equipment.is_empty()).then(|| equipment.to_string()),
        intensity: (!intensity.is_empty()).then(|| intensity.to_string()),
        ..dose(0, 0, 0, 0, per_week, weeks)
    }
}

fn abs(fact: impl Into<SafetyFact>, note: &str) -> Contraindication {
    Contraindication { fact: fact.into(), severity: Severity::Absolute, note: s(note) }
}

fn rel(fact: impl Into<SafetyFact>, note: &str) -> Contraindication {
    Contraindication { fact: fact.into(), severity: Severity::Relative, note: s(note) }
}

fn stance(jospt_2021: Stance, nice_ng59: Stance, note: &str) -> GuidelineStance {
    GuidelineStance { jospt_2021, nice_ng59, note: s(note) }
}

/// What the two guidelines say about a category (docs/clinical-rules.md "Guideline stance").
fn category_stance(category: Category) -> GuidelineStance {
    use Stance::*;
    match category {
        ManualTherapy => stance(Recommended, Conditional, "JOSPT 2021: thrust and non-thrust mobilisation for acute and chronic low back pain. NICE NG59: consider manual therapy only as part of a package that includes exercise."),
        DryNeedling => stance(Included, NotRecommended, "JOSPT 2021 includes dry needling. NICE NG59 says do not offer acupuncture for low back pain and does not support needling-type treatments."),
        Taping => stance(NoStatement, NoStatement, "Neither guideline recommends kinesiology taping; evidence is limited. Use only as a short-term adjunct to exercise."),
        Exercise => stance(Recommended, Recommended, "JOSPT 2021 recommends trunk strength and endurance, specific trunk activation, aerobic and general exercise. NICE NG59: exercise is the core treatment."),
        Stretch => stance(Included, Included, "Part of a general or biomechanical exercise programme in both guidelines; not recommended on its own."),
        NerveMobilisation => stance(Included, NoStatement, "Used within exercise therapy for low back pain with leg pain; NICE NG59 makes no specific statement."),
        Education => stance(Recommended, Recommended, "JOSPT 2021 recommends pain neuroscience education. NICE NG59 recommends advice and information to support self-management."),
        ThermalElectro => stance(NoStatement, NoStatement, "Neither guideline recommends it as a treatment; may be used as self-management for comfort."),
    }
}

/// An item with the category's defaults: clinicians deliver manual therapy, needling,
/// taping and education in the clinic; the rest is done at home. Only dry needling needs
/// consent by default.
fn item(code: &str, name: &str, category: Category, body_region: &str, stages: &[Stage]) -> ModalityDef {
    let setting = match category {
        ManualTherapy | DryNeedling | Taping | Education => Setting::Clinic,
        _ => Setting::Home,
    };
    let technique = match category {
        ManualTherapy => Some(Technique::NonThrust),
        ThermalElectro => Some(Technique::Heat),
        _ => None,
    };
    ModalityDef {
        code: s(code),
        name: s(name),
        category,
        technique,
        body_region: s(body_region),
        description: String::new(),
        patient_instructions: String::new(),
        dosage: Dosage::default(),
        stages: stages.to_vec(),
        setting,
        contraindications: Vec::new(),
        consent_required: category == DryNeedling,
        guideline: category_stance(category),
    }
}

fn dry_needling_cis() -> Vec<Contraindication> {
    safety_floor::dry_needling()
}

fn taping_cis() -> Vec<Contraindication> {
    let mut list = safety_floor::taping();
    list.insert(6, rel(ReducedSensation, "The patient may not notice a skin reaction: check the skin at each visit."));
    list
}

fn thrust_cis() -> Vec<Contraindication> {
    safety_floor::thrust()
}

fn tens_cis() -> Vec<Contraindication> {
    let mut list = safety_floor::electrotherapy();
    list.extend([
        rel(ReducedSensation, "The patient may not feel over-stimulation: test sensation under the electrodes."),
        rel(OpenWound, "Do not place electrodes on broken skin."),
    ]);
    list
}

fn heat_cis() -> Vec<Contraindication> {
    safety_floor::heat()
}

fn ice_cis() -> Vec<Contraindication> {
    vec![
        abs(ReducedSensation, "Cold burn risk: the patient cannot judge the cold."),
        rel(Diabetes, "Sensation and circulation may be reduced: check the skin and shorten the time."),
        rel(OpenWound, "Keep the wound covered and dry; never put ice on broken skin."),
        rel(FragileSkin, "Always use a cloth between the ice and the skin; check the skin often."),
    ]
}

/// Lying face down is awkward and can press on the bump later in pregnancy.
fn prone_cis() -> Vec<Contraindication> {
    vec![rel(Pregnancy, "Lying face down becomes unsuitable as pregnancy progresses: use standing back bends instead.")]
}

/// Every built-in item, in library order.
pub(crate) fn items() -> Vec<ModalityDef> {
    let mut all = manual_items();
    all.extend(needling_and_taping_items());
    all.extend(exercise_items());
    all.extend(stretch_and_nerve_items());
    all.extend(education_items());
    all.extend(thermal_items());
    all.extend(seed_article_items());
    all
}

fn manual_items() -> Vec<ModalityDef> {
    vec![
        ModalityDef {
            description: s("Soft tissue mobilisation of the lumbar paraspinals and gluteals to reduce muscle guarding and pain; a lead-in to movement and exercise."),
            patient_instructions: s("Your physio will use their hands to ease the tight muscles in your lower back and buttock. It should feel firm but not painful. Tell them if it hurts. Move gently afterwards."),
            dosage: session(2, 2, 10, "Treatment couch", "Firm pressure within comfort; pain should not spread down the leg."),
            contraindications: vec![
                abs(LocalInfection, "Do not treat over infected skin."),
                abs(OpenWound, "Do not treat over broken skin."),
                rel(Anticoagulants, "Bruising risk: use lighter pressure."),
                rel(BleedingDisorder, "Bruising risk: use lighter pressure."),
                rel(FragileSkin, "Avoid friction and drag on fragile skin."),
            ],
            technique: Some(Technique::SoftTissue),
            ..item("soft_tissue_mobilisation", "Soft tissue mobilisation", ManualTherapy, "lumbar", &[PainControl, Mobility])
        },
        ModalityDef {
            description: s("Central and unilateral postero-anterior (PA) non-thrust mobilisation of the lumbar segments, graded I-IV to symptom response; reassess movement after each set."),
            patient_instructions: s("You lie face down. Your physio presses gently on your lower back in a steady rhythm. This helps the joints move and eases pain. Tell them if pain spreads down your leg."),
            dosage: session(2, 3, 10, "Treatment couch", "Grades I-II while irritable, III-IV as pain settles; stop if symptoms peripheralise."),
            contraindications: vec![
                rel(Osteoporosis, "Use gentle grades and avoid end-of-range force."),
                rel(CancerHistory, "Check for bone involvement before pressure over the spine."),
                rel(ProgressiveNeuroDeficit, "Worsening neurology needs review before hands-on treatment."),
            ],
            ..item("lumbar_pa_mobilisation", "Lumbar postero-anterior mobilisation", ManualTherapy, "lumbar", &[PainControl, Mobility])
        },
        ModalityDef {
            description: s("High-velocity low-amplitude thrust manipulation of the lumbar spine (e.g. side-lying rotation). Written consent required; screen for the absolute contraindications first."),
            patient_instructions: s("Your physio will move your lower back with a quick, small push. You may hear a click. This is normal and not a bone moving out of place. Your physio will explain it and ask for your consent first."),
            dosage: session(1, 2, 5, "Treatment couch", "One or two thrusts per level; reassess after each."),
            contraindications: thrust_cis(),
            consent_required: true,
            technique: Some(Technique::Thrust),
            ..item("lumbar_thrust_manipulation", "Lumbar thrust manipulation", ManualTherapy, "lumbar", &[PainControl, Mobility])
        },
        ModalityDef {
            description: s("Non-thrust mobilisation of the sacroiliac joint (e.g. anterior/posterior innominate glides) when the joint reproduces the pain."),
            patient_instructions: s("Your physio will gently move the joint at the back of your pelvis. You may feel a stretch. It should not hurt."),
            dosage: session(2, 2, 10, "Treatment couch", "Within comfort."),
            contraindications: vec![
                rel(Pregnancy, "Ligaments are looser in pregnancy: use gentle grades only."),
                rel(Osteoporosis, "Use gentle grades and avoid end-of-range force."),
            ],
            ..item("sacroiliac_mobilisation", "Sacroiliac joint mobilisation", ManualTherapy, "sacroiliac", &[PainControl, Mobility])
        },
        ModalityDef {
            description: s("Hip joint mobilisation: long-axis distraction and posterior glide to restore hip flexion and rotation that load the lumbar spine when limited."),
            patient_instructions: s("Your physio will gently pull and move your hip joint. This helps your hip move more freely. It should feel like a stretch, not pain."),
            dosage: session(2, 3, 10, "Treatment couch, mobilisation belt", "Within comfort."),
            contraindications: vec![rel(Osteoporosis, "Use gentle grades and avoid end-of-range force.")],
            ..item("hip_mobilisation", "Hip joint mobilisation", ManualTherapy, "hip", &[Mobility])
        },
        ModalityDef {
            description: s("Mulligan sustained natural apophyseal glides (SNAGs) in sitting or standing: therapist glide combined with active lumbar flexion or extension, pain-free only."),
            patient_instructions: s("Your physio will hold your lower back while you bend slowly. The movement should be pain free. If it hurts, tell them and stop."),
            dosage: Dosage { sets: Some(3), reps: Some(6), ..session(2, 2, 0, "Mobilisation belt (optional)", "Must be pain free.") },
            contraindications: vec![
                rel(Osteoporosis, "Use gentle force only."),
                rel(ProgressiveNeuroDeficit, "Worsening neurology needs review before hands-on treatment."),
            ],
            ..item("lumbar_snag", "Lumbar sustained natural apophyseal glide (SNAG)", ManualTherapy, "lumbar", &[PainControl, Mobility])
        },
    ]
}

fn needle(code: &str, name: &str, region: &str, description: &str, instructions: &str) -> ModalityDef {
    ModalityDef {
        description: s(description),
        patient_instructions: s(instructions),
        dosage: session(
            1,
            3,
            10,
            "Sterile single-use needles, gloves, sharps bin",
            "Local twitch responses expected; soreness may last up to 48 hours.",
        ),
        contraindications: dry_needling_cis(),
        ..item(code, name, DryNeedling, region, &[PainControl, Mobility])
    }
}

const NEEDLE_AFTER: &str = "You may feel a small twitch or a deep ache. The area may feel sore for a day or two. Keep moving gently. Your physio will ask for your consent first.";

fn needling_and_taping_items() -> Vec<ModalityDef> {
    vec![
        needle("dry_needling_piriformis", "Dry needling: piriformis", "gluteal", "Dry needling of piriformis trigger points; mind the sciatic nerve course.", &format!("Your physio puts a very thin needle into the deep muscle of your buttock. {NEEDLE_AFTER}")),
        needle("dry_needling_gluteus_minimus", "Dry needling: gluteus minimus", "gluteal", "Dry needling of gluteus minimus, whose trigger points refer pain down the leg and can mimic sciatica.", &format!("Your physio puts a very thin needle into a small muscle at the side of your buttock. {NEEDLE_AFTER}")),
        needle("dry_needling_gluteus_medius", "Dry needling: gluteus medius", "gluteal", "Dry needling of gluteus medius trigger points.", &format!("Your physio puts a very thin needle into the muscle at the side of your hip. {NEEDLE_AFTER}")),
        needle("dry_needling_lumbar_multifidus", "Dry needling: lumbar multifidus", "lumbar", "Dry needling of lumbar multifidus; angle toward the lamina to stay away from the canal.", &format!("Your physio puts a very thin needle into the small muscles next to your spine. {NEEDLE_AFTER}")),
        needle("dry_needling_quadratus_lumborum", "Dry needling: quadratus lumborum", "lumbar", "Dry needling of quadratus lumborum; direct the needle to stay clear of the kidney and pleura.", &format!("Your physio puts a very thin needle into the muscle at the side of your lower back. {NEEDLE_AFTER}")),
        ModalityDef {
            description: s("Kinesiology tape to the lumbar region (two vertical strips, paper-off tension 10-15 %) to offload and give sensory feedback; an adjunct to movement."),
            patient_instructions: s("Your physio puts stretchy tape on your lower back. Keep it on for up to 3 days. You can shower with it. Take it off if your skin itches, burns or goes red. Peel it off slowly."),
            dosage: session(2, 2, 0, "Kinesiology tape", "Light tension only."),
            contraindications: taping_cis(),
            ..item("lumbar_kinesiology_taping", "Lumbar kinesiology taping", Taping, "lumbar", &[PainControl, Mobility])
        },
        ModalityDef {
            description: s("Kinesiology tape over the gluteals and posterior hip to support gluteal activation and reduce buttock pain."),
            patient_instructions: s("Your physio puts stretchy tape on your buttock and hip. Keep it on for up to 3 days. Take it off if your skin itches, burns or goes red. Peel it off slowly."),
            dosage: session(2, 2, 0, "Kinesiology tape", "Light tension only."),
            contraindications: taping_cis(),
            ..item("gluteal_kinesiology_taping", "Gluteal kinesiology taping", Taping, "gluteal", &[PainControl, Strength])
        },
        ModalityDef {
            description: s("Kinesiology tape across the sacroiliac joint for pelvic-girdle pain, including in pregnancy with care."),
            patient_instructions: s("Your physio puts stretchy tape across the back of your pelvis. Keep it on for up to 3 days. Take it off if your skin itches, burns or goes red."),
            dosage: session(2, 2, 0, "Kinesiology tape", "Light tension only."),
            contraindications: taping_cis(),
            ..item("sacroiliac_kinesiology_taping", "Sacroiliac kinesiology taping", Taping, "sacroiliac", &[PainControl])
        },
    ]
}

fn exercise(
    code: &str,
    name: &str,
    region: &str,
    stages: &[Stage],
    description: &str,
    instructions: &str,
    dosage: Dosage,
) -> ModalityDef {
    ModalityDef {
        description: s(description),
        patient_instructions: s(instructions),
        dosage,
        ..item(code, name, Exercise, region, stages)
    }
}

fn exercise_items() -> Vec<ModalityDef> {
    vec![
        exercise("pelvic_tilts", "Pelvic tilts", "lumbar", &[PainControl, Mobility],
            "Supine posterior and anterior pelvic tilts in crook lying: gentle lumbar movement within the pain-free range.",
            "Lie on your back with your knees bent. Gently flatten your lower back into the floor. Then let it arch a little. Move slowly and breathe normally.",
            home(dose(2, 10, 0, 2, 7, 2), "Mat", "When easy, try it sitting on a chair.")),
        exercise("abdominal_bracing", "Abdominal bracing", "lumbar", &[PainControl, Strength],
            "Specific trunk activation: gentle co-contraction of transversus abdominis and multifidus in crook lying, progressing to sitting and standing.",
            "Lie on your back with your knees bent. Gently tighten your tummy, as if you were getting ready for a light poke. Keep breathing. Hold, then relax.",
            home(dose(2, 10, 10, 2, 7, 3), "Mat", "Hold for longer, then do it sitting, standing and walking.")),
        exercise("mckenzie_extension_in_lying", "McKenzie extension in lying", "lumbar", &[PainControl],
            "Directional preference: prone lying progressing to prone on elbows; continue only if leg symptoms centralise or stay the same.",
            "Lie face down for a few minutes. Then prop yourself up on your elbows. Let your back sag and relax. Good signs are less pain in your leg, even if your back aches. Stop if leg pain gets worse or moves further down.",
            Dosage { minutes: Some(3), intensity: t("Continue only if leg pain eases or moves up toward the back."), ..home(dose(0, 0, 0, 4, 7, 2), "Mat or firm bed", "Move on to press-ups when you can lie on your elbows easily.") }),
        ModalityDef { contraindications: prone_cis(), ..exercise("prone_press_up", "Prone press-up", "lumbar", &[PainControl, Mobility],
            "Repeated end-range lumbar extension in lying (McKenzie press-up), used when extension centralises symptoms.",
            "Lie face down with your hands under your shoulders. Push up with your arms and keep your hips on the floor. Let your back sag. Lower down slowly. Stop if leg pain gets worse or moves further down.",
            Dosage { intensity: t("Continue only if leg pain eases or moves up toward the back."), ..home(dose(1, 10, 0, 4, 7, 3), "Mat", "Go a little higher each time, as comfort allows.") }) },
        exercise("lower_trunk_rotation", "Lower trunk rotation", "lumbar", &[Mobility],
            "Crook-lying knee rolls for lumbar rotation mobility.",
            "Lie on your back with your knees bent and feet flat. Slowly roll both knees to one side. Come back to the middle, then roll to the other side. Keep your shoulders on the floor.",
            home(dose(2, 10, 0, 2, 7, 3), "Mat", "Roll a little further each week.")),
        exercise("cat_camel", "Cat and camel", "lumbar", &[Mobility],
            "Quadruped lumbar flexion-extension for segmental mobility.",
            "Get on your hands and knees. Slowly round your back up to the ceiling. Then let it sag down gently. Move slowly and stay in a comfortable range.",
            home(dose(2, 10, 0, 2, 7, 3), "Mat", "Increase the range as comfort allows.")),
        exercise("bird_dog", "Bird dog", "lumbar", &[Strength],
            "Quadruped contralateral arm and leg raise for trunk endurance with a neutral spine.",
            "Get on your hands and knees. Keep your back flat. Stretch one arm forward and the other leg back. Hold, then swap sides. Do not let your back twist or sag.",
            home(dose(3, 8, 5, 1, 5, 6), "Mat", "Hold for 10 seconds, then add light ankle weights.")),
        exercise("bridge", "Bridge", "gluteal", &[Mobility, Strength],
            "Supine bridging for gluteal and hamstring strength; progress to single-leg bridge.",
            "Lie on your back with your knees bent. Squeeze your buttocks and lift your hips until your body is in a straight line. Hold, then lower slowly.",
            home(dose(3, 10, 5, 1, 5, 6), "Mat", "Move on to lifting one leg while you hold the bridge.")),
        exercise("clamshell", "Clamshell", "gluteal", &[Strength],
            "Side-lying hip abduction and external rotation for gluteus medius strength.",
            "Lie on your side with your knees bent. Keep your feet together. Lift your top knee like a shell opening. Do not let your hips roll back. Lower slowly.",
            home(dose(3, 12, 0, 1, 5, 6), "Mat; resistance band later", "Add a light band around your knees, then a stronger band.")),
        exercise("dead_bug", "Dead bug", "lumbar", &[Strength],
            "Supine anti-extension trunk control with alternating limb movement.",
            "Lie on your back with your arms up and knees bent in the air. Keep your lower back gently on the floor. Slowly lower one arm and the other leg. Come back, then swap.",
            home(dose(3, 8, 0, 1, 5, 6), "Mat", "Straighten the leg further as control improves.")),
        exercise("side_plank", "Side plank", "lumbar", &[Strength],
            "Side bridge for lateral trunk endurance (quadratus lumborum, obliques); start from the knees.",
            "Lie on your side, resting on your elbow with your knees bent. Lift your hips so your body is straight. Hold, then lower. Do both sides.",
            home(dose(3, 5, 10, 1, 5, 6), "Mat", "Hold longer, then do it with straight legs.")),
        exercise("sit_to_stand", "Sit to stand", "whole_body", &[Strength, Functional],
            "Repeated chair rises with a hip hinge for lower-limb strength and function.",
            "Sit near the front of a firm chair. Lean forward from your hips. Stand up without using your hands. Sit down slowly with control.",
            home(dose(3, 10, 0, 1, 5, 6), "Firm chair", "Use a lower chair, then hold a weight.")),
        exercise("hip_hinge", "Hip hinge", "hip", &[Strength, Functional],
            "Dowel hip hinge to teach hip-dominant bending with a neutral spine before loaded lifting.",
            "Stand with a broom handle along your back. It should touch your head, upper back and bottom. Push your hips back and lean forward. Keep all three touching. Stand up tall again.",
            home(dose(3, 10, 0, 1, 5, 4), "Broom handle or dowel", "Hold a light weight, then move on to lifting practice.")),
        exercise("step_up", "Step-up", "whole_body", &[Strength, Functional],
            "Forward step-ups for single-leg strength and control.",
            "Stand facing a low step. Step up with one foot and straighten that leg. Step down slowly. Keep your knee in line with your toes.",
            home(dose(3, 10, 0, 1, 5, 6), "Bottom stair or low step", "Use a higher step, then hold a weight.")),
        exercise("floor_to_waist_lift", "Floor-to-waist lift", "whole_body", &[Functional],
            "Graded loaded lifting practice (box to waist) rehearsing work and home tasks.",
            "Stand close to a box with your feet apart. Bend at your hips and knees. Hold the box close and stand up. Put it down the same way.",
            home(dose(3, 8, 0, 1, 3, 4), "Box with handles, weights", "Add a little weight each week, up to what your work needs.")),
        exercise("graded_walking", "Graded walking", "whole_body", &[PainControl, Mobility, Strength, Functional],
            "Time-contingent aerobic walking programme: start below tolerance and add a fixed amount each week regardless of pain.",
            "Walk at an easy pace on flat ground. Start with the time on your plan, even on bad days. Add a few minutes each week. It is fine to be a little sore.",
            Dosage { minutes: Some(10), ..home(dose(0, 0, 0, 1, 5, 8), "Comfortable shoes", "Add 2 to 5 minutes each week, up to 30 minutes.") }),
        exercise("stationary_cycling", "Stationary cycling", "whole_body", &[Mobility, Strength],
            "Aerobic conditioning in slight lumbar flexion, often tolerated when walking is not.",
            "Ride an exercise bike at an easy pace. Set the seat so your knee is a little bent at the bottom. Start with the time on your plan.",
            Dosage { minutes: Some(10), ..home(dose(0, 0, 0, 1, 3, 6), "Exercise bike", "Add 2 to 5 minutes each week.") }),
    ]
}

fn stretch(code: &str, name: &str, region: &str, description: &str, instructions: &str) -> ModalityDef {
    ModalityDef {
        description: s(description),
        patient_instructions: s(instructions),
        dosage: Dosage {
            intensity: t(STRETCH_RULE),
            ..home(dose(1, 3, 30, 2, 7, 4), "", "Hold a little deeper as it eases.")
        },
        ..item(code, name, Stretch, region, &[Mobility, Functional])
    }
}

fn glide(code: &str, name: &str, stages: &[Stage], description: &str, instructions: &str, d: Dosage) -> ModalityDef {
    ModalityDef {
        description: s(description),
        patient_instructions: s(instructions),
        dosage: Dosage {
            intensity: t(NERVE_RULE),
            ..home(d, "Chair or mat", "Make the movement bigger as it gets easier.")
        },
        ..item(code, name, NerveMobilisation, "sciatic_nerve", stages)
    }
}

fn stretch_and_nerve_items() -> Vec<ModalityDef> {
    vec![
        stretch("piriformis_stretch", "Piriformis stretch", "gluteal",
            "Supine figure-four piriformis stretch (hip flexion, external rotation); avoid if it reproduces distal leg symptoms.",
            "Lie on your back with your knees bent. Cross one ankle over the other knee. Gently pull the lower leg toward your chest. You should feel a stretch deep in your buttock."),
        stretch("hamstring_stretch", "Hamstring stretch", "hamstring",
            "Supine hamstring stretch with a towel, ankle relaxed to limit neural tension; distinguish hamstring from nerve symptoms.",
            "Lie on your back. Loop a towel around one foot. Keep the knee straight and lift the leg until you feel a stretch behind your thigh. Keep your foot relaxed."),
        stretch("hip_flexor_stretch", "Hip flexor stretch", "hip",
            "Half-kneeling hip flexor stretch with posterior pelvic tilt; cue against lumbar extension.",
            "Kneel on one knee with the other foot in front. Tuck your bottom under. Shift your weight forward until you feel a stretch at the front of your hip. Keep your back straight."),
        stretch("knee_to_chest_stretch", "Knee-to-chest stretch", "lumbar",
            "Single and double knee-to-chest for lumbar flexion; useful when flexion eases symptoms.",
            "Lie on your back with your knees bent. Pull one knee gently toward your chest. Hold, then swap legs. Then try both knees together."),
        stretch("side_bend_stretch", "Standing side-bend stretch", "lumbar",
            "Standing lateral flexion stretch for quadratus lumborum and the lateral trunk; also corrects a lateral shift when directed.",
            "Stand tall with your feet apart. Reach one arm over your head and lean to the other side. Feel a stretch down your side. Come back slowly and swap sides."),
        glide("sciatic_nerve_slider", "Sciatic nerve slider (seated)", &[PainControl, Mobility],
            "Seated slider: knee extension with cervical extension, knee flexion with cervical flexion, so the nerve glides without tension.",
            "Sit on a chair. Straighten one knee while you look up. Then bend the knee while you look down. Keep it smooth and easy. It should not hurt.",
            dose(2, 10, 0, 3, 7, 3)),
        glide("sciatic_nerve_slider_lying", "Sciatic nerve slider (lying)", &[PainControl],
            "Supine slider with the hip at 90 degrees: alternate knee extension with ankle plantarflexion; for irritable nerves.",
            "Lie on your back. Hold behind one thigh with the knee bent. Slowly straighten the knee while you point your toes. Then bend the knee and pull your toes up. Keep it gentle.",
            dose(2, 10, 0, 3, 7, 2)),
        ModalityDef {
            contraindications: vec![rel(ProgressiveNeuroDeficit, "Tensioning a worsening nerve can flare symptoms: use sliders until neurology is stable.")],
            ..glide("sciatic_nerve_tensioner", "Sciatic nerve tensioner (seated)", &[Mobility, Strength],
                "Seated slump tensioner: knee extension with ankle dorsiflexion and cervical flexion together; only once sliders are symptom-free.",
                "Sit on a chair and look down. Straighten one knee and pull your toes toward you. Hold for a moment, then relax. You may feel a pull. It should ease straight away.",
                dose(2, 8, 2, 2, 7, 3))
        },
    ]
}

fn talk(code: &str, name: &str, stages: &[Stage], description: &str, instructions: &str) -> ModalityDef {
    ModalityDef {
        description: s(description),
        patient_instructions: s(instructions),
        dosage: session(1, 0, 15, "Diagrams or printed leaflet", ""),
        ..item(code, name, Education, "whole_body", stages)
    }
}

fn education_items() -> Vec<ModalityDef> {
    vec![
        talk("pain_education", "Pain education", &[PainControl, Mobility],
            "Pain neuroscience education: nerve sensitivity, pain is not a measure of damage, good prognosis of sciatica, staying active.",
            "Sciatica usually gets better with time. Pain does not mean your back is damaged. An irritated nerve can be sensitive for a while. Staying active helps it settle."),
        talk("positions_of_ease", "Positions of ease", &[PainControl],
            "Positions that offload the irritated nerve root (e.g. lying with a pillow under or between the knees, supported sitting); sleep positions.",
            "Find positions that ease your leg pain. Try lying on your side with a pillow between your knees. Or lie on your back with a pillow under your knees. Change position often."),
        talk("posture_and_ergonomics", "Posture and ergonomics", &[Mobility, Functional],
            "Variable postures rather than one correct posture; workstation set-up, sitting breaks, driving.",
            "There is no single right way to sit. Change position often. Get up and move every 30 minutes. Set your screen at eye level and your feet flat on the floor."),
        talk("lifting_technique", "Lifting technique", &[Functional],
            "Lifting advice: load close to the body, hip hinge, plan the lift, build capacity rather than fear bending.",
            "Bending and lifting are safe. Keep the load close to your body. Bend at your hips and knees. Plan your lift and clear the path. Start light and build up."),
        talk("activity_pacing", "Activity pacing", &[PainControl, Mobility, Strength],
            "Time-based pacing to avoid boom-and-bust cycles: baseline tolerance, planned breaks, gradual increases.",
            "Do activities in short bits with breaks. Do not wait for pain to stop you. Find how long you can do a task on a bad day. Start there and add a little each week."),
        talk("flare_up_plan", "Flare-up plan", &[Strength, Functional],
            "Written flare-up plan: what to expect, relief strategies, how to scale exercise down and back up, when to seek help.",
            "Flare-ups are common and usually settle in a few days. Keep moving gently. Use heat and your easy exercises. Do half your usual exercise, then build back up. Get help if you notice any warning signs."),
        talk("return_to_work_and_sport", "Return to work and sport", &[Functional],
            "Graded return to work and sport: task analysis, modified duties, and a timeline agreed with the patient and employer.",
            "We will plan your return to work or sport together. You may start with lighter tasks or shorter days. Build up each week. Being back at work often helps recovery."),
    ]
}

fn thermal_items() -> Vec<ModalityDef> {
    vec![
        ModalityDef {
            description: s("Superficial heat (wheat bag, hot-water bottle in a cover) for comfort and to ease muscle guarding before exercise."),
            patient_instructions: s("Put a warm heat pack on your lower back for 15 to 20 minutes. Wrap it in a towel. Check your skin every 5 minutes. It should feel warm, never hot."),
            dosage: Dosage { minutes: Some(15), equipment: t("Wheat bag or hot-water bottle with a cover"), ..dose(0, 0, 0, 3, 7, 0) },
            contraindications: heat_cis(),
            ..item("heat_pack", "Heat pack", ThermalElectro, "lumbar", &[PainControl, Mobility])
        },
        ModalityDef {
            description: s("Cold pack for short-term pain relief, e.g. after a flare-up or activity."),
            patient_instructions: s("Wrap an ice pack or frozen peas in a damp towel. Put it on the sore area for up to 15 minutes. Check your skin every 5 minutes. Never put ice straight on your skin."),
            dosage: Dosage { minutes: Some(15), equipment: t("Ice pack or frozen peas, damp towel"), ..dose(0, 0, 0, 3, 7, 0) },
            contraindications: ice_cis(),
            technique: Some(Technique::Cold),
            ..item("ice_pack", "Ice pack", ThermalElectro, "lumbar", &[PainControl])
        },
        ModalityDef {
            description: s("Transcutaneous electrical nerve stimulation, conventional high-frequency, electrodes around the painful lumbar area; short-term pain relief only."),
            patient_instructions: s("Stick the pads on your back where your physio showed you. Turn the machine up until you feel a strong but comfortable tingle. Use it for up to 30 minutes. Take the pads off if your skin gets red or sore."),
            dosage: Dosage { minutes: Some(30), equipment: t("TENS unit with self-adhesive electrodes"), intensity: t("Strong, comfortable tingling; not muscle twitching."), ..dose(0, 0, 0, 3, 7, 2) },
            contraindications: tens_cis(),
            guideline: stance(Stance::NoStatement, Stance::NotRecommended, "NICE NG59: do not offer TENS, ultrasound or interferential therapy for low back pain. JOSPT 2021 makes no statement on it."),
            technique: Some(Technique::Electrotherapy),
            ..item("tens", "TENS", ThermalElectro, "lumbar", &[PainControl])
        },
    ]
}

/// Complementary treatments: no guideline recommends them, so they are listed with weak
/// evidence stated plainly and are never a plan's core (docs/clinical-rules.md).
fn complementary(note: &str) -> GuidelineStance {
    stance(Stance::NoStatement, Stance::NoStatement, note)
}

/// The modalities the seed articles name that the families above do not cover.
fn seed_article_items() -> Vec<ModalityDef> {
    vec![
        ModalityDef {
            description: s("Cupping (static or moving cups with suction) over the lower back and buttock muscles. Complementary: the evidence is weak and no guideline recommends it; offer it only alongside exercise, never as the core of the plan."),
            patient_instructions: s("Your physio puts small cups on your skin that gently suck it up. It can leave round marks for a few days. These fade on their own. Keep doing your exercises too."),
            dosage: session(1, 2, 10, "Cupping set, massage oil", "Light suction; stop if the skin blisters or the pain spreads."),
            technique: Some(Technique::SoftTissue),
            contraindications: vec![
                rel(Anticoagulants, "Bruising and bleeding risk: light suction only, or choose another treatment."),
                rel(BleedingDisorder, "Bruising and bleeding risk: light suction only, or choose another treatment."),
                abs(FragileSkin, "Suction can tear or bruise fragile skin."),
                abs(OpenWound, "Never cup over broken skin."),
                abs(LocalInfection, "Never cup over infected skin."),
            ],
            guideline: complementary("Complementary: neither JOSPT 2021 nor NICE NG59 recommends cupping for low back pain or sciatica, and the evidence is weak. Never the core of a plan; exercise and advice come first."),
            ..item("cupping", "Cupping", ManualTherapy, "lumbar", &[PainControl])
        },
        ModalityDef {
            description: s("Cranial osteopathy (very light touch to the head and sacrum). Complementary: the evidence is weak and no guideline recommends it; never the core of a plan."),
            patient_instructions: s("Your physio rests their hands very lightly on your head and lower back. It is gentle and should not hurt. Keep doing your exercises too."),
            dosage: session(1, 2, 20, "Treatment couch", "Very light touch."),
            guideline: complementary("Complementary: neither JOSPT 2021 nor NICE NG59 recommends cranial osteopathy for low back pain or sciatica, and the evidence for it is weak. Never the core of a plan; exercise and advice come first."),
            ..item("cranial_osteopathy", "Cranial osteopathy", ManualTherapy, "whole_body", &[PainControl])
        },
        ModalityDef {
            description: s("Pilates-based exercise: graded mat or equipment exercise for trunk control, strength and flexibility, one to one or in a small group."),
            patient_instructions: s("You will do slow, controlled exercises on a mat. Breathe steadily and keep good control. Start with the easy versions. Your physio will add harder ones as you get stronger."),
            dosage: Dosage {
                minutes: Some(45),
                supervised: Some(true),
                group: Some(true),
                equipment: t("Mat, small ball, resistance band"),
                intensity: t(PAIN_RULE),
                progression: t("Add one harder version of an exercise each week when the easier one is well controlled."),
                ..dose(0, 0, 0, 0, 2, 8)
            },
            setting: Setting::Clinic,
            contraindications: vec![rel(Pregnancy, "Adapt positions: avoid lying face down and long spells lying on the back later in pregnancy.")],
            guideline: stance(Stance::Recommended, Stance::Recommended, "Pilates is exercise. JOSPT 2021 recommends exercise, including trunk activation and strength. NICE NG59: consider group exercise, including mind-body approaches such as Pilates."),
            ..item("pilates_based_exercise", "Pilates-based exercise", Exercise, "whole_body", &[Strength, Functional])
        },
        ModalityDef {
            description: s("Stress management within a cognitive behavioural approach: recognising stress and unhelpful thoughts about pain, relaxation and breathing, problem solving; for people with obstacles to recovery (e.g. high STarT Back risk), always alongside exercise."),
            patient_instructions: s("Stress can make pain feel worse. We will look at what worries you and what helps. You will learn a simple breathing and relaxing routine. Use it every day, as well as your exercises."),
            dosage: Dosage { minutes: Some(30), supervised: Some(true), group: Some(false), ..dose(0, 0, 0, 0, 1, 6) },
            guideline: stance(Stance::NoStatement, Stance::Conditional, "A psychological approach. NICE NG59: consider a cognitive behavioural approach only as part of a treatment package that includes exercise, for people with obstacles to recovery; not on its own. JOSPT 2021 makes no separate statement; it recommends pain neuroscience education."),
            ..item("stress_management", "Stress management", Education, "whole_body", &[PainControl, Mobility, Strength, Functional])
        },
        ModalityDef {
            description: s("Breaks from sitting: break up long sitting at work, at home and when driving with short walks or standing, on a timer."),
            patient_instructions: s("Do not sit for too long. Get up every 30 minutes, even for a minute. Walk about or stand for a while. Set a timer on your phone to remind you."),
            dosage: Dosage { minutes: Some(2), supervised: Some(false), group: Some(false), equipment: t("Phone or computer timer"), ..dose(0, 0, 0, 8, 7, 0) },
            setting: Setting::Home,
            guideline: stance(Stance::Recommended, Stance::Recommended, "Part of the advice to stay active and self-manage: NICE NG59 recommends advice and information to help people continue normal activities; JOSPT 2021 recommends education and staying active."),
            ..item("breaks_from_sitting", "Breaks from sitting", Education, "whole_body", &[PainControl, Mobility, Functional])
        },
        ModalityDef {
            description: s("Training modification: keep training but change load, volume, range or exercise choice (e.g. swap heavy deadlifts for lighter hinges, shorten runs), then rebuild week by week to the usual programme."),
            patient_instructions: s("You do not have to stop training. We will change what you do for now. Use lighter weights or shorter sessions. Build back up each week as your leg settles."),
            dosage: session(1, 0, 15, "Your training plan", ""),
            guideline: stance(Stance::Recommended, Stance::Recommended, "Advice to stay active and keep up normal activities, adapted to the pain (NICE NG59 advice and self-management; JOSPT 2021 education and graded activity)."),
            ..item("training_modification", "Training modification", Education, "whole_body", &[PainControl, Mobility, Strength, Functional])
        },
    ]
}
