//! The public handle on one user's mail: [`Mailstore`].

use std::fs;
use std::io;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use serde::{Deserialize, Serialize};

use crate::check::Difference;
use crate::db::{self, FolderRow, Located};
use crate::flags::{Flag, FlagSet, edit_info};
use crate::maildir::{INBOX, Maildir, normalize_folder, split_name};
use crate::query::Query;
use crate::rebuild::{Progress, Reason, Shared, shared_for};
use crate::sync::{self, Ctx, SyncReport, keyword_names};
use crate::{Error, Result, retention};
use model::mail::{FolderRole, SortColumn};

/// A message's IMAP UID within its folder (RFC 9051 §2.3.1.1).
pub type Uid = u32;

/// Rebuilds of at most this many messages finish inside [`Mailstore::open`].
const OPEN_WAITS_FOR: u64 = 2000;

/// A folder and its counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderInfo {
    /// Full name, levels separated by `/`; the Inbox is `INBOX`.
    pub name: String,
    /// Its role, for special folders.
    pub special: Option<FolderRole>,
    /// Messages in it.
    pub total: u64,
    /// Messages without `\Seen`.
    pub unread: u64,
    /// UIDVALIDITY: UIDs are only comparable while it is unchanged.
    pub uidvalidity: u32,
    /// The UID the next message will get.
    pub uidnext: Uid,
}

/// `ORDER BY` for `key`, every column in one direction.
fn order_by(key: SortColumn, descending: bool) -> String {
    let d = if descending { "DESC" } else { "ASC" };
    sort_columns(key)
        .iter()
        .map(|c| format!("{c} {d}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The columns `key` sorts by, each with a database index, the row id last
/// (every order is total).
fn sort_columns(key: SortColumn) -> Vec<&'static str> {
    let cols: &[&str] = match key {
        SortColumn::Date => &["m.date_sort"],
        SortColumn::Arrival => &["m.arrival"],
        SortColumn::From => &["m.from_sort"],
        SortColumn::To => &["m.to_sort"],
        SortColumn::Subject => &["m.subject_sort"],
        SortColumn::Size => &["m.size"],
        SortColumn::MessageId => &["m.message_id"],
        SortColumn::Flagged => &["m.flagged", "m.date_sort"],
        SortColumn::Attachment => &["m.has_attachment", "m.date_sort"],
    };
    cols.iter().copied().chain(["m.id"]).collect()
}

/// A set of messages in a sort order, for finding a message's neighbours
/// by keyset: the row just before or after its sort values, read from the
/// sort's index, instead of numbering the whole set.
struct Keyset<'a> {
    from: &'a str,
    /// A condition on `m` with `?` placeholders for `values`.
    wh: &'a str,
    values: Vec<rusqlite::types::Value>,
}

impl Keyset<'_> {
    /// The sort values of (`folder_id`, `uid`) if it is in the set.
    fn sort_values(
        &self,
        conn: &Connection,
        sort: SortColumn,
        folder_id: i64,
        uid: Uid,
    ) -> rusqlite::Result<Option<Vec<rusqlite::types::Value>>> {
        let cols = sort_columns(sort);
        let sql = format!(
            "SELECT {} FROM {} WHERE ({}) AND m.folder_id = ? AND m.uid = ?",
            cols.join(", "),
            self.from,
            self.wh
        );
        let mut values = self.values.clone();
        values.push(folder_id.into());
        values.push(i64::from(uid).into());
        conn.prepare_cached(&sql)?
            .query_row(params_from_iter(values.iter()), |r| {
                (0..cols.len()).map(|i| r.get(i)).collect()
            })
            .optional()
    }

    /// The row listed just before (or, with `next`, just after) the one
    /// whose sort values are `at`, read with `row` from `select`.
    #[allow(clippy::too_many_arguments)]
    fn adjacent<T>(
        &self,
        conn: &Connection,
        sort: SortColumn,
        descending: bool,
        at: &[rusqlite::types::Value],
        next: bool,
        select: &str,
        row: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<Option<T>> {
        let cols = sort_columns(sort);
        let (id, keys) = cols.split_last().expect("the row id is last");
        // The next row of an ascending list has greater values, and so on.
        let greater = next != descending;
        let (op, dir) = if greater { (">", "ASC") } else { ("<", "DESC") };
        // First among rows with the same sort values (ordered by row id: a
        // range on the index), then beyond them. One row-value comparison
        // over all the columns would scan every tie (the To column of an
        // Inbox is mostly the owner).
        let same = format!(
            "SELECT {select} FROM {} WHERE ({}) AND {} AND {id} {op} ? ORDER BY {id} {dir} LIMIT 1",
            self.from,
            self.wh,
            keys.iter()
                .map(|c| format!("{c} = ?"))
                .collect::<Vec<_>>()
                .join(" AND "),
        );
        let beyond = format!(
            "SELECT {select} FROM {} WHERE ({}) AND ({}) {op} ({}) ORDER BY {} LIMIT 1",
            self.from,
            self.wh,
            keys.join(", "),
            vec!["?"; keys.len()].join(", "),
            order_by(sort, !greater),
        );
        let mut row = Some(row);
        for (sql, n) in [(same, at.len()), (beyond, keys.len())] {
            let values = self.values.iter().chain(&at[..n]);
            let found = conn
                .prepare_cached(&sql)?
                .query_row(params_from_iter(values), |r| {
                    (row.take().expect("read once"))(r)
                })
                .optional()?;
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }
}

/// One page of a longer list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// How many items the whole list has.
    pub total: u64,
    /// The position of the first item in the whole list.
    pub offset: u64,
}

/// What a message list shows about a message; all of it comes from the
/// index, without opening the message file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageSummary {
    /// The folder it is in.
    pub folder: String,
    /// Its UID in that folder.
    pub uid: Uid,
    /// Flags and keywords.
    pub flags: FlagSet,
    /// When it arrived (seconds since the epoch; the file's mtime, as IMAP
    /// INTERNALDATE in Dovecot).
    pub arrival: i64,
    /// The Date header (seconds since the epoch), if valid.
    pub date: Option<i64>,
    /// The sender's decoded display name (may be empty).
    pub from_name: String,
    /// The sender's address (may be empty).
    pub from_addr: String,
    /// Decoded To recipients, `Name <addr>, …`.
    pub to: String,
    /// Decoded Cc recipients.
    pub cc: String,
    /// Decoded subject.
    pub subject: String,
    /// Message-ID without angle brackets.
    pub message_id: String,
    /// The thread this message belongs to.
    pub thread_id: i64,
    /// Size in bytes (RFC822.SIZE as stored).
    pub size: u64,
    /// Size with every line ending as CRLF (what IMAP reports).
    pub vsize: u64,
    /// Whether it has attachments (inline images referenced by the body do
    /// not count).
    pub has_attachment: bool,
    /// 1 (highest) to 5 (lowest); 3 is normal.
    pub priority: u8,
    /// Where a read receipt was requested to go (RFC 8098), if anywhere.
    pub mdn_to: Option<String>,
    /// The first words of the text, whitespace collapsed.
    pub snippet: String,
}

