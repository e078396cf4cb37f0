//! Bringing the index up to date with the Maildir.
//!
//! Directory modification times tell which folders changed since the last
//! sync; only those are listed, and only file names are compared. A key
//! that is new is parsed; a key that moved between folders (a Dovecot MOVE)
//! keeps its derived fields; a changed name is a flag change; a key that is
//! gone is deleted from the index. Files that vanish between listing and
//! reading were moved by someone else: the folder is marked for another look
//! and nothing fails.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::Connection;

use crate::db::{self, Located};
use crate::flags::{info_bits, info_keyword_letters};
use crate::maildir::{Entry, Maildir};
use crate::parse::{Parsed, parse};
use crate::rebuild::ProgressCounter;
use crate::{Error, Result};

/// Rows committed per transaction when many messages are parsed. Bigger
/// batches in a bulk build mean fewer, larger full-text segments to merge.
const BATCH: usize = 1000;
const BULK_BATCH: usize = 25000;
/// A directory mtime is trusted only once the clock has moved past its
/// timestamp tick: a change within the same tick would leave it unchanged
/// and go unnoticed. File systems that keep whole seconds (their mtimes
/// have no fraction) need a second; the others stamp with the kernel's
/// coarse clock, whose tick is at most 10 ms, so 50 ms leaves a margin.
/// Until then every sync lists the folder again, which costs milliseconds
/// per thousand messages: the shorter the wait, the fewer such listings
/// after each change.
const COARSE_SETTLE_NS: i64 = 1_000_000_000;
const FINE_SETTLE_NS: i64 = 50_000_000;

/// Whether a directory mtime `m` read no earlier than `now` can be trusted
/// to change with the directory's next change.
pub(crate) fn settled(m: i64, now: i64) -> bool {
    let window = if m % 1_000_000_000 == 0 {
        COARSE_SETTLE_NS
    } else {
        FINE_SETTLE_NS
    };
    m != 0 && now - m >= window
}

/// What a sync changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Messages parsed and added.
    pub added: u64,
    /// Messages that moved between folders (no file opened).
    pub moved: u64,
    /// Messages whose flags changed.
    pub changed: u64,
    /// Messages no longer in the Maildir.
    pub removed: u64,
}

pub(crate) struct Ctx<'a> {
    pub conn: &'a Connection,
    pub maildir: &'a Maildir,
    pub opened: &'a AtomicU64,
    pub progress: Option<&'a ProgressCounter>,
    /// A rebuild into an empty index: threads are computed at the end, and
    /// the full-text rows go to these writers.
    pub bulk: Option<&'a Sides>,
}

/// The full-text tables of a bulk build, each filled on a thread of its own
/// in a side database next to the index being built ([`db::side_path`]),
/// and adopted by it once finished ([`db::adopt_side`]). The writers merge
/// their tables while the builder creates indexes and threads.
pub(crate) struct Sides {
    headers: mpsc::SyncSender<SideRow>,
    bodies: mpsc::SyncSender<SideRow>,
    writers: Vec<(&'static str, PathBuf, std::thread::JoinHandle<Result<()>>)>,
}

impl Sides {
    /// Starts the writers for the index being built at `index`.
    pub fn start(index: &std::path::Path) -> Result<Sides> {
        let mut senders = Vec::new();
        let mut writers = Vec::new();
        for (table, create, queue) in [
            ("hdr_fts", db::HDR_FTS, 4096),
            // Bodies are up to 2 MB each: a shorter queue.
            ("body_fts", db::BODY_FTS, 64),
        ] {
            let (tx, rx) = mpsc::sync_channel::<SideRow>(queue);
            let side = db::side_path(index, table);
            let _ = std::fs::remove_file(&side);
            let path = side.clone();
            let handle = std::thread::Builder::new()
                .name(format!("index-{table}"))
                .spawn(move || write_side(&path, create, table, rx))
                .map_err(|e| Error::io("spawn", &side, e))?;
            senders.push(tx);
            writers.push((table, side, handle));
        }
        let bodies = senders.pop().expect("two writers");
        let headers = senders.pop().expect("two writers");
        Ok(Sides {
            headers,
            bodies,
            writers,
        })
    }

    fn send(&self, id: i64, p: &mut Parsed) -> Result<()> {
        let stopped = || {
            Error::io(
                "index",
                PathBuf::new(),
                std::io::Error::other("full-text writer stopped"),
            )
        };
        self.headers
            .send(SideRow::Header(db::HeaderText::of(id, p)))
            .map_err(|_| stopped())?;
        self.bodies
            .send(SideRow::Body(id, std::mem::take(&mut p.body)))
            .map_err(|_| stopped())
    }

