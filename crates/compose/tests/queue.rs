//! Queue durability and the worker step with a scripted relay.

use std::fs;
use std::time::Duration;

use compose::queue::{MAX_AGE_SECS, Queue, backoff, next_attempt};
use compose::relay::{Attempt, Outcome};
use compose::worker::run_due_with;
use compose::{Error, Mailbox, Outgoing};

const T0: i64 = 1_700_000_000;

fn message(subject: &str) -> compose::Built {
    Outgoing {
        from: Mailbox::new(Some("Ann"), "ann@example.org"),
        to: vec![
            Mailbox::new(None, "bob@remote.example"),
            Mailbox::new(None, "carol@remote.example"),
        ],
        subject: subject.into(),
        text: "hello".into(),
        date: T0,
        ..Default::default()
    }
    .build()
    .unwrap()
}

fn enqueue(q: &Queue, subject: &str) -> compose::queue::Entry {
    let b = message(subject);
    q.enqueue(
        "ann@example.org",
        &b.envelope_from,
        &b.recipients,
        &b.transport,
        T0,
    )
    .unwrap()
}

#[test]
fn backoff_table() {
    for (attempts, delay) in [
        (0, 60),
        (1, 60),
        (2, 300),
        (3, 900),
        (4, 1800),
        (5, 3600),
        (6, 7200),
        (7, 14400),
        (50, 14400),
    ] {
        assert_eq!(backoff(attempts), delay, "{attempts}");
    }
    assert_eq!(next_attempt(T0, 1, T0), Some(T0 + 60));
    assert_eq!(
        next_attempt(T0, 9, T0 + MAX_AGE_SECS - 10),
        Some(T0 + MAX_AGE_SECS)
    );
    assert_eq!(next_attempt(T0, 9, T0 + MAX_AGE_SECS), None);
}

#[test]
fn enqueue_list_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let q = Queue::open(dir.path()).unwrap();
    let e = enqueue(&q, "First");
    enqueue(&q, "Second");
    let b = message("Other");
    q.enqueue(
        "zoe@example.org",
        &b.envelope_from,
        &b.recipients,
        &b.transport,
        T0 + 1,
    )
    .unwrap();
    assert!(matches!(
        q.enqueue("ann@example.org", "ann@example.org", &[], b"x", T0),
        Err(Error::NoRecipients)
    ));

    let q2 = Queue::open(dir.path()).unwrap();
    let outbox = q2.list("ann@example.org").unwrap();
    assert_eq!(
        outbox
            .iter()
            .map(|o| o.subject.as_str())
            .collect::<Vec<_>>(),
        vec!["First", "Second"]
    );
    assert_eq!(outbox[0].id, e.id);
    assert_eq!(
        outbox[0].recipients,
        vec!["bob@remote.example", "carol@remote.example"]
    );
    assert_eq!(
        (
            outbox[0].attempts,
            outbox[0].next_attempt,
            outbox[0].last_error.clone()
        ),
        (0, T0, None)
    );
    assert_eq!(q2.list("zoe@example.org").unwrap().len(), 1);
    assert!(q2.list("nobody").unwrap().is_empty());
    assert!(
        fs::read_dir(dir.path().join("tmp"))
            .unwrap()
            .next()
            .is_none(),
        "no temp files left"
    );
}

#[test]
fn crash_leftovers_lose_nothing_and_duplicate_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let q = Queue::open(dir.path()).unwrap();
    let kept = enqueue(&q, "Kept");
    let bytes = fs::read(dir.path().join(format!("{}.eml", kept.id))).unwrap();
    // An enqueue that crashed after the message, before the metadata.
    fs::write(
        dir.path().join("0000000001-deadbeef.eml"),
        b"Subject: half\r\n\r\nx",
    )
    .unwrap();
    // A half-written temp file.
    fs::write(dir.path().join("tmp").join("x.json.123"), b"{\"id\":").unwrap();
    // A completion that crashed after removing the message.
    let done = enqueue(&q, "Done");
    fs::remove_file(dir.path().join(format!("{}.eml", done.id))).unwrap();
    // Garbage.
    fs::write(
        dir.path().join("0000000002-abad1dea.json"),
        b"not json at all",
    )
    .unwrap();
    fs::write(dir.path().join("README"), b"hello").unwrap();

    let q = Queue::open(dir.path()).unwrap();
    let r = q.recover(Duration::ZERO).unwrap();
    assert_eq!(r.removed_tmp, 1);
    assert_eq!(r.finished, 1);
    assert_eq!(r.quarantined.len(), 2, "{r:?}");
    let entries = q.entries().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0], kept);
    assert_eq!(
        fs::read(dir.path().join(format!("{}.eml", kept.id))).unwrap(),
        bytes
    );
    // Nothing new goes away on a second recovery, and young files are spared.
    fs::write(
        dir.path().join("0000000003-cafe.eml"),
        b"Subject: in flight\r\n\r\nx",
    )
    .unwrap();
    let r = q.recover(Duration::from_secs(3600)).unwrap();
    assert_eq!((r.removed_tmp, r.finished, r.quarantined.len()), (0, 0, 0));
    assert_eq!(q.entries().unwrap().len(), 1);
}

