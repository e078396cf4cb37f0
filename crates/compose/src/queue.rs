//! The durable outbound queue: one directory (`data/spool/`), two files per
//! message.
//!
//! ```text
//! spool/<id>.eml    the message, exactly as it will be sent (never changed)
//! spool/<id>.json   its metadata: account, envelope, attempts, schedule
//! spool/tmp/        files being written
//! spool/corrupt/    files that could not be understood, kept for a human
//! spool/bounces/    bounces not yet filed in their sender's Inbox
//! ```
//!
//! # Durability
//!
//! [`Queue::enqueue`] writes each file under `tmp/`, fsyncs it, renames it
//! into place and fsyncs the directory — the message first, the metadata
//! last — before it returns; only then may the UI say "sent". The metadata
//! rename is the commit point: an entry exists exactly when its `.json`
//! does. Metadata updates are written the same way, so a `.json` is always
//! whole, and one that cannot be parsed is genuinely corrupt: it is moved
//! to `corrupt/` and reported, never a panic. A finished entry loses its
//! `.eml` first and its `.json` last.
//!
//! After a crash, [`Queue::recover`] removes stale `tmp/` files, removes a
//! `.json` whose `.eml` is gone (a completion that was interrupted) and
//! moves a `.eml` without `.json` (an enqueue that never returned) to
//! `corrupt/`. Delivery is at-least-once: a crash between the relay's
//! acceptance and [`Queue::complete`] sends the same bytes, with the same
//! Message-ID, again.
//!
//! A bounce is staged in `bounces/` (one file: the account on the first
//! line, then the message; written the same way) *before* its entry is
//! finished, and removed only once it is filed ([`Queue::bounce_filed`]);
//! so a crash in between files it again rather than losing it.
//!
//! # Claims
//!
//! [`Queue::claim_due`] marks entries as taken within this process (all
//! clones of a [`Queue`] share the marks), so two workers never send the
//! same entry at once; a claim is released when dropped. One process owns
//! a spool directory.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use model::compose::OutboxEntry;
use serde::{Deserialize, Serialize};

use crate::{Error, Result, encode};

/// How long the queue keeps retrying a message: five days after it was
/// queued, it is returned to the sender.
pub const MAX_AGE_SECS: i64 = 5 * 24 * 3600;

/// Delays after the 1st, 2nd … failed attempt, in seconds; every 4 hours
/// after that.
const BACKOFF: [i64; 6] = [60, 5 * 60, 15 * 60, 30 * 60, 3600, 2 * 3600];
const BACKOFF_LATER: i64 = 4 * 3600;

/// The delay after `attempts` failed attempts (1 → 1 min, 2 → 5 min, 3 →
/// 15 min, 4 → 30 min, 5 → 1 h, 6 → 2 h, then 4 h).
pub fn backoff(attempts: u32) -> i64 {
    let i = attempts.max(1) as usize - 1;
    BACKOFF.get(i).copied().unwrap_or(BACKOFF_LATER)
}

/// When to try next after a temporary failure, or `None` when the message
/// is too old and should be returned to its sender. The last attempt is
/// made at the deadline itself.
pub fn next_attempt(created: i64, attempts: u32, now: i64) -> Option<i64> {
    let deadline = created.saturating_add(MAX_AGE_SECS);
    if now >= deadline {
        None
    } else {
        Some(now.saturating_add(backoff(attempts)).min(deadline))
    }
}

/// A queued message's metadata (the `.json` file).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Queue id (also the file name stem).
    pub id: String,
    /// The account that sent it; bounces go to this account's Inbox.
    pub account: String,
    /// `MAIL FROM`; empty for the null sender `<>` (receipts).
    pub envelope_from: String,
    /// Remote recipients still to be delivered.
    pub recipients: Vec<String>,
    /// Attempts made so far.
    pub attempts: u32,
    /// Not before this time, seconds since the epoch.
    pub next_attempt: i64,
    /// What went wrong last time.
    #[serde(default)]
    pub last_error: Option<String>,
    /// When it was queued.
    pub created: i64,
    /// Its Message-ID (for display and logs), without angle brackets.
    #[serde(default)]
    pub message_id: String,
    /// Its subject (for the Outbox view).
    #[serde(default)]
    pub subject: String,
}

impl Entry {
    /// The Outbox row for this entry.
    pub fn to_outbox(&self) -> OutboxEntry {
        OutboxEntry {
            id: self.id.clone(),
            subject: self.subject.clone(),
            recipients: self.recipients.clone(),
            attempts: self.attempts,
            next_attempt: self.next_attempt,
            // The queue knows no time zones; the server adds the user's.
            next_offset: 0,
            last_error: self.last_error.clone(),
        }
    }
}

