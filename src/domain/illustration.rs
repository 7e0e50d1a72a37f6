//! Exercise pictures drawn by the project: a line figure seen from the side, given as joint
//! angles, placed on the floor (with a chair, step, box, bike, strap or dowel where the
//! exercise needs one) and laid out as two panels, start and end, in one view box. Pure
//! geometry: `web::illustrations` turns a [`Drawing`] into SVG.
//!
//! Angles are degrees. The figure faces +x; model y points up. `trunk` is the absolute
//! direction from hip to shoulder (90 = upright, 180 = lying on the back with the head to
//! the left, 0 = prone or on all fours with the head to the right). Every other angle is
//! relative: flexion turns a limb towards the front of the body.

/// Lengths of the figure's segments, in model units.
pub const TRUNK: f64 = 50.0;
/// Neck, from shoulder to the bottom of the head.
pub const NECK: f64 = 6.0;
/// Head radius.
pub const HEAD: f64 = 7.0;
/// Upper arm.
pub const UPPER_ARM: f64 = 27.0;
/// Forearm with hand.
pub const FOREARM: f64 = 26.0;
/// Thigh.
pub const THIGH: f64 = 40.0;
/// Shank.
pub const SHANK: f64 = 38.0;
/// Foot, from ankle to toe.
pub const FOOT: f64 = 11.0;

/// The joint angles of one side's arm and leg.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Side {
    /// Hip flexion (0 = thigh in line with the trunk, 90 = sitting).
    pub hip: f64,
    /// Knee flexion (0 = straight).
    pub knee: f64,
    /// Ankle plantarflexion (0 = foot at a right angle to the shank; negative = toes up).
    pub ankle: f64,
    /// Shoulder flexion (0 = arm by the side, 90 = forward, 180 = overhead).
    pub shoulder: f64,
    /// Elbow flexion (0 = straight).
    pub elbow: f64,
}

/// What the figure rests on, which sets the starting angles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    /// Standing.
    Standing,
    /// Sitting on a chair.
    Sitting,
    /// Lying on the back (head left).
    Lying,
    /// Lying face down (head right).
    LyingFront,
    /// On hands and knees.
    FourPoint,
    /// Kneeling on one knee.
    HalfKneeling,
}

/// Equipment drawn with the figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prop {
    /// A chair: under the hips when sitting, behind the heels when standing.
    Chair,
    /// A step under the near foot.
    Step,
    /// A box held in the near hand.
    Box,
    /// An exercise bike: saddle and pedals.
    Bike,
    /// A towel or strap from the near hand to the near foot.
    Strap,
    /// A dowel along the back.
    Dowel,
}

/// A whole-body position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pose {
    /// Absolute trunk direction.
    pub trunk: f64,
    /// Neck flexion (positive = looking down towards the chest).
    pub neck: f64,
    /// The side nearer the viewer (drawn in black).
    pub near: Side,
    /// The far side (drawn in grey, behind).
    pub far: Side,
}

const STILL: Side = Side { hip: 0.0, knee: 0.0, ankle: 0.0, shoulder: 0.0, elbow: 0.0 };

impl Side {
    /// This side with the leg at these angles.
    pub fn leg(self, hip: f64, knee: f64, ankle: f64) -> Self {
        Self { hip, knee, ankle, ..self }
    }

    /// This side with the arm at these angles.
    pub fn arm(self, shoulder: f64, elbow: f64) -> Self {
        Self { shoulder, elbow, ..self }
    }
}

impl Pose {
    /// The usual starting position of a base.
    pub fn of(base: Base) -> Self {
        let both = |trunk: f64, side: Side| Pose { trunk, neck: 0.0, near: side, far: side };
        match base {
            Base::Standing => both(90.0, STILL),
            Base::Sitting => both(90.0, STILL.leg(90.0, 90.0, 0.0).arm(20.0, 60.0)),
            Base::Lying => both(180.0, STILL.leg(45.0, 90.0, 45.0)),
            Base::LyingFront => both(0.0, STILL.leg(0.0, 0.0, 90.0)),
            Base::FourPoint => both(15.0, STILL.leg(75.0, 90.0, 90.0).arm(75.0, 0.0)),
            Base::HalfKneeling => {
                Pose { trunk: 90.0, neck: 0.0, near: STILL.leg(90.0, 90.0, 0.0), far: STILL.leg(0.0, 90.0, 90.0) }
            }
        }
    }

    /// With the trunk at this direction.
    pub fn trunk(self, trunk: f64) -> Self {
        Self { trunk, ..self }
    }

