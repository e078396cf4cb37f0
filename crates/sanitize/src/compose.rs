//! Cleaning HTML the user wrote in the rich-text editor before it is sent.
//!
//! The editor runs in the user's browser, so what it posts is as untrusted
//! as received mail: a crafted request, a paste from a hostile page or a
//! buggy extension can put anything in it. The same parser, URL checks and
//! CSS filter apply; the allow-list ([`crate::allow::COMPOSE_TAGS`]) is the
//! editor's formatting, and attribute values are held to the forms the
//! editor writes.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use crate::allow;
use crate::css::filter_style;
use crate::inline;
use crate::url::{ImageSource, classify_image, safe_url};

/// Longest `cid:` reference kept (RFC 5322 line length).
const MAX_CID_LEN: usize = 998;

/// Sanitises HTML written in the editor for sending.
///
/// Kept: bold, italic, underline and strike-through (`b`, `strong`, `i`,
/// `em`, `u`, `s`, `strike`, `del`), font size, face and colour (as `style`
/// or `<font size color face>`), paragraphs, `div`, `br`, headings, lists,
/// `blockquote` (with `type="cite"`), `pre` and `code`, simple tables, and
/// links to `http`, `https` and `mailto` addresses. Images keep only a
/// `cid:` source (an attached part) or an inline raster `data:` image: a
/// message must not fetch anything when it is opened. `style` goes through
/// the same declaration filter as received mail, `<style>` sheets (from
/// pasted documents) are inlined first, and scripts, forms, frames, event
/// handlers, classes and ids are removed.
///
/// Unlike [`crate::email_html`], links are left as written: no `target` or
/// `rel` is added to mail that others will read in their own clients.
///
/// ```
/// let html = sanitize::compose_html(
///     "<p onclick=x>Hi <b>Ann</b> <img src='https://t.test/p.gif'>\
///      <a href='javascript:alert(1)'>x</a><script>alert(1)</script></p>",
/// );
/// assert_eq!(html, "<p>Hi <b>Ann</b> <img><a>x</a></p>");
/// ```
pub fn compose_html(html: &str) -> String {
    let html = &crate::depth::limit_depth(html);
    let inlined = inline::inline_styles(html);
    let html = inlined.as_deref().unwrap_or(html);
    builder(true).clean(html).to_string()
}

/// Received HTML quoted in a reply or forward, cleaned as
/// [`compose_html`] cleans the editor's, except that `cid:` images go too:
/// they name parts of the received message, which the new one does not
/// carry.
///
/// ```
/// let html = sanitize::quote_html("<p>Hi<img src='cid:logo@x'><img src='data:image/png;base64,AA'></p>");
/// assert_eq!(html, "<p>Hi<img><img src=\"data:image/png;base64,AA\"></p>");
/// ```
pub fn quote_html(html: &str) -> String {
    let html = &crate::depth::limit_depth(html);
    let inlined = inline::inline_styles(html);
    let html = inlined.as_deref().unwrap_or(html);
    builder(false).clean(html).to_string()
}

fn builder(keep_cid: bool) -> ammonia::Builder<'static> {
    let mut tags = HashSet::new();
    let mut tag_attributes = HashMap::new();
    for (tag, attrs) in allow::COMPOSE_TAGS {
        tags.insert(*tag);
        tag_attributes.insert(*tag, attrs.iter().copied().collect::<HashSet<_>>());
    }
    let mut b = ammonia::Builder::empty();
    b.tags(tags)
        .tag_attributes(tag_attributes)
        .generic_attributes(allow::COMPOSE_GENERIC_ATTRIBUTES.iter().copied().collect())
        .clean_content_tags(allow::DROP_WITH_CONTENT.iter().copied().collect())
        .url_schemes(allow::URL_SCHEMES.iter().copied().collect())
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(None)
        .strip_comments(true)
        .attribute_filter(move |element, attribute, value| {
            filter_attribute(element, attribute, value, keep_cid)
        });
    b
}

