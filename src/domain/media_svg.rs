//! SVG pictures rebuilt from a strict allow-list (see `super::media`): parsed as XML (no
//! DOCTYPE, no entities but the five predefined and numeric ones) and written out again
//! element by element, so only drawing elements and presentation attributes survive.

use super::media::{Refusal, MAX_PIXELS, NOT_A_PICTURE};

const SVG_NS: &str = "http://www.w3.org/2000/svg";
const XLINK_NS: &str = "http://www.w3.org/1999/xlink";

fn refuse<T>(message: &str) -> Result<T, Refusal> {
    Err(Refusal(message.to_owned()))
}

/// Drawing elements kept (the rest, with everything inside, is dropped).
const ELEMENTS: &[&str] = &[
    "svg",
    "g",
    "defs",
    "title",
    "desc",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "linearGradient",
    "radialGradient",
    "stop",
    "clipPath",
    "mask",
    "pattern",
    "symbol",
    "use",
    "marker",
];

/// Presentation and geometry attributes kept (the rest, `on*` handlers included, is dropped).
const ATTRIBUTES: &[&str] = &[
    "id",
    "class",
    "viewBox",
    "width",
    "height",
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "cx",
    "cy",
    "r",
    "rx",
    "ry",
    "fx",
    "fy",
    "d",
    "points",
    "fill",
    "fill-opacity",
    "fill-rule",
    "stroke",
    "stroke-width",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-opacity",
    "opacity",
    "transform",
    "clip-rule",
    "clip-path",
    "mask",
    "font-size",
    "font-family",
    "font-weight",
    "font-style",
    "text-anchor",
    "dominant-baseline",
    "dx",
    "dy",
    "offset",
    "stop-color",
    "stop-opacity",
    "gradientUnits",
    "gradientTransform",
    "spreadMethod",
    "patternUnits",
    "patternTransform",
    "preserveAspectRatio",
    "version",
    "marker-start",
    "marker-mid",
    "marker-end",
    "markerWidth",
    "markerHeight",
    "refX",
    "refY",
    "orient",
    "role",
    "aria-label",
    "aria-hidden",
    "visibility",
    "display",
    "color",
    "style",
];

/// A parsed XML item.
#[derive(Debug, PartialEq)]
enum Token {
    Start { name: String, attrs: Vec<(String, String)>, empty: bool },
    End(String),
    Text(String),
}

const UNREADABLE_SVG: &str =
    "This SVG could not be read: it must be a plain SVG document without a DOCTYPE or entity declarations.";

/// A strict, small XML reader: elements, attributes, text, comments and processing
/// instructions (both dropped), CDATA as text; anything else (DOCTYPE, entity declarations,
/// unknown entities, mismatched tags) refuses the document.
fn tokens(text: &str) -> Result<Vec<Token>, Refusal> {
    let bad = || Refusal(UNREADABLE_SVG.to_owned());
    let mut out = Vec::new();
    let mut rest = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut open: Vec<String> = Vec::new();
    let mut roots = 0;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("<!--") {
            let end = after.find("-->").ok_or_else(bad)?;
            rest = &after[end + 3..];
        } else if let Some(after) = rest.strip_prefix("<![CDATA[") {
            let end = after.find("]]>").ok_or_else(bad)?;
            out.push(Token::Text(after[..end].to_owned()));
            rest = &after[end + 3..];
        } else if rest.starts_with("<!") {
            return Err(bad());
        } else if let Some(after) = rest.strip_prefix("<?") {
            let end = after.find("?>").ok_or_else(bad)?;
            rest = &after[end + 2..];
        } else if let Some(after) = rest.strip_prefix("</") {
            let end = after.find('>').ok_or_else(bad)?;
            let name = after[..end].trim_end();
            if open.pop().as_deref() != Some(name) {
                return Err(bad());
            }
            out.push(Token::End(name.to_owned()));
            rest = &after[end + 1..];
        } else if let Some(after) = rest.strip_prefix('<') {
            let (token, used) = start_tag(after).ok_or_else(bad)?;
            if open.is_empty() {
                roots += 1;
                if roots > 1 {
                    return Err(bad());
                }
            }
            if let Token::Start { name, empty: false, .. } = &token {
                open.push(name.clone());
            }
            out.push(token);
            rest = &after[used..];
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            let words = decode(&rest[..end]).ok_or_else(bad)?;
            if open.is_empty() && !words.trim().is_empty() {
                return Err(bad());
            }
            out.push(Token::Text(words));
            rest = &rest[end..];
        }
    }
    if !open.is_empty() {
        return Err(bad());
    }
    Ok(out)
}

fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '-' | '.'))
}

/// Reads `name attr="v" …>` or `… />`; returns the token and the bytes used.
fn start_tag(s: &str) -> Option<(Token, usize)> {
    let name_end = s.find(|c: char| c.is_whitespace() || c == '>' || c == '/')?;
    let name = &s[..name_end];
    if !is_name(name) {
        return None;
    }
    let mut at = name_end;
    let mut attrs: Vec<(String, String)> = Vec::new();
    loop {
        let rest = &s[at..];
        let trimmed = rest.trim_start();
        at += rest.len() - trimmed.len();
        if trimmed.starts_with("/>") {
            return Some((Token::Start { name: name.to_owned(), attrs, empty: true }, at + 2));
        }
        if trimmed.starts_with('>') {
            return Some((Token::Start { name: name.to_owned(), attrs, empty: false }, at + 1));
        }
        if at == name_end || !s[..at].ends_with(char::is_whitespace) {
            return None;
        }
        let eq = trimmed.find('=')?;
        let attr = trimmed[..eq].trim_end();
        if !is_name(attr) || attrs.iter().any(|(a, _)| a == attr) {
            return None;
        }
        let value_part = trimmed[eq + 1..].trim_start();
        let quote = value_part.chars().next().filter(|q| *q == '"' || *q == '\'')?;
        let close = value_part[1..].find(quote)?;
        let raw = &value_part[1..1 + close];
        if raw.contains('<') {
            return None;
        }
        attrs.push((attr.to_owned(), decode(raw)?));
        let used = trimmed.len() - value_part.len() + close + 2;
        at += used;
    }
}

/// Decodes the predefined and numeric character references; `None` for any other entity.
fn decode(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let semi = after.find(';')?;
        let name = &after[..semi];
        let c = match name {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let n = match name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                    None => name.strip_prefix('#')?.parse().ok()?,
                };
                char::from_u32(n).filter(|c| !c.is_control() || c.is_whitespace())?
            }
        };
        out.push(c);
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    Some(out)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Whether every `url(` in a value points into the picture itself (`url(#id)`).
fn only_local_urls(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    lower.match_indices("url(").all(|(i, _)| lower[i + 4..].trim_start().starts_with('#'))
}

/// An inline style is kept only when it is plain declarations: no `url(`, `@`, escapes,
/// quotes, `expression` or bindings.
fn harmless_style(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    value.chars().all(|c| c.is_ascii_alphanumeric() || " \t\n#%.,:;()-+".contains(c))
        && !["url", "expression", "binding", "behavior", "import"].iter().any(|w| lower.contains(w))
}

/// Keeps an attribute (with its value) when the allow-list has it and its value is safe.
fn kept(name: &str, value: &str) -> Option<(&'static str, String)> {
    if name == "href" || name == "xlink:href" {
        let target = value.trim();
        let local = target
            .strip_prefix('#')
            .is_some_and(|f| !f.is_empty() && f.chars().all(|c| c.is_ascii_alphanumeric() || "_-.:".contains(c)));
        return local.then(|| ("href", value.trim().to_owned()));
    }
    let allowed = ATTRIBUTES.iter().find(|a| **a == name)?;
    if !only_local_urls(value) || (name == "style" && !harmless_style(value)) {
        return None;
    }
    let lower = value.to_ascii_lowercase();
    if lower.contains("javascript:") || lower.contains("data:") {
        return None;
    }
    Some((allowed, value.to_owned()))
}

fn number(value: Option<&String>) -> Option<f64> {
    let v = value?.trim().trim_end_matches("px");
    v.parse::<f64>().ok().filter(|n| n.is_finite() && *n > 0.0)
}

