//! Blanking out HTML markup so that the words keep their byte offsets.
//!
//! This is not a sanitizer nor a full parser: it only has to find the text a
//! person typed in the compose editor. Tags, comments and character
//! references become spaces of the same byte length; the contents of
//! `<script>`, `<style>`, `<code>` and (when quoted text is skipped)
//! `<blockquote>` become spaces too. A word written with a character
//! reference in its middle (`caf&eacute;`) is therefore split; editors write
//! such characters as UTF-8, so this is rare.

/// `html` with everything that is not prose replaced by ASCII spaces, byte
/// for byte.
pub(crate) fn mask(html: &str, skip_quoted: bool) -> String {
    let bytes = html.as_bytes();
    let mut out = bytes.to_vec();
    // Depth of elements whose text is not checked.
    let mut skipped_depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'<' if bytes[i..].starts_with(b"<!--") => {
                let end = find(bytes, i + 4, b"-->").map_or(bytes.len(), |e| e + 3);
                blank(&mut out, i..end);
                i = end;
            }
            b'<' if bytes.get(i + 1).is_some_and(|&b| {
                b.is_ascii_alphabetic() || b == b'/' || b == b'!' || b == b'?'
            }) =>
            {
                let end = tag_end(bytes, i);
                let (name, closing, self_closing) = tag_name(&bytes[i..end]);
                blank(&mut out, i..end);
                i = end;
                if !closing && (name == "script" || name == "style") {
                    // Raw text up to the matching end tag.
                    let close = find_ci(bytes, i, format!("</{name}").as_bytes());
                    let stop = close.map_or(bytes.len(), |c| tag_end(bytes, c));
                    blank(&mut out, i..stop);
                    i = stop;
                } else if name == "code" || (skip_quoted && name == "blockquote") {
                    if closing {
                        skipped_depth = skipped_depth.saturating_sub(1);
                    } else if !self_closing {
                        skipped_depth += 1;
                    }
                }
            }
            b'&' if reference_end(bytes, i).is_some() => {
                let end = reference_end(bytes, i).map_or(i + 1, |e| e);
                blank(&mut out, i..end);
                i = end;
            }
            _ => {
                if skipped_depth > 0 {
                    out[i] = b' ';
                }
                i += 1;
            }
        }
    }
    // Only ASCII-delimited runs or every byte of a character were replaced by
    // spaces, so the result is still UTF-8; fall back to no text at all
    // rather than trusting a broken invariant.
    String::from_utf8(out).unwrap_or_else(|_| " ".repeat(html.len()))
}

fn blank(out: &mut [u8], range: std::ops::Range<usize>) {
    let end = range.end.min(out.len());
    for b in &mut out[range.start.min(end)..end] {
        *b = b' ';
    }
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn find_ci(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|p| p + from)
}

/// The index just after the `>` closing the tag that starts at `start`,
/// honouring quoted attribute values; the end of input if it never closes.
fn tag_end(bytes: &[u8], start: usize) -> usize {
    let mut quote = None;
    for (i, &b) in bytes.iter().enumerate().skip(start + 1) {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return i + 1,
            _ => {}
        }
    }
    bytes.len()
}

/// Lower-case name, whether it is an end tag, whether it is self-closing.
fn tag_name(tag: &[u8]) -> (String, bool, bool) {
    let closing = tag.get(1) == Some(&b'/');
    let name: String = tag
        .iter()
        .skip(if closing { 2 } else { 1 })
        .take_while(|b| b.is_ascii_alphanumeric())
        .map(|b| b.to_ascii_lowercase() as char)
        .collect();
    let self_closing = tag.ends_with(b"/>");
    (name, closing, self_closing)
}

/// The end of a character reference (`&amp;`, `&#233;`, `&#xE9;`) at
/// `start`, if there is one.
fn reference_end(bytes: &[u8], start: usize) -> Option<usize> {
    let body = bytes.get(start + 1..)?;
    let len = body
        .iter()
        .take(33)
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'#')
        .count();
    (len > 0 && body.get(len) == Some(&b';')).then_some(start + 1 + len + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_markup_keeping_offsets() {
        let cases: &[(&str, bool, &str)] = &[
            ("<p>Helo</p>", true, "   Helo    "),
            ("a&nbsp;b &amp; c", true, "a      b       c"),
            ("AT&T", true, "AT&T"),
            ("x < y", true, "x < y"),
            ("<!-- note -->hi", true, "             hi"),
            ("<a href=\"x>y\">link</a>", true, "              link    "),
            ("<script>var x</script>ok", true, "                      ok"),
            ("<STYLE>p{}</style>ok", true, "                  ok"),
            ("<code>fn x</code> ok", true, "                  ok"),
            (
                "hi<blockquote>old <b>text</b></blockquote>",
                true,
                "hi                                        ",
            ),
            (
                "hi<blockquote>old</blockquote>",
                false,
                "hi            old             ",
            ),
            (
                "<blockquote>é</blockquote>ü",
                true,
                "                           ü",
            ),
            ("<p unclosed", true, "           "),
            ("<br/>é<img src=x />", true, "     é             "),
        ];
        for (html, skip_quoted, expected) in cases {
            let masked = mask(html, *skip_quoted);
            assert_eq!(masked.len(), html.len(), "length for {html:?}");
            assert_eq!(&masked, expected, "html {html:?}");
        }
    }
}
