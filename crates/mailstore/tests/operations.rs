//! Table tests for every store operation.

use std::fs;

use mailstore::{Error, Flag, FolderRole, Mailstore, Query, SortColumn};
use testkit::TempUser;

fn msg(i: usize, subject: &str) -> Vec<u8> {
    format!(
        "From: Sender {i} <s{i}@example.com>\r\nTo: r@example.org\r\nSubject: {subject}\r\n\
         Date: Mon, {} Jan 2024 10:00:00 +0000\r\nMessage-ID: <m{i}@example.com>\r\n\r\nBody {i} text.\r\n",
        1 + i % 28
    )
    .into_bytes()
}

fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn open_creates_dovecot_layout_with_special_folders() {
    let t = TempUser::new();
    let s = Mailstore::open(t.path()).unwrap();
    let md = t.maildir();
    for sub in ["cur", "new", "tmp"] {
        assert!(md.join(sub).is_dir(), "INBOX/{sub}");
    }
    for f in ["Drafts", "Sent", "Junk", "Trash", "Archive"] {
        assert!(md.join(format!(".{f}/cur")).is_dir(), "{f}");
        assert!(md.join(format!(".{f}/maildirfolder")).is_file(), "{f}");
    }
    let folders = s.folders().unwrap();
    let names: Vec<_> = folders
        .iter()
        .map(|f| (f.name.as_str(), f.special))
        .collect();
    assert_eq!(
        names,
        vec![
            ("INBOX", Some(FolderRole::Inbox)),
            ("Drafts", Some(FolderRole::Drafts)),
            ("Sent", Some(FolderRole::Sent)),
            ("Junk", Some(FolderRole::Junk)),
            ("Trash", Some(FolderRole::Trash)),
            ("Archive", Some(FolderRole::Archive)),
        ]
    );
    assert!(t.path().join("index.sqlite").is_file());
}

#[test]
fn deliver_writes_new_and_indexes() {
    let t = TempUser::new();
    let s = Mailstore::open(t.path()).unwrap();
    let uids: Vec<_> = (0..3)
        .map(|i| s.deliver("INBOX", &msg(i, "hello")).unwrap())
        .collect();
    assert_eq!(uids, vec![1, 2, 3]);
    let new = files_in(&t.maildir().join("new"));
    assert_eq!(new.len(), 3);
    assert!(files_in(&t.maildir().join("tmp")).is_empty());
    for name in &new {
        assert!(name.contains(",S=") && name.contains(",W="), "{name}");
        assert!(!name.contains(':'), "{name}");
    }
    let inbox = &s.folders().unwrap()[0];
    assert_eq!((inbox.total, inbox.unread, inbox.uidnext), (3, 3, 4));
    assert_eq!(s.raw("INBOX", 2).unwrap().unwrap(), msg(1, "hello"));
    assert_eq!(s.raw("INBOX", 99).unwrap(), None);
    assert!(matches!(
        s.deliver("Nope", b"x"),
        Err(Error::NoSuchFolder(_))
    ));
}

#[test]
fn free_deliver_for_the_lda() {
    let t = TempUser::new();
    let d = mailstore::deliver(t.path(), None, &msg(1, "lda")).unwrap();
    assert_eq!((d.folder.as_str(), d.uid), ("INBOX", Some(1)));
    let d = mailstore::deliver(t.path(), Some("Lists/new"), &msg(2, "lda")).unwrap();
    assert_eq!(d.folder, "Lists/new");
    assert!(t.maildir().join(".Lists.new/new").is_dir());
    let e = mailstore::deliver(t.path(), Some("bad.name"), b"x").unwrap_err();
    assert!(!e.is_temporary());
}