/// The picture's size: its `width`/`height` in user units, else its view box.
fn svg_size(attrs: &[(String, String)]) -> (u32, u32) {
    let get = |n: &str| attrs.iter().find(|(a, _)| a == n).map(|(_, v)| v);
    let view: Vec<f64> = get("viewBox")
        .map(|v| v.split(|c: char| c.is_whitespace() || c == ',').filter_map(|p| p.parse().ok()).collect())
        .unwrap_or_default();
    let (vw, vh) = match view[..] {
        [_, _, w, h] if w > 0.0 && h > 0.0 => (Some(w), Some(h)),
        _ => (None, None),
    };
    let w = number(get("width")).or(vw).unwrap_or(0.0);
    let h = number(get("height")).or(vh).unwrap_or(0.0);
    let clamp = |v: f64| v.round().clamp(0.0, f64::from(MAX_PIXELS)) as u32;
    (clamp(w), clamp(h))
}

/// Rebuilds an SVG document from the allow-list; returns it with its size.
pub fn sanitise_svg(text: &str) -> Result<(String, u32, u32), Refusal> {
    let list = tokens(text)?;
    let Some(Token::Start { name, attrs, .. }) = list.iter().find(|t| matches!(t, Token::Start { .. })) else {
        return refuse(NOT_A_PICTURE);
    };
    let ns = attrs.iter().find(|(a, _)| a == "xmlns").map(|(_, v)| v.as_str());
    if name != "svg" || ns.is_some_and(|n| n != SVG_NS) {
        return refuse(NOT_A_PICTURE);
    }
    let size = svg_size(attrs);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let mut skipping = 0usize;
    let mut root = true;
    let mut text_ok = false;
    for token in &list {
        match token {
            Token::Start { name, attrs, empty } => {
                if skipping > 0 || !ELEMENTS.contains(&name.as_str()) {
                    if !empty {
                        skipping += 1;
                    }
                    continue;
                }
                out.push('<');
                out.push_str(name);
                if root {
                    out.push_str(&format!(" xmlns=\"{SVG_NS}\" xmlns:xlink=\"{XLINK_NS}\""));
                    root = false;
                }
                for (a, v) in attrs {
                    if let Some((a, v)) = kept(a, v) {
                        out.push_str(&format!(" {a}=\"{}\"", escape(&v)));
                    }
                }
                out.push_str(if *empty { "/>" } else { ">" });
                text_ok = true;
            }
            Token::End(name) => {
                if skipping > 0 {
                    skipping -= 1;
                } else {
                    out.push_str(&format!("</{name}>"));
                }
            }
            Token::Text(words) if skipping == 0 && text_ok => out.push_str(&escape(words)),
            Token::Text(_) => {}
        }
    }
    Ok((out, size.0, size.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_svg_loses_scripts_handlers_foreign_objects_external_links_and_styles_that_load() {
        let dirty = r##"<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 200 100" onload="alert(1)">
  <script>alert(2)</script>
  <style>rect { fill: url(https://evil.example/x) }</style>
  <foreignObject><body xmlns="http://www.w3.org/1999/xhtml"><iframe src="x"/></body></foreignObject>
  <a href="javascript:alert(3)"><rect width="10" height="10"/></a>
  <image href="https://evil.example/p.png" width="10" height="10"/>
  <use xlink:href="https://evil.example/s.svg#x"/>
  <use href="#dot"/>
  <circle id="dot" cx="5" cy="5" r="4" fill="url(#g)" onclick="alert(4)" style="fill: url(x)"/>
  <rect x="1" y="1" width="5" height="5" style="fill: #f00; stroke-width: 2" filter="url(http://x)"/>
  <text x="1" y="9">a &lt; b &amp; c</text>
  <SCRIPT>alert(5)</SCRIPT>
</svg>"##;
        let (clean, w, h) = sanitise_svg(dirty).unwrap_or_else(|e| panic!("{e:?}"));
        let lower = clean.to_lowercase();
        for gone in
            ["script", "onload", "onclick", "foreignobject", "iframe", "evil", "javascript", "<a", "<image", "<style"]
        {
            assert!(!lower.contains(gone), "{gone} in {clean}");
        }
        assert!(clean.contains(r##"<use href="#dot"/>"##), "{clean}");
        assert!(clean.contains(r##"fill="url(#g)""##), "{clean}");
        assert!(clean.contains(r#"style="fill: #f00; stroke-width: 2""#), "{clean}");
        assert!(clean.contains("a &lt; b &amp; c"), "{clean}");
        assert_eq!((w, h), (200, 100));
        // The clean document reads again, and cleaning it again changes nothing.
        let (again, _, _) = sanitise_svg(&clean).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(again, clean);
    }
}
