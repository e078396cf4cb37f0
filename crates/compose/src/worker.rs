//! One step of the background sender: send everything due, record the
//! results, and hand back what happened, bounces included.
//!
//! The server's task calls [`run_due`] in a loop (on a blocking thread)
//! and then files the queue's staged bounces ([`Queue::staged_bounces`])
//! into their senders' Inboxes. Results are recorded in the queue before
//! this returns, and a bounce is staged before its entry is finished, so a
//! crash loses neither the message nor its bounce.

use mail_parser::MessageParser;

use crate::dsn::{self, Bounce, FailedRecipient};
use crate::queue::{Claim, Queue, next_attempt};
use crate::relay::{Attempt, Outcome, Relay};
use crate::{Mailbox, Result};

/// A message delivered to some or all of its remaining recipients.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivered {
    /// Queue id.
    pub id: String,
    /// The recipients the relay accepted in this step.
    pub recipients: Vec<String>,
}

/// A message that will be tried again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Retried {
    /// Queue id.
    pub id: String,
    /// The recipients still waiting.
    pub recipients: Vec<String>,
    /// When, seconds since the epoch.
    pub next_attempt: i64,
    /// Why.
    pub error: String,
}

/// A bounce, staged in the queue for the sender's Inbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bounced {
    /// Queue id.
    pub id: String,
    /// The staged bounce's id ([`Queue::bounce_filed`]).
    pub bounce_id: String,
    /// The account whose Inbox gets [`Bounced::dsn`].
    pub account: String,
    /// The recipients that failed.
    pub failed: Vec<FailedRecipient>,
    /// The bounce message (RFC 3464).
    pub dsn: Vec<u8>,
}

/// What one step did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Accepted by the relay.
    pub delivered: Vec<Delivered>,
    /// Rescheduled.
    pub retried: Vec<Retried>,
    /// Returned to their senders.
    pub bounced: Vec<Bounced>,
    /// Entries that could not be processed (I/O); they stay queued.
    pub errors: Vec<String>,
}

/// Sends every entry due at `now` through `relay`.
pub fn run_due(queue: &Queue, relay: &Relay, now: i64) -> Result<Report> {
    let host = relay.hello_name();
    let remote = relay.config().host.clone();
    run_due_with(queue, now, &host, Some(&remote), |entry, bytes| {
        relay.send(&entry.envelope_from, &entry.recipients, bytes)
    })
}

/// [`run_due`] with any way of sending (`send` gets the entry and the
/// message bytes); `reporting_mta` names us in bounces.
pub fn run_due_with(
    queue: &Queue,
    now: i64,
    reporting_mta: &str,
    remote_mta: Option<&str>,
    mut send: impl FnMut(&crate::queue::Entry, &[u8]) -> Attempt,
) -> Result<Report> {
    let mut report = Report::default();
    for claim in queue.claim_due(now)? {
        if let Err(e) = step(
            queue,
            &claim,
            now,
            reporting_mta,
            remote_mta,
            &mut send,
            &mut report,
        ) {
            tracing::warn!(id = %claim.entry.id, error = %e, "queue entry not processed");
            report.errors.push(format!("{}: {e}", claim.entry.id));
        }
    }
    Ok(report)
}

fn step(
    queue: &Queue,
    claim: &Claim,
    now: i64,
    reporting_mta: &str,
    remote_mta: Option<&str>,
    send: &mut impl FnMut(&crate::queue::Entry, &[u8]) -> Attempt,
    report: &mut Report,
) -> Result<()> {
    let entry = &claim.entry;
    let Some(bytes) = queue.message(claim)? else {
        tracing::warn!(id = %entry.id, "queued message vanished; entry removed");
        return queue.complete(claim);
    };
    let attempt = send(entry, &bytes);
    let mut delivered = Vec::new();
    let mut failed = Vec::new();
    let mut remaining = Vec::new();
    let mut last_temp = String::new();
    for r in &entry.recipients {
        let outcome = attempt
            .results
            .iter()
            .find(|(a, _)| a == r)
            .map(|(_, o)| o.clone())
            .unwrap_or_else(|| Outcome::Temporary("no result from the relay".into()));
        match outcome {
            Outcome::Delivered => delivered.push(r.clone()),
            Outcome::Permanent(text) => failed.push(FailedRecipient {
                address: r.clone(),
                status: enhanced_status(&text, '5'),
                diagnostic: text,
                smtp_reply: true,
            }),
            Outcome::Temporary(text) => {
                last_temp = text;
                remaining.push(r.clone());
            }
        }
    }
    if !remaining.is_empty() {
        match next_attempt(entry.created, entry.attempts + 1, now) {
            Some(at) => {
                queue.reschedule(claim, &remaining, &last_temp, at)?;
                report.retried.push(Retried {
                    id: entry.id.clone(),
                    recipients: remaining.clone(),
                    next_attempt: at,
                    error: last_temp,
                });
            }
            None => {
                let smtp_reply = last_temp.starts_with('4');
                failed.extend(remaining.drain(..).map(|address| FailedRecipient {
                    address,
                    status: enhanced_status(&last_temp, '4'),
                    diagnostic: last_temp.clone(),
                    smtp_reply,
                }));
            }
        }
    }
    if !failed.is_empty() {
        let failed = std::mem::take(&mut failed);
        let sender = if entry.envelope_from.is_empty() {
            &entry.account
        } else {
            &entry.envelope_from
        };
        let subject_sender = MessageParser::new().parse_headers(&bytes).and_then(|m| {
            m.from()
                .and_then(|f| f.first())
                .and_then(|a| a.name().map(str::to_string))
        });
        let mailbox = Mailbox::new(subject_sender.as_deref(), sender);
        let built = dsn::build(&Bounce {
            reporting_mta,
            remote_mta,
            sender: &mailbox,
            original: &bytes,
            failed: &failed,
            arrival: entry.created,
            last_attempt: now,
            date: now,
        })?;
        // Kept durably before the entry is finished or rescheduled.
        let bounce_id = format!("{}-{}", entry.id, entry.attempts + 1);
        queue.stage_bounce(&bounce_id, &entry.account, &built.transport)?;
        report.bounced.push(Bounced {
            id: entry.id.clone(),
            bounce_id,
            account: entry.account.clone(),
            failed,
            dsn: built.transport,
        });
    }
    // With recipients remaining, the entry was rescheduled for them alone.
    if remaining.is_empty() {
        queue.complete(claim)?;
    }
    if !delivered.is_empty() {
        report.delivered.push(Delivered {
            id: entry.id.clone(),
            recipients: delivered,
        });
    }
    Ok(())
}

/// The enhanced status code in an SMTP reply text (`550 5.1.1 …`), or a
/// generic one of `class`.
fn enhanced_status(text: &str, class: char) -> String {
    text.split_whitespace()
        .take(2)
        .find(|w| {
            let p: Vec<&str> = w.split('.').collect();
            p.len() == 3
                && p[0].len() == 1
                && p.iter()
                    .all(|x| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit()))
        })
        .filter(|w| w.starts_with(class))
        .map(str::to_string)
        .unwrap_or_else(|| format!("{class}.0.0"))
}
