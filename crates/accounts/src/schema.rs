//! The database layout and its migrations.
//!
//! `PRAGMA user_version` holds the number of migrations applied. Migrations
//! only ever get appended; each runs in its own transaction together with the
//! version bump, so a crash leaves the file at a well-defined version.

use rusqlite::{Connection, TransactionBehavior};

use crate::{Error, Result};

/// Migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: domains, accounts, sessions, login failures.
    "
    CREATE TABLE domains (
        name        TEXT PRIMARY KEY NOT NULL,
        created_at  INTEGER NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE accounts (
        id                   INTEGER PRIMARY KEY,
        address              TEXT NOT NULL UNIQUE,
        local                TEXT NOT NULL,
        domain               TEXT NOT NULL REFERENCES domains(name) ON DELETE RESTRICT,
        password_hash        TEXT NOT NULL,
        status               TEXT NOT NULL DEFAULT 'active'
                             CHECK (status IN ('active', 'locked', 'suspended-sending')),
        interface            TEXT NOT NULL DEFAULT 'standard'
                             CHECK (interface IN ('standard', 'basic')),
        created_at           INTEGER NOT NULL,
        password_changed_at  INTEGER NOT NULL,
        CHECK (address = local || '@' || domain)
    );
    CREATE INDEX accounts_domain ON accounts(domain, address);

    -- token_hash is the hex SHA-256 of the token; the token itself is never stored.
    CREATE TABLE sessions (
        token_hash  TEXT PRIMARY KEY NOT NULL,
        account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        interface   TEXT NOT NULL CHECK (interface IN ('standard', 'basic')),
        created_at  INTEGER NOT NULL,
        expires_at  INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX sessions_account ON sessions(account_id);
    CREATE INDEX sessions_expires ON sessions(expires_at);

    -- One row per failed (or in-progress) sign-in; `client` is an IPv4
    -- address or an IPv6 /64.
    CREATE TABLE login_failures (
        id       INTEGER PRIMARY KEY,
        at       INTEGER NOT NULL,
        address  TEXT NOT NULL,
        client   TEXT NOT NULL
    );
    CREATE INDEX login_failures_address ON login_failures(address, at);
    CREATE INDEX login_failures_client ON login_failures(client, at);
    CREATE INDEX login_failures_at ON login_failures(at);
    ",
    // 2: per-account display preferences (pane collapsed, optional columns …).
    "
    CREATE TABLE prefs (
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (account_id, key)
    ) WITHOUT ROWID;
    ",
    // 3: per-account block and safe sender lists, honoured by delivery.
    "
    CREATE TABLE sender_lists (
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        list TEXT NOT NULL CHECK (list IN ('block', 'safe')),
        address TEXT NOT NULL,
        added_at INTEGER NOT NULL,
        PRIMARY KEY (account_id, list, address)
    ) WITHOUT ROWID;
    ",
    // 4: clients (IPv4 address or IPv6 /64) that signed in to an account:
    // they keep signing in while strangers' failures hold the account.
    "
    CREATE TABLE known_clients (
        address TEXT NOT NULL,
        client TEXT NOT NULL,
        last_ok_at INTEGER NOT NULL,
        PRIMARY KEY (address, client)
    ) WITHOUT ROWID;
    CREATE INDEX login_failures_pair ON login_failures(address, client, at);
    ",
];

/// The schema version this build creates and understands.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the database up to [`SCHEMA_VERSION`].
pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    loop {
        // Read the version inside the write transaction, so two processes
        // opening a fresh file at once do not both run a migration.
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
        tracing::info!(version = version + 1, "directory schema migrated");
    }
}
