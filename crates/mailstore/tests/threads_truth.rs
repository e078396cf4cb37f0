//! Threads against ground truth.
//!
//! A Maildir of real-world shape — threads with missing parents, many
//! threads sharing one subject ("会議の件について", list tags), replies with
//! cut References — is written by the benchmark kit's generator
//! (`scripts/bench/gen-maildir.py`, seed 1), whose records name each
//! message's true thread. It is indexed twice: by a bulk build, and as mail
//! arriving into a live index (the incremental path). Both must put every
//! message in its true thread: no thread of ours mixes two true ones, and a
//! true thread is split only where no rule could join it (its first message
//! has no Message-ID, so the replies name an id no message carries; they
//! still stay together). Then a twentieth of the messages is expunged from
//! the live index and its threads must equal those of a rebuild.
//!
//! Needs `python3` and `/usr/share/dict/words` (Debian's `wamerican`):
//! without them the test prints why it is skipped, or fails when
//! `WEBMAIL_REQUIRE_CORPUS=1` (as CI sets). `MAILSTORE_TRUTH_MESSAGES`
//! changes the size (10,000 by default).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use mailstore::Mailstore;

fn generator() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/bench/gen-maildir.py")
}

fn available() -> Result<(), String> {
    if !Path::new("/usr/share/dict/words").exists() {
        return Err("/usr/share/dict/words is missing (apt-get install wamerican)".into());
    }
    match Command::new("python3").arg("--version").output() {
        Ok(o) if o.status.success() => Ok(()),
        _ => Err("python3 is missing".into()),
    }
}

/// The file's key: its name without the flags.
fn key(file: &str) -> String {
    let name = file.rsplit('/').next().unwrap_or(file);
    name.split(":2,").next().unwrap_or(name).to_string()
}

struct Truth {
    /// key → true thread (newsletters alone in their own).
    thread: HashMap<String, String>,
    /// True threads whose first message has no Message-ID.
    rootless: BTreeSet<String>,
}

fn read_truth(records: &Path) -> Truth {
    let mut thread = HashMap::new();
    let mut first: BTreeMap<String, bool> = BTreeMap::new();
    for (n, line) in fs::read_to_string(records).unwrap().lines().enumerate() {
        let r: serde_json::Value = serde_json::from_str(line).unwrap();
        let t = match &r["thread"] {
            serde_json::Value::Null => format!("single-{n}"),
            v => v.to_string(),
        };
        // Records are in delivery order: the first seen is the thread's start.
        first.entry(t.clone()).or_insert(r["msgid"].is_null());
        thread.insert(key(r["file"].as_str().unwrap()), t);
    }
    let rootless = first
        .into_iter()
        .filter(|(_, no_id)| *no_id)
        .map(|(t, _)| t)
        .collect();
    Truth { thread, rootless }
}

