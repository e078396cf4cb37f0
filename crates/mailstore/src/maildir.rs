//! The Maildir++ layout, exactly as Dovecot writes it.
//!
//! ```text
//! Maildir/                 INBOX: cur/ new/ tmp/ dovecot-keywords
//! Maildir/.Sent/           a folder: cur/ new/ tmp/ maildirfolder
//! Maildir/.Work.Projects/  "Work/Projects" (hierarchy separator "/" in the API)
//! ```
//!
//! A message file is named `KEY` in `new/` and `KEY:2,INFO` in `cur/`, where
//! `INFO` holds flag letters. The `KEY` is unique and never changes when
//! flags do, so it identifies a message across renames and moves.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::{Error, Result, mutf7};

/// The on-disk name of the Inbox in the API.
pub use model::mail::INBOX;

/// One message file as found in a folder directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    /// The unique base name (before `:2,`).
    pub key: String,
    /// The path relative to the folder directory: `new/KEY` or `cur/KEY:2,INFO`.
    pub file: String,
}

impl Entry {
    /// The flag letters of this file (empty for `new/` files).
    pub fn info(&self) -> &str {
        split_name(self.file.rsplit('/').next().unwrap_or(""))
            .1
            .unwrap_or("")
    }
}

/// Splits a file name into its key and its info (after `:2,`).
pub(crate) fn split_name(name: &str) -> (&str, Option<&str>) {
    match name.find(':') {
        Some(pos) => {
            let rest = &name[pos + 1..];
            (&name[..pos], rest.strip_prefix("2,"))
        }
        None => (name, None),
    }
}

/// The Maildir root of one user.
#[derive(Debug)]
pub(crate) struct Maildir {
    root: PathBuf,
    /// The folder list read when the root had this (settled) mtime: every
    /// folder made or removed changes the root's mtime.
    folders: std::sync::Mutex<Option<(i64, Vec<String>)>>,
}

/// Checks and normalises a folder name from the API.
pub(crate) fn normalize_folder(name: &str) -> Result<String> {
    let name = name.trim_matches('/');
    if name.eq_ignore_ascii_case(INBOX) {
        return Ok(INBOX.to_string());
    }
    let bad = |c: char| c == '.' || c.is_control() || c == '\u{7f}';
    if name.is_empty()
        || name
            .split('/')
            .any(|p| p.is_empty() || p.trim() != p || p.contains(bad))
    {
        return Err(Error::InvalidFolderName(name.to_string()));
    }
    Ok(name.to_string())
}

fn dir_name(folder: &str) -> String {
    let mut s = String::new();
    for part in folder.split('/') {
        s.push('.');
        s.push_str(&mutf7::encode(part));
    }
    s
}