#[test]
fn append_with_flags_and_date() {
    let t = TempUser::new();
    let s = Mailstore::open(t.path()).unwrap();
    let uid = s
        .append(
            "Sent",
            &msg(1, "sent"),
            &[Flag::Seen, Flag::Keyword("$Forwarded".into())],
            Some(1_700_000_000),
        )
        .unwrap();
    let files = files_in(&t.maildir().join(".Sent/cur"));
    assert_eq!(files.len(), 1);
    assert!(files[0].ends_with(":2,Sa"), "{}", files[0]);
    assert_eq!(
        fs::read_to_string(t.maildir().join(".Sent/dovecot-keywords")).unwrap(),
        "0 $Forwarded\n"
    );
    let m = s.summary("Sent", uid).unwrap().unwrap();
    assert_eq!(m.arrival, 1_700_000_000);
    assert!(m.flags.seen);
    assert_eq!(m.flags.keywords, vec!["$Forwarded"]);
}

#[test]
fn flags_table() {
    let t = TempUser::new();
    let s = Mailstore::open(t.path()).unwrap();
    let uid = s.deliver("INBOX", &msg(1, "flags")).unwrap();
    let kw = |k: &str| Flag::Keyword(k.to_string());
    // (set, clear, expected info suffix)
    let cases: Vec<(Vec<Flag>, Vec<Flag>, &str)> = vec![
        (vec![Flag::Seen], vec![], "S"),
        (vec![Flag::Flagged], vec![], "FS"),
        (vec![Flag::Answered, Flag::Draft], vec![], "DFRS"),
        (vec![Flag::Deleted], vec![Flag::Draft], "FRST"),
        (vec![kw("$Junk")], vec![], "FRSTa"),
        (vec![kw("$MDNSent"), kw("$Forwarded")], vec![], "FRSTabc"),
        (vec![], vec![kw("$Junk"), Flag::Deleted], "FRSbc"),
        (
            vec![],
            vec![Flag::Seen, Flag::Flagged, Flag::Answered],
            "bc",
        ),
        (vec![], vec![kw("$MDNSent"), kw("$Forwarded")], ""),
    ];
    for (set, clear, want) in cases {
        if !set.is_empty() {
            assert_eq!(s.set_flags("INBOX", &[uid], &set).unwrap(), 1);
        }
        if !clear.is_empty() {
            assert_eq!(s.clear_flags("INBOX", &[uid], &clear).unwrap(), 1);
        }
        let files = files_in(&t.maildir().join("cur"));
        assert_eq!(files.len(), 1, "{set:?} {clear:?}");
        assert!(
            files[0].ends_with(&format!(":2,{want}")),
            "{set:?} -{clear:?}: {}",
            files[0]
        );
        let m = s.summary("INBOX", uid).unwrap().unwrap();
        assert_eq!(m.flags.seen, want.contains('S'));
        assert_eq!(m.flags.flagged, want.contains('F'));
        assert_eq!(m.flags.deleted, want.contains('T'));
        assert_eq!(
            s.folders().unwrap()[0].unread,
            u64::from(!want.contains('S'))
        );
        assert!(s.check().unwrap().is_empty());
    }
    assert!(files_in(&t.maildir().join("new")).is_empty());
    assert_eq!(s.set_flags("INBOX", &[999], &[Flag::Seen]).unwrap(), 0);
}

