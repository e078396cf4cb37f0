//! The envelope shared by bounces ([`crate::dsn`]) and read receipts
//! ([`crate::mdn`]): a `multipart/report` (RFC 6522) of a human-readable
//! part, one machine-readable `message/<report-type>` part and the
//! original's headers (`text/rfc822-headers`), sent as an automatic reply
//! (RFC 3834) threaded under the original.

use crate::mime::{Headers, Part};
use crate::{Built, Mailbox, encode};

/// What differs between a bounce and a receipt.
pub(crate) struct Report<'a> {
    /// `delivery-status` or `disposition-notification`: the `report-type`
    /// parameter, and the machine part is `message/<report_type>`.
    pub(crate) report_type: &'a str,
    /// The text a person reads.
    pub(crate) human: &'a str,
    /// The machine-readable fields, CRLF-terminated lines.
    pub(crate) fields: &'a str,
    /// The message reported on; only its header block is attached.
    pub(crate) original: &'a [u8],
    /// The original's Message-ID without angle brackets, for threading.
    pub(crate) original_id: Option<&'a str>,
    /// `From`; its address also names the new Message-ID.
    pub(crate) from: &'a Mailbox,
    /// `To`, and the only envelope recipient.
    pub(crate) to: &'a Mailbox,
    /// The whole subject, before encoding.
    pub(crate) subject: &'a str,
    /// Now, seconds since the epoch.
    pub(crate) date: i64,
}

/// The report as a message from the null sender (empty `envelope_from`).
pub(crate) fn build(r: &Report<'_>) -> Built {
    let body = Part::multipart_with(
        "multipart/report",
        &format!("; report-type={}", r.report_type),
        vec![
            Part::text("plain", r.human),
            Part::raw(&format!("message/{}", r.report_type), r.fields.as_bytes()),
            Part::raw("text/rfc822-headers", encode::header_block(r.original)),
        ],
    );
    let message_id = encode::new_message_id(&r.from.address, r.date);
    let mut head = Headers::default();
    head.add("Date", &encode::rfc822_date(r.date, 0));
    head.add("From", &r.from.to_header());
    head.add("To", &r.to.to_header());
    head.add("Subject", &encode::unstructured(r.subject));
    head.add("Message-ID", &format!("<{message_id}>"));
    if let Some(id) = r.original_id {
        head.add("In-Reply-To", &format!("<{id}>"));
        head.add("References", &format!("<{id}>"));
    }
    head.add("Auto-Submitted", "auto-replied");
    head.add("MIME-Version", "1.0");
    let bytes = head.render(&body);
    Built {
        message_id,
        transport: bytes.clone(),
        sent_copy: bytes,
        envelope_from: String::new(),
        recipients: vec![r.to.address.clone()],
    }
}
