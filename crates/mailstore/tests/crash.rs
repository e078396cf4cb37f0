//! Crash test: a child process delivers, flags, moves and reindexes in a
//! loop and is killed with SIGKILL at a random moment. After every kill the
//! store is reopened and must have lost nothing, duplicated nothing, and
//! hold an index equal to a fresh rebuild.
//!
//! The child is this same test binary, re-run with `MAILSTORE_CRASH_CHILD`
//! set, executing only `crash_child`.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use mailstore::{Flag, Mailstore, SortColumn};
use rand::{Rng, SeedableRng};

const TRIALS: usize = 200;
const FRESH_DIR_EVERY: usize = 25;

fn message(n: u64) -> Vec<u8> {
    format!(
        "From: crash@example.com\r\nSubject: crash {n}\r\nMessage-ID: <crash-{n}@example.com>\r\n\
         References: <crash-{}@example.com>\r\n\r\nbody {n} wombat\r\n",
        n / 3
    )
    .into_bytes()
}

/// The child: runs until killed.
#[test]
#[ignore = "the child process of another test in this file, which runs it"]
fn crash_child() {
    let Some(dir) = std::env::var_os("MAILSTORE_CRASH_CHILD") else {
        panic!("run only as the child of another test, which sets MAILSTORE_CRASH_CHILD");
    };
    let dir = PathBuf::from(dir);
    let start: u64 = std::env::var("MAILSTORE_CRASH_START")
        .unwrap()
        .parse()
        .unwrap();
    let mut log = fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(dir.join("delivered.log"))
        .unwrap();
    let s = Mailstore::open(&dir).unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(start);
    for n in start.. {
        s.deliver("INBOX", &message(n)).unwrap();
        // One write per line: `writeln!` writes the digits and the newline
        // separately, and a kill between the two glued this number to the
        // next trial's first one (888 + 890 read as 888890, "lost").
        log.write_all(format!("{n}\n").as_bytes()).unwrap();
        match rng.gen_range(0..10) {
            0..=3 => {
                let page = s.list("INBOX", SortColumn::Arrival, true, 0, 5).unwrap();
                let uids: Vec<_> = page.items.iter().map(|m| m.uid).collect();
                s.set_flags(
                    "INBOX",
                    &uids,
                    &[Flag::Seen, Flag::Keyword("$Forwarded".into())],
                )
                .unwrap();
            }
            4..=5 => {
                let page = s.list("INBOX", SortColumn::Arrival, false, 0, 2).unwrap();
                let uids: Vec<_> = page.items.iter().map(|m| m.uid).collect();
                s.move_to("INBOX", &uids, "Archive").unwrap();
            }
            6 => {
                let page = s.list("Archive", SortColumn::Arrival, false, 0, 1).unwrap();
                let uids: Vec<_> = page.items.iter().map(|m| m.uid).collect();
                s.clear_flags("Archive", &uids, &[Flag::Seen]).unwrap();
            }
            7 if n % 4 == 0 => s.reindex(|_| {}).unwrap(),
            _ => {}
        }
    }
}

/// Message numbers found in the Maildir, with how often each occurs.
fn numbers_on_disk(maildir: &Path) -> HashMap<u64, usize> {
    let mut out = HashMap::new();
    for folder in [maildir.to_path_buf(), maildir.join(".Archive")] {
        for sub in ["new", "cur"] {
            for e in fs::read_dir(folder.join(sub)).unwrap().flatten() {
                let text = fs::read_to_string(e.path()).unwrap();
                let n: u64 = text
                    .split("Subject: crash ")
                    .nth(1)
                    .and_then(|r| r.split("\r\n").next())
                    .and_then(|n| n.parse().ok())
                    .unwrap_or_else(|| panic!("unexpected file {:?}", e.path()));
                *out.entry(n).or_default() += 1;
            }
        }
    }
    out
}

#[test]
fn killed_at_random_points_loses_and_duplicates_nothing() {
    let exe = std::env::current_exe().unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(0xC0FFEE);
    let mut tmp = tempfile::tempdir().unwrap();
    let mut next = 0u64;
    let mut killed_with_rebuild_leftover = 0;
    for trial in 0..TRIALS {
        if trial % FRESH_DIR_EVERY == 0 {
            tmp = tempfile::tempdir().unwrap();
        }
        let dir = tmp.path();
        let mut child = Command::new(&exe)
            .args([
                "crash_child",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("MAILSTORE_CRASH_CHILD", dir)
            .env("MAILSTORE_CRASH_START", next.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.gen_range(5..120)));
        child.kill().unwrap();
        child.wait().unwrap();
        if dir.join("index.sqlite.new").exists() {
            killed_with_rebuild_leftover += 1;
        }

        let logged: Vec<u64> = fs::read_to_string(dir.join("delivered.log"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.parse().ok())
            .collect();
        let s = Mailstore::open(dir).unwrap();
        assert!(s.wait_ready(Some(Duration::from_secs(60))));
        let on_disk = numbers_on_disk(&dir.join("Maildir"));
        for n in &logged {
            assert!(on_disk.contains_key(n), "trial {trial}: message {n} lost");
        }
        for (n, count) in &on_disk {
            assert_eq!(*count, 1, "trial {trial}: message {n} duplicated");
        }
        let total: u64 = s.folders().unwrap().iter().map(|f| f.total).sum();
        assert_eq!(total as usize, on_disk.len(), "trial {trial}: index count");
        assert_eq!(s.check().unwrap(), vec![], "trial {trial}");
        let indexed = s.snapshot().unwrap();
        s.reindex(|_| {}).unwrap();
        assert_eq!(
            s.snapshot().unwrap(),
            indexed,
            "trial {trial}: index differs from a rebuild"
        );
        drop(s);
        next = on_disk
            .keys()
            .max()
            .map_or(next, |m| m + 1)
            .max(logged.iter().max().map_or(0, |m| m + 1))
            + 1;
    }
    eprintln!(
        "{TRIALS} trials, {next} messages; {killed_with_rebuild_leftover} killed during a rebuild"
    );
    assert!(
        next > TRIALS as u64 * 3,
        "the child did too little work to test anything"
    );
}