#[test]
fn move_copy_delete_expunge_restore() {
    let t = TempUser::new();
    let s = Mailstore::open(t.path()).unwrap();
    let a = s.deliver("INBOX", &msg(1, "a")).unwrap();
    let b = s.deliver("INBOX", &msg(2, "b")).unwrap();
    let c = s.deliver("INBOX", &msg(3, "c")).unwrap();
    s.set_flags("INBOX", &[a], &[Flag::Seen, Flag::Keyword("$Junk".into())])
        .unwrap();

    let moved = s.move_to("INBOX", &[a], "Archive").unwrap();
    assert_eq!(moved, vec![(a, 1)]);
    let m = s.summary("Archive", 1).unwrap().unwrap();
    assert!(m.flags.seen);
    assert_eq!(m.flags.keywords, vec!["$Junk"]);
    assert_eq!(s.summary("INBOX", a).unwrap(), None);

    let copied = s.copy_to("INBOX", &[b], "Archive").unwrap();
    assert_eq!(copied, vec![(b, 2)]);
    assert_eq!(s.raw("Archive", 2).unwrap().unwrap(), msg(2, "b"));
    assert_eq!(s.raw("INBOX", b).unwrap().unwrap(), msg(2, "b"));

    assert_eq!(s.delete("INBOX", &[c]).unwrap(), 1);
    let trash = s.list("Trash", SortColumn::Date, false, 0, 10).unwrap();
    assert_eq!(trash.total, 1);
    assert_eq!(trash.items[0].subject, "c");
    assert_eq!(s.delete("Trash", &[trash.items[0].uid]).unwrap(), 1);
    assert_eq!(
        s.list("Trash", SortColumn::Date, false, 0, 10)
            .unwrap()
            .total,
        0
    );

    let retained = s.retained().unwrap();
    assert_eq!(retained.len(), 1);
    assert_eq!(
        (retained[0].folder.as_str(), retained[0].subject.as_str()),
        ("Trash", "c")
    );
    let (folder, uid) = s.restore(retained[0].id).unwrap().unwrap();
    assert_eq!(folder, "Trash");
    assert_eq!(s.summary("Trash", uid).unwrap().unwrap().subject, "c");
    assert!(s.retained().unwrap().is_empty());
    assert_eq!(s.restore(retained[0].id).unwrap(), None);

    s.set_flags("INBOX", &[b], &[Flag::Deleted]).unwrap();
    assert_eq!(s.expunge_deleted("INBOX").unwrap(), 1);
    assert_eq!(
        s.list("INBOX", SortColumn::Date, false, 0, 10)
            .unwrap()
            .total,
        0
    );
    assert_eq!(s.purge_retained(1).unwrap(), 0);
    assert_eq!(s.purge_retained(0).unwrap(), 1);
    assert!(s.retained().unwrap().is_empty());

    // A discarded message is gone for good: not listed, no file, not
    // retained, and the index agrees with the Maildir.
    let d = s.deliver("Drafts", &msg(4, "draft v1")).unwrap();
    assert_eq!(s.discard("Drafts", &[d, 999]).unwrap(), 1);
    assert_eq!(s.summary("Drafts", d).unwrap(), None);
    assert!(s.retained().unwrap().is_empty());
    let drafts = t.path().join("Maildir/.Drafts");
    assert!(files_in(&drafts.join("cur")).is_empty() && files_in(&drafts.join("new")).is_empty());
    assert!(s.check().unwrap().is_empty());
    assert_eq!(s.discard("Drafts", &[d]).unwrap(), 0);
    assert!(s.check().unwrap().is_empty(), "{:?}", s.check());
}

#[test]
fn folder_create_rename_delete() {
    let t = TempUser::new();
    let s = Mailstore::open(t.path()).unwrap();
    s.create_folder("Work").unwrap();
    s.create_folder("Work/Projects").unwrap();
    s.create_folder("Entwürfe").unwrap();
    assert!(t.maildir().join(".Work.Projects/cur").is_dir());
    assert!(t.maildir().join(".Entw&APw-rfe/cur").is_dir());
    assert!(matches!(
        s.create_folder("Work"),
        Err(Error::FolderExists(_))
    ));
    assert!(matches!(
        s.create_folder("a.b"),
        Err(Error::InvalidFolderName(_))
    ));
    let uid = s.deliver("Work/Projects", &msg(1, "proj")).unwrap();
    let before = s
        .folders()
        .unwrap()
        .into_iter()
        .find(|f| f.name == "Work/Projects")
        .unwrap();

    s.rename_folder("Work", "Jobs").unwrap();
    assert!(t.maildir().join(".Jobs.Projects/cur").is_dir());
    assert!(!t.maildir().join(".Work").exists());
    let after = s
        .folders()
        .unwrap()
        .into_iter()
        .find(|f| f.name == "Jobs/Projects")
        .unwrap();
    assert_eq!((after.uidvalidity, after.total), (before.uidvalidity, 1));
    assert_eq!(
        s.raw("Jobs/Projects", uid).unwrap().unwrap(),
        msg(1, "proj")
    );

    for special in ["INBOX", "Trash", "Sent"] {
        assert!(matches!(
            s.rename_folder(special, "X"),
            Err(Error::SpecialFolder(_))
        ));
        assert!(matches!(
            s.delete_folder(special),
            Err(Error::SpecialFolder(_))
        ));
    }
    assert!(matches!(
        s.rename_folder("Nope", "X"),
        Err(Error::NoSuchFolder(_))
    ));

    s.delete_folder("Jobs/Projects").unwrap();
    assert!(!t.maildir().join(".Jobs.Projects").exists());
    let names: Vec<_> = s.folders().unwrap().into_iter().map(|f| f.name).collect();
    assert!(names.contains(&"Jobs".to_string()) && !names.contains(&"Jobs/Projects".to_string()));
    let r = s.retained().unwrap();
    assert_eq!(r.len(), 1, "messages of a deleted folder are kept");
    let (folder, _) = s.restore(r[0].id).unwrap().unwrap();
    assert_eq!(folder, "Jobs/Projects");
    assert!(names.contains(&"Entwürfe".to_string()));
}

