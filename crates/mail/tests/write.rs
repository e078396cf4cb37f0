//! Writing mail against a real directory, real Maildirs with their index,
//! the real outbound queue and, where installed, a real SMTP server
//! (aiosmtpd) that the queued message is relayed to.

use accounts::{Account, Directory, SenderList};
use compose::queue::Queue;
use mail::identity::{IdentityForm, MAX_SIGNATURE, set_identity};
use mail::write::{self, Form, Services, Upload};
use mail::{Error, User};
use mailstore::Mailstore;
use model::AccountStatus;
use model::compose::{BodyFormat, ComposeOpening, Draft};
use model::mail::MessageRef;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

struct Fixture {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    dir: Directory,
    queue: Queue,
    spell: spell::Dictionaries,
    woken: AtomicUsize,
    kim: Account,
    lee: Account,
}

const MAX: u64 = 64 * 1024;

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().to_path_buf();
    let dir = Directory::open_with(&root.join("directory.sqlite"), Default::default()).unwrap();
    dir.add_domain("example.com").unwrap();
    let kim = dir.add_user("kim@example.com", "kim-password-1").unwrap();
    let lee = dir.add_user("lee@example.com", "lee-password-1").unwrap();
    let queue = Queue::open(root.join("spool")).unwrap();
    std::fs::create_dir_all(root.join("dicts")).unwrap();
    let spell = spell::Dictionaries::open(&root.join("dicts")).unwrap();
    Fixture {
        _tmp: tmp,
        root,
        dir,
        queue,
        spell,
        woken: AtomicUsize::new(0),
        kim,
        lee,
    }
}

impl Fixture {
    fn user(&self, a: &Account) -> User {
        User {
            id: a.id,
            address: a.address.clone(),
            dir: a.user_dir(&self.root),
            time_zone: "Europe/Berlin".into(),
            status: AccountStatus::Active,
        }
    }

    fn kim(&self) -> User {
        self.user(&self.kim)
    }

    /// Runs `f` with the services, counting wake-ups of the worker.
    fn with<T>(&self, f: impl FnOnce(&Services<'_>) -> T) -> T {
        let wake = || {
            self.woken.fetch_add(1, Ordering::SeqCst);
        };
        f(&Services {
            directory: &self.dir,
            data_root: &self.root,
            queue: &self.queue,
            wake: &wake,
            spell: &self.spell,
            max_message_bytes: MAX,
            default_language: "en_US",
            hostname: "mail.example.com",
        })
    }

    fn submit(&self, user: &User, form: &Form) -> write::Submission {
        self.with(|s| write::submit(s, user, form))
    }

    /// Subjects in `account`'s `folder`, oldest first.
    fn subjects(&self, account: &Account, folder: &str) -> Vec<String> {
        let store = Mailstore::open(&account.user_dir(&self.root)).unwrap();
        let mut page = store
            .list(folder, mailstore::SortColumn::Arrival, false, 0, 100)
            .map(|p| p.items)
            .unwrap_or_default();
        page.sort_by_key(|m| m.uid);
        page.into_iter().map(|m| m.subject).collect()
    }

    fn store(&self, account: &Account) -> Mailstore {
        Mailstore::open(&account.user_dir(&self.root)).unwrap()
    }
}

fn form(account: &str, op: &str, draft: Draft) -> Form {
    Form {
        op: op.into(),
        draft,
        account: account.into(),
        ..Form::default()
    }
}

fn draft(to: &str, subject: &str) -> Draft {
    Draft {
        to: to.into(),
        subject: subject.into(),
        body: format!("Body of {subject}"),
        format: BodyFormat::Plain,
        ..Draft::default()
    }
}

fn received(from: &str, subject: &str, extra: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: kim@example.com\r\nSubject: {subject}\r\n\
         Date: Thu, 03 Dec 2026 10:00:00 +0000\r\nMessage-ID: <{subject}@example.org>\r\n\
         {extra}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello\r\n"
    )
    .into_bytes()
}

