//! The stash: a form body posted after its session ended, kept on disk so
//! that nothing typed is lost. It is handed back once, after the next
//! sign-in, and only to the account whose session ended. A stash without a
//! known owner is never handed to anyone: on a shared computer, the next
//! person to sign in must not get what the previous one wrote.
//!
//! Layout, under `<data_dir>/stash/` (0700):
//!
//! ```text
//! <id>/body        the bytes exactly as posted (0600)
//! <id>/meta.json   {"created_at": …, "account_id": … | null, "content_type": "…"}
//! tmp-<id>/        a stash being written; renamed to <id>/ once complete
//! ```
//!
//! A stash is written into `tmp-<id>/`, both files are fsync'd, and the
//! folder is renamed into place, so a reader never sees half of one. The id
//! is 16 random bytes in hex; an id from a browser is used as a path only if
//! it has exactly that shape. Stashes older than [`MAX_AGE_SECS`] are
//! removed by [`Stashes::remove_expired`]; a stash whose files are missing or
//! unreadable is treated as absent and removed, never an error.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use rand::RngCore;
use rand::rngs::OsRng;
use serde::{Deserialize, Serialize};

use accounts::AccountId;

/// A stash could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("stash {}: {source}", path.display())]
pub struct Error {
    /// The file or folder involved.
    pub path: PathBuf,
    /// What the operating system said.
    #[source]
    pub source: io::Error,
}

/// The result of a stash operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How long a stash is kept, in seconds (one day).
pub const MAX_AGE_SECS: i64 = 24 * 60 * 60;

/// Random bytes in a stash id.
const ID_BYTES: usize = 16;

/// Prefix of a stash still being written.
const TMP_PREFIX: &str = "tmp-";

/// The most stashes one account may have at a time; a newer one replaces
/// the oldest.
pub const MAX_PER_ACCOUNT: usize = 2;

/// What is known about a stash besides its body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StashMeta {
    /// When it was stashed, in Unix seconds.
    pub created_at: i64,
    /// The account of the ended session, if the session was still known.
    pub account: Option<AccountId>,
    /// The `Content-Type` the body was posted with (with its boundary).
    pub content_type: String,
}

/// `meta.json` as stored.
#[derive(Serialize, Deserialize)]
struct MetaFile {
    created_at: i64,
    account_id: Option<i64>,
    content_type: String,
}

impl From<&StashMeta> for MetaFile {
    fn from(m: &StashMeta) -> Self {
        MetaFile {
            created_at: m.created_at,
            account_id: m.account.map(|a| a.0),
            content_type: m.content_type.clone(),
        }
    }
}

impl From<MetaFile> for StashMeta {
    fn from(m: MetaFile) -> Self {
        StashMeta {
            created_at: m.created_at,
            account: m.account_id.map(AccountId),
            content_type: m.content_type,
        }
    }
}

/// A stash handed back to its owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stashed {
    /// Its metadata.
    pub meta: StashMeta,
    /// The body exactly as posted.
    pub body: Vec<u8>,
}

/// What a stash id names, for an account that just signed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// A stash this account may have back.
    Restorable,
    /// A stash of another account: it has been deleted.
    Removed,
    /// Nothing (unknown, malformed, expired or unreadable; any leftover has
    /// been deleted).
    Missing,
}

/// The stash folder. Cheap to make; holds no open files.
#[derive(Clone, Debug)]
pub struct Stashes {
    root: PathBuf,
}

impl Stashes {
    /// The stash of a data directory: `<data_dir>/stash/` (created on first
    /// write).
    pub fn new(data_dir: &Path) -> Stashes {
        Stashes {
            root: data_dir.join("stash"),
        }
    }

