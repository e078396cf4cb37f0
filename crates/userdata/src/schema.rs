//! The layout of `user.sqlite` and its migrations.
//!
//! `PRAGMA user_version` holds the number of migrations applied. Migrations
//! only ever get appended; each runs in its own transaction with the version
//! bump, so a crash leaves the file at a well-defined version.

use rusqlite::{Connection, TransactionBehavior};

use crate::{Error, Result};

/// Migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: preferences, sender lists, and facts about the file itself.
    "
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE prefs (
        key   TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE senders (
        list     TEXT NOT NULL CHECK (list IN ('block', 'safe')),
        entry    TEXT NOT NULL,
        added_at INTEGER NOT NULL,
        PRIMARY KEY (list, entry)
    ) WITHOUT ROWID;
    CREATE INDEX senders_entry ON senders(entry);
    ",
];

/// The schema version this build creates and understands.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the file up to [`SCHEMA_VERSION`].
pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    loop {
        // Read inside the write transaction, so two openers of a fresh file
        // do not both run a migration.
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version == SCHEMA_VERSION {
            return Ok(());
        }
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(Error::SchemaTooNew {
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        let Some(sql) = usize::try_from(version)
            .ok()
            .and_then(|v| MIGRATIONS.get(v))
        else {
            return Ok(());
        };
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.commit()?;
        tracing::debug!(version = version + 1, "user.sqlite schema migrated");
    }
}
