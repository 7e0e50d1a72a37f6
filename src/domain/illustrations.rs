//! The start and end positions of every built-in exercise, stretch and nerve glide, keyed
//! by library code (see `illustration` for the model). A test checks that no built-in
//! item of those categories is missing.

use super::illustration::{drawing, scene, Base, Drawing, Pose, Prop};

/// An item's picture: two positions and the equipment drawn with them.
#[derive(Debug, Clone, PartialEq)]
pub struct Illustration {
    /// Where the movement starts.
    pub start: Pose,
    /// Where it ends (or the other half of a repeated movement).
    pub end: Pose,
    /// Equipment shown in both panels.
    pub props: &'static [Prop],
}

impl Illustration {
    /// The laid-out picture.
    pub fn drawing(&self) -> Drawing {
        drawing(&scene(&self.start, self.props), &scene(&self.end, self.props))
    }
}

fn pic(start: Pose, end: Pose, props: &'static [Prop]) -> Illustration {
    Illustration { start, end, props }
}

/// The illustration of a built-in item, if it has one.
pub fn for_code(code: &str) -> Option<Illustration> {
    use Base::*;
    let stand = Pose::of(Standing);
    let sit = Pose::of(Sitting);
    let crook = Pose::of(Lying).arms(0.0, 0.0);
    let flat = Pose::of(Lying).legs(0.0, 0.0, 0.0);
    let prone = Pose::of(LyingFront);
    let fours = Pose::of(FourPoint);
    let kneel = Pose::of(HalfKneeling);
    let side_lying = crook.legs(45.0, 90.0, 0.0).arms(160.0, 110.0);
    Some(match code {
        "pelvic_tilts" => pic(crook, crook.tilt(-5.0), &[]),
        // Pilates-based exercise: from crook lying, one leg floats to table-top, trunk still.
        "pilates_based_exercise" => pic(crook, crook.near_leg(90.0, 90.0, 0.0).arms(20.0, 0.0), &[]),
        "abdominal_bracing" => pic(crook, crook.arms(35.0, 70.0), &[]),
        "mckenzie_extension_in_lying" => {
            pic(prone.arms(150.0, 120.0), prone.trunk(25.0).legs(-25.0, 0.0, 90.0).arms(65.0, 90.0), &[])
        }
        "prone_press_up" => {
            pic(prone.arms(-70.0, 155.0), prone.trunk(32.0).legs(-32.0, 0.0, 90.0).arms(58.0, 0.0), &[])
        }
        "lower_trunk_rotation" => pic(crook, crook.legs(65.0, 115.0, 45.0).far_leg(55.0, 105.0, 45.0), &[]),
        "cat_camel" => pic(fours.tilt(-6.0).neck(40.0), fours.tilt(6.0).neck(-25.0), &[]),
        "bird_dog" => pic(fours, fours.near_arm(165.0, 0.0).far_leg(-15.0, 0.0, 60.0), &[]),
        "bridge" => pic(crook.arms(0.0, 0.0), crook.trunk(200.0).legs(0.0, 100.0, 10.0).arms(-20.0, 0.0), &[]),
        "clamshell" => pic(side_lying, side_lying.near_leg(80.0, 125.0, 0.0), &[]),
        "dead_bug" => {
            let table = flat.legs(90.0, 90.0, 0.0).arms(90.0, 0.0);
            pic(table, table.near_arm(165.0, 0.0).far_leg(25.0, 0.0, 0.0), &[])
        }
        "side_plank" => {
            let on_elbow = flat.trunk(165.0).legs(15.0, 0.0, 0.0).arms(-90.0, 90.0);
            pic(on_elbow, on_elbow.trunk(160.0).legs(0.0, 0.0, 0.0), &[])
        }
        "sit_to_stand" => {
            pic(sit.trunk(65.0).legs(115.0, 90.0, 0.0).arms(30.0, 90.0), stand.arms(30.0, 90.0), &[Prop::Chair])
        }
        "hip_hinge" => {
            pic(stand.arms(150.0, 130.0), stand.trunk(45.0).legs(50.0, 15.0, -10.0).arms(150.0, 130.0), &[Prop::Dowel])
        }
        "step_up" => pic(
            stand.near_leg(70.0, 80.0, -10.0).arms(10.0, 20.0),
            stand.trunk(85.0).near_leg(5.0, 0.0, 0.0).far_leg(15.0, 40.0, 20.0).arms(10.0, 20.0),
            &[Prop::Step],
        ),
        "floor_to_waist_lift" => {
            pic(stand.trunk(60.0).legs(100.0, 90.0, -20.0).arms(30.0, 0.0), stand.arms(0.0, 90.0), &[Prop::Box])
        }
        "graded_walking" => {
            let stride =
                stand.near_leg(25.0, 5.0, -5.0).far_leg(-15.0, 15.0, 10.0).near_arm(-20.0, 20.0).far_arm(25.0, 20.0);
            pic(
                stride,
                stride.near_leg(-15.0, 15.0, 10.0).far_leg(25.0, 5.0, -5.0).near_arm(25.0, 20.0).far_arm(-20.0, 20.0),
                &[],
            )
        }
        "stationary_cycling" => {
            let ride = sit.trunk(75.0).arms(75.0, 10.0);
            pic(
                ride.near_leg(75.0, 35.0, 10.0).far_leg(110.0, 110.0, 0.0),
                ride.near_leg(110.0, 110.0, 0.0).far_leg(75.0, 35.0, 10.0),
                &[Prop::Bike],
            )
        }
        "piriformis_stretch" => {
            let four = crook.near_leg(80.0, 100.0, 0.0);
            pic(four, four.near_leg(100.0, 95.0, 0.0).far_leg(95.0, 95.0, 30.0).arms(70.0, 40.0), &[])
        }
        "hamstring_stretch" => pic(
            flat.near_leg(35.0, 0.0, 0.0).arms(40.0, 10.0),
            flat.near_leg(75.0, 0.0, 0.0).arms(75.0, 10.0),
            &[Prop::Strap],
        ),
        "hip_flexor_stretch" => pic(kneel, kneel.near_leg(90.0, 70.0, 20.0).far_leg(-25.0, 65.0, 90.0), &[]),
        "knee_to_chest_stretch" => pic(crook, crook.near_leg(125.0, 120.0, 20.0).arms(55.0, 70.0), &[]),
        "side_bend_stretch" => pic(
            stand.near_leg(8.0, 0.0, 0.0).far_leg(-8.0, 0.0, 0.0),
            stand.trunk(72.0).near_leg(26.0, 0.0, 0.0).far_leg(10.0, 0.0, 0.0).far_arm(165.0, 10.0),
            &[],
        ),
        "sciatic_nerve_slider" => pic(sit.neck(35.0), sit.neck(-25.0).near_leg(90.0, 5.0, 0.0), &[Prop::Chair]),
        "sciatic_nerve_slider_lying" => {
            let held = flat.near_leg(90.0, 90.0, -10.0).arms(80.0, 50.0);
            pic(held, held.near_leg(90.0, 20.0, 30.0), &[])
        }
        "sciatic_nerve_tensioner" => {
            let slump = sit.trunk(80.0).neck(35.0);
            pic(slump, slump.near_leg(90.0, 0.0, -20.0), &[Prop::Chair])
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::illustration::{extent, VIEW_HEIGHT, VIEW_WIDTH};
    use crate::domain::library;
    use crate::domain::modality::Category;

    #[test]
    fn every_built_in_exercise_stretch_and_nerve_glide_has_a_picture() {
        let missing: Vec<&str> = library::builtin()
            .iter()
            .filter(|m| matches!(m.category, Category::Exercise | Category::Stretch | Category::NerveMobilisation))
            .filter(|m| for_code(&m.code).is_none())
            .map(|m| m.code.as_str())
            .collect();
        assert!(missing.is_empty(), "no illustration for {missing:?}");
    }

    #[test]
    fn every_picture_fits_its_view_box_and_shows_a_movement() {
        for m in library::builtin() {
            let Some(p) = for_code(&m.code) else { continue };
            assert_ne!(p.start, p.end, "{}: start and end are the same", m.code);
            let (x0, y0, x1, y1) = extent(&p.drawing());
            assert!(
                x0 >= 0.0 && y0 >= 0.0 && x1 <= VIEW_WIDTH && y1 <= VIEW_HEIGHT,
                "{} outside: {x0} {y0} {x1} {y1}",
                m.code
            );
        }
    }

    #[test]
    fn unknown_codes_and_clinic_treatments_have_none() {
        assert!(for_code("no_such_item").is_none());
        assert!(for_code("tens").is_none());
    }
}
