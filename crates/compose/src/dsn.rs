//! Bounces: Delivery Status Notifications (RFC 3464) for messages the
//! queue finally gave up on, delivered by the caller into the sender's
//! Inbox.
//!
//! The report is a `multipart/report; report-type=delivery-status` (RFC
//! 6522) with an explanation a person can act on, one
//! `message/delivery-status` part with a block per failed recipient, and
//! the original's headers (`text/rfc822-headers`), so that mail clients can
//! thread and recognise it.

use mail_parser::MessageParser;
use serde::{Deserialize, Serialize};

use crate::report::{self, Report};
use crate::{Built, Mailbox, Result, encode};

/// One recipient the message could not be delivered to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedRecipient {
    /// The address.
    pub address: String,
    /// Enhanced status code (RFC 3463): `5.x.x` permanent, `4.x.x` gave up
    /// after retrying.
    pub status: String,
    /// What the relay said (`550 5.1.1 no such user`), or why it could not
    /// be reached.
    pub diagnostic: String,
    /// Whether the relay itself answered (an SMTP reply), as opposed to a
    /// connection problem.
    pub smtp_reply: bool,
}

impl FailedRecipient {
    /// Whether the failure was permanent (5.x.x) rather than a timeout of
    /// retries.
    pub fn is_permanent(&self) -> bool {
        self.status.starts_with('5')
    }
}

/// The facts a bounce states.
#[derive(Clone, Debug)]
pub struct Bounce<'a> {
    /// Our host name (`Reporting-MTA`, and the `MAILER-DAEMON` address).
    pub reporting_mta: &'a str,
    /// The relay the message was handed to (`Remote-MTA`), if any.
    pub remote_mta: Option<&'a str>,
    /// The sender, who gets the bounce.
    pub sender: &'a Mailbox,
    /// The message as queued.
    pub original: &'a [u8],
    /// The recipients that failed.
    pub failed: &'a [FailedRecipient],
    /// When the message was queued, seconds since the epoch.
    pub arrival: i64,
    /// When the last attempt was made.
    pub last_attempt: i64,
    /// Now.
    pub date: i64,
}

/// Builds the bounce message for [`Bounce::sender`].
pub fn build(b: &Bounce<'_>) -> Result<Built> {
    let headers = MessageParser::default().parse_headers(b.original);
    let subject = headers
        .as_ref()
        .and_then(|m| m.subject())
        .unwrap_or("")
        .to_string();
    let original_id = headers
        .as_ref()
        .and_then(|m| m.message_id())
        .and_then(encode::bare_id);

    let mut human = format!(
        "Your message could not be delivered to {}.\n\n\
         Subject: {subject}\n\
         Sent: {}\n\n",
        if b.failed.len() == 1 {
            "one recipient".to_string()
        } else {
            format!("{} recipients", b.failed.len())
        },
        encode::rfc822_date(b.arrival, 0),
    );
    for f in b.failed {
        human.push_str(&format!("  {}\n    {}\n", f.address, f.diagnostic));
    }
    human.push('\n');
    if b.failed.iter().any(FailedRecipient::is_permanent) {
        human.push_str(
            "The receiving server refused the message permanently. Check the address for\n\
             typing mistakes; if it is right, the server's answer above says why it was\n\
             refused (for example an unknown user, a full mailbox or a message too large).\n",
        );
    }
    if b.failed.iter().any(|f| !f.is_permanent()) {
        human.push_str(
            "The message could not be delivered for five days, so it was returned. The\n\
             receiving server may be down or unreachable. You can send it again later,\n\
             or reach the recipient another way.\n",
        );
    }
    human.push_str("\nThe original message's headers are attached.\n");

    let mut status = format!(
        "Reporting-MTA: dns; {}\r\nArrival-Date: {}\r\n",
        b.reporting_mta,
        encode::rfc822_date(b.arrival, 0)
    );
    for f in b.failed {
        status.push_str(&format!(
            "\r\nFinal-Recipient: rfc822; {}\r\nAction: failed\r\nStatus: {}\r\n",
            f.address,
            valid_status(&f.status)
        ));
        if let Some(remote) = b.remote_mta {
            status.push_str(&format!("Remote-MTA: dns; {remote}\r\n"));
        }
        let diag: String = f
            .diagnostic
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        if f.smtp_reply {
            status.push_str(&encode::header("Diagnostic-Code", &format!("smtp; {diag}")));
        } else {
            status.push_str(&encode::header(
                "X-Diagnostic",
                &encode::unstructured(&diag),
            ));
        }
        status.push_str(&format!(
            "Last-Attempt-Date: {}\r\n",
            encode::rfc822_date(b.last_attempt, 0)
        ));
    }

    let daemon = Mailbox::new(
        Some("Mail Delivery System"),
        &format!("MAILER-DAEMON@{}", b.reporting_mta),
    );
    Ok(report::build(&Report {
        report_type: "delivery-status",
        human: &human,
        fields: &status,
        original: b.original,
        original_id: original_id.as_deref(),
        from: &daemon,
        to: b.sender,
        subject: &format!("Undelivered mail returned to sender: {subject}"),
        date: b.date,
    }))
}

/// `status` when it looks like `c.d.d`, else a generic code.
fn valid_status(status: &str) -> String {
    let parts: Vec<&str> = status.split('.').collect();
    let ok = parts.len() == 3
        && matches!(parts[0], "2" | "4" | "5")
        && parts[1..]
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()));
    if ok {
        status.to_string()
    } else {
        "5.0.0".into()
    }
}
