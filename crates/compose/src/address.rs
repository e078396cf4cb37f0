//! Addresses as users type them: `Ann <a@x.org>, b@y.com; "Smith, Bo" <bo@z.net>`.
//!
//! Parsing is strict enough to catch typos before anything is queued
//! (a missing `@`, a space inside an address, a domain without a dot) and
//! says exactly what is wrong with which item, so the form can show it
//! next to the field. Commas and semicolons both separate items.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Error, Result, encode};

/// A mailbox: an optional display name and an address (RFC 5322 §3.4).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Mailbox {
    /// Display name, decoded (no quotes, no encoded words).
    pub name: Option<String>,
    /// `local@domain`.
    pub address: String,
}

impl Mailbox {
    /// A mailbox with a name (an empty name counts as none).
    pub fn new(name: Option<&str>, address: &str) -> Mailbox {
        Mailbox {
            name: name
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_string),
            address: address.trim().to_string(),
        }
    }

    /// The domain part of the address, lower-cased.
    pub fn domain(&self) -> String {
        self.address
            .rsplit_once('@')
            .map(|(_, d)| d.to_ascii_lowercase())
            .unwrap_or_default()
    }

    /// Whether two addresses are the same mailbox (domain compared without
    /// case; the local part too, as nearly every server does).
    pub fn same_address(&self, other: &str) -> bool {
        self.address.trim().eq_ignore_ascii_case(other.trim())
    }

    /// The mailbox as a header value (`phrase <addr>`, RFC 2047 encoded
    /// when needed).
    pub(crate) fn to_header(&self) -> String {
        match &self.name {
            Some(n) if !n.trim().is_empty() => format!("{} <{}>", encode::phrase(n), self.address),
            _ => self.address.clone(),
        }
    }
}

/// The mailbox as a person would type it: `Ann Smith <a@x.org>`, with the
/// name quoted when it contains a separator.
impl fmt::Display for Mailbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(n) if n.contains([',', ';', '<', '>', '"', '@', '(', ')']) => {
                write!(
                    f,
                    "\"{}\" <{}>",
                    n.replace('\\', "\\\\").replace('"', "\\\""),
                    self.address
                )
            }
            Some(n) => write!(f, "{n} <{}>", self.address),
            None => f.write_str(&self.address),
        }
    }
}

/// Why a typed address was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AddressProblem {
    /// No `@` at all.
    #[error("it has no “@”")]
    MissingAt,
    /// Nothing before the `@`.
    #[error("the part before “@” is empty")]
    EmptyLocalPart,
    /// Nothing after the `@`.
    #[error("the part after “@” is empty")]
    EmptyDomain,
    /// More than one `@` outside quotes.
    #[error("it has more than one “@”")]
    SeveralAt,
    /// A character that cannot appear in an address.
    #[error("“{0}” cannot appear in an address")]
    BadCharacter(char),
    /// The domain is not a host name (`x..org`, `-x.org`, no dot).
    #[error("“{0}” is not a valid domain")]
    BadDomain(String),
    /// A `<` without its `>`, or text after `>`.
    #[error("the angle brackets < > do not match")]
    UnbalancedBrackets,
    /// A `"` without its closing `"`.
    #[error("a quotation mark is not closed")]
    UnclosedQuote,
    /// Longer than SMTP allows (RFC 5321 §4.5.3.1).
    #[error("it is too long")]
    TooLong,
}

/// Parses a comma- or semicolon-separated list of addresses as typed.
///
/// Empty input (or only separators) gives an empty list; whether that is
/// acceptable is the caller's decision ([`crate::Outgoing::build`] refuses a
/// message without any recipient with [`Error::NoRecipients`]).
pub fn parse_addresses(input: &str) -> Result<Vec<Mailbox>> {
    let mut out: Vec<Mailbox> = Vec::new();
    for item in split_items(input)? {
        let mailbox = parse_one(&item).map_err(|reason| Error::BadAddress {
            input: item.trim().to_string(),
            reason,
        })?;
        if !out.iter().any(|m| m.same_address(&mailbox.address)) {
            out.push(mailbox);
        }
    }
    Ok(out)
}

