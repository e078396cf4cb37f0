//! The crate's one error type.

use std::io;
use std::path::PathBuf;

use crate::rebuild::Progress;

/// Everything that can go wrong in the mail store.
///
/// Callers that need to tell a sender "try again later" (a local delivery
/// agent exiting with `EX_TEMPFAIL`, 75) should use [`Error::is_temporary`]:
/// I/O and database problems are temporary, invalid input is not.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file system operation failed. Temporary: disks fill up and recover.
    #[error("{op} {path}: {source}")]
    Io {
        /// What was being done (`"create"`, `"rename"`, …).
        op: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The index database failed in a way that healing could not absorb.
    /// Temporary: the next open rebuilds it.
    #[error("index: {0}")]
    Index(#[from] rusqlite::Error),
    /// The index is being rebuilt from the Maildir; the operation needs it.
    /// Show the progress and try again. Temporary.
    #[error("the mail index is being rebuilt ({} of {} messages)", .0.done, .0.total)]
    Rebuilding(Progress),
    /// Rebuilding the index from the Maildir failed (the cause is logged);
    /// the next call tries again. Temporary.
    #[error("the mail index could not be rebuilt: {0}")]
    RebuildFailed(String),
    /// The folder does not exist.
    #[error("no such folder: {0}")]
    NoSuchFolder(String),
    /// The folder name cannot be used (empty part, `.` or control characters).
    #[error("invalid folder name {0:?}")]
    InvalidFolderName(String),
    /// A folder with that name already exists.
    #[error("folder already exists: {0}")]
    FolderExists(String),
    /// Special folders (Inbox, Drafts, Sent, Junk, Trash, Archive) cannot be
    /// renamed or deleted.
    #[error("{0} is a special folder and cannot be renamed or deleted")]
    SpecialFolder(String),
    /// A flag or keyword that IMAP does not allow, or more than the 26
    /// keywords a Maildir folder can hold.
    #[error("invalid flag or keyword {0:?}")]
    InvalidFlag(String),
    /// The search box text could not be understood.
    #[error("invalid search: {0}")]
    InvalidQuery(String),
}

impl Error {
    /// Whether retrying later may succeed (sysexits `EX_TEMPFAIL`).
    pub fn is_temporary(&self) -> bool {
        matches!(
            self,
            Error::Io { .. } | Error::Index(_) | Error::Rebuilding(_) | Error::RebuildFailed(_)
        )
    }

    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        Error::Io {
            op,
            path: path.into(),
            source,
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
