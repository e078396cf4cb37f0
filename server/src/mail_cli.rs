//! `webmail deliver`, `reindex`, `check` and `purge-retention`: the
//! mailstore from the command line, for the MTA and for operators.

use crate::Config;
use anyhow::{Context, Result, bail};
use std::io::{IsTerminal, Read, Write};

/// sysexits(3) codes a local delivery agent answers with.
pub mod exit {
    /// Delivered.
    pub const OK: i32 = 0;
    /// The message or folder name was unacceptable (EX_DATAERR).
    pub const DATAERR: i32 = 65;
    /// No such user (EX_NOUSER): the MTA bounces.
    pub const NOUSER: i32 = 67;
    /// Try again later (EX_TEMPFAIL): the MTA keeps the message queued.
    pub const TEMPFAIL: i32 = 75;
}

/// Delivers stdin to `address`; returns the process exit code. Nothing is
/// delivered unless the answer is 0, so the MTA may safely retry on 75.
pub fn deliver(config: &Config, address: &str, folder: Option<&str>) -> i32 {
    let dir = match crate::open_directory(config) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("webmail deliver: temporary failure: {e}");
            return exit::TEMPFAIL;
        }
    };
    let account = match dir.find_user(address) {
        Ok(Some(a)) => a,
        Ok(None) => {
            eprintln!("webmail deliver: unknown user {}", address.trim());
            return exit::NOUSER;
        }
        Err(e) => {
            eprintln!("webmail deliver: temporary failure: {e}");
            return exit::TEMPFAIL;
        }
    };
    let mut message = Vec::new();
    if let Err(e) = std::io::stdin()
        .take(mail::MAX_MESSAGE as u64 + 1)
        .read_to_end(&mut message)
    {
        eprintln!("webmail deliver: cannot read the message: {e}");
        return exit::TEMPFAIL;
    }
    // The account's lists decide the folder unless the MTA named one (a
    // sieve-like rule), as on every other delivery path.
    match mail::deliver(&dir, &config.data_dir, &account, &message, folder) {
        Ok(_) => {
            // The message is safe in the Maildir. If opening the index
            // started a rebuild, it is a thread of this process: let it
            // finish rather than throw it away.
            if let Ok(store) = mailstore::Mailstore::open(&account.user_dir(&config.data_dir)) {
                // Not the background check: it reads the whole index, and
                // made every delivery into a large mailbox take seconds.
                while !store.wait_rebuilt(Some(std::time::Duration::from_secs(1))) {}
            }
            exit::OK
        }
        Err(e) if e.is_temporary() => {
            eprintln!("webmail deliver: temporary failure: {e}");
            exit::TEMPFAIL
        }
        Err(e) => {
            eprintln!("webmail deliver: {e}");
            exit::DATAERR
        }
    }
}

fn user_dir(config: &Config, address: &str) -> Result<std::path::PathBuf> {
    let dir = crate::open_directory(config)?;
    match dir.find_user(address)? {
        Some(account) => Ok(account.user_dir(&config.data_dir)),
        None => bail!("unknown user {}", address.trim()),
    }
}

/// Draws `p` as a bar on stderr when it is a terminal.
fn draw(p: mailstore::Progress, what: &str, last: &mut Option<u64>) {
    if !std::io::stderr().is_terminal() || p.total == 0 {
        return;
    }
    let pct = p.done.min(p.total) * 100 / p.total;
    if *last == Some(pct) {
        return;
    }
    *last = Some(pct);
    let filled = (pct / 4) as usize;
    eprint!(
        "\r{what} [{}{}] {pct:3}% {}/{} messages",
        "#".repeat(filled),
        " ".repeat(25 - filled),
        p.done,
        p.total
    );
    let _ = std::io::stderr().flush();
}