/// Splits on `,` and `;` outside quotes and angle brackets.
fn split_items(input: &str) -> Result<Vec<String>> {
    let mut items = Vec::new();
    let mut cur = String::new();
    let (mut quoted, mut angle, mut escaped) = (false, false, false);
    for c in input.chars() {
        if escaped {
            cur.push(c);
            escaped = false;
            continue;
        }
        match c {
            '\\' if quoted => {
                escaped = true;
                cur.push(c);
            }
            '"' if !angle => {
                quoted = !quoted;
                cur.push(c);
            }
            '<' if !quoted => {
                angle = true;
                cur.push(c);
            }
            '>' if !quoted => {
                angle = false;
                cur.push(c);
            }
            ',' | ';' if !quoted && !angle => items.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    if quoted {
        return Err(Error::BadAddress {
            input: cur.trim().to_string(),
            reason: AddressProblem::UnclosedQuote,
        });
    }
    items.push(cur);
    Ok(items.into_iter().filter(|s| !s.trim().is_empty()).collect())
}

/// One item: `addr`, `<addr>`, `Name <addr>` or `"Name" <addr>`.
fn parse_one(item: &str) -> std::result::Result<Mailbox, AddressProblem> {
    let item = item.trim();
    let (name, addr) = match (item.find('<'), item.rfind('>')) {
        (Some(open), Some(close)) if open < close => {
            if !item[close + 1..].trim().is_empty() || item[open + 1..close].contains('<') {
                return Err(AddressProblem::UnbalancedBrackets);
            }
            (unquote(item[..open].trim()), item[open + 1..close].trim())
        }
        (None, None) => (None, item),
        _ => return Err(AddressProblem::UnbalancedBrackets),
    };
    let addr = addr.strip_prefix("mailto:").unwrap_or(addr);
    validate(addr)?;
    Ok(Mailbox::new(name.as_deref(), &ascii_domain(addr)?))
}

/// The address with an international domain in its ASCII form (`bücher.de`
/// → `xn--bcher-kva.de`), which every relay and header accepts; the local
/// part is kept as typed (non-ASCII there needs SMTPUTF8 at the relay).
fn ascii_domain(addr: &str) -> std::result::Result<String, AddressProblem> {
    let Some((local, domain)) = addr.rsplit_once('@') else {
        return Err(AddressProblem::MissingAt);
    };
    if domain.is_ascii() {
        return Ok(addr.to_string());
    }
    // The ASCII form must be a host name too: its labels can be longer than
    // the Unicode ones they encode (each is at most 63 octets).
    match idna::domain_to_ascii(domain) {
        Ok(ascii)
            if !ascii.is_empty()
                && ascii.len() <= 253
                && local.len() + 1 + ascii.len() <= 254
                && ascii.split('.').all(|l| !l.is_empty() && l.len() <= 63) =>
        {
            Ok(format!("{local}@{ascii}"))
        }
        _ => Err(AddressProblem::BadDomain(domain.to_string())),
    }
}

fn unquote(name: &str) -> Option<String> {
    let name = name.trim();
    let inner = name
        .strip_prefix('"')
        .and_then(|n| n.strip_suffix('"'))
        .map(|n| n.replace("\\\"", "\"").replace("\\\\", "\\"))
        .unwrap_or_else(|| name.to_string());
    let inner = inner.trim().to_string();
    (!inner.is_empty()).then_some(inner)
}

/// Checks `local@domain` (dot-atom local part, host-name domain; UTF-8
/// letters are allowed for SMTPUTF8).
fn validate(addr: &str) -> std::result::Result<(), AddressProblem> {
    if addr.len() > 254 {
        return Err(AddressProblem::TooLong);
    }
    if let Some(c) = addr.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(AddressProblem::BadCharacter(c));
    }
    let Some((local, domain)) = addr.rsplit_once('@') else {
        return Err(AddressProblem::MissingAt);
    };
    if local.contains('@') {
        return Err(AddressProblem::SeveralAt);
    }
    if local.is_empty() {
        return Err(AddressProblem::EmptyLocalPart);
    }
    if domain.is_empty() {
        return Err(AddressProblem::EmptyDomain);
    }
    if local.len() > 64 {
        return Err(AddressProblem::TooLong);
    }
    if let Some(c) = local.chars().find(|&c| {
        c.is_ascii() && !(c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c))
    }) {
        return Err(AddressProblem::BadCharacter(c));
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(AddressProblem::BadCharacter('.'));
    }
    let is_literal = domain.starts_with('[') && domain.ends_with(']');
    let labels_ok = domain.split('.').all(|l| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    });
    let dotted = domain.contains('.') || domain.eq_ignore_ascii_case("localhost");
    if !(is_literal || labels_ok && dotted) {
        if let Some(c) = domain
            .chars()
            .find(|&c| c.is_ascii() && !(c.is_ascii_alphanumeric() || c == '-' || c == '.'))
        {
            return Err(AddressProblem::BadCharacter(c));
        }
        return Err(AddressProblem::BadDomain(domain.to_string()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mb(name: Option<&str>, addr: &str) -> Mailbox {
        Mailbox::new(name, addr)
    }

    #[test]
    fn international_domains_go_out_in_ascii() {
        let cases = [
            ("jörg@bücher.de", Ok("jörg@xn--bcher-kva.de")),
            (
                "Anna <anna@MÜNCHEN.example>",
                Ok("anna@xn--mnchen-3ya.example"),
            ),
            ("a@xn--bcher-kva.de", Ok("a@xn--bcher-kva.de")),
            ("user@例え.テスト", Ok("user@xn--r8jz45g.xn--zckzah")),
            ("a@plain.org", Ok("a@plain.org")),
        ];
        for (typed, expected) in cases {
            let got = parse_addresses(typed).map(|v| v[0].address.clone());
            assert_eq!(
                got.as_deref().map_err(|_| ()),
                expected.map_err(|_: ()| ()),
                "{typed}"
            );
        }
        // A domain IDNA refuses is a clear error, not a panic.
        // A label whose ASCII form is over 63 octets (found by fuzzing: it
        // was accepted, then written as an address that does not parse).
        let long_label = format!("a@rrem.{}ö.de", "q".repeat(60));
        for bad in ["a@bü\u{200d}cher.de", "a@xn--.de", long_label.as_str()] {
            assert!(parse_addresses(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn valid_lists() {
        let cases: Vec<(&str, Vec<Mailbox>)> = vec![
            ("", vec![]),
            (" , ;", vec![]),
            ("a@x.org", vec![mb(None, "a@x.org")]),
            (
                "Ann <a@x.org>, b@y.com",
                vec![mb(Some("Ann"), "a@x.org"), mb(None, "b@y.com")],
            ),
            (
                "\"Smith, Ann\" <a@x.org>; <b@y.com>",
                vec![mb(Some("Smith, Ann"), "a@x.org"), mb(None, "b@y.com")],
            ),
            (
                "José Núñez <jose@exämple.es>",
                // The domain goes out in its ASCII form.
                vec![mb(Some("José Núñez"), "jose@xn--exmple-cua.es")],
            ),
            ("a@x.org, A@X.ORG", vec![mb(None, "a@x.org")]),
            ("mailto:a@x.org", vec![mb(None, "a@x.org")]),
            ("root@localhost", vec![mb(None, "root@localhost")]),
            ("o'brien+tag@x.org", vec![mb(None, "o'brien+tag@x.org")]),
            (
                "\"Say \\\"hi\\\"\" <a@x.org>",
                vec![mb(Some("Say \"hi\""), "a@x.org")],
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_addresses(input).unwrap(), expected, "{input}");
        }
    }

    #[test]
    fn broken_input_says_why() {
        for (input, bad, reason) in [
            ("ann", "ann", AddressProblem::MissingAt),
            ("a@x.org, bob", "bob", AddressProblem::MissingAt),
            ("@x.org", "@x.org", AddressProblem::EmptyLocalPart),
            ("a@", "a@", AddressProblem::EmptyDomain),
            ("a@b@x.org", "a@b@x.org", AddressProblem::SeveralAt),
            ("a b@x.org", "a b@x.org", AddressProblem::BadCharacter(' ')),
            ("a@x", "a@x", AddressProblem::BadDomain("x".into())),
            (
                "a@x..org",
                "a@x..org",
                AddressProblem::BadDomain("x..org".into()),
            ),
            (
                "a@-x.org",
                "a@-x.org",
                AddressProblem::BadDomain("-x.org".into()),
            ),
            ("a@x_y.org", "a@x_y.org", AddressProblem::BadCharacter('_')),
            (
                "Ann <a@x.org",
                "Ann <a@x.org",
                AddressProblem::UnbalancedBrackets,
            ),
            (
                "Ann <a@x.org> extra",
                "Ann <a@x.org> extra",
                AddressProblem::UnbalancedBrackets,
            ),
            (
                "\"Ann <a@x.org>",
                "\"Ann <a@x.org>",
                AddressProblem::UnclosedQuote,
            ),
            (
                "a..b@x.org",
                "a..b@x.org",
                AddressProblem::BadCharacter('.'),
            ),
            ("(a)@x.org", "(a)@x.org", AddressProblem::BadCharacter('(')),
        ] {
            match parse_addresses(input) {
                Err(Error::BadAddress {
                    input: got,
                    reason: r,
                }) => {
                    assert_eq!((got.as_str(), r), (bad, reason), "{input}")
                }
                other => panic!("{input}: expected BadAddress, got {other:?}"),
            }
        }
        let long = format!("{}@x.org", "a".repeat(300));
        assert!(matches!(
            parse_addresses(&long),
            Err(Error::BadAddress {
                reason: AddressProblem::TooLong,
                ..
            })
        ));
    }

    #[test]
    fn messages_are_readable() {
        let err = parse_addresses("bob").unwrap_err();
        assert_eq!(
            err.to_string(),
            "“bob” is not a valid address: it has no “@”"
        );
    }

    #[test]
    fn display_round_trips() {
        for input in ["Ann <a@x.org>", "\"Smith, Ann\" <a@x.org>", "b@y.com"] {
            let parsed = parse_addresses(input).unwrap();
            assert_eq!(parsed[0].to_string(), input);
            assert_eq!(parse_addresses(&parsed[0].to_string()).unwrap(), parsed);
        }
    }
}
