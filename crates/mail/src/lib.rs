//! # mail: what a user does with mail
//!
//! The use cases of mail, as plain blocking functions that the server
//! functions of `app`, the commands of `webmail` and the workers of `server`
//! all call, so that a rule exists once:
//!
//! - [`mailbox`]: the folder pane, a page of a folder or of search results,
//!   actions on selected messages (flags, moves, delete, block/safe the
//!   senders), folder management, the raw source;
//! - [`open`]: opening a message for the reader (sanitised view, neighbours
//!   in the list it was opened from, read receipt offer, mark read);
//! - [`write`]: the compose form (drafts, replies and forwards, the
//!   signature), sending (local recipients at once, the rest through the
//!   outbound queue), read receipts, the outbox, spelling;
//! - [`identity`]: who a user sends as (name, signature, language, time
//!   zone), with its limits;
//! - [`settings`]: the mail layout a user chose;
//! - [`retention`]: purging deleted messages once their days are over;
//! - [`deliver()`]: the one local delivery. `webmail deliver`, local
//!   recipients of compose, bounces and read receipts all call it, so a
//!   blocked sender lands in Junk whichever way the message came. "The
//!   sender" is always the first address of the From header.
//!
//! Every function takes whose mail it is first (a [`User`], or the directory
//! and the account for delivery), returns `model` types or plain data, and
//! fails with this crate's [`Error`].
//!
//! What belongs here: decisions about mail a user would recognise (which
//! folder a message goes to, what "delete" means in Trash, which images a
//! message may load, what is offered when a sender asks for a receipt).
//! What does not: HTTP, sessions, forms and redirects (`app`), configuration,
//! the command line and background scheduling (`server`), how mail is
//! stored and indexed (`mailstore`), parsing and sanitising (`mailview`,
//! `sanitize`), building MIME and the outbound queue (`compose`).
//!
//! Nothing here depends on leptos, axum or an async runtime: a caller on an
//! async thread runs these functions on a blocking thread.

mod deliver;
mod error;
pub mod identity;
pub mod mailbox;
pub mod open;
pub mod retention;
pub mod settings;
pub mod write;

pub use deliver::{Delivered, MAX_MESSAGE, deliver, deliver_to, sender_address};
pub use error::{Error, Result};

use std::path::PathBuf;

impl User {
    /// This user's own data (`user.sqlite`: preferences, identity, sender
    /// lists), moved there from the directory on first use.
    pub fn data(&self, directory: &accounts::Directory) -> Result<userdata::UserData> {
        Ok(directory.user_data(self.id, &self.dir)?)
    }
}

/// Whose mail a call is about: the signed-in account.
#[derive(Clone, Debug)]
pub struct User {
    /// The account in the directory.
    pub id: accounts::AccountId,
    /// Its address, `local@domain`.
    pub address: String,
    /// Its own directory: `Maildir/`, `index.sqlite`, `user.sqlite`.
    pub dir: PathBuf,
    /// The IANA time zone dates are shown in.
    pub time_zone: String,
    /// Whether the account may send (see [`model::AccountStatus`]).
    pub status: model::AccountStatus,
}
