//! Plain text to HTML: escape everything, make `http`, `https` and `mailto`
//! URLs into links, keep line breaks.

use crate::allow::LINK_REL;
use crate::url::{safe_url, strip_prefix_ignore_case};

const SCHEMES: &[&str] = &["https://", "http://", "mailto:"];

/// Characters trimmed from the end of a URL found in running text, where
/// they are nearly always sentence punctuation.
const TRAILING: &[char] = &[
    '.', ',', ';', ':', '!', '?', '\'', '"', ')', ']', '}', '*', '_',
];

/// Escapes `text` for HTML and turns `http:`, `https:` and `mailto:` URLs
/// into links (`rel="noopener noreferrer nofollow"`, `target="_blank"`).
///
/// The result is wrapped in `<pre class="mail-text">` with wrapping on, so
/// line breaks and indentation survive. No other scheme ever becomes a link:
/// `javascript:` and `data:` stay text.
pub fn text_to_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8 + 96);
    out.push_str(
        "<pre class=\"mail-text\" style=\"white-space: pre-wrap; overflow-wrap: anywhere\">",
    );
    let mut i = 0;
    let mut plain_start = 0;
    while i < text.len() {
        if let Some(len) = url_at(text, i) {
            let candidate = &text[i..i + len];
            if let Some(href) = safe_url(candidate) {
                escape_into(&mut out, &text[plain_start..i]);
                out.push_str("<a href=\"");
                escape_into(&mut out, &href);
                out.push_str("\" rel=\"");
                out.push_str(LINK_REL);
                out.push_str("\" target=\"_blank\">");
                escape_into(&mut out, candidate);
                out.push_str("</a>");
                i += len;
                plain_start = i;
                continue;
            }
        }
        i += text[i..].chars().next().map_or(1, char::len_utf8);
    }
    escape_into(&mut out, &text[plain_start..]);
    out.push_str("</pre>");
    out
}

/// Length of a URL starting at byte `i`, if one starts there at a word boundary.
fn url_at(text: &str, i: usize) -> Option<usize> {
    let rest = &text[i..];
    let scheme = SCHEMES
        .iter()
        .find(|s| strip_prefix_ignore_case(rest, s).is_some())?;
    if text[..i]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.' || c == '/')
    {
        return None;
    }
    let end = rest
        .find(|c: char| {
            c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '`' | '\u{FFFD}')
        })
        .unwrap_or(rest.len());
    let mut url = &rest[..end];
    while let Some(last) = url.chars().next_back() {
        let unbalanced_paren = last == ')' && url.matches('(').count() >= url.matches(')').count();
        if TRAILING.contains(&last) && !unbalanced_paren {
            url = &url[..url.len() - last.len_utf8()];
        } else {
            break;
        }
    }
    (url.len() > scheme.len()).then_some(url.len())
}

/// Appends `s` escaped for HTML text and attribute values. Carriage returns
/// and other control characters except tab and newline are dropped.
pub(crate) fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::text_to_html;

    fn inner(html: &str) -> &str {
        let start = html.find('>').map_or(0, |p| p + 1);
        &html[start..html.len() - "</pre>".len()]
    }

    #[test]
    fn table() {
        let a = |u: &str, t: &str| {
            format!(
                "<a href=\"{u}\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">{t}</a>"
            )
        };
        let cases: Vec<(&str, &str, String)> = vec![
            ("plain", "hello", "hello".into()),
            ("escapes", "<b>&\"'", "&lt;b&gt;&amp;&quot;&#39;".into()),
            ("newlines kept, CR dropped", "a\r\nb", "a\nb".into()),
            (
                "link",
                "see https://example.com/x.",
                format!(
                    "see {}.",
                    a("https://example.com/x", "https://example.com/x")
                ),
            ),
            (
                "link in parens",
                "(http://example.com/a)",
                format!("({})", a("http://example.com/a", "http://example.com/a")),
            ),
            (
                "wiki parens",
                "http://e.com/A_(b)",
                a("http://e.com/A_(b)", "http://e.com/A_(b)"),
            ),
            (
                "mailto",
                "mailto:ann@example.com",
                a("mailto:ann@example.com", "mailto:ann@example.com"),
            ),
            (
                "javascript stays text",
                "javascript:alert(1)",
                "javascript:alert(1)".into(),
            ),
            (
                "data stays text",
                "data:text/html,<script>",
                "data:text/html,&lt;script&gt;".into(),
            ),
            (
                "angle brackets end url",
                "<http://e.com/>",
                format!("&lt;{}&gt;", a("http://e.com/", "http://e.com/")),
            ),
            (
                "quote ends url",
                "http://e.com/\"onmouseover=\"alert(1)",
                format!(
                    "{}&quot;onmouseover=&quot;alert(1)",
                    a("http://e.com/", "http://e.com/")
                ),
            ),
            ("no scheme only", "http://", "http://".into()),
            (
                "mid-word not linked",
                "xhttp://e.com",
                "xhttp://e.com".into(),
            ),
            (
                "reference style",
                "[1]: javascript:alert(1)",
                "[1]: javascript:alert(1)".into(),
            ),
            (
                "ampersand in url",
                "http://e.com/?a=1&b=2",
                a("http://e.com/?a=1&amp;b=2", "http://e.com/?a=1&amp;b=2"),
            ),
            ("nul dropped", "a\0b", "ab".into()),
        ];
        for (name, input, want) in cases {
            assert_eq!(inner(&text_to_html(input)), want, "case {name}");
        }
    }
}
