//! Uploaded pictures for clinic library items: what kind a file is, told by its bytes only
//! (never its name or the type the browser claims), PNG and JPEG headers read for their
//! size, and SVG rebuilt from a strict allow-list. An SVG is parsed as XML (no DOCTYPE, no
//! entities but the five predefined and numeric ones) and written out again element by
//! element: only drawing elements and presentation attributes survive; scripts, event
//! handlers, `foreignObject`, styles that load anything and every link that is not to a
//! fragment of the same picture are dropped. What is stored is the rebuilt document.

/// The largest file accepted, in bytes.
pub const MAX_BYTES: usize = 512 * 1024;

/// The largest width or height of a PNG or JPEG, in pixels.
pub const MAX_PIXELS: u32 = 4096;

/// The kinds of picture accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// PNG.
    Png,
    /// JPEG.
    Jpeg,
    /// SVG, sanitised.
    Svg,
}

impl Kind {
    /// The media type it is served as.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Svg => "image/svg+xml",
        }
    }

    /// Reads a stored media type back.
    pub fn of_content_type(value: &str) -> Option<Self> {
        [Self::Png, Self::Jpeg, Self::Svg].into_iter().find(|k| k.content_type() == value)
    }
}

/// An accepted picture: what to store and serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    /// The kind, from the bytes.
    pub kind: Kind,
    /// The bytes to store (a rebuilt document for SVG).
    pub bytes: Vec<u8>,
    /// Width in pixels (SVG: from its size or view box; 0 when it gives none).
    pub width: u32,
    /// Height in pixels (as `width`).
    pub height: u32,
}

/// A stored picture as a page shows it: its id and size in pixels (0 when not known).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// Id.
    pub id: String,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

/// Why a file was refused: a sentence for the `image` field (it never quotes the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String);

fn refuse<T>(message: &str) -> Result<T, Refusal> {
    Err(Refusal(message.to_owned()))
}

pub(super) const NOT_A_PICTURE: &str = "Choose a PNG, JPEG or SVG picture; this file is none of them.";

/// Checks an uploaded file and returns what to store, or why it is refused.
pub fn check(bytes: &[u8]) -> Result<Picture, Refusal> {
    if bytes.is_empty() {
        return refuse("Choose a picture file to upload.");
    }
    if bytes.len() > MAX_BYTES {
        return refuse(&format!("Choose a picture of at most {} KiB.", MAX_BYTES / 1024));
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        let (width, height) = png_size(bytes)?;
        return sized(Kind::Png, bytes, width, height);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        let (width, height) = jpeg_size(bytes)?;
        return sized(Kind::Jpeg, bytes, width, height);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| Refusal(NOT_A_PICTURE.into()))?;
    if !text.to_ascii_lowercase().contains("<svg") {
        return refuse(NOT_A_PICTURE);
    }
    let (svg, width, height) = super::media_svg::sanitise_svg(text)?;
    Ok(Picture { kind: Kind::Svg, bytes: svg.into_bytes(), width, height })
}

