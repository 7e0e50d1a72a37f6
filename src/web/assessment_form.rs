//! The assessment entry form: sections in examination order, left and right side by side,
//! units visible, previous values beside each field; and its parsing back into the same
//! input the API takes.

use super::components::field_errors;
use crate::domain::assessment::{AssessmentContent, ContentInput};
use crate::domain::findings::{self, FindingDef, FindingInput, Section, Side, ValueType};
use crate::domain::questionnaires::{PSFS_MAX_ACTIVITIES, PSFS_MAX_ACTIVITY_CHARS, RMDQ_ITEMS};
use crate::domain::scoring::{Bothersomeness, OdiSection};
use crate::error::FieldErrors;
use maud::{html, Markup};
use std::collections::HashMap;

/// Oxford grades offered in the form.
const GRADES: [&str; 14] = ["0", "1", "1+", "2-", "2", "2+", "3-", "3", "3+", "4-", "4", "4+", "5-", "5"];

/// Short topics of the nine STarT Back items (the questionnaire's wording is not reproduced).
const START_BACK_TOPICS: [&str; 8] = [
    "Back pain spread down the leg(s)",
    "Shoulder or neck pain",
    "Walks only short distances because of back pain",
    "Dressed more slowly than usual",
    "Not safe to be physically active",
    "Worrying thoughts a lot of the time",
    "Back pain terrible, never going to get better",
    "Not enjoyed things as usual",
];

/// Form field values by name (several for multi-selects), as posted or as pre-filled.
#[derive(Debug, Clone, Default)]
pub struct FormValues(HashMap<String, Vec<String>>);

/// The form name of a finding (and its side).
pub fn key(code: &str, side: Option<Side>) -> String {
    match side {
        Some(s) => format!("f.{code}.{}", s.code()),
        None => format!("f.{code}"),
    }
}

fn sides(def: &FindingDef) -> Vec<Option<Side>> {
    if def.per_side {
        Side::ALL.iter().copied().map(Some).collect()
    } else {
        vec![None]
    }
}

/// A finding value as form text.
fn form_text(value: &findings::Value) -> String {
    match value.to_json() {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    }
}