/// What [`Queue::recover`] found and did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recovery {
    /// Half-written files removed from `tmp/`.
    pub removed_tmp: usize,
    /// Metadata of entries whose message was already gone (an interrupted
    /// completion), removed.
    pub finished: usize,
    /// Files moved to `corrupt/`: unreadable metadata, or a message without
    /// metadata (an enqueue that never returned).
    pub quarantined: Vec<PathBuf>,
}

/// A bounce waiting in `bounces/` to be filed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StagedBounce {
    /// Its name in the spool.
    pub id: String,
    /// The account whose Inbox it goes to.
    pub account: String,
    /// The bounce message.
    pub dsn: Vec<u8>,
}

/// Fsyncs a directory, so renames and removals in it are durable.
fn sync(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(Error::io(dir))
}

/// The outbound queue in one directory. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Queue {
    dir: PathBuf,
    claimed: Arc<Mutex<HashSet<String>>>,
}

/// An entry taken by one worker; released when dropped.
#[derive(Debug)]
pub struct Claim {
    /// The entry as it was when claimed.
    pub entry: Entry,
    claimed: Arc<Mutex<HashSet<String>>>,
}

impl Drop for Claim {
    fn drop(&mut self) {
        if let Ok(mut set) = self.claimed.lock() {
            set.remove(&self.entry.id);
        }
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

impl Queue {
    /// Opens (creating as needed) the queue in `dir`. Nothing is removed:
    /// call [`Queue::recover`] once at startup.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Queue> {
        let dir = dir.into();
        for d in [
            dir.clone(),
            dir.join("tmp"),
            dir.join("corrupt"),
            dir.join("bounces"),
        ] {
            fs::create_dir_all(&d).map_err(Error::io(&d))?;
        }
        Ok(Queue {
            dir,
            claimed: Arc::default(),
        })
    }

    /// The spool directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn eml(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.eml"))
    }

    fn json(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    /// Writes `bytes` to `dest` atomically and durably: temp file, fsync,
    /// rename, fsync of the directory.
    fn write_durably(&self, dest: &Path, bytes: &[u8]) -> Result<()> {
        let name = dest.file_name().and_then(|n| n.to_str()).unwrap_or("file");
        let tmp = self
            .dir
            .join("tmp")
            .join(format!("{name}.{}", encode::random_hex(6)));
        let result = (|| {
            let mut f = File::create(&tmp).map_err(Error::io(&tmp))?;
            f.write_all(bytes).map_err(Error::io(&tmp))?;
            f.sync_all().map_err(Error::io(&tmp))?;
            fs::rename(&tmp, dest).map_err(Error::io(dest))?;
            match dest.parent() {
                Some(parent) if parent != self.dir => sync(parent),
                _ => self.sync_dir(),
            }
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }

    fn sync_dir(&self) -> Result<()> {
        sync(&self.dir)
    }

    fn bounce_path(&self, id: &str) -> PathBuf {
        self.dir.join("bounces").join(format!("{id}.eml"))
    }

    /// Keeps the bounce `dsn` for `account` durably until
    /// [`Queue::bounce_filed`]; `id` names it (unique per bounce).
    pub fn stage_bounce(&self, id: &str, account: &str, dsn: &[u8]) -> Result<()> {
        if !valid_id(id) || account.contains(['\n', '\r']) {
            return Err(Error::Io {
                path: self.bounce_path("invalid"),
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "bad bounce id or account",
                ),
            });
        }
        let mut bytes = Vec::with_capacity(account.len() + 1 + dsn.len());
        bytes.extend_from_slice(account.as_bytes());
        bytes.push(b'\n');
        bytes.extend_from_slice(dsn);
        self.write_durably(&self.bounce_path(id), &bytes)
    }

    /// The bounces not yet filed, oldest id first. A file that cannot be
    /// understood is moved to `corrupt/`.
    pub fn staged_bounces(&self) -> Result<Vec<StagedBounce>> {
        let dir = self.dir.join("bounces");
        let mut staged = Vec::new();
        for item in fs::read_dir(&dir).map_err(Error::io(&dir))?.flatten() {
            let path = item.path();
            let Some(id) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".eml"))
                .filter(|id| valid_id(id))
            else {
                continue;
            };
            let bytes = match fs::read(&path) {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(Error::Io { path, source: e }),
            };
            let parsed = bytes.iter().position(|b| *b == b'\n').and_then(|nl| {
                let account = std::str::from_utf8(&bytes[..nl]).ok()?.trim().to_string();
                (!account.is_empty() && nl + 1 < bytes.len())
                    .then(|| (account, bytes[nl + 1..].to_vec()))
            });
            match parsed {
                Some((account, dsn)) => staged.push(StagedBounce {
                    id: id.to_string(),
                    account,
                    dsn,
                }),
                None => {
                    tracing::warn!(path = %path.display(), "unreadable staged bounce, moved to corrupt/");
                    self.quarantine(&path)?;
                }
            }
        }
        staged.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(staged)
    }

