//! The index rebuild job, and the per-user shared state that serialises
//! access to the index.
//!
//! A rebuild writes a complete new index next to the old one
//! (`index.sqlite.new`) and renames it into place when done, so a crash
//! mid-way leaves nothing half-built where the next open would trust it. It
//! runs on its own thread holding its own reference to the user's state: the
//! caller that started it may go away, the job still finishes and commits.
//! One runs per user in a process (the shared state holds it) and across
//! processes (an exclusive lock on `index.sqlite.lock`).

use std::collections::{HashMap, VecDeque};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, Weak};
use std::time::Duration;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::db;
use crate::maildir::Maildir;
use crate::sync::{self, Ctx};
use crate::{Error, Result};

/// How far a rebuild has come.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Messages indexed so far.
    pub done: u64,
    /// Messages to index; 0 while the Maildir is still being listed.
    pub total: u64,
}

#[derive(Debug, Default)]
pub(crate) struct ProgressCounter {
    pub done: AtomicU64,
    pub total: AtomicU64,
    pub listed: AtomicBool,
}

impl ProgressCounter {
    pub fn snapshot(&self) -> Progress {
        Progress {
            done: self.done.load(Ordering::Relaxed),
            total: self.total.load(Ordering::Relaxed),
        }
    }
}

pub(crate) struct State {
    pub conn: Option<Connection>,
    /// (device, inode) of the index file `conn` has open: if the file is
    /// deleted or replaced behind our back, the connection is dropped.
    pub conn_file: Option<(u64, u64)>,
    pub rebuild: Option<Arc<ProgressCounter>>,
    pub last_error: Option<String>,
    /// An integrity check of the open index runs in the background.
    pub verifying: bool,
}

/// Everything one user's handles share in this process.
pub(crate) struct Shared {
    pub user_dir: PathBuf,
    pub index_path: PathBuf,
    pub maildir: Maildir,
    pub state: Mutex<State>,
    pub changed: Condvar,
    pub opened: AtomicU64,
    /// Set once the Maildir's special folders exist. The first open creates
    /// them holding this lock, so no other open of the same user reads the
    /// Maildir (or starts a rebuild from it) while it is half made.
    pub initialised: Mutex<bool>,
    /// How many messages have each trigram in the sender table, as last
    /// counted: an estimate for choosing the rarest trigrams of a search
    /// term (counting a common one means reading its whole list, so it is
    /// done once, not per search). Only speed depends on it.
    pub trigram_docs: Mutex<HashMap<String, i64>>,
}

static REGISTRY: OnceLock<Mutex<HashMap<PathBuf, Weak<Shared>>>> = OnceLock::new();

/// The users' states kept open after their last handle is dropped, most
/// recently opened first, and how many may be.
static KEPT: Mutex<(usize, VecDeque<Arc<Shared>>)> = Mutex::new((0, VecDeque::new()));

/// Keeps the `n` most recently opened users' stores open (their index
/// connection and its cache) after their last handle is dropped, so a
/// server does not reopen and re-check an index on every request. 0 (the
/// default) closes a store with its last handle.
pub fn keep_open(n: usize) {
    let mut kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
    kept.0 = n;
    kept.1.truncate(n);
}

fn keep(shared: &Arc<Shared>) {
    let mut kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
    let (n, list) = &mut *kept;
    if *n == 0 {
        return;
    }
    if list.front().is_some_and(|s| Arc::ptr_eq(s, shared)) {
        return;
    }
    if let Some(i) = list.iter().position(|s| Arc::ptr_eq(s, shared)) {
        list.remove(i);
    }
    list.push_front(shared.clone());
    // The evicted state closes here unless a handle still uses it.
    list.truncate(*n);
}

/// The shared state for a user directory, created if no handle is alive.
pub(crate) fn shared_for(user_dir: &Path) -> Arc<Shared> {
    let shared = registered(user_dir);
    keep(&shared);
    shared
}

