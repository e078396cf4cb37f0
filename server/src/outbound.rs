//! The sending worker: a background task that drains the outbound queue
//! (`<data_dir>/spool`) through the configured relay and files bounces in
//! their senders' Inboxes.
//!
//! The queue itself (durability, claims, backoff, bounces) lives in
//! `compose`; this is only the loop around [`compose::worker::run_due`]:
//! at start-up everything waiting is made due (a restart tries all mail
//! at once), then one pass, then sleep until the earliest retry is due, a message is
//! queued ([`Outbound::wake`]), `queue_poll_seconds` pass, or the server
//! shuts down. Sending is blocking I/O and runs on a blocking thread.

use crate::Metrics;
use app::state::Outbound;
use compose::relay::Relay;
use compose::worker::Report;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::watch;

/// Seconds since the epoch.
fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Cleans up the spool after a crash (see `compose::queue`), before
/// anything can be queued, and logs what it did.
pub fn recover(outbound: &Outbound) -> Result<(), compose::Error> {
    let queue = &outbound.queue;
    let report = queue.recover(Duration::ZERO)?;
    let waiting = queue.entries()?.len();
    if report.removed_tmp > 0 || report.finished > 0 || !report.quarantined.is_empty() {
        tracing::warn!(
            spool = %queue.dir().display(),
            removed_tmp = report.removed_tmp,
            finished = report.finished,
            quarantined = ?report.quarantined,
            waiting,
            "outbound queue recovered after an unclean stop"
        );
    } else {
        tracing::info!(spool = %queue.dir().display(), waiting, "outbound queue opened");
    }
    Ok(())
}

/// Everything the worker needs.
pub struct Worker {
    /// The queue and its wake-up signal.
    pub outbound: Arc<Outbound>,
    /// The relay; `None` when none is configured (mail then waits).
    pub relay: Option<Relay>,
    /// To find the sender's account for a bounce.
    pub directory: accounts::Directory,
    /// Where the users' mailboxes are.
    pub data_dir: PathBuf,
    /// The longest sleep between passes.
    pub poll: Duration,
    /// Counters for `/metrics`.
    pub metrics: Arc<Metrics>,
}

