//! Built messages, re-parsed with mail-parser.

use compose::{Attachment, Error, Mailbox, Outgoing};
use mail_parser::{MessageParser, MimeHeaders};
use model::compose::Priority;

fn base() -> Outgoing {
    Outgoing {
        from: Mailbox::new(Some("Ann Smith"), "ann@example.org"),
        to: vec![Mailbox::new(Some("Bob"), "bob@example.net")],
        subject: "Hello".into(),
        text: "Hi Bob,\nsee you.".into(),
        date: 1_700_000_000,
        ..Default::default()
    }
}

fn parse(bytes: &[u8]) -> mail_parser::Message<'_> {
    MessageParser::default().parse(bytes).expect("parses")
}

#[test]
fn plain_message_headers() {
    let built = base().build().unwrap();
    let raw = String::from_utf8(built.transport.clone()).unwrap();
    assert!(raw.is_ascii());
    assert!(raw.lines().all(|l| l.len() <= 998));
    let m = parse(&built.transport);
    assert_eq!(m.subject(), Some("Hello"));
    assert_eq!(
        m.from().unwrap().first().unwrap().address(),
        Some("ann@example.org")
    );
    assert_eq!(m.from().unwrap().first().unwrap().name(), Some("Ann Smith"));
    assert_eq!(m.message_id(), Some(built.message_id.as_str()));
    assert!(
        built.message_id.ends_with("@example.org"),
        "{}",
        built.message_id
    );
    assert_eq!(m.date().unwrap().to_timestamp(), 1_700_000_000);
    assert_eq!(m.body_text(0).unwrap().trim_end(), "Hi Bob,\r\nsee you.");
    assert!(m.header("X-Priority").is_none());
    assert!(m.header("Importance").is_none());
    assert!(m.header("Disposition-Notification-To").is_none());
    assert_eq!(m.content_type().unwrap().ctype(), "text");
    assert_eq!(built.recipients, vec!["bob@example.net"]);
    assert_eq!(built.envelope_from, "ann@example.org");
}

#[test]
fn message_ids_are_unique_unless_given() {
    let a = base().build().unwrap();
    let b = base().build().unwrap();
    assert_ne!(a.message_id, b.message_id);
    let fixed = Outgoing {
        message_id: Some("<fixed.1@example.org>".into()),
        ..base()
    };
    let c = fixed.build().unwrap();
    assert_eq!(c.message_id, "fixed.1@example.org");
    assert_eq!(
        parse(&c.transport).message_id(),
        Some("fixed.1@example.org")
    );
}

#[test]
fn priority_table() {
    for (priority, x_priority, importance) in [
        (Priority::High, Some("1 (Highest)"), Some("high")),
        (Priority::Normal, None, None),
        (Priority::Low, Some("5 (Lowest)"), Some("low")),
    ] {
        let built = Outgoing { priority, ..base() }.build().unwrap();
        let m = parse(&built.transport);
        assert_eq!(
            m.header("X-Priority").and_then(|h| h.as_text()),
            x_priority,
            "{priority:?}"
        );
        assert_eq!(
            m.header("Importance").and_then(|h| h.as_text()),
            importance,
            "{priority:?}"
        );
    }
}

#[test]
fn receipt_reply_headers_and_references() {
    let out = Outgoing {
        receipt_to: Some("ann@example.org".into()),
        in_reply_to: Some("<orig@x.net>".into()),
        references: vec!["first@x.net".into(), "<orig@x.net>".into(), "bad id".into()],
        ..base()
    };
    let built = out.build().unwrap();
    let m = parse(&built.transport);
    assert_eq!(
        m.header_raw("Disposition-Notification-To").map(str::trim),
        Some("ann@example.org")
    );
    assert_eq!(m.in_reply_to().as_text(), Some("orig@x.net"));
    assert_eq!(
        m.references()
            .as_text_list()
            .unwrap()
            .iter()
            .map(|s| s.as_ref())
            .collect::<Vec<_>>(),
        vec!["first@x.net", "orig@x.net"]
    );
}

#[test]
fn html_is_alternative_and_attachments_mixed() {
    let out = Outgoing {
        html: Some("<p>Hi <b>Bob</b></p>".into()),
        ..base()
    };
    let m_bytes = out.build().unwrap().transport;
    let m = parse(&m_bytes);
    let ct = m.content_type().unwrap();
    assert_eq!(
        (ct.ctype(), ct.subtype()),
        ("multipart", Some("alternative"))
    );
    assert_eq!(m.body_html(0).unwrap().trim(), "<p>Hi <b>Bob</b></p>");
    assert!(m.body_text(0).unwrap().starts_with("Hi Bob,"));

    let pdf = vec![0u8, 1, 2, 255, 254, b'%', b'P'];
    let with_files = Outgoing {
        html: Some("<p>Hi</p>".into()),
        attachments: vec![
            Attachment {
                filename: "report.pdf".into(),
                content_type: "application/pdf".into(),
                bytes: pdf.clone(),
            },
            Attachment {
                filename:
                    "Résumé d’été — très long nom de fichier pour tester les continuations.txt"
                        .into(),
                content_type: "text/plain; charset=utf-8".into(),
                bytes: b"x".to_vec(),
            },
            Attachment {
                filename: "evil".into(),
                content_type: "not a type".into(),
                bytes: vec![1],
            },
        ],
        attached_messages: vec![b"From: c@x.org\nSubject: Old news\n\nbody\n".to_vec()],
        ..base()
    };
    let bytes = with_files.build().unwrap().transport;
    let m = parse(&bytes);
    let ct = m.content_type().unwrap();
    assert_eq!((ct.ctype(), ct.subtype()), ("multipart", Some("mixed")));
    assert_eq!(m.attachment_count(), 4);
    let a0 = m.attachment(0).unwrap();
    assert_eq!(a0.attachment_name(), Some("report.pdf"));
    assert_eq!(a0.contents(), pdf.as_slice());
    assert_eq!(a0.content_type().unwrap().subtype(), Some("pdf"));
    let a1 = m.attachment(1).unwrap();
    assert_eq!(
        a1.attachment_name(),
        Some("Résumé d’été — très long nom de fichier pour tester les continuations.txt")
    );
    let a2 = m.attachment(2).unwrap();
    assert_eq!(a2.content_type().unwrap().ctype(), "application");
    assert_eq!(a2.content_type().unwrap().subtype(), Some("octet-stream"));
    let a3 = m.attachment(3).unwrap();
    assert_eq!(a3.content_type().unwrap().ctype(), "message");
    assert_eq!(a3.message().unwrap().subject(), Some("Old news"));
    assert_eq!(a3.attachment_name(), Some("Old news.eml"));
    assert_eq!(m.body_html(0).unwrap().trim(), "<p>Hi</p>");
}

