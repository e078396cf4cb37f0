//! The SQLite index: schema, validation and row-level operations.
//!
//! Folder counters are kept by triggers, so `folders()` reads two integers
//! per folder and never scans messages. Full-text rows live in two FTS5
//! tables keyed by the message row id: `body_fts` (contentless, word tokens)
//! for bodies and `hdr_fts` (trigram tokens, no positions) for substring
//! search over decoded sender, recipient and subject. `hdr_fts` holds those
//! texts lower-cased by Rust (full Unicode), so that `LIKE` — which SQLite
//! folds for ASCII only — is case-insensitive for every script.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::parse::Parsed;

/// Bumped whenever the schema or a derived field changes meaning; an index
/// with another version is rebuilt.
///
/// 2: display fields cut to a list line's length; raw 8-bit headers,
/// bare `text` parts, cut-off multiparts and boundary look-alikes read as
/// the patched parser reads them.
/// 3: threads follow references through ids no message carries, and fall
/// back on the subject only for messages without references, within a
/// window (see `thread`).
pub(crate) const SCHEMA_VERSION: i64 = 4;

const SCHEMA: &str = r#"
CREATE TABLE meta(k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE folders(
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    uidvalidity INTEGER NOT NULL,
    uidnext INTEGER NOT NULL DEFAULT 1,
    total INTEGER NOT NULL DEFAULT 0,
    unread INTEGER NOT NULL DEFAULT 0,
    new_mtime INTEGER NOT NULL DEFAULT 0,
    cur_mtime INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE messages(
    id INTEGER PRIMARY KEY,
    folder_id INTEGER NOT NULL REFERENCES folders(id),
    uid INTEGER NOT NULL,
    key TEXT NOT NULL,
    file TEXT NOT NULL,
    flags INTEGER NOT NULL,
    keywords TEXT NOT NULL,
    seen INTEGER NOT NULL,
    flagged INTEGER NOT NULL,
    arrival INTEGER NOT NULL,
    date INTEGER,
    date_sort INTEGER NOT NULL,
    from_name TEXT NOT NULL,
    from_addr TEXT NOT NULL,
    from_sort TEXT NOT NULL,
    to_text TEXT NOT NULL,
    to_sort TEXT NOT NULL,
    cc_text TEXT NOT NULL,
    subject TEXT NOT NULL,
    subject_sort TEXT NOT NULL,
    message_id TEXT NOT NULL,
    in_reply_to TEXT NOT NULL,
    refs TEXT NOT NULL,
    thread_id INTEGER NOT NULL,
    size INTEGER NOT NULL,
    vsize INTEGER NOT NULL,
    has_attachment INTEGER NOT NULL,
    priority INTEGER NOT NULL,
    mdn_to TEXT NOT NULL,
    snippet TEXT NOT NULL
);
CREATE TABLE refs(msg INTEGER NOT NULL, ref TEXT NOT NULL);
CREATE TABLE retained(
    id INTEGER PRIMARY KEY,
    file TEXT NOT NULL UNIQUE,
    folder TEXT NOT NULL,
    expunged_at INTEGER NOT NULL,
    subject TEXT NOT NULL,
    from_text TEXT NOT NULL,
    date INTEGER,
    size INTEGER NOT NULL
);
CREATE TRIGGER messages_ins AFTER INSERT ON messages BEGIN
    UPDATE folders SET total = total + 1, unread = unread + 1 - NEW.seen WHERE id = NEW.folder_id;
END;
CREATE TRIGGER messages_del AFTER DELETE ON messages BEGIN
    UPDATE folders SET total = total - 1, unread = unread - 1 + OLD.seen WHERE id = OLD.folder_id;
    DELETE FROM body_fts WHERE rowid = OLD.id;
    DELETE FROM hdr_fts WHERE rowid = OLD.id;
    DELETE FROM from_fts WHERE rowid = OLD.id;
    DELETE FROM refs WHERE msg = OLD.id;
END;
CREATE TRIGGER messages_upd AFTER UPDATE OF seen, folder_id ON messages BEGIN
    UPDATE folders SET total = total - 1, unread = unread - 1 + OLD.seen WHERE id = OLD.folder_id;
    UPDATE folders SET total = total + 1, unread = unread + 1 - NEW.seen WHERE id = NEW.folder_id;
END;
"#;

/// The body full-text table; a bulk build fills a copy of it in a side
/// database on another thread (see [`adopt_side`]).
pub(crate) const BODY_FTS: &str = "CREATE VIRTUAL TABLE body_fts USING fts5(body, content='', \
    contentless_delete=1, tokenize='unicode61 remove_diacritics 2');";

/// The header full-text tables, filled the same way in a bulk build (by
/// one writer): sender, recipients and subject together, and the sender
/// alone. Trigram tables without positions cannot tell which column a
/// trigram came from, so a sender term looked up in `hdr_fts` has as
/// candidates every message whose recipients or subject share its
/// trigrams, each checked by reading its row; `from_fts` holds only what a
/// sender search needs.
pub(crate) const HDR_FTS: &str = "CREATE VIRTUAL TABLE hdr_fts USING fts5(sender, recipient, \
    subject, tokenize='trigram', detail='none'); \
    CREATE VIRTUAL TABLE from_fts USING fts5(sender, tokenize='trigram', detail='none');";

/// The full-text tables created by [`HDR_FTS`], adopted from one side
/// database together.
pub(crate) const HDR_TABLES: [&str; 2] = ["hdr_fts", "from_fts"];

/// The index every insert looks a file up by: a bulk build needs it too
/// (without it each insert scans the table, and a build is quadratic).
const KEY_INDEX: &str = "CREATE UNIQUE INDEX messages_key ON messages(folder_id, key);";

/// Secondary indexes: created with the schema, or after a bulk build.
const INDEXES: &str = r#"
CREATE UNIQUE INDEX messages_uid ON messages(folder_id, uid);
CREATE INDEX messages_file ON messages(folder_id, file);
CREATE INDEX messages_date ON messages(folder_id, date_sort);
CREATE INDEX messages_arrival ON messages(folder_id, arrival);
CREATE INDEX messages_from ON messages(folder_id, from_sort);
CREATE INDEX messages_to ON messages(folder_id, to_sort);
CREATE INDEX messages_subject ON messages(folder_id, subject_sort);
CREATE INDEX messages_size ON messages(folder_id, size);
CREATE INDEX messages_msgid ON messages(folder_id, message_id);
CREATE INDEX messages_flagged ON messages(folder_id, flagged, date_sort);
CREATE INDEX messages_attachment ON messages(folder_id, has_attachment, date_sort);
CREATE INDEX messages_all_date ON messages(date_sort);
CREATE INDEX messages_all_msgid ON messages(message_id);
CREATE INDEX messages_all_subject ON messages(subject_sort, date_sort);
CREATE INDEX messages_thread ON messages(thread_id);
CREATE INDEX refs_ref ON refs(ref);
CREATE INDEX refs_msg ON refs(msg);
"#;

/// Opens a connection with the pragmas every connection uses.
pub(crate) fn connect(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    // Plans must not depend on bound values: otherwise every new binding of
    // a LIMIT (or of a value SQLite's statistics could use) re-prepares the
    // statement, a parse on every list request.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // 8 MB of pages per connection (a server keeps many open); pages beyond
    // it come from the OS cache.
    conn.pragma_update(None, "cache_size", -8000)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    Ok(conn)
}

/// Creates the schema in an empty database; `bulk` leaves out the secondary
/// indexes (see [`create_indexes`]), which is much faster for a rebuild.
pub(crate) fn create(conn: &Connection, bulk: bool) -> rusqlite::Result<()> {
    let tx = conn.unchecked_transaction()?;
    tx.execute_batch(SCHEMA)?;
    tx.execute_batch(BODY_FTS)?;
    tx.execute_batch(HDR_FTS)?;
    tx.execute_batch(KEY_INDEX)?;
    if !bulk {
        tx.execute_batch(INDEXES)?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()
}

/// Why an existing index cannot be used, if it cannot.
pub(crate) fn validate(conn: &Connection, full_check: bool) -> Option<String> {
    let version: i64 = match conn.query_row("PRAGMA user_version", [], |r| r.get(0)) {
        Ok(v) => v,
        Err(e) => return Some(format!("unreadable: {e}")),
    };
    if version != SCHEMA_VERSION {
        return Some(format!("schema version {version}, want {SCHEMA_VERSION}"));
    }
    match conn
        .query_row("SELECT v FROM meta WHERE k = 'complete'", [], |r| {
            r.get::<_, String>(0)
        })
        .optional()
    {
        Ok(Some(_)) => {}
        Ok(None) => return Some("incomplete build".into()),
        Err(e) => return Some(format!("unreadable: {e}")),
    }
    if full_check {
        let mut stmt = match conn.prepare("PRAGMA quick_check") {
            Ok(s) => s,
            Err(e) => return Some(format!("integrity check failed: {e}")),
        };
        let rows: rusqlite::Result<Vec<String>> =
            stmt.query_map([], |r| r.get(0)).and_then(|it| it.collect());
        match rows {
            Ok(rows) if rows.len() == 1 && rows[0] == "ok" => {}
            Ok(rows) => return Some(format!("integrity: {}", rows.join("; "))),
            Err(e) => return Some(format!("integrity check failed: {e}")),
        }
        // FTS5 keeps its own structure; ask it to verify itself too.
        for table in ["body_fts", "hdr_fts", "from_fts"] {
            if let Err(e) = conn.execute(
                &format!("INSERT INTO {table}({table}, rank) VALUES('integrity-check', 0)"),
                [],
            ) {
                return Some(format!("{table}: {e}"));
            }
        }
    }
    None
}

/// Whether an error means the database file itself is damaged.
pub(crate) fn is_corruption(e: &rusqlite::Error) -> bool {
    use rusqlite::ErrorCode::*;
    matches!(
        e.sqlite_error_code(),
        Some(DatabaseCorrupt | NotADatabase | SchemaChanged)
    ) || matches!(e, rusqlite::Error::SqliteFailure(_, Some(m)) if m.contains("malformed"))
}

/// FTS5 flushes its in-memory terms to a new segment whenever they exceed
/// this many bytes; every segment must later be merged. A bulk build uses a
/// bigger buffer (fewer, larger segments); normal use keeps SQLite's
/// default. Not too big: every token is a lookup in it, and beyond the CPU
/// cache those lookups cost more than the merges saved (100,000 messages:
/// 8–16 MB 14.1–14.6 s, 32 MB 16.0 s, 2–4 MB 15.8–17.5 s).
pub(crate) const BULK_FTS_HASH: i64 = 16 * 1024 * 1024;
pub(crate) const DEFAULT_FTS_HASH: i64 = 1024 * 1024;

/// Turns FTS5's incremental merging of `table` off (a bulk load, merged
/// once at the end) or back to its default.
pub(crate) fn set_fts_merging(conn: &Connection, table: &str, on: bool) -> rusqlite::Result<()> {
    let (automerge, crisismerge) = if on { (4, 16) } else { (0, 64) };
    for (setting, value) in [("automerge", automerge), ("crisismerge", crisismerge)] {
        conn.execute(
            &format!("INSERT INTO {table}({table}, rank) VALUES(?1, ?2)"),
            rusqlite::params![setting, value],
        )?;
    }
    Ok(())
}

pub(crate) fn set_fts_hash_size(
    conn: &Connection,
    tables: &[&str],
    bytes: i64,
) -> rusqlite::Result<()> {
    for t in tables {
        conn.execute(
            &format!("INSERT INTO {t}({t}, rank) VALUES('hashsize', ?1)"),
            [bytes],
        )?;
    }
    Ok(())
}

/// Adds the secondary indexes after a bulk build.
pub(crate) fn create_indexes(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(INDEXES)
}

pub(crate) fn mark_complete(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO meta(k, v) VALUES('complete', '1')",
        [],
    )?;
    Ok(())
}

/// A folder row.
#[derive(Clone, Debug)]
pub(crate) struct FolderRow {
    pub id: i64,
    pub name: String,
    pub uidvalidity: u32,
    pub uidnext: u32,
    pub total: i64,
    pub unread: i64,
    pub new_mtime: i64,
    pub cur_mtime: i64,
}

pub(crate) fn folders(conn: &Connection) -> rusqlite::Result<Vec<FolderRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, uidvalidity, uidnext, total, unread, new_mtime, cur_mtime FROM folders",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(FolderRow {
            id: r.get(0)?,
            name: r.get(1)?,
            uidvalidity: r.get(2)?,
            uidnext: r.get(3)?,
            total: r.get(4)?,
            unread: r.get(5)?,
            new_mtime: r.get(6)?,
            cur_mtime: r.get(7)?,
        })
    })?;
    rows.collect()
}

