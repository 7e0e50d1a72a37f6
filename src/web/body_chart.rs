//! The body chart of the assessment form: front and back views of the lower body, each
//! region of each side a clickable shape, for pain, pins and needles and numbness. The
//! chart only drives checkboxes (`f.symptom_pain.left` = `calf`, …), which post exactly what
//! a multi-select did; without JavaScript (and for keyboard users) the checkboxes are the
//! control, in a list under the chart. The shapes are drawn by the project (no image).

use super::assessment_form::{key, FormValues};
use super::components::field_errors;
use crate::domain::assessment::AssessmentContent;
use crate::domain::findings::{Side, SYMPTOM_REGIONS};
use crate::error::FieldErrors;
use maud::{html, Markup};

/// The three symptom findings the chart fills, with a short name.
pub const SYMPTOMS: [(&str, &str); 3] =
    [("symptom_pain", "Pain"), ("symptom_paraesthesia", "Pins and needles"), ("symptom_numbness", "Numbness")];

/// Whether a region is drawn on the front or the back view.
#[derive(Clone, Copy, PartialEq)]
enum View {
    Front,
    Back,
}

/// A rectangle: `u`, `y`, width, height.
type Rect = (f64, f64, f64, f64);

/// A region's view and rectangle(s) in leg-local units: `u` 0 (lateral) to 28 (medial), `y`
/// from the waist down. Every region in [`SYMPTOM_REGIONS`] has a shape.
fn shape(region: &str) -> Option<(View, &'static [Rect])> {
    use View::{Back, Front};
    Some(match region {
        "lumbar" => (Back, &[(2.0, 6.0, 26.0, 24.0)]),
        "buttock" => (Back, &[(0.0, 30.0, 28.0, 30.0)]),
        "thigh_posterior" => (Back, &[(1.0, 60.0, 26.0, 50.0)]),
        "calf" => (Back, &[(3.0, 128.0, 22.0, 68.0)]),
        "sole" => (Back, &[(5.0, 206.0, 18.0, 24.0)]),
        "groin" => (Front, &[(16.0, 36.0, 12.0, 16.0)]),
        "thigh_lateral" => (Front, &[(0.0, 36.0, 7.0, 74.0)]),
        "thigh_anterior" => (Front, &[(7.0, 36.0, 9.0, 16.0), (7.0, 52.0, 21.0, 58.0)]),
        "knee" => (Front, &[(2.0, 110.0, 24.0, 18.0)]),
        "leg_lateral" => (Front, &[(3.0, 128.0, 10.0, 68.0)]),
        "leg_medial" => (Front, &[(13.0, 128.0, 12.0, 68.0)]),
        "ankle" => (Front, &[(5.0, 196.0, 18.0, 10.0)]),
        "foot_lateral" => (Front, &[(0.0, 206.0, 6.0, 20.0)]),
        "foot_dorsum" => (Front, &[(6.0, 206.0, 14.0, 20.0)]),
        "foot_medial" => (Front, &[(20.0, 206.0, 6.0, 18.0)]),
        "great_toe" => (Front, &[(18.0, 226.0, 9.0, 10.0)]),
        _ => return None,
    })
}

/// Plain words for a region code.
pub fn region_label(region: &str) -> String {
    match region {
        "thigh_anterior" => "front of thigh".into(),
        "thigh_lateral" => "outer thigh".into(),
        "thigh_posterior" => "back of thigh".into(),
        "leg_medial" => "inner lower leg".into(),
        "leg_lateral" => "outer lower leg".into(),
        "foot_medial" => "inner foot".into(),
        "foot_dorsum" => "top of foot".into(),
        "foot_lateral" => "outer foot".into(),
        "great_toe" => "big toe".into(),
        other => other.replace('_', " "),
    }
}

/// Where a leg's lateral edge sits and which way medial runs, per view and side. Front:
/// the patient's right is on the viewer's left; back: the patient's left is.
fn placement(view: View, side: Side) -> (f64, f64) {
    let offset = if view == View::Front { 0.0 } else { 130.0 };
    match (view, side) {
        (View::Front, Side::Right) | (View::Back, Side::Left) => (offset + 30.0, 1.0),
        (View::Front, Side::Left) | (View::Back, Side::Right) => (offset + 90.0, -1.0),
    }
}

fn rect_path(view: View, side: Side, rects: &[Rect]) -> String {
    let (edge, dir) = placement(view, side);
    rects
        .iter()
        .map(|(u, y, w, h)| {
            let (a, b) = (edge + dir * u, edge + dir * (u + w));
            let (x0, x1) = (a.min(b), a.max(b));
            let top = y + 14.0;
            format!("M{x0} {top}H{x1}V{}H{x0}Z", top + h)
        })
        .collect()
}

