//! The crate's one error type.

use std::path::PathBuf;

use crate::address::AddressProblem;

/// Everything that can go wrong in this crate.
///
/// Failures to deliver are not errors: they are reported as data by
/// [`crate::relay`] and [`crate::worker`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An address the user typed is not valid; `reason` says why, in words
    /// that can be shown as they are.
    #[error("“{input}” is not a valid address: {reason}")]
    BadAddress {
        /// The offending item, as typed (trimmed).
        input: String,
        /// What is wrong with it.
        reason: AddressProblem,
    },
    /// A message has no recipient at all (To, Cc and Bcc are all empty).
    #[error("add at least one recipient")]
    NoRecipients,
    /// The original message could not be read as mail (empty or not a
    /// message at all).
    #[error("the original message could not be read")]
    Unreadable,
    /// A file or directory of the queue could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Queue metadata could not be written.
    #[error("queue metadata: {0}")]
    Metadata(#[from] serde_json::Error),
    /// The relay configuration cannot work (e.g. an unusable TLS host name).
    #[error("relay configuration: {0}")]
    RelayConfig(String),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }
}

/// This crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
