//! Read receipts: Message Disposition Notifications (RFC 8098).
//!
//! A receipt is only ever sent by the user's explicit choice
//! (`manual-action/MDN-sent-manually`). [`offer`] decides whether to ask;
//! [`build`] writes the `multipart/report` to queue like any message. Per
//! RFC 8098 §3 its envelope sender is null (`<>`), so it can never bounce
//! back.

use mail_parser::MessageParser;

use crate::report::{self, Report};
use crate::{Built, Error, Mailbox, Result, encode};

/// What [`offer`] needs to know about where the message is and what the
/// user already did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Situation {
    /// The message is in Sent or Drafts (never offer there).
    pub in_sent_or_drafts: bool,
    /// It carries the `$MDNSent` keyword (a receipt was sent or declined).
    pub mdn_sent: bool,
}

/// The address to send a receipt to, when the user should be asked:
/// the message has a `Disposition-Notification-To`, was not sent by one of
/// `own` addresses, is not in Sent or Drafts and is not flagged
/// `$MDNSent`.
pub fn offer(original: &[u8], own: &[&str], situation: Situation) -> Option<Mailbox> {
    if situation.in_sent_or_drafts || situation.mdn_sent {
        return None;
    }
    let m = MessageParser::default().parse_headers(original)?;
    let is_own = |a: &str| own.iter().any(|o| o.trim().eq_ignore_ascii_case(a.trim()));
    if m.from()
        .into_iter()
        .flat_map(|a| a.iter())
        .any(|a| a.address().is_some_and(is_own))
    {
        return None;
    }
    let raw = m.header_raw("Disposition-Notification-To")?;
    let to = crate::parse_addresses(raw.trim())
        .ok()?
        .into_iter()
        .next()?;
    (!is_own(&to.address)).then_some(to)
}

/// The text and identity of a receipt.
#[derive(Clone, Debug)]
pub struct Receipt<'a> {
    /// The user sending the receipt (`From`, `Final-Recipient`).
    pub user: &'a Mailbox,
    /// Where to send it (from [`offer`]).
    pub to: &'a Mailbox,
    /// `Reporting-UA` product, e.g. `Webmail 0.1`.
    pub reporting_ua: &'a str,
    /// The host the UA runs on, for `Reporting-UA: host; product`.
    pub host: &'a str,
    /// Now, seconds since the epoch.
    pub date: i64,
}

/// Builds the receipt for `original` (RFC 8098 §3): a
/// `multipart/report; report-type=disposition-notification` with a
/// human-readable part, the `message/disposition-notification` part and
/// the original's headers. `envelope_from` of the result is empty: the
/// null sender.
pub fn build(original: &[u8], receipt: &Receipt<'_>) -> Result<Built> {
    let m = MessageParser::default()
        .parse_headers(original)
        .ok_or(Error::Unreadable)?;
    let subject = m.subject().unwrap_or("").to_string();
    let sent = m
        .date()
        .map(|d| d.to_rfc822())
        .unwrap_or_else(|| "an unknown date".into());
    let original_id = m.message_id().and_then(encode::bare_id);
    let human = format!(
        "This is a receipt for the message you sent to {user}\n\
         on {sent} with the subject \"{subject}\".\n\n\
         It was displayed on {now}. This is no guarantee that the message\n\
         has been read or understood.\n",
        user = receipt.user.address,
        now = encode::rfc822_date(receipt.date, 0),
    );
    let mut fields = format!(
        "Reporting-UA: {}; {}\r\n",
        clean(receipt.host),
        clean(receipt.reporting_ua)
    );
    if let Some(orig_rcpt) = m.header_raw("Original-Recipient") {
        fields.push_str(&format!("Original-Recipient: {}\r\n", clean(orig_rcpt)));
    }
    fields.push_str(&format!(
        "Final-Recipient: rfc822;{}\r\n",
        receipt.user.address
    ));
    if let Some(id) = &original_id {
        fields.push_str(&format!("Original-Message-ID: <{id}>\r\n"));
    }
    fields.push_str("Disposition: manual-action/MDN-sent-manually; displayed\r\n");

    Ok(report::build(&Report {
        report_type: "disposition-notification",
        human: &human,
        fields: &fields,
        original,
        original_id: original_id.as_deref(),
        from: receipt.user,
        to: receipt.to,
        subject: &format!("Read: {subject}"),
        date: receipt.date,
    }))
}

/// A header field value on one line.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}
