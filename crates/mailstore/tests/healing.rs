//! A generated Maildir: counts and planted search terms, zero file opens on
//! a second open, incremental sync of outside changes, and healing of a
//! damaged index.

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use mailstore::{Mailstore, Query, SearchScope, SortColumn};
use testkit::{Corpus, CorpusStats, PLANTED_SENDER, PLANTED_SUBJECT, TempUser};

fn assert_matches_stats(s: &Mailstore, stats: &CorpusStats) {
    let folders = s.folders().unwrap();
    for (name, (total, unread)) in &stats.folders {
        let f = folders
            .iter()
            .find(|f| &f.name == name)
            .unwrap_or_else(|| panic!("{name}"));
        assert_eq!(
            (f.total, f.unread),
            (*total as u64, *unread as u64),
            "{name}"
        );
    }
    let all: u64 = folders.iter().map(|f| f.total).sum();
    assert_eq!(all, stats.messages as u64);
}

#[test]
fn generated_corpus_counts_and_search() {
    let t = TempUser::new();
    let stats = Corpus::write(t.path(), 1500, 11);
    let s = Mailstore::open(t.path()).unwrap();
    assert!(s.wait_ready(Some(Duration::from_secs(120))));
    assert_eq!(s.files_opened(), 1500);
    assert_matches_stats(&s, &stats);
    assert!(s.check().unwrap().is_empty());

    for (word, n) in &stats.body_words {
        let q = Query {
            body: vec![word.clone()],
            ..Query::new()
        };
        assert_eq!(
            s.search(&q, SortColumn::Date, true, 0, 10).unwrap().total,
            *n as u64,
            "{word}"
        );
    }
    assert!(stats.body_words["zanzibarq"] > 100);
    let q = Query::scoped(&PLANTED_SENDER.to_lowercase(), SearchScope::Sender);
    assert_eq!(
        s.search(&q, SortColumn::Date, true, 0, 10).unwrap().total,
        stats.sender as u64
    );
    let q = Query::scoped(PLANTED_SUBJECT, SearchScope::Subject);
    assert_eq!(
        s.search(&q, SortColumn::Date, true, 0, 10).unwrap().total,
        stats.subject as u64
    );
    let q = Query::parse("has:attachment").unwrap();
    assert_eq!(
        s.search(&q, SortColumn::Date, true, 0, 10).unwrap().total,
        stats.attachments as u64
    );
    // Decoded non-ASCII text is searchable in headers and bodies.
    let q = Query::scoped("Привет", SearchScope::Headers);
    assert!(s.search(&q, SortColumn::Date, true, 0, 10).unwrap().total > 0);
    let q = Query {
        body: vec!["façade".into()],
        ..Query::new()
    };
    assert!(s.search(&q, SortColumn::Date, true, 0, 10).unwrap().total > 0);
    assert_eq!(
        s.files_opened(),
        1500,
        "listing and searching open no files"
    );
    drop(s);

    // A second open reads the index only.
    let s = Mailstore::open(t.path()).unwrap();
    for key in SortColumn::ALL {
        for desc in [false, true] {
            let page = s.list("INBOX", key, desc, 0, 50).unwrap();
            assert_eq!(page.items.len(), 50);
        }
    }
    s.folders().unwrap();
    assert_eq!(s.files_opened(), 0);
}

fn write_external(maildir: &Path, folder_dir: &str, name: &str, body: &str) {
    let dir = maildir.join(folder_dir);
    let tmp = dir.join("tmp").join(name);
    fs::write(
        &tmp,
        format!("From: ext@example.com\r\nSubject: {body}\r\n\r\n{body}\r\n"),
    )
    .unwrap();
    fs::rename(&tmp, dir.join("new").join(name)).unwrap();
}

