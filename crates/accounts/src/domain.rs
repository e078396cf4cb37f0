//! Mail domains served by this installation.

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use crate::{Directory, Error, Result, now, validate};

impl Directory {
    /// Adds a mail domain. The name is trimmed and lower-cased.
    pub fn add_domain(&self, name: &str) -> Result<()> {
        let name = validate::domain(name)?;
        let mut db = self.lock();
        let tx = db
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if domain_exists(&tx, &name)? {
            return Err(Error::DomainExists(name));
        }
        tx.execute(
            "INSERT INTO domains (name, created_at) VALUES (?1, ?2)",
            params![name, now()],
        )?;
        tx.commit()?;
        tracing::info!(domain = %name, "domain added");
        Ok(())
    }

    /// All domains, sorted by name.
    pub fn domains(&self) -> Result<Vec<String>> {
        let db = self.lock();
        let mut stmt = db
            .conn
            .prepare_cached("SELECT name FROM domains ORDER BY name")?;
        let names = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(names)
    }
}

/// Whether the (canonical) domain is in the directory.
pub(crate) fn domain_exists(conn: &rusqlite::Connection, name: &str) -> Result<bool> {
    Ok(conn
        .query_row("SELECT 1 FROM domains WHERE name = ?1", [name], |_| Ok(()))
        .optional()?
        .is_some())
}