fn registered(user_dir: &Path) -> Arc<Shared> {
    let mut reg = REGISTRY
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(s) = reg.get(user_dir).and_then(Weak::upgrade) {
        return s;
    }
    reg.retain(|_, w| w.strong_count() > 0);
    let shared = Arc::new(Shared {
        user_dir: user_dir.to_path_buf(),
        index_path: user_dir.join("index.sqlite"),
        maildir: Maildir::new(user_dir.join("Maildir")),
        state: Mutex::new(State {
            conn: None,
            conn_file: None,
            rebuild: None,
            last_error: None,
            verifying: false,
        }),
        changed: Condvar::new(),
        opened: AtomicU64::new(0),
        initialised: Mutex::new(false),
        trigram_docs: Mutex::new(HashMap::new()),
    });
    reg.insert(user_dir.to_path_buf(), Arc::downgrade(&shared));
    shared
}

/// The (device, inode) of a file.
pub(crate) fn file_id(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// Why a rebuild starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reason {
    /// The index is missing, damaged or outdated: set it aside first.
    Heal,
    /// Asked for (`webmail reindex`): the old index serves until the new one
    /// is ready.
    Forced,
}

impl Shared {
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Moves a damaged index aside (`index.sqlite.broken`) for inspection.
    pub fn move_aside(&self) {
        for suffix in ["", "-wal", "-shm"] {
            let from = PathBuf::from(format!("{}{suffix}", self.index_path.display()));
            if from.exists() {
                let to = PathBuf::from(format!("{}.broken{suffix}", self.index_path.display()));
                if fs::rename(&from, &to).is_err() {
                    let _ = fs::remove_file(&from);
                }
            }
        }
    }

    /// Starts a rebuild unless one is running; returns its progress.
    pub fn start_rebuild(self: &Arc<Self>, reason: Reason) -> Arc<ProgressCounter> {
        self.start_rebuild_locked(self.lock(), reason)
    }

    /// [`Shared::start_rebuild`], for a caller that holds the state lock
    /// since it decided a rebuild is needed: nothing can have changed in
    /// between (a healing rebuild started on a stale decision would move a
    /// good index aside).
    pub fn start_rebuild_locked(
        self: &Arc<Self>,
        mut st: MutexGuard<'_, State>,
        reason: Reason,
    ) -> Arc<ProgressCounter> {
        if let Some(p) = &st.rebuild {
            return p.clone();
        }
        let progress = Arc::new(ProgressCounter::default());
        st.rebuild = Some(progress.clone());
        if reason == Reason::Heal {
            st.conn = None;
            self.move_aside();
        }
        drop(st);
        let me = self.clone();
        let p = progress.clone();
        let spawned = std::thread::Builder::new()
            .name("mailstore-rebuild".into())
            .spawn(move || me.run_rebuild(&p, reason));
        if let Err(e) = spawned {
            let mut st = self.lock();
            st.rebuild = None;
            st.last_error = Some(format!("cannot start rebuild: {e}"));
            self.changed.notify_all();
        }
        progress
    }

    fn run_rebuild(self: &Arc<Self>, progress: &ProgressCounter, reason: Reason) {
        let result = self.build(progress, reason);
        let mut st = self.lock();
        st.rebuild = None;
        match result {
            Ok(conn) => {
                st.conn = Some(conn);
                st.conn_file = file_id(&self.index_path);
                st.last_error = None;
                tracing::info!(user_dir = %self.user_dir.display(), "index rebuilt");
            }
            Err(e) => {
                tracing::error!(user_dir = %self.user_dir.display(), error = %e, "index rebuild failed");
                st.last_error = Some(e.to_string());
            }
        }
        self.changed.notify_all();
    }