/// key → thread id, read from the index file.
fn ours(user: &Path) -> HashMap<String, i64> {
    let conn = rusqlite::Connection::open_with_flags(
        user.join("index.sqlite"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let mut stmt = conn
        .prepare("SELECT file, thread_id FROM messages")
        .unwrap();
    stmt.query_map([], |r| Ok((key(&r.get::<_, String>(0)?), r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Checks our threads against the truth; returns (split, merged) counts.
fn compare(what: &str, truth: &Truth, ours: &HashMap<String, i64>) -> (usize, usize) {
    assert_eq!(
        ours.len(),
        truth.thread.len(),
        "{what}: every message is indexed"
    );
    let mut by_true: HashMap<&str, BTreeSet<i64>> = HashMap::new();
    let mut by_ours: HashMap<i64, BTreeSet<&str>> = HashMap::new();
    for (k, t) in &truth.thread {
        let o = *ours
            .get(k)
            .unwrap_or_else(|| panic!("{what}: {k} is not indexed"));
        by_true.entry(t).or_default().insert(o);
        by_ours.entry(o).or_default().insert(t);
    }
    let merged: Vec<_> = by_ours.iter().filter(|(_, s)| s.len() > 1).collect();
    let split: Vec<_> = by_true.iter().filter(|(_, s)| s.len() > 1).collect();
    eprintln!(
        "{what}: {} true threads, {} of ours, {} split, {} merged",
        by_true.len(),
        by_ours.len(),
        split.len(),
        merged.len()
    );
    assert!(
        merged.is_empty(),
        "{what}: threads mixing true threads: {merged:?}"
    );
    for (t, parts) in &split {
        assert!(
            truth.rootless.contains(**t) && parts.len() == 2,
            "{what}: true thread {t} is split into {parts:?}, and its first message has a Message-ID"
        );
    }
    (split.len(), merged.len())
}

/// Whether two assignments group the same messages together.
fn same_partition(a: &HashMap<String, i64>, b: &HashMap<String, i64>) -> bool {
    let canon = |m: &HashMap<String, i64>| -> BTreeSet<BTreeSet<String>> {
        let mut groups: HashMap<i64, BTreeSet<String>> = HashMap::new();
        for (k, t) in m {
            groups.entry(*t).or_default().insert(k.clone());
        }
        groups.into_values().collect()
    };
    a.len() == b.len() && canon(a) == canon(b)
}

fn link_all(from: &Path, to_cur: &Path) {
    for sub in ["cur", "new"] {
        for e in fs::read_dir(from.join(sub)).unwrap() {
            let e = e.unwrap();
            let mut name = e.file_name().to_string_lossy().into_owned();
            if !name.contains(":2,") {
                name.push_str(":2,");
            }
            fs::hard_link(e.path(), to_cur.join(name)).unwrap();
        }
    }
}

#[test]
fn threads_match_the_generators_truth_in_bulk_and_live_builds_and_after_expunges() {
    if let Err(why) = available() {
        if std::env::var("WEBMAIL_REQUIRE_CORPUS").as_deref() == Ok("1") {
            panic!("WEBMAIL_REQUIRE_CORPUS=1 but {why}");
        }
        eprintln!("skipped: {why}");
        return;
    }
    let n: usize = std::env::var("MAILSTORE_TRUTH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("corpus");
    let started = Instant::now();
    let out = Command::new("python3")
        .arg(generator())
        .arg(&src)
        .args(["-n", &n.to_string(), "--seed", "1"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "generator: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("generated {n} messages in {:.1?}", started.elapsed());
    let truth = read_truth(&tmp.path().join("corpus.records.jsonl"));

    // Bulk: the first open of a Maildir without an index builds it.
    let bulk = tmp.path().join("bulk");
    fs::create_dir_all(bulk.join("Maildir/cur")).unwrap();
    fs::create_dir_all(bulk.join("Maildir/new")).unwrap();
    fs::create_dir_all(bulk.join("Maildir/tmp")).unwrap();
    link_all(&src, &bulk.join("Maildir/cur"));
    let started = Instant::now();
    let s = Mailstore::open(&bulk).unwrap();
    assert!(s.wait_ready(Some(Duration::from_secs(3600))));
    eprintln!("bulk build in {:.1?}", started.elapsed());
    let bulk_threads = ours(&bulk);
    let (split, _) = compare("bulk", &truth, &bulk_threads);
    assert!(split <= truth.rootless.len());
    drop(s);

    // Live: the index exists, and the whole corpus arrives at once.
    let live = tmp.path().join("live");
    let s = Mailstore::open(&live).unwrap();
    assert!(s.wait_ready(Some(Duration::from_secs(60))));
    link_all(&src, &live.join("Maildir/cur"));
    std::thread::sleep(Duration::from_millis(1100));
    let started = Instant::now();
    assert_eq!(s.sync().unwrap().added as usize, n);
    eprintln!("live indexing in {:.1?}", started.elapsed());
    let live_threads = ours(&live);
    compare("live", &truth, &live_threads);
    assert!(
        same_partition(&bulk_threads, &live_threads),
        "bulk and live builds disagree"
    );

    // Expunge every twentieth message: the threads left must be those a
    // rebuild computes from the messages left.
    let uids: Vec<mailstore::Uid> = {
        let conn = rusqlite::Connection::open(live.join("index.sqlite")).unwrap();
        let mut stmt = conn
            .prepare("SELECT uid FROM messages WHERE id % 20 = 7 ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(s.expunge(mailstore::INBOX, &uids).unwrap(), uids.len());
    let after = ours(&live);
    s.reindex(|_| {}).unwrap();
    let rebuilt = ours(&live);
    assert_eq!(after.len(), n - uids.len());
    assert!(
        same_partition(&after, &rebuilt),
        "threads after expunges differ from a rebuild"
    );
}
