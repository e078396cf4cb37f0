//! Building an outgoing RFC 5322 / MIME message.
//!
//! Structure: `text/plain` alone; with HTML, `multipart/alternative`
//! (plain first, HTML last, RFC 2046 §5.1.4); with attachments or attached
//! messages, all of that inside `multipart/mixed`. Text is quoted-printable
//! UTF-8, files are base64, attached messages are `message/rfc822` as they
//! are (7bit or 8bit). Non-ASCII names and subjects are RFC 2047 encoded
//! words, file names RFC 2231 parameters, so the whole message is ASCII
//! unless an attached message is not.
//!
//! One [`Outgoing::build`] gives both the bytes for transport (no `Bcc`
//! header, RFC 5322 §3.6.3) and the Sent copy (with `Bcc`), identical
//! otherwise.

use model::compose::Priority;

use crate::{Error, Mailbox, Result, encode};

/// A file to attach.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    /// File name shown to the recipient.
    pub filename: String,
    /// MIME type, e.g. `application/pdf`; anything malformed becomes
    /// `application/octet-stream`.
    pub content_type: String,
    /// The content.
    pub bytes: Vec<u8>,
}

/// Everything needed to write one message.
#[derive(Clone, Debug, Default)]
pub struct Outgoing {
    /// The sender (`From`).
    pub from: Mailbox,
    /// `Reply-To`, when different from the sender.
    pub reply_to: Option<Mailbox>,
    /// `To` recipients.
    pub to: Vec<Mailbox>,
    /// `Cc` recipients.
    pub cc: Vec<Mailbox>,
    /// `Bcc` recipients: in the envelope and the Sent copy only.
    pub bcc: Vec<Mailbox>,
    /// Subject (any text; encoded as needed).
    pub subject: String,
    /// The HTML body, already sanitised by the caller.
    pub html: Option<String>,
    /// The plain-text body (the only body when `html` is `None`).
    pub text: String,
    /// Priority (`X-Priority` and `Importance`).
    pub priority: Priority,
    /// Ask for a read receipt to this address (`Disposition-Notification-To`,
    /// RFC 8098 §2.1).
    pub receipt_to: Option<String>,
    /// The Message-ID this replies to (with or without angle brackets).
    pub in_reply_to: Option<String>,
    /// The thread's Message-IDs, oldest first (RFC 5322 §3.6.4).
    pub references: Vec<String>,
    /// Files to attach.
    pub attachments: Vec<Attachment>,
    /// Whole messages to attach as `message/rfc822` (forward as attachment).
    pub attached_messages: Vec<Vec<u8>>,
    /// `Date`, seconds since the epoch.
    pub date: i64,
    /// The sender's offset from UTC in minutes, for the `Date` header.
    pub utc_offset_minutes: i32,
    /// Message-ID to use (without angle brackets); a new one
    /// `<random@sender-domain>` when `None`.
    pub message_id: Option<String>,
    /// `User-Agent`, if any.
    pub user_agent: Option<String>,
    /// More header fields (name, value), written after the others.
    pub extra_headers: Vec<(String, String)>,
}

/// A built message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Built {
    /// The Message-ID used, without angle brackets.
    pub message_id: String,
    /// The bytes to hand to the relay: no `Bcc` header.
    pub transport: Vec<u8>,
    /// The bytes for the Sent folder: the same message with `Bcc`.
    pub sent_copy: Vec<u8>,
    /// The envelope sender (`MAIL FROM`); empty for the null sender `<>`.
    pub envelope_from: String,
    /// The envelope recipients: To, Cc and Bcc, each once.
    pub recipients: Vec<String>,
}

impl Outgoing {
    /// Writes the message. Fails with [`Error::NoRecipients`] when To, Cc
    /// and Bcc are all empty, and with [`Error::BadAddress`] for a sender
    /// without a usable address.
    pub fn build(&self) -> Result<Built> {
        self.write(true)
    }

