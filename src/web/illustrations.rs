//! Exercise pictures as SVG: `GET /illustrations/{code}.svg` (public: a picture holds no
//! patient data), and the `<img>` that shows one in the library, the plan builder's picker
//! and the handout. Black lines on white, presentation attributes only (the CSP forbids
//! inline styles), a `viewBox` so the picture scales.

use crate::domain::illustration::{Drawing, Shape, VIEW_HEIGHT, VIEW_WIDTH};
use crate::domain::illustrations;
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use maud::{html, Markup};

/// Registers the route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/illustrations/{code}.svg", web::get().to(svg_route));
}

/// The picture's URL, if the item has one.
pub fn url(code: &str) -> Option<String> {
    illustrations::for_code(code).map(|_| format!("/illustrations/{code}.svg"))
}

/// An `<img>` of the item's start and end positions at `width` CSS pixels (none if the item
/// has no picture). The alternative text names the item.
pub fn img(code: &str, name: &str, width: u32) -> Markup {
    let height = (f64::from(width) * VIEW_HEIGHT / VIEW_WIDTH).round() as u32;
    html! {
        @if let Some(src) = url(code) {
            img.illustration src=(src) width=(width) height=(height)
                alt=(format!("{name}: start and end positions"));
        }
    }
}

fn n(v: f64) -> String {
    format!("{:.1}", v)
}

/// The SVG document of a drawing.
pub fn svg(d: &Drawing, title: &str) -> String {
    let markup = html! {
        svg xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {VIEW_WIDTH} {VIEW_HEIGHT}"))
            role="img" fill="none" stroke="#000" stroke-linecap="round" stroke-linejoin="round" {
            title { (title) }
            rect x="0" y="0" width=(VIEW_WIDTH) height=(VIEW_HEIGHT) fill="#fff" stroke="none" {}
            @for s in &d.shapes {
                @match s {
                    Shape::Line { from, to, far, thin } => {
                        line x1=(n(from.x)) y1=(n(from.y)) x2=(n(to.x)) y2=(n(to.y))
                            stroke=[far.then_some("#888")] stroke-width=(if *thin { "1.5" } else { "3" }) {}
                    }
                    Shape::Circle { centre, radius } => {
                        circle cx=(n(centre.x)) cy=(n(centre.y)) r=(n(*radius)) stroke-width="2.5" {}
                    }
                    Shape::Rect { corner, width, height } => {
                        rect x=(n(corner.x)) y=(n(corner.y)) width=(n(*width)) height=(n(*height)) stroke-width="1.5" {}
                    }
                }
            }
        }
    };
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}", markup.into_string())
}

async fn svg_route(code: web::Path<String>) -> HttpResponse {
    let code = code.into_inner();
    let Some(picture) = illustrations::for_code(&code) else { return HttpResponse::NotFound().finish() };
    let title = crate::domain::library::find(&code).map_or("Exercise", |m| m.name.as_str());
    HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(svg(&picture.drawing(), &format!("{title}: start and end positions")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_svg_scales_uses_no_inline_style_and_escapes_its_title() {
        let Some(p) = illustrations::for_code("bridge") else { panic!("no bridge") };
        let out = svg(&p.drawing(), "A <b> & \"c\"");
        assert!(out.contains("viewBox=\"0 0 320 120\""), "{out}");
        assert!(!out.contains("style="));
        assert!(out.contains("A &lt;b&gt; &amp; &quot;c&quot;"));
        assert!(out.matches("<line").count() >= 12, "a figure of lines");
        assert!(out.contains("<circle"), "a head");
    }

    #[test]
    fn the_img_has_its_size_and_alternative_text_and_none_for_an_unillustrated_item() {
        let html = img("bridge", "Bridge", 320).into_string();
        assert!(html.contains("src=\"/illustrations/bridge.svg\"") && html.contains("width=\"320\" height=\"120\""));
        assert!(html.contains("alt=\"Bridge: start and end positions\""));
        assert!(img("tens", "TENS", 320).into_string().is_empty());
    }
}