    /// The trunk turned by `degrees` with every limb keeping its direction (pelvic tilt,
    /// rounding the back).
    pub fn tilt(self, degrees: f64) -> Self {
        let keep = |s: Side| Side { hip: s.hip - degrees, shoulder: s.shoulder - degrees, ..s };
        Self { trunk: self.trunk + degrees, near: keep(self.near), far: keep(self.far), ..self }
    }

    /// With the neck at this flexion.
    pub fn neck(self, neck: f64) -> Self {
        Self { neck, ..self }
    }

    /// Both legs at these angles.
    pub fn legs(self, hip: f64, knee: f64, ankle: f64) -> Self {
        Self { near: self.near.leg(hip, knee, ankle), far: self.far.leg(hip, knee, ankle), ..self }
    }

    /// Both arms at these angles.
    pub fn arms(self, shoulder: f64, elbow: f64) -> Self {
        Self { near: self.near.arm(shoulder, elbow), far: self.far.arm(shoulder, elbow), ..self }
    }

    /// The near leg at these angles.
    pub fn near_leg(self, hip: f64, knee: f64, ankle: f64) -> Self {
        Self { near: self.near.leg(hip, knee, ankle), ..self }
    }

    /// The far leg at these angles.
    pub fn far_leg(self, hip: f64, knee: f64, ankle: f64) -> Self {
        Self { far: self.far.leg(hip, knee, ankle), ..self }
    }

    /// The near arm at these angles.
    pub fn near_arm(self, shoulder: f64, elbow: f64) -> Self {
        Self { near: self.near.arm(shoulder, elbow), ..self }
    }

    /// The far arm at these angles.
    pub fn far_arm(self, shoulder: f64, elbow: f64) -> Self {
        Self { far: self.far.arm(shoulder, elbow), ..self }
    }
}

/// A point in model or view-box units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// x.
    pub x: f64,
    /// y.
    pub y: f64,
}

impl Point {
    fn along(self, degrees: f64, length: f64) -> Point {
        let r = degrees.to_radians();
        Point { x: self.x + length * r.cos(), y: self.y + length * r.sin() }
    }

    /// Distance to another point.
    pub fn distance(self, other: Point) -> f64 {
        (self.x - other.x).hypot(self.y - other.y)
    }
}

/// One side's joints.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limbs {
    /// Elbow.
    pub elbow: Point,
    /// Wrist.
    pub wrist: Point,
    /// Knee.
    pub knee: Point,
    /// Ankle.
    pub ankle: Point,
    /// Toe.
    pub toe: Point,
}

/// Where every joint of a pose is, hip at the origin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Skeleton {
    /// Hip joint.
    pub hip: Point,
    /// Shoulder joint.
    pub shoulder: Point,
    /// Top of the neck.
    pub neck: Point,
    /// Centre of the head.
    pub head: Point,
    /// Near side.
    pub near: Limbs,
    /// Far side.
    pub far: Limbs,
}

impl Skeleton {
    /// Forward kinematics of a pose.
    pub fn of(pose: &Pose) -> Self {
        let hip = Point { x: 0.0, y: 0.0 };
        let shoulder = hip.along(pose.trunk, TRUNK);
        let neck_dir = pose.trunk - pose.neck;
        let down = pose.trunk + 180.0;
        let limbs = |s: &Side| {
            let upper = down + s.shoulder;
            let elbow = shoulder.along(upper, UPPER_ARM);
            let wrist = elbow.along(upper + s.elbow, FOREARM);
            let thigh = down + s.hip;
            let knee = hip.along(thigh, THIGH);
            let shank = thigh - s.knee;
            let ankle = knee.along(shank, SHANK);
            let toe = ankle.along(shank + 90.0 - s.ankle, FOOT);
            Limbs { elbow, wrist, knee, ankle, toe }
        };
        Skeleton {
            hip,
            shoulder,
            neck: shoulder.along(neck_dir, NECK),
            head: shoulder.along(neck_dir, NECK + HEAD),
            near: limbs(&pose.near),
            far: limbs(&pose.far),
        }
    }

    fn points(&self) -> Vec<Point> {
        let mut all = vec![self.hip, self.shoulder, self.neck];
        for l in [&self.near, &self.far] {
            all.extend([l.elbow, l.wrist, l.knee, l.ankle, l.toe]);
        }
        all
    }

    fn moved(&self, dx: f64, dy: f64) -> Self {
        let m = |p: Point| Point { x: p.x + dx, y: p.y + dy };
        let l = |l: &Limbs| Limbs {
            elbow: m(l.elbow),
            wrist: m(l.wrist),
            knee: m(l.knee),
            ankle: m(l.ankle),
            toe: m(l.toe),
        };
        Skeleton {
            hip: m(self.hip),
            shoulder: m(self.shoulder),
            neck: m(self.neck),
            head: m(self.head),
            near: l(&self.near),
            far: l(&self.far),
        }
    }
}

