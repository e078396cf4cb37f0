//! Benchmarks on generated Maildirs of 10,000 and 100,000 messages.
//!
//! ```text
//! cargo bench -p mailstore --bench index
//! MAILSTORE_BENCH_SIZES=10000 cargo bench -p mailstore --bench index
//! ```
//!
//! Corpora are generated once (seeded, so identical every time) under
//! `$CARGO_TARGET_DIR/mailstore-bench/` or `MAILSTORE_BENCH_DIR`. These
//! report figures; they assert nothing about time.
//!
//! For the real-world shape (shared subjects, missing parents, big threads,
//! attachments), point `MAILSTORE_BENCH_DIR` at a directory whose `10000`
//! and `100000` are user directories made from `gen-maildir.py`, each with
//! an empty file `generated` (see `scripts/bench/bench-root.sh`).

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use divan::Bencher;
use mailstore::{Mailstore, Query, SearchScope, SortColumn};
use testkit::{Corpus, Generator, PLANTED_SENDER, PLANTED_SUBJECT};

const SIZES: &[usize] = &[10_000, 100_000];

fn enabled(n: usize) -> bool {
    match std::env::var("MAILSTORE_BENCH_SIZES") {
        Ok(v) => v.split(',').any(|s| s.trim().parse() == Ok(n)),
        Err(_) => true,
    }
}

fn bench_root() -> PathBuf {
    if let Some(d) = std::env::var_os("MAILSTORE_BENCH_DIR") {
        return PathBuf::from(d);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("mailstore-bench")
}

/// The user dir of a generated corpus of `n` messages, indexed.
fn corpus(n: usize) -> PathBuf {
    let dir = bench_root().join(n.to_string());
    let done = dir.join("generated");
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let start = std::time::Instant::now();
        let stats = Corpus::write(&dir, n, 2024);
        eprintln!(
            "generated {n} messages ({} MB) in {:.1?}; planted {:?}, sender {}, subject {}",
            stats.bytes / 1_000_000,
            start.elapsed(),
            stats.body_words,
            stats.sender,
            stats.subject
        );
        std::fs::write(&done, b"").unwrap();
    }
    dir
}

fn store(n: usize) -> &'static Mailstore {
    static STORES: OnceLock<std::sync::Mutex<Vec<(usize, &'static Mailstore)>>> = OnceLock::new();
    let mut v = STORES.get_or_init(Default::default).lock().unwrap();
    if let Some((_, s)) = v.iter().find(|(k, _)| *k == n) {
        return s;
    }
    let s = Box::leak(Box::new(Mailstore::open(&corpus(n)).unwrap()));
    assert!(s.wait_ready(Some(Duration::from_secs(3600))));
    v.push((n, s));
    s
}

fn peak_rss_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}

fn main() {
    divan::main();
    eprintln!("peak memory (VmHWM): {} MB", peak_rss_mb());
}

/// Full index build from the Maildir, including full-text rows and threads.
#[divan::bench(args = SIZES, sample_count = 2, sample_size = 1)]
fn build_index(bencher: Bencher<'_, '_>, n: usize) {
    if !enabled(n) {
        return;
    }
    let dir = corpus(n);
    let scratch = bench_root().join(format!("build-{n}"));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();
    // Build in a separate user dir whose Maildir is the corpus (a symlink),
    // so the benchmark index of the corpus itself stays intact.
    std::os::unix::fs::symlink(dir.join("Maildir"), scratch.join("Maildir")).unwrap();
    bencher.bench_local(|| {
        let _ = std::fs::remove_file(scratch.join("index.sqlite"));
        let s = Mailstore::open(&scratch).unwrap();
        assert!(s.wait_ready(Some(Duration::from_secs(3600))));
        s.folders().unwrap().len()
    });
    eprintln!(
        "after build of {n}: peak memory (VmHWM) {} MB",
        peak_rss_mb()
    );
}

/// Sync after 100 messages were delivered by someone else.
#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn incremental_sync_100_new(bencher: Bencher<'_, '_>, n: usize) {
    if !enabled(n) {
        return;
    }
    let s = store(n);
    let new_dir = corpus(n).join("Maildir/new");
    let mut g = Generator::new(77);
    let mut round = 0;
    bencher
        .with_inputs(|| {
            round += 1;
            for i in 0..100 {
                let m = g.next_message();
                std::fs::write(
                    new_dir.join(format!("1999999999.B{round}x{i}.bench")),
                    m.bytes,
                )
                .unwrap();
            }
        })
        .bench_local_values(|()| s.sync().unwrap());
    for e in std::fs::read_dir(&new_dir).unwrap().flatten() {
        if e.file_name().to_string_lossy().ends_with(".bench") {
            std::fs::remove_file(e.path()).unwrap();
        }
    }
    s.sync().unwrap();
}

const KEYS: &[SortColumn] = &SortColumn::ALL;