#[test]
fn sort_every_key_both_directions() {
    let t = TempUser::new();
    let s = Mailstore::open(t.path()).unwrap();
    let subjects = ["Delta", "Re: alpha", "charlie", "Bravo"];
    for (i, subj) in subjects.iter().enumerate() {
        s.deliver("INBOX", &msg(i, subj)).unwrap();
    }
    s.set_flags("INBOX", &[3], &[Flag::Flagged]).unwrap();
    for key in SortColumn::ALL {
        let asc: Vec<_> = s
            .list("INBOX", key, false, 0, 10)
            .unwrap()
            .items
            .iter()
            .map(|m| m.uid)
            .collect();
        let mut desc: Vec<_> = s
            .list("INBOX", key, true, 0, 10)
            .unwrap()
            .items
            .iter()
            .map(|m| m.uid)
            .collect();
        desc.reverse();
        assert_eq!(asc, desc, "{key:?}");
        assert_eq!(asc.len(), 4);
        assert_eq!(SortColumn::parse(key.as_str()), Some(key));
    }
    let by = |k| -> Vec<String> {
        s.list("INBOX", k, false, 0, 10)
            .unwrap()
            .items
            .into_iter()
            .map(|m| m.subject)
            .collect()
    };
    assert_eq!(
        by(SortColumn::Subject),
        vec!["Re: alpha", "Bravo", "charlie", "Delta"]
    );
    assert_eq!(
        by(SortColumn::Date),
        vec!["Delta", "Re: alpha", "charlie", "Bravo"]
    );
    assert_eq!(by(SortColumn::Flagged).last().unwrap(), "charlie");
    let page = s.list("INBOX", SortColumn::Date, false, 1, 2).unwrap();
    assert_eq!((page.total, page.offset, page.items.len()), (4, 1, 2));
    assert_eq!(page.items[0].subject, "Re: alpha");
}

