//! Filtering of `style` attribute values.
//!
//! A declaration survives only if its property is in
//! [`crate::allow::CSS_PROPERTIES`] and its value is plainly inert: no
//! escapes, comments, URLs or functions other than colours, and only the
//! characters ordinary values use. Anything doubtful is dropped whole rather
//! than repaired, so a browser can never read it differently from us.

use crate::allow::{CSS_DISPLAY_VALUES, CSS_FORBIDDEN, CSS_FUNCTIONS, CSS_PROPERTIES};

/// Longest style attribute looked at; longer ones are dropped.
pub(crate) const MAX_STYLE_LEN: usize = 16 * 1024;

/// The declarations of `style` that are safe to keep, re-serialised as
/// `name: value; name: value`. Empty when nothing is left.
pub(crate) fn filter_style(style: &str) -> String {
    let mut out = String::new();
    if style.len() > MAX_STYLE_LEN {
        return out;
    }
    for decl in split_declarations(style) {
        let Some((name, value)) = decl.split_once(':') else {
            continue;
        };
        let Some((name, value)) = filter_declaration(name, value) else {
            continue;
        };
        if !out.is_empty() {
            out.push_str("; ");
        }
        out.push_str(&name);
        out.push_str(": ");
        out.push_str(&value);
    }
    out
}

/// The declarations of `style` that are safe to keep, like [`filter_style`],
/// and besides them background images: a `background` or
/// `background-image` with one `url(…)` becomes `background-image:
/// url("…")` with the URL `image` returns for it, or loses its image when
/// `image` returns `None` (blocked, or not an image source at all); the rest
/// of a `background` shorthand is kept as `background` if it passes alone.
pub(crate) fn filter_style_with_images(
    style: &str,
    image: &dyn Fn(&str) -> Option<String>,
) -> String {
    let mut out = String::new();
    if style.len() > MAX_STYLE_LEN {
        return out;
    }
    let mut push = |name: &str, value: &str| {
        if !out.is_empty() {
            out.push_str("; ");
        }
        out.push_str(name);
        out.push_str(": ");
        out.push_str(value);
    };
    for decl in split_declarations(style) {
        let Some((name, value)) = decl.split_once(':') else {
            continue;
        };
        if let Some((url, rest)) = background_url(name, value) {
            // `!important` alone is no value to keep.
            let rest = rest.trim();
            let rest = if rest.eq_ignore_ascii_case("!important") {
                ""
            } else {
                rest
            };
            if !rest.is_empty()
                && let Some((name, value)) = filter_declaration("background", rest)
            {
                push(&name, &value);
            }
            if let Some(url) = image(&url).filter(|u| url_is_quotable(u)) {
                push("background-image", &format!("url(\"{url}\")"));
            }
            continue;
        }
        if let Some((name, value)) = filter_declaration(name, value) {
            push(&name, &value);
        }
    }
    out
}

/// One declaration as a `<style>` sheet or a `style` attribute is read
/// before inlining: what [`filter_declaration`] keeps, and a background
/// image split off as `background-image: url("…")` with its URL as written
/// (judged later, when the image policy is known, by
/// [`filter_style_with_images`]).
pub(crate) fn read_declaration(name: &str, value: &str) -> Vec<(String, String)> {
    match background_url(name, value) {
        Some((url, rest)) => {
            let mut out = Vec::new();
            if let Some(d) =
                filter_declaration("background", rest.trim()).filter(|_| !rest.trim().is_empty())
            {
                out.push(d);
            }
            if url_is_quotable(&url) {
                out.push(("background-image".to_owned(), format!("url(\"{url}\")")));
            }
            out
        }
        None => filter_declaration(name, value).into_iter().collect(),
    }
}