const SUMMARY_COLS: &str = "f.name, m.uid, m.flags, m.keywords, m.arrival, m.date, m.from_name,
    m.from_addr, m.to_text, m.cc_text, m.subject, m.message_id, m.thread_id, m.size, m.vsize,
    m.has_attachment, m.priority, m.mdn_to, m.snippet";

/// Whether `term` (lower-cased, three characters or more) has so many
/// candidates in the header trigram index that scanning the header texts
/// is cheaper than checking each candidate: at least an eighth of the
/// messages (and at least 1,000). Counting stops at that bound, so asking
/// costs little either way; a term the index cannot take is not common.
fn trigrams_common(conn: &Connection, term: &str) -> bool {
    let chars: Vec<char> = term.chars().collect();
    let mut grams: Vec<String> = chars.windows(3).map(|w| w.iter().collect()).collect();
    grams.sort();
    grams.dedup();
    if grams.is_empty() {
        return false;
    }
    let expr = grams
        .iter()
        .map(|g| format!("\"{}\"", g.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" AND ");
    let messages: i64 = conn
        .query_row("SELECT COALESCE(SUM(total), 0) FROM folders", [], |r| {
            r.get(0)
        })
        .unwrap_or(0);
    let bound = (messages / 8).max(COMMON_TRIGRAMS_MIN);
    conn.prepare_cached(
        "SELECT COUNT(*) FROM (SELECT 1 FROM hdr_fts WHERE hdr_fts MATCH ?1 LIMIT ?2)",
    )
    .and_then(|mut st| st.query_row(params![expr, bound], |r| r.get::<_, i64>(0)))
    .is_ok_and(|n| n >= bound)
}

/// The fewest trigram candidates for which a header scan is preferred.
const COMMON_TRIGRAMS_MIN: i64 = 1_000;

fn summary_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MessageSummary> {
    let keywords: String = r.get(3)?;
    let mdn: String = r.get(17)?;
    Ok(MessageSummary {
        folder: r.get(0)?,
        uid: r.get(1)?,
        flags: FlagSet::from_parts(r.get(2)?, &keywords),
        arrival: r.get(4)?,
        date: r.get(5)?,
        from_name: r.get(6)?,
        from_addr: r.get(7)?,
        to: r.get(8)?,
        cc: r.get(9)?,
        subject: r.get(10)?,
        message_id: r.get(11)?,
        thread_id: r.get(12)?,
        size: r.get::<_, i64>(13)? as u64,
        vsize: r.get::<_, i64>(14)? as u64,
        has_attachment: r.get(15)?,
        priority: r.get(16)?,
        mdn_to: (!mdn.is_empty()).then_some(mdn),
        snippet: r.get(18)?,
    })
}

/// The result of a delivery by [`deliver`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// The folder it went into.
    pub folder: String,
    /// Its UID, when the index could be updated at once (otherwise the next
    /// sync indexes it; the message is safe either way).
    pub uid: Option<Uid>,
}

/// Delivers a message for a local delivery agent (`webmail deliver`).
///
/// `folder` defaults to the Inbox and is created if missing. Returns once the
/// message is durably in the Maildir; indexing problems after that point are
/// logged, not returned, so that the MTA never delivers twice. An `Err` means
/// nothing was delivered: exit with `EX_TEMPFAIL` (75) when
/// [`Error::is_temporary`], else `EX_DATAERR` (65) for a bad folder name.
/// Deciding that the user does not exist (`EX_NOUSER`, 67) is the caller's
/// job: this function creates `user_dir` as needed.
pub fn deliver(user_dir: &Path, folder: Option<&str>, message: &[u8]) -> Result<Delivery> {
    let folder = normalize_folder(folder.unwrap_or(INBOX))?;
    let maildir = Maildir::new(user_dir.join("Maildir"));
    maildir.ensure_folder(INBOX)?;
    maildir.ensure_folder(&folder)?;
    let entry = maildir.deliver(&folder, message, None, None)?;
    let uid = match Mailstore::open(user_dir).and_then(|s| s.index_new_entry(&folder, &entry.key)) {
        Ok(uid) => uid,
        Err(e) => {
            tracing::warn!(error = %e, "delivered; indexing deferred");
            None
        }
    };
    Ok(Delivery { folder, uid })
}

/// One user's mail: a Maildir and its index.
///
/// Handles are cheap to clone and share one index connection per user in
/// the process, so calls for one user are serialised.
#[derive(Clone)]
pub struct Mailstore {
    pub(crate) shared: Arc<Shared>,
}

