//! The one error type of user data.

use std::path::PathBuf;

/// What went wrong with a user's data.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database could not be read or written.
    #[error("user data: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The user's directory could not be created.
    #[error("cannot create {}: {source}", path.display())]
    Io {
        /// The directory.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The file was written by a newer version of this program.
    #[error(
        "user.sqlite has schema version {found}, but this program only knows up to {supported}: upgrade webmail"
    )]
    SchemaTooNew {
        /// The version found in the file.
        found: i64,
        /// The newest version this build understands.
        supported: i64,
    },
    /// A preference key or value over its limit (nothing was stored).
    #[error("the preference {what} is longer than {max} characters")]
    TooLong {
        /// `key` or `value`.
        what: &'static str,
        /// The limit.
        max: usize,
    },
    /// A sender-list entry that is neither an address nor `@domain`.
    #[error("{address:?} cannot be a sender entry: {reason}")]
    InvalidEntry {
        /// The entry as given.
        address: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

/// The result of a user-data operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;