pub(crate) fn folder(conn: &Connection, name: &str) -> rusqlite::Result<Option<FolderRow>> {
    Ok(folders(conn)?.into_iter().find(|f| f.name == name))
}

/// Adds a folder row with a fresh UIDVALIDITY.
pub(crate) fn add_folder(conn: &Connection, name: &str) -> rusqlite::Result<i64> {
    // UIDVALIDITY must change whenever UIDs may have been reassigned: seconds
    // since the epoch, kept strictly above any value this index has used.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs() as i64;
    let last: i64 = conn
        .query_row("SELECT v FROM meta WHERE k = 'last_uidvalidity'", [], |r| {
            r.get::<_, String>(0)
        })
        .optional()?
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let v = (now & 0x7fff_ffff).max(last + 1);
    conn.execute(
        "INSERT OR REPLACE INTO meta(k, v) VALUES('last_uidvalidity', ?1)",
        [v.to_string()],
    )?;
    conn.execute(
        "INSERT INTO folders(name, uidvalidity) VALUES(?1, ?2)",
        params![name, v],
    )?;
    Ok(conn.last_insert_rowid())
}

pub(crate) fn next_uid(tx: &Transaction<'_>, folder_id: i64) -> rusqlite::Result<u32> {
    tx.query_row(
        "UPDATE folders SET uidnext = uidnext + 1 WHERE id = ?1 RETURNING uidnext - 1",
        [folder_id],
        |r| r.get(0),
    )
}