    /// The folder holding the stashes.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Starts a new stash. Write the body into the returned writer, then
    /// [`StashWriter::commit`] it; dropping it instead leaves nothing behind.
    pub fn begin(&self) -> Result<StashWriter> {
        create_private_dir(&self.root)?;
        let mut bytes = [0u8; ID_BYTES];
        OsRng.fill_bytes(&mut bytes);
        let id = hex::encode(bytes);
        let tmp = self.root.join(format!("{TMP_PREFIX}{id}"));
        create_private_dir(&tmp)?;
        let file = match create_private_file(&tmp.join("body")) {
            Ok(f) => f,
            Err(e) => {
                let _ = fs::remove_dir_all(&tmp);
                return Err(e);
            }
        };
        Ok(StashWriter {
            root: self.root.clone(),
            id,
            tmp,
            file: Some(file),
            written: 0,
        })
    }

    /// The metadata of stash `id`, or `None` if there is no readable stash
    /// by that id. Does not check age or owner.
    pub fn meta(&self, id: &str) -> Result<Option<StashMeta>> {
        let Some(dir) = self.dir(id) else {
            return Ok(None);
        };
        let bytes = match fs::read(dir.join("meta.json")) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(Error {
                    path: dir.join("meta.json"),
                    source,
                });
            }
        };
        match serde_json::from_slice::<MetaFile>(&bytes) {
            Ok(m) => Ok(Some(m.into())),
            Err(e) => {
                tracing::warn!(%id, error = %e, "unreadable stash metadata");
                Ok(None)
            }
        }
    }

    /// Whether `account`, just signed in, may have stash `id` back. A stash
    /// of another account, or of no known account, is deleted; so is
    /// anything expired or unreadable.
    pub fn check(&self, id: &str, account: AccountId, now: i64) -> Result<Check> {
        let Some(dir) = self.dir(id) else {
            return Ok(Check::Missing);
        };
        let meta = match self.meta(id)? {
            Some(m) if now - m.created_at < MAX_AGE_SECS && dir.join("body").is_file() => m,
            _ => {
                remove_dir(&dir)?;
                return Ok(Check::Missing);
            }
        };
        if meta.account != Some(account) {
            remove_dir(&dir)?;
            tracing::info!(%id, "stash of another account removed at sign-in");
            return Ok(Check::Removed);
        }
        Ok(Check::Restorable)
    }

    /// Hands stash `id` back to `account` and deletes it. `None` (and the
    /// stash deleted, if it existed) when it belongs to another account, is
    /// expired or unreadable.
    pub fn take(&self, id: &str, account: AccountId, now: i64) -> Result<Option<Stashed>> {
        if self.check(id, account, now)? != Check::Restorable {
            return Ok(None);
        }
        let Some(dir) = self.dir(id) else {
            return Ok(None);
        };
        let Some(meta) = self.meta(id)? else {
            return Ok(None);
        };
        let body = match fs::read(dir.join("body")) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(Error {
                    path: dir.join("body"),
                    source,
                });
            }
        };
        remove_dir(&dir)?;
        Ok(Some(Stashed { meta, body }))
    }

    /// Deletes stash `id`, if there is one.
    pub fn remove(&self, id: &str) -> Result<()> {
        match self.dir(id) {
            Some(dir) => remove_dir(&dir),
            None => Ok(()),
        }
    }

    /// Deletes stashes older than [`MAX_AGE_SECS`] (by their metadata, or by
    /// the folder's time when that is unreadable) and unfinished ones older
    /// than that too. Returns how many were deleted.
    pub fn remove_expired(&self, now: i64) -> Result<usize> {
        let entries = match fs::read_dir(&self.root) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
            Err(source) => {
                return Err(Error {
                    path: self.root.clone(),
                    source,
                });
            }
        };
        let mut removed = 0;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let path = entry.path();
            if !path.is_dir() {
                continue;
            }
            let created = if let Some(id) = name.strip_prefix(TMP_PREFIX) {
                if !well_formed(id) {
                    continue;
                }
                modified(&path)
            } else if well_formed(name) {
                match self.meta(name) {
                    Ok(Some(m)) => Some(m.created_at),
                    _ => modified(&path),
                }
            } else {
                continue;
            };
            if created.is_none_or(|t| now - t >= MAX_AGE_SECS) {
                remove_dir(&path)?;
                removed += 1;
            }
        }
        if removed > 0 {
            tracing::info!(removed, "expired stashes removed");
        }
        Ok(removed)
    }

    /// Makes room for one more stash of `account`: its oldest stashes are
    /// deleted until fewer than [`MAX_PER_ACCOUNT`] are left. Returns how
    /// many were deleted.
    pub fn make_room_for(&self, account: AccountId) -> Result<usize> {
        let Ok(entries) = fs::read_dir(&self.root) else {
            return Ok(0);
        };
        // Oldest first: by the recorded second, then by when the metadata
        // was written (several stashes can come within one second).
        let mut own: Vec<(i64, Option<std::time::SystemTime>, PathBuf)> = entries
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let meta = self.meta(&name).ok()??;
                let written = fs::metadata(e.path().join("meta.json"))
                    .and_then(|m| m.modified())
                    .ok();
                (meta.account == Some(account)).then(|| (meta.created_at, written, e.path()))
            })
            .collect();
        own.sort();
        let excess = (own.len() + 1).saturating_sub(MAX_PER_ACCOUNT);
        for (_, _, path) in own.iter().take(excess) {
            remove_dir(path)?;
        }
        Ok(excess)
    }

    /// The bytes held by all stashes, finished or not.
    pub fn total_bytes(&self) -> u64 {
        let Ok(entries) = fs::read_dir(&self.root) else {
            return 0;
        };
        entries
            .flatten()
            .filter_map(|e| fs::read_dir(e.path()).ok())
            .flat_map(|files| files.flatten())
            .filter_map(|f| f.metadata().ok())
            .map(|m| m.len())
            .sum()
    }

    /// The folder of a finished stash, if `id` has the shape of one.
    fn dir(&self, id: &str) -> Option<PathBuf> {
        well_formed(id).then(|| self.root.join(id))
    }
}