fn filter_attribute<'u>(
    element: &str,
    attribute: &str,
    value: &'u str,
    keep_cid: bool,
) -> Option<Cow<'u, str>> {
    let v = value.trim();
    match (element, attribute) {
        (_, "style") => {
            let kept = filter_style(value);
            (!kept.is_empty()).then_some(Cow::Owned(kept))
        }
        ("a", "href") => safe_url(value).map(Cow::Owned),
        ("img", "src") => match classify_image(value) {
            ImageSource::Data(data) => Some(Cow::Owned(data)),
            ImageSource::Cid(cid) if keep_cid && cid_ok(&cid) => {
                Some(Cow::Owned(format!("cid:{cid}")))
            }
            _ => None,
        },
        ("blockquote", "type") => v
            .eq_ignore_ascii_case("cite")
            .then_some(Cow::Borrowed("cite")),
        _ if let Some(kept) = crate::attrs::presentational(element, attribute, value) => kept,
        (_, "title" | "alt" | "nowrap" | "reversed" | "scope") => Some(Cow::Borrowed(value)),
        _ => None,
    }
}

/// A Content-ID reference worth keeping: short, without spaces or controls.
fn cid_ok(cid: &str) -> bool {
    !cid.is_empty()
        && cid.len() <= MAX_CID_LEN
        && !cid
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '\''))
}

#[cfg(test)]
mod tests {
    use super::compose_html;
    use crate::audit;

