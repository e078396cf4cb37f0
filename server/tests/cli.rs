//! The `webmail` command line: the contract operators, tests and mail
//! transfer agents rely on. Each bad input gives a message and a non-zero exit.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn webmail(data: &std::path::Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_webmail"))
        .args(args)
        .arg("--data")
        .arg(data)
        .env_remove("WEBMAIL_DATA_DIR")
        .env_remove("WEBMAIL_DATA")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        // A command may refuse before reading stdin (an unknown user, say);
        // the broken pipe that leaves is not what these tests check.
        let _ = child.stdin.as_mut().unwrap().write_all(text.as_bytes());
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn domains_and_users() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ok = webmail(d, &["admin", "domain", "add", "Example.ORG"], None);
    assert!(ok.status.success(), "{}", text(&ok));
    let ok = webmail(
        d,
        &[
            "admin",
            "user",
            "add",
            "Kim@example.org",
            "--password-stdin",
        ],
        Some("a-long-password\n"),
    );
    assert!(ok.status.success(), "{}", text(&ok));
    let list = webmail(d, &["admin", "user", "list", "example.org"], None);
    assert!(list.status.success());
    assert_eq!(
        String::from_utf8_lossy(&list.stdout),
        "kim@example.org\tactive\tstandard\n"
    );
    let ok = webmail(
        d,
        &[
            "admin",
            "user",
            "passwd",
            "kim@example.org",
            "--password-stdin",
        ],
        Some("another-password\n"),
    );
    assert!(ok.status.success(), "{}", text(&ok));
    let ok = webmail(
        d,
        &[
            "admin",
            "user",
            "status",
            "kim@example.org",
            "suspended-sending",
        ],
        None,
    );
    assert!(ok.status.success(), "{}", text(&ok));
    let list = webmail(d, &["admin", "user", "list"], None);
    assert!(String::from_utf8_lossy(&list.stdout).contains("kim@example.org\tsuspended-sending"));
}

#[test]
fn bad_input_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(
        webmail(d, &["admin", "domain", "add", "example.net"], None)
            .status
            .success()
    );
    let cases: &[(&[&str], Option<&str>, i32, &str)] = &[
        (
            &["admin", "domain", "add", "bad..domain"],
            None,
            1,
            "domain",
        ),
        (
            &["admin", "domain", "add", "example.net"],
            None,
            1,
            "exists",
        ),
        (
            &["admin", "user", "add", "x@nowhere.test", "--password-stdin"],
            Some("long-enough-pw\n"),
            1,
            "unknown domain",
        ),
        (
            &["admin", "user", "add", "not-an-address", "--password-stdin"],
            Some("long-enough-pw\n"),
            1,
            "address",
        ),
        (
            &["admin", "user", "add", "y@example.net", "--password-stdin"],
            Some("short\n"),
            1,
            "password",
        ),
        (
            &["admin", "user", "add", "y@example.net", "--password-stdin"],
            Some(""),
            1,
            "no password",
        ),
        (
            &["admin", "user", "add", "y@example.net"],
            None,
            1,
            "--password-stdin",
        ),
        (
            &[
                "admin",
                "user",
                "passwd",
                "ghost@example.net",
                "--password-stdin",
            ],
            Some("long-enough-pw\n"),
            1,
            "unknown user",
        ),
        (
            &["admin", "user", "status", "ghost@example.net", "sleeping"],
            None,
            1,
            "status must be",
        ),
        (
            &["admin", "user", "list", "nowhere.test"],
            None,
            1,
            "unknown domain",
        ),
        (&["frobnicate"], None, 2, "unrecognized subcommand"),
        (
            &["serve", "--listen", "not-an-address"],
            None,
            2,
            "invalid value",
        ),
    ];
    for (args, stdin, code, needle) in cases {
        let out = webmail(d, args, *stdin);
        let t = text(&out);
        assert_eq!(out.status.code(), Some(*code), "{args:?}: {t}");
        assert!(
            t.to_lowercase().contains(&needle.to_lowercase()),
            "{args:?}: {t}"
        );
    }
}

