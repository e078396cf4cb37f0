//! Sign-in: password checks and persistent rate limits.
//!
//! An attempt first passes the rate limits, then is recorded as a failure,
//! and only then is the password checked (outside the connection lock). A
//! correct password deletes the account's failures, including this attempt's
//! row. Recording first means that a burst of concurrent guesses counts in
//! full instead of racing past the limit.

use std::net::IpAddr;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::{Db, Directory, Login, Policy, Result, client_key, now, password, user, validate};

/// How often, at most, old failures and expired sessions are deleted.
const PRUNE_INTERVAL_SECS: i64 = 300;

/// The longest address kept in the failure table; longer input is cut.
const MAX_KEY_LEN: usize = 320;

impl Directory {
    /// Checks an address and password from `client`. See [`Login`] for the
    /// possible answers.
    pub fn authenticate(&self, address: &str, password: &str, client: IpAddr) -> Result<Login> {
        self.authenticate_at(address, password, client, now())
    }

    /// [`Directory::authenticate`] at a given time in Unix seconds, so tests
    /// can move through the rate-limit window.
    pub fn authenticate_at(
        &self,
        address: &str,
        password: &str,
        client: IpAddr,
        now: i64,
    ) -> Result<Login> {
        let policy = &self.inner.policy;
        let canonical = validate::address(address).ok().map(|a| a.full());
        let key = canonical.clone().unwrap_or_else(|| failure_key(address));
        let client = client_key(client);
        // What goes in the log: never raw input that failed validation, which
        // is sometimes a password typed into the wrong box.
        let shown = canonical.as_deref().unwrap_or("<invalid address>");

        let (attempt, found) = {
            let mut db = self.lock();
            db.prune_if_due(now, policy)?;
            let tx = db
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let since = now - policy.failure_window_secs;
            let waits = [
                retry_after(
                    &tx,
                    Column::Address,
                    &key,
                    since,
                    policy.max_failures_per_account,
                )?,
                retry_after(
                    &tx,
                    Column::Client,
                    &client,
                    since,
                    policy.max_failures_per_client,
                )?,
            ];
            if let Some(oldest) = waits.into_iter().flatten().max() {
                let retry_after_secs = (oldest + policy.failure_window_secs - now).max(1);
                tracing::warn!(address = shown, client = %client, retry_after_secs, "sign-in rate limited");
                return Ok(Login::RateLimited { retry_after_secs });
            }
            tx.execute(
                "INSERT INTO login_failures (at, address, client) VALUES (?1, ?2, ?3)",
                params![now, key, client],
            )?;
            let attempt = tx.last_insert_rowid();
            let found = match &canonical {
                Some(address) => user::with_hash(&tx, address)?,
                None => None,
            };
            tx.commit()?;
            (attempt, found)
        };

        let account = match found {
            Some((account, hash)) if password::verify(password, &hash)? => account,
            Some(_) => {
                tracing::info!(address = shown, client = %client, "sign-in failed: wrong password");
                return Ok(Login::BadCredentials);
            }
            None => {
                password::verify_dummy(password);
                tracing::info!(address = shown, client = %client, "sign-in failed: unknown user");
                return Ok(Login::BadCredentials);
            }
        };

        {
            let mut db = self.lock();
            let tx = db
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "DELETE FROM login_failures WHERE address = ?1 OR id = ?2",
                params![key, attempt],
            )?;
            tx.commit()?;
        }
        if account.status == model::AccountStatus::Locked {
            tracing::info!(address = shown, client = %client, "sign-in refused: account locked");
            return Ok(Login::Locked);
        }
        tracing::info!(address = shown, client = %client, "signed in");
        Ok(Login::Ok(account))
    }
}

/// The failure-table key for input that is not a valid address.
fn failure_key(address: &str) -> String {
    let lower = address.trim().to_lowercase();
    match lower.char_indices().nth(MAX_KEY_LEN) {
        Some((cut, _)) => lower[..cut].to_owned(),
        None => lower,
    }
}

/// Which column of `login_failures` a limit counts.
#[derive(Clone, Copy)]
enum Column {
    Address,
    Client,
}

/// If `value` has at least `max` failures after `since`, the time of the
/// failure whose expiry brings it back under the limit. A `max` of 0
/// disables the limit.
fn retry_after(
    conn: &Connection,
    column: Column,
    value: &str,
    since: i64,
    max: u32,
) -> Result<Option<i64>> {
    if max == 0 {
        return Ok(None);
    }
    let sql = match column {
        Column::Address => {
            "SELECT at FROM login_failures WHERE address = ?1 AND at > ?2 \
             ORDER BY at DESC LIMIT 1 OFFSET ?3"
        }
        Column::Client => {
            "SELECT at FROM login_failures WHERE client = ?1 AND at > ?2 \
             ORDER BY at DESC LIMIT 1 OFFSET ?3"
        }
    };
    Ok(conn
        .prepare_cached(sql)?
        .query_row(params![value, since, max - 1], |r| r.get(0))
        .optional()?)
}

impl Db {
    /// Deletes failures older than the window and sessions expired for
    /// longer than [`crate::session::EXPIRED_KEPT_SECS`], at most once every
    /// few minutes.
    pub(crate) fn prune_if_due(&mut self, now: i64, policy: &Policy) -> Result<()> {
        if (0..PRUNE_INTERVAL_SECS).contains(&(now - self.last_prune)) {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let failures = tx.execute(
            "DELETE FROM login_failures WHERE at <= ?1",
            [now - policy.failure_window_secs],
        )?;
        let sessions = tx.execute(
            "DELETE FROM sessions WHERE expires_at <= ?1",
            [now - crate::session::EXPIRED_KEPT_SECS],
        )?;
        tx.commit()?;
        self.last_prune = now;
        tracing::debug!(failures, sessions, "pruned sign-in failures and sessions");
        Ok(())
    }
}