/// First page of 50 of the Inbox, sorted descending, index already open.
#[divan::bench(args = KEYS, consts = [10_000, 100_000])]
fn page_warm<const N: usize>(bencher: Bencher<'_, '_>, key: SortColumn) {
    if !enabled(N) {
        return;
    }
    let s = store(N);
    bencher.bench_local(|| s.list("INBOX", key, true, 0, 50).unwrap());
}

/// Previous and next of the message in the middle of the Inbox, sorted
/// descending (the reader's arrows).
#[divan::bench(args = KEYS, consts = [10_000, 100_000])]
fn neighbors_middle<const N: usize>(bencher: Bencher<'_, '_>, key: SortColumn) {
    if !enabled(N) {
        return;
    }
    let s = store(N);
    let middle = s.list("INBOX", key, true, (N / 2) as u64, 1).unwrap().items[0].uid;
    bencher.bench_local(|| s.neighbors("INBOX", middle, key, true).unwrap());
}

/// A page far down the list (offset 20,000 or 5,000): LIMIT/OFFSET cost.
#[divan::bench(consts = [10_000, 100_000])]
fn page_deep_offset<const N: usize>(bencher: Bencher<'_, '_>) {
    if !enabled(N) {
        return;
    }
    let s = store(N);
    let off = (N / 5) as u64;
    bencher.bench_local(|| s.list("INBOX", SortColumn::Date, true, off, 50).unwrap());
}

/// Open from cold (new process state: schema and integrity check, fresh
/// SQLite cache) plus the first page by date.
#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn open_cold_first_page(bencher: Bencher<'_, '_>, n: usize) {
    if !enabled(n) {
        return;
    }
    let dir = corpus(n);
    let scratch = bench_root().join(format!("cold-{n}"));
    if !scratch.join("index.sqlite").exists() {
        let _ = std::fs::remove_dir_all(&scratch);
        std::fs::create_dir_all(&scratch).unwrap();
        std::os::unix::fs::symlink(dir.join("Maildir"), scratch.join("Maildir")).unwrap();
        let s = Mailstore::open(&scratch).unwrap();
        assert!(s.wait_ready(Some(Duration::from_secs(3600))));
    }
    bencher.bench_local(|| {
        let s = Mailstore::open(&scratch).unwrap();
        s.list("INBOX", SortColumn::Date, true, 0, 50).unwrap()
    });
}

fn body(word: &str) -> Query {
    Query {
        body: vec![word.to_string()],
        ..Query::new()
    }
}

/// Body search, first page of 50 by date with the total count.
#[divan::bench(args = ["quokkazx", "xylowombat", "zanzibarq"], consts = [10_000, 100_000])]
fn search_body<const N: usize>(bencher: Bencher<'_, '_>, word: &str) {
    if !enabled(N) {
        return;
    }
    let s = store(N);
    let q = body(word);
    bencher.bench_local(|| s.search(&q, SortColumn::Date, true, 0, 50).unwrap());
}

/// Sender substring search.
#[divan::bench(consts = [10_000, 100_000])]
fn search_sender<const N: usize>(bencher: Bencher<'_, '_>) {
    if !enabled(N) {
        return;
    }
    let s = store(N);
    let q = Query::scoped(&PLANTED_SENDER[..7], SearchScope::Sender);
    bencher.bench_local(|| s.search(&q, SortColumn::Date, true, 0, 50).unwrap());
}

/// Subject substring search.
#[divan::bench(consts = [10_000, 100_000])]
fn search_subject<const N: usize>(bencher: Bencher<'_, '_>) {
    if !enabled(N) {
        return;
    }
    let s = store(N);
    let q = Query::scoped(PLANTED_SUBJECT, SearchScope::Subject);
    bencher.bench_local(|| s.search(&q, SortColumn::Date, true, 0, 50).unwrap());
}

/// The default search box (headers) on a common two-letter fragment, which
/// cannot use the trigram index.
#[divan::bench(consts = [10_000, 100_000])]
fn search_headers_short<const N: usize>(bencher: Bencher<'_, '_>) {
    if !enabled(N) {
        return;
    }
    let s = store(N);
    let q = Query::scoped("zq", SearchScope::Headers);
    bencher.bench_local(|| s.search(&q, SortColumn::Date, true, 0, 50).unwrap());
}

/// Loading the largest thread (threads are computed at index time).
#[divan::bench(consts = [10_000, 100_000])]
fn thread_load<const N: usize>(bencher: Bencher<'_, '_>) {
    if !enabled(N) {
        return;
    }
    let s = store(N);
    let page = s.list("INBOX", SortColumn::Date, true, 0, 500).unwrap();
    let mut best = (0, 0);
    for m in &page.items {
        let len = s.thread(m.thread_id).unwrap().len();
        if len > best.1 {
            best = (m.thread_id, len);
        }
    }
    bencher.bench_local(|| s.thread(best.0).unwrap());
}
