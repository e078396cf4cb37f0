//! Several request threads open a user whose index does not exist yet, all
//! at the same moment: every open and every first query succeeds (or says
//! "rebuilding" and then succeeds once ready), and all threads see the same
//! folders and messages.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use mailstore::{Error, Mailstore, Result, SortColumn};
use testkit::{Corpus, TempUser};

const TRIALS: usize = 50;
const THREADS: usize = 8;

/// Runs `f`; on [`Error::Rebuilding`] waits for the rebuild and runs it again.
fn settled<T>(s: &Mailstore, f: impl Fn(&Mailstore) -> Result<T>) -> T {
    match f(s) {
        Ok(v) => v,
        Err(Error::Rebuilding(_)) => {
            assert!(s.wait_ready(Some(Duration::from_secs(120))));
            f(s).unwrap_or_else(|e| panic!("after waiting for the rebuild: {e}"))
        }
        Err(e) => panic!("{e}"),
    }
}

/// What one thread saw: folder names with totals, and the Inbox's size.
type Seen = (Vec<(String, u64)>, u64);

fn open_and_list(dir: &Path) -> Seen {
    let s = Mailstore::open(dir).unwrap_or_else(|e| panic!("open {}: {e}", dir.display()));
    let folders = settled(&s, |s| s.folders());
    let inbox = settled(&s, |s| s.list("INBOX", SortColumn::Date, true, 0, 50));
    assert!(inbox.items.len() as u64 <= inbox.total);
    (
        folders.into_iter().map(|f| (f.name, f.total)).collect(),
        inbox.total,
    )
}

/// Opens each of `dirs` from `THREADS` threads at once (threads spread over
/// the directories), returning what the threads saw, per directory.
fn race(dirs: &[PathBuf]) -> Vec<Vec<Seen>> {
    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|i| {
            let barrier = barrier.clone();
            let d = i % dirs.len();
            let dir = dirs[d].clone();
            thread::spawn(move || {
                barrier.wait();
                (d, open_and_list(&dir))
            })
        })
        .collect();
    let mut seen = vec![Vec::new(); dirs.len()];
    for h in handles {
        let (d, s) = h.join().expect("an opening thread failed");
        seen[d].push(s);
    }
    seen
}

fn assert_agree(seen: &[Seen], messages: usize) {
    let first = &seen[0];
    for s in seen {
        assert_eq!(s, first, "threads disagree");
    }
    let all: u64 = first.0.iter().map(|(_, n)| n).sum();
    assert_eq!(all, messages as u64);
    assert!(first.0.iter().any(|(n, _)| n == "INBOX"));
}

/// A user directory: `messages` of 0 means no Maildir at all.
fn user(messages: usize, seed: u64) -> TempUser {
    let t = TempUser::new();
    if messages > 0 {
        Corpus::write(t.path(), messages, seed);
    }
    t
}

#[test]
fn concurrent_first_open_of_a_user_without_maildir() {
    for _ in 0..TRIALS {
        let t = user(0, 0);
        let seen = race(&[t.path().to_path_buf()]);
        assert_agree(&seen[0], 0);
    }
}

#[test]
fn concurrent_first_open_of_a_user_without_index() {
    for trial in 0..TRIALS {
        let t = user(8, trial as u64);
        let seen = race(&[t.path().to_path_buf()]);
        assert_agree(&seen[0], 8);
    }
}

#[test]
fn concurrent_first_open_of_two_users() {
    for trial in 0..TRIALS {
        let a = user(0, 0);
        let b = user(5, trial as u64);
        let seen = race(&[a.path().to_path_buf(), b.path().to_path_buf()]);
        assert_agree(&seen[0], 0);
        assert_agree(&seen[1], 5);
    }
}

/// As the web server does: every request opens the store, asks, and drops
/// it. A small mailbox is rebuilt before `open` returns, so no request is
/// ever told the index is being rebuilt, and none fails.
#[test]
fn concurrent_requests_reopening_a_new_user() {
    for trial in 0..10 {
        let messages = if trial % 2 == 0 { 0 } else { 20 };
        let t = user(messages, trial as u64);
        let barrier = Arc::new(Barrier::new(THREADS));
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                let dir = t.path().to_path_buf();
                let barrier = barrier.clone();
                thread::spawn(move || {
                    barrier.wait();
                    let mut errors = Vec::new();
                    for _ in 0..10 {
                        let s = match Mailstore::open(&dir) {
                            Ok(s) => s,
                            Err(e) => {
                                errors.push(format!("open: {e}"));
                                continue;
                            }
                        };
                        if let Err(e) = s.folders() {
                            errors.push(format!("folders: {e}"));
                        }
                        match s.list("INBOX", SortColumn::Date, true, 0, 50) {
                            Ok(p) if p.total > messages as u64 => {
                                errors.push(format!("list: {} messages", p.total));
                            }
                            Ok(_) => {}
                            Err(e) => errors.push(format!("list: {e}")),
                        }
                    }
                    errors
                })
            })
            .collect();
        for h in handles {
            let errors = h.join().expect("a request thread failed");
            assert!(errors.is_empty(), "trial {trial}: {errors:?}");
        }
        let s = Mailstore::open(t.path()).unwrap();
        let all: u64 = s.folders().unwrap().iter().map(|f| f.total).sum();
        assert_eq!(all, messages as u64);
    }
}
