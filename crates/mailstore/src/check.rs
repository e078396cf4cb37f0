//! Comparing the index with the Maildir (`webmail check`).

use std::collections::{BTreeMap, HashMap};

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::Result;
use crate::db;
use crate::flags::info_bits;
use crate::maildir::Maildir;

/// One way in which the index and the Maildir disagree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Difference {
    /// A folder on disk that the index does not know.
    FolderNotIndexed(String),
    /// A folder in the index that is not on disk.
    FolderMissing(String),
    /// A message file that is not indexed.
    NotIndexed {
        /// Folder name.
        folder: String,
        /// File path relative to the folder directory.
        file: String,
    },
    /// An indexed message whose file is gone.
    FileMissing {
        /// Folder name.
        folder: String,
        /// File path the index has.
        file: String,
    },
    /// The file was renamed (flags changed) but the index has the old name.
    FileRenamed {
        /// Folder name.
        folder: String,
        /// File path the index has.
        indexed: String,
        /// File path on disk.
        on_disk: String,
    },
    /// Flags in the index differ from those in the file name.
    FlagsDiffer {
        /// Folder name.
        folder: String,
        /// File path on disk.
        file: String,
    },
    /// A folder's maintained counters differ from a count of its messages.
    CountsDiffer {
        /// Folder name.
        folder: String,
        /// (total, unread) kept by the index.
        kept: (i64, i64),
        /// (total, unread) counted.
        counted: (i64, i64),
    },
    /// A full-text index fails its own integrity check.
    FullTextDamaged {
        /// Which table.
        table: String,
        /// What SQLite reported.
        error: String,
    },
    /// Full-text rows and messages do not pair up.
    FullTextDiffers {
        /// Messages.
        messages: i64,
        /// Rows in the header full-text table.
        fts_rows: i64,
    },
}

pub(crate) fn check(conn: &Connection, md: &Maildir) -> Result<Vec<Difference>> {
    let mut out = Vec::new();
    let on_disk = md.list_folders()?;
    let rows = db::folders(conn)?;
    for r in &rows {
        if !on_disk.contains(&r.name) {
            out.push(Difference::FolderMissing(r.name.clone()));
        }
    }
    for name in &on_disk {
        let Some(r) = rows.iter().find(|r| &r.name == name) else {
            out.push(Difference::FolderNotIndexed(name.clone()));
            continue;
        };
        let mut indexed: HashMap<String, db::Located> = db::folder_entries(conn, r.id)?
            .into_iter()
            .map(|l| (l.key.clone(), l))
            .collect();
        for e in md.scan(name)? {
            match indexed.remove(&e.key) {
                None => out.push(Difference::NotIndexed {
                    folder: name.clone(),
                    file: e.file,
                }),
                Some(l) => {
                    if l.file != e.file {
                        out.push(Difference::FileRenamed {
                            folder: name.clone(),
                            indexed: l.file,
                            on_disk: e.file,
                        });
                    } else if l.flags != info_bits(e.info()) {
                        out.push(Difference::FlagsDiffer {
                            folder: name.clone(),
                            file: e.file,
                        });
                    }
                }
            }
        }
        let mut missing: Vec<_> = indexed.into_values().collect();
        missing.sort_by(|a, b| a.file.cmp(&b.file));
        for l in missing {
            out.push(Difference::FileMissing {
                folder: name.clone(),
                file: l.file,
            });
        }
        let counted: (i64, i64) = conn.query_row(
            "SELECT COUNT(*), COALESCE(SUM(1 - seen), 0) FROM messages WHERE folder_id = ?1",
            [r.id],
            |x| Ok((x.get(0)?, x.get(1)?)),
        )?;
        if counted != (r.total, r.unread) {
            out.push(Difference::CountsDiffer {
                folder: name.clone(),
                kept: (r.total, r.unread),
                counted,
            });
        }
    }
    let messages: i64 = conn.query_row("SELECT COUNT(*) FROM messages", [], |r| r.get(0))?;
    for table in ["hdr_fts", "from_fts"] {
        let fts_rows: i64 =
            conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))?;
        if messages != fts_rows {
            out.push(Difference::FullTextDiffers { messages, fts_rows });
        }
    }
    for table in ["body_fts", "hdr_fts", "from_fts"] {
        if let Err(e) = conn.execute(
            &format!("INSERT INTO {table}({table}, rank) VALUES('integrity-check', 0)"),
            [],
        ) {
            out.push(Difference::FullTextDamaged {
                table: table.to_string(),
                error: e.to_string(),
            });
        }
    }
    Ok(out)
}

/// One message as the index describes it, independent of UIDs.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SnapshotRow {
    /// Folder name.
    pub folder: String,
    /// Maildir key.
    pub key: String,
    /// File path relative to the folder.
    pub file: String,
    /// Flag bits.
    pub flags: u8,
    /// Keywords, space-separated.
    pub keywords: String,
    /// Size and CRLF size.
    pub sizes: (i64, i64),
    /// Subject.
    pub subject: String,
    /// Sender address.
    pub from_addr: String,
    /// Date header.
    pub date: Option<i64>,
    /// Message-ID.
    pub message_id: String,
    /// Attachment flag.
    pub has_attachment: bool,
    /// Snippet.
    pub snippet: String,
    /// The smallest (folder, key) in this message's thread: equal for all
    /// members, whatever the thread id is.
    pub thread: (String, String),
}

pub(crate) fn snapshot(conn: &Connection) -> Result<Vec<SnapshotRow>> {
    let mut stmt = conn.prepare(
        "SELECT f.name, m.key, m.file, m.flags, m.keywords, m.size, m.vsize, m.subject,
                m.from_addr, m.date, m.message_id, m.has_attachment, m.snippet, m.thread_id
         FROM messages m JOIN folders f ON f.id = m.folder_id",
    )?;
    let rows: Vec<(SnapshotRow, i64)> = stmt
        .query_map([], |r| {
            Ok((
                SnapshotRow {
                    folder: r.get(0)?,
                    key: r.get(1)?,
                    file: r.get(2)?,
                    flags: r.get(3)?,
                    keywords: r.get(4)?,
                    sizes: (r.get(5)?, r.get(6)?),
                    subject: r.get(7)?,
                    from_addr: r.get(8)?,
                    date: r.get(9)?,
                    message_id: r.get(10)?,
                    has_attachment: r.get(11)?,
                    snippet: r.get(12)?,
                    thread: (String::new(), String::new()),
                },
                r.get(13)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut first: BTreeMap<i64, (String, String)> = BTreeMap::new();
    for (row, t) in &rows {
        let k = (row.folder.clone(), row.key.clone());
        let e = first.entry(*t).or_insert_with(|| k.clone());
        if k < *e {
            *e = k;
        }
    }
    let mut out: Vec<SnapshotRow> = rows
        .into_iter()
        .map(|(mut row, t)| {
            row.thread = first[&t].clone();
            row
        })
        .collect();
    out.sort();
    Ok(out)
}
