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
