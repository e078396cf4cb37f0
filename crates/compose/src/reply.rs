//! Reply, reply-all and forward: what the compose form starts with.
//!
//! Everything is computed from the original's raw bytes (parsed with
//! mail-parser, which never fails on malformed mail): recipients, subject,
//! threading headers and the quoted body, in plain text and in HTML. HTML
//! taken from the original goes through [`sanitize::quote_html`] before it
//! leaves this module (it is received HTML: the editor must never see a
//! `<meta http-equiv=refresh>`, a remote image or a script of it), while
//! HTML built here from plain text is escaped.

use mail_parser::{Address, Message, MessageParser};
use model::compose::{BodyFormat, Draft};

use crate::{Error, Mailbox, Result, encode};

/// How many Message-IDs a `References` header keeps: the first (the thread
/// root) and the most recent ones (RFC 5322 §3.6.4 allows trimming).
pub const MAX_REFERENCES: usize = 20;

/// Reply to the sender only, or to everyone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyKind {
    /// To `Reply-To` (or `From`).
    Reply,
    /// Also to the original `To` and `Cc`, minus the user's own addresses.
    ReplyAll,
}

/// The prefilled compose form for a reply or forward.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Prefill {
    /// `To`.
    pub to: Vec<Mailbox>,
    /// `Cc`.
    pub cc: Vec<Mailbox>,
    /// Subject with one `Re: ` or `Fwd: `.
    pub subject: String,
    /// Message-ID being replied to, without angle brackets (none for a forward).
    pub in_reply_to: Option<String>,
    /// The thread's Message-IDs, oldest first, without angle brackets.
    pub references: Vec<String>,
    /// The quoted or forwarded original, as plain text.
    pub quote_text: String,
    /// The quoted or forwarded original, as HTML.
    pub quote_html: String,
}

impl Prefill {
    /// The form: addresses joined with commas, an empty line (or paragraph)
    /// above the quote for the user to write in.
    pub fn to_draft(&self, format: BodyFormat) -> Draft {
        let join = |l: &[Mailbox]| {
            l.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let body = match format {
            BodyFormat::Plain | BodyFormat::Simple => format!("\n\n{}", self.quote_text),
            BodyFormat::Html => format!("<p><br></p>{}", self.quote_html),
        };
        Draft {
            to: join(&self.to),
            cc: join(&self.cc),
            subject: self.subject.clone(),
            body,
            format,
            in_reply_to: self.in_reply_to.clone(),
            references: self.references.clone(),
            ..Draft::default()
        }
    }
}

fn parse(raw: &[u8]) -> Result<Message<'_>> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::Unreadable);
    }
    MessageParser::default().parse(raw).ok_or(Error::Unreadable)
}

/// A reply or reply-all to `original`; `own` lists the user's addresses
/// (and aliases), which are never added as recipients. Replying to one's
/// own sent message goes to its original recipients.
pub fn reply(original: &[u8], kind: ReplyKind, own: &[&str]) -> Result<Prefill> {
    let m = parse(original)?;
    let is_own = |a: &str| own.iter().any(|o| o.trim().eq_ignore_ascii_case(a.trim()));
    let from = mailboxes(m.from());
    let sent_by_me = from.iter().any(|f| is_own(&f.address));
    let mut to: Vec<Mailbox> = if sent_by_me {
        mailboxes(m.to())
    } else {
        match mailboxes(m.reply_to()) {
            r if r.is_empty() => from.clone(),
            r => r,
        }
    };
    let mut cc = Vec::new();
    if kind == ReplyKind::ReplyAll {
        if sent_by_me {
            cc = mailboxes(m.cc());
        } else {
            to.extend(mailboxes(m.to()));
            cc = mailboxes(m.cc());
        }
    }
    let mut seen: Vec<String> = Vec::new();
    let mut keep = |mb: &Mailbox| {
        let key = mb.address.to_ascii_lowercase();
        if is_own(&mb.address) || seen.contains(&key) {
            false
        } else {
            seen.push(key);
            true
        }
    };
    let mut to: Vec<Mailbox> = to.into_iter().filter(|mb| keep(mb)).collect();
    let cc: Vec<Mailbox> = cc.into_iter().filter(|mb| keep(mb)).collect();
    if to.is_empty() && !sent_by_me {
        // A message from ourselves to ourselves: reply to the sender anyway.
        to = from.into_iter().take(1).collect();
    }
    let message_id = m.message_id().and_then(encode::bare_id);
    let (quote_text, quote_html) = quote(&m);
    Ok(Prefill {
        to,
        cc,
        subject: reply_subject(m.subject().unwrap_or("")),
        references: references(&m),
        in_reply_to: message_id,
        quote_text,
        quote_html,
    })
}

