//! Low-level encoders for outgoing messages: base64 and quoted-printable
//! bodies, RFC 2047 encoded words, RFC 2231 parameters, dates and ids.

use rand::Rng;

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Base64 of `data` without line breaks.
pub(crate) fn base64(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(B64[(n >> 18) as usize & 63] as char);
        out.push(B64[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            B64[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            B64[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

/// Base64 body lines of 76 characters, each ending in CRLF.
pub(crate) fn base64_body(data: &[u8]) -> String {
    let flat = base64(data);
    let mut out = String::with_capacity(flat.len() + flat.len() / 76 * 2 + 2);
    for line in flat.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push_str("\r\n");
    }
    out
}

/// Line endings of any kind (CRLF, LF, CR) as CRLF.
pub(crate) fn crlf(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 40);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\r\n");
            }
            '\n' => out.push_str("\r\n"),
            c => out.push(c),
        }
    }
    out
}

/// Bytes with bare LF or CR turned into CRLF (for embedded messages).
pub(crate) fn crlf_bytes(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 40);
    let mut i = 0;
    while i < data.len() {
        match data[i] {
            b'\r' => {
                out.extend_from_slice(b"\r\n");
                if data.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            b'\n' => out.extend_from_slice(b"\r\n"),
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// Quoted-printable (RFC 2045 §6.7) of UTF-8 text, lines at most 76
/// characters, CRLF line breaks.
pub(crate) fn quoted_printable(text: &str) -> String {
    let text = crlf(text);
    let mut out = String::with_capacity(text.len() + text.len() / 10);
    let lines: Vec<&str> = text.split("\r\n").collect();
    for (n, line) in lines.iter().enumerate() {
        let bytes = line.as_bytes();
        let mut col = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let last = i + 1 == bytes.len();
            let literal = (b == b' ' || b == b'\t') && !last
                || (33..=126).contains(&b) && b != b'=' && !(col == 0 && b == b'.');
            let piece = if literal {
                (b as char).to_string()
            } else {
                format!("={b:02X}")
            };
            if col + piece.len() > 75 {
                out.push_str("=\r\n");
                col = 0;
            }
            col += piece.len();
            out.push_str(&piece);
        }
        if n + 1 < lines.len() {
            out.push_str("\r\n");
        }
    }
    if !out.ends_with("\r\n") {
        out.push_str("\r\n");
    }
    out
}

/// Whether a header text needs RFC 2047 encoding.
fn needs_encoding(s: &str) -> bool {
    s.chars().any(|c| !c.is_ascii() || c.is_ascii_control()) || s.contains("=?")
}

/// `s` as one or more RFC 2047 `B` encoded words, separated by a space
/// (a folding point), each at most 75 characters.
fn encoded_words(s: &str) -> String {
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in s.chars() {
        if chunk.len() + c.len_utf8() > 39 {
            words.push(format!("=?utf-8?B?{}?=", base64(chunk.as_bytes())));
            chunk.clear();
        }
        chunk.push(c);
    }
    if !chunk.is_empty() || words.is_empty() {
        words.push(format!("=?utf-8?B?{}?=", base64(chunk.as_bytes())));
    }
    words.join(" ")
}

/// Unstructured header text (Subject): ASCII as is, else encoded words.
pub(crate) fn unstructured(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| if c == '\r' || c == '\n' { ' ' } else { c })
        .collect();
    if needs_encoding(&s) {
        encoded_words(&s)
    } else {
        s
    }
}

/// A display name as a phrase: plain atoms, a quoted string, or encoded
/// words.
pub(crate) fn phrase(name: &str) -> String {
    let name: String = name
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let name = name.trim();
    if needs_encoding(name) {
        return encoded_words(name);
    }
    let atom_ok =
        |c: char| c.is_ascii_alphanumeric() || c == ' ' || "!#$%&'*+-/=?^_`{|}~".contains(c);
    if name.chars().all(atom_ok) {
        name.to_string()
    } else {
        let escaped = name.replace('\\', "\\\\").replace('"', "\\\"");
        format!("\"{escaped}\"")
    }
}

/// A header line `Name: value` folded at spaces to about 78 columns.
pub(crate) fn header(name: &str, value: &str) -> String {
    let mut out = String::with_capacity(name.len() + value.len() + 8);
    out.push_str(name);
    out.push(':');
    let mut col = name.len() + 1;
    for (i, word) in value.split(' ').enumerate() {
        if i > 0 || !word.is_empty() {
            if col + 1 + word.len() > 78 && col > name.len() + 1 {
                out.push_str("\r\n");
                col = 0;
            }
            out.push(' ');
            out.push_str(word);
            col += 1 + word.len();
        }
    }
    out.push_str("\r\n");
    out
}

/// Whether a parameter value can be a plain RFC 2045 token.
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?=".contains(&b))
}

