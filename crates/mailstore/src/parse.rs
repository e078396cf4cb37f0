//! Everything the index derives from a message file, computed once.
//!
//! Parsing is liberal: a message that `mail-parser` cannot make sense of is
//! still indexed, with whatever fields could be read and its size.

use mail_parser::{Address, HeaderValue, MessageParser, MimeHeaders, PartType};

use crate::maildir::count_bare_lf;

/// Bytes of decoded text fed to the full-text index per message.
const MAX_BODY_TEXT: usize = 256 * 1024;
/// Text attachments larger than this are not indexed.
const MAX_TEXT_ATTACHMENT: usize = 1024 * 1024;
/// Characters in a list snippet.
const SNIPPET_CHARS: usize = 200;

/// The derived fields of one message.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Parsed {
    pub date: Option<i64>,
    pub from_name: String,
    pub from_addr: String,
    pub to: String,
    pub to_sort: String,
    pub cc: String,
    pub subject: String,
    pub subject_sort: String,
    /// Whether the subject had a reply/forward prefix (for thread fallback).
    pub is_reply: bool,
    pub message_id: String,
    pub in_reply_to: String,
    pub references: Vec<String>,
    pub size: i64,
    pub vsize: i64,
    pub has_attachment: bool,
    /// 1 (highest) to 5 (lowest); 3 is normal.
    pub priority: i64,
    pub mdn_to: String,
    pub snippet: String,
    /// Decoded text of the bodies and small text attachments.
    pub body: String,
}

impl Parsed {
    pub fn sender_sort_key(&self) -> String {
        if self.from_name.is_empty() {
            self.from_addr.to_lowercase()
        } else {
            self.from_name.to_lowercase()
        }
    }
}

fn addr_list(addr: Option<&Address<'_>>) -> Vec<(String, String)> {
    addr.map(|a| {
        a.iter()
            .map(|x| {
                (
                    x.name().unwrap_or("").trim().to_string(),
                    x.address().unwrap_or("").trim().to_string(),
                )
            })
            .collect()
    })
    .unwrap_or_default()
}

