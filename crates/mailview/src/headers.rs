//! Header decoding: the full list for "show all headers", addresses,
//! priority (RFC 2156 / common `X-Priority`) and read-receipt requests
//! (RFC 8098 `Disposition-Notification-To`).

use mail_parser::{HeaderName, HeaderValue, MessageParser};
use model::mail::Address;

/// Offset where the header block ends (before the blank line), or the
/// whole input when there is no body.
pub(crate) fn block_end(raw: &[u8]) -> usize {
    let crlf = raw.windows(4).position(|w| w == b"\r\n\r\n");
    let lf = raw.windows(2).position(|w| w == b"\n\n");
    match (crlf, lf) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b).unwrap_or(raw.len()),
    }
}

/// Every top-level header in order, RFC 2047 words decoded, folding undone.
pub(crate) fn decoded(data: &[u8]) -> Vec<(String, String)> {
    let end = block_end(data);
    let mut block = data[..end].to_vec();
    block.extend_from_slice(b"\r\n\r\n");
    // Every header parsed as unstructured text; naming one explicitly
    // switches off the parser's built-in per-header choices.
    let parser = MessageParser::new()
        .default_header_text()
        .header_text(HeaderName::Subject);
    let Some(msg) = parser.parse(&block[..]) else {
        return Vec::new();
    };
    msg.headers()
        .iter()
        .map(|h| {
            let value = match h.value() {
                HeaderValue::Text(t) => t.to_string(),
                HeaderValue::TextList(l) => l.join(", "),
                _ => String::new(),
            };
            (h.name().to_string(), unfold(&value))
        })
        .collect()
}

fn unfold(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' | '\n' => {
                while chars.peek().is_some_and(|c| matches!(c, '\r' | '\n')) {
                    chars.next();
                }
            }
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out.trim().to_string()
}

fn find<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// 1 (highest) to 5 (lowest), 3 when nothing says otherwise.
pub(crate) fn priority(headers: &[(String, String)]) -> u8 {
    if let Some(v) = find(headers, "X-Priority")
        && let Some(d) = v.trim().chars().next().and_then(|c| c.to_digit(10))
        && (1..=5).contains(&d)
    {
        return d as u8;
    }
    for name in ["Importance", "Priority", "X-MSMail-Priority"] {
        if let Some(v) = find(headers, name) {
            let v = v.trim().to_ascii_lowercase();
            if v.starts_with("high") || v.starts_with("urgent") {
                return 1;
            }
            if v.starts_with("low") || v.starts_with("non-urgent") {
                return 5;
            }
        }
    }
    3
}

/// The address a read receipt should go to, if one was asked for.
pub(crate) fn receipt_to(headers: &[(String, String)]) -> Option<String> {
    let v = find(headers, "Disposition-Notification-To")?.trim();
    let addr = match (v.rfind('<'), v.rfind('>')) {
        (Some(a), Some(b)) if a < b => &v[a + 1..b],
        _ => v,
    };
    let addr = addr.trim();
    (!addr.is_empty()).then(|| addr.to_string())
}

/// Addresses of a header, groups flattened.
pub(crate) fn addresses(addr: Option<&mail_parser::Address<'_>>) -> Vec<Address> {
    addr.map(|a| {
        a.iter()
            .map(|x| Address {
                name: x.name().unwrap_or_default().trim().to_string(),
                email: x.address().unwrap_or_default().trim().to_string(),
            })
            .filter(|a| !a.name.is_empty() || !a.email.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    type Headers<'a> = &'a [(&'a str, &'a str)];

    #[test]
    fn priority_table() {
        let cases: &[(Headers<'_>, u8)] = &[
            (&[], 3),
            (&[("X-Priority", "1 (Highest)")], 1),
            (&[("x-priority", "5")], 5),
            (&[("X-Priority", "9")], 3),
            (&[("Importance", "High")], 1),
            (&[("Importance", "low")], 5),
            (&[("Priority", "urgent")], 1),
            (&[("Priority", "non-urgent")], 5),
            (&[("X-MSMail-Priority", "High")], 1),
            (&[("X-Priority", "garbage"), ("Importance", "normal")], 3),
        ];
        for (headers, want) in cases {
            assert_eq!(priority(&h(headers)), *want, "{headers:?}");
        }
    }

    #[test]
    fn receipt_table() {
        let cases: &[(Headers<'_>, Option<&str>)] = &[
            (&[], None),
            (
                &[("Disposition-Notification-To", "Ann <ann@example.com>")],
                Some("ann@example.com"),
            ),
            (
                &[("disposition-notification-to", " bob@example.com ")],
                Some("bob@example.com"),
            ),
            (&[("Disposition-Notification-To", "<>")], None),
        ];
        for (headers, want) in cases {
            assert_eq!(receipt_to(&h(headers)).as_deref(), *want, "{headers:?}");
        }
    }

    #[test]
    fn decoded_headers_in_order() {
        let raw = b"Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\nFrom: =?iso-8859-1?q?J=F6rg?= <j@x.test>\r\nX-Long: a\r\n b\r\n\tc\r\nX-Empty:\r\n\r\nbody";
        assert_eq!(
            decoded(raw),
            h(&[
                ("Subject", "Grüße"),
                ("From", "Jörg <j@x.test>"),
                ("X-Long", "a b c"),
                ("X-Empty", ""),
            ])
        );
    }

    #[test]
    fn block_end_table() {
        assert_eq!(block_end(b"A: b\r\n\r\nbody"), 4);
        assert_eq!(block_end(b"A: b\n\nbody"), 4);
        assert_eq!(block_end(b"A: b"), 4);
        assert_eq!(block_end(b""), 0);
    }
}