/// A stash being written. Dropped without [`StashWriter::commit`], it
/// deletes what it wrote.
#[derive(Debug)]
pub struct StashWriter {
    root: PathBuf,
    id: String,
    tmp: PathBuf,
    file: Option<File>,
    written: u64,
}

impl StashWriter {
    /// Appends to the body.
    pub fn write(&mut self, bytes: &[u8]) -> Result<()> {
        let file = self.file.as_mut().ok_or_else(|| Error {
            path: self.tmp.clone(),
            source: io::Error::other("stash already finished"),
        })?;
        file.write_all(bytes).map_err(|source| Error {
            path: self.tmp.join("body"),
            source,
        })?;
        self.written += bytes.len() as u64;
        Ok(())
    }

    /// Bytes written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Makes the stash durable and visible; returns its id.
    pub fn commit(mut self, meta: &StashMeta) -> Result<String> {
        let io_err = |path: &Path| {
            let path = path.to_owned();
            move |source| Error { path, source }
        };
        if let Some(file) = self.file.take() {
            file.sync_all().map_err(io_err(&self.tmp.join("body")))?;
        }
        let meta_path = self.tmp.join("meta.json");
        let json = serde_json::to_vec(&MetaFile::from(meta)).map_err(|e| Error {
            path: meta_path.clone(),
            source: io::Error::other(e),
        })?;
        let mut f = create_private_file(&meta_path)?;
        f.write_all(&json).map_err(io_err(&meta_path))?;
        f.sync_all().map_err(io_err(&meta_path))?;
        sync_dir(&self.tmp)?;
        let dest = self.root.join(&self.id);
        fs::rename(&self.tmp, &dest).map_err(io_err(&dest))?;
        sync_dir(&self.root)?;
        // Renamed: nothing left for `drop` to clean up.
        self.tmp = PathBuf::new();
        Ok(std::mem::take(&mut self.id))
    }
}

