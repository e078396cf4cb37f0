//! The relay over TLS with `AUTH`, against a real aiosmtpd that requires
//! both: `STARTTLS` and TLS from the first byte, a trusted private CA, a
//! wrong password, an untrusted certificate, and a server without TLS when
//! `STARTTLS` is required.
//!
//! Needs `python3 -m aiosmtpd`; without it the tests print a notice and
//! pass, unless `WEBMAIL_REQUIRE_SMTP=1` is set.

use std::path::Path;
use std::time::Duration;

use compose::relay::{Outcome, Relay, RelayConfig, Security};
use testkit::smtp::{self, TestCert, Tls, available, free_port, received};

const LOGIN: (&str, &str) = ("webmail", "s3cret-relay-pass");

fn relay(port: u16, security: Security, ca: Option<&TestCert>, password: &str) -> Relay {
    Relay::new(RelayConfig {
        host: "127.0.0.1".into(),
        port,
        security,
        username: Some(LOGIN.0.into()),
        password: Some(password.into()),
        timeout: Duration::from_secs(5),
        hello_name: Some("webmail.test".into()),
        ca_pem: ca.map(|c| c.pem.clone()),
    })
    .unwrap()
}

fn message(subject: &str) -> Vec<u8> {
    format!(
        "From: ann@example.org\r\nTo: bob@remote.example\r\nSubject: {subject}\r\n\
         Message-ID: <{subject}@webmail.test>\r\n\r\nOver TLS.\r\n"
    )
    .into_bytes()
}

fn send(relay: &Relay, subject: &str) -> Outcome {
    let attempt = relay.send(
        "ann@example.org",
        &["bob@remote.example".to_owned()],
        &message(subject),
    );
    assert_eq!(attempt.results.len(), 1);
    attempt.results[0].1.clone()
}

fn subjects(maildir: &Path) -> Vec<String> {
    received(maildir)
        .iter()
        .filter_map(|m| {
            String::from_utf8_lossy(m)
                .lines()
                .find_map(|l| l.strip_prefix("Subject: ").map(str::to_owned))
        })
        .collect()
}

/// A secure relay on a fresh port, with its certificate and Maildir.
fn secure(tls: Tls) -> (tempfile::TempDir, TestCert, u16, smtp::Process) {
    let tmp = tempfile::tempdir().unwrap();
    let cert = TestCert::new(tmp.path());
    let port = free_port();
    let maildir = tmp.path().join("maildir");
    let process = smtp::start_secure_relay(port, &maildir, tmp.path(), tls, &cert, LOGIN);
    (tmp, cert, port, process)
}

#[test]
fn starttls_then_auth_delivers() {
    if !available() {
        return;
    }
    let (tmp, cert, port, _relay) = secure(Tls::StartTls);
    let outcome = send(
        &relay(port, Security::StartTls, Some(&cert), LOGIN.1),
        "starttls-ok",
    );
    assert_eq!(outcome, Outcome::Delivered);
    assert_eq!(subjects(&tmp.path().join("maildir")), ["starttls-ok"]);
}

#[test]
fn implicit_tls_then_auth_delivers() {
    if !available() {
        return;
    }
    let (tmp, cert, port, _relay) = secure(Tls::Implicit);
    let outcome = send(&relay(port, Security::Tls, Some(&cert), LOGIN.1), "tls-ok");
    assert_eq!(outcome, Outcome::Delivered);
    assert_eq!(subjects(&tmp.path().join("maildir")), ["tls-ok"]);
}

#[test]
fn a_refused_login_waits_and_says_why() {
    if !available() {
        return;
    }
    let (tmp, cert, port, _relay) = secure(Tls::StartTls);
    let outcome = send(
        &relay(port, Security::StartTls, Some(&cert), "wrong"),
        "bad-login",
    );
    // A configuration problem: retried (and visible in the Outbox), never a
    // bounce of the user's mail.
    match outcome {
        Outcome::Temporary(text) => assert!(text.contains("535"), "{text}"),
        other => panic!("expected a temporary failure, got {other:?}"),
    }
    assert!(subjects(&tmp.path().join("maildir")).is_empty());
}

#[test]
fn an_untrusted_certificate_is_refused() {
    if !available() {
        return;
    }
    for (tls, security) in [
        (Tls::StartTls, Security::StartTls),
        (Tls::Implicit, Security::Tls),
    ] {
        let (tmp, _cert, port, _relay) = secure(tls);
        // The usual roots only: the private CA is unknown.
        let outcome = send(&relay(port, security, None, LOGIN.1), "untrusted");
        match outcome {
            Outcome::Temporary(text) => {
                assert!(
                    text.to_lowercase().contains("certificate"),
                    "{security:?}: {text}"
                )
            }
            other => panic!("{security:?}: expected a temporary failure, got {other:?}"),
        }
        assert!(subjects(&tmp.path().join("maildir")).is_empty());
    }
}

#[test]
fn starttls_is_required_not_opportunistic() {
    if !available() {
        return;
    }
    // A server without TLS at all: nothing is sent in plain text.
    let tmp = tempfile::tempdir().unwrap();
    let cert = TestCert::new(tmp.path());
    let port = free_port();
    let maildir = tmp.path().join("maildir");
    let _relay = smtp::start_relay(port, &maildir, None);
    let outcome = send(
        &relay(port, Security::StartTls, Some(&cert), LOGIN.1),
        "plain",
    );
    assert!(matches!(outcome, Outcome::Temporary(_)), "{outcome:?}");
    assert!(subjects(&maildir).is_empty());
}

#[test]
fn a_ca_file_without_certificates_is_refused_at_start() {
    let config = |pem: &str| RelayConfig {
        host: "relay.example".into(),
        port: 587,
        security: Security::StartTls,
        username: None,
        password: None,
        timeout: Duration::from_secs(5),
        hello_name: None,
        ca_pem: Some(pem.into()),
    };
    for pem in [
        "",
        "not a certificate",
        "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n",
    ] {
        let err = Relay::new(config(pem)).unwrap_err();
        assert!(err.to_string().contains("CA file"), "{pem:?}: {err}");
    }
}