#[test]
fn sending_delivers_here_queues_the_rest_files_sent_and_flags_the_original() {
    let f = fixture();
    let kim = f.kim();
    let original = mail::deliver(
        &f.dir,
        &f.root,
        &f.kim,
        &received("ann@remote.example", "Question", ""),
        None,
    )
    .unwrap();
    // Saved first, as every submission is.
    let mut d = draft("lee@example.com, Ann <ann@remote.example>", "Re: Question");
    d.bcc = "hidden@remote.example".into();
    d.in_reply_to = Some("<Question@example.org>".into());
    d.original = Some(MessageRef {
        folder: "INBOX".into(),
        uid: original.uid.unwrap(),
    });
    let saved = f.submit(&kim, &form("kim@example.com", "save", d.clone()));
    let uid = saved.draft_uid.expect("a draft");
    assert_eq!(f.subjects(&f.kim, "Drafts"), ["Re: Question"]);
    assert_eq!(f.woken.load(Ordering::SeqCst), 0, "nothing queued yet");

    d.draft_uid = Some(uid);
    let sent = f.submit(&kim, &form("kim@example.com", "send", d));
    let outcome = sent.result.expect("sent");
    assert!(outcome.sent);
    assert_eq!((outcome.delivered, outcome.queued), (1, 2));
    assert_eq!(sent.draft_uid, None);
    assert_eq!(f.subjects(&f.lee, "INBOX"), ["Re: Question"]);
    assert_eq!(f.subjects(&f.kim, "Sent"), ["Re: Question"]);
    assert!(f.subjects(&f.kim, "Drafts").is_empty());
    assert!(
        f.store(&f.kim).retained().unwrap().is_empty(),
        "nor is a sent draft"
    );
    let orig = f
        .store(&f.kim)
        .summary("INBOX", original.uid.unwrap())
        .unwrap()
        .unwrap();
    assert!(orig.flags.answered, "the original is flagged answered");
    assert_eq!(f.woken.load(Ordering::SeqCst), 1, "the worker was woken");

    // The queue holds the remote recipients, Bcc in the envelope only.
    let entries = f.queue.list("kim@example.com").unwrap();
    assert_eq!(entries.len(), 1);
    let claims = f.queue.claim_due(i64::MAX).unwrap();
    assert_eq!(claims.len(), 1);
    let mut rcpts = claims[0].entry.recipients.clone();
    rcpts.sort();
    assert_eq!(rcpts, ["ann@remote.example", "hidden@remote.example"]);
    let bytes = f.queue.message(&claims[0]).unwrap().unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        !text.contains("hidden@remote.example"),
        "Bcc never in headers"
    );
    assert!(
        text.contains("In-Reply-To: <Question@example.org>"),
        "{text}"
    );

    // And a real SMTP server takes it as queued.
    if !testkit::smtp::available() {
        return;
    }
    let port = testkit::smtp::free_port();
    let inbox = f.root.join("relay-maildir");
    let _relay = testkit::smtp::start_relay(port, &inbox, None);
    let relay = compose::relay::Relay::new(compose::relay::RelayConfig {
        host: "127.0.0.1".into(),
        port,
        security: compose::relay::Security::None,
        username: None,
        password: None,
        timeout: std::time::Duration::from_secs(5),
        hello_name: Some("mail.example.com".into()),
        ca_pem: None,
    })
    .unwrap();
    let attempt = relay.send(&claims[0].entry.envelope_from, &rcpts, &bytes);
    assert!(
        attempt
            .results
            .iter()
            .all(|(_, o)| *o == compose::relay::Outcome::Delivered),
        "{attempt:?}"
    );
    let got = testkit::smtp::received(&inbox);
    assert_eq!(got.len(), 1);
    let got = String::from_utf8_lossy(&got[0]);
    assert!(
        got.contains("X-RcptTo: ann@remote.example, hidden@remote.example"),
        "{got}"
    );
    assert!(got.contains("Subject: Re: Question"), "{got}");
}

#[test]
fn a_blocked_sender_lands_in_junk_by_compose_and_by_receipt() {
    let f = fixture();
    let kim = f.kim();
    f.user(&f.lee)
        .data(&f.dir)
        .unwrap()
        .add_sender(SenderList::Block, "kim@example.com")
        .unwrap();
    let sent = f.submit(
        &kim,
        &form("kim@example.com", "send", draft("lee@example.com", "Hi")),
    );
    assert!(sent.result.unwrap().sent);
    assert!(f.subjects(&f.lee, "INBOX").is_empty());
    assert_eq!(f.subjects(&f.lee, "Junk"), ["Hi"]);

    // A read receipt kim sends to lee takes the same way.
    let asking = mail::deliver(
        &f.dir,
        &f.root,
        &f.kim,
        &received(
            "lee@example.com",
            "Please confirm",
            "Disposition-Notification-To: lee@example.com\r\n",
        ),
        None,
    )
    .unwrap();
    let n = f
        .with(|s| write::answer_receipt(s, &kim, "INBOX", asking.uid.unwrap(), true))
        .unwrap();
    assert_eq!(n, 1);
    let junk = f.subjects(&f.lee, "Junk");
    assert_eq!(junk.len(), 2, "{junk:?}");
    assert!(junk[1].contains("Please confirm"), "{junk:?}");
    let asked = f
        .store(&f.kim)
        .summary("INBOX", asking.uid.unwrap())
        .unwrap()
        .unwrap();
    assert!(
        asked
            .flags
            .keywords
            .iter()
            .any(|k| k == mailstore::MDN_SENT),
        "asked once only"
    );
}

