//! Indexes a user directory (`USER/Maildir`) and reports how long it took.
//!
//! ```text
//! cargo run --release -p mailstore --example index_dir -- USER_DIR            # bulk build
//! cargo run --release -p mailstore --example index_dir -- USER_DIR --arrive SRC
//! ```
//!
//! With `--arrive SRC`, the index is created on an empty Inbox first and the
//! files of the Maildir `SRC` (its `cur/` and `new/`) are then moved into the
//! Inbox in batches of `--batch N` (default 1000), each followed by a sync:
//! the path mail takes when it arrives while the index is live. The index
//! stays in `USER_DIR/index.sqlite` for inspection.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use mailstore::Mailstore;

fn peak_rss_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .unwrap_or(0)
        / 1024
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The rebuild logs its phases (`index built`) at info.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "mailstore=info".into()),
        )
        .init();
    let mut args = std::env::args().skip(1);
    let user_dir = PathBuf::from(
        args.next()
            .ok_or("usage: index_dir USER_DIR [--arrive SRC] [--batch N]")?,
    );
    let mut arrive: Option<PathBuf> = None;
    let mut batch = 1000usize;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--arrive" => {
                arrive = Some(PathBuf::from(
                    args.next().ok_or("--arrive needs a Maildir")?,
                ))
            }
            "--batch" => batch = args.next().ok_or("--batch needs a number")?.parse()?,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let started = Instant::now();
    let store = Mailstore::open(&user_dir)?;
    if !store.wait_ready(Some(Duration::from_secs(24 * 3600))) {
        return Err("the index did not become ready".into());
    }
    eprintln!("opened in {:.2} s", started.elapsed().as_secs_f64());
    if let Some(src) = arrive {
        let inbox_cur = user_dir.join("Maildir/cur");
        let mut files: Vec<PathBuf> = Vec::new();
        for sub in ["cur", "new"] {
            for e in std::fs::read_dir(src.join(sub))? {
                files.push(e?.path());
            }
        }
        files.sort();
        let arrive_started = Instant::now();
        let mut added = 0u64;
        for chunk in files.chunks(batch.max(1)) {
            for f in chunk {
                let name = f.file_name().ok_or("no file name")?;
                let mut to = name.to_string_lossy().into_owned();
                if !to.contains(":2,") {
                    to.push_str(":2,");
                }
                std::fs::rename(f, inbox_cur.join(to))?;
            }
            // Directory mtimes are trusted only once they are a second old.
            std::thread::sleep(Duration::from_millis(1100));
            added += store.sync()?.added;
        }
        eprintln!(
            "arrived {added} messages in {:.2} s (including {:.1} s of waits for mtimes)",
            arrive_started.elapsed().as_secs_f64(),
            files.len().div_ceil(batch.max(1)) as f64 * 1.1
        );
    }
    let total: u64 = store.folders()?.iter().map(|f| f.total).sum();
    println!(
        "{total} messages, {:.2} s, peak RSS {} MB",
        started.elapsed().as_secs_f64(),
        peak_rss_mb()
    );
    Ok(())
}