    /// Closes the queues and waits for both tables to be written and
    /// merged. Returns each table with the side database that holds it.
    pub fn finish(self) -> Result<Vec<(&'static str, PathBuf)>> {
        let Sides {
            headers,
            bodies,
            writers,
        } = self;
        drop((headers, bodies));
        let mut done = Vec::new();
        for (table, side, handle) in writers {
            handle.join().map_err(|_| {
                Error::io(
                    "index",
                    &side,
                    std::io::Error::other("full-text writer panicked"),
                )
            })??;
            done.push((table, side));
        }
        Ok(done)
    }
}

/// Keyword names for the keyword letters in `info`, sorted and space-joined.
pub(crate) fn keyword_names(info: &str, kws: &[Option<String>]) -> String {
    let mut names: Vec<&str> = info_keyword_letters(info)
        .filter_map(|i| kws.get(i).and_then(|k| k.as_deref()))
        .collect();
    names.sort_unstable();
    names.dedup();
    names.join(" ")
}

struct Appeared {
    folder_id: i64,
    dir: PathBuf,
    entry: Entry,
    kw: String,
}

pub(crate) fn now_ns() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0)
}

/// Syncs every folder.
pub(crate) fn sync(ctx: &Ctx<'_>) -> Result<SyncReport> {
    let mut report = SyncReport::default();
    let on_disk = ctx.maildir.list_folders()?;
    let mut rows = db::folders(ctx.conn)?;
    for name in &on_disk {
        if !rows.iter().any(|r| &r.name == name) {
            db::add_folder(ctx.conn, name)?;
        }
    }
    if rows.len() != on_disk.len() || rows.iter().any(|r| !on_disk.contains(&r.name)) {
        rows = db::folders(ctx.conn)?;
    }

    let mut appeared: Vec<Appeared> = Vec::new();
    let mut vanished: HashMap<String, Vec<Located>> = HashMap::new();
    let mut changed: Vec<(i64, String, u8, String)> = Vec::new();
    let mut mtimes: Vec<(i64, i64, i64)> = Vec::new();
    let mut gone_folders = Vec::new();
    let now = now_ns();
    for row in &rows {
        if !on_disk.contains(&row.name) {
            for l in db::folder_entries(ctx.conn, row.id)? {
                vanished.entry(l.key.clone()).or_default().push(l);
            }
            gone_folders.push(row.id);
            continue;
        }
        let (n, c) = ctx.maildir.mtimes(&row.name);
        let new_changed = n == 0 || n != row.new_mtime;
        let cur_changed = c == 0 || c != row.cur_mtime;
        // Deliveries touch only new/: then cur/ (the big one) is not listed.
        let (subdirs, prefix): (&[&str], &str) = match (new_changed, cur_changed) {
            (false, false) => continue,
            (true, false) => (&["new"], "new/"),
            (false, true) => (&["cur"], "cur/"),
            (true, true) => (&["new", "cur"], ""),
        };
        let entries = ctx.maildir.scan_subdirs(&row.name, subdirs)?;
        let kws = ctx.maildir.keywords(&row.name);
        let mut known: HashMap<String, Located> = db::folder_entries_in(ctx.conn, row.id, prefix)?
            .into_iter()
            .map(|l| (l.key.clone(), l))
            .collect();
        let dir = ctx.maildir.folder_dir(&row.name);
        for entry in entries {
            let info = entry.info().to_string();
            let bits = info_bits(&info);
            let kw = keyword_names(&info, &kws);
            match known.remove(&entry.key) {
                Some(l) => {
                    if l.file != entry.file || l.flags != bits || l.keywords != kw {
                        changed.push((l.id, entry.file, bits, kw));
                    }
                }
                None => appeared.push(Appeared {
                    folder_id: row.id,
                    dir: dir.clone(),
                    entry,
                    kw,
                }),
            }
        }
        for (key, l) in known {
            vanished.entry(key).or_default().push(l);
        }
        let settle = |m: i64| if settled(m, now) { m } else { 0 };
        mtimes.push((row.id, settle(n), settle(c)));
    }

    let tx = ctx.conn.unchecked_transaction()?;
    for (id, file, bits, kw) in &changed {
        db::update_file(&tx, *id, file, *bits, kw)?;
        report.changed += 1;
    }
    let mut to_parse = Vec::new();
    for a in appeared {
        let bits = info_bits(a.entry.info());
        match vanished.get_mut(&a.entry.key).and_then(Vec::pop) {
            Some(l) => {
                db::move_row(&tx, l.id, a.folder_id, &a.entry.file, bits, &a.kw)?;
                report.moved += 1;
            }
            None => to_parse.push(a),
        }
    }
    let mut threads = std::collections::BTreeSet::new();
    for l in vanished.into_values().flatten() {
        threads.extend(db::delete(&tx, l.id)?);
        report.removed += 1;
    }
    crate::thread::repair(&tx, &threads)?;
    tx.commit()?;

    if let Some(p) = ctx.progress {
        p.total.store(to_parse.len() as u64, Ordering::Relaxed);
        p.listed.store(true, Ordering::Relaxed);
    }
    to_parse.sort_by(|a, b| a.entry.key.cmp(&b.entry.key));
    let mut dirty = Vec::new();
    parse_and_insert(ctx, &to_parse, &mut report, &mut dirty)?;

    let tx = ctx.conn.unchecked_transaction()?;
    for id in gone_folders {
        tx.execute("DELETE FROM folders WHERE id = ?1", [id])?;
    }
    for (id, n, c) in mtimes {
        let (n, c) = if dirty.contains(&id) { (0, 0) } else { (n, c) };
        tx.execute(
            "UPDATE folders SET new_mtime = ?2, cur_mtime = ?3 WHERE id = ?1",
            rusqlite::params![id, n, c],
        )?;
    }
    tx.commit()?;
    Ok(report)
}

