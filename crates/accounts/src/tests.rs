//! Behaviour of the directory against real SQLite files.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use model::{AccountStatus, Interface};
use tempfile::TempDir;

use crate::*;

const PW: &str = "correct horse battery";
const T: i64 = 1_700_000_000;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

struct Fixture {
    _tmp: TempDir,
    path: PathBuf,
    dir: Directory,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture::with(Policy::default())
    }

    fn with(policy: Policy) -> Fixture {
        let tmp = TempDir::new().unwrap();
        let path = tmp.path().join("data").join("directory.sqlite");
        let dir = Directory::open_with(&path, policy).unwrap();
        dir.add_domain("example.com").unwrap();
        Fixture {
            _tmp: tmp,
            path,
            dir,
        }
    }

    fn alice(&self) -> Account {
        self.dir.add_user("alice@example.com", PW).unwrap()
    }

    fn raw(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.path).unwrap()
    }

    fn count(&self, sql: &str) -> i64 {
        self.raw().query_row(sql, [], |r| r.get(0)).unwrap()
    }
}

/// The bytes of the database and its WAL.
fn file_bytes(path: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(path).unwrap();
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    if let Ok(more) = std::fs::read(PathBuf::from(wal)) {
        bytes.extend(more);
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn directory_is_shareable() {
    fn assert_send_sync_clone<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync_clone::<Directory>();
}

#[test]
fn open_creates_folder_schema_and_wal() {
    let tmp = TempDir::new().unwrap();
    let path = tmp.path().join("a").join("b").join("directory.sqlite");
    let dir = Directory::open(&path).unwrap();
    dir.check().unwrap();
    assert!(path.is_file());
    assert_eq!(SCHEMA_VERSION, 4);

    let raw = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = raw
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let mode: String = raw
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let mut tables: Vec<String> = raw
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    tables.retain(|t| !t.starts_with("sqlite_"));
    assert_eq!(
        tables,
        [
            "accounts",
            "domains",
            "known_clients",
            "login_failures",
            "prefs",
            "sender_lists",
            "sessions"
        ]
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // Opening again is a no-op for the schema.
    drop(dir);
    let dir = Directory::open(&path).unwrap();
    dir.check().unwrap();
}

#[test]
fn newer_schema_is_refused() {
    let tmp = TempDir::new().unwrap();
    let path = tmp.path().join("directory.sqlite");
    drop(Directory::open(&path).unwrap());
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let err = Directory::open(&path).unwrap_err();
    assert!(
        matches!(
            err,
            Error::SchemaTooNew {
                found: 99,
                supported: SCHEMA_VERSION
            }
        ),
        "{err:?}"
    );
}

#[test]
fn open_reports_unusable_path() {
    let tmp = TempDir::new().unwrap();
    let file = tmp.path().join("file");
    std::fs::write(&file, b"not a folder").unwrap();
    let err = Directory::open(&file.join("directory.sqlite")).unwrap_err();
    assert!(
        matches!(err, Error::Io { ref path, .. } if *path == file),
        "{err:?}"
    );
}

#[test]
fn domains_add_list_and_duplicates() {
    let f = Fixture::new();
    f.dir.add_domain(" Mail.Example.ORG ").unwrap();
    f.dir.add_domain("b.example").unwrap();
    assert_eq!(
        f.dir.domains().unwrap(),
        ["b.example", "example.com", "mail.example.org"]
    );

    for dup in [
        "example.com",
        "EXAMPLE.com",
        " example.com.",
        "mail.example.org",
    ] {
        let err = f.dir.add_domain(dup).unwrap_err();
        assert!(matches!(err, Error::DomainExists(_)), "{dup:?}: {err:?}");
    }
    assert_eq!(
        f.dir.add_domain("Example.com").unwrap_err().to_string(),
        "domain example.com already exists"
    );
    for bad in ["", "example", "exa mple.com", "-x.com", "1.2.3.4"] {
        let err = f.dir.add_domain(bad).unwrap_err();
        assert!(
            matches!(err, Error::InvalidDomain { .. }),
            "{bad:?}: {err:?}"
        );
    }
    assert_eq!(f.dir.domains().unwrap().len(), 3);
}

#[test]
fn add_user_validation() {
    let f = Fixture::new();
    f.alice();
    type Check = fn(&Error) -> bool;
    let cases: &[(&str, &str, Check)] = &[
        (
            "alice@example.com",
            PW,
            |e| matches!(e, Error::UserExists(a) if a == "alice@example.com"),
        ),
        (" ALICE@Example.com ", PW, |e| {
            matches!(e, Error::UserExists(_))
        }),
        (
            "bob@example.org",
            PW,
            |e| matches!(e, Error::UnknownDomain(d) if d == "example.org"),
        ),
        ("bob", PW, |e| matches!(e, Error::InvalidAddress { .. })),
        ("bob@", PW, |e| matches!(e, Error::InvalidAddress { .. })),
        ("b..ob@example.com", PW, |e| {
            matches!(e, Error::InvalidAddress { .. })
        }),
        ("bob@example.com", "short", |e| {
            matches!(e, Error::WeakPassword { min: 8 })
        }),
        ("bob@example.com", "", |e| {
            matches!(e, Error::WeakPassword { min: 8 })
        }),
    ];
    for (address, password, check) in cases {
        let err = f.dir.add_user(address, password).unwrap_err();
        assert!(check(&err), "{address:?}/{password:?}: {err:?}");
    }
    // Only alice made it.
    let all = f.dir.users(None).unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(
        f.dir
            .add_user("bob@example.org", PW)
            .unwrap_err()
            .to_string(),
        "unknown domain example.org: add it first with `webmail admin domain add`"
    );
}

#[test]
fn add_user_returns_canonical_account() {
    let f = Fixture::new();
    let before = now();
    let bob = f.dir.add_user("  Bob.Smith+x@EXAMPLE.com", PW).unwrap();
    assert_eq!(bob.address, "bob.smith+x@example.com");
    assert_eq!(bob.local, "bob.smith+x");
    assert_eq!(bob.domain, "example.com");
    assert_eq!(bob.status, AccountStatus::Active);
    assert_eq!(bob.interface, Interface::Standard);
    assert!(bob.created_at >= before && bob.created_at <= now());
    assert_eq!(f.dir.account(bob.id).unwrap(), Some(bob.clone()));
    assert_eq!(
        f.dir.find_user("BOB.SMITH+X@example.COM").unwrap(),
        Some(bob)
    );
}

#[test]
fn password_is_stored_hashed() {
    let f = Fixture::new();
    f.alice();
    let stored: String = f
        .raw()
        .query_row("SELECT password_hash FROM accounts", [], |r| r.get(0))
        .unwrap();
    assert!(stored.starts_with("$argon2id$"), "{stored}");
    assert!(!contains(&file_bytes(&f.path), PW));
}

#[test]
fn users_listing_and_lookup() {
    let f = Fixture::new();
    f.dir.add_domain("example.org").unwrap();
    for a in ["zed@example.com", "amy@example.org", "bob@example.com"] {
        f.dir.add_user(a, PW).unwrap();
    }
    f.dir.add_domain("empty.example").unwrap();
    let addrs = |v: Vec<Account>| v.into_iter().map(|a| a.address).collect::<Vec<_>>();
    assert_eq!(
        addrs(f.dir.users(None).unwrap()),
        ["amy@example.org", "bob@example.com", "zed@example.com"]
    );
    assert_eq!(
        addrs(f.dir.users(Some("Example.COM")).unwrap()),
        ["bob@example.com", "zed@example.com"]
    );
    assert!(f.dir.users(Some("empty.example")).unwrap().is_empty());
    let err = f.dir.users(Some("nowhere.example")).unwrap_err();
    assert!(
        matches!(err, Error::UnknownDomain(ref d) if d == "nowhere.example"),
        "{err:?}"
    );

    assert_eq!(f.dir.find_user("nobody@example.com").unwrap(), None);
    assert_eq!(f.dir.find_user("not an address").unwrap(), None);
    assert_eq!(f.dir.account(AccountId(9999)).unwrap(), None);
}

#[test]
fn authenticate_answers() {
    let f = Fixture::new();
    let alice = f.alice();
    let client = ip("192.0.2.1");
    let cases: &[(&str, &str, Option<&Account>)] = &[
        ("alice@example.com", PW, Some(&alice)),
        (" Alice@Example.COM ", PW, Some(&alice)),
        ("alice@example.com", "wrong password", None),
        ("alice@example.com", "", None),
        ("alice@example.com", &PW.to_uppercase(), None),
        ("nobody@example.com", PW, None),
        ("alice@example.org", PW, None),
        ("not an address", PW, None),
        ("", "", None),
    ];
    for (address, password, want) in cases {
        let got = f.dir.authenticate(address, password, client).unwrap();
        let want = match want {
            Some(account) => Login::Ok((*account).clone()),
            None => Login::BadCredentials,
        };
        assert_eq!(got, want, "{address:?}/{password:?}");
    }
}

#[test]
fn failures_are_recorded_without_passwords() {
    let f = Fixture::new();
    f.alice();
    let secret = "hunter2-not-the-password";
    f.dir
        .authenticate_at("alice@example.com", secret, ip("192.0.2.1"), T)
        .unwrap();
    f.dir
        .authenticate_at("nobody@example.com", secret, ip("192.0.2.1"), T)
        .unwrap();
    assert_eq!(f.count("SELECT count(*) FROM login_failures"), 2);
    assert!(!contains(&file_bytes(&f.path), secret));
}

#[test]
fn one_client_guessing_one_address_waits_longer_each_time() {
    let f = Fixture::new();
    f.alice();
    let a = "alice@example.com";
    let guesser = ip("203.0.113.5");
    for i in 0..5 {
        assert_eq!(
            f.dir.authenticate_at(a, "wrong", guesser, T + i).unwrap(),
            Login::BadCredentials
        );
    }
    // Paused a minute after the fifth failure, even with the right
    // password, in any case of the address.
    assert_eq!(
        f.dir.authenticate_at(a, PW, guesser, T + 10).unwrap(),
        Login::RateLimited {
            retry_after_secs: 54
        }
    );
    assert_eq!(
        f.dir
            .authenticate_at("ALICE@example.com", PW, guesser, T + 63)
            .unwrap(),
        Login::RateLimited {
            retry_after_secs: 1
        }
    );
    // Refused attempts are not counted and do not extend the pause.
    assert_eq!(f.count("SELECT count(*) FROM login_failures"), 5);
    // Each further failure doubles the pause: 2, 4, 8 … minutes, at most an
    // hour.
    let mut at = T + 4;
    for pause in [60, 120, 240, 480, 960, 1920, 3600, 3600] {
        at += pause;
        assert!(
            matches!(
                f.dir.authenticate_at(a, PW, guesser, at - 1).unwrap(),
                Login::RateLimited { .. }
            ),
            "{pause}"
        );
        assert_eq!(
            f.dir.authenticate_at(a, "wrong", guesser, at).unwrap(),
            Login::BadCredentials,
            "{pause}"
        );
    }
    // Meanwhile the owner, from anywhere else, signs in as usual.
    assert!(matches!(
        f.dir
            .authenticate_at(a, PW, ip("198.51.100.9"), at)
            .unwrap(),
        Login::Ok(_)
    ));
    // And the owner's success does not reset the guesser's count.
    assert!(matches!(
        f.dir.authenticate_at(a, PW, guesser, at + 1).unwrap(),
        Login::RateLimited { .. }
    ));
    // The right password once the pause is over: in, and the count cleared.
    assert!(matches!(
        f.dir.authenticate_at(a, PW, guesser, at + 3600).unwrap(),
        Login::Ok(_)
    ));
    for i in 0..4 {
        assert_eq!(
            f.dir
                .authenticate_at(a, "wrong", guesser, at + 3601 + i)
                .unwrap(),
            Login::BadCredentials
        );
    }
}

#[test]
fn strangers_cannot_lock_the_owner_out() {
    let f = Fixture::new();
    f.alice();
    let a = "alice@example.com";
    let home = ip("192.0.2.200");
    let long_ago = ip("192.0.2.201");
    // The owner signed in from long_ago once, months ago, and from home
    // recently.
    assert!(matches!(
        f.dir
            .authenticate_at(a, PW, long_ago, T - KNOWN_FOR_SECS - 1)
            .unwrap(),
        Login::Ok(_)
    ));
    assert!(matches!(
        f.dir.authenticate_at(a, PW, home, T - 3600).unwrap(),
        Login::Ok(_)
    ));
    // Many clients guess, a few times each: 50 failures in the window.
    let limit = 5 * ACCOUNT_FACTOR;
    for i in 0..limit {
        let client = ip(&format!("203.0.{}.{}", i / 4, i % 4));
        assert_eq!(
            f.dir
                .authenticate_at(a, "wrong", client, T + i64::from(i))
                .unwrap(),
            Login::BadCredentials,
            "{i}"
        );
    }
    // A client the address does not know is paused until the oldest of
    // them leaves the window...
    assert_eq!(
        f.dir
            .authenticate_at(a, PW, ip("198.51.100.9"), T + 100)
            .unwrap(),
        Login::RateLimited {
            retry_after_secs: 800
        }
    );
    // ...but the owner's own client still signs in with the right password.
    assert!(matches!(
        f.dir.authenticate_at(a, PW, home, T + 100).unwrap(),
        Login::Ok(_)
    ));
    // A client known long ago is a stranger again.
    assert!(matches!(
        f.dir.authenticate_at(a, PW, long_ago, T + 101).unwrap(),
        Login::RateLimited { .. }
    ));
}

#[test]
fn unknown_users_are_limited_the_same_way() {
    let f = Fixture::new();
    for i in 0..5 {
        f.dir
            .authenticate_at("ghost@example.com", "x", ip("192.0.2.1"), T + i)
            .unwrap();
    }
    assert_eq!(
        f.dir
            .authenticate_at("ghost@example.com", "x", ip("192.0.2.1"), T + 10)
            .unwrap(),
        Login::RateLimited {
            retry_after_secs: 54
        }
    );
    // Another client is not paused by them.
    assert_eq!(
        f.dir
            .authenticate_at("ghost@example.com", "x", ip("192.0.2.2"), T + 10)
            .unwrap(),
        Login::BadCredentials
    );
}

#[test]
fn rate_limit_per_client() {
    let f = Fixture::with(Policy {
        max_failures_per_client: 3,
        ..Policy::default()
    });
    f.alice();
    let attacker = ip("203.0.113.7");
    for (i, user) in ["a", "b", "c"].iter().enumerate() {
        assert_eq!(
            f.dir
                .authenticate_at(&format!("{user}@example.com"), "x", attacker, T + i as i64)
                .unwrap(),
            Login::BadCredentials
        );
    }
    assert_eq!(
        f.dir
            .authenticate_at("alice@example.com", PW, attacker, T + 3)
            .unwrap(),
        Login::RateLimited {
            retry_after_secs: 897
        }
    );
    // Another client is unaffected.
    assert!(matches!(
        f.dir
            .authenticate_at("alice@example.com", PW, ip("203.0.113.8"), T + 3)
            .unwrap(),
        Login::Ok(_)
    ));
    // Alice's success does not clear the attacker's failures.
    assert!(matches!(
        f.dir
            .authenticate_at("alice@example.com", PW, attacker, T + 4)
            .unwrap(),
        Login::RateLimited { .. }
    ));
    // After the window the client may try again.
    assert!(matches!(
        f.dir
            .authenticate_at("alice@example.com", PW, attacker, T + 900)
            .unwrap(),
        Login::Ok(_)
    ));
}

#[test]
fn ipv6_clients_count_per_64() {
    let f = Fixture::with(Policy {
        max_failures_per_client: 2,
        ..Policy::default()
    });
    f.alice();
    for (n, client) in ["2001:db8:1:2::1", "2001:db8:1:2:ffff::9"]
        .iter()
        .enumerate()
    {
        f.dir
            .authenticate_at(&format!("u{n}@example.com"), "x", ip(client), T)
            .unwrap();
    }
    let cases = [
        ("2001:db8:1:2::abcd", true),
        ("2001:db8:1:3::1", false),
        ("192.0.2.1", false),
        // The same IPv4 client seen through a mapped address counts as IPv4.
        ("::ffff:192.0.2.1", false),
    ];
    for (client, limited) in cases {
        let got = f
            .dir
            .authenticate_at("alice@example.com", PW, ip(client), T + 1)
            .unwrap();
        assert_eq!(
            matches!(got, Login::RateLimited { .. }),
            limited,
            "{client}: {got:?}"
        );
    }
    assert_eq!(client_key(ip("::ffff:192.0.2.1")), "192.0.2.1");
    assert_eq!(client_key(ip("2001:db8:1:2:3:4:5:6")), "2001:db8:1:2::/64");
}

#[test]
fn rate_limit_survives_reopen() {
    let f = Fixture::new();
    f.alice();
    for i in 0..5 {
        f.dir
            .authenticate_at("alice@example.com", "wrong", ip("192.0.2.1"), T + i)
            .unwrap();
    }
    drop(f.dir.clone());
    let reopened = Directory::open(&f.path).unwrap();
    assert!(matches!(
        reopened
            .authenticate_at("alice@example.com", PW, ip("192.0.2.1"), T + 5)
            .unwrap(),
        Login::RateLimited { .. }
    ));
}

#[test]
fn concurrent_guesses_all_count() {
    let f = Fixture::new();
    f.alice();
    // One client guessing in parallel: every guess counts.
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let dir = f.dir.clone();
            std::thread::spawn(move || {
                dir.authenticate_at("alice@example.com", "wrong", ip("192.0.2.1"), T)
                    .unwrap()
            })
        })
        .collect();
    let results: Vec<Login> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let bad = results
        .iter()
        .filter(|r| **r == Login::BadCredentials)
        .count();
    let limited = results
        .iter()
        .filter(|r| matches!(r, Login::RateLimited { .. }))
        .count();
    assert_eq!((bad, limited), (5, 3), "{results:?}");
}

#[test]
fn old_failures_and_sessions_are_pruned() {
    let f = Fixture::new();
    let alice = f.alice();
    f.dir
        .authenticate_at("alice@example.com", "wrong", ip("192.0.2.1"), T)
        .unwrap();
    f.dir
        .create_session_at(alice.id, Interface::Standard, T)
        .unwrap();
    assert_eq!(f.count("SELECT count(*) FROM login_failures"), 1);
    assert_eq!(f.count("SELECT count(*) FROM sessions"), 1);
    let later = T + Policy::default().session_ttl_secs + 1;
    f.dir
        .authenticate_at("nobody@example.com", "x", ip("192.0.2.2"), later)
        .unwrap();
    // Only the attempt just made is left; the expired session is kept a
    // while longer, to say whose it was.
    assert_eq!(f.count("SELECT count(*) FROM login_failures"), 1);
    assert_eq!(f.count("SELECT count(*) FROM sessions"), 1);
    f.dir
        .authenticate_at(
            "nobody@example.com",
            "x",
            ip("192.0.2.2"),
            later + EXPIRED_KEPT_SECS,
        )
        .unwrap();
    assert_eq!(f.count("SELECT count(*) FROM sessions"), 0);
}

#[test]
fn locked_account() {
    let f = Fixture::new();
    let alice = f.alice();
    let s = f.dir.create_session(alice.id, Interface::Standard).unwrap();
    f.dir
        .set_status("Alice@Example.com", AccountStatus::Locked)
        .unwrap();
    assert_eq!(f.dir.session(&s.token).unwrap(), None);
    assert_eq!(f.count("SELECT count(*) FROM sessions"), 0);

    let client = ip("192.0.2.1");
    assert_eq!(
        f.dir
            .authenticate("alice@example.com", "wrong", client)
            .unwrap(),
        Login::BadCredentials
    );
    assert_eq!(
        f.dir.authenticate("alice@example.com", PW, client).unwrap(),
        Login::Locked
    );
    // A session made anyway is not honoured while locked.
    let s = f.dir.create_session(alice.id, Interface::Basic).unwrap();
    assert_eq!(f.dir.session(&s.token).unwrap(), None);

    f.dir
        .set_status("alice@example.com", AccountStatus::SuspendedSending)
        .unwrap();
    match f.dir.authenticate("alice@example.com", PW, client).unwrap() {
        Login::Ok(account) => assert_eq!(account.status, AccountStatus::SuspendedSending),
        other => panic!("{other:?}"),
    }
    let err = f
        .dir
        .set_status("nobody@example.com", AccountStatus::Locked)
        .unwrap_err();
    assert!(
        matches!(err, Error::UnknownUser(ref a) if a == "nobody@example.com"),
        "{err:?}"
    );
}

#[test]
fn password_change_ends_sessions_and_old_password() {
    let f = Fixture::new();
    let alice = f.alice();
    let bob = f.dir.add_user("bob@example.com", PW).unwrap();
    let s1 = f.dir.create_session(alice.id, Interface::Standard).unwrap();
    let s2 = f.dir.create_session(alice.id, Interface::Basic).unwrap();
    let sb = f.dir.create_session(bob.id, Interface::Standard).unwrap();
    // A few failures before the reset do not count afterwards.
    for _ in 0..4 {
        f.dir
            .authenticate("alice@example.com", "wrong", ip("192.0.2.1"))
            .unwrap();
    }

    let new_pw = "a much better passphrase";
    f.dir.set_password("ALICE@example.com", new_pw).unwrap();
    assert_eq!(f.dir.session(&s1.token).unwrap(), None);
    assert_eq!(f.dir.session(&s2.token).unwrap(), None);
    assert!(
        f.dir.session(&sb.token).unwrap().is_some(),
        "bob unaffected"
    );
    let client = ip("192.0.2.1");
    assert_eq!(
        f.dir.authenticate("alice@example.com", PW, client).unwrap(),
        Login::BadCredentials
    );
    assert_eq!(
        f.dir
            .authenticate("alice@example.com", new_pw, client)
            .unwrap(),
        Login::Ok(f.dir.account(alice.id).unwrap().unwrap())
    );

    let err = f
        .dir
        .set_password("alice@example.com", "short")
        .unwrap_err();
    assert!(matches!(err, Error::WeakPassword { min: 8 }), "{err:?}");
    let err = f
        .dir
        .set_password("nobody@example.com", new_pw)
        .unwrap_err();
    assert!(matches!(err, Error::UnknownUser(_)), "{err:?}");
    assert_eq!(err.to_string(), "unknown user nobody@example.com");
}

#[test]
fn min_password_len_follows_policy() {
    let f = Fixture::with(Policy {
        min_password_len: 12,
        ..Policy::default()
    });
    let err = f.dir.add_user("a@example.com", "elevenchars").unwrap_err();
    assert!(matches!(err, Error::WeakPassword { min: 12 }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "password too short: use at least 12 characters"
    );
    f.dir.add_user("a@example.com", "twelve chars").unwrap();
}

#[test]
fn session_lifecycle() {
    let f = Fixture::new();
    let alice = f.alice();
    let s = f.dir.create_session(alice.id, Interface::Basic).unwrap();
    assert_eq!(s.token.len(), 64);
    assert!(
        s.token
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    assert!(!format!("{s:?}").contains(&s.token));
    let ttl = Policy::default().session_ttl_secs;
    assert!((s.expires_at - now() - ttl).abs() <= 2);

    // Only the hash is stored.
    let stored: String = f
        .raw()
        .query_row("SELECT token_hash FROM sessions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, session::token_hash(&s.token));
    assert_ne!(stored, s.token);
    assert!(!contains(&file_bytes(&f.path), &s.token));

    let got = f.dir.session(&s.token).unwrap().unwrap();
    assert_eq!(got.account.id, alice.id);
    assert_eq!(got.account.interface, Interface::Basic, "choice remembered");
    assert_eq!(got.interface, Interface::Basic);
    assert_eq!(got.expires_at, s.expires_at);

    let other = f.dir.create_session(alice.id, Interface::Standard).unwrap();
    assert_ne!(other.token, s.token);
    f.dir.end_session(&s.token).unwrap();
    f.dir.end_session(&s.token).unwrap();
    assert_eq!(f.dir.session(&s.token).unwrap(), None);
    assert!(f.dir.session(&other.token).unwrap().is_some());

    let third = f.dir.create_session(alice.id, Interface::Standard).unwrap();
    f.dir.end_all_sessions(alice.id).unwrap();
    for token in [&s.token, &other.token, &third.token] {
        assert_eq!(f.dir.session(token).unwrap(), None);
        // Ended, the rows still say whose they were (and grant nothing).
        assert_eq!(f.dir.session_owner(token).unwrap(), Some(alice.id));
    }
    assert_eq!(
        f.count(&format!(
            "SELECT count(*) FROM sessions WHERE expires_at >= {}",
            now()
        )),
        0
    );
}

#[test]
fn garbage_tokens_find_nothing() {
    let f = Fixture::new();
    let alice = f.alice();
    let s = f.dir.create_session(alice.id, Interface::Standard).unwrap();
    let mut flipped = s.token.clone().into_bytes();
    flipped[10] = if flipped[10] == b'0' { b'1' } else { b'0' };
    let flipped = String::from_utf8(flipped).unwrap();
    let hash = session::token_hash(&s.token);
    let cases = [
        String::new(),
        "x".into(),
        "0".repeat(64),
        s.token.to_uppercase(),
        format!("{}0", s.token),
        s.token[..63].to_owned(),
        format!(" {}", &s.token[1..]),
        flipped,
        // The stored hash is not a credential.
        hash,
        "é".repeat(32),
        "'; DROP TABLE sessions; --".into(),
    ];
    for token in &cases {
        assert_eq!(f.dir.session(token).unwrap(), None, "{token:?}");
        f.dir.end_session(token).unwrap();
    }
    assert!(f.dir.session(&s.token).unwrap().is_some());
}

#[test]
fn sessions_carry_the_time_zone_preference() {
    let f = Fixture::new();
    let alice = f.alice();
    let s = f.dir.create_session(alice.id, Interface::Standard).unwrap();
    assert_eq!(f.dir.session(&s.token).unwrap().unwrap().time_zone, None);
    f.dir.set_pref(alice.id, "pane", "hidden").unwrap();
    f.dir
        .set_pref(alice.id, crate::PREF_TIME_ZONE, "Europe/Berlin")
        .unwrap();
    let got = f.dir.session(&s.token).unwrap().unwrap();
    assert_eq!(got.time_zone.as_deref(), Some("Europe/Berlin"));
    assert_eq!(got.account.id, alice.id);
}

#[test]
fn session_expiry_slides() {
    let f = Fixture::new();
    let alice = f.alice();
    let ttl = Policy::default().session_ttl_secs;
    let s = f
        .dir
        .create_session_at(alice.id, Interface::Standard, T)
        .unwrap();
    assert_eq!(s.expires_at, T + ttl);
    let stored = || f.count("SELECT expires_at FROM sessions");

    // Early use does not rewrite the row.
    let got = f.dir.session_at(&s.token, T + ttl / 4).unwrap().unwrap();
    assert_eq!(got.expires_at, T + ttl);
    assert_eq!(stored(), T + ttl);

    // Past half-life, it is extended to a full lifetime from now.
    let at = T + ttl * 3 / 4;
    let got = f.dir.session_at(&s.token, at).unwrap().unwrap();
    assert_eq!(got.expires_at, at + ttl);
    assert_eq!(stored(), at + ttl);

    // Unused for a full lifetime, it is gone; the row is kept a day more
    // (to say whose it was), then deleted.
    assert_eq!(f.dir.session_at(&s.token, at + ttl).unwrap(), None);
    assert_eq!(f.count("SELECT count(*) FROM sessions"), 1);
    assert_eq!(f.dir.session_owner(&s.token).unwrap(), Some(alice.id));
    let gone = at + ttl + EXPIRED_KEPT_SECS;
    assert_eq!(f.dir.session_at(&s.token, gone).unwrap(), None);
    assert_eq!(f.count("SELECT count(*) FROM sessions"), 0);
    assert_eq!(f.dir.session_at(&s.token, at).unwrap(), None);
}

#[test]
fn sessions_and_users_survive_reopen() {
    let f = Fixture::new();
    let alice = f.alice();
    let s = f.dir.create_session(alice.id, Interface::Standard).unwrap();
    let path = f.path.clone();
    let Fixture { _tmp, dir, .. } = f;
    drop(dir);
    let dir = Directory::open(&path).unwrap();
    assert_eq!(dir.domains().unwrap(), ["example.com"]);
    assert_eq!(
        dir.find_user("alice@example.com").unwrap(),
        Some(alice.clone())
    );
    let got = dir.session(&s.token).unwrap().unwrap();
    assert_eq!(got.account, alice);
    assert!(matches!(
        dir.authenticate("alice@example.com", PW, ip("192.0.2.1"))
            .unwrap(),
        Login::Ok(_)
    ));
}

#[test]
fn set_interface_updates_account_and_sessions() {
    let f = Fixture::new();
    let alice = f.alice();
    let s = f.dir.create_session(alice.id, Interface::Standard).unwrap();
    f.dir.set_interface(alice.id, Interface::Basic).unwrap();
    assert_eq!(
        f.dir.account(alice.id).unwrap().unwrap().interface,
        Interface::Basic
    );
    assert_eq!(
        f.dir.session(&s.token).unwrap().unwrap().interface,
        Interface::Basic
    );
    let err = f
        .dir
        .set_interface(AccountId(424242), Interface::Basic)
        .unwrap_err();
    assert!(
        matches!(err, Error::UnknownAccount(AccountId(424242))),
        "{err:?}"
    );
}

#[test]
fn session_for_unknown_account_is_refused() {
    let f = Fixture::new();
    let err = f
        .dir
        .create_session(AccountId(77), Interface::Standard)
        .unwrap_err();
    assert!(
        matches!(err, Error::UnknownAccount(AccountId(77))),
        "{err:?}"
    );
    assert_eq!(f.count("SELECT count(*) FROM sessions"), 0);
}

#[test]
fn two_handles_on_one_file() {
    // The admin command line and the server open the same file at once.
    let f = Fixture::new();
    let other = Directory::open(&f.path).unwrap();
    other.add_user("carol@example.com", PW).unwrap();
    assert!(f.dir.find_user("carol@example.com").unwrap().is_some());
    let s = f
        .dir
        .create_session(
            f.dir.find_user("carol@example.com").unwrap().unwrap().id,
            Interface::Standard,
        )
        .unwrap();
    other
        .set_password("carol@example.com", "another password")
        .unwrap();
    assert_eq!(f.dir.session(&s.token).unwrap(), None);
}

#[test]
fn zero_turns_a_limit_off() {
    let f = Fixture::with(Policy {
        max_failures_per_account: 0,
        max_failures_per_client: 0,
        ..Policy::default()
    });
    f.alice();
    for i in 0..30 {
        f.dir
            .authenticate_at("alice@example.com", "wrong", ip("192.0.2.1"), T + i)
            .unwrap();
    }
    assert!(matches!(
        f.dir
            .authenticate_at("alice@example.com", PW, ip("192.0.2.1"), T + 30)
            .unwrap(),
        Login::Ok(_)
    ));
}

#[test]
fn a_file_that_is_not_a_database_is_an_error() {
    let tmp = TempDir::new().unwrap();
    let path = tmp.path().join("directory.sqlite");
    std::fs::write(&path, vec![0x42u8; 8192]).unwrap();
    let err = Directory::open(&path).unwrap_err();
    assert!(matches!(err, Error::Sqlite(_)), "{err:?}");
}

#[test]
fn prefs_are_per_account_and_persist() {
    let f = Fixture::new();
    let a = f.dir.add_user("ann@example.com", PW).unwrap();
    let b = f.dir.add_user("ben@example.com", PW).unwrap();
    assert_eq!(f.dir.pref(a.id, "pane").unwrap(), None);
    f.dir.set_pref(a.id, "pane", "hidden").unwrap();
    f.dir.set_pref(a.id, "pane", "shown").unwrap();
    f.dir.set_pref(b.id, "pane", "hidden").unwrap();
    assert_eq!(f.dir.pref(a.id, "pane").unwrap().as_deref(), Some("shown"));
    assert_eq!(f.dir.pref(b.id, "pane").unwrap().as_deref(), Some("hidden"));
    let reopened = Directory::open(&f.path).unwrap();
    assert_eq!(
        reopened.pref(a.id, "pane").unwrap().as_deref(),
        Some("shown")
    );
    assert!(reopened.set_pref(AccountId(9999), "pane", "x").is_err());
    // Long values are kept whole up to the limit, and refused past it:
    // never cut.
    let long = "é".repeat(crate::MAX_PREF_VALUE);
    reopened.set_pref(a.id, "signature", &long).unwrap();
    assert_eq!(reopened.pref(a.id, "signature").unwrap(), Some(long));
    let over = "x".repeat(crate::MAX_PREF_VALUE + 1);
    let e = reopened.set_pref(a.id, "signature", &over).unwrap_err();
    assert!(matches!(e, Error::TooLong { what: "value", .. }), "{e:?}");
    let key = "k".repeat(crate::MAX_PREF_KEY + 1);
    assert!(matches!(
        reopened.set_pref(a.id, &key, "v"),
        Err(Error::TooLong { what: "key", .. })
    ));
}

#[test]
fn user_data_takes_over_what_the_directory_kept_once() {
    // Rows as the build before user.sqlite wrote them (schema 4): layout
    // and identity preferences, the time zone, and sender lists.
    let f = Fixture::new();
    let a = f.dir.add_user("ann@example.com", PW).unwrap();
    let b = f.dir.add_user("ben@example.com", PW).unwrap();
    {
        let db = f.dir.lock();
        for (id, key, value) in [
            (a.id, "pane", "hidden"),
            (a.id, "identity.signature", "Ann\nExample Inc."),
            (a.id, crate::PREF_TIME_ZONE, "Europe/Berlin"),
            (b.id, "pane", "shown"),
        ] {
            db.conn
                .execute(
                    "INSERT INTO prefs (account_id, key, value) VALUES (?1, ?2, ?3)",
                    rusqlite::params![id.0, key, value],
                )
                .unwrap();
        }
        for (list, address) in [("block", "@spam.example"), ("safe", "boss@spam.example")] {
            db.conn
                .execute(
                    "INSERT INTO sender_lists (account_id, list, address, added_at)
                     VALUES (?1, ?2, ?3, 1700000000)",
                    rusqlite::params![a.id.0, list, address],
                )
                .unwrap();
        }
    }
    let dir = f.path.parent().unwrap().join("users/example.com/ann");
    let data = f.dir.user_data(a.id, &dir).unwrap();
    assert!(dir.join(userdata::FILE).exists());
    assert_eq!(data.pref("pane").unwrap().as_deref(), Some("hidden"));
    assert_eq!(
        data.pref("identity.signature").unwrap().as_deref(),
        Some("Ann\nExample Inc.")
    );
    assert_eq!(
        data.pref(crate::PREF_TIME_ZONE).unwrap(),
        None,
        "the zone stays"
    );
    assert_eq!(data.senders(SenderList::Block).unwrap(), ["@spam.example"]);
    assert_eq!(
        data.folder_for_sender("anyone@spam.example").unwrap(),
        Some(crate::JUNK_FOLDER)
    );
    assert_eq!(
        data.sender_verdict("boss@spam.example").unwrap(),
        Some(SenderList::Safe)
    );
    // Moved, not copied: the directory keeps only the time zone for ann,
    // and ben's rows are untouched.
    assert_eq!(f.dir.pref(a.id, "pane").unwrap(), None);
    assert_eq!(
        f.dir.pref(a.id, crate::PREF_TIME_ZONE).unwrap().as_deref(),
        Some("Europe/Berlin")
    );
    assert_eq!(f.dir.pref(b.id, "pane").unwrap().as_deref(), Some("shown"));
    let left: i64 = f
        .dir
        .lock()
        .conn
        .query_row("SELECT count(*) FROM sender_lists", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0);
    // Later opens do not import again, even if something reappeared.
    drop(data);
    f.dir.set_pref(a.id, "pane", "shown").unwrap();
    let data = f.dir.user_data(a.id, &dir).unwrap();
    assert_eq!(data.pref("pane").unwrap().as_deref(), Some("hidden"));
}

#[test]
fn session_owner_outlives_expiry_and_sign_out() {
    let f = Fixture::new();
    let alice = f.alice();
    let ttl = Policy::default().session_ttl_secs;
    let s = f
        .dir
        .create_session_at(alice.id, Interface::Standard, T)
        .unwrap();
    assert_eq!(f.dir.session_owner(&s.token).unwrap(), Some(alice.id));
    for token in ["", "x", &"0".repeat(64), &s.token.to_uppercase()] {
        assert_eq!(f.dir.session_owner(token).unwrap(), None, "{token:?}");
    }
    // Expired: no session, but still attributed for a while.
    assert_eq!(f.dir.session_at(&s.token, T + ttl).unwrap(), None);
    assert_eq!(f.dir.session_owner(&s.token).unwrap(), Some(alice.id));
    let gone = T + ttl + EXPIRED_KEPT_SECS;
    assert_eq!(f.dir.session_at(&s.token, gone).unwrap(), None);
    assert_eq!(f.dir.session_owner(&s.token).unwrap(), None);

    // Locked (locking ends sessions; one made anyway is not honoured), but
    // still attributed.
    f.dir
        .set_status("alice@example.com", AccountStatus::Locked)
        .unwrap();
    let s = f.dir.create_session(alice.id, Interface::Basic).unwrap();
    assert_eq!(f.dir.session(&s.token).unwrap(), None);
    assert_eq!(f.dir.session_owner(&s.token).unwrap(), Some(alice.id));
    // Signed out: still attributed, never valid again.
    f.dir
        .set_status("alice@example.com", AccountStatus::Active)
        .unwrap();
    f.dir.end_session(&s.token).unwrap();
    assert_eq!(f.dir.session(&s.token).unwrap(), None);
    assert_eq!(f.dir.session_owner(&s.token).unwrap(), Some(alice.id));
}

#[test]
fn a_sign_in_takes_the_browser_zone_until_one_is_chosen() {
    let f = Fixture::new();
    let alice = f.alice();
    let zone = |id| f.dir.pref(id, crate::PREF_TIME_ZONE).unwrap();
    let s = f
        .dir
        .sign_in_session(alice.id, model::Interface::Basic, Some("Not/AZone"))
        .unwrap();
    assert!(f.dir.session(&s.token).unwrap().is_some());
    assert_eq!(zone(alice.id), None, "not a zone");
    f.dir
        .sign_in_session(alice.id, model::Interface::Standard, Some("Europe/Berlin"))
        .unwrap();
    assert_eq!(zone(alice.id).as_deref(), Some("Europe/Berlin"));
    f.dir
        .sign_in_session(
            alice.id,
            model::Interface::Standard,
            Some("America/New_York"),
        )
        .unwrap();
    assert_eq!(zone(alice.id).as_deref(), Some("Europe/Berlin"), "kept");
    f.dir
        .sign_in_session(alice.id, model::Interface::Standard, None)
        .unwrap();
    assert_eq!(zone(alice.id).as_deref(), Some("Europe/Berlin"));
}