/// Where a message lives, and its flags, looked up by UID.
#[derive(Clone, Debug)]
pub(crate) struct Located {
    pub id: i64,
    pub key: String,
    pub file: String,
    pub flags: u8,
    pub keywords: String,
}

pub(crate) fn locate(
    conn: &Connection,
    folder_id: i64,
    uid: u32,
) -> rusqlite::Result<Option<Located>> {
    conn.prepare_cached(
        "SELECT id, key, file, flags, keywords FROM messages WHERE folder_id = ?1 AND uid = ?2",
    )?
    .query_row(params![folder_id, uid], |r| {
        Ok(Located {
            id: r.get(0)?,
            key: r.get(1)?,
            file: r.get(2)?,
            flags: r.get(3)?,
            keywords: r.get(4)?,
        })
    })
    .optional()
}

pub(crate) fn folder_entries(conn: &Connection, folder_id: i64) -> rusqlite::Result<Vec<Located>> {
    folder_entries_in(conn, folder_id, "")
}

/// The rows of a folder whose file path starts with `prefix` (`"new/"`,
/// `"cur/"` or `""` for all).
pub(crate) fn folder_entries_in(
    conn: &Connection,
    folder_id: i64,
    prefix: &str,
) -> rusqlite::Result<Vec<Located>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, key, file, flags, keywords FROM messages
         WHERE folder_id = ?1 AND file >= ?2 AND file < ?3",
    )?;
    let upper = format!("{prefix}\u{10ffff}");
    let rows = stmt.query_map(params![folder_id, prefix, upper], |r| {
        Ok(Located {
            id: r.get(0)?,
            key: r.get(1)?,
            file: r.get(2)?,
            flags: r.get(3)?,
            keywords: r.get(4)?,
        })
    })?;
    rows.collect()
}

