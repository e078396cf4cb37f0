//! Block and safe sender lists. Entries are a full address
//! (`ann@example.org`) or a whole domain (`@example.org`). An address is on
//! at most one of the two lists: adding it to one removes it from the other.

use rusqlite::params;

use crate::{Error, Result, UserData};

/// The folder blocked senders' mail is filed in.
pub const JUNK_FOLDER: &str = model::mail::FolderRole::Junk.folder();

/// Which list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SenderList {
    /// Mail from these senders is filed as junk.
    Block,
    /// Mail from these senders is never treated as junk.
    Safe,
}

impl SenderList {
    /// The stable name, in the database and in forms.
    pub fn as_str(self) -> &'static str {
        match self {
            SenderList::Block => "block",
            SenderList::Safe => "safe",
        }
    }

    /// The list named by [`SenderList::as_str`].
    pub fn parse(s: &str) -> Option<SenderList> {
        match s {
            "block" => Some(SenderList::Block),
            "safe" => Some(SenderList::Safe),
            _ => None,
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
pub(crate) fn normalize(entry: &str) -> Result<String> {
    let e = entry.trim().to_ascii_lowercase();
    let invalid = |reason| Error::InvalidEntry {
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

impl UserData {
    /// The entries of one list, sorted.
    pub fn senders(&self, list: SenderList) -> Result<Vec<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT entry FROM senders WHERE list = ?1 ORDER BY entry")?
            .query_map([list.as_str()], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?)
    }

    /// Adds an entry (taking it off the other list); returns it normalised.
    pub fn add_sender(&mut self, list: SenderList, entry: &str) -> Result<String> {
        let entry = normalize(entry)?;
        let tx = self.conn.transaction()?;
        tx.execute(
            "DELETE FROM senders WHERE list = ?1 AND entry = ?2",
            params![list.other().as_str(), entry],
        )?;
        tx.execute(
            "INSERT OR IGNORE INTO senders (list, entry, added_at)
             VALUES (?1, ?2, strftime('%s','now'))",
            params![list.as_str(), entry],
        )?;
        tx.commit()?;
        Ok(entry)
    }

    /// Removes an entry; `false` when it was not there.
    pub fn remove_sender(&self, list: SenderList, entry: &str) -> Result<bool> {
        let entry = entry.trim().to_ascii_lowercase();
        Ok(self.conn.execute(
            "DELETE FROM senders WHERE list = ?1 AND entry = ?2",
            params![list.as_str(), entry],
        )? > 0)
    }

    /// Which list, if any, covers `sender`: an entry for the exact address
    /// wins over one for its domain.
    pub fn sender_verdict(&self, sender: &str) -> Result<Option<SenderList>> {
        let sender = sender.trim().to_ascii_lowercase();
        let Some((_, domain)) = sender.rsplit_once('@') else {
            return Ok(None);
        };
        let domain_entry = format!("@{domain}");
        let mut stmt = self
            .conn
            .prepare_cached("SELECT list FROM senders WHERE entry = ?1")?;
        for key in [sender.as_str(), domain_entry.as_str()] {
            let found: Option<String> = stmt.query_map([key], |r| r.get(0))?.next().transpose()?;
            if let Some(list) = found.as_deref().and_then(SenderList::parse) {
                return Ok(Some(list));
            }
        }
        Ok(None)
    }

    /// Where new mail from `sender` goes, by the lists: `Some("Junk")` when
    /// the sender is blocked, `None` (the Inbox) otherwise. Every delivery
    /// path asks this one question.
    pub fn folder_for_sender(&self, sender: &str) -> Result<Option<&'static str>> {
        Ok(match self.sender_verdict(sender)? {
            Some(SenderList::Block) => Some(JUNK_FOLDER),
            Some(SenderList::Safe) | None => None,
        })
    }
}