/// The URL of a `background` or `background-image` declaration holding
/// exactly one `url(…)` (quoted or not), and the value without it. `None`
/// for any other declaration, or a value with escapes, comments, a second
/// URL or another function around the URL.
fn background_url(name: &str, value: &str) -> Option<(String, String)> {
    let name = name.trim().to_ascii_lowercase();
    if name != "background" && name != "background-image" {
        return None;
    }
    let lower = value.to_ascii_lowercase();
    let start = lower.find("url(")?;
    if lower[start + 4..].contains("url(") || value.contains(['\\', '\n', '\r']) {
        return None;
    }
    if start > 0 && lower[..start].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '-') {
        // `image-url(`, `-webkit-url(`: not a plain url().
        return None;
    }
    let inner = &value[start + 4..];
    let (url, after) = match inner.trim_start().chars().next()? {
        q @ ('"' | '\'') => {
            let body = &inner.trim_start()[1..];
            let end = body.find(q)?;
            let after = body[end + 1..].trim_start().strip_prefix(')')?;
            (&body[..end], after)
        }
        _ => {
            let end = inner.find(')')?;
            let url = inner[..end].trim();
            if url.contains(['"', '\'', '(']) {
                return None;
            }
            (url, &inner[end + 1..])
        }
    };
    let rest = format!("{} {}", &value[..start], after)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if name == "background-image" && !rest.trim().is_empty() {
        return None;
    }
    Some((url.trim().to_owned(), rest))
}

/// Whether `url` can go inside `url("…")` as it is: nothing that ends the
/// string or the declaration, no escapes, printable and not too long.
/// (`;` may stay: inside the quotes it ends nothing, and `data:` URLs have
/// one. Their length is bounded where they are judged as images.)
fn url_is_quotable(url: &str) -> bool {
    !url.is_empty()
        && (url.len() <= 8 * 1024 || url.starts_with("data:"))
        && !url
            .chars()
            .any(|c| c.is_control() || matches!(c, '"' | '\\' | '\'' | '<' | '>' | '{' | '}'))
}

/// One declaration, if it is safe to keep: the property lower-case and the
/// value trimmed. The one judge of declarations, for `style` attributes and
/// for rules read from `<style>` sheets alike.
pub(crate) fn filter_declaration(name: &str, value: &str) -> Option<(String, String)> {
    let name = name.trim().to_ascii_lowercase();
    let value = value.trim();
    (CSS_PROPERTIES.contains(&name.as_str()) && value_is_safe(&name, value))
        .then(|| (name, value.to_string()))
}

/// Splits on `;` outside quotes and parentheses.
pub(crate) fn split_declarations(style: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut quote: Option<char> = None;
    let mut depth = 0usize;
    for (i, c) in style.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth = depth.saturating_sub(1),
            (None, ';') if depth == 0 => {
                parts.push(&style[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&style[start..]);
    parts
}

fn value_is_safe(name: &str, value: &str) -> bool {
    if value.is_empty() {
        return false;
    }
    let lower = value.to_lowercase();
    if CSS_FORBIDDEN.iter().any(|bad| lower.contains(bad)) {
        return false;
    }
    if !lower.chars().all(|c| {
        c.is_alphanumeric()
            || matches!(
                c,
                ' ' | '#' | '%' | '.' | ',' | '-' | '+' | '_' | '!' | '/' | '(' | ')' | '\'' | '"'
            )
    }) {
        return false;
    }
    if !quotes_balanced(&lower) || !functions_allowed(&lower) {
        return false;
    }
    if name == "display" {
        let v = lower.trim_end_matches("!important").trim();
        return CSS_DISPLAY_VALUES.contains(&v);
    }
    true
}

fn quotes_balanced(value: &str) -> bool {
    let mut quote: Option<char> = None;
    for c in value.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            _ => {}
        }
    }
    quote.is_none()
}