impl FormValues {
    /// Values as posted.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for (k, v) in pairs {
            map.entry(k).or_default().push(v);
        }
        Self(map)
    }

    /// Values pre-filled from recorded content.
    pub fn from_content(content: &AssessmentContent) -> Self {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for f in &content.findings {
            let k = key(f.code, f.side);
            map.entry(k.clone()).or_default().push(form_text(&f.value));
            if let Some(m) = f.method {
                map.insert(format!("m.{}", &k[2..]), vec![m.to_owned()]);
            }
        }
        if let Some(odi) = &content.odi {
            for s in OdiSection::ALL {
                if let Some(a) = odi.get(s) {
                    map.insert(format!("odi.{}", s.code()), vec![a.to_string()]);
                }
            }
        }
        if let Some(sb) = &content.start_back {
            for (i, agree) in sb.agree.iter().enumerate() {
                map.insert(format!("sb.{}", i + 1), vec![if *agree { "1" } else { "0" }.to_owned()]);
            }
            map.insert("sb.9".into(), vec![sb.bothersomeness.code().to_owned()]);
        }
        if let Some(r) = &content.rmdq {
            for (i, yes) in r.0.iter().enumerate() {
                map.insert(format!("rmdq.{}", i + 1), vec![if *yes { "yes" } else { "no" }.to_owned()]);
            }
        }
        if let Some(p) = &content.psfs {
            for (i, a) in p.0.iter().enumerate() {
                map.insert(format!("psfs.{i}.activity"), vec![a.activity.clone()]);
                map.insert(format!("psfs.{i}.score"), vec![a.score.to_string()]);
            }
        }
        if let Some(i) = &content.impression {
            map.insert("impression".into(), vec![i.clone()]);
        }
        Self(map)
    }

    /// The RMDQ and PSFS answers as the API takes them (`None` when the form left them
    /// blank). PSFS rows run to the last one filled in, so `psfs[i]` errors land on row `i`.
    fn questionnaires(&self) -> (Option<serde_json::Value>, Option<serde_json::Value>) {
        let answers: Vec<&str> = (1..=RMDQ_ITEMS).map(|n| self.get(&format!("rmdq.{n}")).trim()).collect();
        let rmdq = (!answers.iter().all(|a| a.is_empty())).then(|| {
            let item = |a: &&str| match *a {
                "yes" => serde_json::Value::Bool(true),
                "no" => serde_json::Value::Bool(false),
                _ => serde_json::Value::Null,
            };
            serde_json::Value::Array(answers.iter().map(item).collect())
        });
        let rows: Vec<(&str, &str)> = (0..PSFS_MAX_ACTIVITIES)
            .map(|i| (self.get(&format!("psfs.{i}.activity")).trim(), self.get(&format!("psfs.{i}.score")).trim()))
            .collect();
        let used = rows.iter().rposition(|(a, s)| !a.is_empty() || !s.is_empty()).map_or(0, |last| last + 1);
        let psfs = (used > 0).then(|| {
            let row = |(a, s): &(&str, &str)| {
                let score = s.parse::<i64>().map_or_else(|_| serde_json::Value::from(*s), Into::into);
                serde_json::json!({"activity": a, "score": score})
            };
            serde_json::Value::Array(rows[..used].iter().map(row).collect())
        });
        (rmdq, psfs)
    }

    /// The first value of a field, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).and_then(|v| v.first()).map_or("", String::as_str)
    }

    /// Every non-blank value of a field (a multi-value field such as a symptom region).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.filled(name)
    }

    fn filled(&self, name: &str) -> Vec<&str> {
        self.0.get(name).map(|v| v.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect()).unwrap_or_default()
    }

    /// The API input these values stand for, and for each finding its form field name (so
    /// that `findings[i]` errors can be shown next to the right field). Notes recorded
    /// earlier (e.g. through the API) are kept.
    pub fn to_input(&self, existing: Option<&AssessmentContent>) -> (ContentInput, Vec<String>) {
        let mut findings = Vec::new();
        let mut keys = Vec::new();
        for def in findings::catalog() {
            for side in sides(def) {
                let k = key(def.code, side);
                let method = self.filled(&format!("m.{}", &k[2..])).first().map(|m| (*m).to_owned());
                let values = self.filled(&k);
                let take = if def.repeatable { values.len() } else { values.len().min(1) };
                for text in values.into_iter().take(take) {
                    let note = existing
                        .and_then(|c| c.findings.iter().find(|f| f.code == def.code && f.side == side))
                        .and_then(|f| f.note.clone());
                    findings.push(FindingInput {
                        code: def.code.to_owned(),
                        side: side.map(|s| s.code().to_owned()),
                        value: json_value(def, text),
                        method: method.clone(),
                        note,
                        positive: None,
                    });
                    keys.push(k.clone());
                }
            }
        }
        let odi: serde_json::Map<String, serde_json::Value> = OdiSection::ALL
            .iter()
            .filter_map(|s| {
                let text = self.get(&format!("odi.{}", s.code())).trim();
                (!text.is_empty()).then(|| (s.code().to_owned(), text.parse::<i64>().map_or(text.into(), Into::into)))
            })
            .collect();
        let start_back: Vec<String> = (1..=9).map(|n| self.get(&format!("sb.{n}")).trim().to_owned()).collect();
        let start_back = (!start_back.iter().all(String::is_empty)).then(|| {
            let items = start_back.iter().enumerate().map(|(i, t)| match (i, t.parse::<i64>()) {
                (_, _) if t.is_empty() => serde_json::Value::Null,
                (8, _) => serde_json::Value::from(t.as_str()),
                (_, Ok(n)) => n.into(),
                (_, Err(_)) => serde_json::Value::from(t.as_str()),
            });
            serde_json::Value::Array(items.collect())
        });
        let impression = Some(self.get("impression").to_owned());
        let odi = (!odi.is_empty()).then_some(serde_json::Value::Object(odi));
        let (rmdq, psfs) = self.questionnaires();
        (ContentInput { findings, odi, start_back, rmdq, psfs, impression }, keys)
    }
}