#[test]
fn corrupt_metadata_is_skipped_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let q = Queue::open(dir.path()).unwrap();
    enqueue(&q, "Good");
    for (name, content) in [
        ("00000000aa-01.json", &b"\xff\xfe"[..]),
        ("00000000aa-02.json", b"{\"id\":\"00000000aa-02\"}"),
        ("00000000aa-03.json", b"{\"id\":\"other\",\"account\":\"a\",\"envelope_from\":\"\",\"recipients\":[],\"attempts\":0,\"next_attempt\":0,\"created\":0}"),
        ("00000000aa-04.json", b""),
    ] {
        fs::write(dir.path().join(name), content).unwrap();
    }
    let outbox = q.list("ann@example.org").unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(fs::read_dir(dir.path().join("corrupt")).unwrap().count(), 4);
    assert_eq!(q.claim_due(T0).unwrap().len(), 1);
}

#[test]
fn claims_are_exclusive_until_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let q = Queue::open(dir.path()).unwrap();
    enqueue(&q, "One");
    let other = q.clone();
    let first = q.claim_due(T0).unwrap();
    assert_eq!(first.len(), 1);
    assert!(other.claim_due(T0).unwrap().is_empty());
    assert!(q.claim_due(T0 - 1).unwrap().is_empty());
    drop(first);
    assert_eq!(other.claim_due(T0).unwrap().len(), 1);
}

#[test]
fn worker_partial_results_retry_and_bounce() {
    let dir = tempfile::tempdir().unwrap();
    let q = Queue::open(dir.path()).unwrap();
    let e = enqueue(&q, "Partial");
    let mut sent_bytes = Vec::new();
    // Bob accepted, Carol temporarily refused.
    let report = run_due_with(&q, T0, "mail.example.org", None, |entry, bytes| {
        sent_bytes.push(bytes.to_vec());
        Attempt {
            results: vec![
                (entry.recipients[0].clone(), Outcome::Delivered),
                (
                    entry.recipients[1].clone(),
                    Outcome::Temporary("451 4.3.0 try later".into()),
                ),
            ],
        }
    })
    .unwrap();
    assert_eq!(report.delivered.len(), 1);
    assert_eq!(report.delivered[0].recipients, vec!["bob@remote.example"]);
    assert_eq!(report.retried.len(), 1);
    assert_eq!(report.retried[0].next_attempt, T0 + 60);
    let outbox = q.list("ann@example.org").unwrap();
    assert_eq!(outbox[0].recipients, vec!["carol@remote.example"]);
    assert_eq!(outbox[0].attempts, 1);
    assert_eq!(outbox[0].last_error.as_deref(), Some("451 4.3.0 try later"));

    // Not due yet.
    let report = run_due_with(&q, T0 + 30, "m", None, |_, _| unreachable!()).unwrap();
    assert_eq!(report, Default::default());

    // Keeps failing until five days have passed, then bounces.
    let mut now = T0 + 60;
    let mut attempts = 1;
    loop {
        let report = run_due_with(&q, now, "mail.example.org", None, |entry, bytes| {
            sent_bytes.push(bytes.to_vec());
            Attempt {
                results: vec![(
                    entry.recipients[0].clone(),
                    Outcome::Temporary("connection refused".into()),
                )],
            }
        })
        .unwrap();
        attempts += 1;
        if let Some(b) = report.bounced.first() {
            assert_eq!(b.account, "ann@example.org");
            assert_eq!(b.failed[0].address, "carol@remote.example");
            assert_eq!(b.failed[0].status, "4.0.0");
            let text = String::from_utf8_lossy(&b.dsn);
            assert!(text.contains("report-type=delivery-status"));
            assert!(now >= T0 + MAX_AGE_SECS);
            break;
        }
        now = report.retried[0].next_attempt;
        assert!(attempts < 60, "never gave up");
    }
    assert!(attempts > 30 && attempts < 45, "{attempts} attempts");
    assert!(q.entries().unwrap().is_empty());
    assert!(
        sent_bytes.windows(2).all(|w| w[0] == w[1]),
        "same bytes every time"
    );
    let sent = mail_parser::MessageParser::default()
        .parse(&sent_bytes[0])
        .unwrap();
    assert_eq!(sent.message_id(), Some(e.message_id.as_str()));
}