/// The id of a region checkbox.
fn check_id(name: &str, region: &str) -> String {
    format!("{name}.{region}")
}

fn side_word(side: Side) -> &'static str {
    match side {
        Side::Left => "Left",
        Side::Right => "Right",
    }
}

fn chart(code: &str, title: &str, values: &FormValues) -> Markup {
    html! {
        svg.body-chart viewBox="0 0 250 266" role="img" aria-label=(format!("{title}: body chart, front and back")) focusable="false" {
            text.view x="60" y="10" text-anchor="middle" { "Front" }
            text.view x="190" y="10" text-anchor="middle" { "Back" }
            text.side x="24" y="30" text-anchor="middle" { "R" }
            text.side x="96" y="30" text-anchor="middle" { "L" }
            text.side x="154" y="30" text-anchor="middle" { "L" }
            text.side x="226" y="30" text-anchor="middle" { "R" }
            path.outline d="M30 14H90V50H30Z" {}
            path.outline d="M160 14H220V44H160Z" {}
            @for side in Side::ALL {
                @let name = key(code, Some(side));
                @let chosen = values.all(&name);
                @for region in SYMPTOM_REGIONS {
                    @if let Some((view, rects)) = shape(region) {
                        @let id = check_id(&name, region);
                        path.region.on[chosen.contains(region)] d=(rect_path(view, side, rects)) data-for=(id) {
                            title { (side_word(side)) " " (region_label(region)) }
                        }
                    }
                }
            }
        }
    }
}

fn previous_regions(previous: Option<&AssessmentContent>, code: &str, side: Side) -> Option<String> {
    let list: Vec<String> = previous?
        .findings
        .iter()
        .filter(|f| f.code == code && f.side == Some(side))
        .map(|f| region_label(&f.value.to_string()))
        .collect();
    (!list.is_empty()).then(|| list.join(", "))
}

/// The chart of one symptom type, with its checkbox list (the keyboard and no-script way).
fn symptom_chart(
    code: &str,
    title: &str,
    values: &FormValues,
    previous: Option<&AssessmentContent>,
    errors: &FieldErrors,
) -> Markup {
    html! {
        div.chart-box id=(format!("chart-{code}")) {
            h2.chart-title { (title) }
            (chart(code, title, values))
            @for side in Side::ALL {
                @if let Some(p) = previous_regions(previous, code, side) { p.prev { "previous " (side.code()) ": " (p) } }
            }
            details.regions open[!errors.is_empty() && Side::ALL.iter().any(|s| errors.contains_key(&key(code, Some(*s))))] {
                summary { (title) ": choose from a list" }
                @for side in Side::ALL {
                    @let name = key(code, Some(side));
                    @let chosen = values.all(&name);
                    fieldset.region-list id=(name) {
                        legend { (side_word(side)) }
                        @for region in SYMPTOM_REGIONS {
                            @let id = check_id(&name, region);
                            label.check for=(id) {
                                input type="checkbox" id=(id) name=(name) value=(region) checked[chosen.contains(region)];
                                (region_label(region))
                            }
                        }
                    }
                    (field_errors(errors, &name))
                }
            }
        }
    }
}

/// The three charts side by side.
pub fn body_charts(values: &FormValues, previous: Option<&AssessmentContent>, errors: &FieldErrors) -> Markup {
    html! {
        div.body-charts {
            p.hint { "Click a region to mark it (again to clear); front view shows the patient's right on the left." }
            @for (code, title) in SYMPTOMS { (symptom_chart(code, title, values, previous, errors)) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_symptom_region_has_a_shape_on_the_chart() {
        for region in SYMPTOM_REGIONS {
            assert!(shape(region).is_some(), "{region} has no shape");
        }
    }

    #[test]
    fn the_chart_marks_chosen_regions_and_offers_a_checkbox_for_each_region_and_side() {
        let values = FormValues::from_pairs(vec![("f.symptom_pain.right".into(), "calf".into())]);
        let html = symptom_chart("symptom_pain", "Pain", &values, None, &FieldErrors::new()).into_string();
        assert_eq!(html.matches("type=\"checkbox\"").count(), 2 * SYMPTOM_REGIONS.len());
        assert!(html.contains(r#"id="f.symptom_pain.right.calf" name="f.symptom_pain.right" value="calf" checked"#));
        assert_eq!(html.matches("class=\"region on\"").count(), 1);
    }
}