impl Worker {
    /// Runs until `shutdown` turns true. A pass in progress is finished
    /// first (its results are recorded in the queue as it goes).
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let Some(relay) = self.relay.clone() else {
            let waiting = self.outbound.queue.entries().map(|e| e.len()).unwrap_or(0);
            tracing::warn!(
                waiting,
                "no relay_host configured: mail to other servers waits in the queue"
            );
            let _ = shutdown.wait_for(|stop| *stop).await;
            return;
        };
        tracing::info!(
            relay = %format!("{}:{}", relay.config().host, relay.config().port),
            security = ?relay.config().security,
            "sending worker started"
        );
        self.all_due_now().await;
        loop {
            if *shutdown.borrow() {
                break;
            }
            let wait = self.pass(&relay).await;
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.outbound.wake.notified() => {}
                _ = shutdown.wait_for(|stop| *stop) => break,
            }
        }
        tracing::info!("sending worker stopped");
    }

    /// At start-up everything waiting is tried at once, as sendmail's
    /// `-q` does: a restart is often how an operator applies a fixed relay
    /// setting, and nobody should wait out a backoff for it. No attempt is
    /// counted for this.
    async fn all_due_now(&self) {
        let queue = self.outbound.queue.clone();
        let now = unix_now();
        let result = tokio::task::spawn_blocking(move || {
            let mut accounts: Vec<String> =
                queue.entries()?.into_iter().map(|e| e.account).collect();
            accounts.sort();
            accounts.dedup();
            accounts
                .iter()
                .map(|account| queue.retry_now(account, now))
                .sum::<Result<usize, compose::Error>>()
        })
        .await;
        match result {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => tracing::info!(messages = n, "start-up: waiting mail is tried now"),
            Ok(Err(e)) => tracing::error!(error = %e, "start-up: outbound queue unreadable"),
            Err(e) => tracing::error!(error = %e, "start-up: outbound queue task failed"),
        }
    }

    /// One pass: send what is due, file bounces, and say how long to sleep.
    async fn pass(&self, relay: &Relay) -> Duration {
        let queue = self.outbound.queue.clone();
        let relay = relay.clone();
        let now = unix_now();
        let result = tokio::task::spawn_blocking(move || {
            compose::worker::run_due(&queue, &relay, now).map(|report| {
                let next = queue
                    .entries()
                    .map(|entries| (entries.len(), entries.iter().map(|e| e.next_attempt).min()));
                (report, next)
            })
        })
        .await;
        let (report, next) = match result {
            Ok(Ok(done)) => done,
            Ok(Err(e)) => {
                tracing::error!(error = %e, "outbound queue unreadable; trying again later");
                return self.poll;
            }
            Err(e) => {
                tracing::error!(error = %e, "sending pass failed");
                return self.poll;
            }
        };
        self.record(&report);
        self.file_bounces().await;
        match next {
            Ok((waiting, earliest)) => {
                self.metrics.set_outbound_waiting(waiting as u64);
                sleep_until(earliest, unix_now(), self.poll)
            }
            Err(e) => {
                tracing::error!(error = %e, "outbound queue unreadable; trying again later");
                self.poll
            }
        }
    }

    fn record(&self, report: &Report) {
        for d in &report.delivered {
            tracing::info!(id = %d.id, recipients = ?d.recipients, "sent to the relay");
        }
        for r in &report.retried {
            tracing::warn!(
                id = %r.id,
                recipients = ?r.recipients,
                next_attempt = r.next_attempt,
                error = %r.error,
                "not sent; will retry"
            );
        }
        for b in &report.bounced {
            let failed: Vec<&str> = b.failed.iter().map(|f| f.address.as_str()).collect();
            tracing::warn!(id = %b.id, account = %b.account, failed = ?failed, "returned to sender");
        }
        for e in &report.errors {
            tracing::error!(error = %e, "queue entry not processed; it stays queued");
        }
        self.metrics.record_outbound(
            report.delivered.len() as u64,
            report.retried.len() as u64,
            report.bounced.len() as u64,
            report.errors.len() as u64,
        );
    }

    /// Files every staged bounce (this pass's, and any left by a crash or
    /// a failed filing) into its sender's mailbox; each is removed from the
    /// spool only once it is there. One that cannot be filed stays staged
    /// and is tried again next pass.
    async fn file_bounces(&self) {
        let queue = self.outbound.queue.clone();
        let directory = self.directory.clone();
        let data_dir = self.data_dir.clone();
        let result = tokio::task::spawn_blocking(move || {
            let mut outcomes = Vec::new();
            for b in queue.staged_bounces()? {
                // Through the one local delivery: a bounce from a sender
                // the user blocked goes to Junk like any other message.
                let filed = match mail::deliver_to(&directory, &data_dir, &b.account, &b.dsn, None)
                {
                    Ok(_) => Ok(true),
                    Err(mail::Error::NoSuchUser(_)) => Ok(false),
                    Err(e) => Err(e.to_string()),
                };
                let filed = match filed {
                    Ok(kept) => queue
                        .bounce_filed(&b.id)
                        .map(|()| kept)
                        .map_err(|e| format!("filed, but still staged: {e}")),
                    Err(e) => Err(e),
                };
                outcomes.push((b.id, b.account, filed));
            }
            Ok::<_, compose::Error>(outcomes)
        })
        .await;
        let outcomes = match result {
            Ok(Ok(outcomes)) => outcomes,
            Ok(Err(e)) => {
                tracing::error!(error = %e, "staged bounces unreadable; trying again later");
                return;
            }
            Err(e) => {
                tracing::error!(error = %e, "filing bounces failed; trying again later");
                return;
            }
        };
        for (id, account, filed) in outcomes {
            match filed {
                Ok(true) => tracing::info!(%id, %account, "bounce filed in the Inbox"),
                Ok(false) => {
                    tracing::warn!(%id, %account, "bounce dropped: the account no longer exists")
                }
                Err(error) => tracing::error!(
                    %id,
                    %account,
                    %error,
                    "bounce not filed yet; it stays in the spool and is tried again"
                ),
            }
        }
    }
}

