//! A raw RFC 5322 message turned into a [`MessageView`]: what the reader
//! shows, already safe to render.
//!
//! Key decisions:
//! - **Parsing is `mail-parser`'s**, which decodes every charset it knows
//!   (with `full_encoding`), RFC 2047 words and RFC 2231 parameters, and
//!   recovers from broken MIME. Anything it had to guess about becomes a
//!   line in [`MessageView::warnings`]; nothing here panics or fails, so
//!   there is no error type.
//! - **Bodies go through `sanitize` and nowhere else.** HTML is preferred
//!   over plain text, as the sender intended; `cid:` images are rewritten to
//!   the caller's part URLs so they load same-origin, and remote images stay
//!   blocked unless [`ViewOptions::allow_remote_images`].
//! - **Parts are numbered by `mail-parser`'s part index**, a pre-order walk
//!   of the MIME tree. It is stable for a given message, so a number from
//!   [`view`] can be handed back to [`attachment`] or [`nested_message`].
//! - **Downloads get a safe type** ([`safe_content_type`]): anything a
//!   browser could execute or render as a document is served as
//!   `application/octet-stream`.
//! - Raw 8-bit header text that is not UTF-8 is read as Windows-1252, which
//!   is what old clients nearly always meant; raw 8-bit bytes inside an
//!   encoded word are read in the word's declared charset. Both are
//!   `mail-parser`'s doing (patched, see `vendor/mail-parser/PATCHES.md`),
//!   so the index reads headers the same way.

#![deny(missing_docs)]

mod attachments;
mod body;
mod headers;

use std::collections::HashMap;

use mail_parser::{MessageParser, MimeHeaders, PartType};
use model::mail::{Body, MessageView};

pub use attachments::safe_content_type;

/// A part the body shows inline (an image its HTML refers to by `cid:`, or
/// an image part of the body), decoded, for [`ViewOptions::part_url`].
#[derive(Clone, Copy, Debug)]
pub struct InlinePart<'a> {
    /// The part's number (as for [`attachment`]).
    pub part: u32,
    /// Its declared type, lower-case (serve it through [`safe_content_type`]).
    pub content_type: &'a str,
    /// Its decoded content.
    pub bytes: &'a [u8],
}

/// Builds the URL an inline part is shown from: given the decoded part, so
/// the message is parsed once however many parts it shows.
pub type PartUrl = Box<dyn Fn(&InlinePart<'_>) -> String + Send + Sync>;

/// The most parts one body shows inline; images beyond are listed as
/// attachments. (A message with 10,000 `cid:` images is built to make the
/// reader do 10,000 times the work.)
pub const MAX_INLINE_PARTS: usize = 100;

/// How to build the view.
pub struct ViewOptions {
    /// Let remote images load. Off by default.
    pub allow_remote_images: bool,
    /// URL for showing an inline part; `cid:` images are rewritten to it.
    /// Called only for parts the body shows, at most [`MAX_INLINE_PARTS`].
    pub part_url: PartUrl,
}

impl Default for ViewOptions {
    /// Remote images blocked; parts at the relative URL `part/{n}`.
    fn default() -> Self {
        Self {
            allow_remote_images: false,
            part_url: Box::new(|p| format!("part/{}", p.part)),
        }
    }
}

impl std::fmt::Debug for ViewOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ViewOptions")
            .field("allow_remote_images", &self.allow_remote_images)
            .finish_non_exhaustive()
    }
}

/// One part, decoded, ready to download.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    /// File name (decoded; generated when the part has none).
    pub filename: String,
    /// Declared content type, lower-case. Serve it through
    /// [`safe_content_type`], never as is.
    pub content_type: String,
    /// The decoded content. Text parts are UTF-8, whatever their declared
    /// charset.
    pub bytes: Vec<u8>,
}

/// Builds the reader's view of a raw message.
pub fn view(raw: &[u8], options: &ViewOptions) -> MessageView {
    let headers = headers::decoded(raw);
    let mut view = MessageView {
        subject: String::new(),
        from: Vec::new(),
        to: Vec::new(),
        cc: Vec::new(),
        reply_to: Vec::new(),
        date: None,
        date_offset: 0,
        message_id: String::new(),
        receipt_to: headers::receipt_to(&headers),
        priority: headers::priority(&headers),
        headers,
        body: Body::Empty,
        attachments: Vec::new(),
        warnings: Vec::new(),
    };
    let Some(msg) = MessageParser::default().parse(raw) else {
        if !raw.is_empty() {
            view.warnings =
                vec!["The message could not be parsed; showing it as text.".to_string()];
            view.body = Body::Text {
                html: sanitize::text_to_html(&String::from_utf8_lossy(raw)),
            };
        }
        return view;
    };
    view.subject = msg.subject().unwrap_or_default().trim().to_string();
    view.from = headers::addresses(msg.from().or_else(|| msg.sender()));
    view.to = headers::addresses(msg.to());
    view.cc = headers::addresses(msg.cc());
    view.reply_to = headers::addresses(msg.reply_to());
    view.date = msg
        .date()
        .filter(|d| d.is_valid())
        .map(|d| d.to_timestamp());
    view.message_id = msg.message_id().unwrap_or_default().trim().to_string();
    limit_headers(&mut view);

    let rendered = body::render(&msg, options);
    view.body = rendered.body;
    view.attachments = attachments::list(&msg, raw, &rendered.inline_parts);
    view.warnings = header_warnings(&msg, raw);
    view.warnings.extend(part_warnings(&msg, raw));
    let listed = view.attachments.iter().filter(|a| !a.inline).count();
    if listed > MAX_LISTED_ATTACHMENTS {
        let mut kept = 0;
        view.attachments.retain(|a| {
            kept += usize::from(!a.inline);
            a.inline || kept <= MAX_LISTED_ATTACHMENTS
        });
        view.warnings.push(format!(
            "This message has {listed} attachments; the first {MAX_LISTED_ATTACHMENTS} are listed. Download the message to get them all."
        ));
    }
    view
}

