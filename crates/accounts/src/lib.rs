//! The user directory: mail domains, accounts, password checks, login rate
//! limits and sessions, kept in one SQLite file (`data/directory.sqlite`).
//!
//! Everything the web app needs to answer "who is this request from, and may
//! they sign in?" lives behind [`Directory`]. The crate knows nothing about
//! HTTP: callers pass a client [`IpAddr`] and a session token string, and get
//! plain data back.
//!
//! Key decisions:
//!
//! - **SQLite, one connection behind a mutex.** The directory is small and
//!   written rarely; a single connection in WAL mode with a busy timeout is
//!   simple and lets the admin command line and the server open the same file
//!   at once. Every write runs in an `IMMEDIATE` transaction. The schema is
//!   versioned with `PRAGMA user_version` and migrated forward on open; a file
//!   from a newer program is refused rather than guessed at.
//! - **Passwords are argon2id PHC strings.** Plaintext is never stored or
//!   logged. Hashing and verifying are deliberately slow, so they run *outside*
//!   the connection lock: a login in progress never blocks session lookups.
//! - **Sign-in reveals nothing.** An unknown user and a wrong password give the
//!   same [`Login::BadCredentials`], and an unknown user still costs one
//!   verification against a dummy hash so the two take similar time. A locked
//!   account is reported only after a correct password.
//! - **Rate limits are persistent.** Failures are rows in `login_failures`
//!   (time, address, client), so a restart does not reset an attacker's
//!   budget. A failure is recorded *before* the password is checked and
//!   removed on success, so concurrent guesses all count. IPv6 clients are
//!   counted per /64, the block one subscriber usually controls.
//! - **Session tokens are shown once.** A token is 32 bytes from the OS
//!   random generator, hex-encoded; only its SHA-256 is stored, so a leaked
//!   database cannot be replayed as cookies. Expiry slides, but a session row
//!   is rewritten only when less than half of its lifetime remains. An
//!   expired row grants nothing but is kept for a day, so a form posted
//!   after expiry can still be attributed to its account.
//! - **A form posted after its session ended is kept, not lost.** The
//!   expired session row names the account it belonged to (see above), so
//!   the `stash` crate can hand the form back after the
//!   next sign-in, and only to that account.
//! - **"Not found" is `None`.** Lookups return `Option`; [`Error`] is for
//!   invalid input, conflicts and storage failures.

#![deny(missing_docs)]

mod domain;
mod login;
pub use login::{ACCOUNT_FACTOR, KNOWN_FOR_SECS};
pub use userdata::{MAX_PREF_KEY, MAX_PREF_VALUE};
mod password;
mod prefs;
mod schema;
mod session;
mod user;
mod user_data;
mod validate;
pub mod zone;

#[cfg(test)]
mod tests;

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::Connection;

pub use schema::SCHEMA_VERSION;
pub use session::EXPIRED_KEPT_SECS;
pub use userdata::{JUNK_FOLDER, SenderList, UserData};