    fn build(&self, progress: &ProgressCounter, reason: Reason) -> Result<Connection> {
        let lock_path = PathBuf::from(format!("{}.lock", self.index_path.display()));
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| Error::io("open", &lock_path, e))?;
        lock.lock().map_err(|e| Error::io("lock", &lock_path, e))?;
        if reason == Reason::Heal && self.index_path.exists() {
            // Another process may have rebuilt it while we waited for the lock.
            if let Ok(conn) = db::connect(&self.index_path)
                && db::validate(&conn, true).is_none()
            {
                return Ok(conn);
            }
            self.move_aside();
        }
        let new_path = PathBuf::from(format!("{}.new", self.index_path.display()));
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let _ = fs::remove_file(format!("{}{suffix}", new_path.display()));
        }
        let sides;
        {
            let conn = db::connect(&new_path)?;
            // The file is thrown away if anything fails: no journal needed.
            conn.pragma_update(None, "journal_mode", "OFF")?;
            conn.pragma_update(None, "synchronous", "OFF")?;
            conn.pragma_update(None, "cache_size", -32000)?;
            db::create(&conn, true)?;
            // The full-text tables are left untouched on this connection:
            // they are replaced by the side databases' copies below.
            let writers = sync::Sides::start(&new_path)?;
            let ctx = Ctx {
                conn: &conn,
                maildir: &self.maildir,
                opened: &self.opened,
                progress: Some(progress),
                bulk: Some(&writers),
            };
            progress.listed.store(false, Ordering::Relaxed);
            let started = std::time::Instant::now();
            let report = sync::sync(&ctx)?;
            let loaded = started.elapsed();
            for folder in self.maildir.list_folders()? {
                self.maildir
                    .clean_tmp(&folder, Duration::from_secs(36 * 3600));
            }
            db::create_indexes(&conn)?;
            let indexed = started.elapsed();
            crate::thread::assign_all(&conn)?;
            let threaded = started.elapsed();
            // Meanwhile the writers merged their tables.
            sides = writers.finish()?;
            tracing::info!(
                messages = report.added,
                load_ms = loaded.as_millis() as u64,
                indexes_ms = (indexed - loaded).as_millis() as u64,
                threads_ms = (threaded - indexed).as_millis() as u64,
                full_text_wait_ms = (started.elapsed() - threaded).as_millis() as u64,
                "index built"
            );
            conn.close().map_err(|(_, e)| e)?;
        }
        {
            let conn = db::connect(&new_path)?;
            conn.pragma_update(None, "journal_mode", "OFF")?;
            for (table, side) in &sides {
                db::adopt_side(&conn, side, table)?;
                let _ = fs::remove_file(side);
            }
            db::set_fts_hash_size(
                &conn,
                &["body_fts", "hdr_fts", "from_fts"],
                db::DEFAULT_FTS_HASH,
            )?;
            crate::retention::rescan(&conn, &self.user_dir, &self.opened)?;
            db::mark_complete(&conn)?;
            conn.pragma_update(None, "synchronous", "FULL")?;
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "wal_checkpoint", "TRUNCATE")?;
            conn.close().map_err(|(_, e)| e)?;
        }
        // Swap under the state lock: the old connection (if any) is closed
        // before the new file takes its name, so no stale WAL survives.
        let mut st = self.lock();
        st.conn = None;
        for suffix in ["-wal", "-shm"] {
            let _ = fs::remove_file(format!("{}{suffix}", self.index_path.display()));
        }
        fs::rename(&new_path, &self.index_path)
            .map_err(|e| Error::io("rename", &self.index_path, e))?;
        if let Some(dir) = self.index_path.parent() {
            crate::maildir::sync_dir(dir)?;
        }
        drop(st);
        let conn = db::connect(&self.index_path)?;
        // Catch what changed while building.
        let ctx = Ctx {
            conn: &conn,
            maildir: &self.maildir,
            opened: &self.opened,
            progress: None,
            bulk: None,
        };
        sync::sync(&ctx)?;
        drop(lock);
        Ok(conn)
    }

    /// Checks the integrity of the open index on another thread (a full
    /// check reads the whole file, seconds at 100,000 messages, so it must
    /// not delay the first page). Damage found starts a healing rebuild;
    /// damage met by a query before then heals the same way.
    pub fn verify_in_background(self: &Arc<Self>) {
        // Once per index file per process: handles opened per request must
        // not re-read the whole file every time.
        static VERIFIED: OnceLock<Mutex<std::collections::HashSet<(PathBuf, u64, u64)>>> =
            OnceLock::new();
        let verified = VERIFIED.get_or_init(Default::default);
        let Some((dev, ino)) = file_id(&self.index_path) else {
            return;
        };
        let id = (self.index_path.clone(), dev, ino);
        if verified
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&id)
        {
            return;
        }
        {
            let mut st = self.lock();
            if st.verifying {
                // Already waiting for its turn.
                return;
            }
            st.verifying = true;
        }
        // A weak reference: checking must not keep a closed store alive. If
        // every handle is gone, the next open checks again.
        let me = Arc::downgrade(self);
        let path = self.index_path.clone();
        let queued = queue_check(Box::new(move || {
            if me.strong_count() == 0 {
                return;
            }
            let problem = match db::connect(&path) {
                Ok(conn) => db::validate(&conn, true),
                Err(e) => Some(e.to_string()),
            };
            if problem.is_none() {
                verified
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(id);
            }
            let Some(me) = me.upgrade() else { return };
            let mut st = me.lock();
            st.verifying = false;
            // Heal only the file that was checked: if a rebuild has
            // replaced it meanwhile, the new one is not damaged.
            if let Some(reason) = problem
                && st.rebuild.is_none()
                && file_id(&me.index_path) == Some((dev, ino))
            {
                tracing::warn!(user_dir = %me.user_dir.display(), %reason, "mail index damaged; rebuilding");
                me.start_rebuild_locked(st, Reason::Heal);
            } else {
                drop(st);
            }
            me.changed.notify_all();
        }));
        if !queued {
            self.lock().verifying = false;
        }
    }

    /// Waits until no rebuild runs, or until `timeout`. True when ready.
    pub fn wait(&self, timeout: Option<Duration>) -> bool {
        self.wait_for(timeout, true)
    }

    /// Like [`Shared::wait`]; `verified` also waits for the background
    /// check of the index.
    pub fn wait_for(&self, timeout: Option<Duration>, verified: bool) -> bool {
        let deadline = timeout.map(|t| std::time::Instant::now() + t);
        let mut st = self.lock();
        while st.rebuild.is_some() || (verified && st.verifying) {
            let wait = match deadline {
                Some(d) => {
                    let now = std::time::Instant::now();
                    if now >= d {
                        return false;
                    }
                    d - now
                }
                None => Duration::from_secs(1),
            };
            st = self
                .changed
                .wait_timeout(st, wait)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        true
    }
}

/// A background check of one index.
type Check = Box<dyn FnOnce() + Send>;

/// Runs `check` on the one thread that checks indexes, in turn: after a
/// restart every user's first request asks for a check, and each reads a
/// whole index, so they must not all run at once. False when the thread
/// cannot be started.
fn queue_check(check: Check) -> bool {
    static QUEUE: Mutex<Option<std::sync::mpsc::Sender<Check>>> = Mutex::new(None);
    let mut queue = QUEUE.lock().unwrap_or_else(|e| e.into_inner());
    let check = match &*queue {
        Some(tx) => match tx.send(check) {
            Ok(()) => return true,
            // The thread ended (a check panicked): start another.
            Err(e) => e.0,
        },
        None => check,
    };
    let (tx, rx) = std::sync::mpsc::channel::<Check>();
    let spawned = std::thread::Builder::new()
        .name("mailstore-verify".into())
        .spawn(move || {
            for check in rx {
                check();
            }
        });
    if spawned.is_err() {
        return false;
    }
    let sent = tx.send(check).is_ok();
    *queue = Some(tx);
    sent
}