impl Maildir {
    pub fn new(root: PathBuf) -> Maildir {
        Maildir {
            root,
            folders: Default::default(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The directory of a (normalised) folder.
    pub fn folder_dir(&self, folder: &str) -> PathBuf {
        if folder == INBOX {
            self.root.clone()
        } else {
            self.root.join(dir_name(folder))
        }
    }

    /// Creates the root and a folder's `cur/ new/ tmp/` if missing.
    pub fn ensure_folder(&self, folder: &str) -> Result<bool> {
        let dir = self.folder_dir(folder);
        let existed = dir.join("cur").is_dir();
        for sub in ["cur", "new", "tmp"] {
            let p = dir.join(sub);
            fs::create_dir_all(&p).map_err(|e| Error::io("create", &p, e))?;
        }
        if folder != INBOX {
            let marker = dir.join("maildirfolder");
            if !marker.exists() {
                File::create(&marker).map_err(|e| Error::io("create", &marker, e))?;
            }
        }
        if !existed {
            sync_dir(&self.root)?;
        }
        Ok(!existed)
    }

    /// All folders on disk: INBOX first, then the rest sorted. Read again
    /// only when the root's mtime changed (or is too recent to trust: a
    /// change within the same tick would not show).
    pub fn list_folders(&self) -> Result<Vec<String>> {
        let m = mtime_ns(&self.root);
        let settled = crate::sync::settled(m, crate::sync::now_ns());
        let mut cache = self.folders.lock().unwrap_or_else(|e| e.into_inner());
        if settled
            && let Some((at, list)) = &*cache
            && *at == m
        {
            return Ok(list.clone());
        }
        let list = self.read_folders()?;
        *cache = settled.then(|| (m, list.clone()));
        Ok(list)
    }

    fn read_folders(&self) -> Result<Vec<String>> {
        let mut out = vec![INBOX.to_string()];
        let rd = match fs::read_dir(&self.root) {
            Ok(rd) => rd,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(Error::io("read", &self.root, e)),
        };
        let mut names = Vec::new();
        for entry in rd.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let Some(stripped) = name.strip_prefix('.') else {
                continue;
            };
            if stripped.is_empty() || stripped.starts_with('.') || stripped.ends_with('.') {
                continue;
            }
            if !entry.path().join("cur").is_dir() {
                continue;
            }
            let folder: Vec<String> = stripped.split('.').map(mutf7::decode).collect();
            if folder.iter().any(String::is_empty) {
                continue;
            }
            let folder = folder.join("/");
            if folder.eq_ignore_ascii_case(INBOX) {
                continue;
            }
            names.push(folder);
        }
        names.sort();
        out.extend(names);
        Ok(out)
    }

    /// The message files of a folder. A missing directory is an empty folder.
    pub fn scan(&self, folder: &str) -> Result<Vec<Entry>> {
        self.scan_subdirs(folder, &["new", "cur"])
    }

    /// The message files in some of a folder's `new/` and `cur/`.
    pub fn scan_subdirs(&self, folder: &str, subdirs: &[&str]) -> Result<Vec<Entry>> {
        let dir = self.folder_dir(folder);
        let mut out = Vec::new();
        for sub in subdirs {
            let d = dir.join(sub);
            let rd = match fs::read_dir(&d) {
                Ok(rd) => rd,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(Error::io("read", &d, e)),
            };
            for entry in rd {
                let entry = match entry {
                    Ok(e) => e,
                    Err(_) => continue,
                };
                let name = entry.file_name();
                let Some(name) = name.to_str() else { continue };
                if name.starts_with('.') {
                    continue;
                }
                let (key, _) = split_name(name);
                if key.is_empty() {
                    continue;
                }
                out.push(Entry {
                    key: key.to_string(),
                    file: format!("{sub}/{name}"),
                });
            }
        }
        Ok(out)
    }

    /// Modification times (ns since the epoch) of a folder's `new/` and `cur/`.
    pub fn mtimes(&self, folder: &str) -> (i64, i64) {
        let dir = self.folder_dir(folder);
        (mtime_ns(&dir.join("new")), mtime_ns(&dir.join("cur")))
    }

    /// The keyword names of a folder, indexed by letter (`a` = 0).
    pub fn keywords(&self, folder: &str) -> Vec<Option<String>> {
        let mut out = vec![None; 26];
        let path = self.folder_dir(folder).join("dovecot-keywords");
        if let Ok(text) = fs::read_to_string(path) {
            for line in text.lines() {
                let mut it = line.splitn(2, ' ');
                if let (Some(n), Some(name)) = (it.next(), it.next())
                    && let Ok(n) = n.parse::<usize>()
                    && n < 26
                    && !name.is_empty()
                {
                    out[n] = Some(name.to_string());
                }
            }
        }
        out
    }

    /// The letter index of `keyword` in a folder, adding it to
    /// `dovecot-keywords` if it is new.
    pub fn keyword_index(&self, folder: &str, keyword: &str) -> Result<usize> {
        let mut kws = self.keywords(folder);
        if let Some(i) = kws.iter().position(|k| {
            k.as_deref()
                .is_some_and(|k| k.eq_ignore_ascii_case(keyword))
        }) {
            return Ok(i);
        }
        let Some(free) = kws.iter().position(Option::is_none) else {
            return Err(Error::InvalidFlag(keyword.to_string()));
        };
        kws[free] = Some(keyword.to_string());
        let mut text = String::new();
        for (i, k) in kws.iter().enumerate() {
            if let Some(k) = k {
                text.push_str(&format!("{i} {k}\n"));
            }
        }
        let dir = self.folder_dir(folder);
        let tmp = dir.join(format!("dovecot-keywords.{}.tmp", unique_suffix()));
        let dest = dir.join("dovecot-keywords");
        write_durably(&tmp, text.as_bytes(), None)?;
        fs::rename(&tmp, &dest).map_err(|e| Error::io("rename", &dest, e))?;
        Ok(free)
    }

    /// Writes a message into `tmp/`, fsyncs it, renames it into `new/` (or
    /// into `cur/` with `info` flags), and fsyncs that directory. After this
    /// returns the message survives a crash; before, nothing is visible.
    pub fn deliver(
        &self,
        folder: &str,
        bytes: &[u8],
        info: Option<&str>,
        date: Option<SystemTime>,
    ) -> Result<Entry> {
        let dir = self.folder_dir(folder);
        let vsize = bytes.len() + count_bare_lf(bytes);
        let key = format!("{},S={},W={}", new_key_base(), bytes.len(), vsize);
        let tmp = dir.join("tmp").join(&key);
        write_durably(&tmp, bytes, date)?;
        let file = match info {
            Some(info) => format!("cur/{key}:2,{info}"),
            None => format!("new/{key}"),
        };
        let dest = dir.join(&file);
        if let Err(e) = fs::rename(&tmp, &dest) {
            let _ = fs::remove_file(&tmp);
            return Err(Error::io("rename", &dest, e));
        }
        sync_dir(dest.parent().unwrap_or(&dir))?;
        Ok(Entry { key, file })
    }

    /// Removes files left in a folder's `tmp/` by writers that died more
    /// than `max_age` ago (what Dovecot does after 36 hours). Returns how many.
    pub fn clean_tmp(&self, folder: &str, max_age: std::time::Duration) -> usize {
        let dir = self.folder_dir(folder).join("tmp");
        let Ok(rd) = fs::read_dir(&dir) else { return 0 };
        let mut n = 0;
        for e in rd.flatten() {
            let old = e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > max_age);
            if old && fs::remove_file(e.path()).is_ok() {
                n += 1;
            }
        }
        n
    }

    /// A new unique key for a copy of a message with the given sizes.
    pub fn new_key(size: u64, vsize: u64) -> String {
        format!("{},S={size},W={vsize}", new_key_base())
    }
}

/// Writes `bytes` to a new file at `path` and fsyncs it.
pub(crate) fn write_durably(path: &Path, bytes: &[u8], mtime: Option<SystemTime>) -> Result<()> {
    let res = (|| {
        let mut f = File::options().write(true).create_new(true).open(path)?;
        f.write_all(bytes)?;
        if let Some(t) = mtime {
            f.set_modified(t)?;
        }
        f.sync_all()
    })();
    res.map_err(|e| {
        let _ = fs::remove_file(path);
        Error::io("write", path, e)
    })
}

/// Fsyncs a directory so that a rename into it is durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io("fsync", dir, e))
}

