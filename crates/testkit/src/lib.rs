//! Test helpers shared by the domain crates: a deterministic generator of
//! realistic Maildirs, temporary user directories, golden-file asserts and a
//! real SMTP server to send to ([`smtp`]).
//!
//! The generator is seeded: the same seed and count always give the same
//! bytes, file names and statistics, so benchmarks and search assertions can
//! rely on exact counts ("planted" words with known frequencies).

#![deny(missing_docs)]

mod encode;
pub mod generator;
pub mod golden;
pub mod smtp;

pub use generator::{
    Corpus, CorpusStats, Generator, PLANTED_BODY_WORDS, PLANTED_SENDER, PLANTED_SUBJECT,
};

/// A temporary user directory (`Maildir/` and `index.sqlite` go inside),
/// removed when dropped.
pub struct TempUser {
    dir: tempfile::TempDir,
}

impl TempUser {
    /// A new empty user directory.
    pub fn new() -> TempUser {
        TempUser {
            dir: tempfile::Builder::new()
                .prefix("mailstore-test")
                .tempdir()
                .expect("create temp dir"),
        }
    }

    /// Its path.
    pub fn path(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// Its Maildir path.
    pub fn maildir(&self) -> std::path::PathBuf {
        self.dir.path().join("Maildir")
    }
}

impl Default for TempUser {
    fn default() -> Self {
        TempUser::new()
    }
}
