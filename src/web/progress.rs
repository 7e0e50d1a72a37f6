//! The progress page: NPRS, ODI, RMDQ, PSFS and SLR across assessments as small inline SVG charts, with
//! the MCID marked and the change since baseline.

use super::components::date;
use super::layout::layout;
use super::session::SessionUser;
use super::{page, HtmlResult};
use crate::db::ids::PatientId;
use crate::db::Db;
use crate::domain::assessment::Series;
use crate::service::assessments as service;
use crate::service::assessments::progress_series;
use actix_web::web;
use maud::{html, Markup};

/// Registers the route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/patients/{id}/progress", web::get().to(show));
}

const WIDTH: f64 = 320.0;
const HEIGHT: f64 = 140.0;
const PAD: f64 = 24.0;

fn y(value: f64, max: f64) -> f64 {
    HEIGHT - PAD - (value.clamp(0.0, max) / max) * (HEIGHT - 2.0 * PAD)
}

/// A line chart of one series; the dashed line marks the level a clinically important
/// improvement reaches: baseline minus the MCID, or plus it where higher is better (PSFS).
pub fn chart(s: &Series) -> Markup {
    let n = s.points.len();
    let x = |i: usize| if n <= 1 { WIDTH / 2.0 } else { PAD + i as f64 * (WIDTH - 2.0 * PAD) / (n - 1) as f64 };
    let line: Vec<String> =
        s.points.iter().enumerate().map(|(i, p)| format!("{:.1},{:.1}", x(i), y(p.value, s.max))).collect();
    let target = s.mcid_points.zip(s.points.first()).map(|(m, b)| {
        if s.higher_is_better {
            (b.value + m).min(s.max)
        } else {
            (b.value - m).max(0.0)
        }
    });
    html! {
        svg.chart viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) role="img" aria-labelledby=(format!("{}-t", s.key)) {
            title id=(format!("{}-t", s.key)) { (s.label) " over " (n) " assessments" }
            line.axis x1=(PAD) y1=(HEIGHT - PAD) x2=(WIDTH - PAD) y2=(HEIGHT - PAD) {}
            text.tick x="2" y=(y(s.max, s.max) + 4.0) { (s.max) }
            text.tick x="2" y=(HEIGHT - PAD + 4.0) { "0" }
            @if let Some(t) = target {
                line.mcid x1=(PAD) y1=(y(t, s.max)) x2=(WIDTH - PAD) y2=(y(t, s.max)) {}
                text.tick x=(WIDTH - PAD) y=(y(t, s.max) - 3.0) text-anchor="end" { "MCID" }
            }
            @if n > 1 { polyline.series points=(line.join(" ")) {} }
            @for (i, p) in s.points.iter().enumerate() {
                circle.point cx=(format!("{:.1}", x(i))) cy=(format!("{:.1}", y(p.value, s.max))) r="3" {}
            }
        }
    }
}

fn verdict(s: &Series) -> Markup {
    html! {
        @match (s.change, s.reaches_mcid) {
            (Some(c), Some(true)) => { span.ok { "Change " (format!("{c:+.1}")) (s.unit) ": reaches the MCID (" (s.mcid_points.unwrap_or_default()) ")" } }
            (Some(c), Some(false)) => { span.warn { "Change " (format!("{c:+.1}")) (s.unit) ": below the MCID (" (s.mcid_points.unwrap_or_default()) ")" } }
            (Some(c), None) => { span { "Change " (format!("{c:+.1}")) (s.unit) " since baseline" } }
            _ => { span.hint { "Needs at least two assessments" } }
        }
    }
}

async fn show(user: SessionUser, path: web::Path<PatientId>, db: web::Data<Db>) -> HtmlResult {
    let patient = path.into_inner();
    let ctx = user.ctx.clone();
    let history = db.read(move |conn| service::history(conn, &ctx, patient)).await?;
    let series = progress_series(&history);
    let name = format!("{} {}", history.patient.0.given_name, history.patient.0.family_name);
    let body = html! {
        p.crumbs { a href=(format!("/patients/{patient}")) { "← " (name) } }
        h1 { "Progress" }
        @let t = &history.thresholds;
        p.hint { "Change is from the first to the latest assessment. MCID: NPRS " (t.nprs.points) " points, ODI "
            (t.odi.points) " points (or 30 %), Roland-Morris " (t.roland_morris.points) " points, PSFS mean "
            (t.psfs.points) " points (higher is better); the dashed line marks the level an important improvement reaches." }
        div.charts {
            @for s in &series {
                figure.chart-card {
                    figcaption { strong { (s.label) } br; (verdict(s)) }
                    @if s.points.is_empty() { p.empty { "Not recorded." } } @else { (chart(s)) }
                    @if !s.points.is_empty() {
                        table.mini {
                            tr { @for p in &s.points { th scope="col" { (date(p.on)) } } }
                            tr { @for p in &s.points { td { (p.value) } } }
                        }
                    }
                }
            }
        }
    };
    Ok(page(layout("Progress", &user, body)))
}
