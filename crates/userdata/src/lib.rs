//! # userdata: what belongs to one user beside their mail
//!
//! `user.sqlite` in the user's own directory, next to `Maildir/` and the
//! mail index, so everything of a user moves with the user between nodes:
//!
//! - [`UserData::pref`]: preferences by key (layout, identity, signature,
//!   spell-check language, trusted image senders), with their limits in one
//!   place ([`MAX_PREF_KEY`], [`MAX_PREF_VALUE`]: an over-long value is
//!   refused, never cut);
//! - [`UserData::senders`]: the block and safe sender lists, and the one
//!   question delivery asks of them ([`UserData::folder_for_sender`]).
//!
//! Calendars, contacts and feeds will get their tables here too, each as a
//! schema migration appended to [`schema`].
//!
//! Unlike the mail index this file is a source of truth: it is not rebuilt
//! from anything, so it is opened in WAL mode with synchronous writes and
//! every change is one transaction.
//!
//! What does not belong here: the account itself, its password, sessions and
//! the account-wide time zone the session carries (the directory); mail and
//! its index (`mailstore`).

mod error;
mod pool;
pub mod schema;
mod senders;

pub use error::{Error, Result};
pub use senders::{JUNK_FOLDER, SenderList};

use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;
use std::time::Duration;

/// The file name in the user's directory.
pub const FILE: &str = "user.sqlite";

/// Longest preference key, in characters.
pub const MAX_PREF_KEY: usize = 320;
/// Longest preference value, in characters: room for a signature (the use
/// cases set their own, smaller limits and say so to the user).
pub const MAX_PREF_VALUE: usize = 4000;

/// A user's own data: one connection to their `user.sqlite`. Open one per
/// piece of work; opening is cheap: connections are kept open for reuse
/// (see `pool`).
pub struct UserData {
    conn: pool::Pooled,
}

/// Data of a user kept elsewhere before this file existed, to be imported
/// once (see [`UserData::import`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Imported {
    /// Preferences: (key, value).
    pub prefs: Vec<(String, String)>,
    /// Sender list entries: (list, entry, when added).
    pub senders: Vec<(SenderList, String, i64)>,
}

/// The `meta` key recording that the import has been done.
const IMPORTED: &str = "imported";

impl UserData {
    /// Opens (creating if needed, with the user's directory) the
    /// `user.sqlite` of the user whose directory is `user_dir`, migrating
    /// its schema.
    pub fn open(user_dir: &Path) -> Result<UserData> {
        let path = user_dir.join(FILE);
        // A kept connection, unless another program changed the schema
        // since (then the check below says what to do).
        if let Some(conn) = pool::Pooled::take(&path)
            && conn
                .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
                .is_ok_and(|v| v == schema::SCHEMA_VERSION)
        {
            return Ok(UserData { conn });
        }
        std::fs::create_dir_all(user_dir).map_err(|source| Error::Io {
            path: user_dir.to_owned(),
            source,
        })?;
        let mut conn = Connection::open(&path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.execute_batch("PRAGMA synchronous = FULL;")?;
        // WAL is a property of the file: set once, when it is made.
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version == 0 {
            let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        }
        if version != schema::SCHEMA_VERSION {
            schema::migrate(&mut conn)?;
        }
        Ok(UserData {
            conn: pool::Pooled::new(conn, &path),
        })
    }

    /// Whether data kept elsewhere was already imported (or there was none
    /// to import when the file was made).
    pub fn imported(&self) -> Result<bool> {
        Ok(self
            .conn
            .query_row("SELECT 1 FROM meta WHERE key = ?1", [IMPORTED], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Imports data kept elsewhere, once: in one transaction with the mark
    /// that it was done, so a crash leaves either nothing or all of it.
    /// Entries already here win; an entry that is not valid any more is
    /// logged and left out. Returns `false` when the import had been done.
    pub fn import(&mut self, data: &Imported) -> Result<bool> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let done: bool = tx
            .query_row("SELECT 1 FROM meta WHERE key = ?1", [IMPORTED], |_| Ok(()))
            .optional()?
            .is_some();
        if done {
            return Ok(false);
        }
        for (key, value) in &data.prefs {
            if check_pref(key, value).is_err() {
                tracing::warn!(key, "preference not imported: over the limit");
                continue;
            }
            tx.execute(
                "INSERT OR IGNORE INTO prefs (key, value) VALUES (?1, ?2)",
                params![key, value],
            )?;
        }
        for (list, entry, added) in &data.senders {
            match senders::normalize(entry) {
                Ok(e) => {
                    tx.execute(
                        "INSERT OR IGNORE INTO senders (list, entry, added_at) VALUES (?1, ?2, ?3)",
                        params![list.as_str(), e, added],
                    )?;
                }
                Err(_) => tracing::warn!(entry, "sender entry not imported: not valid"),
            }
        }
        tx.execute(
            "INSERT INTO meta (key, value) VALUES (?1, strftime('%s','now'))",
            [IMPORTED],
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// The value of preference `key`, if set.
    pub fn pref(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT value FROM prefs WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?)
    }

    /// Sets preference `key`. A key longer than [`MAX_PREF_KEY`] or a value
    /// longer than [`MAX_PREF_VALUE`] characters is refused with
    /// [`Error::TooLong`], never cut.
    pub fn set_pref(&self, key: &str, value: &str) -> Result<()> {
        check_pref(key, value)?;
        self.conn
            .prepare_cached(
                "INSERT INTO prefs (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![key, value])?;
        Ok(())
    }

    /// Removes preference `key`; `false` when it was not set.
    pub fn clear_pref(&self, key: &str) -> Result<bool> {
        Ok(self
            .conn
            .execute("DELETE FROM prefs WHERE key = ?1", [key])?
            > 0)
    }
}

fn check_pref(key: &str, value: &str) -> Result<()> {
    for (what, s, max) in [("key", key, MAX_PREF_KEY), ("value", value, MAX_PREF_VALUE)] {
        if s.chars().count() > max {
            return Err(Error::TooLong { what, max });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