impl Drop for StashWriter {
    fn drop(&mut self) {
        self.file.take();
        if !self.tmp.as_os_str().is_empty() {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

/// Whether `id` could have come from [`Stashes::begin`]: exactly 32
/// lower-case hex digits.
pub fn well_formed(id: &str) -> bool {
    id.len() == ID_BYTES * 2
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn remove_dir(path: &Path) -> Result<()> {
    match fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(Error {
            path: path.to_owned(),
            source,
        }),
    }
}

fn modified(path: &Path) -> Option<i64> {
    let t = fs::metadata(path).ok()?.modified().ok()?;
    let secs = t.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    i64::try_from(secs).ok()
}

fn create_private_dir(path: &Path) -> Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path).map_err(|source| Error {
        path: path.to_owned(),
        source,
    })
}

fn create_private_file(path: &Path) -> Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map_err(|source| Error {
        path: path.to_owned(),
        source,
    })
}

fn sync_dir(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        File::open(path)
            .and_then(|d| d.sync_all())
            .map_err(|source| Error {
                path: path.to_owned(),
                source,
            })?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_700_000_000;

    fn stash(s: &Stashes, body: &[u8], account: Option<i64>, at: i64) -> String {
        let mut w = s.begin().unwrap();
        for chunk in body.chunks(7) {
            w.write(chunk).unwrap();
        }
        assert_eq!(w.written(), body.len() as u64);
        w.commit(&StashMeta {
            created_at: at,
            account: account.map(AccountId),
            content_type: "multipart/form-data; boundary=x".into(),
        })
        .unwrap()
    }

    #[test]
    fn stash_round_trip_and_owner_check() {
        let tmp = tempfile::tempdir().unwrap();
        let s = Stashes::new(tmp.path());
        let id = stash(&s, b"hello, typed text", Some(1), T);
        assert!(well_formed(&id));

        // (account asking, expected check) — checks do not consume.
        assert_eq!(
            s.check(&id, AccountId(1), T + 5).unwrap(),
            Check::Restorable
        );
        let got = s.take(&id, AccountId(1), T + 10).unwrap().unwrap();
        assert_eq!(got.body, b"hello, typed text");
        assert_eq!(got.meta.account, Some(AccountId(1)));
        assert_eq!(got.meta.content_type, "multipart/form-data; boundary=x");
        // Taken once only.
        assert_eq!(s.take(&id, AccountId(1), T + 10).unwrap(), None);
        assert!(!s.root().join(&id).exists());

        // Another account: removed, never shown.
        let id = stash(&s, b"secret", Some(1), T);
        assert_eq!(s.check(&id, AccountId(2), T).unwrap(), Check::Removed);
        assert_eq!(s.take(&id, AccountId(1), T).unwrap(), None);

        // No known owner: no one gets it (the next person on a shared
        // computer is not the one who wrote it), and it is deleted.
        let id = stash(&s, b"x", None, T);
        assert_eq!(s.check(&id, AccountId(7), T).unwrap(), Check::Removed);
        assert_eq!(s.take(&id, AccountId(7), T).unwrap(), None);
        assert!(!s.root().join(&id).exists());

        // Expired: gone.
        let id = stash(&s, b"old", Some(1), T);
        assert_eq!(
            s.check(&id, AccountId(1), T + MAX_AGE_SECS).unwrap(),
            Check::Missing
        );
        assert!(!s.root().join(&id).exists());
    }

    #[test]
    fn bad_ids_and_garbage_are_absent() {
        let tmp = tempfile::tempdir().unwrap();
        let s = Stashes::new(tmp.path());
        let id = stash(&s, b"body", None, T);
        for bad in [
            "",
            "..",
            "../directory.sqlite",
            &id.to_uppercase(),
            &id[..31],
            &format!("{id}0"),
            &format!("{TMP_PREFIX}{}", &id[..28]),
        ] {
            assert_eq!(
                s.check(bad, AccountId(1), T).unwrap(),
                Check::Missing,
                "{bad:?}"
            );
            assert_eq!(s.take(bad, AccountId(1), T).unwrap(), None, "{bad:?}");
            s.remove(bad).unwrap();
        }
        assert!(s.root().join(&id).exists());

        // (what is written to meta.json, or None to delete it)
        let cases: &[Option<&[u8]>] = &[
            None,
            Some(b""),
            Some(b"not json"),
            Some(b"{\"created_at\": \"yesterday\"}"),
            Some(&[0xff, 0xfe, 0x00]),
        ];
        for case in cases {
            let id = stash(&s, b"body", None, T);
            let meta = s.root().join(&id).join("meta.json");
            match case {
                None => fs::remove_file(&meta).unwrap(),
                Some(bytes) => fs::write(&meta, bytes).unwrap(),
            }
            assert_eq!(s.meta(&id).unwrap(), None, "{case:?}");
            assert_eq!(s.take(&id, AccountId(1), T).unwrap(), None, "{case:?}");
            assert!(!s.root().join(&id).exists(), "{case:?}");
        }

        // A missing body.
        let id = stash(&s, b"body", None, T);
        fs::remove_file(s.root().join(&id).join("body")).unwrap();
        assert_eq!(s.take(&id, AccountId(1), T).unwrap(), None);

        // No stash folder at all.
        let empty = Stashes::new(&tmp.path().join("nothing"));
        assert_eq!(empty.check(&id, AccountId(1), T).unwrap(), Check::Missing);
        assert_eq!(empty.remove_expired(T).unwrap(), 0);
        assert_eq!(empty.total_bytes(), 0);
    }

    #[test]
    fn an_account_keeps_its_newest_stashes_only() {
        let tmp = tempfile::tempdir().unwrap();
        let s = Stashes::new(tmp.path());
        assert_eq!(s.make_room_for(AccountId(1)).unwrap(), 0);
        let oldest = stash(&s, b"1", Some(1), T);
        let other = stash(&s, b"other", Some(2), T - 100);
        let middle = stash(&s, b"2", Some(1), T + 1);
        // One more of account 1 may come: the oldest of its two goes.
        assert_eq!(s.make_room_for(AccountId(1)).unwrap(), 1);
        let newest = stash(&s, b"3", Some(1), T + 2);
        assert!(!s.root().join(&oldest).exists());
        for kept in [&other, &middle, &newest] {
            assert!(s.root().join(kept).exists());
        }
        assert_eq!(s.make_room_for(AccountId(3)).unwrap(), 0);
    }

    #[test]
    fn unfinished_stashes_leave_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let s = Stashes::new(tmp.path());
        let mut w = s.begin().unwrap();
        w.write(b"half of it").unwrap();
        assert_eq!(s.total_bytes(), 10);
        drop(w);
        assert_eq!(fs::read_dir(s.root()).unwrap().count(), 0);
    }

    #[test]
    fn expired_stashes_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let s = Stashes::new(tmp.path());
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let fresh = stash(&s, b"fresh", None, now - 60);
        let old = stash(&s, b"old", None, now - MAX_AGE_SECS - 1);
        let garbled = stash(&s, b"garbled", None, now);
        fs::write(s.root().join(&garbled).join("meta.json"), "{").unwrap();
        fs::create_dir(s.root().join("unrelated")).unwrap();
        assert_eq!(s.remove_expired(now).unwrap(), 1);
        assert!(s.root().join(&fresh).exists());
        assert!(!s.root().join(&old).exists());
        // Unreadable metadata: aged by the folder's time, so kept for now.
        assert!(s.root().join(&garbled).exists());
        assert!(s.root().join("unrelated").exists());
        assert_eq!(s.remove_expired(now + MAX_AGE_SECS + 5).unwrap(), 2);
        assert!(s.root().join("unrelated").exists());
    }

    #[cfg(unix)]
    #[test]
    fn files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let s = Stashes::new(tmp.path());
        let id = stash(&s, b"body", None, T);
        let mode = |p: PathBuf| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(s.root().to_owned()), 0o700);
        assert_eq!(mode(s.root().join(&id)), 0o700);
        assert_eq!(mode(s.root().join(&id).join("body")), 0o600);
        assert_eq!(mode(s.root().join(&id).join("meta.json")), 0o600);
    }
}
