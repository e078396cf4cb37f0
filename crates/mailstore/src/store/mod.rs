//! The public handle on one user's mail: [`Mailstore`]: opening (and
//! healing) the index, sync and reindex, and the consistency check here;
//! each kind of operation in its own file: [`read`] (pages, search,
//! neighbours, threads, raw), [`folders`], [`transfer`] (deliver, append,
//! move, copy, delete), [`flags`], [`expunge`] (and the retention area).

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
use crate::query::{Query, TermPlan};
use crate::rebuild::{Progress, Reason, Shared, shared_for};
use crate::sync::{self, Ctx, SyncReport, keyword_names};
use crate::{Error, Result, retention};
use model::mail::{FolderRole, SortColumn};

mod expunge;
mod flags;
mod folders;
mod read;
mod transfer;

pub use folders::FolderInfo;
pub use read::{MessageSummary, Page};

/// A message's IMAP UID within its folder (RFC 9051 §2.3.1.1).
pub type Uid = u32;

/// Rebuilds of at most this many messages finish inside [`Mailstore::open`].
const OPEN_WAITS_FOR: u64 = 2000;

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

/// A message by folder name and UID.
pub type FolderUid = (String, Uid);
