//! URL checks. Every decision is taken on the URL as a browser would parse
//! it (the WHATWG parser in the `url` crate), never on the raw text, so tabs,
//! newlines, entities or odd case in a scheme cannot slip past.

use ammonia::Url;

use crate::allow::{DATA_IMAGE_TYPES, LINK_SCHEMES};

/// Longest URL accepted anywhere.
const MAX_URL_LEN: usize = 8 * 1024;
/// Longest `data:` image accepted inline.
const MAX_DATA_URL_LEN: usize = 2 * 1024 * 1024;

/// The URL, normalised, if it is safe to put in a link: `http`, `https` or
/// `mailto` only. Relative URLs, `javascript:`, `data:`, `vbscript:`, `file:`
/// and every other scheme give `None`.
pub fn safe_url(url: &str) -> Option<String> {
    if url.len() > MAX_URL_LEN {
        return None;
    }
    let parsed = Url::parse(url).ok()?;
    if !LINK_SCHEMES.contains(&parsed.scheme()) {
        return None;
    }
    if parsed.scheme() != "mailto" && parsed.host_str().is_none_or(str::is_empty) {
        return None;
    }
    Some(parsed.to_string())
}

/// What an image `src` points at.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ImageSource {
    /// A remote `http`/`https` image (protocol-relative URLs become `https`).
    Remote(String),
    /// A `cid:` reference, as written after the scheme.
    Cid(String),
    /// An inline raster `data:` image, kept as is.
    Data(String),
    /// Anything else: dropped.
    Other,
}

pub(crate) fn classify_image(src: &str) -> ImageSource {
    let src = src.trim_matches(|c: char| c.is_ascii_whitespace() || c.is_ascii_control());
    if let Some(rest) = strip_prefix_ignore_case(src, "cid:") {
        return ImageSource::Cid(rest.to_string());
    }
    if src.starts_with("//") {
        return match safe_url(&format!("https:{src}")) {
            Some(u) => ImageSource::Remote(u),
            None => ImageSource::Other,
        };
    }
    if strip_prefix_ignore_case(src, "data:").is_some() {
        return if data_image_ok(src) {
            ImageSource::Data(src.to_string())
        } else {
            ImageSource::Other
        };
    }
    match Url::parse(src) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {
            ImageSource::Remote(u.to_string())
        }
        _ => ImageSource::Other,
    }
}

/// `data:image/png;base64,…` with a raster type and base64 payload only.
fn data_image_ok(src: &str) -> bool {
    if src.len() > MAX_DATA_URL_LEN {
        return false;
    }
    let Some(rest) = strip_prefix_ignore_case(src, "data:") else {
        return false;
    };
    let Some((meta, payload)) = rest.split_once(',') else {
        return false;
    };
    let meta = meta.to_ascii_lowercase();
    let Some(mime) = meta.strip_suffix(";base64") else {
        return false;
    };
    DATA_IMAGE_TYPES.contains(&mime)
        && payload.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'\r' | b'\n' | b' ')
        })
}

pub(crate) fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// Decodes `%XX` escapes (RFC 2392 `cid:` URLs are URL-encoded Content-IDs).
pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).and_then(|b| (*b as char).to_digit(16)),
                bytes.get(i + 2).and_then(|b| (*b as char).to_digit(16)),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_url_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("http://example.com/", Some("http://example.com/")),
            (
                "HTTPS://Example.COM/a?b=c#d",
                Some("https://example.com/a?b=c#d"),
            ),
            ("mailto:ann@example.com", Some("mailto:ann@example.com")),
            ("  https://example.com/x  ", Some("https://example.com/x")),
            ("javascript:alert(1)", None),
            ("JaVaScRiPt:alert(1)", None),
            ("java\tscript:alert(1)", None),
            ("java\nscript:alert(1)", None),
            ("\u{1}javascript:alert(1)", None),
            (" javascript:alert(1)", None),
            ("vbscript:msgbox(1)", None),
            ("data:text/html,<script>alert(1)</script>", None),
            ("file:///etc/passwd", None),
            ("ftp://example.com/", None),
            ("/relative/path", None),
            ("//example.com/x", None),
            ("#anchor", None),
            ("", None),
            ("http://", None),
            ("cid:part1@example.com", None),
        ];
        for (input, want) in cases {
            assert_eq!(safe_url(input).as_deref(), *want, "input {input:?}");
        }
    }

    #[test]
    fn classify_table() {
        use ImageSource::*;
        let cases: &[(&str, ImageSource)] = &[
            ("http://x.test/a.png", Remote("http://x.test/a.png".into())),
            ("//x.test/a.png", Remote("https://x.test/a.png".into())),
            ("CID:abc@x", Cid("abc@x".into())),
            (
                "data:image/png;base64,iVBORw0K",
                Data("data:image/png;base64,iVBORw0K".into()),
            ),
            ("data:image/svg+xml;base64,PHN2Zz4=", Other),
            ("data:text/html;base64,PHNjcmlwdD4=", Other),
            ("data:image/png,<svg>", Other),
            ("javascript:alert(1)", Other),
            ("/local.png", Other),
            ("file:///c:/x.png", Other),
        ];
        for (input, want) in cases {
            assert_eq!(&classify_image(input), want, "input {input:?}");
        }
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("foo4%25foo1@bar.net"), "foo4%foo1@bar.net");
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