/// Height of the step, the box and the pedals' axle above the floor, in model units.
const STEP_HEIGHT: f64 = 24.0;
const BOX: (f64, f64) = (18.0, 14.0);
const CRANK_HEIGHT: f64 = 18.0;
const WHEEL: f64 = 13.0;
const SEAT_HEIGHT: f64 = 40.0;

/// What is drawn: lines (figure and props), circles (head, wheel), rectangles (step, box).
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// A segment; `far` ones are drawn grey.
    Line { from: Point, to: Point, far: bool, thin: bool },
    /// A circle outline.
    Circle { centre: Point, radius: f64 },
    /// A rectangle outline from its lower-left corner (model) or upper-left corner (view box).
    Rect { corner: Point, width: f64, height: f64 },
}

/// A pose resting on the floor (floor at y = 0), with its props.
#[derive(Debug, Clone, PartialEq)]
pub struct Scene {
    /// The figure.
    pub skeleton: Skeleton,
    /// Figure and props, in model units (y up, floor at 0).
    pub shapes: Vec<Shape>,
}

/// Places a pose on the floor: its lowest point (or the props under it) at y = 0.
pub fn scene(pose: &Pose, props: &[Prop]) -> Scene {
    let sk = Skeleton::of(pose);
    let mut lowest: f64 = sk.points().iter().map(|p| p.y).fold(f64::INFINITY, f64::min).min(sk.head.y - HEAD);
    for prop in props {
        let under = match prop {
            Prop::Step => sk.near.ankle.y.min(sk.near.toe.y) - STEP_HEIGHT,
            Prop::Box => sk.near.wrist.y - BOX.1,
            Prop::Bike => mid(sk.near.ankle, sk.far.ankle).y - CRANK_HEIGHT,
            Prop::Chair | Prop::Strap | Prop::Dowel => lowest,
        };
        lowest = lowest.min(under);
    }
    let sk = sk.moved(0.0, -lowest);
    let mut shapes = figure(&sk);
    for prop in props {
        shapes.extend(prop_shapes(*prop, &sk));
    }
    Scene { skeleton: sk, shapes }
}

fn mid(a: Point, b: Point) -> Point {
    Point { x: (a.x + b.x) / 2.0, y: (a.y + b.y) / 2.0 }
}

fn line(from: Point, to: Point) -> Shape {
    Shape::Line { from, to, far: false, thin: true }
}

fn figure(sk: &Skeleton) -> Vec<Shape> {
    let mut shapes = Vec::new();
    for (limbs, far) in [(&sk.far, true), (&sk.near, false)] {
        for (from, to) in [
            (sk.shoulder, limbs.elbow),
            (limbs.elbow, limbs.wrist),
            (sk.hip, limbs.knee),
            (limbs.knee, limbs.ankle),
            (limbs.ankle, limbs.toe),
        ] {
            shapes.push(Shape::Line { from, to, far, thin: false });
        }
        if !far {
            shapes.push(Shape::Line { from: sk.hip, to: sk.shoulder, far, thin: false });
            shapes.push(Shape::Line { from: sk.shoulder, to: sk.neck, far, thin: false });
        }
    }
    shapes.push(Shape::Circle { centre: sk.head, radius: HEAD });
    shapes
}

