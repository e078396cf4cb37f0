//! The mail use cases against a real directory, a real Maildir and its
//! index, in a temporary data root.

use accounts::{Account, Directory, SenderList};
use mail::mailbox::{self, FolderOp};
use mail::open::{Opening, TRUSTED_IMAGES, open_message};
use mail::{Error, User, deliver, deliver_to};
use model::mail::{Body, ListQuery, SearchScope, SortColumn};
use std::path::Path;

struct Fixture {
    _tmp: tempfile::TempDir,
    root: std::path::PathBuf,
    dir: Directory,
    kim: Account,
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().to_path_buf();
    let dir = Directory::open_with(&root.join("directory.sqlite"), Default::default()).unwrap();
    dir.add_domain("example.com").unwrap();
    let kim = dir.add_user("kim@example.com", "kim-password-1").unwrap();
    Fixture {
        _tmp: tmp,
        root,
        dir,
        kim,
    }
}

impl Fixture {
    fn user(&self) -> User {
        User {
            id: self.kim.id,
            address: self.kim.address.clone(),
            dir: self.kim.user_dir(&self.root),
            time_zone: "Europe/Berlin".into(),
            status: model::AccountStatus::Active,
        }
    }

    fn deliver(&self, from: &str, subject: &str, extra: &str) -> mail::Delivered {
        let msg = message(from, subject, extra);
        deliver(&self.dir, &self.root, &self.kim, msg.as_bytes(), None).unwrap()
    }

    fn page(&self, folder: &str) -> Vec<(String, bool, bool)> {
        let q = ListQuery {
            folder: folder.into(),
            sort: SortColumn::Subject,
            desc: false,
            ..ListQuery::default()
        };
        let u = self.user();
        mailbox::with_store(&u.dir, |s| mailbox::list(s, &q, &u.time_zone))
            .unwrap()
            .rows
            .into_iter()
            .map(|r| (r.subject, r.seen, r.flagged))
            .collect()
    }
}

fn message(from: &str, subject: &str, extra: &str) -> String {
    format!(
        "From: {from}\r\nTo: kim@example.com\r\nSubject: {subject}\r\n\
         Date: Thu, 03 Dec 2026 10:00:00 +0000\r\nMessage-ID: <{subject}@example.org>\r\n\
         {extra}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello {subject}\r\n"
    )
}

fn files_in(maildir: &Path, folder: &str) -> usize {
    let base = if folder == "INBOX" {
        maildir.to_path_buf()
    } else {
        maildir.join(format!(".{folder}"))
    };
    ["new", "cur"]
        .iter()
        .filter_map(|d| std::fs::read_dir(base.join(d)).ok())
        .map(|r| r.count())
        .sum()
}

#[test]
fn delivery_follows_the_sender_lists() {
    let f = fixture();
    f.user()
        .data(&f.dir)
        .unwrap()
        .add_sender(SenderList::Block, "@spam.example")
        .unwrap();
    f.user()
        .data(&f.dir)
        .unwrap()
        .add_sender(SenderList::Safe, "boss@spam.example")
        .unwrap();
    f.user()
        .data(&f.dir)
        .unwrap()
        .add_sender(SenderList::Block, "pest@example.net")
        .unwrap();
    // (From header, folder the caller names, where it must land, blocked)
    let cases: &[(&str, Option<&str>, &str, bool)] = &[
        ("offers@spam.example", None, "Junk", true),
        ("Offers <OFFERS@Spam.Example>", None, "Junk", true),
        ("boss@spam.example", None, "INBOX", false),
        ("pest@example.net", None, "Junk", true),
        ("friend@example.net", None, "INBOX", false),
        ("undisclosed", None, "INBOX", false),
        // An MTA rule naming a folder is kept as given.
        ("offers@spam.example", Some("Lists"), "Lists", false),
        ("friend@example.net", Some("Lists"), "Lists", false),
    ];
    for (i, (from, folder, expected, blocked)) in cases.iter().enumerate() {
        let msg = message(from, &format!("case{i}"), "");
        let d = deliver(&f.dir, &f.root, &f.kim, msg.as_bytes(), *folder).unwrap();
        assert_eq!(d.folder, *expected, "{from} {folder:?}");
        assert_eq!(d.blocked, *blocked, "{from} {folder:?}");
        assert!(d.uid.is_some(), "indexed at once: {from}");
    }
    let maildir = f.kim.user_dir(&f.root).join("Maildir");
    assert_eq!(files_in(&maildir, "Junk"), 3);
    assert_eq!(files_in(&maildir, "INBOX"), 3);
    assert_eq!(files_in(&maildir, "Lists"), 2);
    assert_eq!(f.page("Junk").len(), 3, "the index agrees with the Maildir");
}

