//! One user's mail: a Maildir++ directory that is the source of truth, and
//! a SQLite index that is only a cache of it.
//!
//! # Why the index is a cache
//!
//! Mail lives in `USER/Maildir/`, laid out exactly as Dovecot lays it out
//! (`cur/ new/ tmp/`, `.Folder` and `.Parent.Child` directories, flags in
//! `:2,FRS` file names, keywords in `dovecot-keywords`), so Dovecot, an MTA
//! and this crate can all work on it at once, with renames as the only lock.
//! `USER/index.sqlite` holds everything derived from it — envelopes, sizes,
//! snippets, thread ids, attachment flags, full-text rows, UIDs — computed
//! once per message and never again: listing and searching open no message
//! files ([`Mailstore::files_opened`] counts the ones that are opened).
//!
//! Because everything in the index can be derived again, deleting it is
//! always safe. On open the index's schema version is checked at once and
//! its integrity in the background (a full check reads the whole file); a
//! missing, damaged, truncated or outdated index — or one a query finds
//! damaged — is moved aside and rebuilt by a job that runs on its own thread
//! until it has committed, whether or not whoever triggered it is still
//! waiting, one per user, with its progress exposed
//! ([`Mailstore::rebuild_progress`]). A rebuild loads messages first and
//! builds the secondary indexes and threads afterwards, writing the header
//! full-text index on a second thread, and renames the finished file into
//! place, so a crash mid-way leaves nothing half-built. UIDs are kept in
//! the index: they are stable while it lives, and a rebuild gives every
//! folder a new UIDVALIDITY, as IMAP requires when UIDs change.
//!
//! # Delivery protocol
//!
//! A message is written into `tmp/`, fsynced, renamed into `new/` (or into
//! `cur/` with flags, for appends), and the directory is fsynced; only then
//! is it indexed. A crash at any point leaves either no message or a whole
//! one, never two: the index catches up on the next sync.
//!
//! # Sync
//!
//! Other programs change the Maildir behind our back. Before answering, the
//! store compares each folder's directory mtimes with those it recorded and
//! re-lists only changed folders, comparing file names; only new keys are
//! parsed. A file that vanished was moved by someone else: that is a resync,
//! never an error.
//!
//! # Search
//!
//! [`Query`] is parsed here from the user's search box. Sender, recipient,
//! subject and header terms are substring matches over decoded text (an FTS5
//! trigram index); body terms use an FTS5 word index over decoded text parts.
//! Sorting and paging always happen in SQL, on indexed columns.

#![deny(missing_docs)]

mod check;
mod db;
mod error;
mod flags;
mod maildir;
mod mutf7;
mod parse;
mod query;
mod rebuild;
mod retention;
mod store;
mod sync;
mod thread;

pub use check::{Difference, SnapshotRow};
pub use error::{Error, Result};
pub use flags::{FORWARDED, Flag, FlagSet, JUNK, MDN_SENT};
pub use maildir::INBOX;
/// The vocabulary shared with the wire (`model`): sort columns, search
/// scopes and special folders are one type from the store to the browser.
pub use model::mail::{FolderRole, SearchScope, SortColumn};
pub use query::Query;
pub use rebuild::{Progress, keep_open};
pub use retention::{RetainedMessage, has_retained};
pub use store::{Delivery, FolderInfo, Mailstore, MessageSummary, Page, Uid, deliver};
pub use sync::SyncReport;

#[cfg(test)]
mod tests {
    #[test]
    fn handles_can_be_shared_across_threads() {
        fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
        assert_send_sync::<crate::Mailstore>();
    }
}

#[cfg(test)]
mod waiting {
    use std::time::Duration;

    #[test]
    fn a_delivery_waits_for_a_rebuild_but_not_for_the_background_check() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::Mailstore::open(dir.path()).unwrap();
        assert!(store.wait_ready(Some(Duration::from_secs(10))));
        store.shared.lock().verifying = true;
        let short = Some(Duration::from_millis(20));
        assert!(store.wait_rebuilt(short));
        assert!(!store.wait_ready(short));
        store.shared.lock().verifying = false;
        assert!(store.wait_ready(short));
    }

    #[test]
    fn stores_kept_open_outlive_their_handles() {
        let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
        crate::keep_open(2);
        let weak: Vec<_> = dirs
            .iter()
            .map(|d| {
                let s = crate::Mailstore::open(d.path()).unwrap();
                // The background check holds the store for a moment once
                // it is done: let it finish first.
                assert!(s.wait_ready(Some(Duration::from_secs(10))));
                std::sync::Arc::downgrade(&s.shared)
            })
            .collect();
        // The two most recent stay open; the first was evicted and closed.
        assert_eq!(
            weak.iter()
                .map(|w| w.strong_count() > 0)
                .collect::<Vec<_>>(),
            [false, true, true]
        );
        crate::keep_open(0);
        // (A check thread may still be letting go of its handle.)
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while weak.iter().any(|w| w.strong_count() > 0) && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(weak.iter().all(|w| w.strong_count() == 0));
    }
}