/// A forward with the original inline, under a "Forwarded message" block.
pub fn forward_inline(original: &[u8]) -> Result<Prefill> {
    let m = parse(original)?;
    let mut fields: Vec<(&str, String)> = Vec::new();
    fields.push(("From", list(&mailboxes(m.from()))));
    if let Some(d) = m.date() {
        fields.push(("Date", d.to_rfc822()));
    }
    fields.push(("Subject", m.subject().unwrap_or("").to_string()));
    fields.push(("To", list(&mailboxes(m.to()))));
    let cc = mailboxes(m.cc());
    if !cc.is_empty() {
        fields.push(("Cc", list(&cc)));
    }
    let fields: Vec<(&str, String)> = fields.into_iter().filter(|(_, v)| !v.is_empty()).collect();
    const RULE: &str = "---------- Forwarded message ----------";
    let mut text = format!("{RULE}\n");
    let mut html = format!("<div class=\"forwarded\"><p>{RULE}<br>");
    for (name, value) in &fields {
        text.push_str(&format!("{name}: {value}\n"));
        html.push_str(&format!("{name}: {}<br>", encode::escape_html(value)));
    }
    text.push('\n');
    text.push_str(&plain_body(&m));
    html.push_str("</p>");
    html.push_str(&html_body(&m));
    html.push_str("</div>");
    Ok(Prefill {
        subject: forward_subject(m.subject().unwrap_or("")),
        references: references(&m),
        quote_text: text,
        quote_html: html,
        ..Prefill::default()
    })
}

/// A forward with the original attached as `message/rfc822`: the prefill
/// (subject only) and the bytes to put in
/// [`crate::Outgoing::attached_messages`].
pub fn forward_as_attachment(original: &[u8]) -> Result<(Prefill, Vec<u8>)> {
    let m = parse(original)?;
    let prefill = Prefill {
        subject: forward_subject(m.subject().unwrap_or("")),
        references: references(&m),
        ..Prefill::default()
    };
    Ok((prefill, original.to_vec()))
}

const REPLY_PREFIXES: &[&str] = &["re", "aw", "sv", "antw", "vs", "ref", "odp"];
const FORWARD_PREFIXES: &[&str] = &["fwd", "fw", "wg", "tr", "vb", "rv", "doorst"];

/// Removes leading prefixes from `prefixes` (`Re:`, `RE[2]:`, `Aw:` …).
fn strip_prefixes<'a>(mut s: &'a str, prefixes: &[&str]) -> &'a str {
    loop {
        let t = s.trim_start();
        let word_end = t.find(|c: char| !c.is_alphabetic()).unwrap_or(t.len());
        let (word, rest) = t.split_at(word_end);
        if !prefixes.iter().any(|p| p.eq_ignore_ascii_case(word)) {
            return t;
        }
        let rest = rest.trim_start();
        // Optional counter: "Re[2]:" or "Re(2):".
        let rest = match rest.chars().next() {
            Some(open @ ('[' | '(')) => {
                let close = if open == '[' { ']' } else { ')' };
                match rest.find(close) {
                    Some(i) if rest[1..i].chars().all(|c| c.is_ascii_digit()) => {
                        rest[i + 1..].trim_start()
                    }
                    _ => return t,
                }
            }
            _ => rest,
        };
        match rest.strip_prefix([':', '：']) {
            Some(r) => s = r,
            None => return t,
        }
    }
}

/// `Re: ` + the subject without its reply prefixes (`Re: Re: x` → `Re: x`).
pub fn reply_subject(subject: &str) -> String {
    format!("Re: {}", strip_prefixes(subject, REPLY_PREFIXES).trim_end())
}

/// `Fwd: ` + the subject without its forward prefixes.
pub fn forward_subject(subject: &str) -> String {
    format!(
        "Fwd: {}",
        strip_prefixes(subject, FORWARD_PREFIXES).trim_end()
    )
}

/// The original's References (or In-Reply-To) plus its Message-ID, each
/// once, trimmed to [`MAX_REFERENCES`] keeping the first.
fn references(m: &Message<'_>) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    let mut push = |id: &str| {
        if let Some(id) = encode::bare_id(id)
            && !ids.contains(&id)
        {
            ids.push(id);
        }
    };
    let refs = m.references();
    let refs = if refs.is_empty() {
        m.in_reply_to()
    } else {
        refs
    };
    if let Some(list) = refs.as_text_list() {
        list.iter().for_each(|r| push(r));
    } else if let Some(one) = refs.as_text() {
        push(one);
    }
    if let Some(id) = m.message_id() {
        push(id);
    }
    if ids.len() > MAX_REFERENCES {
        let tail = ids.split_off(ids.len() - (MAX_REFERENCES - 1));
        ids.truncate(1);
        ids.extend(tail);
    }
    ids
}

