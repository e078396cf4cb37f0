//! Operator commands: domains, users and the demo environment. Each returns
//! data or a typed error; `main.rs` prints.

use accounts::{Account, Directory};
use model::AccountStatus;
use std::io::{BufRead, IsTerminal};

/// Errors from operator commands.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The directory refused (bad name, duplicate, unknown user …).
    #[error("{0}")]
    Directory(#[from] accounts::Error),
    /// No password could be read.
    #[error("{0}")]
    Password(String),
    /// The demo mailbox could not be written or indexed.
    #[error("demo mailbox: {0}")]
    Mail(#[from] mailstore::Error),
    /// A demo mailbox could not be cleared.
    #[error("cannot clear the demo mailbox {path}: {source}")]
    Clear {
        /// The directory.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Reads a new password: the first line of stdin with `--password-stdin`,
/// else asked twice on the terminal.
pub fn read_password(from_stdin: bool) -> Result<String, AdminError> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(|e| {
            AdminError::Password(format!("cannot read the password from stdin: {e}"))
        })?;
        let password = line.trim_end_matches(['\r', '\n']).to_owned();
        if password.is_empty() {
            return Err(AdminError::Password("no password on stdin".to_owned()));
        }
        return Ok(password);
    }
    if !std::io::stdin().is_terminal() {
        return Err(AdminError::Password(
            "no terminal to ask for the password: pass it on stdin with --password-stdin"
                .to_owned(),
        ));
    }
    let first = rpassword::prompt_password("New password: ")
        .map_err(|e| AdminError::Password(format!("cannot read the password: {e}")))?;
    let second = rpassword::prompt_password("Repeat password: ")
        .map_err(|e| AdminError::Password(format!("cannot read the password: {e}")))?;
    if first != second {
        return Err(AdminError::Password(
            "the two passwords differ; nothing was changed".to_owned(),
        ));
    }
    Ok(first)
}

/// One line per user for `admin user list`.
pub fn format_user(a: &Account) -> String {
    format!("{}\t{}\t{}", a.address, a.status, a.interface)
}

/// The demo domain.
pub const DEMO_DOMAIN: &str = "example.com";

/// The demo users and their passwords (the test environment is public by design).
pub const DEMO_USERS: &[(&str, &str)] = &[
    ("alice", "alice-demo-1"),
    ("bob", "bob-demo-2"),
    ("carol", "carol-demo-3"),
];

/// What `webmail demo` set up.
#[derive(Debug)]
pub struct DemoReport {
    /// The demo domain.
    pub domain: String,
    /// `(address, password)` for each demo user.
    pub logins: Vec<(String, String)>,
    /// Messages generated into the first user's mailbox.
    pub messages: usize,
}

/// Seed of the demo mailbox, so every demo looks the same.
const DEMO_SEED: u64 = 20_261_130;

/// Creates (or resets) the demo domain and its users, and fills the first
/// user's mailbox with `messages` realistic messages (the others get a
/// small one). Running it again restores the known passwords, statuses and
/// mailboxes.
pub fn demo(
    dir: &Directory,
    data_root: &std::path::Path,
    messages: usize,
) -> Result<DemoReport, AdminError> {
    if !dir.domains()?.iter().any(|d| d == DEMO_DOMAIN) {
        dir.add_domain(DEMO_DOMAIN)?;
    }
    let mut logins = Vec::new();
    for (local, password) in DEMO_USERS {
        let address = format!("{local}@{DEMO_DOMAIN}");
        match dir.find_user(&address)? {
            Some(_) => {
                dir.set_password(&address, password)?;
                dir.set_status(&address, AccountStatus::Active)?;
            }
            None => {
                dir.add_user(&address, password)?;
            }
        }
        logins.push((address, (*password).to_owned()));
    }
    for (i, (address, _)) in logins.iter().enumerate() {
        let Some(account) = dir.find_user(address)? else {
            continue;
        };
        let user_dir = account.user_dir(data_root);
        if user_dir.exists() {
            std::fs::remove_dir_all(&user_dir).map_err(|source| AdminError::Clear {
                path: user_dir.clone(),
                source,
            })?;
        }
        let n = if i == 0 { messages } else { messages.min(20) };
        if n > 0 {
            testkit::Corpus::write(&user_dir, n, DEMO_SEED + i as u64);
        }
        let store = mailstore::Mailstore::open(&user_dir)?;
        store.reindex(|_| {})?;
    }
    Ok(DemoReport {
        domain: DEMO_DOMAIN.to_owned(),
        logins,
        messages,
    })
}
