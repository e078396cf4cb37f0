//! Connections kept open for reuse: opening `user.sqlite` (the file, its
//! WAL and shared memory, the schema check) and closing it (a checkpoint)
//! cost more than the few reads a request makes, so a handle gives its
//! connection back when dropped and the next open of the same file takes
//! it. At most [`MAX_IDLE`] wait, the least recently used closing first.
//!
//! A kept connection is reused only for the same file: its path and its
//! device and inode, checked on every take, so a file that was replaced
//! (a restore, a user moved back) or removed is opened afresh, never
//! written through a connection to the old one.

use rusqlite::Connection;
use std::collections::VecDeque;
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Idle connections kept at most.
pub const MAX_IDLE: usize = 64;

/// Which file a connection is to.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Key {
    path: PathBuf,
    dev: u64,
    ino: u64,
}

impl Key {
    fn of(path: &Path) -> Option<Key> {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(path).ok()?;
        Some(Key {
            path: path.to_owned(),
            dev: m.dev(),
            ino: m.ino(),
        })
    }
}

/// Most recently returned first.
static IDLE: Mutex<VecDeque<(Key, Connection)>> = Mutex::new(VecDeque::new());

/// A connection that goes back to the pool when dropped.
pub(crate) struct Pooled {
    conn: Option<Connection>,
    key: Option<Key>,
}

impl Pooled {
    /// A kept connection to the file at `path`, if one is idle.
    pub fn take(path: &Path) -> Option<Pooled> {
        let key = Key::of(path)?;
        let mut idle = IDLE.lock().unwrap_or_else(|e| e.into_inner());
        let i = idle.iter().position(|(k, _)| *k == key)?;
        let (key, conn) = idle.remove(i)?;
        Some(Pooled {
            conn: Some(conn),
            key: Some(key),
        })
    }

    /// A connection just opened to the file at `path`.
    pub fn new(conn: Connection, path: &Path) -> Pooled {
        Pooled {
            conn: Some(conn),
            key: Key::of(path),
        }
    }
}

impl Deref for Pooled {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn.as_ref().expect("present until dropped")
    }
}

impl DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut Connection {
        self.conn.as_mut().expect("present until dropped")
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        let (Some(conn), Some(key)) = (self.conn.take(), self.key.take()) else {
            return;
        };
        // Only a connection at rest is kept.
        if !conn.is_autocommit() {
            return;
        }
        let evicted = {
            let mut idle = IDLE.lock().unwrap_or_else(|e| e.into_inner());
            idle.push_front((key, conn));
            if idle.len() > MAX_IDLE {
                idle.pop_back()
            } else {
                None
            }
        };
        // Closed outside the lock: closing checkpoints the WAL.
        drop(evicted);
    }
}