/// How long to sleep: until the earliest `next_attempt`, at least a second
/// (an entry that stays due after a pass could not be processed; don't
/// spin on it) and at most `poll`.
fn sleep_until(earliest: Option<i64>, now: i64, poll: Duration) -> Duration {
    match earliest {
        Some(at) => Duration::from_secs(at.saturating_sub(now).max(1) as u64).min(poll),
        None => poll,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};

    /// An SMTP server on a free port that refuses every recipient with
    /// `550 5.1.1` and accepts everything else.
    fn refusing_relay() -> u16 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut out = stream.try_clone().unwrap();
                let _ = out.write_all(b"220 refusing.test ESMTP\r\n");
                for line in BufReader::new(stream).lines() {
                    let Ok(line) = line else { break };
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "RCPT" => b"550 5.1.1 No such user here\r\n",
                        "QUIT" => b"221 bye\r\n",
                        _ => b"250 ok\r\n",
                    };
                    let _ = out.write_all(reply);
                    if verb == "QUIT" {
                        break;
                    }
                }
            }
        });
        port
    }

    #[tokio::test]
    async fn a_refused_recipient_bounces_into_the_senders_inbox() {
        let tmp = tempfile::tempdir().unwrap();
        let data_dir = tmp.path().to_path_buf();
        let directory =
            accounts::Directory::open_with(&data_dir.join("directory.sqlite"), Default::default())
                .unwrap();
        directory.add_domain("example.com").unwrap();
        let alice = directory
            .add_user("alice@example.com", "alice-password")
            .unwrap();
        let queue = compose::queue::Queue::open(data_dir.join("spool")).unwrap();
        let message = b"From: Alice <alice@example.com>\r\nTo: nobody@remote.test\r\n\
Subject: Bounce me\r\nMessage-ID: <bounce-me@example.com>\r\n\r\nHello\r\n";
        queue
            .enqueue(
                "alice@example.com",
                "alice@example.com",
                &["nobody@remote.test".to_owned()],
                message,
                unix_now(),
            )
            .unwrap();
        let relay = Relay::new(compose::relay::RelayConfig {
            host: "127.0.0.1".into(),
            port: refusing_relay(),
            security: compose::relay::Security::None,
            username: None,
            password: None,
            timeout: Duration::from_secs(5),
            hello_name: Some("webmail.test".into()),
            ca_pem: None,
        })
        .unwrap();
        let metrics = Arc::new(Metrics::default());
        let worker = Worker {
            outbound: Arc::new(Outbound {
                queue: queue.clone(),
                wake: tokio::sync::Notify::new(),
            }),
            relay: Some(relay.clone()),
            directory,
            data_dir: data_dir.clone(),
            poll: Duration::from_secs(60),
            metrics: metrics.clone(),
        };

        let wait = worker.pass(&relay).await;

        assert_eq!(wait, Duration::from_secs(60), "nothing left to wait for");
        assert!(queue.entries().unwrap().is_empty());
        let inbox = alice.user_dir(&data_dir).join("Maildir/new");
        let filed: Vec<String> = std::fs::read_dir(&inbox)
            .unwrap()
            .flatten()
            .map(|e| std::fs::read_to_string(e.path()).unwrap())
            .collect();
        assert_eq!(filed.len(), 1, "one bounce in {}", inbox.display());
        assert!(filed[0].contains("multipart/report"), "{}", filed[0]);
        assert!(filed[0].contains("nobody@remote.test"));
        assert!(filed[0].contains("5.1.1"));
        assert!(
            metrics
                .render()
                .contains("webmail_outbound_messages_total{result=\"bounced\"} 1")
        );
        assert!(
            queue.staged_bounces().unwrap().is_empty(),
            "filed, so unstaged"
        );

        // A bounce staged before a crash (its entry already finished) is
        // filed by the next pass; one for a deleted account is dropped.
        queue
            .stage_bounce(
                "00aa-1",
                "alice@example.com",
                b"Subject: Left over\r\n\r\nBounce\r\n",
            )
            .unwrap();
        queue
            .stage_bounce(
                "00ab-1",
                "gone@example.com",
                b"Subject: Nobody\r\n\r\nBounce\r\n",
            )
            .unwrap();
        // A bounce comes through the one local delivery: from a sender the
        // user blocked, it goes to Junk like any other message.
        worker
            .directory
            .user_data(alice.id, &alice.user_dir(&data_dir))
            .unwrap()
            .add_sender(accounts::SenderList::Block, "@blocked.example")
            .unwrap();
        queue
            .stage_bounce(
                "00ac-1",
                "alice@example.com",
                b"From: MAILER-DAEMON@blocked.example\r\nSubject: Blocked bounce\r\n\r\nBounce\r\n",
            )
            .unwrap();
        worker.pass(&relay).await;
        assert!(queue.staged_bounces().unwrap().is_empty());
        let junk = alice.user_dir(&data_dir).join("Maildir/.Junk/new");
        let junked: Vec<String> = std::fs::read_dir(&junk)
            .unwrap()
            .flatten()
            .map(|e| std::fs::read_to_string(e.path()).unwrap())
            .collect();
        assert_eq!(junked.len(), 1, "the blocked bounce in {}", junk.display());
        assert!(junked[0].contains("Blocked bounce"));
        let subjects: Vec<String> = std::fs::read_dir(&inbox)
            .unwrap()
            .flatten()
            .map(|e| std::fs::read_to_string(e.path()).unwrap())
            .filter(|m| m.contains("Left over"))
            .collect();
        assert_eq!(subjects.len(), 1);
    }

    #[test]
    fn sleeps_until_the_earliest_retry_within_bounds() {
        let poll = Duration::from_secs(60);
        let cases: &[(Option<i64>, i64, u64)] = &[
            (None, 1000, 60),
            (Some(1030), 1000, 30),
            (Some(5000), 1000, 60),
            (Some(1000), 1000, 1),
            (Some(10), 1000, 1),
        ];
        for &(earliest, now, secs) in cases {
            assert_eq!(
                sleep_until(earliest, now, poll),
                Duration::from_secs(secs),
                "{earliest:?} at {now}"
            );
        }
    }
}
