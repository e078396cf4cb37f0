//! Drafts as stored in the Drafts folder.
//!
//! A draft is a real message, readable by any mail client, plus one header,
//! `X-Webmail-Draft`, holding what the compose form held that a message
//! cannot: recipients exactly as typed (even when not yet valid), the body
//! format, the read-receipt choice and the message being answered. Opening a
//! draft prefers that header; a draft written by another client is read from
//! its ordinary headers and body instead.

use crate::encode;
use crate::mime::{Built, Outgoing};
use crate::{Result, parse_addresses};
use mail_parser::{MessageParser, MimeHeaders};
use model::compose::Draft;

/// The header carrying the form's state.
pub const STATE_HEADER: &str = "X-Webmail-Draft";

/// Writes `draft` as a message for the Drafts folder. `out` carries the
/// sender, body and attachments; recipients are taken from the draft,
/// keeping only the addresses that parse (all of them stay in the state
/// header). Never fails for want of recipients.
pub fn write(out: &Outgoing, draft: &Draft) -> Result<Built> {
    let valid = |typed: &str| -> Vec<crate::Mailbox> {
        typed
            .split([',', ';'])
            .filter_map(|one| parse_addresses(one).ok())
            .flatten()
            .collect()
    };
    let mut message = out.clone();
    message.to = valid(&draft.to);
    message.cc = valid(&draft.cc);
    message.bcc = valid(&draft.bcc);
    let mut state = draft.clone();
    state.body.clear();
    state.attachments.clear();
    state.draft_uid = None;
    let json = serde_json::to_vec(&state).unwrap_or_default();
    let b64 = encode::base64(&json);
    let words: Vec<&str> = b64
        .as_bytes()
        .chunks(60)
        .map(|c| std::str::from_utf8(c).unwrap_or(""))
        .collect();
    message.extra_headers = vec![(STATE_HEADER.to_owned(), words.join(" "))];
    message.write(false)
}

/// The form state stored in a draft, when it has one (body and
/// attachments are read from the message itself by the caller).
pub fn state(raw: &[u8]) -> Option<Draft> {
    let head = encode::header_block(raw);
    let msg = MessageParser::default().parse_headers(head)?;
    let value = msg.header_raw(STATE_HEADER)?;
    let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    let json = decode_base64(&compact)?;
    serde_json::from_slice(&json).ok()
}

/// The bodies of a stored draft: (HTML, plain text), as written, for
/// editing again. Missing parts are `None` and empty.
pub fn bodies(raw: &[u8]) -> (Option<String>, String) {
    let Some(msg) = MessageParser::default().parse(raw) else {
        return (None, String::new());
    };
    let html = (!msg.html_body.is_empty())
        .then(|| msg.body_html(0).map(|h| h.into_owned()))
        .flatten()
        .filter(|_| {
            msg.html_body
                .first()
                .and_then(|i| msg.parts.get(*i as usize))
                .is_some_and(|p| p.is_content_type("text", "html"))
        });
    let text = msg
        .text_body
        .first()
        .and_then(|i| msg.parts.get(*i as usize))
        .filter(|p| p.is_content_type("text", "plain") || p.content_type().is_none())
        .and_then(|_| msg.body_text(0))
        .map(|t| t.into_owned())
        .unwrap_or_default();
    (html, text)
}

fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let bytes = s.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= value(c)? << (18 - 6 * i);
        }
        let take = match chunk.len() {
            4 => 3,
            3 => 2,
            2 => 1,
            _ => return None,
        };
        out.extend_from_slice(&n.to_be_bytes()[1..1 + take]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Mailbox;
    use model::compose::{BodyFormat, Priority};
    use model::mail::MessageRef;

    fn sender() -> Outgoing {
        Outgoing {
            from: Mailbox::new(Some("Ann"), "ann@example.com"),
            subject: "Plans".to_owned(),
            text: "Half written".to_owned(),
            date: 1_800_000_000,
            ..Outgoing::default()
        }
    }

    #[test]
    fn state_round_trips_with_invalid_recipients() {
        let draft = Draft {
            to: "bob@example.org, not an address".to_owned(),
            cc: "".to_owned(),
            bcc: "carol@example.net".to_owned(),
            subject: "Plans".to_owned(),
            body: "Half written".to_owned(),
            format: BodyFormat::Plain,
            priority: Priority::High,
            receipt: true,
            in_reply_to: Some("x@y".to_owned()),
            references: vec!["w@y".to_owned(), "x@y".to_owned()],
            original: Some(MessageRef {
                folder: "INBOX".to_owned(),
                uid: 7,
            }),
            forwarding: false,
            ..Draft::default()
        };
        let built = write(&sender(), &draft).unwrap();
        let raw = built.sent_copy;
        let text = String::from_utf8_lossy(&raw);
        assert!(text.contains("To: bob@example.org\r\n"), "{text}");
        assert!(text.contains("Bcc: carol@example.net\r\n"), "{text}");
        assert!(raw.split(|b| *b == b'\n').all(|l| l.len() <= 80), "{text}");
        let back = state(&raw).expect("state");
        assert_eq!(
            back,
            Draft {
                body: String::new(),
                ..draft
            }
        );
    }

    #[test]
    fn bodies_come_back_as_written() {
        let mut out = sender();
        out.html = Some("<p>Hi <b>there</b></p>".to_owned());
        out.text = "Hi there".to_owned();
        let built = write(&out, &Draft::default()).unwrap();
        let (html, text) = bodies(&built.sent_copy);
        assert_eq!(
            html.as_deref().map(str::trim_end),
            Some("<p>Hi <b>there</b></p>")
        );
        assert_eq!(text.trim_end(), "Hi there");
        let plain = write(&sender(), &Draft::default()).unwrap();
        let (html, text) = bodies(&plain.sent_copy);
        assert_eq!(html, None);
        assert_eq!(text.trim_end(), "Half written");
        assert_eq!(bodies(b"garbage without headers").0, None);
        assert_eq!(bodies(b""), (None, String::new()));
    }

    #[test]
    fn empty_draft_is_still_written() {
        let built = write(&sender(), &Draft::default()).unwrap();
        assert!(state(&built.sent_copy).is_some());
        assert!(built.recipients.is_empty());
    }

    #[test]
    fn broken_or_foreign_state_is_none() {
        let cases: [&[u8]; 5] = [
            b"Subject: plain draft from elsewhere\r\n\r\nbody",
            b"X-Webmail-Draft: !!!not base64!!!\r\n\r\n",
            b"X-Webmail-Draft: bm90IGpzb24=\r\n\r\n",
            b"X-Webmail-Draft:\r\n\r\n",
            b"",
        ];
        for raw in cases {
            assert_eq!(state(raw), None, "{}", String::from_utf8_lossy(raw));
        }
    }

    #[test]
    fn base64_decodes_what_encode_writes() {
        for input in [&b""[..], b"f", b"fo", b"foo", b"foob", b"fooba", b"foobar"] {
            assert_eq!(decode_base64(&encode::base64(input)).unwrap(), input);
        }
    }
}