/// The most characters of a subject, and of any one header's value, the
/// view carries; the raw source has the rest. (A 5 MB Subject made a 20 MB
/// page.)
pub const MAX_SUBJECT_CHARS: usize = 1000;
/// See [`MAX_SUBJECT_CHARS`].
pub const MAX_HEADER_CHARS: usize = 4000;
/// The most attachments listed (inline parts aside); a message with more
/// says so in a warning.
pub const MAX_LISTED_ATTACHMENTS: usize = 200;
/// The most headers, and addresses in one field, the view carries.
pub const MAX_HEADERS: usize = 500;

/// Cuts what a hostile sender can make arbitrarily long to what a reader
/// page shows.
fn limit_headers(view: &mut MessageView) {
    cut(&mut view.subject, MAX_SUBJECT_CHARS);
    cut(&mut view.message_id, MAX_HEADER_CHARS);
    view.headers.truncate(MAX_HEADERS);
    for (name, value) in &mut view.headers {
        cut(name, 200);
        cut(value, MAX_HEADER_CHARS);
    }
    for list in [
        &mut view.from,
        &mut view.to,
        &mut view.cc,
        &mut view.reply_to,
    ] {
        list.truncate(MAX_HEADERS);
        for a in list.iter_mut() {
            cut(&mut a.name, 200);
            cut(&mut a.email, 320);
        }
    }
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

/// One part of a message, decoded, for download. `None` when there is no
/// such part or it is a multipart container.
pub fn attachment(raw: &[u8], part: u32) -> Option<Part> {
    let msg = MessageParser::default().parse(raw)?;
    part_of(&msg, raw, part)
}

/// Several parts of one message, decoded, the message parsed once: for
/// each number of `wanted`, the part, or `None` as [`attachment`] says.
pub fn attachments_of(raw: &[u8], wanted: &[u32]) -> Vec<Option<Part>> {
    match MessageParser::default().parse(raw) {
        Some(msg) => wanted.iter().map(|&n| part_of(&msg, raw, n)).collect(),
        None => wanted.iter().map(|_| None).collect(),
    }
}

fn part_of(msg: &mail_parser::Message<'_>, raw: &[u8], part: u32) -> Option<Part> {
    let p = msg.parts.get(usize::try_from(part).ok()?)?;
    if matches!(p.body, PartType::Multipart(_)) {
        return None;
    }
    let content_type = attachments::content_type(p);
    let bytes = match &p.body {
        PartType::Message(_) => attachments::nested_bytes(p, raw).to_vec(),
        _ => p.contents().to_vec(),
    };
    Some(Part {
        filename: attachments::filename(p, part, &content_type),
        content_type,
        bytes,
    })
}

/// How deep attached messages are followed.
pub const MAX_NESTING: usize = 8;

/// The message reached by following `path` through attached messages
/// (`message/rfc822` parts); the message itself for an empty path. `None`
/// when a step is not an attached message or the path is deeper than
/// [`MAX_NESTING`].
pub fn nested_path(raw: &[u8], path: &[u32]) -> Option<Vec<u8>> {
    if path.len() > MAX_NESTING {
        return None;
    }
    let mut current = raw.to_vec();
    for part in path {
        current = nested_message(&current, *part)?;
    }
    Some(current)
}

/// The raw bytes of an attached message (`message/rfc822`), to be viewed
/// with [`view`] on their own. `None` when part `part` is not a message.
pub fn nested_message(raw: &[u8], part: u32) -> Option<Vec<u8>> {
    let msg = MessageParser::default().parse(raw)?;
    let p = msg.parts.get(usize::try_from(part).ok()?)?;
    match &p.body {
        PartType::Message(_) => Some(attachments::nested_bytes(p, raw).to_vec()),
        PartType::Binary(b) | PartType::InlineBinary(b)
            if p.is_content_type("message", "rfc822") =>
        {
            Some(b.to_vec())
        }
        PartType::Text(t) if p.is_content_type("message", "rfc822") => Some(t.as_bytes().to_vec()),
        _ => None,
    }
}

/// What was odd about the message's own header block: raw 8-bit text that
/// is not UTF-8, or no blank line before the body.
fn header_warnings(msg: &mail_parser::Message<'_>, raw: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let Some(top) = msg.parts.first() else {
        return out;
    };
    let head = raw.get(..top.offset_body as usize).unwrap_or(raw);
    if std::str::from_utf8(head).is_err() {
        out.push("Some headers contain raw 8-bit text; read as Windows-1252.".to_string());
    }
    if lacks_blank_line(raw, top) {
        out.push(
            "The headers do not end with a blank line; the text after them is shown as the body."
                .to_string(),
        );
    }
    out
}