#[test]
fn global_flags_go_anywhere_and_bad_config_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let out = Command::new(env!("CARGO_BIN_EXE_webmail"))
        .arg("--data")
        .arg(&data)
        .args(["admin", "domain", "add", "before.example"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(data.join("directory.sqlite").exists());

    let cfg = dir.path().join("bad.toml");
    std::fs::write(&cfg, "listen = 42\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_webmail"))
        .args(["admin", "domain", "list", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("invalid configuration"),
        "{}",
        text(&out)
    );
}

#[test]
fn demo_is_repeatable() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let out = webmail(dir.path(), &["demo", "--messages", "30"], None);
        assert!(out.status.success(), "{}", text(&out));
        let t = text(&out);
        assert!(
            t.contains("alice@example.com  password: alice-demo-1"),
            "{t}"
        );
    }
    let list = webmail(dir.path(), &["admin", "user", "list", "example.com"], None);
    assert_eq!(String::from_utf8_lossy(&list.stdout).lines().count(), 3);
    // Run twice, the mailbox holds the 30 messages once, not twice.
    let maildir = dir.path().join("users/example.com/alice/Maildir");
    assert_eq!(count_messages(&maildir), 30);
    let out = webmail(dir.path(), &["check", "alice@example.com"], None);
    assert!(out.status.success(), "{}", text(&out));
}

fn count_messages(maildir: &std::path::Path) -> usize {
    let mut n = 0;
    for folder in std::iter::once(maildir.to_path_buf()).chain(
        std::fs::read_dir(maildir)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with('.') && p.is_dir()),
    ) {
        for sub in ["cur", "new"] {
            if let Ok(rd) = std::fs::read_dir(folder.join(sub)) {
                n += rd.count();
            }
        }
    }
    n
}

/// The domain example.org with the user kim@example.org.
fn add_kim(d: &std::path::Path) {
    assert!(
        webmail(d, &["admin", "domain", "add", "example.org"], None)
            .status
            .success()
    );
    assert!(
        webmail(
            d,
            &[
                "admin",
                "user",
                "add",
                "kim@example.org",
                "--password-stdin"
            ],
            Some("a-long-password\n")
        )
        .status
        .success()
    );
}

const MESSAGE: &str = "From: Ann <ann@example.org>\r\nTo: kim@example.org\r\nSubject: Hello there\r\nMessage-ID: <m1@example.org>\r\nDate: Mon, 30 Nov 2026 08:00:00 +0000\r\n\r\nA body.\r\n";

#[test]
fn deliver_follows_sysexits() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    add_kim(d);

    let cases: &[(&[&str], &str, i32)] = &[
        (&["deliver", "kim@example.org"], MESSAGE, 0),
        (
            &["deliver", "KIM@example.org", "--folder", "Lists/Rust"],
            MESSAGE,
            0,
        ),
        (&["deliver", "nobody@example.org"], MESSAGE, 67),
        (&["deliver", "kim@nowhere.test"], MESSAGE, 67),
        (&["deliver", "kim@example.org"], "", 65),
    ];
    for (args, stdin, code) in cases {
        let out = webmail(d, args, Some(stdin));
        assert_eq!(out.status.code(), Some(*code), "{args:?}: {}", text(&out));
    }
    let maildir = d.join("users/example.org/kim/Maildir");
    let inbox = std::fs::read_dir(maildir.join("new")).unwrap().count();
    assert_eq!(inbox, 1, "exactly one message in the Inbox");
    let sub = std::fs::read_dir(maildir.join(".Lists.Rust/new"))
        .unwrap()
        .count();
    assert_eq!(sub, 1, "one message in Lists/Rust");

    let out = webmail(d, &["check", "kim@example.org"], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("agrees"));
}

#[test]
fn reindex_and_check_heal_a_corrupt_index() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    add_kim(d);
    for _ in 0..3 {
        assert_eq!(
            webmail(d, &["deliver", "kim@example.org"], Some(MESSAGE))
                .status
                .code(),
            Some(0)
        );
    }
    let index = d.join("users/example.org/kim/index.sqlite");
    assert!(index.exists());
    std::fs::write(&index, b"this is not a database at all").unwrap();
    let out = webmail(d, &["check", "kim@example.org"], None);
    assert!(out.status.success(), "{}", text(&out));
    let out = webmail(d, &["reindex", "kim@example.org"], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("3/3 messages"), "{}", text(&out));
    assert!(
        text(&out).contains("reindexed kim@example.org"),
        "{}",
        text(&out)
    );
    // Without an index, opening builds it, and that is the reindex.
    std::fs::remove_file(&index).unwrap();
    let out = webmail(d, &["reindex", "kim@example.org"], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("3/3 messages"), "{}", text(&out));
    assert!(text(&out).contains("built on opening"), "{}", text(&out));
    let out = webmail(d, &["check", "kim@example.org"], None);
    assert!(text(&out).contains("agrees"), "{}", text(&out));
    let out = webmail(d, &["reindex", "ghost@example.org"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("unknown user"));
}