#[test]
fn search_fields() {
    let t = TempUser::new();
    let s = Mailstore::open(t.path()).unwrap();
    s.deliver(
        "INBOX",
        b"From: =?utf-8?q?J=C3=B6rg?= <jorg@example.org>\r\nTo: Ann <ann@example.com>\r\n\
Subject: Quarterly budget\r\nDate: Tue, 2 Jan 2024 10:00:00 +0000\r\nMessage-ID: <q1@x>\r\n\r\n\
The hippopotamus sings.\r\n",
    )
    .unwrap();
    s.deliver(
        "INBOX",
        b"From: bob@example.net\r\nTo: carol@example.com\r\nSubject: lunch\r\n\
Date: Fri, 2 Feb 2024 10:00:00 +0000\r\n\r\nbudget talk over lunch\r\n",
    )
    .unwrap();
    s.append("Sent", b"From: me@example.com\r\nTo: jorg@example.org\r\nSubject: Re: Quarterly budget\r\n\r\nok\r\n", &[Flag::Seen], None)
        .unwrap();
    let count = |q: &str| {
        s.search(&Query::parse(q).unwrap(), SortColumn::Date, true, 0, 50)
            .unwrap()
            .total
    };
    let cases = [
        ("", 3),
        ("from:jörg", 1),
        ("from:JÖR", 1),
        ("from:bob", 1),
        ("from:zz", 0),
        ("to:ann", 1),
        ("to:jorg", 1),
        ("subject:budget", 2),
        ("subject:\"quarterly budget\"", 2),
        ("budget", 2),
        ("body:hippopotamus", 1),
        ("body:budget", 1),
        ("text:budget", 3),
        ("text:hippopotamus", 1),
        ("is:unread", 2),
        ("is:read", 1),
        ("in:Sent", 1),
        ("in:INBOX budget", 1),
        ("after:2024-01-15", 2),
        ("after:2024-01-15 in:INBOX", 1),
        ("before:2024-01-15", 1),
        ("has:attachment", 0),
        ("bo", 1),
    ];
    for (q, want) in cases {
        assert_eq!(count(q), want, "{q:?}");
        // Every page says the same total, past the last one too, and holds
        // what is left.
        for offset in 0..=4 {
            let page = s
                .search(
                    &Query::parse(q).unwrap(),
                    SortColumn::Subject,
                    false,
                    offset,
                    1,
                )
                .unwrap();
            assert_eq!(page.total, want, "{q:?} at {offset}");
            assert_eq!(
                page.items.len() as u64,
                want.saturating_sub(offset).min(1),
                "{q:?} at {offset}"
            );
        }
    }
    use mailstore::SearchScope;
    let scoped = |text, scope| {
        s.search(&Query::scoped(text, scope), SortColumn::Date, true, 0, 50)
            .unwrap()
            .total
    };
    assert_eq!(scoped("budget", SearchScope::Headers), 2);
    assert_eq!(scoped("budget", SearchScope::Subject), 2);
    assert_eq!(scoped("budget", SearchScope::Sender), 0);
    assert_eq!(scoped("budget", SearchScope::Body), 3);
}

#[test]
fn a_sender_term_found_in_most_headers_gives_the_same_results_as_a_rare_one_would() {
    // Every message has `alex` in its recipient, a third of them in the
    // sender: the header search scans instead of using the trigram index.
    let t = TempUser::new();
    let cur = t.path().join("Maildir/cur");
    fs::create_dir_all(&cur).unwrap();
    let mut alex7 = 0;
    for i in 0..1_200usize {
        let from = if i % 3 == 0 {
            alex7 += usize::from(i.to_string().starts_with('7'));
            format!("Alex Flex <ALEX{i}@example.com>")
        } else {
            format!("Sam <sam{i}@example.com>")
        };
        let raw = format!(
            "From: {from}\r\nTo: alexandra@example.org\r\nSubject: Sales {i}\r\n\
             Date: Mon, 1 Jan 2024 {:02}:{:02}:00 +0000\r\nMessage-ID: <c{i}@x>\r\n\r\nBody.\r\n",
            i / 60,
            i % 60
        );
        fs::write(
            cur.join(format!("{}.M{i}P1.host:2,S", 1_700_000_000 + i)),
            raw,
        )
        .unwrap();
    }
    let s = Mailstore::open(t.path()).unwrap();
    let page = |q: &str, offset| {
        s.search(
            &Query::parse(q).unwrap(),
            SortColumn::Date,
            true,
            offset,
            50,
        )
        .unwrap()
    };
    let first = page("from:alex", 0);
    assert_eq!(first.total, 400);
    assert_eq!(first.items.len(), 50);
    assert!(first.items.iter().all(|m| m.from_addr.starts_with("ALEX")));
    assert_eq!(first.items[0].subject, "Sales 1197");
    assert_eq!(first.items[1].subject, "Sales 1194");
    let last = page("from:alex", 390);
    assert_eq!((last.total, last.items.len()), (400, 10));
    let past = page("from:alex", 1_000);
    assert_eq!((past.total, past.items.len()), (400, 0));
    assert_eq!(page("from:ALEX", 0).total, 400);
    assert_eq!(page("from:alex7", 0).total, alex7 as u64);
    assert_eq!(page("from:sam", 0).total, 800);
    assert_eq!(page("from:qzx", 0).total, 0);
    assert_eq!(page("to:alex", 0).total, 1_200);
    assert_eq!(page("alex", 0).total, 1_200);
}

