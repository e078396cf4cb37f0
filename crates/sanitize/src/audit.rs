//! An independent check of sanitised output, for tests and for anyone who
//! wants to assert that some HTML is inert before showing it.
//!
//! It does not share code with the sanitizer: it tokenises the output the
//! way a browser would (tags, quoted attributes, comments) and reports every
//! element, attribute or value that could run script, submit data or load a
//! remote resource.

/// Elements that must never appear in sanitised output.
const FORBIDDEN_TAGS: &[&str] = &[
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "form",
    "input",
    "button",
    "select",
    "textarea",
    "base",
    "meta",
    "link",
    "svg",
    "math",
    "template",
    "audio",
    "video",
    "source",
    "track",
    "noscript",
    "animate",
    "set",
    "feimage",
    "image",
    "use",
    "foreignobject",
    "portal",
    "isindex",
    "xml",
    "import",
];

/// Attributes that load or submit something and are never kept.
const FORBIDDEN_ATTRIBUTES: &[&str] = &[
    "srcset",
    "background",
    "poster",
    "action",
    "formaction",
    "data",
    "xlink:href",
    "lowsrc",
    "dynsrc",
    "ping",
    "manifest",
    "codebase",
    "archive",
    "longdesc",
    "usemap",
    "http-equiv",
    "srcdoc",
    "is",
];

/// Substrings never allowed in a `style` value (compared lower-case).
/// `url(` is judged apart: see [`style_urls_ok`].
const FORBIDDEN_STYLE: &[&str] = &[
    "expression",
    "@import",
    "javascript:",
    "behavior",
    "-moz-binding",
    "position",
    "\\",
];

/// Every problem found in `html`, as readable descriptions; empty when the
/// HTML is inert. With `remote_images_allowed`, `http(s)` image sources
/// are accepted.
pub fn violations(html: &str, remote_images_allowed: bool) -> Vec<String> {
    let mut found = Vec::new();
    for tag in tags(html) {
        if FORBIDDEN_TAGS.contains(&tag.name.as_str()) {
            found.push(format!("element <{}>", tag.name));
        }
        for (name, value) in &tag.attrs {
            let lower = value.trim().to_ascii_lowercase();
            let compact: String = lower
                .chars()
                .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
                .collect();
            if name.starts_with("on") {
                found.push(format!("event handler {name} on <{}>", tag.name));
            }
            if FORBIDDEN_ATTRIBUTES.contains(&name.as_str()) {
                found.push(format!("attribute {name} on <{}>", tag.name));
            }
            if ["javascript:", "vbscript:", "livescript:"]
                .iter()
                .any(|s| compact.starts_with(s))
            {
                found.push(format!("script URL in {name} on <{}>", tag.name));
            }
            match name.as_str() {
                "href" => {
                    let ok = ["http://", "https://", "mailto:"]
                        .iter()
                        .any(|s| compact.starts_with(s));
                    if !ok {
                        found.push(format!("href {value:?} on <{}>", tag.name));
                    }
                }
                "src" => {
                    let remote = compact.starts_with("http:")
                        || compact.starts_with("https:")
                        || compact.starts_with("//");
                    if compact.starts_with("data:")
                        && !["png", "gif", "jpeg", "jpg", "webp"]
                            .iter()
                            .any(|t| compact.starts_with(&format!("data:image/{t};base64,")))
                    {
                        found.push(format!("data src on <{}>", tag.name));
                    }
                    if remote && !remote_images_allowed {
                        found.push(format!("remote src {value:?} on <{}>", tag.name));
                    }
                    if tag.name != "img" {
                        found.push(format!("src on <{}>", tag.name));
                    }
                }
                "style" => {
                    for bad in FORBIDDEN_STYLE {
                        if lower.contains(bad) {
                            found.push(format!("style containing {bad:?} on <{}>", tag.name));
                        }
                    }
                    if !style_urls_ok(&lower, remote_images_allowed) {
                        found.push(format!("style loading {value:?} on <{}>", tag.name));
                    }
                }
                _ => {}
            }
        }
    }
    found
}

/// Whether every `url(` of a (lower-case) style value is a background
/// image the sanitizer may write: `background-image: url("…")` of a raster
/// `data:` image, or of an `http(s)` image when remote images are allowed.
fn style_urls_ok(style: &str, remote_images_allowed: bool) -> bool {
    let style = style.replace("&quot;", "\"");
    let mut rest = style.as_str();
    while let Some(i) = rest.find("url(") {
        if !rest[..i].trim_end().ends_with("background-image:") {
            return false;
        }
        let Some(quoted) = rest[i + 4..].strip_prefix('"') else {
            return false;
        };
        let Some(end) = quoted.find('"') else {
            return false;
        };
        let url = &quoted[..end];
        let raster = ["png", "gif", "jpeg", "jpg", "webp"]
            .iter()
            .any(|t| url.starts_with(&format!("data:image/{t};base64,")));
        let remote = url.starts_with("http://") || url.starts_with("https://");
        if !(raster || (remote && remote_images_allowed)) || url.contains(['\\', '\'']) {
            return false;
        }
        rest = &quoted[end + 1..];
    }
    true
}