#[test]
fn delivery_refuses_what_cannot_be_delivered() {
    let f = fixture();
    let msg = message("a@example.org", "x", "");
    let e = deliver_to(&f.dir, &f.root, "nobody@example.com", msg.as_bytes(), None).unwrap_err();
    assert!(matches!(e, Error::NoSuchUser(_)), "{e}");
    assert!(!e.is_temporary());
    let e = deliver(&f.dir, &f.root, &f.kim, b"", None).unwrap_err();
    assert!(matches!(e, Error::Refused(_)) && !e.is_temporary(), "{e}");
    let huge = vec![b'a'; mail::MAX_MESSAGE + 1];
    let e = deliver(&f.dir, &f.root, &f.kim, &huge, None).unwrap_err();
    assert!(matches!(e, Error::Refused(_)) && !e.is_temporary(), "{e}");
    let e = deliver(&f.dir, &f.root, &f.kim, msg.as_bytes(), Some("../evil")).unwrap_err();
    assert!(matches!(e, Error::Refused(_)), "{e}");
    // Nothing of the refused ones reached the mailbox.
    let maildir = f.kim.user_dir(&f.root).join("Maildir");
    assert_eq!(files_in(&maildir, "INBOX"), 0);
    let d = deliver_to(&f.dir, &f.root, " KIM@example.com ", msg.as_bytes(), None).unwrap();
    assert_eq!(d.folder, "INBOX");
}

#[test]
fn actions_on_selected_messages() {
    let f = fixture();
    let a = f.deliver("ann@example.org", "a", "").uid.unwrap();
    let b = f.deliver("bob@example.org", "b", "").uid.unwrap();
    let c = f.deliver("cy@example.org", "c", "").uid.unwrap();
    let u = f.user();
    let act = |uids: &[u32], action: &str, target: Option<&str>| {
        mailbox::act_on(&f.dir, &u, "INBOX", uids, action, target.map(str::to_owned))
    };
    assert_eq!(act(&[a, b], "read", None).unwrap(), 2);
    assert_eq!(act(&[a], "flag", None).unwrap(), 1);
    assert_eq!(
        f.page("INBOX"),
        [
            ("a".into(), true, true),
            ("b".into(), true, false),
            ("c".into(), false, false)
        ]
    );
    assert_eq!(act(&[], &format!("toggle-flag:{a}"), None).unwrap(), 1);
    assert_eq!(act(&[b], "unread", None).unwrap(), 1);
    assert_eq!(
        f.page("INBOX"),
        [
            ("a".into(), true, false),
            ("b".into(), false, false),
            ("c".into(), false, false)
        ]
    );
    assert!(matches!(
        act(&[], "read", None),
        Err(Error::NothingSelected)
    ));
    assert!(matches!(act(&[a], "move", None), Err(Error::Invalid(_))));
    assert!(matches!(act(&[a], "explode", None), Err(Error::Invalid(_))));
    assert!(matches!(
        act(&[], "toggle-flag:999", None),
        Err(Error::NoSuchMessage)
    ));
    assert!(matches!(
        act(&[a], "move", Some("Nowhere")),
        Err(Error::NoSuchFolder)
    ));
    // Block the sender of c, then move a to Archive and b to Junk.
    assert_eq!(act(&[c, c], "block", None).unwrap(), 1);
    assert_eq!(
        f.user()
            .data(&f.dir)
            .unwrap()
            .senders(SenderList::Block)
            .unwrap(),
        ["cy@example.org"]
    );
    assert_eq!(act(&[a], "move", Some("Archive")).unwrap(), 1);
    assert_eq!(act(&[b], "spam", None).unwrap(), 1);
    assert_eq!(f.page("Archive").len(), 1);
    assert_eq!(f.page("Junk").len(), 1);
    // Delete moves to Trash; deleting in Trash removes from the folder.
    assert_eq!(act(&[c], "delete", None).unwrap(), 1);
    assert!(f.page("INBOX").is_empty());
    let trash = f.page("Trash");
    assert_eq!(trash.len(), 1);
    let in_trash = mailbox::with_store(&u.dir, |s| {
        let q = ListQuery {
            folder: "Trash".into(),
            ..ListQuery::default()
        };
        Ok(mailbox::list(s, &q, "UTC")?.rows[0].uid)
    })
    .unwrap();
    assert_eq!(
        mailbox::act_on(&f.dir, &u, "Trash", &[in_trash], "delete", None).unwrap(),
        1
    );
    assert!(f.page("Trash").is_empty());
    // Mail from the blocked sender now goes to Junk.
    assert_eq!(f.deliver("cy@example.org", "d", "").folder, "Junk");
}