/// Everything that can go wrong in the directory.
///
/// The validation and conflict variants carry messages meant for the person
/// who typed the input (an administrator or a user); the storage variants are
/// for logs.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database could not be read or written.
    #[error("directory database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The database file or its folder could not be created.
    #[error("cannot open {}: {source}", path.display())]
    Io {
        /// The file or folder involved.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The database was written by a newer version of this program.
    #[error(
        "the directory database has schema version {found}, but this program only knows up to \
         {supported}: upgrade webmail"
    )]
    SchemaTooNew {
        /// The version found in the file.
        found: i64,
        /// The newest version this build understands.
        supported: i64,
    },
    /// The user's own data (`user.sqlite`) failed.
    #[error("{0}")]
    UserData(#[from] userdata::Error),
    /// A preference key or value over its limit (nothing was stored).
    #[error("the preference {what} is longer than {max} characters")]
    TooLong {
        /// `key` or `value`.
        what: &'static str,
        /// The limit.
        max: usize,
    },
    /// Hashing or checking a password failed, or a stored hash is malformed.
    #[error("password hashing failed: {0}")]
    PasswordHash(String),
    /// A domain name is not a valid host name.
    #[error("invalid domain name {name:?}: {reason}")]
    InvalidDomain {
        /// The name as given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The domain is already in the directory.
    #[error("domain {0} already exists")]
    DomainExists(String),
    /// The domain is not in the directory.
    #[error("unknown domain {0}: add it first with `webmail admin domain add`")]
    UnknownDomain(String),
    /// An e-mail address is not of the form `local@domain` this server accepts.
    #[error("invalid address {address:?}: {reason}")]
    InvalidAddress {
        /// The address as given.
        address: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A user with this address already exists.
    #[error("user {0} already exists")]
    UserExists(String),
    /// No user has this address.
    #[error("unknown user {0}")]
    UnknownUser(String),
    /// No account has this id (it may have been removed).
    #[error("unknown account {0}")]
    UnknownAccount(AccountId),
    /// The password is too short.
    #[error("password too short: use at least {min} characters")]
    WeakPassword {
        /// The minimum length, in characters.
        min: usize,
    },
}

/// The result type of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// The stable numeric id of an account. Every per-user store is keyed by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(pub i64);

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// A mail account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// Stable id.
    pub id: AccountId,
    /// Full address, `local@domain`, lower-case.
    pub address: String,
    /// The part before the `@`.
    pub local: String,
    /// The part after the `@`; always a domain in the directory.
    pub domain: String,
    /// What the account may do.
    pub status: model::AccountStatus,
    /// The interface the user chose last, as a default for the next sign-in.
    pub interface: model::Interface,
    /// When the account was created, in Unix seconds.
    pub created_at: i64,
}

impl Account {
    /// This account's own directory under the data root:
    /// `users/<domain>/<local>/`, holding `Maildir/`, `index.sqlite` and
    /// `user.sqlite`. Local parts and domains are validated on creation, so
    /// neither can contain a path separator or `..`.
    pub fn user_dir(&self, data_root: &Path) -> PathBuf {
        data_root.join("users").join(&self.domain).join(&self.local)
    }
}

/// Tunable limits. [`Policy::default`] gives sensible production values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// How long a session lives without use, in seconds (default 14 days).
    /// Using a session extends it.
    pub session_ttl_secs: i64,
    /// Failed sign-ins for one address from one client before each further
    /// attempt from it waits twice as long as the last (1 minute up to an
    /// hour); [`ACCOUNT_FACTOR`] times as many from all clients within the
    /// window pause clients that never signed in to the address (default 5;
    /// 0 turns both off).
    pub max_failures_per_account: u32,
    /// Failed sign-ins from one client (IPv4 address or IPv6 /64) within the
    /// window before further attempts are refused (default 20; 0 turns this
    /// limit off).
    pub max_failures_per_client: u32,
    /// The window over which failures are counted, in seconds (default 900).
    pub failure_window_secs: i64,
    /// Minimum password length in characters (default 8).
    pub min_password_len: usize,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            session_ttl_secs: 14 * 24 * 60 * 60,
            max_failures_per_account: 5,
            max_failures_per_client: 20,
            failure_window_secs: 15 * 60,
            min_password_len: 8,
        }
    }
}

/// The outcome of a sign-in attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Login {
    /// Address and password match and the account may sign in.
    Ok(Account),
    /// The address is unknown or the password is wrong; deliberately the same
    /// answer for both.
    BadCredentials,
    /// The password was right, but the account is locked.
    Locked,
    /// Too many recent failures for this address or client; the password was
    /// not checked.
    RateLimited {
        /// Seconds until an attempt may succeed again.
        retry_after_secs: i64,
    },
}