#[test]
fn incremental_sync_of_outside_changes() {
    let t = TempUser::new();
    let s = Mailstore::open(t.path()).unwrap();
    let md = t.maildir();
    let total = |f: &str| s.list(f, SortColumn::Date, false, 0, 100).unwrap().total;

    write_external(&md, "", "1000.ext1.host", "one");
    write_external(&md, "", "1001.ext2.host", "two");
    assert_eq!(total("INBOX"), 2);
    assert_eq!(s.files_opened(), 2);

    // Dovecot marks one seen: new/ → cur/ with flags. No file opened.
    fs::rename(
        md.join("new/1000.ext1.host"),
        md.join("cur/1000.ext1.host:2,S"),
    )
    .unwrap();
    let f = &s.folders().unwrap()[0];
    assert_eq!((f.total, f.unread), (2, 1));
    // Dovecot moves it to Archive (rename keeps the key): no file opened.
    fs::rename(
        md.join("cur/1000.ext1.host:2,S"),
        md.join(".Archive/cur/1000.ext1.host:2,FS"),
    )
    .unwrap();
    assert_eq!(total("INBOX"), 1);
    let a = s.list("Archive", SortColumn::Date, false, 0, 10).unwrap();
    assert_eq!(a.total, 1);
    assert!(a.items[0].flags.flagged && a.items[0].flags.seen);
    assert_eq!(a.items[0].subject, "one");
    assert_eq!(s.files_opened(), 2);
    // Removed outside.
    fs::remove_file(md.join("new/1001.ext2.host")).unwrap();
    assert_eq!(total("INBOX"), 0);
    // A folder made outside, and one removed outside.
    for sub in ["cur", "new", "tmp"] {
        fs::create_dir_all(md.join(".Outside").join(sub)).unwrap();
    }
    write_external(&md, ".Outside", "1002.ext3.host", "three");
    assert!(
        s.folders()
            .unwrap()
            .iter()
            .any(|f| f.name == "Outside" && f.total == 1)
    );
    fs::remove_dir_all(md.join(".Outside")).unwrap();
    assert!(!s.folders().unwrap().iter().any(|f| f.name == "Outside"));
    assert!(s.check().unwrap().is_empty(), "{:?}", s.check().unwrap());
}