#[test]
fn refused_submissions_write_nothing_or_keep_the_draft() {
    let f = fixture();
    let kim = f.kim();
    let drafts = |f: &Fixture| f.subjects(&f.kim, "Drafts");

    // A form of another account writes nothing.
    let other = f.submit(
        &kim,
        &form("lee@example.com", "save", draft("x@y.example", "A")),
    );
    assert!(matches!(other.result, Err(Error::OtherAccount)));
    assert_eq!(other.draft_uid, None);
    assert!(drafts(&f).is_empty());

    // Sending suspended: the draft is kept, nothing leaves.
    let suspended = User {
        status: AccountStatus::SuspendedSending,
        ..kim.clone()
    };
    let s = f.submit(
        &suspended,
        &form("kim@example.com", "send", draft("x@remote.example", "B")),
    );
    assert!(matches!(s.result, Err(Error::SendingSuspended)));
    assert!(s.draft_uid.is_some());
    assert_eq!(drafts(&f), ["B"]);
    assert!(f.queue.list("kim@example.com").unwrap().is_empty());

    // No such mailbox here: said so, draft kept (replacing the previous).
    let mut d = draft("nobody@example.com", "C");
    d.draft_uid = s.draft_uid;
    let s = f.submit(&kim, &form("kim@example.com", "send", d));
    match &s.result {
        Err(Error::BadAddress(m)) => assert!(m.contains("nobody@example.com"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(drafts(&f), ["C"]);

    // An address that is not one.
    let s = f.submit(
        &kim,
        &form("kim@example.com", "send", draft("ann@, bob", "D")),
    );
    assert!(matches!(s.result, Err(Error::BadAddress(_))), "{s:?}");
    // No recipient at all.
    let s = f.submit(&kim, &form("kim@example.com", "send", draft("", "E")));
    assert!(matches!(s.result, Err(Error::NoRecipients)), "{s:?}");
    assert!(f.queue.list("kim@example.com").unwrap().is_empty());
    assert!(f.subjects(&f.kim, "Sent").is_empty());
}

#[test]
fn a_file_over_the_limit_is_left_out_and_said_so_and_never_sent() {
    let f = fixture();
    let kim = f.kim();
    let mut posted = form(
        "kim@example.com",
        "attach",
        draft("lee@example.com", "Files"),
    );
    posted.uploads = vec![
        Upload {
            filename: "small.txt".into(),
            content_type: "text/plain".into(),
            bytes: vec![b'a'; 1000],
        },
        Upload {
            filename: "big.bin".into(),
            content_type: "application/octet-stream".into(),
            bytes: vec![0; MAX as usize],
        },
    ];
    let s = f.submit(&kim, &posted);
    assert!(matches!(
        s.problem,
        Some(Error::MessageTooLarge { max_bytes: MAX })
    ));
    let outcome = s.result.unwrap();
    let names: Vec<&str> = outcome
        .attachments
        .iter()
        .map(|a| a.filename.as_str())
        .collect();
    assert_eq!(names, ["small.txt"], "the small file is kept");

    // Sending with something refused does not send; the draft stays.
    posted.op = "send".into();
    posted.draft.draft_uid = s.draft_uid;
    let s = f.submit(&kim, &posted);
    assert!(
        matches!(s.result, Err(Error::MessageTooLarge { .. })),
        "{s:?}"
    );
    assert!(s.draft_uid.is_some());
    assert!(f.subjects(&f.lee, "INBOX").is_empty());
}

#[test]
fn autosave_replaces_the_draft_and_load_brings_it_back() {
    let f = fixture();
    let kim = f.kim();
    let mut d = draft("lee@example.com", "Plans");
    let mut last = None;
    for i in 0..3 {
        d.body = format!("version {i}");
        d.draft_uid = last;
        let s = f.submit(&kim, &form("kim@example.com", "save", d.clone()));
        last = s.draft_uid;
        assert!(s.result.is_ok());
    }
    assert_eq!(
        f.subjects(&f.kim, "Drafts"),
        ["Plans"],
        "one draft, not three"
    );
    assert!(
        f.store(&f.kim).retained().unwrap().is_empty(),
        "replaced drafts are not retained"
    );
    let state = f
        .with(|s| {
            write::load(
                s,
                &kim,
                &ComposeOpening {
                    draft: last,
                    ..ComposeOpening::default()
                },
            )
        })
        .unwrap();
    assert_eq!(state.draft.body, "version 2");
    assert_eq!(state.draft.to, "lee@example.com");
    assert_eq!(state.account, "kim@example.com");
    assert!(state.saved_at.is_some());
    // A draft that is gone is said so.
    let gone = f.with(|s| {
        write::load(
            s,
            &kim,
            &ComposeOpening {
                draft: Some(9999),
                ..ComposeOpening::default()
            },
        )
    });
    assert!(matches!(gone, Err(Error::NoSuchMessage)), "{gone:?}");
}

#[test]
fn identity_limits_are_kept_whole_or_refused() {
    let f = fixture();
    let kim = f.kim();
    let signature = "Kim Lee\nExample Inc.\n".repeat(MAX_SIGNATURE / 21);
    assert!(signature.chars().count() <= MAX_SIGNATURE);
    assert!(signature.chars().count() > 1000);
    set_identity(
        &f.dir,
        &kim,
        &IdentityForm {
            name: "Kim\u{7} Lee".into(),
            signature: signature.clone(),
            language: String::new(),
            time_zone: Some("Asia/Tokyo".into()),
        },
        &[],
    )
    .unwrap();
    let settings = f.with(|s| write::identity_settings(s, &kim)).unwrap();
    assert_eq!(settings.name, "Kim Lee");
    assert_eq!(settings.signature, signature, "the whole signature is kept");
    assert_eq!(settings.language, "en_US");

    // A new message starts with it.
    let state = f
        .with(|s| {
            write::load(
                s,
                &kim,
                &ComposeOpening {
                    basic: true,
                    ..ComposeOpening::default()
                },
            )
        })
        .unwrap();
    assert!(
        state.draft.body.contains("-- \nKim Lee\nExample Inc."),
        "{}",
        state.draft.body
    );
    assert_eq!(state.from, "Kim Lee <kim@example.com>");

    for bad in [
        IdentityForm {
            signature: "x".repeat(MAX_SIGNATURE + 1),
            ..IdentityForm::default()
        },
        IdentityForm {
            name: "n".repeat(101),
            ..IdentityForm::default()
        },
        IdentityForm {
            language: "xx_XX".into(),
            ..IdentityForm::default()
        },
        IdentityForm {
            time_zone: Some("Mars/Olympus".into()),
            ..IdentityForm::default()
        },
    ] {
        let e = set_identity(&f.dir, &kim, &bad, &["en_US".to_owned()]);
        assert!(matches!(e, Err(Error::Invalid(_))), "{bad:?}: {e:?}");
    }
    let after = f.with(|s| write::identity_settings(s, &kim)).unwrap();
    assert_eq!(after.signature, signature, "a refused form changes nothing");
}

#[test]
fn outbox_lists_and_retries_the_users_own_mail_only() {
    let f = fixture();
    let kim = f.kim();
    let s = f.submit(
        &kim,
        &form(
            "kim@example.com",
            "send",
            draft("ann@remote.example", "Out"),
        ),
    );
    assert_eq!(s.result.unwrap().queued, 1);
    let listed = f.with(|s| write::outbox(s, &kim)).unwrap();
    assert_eq!(listed.len(), 1);
    let lee = f.user(&f.lee);
    assert!(f.with(|s| write::outbox(s, &lee)).unwrap().is_empty());
    // Due now already: nothing to bring forward, but the worker is woken.
    let before = f.woken.load(Ordering::SeqCst);
    f.with(|s| write::retry_outbox(s, &kim)).unwrap();
    assert_eq!(f.woken.load(Ordering::SeqCst), before + 1);
}