/// Form text as the JSON value a finding of this type takes (unparseable text is passed on
/// as text so the validator names the finding in its message).
fn json_value(def: &FindingDef, text: &str) -> serde_json::Value {
    match def.value_type {
        ValueType::Integer { .. } => text.parse::<i64>().map_or_else(|_| text.into(), Into::into),
        ValueType::Decimal { .. } => text.parse::<f64>().map_or_else(|_| text.into(), Into::into),
        ValueType::Bool => match text {
            "true" => true.into(),
            "false" => false.into(),
            other => other.into(),
        },
        _ => text.into(),
    }
}

/// Moves `findings[i]` errors onto the form field they belong to.
pub fn errors_by_field(errors: FieldErrors, keys: &[String]) -> FieldErrors {
    let mut out = FieldErrors::new();
    for (field, messages) in errors {
        let target = field
            .strip_prefix("findings[")
            .and_then(|rest| rest.strip_suffix(']'))
            .and_then(|i| i.parse::<usize>().ok())
            .and_then(|i| keys.get(i).cloned())
            .unwrap_or(field);
        let side = target.rsplit('.').next().and_then(|s| s.parse::<Side>().ok()).filter(|_| target.starts_with("f."));
        let messages = messages.into_iter().map(|m| {
            let m = super::assessment_live::relabel(&m);
            match side {
                Some(side) => format!("{m} ({side} side)"),
                None => m,
            }
        });
        out.entry(target).or_default().extend(messages);
    }
    out
}

fn words(code: &str) -> String {
    code.replace('_', " ")
}

fn previous_text(previous: Option<&AssessmentContent>, code: &str, side: Option<Side>) -> Option<String> {
    let values: Vec<String> = previous?
        .findings
        .iter()
        .filter(|f| f.code == code && f.side == side)
        .map(|f| format!("{}{}", f.value, f.unit().map(|u| format!(" {u}")).unwrap_or_default()))
        .collect();
    (!values.is_empty()).then(|| values.join(", "))
}

fn control(def: &FindingDef, name: &str, values: &FormValues, label: &str) -> Markup {
    let current = values.get(name);
    html! {
        @match def.value_type {
            ValueType::Integer { min, max } => {
                input type="number" id=(name) name=(name) min=(min) max=(max) step="1" value=(current) aria-label=(label) inputmode="numeric";
            }
            ValueType::Decimal { min, max } => {
                input type="number" id=(name) name=(name) min=(min) max=(max) step="any" value=(current) aria-label=(label) inputmode="decimal";
            }
            ValueType::Bool => {
                select id=(name) name=(name) aria-label=(label) {
                    option value="" { "—" }
                    @let (yes, no) = if def.section == Section::Posture { ("Yes", "No") } else { ("Positive", "Negative") };
                    option value="true" selected[current == "true"] { (yes) }
                    option value="false" selected[current == "false"] { (no) }
                }
            }
            ValueType::Choice(options) if def.repeatable => {
                select id=(name) name=(name) multiple size="4" aria-label=(label) {
                    @for o in options { option value=(o) selected[values.filled(name).contains(o)] { (words(o)) } }
                }
            }
            ValueType::Choice(options) => {
                select id=(name) name=(name) aria-label=(label) {
                    option value="" { "—" }
                    @for o in options { option value=(o) selected[current == *o] { (words(o)) } }
                }
            }
            ValueType::Oxford => {
                select id=(name) name=(name) aria-label=(label) {
                    option value="" { "—" }
                    @for g in GRADES { option value=(g) selected[current == g] { (g) } }
                }
            }
            ValueType::Text => {
                textarea id=(name) name=(name) rows="2" aria-label=(label) { (current) }
            }
        }
    }
}