/// One MIME parameter `; name=value`, using RFC 2231 (`name*=utf-8''…`,
/// with continuations) when the value is not plain ASCII or is long.
pub(crate) fn param(name: &str, value: &str) -> String {
    let value: String = value.chars().filter(|c| !c.is_control()).collect();
    if value.is_ascii() && value.len() <= 60 {
        if is_token(&value) {
            return format!("; {name}={value}");
        }
        let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
        return format!("; {name}=\"{escaped}\"");
    }
    // One piece per character, so that no section splits a UTF-8 sequence
    // (readers decode each section on its own).
    let mut encoded = Vec::new();
    for c in value.chars() {
        let mut buf = [0u8; 4];
        let mut piece = String::new();
        for &b in c.encode_utf8(&mut buf).as_bytes() {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                piece.push(b as char);
            } else {
                piece.push_str(&format!("%{b:02X}"));
            }
        }
        encoded.push(piece);
    }
    let mut sections: Vec<String> = vec![String::new()];
    for piece in encoded {
        let cur = sections.last_mut().expect("never empty");
        if cur.len() + piece.len() > 50 {
            sections.push(piece);
        } else {
            cur.push_str(&piece);
        }
    }
    if sections.len() == 1 {
        return format!("; {name}*=utf-8''{}", sections[0]);
    }
    let mut out = String::new();
    for (i, s) in sections.iter().enumerate() {
        let prefix = if i == 0 { "utf-8''" } else { "" };
        out.push_str(&format!(";\r\n {name}*{i}*={prefix}{s}"));
    }
    out
}

/// A random hex string of `bytes` random bytes.
pub(crate) fn random_hex(bytes: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..bytes)
        .map(|_| format!("{:02x}", rng.r#gen::<u8>()))
        .collect()
}

/// An RFC 5322 date for `timestamp` at `offset_minutes` east of UTC.
pub(crate) fn rfc822_date(timestamp: i64, offset_minutes: i32) -> String {
    let offset = i64::from(offset_minutes.clamp(-23 * 60 - 59, 23 * 60 + 59)) * 60;
    mail_parser::DateTime::from_timestamp(timestamp)
        .to_timezone(offset)
        .to_rfc822()
}

/// A Message-ID (without angle brackets) for a message from `from`.
pub(crate) fn new_message_id(from: &str, timestamp: i64) -> String {
    let domain = from
        .rsplit_once('@')
        .map(|(_, d)| d)
        .filter(|d| {
            !d.is_empty()
                && d.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-[]:".contains(c))
        })
        .unwrap_or("localhost");
    format!("{}.{:x}@{domain}", random_hex(12), timestamp.max(0))
}

/// An id without its angle brackets and surrounding space; `None` when
/// nothing usable is left.
pub(crate) fn bare_id(id: &str) -> Option<String> {
    let id = id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    if id.is_empty()
        || id
            .chars()
            .any(|c| c.is_whitespace() || c == '<' || c == '>' || c.is_control())
    {
        None
    } else {
        Some(id.to_string())
    }
}

/// Text escaped for HTML element content and attribute values.
pub(crate) fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The header block of a raw message (up to and excluding the blank line).
pub(crate) fn header_block(raw: &[u8]) -> &[u8] {
    let mut i = 0;
    while i < raw.len() {
        if raw[i..].starts_with(b"\r\n\r\n") {
            return &raw[..i + 2];
        }
        if raw[i..].starts_with(b"\n\n") {
            return &raw[..i + 1];
        }
        i += 1;
    }
    raw
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected, "{input}");
        }
    }

    #[test]
    fn quoted_printable_table() {
        for (input, expected) in [
            ("hello", "hello\r\n"),
            ("a=b", "a=3Db\r\n"),
            ("trailing ", "trailing=20\r\n"),
            ("line1\nline2", "line1\r\nline2\r\n"),
            ("café", "caf=C3=A9\r\n"),
            (".\nx", "=2E\r\nx\r\n"),
        ] {
            assert_eq!(quoted_printable(input), expected, "{input:?}");
        }
        let long = "x".repeat(200);
        let qp = quoted_printable(&long);
        assert!(qp.split("\r\n").all(|l| l.len() <= 76), "{qp}");
    }

    #[test]
    fn phrase_table() {
        for (input, expected) in [
            ("Ann Smith", "Ann Smith"),
            ("Smith, Ann", "\"Smith, Ann\""),
            ("A \"B\" C", "\"A \\\"B\\\" C\""),
            ("José", "=?utf-8?B?Sm9zw6k=?="),
        ] {
            assert_eq!(phrase(input), expected, "{input}");
        }
    }

    #[test]
    fn bare_id_table() {
        for (input, expected) in [
            ("<a@b>", Some("a@b")),
            ("  a@b ", Some("a@b")),
            ("<>", None),
            ("a b@c", None),
        ] {
            assert_eq!(bare_id(input).as_deref(), expected, "{input}");
        }
    }
}
