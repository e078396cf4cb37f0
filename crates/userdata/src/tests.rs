use super::*;

fn open() -> (tempfile::TempDir, UserData) {
    let tmp = tempfile::tempdir().unwrap();
    let data = UserData::open(&tmp.path().join("users/example.com/ann")).unwrap();
    (tmp, data)
}

#[test]
fn prefs_persist_whole_and_refuse_what_is_too_long() {
    let (tmp, data) = open();
    assert_eq!(data.pref("pane").unwrap(), None);
    data.set_pref("pane", "hidden").unwrap();
    data.set_pref("pane", "shown").unwrap();
    let long = "é".repeat(MAX_PREF_VALUE);
    data.set_pref("identity.signature", &long).unwrap();
    drop(data);
    let again = UserData::open(&tmp.path().join("users/example.com/ann")).unwrap();
    let mode: String = again
        .conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(again.pref("pane").unwrap().as_deref(), Some("shown"));
    assert_eq!(again.pref("identity.signature").unwrap(), Some(long));
    let over = "x".repeat(MAX_PREF_VALUE + 1);
    assert!(matches!(
        again.set_pref("identity.signature", &over),
        Err(Error::TooLong { what: "value", .. })
    ));
    assert!(matches!(
        again.set_pref(&"k".repeat(MAX_PREF_KEY + 1), "v"),
        Err(Error::TooLong { what: "key", .. })
    ));
    assert!(again.clear_pref("pane").unwrap());
    assert!(!again.clear_pref("pane").unwrap());
}

#[test]
fn sender_lists_add_remove_and_stay_apart() {
    let (_tmp, mut a) = open();
    let cases = [
        (
            SenderList::Block,
            " Spam@Evil.example ",
            Some("spam@evil.example"),
        ),
        (SenderList::Block, "@evil.example", Some("@evil.example")),
        (
            SenderList::Safe,
            "friend@example.org",
            Some("friend@example.org"),
        ),
        (SenderList::Safe, "not an address", None),
        (SenderList::Block, "", None),
        (SenderList::Block, "a b@example.org", None),
        (SenderList::Block, "ann@localhost", None),
    ];
    for (list, input, expected) in cases {
        let got = a.add_sender(list, input);
        match expected {
            Some(e) => assert_eq!(got.unwrap(), e, "{input}"),
            None => assert!(matches!(got, Err(Error::InvalidEntry { .. })), "{input}"),
        }
    }
    // Adding twice keeps one entry; moving to the other list removes it here.
    a.add_sender(SenderList::Block, "spam@evil.example")
        .unwrap();
    assert_eq!(
        a.senders(SenderList::Block).unwrap(),
        ["@evil.example", "spam@evil.example"]
    );
    a.add_sender(SenderList::Safe, "spam@evil.example").unwrap();
    assert_eq!(a.senders(SenderList::Block).unwrap(), ["@evil.example"]);
    assert_eq!(
        a.senders(SenderList::Safe).unwrap(),
        ["friend@example.org", "spam@evil.example"]
    );
    assert!(
        a.remove_sender(SenderList::Safe, "FRIEND@example.org")
            .unwrap()
    );
    assert!(
        !a.remove_sender(SenderList::Safe, "friend@example.org")
            .unwrap()
    );
    // Another user's file is another list.
    let (_t2, b) = open();
    assert!(b.senders(SenderList::Block).unwrap().is_empty());
}

#[test]
fn sender_verdicts_prefer_the_exact_address() {
    let (_tmp, mut a) = open();
    a.add_sender(SenderList::Block, "@spam.example").unwrap();
    a.add_sender(SenderList::Safe, "boss@spam.example").unwrap();
    a.add_sender(SenderList::Block, "pest@example.org").unwrap();
    let cases = [
        ("anyone@spam.example", Some(SenderList::Block)),
        ("Boss@Spam.example", Some(SenderList::Safe)),
        ("pest@example.org", Some(SenderList::Block)),
        ("friend@example.org", None),
        ("no-at-sign", None),
        ("", None),
    ];
    for (sender, expected) in cases {
        assert_eq!(a.sender_verdict(sender).unwrap(), expected, "{sender}");
        let folder = (expected == Some(SenderList::Block)).then_some(JUNK_FOLDER);
        assert_eq!(a.folder_for_sender(sender).unwrap(), folder, "{sender}");
    }
}