/// What the header full-text table holds for one message: decoded text,
/// lower-cased.
pub(crate) struct HeaderText {
    pub id: i64,
    pub sender: String,
    pub recipient: String,
    pub subject: String,
}

impl HeaderText {
    pub fn of(id: i64, p: &Parsed) -> HeaderText {
        HeaderText {
            id,
            sender: format!("{} {}", p.from_name, p.from_addr).to_lowercase(),
            recipient: format!("{} {}", p.to, p.cc).to_lowercase(),
            subject: p.subject.to_lowercase(),
        }
    }
}

pub(crate) fn insert_body_text(conn: &Connection, id: i64, body: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT INTO body_fts(rowid, body) VALUES(?1, ?2)")?
        .execute(params![id, body])?;
    Ok(())
}

pub(crate) fn insert_header_text(conn: &Connection, h: &HeaderText) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO hdr_fts(rowid, sender, recipient, subject) VALUES(?1, ?2, ?3, ?4)",
    )?
    .execute(params![h.id, h.sender, h.recipient, h.subject])?;
    conn.prepare_cached("INSERT INTO from_fts(rowid, sender) VALUES(?1, ?2)")?
        .execute(params![h.id, h.sender])?;
    Ok(())
}

/// Where a bulk build writes the full-text table `table` (`body_fts`,
/// `hdr_fts`) of the index being built at `index`.
pub(crate) fn side_path(index: &Path, table: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(format!("{}.{table}", index.display()))
}

