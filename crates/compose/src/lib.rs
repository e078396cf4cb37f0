//! Sending mail: addresses as users type them, MIME building, reply and
//! forward prefill, read receipts (RFC 8098), bounces (RFC 3464), and the
//! durable outbound queue with its SMTP relay worker.
//!
//! # Key decisions
//!
//! - **Messages are built here, byte for byte** ([`mime`]). The same build
//!   yields the copy for transport (no `Bcc`) and the copy for the Sent
//!   folder (with `Bcc`), sharing one Message-ID and one body, so a retry
//!   or a crash never changes what recipients receive.
//! - **The queue is the promise** ([`queue`]). The UI says "sent" only after
//!   the message file and its metadata are fsynced and renamed into
//!   `spool/`, and the directory is fsynced. Delivery is at-least-once with
//!   the same bytes: a crash after the relay accepted a message but before
//!   the queue recorded it sends it again, with the same Message-ID, which
//!   receivers deduplicate.
//! - **Failures are data.** The relay ([`relay`]) reports per recipient
//!   whether a failure is temporary (4xx, connection refused, timeout) or
//!   permanent (5xx); the worker ([`worker`]) retries with backoff for up to
//!   five days and then hands back a bounce ([`dsn`]) for the caller to
//!   deliver into the sender's Inbox.
//! - **No web types.** This crate knows nothing of HTTP or the UI; HTML it
//!   receives is already sanitised by the caller, and HTML it builds from
//!   plain text is escaped here.

#![deny(missing_docs)]

pub mod address;
pub mod draft;
pub mod dsn;
mod encode;
mod error;
pub mod mdn;
pub mod mime;
pub mod queue;
pub mod relay;
pub mod reply;
mod report;
pub mod simple;
pub mod worker;

pub use address::{AddressProblem, Mailbox, parse_addresses};
pub use error::{Error, Result};
pub use mime::{Attachment, Built, Outgoing};