/// Every `(` must open one of [`CSS_FUNCTIONS`], and parentheses must pair.
fn functions_allowed(value: &str) -> bool {
    let bytes = value.as_bytes();
    let mut depth = 0i32;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'(' => {
                let ident_start = value[..i]
                    .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                    .map_or(0, |p| p + 1);
                if !CSS_FUNCTIONS.contains(&&value[ident_start..i]) || depth > 0 {
                    return false;
                }
                depth += 1;
            }
            b')' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

#[cfg(test)]
mod tests {
    use super::filter_style;

    #[test]
    fn background_images_follow_the_image_policy() {
        use super::filter_style_with_images;
        let allow = |u: &str| {
            (u.starts_with("https://") || u.starts_with("data:")).then(|| u.replace(' ', "%20"))
        };
        let block = |_: &str| None;
        // (name, style, with images allowed, with images blocked)
        let cases: &[(&str, &str, &str, &str)] = &[
            (
                "image",
                "background-image: url(https://n.test/bg.png)",
                "background-image: url(\"https://n.test/bg.png\")",
                "",
            ),
            (
                "quoted",
                "background-image: url('https://n.test/a b.png')",
                "background-image: url(\"https://n.test/a%20b.png\")",
                "",
            ),
            (
                "shorthand keeps the rest",
                "background: #fff url(\"https://n.test/bg.png\") no-repeat; color: red",
                "background: #fff no-repeat; background-image: url(\"https://n.test/bg.png\"); color: red",
                "background: #fff no-repeat; color: red",
            ),
            (
                "not http",
                "background-image: url(javascript:alert(1))",
                "",
                "",
            ),
            (
                "inline data image",
                "background-image: url(data:image/png;base64,AAAA)",
                "background-image: url(\"data:image/png;base64,AAAA\")",
                "",
            ),
            (
                "escapes",
                "background-image: url(https://n.test/\\22 x)",
                "",
                "",
            ),
            (
                "two urls",
                "background: url(https://a.test/1) , url(https://a.test/2)",
                "",
                "",
            ),
            (
                "a url breaking out of its quotes",
                "background-image: url(\"https://n.test/x\"); x: url(\"y\")",
                "background-image: url(\"https://n.test/x\")",
                "",
            ),
            (
                "another function",
                "background-image: image-url(https://n.test/x)",
                "",
                "",
            ),
            (
                "other properties untouched",
                "list-style-image: url(https://n.test/x)",
                "",
                "",
            ),
        ];
        for (name, style, allowed, blocked) in cases {
            assert_eq!(filter_style_with_images(style, &allow), *allowed, "{name}");
            assert_eq!(filter_style_with_images(style, &block), *blocked, "{name}");
        }
    }

    #[test]
    fn table() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "keeps colours",
                "color: red; background-color:#fff",
                "color: red; background-color: #fff",
            ),
            ("rgb function", "color: rgb(1, 2, 3)", "color: rgb(1, 2, 3)"),
            (
                "font family quoted",
                "font-family: 'Helvetica Neue', Arial",
                "font-family: 'Helvetica Neue', Arial",
            ),
            (
                "drops position",
                "position: fixed; top: 0; color: red",
                "color: red",
            ),
            ("drops url", "background: url(http://x/y.png) red", ""),
            (
                "drops background-image",
                "background-image: linear-gradient(red, blue)",
                "",
            ),
            ("drops expression", "width: expression(alert(1))", ""),
            (
                "drops escaped expression",
                "width: e\\78pression(alert(1))",
                "",
            ),
            ("drops comment split", "width: exp/**/ression(alert(1))", ""),
            ("drops import", "color: red; @import 'x.css'", "color: red"),
            ("drops behavior", "behavior: url(x.htc)", ""),
            ("drops binding", "-moz-binding: url(x.xml#x)", ""),
            ("drops javascript", "color: javascript:alert(1)", ""),
            ("drops unknown function", "width: calc(1px + attr(x))", ""),
            ("drops unbalanced quote", "font-family: 'abc", ""),
            ("display allowed", "display: none", "display: none"),
            ("display odd", "display: -webkit-box", ""),
            (
                "important",
                "color: red !important",
                "color: red !important",
            ),
            (
                "semicolon in quotes dropped whole",
                "font-family: 'a;b'; color: blue",
                "color: blue",
            ),
            ("no colon", "color red; margin: 0", "margin: 0"),
            ("upper-case name", "COLOR: Red", "color: Red"),
            ("empty", "", ""),
            ("entity", "color: &#x72;ed", ""),
            (
                "non-ascii font",
                "font-family: \"ＭＳ ゴシック\"",
                "font-family: \"ＭＳ ゴシック\"",
            ),
        ];
        for (name, input, want) in cases {
            assert_eq!(filter_style(input), *want, "case {name}");
        }
    }
}
