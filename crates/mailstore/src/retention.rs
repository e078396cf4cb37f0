//! The retention area: expunged messages wait here, restorable, until they
//! are purged after a configurable number of days.
//!
//! It lives beside the Maildir (`USER/retention/`), not inside it, so IMAP
//! clients never see it. Each file keeps its Maildir name behind a prefix
//! recording when it was expunged and from which folder:
//! `EXPUNGED-SECS_HEX(FOLDER)_ORIGINAL-NAME`. The `retained` table is a
//! cache of the directory, reconciled whenever it is listed.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use crate::parse::parse;
use crate::{Error, Result};

/// A message in the retention area.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetainedMessage {
    /// Identifies it for [`crate::Mailstore::restore`].
    pub id: i64,
    /// The folder it was expunged from.
    pub folder: String,
    /// When it was expunged (seconds since the epoch).
    pub expunged_at: i64,
    /// Decoded subject.
    pub subject: String,
    /// Decoded sender.
    pub from: String,
    /// The Date header (seconds since the epoch).
    pub date: Option<i64>,
    /// Size in bytes.
    pub size: u64,
}

pub(crate) fn dir(user_dir: &Path) -> PathBuf {
    user_dir.join("retention")
}

/// Whether the user whose directory is `user_dir` has anything in the
/// retention area, without opening their index: a purge skips everyone
/// else.
pub fn has_retained(user_dir: &Path) -> bool {
    fs::read_dir(dir(user_dir)).is_ok_and(|mut rd| rd.next().is_some())
}

pub(crate) fn file_name(expunged_at: i64, folder: &str, original: &str) -> String {
    let hex: String = folder.bytes().map(|b| format!("{b:02x}")).collect();
    format!("{expunged_at}_{hex}_{original}")
}

/// Splits a retention file name into (expunged_at, folder, original name).
pub(crate) fn split_file_name(name: &str) -> Option<(i64, String, String)> {
    let mut it = name.splitn(3, '_');
    let at = it.next()?.parse().ok()?;
    let hex = it.next()?;
    let original = it.next()?.to_string();
    if hex.len() % 2 != 0 || original.is_empty() {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
        .collect();
    let folder = String::from_utf8(bytes?).ok()?;
    Some((at, folder, original))
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn record(
    conn: &Connection,
    file: &str,
    folder: &str,
    expunged_at: i64,
    subject: &str,
    from: &str,
    date: Option<i64>,
    size: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO retained(file, folder, expunged_at, subject, from_text, date, size)
         VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![file, folder, expunged_at, subject, from, date, size],
    )?;
    Ok(())
}

/// Makes the `retained` table match the directory, parsing only files it
/// does not know yet.
pub(crate) fn rescan(conn: &Connection, user_dir: &Path, opened: &AtomicU64) -> Result<()> {
    let d = dir(user_dir);
    let mut on_disk = HashSet::new();
    match fs::read_dir(&d) {
        Ok(rd) => {
            for e in rd.flatten() {
                if let Some(n) = e.file_name().to_str()
                    && split_file_name(n).is_some()
                {
                    on_disk.insert(n.to_string());
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io("read", &d, e)),
    }
    let known: Vec<String> = conn
        .prepare("SELECT file FROM retained")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let tx = conn.unchecked_transaction()?;
    for f in &known {
        if !on_disk.contains(f) {
            tx.execute("DELETE FROM retained WHERE file = ?1", [f])?;
        }
    }
    let known: HashSet<String> = known.into_iter().collect();
    for name in on_disk.difference(&known) {
        let Some((at, folder, _)) = split_file_name(name) else {
            continue;
        };
        let Ok((raw, _)) = crate::sync::read_file(&d.join(name), opened) else {
            continue;
        };
        let p = parse(&raw);
        let from = if p.from_name.is_empty() {
            p.from_addr.clone()
        } else {
            p.from_name.clone()
        };
        record(&tx, name, &folder, at, &p.subject, &from, p.date, p.size)?;
    }
    tx.commit()?;
    Ok(())
}

pub(crate) fn list(conn: &Connection) -> rusqlite::Result<Vec<RetainedMessage>> {
    let mut stmt = conn.prepare(
        "SELECT id, folder, expunged_at, subject, from_text, date, size FROM retained
         ORDER BY expunged_at DESC, id DESC",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(RetainedMessage {
            id: r.get(0)?,
            folder: r.get(1)?,
            expunged_at: r.get(2)?,
            subject: r.get(3)?,
            from: r.get(4)?,
            date: r.get(5)?,
            size: r.get::<_, i64>(6)? as u64,
        })
    })?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for folder in ["INBOX", "Work/Projects", "Entwürfe", "a_b"] {
            let n = file_name(1700000000, folder, "123.M4P5.host,S=10:2,S");
            assert_eq!(
                split_file_name(&n),
                Some((
                    1700000000,
                    folder.to_string(),
                    "123.M4P5.host,S=10:2,S".to_string()
                ))
            );
        }
        assert_eq!(split_file_name("garbage"), None);
        assert_eq!(split_file_name("1_zz_x"), None);
    }
}
