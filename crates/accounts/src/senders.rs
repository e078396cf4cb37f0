//! Block and safe sender lists, per account. Entries are a full address
//! (`ann@example.org`) or a whole domain (`@example.org`). An address is on
//! at most one of the two lists: adding it to one removes it from the other.

use rusqlite::params;

use crate::{AccountId, Directory, Error, Result};

/// The folder blocked senders' mail is filed in.
pub const JUNK_FOLDER: &str = model::mail::FolderRole::Junk.folder();

/// Which list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SenderList {
    /// Mail from these senders is refused or filed as junk.
    Block,
    /// Mail from these senders is never treated as junk.
    Safe,
}

impl SenderList {
    fn as_str(self) -> &'static str {
        match self {
            SenderList::Block => "block",
            SenderList::Safe => "safe",
        }
    }

    fn other(self) -> SenderList {
        match self {
            SenderList::Block => SenderList::Safe,
            SenderList::Safe => SenderList::Block,
        }
    }
}

/// Lower-cases and checks an entry: `local@domain` or `@domain`.
fn normalize(entry: &str) -> Result<String> {
    let e = entry.trim().to_ascii_lowercase();
    let invalid = |reason| Error::InvalidAddress {
        address: entry.to_owned(),
        reason,
    };
    let (local, domain) = e
        .rsplit_once('@')
        .ok_or_else(|| invalid("expected name@domain or @domain"))?;
    let ok_char = |c: char| c.is_ascii_alphanumeric() || "._+-=".contains(c);
    if local.len() > 64 || !local.chars().all(ok_char) {
        return Err(invalid(
            "the part before @ has characters an address cannot have",
        ));
    }
    if domain.is_empty()
        || domain.len() > 253
        || !domain.contains('.')
        || !domain
            .split('.')
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
    {
        return Err(invalid("the domain is not valid"));
    }
    Ok(e)
}

impl Directory {
    /// The entries of one list, sorted.
    pub fn senders(&self, id: AccountId, list: SenderList) -> Result<Vec<String>> {
        let db = self.lock();
        let rows = db
            .conn
            .prepare_cached(
                "SELECT address FROM sender_lists WHERE account_id = ?1 AND list = ?2 ORDER BY address",
            )?
            .query_map(params![id.0, list.as_str()], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(rows)
    }

    /// Adds an entry (taking it off the other list); returns it normalised.
    pub fn add_sender(&self, id: AccountId, list: SenderList, entry: &str) -> Result<String> {
        let entry = normalize(entry)?;
        let mut db = self.lock();
        let tx = db.conn.transaction()?;
        tx.execute(
            "DELETE FROM sender_lists WHERE account_id = ?1 AND list = ?2 AND address = ?3",
            params![id.0, list.other().as_str(), entry],
        )?;
        tx.execute(
            "INSERT OR IGNORE INTO sender_lists (account_id, list, address, added_at)
             VALUES (?1, ?2, ?3, strftime('%s','now'))",
            params![id.0, list.as_str(), entry],
        )?;
        tx.commit()?;
        Ok(entry)
    }

    /// Which list, if any, covers `sender`: an entry for the exact address
    /// wins over one for its domain.
    pub fn sender_verdict(&self, id: AccountId, sender: &str) -> Result<Option<SenderList>> {
        let sender = sender.trim().to_ascii_lowercase();
        let Some((_, domain)) = sender.rsplit_once('@') else {
            return Ok(None);
        };
        let domain_entry = format!("@{domain}");
        let db = self.lock();
        let mut stmt = db.conn.prepare_cached(
            "SELECT list FROM sender_lists WHERE account_id = ?1 AND address = ?2",
        )?;
        for key in [sender.as_str(), domain_entry.as_str()] {
            let found: Option<String> = stmt
                .query_map(params![id.0, key], |r| r.get(0))?
                .next()
                .transpose()?;
            match found.as_deref() {
                Some("block") => return Ok(Some(SenderList::Block)),
                Some("safe") => return Ok(Some(SenderList::Safe)),
                _ => {}
            }
        }
        Ok(None)
    }

    /// Where new mail from `sender` goes for this account, by its lists:
    /// `Some("Junk")` when the sender is blocked, `None` (the Inbox)
    /// otherwise. Every delivery path asks this one question.
    pub fn folder_for_sender(&self, id: AccountId, sender: &str) -> Result<Option<&'static str>> {
        Ok(match self.sender_verdict(id, sender)? {
            Some(SenderList::Block) => Some(JUNK_FOLDER),
            Some(SenderList::Safe) | None => None,
        })
    }

    /// Removes an entry; `false` when it was not there.
    pub fn remove_sender(&self, id: AccountId, list: SenderList, entry: &str) -> Result<bool> {
        let entry = entry.trim().to_ascii_lowercase();
        let db = self.lock();
        let n = db.conn.execute(
            "DELETE FROM sender_lists WHERE account_id = ?1 AND list = ?2 AND address = ?3",
            params![id.0, list.as_str(), entry],
        )?;
        Ok(n > 0)
    }
}
