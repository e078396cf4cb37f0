//! Sessions: random bearer tokens of which only a hash is kept.

use rand::RngCore;
use rand::rngs::OsRng;
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use sha2::{Digest, Sha256};

use crate::user::{ACCOUNT_COLUMNS, account_from_row, parse_column};
use crate::{AccountId, Directory, Error, NewSession, Result, Session, now};

/// Random bytes in a token.
const TOKEN_BYTES: usize = 32;

/// How long the row of an expired or ended session is kept (it grants
/// nothing), so that a form posted after the expiry can still be attributed
/// to its account by [`Directory::session_owner`]: a tab left open for weeks
/// still names its owner.
pub const EXPIRED_KEPT_SECS: i64 = 30 * 24 * 60 * 60;

impl Directory {
    /// Starts a session for an account and returns its token, which is not
    /// stored anywhere and cannot be recovered. The interface is also recorded
    /// as the account's latest choice.
    pub fn create_session(&self, id: AccountId, interface: model::Interface) -> Result<NewSession> {
        self.create_session_at(id, interface, now())
    }

    /// The session of a sign-in: [`Directory::create_session`], and the
    /// browser's time zone (`browser_zone`, an IANA name) becomes the
    /// account's while the user has chosen none. A name that is not a zone
    /// is ignored.
    pub fn sign_in_session(
        &self,
        id: AccountId,
        interface: model::Interface,
        browser_zone: Option<&str>,
    ) -> Result<NewSession> {
        if let Some(zone) = browser_zone.filter(|z| crate::zone::is_zone(z))
            && self.pref(id, crate::PREF_TIME_ZONE)?.is_none()
        {
            self.set_pref(id, crate::PREF_TIME_ZONE, zone)?;
        }
        self.create_session(id, interface)
    }

    /// [`Directory::create_session`] at a given time in Unix seconds.
    pub fn create_session_at(
        &self,
        id: AccountId,
        interface: model::Interface,
        now: i64,
    ) -> Result<NewSession> {
        let mut bytes = [0u8; TOKEN_BYTES];
        OsRng.fill_bytes(&mut bytes);
        let token = hex::encode(bytes);
        let expires_at = now.saturating_add(self.inner.policy.session_ttl_secs);

        let mut db = self.lock();
        let tx = db
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let changed = tx.execute(
            "UPDATE accounts SET interface = ?1 WHERE id = ?2",
            params![interface.as_str(), id.0],
        )?;
        if changed == 0 {
            return Err(Error::UnknownAccount(id));
        }
        tx.execute(
            "INSERT INTO sessions (token_hash, account_id, interface, created_at, expires_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                token_hash(&token),
                id.0,
                interface.as_str(),
                now,
                expires_at
            ],
        )?;
        tx.commit()?;
        tracing::debug!(account = id.0, "session created");
        Ok(NewSession { token, expires_at })
    }

    /// The session a token belongs to, or `None` if the token is malformed,
    /// unknown or expired, or the account is locked. Using a session extends
    /// it; the row is rewritten only once less than half its lifetime is left.
    pub fn session(&self, token: &str) -> Result<Option<Session>> {
        self.session_at(token, now())
    }

    /// [`Directory::session`] at a given time in Unix seconds.
    pub fn session_at(&self, token: &str, now: i64) -> Result<Option<Session>> {
        if !well_formed(token) {
            return Ok(None);
        }
        let hash = token_hash(token);
        let ttl = self.inner.policy.session_ttl_secs;
        let mut db = self.lock();
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS}, sessions.interface, sessions.expires_at, zone.value \
             FROM sessions JOIN accounts ON accounts.id = sessions.account_id \
             LEFT JOIN prefs zone ON zone.account_id = accounts.id AND zone.key = ?2 \
             WHERE sessions.token_hash = ?1"
        );
        let found = db
            .conn
            .prepare_cached(&sql)?
            .query_row([hash.as_str(), crate::PREF_TIME_ZONE], |r| {
                Ok(Session {
                    account: account_from_row(r, 0)?,
                    interface: parse_column(r, 7)?,
                    expires_at: r.get(8)?,
                    time_zone: r.get(9)?,
                })
            })
            .optional()?;
        let Some(mut session) = found else {
            return Ok(None);
        };
        if session.expires_at <= now {
            // Kept a while after expiry for `session_owner`, then deleted.
            if session.expires_at <= now - EXPIRED_KEPT_SECS {
                let tx = db
                    .conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)?;
                tx.execute("DELETE FROM sessions WHERE token_hash = ?1", [&hash])?;
                tx.commit()?;
            }
            return Ok(None);
        }
        if session.account.status == model::AccountStatus::Locked {
            return Ok(None);
        }
        if session.expires_at - now < ttl / 2 {
            let expires_at = now.saturating_add(ttl);
            let tx = db
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "UPDATE sessions SET expires_at = ?1 WHERE token_hash = ?2",
                params![expires_at, hash],
            )?;
            tx.commit()?;
            session.expires_at = expires_at;
        }
        Ok(Some(session))
    }

    /// The account a token was issued to, whether or not its session is
    /// still valid (expired, or the account locked), as long as the row is
    /// there: until [`EXPIRED_KEPT_SECS`] after expiry, or the session was
    /// ended (signing out, locking). Meant for attributing a form posted
    /// after its session ended; it grants nothing.
    pub fn session_owner(&self, token: &str) -> Result<Option<AccountId>> {
        if !well_formed(token) {
            return Ok(None);
        }
        let db = self.lock();
        Ok(db
            .conn
            .prepare_cached("SELECT account_id FROM sessions WHERE token_hash = ?1")?
            .query_row([token_hash(token)], |r| r.get(0))
            .optional()?
            .map(AccountId))
    }

    /// Ends one session (signing out). Ending an unknown session is not an
    /// error. The row stays, expired, for [`Directory::session_owner`].
    pub fn end_session(&self, token: &str) -> Result<()> {
        if !well_formed(token) {
            return Ok(());
        }
        let mut db = self.lock();
        let tx = db
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "UPDATE sessions SET expires_at = min(expires_at, ?2) WHERE token_hash = ?1",
            params![token_hash(token), now() - 1],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Ends every session of an account (signing out everywhere). The rows
    /// stay, expired, for [`Directory::session_owner`].
    pub fn end_all_sessions(&self, id: AccountId) -> Result<()> {
        let mut db = self.lock();
        let tx = db
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let ended = tx.execute(
            "UPDATE sessions SET expires_at = min(expires_at, ?2) \
             WHERE account_id = ?1 AND expires_at > ?2",
            params![id.0, now() - 1],
        )?;
        tx.commit()?;
        tracing::info!(account = id.0, ended, "all sessions ended");
        Ok(())
    }
}

/// Whether `token` could have come from [`Directory::create_session`]:
/// exactly 64 lower-case hex digits. Anything else is not looked up.
fn well_formed(token: &str) -> bool {
    token.len() == TOKEN_BYTES * 2
        && token
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The hex SHA-256 of a token, which is what the database keeps.
pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
