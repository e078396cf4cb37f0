//! The way to a user's own data (`user.sqlite`, see the `userdata` crate),
//! and the one-time move of what the directory kept for them before that
//! file existed: display preferences, identity, signature, spell-check
//! language and trusted image senders (table `prefs`), and the block and
//! safe sender lists (table `sender_lists`).
//!
//! The time zone stays here: the session carries it to every request.

use std::path::Path;

use rusqlite::params;
use userdata::{Imported, SenderList, UserData};

use crate::{AccountId, Directory, PREF_TIME_ZONE, Result};

impl Directory {
    /// Opens the user data of account `id`, whose directory is `user_dir`.
    /// The first time, what the directory kept for the account is moved
    /// into it: imported in one transaction, then deleted here. A crash in
    /// between leaves the rows here unused (the import is marked done).
    pub fn user_data(&self, id: AccountId, user_dir: &Path) -> Result<UserData> {
        let mut data = UserData::open(user_dir)?;
        if data.imported()? {
            return Ok(data);
        }
        let legacy = self.legacy_user_data(id)?;
        if data.import(&legacy)? {
            let n = legacy.prefs.len() + legacy.senders.len();
            if n > 0 {
                tracing::info!(account = id.0, rows = n, "user data moved to user.sqlite");
            }
            let db = self.lock();
            db.conn.execute(
                "DELETE FROM prefs WHERE account_id = ?1 AND key <> ?2",
                params![id.0, PREF_TIME_ZONE],
            )?;
            db.conn
                .execute("DELETE FROM sender_lists WHERE account_id = ?1", [id.0])?;
        }
        Ok(data)
    }

    /// What the directory keeps for account `id` that belongs in its user
    /// data.
    fn legacy_user_data(&self, id: AccountId) -> Result<Imported> {
        let db = self.lock();
        let prefs = db
            .conn
            .prepare("SELECT key, value FROM prefs WHERE account_id = ?1 AND key <> ?2")?
            .query_map(params![id.0, PREF_TIME_ZONE], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<rusqlite::Result<Vec<(String, String)>>>()?;
        let senders = db
            .conn
            .prepare("SELECT list, address, added_at FROM sender_lists WHERE account_id = ?1")?
            .query_map([id.0], |r| {
                Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<Vec<(String, String, i64)>>>()?
            .into_iter()
            .filter_map(|(list, entry, at)| SenderList::parse(&list).map(|l| (l, entry, at)))
            .collect();
        Ok(Imported { prefs, senders })
    }
}