#[test]
fn worker_permanent_failure_bounces_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let q = Queue::open(dir.path()).unwrap();
    enqueue(&q, "Perm");
    let report = run_due_with(
        &q,
        T0,
        "mail.example.org",
        Some("relay.example"),
        |entry, _| Attempt {
            results: vec![
                (
                    entry.recipients[0].clone(),
                    Outcome::Permanent("550 5.1.1 no such user".into()),
                ),
                (entry.recipients[1].clone(), Outcome::Delivered),
            ],
        },
    )
    .unwrap();
    assert_eq!(report.bounced.len(), 1);
    assert_eq!(report.bounced[0].failed[0].status, "5.1.1");
    assert_eq!(report.delivered[0].recipients, vec!["carol@remote.example"]);
    assert!(report.retried.is_empty());
    assert!(q.entries().unwrap().is_empty());
    // The bounce was kept before the entry went, until it is filed.
    let staged = q.staged_bounces().unwrap();
    assert_eq!(staged.len(), 1);
    assert_eq!(staged[0].id, report.bounced[0].bounce_id);
    assert_eq!(staged[0].account, "ann@example.org");
    assert_eq!(staged[0].dsn, report.bounced[0].dsn);
    // A crash before filing: a fresh queue on the same spool still has it.
    let reopened = Queue::open(dir.path()).unwrap();
    reopened.recover(std::time::Duration::ZERO).unwrap();
    assert_eq!(reopened.staged_bounces().unwrap(), staged);
    reopened.bounce_filed(&staged[0].id).unwrap();
    assert!(reopened.staged_bounces().unwrap().is_empty());
    // Filing twice is harmless.
    reopened.bounce_filed(&staged[0].id).unwrap();
}

#[test]
fn a_recipient_bounced_while_others_wait_gets_one_bounce_per_attempt() {
    let dir = tempfile::tempdir().unwrap();
    let q = Queue::open(dir.path()).unwrap();
    enqueue(&q, "Split");
    let send = |entry: &compose::queue::Entry, _: &[u8]| Attempt {
        results: entry
            .recipients
            .iter()
            .map(|r| {
                let outcome = if r.starts_with("bob") {
                    Outcome::Permanent("550 5.1.1 no such user".into())
                } else {
                    Outcome::Temporary("451 4.3.0 later".into())
                };
                (r.clone(), outcome)
            })
            .collect(),
    };
    let first = run_due_with(&q, T0, "mail.example.org", None, send).unwrap();
    assert_eq!(first.bounced.len(), 1);
    assert_eq!(first.retried.len(), 1);
    // carol fails for good on a later attempt: a second, separate bounce.
    let later = first.retried[0].next_attempt;
    let second = run_due_with(&q, later, "mail.example.org", None, |entry, _| Attempt {
        results: entry
            .recipients
            .iter()
            .map(|r| (r.clone(), Outcome::Permanent("550 5.7.1 refused".into())))
            .collect(),
    })
    .unwrap();
    assert_eq!(second.bounced.len(), 1);
    assert_ne!(first.bounced[0].bounce_id, second.bounced[0].bounce_id);
    assert_eq!(q.staged_bounces().unwrap().len(), 2);
    assert!(q.entries().unwrap().is_empty());
}

#[test]
fn an_unreadable_staged_bounce_is_set_aside() {
    let dir = tempfile::tempdir().unwrap();
    let q = Queue::open(dir.path()).unwrap();
    for (name, bytes) in [
        ("0001-1.eml", &b"no newline at all"[..]),
        ("0002-1.eml", b"\nbody"),
    ] {
        std::fs::write(dir.path().join("bounces").join(name), bytes).unwrap();
    }
    q.stage_bounce("0003-1", "ann@example.org", b"Subject: x\r\n\r\nbody")
        .unwrap();
    let staged = q.staged_bounces().unwrap();
    assert_eq!(staged.len(), 1);
    assert_eq!(staged[0].id, "0003-1");
    assert_eq!(
        std::fs::read_dir(dir.path().join("corrupt"))
            .unwrap()
            .count(),
        2
    );
    // Names that could escape the directory are refused.
    assert!(q.stage_bounce("../x", "ann@example.org", b"x").is_err());
    assert!(
        q.stage_bounce("0004-1", "ann@example.org\nBcc: x", b"x")
            .is_err()
    );
}

#[test]
fn retry_now_makes_waiting_entries_due_without_counting_an_attempt() {
    let dir = tempfile::tempdir().unwrap();
    let q = Queue::open(dir.path()).unwrap();
    let e = enqueue(&q, "later");
    // One failed attempt pushes it back.
    let claim = q.claim_due(T0).unwrap().pop().unwrap();
    q.reschedule(&claim, &e.recipients, "421 try later", T0 + 600)
        .unwrap();
    drop(claim);
    assert!(q.claim_due(T0 + 10).unwrap().is_empty());
    // Someone else's entries are not touched.
    assert_eq!(q.retry_now("other@example.org", T0 + 10).unwrap(), 0);
    // While it is being sent, it is left alone.
    let held = q.claim_due(T0 + 600).unwrap();
    assert_eq!(q.retry_now("ann@example.org", T0 + 10).unwrap(), 0);
    drop(held);
    assert_eq!(q.retry_now("ann@example.org", T0 + 10).unwrap(), 1);
    let due = q.claim_due(T0 + 10).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].entry.attempts, 1, "no attempt counted");
    assert_eq!(due[0].entry.next_attempt, T0 + 10);
    drop(due);
    // Already due: nothing to change.
    assert_eq!(q.retry_now("ann@example.org", T0 + 20).unwrap(), 0);
}