#[test]
fn purge_retention_removes_only_what_is_old_enough() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    add_kim(d);
    let out = webmail(d, &["purge-retention"], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("purged 0 message(s)"), "{}", text(&out));
    assert_eq!(
        webmail(d, &["deliver", "kim@example.org"], Some(MESSAGE))
            .status
            .code(),
        Some(0)
    );
    // Two messages deleted from the Inbox: one 40 days ago, one an hour
    // ago (the retention area names each file after when it was deleted).
    let retention = d.join("users/example.org/kim/retention");
    std::fs::create_dir_all(&retention).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let inbox = "494e424f58"; // hex of INBOX
    let old = retention.join(format!("{}_{inbox}_1.old:2,S", now - 40 * 86400));
    let recent = retention.join(format!("{}_{inbox}_2.recent:2,S", now - 3600));
    std::fs::write(&old, MESSAGE).unwrap();
    std::fs::write(&recent, MESSAGE).unwrap();
    let out = webmail(d, &["purge-retention"], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("purged 1 message(s) deleted 30 or more days ago, from 1 user"),
        "{}",
        text(&out)
    );
    assert!(!old.exists(), "the old one is gone");
    assert!(recent.exists(), "the recent one stays restorable");
    assert_eq!(count_messages(&d.join("users/example.org/kim/Maildir")), 1);
}

#[test]
fn delivery_honours_the_block_list() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    add_kim(d);
    {
        // The lists as the build before user.sqlite kept them, in the
        // directory: the first delivery moves them into kim's user.sqlite.
        let db = rusqlite::Connection::open(d.join("directory.sqlite")).unwrap();
        for (list, entry) in [("block", "@spam.example"), ("safe", "boss@spam.example")] {
            db.execute(
                "INSERT INTO sender_lists (account_id, list, address, added_at)
                 SELECT id, ?1, ?2, 1700000000 FROM accounts WHERE address = 'kim@example.org'",
                [list, entry],
            )
            .unwrap();
        }
    }
    let from = |addr: &str| {
        format!("From: <{addr}>\r\nTo: kim@example.org\r\nSubject: hi\r\n\r\nbody\r\n")
    };
    let cases: &[(&str, &[&str], &str)] = &[
        ("offers@spam.example", &[], ".Junk"),
        ("boss@spam.example", &[], ""),
        ("ann@example.net", &[], ""),
        ("offers@spam.example", &["--folder", "Archive"], ".Archive"),
    ];
    let maildir = d.join("users/example.org/kim/Maildir");
    for (sender, extra, folder) in cases {
        let before = count_new(&maildir.join(folder));
        let mut args = vec!["deliver", "kim@example.org"];
        args.extend_from_slice(extra);
        let out = webmail(d, &args, Some(&from(sender)));
        assert_eq!(out.status.code(), Some(0), "{sender}: {}", text(&out));
        assert_eq!(
            count_new(&maildir.join(folder)),
            before + 1,
            "{sender} should land in {folder:?}"
        );
    }
    assert!(d.join("users/example.org/kim/user.sqlite").exists());
    let left: i64 = rusqlite::Connection::open(d.join("directory.sqlite"))
        .unwrap()
        .query_row("SELECT count(*) FROM sender_lists", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0, "moved, not copied");
}

fn count_new(folder: &std::path::Path) -> usize {
    std::fs::read_dir(folder.join("new"))
        .map(|r| r.count())
        .unwrap_or(0)
}

/// Random bytes over the inside of a large index: `check` waits for the
/// rebuild it sets off (it used to exit 1 with "being rebuilt" every time,
/// the rebuild dying with it), then compares.
#[test]
fn check_waits_for_the_rebuild_it_starts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = webmail(d, &["demo", "--messages", "3000"], None);
    assert!(out.status.success(), "{}", text(&out));
    let index = d.join("users/example.com/alice/index.sqlite");
    let mut bytes = std::fs::read(&index).unwrap();
    assert!(bytes.len() > 1 << 20, "index of {} bytes", bytes.len());
    // Keep the header (so it still opens as a database), spoil pages.
    let mut x: u32 = 0x9e37_79b9;
    let len = bytes.len();
    for b in &mut bytes[len / 4..len / 4 + len / 8] {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *b = x as u8;
    }
    std::fs::write(&index, &bytes).unwrap();
    for _ in 0..2 {
        let out = webmail(d, &["check", "alice@example.com"], None);
        assert!(out.status.success(), "{}", text(&out));
        assert!(text(&out).contains("agrees"), "{}", text(&out));
    }
}