fn sized(kind: Kind, bytes: &[u8], width: u32, height: u32) -> Result<Picture, Refusal> {
    if width == 0 || height == 0 {
        return refuse("This picture has no size; it may be damaged.");
    }
    if width > MAX_PIXELS || height > MAX_PIXELS {
        return refuse(&format!("Choose a picture of at most {MAX_PIXELS} × {MAX_PIXELS} pixels."));
    }
    Ok(Picture { kind, bytes: bytes.to_vec(), width, height })
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

/// Walks the PNG chunks: the first is `IHDR` (the size), each fits the file, the last is `IEND`.
fn png_size(bytes: &[u8]) -> Result<(u32, u32), Refusal> {
    const DAMAGED: &str = "This PNG file is damaged or incomplete.";
    let mut at = 8;
    let mut size = None;
    loop {
        let Some(head) = bytes.get(at..at + 8) else { return refuse(DAMAGED) };
        let length = be32(&head[..4]) as usize;
        let kind = &head[4..8];
        let Some(data) = bytes.get(at + 8..at + 8 + length) else { return refuse(DAMAGED) };
        if bytes.get(at + 8 + length..at + 12 + length).is_none() {
            return refuse(DAMAGED);
        }
        match (size, kind) {
            (None, b"IHDR") if length == 13 => size = Some((be32(&data[..4]), be32(&data[4..8]))),
            (None, _) => return refuse(DAMAGED),
            (Some(s), b"IEND") => return Ok(s),
            _ => {}
        }
        at += 12 + length;
    }
}

/// Walks the JPEG segments up to the first frame header (its size).
fn jpeg_size(bytes: &[u8]) -> Result<(u32, u32), Refusal> {
    const DAMAGED: &str = "This JPEG file is damaged or incomplete.";
    let mut at = 2;
    loop {
        let Some(&[0xFF, marker]) = bytes.get(at..at + 2) else { return refuse(DAMAGED) };
        if marker == 0xFF || (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            at += if marker == 0xFF { 1 } else { 2 };
            continue;
        }
        let Some(len) = bytes.get(at + 2..at + 4).map(|b| usize::from(u16::from_be_bytes([b[0], b[1]]))) else {
            return refuse(DAMAGED);
        };
        if len < 2 || bytes.len() < at + 2 + len {
            return refuse(DAMAGED);
        }
        let frame = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if frame {
            let Some(b) = bytes.get(at + 5..at + 9) else { return refuse(DAMAGED) };
            let height = u32::from(u16::from_be_bytes([b[0], b[1]]));
            let width = u32::from(u16::from_be_bytes([b[2], b[3]]));
            return Ok((width, height));
        }
        if marker == 0xDA || marker == 0xD9 {
            return refuse(DAMAGED);
        }
        at += 2 + len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 2×3 PNG header with an empty data chunk and the end chunk (no CRC check is made).
    pub(crate) fn png(width: u32, height: u32) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut chunk = |kind: &[u8], data: &[u8]| {
            b.extend((data.len() as u32).to_be_bytes());
            b.extend(kind);
            b.extend(data);
            b.extend([0, 0, 0, 0]);
        };
        let mut ihdr = width.to_be_bytes().to_vec();
        ihdr.extend(height.to_be_bytes());
        ihdr.extend([8, 6, 0, 0, 0]);
        chunk(b"IHDR", &ihdr);
        chunk(b"IDAT", &[0x78, 0x9c]);
        chunk(b"IEND", &[]);
        b
    }

    fn jpeg(width: u16, height: u16) -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0];
        b.extend([0xFF, 0xC0, 0, 11, 8]);
        b.extend(height.to_be_bytes());
        b.extend(width.to_be_bytes());
        b.extend([1, 1, 0x11, 0]);
        b.extend([0xFF, 0xD9]);
        b
    }

    #[test]
    fn png_and_jpeg_are_told_by_their_bytes_and_sized() {
        let p = check(&png(2, 3)).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((p.kind, p.width, p.height), (Kind::Png, 2, 3));
        let j = check(&jpeg(640, 480)).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((j.kind, j.width, j.height), (Kind::Jpeg, 640, 480));
        assert_eq!(j.kind.content_type(), "image/jpeg");
    }

    #[test]
    fn damaged_huge_empty_and_oversized_files_are_refused() {
        let mut cut = png(2, 3);
        cut.truncate(30);
        assert!(check(&cut).is_err());
        assert!(check(&png(5000, 10)).unwrap_err().0.contains("4096"));
        assert!(check(&png(0, 10)).is_err());
        assert!(check(&jpeg(10, 10)[..8]).is_err());
        assert!(check(b"").is_err());
        let mut big = png(2, 3);
        big.resize(MAX_BYTES + 1, 0);
        assert!(check(&big).unwrap_err().0.contains("512 KiB"));
    }

    #[test]
    fn html_text_and_binary_junk_are_not_pictures() {
        for junk in [
            &b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"[..],
            b"<html><body>hi</body></html>",
            b"GIF89a....",
            b"\x00\x01\x02\xff\xfe",
            b"just words",
        ] {
            assert!(check(junk).is_err(), "{:?}", String::from_utf8_lossy(junk));
        }
    }

    #[test]
    fn doctype_entities_and_broken_documents_are_refused() {
        for bad in [
            r#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "boom">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg"><text>&nbsp;</text></svg>"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg"><g></svg>"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg"/><svg/>"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="1" width="2"/>"#,
            r#"<svg xmlns="http://www.w3.org/1999/xhtml"/>"#,
            r#"<html><svg xmlns="http://www.w3.org/2000/svg"/></html>"#,
        ] {
            assert!(check(bad.as_bytes()).is_err(), "{bad}");
        }
        assert!(check(br#"<svg xmlns="http://www.w3.org/2000/svg" width="30" height="20"/>"#).is_ok());
    }
}