fn prop_shapes(prop: Prop, sk: &Skeleton) -> Vec<Shape> {
    let p = |x: f64, y: f64| Point { x, y };
    match prop {
        Prop::Chair => {
            let sitting = sk.hip.y < SEAT_HEIGHT + 15.0;
            let (front, seat) =
                if sitting { (sk.hip.x + 8.0, sk.hip.y - 4.0) } else { (sk.near.ankle.x - 8.0, SEAT_HEIGHT) };
            let back = front - 24.0;
            vec![
                line(p(back, seat), p(front, seat)),
                line(p(front, seat), p(front, 0.0)),
                line(p(back, 0.0), p(back, seat + 34.0)),
            ]
        }
        Prop::Step => {
            let x = sk.near.ankle.x.min(sk.near.toe.x) - 8.0;
            vec![Shape::Rect { corner: p(x, 0.0), width: 30.0, height: STEP_HEIGHT }]
        }
        Prop::Box => {
            let w = sk.near.wrist;
            vec![Shape::Rect { corner: p(w.x - BOX.0 / 2.0, w.y - BOX.1), width: BOX.0, height: BOX.1 }]
        }
        Prop::Bike => {
            let crank = mid(sk.near.ankle, sk.far.ankle);
            let crank = p(crank.x, crank.y.max(CRANK_HEIGHT));
            vec![
                Shape::Circle { centre: crank, radius: WHEEL },
                line(p(sk.hip.x - 8.0, sk.hip.y - 4.0), p(sk.hip.x + 6.0, sk.hip.y - 4.0)),
                line(p(sk.hip.x - 1.0, sk.hip.y - 4.0), crank),
                line(crank, p(crank.x - 10.0, 0.0)),
                line(crank, p(crank.x + 10.0, 0.0)),
            ]
        }
        Prop::Strap => vec![line(sk.near.wrist, sk.near.toe)],
        Prop::Dowel => {
            let dir = (sk.shoulder.y - sk.hip.y).atan2(sk.shoulder.x - sk.hip.x).to_degrees();
            let back = dir + 90.0;
            vec![line(sk.hip.along(back, 7.0).along(dir, -10.0), sk.head.along(back, HEAD + 1.0).along(dir, 4.0))]
        }
    }
}