#[test]
fn folders_search_source_and_attachments() {
    let f = fixture();
    let u = f.user();
    let uid = f.deliver("ann@example.org", "report", "").uid.unwrap();
    let with_file = message(
        "ann@example.org",
        "files",
        "",
    )
    .replace(
        "Content-Type: text/plain; charset=utf-8\r\n\r\nHello files\r\n",
        "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n\
         --b\r\nContent-Type: text/html; name=\"x.html\"\r\nContent-Disposition: attachment; filename=\"r\u{e9}sum\u{e9} \\\"1\\\".html\"\r\n\r\n<script>alert(1)</script>\r\n--b--\r\n",
    );
    let files = deliver(&f.dir, &f.root, &f.kim, with_file.as_bytes(), None)
        .unwrap()
        .uid
        .unwrap();
    mailbox::with_store(&u.dir, |s| {
        // Folders: create, a child, rename, refusals, delete.
        let op = |op: &str, name: &str, to: Option<&str>| {
            mailbox::folder_op(s, &FolderOp::parse(op, name, to)?)
        };
        assert_eq!(op("create", " Work ", None)?, 1);
        assert_eq!(op("create", "Work/2026", None)?, 1);
        assert!(matches!(
            op("create", "Work", None),
            Err(Error::FolderExists)
        ));
        assert!(matches!(
            op("rename", "Inbox", Some("X")),
            Err(Error::SpecialFolder)
        ));
        assert!(matches!(
            op("create", "a/../b", None),
            Err(Error::InvalidFolderName)
        ));
        assert_eq!(op("rename", "Work", Some("Projects"))?, 1);
        let names: Vec<(String, u32, String)> = mailbox::folders(s)?
            .into_iter()
            .map(|f| (f.name, f.depth, f.label))
            .collect();
        let special = ["INBOX", "Drafts", "Sent", "Junk", "Trash", "Archive"];
        for (i, name) in special.iter().enumerate() {
            assert_eq!(names[i].0, *name, "special folders first: {names:?}");
        }
        assert_eq!(names[0].2, "Inbox");
        assert_eq!(
            names[special.len()..],
            [
                ("Projects".into(), 0, "Projects".into()),
                ("Projects/2026".into(), 1, "2026".into())
            ]
        );
        assert_eq!(op("delete", "Projects/2026", None)?, 1);
        // Search by sender, subject and body, with the total.
        for (q, scope, hits) in [
            ("ann@", SearchScope::Sender, 2),
            ("files", SearchScope::Subject, 1),
            ("hello", SearchScope::Body, 1),
            ("nobody-here", SearchScope::Headers, 0),
        ] {
            let query = ListQuery {
                q: q.into(),
                scope,
                ..ListQuery::default()
            };
            assert_eq!(mailbox::list(s, &query, "UTC")?.total, hits, "{q}");
        }
        let bad = ListQuery {
            q: "x".repeat(1000),
            ..ListQuery::default()
        };
        assert!(matches!(
            mailbox::list(s, &bad, "UTC"),
            Err(Error::Invalid(_))
        ));
        // The source, and an attachment served so that it cannot run.
        assert!(mailbox::source(s, "INBOX", uid)?.contains("Subject: report"));
        assert!(matches!(
            mailbox::source(s, "INBOX", 999),
            Err(Error::NoSuchMessage)
        ));
        let d = mailbox::attachment(s, "INBOX", files, "", 2)?;
        assert_eq!(
            d.content_type, "application/octet-stream",
            "HTML never served as HTML"
        );
        assert_eq!(d.bytes, b"<script>alert(1)</script>");
        assert_eq!(d.filename, "r\u{e9}sum\u{e9} \"1\".html");
        assert_eq!(d.ascii_filename, "r_sum_ _1_.html");
        assert!(matches!(
            mailbox::attachment(s, "INBOX", files, "", 9),
            Err(Error::NoSuchAttachment)
        ));
        assert!(matches!(
            mailbox::attachment(s, "INBOX", files, "x", 2),
            Err(Error::NoSuchAttachment)
        ));
        Ok(())
    })
    .unwrap();
}

