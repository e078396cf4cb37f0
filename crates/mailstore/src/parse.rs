//! Everything the index derives from a message file, computed once.
//!
//! Parsing is liberal: a message that `mail-parser` cannot make sense of is
//! still indexed, with whatever fields could be read and its size. Header
//! text is read as the reader (`mailview`) reads it, by the same (patched)
//! `mail-parser`: raw 8-bit text that is not UTF-8 as Windows-1252, raw
//! 8-bit bytes inside an encoded word in the word's charset.

use mail_parser::{Address, HeaderValue, MessageParser, MimeHeaders, PartType};

use crate::maildir::count_bare_lf;

/// Bytes of decoded body text fed to the full-text index per message.
const MAX_BODY_TEXT: usize = 256 * 1024;
/// Bytes of text fed to it per message with the text attachments: a CSV or
/// log attached is searchable to its end (up to this).
const MAX_INDEXED_TEXT: usize = 2 * 1024 * 1024;
/// Text attachments larger than this are not indexed.
const MAX_TEXT_ATTACHMENT: usize = 1024 * 1024;
/// Characters in a list snippet.
const SNIPPET_CHARS: usize = 200;
/// Characters kept of the subject, and of a display name or address: a
/// list line, not the whole header (which stays in the raw message). A
/// 5 MB Subject made every page of its folder 5 MB.
pub(crate) const MAX_SUBJECT_CHARS: usize = 300;
const MAX_NAME_CHARS: usize = 200;
const MAX_ADDRESS_CHARS: usize = 320;
/// Characters kept of the To and Cc lists.
const MAX_RECIPIENTS_CHARS: usize = 1000;
/// Longest Message-ID kept (a header line's limit), and how many
/// References.
const MAX_ID_CHARS: usize = 998;
const MAX_REFERENCES: usize = 100;

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

/// A header's value as text (`header_raw` would miss raw 8-bit values that
/// are not UTF-8).
fn header_text<'a>(msg: &'a mail_parser::Message<'_>, name: &'static str) -> Option<&'a str> {
    msg.header(name).and_then(|v| v.as_text())
}