    /// [`Outgoing::build`], optionally without recipients (for drafts).
    pub(crate) fn write(&self, require_recipients: bool) -> Result<Built> {
        if require_recipients && self.to.is_empty() && self.cc.is_empty() && self.bcc.is_empty() {
            return Err(Error::NoRecipients);
        }
        if crate::parse_addresses(&self.from.address)?.len() != 1 {
            return Err(Error::BadAddress {
                input: self.from.address.clone(),
                reason: crate::AddressProblem::MissingAt,
            });
        }
        let message_id = self
            .message_id
            .as_deref()
            .and_then(encode::bare_id)
            .unwrap_or_else(|| encode::new_message_id(&self.from.address, self.date));
        let body = self.body();

        let mut head = Headers::default();
        head.add(
            "Date",
            &encode::rfc822_date(self.date, self.utc_offset_minutes),
        );
        head.add("From", &self.from.to_header());
        if let Some(r) = &self.reply_to {
            head.add("Reply-To", &r.to_header());
        }
        head.addresses("To", &self.to);
        head.addresses("Cc", &self.cc);
        let bcc_at = head.0.len();
        head.add("Subject", &encode::unstructured(&self.subject));
        head.add("Message-ID", &format!("<{message_id}>"));
        if let Some(id) = self.in_reply_to.as_deref().and_then(encode::bare_id) {
            head.add("In-Reply-To", &format!("<{id}>"));
        }
        let refs: Vec<String> = self
            .references
            .iter()
            .filter_map(|r| encode::bare_id(r))
            .map(|r| format!("<{r}>"))
            .collect();
        if !refs.is_empty() {
            head.add("References", &refs.join(" "));
        }
        match self.priority {
            Priority::High => {
                head.add("X-Priority", "1 (Highest)");
                head.add("Importance", "high");
            }
            Priority::Low => {
                head.add("X-Priority", "5 (Lowest)");
                head.add("Importance", "low");
            }
            Priority::Normal => {}
        }
        if let Some(dnt) = self.receipt_to.as_deref().filter(|d| !d.trim().is_empty()) {
            let dnt = crate::parse_addresses(dnt)?;
            if let Some(first) = dnt.first() {
                head.add("Disposition-Notification-To", &first.to_header());
            }
        }
        if let Some(ua) = &self.user_agent {
            head.add("User-Agent", &encode::unstructured(ua));
        }
        for (name, value) in &self.extra_headers {
            head.add(name, &encode::unstructured(value));
        }
        head.add("MIME-Version", "1.0");

        let transport = head.render(&body);
        let mut with_bcc = head.clone();
        if !self.bcc.is_empty() {
            let mut bcc = Headers::default();
            bcc.addresses("Bcc", &self.bcc);
            with_bcc.0.splice(bcc_at..bcc_at, bcc.0);
        }
        let sent_copy = with_bcc.render(&body);

        let mut recipients: Vec<String> = Vec::new();
        for m in self.to.iter().chain(&self.cc).chain(&self.bcc) {
            if !recipients.iter().any(|r| m.same_address(r)) {
                recipients.push(m.address.clone());
            }
        }
        Ok(Built {
            message_id,
            transport,
            sent_copy,
            envelope_from: self.from.address.clone(),
            recipients,
        })
    }

    /// The MIME body: its `Content-*` headers and content.
    fn body(&self) -> Part {
        let text = Part::text("plain", &self.text);
        let main = match &self.html {
            Some(html) => Part::multipart("alternative", vec![text, Part::text("html", html)]),
            None => text,
        };
        if self.attachments.is_empty() && self.attached_messages.is_empty() {
            return main;
        }
        let mut parts = vec![main];
        parts.extend(self.attachments.iter().map(Part::attachment));
        parts.extend(self.attached_messages.iter().map(|m| Part::message(m)));
        Part::multipart("mixed", parts)
    }
}

/// Header lines, each complete with CRLF.
#[derive(Clone, Default)]
pub(crate) struct Headers(pub(crate) Vec<String>);

impl Headers {
    pub(crate) fn add(&mut self, name: &str, value: &str) {
        self.0.push(encode::header(name, value));
    }

    pub(crate) fn addresses(&mut self, name: &str, list: &[Mailbox]) {
        if !list.is_empty() {
            let value: Vec<String> = list.iter().map(Mailbox::to_header).collect();
            self.add(name, &value.join(", "));
        }
    }