/// Replaces the (empty) full-text table `table` with the one built in the
/// side database at `side`, by copying FTS5's shadow tables as they are.
/// The row ids match: both were filled with the ids of `messages`.
pub(crate) fn adopt_side(conn: &Connection, side: &Path, table: &str) -> rusqlite::Result<()> {
    if !side.exists() {
        // Nothing was parsed: the table in `conn` is already right (empty).
        return Ok(());
    }
    conn.execute("ATTACH DATABASE ?1 AS side", [side.to_string_lossy()])?;
    let tx = conn.unchecked_transaction()?;
    // The header writer's side database holds both header tables.
    let tables: &[&str] = if table == "hdr_fts" {
        &HDR_TABLES
    } else {
        &[table]
    };
    let mut shadows: Vec<String> = Vec::new();
    for t in tables {
        shadows.extend(
            tx.prepare(
                "SELECT name FROM side.sqlite_master WHERE type = 'table' AND name GLOB ?1 || '_*'",
            )?
            .query_map([t], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?,
        );
    }
    for t in shadows {
        tx.execute_batch(&format!(
            "DELETE FROM main.{t}; INSERT INTO main.{t} SELECT * FROM side.{t};"
        ))?;
    }
    tx.commit()?;
    conn.execute("DETACH DATABASE side", [])?;
    Ok(())
}

/// Inserts a parsed message and assigns it a UID and a thread. A bulk
/// build leaves the full-text rows and the thread to the caller.
/// Returns the row id, the UID and whether the row is new: another process
/// may have indexed the same file since this one looked (then its row is
/// returned, and nothing is written).
#[allow(clippy::too_many_arguments)]
pub(crate) fn insert(
    tx: &Transaction<'_>,
    folder_id: i64,
    key: &str,
    file: &str,
    flags: u8,
    keywords: &str,
    arrival: i64,
    p: &Parsed,
    bulk: bool,
) -> rusqlite::Result<(i64, u32, bool)> {
    // Taking the UID writes first, so the transaction holds the write lock
    // before it looks (a read first could not be upgraded while another
    // connection writes); an unused UID is handed back.
    let uid = next_uid(tx, folder_id)?;
    let existing = tx
        .prepare_cached("SELECT id, uid FROM messages WHERE folder_id = ?1 AND key = ?2")?
        .query_row(params![folder_id, key], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some((id, old_uid)) = existing {
        tx.prepare_cached("UPDATE folders SET uidnext = ?2 WHERE id = ?1 AND uidnext = ?2 + 1")?
            .execute(params![folder_id, uid])?;
        return Ok((id, old_uid, false));
    }
    tx.prepare_cached(
        "INSERT INTO messages(folder_id, uid, key, file, flags, keywords, seen, flagged, arrival,
            date, date_sort, from_name, from_addr, from_sort, to_text, to_sort, cc_text, subject,
            subject_sort, message_id, in_reply_to, refs, thread_id, size, vsize, has_attachment,
            priority, mdn_to, snippet)
         VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
            ?19, ?20, ?21, ?22, 0, ?23, ?24, ?25, ?26, ?27, ?28)",
    )?
    .execute(params![
        folder_id,
        uid,
        key,
        file,
        flags,
        keywords,
        flags & crate::flags::SEEN != 0,
        flags & crate::flags::FLAGGED != 0,
        arrival,
        p.date,
        p.date.unwrap_or(arrival),
        p.from_name,
        p.from_addr,
        p.sender_sort_key(),
        p.to,
        p.to_sort,
        p.cc,
        p.subject,
        p.subject_sort,
        p.message_id,
        p.in_reply_to,
        p.references.join(" "),
        p.size,
        p.vsize,
        p.has_attachment,
        p.priority,
        p.mdn_to,
        p.snippet,
    ])?;
    let id = tx.last_insert_rowid();
    if !bulk {
        insert_body_text(tx, id, &p.body)?;
        insert_header_text(tx, &HeaderText::of(id, p))?;
    }
    if bulk {
        crate::thread::record_links(tx, id, p)?;
    } else {
        crate::thread::assign(tx, id, p)?;
    }
    Ok((id, uid, true))
}