fn mailboxes(a: Option<&Address<'_>>) -> Vec<Mailbox> {
    a.map(|a| {
        a.iter()
            .filter_map(|addr| {
                let address = addr.address()?.trim();
                address
                    .contains('@')
                    .then(|| Mailbox::new(addr.name(), address))
            })
            .collect()
    })
    .unwrap_or_default()
}

fn list(l: &[Mailbox]) -> String {
    l.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn plain_body(m: &Message<'_>) -> String {
    m.body_text(0)
        .map(|t| t.replace("\r\n", "\n"))
        .unwrap_or_default()
}

/// The original's HTML if it has any (sanitised as HTML to be sent: only
/// the editor's formatting, no remote images), else its text escaped.
fn html_body(m: &Message<'_>) -> String {
    match m.html_part(0).filter(|p| p.is_text_html()) {
        Some(part) => sanitize::quote_html(part.text_contents().unwrap_or_default()),
        None => text_to_html(&plain_body(m)),
    }
}

/// Plain text as escaped HTML, one line per `<br>`.
pub fn text_to_html(text: &str) -> String {
    let lines: Vec<String> = text.trim_end().lines().map(encode::escape_html).collect();
    format!(
        "<div style=\"white-space: pre-wrap\">{}</div>",
        lines.join("<br>")
    )
}

/// The attribution line: `On <date>, <name> wrote:`.
fn attribution(m: &Message<'_>) -> String {
    let who = mailboxes(m.from())
        .into_iter()
        .next()
        .map(|f| f.name.unwrap_or(f.address))
        .unwrap_or_else(|| "someone".into());
    match m.date() {
        Some(d) => format!("On {}, {who} wrote:", d.to_rfc822()),
        None => format!("{who} wrote:"),
    }
}

/// Quotes plain text: `> ` before each line, `>` before quoted ones.
pub fn quote_plain(text: &str) -> String {
    let mut out = String::new();
    for line in text.trim_end().lines() {
        if line.is_empty() {
            out.push_str(">\n");
        } else if line.starts_with('>') {
            out.push('>');
            out.push_str(line);
            out.push('\n');
        } else {
            out.push_str("> ");
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn quote(m: &Message<'_>) -> (String, String) {
    let attr = attribution(m);
    let text = format!("{attr}\n{}", quote_plain(&plain_body(m)));
    let html = format!(
        "<p>{}</p><blockquote type=\"cite\">{}</blockquote>",
        encode::escape_html(&attr),
        html_body(m)
    );
    (text, html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_subject_table() {
        for (input, expected) in [
            ("Hello", "Re: Hello"),
            ("Re: Hello", "Re: Hello"),
            ("Re: Re: Hello", "Re: Hello"),
            ("RE: re:Hello", "Re: Hello"),
            ("Aw: Hello", "Re: Hello"),
            ("Re[2]: Hello", "Re: Hello"),
            ("Re (3): Hello", "Re: Hello"),
            ("Fwd: Hello", "Re: Fwd: Hello"),
            ("Re: Fwd: Re: Hello", "Re: Fwd: Re: Hello"),
            ("Regarding: x", "Re: Regarding: x"),
            ("Re", "Re: Re"),
            ("", "Re: "),
            ("Re[x]: Hi", "Re: Re[x]: Hi"),
        ] {
            assert_eq!(reply_subject(input), expected, "{input}");
        }
    }

    #[test]
    fn forward_subject_table() {
        for (input, expected) in [
            ("Hello", "Fwd: Hello"),
            ("Fwd: Hello", "Fwd: Hello"),
            ("Fw: FWD: Hello", "Fwd: Hello"),
            ("Re: Hello", "Fwd: Re: Hello"),
            ("WG: Hello", "Fwd: Hello"),
        ] {
            assert_eq!(forward_subject(input), expected, "{input}");
        }
    }

    #[test]
    fn quote_plain_table() {
        for (input, expected) in [
            ("a\nb", "> a\n> b\n"),
            ("a\n\nb\n", "> a\n>\n> b\n"),
            ("> old\n>> older", ">> old\n>>> older\n"),
            ("", ""),
        ] {
            assert_eq!(quote_plain(input), expected, "{input:?}");
        }
    }

    #[test]
    fn text_to_html_escapes() {
        assert_eq!(
            text_to_html("<b>&\"x\"</b>\nline"),
            "<div style=\"white-space: pre-wrap\">&lt;b&gt;&amp;&quot;x&quot;&lt;/b&gt;<br>line</div>"
        );
    }
}