fn display(list: &[(String, String)]) -> String {
    list.iter()
        .map(|(n, a)| match (n.is_empty(), a.is_empty()) {
            (true, _) => a.clone(),
            (false, true) => n.clone(),
            (false, false) => format!("{n} <{a}>"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn ids(v: &HeaderValue<'_>) -> Vec<String> {
    match v {
        HeaderValue::Text(t) => vec![t.trim().to_string()],
        HeaderValue::TextList(l) => l.iter().map(|t| t.trim().to_string()).collect(),
        _ => Vec::new(),
    }
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect()
}

fn collapse_ws(s: &str, max_chars: usize) -> String {
    let mut out = String::new();
    let mut n = 0;
    for word in s.split_whitespace() {
        if n >= max_chars {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
            n += 1;
        }
        for c in word.chars() {
            if n >= max_chars {
                break;
            }
            out.push(c);
            n += 1;
        }
    }
    out
}

fn priority(msg: &mail_parser::Message<'_>) -> i64 {
    if let Some(p) = msg.header_raw("X-Priority")
        && let Some(d) = p.trim().chars().next().and_then(|c| c.to_digit(10))
        && (1..=5).contains(&d)
    {
        return i64::from(d);
    }
    for name in ["Importance", "Priority"] {
        if let Some(v) = msg.header_raw(name) {
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

/// Whether a subject had a reply or forward prefix, given its sort key.
pub(crate) fn is_reply(subject: &str, subject_sort: &str) -> bool {
    !subject.is_empty() && subject.trim().to_lowercase() != subject_sort
}

/// The header block, if it is not valid UTF-8, decoded as Windows-1252 (what
/// raw 8-bit headers from old clients nearly always are), followed by the
/// untouched body.
fn repair_8bit_headers(raw: &[u8]) -> Option<Vec<u8>> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n"))
        .unwrap_or(raw.len());
    let head = &raw[..end];
    if std::str::from_utf8(head).is_ok() {
        return None;
    }
    let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(head);
    let mut out = text.into_owned().into_bytes();
    out.extend_from_slice(&raw[end..]);
    Some(out)
}

/// Parses a raw message. Never panics on input, never fails.
pub(crate) fn parse(raw: &[u8]) -> Parsed {
    match repair_8bit_headers(raw) {
        Some(fixed) => Parsed {
            size: raw.len() as i64,
            vsize: (raw.len() + count_bare_lf(raw)) as i64,
            ..parse_inner(&fixed)
        },
        None => parse_inner(raw),
    }
}

fn parse_inner(raw: &[u8]) -> Parsed {
    let mut p = Parsed {
        size: raw.len() as i64,
        vsize: (raw.len() + count_bare_lf(raw)) as i64,
        priority: 3,
        ..Parsed::default()
    };
    let Some(msg) = MessageParser::default().parse(raw) else {
        p.snippet = collapse_ws(
            &String::from_utf8_lossy(&raw[..raw.len().min(4096)]),
            SNIPPET_CHARS,
        );
        return p;
    };
    p.date = msg
        .date()
        .filter(|d| d.is_valid())
        .map(|d| d.to_timestamp());
    let from = addr_list(msg.from().or_else(|| msg.sender()));
    if let Some((n, a)) = from.first() {
        p.from_name = n.clone();
        p.from_addr = a.clone();
    }
    let to = addr_list(msg.to());
    p.to = display(&to);
    p.to_sort = to
        .first()
        .map(|(n, a)| if n.is_empty() { a } else { n }.to_lowercase())
        .unwrap_or_default();
    p.cc = display(&addr_list(msg.cc()));
    p.subject = msg.subject().unwrap_or("").trim().to_string();
    p.subject_sort = msg.thread_name().unwrap_or("").trim().to_lowercase();
    p.is_reply = is_reply(&p.subject, &p.subject_sort);
    p.message_id = msg.message_id().unwrap_or("").trim().to_string();
    p.in_reply_to = ids(msg.in_reply_to())
        .into_iter()
        .next()
        .unwrap_or_default();
    p.references = ids(msg.references());
    if let Some(v) = msg.header_raw("Disposition-Notification-To") {
        p.mdn_to = v.trim().to_string();
    }
    p.priority = priority(&msg);

    let mut body = String::new();
    for (i, part) in msg.text_bodies().enumerate() {
        let text = match &part.body {
            PartType::Text(t) => t.to_string(),
            PartType::Html(_) => msg.body_text(i).map(|c| c.into_owned()).unwrap_or_default(),
            _ => continue,
        };
        push_capped(&mut body, &text);
    }
    if body.is_empty() {
        // HTML-only messages: mail-parser's text rendering of the HTML part.
        if let Some(t) = msg.body_text(0) {
            push_capped(&mut body, &t);
        }
    }
    p.snippet = collapse_ws(&body, SNIPPET_CHARS);
    for part in msg.attachments() {
        let inline_image = part.content_id().is_some()
            && part
                .content_disposition()
                .is_none_or(|d| !d.is_attachment());
        let is_text_body_part = matches!(part.body, PartType::Text(_) | PartType::Html(_))
            && part.content_disposition().is_none_or(|d| d.is_inline())
            && part.attachment_name().is_none();
        if !inline_image && !is_text_body_part {
            p.has_attachment = true;
        }
        if let PartType::Text(t) = &part.body
            && t.len() <= MAX_TEXT_ATTACHMENT
        {
            push_capped(&mut body, t);
        }
    }
    p.body = body;
    p
}

fn push_capped(body: &mut String, text: &str) {
    if body.len() >= MAX_BODY_TEXT {
        return;
    }
    if !body.is_empty() {
        body.push('\n');
    }
    let room = MAX_BODY_TEXT - body.len();
    if text.len() <= room {
        body.push_str(text);
    } else {
        let mut end = room;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        body.push_str(&text[..end]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields() {
        let raw = b"From: =?iso-8859-1?q?J=F6rg?= <jorg@example.org>\r\n\
To: Ann <ann@example.com>, bob@example.com\r\n\
Subject: Re: [list] Hello\r\n\
Date: Tue, 1 Jul 2003 10:52:37 +0200\r\n\
Message-ID: <m1@example.org>\r\n\
In-Reply-To: <m0@example.org>\r\n\
References: <a@x> <m0@example.org>\r\n\
X-Priority: 1 (Highest)\r\n\
Disposition-Notification-To: jorg@example.org\r\n\
\r\n\
Hello   there\r\nworld\r\n";
        let p = parse(raw);
        assert_eq!(p.from_name, "Jörg");
        assert_eq!(p.from_addr, "jorg@example.org");
        assert_eq!(p.to, "Ann <ann@example.com>, bob@example.com");
        assert_eq!(p.to_sort, "ann");
        assert_eq!(p.subject, "Re: [list] Hello");
        assert!(p.is_reply);
        assert_eq!(p.message_id, "m1@example.org");
        assert_eq!(p.in_reply_to, "m0@example.org");
        assert_eq!(p.references, vec!["a@x", "m0@example.org"]);
        assert_eq!(p.date, Some(1057049557));
        assert_eq!(p.priority, 1);
        assert_eq!(p.mdn_to, "jorg@example.org");
        assert_eq!(p.snippet, "Hello there world");
        assert_eq!(p.size, raw.len() as i64);
        assert_eq!(p.vsize, raw.len() as i64);
        assert!(!p.has_attachment);
    }

    #[test]
    fn garbage_never_panics() {
        for raw in [
            &b""[..],
            b"\0\0\0",
            b"Subject: x",
            b"\xff\xfe\r\n\r\n\xff",
            b"--\r\n--",
        ] {
            let p = parse(raw);
            assert_eq!(p.size, raw.len() as i64);
        }
    }
}