#[test]
fn threads_from_references_and_subjects() {
    let t = TempUser::new();
    let s = Mailstore::open(t.path()).unwrap();
    let m = |id: &str, subj: &str, refs: &str| {
        let mut h = format!("From: a@x\r\nSubject: {subj}\r\nMessage-ID: <{id}>\r\n");
        if !refs.is_empty() {
            h.push_str(&format!(
                "In-Reply-To: <{refs}>\r\nReferences: <{refs}>\r\n"
            ));
        }
        h.push_str("\r\nx\r\n");
        h.into_bytes()
    };
    // The reply arrives before its parent: threads merge when it comes.
    let r = s.deliver("INBOX", &m("r@x", "Re: plan", "p@x")).unwrap();
    let o = s.deliver("INBOX", &m("o@x", "other", "")).unwrap();
    let p = s
        .append("Sent", &m("p@x", "plan", ""), &[Flag::Seen], None)
        .unwrap();
    let f = s.deliver("INBOX", &m("f@x", "Fwd: plan", "")).unwrap();
    let tid = |folder, uid| s.summary(folder, uid).unwrap().unwrap().thread_id;
    assert_eq!(tid("INBOX", r), tid("Sent", p));
    assert_eq!(tid("INBOX", f), tid("Sent", p), "subject fallback");
    assert_ne!(tid("INBOX", o), tid("Sent", p));
    assert_eq!(s.thread(tid("Sent", p)).unwrap().len(), 3);
}

/// A message with a date, and References naming `refs` (space-separated).
fn dated(id: &str, subject: &str, day: i64, refs: &str) -> Vec<u8> {
    let date = 1_700_000_000 + day * 86_400;
    let days = date / 86_400;
    // 2023-11-14 is day 0; only the difference between messages matters.
    let mut h = format!(
        "From: a@x\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\nDate: {}\r\n",
        format_date(days, date % 86_400)
    );
    if !refs.is_empty() {
        let list: Vec<String> = refs.split(' ').map(|r| format!("<{r}>")).collect();
        h.push_str(&format!(
            "In-Reply-To: {}\r\nReferences: {}\r\n",
            list.last().unwrap(),
            list.join(" ")
        ));
    }
    h.push_str("\r\nx\r\n");
    h.into_bytes()
}