/// Waits for a rebuild of `store`'s index running in this process, drawing
/// its progress on a terminal. A rebuild is a thread of the process that
/// opened the store: a command that exits before it ends throws it away, and
/// the next open starts again from nothing.
fn wait_for_rebuild(store: &mailstore::Mailstore) {
    let mut last = None;
    let mut drew = false;
    while !store.wait_ready(Some(std::time::Duration::from_millis(200))) {
        if let Some(p) = store.rebuild_progress() {
            draw(p, "rebuilding the index", &mut last);
            drew = last.is_some();
        }
    }
    if drew {
        eprintln!();
    }
}

/// Opens the user's mailbox the way the server does (healing a damaged
/// index) and waits until its index is ready.
fn open_ready(dir: &std::path::Path, address: &str) -> Result<mailstore::Mailstore> {
    let started = std::time::Instant::now();
    let store = loop {
        match mailstore::Mailstore::open(dir) {
            // Another process is rebuilding it: wait for that one.
            Err(mailstore::Error::Rebuilding(_)) if started.elapsed().as_secs() < 6 * 3600 => {
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
            other => {
                break other.with_context(|| format!("cannot open the mailbox of {address}"))?;
            }
        }
    };
    wait_for_rebuild(&store);
    Ok(store)
}

/// Runs `work` on a ready store; when the work finds the index damaged (and
/// a rebuild starts), waits for the rebuild and runs it again, a few times.
fn with_ready<T>(
    store: &mailstore::Mailstore,
    mut work: impl FnMut(&mailstore::Mailstore) -> mailstore::Result<T>,
) -> mailstore::Result<T> {
    let mut attempts = 0;
    loop {
        match work(store) {
            Err(mailstore::Error::Rebuilding(_)) if attempts < 3 => {
                attempts += 1;
                wait_for_rebuild(store);
            }
            other => return other,
        }
    }
}

/// Rebuilds the index from the Maildir, drawing a progress bar on a terminal.
/// A mailbox without an index is built once, by opening it, not built on
/// opening and then again.
pub fn reindex(config: &Config, address: &str) -> Result<()> {
    let dir = user_dir(config, address)?;
    let started = std::time::Instant::now();
    let missing = !dir.join("index.sqlite").exists();
    let store = open_ready(&dir, address)?;
    let tty = std::io::stderr().is_terminal();
    let total = if missing {
        with_ready(&store, |s| s.folders())
            .with_context(|| format!("reading the mailbox of {address} failed"))?
            .iter()
            .map(|f| f.total)
            .sum()
    } else {
        let mut last = None;
        let mut total = 0;
        store
            .reindex(|p| {
                total = p.total;
                draw(p, "reindexing", &mut last);
            })
            .with_context(|| format!("reindexing the mailbox of {address} failed"))?;
        if tty {
            eprintln!();
        }
        total
    };
    if !tty {
        eprintln!("{total}/{total} messages");
    }
    println!(
        "{} {} in {:.1} s",
        if missing {
            "indexed (the index was missing and was built on opening)"
        } else {
            "reindexed"
        },
        address.trim().to_lowercase(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Differences between the index and the Maildir, after opening the store
/// the way the server does and waiting for any rebuild that starts.
pub fn check(config: &Config, address: &str) -> Result<Vec<String>> {
    let dir = user_dir(config, address)?;
    let store = open_ready(&dir, address)?;
    Ok(with_ready(&store, |s| s.check())
        .context("comparing the index with the Maildir failed")?
        .iter()
        .map(|d| format!("{d:?}"))
        .collect())
}

/// Purges every user's deleted messages older than `retention_days` (what
/// the server does by itself every few hours); prints what it did.
pub fn purge_retention(config: &Config) -> Result<()> {
    let dir = crate::open_directory(config)?;
    let purged = mail::retention::purge(&dir, &config.data_dir, config.retention_days)
        .context("purging the retention areas failed")?;
    println!(
        "purged {} message(s) deleted {} or more days ago, from {} user(s) with deleted mail{}",
        purged.messages,
        config.retention_days,
        purged.users,
        if purged.skipped > 0 {
            format!(
                "; {} user(s) skipped until the next purge (see the log)",
                purged.skipped
            )
        } else {
            String::new()
        }
    );
    Ok(())
}
