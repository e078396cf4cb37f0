//! Another process (standing in for Dovecot or an MTA) renames, moves,
//! delivers and removes files while we list, flag and move. We never fail,
//! and afterwards the index agrees with the Maildir.
//!
//! The other process is this test binary re-run with
//! `MAILSTORE_OTHER_WRITER` set, executing only `other_writer_child`.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mailstore::{Flag, Mailstore, SortColumn};
use rand::{Rng, SeedableRng};
use testkit::{Corpus, TempUser};

/// The other process: works until `stop` appears, then prints its count.
#[test]
#[ignore = "the child process of another test in this file, which runs it"]
fn other_writer_child() {
    let Some(maildir) = std::env::var_os("MAILSTORE_OTHER_WRITER") else {
        panic!("run only as the child of another test, which sets MAILSTORE_OTHER_WRITER");
    };
    let maildir = Path::new(&maildir);
    let ops = other_writer(maildir, &|| maildir.join("stop").exists());
    println!("ops={ops}");
}

fn other_writer(maildir: &Path, stop: &dyn Fn() -> bool) -> usize {
    let mut rng = rand::rngs::StdRng::seed_from_u64(99);
    let folders = [
        maildir.to_path_buf(),
        maildir.join(".Archive"),
        maildir.join(".Lists.rust"),
    ];
    let mut ops = 0;
    let mut n = 0;
    while !stop() {
        let from = &folders[rng.gen_range(0..folders.len())];
        let names: Vec<_> = fs::read_dir(from.join("cur"))
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        if names.is_empty() {
            continue;
        }
        let name = &names[rng.gen_range(0..names.len())];
        let key = name.split(':').next().unwrap();
        let r = match rng.gen_range(0..5) {
            // Flag change.
            0 | 1 => {
                let flags = ["", "S", "FS", "RS", "T"][rng.gen_range(0..5)];
                fs::rename(
                    from.join("cur").join(name),
                    from.join("cur").join(format!("{key}:2,{flags}")),
                )
            }
            // Move to another folder.
            2 => {
                let to = &folders[rng.gen_range(0..folders.len())];
                fs::rename(from.join("cur").join(name), to.join("cur").join(name))
            }
            // New delivery.
            3 => {
                n += 1;
                let tmp = from.join("tmp").join(format!("9{n}.other.host"));
                fs::write(&tmp, format!("Subject: other {n}\r\n\r\nx\r\n")).unwrap();
                fs::rename(&tmp, from.join("new").join(format!("9{n}.other.host")))
            }
            // Removal.
            _ => fs::remove_file(from.join("cur").join(name)),
        };
        if r.is_ok() {
            ops += 1;
        }
    }
    ops
}

#[test]
fn another_writer_never_makes_us_fail() {
    let t = TempUser::new();
    Corpus::write(t.path(), 800, 21);
    let s = Mailstore::open(t.path()).unwrap();
    let child = Command::new(std::env::current_exe().unwrap())
        .args([
            "other_writer_child",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("MAILSTORE_OTHER_WRITER", t.maildir())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let start = Instant::now();
    let mut rounds = 0;
    while start.elapsed() < Duration::from_secs(4) {
        rounds += 1;
        let folder = ["INBOX", "Archive", "Lists/rust"][rng.gen_range(0..3)];
        let page = s
            .list(
                folder,
                SortColumn::ALL[rng.gen_range(0..9)],
                rng.r#gen(),
                0,
                20,
            )
            .unwrap();
        let uids: Vec<_> = page.items.iter().map(|m| m.uid).take(3).collect();
        match rng.gen_range(0..4) {
            0 => {
                s.set_flags(folder, &uids, &[Flag::Flagged]).unwrap();
            }
            1 => {
                s.clear_flags(folder, &uids, &[Flag::Seen]).unwrap();
            }
            2 => {
                s.move_to(folder, &uids[..uids.len().min(1)], "Archive")
                    .unwrap();
            }
            _ => {
                for u in &uids {
                    s.raw(folder, *u).unwrap();
                }
            }
        }
        s.folders().unwrap();
    }
    fs::write(t.maildir().join("stop"), b"").unwrap();
    let out = child.wait_with_output().unwrap();
    let out = String::from_utf8_lossy(&out.stdout);
    let ops: usize = out
        .split("ops=")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("other writer output: {out}"));
    assert!(ops > 100 && rounds > 20, "ops {ops}, rounds {rounds}");
    // Let directory mtimes settle, then everything must agree.
    std::thread::sleep(Duration::from_millis(1100));
    s.sync().unwrap();
    assert_eq!(s.check().unwrap(), vec![]);
    let indexed = s.snapshot().unwrap();
    s.reindex(|_| {}).unwrap();
    assert_eq!(s.snapshot().unwrap(), indexed);
}