/// An RFC 5322 date for days since the epoch and seconds into the day.
fn format_date(days: i64, secs: i64) -> String {
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{d} {} {y} {:02}:{:02}:{:02} +0000",
        MONTHS[(m - 1) as usize],
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[test]
fn replies_to_a_missing_message_share_its_thread() {
    let t = TempUser::new();
    let s = Mailstore::open(t.path()).unwrap();
    // Both answer gone@x, which is not in the mailbox.
    let a = s
        .deliver("INBOX", &dated("a@x", "Re: gone", 1, "gone@x"))
        .unwrap();
    let b = s
        .deliver("INBOX", &dated("b@x", "Re: gone", 2, "gone@x"))
        .unwrap();
    let c = s
        .deliver("INBOX", &dated("c@x", "Re: gone", 3, "root@x b@x"))
        .unwrap();
    let tid = |uid| s.summary("INBOX", uid).unwrap().unwrap().thread_id;
    assert_eq!(tid(a), tid(b));
    assert_eq!(tid(b), tid(c));
}

#[test]
fn subjects_join_only_messages_without_references_and_only_recent_ones() {
    let t = TempUser::new();
    let s = Mailstore::open(t.path()).unwrap();
    let tid = |uid| s.summary("INBOX", uid).unwrap().unwrap().thread_id;
    let first = s
        .deliver("INBOX", &dated("m1@x", "meeting", 0, ""))
        .unwrap();
    // A list tag is not a reply prefix: a new conversation.
    let tagged = s
        .deliver("INBOX", &dated("m2@x", "[dev] meeting", 1, ""))
        .unwrap();
    assert_ne!(tid(tagged), tid(first));
    // A reply prefix without references joins the latest same subject.
    let re = s
        .deliver("INBOX", &dated("m3@x", "Re: meeting", 2, ""))
        .unwrap();
    assert_eq!(tid(re), tid(tagged));
    // Two months later the same words start a conversation of their own.
    let later = s
        .deliver("INBOX", &dated("m4@x", "Re: meeting", 70, ""))
        .unwrap();
    assert_ne!(tid(later), tid(re));
    // A reply whose references lead elsewhere is not joined by its subject.
    let other = s
        .deliver("INBOX", &dated("o1@x", "budget", 71, ""))
        .unwrap();
    let misnamed = s
        .deliver("INBOX", &dated("o2@x", "Re: meeting", 72, "o1@x"))
        .unwrap();
    assert_eq!(tid(misnamed), tid(other));
    assert_ne!(tid(misnamed), tid(later));
}

#[test]
fn expunging_the_link_between_two_parts_splits_the_thread_as_a_rebuild_would() {
    let t = TempUser::new();
    let s = Mailstore::open(t.path()).unwrap();
    let tid = |uid| s.summary("INBOX", uid).unwrap().unwrap().thread_id;
    let a = s.deliver("INBOX", &dated("a@x", "plan", 0, "")).unwrap();
    // b answers a; c names only b (a client that keeps no References).
    let b = s
        .deliver("INBOX", &dated("b@x", "Re: plan", 1, "a@x"))
        .unwrap();
    let c = s
        .deliver("INBOX", &dated("c@x", "Re: plan", 2, "b@x"))
        .unwrap();
    let d = s
        .deliver("INBOX", &dated("d@x", "Re: plan", 3, "a@x"))
        .unwrap();
    assert!([b, c, d].iter().all(|&u| tid(u) == tid(a)));
    assert_eq!(s.expunge("INBOX", &[b]).unwrap(), 1);
    assert_eq!(tid(a), tid(d));
    assert_ne!(tid(c), tid(a), "nothing joins c to a any more");
    assert_eq!(s.thread(tid(a)).unwrap().len(), 2);
    assert_eq!(s.thread(tid(c)).unwrap().len(), 1);
    let before = (tid(a) == tid(d), tid(c) == tid(a));
    s.reindex(|_| {}).unwrap();
    let uid_of = |subject_id: &str| {
        s.list("INBOX", SortColumn::Date, false, 0, 10)
            .unwrap()
            .items
            .into_iter()
            .find(|m| m.message_id == subject_id)
            .unwrap()
            .uid
    };
    let (a, c, d) = (uid_of("a@x"), uid_of("c@x"), uid_of("d@x"));
    assert_eq!(before, (tid(a) == tid(d), tid(c) == tid(a)));
}

#[test]
fn neighbors_follow_the_list_order() {
    let t = TempUser::new();
    let s = Mailstore::open(t.path()).unwrap();
    // Ties on every key (the same message twice) and on some (the same
    // date, another sender) are ordered by arrival in the index.
    for (i, subj) in [
        (0, "Delta"),
        (1, "alpha"),
        (2, "charlie"),
        (3, "Bravo"),
        (0, "Delta"),
        (28, "alpha"),
        (1, "alpha"),
    ] {
        s.deliver("INBOX", &msg(i, subj)).unwrap();
    }
    s.set_flags("INBOX", &[2, 5], &[Flag::Flagged]).unwrap();
    for key in SortColumn::ALL {
        for descending in [false, true] {
            let order: Vec<_> = s
                .list("INBOX", key, descending, 0, 10)
                .unwrap()
                .items
                .iter()
                .map(|m| m.uid)
                .collect();
            for (i, uid) in order.iter().enumerate() {
                let expected = (
                    i.checked_sub(1).map(|j| order[j]),
                    order.get(i + 1).copied(),
                );
                assert_eq!(
                    s.neighbors("INBOX", *uid, key, descending).unwrap(),
                    expected,
                    "{key:?} {descending} uid {uid}"
                );
            }
        }
    }
    assert_eq!(
        s.neighbors("INBOX", 999, SortColumn::Date, true).unwrap(),
        (None, None)
    );
    assert!(matches!(
        s.neighbors("Nope", 1, SortColumn::Date, true),
        Err(Error::NoSuchFolder(_))
    ));
}

#[test]
fn search_neighbors_follow_the_results_across_folders() {
    let t = TempUser::new();
    let s = Mailstore::open(t.path()).unwrap();
    for (i, subj) in [
        (0, "plan one"),
        (1, "other"),
        (2, "plan two"),
        (3, "plan three"),
        (2, "plan two"),
    ] {
        s.deliver("INBOX", &msg(i, subj)).unwrap();
    }
    s.append("Sent", &msg(7, "plan sent"), &[Flag::Seen], None)
        .unwrap();
    s.append("Sent", &msg(2, "plan two"), &[Flag::Seen], None)
        .unwrap();
    let q = Query::parse("subject:plan").unwrap();
    for key in SortColumn::ALL {
        for descending in [false, true] {
            let order: Vec<(String, u32)> = s
                .search(&q, key, descending, 0, 50)
                .unwrap()
                .items
                .iter()
                .map(|m| (m.folder.clone(), m.uid))
                .collect();
            assert_eq!(order.len(), 6);
            for (i, (folder, uid)) in order.iter().enumerate() {
                let expected = (
                    i.checked_sub(1).map(|j| order[j].clone()),
                    order.get(i + 1).cloned(),
                );
                assert_eq!(
                    s.search_neighbors(&q, folder, *uid, key, descending)
                        .unwrap(),
                    expected,
                    "{key:?} {descending} {folder} {uid}"
                );
            }
        }
    }
    // A message outside the results has no neighbours.
    let other = s
        .list("INBOX", SortColumn::Subject, false, 0, 10)
        .unwrap()
        .items;
    let other = other.iter().find(|m| m.subject == "other").unwrap();
    assert_eq!(
        s.search_neighbors(&q, "INBOX", other.uid, SortColumn::Date, true)
            .unwrap(),
        (None, None)
    );
}

/// Another program renames a file right after a sync, within the same
/// timestamp tick of cur/'s mtime as the store's own change before it: the
/// next sync still sees it, round after round. Run as it is, and as on a
/// file system that keeps whole seconds (the mtime set back to the second
/// after every change), where such ticks are long.
#[test]
fn a_change_right_after_a_sync_is_seen() {
    for whole_seconds in [false, true] {
        changes_right_after_syncs(whole_seconds);
    }
}

fn changes_right_after_syncs(whole_seconds: bool) {
    use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
    let t = TempUser::new();
    let s = Mailstore::open(t.path()).unwrap();
    for i in 0..20 {
        s.append("INBOX", &msg(i, "tick"), &[], None).unwrap();
    }
    let cur = t.maildir().join("cur");
    assert_eq!(files_in(&cur).len(), 20);
    let coarsen = || {
        if whole_seconds {
            let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
            let second = UNIX_EPOCH + Duration::from_secs(now.as_secs());
            fs::File::open(&cur).unwrap().set_modified(second).unwrap();
        }
    };
    let uids: Vec<_> = s
        .list("INBOX", SortColumn::Date, false, 0, 100)
        .unwrap()
        .items
        .iter()
        .map(|m| m.uid)
        .collect();
    let started = Instant::now();
    let mut round = 0;
    // Long enough to cross whole seconds.
    while round < 200 || started.elapsed() < Duration::from_millis(2500) {
        // Our own change, then at once another program's.
        let (ours, theirs) = (uids[round % 20], round % 20);
        if round % 2 == 0 {
            s.set_flags("INBOX", &[ours], &[Flag::Seen]).unwrap();
        } else {
            s.clear_flags("INBOX", &[ours], &[Flag::Seen]).unwrap();
        }
        coarsen();
        let names = files_in(&cur);
        let name = &names[theirs];
        let key = name.split(':').next().unwrap();
        let flags = if name.ends_with(",S") { "" } else { "S" };
        fs::rename(cur.join(name), cur.join(format!("{key}:2,{flags}"))).unwrap();
        coarsen();
        let on_disk = files_in(&cur).iter().filter(|n| n.ends_with(",S")).count();
        let indexed = s
            .list("INBOX", SortColumn::Date, false, 0, 100)
            .unwrap()
            .items
            .iter()
            .filter(|m| m.flags.seen)
            .count();
        assert_eq!(
            indexed, on_disk,
            "round {round}, whole seconds {whole_seconds}"
        );
        round += 1;
        std::thread::sleep(Duration::from_millis(2));
    }
}