impl std::fmt::Debug for Mailstore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailstore")
            .field("user_dir", &self.shared.user_dir)
            .finish()
    }
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl Mailstore {
    /// Opens the store in `user_dir` (which holds `Maildir/` and
    /// `index.sqlite`; both are created if missing).
    ///
    /// The first open in a process checks the index's schema version, and
    /// starts a full integrity check in the background. A missing, damaged or outdated index is moved aside and
    /// rebuilt from the Maildir by a background job; small mailboxes are
    /// rebuilt before `open` returns, larger ones answer
    /// [`Error::Rebuilding`] until done (see [`Mailstore::rebuild_progress`]).
    /// Then the index is synced with changes other programs made.
    pub fn open(user_dir: &Path) -> Result<Mailstore> {
        fs::create_dir_all(user_dir).map_err(|e| Error::io("create", user_dir, e))?;
        let canonical = user_dir
            .canonicalize()
            .map_err(|e| Error::io("open", user_dir, e))?;
        let store = Mailstore {
            shared: shared_for(&canonical),
        };
        {
            // Other opens of this user wait here until the folders exist.
            let mut initialised = store
                .shared
                .initialised
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if !*initialised {
                for s in FolderRole::ALL {
                    store.shared.maildir.ensure_folder(s.folder())?;
                }
                *initialised = true;
            }
        }
        // A store already open (another handle, or kept open) syncs when a
        // call needs it, not on every open.
        if store.shared.lock().conn.is_some() {
            return Ok(store);
        }
        store.heal_or_connect()?;
        match store.with_conn(|c| store.sync_with(c)) {
            Ok(_) | Err(Error::Rebuilding(_)) => Ok(store),
            Err(e) => Err(e),
        }
    }

    /// Makes sure the index is open, or being rebuilt: connects to a valid
    /// index, or starts a healing rebuild of a missing or damaged one. While
    /// a rebuild without an old index to serve runs (started here or by
    /// anyone else), waits for it if the mailbox is small.
    ///
    /// The decision and the start of the rebuild happen under one hold of
    /// the state lock, so concurrent callers agree on one rebuild and none
    /// moves aside an index another has just built.
    fn heal_or_connect(&self) -> Result<()> {
        let sh = &self.shared;
        let mut st = sh.lock();
        if st.conn.is_some() {
            return Ok(());
        }
        if let Some(p) = &st.rebuild {
            let progress = p.clone();
            drop(st);
            self.wait_if_small(&progress);
            return Ok(());
        }
        let reason = if sh.index_path.exists() {
            match db::connect(&sh.index_path) {
                Ok(conn) => match db::validate(&conn, false) {
                    None => {
                        st.conn = Some(conn);
                        st.conn_file = crate::rebuild::file_id(&sh.index_path);
                        drop(st);
                        self.shared.verify_in_background();
                        return Ok(());
                    }
                    Some(reason) => reason,
                },
                Err(e) => e.to_string(),
            }
        } else {
            "missing".to_string()
        };
        tracing::warn!(user_dir = %sh.user_dir.display(), %reason, "rebuilding mail index");
        let progress = sh.start_rebuild_locked(st, Reason::Heal);
        self.wait_if_small(&progress);
        Ok(())
    }

    /// Waits while the Maildir is listed; then to the end of the rebuild if
    /// it has at most [`OPEN_WAITS_FOR`] messages to index.
    fn wait_if_small(&self, progress: &crate::rebuild::ProgressCounter) {
        let sh = &self.shared;
        loop {
            if sh.wait(Some(Duration::from_millis(20))) {
                break;
            }
            if progress.listed.load(Ordering::Relaxed)
                && progress.total.load(Ordering::Relaxed) > OPEN_WAITS_FOR
            {
                break;
            }
        }
    }

    /// Runs `f` on the index connection, healing a damaged index.
    fn with_conn<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let sh = &self.shared;
        let mut st = sh.lock();
        if st.conn.is_some()
            && st.rebuild.is_none()
            && crate::rebuild::file_id(&sh.index_path) != st.conn_file
        {
            tracing::warn!(user_dir = %sh.user_dir.display(), "index file deleted or replaced; reopening");
            st.conn = None;
        }
        if st.conn.is_none() {
            if let Some(p) = &st.rebuild {
                return Err(Error::Rebuilding(p.snapshot()));
            }
            drop(st);
            self.heal_or_connect()?;
            st = sh.lock();
            if st.conn.is_none() {
                return Err(match (&st.rebuild, &st.last_error) {
                    (Some(p), _) => Error::Rebuilding(p.snapshot()),
                    (None, Some(e)) => Error::RebuildFailed(e.clone()),
                    (None, None) => Error::Rebuilding(Progress::default()),
                });
            }
        }
        let conn = st.conn.as_ref().expect("checked");
        match f(conn) {
            Err(Error::Index(e)) if db::is_corruption(&e) => {
                tracing::error!(error = %e, "mail index damaged; rebuilding");
                let p = sh.start_rebuild_locked(st, Reason::Heal);
                Err(Error::Rebuilding(p.snapshot()))
            }
            r => r,
        }
    }

    fn ctx<'a>(&'a self, conn: &'a Connection) -> Ctx<'a> {
        Ctx {
            conn,
            maildir: &self.shared.maildir,
            opened: &self.shared.opened,
            progress: None,
            bulk: None,
        }
    }

    fn sync_with(&self, conn: &Connection) -> Result<SyncReport> {
        sync::sync(&self.ctx(conn))
    }

    /// Brings the index up to date with the Maildir (cheap when nothing
    /// changed: two `stat` calls per folder).
    pub fn sync(&self) -> Result<SyncReport> {
        self.with_conn(|c| self.sync_with(c))
    }

    /// How many message files this user's store has opened in this process.
    /// Listing and searching open none.
    pub fn files_opened(&self) -> u64 {
        self.shared.opened.load(Ordering::Relaxed)
    }

    /// The progress of a running rebuild, if one runs.
    pub fn rebuild_progress(&self) -> Option<Progress> {
        self.shared.lock().rebuild.as_ref().map(|p| p.snapshot())
    }

    /// Waits until no rebuild runs (at most `timeout`); true when ready.
    pub fn wait_ready(&self, timeout: Option<Duration>) -> bool {
        self.shared.wait(timeout)
    }

    /// Waits until no rebuild runs, without waiting for the background
    /// check of the index that opening started (it reads the whole index:
    /// seconds at 100,000 messages). For short-lived processes such as a
    /// delivery, which only must not throw a rebuild away.
    pub fn wait_rebuilt(&self, timeout: Option<Duration>) -> bool {
        self.shared.wait_for(timeout, false)
    }

    /// Rebuilds the index from the Maildir (`webmail reindex`), calling
    /// `progress` now and then, and returns when done. The old index serves
    /// other callers until the new one replaces it.
    pub fn reindex(&self, mut progress: impl FnMut(Progress)) -> Result<()> {
        let p = self.shared.start_rebuild(Reason::Forced);
        while !self.shared.wait(Some(Duration::from_millis(100))) {
            progress(p.snapshot());
        }
        progress(p.snapshot());
        let st = self.shared.lock();
        match (&st.conn, &st.last_error) {
            (Some(_), _) => Ok(()),
            (None, Some(e)) => Err(Error::RebuildFailed(e.clone())),
            (None, None) => Err(Error::Rebuilding(Progress::default())),
        }
    }

    fn folder_row(&self, conn: &Connection, folder: &str) -> Result<FolderRow> {
        let name = normalize_folder(folder)?;
        if let Some(r) = db::folder(conn, &name)? {
            return Ok(r);
        }
        self.sync_with(conn)?;
        db::folder(conn, &name)?.ok_or(Error::NoSuchFolder(name))
    }

    /// All folders with their counts (read from maintained counters).
    pub fn folders(&self) -> Result<Vec<FolderInfo>> {
        self.with_conn(|conn| {
            self.sync_with(conn)?;
            let mut rows = db::folders(conn)?;
            rows.sort_by(|a, b| {
                let rank = |n: &str| {
                    FolderRole::of(n)
                        .map(|s| s as usize)
                        .unwrap_or(FolderRole::ALL.len())
                };
                rank(&a.name).cmp(&rank(&b.name)).then(a.name.cmp(&b.name))
            });
            Ok(rows
                .into_iter()
                .map(|r| FolderInfo {
                    special: FolderRole::of(&r.name),
                    name: r.name,
                    total: r.total.max(0) as u64,
                    unread: r.unread.max(0) as u64,
                    uidvalidity: r.uidvalidity,
                    uidnext: r.uidnext,
                })
                .collect())
        })
    }

    /// One page of a folder, sorted in SQL.
    pub fn list(
        &self,
        folder: &str,
        sort: SortColumn,
        descending: bool,
        offset: u64,
        limit: u64,
    ) -> Result<Page<MessageSummary>> {
        self.with_conn(|conn| {
            self.sync_with(conn)?;
            let f = self.folder_row(conn, folder)?;
            let sql = format!(
                "SELECT {SUMMARY_COLS} FROM messages m JOIN folders f ON f.id = m.folder_id
                 WHERE m.folder_id = ?1 ORDER BY {} LIMIT ?2 OFFSET ?3",
                order_by(sort, descending)
            );
            let items = conn
                .prepare_cached(&sql)?
                .query_map(params![f.id, limit as i64, offset as i64], summary_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(Page {
                items,
                total: f.total.max(0) as u64,
                offset,
            })
        })
    }

    /// One page of search results, sorted in SQL.
    pub fn search(
        &self,
        query: &Query,
        sort: SortColumn,
        descending: bool,
        offset: u64,
        limit: u64,
    ) -> Result<Page<MessageSummary>> {
        self.with_conn(|conn| {
            self.sync_with(conn)?;
            let (wh, mut values) = query.to_sql_with(&|term| trigrams_common(conn, term))?;
            let total: i64 = conn.query_row(
                &format!("SELECT COUNT(*) FROM messages m WHERE {wh}"),
                params_from_iter(values.iter()),
                |r| r.get(0),
            )?;
            values.push((limit as i64).into());
            values.push((offset as i64).into());
            let sql = format!(
                "SELECT {SUMMARY_COLS} FROM messages m JOIN folders f ON f.id = m.folder_id
                 WHERE {wh} ORDER BY {} LIMIT ? OFFSET ?",
                order_by(sort, descending)
            );
            let items = conn
                .prepare_cached(&sql)?
                .query_map(params_from_iter(values.iter()), summary_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(Page {
                items,
                total: total as u64,
                offset,
            })
        })
    }

    /// The summary of one message.
    pub fn summary(&self, folder: &str, uid: Uid) -> Result<Option<MessageSummary>> {
        self.with_conn(|conn| {
            let f = self.folder_row(conn, folder)?;
            Ok(conn
                .prepare_cached(&format!(
                    "SELECT {SUMMARY_COLS} FROM messages m JOIN folders f ON f.id = m.folder_id
                     WHERE m.folder_id = ?1 AND m.uid = ?2"
                ))?
                .query_row(params![f.id, uid], summary_row)
                .optional()?)
        })
    }

    /// The messages before and after `uid` in `folder` listed in this order
    /// (for "previous" and "next" in the reader). `None` at either end, and
    /// for both when the message is not in the folder. Two keyset lookups
    /// on the sort's index, however big the folder.
    pub fn neighbors(
        &self,
        folder: &str,
        uid: Uid,
        sort: SortColumn,
        descending: bool,
    ) -> Result<(Option<Uid>, Option<Uid>)> {
        self.with_conn(|conn| {
            let f = self.folder_row(conn, folder)?;
            let scope = Keyset {
                from: "messages m",
                wh: "m.folder_id = ?",
                values: vec![f.id.into()],
            };
            let Some(at) = scope.sort_values(conn, sort, f.id, uid)? else {
                return Ok((None, None));
            };
            let side = |next| {
                scope.adjacent(conn, sort, descending, &at, next, "m.uid", |r| {
                    r.get::<_, Uid>(0)
                })
            };
            Ok((side(false)?, side(true)?))
        })
    }

    /// The messages before and after (`folder`, `uid`) in the results of
    /// `query` listed in this order, as (folder, uid): search results may
    /// span folders. `None` at either end, and for both when the message is
    /// not among the results.
    pub fn search_neighbors(
        &self,
        query: &Query,
        folder: &str,
        uid: Uid,
        sort: SortColumn,
        descending: bool,
    ) -> Result<(Option<FolderUid>, Option<FolderUid>)> {
        self.with_conn(|conn| {
            self.sync_with(conn)?;
            let (wh, values) = query.to_sql_with(&|term| trigrams_common(conn, term))?;
            let f = self.folder_row(conn, folder)?;
            let scope = Keyset {
                from: "messages m JOIN folders f ON f.id = m.folder_id",
                wh: &wh,
                values,
            };
            let Some(at) = scope.sort_values(conn, sort, f.id, uid)? else {
                return Ok((None, None));
            };
            let side = |next| {
                scope.adjacent(conn, sort, descending, &at, next, "f.name, m.uid", |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, Uid>(1)?))
                })
            };
            Ok((side(false)?, side(true)?))
        })
    }

    /// Every message of a thread, oldest first.
    pub fn thread(&self, thread_id: i64) -> Result<Vec<MessageSummary>> {
        self.with_conn(|conn| {
            Ok(conn
                .prepare_cached(&format!(
                    "SELECT {SUMMARY_COLS} FROM messages m JOIN folders f ON f.id = m.folder_id
                     WHERE m.thread_id = ?1 ORDER BY m.date_sort, m.id"
                ))?
                .query_map([thread_id], summary_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// Finds a message by UID, syncing once if its file has moved.
    fn locate_file(
        &self,
        conn: &Connection,
        f: &FolderRow,
        uid: Uid,
    ) -> Result<Option<(Located, std::path::PathBuf)>> {
        let dir = self.shared.maildir.folder_dir(&f.name);
        for attempt in 0..2 {
            let Some(l) = db::locate(conn, f.id, uid)? else {
                return Ok(None);
            };
            let path = dir.join(&l.file);
            if path.exists() || attempt == 1 {
                return Ok(Some((l, path)));
            }
            self.sync_with(conn)?;
        }
        Ok(None)
    }

    /// The raw bytes of a message.
    pub fn raw(&self, folder: &str, uid: Uid) -> Result<Option<Vec<u8>>> {
        self.with_conn(|conn| {
            let f = self.folder_row(conn, folder)?;
            for _ in 0..2 {
                let Some((_, path)) = self.locate_file(conn, &f, uid)? else {
                    return Ok(None);
                };
                match sync::read_file(&path, &self.shared.opened) {
                    Ok((bytes, _)) => return Ok(Some(bytes)),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {
                        self.sync_with(conn)?;
                    }
                    Err(e) => return Err(Error::io("read", path, e)),
                }
            }
            Ok(None)
        })
    }

    /// Indexes a file just written into `folder` (looked up by key).
    fn index_new_entry(&self, folder: &str, key: &str) -> Result<Option<Uid>> {
        self.with_conn(|conn| {
            self.sync_with(conn)?;
            let f = self.folder_row(conn, folder)?;
            Ok(conn
                .query_row(
                    "SELECT uid FROM messages WHERE folder_id = ?1 AND key = ?2",
                    params![f.id, key],
                    |r| r.get(0),
                )
                .optional()?)
        })
    }

    /// Delivers a message into `folder` (tmp, fsync, rename into new,
    /// fsync the directory), then indexes it.
    pub fn deliver(&self, folder: &str, message: &[u8]) -> Result<Uid> {
        self.append_inner(folder, message, None, None)
    }

    /// Appends a message with flags and an internal date (seconds since the
    /// epoch), as for Sent and Drafts.
    pub fn append(
        &self,
        folder: &str,
        message: &[u8],
        flags: &[Flag],
        date: Option<i64>,
    ) -> Result<Uid> {
        self.append_inner(folder, message, Some(flags), date)
    }

    fn append_inner(
        &self,
        folder: &str,
        message: &[u8],
        flags: Option<&[Flag]>,
        date: Option<i64>,
    ) -> Result<Uid> {
        let folder = normalize_folder(folder)?;
        let md = &self.shared.maildir;
        if !md.folder_dir(&folder).join("cur").is_dir() {
            return Err(Error::NoSuchFolder(folder));
        }
        let info = match flags {
            Some(flags) => Some(self.info_for(&folder, "", flags, &[])?),
            None => None,
        };
        let mtime = date.map(|d| UNIX_EPOCH + Duration::from_secs(d.max(0) as u64));
        let entry = md.deliver(&folder, message, info.as_deref(), mtime)?;
        self.index_new_entry(&folder, &entry.key)?
            .ok_or_else(|| Error::NoSuchFolder(folder.clone()))
    }

    /// The info letters after adding `add` and removing `remove`.
    fn info_for(&self, folder: &str, info: &str, add: &[Flag], remove: &[Flag]) -> Result<String> {
        let md = &self.shared.maildir;
        let letters = |flags: &[Flag]| -> Result<Vec<char>> {
            let mut v = Vec::new();
            for f in flags {
                match f.letter() {
                    Some(c) => v.push(c),
                    None => {
                        let Flag::Keyword(k) = f else { continue };
                        let i = if remove.contains(f) && !add.contains(f) {
                            match md.keywords(folder).iter().position(|x| {
                                x.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(k))
                            }) {
                                Some(i) => i,
                                None => continue,
                            }
                        } else {
                            md.keyword_index(folder, k)?
                        };
                        v.push((b'a' + i as u8) as char);
                    }
                }
            }
            Ok(v)
        };
        Ok(edit_info(info, &letters(add)?, &letters(remove)?))
    }

    /// Sets flags or keywords on messages; returns how many were found.
    pub fn set_flags(&self, folder: &str, uids: &[Uid], flags: &[Flag]) -> Result<usize> {
        self.change_flags(folder, uids, flags, &[])
    }

    /// Clears flags or keywords on messages; returns how many were found.
    pub fn clear_flags(&self, folder: &str, uids: &[Uid], flags: &[Flag]) -> Result<usize> {
        self.change_flags(folder, uids, &[], flags)
    }

    fn change_flags(
        &self,
        folder: &str,
        uids: &[Uid],
        add: &[Flag],
        remove: &[Flag],
    ) -> Result<usize> {
        self.with_conn(|conn| {
            let f = self.folder_row(conn, folder)?;
            let dir = self.shared.maildir.folder_dir(&f.name);
            let mut done = 0;
            for &uid in uids {
                for attempt in 0..2 {
                    let Some((l, path)) = self.locate_file(conn, &f, uid)? else {
                        break;
                    };
                    let name = l.file.rsplit('/').next().unwrap_or("");
                    let info = split_name(name).1.unwrap_or("");
                    let new_info = self.info_for(&f.name, info, add, remove)?;
                    let new_file = format!("cur/{}:2,{new_info}", l.key);
                    if new_file != l.file {
                        match fs::rename(&path, dir.join(&new_file)) {
                            Ok(()) => {}
                            Err(e) if e.kind() == io::ErrorKind::NotFound && attempt == 0 => {
                                self.sync_with(conn)?;
                                continue;
                            }
                            Err(e) if e.kind() == io::ErrorKind::NotFound => break,
                            Err(e) => return Err(Error::io("rename", path, e)),
                        }
                    }
                    let kws = self.shared.maildir.keywords(&f.name);
                    db::update_file(
                        conn,
                        l.id,
                        &new_file,
                        crate::flags::info_bits(&new_info),
                        &keyword_names(&new_info, &kws),
                    )?;
                    done += 1;
                    break;
                }
            }
            Ok(done)
        })
    }

    /// Moves messages to another folder; returns (old UID, new UID) pairs.
    pub fn move_to(&self, folder: &str, uids: &[Uid], dest: &str) -> Result<Vec<(Uid, Uid)>> {
        self.transfer(folder, uids, dest, false)
    }

    /// Copies messages to another folder; returns (old UID, new UID) pairs.
    pub fn copy_to(&self, folder: &str, uids: &[Uid], dest: &str) -> Result<Vec<(Uid, Uid)>> {
        self.transfer(folder, uids, dest, true)
    }

    fn transfer(
        &self,
        folder: &str,
        uids: &[Uid],
        dest: &str,
        copy: bool,
    ) -> Result<Vec<(Uid, Uid)>> {
        self.with_conn(|conn| {
            let f = self.folder_row(conn, folder)?;
            let d = self.folder_row(conn, dest)?;
            let md = &self.shared.maildir;
            let dest_dir = md.folder_dir(&d.name);
            let dest_kws = md.keywords(&d.name);
            let src_kws = md.keywords(&f.name);
            let mut out = Vec::new();
            for &uid in uids {
                for attempt in 0..2 {
                    let Some((l, path)) = self.locate_file(conn, &f, uid)? else {
                        break;
                    };
                    // Keyword letters are per folder: translate them.
                    let name = l.file.rsplit('/').next().unwrap_or("");
                    let info = split_name(name).1.unwrap_or("");
                    let kw_flags: Vec<Flag> = crate::flags::info_keyword_letters(info)
                        .filter_map(|i| src_kws.get(i).cloned().flatten())
                        .map(Flag::Keyword)
                        .collect();
                    let sys: String = info.chars().filter(|c| !c.is_ascii_lowercase()).collect();
                    let new_info = if kw_flags.is_empty() && dest_kws == src_kws {
                        info.to_string()
                    } else {
                        self.info_for(&d.name, &sys, &kw_flags, &[])?
                    };
                    let key = if copy {
                        Maildir::new_key(l_size(conn, l.id)?, l_vsize(conn, l.id)?)
                    } else {
                        l.key.clone()
                    };
                    let new_file = if l.file.starts_with("new/") && new_info.is_empty() {
                        format!("new/{key}")
                    } else {
                        format!("cur/{key}:2,{new_info}")
                    };
                    let target = dest_dir.join(&new_file);
                    let res = if copy {
                        fs::hard_link(&path, &target).or_else(|_| {
                            let tmp = dest_dir.join("tmp").join(&key);
                            fs::copy(&path, &tmp)
                                .and_then(|_| fs::File::open(&tmp)?.sync_all())
                                .and_then(|_| fs::rename(&tmp, &target))
                        })
                    } else {
                        fs::rename(&path, &target)
                    };
                    match res {
                        Ok(()) => {}
                        Err(e) if e.kind() == io::ErrorKind::NotFound && attempt == 0 => {
                            self.sync_with(conn)?;
                            continue;
                        }
                        Err(e) if e.kind() == io::ErrorKind::NotFound => break,
                        Err(e) => {
                            return Err(Error::io(if copy { "copy" } else { "move" }, path, e));
                        }
                    }
                    crate::maildir::sync_dir(target.parent().unwrap_or(&dest_dir))?;
                    let kw = keyword_names(&new_info, &md.keywords(&d.name));
                    let bits = crate::flags::info_bits(&new_info);
                    let new_uid = if copy {
                        let (raw, arrival) = sync::read_file(&target, &self.shared.opened)
                            .map_err(|e| Error::io("read", &target, e))?;
                        let p = crate::parse::parse(&raw);
                        let tx = conn.unchecked_transaction()?;
                        let (_, uid, _) =
                            db::insert(&tx, d.id, &key, &new_file, bits, &kw, arrival, &p, false)?;
                        tx.commit()?;
                        uid
                    } else {
                        let tx = conn.unchecked_transaction()?;
                        let uid = db::move_row(&tx, l.id, d.id, &new_file, bits, &kw)?;
                        tx.commit()?;
                        uid
                    };
                    out.push((uid, new_uid));
                    break;
                }
            }
            Ok(out)
        })
    }

    /// Deletes messages: moves them to Trash, or expunges them (into the
    /// retention area) when they already are in Trash. Returns how many.
    pub fn delete(&self, folder: &str, uids: &[Uid]) -> Result<usize> {
        let name = normalize_folder(folder)?;
        if name == FolderRole::Trash.folder() {
            self.expunge(&name, uids)
        } else {
            Ok(self.move_to(&name, uids, FolderRole::Trash.folder())?.len())
        }
    }

    /// Removes messages from their folder into the retention area, from
    /// where [`Mailstore::restore`] can bring them back. Returns how many.
    pub fn expunge(&self, folder: &str, uids: &[Uid]) -> Result<usize> {
        self.with_conn(|conn| {
            let f = self.folder_row(conn, folder)?;
            let rdir = retention::dir(&self.shared.user_dir);
            fs::create_dir_all(&rdir).map_err(|e| Error::io("create", &rdir, e))?;
            let now = now_secs();
            let mut n = 0;
            for &uid in uids {
                let Some((l, path)) = self.locate_file(conn, &f, uid)? else { continue };
                let name = l.file.rsplit('/').next().unwrap_or("").to_string();
                let rname = retention::file_name(now, &f.name, &name);
                match fs::rename(&path, rdir.join(&rname)) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(Error::io("expunge", path, e)),
                }
                let (subject, from, date, size): (String, String, Option<i64>, i64) = conn.query_row(
                    "SELECT subject, CASE from_name WHEN '' THEN from_addr ELSE from_name END, date, size
                     FROM messages WHERE id = ?1",
                    [l.id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )?;
                let tx = conn.unchecked_transaction()?;
                retention::record(&tx, &rname, &f.name, now, &subject, &from, date, size)?;
                let thread = db::delete(&tx, l.id)?;
                crate::thread::repair(&tx, &thread.into_iter().collect())?;
                tx.commit()?;
                n += 1;
            }
            if n > 0 {
                crate::maildir::sync_dir(&rdir)?;
            }
            Ok(n)
        })
    }

    /// Removes messages for good, without keeping them in the retention
    /// area: for copies that are replaced, such as a draft saved again.
    /// Returns how many.
    pub fn discard(&self, folder: &str, uids: &[Uid]) -> Result<usize> {
        self.with_conn(|conn| {
            let f = self.folder_row(conn, folder)?;
            let mut n = 0;
            let mut dirs = Vec::new();
            for &uid in uids {
                let Some((l, path)) = self.locate_file(conn, &f, uid)? else {
                    continue;
                };
                match fs::remove_file(&path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(Error::io("discard", path, e)),
                }
                if let Some(parent) = path.parent()
                    && !dirs.iter().any(|d: &std::path::PathBuf| d == parent)
                {
                    dirs.push(parent.to_path_buf());
                }
                let tx = conn.unchecked_transaction()?;
                let thread = db::delete(&tx, l.id)?;
                crate::thread::repair(&tx, &thread.into_iter().collect())?;
                tx.commit()?;
                n += 1;
            }
            for d in &dirs {
                crate::maildir::sync_dir(d)?;
            }
            Ok(n)
        })
    }

    /// Expunges every message of `folder` flagged `\Deleted` (IMAP EXPUNGE).
    pub fn expunge_deleted(&self, folder: &str) -> Result<usize> {
        let uids: Vec<Uid> = self.with_conn(|conn| {
            let f = self.folder_row(conn, folder)?;
            Ok(conn
                .prepare("SELECT uid FROM messages WHERE folder_id = ?1 AND flags & ?2 != 0")?
                .query_map(params![f.id, crate::flags::DELETED], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?)
        })?;
        self.expunge(folder, &uids)
    }

    /// Messages in the retention area, most recently expunged first.
    pub fn retained(&self) -> Result<Vec<retention::RetainedMessage>> {
        self.with_conn(|conn| {
            retention::rescan(conn, &self.shared.user_dir, &self.shared.opened)?;
            Ok(retention::list(conn)?)
        })
    }

    /// Puts an expunged message back into the folder it came from
    /// (recreated if needed). Returns that folder and the new UID.
    pub fn restore(&self, id: i64) -> Result<Option<(String, Uid)>> {
        let row: Option<(String, String)> = self.with_conn(|conn| {
            Ok(conn
                .query_row(
                    "SELECT file, folder FROM retained WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?)
        })?;
        let Some((file, folder)) = row else {
            return Ok(None);
        };
        let Some((_, _, original)) = retention::split_file_name(&file) else {
            return Ok(None);
        };
        let folder = normalize_folder(&folder).unwrap_or_else(|_| INBOX.to_string());
        let md = &self.shared.maildir;
        md.ensure_folder(&folder)?;
        let (key, info) = split_name(&original);
        let kws_lost: String = info
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_ascii_lowercase())
            .collect();
        let target = md
            .folder_dir(&folder)
            .join(format!("cur/{key}:2,{kws_lost}"));
        let from = retention::dir(&self.shared.user_dir).join(&file);
        match fs::rename(&from, &target) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io("restore", from, e)),
        }
        crate::maildir::sync_dir(target.parent().unwrap_or(md.root()))?;
        self.with_conn(|conn| {
            conn.execute("DELETE FROM retained WHERE id = ?1", [id])?;
            Ok(())
        })?;
        Ok(self.index_new_entry(&folder, key)?.map(|uid| (folder, uid)))
    }

    /// Deletes retained messages expunged at least `days` days ago.
    pub fn purge_retained(&self, days: u32) -> Result<usize> {
        let cutoff = now_secs() - i64::from(days) * 86400;
        self.with_conn(|conn| {
            retention::rescan(conn, &self.shared.user_dir, &self.shared.opened)?;
            let files: Vec<(i64, String)> = conn
                .prepare("SELECT id, file FROM retained WHERE expunged_at <= ?1")?
                .query_map([cutoff], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let dir = retention::dir(&self.shared.user_dir);
            for (id, file) in &files {
                match fs::remove_file(dir.join(file)) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => return Err(Error::io("remove", dir.join(file), e)),
                }
                conn.execute("DELETE FROM retained WHERE id = ?1", [id])?;
            }
            Ok(files.len())
        })
    }

    /// Creates a folder (`Parent/Child` creates `.Parent.Child`).
    pub fn create_folder(&self, name: &str) -> Result<()> {
        let name = normalize_folder(name)?;
        self.with_conn(|conn| {
            let md = &self.shared.maildir;
            if md.folder_dir(&name).join("cur").is_dir() || db::folder(conn, &name)?.is_some() {
                return Err(Error::FolderExists(name.clone()));
            }
            md.ensure_folder(&name)?;
            self.sync_with(conn)?;
            Ok(())
        })
    }

    /// Renames a folder and its subfolders, keeping UIDs.
    pub fn rename_folder(&self, from: &str, to: &str) -> Result<()> {
        let from = normalize_folder(from)?;
        let to = normalize_folder(to)?;
        for n in [&from, &to] {
            if FolderRole::of(n).is_some() {
                return Err(Error::SpecialFolder(n.clone()));
            }
        }
        self.with_conn(|conn| {
            self.folder_row(conn, &from)?;
            let md = &self.shared.maildir;
            if md.folder_dir(&to).exists() || db::folder(conn, &to)?.is_some() {
                return Err(Error::FolderExists(to.clone()));
            }
            let prefix = format!("{from}/");
            let mut moves: Vec<(String, String)> = md
                .list_folders()?
                .into_iter()
                .filter(|n| n.starts_with(&prefix))
                .map(|n| (n.clone(), format!("{to}/{}", &n[prefix.len()..])))
                .collect();
            moves.insert(0, (from.clone(), to.clone()));
            for (a, b) in &moves {
                let (pa, pb) = (md.folder_dir(a), md.folder_dir(b));
                fs::rename(&pa, &pb).map_err(|e| Error::io("rename", &pa, e))?;
                conn.execute(
                    "UPDATE folders SET name = ?2 WHERE name = ?1",
                    params![a, b],
                )?;
            }
            crate::maildir::sync_dir(md.root())?;
            Ok(())
        })
    }

    /// Deletes a folder. Its messages go to the retention area first, so
    /// they can be restored. Subfolders are kept.
    pub fn delete_folder(&self, name: &str) -> Result<()> {
        let name = normalize_folder(name)?;
        if FolderRole::of(&name).is_some() {
            return Err(Error::SpecialFolder(name));
        }
        let uids: Vec<Uid> = self.with_conn(|conn| {
            let f = self.folder_row(conn, &name)?;
            Ok(conn
                .prepare("SELECT uid FROM messages WHERE folder_id = ?1")?
                .query_map([f.id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?)
        })?;
        self.expunge(&name, &uids)?;
        self.with_conn(|conn| {
            let md = &self.shared.maildir;
            let dir = md.folder_dir(&name);
            // Anything that arrived meanwhile is kept too.
            for e in md.scan(&name)? {
                let rdir = retention::dir(&self.shared.user_dir);
                let rname = retention::file_name(
                    now_secs(),
                    &name,
                    e.file.rsplit('/').next().unwrap_or(""),
                );
                let _ = fs::rename(dir.join(&e.file), rdir.join(rname));
            }
            match fs::remove_dir_all(&dir) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io("remove", dir, e)),
            }
            crate::maildir::sync_dir(md.root())?;
            self.sync_with(conn)?;
            Ok(())
        })
    }

    /// Compares the index with the Maildir and returns every difference
    /// (`webmail check`). Empty means they agree.
    pub fn check(&self) -> Result<Vec<Difference>> {
        self.with_conn(|conn| crate::check::check(conn, &self.shared.maildir))
    }

    /// Every indexed message with its derived fields, in a stable order and
    /// without UIDs or thread ids, so that two indexes of the same Maildir
    /// compare equal. For checks and tests.
    pub fn snapshot(&self) -> Result<Vec<crate::check::SnapshotRow>> {
        self.with_conn(crate::check::snapshot)
    }
}

fn l_size(conn: &Connection, id: i64) -> Result<u64> {
    Ok(
        conn.query_row("SELECT size FROM messages WHERE id = ?1", [id], |r| {
            r.get::<_, i64>(0)
        })? as u64,
    )
}

fn l_vsize(conn: &Connection, id: i64) -> Result<u64> {
    Ok(
        conn.query_row("SELECT vsize FROM messages WHERE id = ?1", [id], |r| {
            r.get::<_, i64>(0)
        })? as u64,
    )
}

/// A message by folder name and UID.
pub type FolderUid = (String, Uid);

#[cfg(test)]
mod tests {
    use super::*;

    /// A header index of `n` messages whose recipients all hold `alex`,
    /// and one message from `qzx`.
    fn headers(n: i64) -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(db::HDR_FTS).unwrap();
        conn.execute_batch("CREATE TABLE folders(total INTEGER NOT NULL);")
            .unwrap();
        conn.execute("INSERT INTO folders(total) VALUES (?1)", [n + 1])
            .unwrap();
        for i in 0..n {
            conn.execute(
                "INSERT INTO hdr_fts(rowid, sender, recipient, subject) VALUES (?1, ?2, ?3, ?4)",
                params![
                    i + 1,
                    format!("sam{i}@example.com"),
                    "alexandra@example.org",
                    "sales"
                ],
            )
            .unwrap();
        }
        conn.execute(
            "INSERT INTO hdr_fts(rowid, sender, recipient, subject) VALUES (?1, 'qzx@example.com', '', '')",
            [n + 1],
        )
        .unwrap();
        conn
    }

    #[test]
    fn a_term_in_most_headers_is_common_and_a_rare_one_is_not() {
        let conn = headers(1_200);
        assert!(trigrams_common(&conn, "alex"));
        assert!(trigrams_common(&conn, "example"));
        assert!(!trigrams_common(&conn, "qzx"));
        assert!(!trigrams_common(&conn, "nowhere"));
        // Quotes and FTS5 syntax in a term are taken as text.
        assert!(!trigrams_common(&conn, "\"al\" OR x"));
        assert!(!trigrams_common(&conn, "a*"));
    }

    #[test]
    fn few_candidates_are_never_common_however_small_the_mailbox() {
        let conn = headers(COMMON_TRIGRAMS_MIN - 2);
        assert!(!trigrams_common(&conn, "alex"));
    }
}
