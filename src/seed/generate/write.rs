//! Writing a drawn patient: the patient, assessments, red-flag actions and plan through the
//! services (validation, safety engine, audit), inside the caller's batch transaction.

use super::draw::*;
use super::*;
use crate::authz::Actor;
use crate::db::ids::{PatientId, PlanId, ProtocolId};
use crate::db::DbConn;
use crate::domain::assessment::{AssessmentInput, ContentInput};
use crate::domain::consent::ConsentInput;
use crate::domain::findings::FindingInput;
use crate::domain::patient::PatientInput;
use crate::domain::plan::PlanStatus;
use crate::domain::scoring::OdiSection;
use crate::error::AppError;
use crate::service::plans::AddItem;
use crate::service::{assessments, library, patients, plans, Ctx, Origin};
use chrono::{Duration, NaiveDate};
use serde_json::{json, Value};

pub(super) fn finding(code: &str, side: Option<&str>, value: Value, method: Option<&str>) -> FindingInput {
    FindingInput {
        code: code.into(),
        side: side.map(str::to_owned),
        value,
        method: method.map(str::to_owned),
        note: None,
        positive: None,
    }
}

pub(super) fn affected(side: &str) -> &'static [&'static str] {
    match side {
        "right" => &["right"],
        "bilateral" => &["left", "right"],
        _ => &["left"],
    }
}

/// The findings of a full assessment.
pub(super) fn findings(spec: &Spec, m: &Measures, flag: Option<&str>) -> Vec<FindingInput> {
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

pub(super) fn odi(m: &Measures) -> Value {
    Value::Object(OdiSection::ALL.iter().zip(m.odi).map(|(s, v)| (s.code().to_owned(), json!(v))).collect())
}

/// The ids and stage counts of the built-in STarT Back protocols, low / medium / high.
pub(super) type Protocols = [(ProtocolId, usize); 3];

pub(super) fn find_protocols(conn: &mut DbConn, ctx: &Ctx) -> Result<Protocols, AppError> {
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
pub(super) struct Staff {
    pub(super) therapists: Vec<Ctx>,
}

pub(super) fn ctx_of(actor: Actor) -> Ctx {
    Ctx { actor, origin: Origin { request_id: Some("generate".into()), client_addr: None } }
}

/// What one run shares between patients.
pub(super) struct Shared<'a> {
    pub(super) today: NaiveDate,
    pub(super) protocols: Protocols,
    pub(super) needling: Option<String>,
    pub(super) summary: &'a mut GenerateSummary,
}

pub(super) fn days(today: NaiveDate, ago: i64) -> NaiveDate {
    today - Duration::days(ago)
}

/// Stores one patient with their assessments and plan through the services.
pub(super) fn add_patient(
    conn: &mut DbConn,
    ctx: &Ctx,
    spec: &Spec,
    n: u32,
    shared: &mut Shared<'_>,
) -> Result<(), AppError> {
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
    crate::seed::demo::record_reviews(conn, ctx, initial_id, &initial.content.findings)?;
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
            crate::seed::demo::record_reviews(conn, ctx, id, &again.content.findings)?;
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
pub(super) fn start_plan(
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
        let view = plans::get(conn, ctx, plan)?.append(conn)?;
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
pub(super) fn advance(
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