fn bounds(shapes: &[Shape]) -> (f64, f64, f64, f64) {
    let mut b = (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
    let mut add = |p: Point| {
        b = (b.0.min(p.x), b.1.min(p.y), b.2.max(p.x), b.3.max(p.y));
    };
    for s in shapes {
        match s {
            Shape::Line { from, to, .. } => {
                add(*from);
                add(*to);
            }
            Shape::Circle { centre, radius } => {
                add(Point { x: centre.x - radius, y: centre.y - radius });
                add(Point { x: centre.x + radius, y: centre.y + radius });
            }
            Shape::Rect { corner, width, height } => {
                add(*corner);
                add(Point { x: corner.x + width, y: corner.y + height });
            }
        }
    }
    b
}

/// View box of a drawing: two panels and an arrow between them.
pub const VIEW_WIDTH: f64 = 320.0;
/// View box height.
pub const VIEW_HEIGHT: f64 = 120.0;
const PANEL: f64 = 145.0;
const MARGIN: f64 = 6.0;
const FLOOR_Y: f64 = VIEW_HEIGHT - 10.0;

/// A finished picture in view-box units (y down): the shapes of both panels, the floor
/// lines and the arrow from start to end.
#[derive(Debug, Clone, PartialEq)]
pub struct Drawing {
    /// Every shape.
    pub shapes: Vec<Shape>,
    /// The scale from model units to view-box units.
    pub scale: f64,
}

/// Start and end side by side, at one scale so that both panels compare.
pub fn drawing(start: &Scene, end: &Scene) -> Drawing {
    let (a, b) = (bounds(&start.shapes), bounds(&end.shapes));
    let widest = (a.2 - a.0).max(b.2 - b.0);
    let tallest = a.3.max(b.3);
    let scale = ((PANEL - 2.0 * MARGIN) / widest).min((FLOOR_Y - MARGIN) / tallest).min(1.2);
    let mut shapes = Vec::new();
    for (n, (scene, bx)) in [(start, a), (end, b)].into_iter().enumerate() {
        let left = n as f64 * (VIEW_WIDTH - PANEL);
        let dx = left + (PANEL - (bx.2 - bx.0) * scale) / 2.0 - bx.0 * scale;
        let to_view = |p: Point| Point { x: dx + p.x * scale, y: FLOOR_Y - p.y * scale };
        shapes.push(line(Point { x: left + 2.0, y: FLOOR_Y }, Point { x: left + PANEL - 2.0, y: FLOOR_Y }));
        for s in &scene.shapes {
            shapes.push(match s {
                Shape::Line { from, to, far, thin } => {
                    Shape::Line { from: to_view(*from), to: to_view(*to), far: *far, thin: *thin }
                }
                Shape::Circle { centre, radius } => Shape::Circle { centre: to_view(*centre), radius: radius * scale },
                Shape::Rect { corner, width, height } => {
                    let top = to_view(Point { x: corner.x, y: corner.y + height });
                    Shape::Rect { corner: top, width: width * scale, height: height * scale }
                }
            });
        }
    }
    let (x0, x1, y) = (PANEL + 4.0, VIEW_WIDTH - PANEL - 4.0, VIEW_HEIGHT / 2.0);
    shapes.push(line(Point { x: x0, y }, Point { x: x1, y }));
    shapes.push(line(Point { x: x1 - 6.0, y: y - 5.0 }, Point { x: x1, y }));
    shapes.push(line(Point { x: x1 - 6.0, y: y + 5.0 }, Point { x: x1, y }));
    Drawing { shapes, scale }
}

/// The bounds (min x, min y, max x, max y) of a drawing's shapes.
pub fn extent(d: &Drawing) -> (f64, f64, f64, f64) {
    let mut b = (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
    for s in &d.shapes {
        let (x0, y0, x1, y1) = match s {
            Shape::Rect { corner, width, height } => (corner.x, corner.y, corner.x + width, corner.y + height),
            other => bounds(std::slice::from_ref(other)),
        };
        b = (b.0.min(x0), b.1.min(y0), b.2.max(x1), b.3.max(y1));
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6
    }

    #[test]
    fn standing_puts_the_head_above_the_hip_and_the_feet_below_it() {
        let sk = Skeleton::of(&Pose::of(Base::Standing));
        assert!(close(sk.shoulder.x, 0.0) && close(sk.shoulder.y, TRUNK));
        assert!(close(sk.near.ankle.y, -(THIGH + SHANK)));
        assert!(sk.near.toe.x > sk.near.ankle.x, "the foot points forward");
        assert!(sk.near.wrist.y < sk.shoulder.y && close(sk.near.wrist.x, 0.0), "arms hang down");
    }

    #[test]
    fn sitting_has_the_thigh_forward_and_the_shank_down() {
        let sk = Skeleton::of(&Pose::of(Base::Sitting));
        assert!(close(sk.near.knee.x, THIGH) && close(sk.near.knee.y, 0.0));
        assert!(close(sk.near.ankle.x, THIGH) && close(sk.near.ankle.y, -SHANK));
    }

    #[test]
    fn on_all_fours_the_hands_and_knees_are_on_one_level() {
        let s = scene(&Pose::of(Base::FourPoint), &[]);
        let sk = s.skeleton;
        assert!((sk.near.wrist.y - sk.near.knee.y).abs() < 0.5, "{:?} {:?}", sk.near.wrist, sk.near.knee);
        assert!(sk.shoulder.x > sk.hip.x, "head to the right");
    }

    #[test]
    fn a_scene_rests_on_the_floor_and_a_step_lifts_the_near_foot() {
        let s = scene(&Pose::of(Base::Standing), &[]);
        let low = s.skeleton.points().iter().map(|p| p.y).fold(f64::INFINITY, f64::min);
        assert!(close(low, 0.0));
        let s = scene(&Pose::of(Base::Standing), &[Prop::Step]);
        assert!(close(s.skeleton.near.ankle.y, STEP_HEIGHT));
    }

    proptest! {
        #[test]
        fn any_pose_keeps_every_limb_length(
            trunk in -180.0f64..360.0, neck in -60.0f64..60.0,
            hip in -40.0f64..140.0, knee in 0.0f64..150.0, ankle in -30.0f64..60.0,
            shoulder in -60.0f64..180.0, elbow in 0.0f64..150.0,
        ) {
            let pose = Pose::of(Base::Standing).trunk(trunk).neck(neck).near_leg(hip, knee, ankle).near_arm(shoulder, elbow);
            let s = scene(&pose, &[]).skeleton;
            prop_assert!(close(s.hip.distance(s.shoulder), TRUNK));
            prop_assert!(close(s.shoulder.distance(s.head), NECK + HEAD));
            prop_assert!(close(s.shoulder.distance(s.near.elbow), UPPER_ARM));
            prop_assert!(close(s.near.elbow.distance(s.near.wrist), FOREARM));
            prop_assert!(close(s.hip.distance(s.near.knee), THIGH));
            prop_assert!(close(s.near.knee.distance(s.near.ankle), SHANK));
            prop_assert!(close(s.near.ankle.distance(s.near.toe), FOOT));
        }

        #[test]
        fn any_pair_of_poses_fits_inside_the_view_box(
            t1 in 0.0f64..180.0, t2 in 0.0f64..180.0, hip in -30.0f64..130.0, knee in 0.0f64..140.0,
            shoulder in 0.0f64..180.0,
        ) {
            let a = scene(&Pose::of(Base::Standing).trunk(t1).near_leg(hip, knee, 0.0), &[Prop::Chair]);
            let b = scene(&Pose::of(Base::Lying).trunk(t2).arms(shoulder, 0.0), &[Prop::Strap]);
            let (x0, y0, x1, y1) = extent(&drawing(&a, &b));
            prop_assert!(x0 >= 0.0 && y0 >= 0.0 && x1 <= VIEW_WIDTH && y1 <= VIEW_HEIGHT, "{x0} {y0} {x1} {y1}");
        }
    }
}