/// A start tag, as a browser would tokenise it.
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
}

fn tags(html: &str) -> Vec<Tag> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        if html[i..].starts_with("<!--") {
            i = html[i + 4..].find("-->").map_or(b.len(), |p| i + 4 + p + 3);
            continue;
        }
        let Some(&next) = b.get(i + 1) else { break };
        if next == b'/' || next == b'!' || next == b'?' {
            i = html[i..].find('>').map_or(b.len(), |p| i + p + 1);
            continue;
        }
        if !next.is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let (tag, end) = parse_tag(html, i + 1);
        out.push(tag);
        i = end;
    }
    out
}

/// Parses a start tag whose name begins at `start`; returns it and the
/// offset after its `>`.
fn parse_tag(html: &str, start: usize) -> (Tag, usize) {
    let b = html.as_bytes();
    let is_space = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c');
    let mut i = start;
    while i < b.len() && !is_space(b[i]) && b[i] != b'>' && b[i] != b'/' {
        i += 1;
    }
    let name = html[start..i].to_ascii_lowercase();
    let mut attrs = Vec::new();
    loop {
        while i < b.len() && (is_space(b[i]) || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        if b[i] == b'>' {
            i += 1;
            break;
        }
        let name_start = i;
        i += 1;
        while i < b.len() && !is_space(b[i]) && !matches!(b[i], b'>' | b'/' | b'=') {
            i += 1;
        }
        let attr_name = html[name_start..i].to_ascii_lowercase();
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && is_space(b[i]) {
                i += 1;
            }
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                let v_start = i + 1;
                let v_end = html[v_start..]
                    .find(q as char)
                    .map_or(b.len(), |p| v_start + p);
                value = decode_entities(&html[v_start..v_end]);
                i = (v_end + 1).min(b.len());
            } else {
                let v_start = i;
                while i < b.len() && !is_space(b[i]) && b[i] != b'>' {
                    i += 1;
                }
                value = decode_entities(&html[v_start..i]);
            }
        }
        attrs.push((attr_name, value));
    }
    (Tag { name, attrs }, i)
}

/// Decodes the character references a serializer writes, plus numeric ones.
fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        let end = rest.find(';').filter(|&e| e <= 12);
        let decoded = end.and_then(|e| {
            let ent = &rest[1..e];
            match ent {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                "colon" => Some(':'),
                "Tab" => Some('\t'),
                "NewLine" => Some('\n'),
                _ => ent
                    .strip_prefix("#x")
                    .or_else(|| ent.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| ent.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            }
        });
        match (decoded, end) {
            (Some(c), Some(e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::violations;

    #[test]
    fn table() {
        let cases: &[(&str, &str, usize)] = &[
            (
                "clean",
                "<p style=\"color: red\">hi <a href=\"https://e.com/\">x</a></p>",
                0,
            ),
            ("script", "<script>alert(1)</script>", 1),
            ("handler", "<img onerror=alert(1)>", 1),
            (
                "handler after quoted gt",
                "<b title=\"a>b\" onclick=\"x\">",
                1,
            ),
            ("js href", "<a href=\"java&#x09;script:alert(1)\">", 2),
            ("relative href", "<a href=\"/x\">", 1),
            ("remote img", "<img src=\"https://e.com/a.png\">", 1),
            ("proto-relative img", "<img src=//e.com/a.png>", 1),
            ("style url", "<div style=\"background: url(x)\">", 1),
            (
                "text mentioning script",
                "&lt;script&gt; javascript:alert(1)",
                0,
            ),
            ("comment", "<!-- <script> -->", 0),
            ("svg data", "<img src=\"data:image/svg+xml;base64,AA\">", 1),
        ];
        for (name, html, n) in cases {
            assert_eq!(
                violations(html, false).len(),
                *n,
                "case {name}: {:?}",
                violations(html, false)
            );
        }
        assert!(violations("<img src=\"https://e.com/a.png\">", true).is_empty());
        // As the sanitizer writes it: the quotes of url() as entities.
        let bg = "<td style=\"background-image: url(&quot;https://e.com/a.png&quot;)\">";
        assert_eq!(violations(bg, false).len(), 1);
        assert!(violations(bg, true).is_empty());
        for bad in [
            "<td style='color: url(\"https://e.com/a.png\")'>",
            "<td style='background-image: url(https://e.com/a.png)'>",
            "<td style='background-image: url(\"javascript:x\")'>",
        ] {
            assert!(!violations(bad, true).is_empty(), "{bad}");
        }
    }
}
