//! Sending through a real SMTP server (aiosmtpd), including the relay
//! being down and a recipient refused with 550.
//!
//! Needs `python3 -m aiosmtpd`; without it the tests print a notice and
//! pass, unless `WEBMAIL_REQUIRE_SMTP=1` is set.

use std::path::Path;
use std::time::Duration;

use compose::queue::Queue;
use compose::relay::{Relay, RelayConfig, Security};
use compose::worker::run_due;
use compose::{Attachment, Mailbox, Outgoing};
use mail_parser::{MessageParser, MimeHeaders};
use model::compose::Priority;
use testkit::smtp::{self, available, free_port, received};

const HANDLER: &str = r#"
from aiosmtpd.handlers import Mailbox

class Refusing(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 <%s>: no such user" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"
"#;

/// aiosmtpd on `port`, refusing `nobody@…` with 550.
fn start(port: u16, maildir: &Path, handler_dir: &Path) -> smtp::Process {
    std::fs::write(handler_dir.join("refusing.py"), HANDLER).unwrap();
    smtp::start_relay(port, maildir, Some((handler_dir, "refusing.Refusing")))
}

fn relay(port: u16) -> Relay {
    Relay::new(RelayConfig {
        host: "127.0.0.1".into(),
        port,
        security: Security::None,
        username: None,
        password: None,
        timeout: Duration::from_secs(5),
        hello_name: Some("webmail.test".into()),
        ca_pem: None,
    })
    .unwrap()
}

fn outgoing(to: &[&str]) -> Outgoing {
    Outgoing {
        from: Mailbox::new(Some("Ann Ünal"), "ann@example.org"),
        to: to.iter().map(|a| Mailbox::new(None, a)).collect(),
        bcc: vec![Mailbox::new(None, "hidden@remote.example")],
        subject: "Quarterly report — Q3".into(),
        text: "Hello,\n.\nthe report is attached.".into(),
        html: Some("<p>Hello,</p><p>the report is attached.</p>".into()),
        priority: Priority::High,
        receipt_to: Some("ann@example.org".into()),
        attachments: vec![Attachment {
            filename: "report.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: (0u8..=255).collect(),
        }],
        date: 1_700_000_000,
        ..Default::default()
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[test]
fn sends_through_real_smtp_and_survives_relay_down() {
    if !available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let maildir = tmp.path().join("received");
    let queue = Queue::open(tmp.path().join("spool")).unwrap();
    let port = free_port();
    let relay = relay(port);

    let built = outgoing(&["bob@remote.example"]).build().unwrap();
    let entry = queue
        .enqueue(
            "ann@example.org",
            &built.envelope_from,
            &built.recipients,
            &built.transport,
            now(),
        )
        .unwrap();

    // Nothing listening: retried later, with the reason.
    let t = now();
    let report = run_due(&queue, &relay, t).unwrap();
    assert!(report.delivered.is_empty() && report.bounced.is_empty());
    assert_eq!(report.retried.len(), 1);
    let outbox = queue.list("ann@example.org").unwrap();
    assert_eq!(outbox.len(), 1);
    assert!(outbox[0].next_attempt > t);
    assert_eq!(outbox[0].attempts, 1);
    assert!(outbox[0].last_error.is_some());
    assert_eq!(outbox[0].recipients.len(), 2);

    // The relay comes up; at the next attempt the message goes out.
    let _server = start(port, &maildir, tmp.path());
    let report = run_due(&queue, &relay, outbox[0].next_attempt).unwrap();
    assert_eq!(report.delivered.len(), 1, "{report:?}");
    assert_eq!(report.delivered[0].id, entry.id);
    assert!(queue.list("ann@example.org").unwrap().is_empty());

    let got = received(&maildir);
    assert_eq!(got.len(), 1, "one message for both recipients");
    let m = MessageParser::default().parse(&got[0]).unwrap();
    assert_eq!(m.message_id(), Some(built.message_id.as_str()));
    assert_eq!(m.subject(), Some("Quarterly report — Q3"));
    assert_eq!(m.from().unwrap().first().unwrap().name(), Some("Ann Ünal"));
    assert_eq!(
        m.header("X-Priority").and_then(|h| h.as_text()),
        Some("1 (Highest)")
    );
    assert_eq!(
        m.header("Importance").and_then(|h| h.as_text()),
        Some("high")
    );
    assert_eq!(
        m.header_raw("Disposition-Notification-To").map(str::trim),
        Some("ann@example.org")
    );
    assert!(m.bcc().is_none());
    let ct = m.content_type().unwrap();
    assert_eq!(ct.subtype(), Some("mixed"));
    assert!(String::from_utf8_lossy(&got[0]).contains("multipart/alternative"));
    assert_eq!(
        m.body_text(0).unwrap().replace("\r\n", "\n").trim_end(),
        "Hello,\n.\nthe report is attached."
    );
    assert_eq!(
        m.attachment(0).unwrap().contents(),
        (0u8..=255).collect::<Vec<_>>().as_slice()
    );
    assert_eq!(
        m.attachment(0).unwrap().attachment_name(),
        Some("report.pdf")
    );
    // aiosmtpd records the envelope.
    let raw = String::from_utf8_lossy(&got[0]);
    assert!(
        raw.contains("X-RcptTo: bob@remote.example, hidden@remote.example"),
        "{raw}"
    );
    assert!(raw.contains("X-MailFrom: ann@example.org"), "{raw}");
}

#[test]
fn refused_recipient_bounces_others_delivered() {
    if !available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let maildir = tmp.path().join("received");
    let queue = Queue::open(tmp.path().join("spool")).unwrap();
    let port = free_port();
    let _server = start(port, &maildir, tmp.path());
    let relay = relay(port);

    let built = outgoing(&["bob@remote.example", "nobody@remote.example"])
        .build()
        .unwrap();
    queue
        .enqueue(
            "ann@example.org",
            &built.envelope_from,
            &built.recipients,
            &built.transport,
            now(),
        )
        .unwrap();
    let report = run_due(&queue, &relay, now()).unwrap();
    assert_eq!(report.delivered.len(), 1, "{report:?}");
    assert_eq!(
        report.delivered[0].recipients,
        vec!["bob@remote.example", "hidden@remote.example"]
    );
    assert_eq!(report.bounced.len(), 1);
    let bounce = &report.bounced[0];
    assert_eq!(bounce.account, "ann@example.org");
    assert_eq!(bounce.failed[0].address, "nobody@remote.example");
    assert_eq!(bounce.failed[0].status, "5.1.1");
    assert!(
        bounce.failed[0].diagnostic.contains("550"),
        "{:?}",
        bounce.failed[0]
    );
    let dsn = MessageParser::default().parse(&bounce.dsn).unwrap();
    assert_eq!(
        dsn.content_type().unwrap().attribute("report-type"),
        Some("delivery-status")
    );
    assert!(String::from_utf8_lossy(&bounce.dsn).contains("Diagnostic-Code: smtp; 550"));
    assert!(queue.entries().unwrap().is_empty());

    let got = received(&maildir);
    assert_eq!(got.len(), 1);
    assert!(
        String::from_utf8_lossy(&got[0])
            .contains("X-RcptTo: bob@remote.example, hidden@remote.example")
    );
}
