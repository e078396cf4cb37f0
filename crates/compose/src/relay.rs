//! Handing messages to the configured SMTP relay, one connection per
//! message, with results per recipient.
//!
//! The session is driven command by command (lettre's
//! [`SmtpConnection`]) rather than with a one-shot `send`, because a relay
//! may accept some recipients and refuse others: each `RCPT TO` reply is
//! recorded, and only the accepted recipients get the outcome of `DATA`.
//! Replies 4xx, refused connections, timeouts and broken sessions are
//! temporary; 5xx replies are permanent (RFC 5321 §4.2.1). Blocking I/O:
//! the server runs it on a blocking thread.

use std::net::ToSocketAddrs;
use std::str::FromStr;
use std::time::Duration;

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, SmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// How the connection to the relay is protected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain text (a relay on the same host or a trusted network).
    None,
    /// Plain text upgraded with `STARTTLS` (port 587); refuses to continue
    /// without it.
    #[default]
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
}

/// Where and how to relay outgoing mail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayConfig {
    /// Host name (also the name checked in the TLS certificate).
    pub host: String,
    /// Port, usually 25, 587 or 465.
    pub port: u16,
    /// Connection security.
    pub security: Security,
    /// Login, when the relay requires `AUTH`.
    pub username: Option<String>,
    /// Password for `username`.
    pub password: Option<String>,
    /// Timeout for connecting and for each reply.
    pub timeout: Duration,
    /// Our name in `EHLO` (and in bounces); the host name when `None`.
    pub hello_name: Option<String>,
    /// Certificates (PEM) trusted for the relay besides the usual web
    /// roots: a relay whose certificate comes from a private CA.
    #[serde(default)]
    pub ca_pem: Option<String>,
}

/// What happened to one recipient.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The relay accepted the message for this recipient.
    Delivered,
    /// Try again later; what went wrong.
    Temporary(String),
    /// Do not try again; the relay's reply.
    Permanent(String),
}

/// The result of one attempt, per recipient, in the order given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    /// Each recipient with its outcome.
    pub results: Vec<(String, Outcome)>,
}

impl Attempt {
    fn all(recipients: &[String], outcome: Outcome) -> Attempt {
        Attempt {
            results: recipients
                .iter()
                .map(|r| (r.clone(), outcome.clone()))
                .collect(),
        }
    }
}

/// A configured relay.
#[derive(Clone)]
pub struct Relay {
    config: RelayConfig,
    hello: ClientId,
    tls: Option<TlsParameters>,
}

/// Describes an SMTP error in words; `true` when it is permanent.
fn describe(e: &lettre::transport::smtp::Error) -> (bool, String) {
    if e.is_permanent() || e.is_transient() {
        let code = e.status().map(|c| c.to_string()).unwrap_or_default();
        // lettre's Display is "permanent error (550): text".
        let text = e.to_string();
        let text = text
            .split_once("): ")
            .map(|(_, t)| t.to_string())
            .unwrap_or(text);
        (
            e.is_permanent(),
            format!("{code} {text}").trim().to_string(),
        )
    } else if e.is_timeout() {
        (false, "the relay did not answer in time".into())
    } else {
        (false, format!("could not talk to the relay: {e}"))
    }
}

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relay")
            .field("host", &self.config.host)
            .field("port", &self.config.port)
            .field("security", &self.config.security)
            .finish_non_exhaustive()
    }
}

impl Relay {
    /// Checks the configuration (a TLS host name must be valid).
    pub fn new(config: RelayConfig) -> Result<Relay> {
        let tls = match config.security {
            Security::None => None,
            Security::StartTls | Security::Tls => {
                let mut builder = TlsParameters::builder(config.host.clone());
                if let Some(pem) = &config.ca_pem {
                    if !pem.contains("-----BEGIN CERTIFICATE-----") {
                        return Err(Error::RelayConfig(
                            "the relay's CA file holds no PEM certificate".into(),
                        ));
                    }
                    let certs = Certificate::from_pem(pem.as_bytes())
                        .map_err(|e| Error::RelayConfig(format!("the relay's CA file: {e}")))?;
                    builder = builder.add_root_certificate(certs);
                }
                Some(
                    builder
                        .build_rustls()
                        .map_err(|e| Error::RelayConfig(e.to_string()))?,
                )
            }
        };
        let hello = match &config.hello_name {
            Some(name) => ClientId::Domain(name.clone()),
            None => ClientId::default(),
        };
        Ok(Relay { config, hello, tls })
    }