    /// The message: these headers, then the part's headers and content.
    pub(crate) fn render(&self, body: &Part) -> Vec<u8> {
        let mut out = Vec::with_capacity(body.content.len() + 1024);
        for h in &self.0 {
            out.extend_from_slice(h.as_bytes());
        }
        body.write(&mut out);
        out
    }
}

/// A MIME part: its own headers and its encoded content.
pub(crate) struct Part {
    pub(crate) headers: Vec<String>,
    pub(crate) content: Vec<u8>,
}

impl Part {
    /// A UTF-8 text part, quoted-printable.
    pub(crate) fn text(subtype: &str, text: &str) -> Part {
        Part {
            headers: vec![
                format!("Content-Type: text/{subtype}; charset=utf-8\r\n"),
                "Content-Transfer-Encoding: quoted-printable\r\n".into(),
            ],
            content: encode::quoted_printable(text).into_bytes(),
        }
    }

    /// A part with literal headers and 7bit/8bit content, CRLF-normalised.
    pub(crate) fn raw(content_type: &str, content: &[u8]) -> Part {
        let mut content = encode::crlf_bytes(content);
        if !content.ends_with(b"\r\n") {
            content.extend_from_slice(b"\r\n");
        }
        let cte = if content.is_ascii() { "7bit" } else { "8bit" };
        Part {
            headers: vec![
                format!("Content-Type: {content_type}\r\n"),
                format!("Content-Transfer-Encoding: {cte}\r\n"),
            ],
            content,
        }
    }

    fn attachment(a: &Attachment) -> Part {
        let filename = if a.filename.trim().is_empty() {
            "attachment"
        } else {
            a.filename.trim()
        };
        Part {
            headers: vec![
                format!(
                    "Content-Type: {}{}\r\n",
                    safe_content_type(&a.content_type),
                    encode::param("name", filename)
                ),
                format!(
                    "Content-Disposition: attachment{}\r\n",
                    encode::param("filename", filename)
                ),
                "Content-Transfer-Encoding: base64\r\n".into(),
            ],
            content: encode::base64_body(&a.bytes).into_bytes(),
        }
    }

    fn message(raw: &[u8]) -> Part {
        let subject = mail_parser::MessageParser::new()
            .parse_headers(raw)
            .and_then(|m| m.subject().map(str::to_string))
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| "message".into());
        let name: String = subject
            .chars()
            .map(|c| {
                if c.is_control() || "/\\:*?\"<>|".contains(c) {
                    '_'
                } else {
                    c
                }
            })
            .take(80)
            .collect();
        let mut part = Part::raw("message/rfc822", raw);
        part.headers.push(format!(
            "Content-Disposition: attachment{}\r\n",
            encode::param("filename", &format!("{}.eml", name.trim()))
        ));
        part
    }

    /// A multipart with a boundary that occurs in none of its parts.
    pub(crate) fn multipart(subtype: &str, parts: Vec<Part>) -> Part {
        Part::multipart_with(&format!("multipart/{subtype}"), "", parts)
    }

    /// A multipart with extra parameters (`; report-type=…`).
    pub(crate) fn multipart_with(content_type: &str, params: &str, parts: Vec<Part>) -> Part {
        let boundary = loop {
            let b = format!("=_{}", encode::random_hex(12));
            if !parts.iter().any(|p| contains(&p.content, b.as_bytes())) {
                break b;
            }
        };
        let mut content = Vec::new();
        for p in &parts {
            content.extend_from_slice(format!("\r\n--{boundary}\r\n").as_bytes());
            p.write(&mut content);
        }
        content.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        Part {
            headers: vec![format!(
                "Content-Type: {content_type}{params};\r\n boundary=\"{boundary}\"\r\n"
            )],
            content,
        }
    }

    fn write(&self, out: &mut Vec<u8>) {
        for h in &self.headers {
            out.extend_from_slice(h.as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&self.content);
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// `type/subtype` when it is two RFC 2045 tokens, else
/// `application/octet-stream`.
fn safe_content_type(ct: &str) -> String {
    let ct = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?=".contains(&b))
    };
    match ct.split_once('/') {
        Some((t, s)) if token(t) && token(s) && !t.starts_with("multipart") => ct,
        _ => "application/octet-stream".into(),
    }
}