/// A freshly created session. The token exists only here: the directory keeps
/// its hash, so it must be handed to the client (as a cookie) right away.
#[derive(Clone, PartialEq, Eq)]
pub struct NewSession {
    /// The secret: 64 lower-case hex digits (32 random bytes).
    pub token: String,
    /// When the session ends unless used, in Unix seconds.
    pub expires_at: i64,
}

impl fmt::Debug for NewSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewSession")
            .field("token", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// A valid session, as found by [`Directory::session`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// Whose session it is.
    pub account: Account,
    /// The interface this session uses.
    pub interface: model::Interface,
    /// When the session ends unless used again, in Unix seconds.
    pub expires_at: i64,
    /// The account's time zone preference ([`PREF_TIME_ZONE`]), read with
    /// the session: one directory read per request.
    pub time_zone: Option<String>,
}

/// Preference key: the user's time zone (an IANA name, checked by the
/// reader with [`zone::is_zone`]).
pub const PREF_TIME_ZONE: &str = "time_zone";

/// The user directory. Cheap to clone; clones share one connection.
#[derive(Clone)]
pub struct Directory {
    inner: Arc<Inner>,
}

struct Inner {
    db: Mutex<Db>,
    policy: Policy,
    path: PathBuf,
}

/// The connection and the bookkeeping that shares its lock.
struct Db {
    conn: Connection,
    /// When old failures and expired sessions were last deleted.
    last_prune: i64,
}

impl fmt::Debug for Directory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Directory")
            .field("path", &self.inner.path)
            .field("policy", &self.inner.policy)
            .finish_non_exhaustive()
    }
}

impl Directory {
    /// Opens the directory at `path` with the default [`Policy`], creating
    /// the folder, the file and the schema as needed.
    pub fn open(path: &Path) -> Result<Directory> {
        Directory::open_with(path, Policy::default())
    }

    /// Opens the directory at `path` with the given limits.
    pub fn open_with(path: &Path, policy: Policy) -> Result<Directory> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                path: parent.to_owned(),
                source,
            })?;
        }
        let existed = path.exists();
        let mut conn = Connection::open(path)?;
        if !existed {
            restrict_permissions(path)?;
        }
        conn.busy_timeout(Duration::from_secs(5))?;
        // `journal_mode` answers with the mode now in force.
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        conn.execute_batch("PRAGMA foreign_keys = ON;")?;
        schema::migrate(&mut conn)?;
        tracing::debug!(path = %path.display(), "directory opened");
        Ok(Directory {
            inner: Arc::new(Inner {
                db: Mutex::new(Db {
                    conn,
                    last_prune: 0,
                }),
                policy,
                path: path.to_owned(),
            }),
        })
    }

    /// The limits this directory was opened with.
    pub fn policy(&self) -> &Policy {
        &self.inner.policy
    }

    /// A cheap health check: the file is readable and has the expected schema.
    pub fn check(&self) -> Result<()> {
        let db = self.lock();
        let version: i64 = db.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(Error::SchemaTooNew {
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        db.conn
            .query_row("SELECT count(*) FROM domains", [], |r| r.get::<_, i64>(0))?;
        Ok(())
    }

    /// The connection, for one short piece of work. A panic while holding the
    /// lock cannot leave a transaction open (it rolls back on drop), so a
    /// poisoned lock is still safe to use.
    fn lock(&self) -> MutexGuard<'_, Db> {
        self.inner
            .db
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The current time in Unix seconds.
fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Makes a newly created database readable by its owner only: it holds
/// password hashes.
#[cfg(unix)]
fn restrict_permissions(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(|source| {
        Error::Io {
            path: path.to_owned(),
            source,
        }
    })
}

#[cfg(not(unix))]
fn restrict_permissions(_path: &Path) -> Result<()> {
    Ok(())
}

/// The key under which failures from `client` are counted: the address
/// itself for IPv4, the /64 network for IPv6.
fn client_key(client: IpAddr) -> String {
    match client.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            let net = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
            format!("{net}/64")
        }
    }
}