/// Moves a row to another folder under a new UID, keeping everything derived.
pub(crate) fn move_row(
    tx: &Transaction<'_>,
    id: i64,
    folder_id: i64,
    file: &str,
    flags: u8,
    keywords: &str,
) -> rusqlite::Result<u32> {
    let uid = next_uid(tx, folder_id)?;
    tx.prepare_cached(
        "UPDATE messages SET folder_id = ?2, uid = ?3, file = ?4, flags = ?5, keywords = ?6,
            seen = ?7, flagged = ?8 WHERE id = ?1",
    )?
    .execute(params![
        id,
        folder_id,
        uid,
        file,
        flags,
        keywords,
        flags & crate::flags::SEEN != 0,
        flags & crate::flags::FLAGGED != 0
    ])?;
    Ok(uid)
}

pub(crate) fn update_file(
    conn: &Connection,
    id: i64,
    file: &str,
    flags: u8,
    keywords: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE messages SET file = ?2, flags = ?3, keywords = ?4, seen = ?5, flagged = ?6
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        file,
        flags,
        keywords,
        flags & crate::flags::SEEN != 0,
        flags & crate::flags::FLAGGED != 0
    ])?;
    Ok(())
}

/// Deletes a row; returns the thread it was in, which the caller repairs
/// (`thread::repair`) once it has deleted what it deletes.
pub(crate) fn delete(conn: &Connection, id: i64) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("DELETE FROM messages WHERE id = ?1 RETURNING thread_id")?
        .query_row([id], |r| r.get(0))
        .optional()
}