    #[test]
    fn keeps_editor_formatting() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "inline formatting",
                "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><s>s</s><strike>k</strike><del>d</del>",
                "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><s>s</s><strike>k</strike><del>d</del>",
            ),
            (
                "font sizes and colours",
                "<font size=\"5\" color=\"#ff0000\" face=\"Georgia, serif\">x</font><span style=\"font-size: 18px; color: rgb(0, 128, 0)\">y</span>",
                "<font size=\"5\" color=\"#ff0000\" face=\"Georgia, serif\">x</font><span style=\"font-size: 18px; color: rgb(0, 128, 0)\">y</span>",
            ),
            (
                "relative font size",
                "<font size=\"+1\">x</font>",
                "<font size=\"+1\">x</font>",
            ),
            (
                "blocks",
                "<p>a</p><div>b<br>c</div><h2>h</h2><pre><code>x</code></pre><hr>",
                "<p>a</p><div>b<br>c</div><h2>h</h2><pre><code>x</code></pre><hr>",
            ),
            (
                "lists",
                "<ul><li>a</li></ul><ol start=\"3\" type=\"a\"><li value=\"5\">b</li></ol>",
                "<ul><li>a</li></ul><ol start=\"3\" type=\"a\"><li value=\"5\">b</li></ol>",
            ),
            (
                "quote",
                "<blockquote type=\"cite\">q</blockquote>",
                "<blockquote type=\"cite\">q</blockquote>",
            ),
            (
                "links left as written",
                "<a href=\"https://example.com/a?b=1&amp;c=2\">x</a><a href=\"mailto:ann@example.com\">m</a>",
                "<a href=\"https://example.com/a?b=1&amp;c=2\">x</a><a href=\"mailto:ann@example.com\">m</a>",
            ),
            (
                "cid and data images",
                "<img src=\"cid:part1@example.com\" alt=\"logo\" width=\"120\"><img src=\"data:image/png;base64,iVBORw0KGgo=\">",
                "<img src=\"cid:part1@example.com\" alt=\"logo\" width=\"120\"><img src=\"data:image/png;base64,iVBORw0KGgo=\">",
            ),
            (
                "alignment and direction",
                "<p align=\"center\" dir=\"rtl\" lang=\"he\">x</p>",
                "<p align=\"center\" dir=\"rtl\" lang=\"he\">x</p>",
            ),
            (
                "table from a signature",
                "<table cellpadding=\"0\" border=\"0\"><tr><td width=\"80\" style=\"padding: 4px\">x</td></tr></table>",
                "<table cellpadding=\"0\" border=\"0\"><tbody><tr><td width=\"80\" style=\"padding: 4px\">x</td></tr></tbody></table>",
            ),
            (
                "pasted word sheet inlined",
                "<style>p.MsoNormal { margin: 0; color: navy }</style><p class=\"MsoNormal\">x</p>",
                "<p style=\"margin: 0; color: navy\">x</p>",
            ),
        ];
        for (name, input, want) in cases {
            assert_eq!(compose_html(input), *want, "case {name}");
        }
    }

    #[test]
    fn removes_hostile_input() {
        // (name, input, exact output)
        let cases: &[(&str, &str, &str)] = &[
            ("script", "<p>a</p><script>alert(1)</script>", "<p>a</p>"),
            ("handler", "<b onmouseover=\"alert(1)\">x</b>", "<b>x</b>"),
            (
                "javascript link",
                "<a href=\"javascript:alert(1)\">x</a>",
                "<a>x</a>",
            ),
            (
                "entity-encoded javascript link",
                "<a href=\"&#106;avascript&#58;alert(1)\">x</a>",
                "<a>x</a>",
            ),
            (
                "data link",
                "<a href=\"data:text/html,<script>\">x</a>",
                "<a>x</a>",
            ),
            ("relative link", "<a href=\"/logout\">x</a>", "<a>x</a>"),
            (
                "remote image",
                "<img src=\"https://track.test/p.gif\">",
                "<img>",
            ),
            (
                "protocol-relative image",
                "<img src=\"//track.test/p.gif\">",
                "<img>",
            ),
            (
                "svg data image",
                "<img src=\"data:image/svg+xml;base64,PHN2Zz4=\">",
                "<img>",
            ),
            (
                "srcset",
                "<img srcset=\"https://track.test/a 1x\">",
                "<img>",
            ),
            (
                "cid with quote",
                "<img src=\"cid:a&quot;onerror=x\">",
                "<img>",
            ),
            (
                "style url",
                "<p style=\"background: url(https://track.test/a); color: red\">x</p>",
                "<p style=\"color: red\">x</p>",
            ),
            (
                "style expression",
                "<p style=\"width: expression(alert(1))\">x</p>",
                "<p>x</p>",
            ),
            (
                "style sheet import",
                "<style>@import url(https://t.test/a.css); p { behavior: url(x.htc); -moz-binding: url(x) }</style><p>x</p>",
                "<p>x</p>",
            ),
            (
                "iframe",
                "<iframe src=\"https://evil.test/\"></iframe>x",
                "x",
            ),
            (
                "form",
                "<form action=\"https://evil.test/\"><input name=p><button>Go</button></form>",
                "Go",
            ),
            ("object", "<object data=\"x.swf\"></object>x", "x"),
            ("base", "<base href=\"https://evil.test/\">x", "x"),
            (
                "meta refresh",
                "<meta http-equiv=refresh content=\"0;url=https://e.test/\">x",
                "x",
            ),
            (
                "svg",
                "<svg onload=alert(1)><script>alert(1)</script></svg>x",
                "x",
            ),
            ("class and id", "<p class=\"x\" id=\"y\">p</p>", "<p>p</p>"),
            (
                "blockquote type other",
                "<blockquote type=\"x\">q</blockquote>",
                "<blockquote>q</blockquote>",
            ),
            (
                "font size out of range",
                "<font size=\"99\" color=\"red;x:y\">x</font>",
                "<font>x</font>",
            ),
            (
                "font color with expression",
                "<font color=\"expression(alert(1))\" face=\"a;b\">x</font>",
                "<font>x</font>",
            ),
            ("bad width", "<td width=\"1;x\">", ""),
            (
                "bad dir",
                "<p dir=\"x\" align=\"javascript:\">x</p>",
                "<p>x</p>",
            ),
            ("comment", "a<!-- <script>alert(1)</script> -->b", "ab"),
            (
                "target and rel dropped",
                "<a href=\"https://e.test/\" target=\"_top\" rel=\"opener\">x</a>",
                "<a href=\"https://e.test/\">x</a>",
            ),
            (
                "noscript breakout",
                "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
                "<img>\"&gt;",
            ),
            ("dangling image", "<img src='https://track.test/?", ""),
        ];
        for (name, input, want) in cases {
            let out = compose_html(input);
            assert_eq!(out, *want, "case {name}");
            assert!(
                audit::violations(&out, false).is_empty(),
                "case {name}: {out}"
            );
        }
    }
}
