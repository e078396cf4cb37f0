//! Account-wide preferences the session carries to every request: today the
//! time zone ([`crate::PREF_TIME_ZONE`]). Everything else of a user (layout,
//! identity, sender lists) lives in their own `user.sqlite`, reached through
//! [`Directory::user_data`].

use rusqlite::{OptionalExtension, params};

use crate::{AccountId, Directory, Error, Result};
use userdata::{MAX_PREF_KEY, MAX_PREF_VALUE};

impl Directory {
    /// The value of preference `key`, if set.
    pub fn pref(&self, id: AccountId, key: &str) -> Result<Option<String>> {
        let db = self.lock();
        Ok(db
            .conn
            .query_row(
                "SELECT value FROM prefs WHERE account_id = ?1 AND key = ?2",
                params![id.0, key],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Sets preference `key`. A key longer than [`MAX_PREF_KEY`] or a
    /// value longer than [`MAX_PREF_VALUE`] characters is refused with
    /// [`Error::TooLong`], never cut.
    pub fn set_pref(&self, id: AccountId, key: &str, value: &str) -> Result<()> {
        for (what, s, max) in [("key", key, MAX_PREF_KEY), ("value", value, MAX_PREF_VALUE)] {
            if s.chars().count() > max {
                return Err(Error::TooLong { what, max });
            }
        }
        let db = self.lock();
        let exists: bool = db
            .conn
            .query_row(
                "SELECT 1 FROM accounts WHERE id = ?1",
                params![id.0],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if !exists {
            return Err(Error::UnknownAccount(id));
        }
        db.conn.execute(
            "INSERT INTO prefs (account_id, key, value) VALUES (?1, ?2, ?3)
             ON CONFLICT (account_id, key) DO UPDATE SET value = excluded.value",
            params![id.0, key, value],
        )?;
        Ok(())
    }
}