    /// The staged bounce `id` is in its sender's Inbox (or has nowhere to
    /// go): it is removed.
    pub fn bounce_filed(&self, id: &str) -> Result<()> {
        let path = self.bounce_path(id);
        match fs::remove_file(&path) {
            Ok(()) => sync(&self.dir.join("bounces")),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::Io { path, source: e }),
        }
    }

    /// Queues `message` for `recipients` (the remote ones; local delivery
    /// is the caller's) and returns its id once it is durably on disk.
    pub fn enqueue(
        &self,
        account: &str,
        envelope_from: &str,
        recipients: &[String],
        message: &[u8],
        now: i64,
    ) -> Result<Entry> {
        let recipients: Vec<String> = recipients
            .iter()
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty())
            .fold(Vec::new(), |mut acc, r| {
                if !acc.iter().any(|a: &String| a.eq_ignore_ascii_case(&r)) {
                    acc.push(r);
                }
                acc
            });
        if recipients.is_empty() {
            return Err(Error::NoRecipients);
        }
        let headers = mail_parser::MessageParser::new().parse_headers(message);
        // Time, then a sequence number, so entries queued in the same second
        // keep their order; then randomness, so processes never clash.
        static SEQ: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed) & 0xff_ffff;
        let id = format!("{:010x}-{seq:06x}{}", now.max(0), encode::random_hex(5));
        let entry = Entry {
            id: id.clone(),
            account: account.to_string(),
            envelope_from: envelope_from.to_string(),
            recipients,
            attempts: 0,
            next_attempt: now,
            last_error: None,
            created: now,
            message_id: headers
                .as_ref()
                .and_then(|m| m.message_id())
                .unwrap_or_default()
                .to_string(),
            subject: headers
                .as_ref()
                .and_then(|m| m.subject())
                .unwrap_or_default()
                .to_string(),
        };
        self.write_durably(&self.eml(&id), message)?;
        self.write_durably(&self.json(&id), &serde_json::to_vec_pretty(&entry)?)?;
        Ok(entry)
    }

    /// Reads every entry; corrupt metadata is moved to `corrupt/` and
    /// logged.
    fn scan(&self) -> Result<Vec<Entry>> {
        let mut entries = Vec::new();
        let read = fs::read_dir(&self.dir).map_err(Error::io(&self.dir))?;
        for item in read.flatten() {
            let path = item.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            let Some(id) = name.strip_suffix(".json") else {
                continue;
            };
            if !valid_id(id) {
                tracing::warn!(path = %path.display(), "unexpected file in the spool, ignored");
                continue;
            }
            let bytes = match fs::read(&path) {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "queue entry unreadable, skipped");
                    continue;
                }
            };
            match serde_json::from_slice::<Entry>(&bytes) {
                Ok(entry) if entry.id == id => entries.push(entry),
                Ok(_) | Err(_) => {
                    tracing::warn!(path = %path.display(), "corrupt queue metadata, moved to corrupt/");
                    let _ = self.quarantine(&path);
                }
            }
        }
        entries.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
        Ok(entries)
    }

    fn quarantine(&self, path: &Path) -> Result<PathBuf> {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
        let dest = self
            .dir
            .join("corrupt")
            .join(format!("{name}.{}", encode::random_hex(4)));
        fs::rename(path, &dest).map_err(Error::io(path))?;
        self.sync_dir()?;
        Ok(dest)
    }

    /// Every entry, oldest first.
    pub fn entries(&self) -> Result<Vec<Entry>> {
        self.scan()
    }

    /// The Outbox of one account, oldest first.
    pub fn list(&self, account: &str) -> Result<Vec<OutboxEntry>> {
        Ok(self
            .scan()?
            .into_iter()
            .filter(|e| e.account == account)
            .map(|e| e.to_outbox())
            .collect())
    }

    /// Makes every waiting entry of `account` due at `now` ("Try again
    /// now"), without counting an attempt. Entries being sent are left
    /// alone. Returns how many were changed.
    pub fn retry_now(&self, account: &str, now: i64) -> Result<usize> {
        // Holding the claim lock keeps the worker from taking an entry while
        // its metadata is rewritten.
        let set = self.claimed.lock().unwrap_or_else(|p| p.into_inner());
        let mut changed = 0;
        for mut entry in self.scan()? {
            if entry.account != account || set.contains(&entry.id) || entry.next_attempt <= now {
                continue;
            }
            entry.next_attempt = now;
            self.write_durably(&self.json(&entry.id), &serde_json::to_vec_pretty(&entry)?)?;
            changed += 1;
        }
        Ok(changed)
    }

    /// Takes every entry due at `now` that no one else in this process has
    /// taken.
    pub fn claim_due(&self, now: i64) -> Result<Vec<Claim>> {
        let entries = self.scan()?;
        let mut set = self.claimed.lock().unwrap_or_else(|p| p.into_inner());
        Ok(entries
            .into_iter()
            .filter(|e| e.next_attempt <= now && set.insert(e.id.clone()))
            .map(|entry| Claim {
                entry,
                claimed: self.claimed.clone(),
            })
            .collect())
    }

    /// The message bytes of a claimed entry; `None` if they are gone.
    pub fn message(&self, claim: &Claim) -> Result<Option<Vec<u8>>> {
        let path = self.eml(&claim.entry.id);
        match fs::read(&path) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::Io { path, source: e }),
        }
    }

    /// Removes a finished entry (all delivered, or returned to sender):
    /// the message first, then the metadata, durably.
    pub fn complete(&self, claim: &Claim) -> Result<()> {
        for path in [self.eml(&claim.entry.id), self.json(&claim.entry.id)] {
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::Io { path, source: e }),
            }
        }
        self.sync_dir()
    }

    /// Records a failed attempt: only `remaining` recipients stay, the
    /// attempt is counted and the entry is due again at `next_attempt`.
    /// Returns the updated entry.
    pub fn reschedule(
        &self,
        claim: &Claim,
        remaining: &[String],
        error: &str,
        next_attempt: i64,
    ) -> Result<Entry> {
        let mut entry = claim.entry.clone();
        entry.recipients = remaining.to_vec();
        entry.attempts = entry.attempts.saturating_add(1);
        entry.next_attempt = next_attempt;
        entry.last_error = Some(error.chars().take(1000).collect());
        self.write_durably(&self.json(&entry.id), &serde_json::to_vec_pretty(&entry)?)?;
        Ok(entry)
    }

    /// Cleans up after a crash (see the module docs). Files younger than
    /// `grace` are left alone, since an enqueue may be writing them; at
    /// startup, before any enqueue, a grace of zero is safe.
    pub fn recover(&self, grace: Duration) -> Result<Recovery> {
        let mut report = Recovery::default();
        let old_enough = |path: &Path| {
            fs::metadata(path)
                .and_then(|m| m.modified())
                .map(|t| SystemTime::now().duration_since(t).unwrap_or_default() >= grace)
                .unwrap_or(false)
        };
        let tmp = self.dir.join("tmp");
        for item in fs::read_dir(&tmp).map_err(Error::io(&tmp))?.flatten() {
            if old_enough(&item.path()) && fs::remove_file(item.path()).is_ok() {
                report.removed_tmp += 1;
            }
        }
        let before: HashSet<PathBuf> = fs::read_dir(self.dir.join("corrupt"))
            .map(|r| r.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        let entries = self.scan()?;
        report.quarantined.extend(
            fs::read_dir(self.dir.join("corrupt"))
                .map(|r| {
                    r.flatten()
                        .map(|e| e.path())
                        .filter(|p| !before.contains(p))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default(),
        );
        let ids: HashSet<&str> = entries.iter().map(|e| e.id.as_str()).collect();
        for e in &entries {
            if !self.eml(&e.id).exists() {
                tracing::warn!(id = %e.id, "queue metadata without message (finished), removed");
                fs::remove_file(self.json(&e.id)).map_err(Error::io(self.json(&e.id)))?;
                report.finished += 1;
            }
        }
        for item in fs::read_dir(&self.dir)
            .map_err(Error::io(&self.dir))?
            .flatten()
        {
            let path = item.path();
            let Some(id) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".eml"))
            else {
                continue;
            };
            if !ids.contains(id) && !self.json(id).exists() && old_enough(&path) {
                tracing::warn!(path = %path.display(), "queued message without metadata, moved to corrupt/");
                report.quarantined.push(self.quarantine(&path)?);
            }
        }
        self.sync_dir()?;
        Ok(report)
    }
}