#[test]
fn opening_a_message() {
    let f = fixture();
    let u = f.user();
    let html = "MIME-Version: 1.0\r\nContent-Type: text/html\r\n\r\n<p>Hi<img src=\"https://tracker.example/p.gif\"><script>x()</script></p>\r\n";
    let raw = |from: &str, subject: &str, extra: &str| {
        format!(
            "From: {from}\r\nTo: kim@example.com\r\nSubject: {subject}\r\n\
             Date: Thu, 03 Dec 2026 10:00:00 +0000\r\n{extra}{html}"
        )
    };
    let mut uids = Vec::new();
    for (from, subject, extra) in [
        ("ann@example.org", "one", ""),
        (
            "bob@example.org",
            "two",
            "Disposition-Notification-To: bob@example.org\r\n",
        ),
        ("cy@example.org", "three", ""),
    ] {
        let m = raw(from, subject, extra);
        uids.push(
            deliver(&f.dir, &f.root, &f.kim, m.as_bytes(), None)
                .unwrap()
                .uid
                .unwrap(),
        );
    }
    let query = ListQuery {
        sort: SortColumn::Subject,
        desc: false,
        ..ListQuery::default()
    };
    // "one" < "three" < "two" by subject.
    let opening = Opening {
        query: query.clone(),
        uid: uids[2],
        mark_read: false,
        ..Opening::default()
    };
    let o = open_message(&f.dir, &u, &opening).unwrap();
    assert_eq!(o.prev.as_ref().map(|r| r.uid), Some(uids[0]));
    assert_eq!(o.next.as_ref().map(|r| r.uid), Some(uids[1]));
    assert!(!o.images_shown);
    assert_eq!(o.view.date_offset, 3600, "Berlin in December");
    let Body::Html { html, .. } = &o.view.body else {
        panic!("an HTML body: {:?}", o.view.body)
    };
    assert!(
        !html.contains("script") && !html.contains("tracker.example"),
        "{html}"
    );
    assert!(
        f.page("INBOX").iter().all(|(_, seen, _)| !seen),
        "not marked read when not asked"
    );
    // Marked read; the receipt asked for is offered once.
    let two = Opening {
        uid: uids[1],
        mark_read: true,
        ..opening.clone()
    };
    let o = open_message(&f.dir, &u, &two).unwrap();
    assert_eq!(o.receipt_request.as_deref(), Some("bob@example.org"));
    assert_eq!(o.next, None);
    assert!(
        f.page("INBOX")
            .iter()
            .any(|(s, seen, _)| s == "two" && *seen)
    );
    // A trusted sender's images are shown without asking.
    mail::settings::set_pref(
        &f.dir,
        &u,
        &format!("{TRUSTED_IMAGES}ann@example.org"),
        "always",
    )
    .unwrap();
    // Nothing else can be stored that way.
    for (key, value) in [
        ("pane", "sideways"),
        ("identity.signature", "x"),
        (&format!("{TRUSTED_IMAGES}nobody"), "always"),
    ] {
        assert!(
            mail::settings::set_pref(&f.dir, &u, key, value).is_err(),
            "{key}={value}"
        );
    }
    let one = Opening {
        uid: uids[0],
        ..opening.clone()
    };
    let o = open_message(&f.dir, &u, &one).unwrap();
    assert!(o.images_shown);
    let Body::Html { html, .. } = &o.view.body else {
        panic!()
    };
    assert!(html.contains("tracker.example"), "{html}");
    assert!(matches!(
        open_message(
            &f.dir,
            &u,
            &Opening {
                uid: 999,
                ..opening.clone()
            }
        ),
        Err(Error::NoSuchMessage)
    ));
    assert!(matches!(
        open_message(
            &f.dir,
            &u,
            &Opening {
                nested: vec![7],
                ..opening
            }
        ),
        Err(Error::NoSuchMessage)
    ));
}