pub(crate) fn mtime_ns(path: &Path) -> i64 {
    fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0)
}

/// The number of LF bytes not preceded by CR: what CRLF conversion adds.
pub(crate) fn count_bare_lf(bytes: &[u8]) -> usize {
    let mut n = 0;
    let mut prev = 0u8;
    for &b in bytes {
        if b == b'\n' && prev != b'\r' {
            n += 1;
        }
        prev = b;
    }
    n
}

static SEQ: AtomicU64 = AtomicU64::new(0);

fn unique_suffix() -> String {
    format!(
        "P{}Q{}R{:08x}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed),
        rand::random::<u32>()
    )
}

/// `SECS.MUSECSP<pid>Q<seq>R<rand>.HOST`, Dovecot's unique-name shape.
fn new_key_base() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format!(
        "{}.M{}{}.{}",
        now.as_secs(),
        now.subsec_micros(),
        unique_suffix(),
        hostname()
    )
}

fn hostname() -> &'static str {
    static HOST: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HOST.get_or_init(|| {
        let raw = fs::read_to_string("/proc/sys/kernel/hostname")
            .or_else(|_| fs::read_to_string("/etc/hostname"))
            .unwrap_or_else(|_| "localhost".into());
        // '/' and ':' cannot appear in a Maildir name; ',' starts a field.
        let h: String = raw
            .trim()
            .chars()
            .map(|c| match c {
                '/' => "\\057".to_string(),
                ':' => "\\072".to_string(),
                ',' => "\\054".to_string(),
                c => c.to_string(),
            })
            .collect();
        if h.is_empty() { "localhost".into() } else { h }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_name_table() {
        let cases = [
            ("123.M1P2.host", ("123.M1P2.host", None)),
            (
                "123.M1P2.host,S=10:2,FS",
                ("123.M1P2.host,S=10", Some("FS")),
            ),
            ("123.host:2,", ("123.host", Some(""))),
            ("123.host:1,experimental", ("123.host", None)),
        ];
        for (name, want) in cases {
            assert_eq!(split_name(name), want, "{name}");
        }
    }

    #[test]
    fn folder_names() {
        let ok = [
            ("INBOX", "INBOX"),
            ("inbox", "INBOX"),
            ("Sent", "Sent"),
            ("A/B", "A/B"),
            ("/A/", "A"),
        ];
        for (input, want) in ok {
            assert_eq!(normalize_folder(input).unwrap(), want);
        }
        for bad in ["", "a.b", "a//b", "x\n", " lead"] {
            assert!(normalize_folder(bad).is_err(), "{bad:?}");
        }
        assert_eq!(dir_name("Work/Projects"), ".Work.Projects");
        assert_eq!(dir_name("Entwürfe"), ".Entw&APw-rfe");
    }

    #[test]
    fn bare_lf() {
        assert_eq!(count_bare_lf(b"a\nb\r\nc\n"), 2);
        assert_eq!(count_bare_lf(b""), 0);
    }
}
