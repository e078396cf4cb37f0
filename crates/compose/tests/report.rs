//! Read receipts (RFC 8098) and bounces (RFC 3464), re-parsed.

use compose::dsn::{self, Bounce, FailedRecipient};
use compose::mdn::{self, Receipt, Situation};
use compose::{Error, Mailbox};
use mail_parser::{MessageParser, MimeHeaders};

const ASKING: &str = "From: Bob <bob@example.net>\r
To: Ann <ann@example.org>\r
Subject: Contract\r
Date: Tue, 14 Nov 2023 10:00:00 +0100\r
Message-ID: <c1@example.net>\r
Disposition-Notification-To: Bob <bob@example.net>\r
\r
Please confirm.\r
";

#[test]
fn offer_table() {
    let own = ["ann@example.org"];
    let no_dnt = ASKING.replace("Disposition-Notification-To: Bob <bob@example.net>\r\n", "");
    let from_me = ASKING.replace("From: Bob <bob@example.net>", "From: ann@example.org");
    let garbage_dnt = ASKING.replace("Bob <bob@example.net>\r\n\r\n", "not an address\r\n\r\n");
    let plain = Situation::default();
    let cases: Vec<(&str, &str, Situation, Option<&str>)> = vec![
        ("asks", ASKING, plain, Some("bob@example.net")),
        ("no header", &no_dnt, plain, None),
        ("own message", &from_me, plain, None),
        (
            "in Sent",
            ASKING,
            Situation {
                in_sent_or_drafts: true,
                mdn_sent: false,
            },
            None,
        ),
        (
            "already sent",
            ASKING,
            Situation {
                in_sent_or_drafts: false,
                mdn_sent: true,
            },
            None,
        ),
        ("broken header", &garbage_dnt, plain, None),
        ("garbage message", "\u{0}\u{1}", plain, None),
    ];
    for (name, raw, situation, expected) in cases {
        let got = mdn::offer(raw.as_bytes(), &own, situation);
        assert_eq!(got.as_ref().map(|m| m.address.as_str()), expected, "{name}");
    }
}

#[test]
fn receipt_structure() {
    let user = Mailbox::new(Some("Ann"), "ann@example.org");
    let to = mdn::offer(
        ASKING.as_bytes(),
        &["ann@example.org"],
        Situation::default(),
    )
    .unwrap();
    let receipt = Receipt {
        user: &user,
        to: &to,
        reporting_ua: "Webmail 0.1",
        host: "mail.example.org",
        date: 1_700_000_000,
    };
    let built = mdn::build(ASKING.as_bytes(), &receipt).unwrap();
    assert_eq!(built.envelope_from, "", "null sender (RFC 8098 §3)");
    assert_eq!(built.recipients, vec!["bob@example.net"]);
    let m = MessageParser::default().parse(&built.transport).unwrap();
    let ct = m.content_type().unwrap();
    assert_eq!((ct.ctype(), ct.subtype()), ("multipart", Some("report")));
    assert_eq!(
        ct.attribute("report-type"),
        Some("disposition-notification")
    );
    assert_eq!(m.subject(), Some("Read: Contract"));
    assert_eq!(m.in_reply_to().as_text(), Some("c1@example.net"));
    assert!(m.body_text(0).unwrap().contains("displayed"));
    let raw = String::from_utf8(built.transport.clone()).unwrap();
    for needle in [
        "Content-Type: message/disposition-notification",
        "Reporting-UA: mail.example.org; Webmail 0.1\r\n",
        "Final-Recipient: rfc822;ann@example.org\r\n",
        "Original-Message-ID: <c1@example.net>\r\n",
        "Disposition: manual-action/MDN-sent-manually; displayed\r\n",
        "Content-Type: text/rfc822-headers",
    ] {
        assert!(raw.contains(needle), "missing {needle:?} in\n{raw}");
    }
    assert!(mdn::build(b"", &receipt).is_err_and(|e| matches!(e, Error::Unreadable)));
}

#[test]
fn bounce_structure() {
    let sender = Mailbox::new(Some("Ann"), "ann@example.org");
    let original = "From: Ann <ann@example.org>\r\nTo: x@nowhere.example\r\nSubject: Résumé\r\nMessage-ID: <o1@example.org>\r\n\r\nsecret body\r\n";
    let failed = vec![
        FailedRecipient {
            address: "x@nowhere.example".into(),
            status: "5.1.1".into(),
            diagnostic: "550 5.1.1 no such user".into(),
            smtp_reply: true,
        },
        FailedRecipient {
            address: "y@down.example".into(),
            status: "4.4.1".into(),
            diagnostic: "connection refused".into(),
            smtp_reply: false,
        },
        FailedRecipient {
            address: "z@x.example".into(),
            status: "bogus".into(),
            diagnostic: "x".into(),
            smtp_reply: true,
        },
    ];
    let bounce = Bounce {
        reporting_mta: "mail.example.org",
        remote_mta: Some("relay.example.org"),
        sender: &sender,
        original: original.as_bytes(),
        failed: &failed,
        arrival: 1_700_000_000,
        last_attempt: 1_700_400_000,
        date: 1_700_400_001,
    };
    let built = dsn::build(&bounce).unwrap();
    assert_eq!(built.recipients, vec!["ann@example.org"]);
    let m = MessageParser::default().parse(&built.transport).unwrap();
    let ct = m.content_type().unwrap();
    assert_eq!((ct.ctype(), ct.subtype()), ("multipart", Some("report")));
    assert_eq!(ct.attribute("report-type"), Some("delivery-status"));
    assert_eq!(
        m.subject(),
        Some("Undelivered mail returned to sender: Résumé")
    );
    assert_eq!(
        m.from().unwrap().first().unwrap().address(),
        Some("MAILER-DAEMON@mail.example.org")
    );
    assert_eq!(m.in_reply_to().as_text(), Some("o1@example.org"));
    let text = m.body_text(0).unwrap();
    assert!(
        text.contains("x@nowhere.example") && text.contains("550 5.1.1 no such user"),
        "{text}"
    );
    assert!(
        text.contains("Check the address") && text.contains("five days"),
        "{text}"
    );
    let raw = String::from_utf8(built.transport.clone()).unwrap();
    for needle in [
        "Content-Type: message/delivery-status",
        "Reporting-MTA: dns; mail.example.org\r\n",
        "Final-Recipient: rfc822; x@nowhere.example\r\nAction: failed\r\nStatus: 5.1.1\r\n",
        "Remote-MTA: dns; relay.example.org\r\n",
        "Diagnostic-Code: smtp; 550 5.1.1 no such user\r\n",
        "Final-Recipient: rfc822; y@down.example\r\nAction: failed\r\nStatus: 4.4.1\r\n",
        "Final-Recipient: rfc822; z@x.example\r\nAction: failed\r\nStatus: 5.0.0\r\n",
        "Content-Type: text/rfc822-headers",
        "Message-ID: <o1@example.org>\r\n",
    ] {
        assert!(raw.contains(needle), "missing {needle:?} in\n{raw}");
    }
    assert!(
        !raw.contains("secret body"),
        "only the original's headers are returned"
    );
    // Garbage originals still give a bounce.
    let junk = Bounce {
        original: b"\xff\x00",
        ..bounce
    };
    assert!(dsn::build(&junk).is_ok());
}