#[test]
fn import_happens_once_keeps_what_is_here_and_skips_what_is_invalid() {
    let (_tmp, mut a) = open();
    assert!(!a.imported().unwrap());
    a.set_pref("pane", "shown").unwrap();
    let legacy = Imported {
        prefs: vec![
            ("pane".into(), "hidden".into()),
            ("identity.name".into(), "Ann".into()),
            ("x".into(), "y".repeat(MAX_PREF_VALUE + 1)),
        ],
        senders: vec![
            (SenderList::Block, "@spam.example".into(), 1_700_000_000),
            (SenderList::Safe, "not valid".into(), 1_700_000_000),
        ],
    };
    assert!(a.import(&legacy).unwrap());
    assert!(a.imported().unwrap());
    assert_eq!(
        a.pref("pane").unwrap().as_deref(),
        Some("shown"),
        "here wins"
    );
    assert_eq!(a.pref("identity.name").unwrap().as_deref(), Some("Ann"));
    assert_eq!(a.pref("x").unwrap(), None);
    assert_eq!(a.senders(SenderList::Block).unwrap(), ["@spam.example"]);
    assert!(a.senders(SenderList::Safe).unwrap().is_empty());
    // A second import changes nothing.
    let more = Imported {
        prefs: vec![("identity.name".into(), "Someone else".into())],
        senders: vec![],
    };
    assert!(!a.import(&more).unwrap());
    assert_eq!(a.pref("identity.name").unwrap().as_deref(), Some("Ann"));
}

#[test]
fn a_newer_or_broken_file_is_an_error_not_a_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("u");
    drop(UserData::open(&dir).unwrap());
    let conn = Connection::open(dir.join(FILE)).unwrap();
    conn.pragma_update(None, "user_version", schema::SCHEMA_VERSION + 5)
        .unwrap();
    drop(conn);
    assert!(matches!(
        UserData::open(&dir),
        Err(Error::SchemaTooNew { .. })
    ));
    let broken = tmp.path().join("b");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::write(broken.join(FILE), vec![0x42u8; 8192]).unwrap();
    assert!(matches!(UserData::open(&broken), Err(Error::Sqlite(_))));
}

/// A connection-local mark: a temporary table exists only on the
/// connection that made it.
fn marked(data: &UserData) -> bool {
    data.conn
        .query_row(
            "SELECT 1 FROM temp.sqlite_master WHERE name = 'reuse_mark'",
            [],
            |_| Ok(()),
        )
        .optional()
        .unwrap()
        .is_some()
}

#[test]
fn connections_are_reused_for_the_same_file_only() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("users/example.com/kim");
    let first = UserData::open(&dir).unwrap();
    first
        .conn
        .execute_batch("CREATE TEMP TABLE reuse_mark (x)")
        .unwrap();
    first.set_pref("pane", "hidden").unwrap();
    drop(first);
    // Reopened: the kept connection.
    let again = UserData::open(&dir).unwrap();
    assert!(marked(&again));
    // Open at the same time: another connection, and both work.
    let other = UserData::open(&dir).unwrap();
    assert!(!marked(&other));
    other.set_pref("pane", "shown").unwrap();
    assert_eq!(again.pref("pane").unwrap().as_deref(), Some("shown"));
    drop((again, other));

    // The file replaced (a restore): never the old file's connection.
    let saved = tmp.path().join("saved.sqlite");
    {
        let data = UserData::open(&dir).unwrap();
        data.conn
            .execute("VACUUM INTO ?1", [saved.to_str().unwrap()])
            .unwrap();
        data.set_pref("pane", "hidden").unwrap();
    }
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", dir.join(FILE).display()));
    }
    std::fs::copy(&saved, dir.join(FILE)).unwrap();
    let restored = UserData::open(&dir).unwrap();
    assert!(!marked(&restored));
    assert_eq!(restored.pref("pane").unwrap().as_deref(), Some("shown"));
    restored.set_pref("pane", "hidden").unwrap();
    drop(restored);
    assert_eq!(
        UserData::open(&dir)
            .unwrap()
            .pref("pane")
            .unwrap()
            .as_deref(),
        Some("hidden")
    );
}

#[test]
fn a_connection_left_in_a_transaction_is_not_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("users/example.com/lee");
    let data = UserData::open(&dir).unwrap();
    data.conn
        .execute_batch("CREATE TEMP TABLE reuse_mark (x); BEGIN")
        .unwrap();
    drop(data);
    let again = UserData::open(&dir).unwrap();
    assert!(!marked(&again));
    assert!(again.conn.is_autocommit());
}
