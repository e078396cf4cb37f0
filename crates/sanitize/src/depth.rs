//! A bound on how deeply elements nest, applied before parsing.
//!
//! The HTML tree builder looks down the stack of open elements for many
//! start tags (a `<div>` first closes any open `<p>` "in button scope"), so
//! each tag costs as much as the nesting is deep and a page of nested tags
//! costs the square: 40,000 nested `<div>`s (200 KB) took five seconds, a
//! hostile sender's way to burn the server. Browsers bound the depth their
//! parser builds (Blink: 512). This pass does the same on the raw text:
//! start tags past [`MAX_DEPTH`] open elements are dropped, with as many of
//! the end tags that follow, and their text is kept. It only removes tags,
//! so what it hands on is no more dangerous than its input, and the
//! sanitizer judges it like any other.

use std::borrow::Cow;

/// The most elements open at once that are kept.
pub(crate) const MAX_DEPTH: usize = 512;

/// Elements that never have an end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// `html` with start tags past `max` open elements removed (and the end
/// tags that would close them), or unchanged when it nests less deeply.
pub(crate) fn limit_depth(html: &str, max: usize) -> Cow<'_, str> {
    // Cheap case first: fewer tags than the limit cannot nest deeper.
    if html.bytes().filter(|&b| b == b'<').count() <= max {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut depth = 0usize;
    let mut dropped = 0usize;
    let mut changed = false;
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let tag = &rest[open..];
        let end = tag_end(tag);
        let whole = &tag[..end];
        match classify(whole) {
            Tag::Start => {
                if depth >= max {
                    dropped += 1;
                    changed = true;
                } else {
                    depth += 1;
                    out.push_str(whole);
                }
            }
            Tag::End => {
                if dropped > 0 {
                    dropped -= 1;
                    changed = true;
                } else {
                    depth = depth.saturating_sub(1);
                    out.push_str(whole);
                }
            }
            Tag::Other => out.push_str(whole),
        }
        rest = &tag[end..];
    }
    out.push_str(rest);
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(html)
    }
}

enum Tag {
    /// A start tag of an element that may hold others.
    Start,
    /// An end tag.
    End,
    /// A void or self-closed element, a comment, a doctype, or a `<` that
    /// starts no tag.
    Other,
}

/// The length of the tag starting at `s[0] == '<'`: through its `>`
/// (outside quotes), or through the end of a comment; 1 when `<` starts
/// no tag.
fn tag_end(s: &str) -> usize {
    if let Some(body) = s.strip_prefix("<!--") {
        return body.find("-->").map_or(s.len(), |i| 4 + i + 3);
    }
    let b = s.as_bytes();
    let starts_tag = b
        .get(1)
        .is_some_and(|&c| c.is_ascii_alphabetic() || c == b'/' || c == b'!' || c == b'?');
    if !starts_tag {
        return 1;
    }
    let mut quote: Option<u8> = None;
    for (i, &c) in b.iter().enumerate().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') if b[i - 1].is_ascii_whitespace() || b[i - 1] == b'=' => {
                quote = Some(c);
            }
            (None, b'>') => return i + 1,
            _ => {}
        }
    }
    s.len()
}

fn classify(tag: &str) -> Tag {
    let Some(inner) = tag.strip_prefix('<') else {
        return Tag::Other;
    };
    if let Some(name) = inner.strip_prefix('/') {
        return if name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            Tag::End
        } else {
            Tag::Other
        };
    }
    if !inner.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Tag::Other;
    }
    let name: String = inner
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    if VOID.contains(&name.as_str()) || tag.ends_with("/>") {
        Tag::Other
    } else {
        Tag::Start
    }
}

#[cfg(test)]
mod tests {
    use super::limit_depth;

    #[test]
    fn table() {
        // (name, input, max, output)
        let cases: &[(&str, &str, usize, &str)] = &[
            ("shallow", "<p>a <b>b</b></p>", 2, "<p>a <b>b</b></p>"),
            (
                "deep",
                "<div><div><div>x</div></div></div>",
                2,
                "<div><div>x</div></div>",
            ),
            (
                "text kept, siblings after",
                "<i><i><i>x</i>y</i>z</i><b>w</b>",
                2,
                "<i><i>xy</i>z</i><b>w</b>",
            ),
            (
                "void elements do not nest",
                "<br><br><br><p>x</p>",
                1,
                "<br><br><br><p>x</p>",
            ),
            ("self-closed", "<x/><y/><p>x</p>", 1, "<x/><y/><p>x</p>"),
            (
                "comments",
                "<!-- <div><div> --><p>x</p>",
                1,
                "<!-- <div><div> --><p>x</p>",
            ),
            (
                "quoted >",
                "<a title='<b>'><a title=\"x>y\">z</a></a>",
                1,
                "<a title='<b>'>z</a>",
            ),
            ("lone <", "a < b <3 <p>x</p>", 1, "a < b <3 <p>x</p>"),
            ("unclosed", "<div><div", 1, "<div>"),
        ];
        for (name, input, max, expected) in cases {
            assert_eq!(limit_depth(input, *max), *expected, "{name}");
        }
    }

    #[test]
    fn forty_thousand_nested_divs_are_cut_to_the_bound() {
        // Five seconds of parsing before the bound (see the module docs).
        let html = "<div>".repeat(40_000) + "x";
        let out = crate::email_html(&html, &crate::Policy::new());
        assert!(out.html.contains('x'));
        assert_eq!(out.html.matches("<div>").count(), super::MAX_DEPTH);
        let out = crate::compose_html(&html);
        assert_eq!(out.matches("<div>").count(), super::MAX_DEPTH);
    }
}