/// Reads and parses one message file, counting the open.
pub(crate) fn read_file(
    path: &std::path::Path,
    opened: &AtomicU64,
) -> std::io::Result<(Vec<u8>, i64)> {
    let mut f = File::open(path)?;
    opened.fetch_add(1, Ordering::Relaxed);
    let meta = f.metadata()?;
    let arrival = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let mut buf = Vec::with_capacity(meta.len() as usize);
    f.read_to_end(&mut buf)?;
    Ok((buf, arrival))
}

type ParsedChunk = Vec<Option<(Parsed, i64)>>;

fn parse_and_insert(
    ctx: &Ctx<'_>,
    items: &[Appeared],
    report: &mut SyncReport,
    dirty: &mut Vec<i64>,
) -> Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 4);
    let chunk = 64;
    let chunks: Vec<&[Appeared]> = items.chunks(chunk).collect();
    // How many messages the writer below has taken: the read-ahead stays
    // a window ahead of it.
    let taken = AtomicUsize::new(0);
    let finished = AtomicBool::new(false);
    std::thread::scope(|s| -> Result<()> {
        if items.len() > chunk {
            let (taken, finished) = (&taken, &finished);
            s.spawn(move || read_ahead(items, taken, finished));
        }
        let _stop = StopOnDrop(&finished);
        let mut receivers = Vec::new();
        for w in 0..workers {
            let (tx, rx) = mpsc::sync_channel::<ParsedChunk>(2);
            receivers.push(rx);
            let chunks = &chunks;
            let opened = ctx.opened;
            s.spawn(move || {
                for c in chunks.iter().skip(w).step_by(workers) {
                    let out: ParsedChunk = c
                        .iter()
                        .map(|a| {
                            read_file(&a.dir.join(&a.entry.file), opened)
                                .ok()
                                .map(|(raw, arrival)| (parse(&raw), arrival))
                        })
                        .collect();
                    if tx.send(out).is_err() {
                        return;
                    }
                }
            });
        }
        let mut tx = ctx.conn.unchecked_transaction()?;
        let mut in_batch = 0;
        for (i, c) in chunks.iter().enumerate() {
            let parsed = receivers[i % workers].recv().map_err(|_| {
                Error::io(
                    "parse",
                    PathBuf::new(),
                    std::io::Error::other("worker stopped"),
                )
            })?;
            for (a, p) in c.iter().zip(parsed) {
                match p {
                    Some((mut p, arrival)) => {
                        let info = a.entry.info();
                        let (id, _, new) = db::insert(
                            &tx,
                            a.folder_id,
                            &a.entry.key,
                            &a.entry.file,
                            info_bits(info),
                            &a.kw,
                            arrival,
                            &p,
                            ctx.bulk.is_some(),
                        )?;
                        // Not new: indexed meanwhile by another process.
                        if let Some(sides) = ctx.bulk
                            && new
                        {
                            sides.send(id, &mut p)?;
                        }
                        report.added += u64::from(new);
                    }
                    None => {
                        if !dirty.contains(&a.folder_id) {
                            dirty.push(a.folder_id);
                        }
                    }
                }
                if let Some(p) = ctx.progress {
                    p.done.fetch_add(1, Ordering::Relaxed);
                }
                taken.fetch_add(1, Ordering::Relaxed);
                in_batch += 1;
            }
            if in_batch
                >= if ctx.bulk.is_some() {
                    BULK_BATCH
                } else {
                    BATCH
                }
            {
                tx.commit()?;
                tx = ctx.conn.unchecked_transaction()?;
                in_batch = 0;
            }
        }
        tx.commit()?;
        Ok(())
    })
}

