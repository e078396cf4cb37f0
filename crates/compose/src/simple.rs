//! Simple formatting for the basic interface's text area: a few marks that
//! people type in plain mail anyway, turned into HTML when sending.
//!
//! - `*bold*` and `_italic_` around words;
//! - lines starting `- ` or `* ` make a bulleted list, `1. ` a numbered one;
//! - lines starting `> ` make a quote;
//! - a blank line starts a new paragraph; `http(s)://` addresses become links.
//!
//! Everything is escaped first, so the output can contain no markup but
//! what these rules produce.

use crate::encode::escape_html;

/// The HTML for `text` written with simple marks.
pub fn to_html(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let lines: Vec<&str> = text.split('\n').collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.trim().is_empty() {
            i += 1;
            continue;
        }
        let kind = block_kind(line);
        let mut block = Vec::new();
        while i < lines.len() && !lines[i].trim().is_empty() && block_kind(lines[i]) == kind {
            block.push(strip_mark(lines[i], kind));
            i += 1;
        }
        match kind {
            Block::Bullet | Block::Number => {
                let tag = if kind == Block::Bullet { "ul" } else { "ol" };
                out.push_str(&format!("<{tag}>"));
                for item in block {
                    out.push_str("<li>");
                    out.push_str(&inline(item));
                    out.push_str("</li>");
                }
                out.push_str(&format!("</{tag}>"));
            }
            Block::Quote => {
                out.push_str("<blockquote type=\"cite\">");
                out.push_str(&to_html(&block.join("\n")));
                out.push_str("</blockquote>");
            }
            Block::Para => {
                out.push_str("<p>");
                let inner: Vec<String> = block.into_iter().map(inline).collect();
                out.push_str(&inner.join("<br>"));
                out.push_str("</p>");
            }
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Block {
    Para,
    Bullet,
    Number,
    Quote,
}

fn block_kind(line: &str) -> Block {
    let t = line.trim_start();
    if t.starts_with("- ") || t.starts_with("* ") {
        Block::Bullet
    } else if t.starts_with('>') {
        Block::Quote
    } else if let Some((n, rest)) = t.split_once(". ") {
        if !n.is_empty()
            && n.len() <= 3
            && n.bytes().all(|b| b.is_ascii_digit())
            && !rest.is_empty()
        {
            Block::Number
        } else {
            Block::Para
        }
    } else {
        Block::Para
    }
}

fn strip_mark(line: &str, kind: Block) -> &str {
    let t = line.trim_start();
    match kind {
        Block::Bullet => &t[2..],
        Block::Number => t.split_once(". ").map(|(_, r)| r).unwrap_or(t),
        Block::Quote => t[1..].strip_prefix(' ').unwrap_or(&t[1..]),
        Block::Para => line,
    }
}

/// Escapes a line and applies `*bold*`, `_italic_` and links.
fn inline(line: &str) -> String {
    let mut out = String::new();
    for (i, word) in line.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&word_html(word));
    }
    out
}

fn word_html(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        let end = word.trim_end_matches(['.', ',', ')', ';', ':', '!', '?']);
        let tail = &word[end.len()..];
        let href = escape_html(end);
        return format!("<a href=\"{href}\">{href}</a>{}", escape_html(tail));
    }
    for (mark, tag) in [('*', "strong"), ('_', "em")] {
        let core = word.trim_end_matches(['.', ',', ';', ':', '!', '?']);
        let tail = &word[core.len()..];
        if core.len() > 2 && core.starts_with(mark) && core.ends_with(mark) {
            let inner = &core[1..core.len() - 1];
            if !inner.contains(mark) {
                return format!("<{tag}>{}</{tag}>{}", escape_html(inner), escape_html(tail));
            }
        }
    }
    escape_html(word)
}

#[cfg(test)]
mod tests {
    use super::to_html;

    #[test]
    fn marks_table() {
        let cases = [
            ("Hello", "<p>Hello</p>"),
            ("one\ntwo\n\nthree", "<p>one<br>two</p><p>three</p>"),
            (
                "*bold* and _it_.",
                "<p><strong>bold</strong> and <em>it</em>.</p>",
            ),
            ("- a\n- b", "<ul><li>a</li><li>b</li></ul>"),
            ("1. a\n2. b", "<ol><li>a</li><li>b</li></ol>"),
            (
                "> quoted\n> more",
                "<blockquote type=\"cite\"><p>quoted<br>more</p></blockquote>",
            ),
            (
                "see https://example.com/x?a=1&b=2.",
                "<p>see <a href=\"https://example.com/x?a=1&amp;b=2\">https://example.com/x?a=1&amp;b=2</a>.</p>",
            ),
            (
                "<script>alert(1)</script>",
                "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
            ),
            ("*<b>*", "<p><strong>&lt;b&gt;</strong></p>"),
            ("2024. was a year", "<p>2024. was a year</p>"),
            ("**", "<p>**</p>"),
            ("", ""),
            ("\r\n\r\n", ""),
            ("javascript:alert(1)", "<p>javascript:alert(1)</p>"),
        ];
        for (input, expected) in cases {
            assert_eq!(to_html(input), expected, "{input:?}");
        }
    }
}