#[test]
fn vanished_file_is_a_resync_not_an_error() {
    let t = TempUser::new();
    let s = Mailstore::open(t.path()).unwrap();
    let uid = s.deliver("INBOX", b"Subject: x\r\n\r\nx\r\n").unwrap();
    let md = t.maildir();
    let name = fs::read_dir(md.join("new"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .file_name();
    // Moved away by someone else between our sync and our access.
    fs::rename(
        md.join("new").join(&name),
        md.join(".Junk/cur")
            .join(format!("{}:2,S", name.to_string_lossy())),
    )
    .unwrap();
    assert_eq!(s.raw("INBOX", uid).unwrap(), None);
    assert_eq!(
        s.set_flags("INBOX", &[uid], &[mailstore::Flag::Flagged])
            .unwrap(),
        0
    );
    assert_eq!(s.move_to("INBOX", &[uid], "Trash").unwrap(), vec![]);
    let junk = s.list("Junk", SortColumn::Date, false, 0, 10).unwrap();
    assert_eq!(junk.total, 1);
    assert_eq!(
        s.raw("Junk", junk.items[0].uid).unwrap().unwrap(),
        b"Subject: x\r\n\r\nx\r\n"
    );
}

/// Ways to damage an index file.
fn damage(path: &Path, how: &str) {
    let mut bytes = fs::read(path).unwrap();
    match how {
        "garbage-pages" => {
            let mut i = 4096;
            while i + 4096 < bytes.len() {
                for (j, b) in bytes[i..i + 4096].iter_mut().enumerate() {
                    *b = (j as u8).wrapping_mul(31).wrapping_add(7);
                }
                i += 8192;
            }
        }
        "header-garbage" => bytes[..100].copy_from_slice(&[0xAB; 100]),
        "truncated" => bytes.truncate(bytes.len() / 2),
        "truncated-to-header" => bytes.truncate(100),
        "empty" => bytes.clear(),
        "not-sqlite" => bytes = b"this is not a database at all".repeat(200),
        _ => unreachable!(),
    }
    fs::write(path, bytes).unwrap();
}

#[test]
fn damaged_index_heals_on_open() {
    let t = TempUser::new();
    let stats = Corpus::write(t.path(), 400, 3);
    {
        let s = Mailstore::open(t.path()).unwrap();
        assert!(s.wait_ready(Some(Duration::from_secs(60))));
    }
    let index = t.path().join("index.sqlite");
    // The rebuild's thread may hold the store's last handle a moment
    // longer; the index is whole in its file once the store closed.
    let wal = t.path().join("index.sqlite-wal");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
        assert!(
            std::time::Instant::now() < deadline,
            "the store never closed"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let pristine = fs::read(&index).unwrap();
    for how in [
        "garbage-pages",
        "header-garbage",
        "truncated",
        "truncated-to-header",
        "empty",
        "not-sqlite",
        "missing",
        "old-schema",
    ] {
        fs::write(&index, &pristine).unwrap();
        match how {
            "missing" => fs::remove_file(&index).unwrap(),
            "old-schema" => {
                let c = rusqlite::Connection::open(&index).unwrap();
                c.pragma_update(None, "user_version", 0).unwrap();
            }
            _ => damage(&index, how),
        }
        let s = Mailstore::open(t.path()).unwrap();
        assert!(s.wait_ready(Some(Duration::from_secs(60))), "{how}");
        assert_matches_stats(&s, &stats);
        assert!(s.check().unwrap().is_empty(), "{how}");
        let page = s
            .list("INBOX", SortColumn::Subject, false, 0, 1000)
            .unwrap();
        assert_eq!(page.items.len() as u64, page.total, "{how}");
        if how != "missing" {
            assert!(
                t.path().join("index.sqlite.broken").exists(),
                "{how}: moved aside"
            );
        }
    }
}

#[test]
fn rebuild_whose_caller_went_away_still_commits() {
    let t = TempUser::new();
    let stats = Corpus::write(t.path(), 3000, 5);
    let index = t.path().join("index.sqlite");
    let path = t.path().to_path_buf();
    // The caller opens (starting the rebuild), sees progress, and goes away.
    std::thread::spawn(move || {
        let s = Mailstore::open(&path).unwrap();
        let p = s
            .rebuild_progress()
            .expect("large mailbox: rebuild runs in the background");
        assert!(p.total >= 2000 && p.done <= p.total);
        assert!(matches!(s.folders(), Err(mailstore::Error::Rebuilding(_))));
    })
    .join()
    .unwrap();
    let start = Instant::now();
    while !index.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(180),
            "rebuild never committed"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // Committed: read it without the crate.
    std::thread::sleep(Duration::from_millis(200));
    let c = rusqlite::Connection::open(&index).unwrap();
    let n: i64 = c
        .query_row("SELECT COUNT(*) FROM messages", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n as usize, stats.messages);
    let s = Mailstore::open(t.path()).unwrap();
    assert!(s.wait_ready(Some(Duration::from_secs(60))));
    assert_matches_stats(&s, &stats);
}

#[test]
fn reindex_reports_progress_and_equals_previous_index() {
    let t = TempUser::new();
    Corpus::write(t.path(), 500, 9);
    let s = Mailstore::open(t.path()).unwrap();
    let before = s.snapshot().unwrap();
    let mut calls = Vec::new();
    s.reindex(|p| calls.push(p)).unwrap();
    let last = calls.last().unwrap();
    assert_eq!((last.done, last.total), (500, 500));
    assert_eq!(s.snapshot().unwrap(), before);
    let uidvalidity: Vec<_> = s
        .folders()
        .unwrap()
        .into_iter()
        .map(|f| f.uidvalidity)
        .collect();
    assert!(uidvalidity.iter().all(|&v| v > 0));
}

#[test]
fn index_deleted_while_open_is_rebuilt() {
    let t = TempUser::new();
    let stats = Corpus::write(t.path(), 200, 4);
    let s = Mailstore::open(t.path()).unwrap();
    assert_matches_stats(&s, &stats);
    fs::remove_file(t.path().join("index.sqlite")).unwrap();
    let _ = fs::remove_file(t.path().join("index.sqlite-wal"));
    let again = Mailstore::open(t.path()).unwrap();
    assert!(again.wait_ready(Some(Duration::from_secs(60))));
    assert_matches_stats(&s, &stats);
    assert!(
        t.path().join("index.sqlite").exists(),
        "a new index was written"
    );
}

#[test]
fn rebuild_removes_stale_tmp_files_only() {
    let t = TempUser::new();
    Mailstore::open(t.path()).unwrap();
    let tmp = t.maildir().join("tmp");
    fs::write(tmp.join("old.partial"), b"half a message").unwrap();
    fs::write(tmp.join("fresh.partial"), b"being written").unwrap();
    let f = fs::File::options()
        .write(true)
        .open(tmp.join("old.partial"))
        .unwrap();
    f.set_modified(std::time::SystemTime::now() - Duration::from_secs(40 * 3600))
        .unwrap();
    drop(f);
    let s = Mailstore::open(t.path()).unwrap();
    s.reindex(|_| {}).unwrap();
    assert!(!tmp.join("old.partial").exists());
    assert!(tmp.join("fresh.partial").exists());
    assert_eq!(
        s.folders().unwrap()[0].total,
        0,
        "tmp/ files are never messages"
    );
}