    /// The configuration.
    pub fn config(&self) -> &RelayConfig {
        &self.config
    }

    /// Our host name as said in `EHLO`.
    pub fn hello_name(&self) -> String {
        self.hello.to_string()
    }

    fn connect(&self) -> std::result::Result<SmtpConnection, lettre::transport::smtp::Error> {
        let addr = (self.config.host.as_str(), self.config.port);
        let timeout = Some(self.config.timeout);
        let implicit = match self.config.security {
            Security::Tls => self.tls.as_ref(),
            _ => None,
        };
        let addrs: Vec<_> = addr
            .to_socket_addrs()
            .map(|a| a.collect())
            .unwrap_or_default();
        let mut conn = SmtpConnection::connect(&addrs[..], timeout, &self.hello, implicit, None)?;
        if let (Security::StartTls, Some(tls)) = (self.config.security, &self.tls) {
            conn.starttls(tls, &self.hello)?;
        }
        if let (Some(user), Some(pass)) = (&self.config.username, &self.config.password) {
            let creds = Credentials::new(user.clone(), pass.clone());
            conn.auth(&[Mechanism::Plain, Mechanism::Login], &creds)?;
        }
        Ok(conn)
    }

    /// Sends `message` from `envelope_from` (empty for `<>`) to each of
    /// `recipients`, reporting per recipient. Never fails: problems are
    /// outcomes.
    pub fn send(&self, envelope_from: &str, recipients: &[String], message: &[u8]) -> Attempt {
        let mut conn = match self.connect() {
            Ok(c) => c,
            Err(e) => {
                let (_, text) = describe(&e);
                // Refused logins and missing STARTTLS are configuration
                // problems: retry rather than bounce the user's mail.
                return Attempt::all(recipients, Outcome::Temporary(text));
            }
        };
        let attempt = self.session(&mut conn, envelope_from, recipients, message);
        if conn.has_broken() {
            conn.abort();
        } else {
            let _ = conn.quit();
        }
        attempt
    }

    fn session(
        &self,
        conn: &mut SmtpConnection,
        envelope_from: &str,
        recipients: &[String],
        message: &[u8],
    ) -> Attempt {
        let fail = |e: &lettre::transport::smtp::Error| {
            let (permanent, text) = describe(e);
            if permanent {
                Outcome::Permanent(text)
            } else {
                Outcome::Temporary(text)
            }
        };
        let from = if envelope_from.trim().is_empty() {
            None
        } else {
            match lettre::Address::from_str(envelope_from.trim()) {
                Ok(a) => Some(a),
                Err(e) => {
                    return Attempt::all(
                        recipients,
                        Outcome::Permanent(format!("bad sender address: {e}")),
                    );
                }
            }
        };
        let mut params = Vec::new();
        let info = conn.server_info();
        if !message.is_ascii() && info.supports_feature(Extension::EightBitMime) {
            params.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        if (!envelope_from.is_ascii() || recipients.iter().any(|r| !r.is_ascii()))
            && info.supports_feature(Extension::SmtpUtfEight)
        {
            params.push(MailParameter::SmtpUtfEight);
        }
        if let Err(e) = conn.command(Mail::new(from, params)) {
            return Attempt::all(recipients, fail(&e));
        }
        let mut results: Vec<(String, Outcome)> = Vec::new();
        let mut accepted = Vec::new();
        for (i, r) in recipients.iter().enumerate() {
            let outcome = match lettre::Address::from_str(r.trim()) {
                Err(e) => Outcome::Permanent(format!("bad recipient address: {e}")),
                Ok(addr) => match conn.command(Rcpt::new(addr, vec![])) {
                    Ok(_) => {
                        accepted.push(i);
                        Outcome::Delivered
                    }
                    Err(e) => fail(&e),
                },
            };
            results.push((r.clone(), outcome));
            if conn.has_broken() {
                break;
            }
        }
        for r in recipients.iter().skip(results.len()) {
            results.push((
                r.clone(),
                Outcome::Temporary("the relay closed the connection".into()),
            ));
        }
        if accepted.is_empty() {
            return Attempt { results };
        }
        let data = conn.command(Data).and_then(|_| conn.message(message));
        if let Err(e) = data {
            let outcome = fail(&e);
            for i in accepted {
                results[i].1 = outcome.clone();
            }
        }
        Attempt { results }
    }
}
