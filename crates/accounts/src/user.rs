//! User accounts: creation, lookup and administration.

use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

use crate::domain::domain_exists;
use crate::{Account, AccountId, Directory, Error, Result, now, password, validate};

/// The columns [`account_from_row`] reads, in order.
pub(crate) const ACCOUNT_COLUMNS: &str = "accounts.id, accounts.address, accounts.local, accounts.domain, accounts.status, \
     accounts.interface, accounts.created_at";

/// Reads an [`Account`] from [`ACCOUNT_COLUMNS`] starting at column `at`.
pub(crate) fn account_from_row(row: &Row<'_>, at: usize) -> rusqlite::Result<Account> {
    Ok(Account {
        id: AccountId(row.get(at)?),
        address: row.get(at + 1)?,
        local: row.get(at + 2)?,
        domain: row.get(at + 3)?,
        status: parse_column(row, at + 4)?,
        interface: parse_column(row, at + 5)?,
        created_at: row.get(at + 6)?,
    })
}

/// Reads a text column into a type with a `FromStr`, reporting an unknown
/// value as a conversion error rather than panicking.
pub(crate) fn parse_column<T>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T>
where
    T: std::str::FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let text: String = row.get(idx)?;
    text.parse().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// The account with this canonical address, if any.
fn by_address(conn: &Connection, address: &str) -> Result<Option<Account>> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE address = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([address], |r| account_from_row(r, 0))
        .optional()?)
}

impl Directory {
    /// Creates an account in an existing domain.
    pub fn add_user(&self, address: &str, password: &str) -> Result<Account> {
        let addr = validate::address(address)?;
        validate::password(password, self.inner.policy.min_password_len)?;
        let full = addr.full();
        // Fail fast on the common mistakes before spending time on the hash.
        {
            let db = self.lock();
            if !domain_exists(&db.conn, &addr.domain)? {
                return Err(Error::UnknownDomain(addr.domain));
            }
            if by_address(&db.conn, &full)?.is_some() {
                return Err(Error::UserExists(full));
            }
        }
        let hash = password::hash(password)?;
        let mut db = self.lock();
        let tx = db
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Checked again: another writer may have got in while we hashed.
        if !domain_exists(&tx, &addr.domain)? {
            return Err(Error::UnknownDomain(addr.domain));
        }
        if by_address(&tx, &full)?.is_some() {
            return Err(Error::UserExists(full));
        }
        let created = now();
        tx.execute(
            "INSERT INTO accounts (address, local, domain, password_hash, created_at, \
             password_changed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            params![full, addr.local, addr.domain, hash, created],
        )?;
        let account = by_address(&tx, &full)?.ok_or_else(|| Error::UnknownUser(full.clone()))?;
        tx.commit()?;
        tracing::info!(address = %account.address, id = account.id.0, "user added");
        Ok(account)
    }

    /// Replaces a user's password. All of the user's sessions end, and their
    /// record of failed sign-ins is cleared so they can sign in at once.
    pub fn set_password(&self, address: &str, password: &str) -> Result<()> {
        let addr = validate::address(address)?;
        validate::password(password, self.inner.policy.min_password_len)?;
        let full = addr.full();
        if self.find_user(&full)?.is_none() {
            return Err(Error::UnknownUser(full));
        }
        let hash = password::hash(password)?;
        let mut db = self.lock();
        let tx = db
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let Some(account) = by_address(&tx, &full)? else {
            return Err(Error::UnknownUser(full));
        };
        tx.execute(
            "UPDATE accounts SET password_hash = ?1, password_changed_at = ?2 WHERE id = ?3",
            params![hash, now(), account.id.0],
        )?;
        let ended = tx.execute("DELETE FROM sessions WHERE account_id = ?1", [account.id.0])?;
        tx.execute("DELETE FROM login_failures WHERE address = ?1", [&full])?;
        tx.commit()?;
        tracing::info!(address = %full, sessions_ended = ended, "password changed");
        Ok(())
    }

    /// Changes what a user may do. Locking a user also ends their sessions.
    pub fn set_status(&self, address: &str, status: model::AccountStatus) -> Result<()> {
        let full = validate::address(address)?.full();
        let mut db = self.lock();
        let tx = db
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let Some(account) = by_address(&tx, &full)? else {
            return Err(Error::UnknownUser(full));
        };
        tx.execute(
            "UPDATE accounts SET status = ?1 WHERE id = ?2",
            params![status.as_str(), account.id.0],
        )?;
        if status == model::AccountStatus::Locked {
            tx.execute("DELETE FROM sessions WHERE account_id = ?1", [account.id.0])?;
        }
        tx.commit()?;
        tracing::info!(address = %full, status = %status, "status changed");
        Ok(())
    }

    /// Records the interface a user chose, as the account's default and for
    /// all of their current sessions.
    pub fn set_interface(&self, id: AccountId, interface: model::Interface) -> Result<()> {
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
            "UPDATE sessions SET interface = ?1 WHERE account_id = ?2",
            params![interface.as_str(), id.0],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// All users, or those of one domain, sorted by address.
    pub fn users(&self, domain: Option<&str>) -> Result<Vec<Account>> {
        let db = self.lock();
        let accounts = match domain {
            None => {
                let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY address");
                db.conn
                    .prepare_cached(&sql)?
                    .query_map([], |r| account_from_row(r, 0))?
                    .collect::<rusqlite::Result<Vec<_>>>()?
            }
            Some(domain) => {
                let name = domain.trim().to_ascii_lowercase();
                let name = name.strip_suffix('.').unwrap_or(&name);
                if !domain_exists(&db.conn, name)? {
                    return Err(Error::UnknownDomain(name.to_owned()));
                }
                let sql = format!(
                    "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE domain = ?1 ORDER BY address"
                );
                db.conn
                    .prepare_cached(&sql)?
                    .query_map([name], |r| account_from_row(r, 0))?
                    .collect::<rusqlite::Result<Vec<_>>>()?
            }
        };
        Ok(accounts)
    }

    /// The account with this id, if it exists.
    pub fn account(&self, id: AccountId) -> Result<Option<Account>> {
        let db = self.lock();
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = ?1");
        Ok(db
            .conn
            .prepare_cached(&sql)?
            .query_row([id.0], |r| account_from_row(r, 0))
            .optional()?)
    }

    /// The account with this address, ignoring case and surrounding space.
    /// An address that is not valid has no account.
    pub fn find_user(&self, address: &str) -> Result<Option<Account>> {
        let Ok(addr) = validate::address(address) else {
            return Ok(None);
        };
        let db = self.lock();
        by_address(&db.conn, &addr.full())
    }
}

/// The account with this canonical address and its password hash.
pub(crate) fn with_hash(conn: &Connection, address: &str) -> Result<Option<(Account, String)>> {
    let sql = format!(
        "SELECT {ACCOUNT_COLUMNS}, accounts.password_hash FROM accounts WHERE address = ?1"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([address], |r| Ok((account_from_row(r, 0)?, r.get(7)?)))
        .optional()?)
}