fn priority(msg: &mail_parser::Message<'_>) -> i64 {
    if let Some(p) = header_text(msg, "X-Priority")
        && let Some(d) = p.trim().chars().next().and_then(|c| c.to_digit(10))
        && (1..=5).contains(&d)
    {
        return i64::from(d);
    }
    for name in ["Importance", "Priority"] {
        if let Some(v) = header_text(msg, name) {
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

/// Whether a subject had a reply or forward prefix ("Re:", "AW:", "Fwd:",
/// "[Fwd: …]"), given its sort key. Leading list tags ("[dev]") are not
/// prefixes: without them the subject equals its sort key.
pub(crate) fn is_reply(subject: &str, subject_sort: &str) -> bool {
    let mut rest = subject.trim();
    while let Some(tagged) = rest.strip_prefix('[')
        && let Some(end) = tagged.find(']')
        && !tagged[..end].contains(':')
    {
        rest = tagged[end + 1..].trim_start();
    }
    !rest.is_empty() && rest.to_lowercase() != subject_sort
}

/// Parses a raw message. Never panics on input, never fails.
pub(crate) fn parse(raw: &[u8]) -> Parsed {
    let mut p = Parsed {
        size: raw.len() as i64,
        vsize: (raw.len() + count_bare_lf(raw)) as i64,
        priority: 3,
        ..Parsed::default()
    };
    // Attachments that are not text are never read by the index: leaving
    // them encoded skips most of the decoding of a typical message.
    let Some(msg) = MessageParser::default()
        .without_decoding_binary()
        .parse(raw)
    else {
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
    if let Some(v) = header_text(&msg, "Disposition-Notification-To") {
        p.mdn_to = v.trim().to_string();
    }
    p.priority = priority(&msg);
    cut(&mut p.from_name, MAX_NAME_CHARS);
    cut(&mut p.from_addr, MAX_ADDRESS_CHARS);
    cut(&mut p.to, MAX_RECIPIENTS_CHARS);
    cut(&mut p.to_sort, MAX_NAME_CHARS);
    cut(&mut p.cc, MAX_RECIPIENTS_CHARS);
    cut(&mut p.subject, MAX_SUBJECT_CHARS);
    cut(&mut p.subject_sort, MAX_SUBJECT_CHARS);
    cut(&mut p.message_id, MAX_ID_CHARS);
    cut(&mut p.in_reply_to, MAX_ID_CHARS);
    cut(&mut p.mdn_to, MAX_ADDRESS_CHARS);
    if p.references.len() > MAX_REFERENCES {
        // The thread's root and the most recent ones matter.
        let tail = p
            .references
            .split_off(p.references.len() - (MAX_REFERENCES - 1));
        p.references.truncate(1);
        p.references.extend(tail);
    }
    for r in &mut p.references {
        cut(r, MAX_ID_CHARS);
    }

    let mut body = String::new();
    for (i, part) in msg.text_bodies().enumerate() {
        let text = match &part.body {
            PartType::Text(t) => t.to_string(),
            PartType::Html(_) => msg.body_text(i).map(|c| c.into_owned()).unwrap_or_default(),
            _ => continue,
        };
        push_capped(&mut body, &text, MAX_BODY_TEXT);
    }
    if body.is_empty() {
        // HTML-only messages: mail-parser's text rendering of the HTML part.
        if let Some(t) = msg.body_text(0) {
            push_capped(&mut body, &t, MAX_BODY_TEXT);
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
            push_capped(&mut body, t, MAX_INDEXED_TEXT);
        }
    }
    p.body = body;
    p
}

/// Cuts `s` to at most `max` characters, on a character boundary, marking
/// the cut with `…`.
fn cut(s: &mut String, max: usize) {
    if let Some((i, _)) = s.char_indices().nth(max) {
        let end = s[..i].char_indices().next_back().map_or(0, |(j, _)| j);
        s.truncate(end);
        s.push('…');
    }
}

fn push_capped(body: &mut String, text: &str, cap: usize) {
    if body.len() >= cap {
        return;
    }
    if !body.is_empty() {
        body.push('\n');
    }
    let room = cap - body.len();
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
    fn huge_headers_are_cut_for_the_index() {
        let subject = "é".repeat(5 * 1024 * 1024 / 2);
        let name = "N".repeat(10_000);
        let to: Vec<String> = (0..5000).map(|i| format!("user{i}@example.org")).collect();
        let refs: Vec<String> = (0..1000).map(|i| format!("<r{i}@x>")).collect();
        let raw = format!(
            "From: {name} <a@example.org>\r\nTo: {}\r\nSubject: {subject}\r\n\
             Message-ID: <{}@x>\r\nReferences: {}\r\n\r\nbody\r\n",
            to.join(", "),
            "i".repeat(5000),
            refs.join(" ")
        );
        let p = parse(raw.as_bytes());
        assert_eq!(p.subject.chars().count(), MAX_SUBJECT_CHARS);
        assert!(p.subject.starts_with("éé") && p.subject.ends_with('…'));
        assert!(p.from_name.chars().count() <= MAX_NAME_CHARS);
        assert_eq!(p.from_addr, "a@example.org");
        assert!(p.to.chars().count() <= MAX_RECIPIENTS_CHARS);
        assert!(p.to.starts_with("user0@example.org, user1@example.org"));
        assert!(p.message_id.chars().count() <= MAX_ID_CHARS);
        assert_eq!(p.references.len(), MAX_REFERENCES);
        assert_eq!(p.references[0], "r0@x");
        assert_eq!(p.references.last().map(String::as_str), Some("r999@x"));
        // Ordinary headers are left alone.
        let p = parse(b"From: Ann <ann@example.org>\r\nSubject: Hello\r\n\r\nx");
        assert_eq!((p.from_name.as_str(), p.subject.as_str()), ("Ann", "Hello"));
    }

    #[test]
    fn attachments_count_and_text_attachments_are_searchable_without_decoding_binary_ones() {
        let raw = "From: a@example.org\r\nSubject: files\r\n\
            Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
            Content-Type: text/plain\r\n\r\nsee attached\r\n--b\r\n\
            Content-Type: application/pdf; name=report.pdf\r\n\
            Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKc2VjcmV0d29yZA==\r\n--b\r\n\
            Content-Type: text/plain; name=notes.txt\r\n\
            Content-Disposition: attachment; filename=notes.txt\r\n\
            Content-Transfer-Encoding: base64\r\n\r\ncXVhcnRlcmx5IGZpZ3VyZXM=\r\n--b--\r\n";
        let p = parse(raw.as_bytes());
        assert!(p.has_attachment);
        assert!(p.body.contains("see attached"), "{:?}", p.body);
        // The text attachment is decoded and indexed...
        assert!(p.body.contains("quarterly figures"), "{:?}", p.body);
        // ...the PDF is neither decoded nor indexed as its encoded text.
        assert!(!p.body.contains("secretword") && !p.body.contains("JVBERi0"));
    }

    #[test]
    fn text_attachments_are_indexed_past_the_body_cap() {
        let filler = "lorem ipsum dolor\r\n".repeat(20_000); // 380 KB
        let raw = format!(
            "From: a@example.org\r\nSubject: data\r\n\
             Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
             Content-Type: text/plain\r\n\r\n{filler}bodyendmark\r\n--b\r\n\
             Content-Type: text/csv; name=data.csv\r\n\
             Content-Disposition: attachment; filename=data.csv\r\n\r\n\
             {filler}csvendmark\r\n--b--\r\n"
        );
        let p = parse(raw.as_bytes());
        // The body is cut at its cap; the attachment is read to its end.
        assert!(!p.body.contains("bodyendmark"));
        assert!(p.body.contains("csvendmark"), "{}", p.body.len());
        assert!(p.body.len() <= MAX_INDEXED_TEXT);
    }

    #[test]
    fn cutting_keeps_whole_characters() {
        for (input, max, expected) in [
            ("abc", 3, "abc"),
            ("abcd", 3, "ab…"),
            ("日本語テキスト", 4, "日本語…"),
            ("", 0, ""),
        ] {
            let mut s = input.to_owned();
            cut(&mut s, max);
            assert_eq!(s, expected, "{input}");
        }
    }

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

    /// (raw message, from address, subject, text the body must contain)
    type Shape<'a> = (&'a [u8], &'a str, &'a str, &'a str);

    fn check_shapes(cases: &[Shape<'_>]) {
        for (raw, from, subject, body) in cases {
            let p = parse(raw);
            let label = String::from_utf8_lossy(raw);
            assert_eq!(p.from_addr, *from, "{label}");
            assert_eq!(p.subject, *subject, "{label}");
            assert!(p.body.contains(body), "{label}: {:?}", p.body);
        }
    }

    /// Issue item 12: raw 8-bit inside a Q-encoded word is read in the
    /// word's charset; outside encoded words, as Windows-1252.
    #[test]
    fn raw_8bit_in_encoded_words() {
        check_shapes(&[
            (
                b"From: =?iso-8859-1?Q?J=F6rg_M\xfcller?= <j@example.de>\r\nSubject: =?iso-8859-1?Q?Fr\xf6sche?=\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\nDie Fr\xf6sche.\r\n",
                "j@example.de",
                "Frösche",
                "Die Frösche.",
            ),
            (
                b"From: a@example.com\r\nSubject: =?windows-1252?Q?5\x80?= Fr\xf6sche\r\n\r\nx\r\n",
                "a@example.com",
                "5€ Frösche",
                "x",
            ),
        ]);
        let p = parse(b"From: =?iso-8859-1?Q?J=F6rg_M\xfcller?= <j@example.de>\r\n\r\n");
        assert_eq!(p.from_name, "Jörg Müller");
    }

    /// Issue item 13: "text" without a subtype; a truncated multipart; no
    /// blank line after the headers.
    #[test]
    fn text_that_used_to_be_hidden() {
        check_shapes(&[
            (
                b"From: a@example.com\r\nSubject: s\r\nContent-Type: text\r\n\r\nplain words\r\n",
                "a@example.com",
                "s",
                "plain words",
            ),
            (
                b"From: a@example.com\r\nSubject: s\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\ncut off here",
                "a@example.com",
                "s",
                "cut off here",
            ),
            (
                b"From: a@example.com\r\nSubject: s\r\nHello there\r\n",
                "a@example.com",
                "s",
                "Hello there",
            ),
        ]);
        assert!(!parse(b"From: a@example.com\r\nContent-Type: text\r\n\r\nx").has_attachment);
    }

    /// Issue item 14: boundary look-alikes are text; UTF-7 per RFC 2152.
    #[test]
    fn boundaries_and_utf7() {
        check_shapes(&[
            (
                b"From: a@example.com\r\nSubject: s\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n\r\none\r\n--BX two\r\nthree --B four\r\n--B--\r\n",
                "a@example.com",
                "s",
                "one\r\n--BX two\r\nthree --B four",
            ),
            (
                b"From: a@example.com\r\nSubject: s\r\nContent-Type: text/plain; charset=utf-7\r\n\r\nA+ImIDkQ. 1 +- 1 Gr+APw-+AN8-e\r\n",
                "a@example.com",
                "s",
                "A≢Α. 1 + 1 Grüße",
            ),
        ]);
    }

    /// Issue item 15: a military zone letter ends the Date; the header block
    /// ends at the first line that is not a header field.
    #[test]
    fn zones_and_header_end() {
        check_shapes(&[
            (
                b"Date: Thu, 13 Feb 1969 23:32:54 Z\r\nSubject: after\r\nFrom: a@example.com\r\n\r\nbody\r\n",
                "a@example.com",
                "after",
                "body",
            ),
            (
                b"Date: Thu, 13 Feb 1969 23:32:54 A\nSubject: after\nFrom: a@example.com\n\nbody\n",
                "a@example.com",
                "after",
                "body",
            ),
            (
                b"From: a@example.com\r\nSubject: s\r\nHello there\r\nFrom: x@y.example\r\n",
                "a@example.com",
                "s",
                "Hello there\r\nFrom: x@y.example",
            ),
        ]);
        let p = parse(b"Date: Thu, 13 Feb 1969 23:32:54 Z\r\nSubject: after\r\n\r\n");
        assert_eq!(p.date, Some(-27_736_026));
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