#[test]
fn bcc_only_in_sent_copy() {
    let out = Outgoing {
        cc: vec![Mailbox::new(None, "carol@example.com")],
        bcc: vec![
            Mailbox::new(Some("Secret"), "dave@example.com"),
            Mailbox::new(None, "BOB@example.net"),
        ],
        ..base()
    };
    let built = out.build().unwrap();
    let transport = String::from_utf8(built.transport.clone()).unwrap();
    assert!(
        !transport.to_ascii_lowercase().contains("bcc"),
        "{transport}"
    );
    assert!(!transport.contains("dave@"));
    let sent = parse(&built.sent_copy);
    assert_eq!(
        sent.bcc().unwrap().first().unwrap().address(),
        Some("dave@example.com")
    );
    assert_eq!(sent.message_id(), Some(built.message_id.as_str()));
    assert_eq!(
        built.recipients,
        vec!["bob@example.net", "carol@example.com", "dave@example.com"]
    );
    // Same body and other headers.
    let strip = |b: &[u8]| {
        String::from_utf8(b.to_vec())
            .unwrap()
            .split("\r\n")
            .filter(|l| !l.starts_with("Bcc:"))
            .collect::<Vec<_>>()
            .join("\r\n")
    };
    assert_eq!(strip(&built.sent_copy), transport);
}

#[test]
fn non_ascii_names_and_subjects() {
    let subject = "Réunion « budget » — 会議の議題について、長い件名でも折り返されること";
    let out = Outgoing {
        from: Mailbox::new(Some("José Núñez"), "jose@example.es"),
        to: vec![Mailbox::new(Some("Zoë, \"the\" boss"), "zoe@example.com")],
        subject: subject.into(),
        text: "Ça va ? 日本語".into(),
        html: Some("<p>Ça va ?</p>".into()),
        ..base()
    };
    let bytes = out.build().unwrap().transport;
    assert!(bytes.is_ascii());
    for line in String::from_utf8(bytes.clone()).unwrap().split("\r\n") {
        assert!(line.len() <= 78, "{line}");
    }
    let m = parse(&bytes);
    assert_eq!(m.subject(), Some(subject));
    assert_eq!(
        m.from().unwrap().first().unwrap().name(),
        Some("José Núñez")
    );
    assert_eq!(
        m.to().unwrap().first().unwrap().name(),
        Some("Zoë, \"the\" boss")
    );
    assert_eq!(m.body_text(0).unwrap().trim_end(), "Ça va ? 日本語");
}

#[test]
fn quoted_names_and_injection() {
    let out = Outgoing {
        to: vec![Mailbox::new(Some("Smith, Ann"), "a@x.org")],
        subject: "line\r\nBcc: evil@x.org".into(),
        ..base()
    };
    let built = out.build().unwrap();
    let m = parse(&built.transport);
    assert_eq!(m.to().unwrap().first().unwrap().name(), Some("Smith, Ann"));
    assert!(m.bcc().is_none());
    assert_eq!(m.subject(), Some("line  Bcc: evil@x.org"));
}

#[test]
fn refuses_no_recipients_and_bad_sender() {
    let out = Outgoing {
        to: vec![],
        ..base()
    };
    assert!(matches!(out.build(), Err(Error::NoRecipients)));
    let out = Outgoing {
        from: Mailbox::new(None, "nobody"),
        ..base()
    };
    assert!(matches!(out.build(), Err(Error::BadAddress { .. })));
    let out = Outgoing {
        receipt_to: Some("not an address".into()),
        ..base()
    };
    assert!(matches!(out.build(), Err(Error::BadAddress { .. })));
}

#[test]
fn long_lines_and_dots_survive() {
    let text = format!("{}\n.\n..\nFrom the start\n", "word ".repeat(100));
    let out = Outgoing {
        text: text.clone(),
        ..base()
    };
    let bytes = out.build().unwrap().transport;
    assert!(
        String::from_utf8(bytes.clone())
            .unwrap()
            .split("\r\n")
            .all(|l| l.len() <= 78)
    );
    let m = parse(&bytes);
    assert_eq!(m.body_text(0).unwrap().replace("\r\n", "\n"), text);
}