fn cell(
    def: &FindingDef,
    side: Option<Side>,
    values: &FormValues,
    previous: Option<&AssessmentContent>,
    errors: &FieldErrors,
) -> Markup {
    let name = key(def.code, side);
    let label = match side {
        Some(s) => format!("{} ({})", def.label, s.code()),
        None => def.label.to_owned(),
    };
    let method_name = format!("m.{}", &name[2..]);
    html! {
        div.cell.invalid[errors.contains_key(&name)] {
            (control(def, &name, values, &label))
            @if !def.methods.is_empty() {
                select id=(method_name) name=(method_name) aria-label=(format!("{label}: method")) {
                    option value="" { "method…" }
                    @for m in def.methods {
                        @let text = findings::method(m).map_or(words(m), |d| format!("{} ({})", d.label, d.unit));
                        option value=(m) selected[values.get(&method_name) == *m] { (text) }
                    }
                }
            }
            @if let Some(unit) = def.unit { span.unit { (unit) } }
            @if let Some(prev) = previous_text(previous, def.code, side) { span.prev { "previous: " (prev) } }
            (field_errors(errors, &name))
        }
    }
}

/// Runs of consecutive findings of a section that share a layout: per side (Left / Right
/// columns) or side-less (one value column), so a side-less finding never sits under a
/// "Left" heading.
fn runs(section: Section) -> Vec<(bool, Vec<&'static FindingDef>)> {
    let mut out: Vec<(bool, Vec<&'static FindingDef>)> = Vec::new();
    for def in findings::catalog().iter().filter(|d| d.section == section) {
        match out.last_mut() {
            Some((sided, list)) if *sided == def.per_side => list.push(def),
            _ => out.push((def.per_side, vec![def])),
        }
    }
    out
}

fn is_symptom_region(def: &FindingDef) -> bool {
    super::body_chart::SYMPTOMS.iter().any(|(code, _)| *code == def.code)
}

/// Every finding section, in examination order.
pub fn finding_sections(values: &FormValues, previous: Option<&AssessmentContent>, errors: &FieldErrors) -> Markup {
    html! {
        @for section in Section::ALL {
            fieldset.section id=(format!("section-{}", section.code())) {
                legend { (section.label()) }
                @if section == Section::RedFlags {
                    p.hint { "Screen every item: positive, negative or not asked. A positive cauda equina item needs an action recorded." }
                    p.all-negative hidden {
                        button.all-negative type="button" data-section="section-red_flags" { "All negative" }
                        " "
                        span.hint { "sets every item not marked positive to negative; change any answer after." }
                    }
                }
                @for (sided, defs) in runs(section) {
                    @if sided && defs.iter().all(|d| is_symptom_region(d)) {
                        (super::body_chart::body_charts(values, previous, errors))
                    } @else {
                        div.grid.sided[sided].single[!sided] {
                            div.head { "Finding" }
                            @if sided { div.head { "Left" } div.head { "Right" } } @else { div.head { "Value" } }
                            @for def in defs {
                                label.name for=(key(def.code, if def.per_side { Some(Side::Left) } else { None })) { (def.label) }
                                @if def.per_side {
                                    (cell(def, Some(Side::Left), values, previous, errors))
                                    (cell(def, Some(Side::Right), values, previous, errors))
                                } @else {
                                    (cell(def, None, values, previous, errors))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The Roland-Morris statements (numbered only: the questionnaire's wording is not
/// reproduced) and the Patient-Specific Functional Scale rows.
fn function_sections(values: &FormValues, previous: Option<&AssessmentContent>, errors: &FieldErrors) -> Markup {
    let prev = previous.map(|p| p.scores());
    html! {
        fieldset.section #rmdq {
            legend { "Roland-Morris Disability Questionnaire (yes / no per statement)" }
            @if let Some(r) = prev.as_ref().and_then(|s| s.rmdq) { p.prev { "previous score: " (r) " / 24" } }
            p.hint { "Record the patient's yes or no for each numbered statement of your licensed copy; the score is the number of yes answers." }
            (field_errors(errors, "rmdq"))
            div.odi {
                @for n in 1..=RMDQ_ITEMS {
                    @let name = format!("rmdq.{n}");
                    label for=(name) { "Statement " (n) }
                    select id=(name) name=(name) {
                        option value="" { "—" }
                        option value="yes" selected[values.get(&name) == "yes"] { "Yes" }
                        option value="no" selected[values.get(&name) == "no"] { "No" }
                    }
                }
            }
        }
        fieldset.section #psfs {
            legend { "Patient-Specific Functional Scale (up to five activities, 0 unable to 10 as before)" }
            @if let Some(m) = prev.as_ref().and_then(|s| s.psfs_mean) { p.prev { "previous mean: " (format!("{m:.1}")) " / 10" } }
            (field_errors(errors, "psfs"))
            div.psfs {
                @for i in 0..PSFS_MAX_ACTIVITIES {
                    @let activity = format!("psfs.{i}.activity");
                    @let score = format!("psfs.{i}.score");
                    div.row {
                        label for=(activity) { "Activity " (i + 1) }
                        input id=(activity) name=(activity) type="text" maxlength=(PSFS_MAX_ACTIVITY_CHARS) value=(values.get(&activity));
                        (field_errors(errors, &format!("psfs[{i}].activity")))
                        label for=(score) { "Rating" }
                        input id=(score) name=(score) type="number" min="0" max="10" step="1" value=(values.get(&score));
                        (field_errors(errors, &format!("psfs[{i}].score")))
                    }
                }
            }
        }
    }
}

/// ODI sections, STarT Back items, RMDQ, PSFS and the impression.
pub fn outcome_sections(values: &FormValues, previous: Option<&AssessmentContent>, errors: &FieldErrors) -> Markup {
    let prev_odi = previous.and_then(|p| p.scores().odi_percent);
    let prev_sb = previous.and_then(|p| p.scores().start_back);
    html! {
        fieldset.section #odi hx-post="/assessments/live-scores" hx-trigger="change" hx-target="#live-scores" hx-swap="outerHTML" {
            legend { "Oswestry Disability Index (one answer level 0–5 per section)" }
            @if let Some(p) = prev_odi { p.prev { "previous score: " (p) " %" } }
            (field_errors(errors, "odi"))
            div.odi {
                @for s in OdiSection::ALL {
                    @let name = format!("odi.{}", s.code());
                    @let levels = super::assessment_live::odi_levels(s);
                    label for=(name) {
                        (s.label())
                        @if let Some(a) = previous.and_then(|p| p.odi.as_ref()).and_then(|o| o.get(s)) {
                            " " span.prev { "previous: " (a) " · " (levels[usize::from(a.min(5))]) }
                        }
                    }
                    select id=(name) name=(name) {
                        option value="" { "not answered" }
                        @for (a, level) in levels.iter().enumerate() {
                            option value=(a) selected[values.get(&name) == a.to_string()] { (a) " · " (level) }
                        }
                    }
                }
            }
        }
        fieldset.section #start_back hx-post="/assessments/live-scores" hx-trigger="change" hx-target="#live-scores" hx-swap="outerHTML" {
            legend { "STarT Back Screening Tool" }
            @if let Some(p) = prev_sb { p.prev { "previous: total " (p.total) ", psychosocial " (p.psychosocial) ", " (p.risk.code()) " risk" } }
            (field_errors(errors, "start_back"))
            div.odi {
                @for (i, topic) in START_BACK_TOPICS.iter().enumerate() {
                    @let name = format!("sb.{}", i + 1);
                    label for=(name) {
                        (i + 1) ". " (topic)
                        @if let Some(sb) = previous.and_then(|p| p.start_back) {
                            " " span.prev { "previous: " @if sb.agree[i] { "Agree" } @else { "Disagree" } }
                        }
                    }
                    select id=(name) name=(name) {
                        option value="" { "—" }
                        option value="1" selected[values.get(&name) == "1"] { "Agree" }
                        option value="0" selected[values.get(&name) == "0"] { "Disagree" }
                    }
                }
                label for="sb.9" { "9. Bothersomeness in the last 2 weeks" }
                select id="sb.9" name="sb.9" {
                    option value="" { "—" }
                    @for b in Bothersomeness::ALL { option value=(b.code()) selected[values.get("sb.9") == b.code()] { (words(b.code())) } }
                }
            }
        }
        (function_sections(values, previous, errors))
        fieldset.section #impression-section {
            legend { "Impression" }
            label for="impression" { "Clinical impression" }
            textarea #impression name="impression" rows="3" { (values.get("impression")) }
            (field_errors(errors, "impression"))
        }
    }
}