/// Messages whose files are asked for ahead of the parsers.
const READ_AHEAD: usize = 512;

/// Sets its flag when dropped, however the scope is left.
struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Asks the kernel to start reading the files of `items` a window ahead of
/// the messages `taken` so far, without waiting for them: on a cold cache
/// the disk then serves many reads at once instead of one per parser. A
/// file that cannot be opened is left to the parser to report.
fn read_ahead(items: &[Appeared], taken: &AtomicUsize, finished: &AtomicBool) {
    for (i, a) in items.iter().enumerate() {
        while i >= taken.load(Ordering::Relaxed) + READ_AHEAD {
            if finished.load(Ordering::Relaxed) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        if finished.load(Ordering::Relaxed) {
            return;
        }
        if let Ok(f) = File::open(a.dir.join(&a.entry.file)) {
            let _ = rustix::fs::fadvise(&f, 0, None, rustix::fs::Advice::WillNeed);
        }
    }
}

/// One row for a side full-text table.
enum SideRow {
    Header(db::HeaderText),
    Body(i64, String),
}

/// Fills the full-text table `table` of a side database (bulk builds):
/// merging is left off while loading, and the table is merged into one
/// segment at the end (one pass, instead of merges repeated as it grows).
fn write_side(
    side: &std::path::Path,
    create: &str,
    table: &str,
    rx: mpsc::Receiver<SideRow>,
) -> Result<()> {
    let conn = db::connect(side)?;
    conn.pragma_update(None, "journal_mode", "OFF")?;
    conn.pragma_update(None, "synchronous", "OFF")?;
    // FTS5 writes its segments once and does not read them back while
    // loading: a small page cache is enough.
    conn.pragma_update(None, "cache_size", -4000)?;
    conn.execute_batch(create)?;
    let tables: &[&str] = if table == "hdr_fts" {
        &db::HDR_TABLES
    } else {
        &[table]
    };
    db::set_fts_hash_size(&conn, tables, db::BULK_FTS_HASH)?;
    for t in tables {
        db::set_fts_merging(&conn, t, false)?;
    }
    let mut tx = conn.unchecked_transaction()?;
    let mut n = 0;
    for row in rx {
        match row {
            SideRow::Header(h) => db::insert_header_text(&tx, &h)?,
            SideRow::Body(id, body) => db::insert_body_text(&tx, id, &body)?,
        }
        n += 1;
        if n % BULK_BATCH == 0 {
            tx.commit()?;
            tx = conn.unchecked_transaction()?;
        }
    }
    tx.commit()?;
    for t in tables {
        db::set_fts_merging(&conn, t, true)?;
        conn.execute(&format!("INSERT INTO {t}({t}) VALUES('optimize')"), [])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::settled;

    const S: i64 = 1_000_000_000;
    const MS: i64 = 1_000_000;

    #[test]
    fn mtimes_are_trusted_once_their_tick_has_passed() {
        let fine = 1_700_000_000 * S + 123_456_789;
        let coarse = 1_700_000_000 * S;
        let cases = [
            // (mtime, now, trusted)
            (0, 1_700_000_000 * S, false),
            (fine, fine, false),
            (fine, fine + 10 * MS, false),
            (fine, fine + 49 * MS, false),
            (fine, fine + 50 * MS, true),
            (fine, fine + 5 * S, true),
            // Whole seconds: the file system may keep nothing finer.
            (coarse, coarse + 50 * MS, false),
            (coarse, coarse + 999 * MS, false),
            (coarse, coarse + S, true),
            // A clock behind the file system's.
            (fine, fine - S, false),
        ];
        for (m, now, trusted) in cases {
            assert_eq!(settled(m, now), trusted, "mtime {m}, now {now}");
        }
    }
}
