//! Sign-in: password checks and persistent rate limits.
//!
//! Guessing must stay expensive without giving strangers a button that
//! locks the owner out. Failures are counted three ways:
//! - **this address from this client**: after
//!   [`Policy::max_failures_per_account`] failures in a day, each further
//!   attempt waits twice as long as the one before (1 minute, 2, 4 … at
//!   most an hour): a guesser from one place gets a handful of tries a day;
//! - **this client, any address** ([`Policy::max_failures_per_client`] in
//!   the window): a client spraying many accounts is paused;
//! - **this address, any client** ([`ACCOUNT_FACTOR`] times the per-account
//!   limit in the window): a distributed guesser is paused too, but only
//!   clients that never signed in to the account are held by it. A *known
//!   client* (one that signed in to the address within [`KNOWN_FOR_SECS`])
//!   with the right password still gets in.
//!
//! An attempt first passes the rate limits, then is recorded as a failure,
//! and only then is the password checked (outside the connection lock). A
//! correct password deletes this client's failures for the address (not
//! other clients'), including this attempt's row, and makes the client
//! known. Recording first means that a burst of concurrent guesses counts
//! in full instead of racing past the limit.

use std::net::IpAddr;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::{Db, Directory, Login, Policy, Result, client_key, now, password, user, validate};

/// How often, at most, old failures and expired sessions are deleted.
const PRUNE_INTERVAL_SECS: i64 = 300;

/// The longest address kept in the failure table; longer input is cut.
const MAX_KEY_LEN: usize = 320;

/// How many times the per-account limit failures of one address, from all
/// clients together within the window, pause the clients it does not know.
pub const ACCOUNT_FACTOR: u32 = 10;

/// How long a client that signed in stays known to the address.
pub const KNOWN_FOR_SECS: i64 = 90 * 24 * 60 * 60;

/// Over how long the failures of one address from one client are counted.
const PAIR_HORIZON_SECS: i64 = 24 * 60 * 60;

/// The first pause of one address from one client, doubled per failure.
const PAIR_FIRST_PAUSE_SECS: i64 = 60;

/// The longest pause of one address from one client.
const PAIR_MAX_PAUSE_SECS: i64 = 60 * 60;

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
            let window = policy.failure_window_secs;
            let known = is_known(&tx, &key, &client, now)?;
            let mut until = Vec::new();
            until.extend(pair_pause(
                &tx,
                &key,
                &client,
                now,
                policy.max_failures_per_account,
            )?);
            until.extend(
                retry_after(
                    &tx,
                    Column::Client,
                    &client,
                    since,
                    policy.max_failures_per_client,
                )?
                .map(|oldest| oldest + window),
            );
            if !known {
                until.extend(
                    retry_after(
                        &tx,
                        Column::Address,
                        &key,
                        since,
                        policy
                            .max_failures_per_account
                            .saturating_mul(ACCOUNT_FACTOR),
                    )?
                    .map(|oldest| oldest + window),
                );
            }
            if let Some(until) = until.into_iter().max().filter(|u| *u > now) {
                let retry_after_secs = (until - now).max(1);
                tracing::warn!(address = shown, client = %client, known, retry_after_secs, "sign-in rate limited");
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
                "DELETE FROM login_failures WHERE (address = ?1 AND client = ?2) OR id = ?3",
                params![key, client, attempt],
            )?;
            tx.execute(
                "INSERT INTO known_clients (address, client, last_ok_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (address, client) DO UPDATE SET last_ok_at = excluded.last_ok_at",
                params![key, client, now],
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

/// Whether `client` signed in to `address` within [`KNOWN_FOR_SECS`].
fn is_known(conn: &Connection, address: &str, client: &str, now: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM known_clients WHERE address = ?1 AND client = ?2 AND last_ok_at > ?3",
        )?
        .query_row(params![address, client, now - KNOWN_FOR_SECS], |_| Ok(()))
        .optional()?
        .is_some())
}

/// The pause after the failures of `address` from `client`: once there are
/// `max` or more within [`PAIR_HORIZON_SECS`], the time the next attempt
/// may come, doubling from [`PAIR_FIRST_PAUSE_SECS`] per failure beyond
/// `max - 1`, at most [`PAIR_MAX_PAUSE_SECS`] after the latest. A `max` of
/// 0 disables it.
fn pair_pause(
    conn: &Connection,
    address: &str,
    client: &str,
    now: i64,
    max: u32,
) -> Result<Option<i64>> {
    if max == 0 {
        return Ok(None);
    }
    let (count, latest): (i64, Option<i64>) = conn
        .prepare_cached(
            "SELECT count(*), max(at) FROM login_failures \
             WHERE address = ?1 AND client = ?2 AND at > ?3",
        )?
        .query_row(params![address, client, now - PAIR_HORIZON_SECS], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    let beyond = count - i64::from(max);
    let Some(latest) = latest.filter(|_| beyond >= 0) else {
        return Ok(None);
    };
    let pause = PAIR_FIRST_PAUSE_SECS
        .saturating_mul(1i64 << beyond.clamp(0, 20))
        .min(PAIR_MAX_PAUSE_SECS);
    Ok(Some(latest + pause))
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
    /// Deletes failures older than they are counted, clients no longer
    /// known, and sessions expired for
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
            [now - policy.failure_window_secs.max(PAIR_HORIZON_SECS)],
        )?;
        tx.execute(
            "DELETE FROM known_clients WHERE last_ok_at <= ?1",
            [now - KNOWN_FOR_SECS],
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