/// Whether `part` has header fields that end without a blank line, with a
/// body after them.
fn lacks_blank_line(raw: &[u8], part: &mail_parser::MessagePart<'_>) -> bool {
    let (start, body) = (part.offset_header as usize, part.offset_body as usize);
    let Some(head) = raw.get(start..body) else {
        return false;
    };
    // The last line of the header block, without its line feed: blank (or
    // only blanks) when the block ended as it should.
    let last_line = head
        .strip_suffix(b"\n")
        .map(|h| &h[h.iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1)..]);
    !part.headers.is_empty()
        && body < raw.len()
        && !last_line.is_some_and(|l| l.iter().all(|c| matches!(c, b' ' | b'\t' | b'\r')))
}

/// What could not be read cleanly, part by part.
fn part_warnings(msg: &mail_parser::Message<'_>, raw: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let is_multipart = |p: &mail_parser::MessagePart<'_>| matches!(p.body, PartType::Multipart(_));
    let closes = if msg.parts.iter().any(is_multipart) {
        close_delimiters(raw)
    } else {
        HashMap::new()
    };
    let truncated = msg
        .parts
        .iter()
        .any(|p| is_multipart(p) && !is_closed(&closes, p));
    for (i, part) in msg.parts.iter().enumerate() {
        if part.is_encoding_problem {
            out.push(if truncated && part.offset_end as usize >= raw.len() {
                format!("Part {i} is cut off where the message ends; shown as far as it goes.")
            } else {
                format!("Part {i} is damaged or wrongly encoded; shown as it was received.")
            });
        }
        if i > 0 && lacks_blank_line(raw, part) {
            out.push(format!(
                "Part {i}: its headers do not end with a blank line; the text after them is shown as its body."
            ));
        }
        let ct = part.content_type();
        if ct.is_some_and(|c| c.c_type.eq_ignore_ascii_case("multipart")) {
            match &part.body {
                PartType::Multipart(_) => {
                    if !is_closed(&closes, part) {
                        out.push(format!(
                            "Part {i} ends without its closing boundary; the message may be truncated."
                        ));
                    }
                }
                _ => out.push(format!(
                    "Part {i} is declared multipart but its boundary was not found."
                )),
            }
        }
        if ct.is_some_and(|c| c.c_type.eq_ignore_ascii_case("text") && c.c_subtype.is_none()) {
            out.push(format!(
                "Part {i} has the incomplete type \"text\"; shown as plain text."
            ));
        }
        if let PartType::Text(text) | PartType::Html(text) = &part.body {
            if let Some(charset) = ct.and_then(|c| c.attribute("charset")) {
                let known = matches!(
                    charset.trim().to_ascii_lowercase().as_str(),
                    "utf-8" | "utf8"
                ) || mail_parser::decoders::charsets::map::charset_decoder(
                    charset.trim().as_bytes(),
                )
                .is_some();
                if !known {
                    out.push(format!(
                        "Part {i} uses the unknown charset {charset:?}; read as UTF-8."
                    ));
                }
            }
            if text.contains('\u{FFFD}') {
                out.push(format!(
                    "Part {i} contains bytes that are not valid in its charset."
                ));
            }
        }
    }
    out
}

/// Every close delimiter line (`--boundary--`, blanks allowed after it) in
/// the message: boundary → where its last one starts. One pass, so checking
/// many multipart parts stays linear.
fn close_delimiters(raw: &[u8]) -> HashMap<&[u8], usize> {
    let mut out = HashMap::new();
    let mut start = 0;
    for line in raw.split(|&c| c == b'\n') {
        let end = line
            .iter()
            .rposition(|c| !matches!(c, b' ' | b'\t' | b'\r'))
            .map_or(0, |i| i + 1);
        if let Some(boundary) = line[..end]
            .strip_prefix(b"--")
            .and_then(|l| l.strip_suffix(b"--"))
        {
            out.insert(boundary, start);
        }
        start += line.len() + 1;
    }
    out
}

/// Whether a multipart part's close delimiter comes after its start.
fn is_closed(closes: &HashMap<&[u8], usize>, part: &mail_parser::MessagePart<'_>) -> bool {
    let Some(boundary) = part.content_type().and_then(|c| c.attribute("boundary")) else {
        return true;
    };
    closes
        .get(boundary.as_bytes())
        .is_some_and(|&at| at >= part.offset_body as usize)
}
