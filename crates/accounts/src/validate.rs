//! Normalising and checking what people type: domain names, addresses and
//! passwords.
//!
//! Input is trimmed and lower-cased. The rules are deliberately narrower than
//! RFC 5321 allows: quoted local parts, comments and non-ASCII are refused,
//! because every address also names a folder on disk
//! (`users/<domain>/<local>/`). Internationalised domains must be given in
//! their `xn--` (A-label) form.

use crate::{Error, Result};

/// The longest domain name (RFC 1035 §2.3.4, without the final dot).
const MAX_DOMAIN_LEN: usize = 253;
/// The longest label (RFC 1035 §2.3.4).
const MAX_LABEL_LEN: usize = 63;
/// The longest local part (RFC 5321 §4.5.3.1.1).
const MAX_LOCAL_LEN: usize = 64;

/// Returns the canonical form of a domain name, or why it is not one.
pub(crate) fn domain(input: &str) -> Result<String> {
    let name = input.trim().to_ascii_lowercase();
    // One trailing dot (the DNS root) is tolerated.
    let name = name.strip_suffix('.').unwrap_or(&name).to_owned();
    match domain_problem(&name) {
        None => Ok(name),
        Some(reason) => Err(Error::InvalidDomain {
            name: input.to_owned(),
            reason,
        }),
    }
}

/// What is wrong with an already lower-cased domain name, if anything.
fn domain_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("it is empty");
    }
    if name.len() > MAX_DOMAIN_LEN {
        return Some("it is longer than 253 characters");
    }
    if !name.contains('.') {
        return Some("it needs at least one dot, as in example.com");
    }
    for label in name.split('.') {
        if label.is_empty() {
            return Some("it has an empty label (two dots in a row, or a leading dot)");
        }
        if label.len() > MAX_LABEL_LEN {
            return Some("a label is longer than 63 characters");
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Some(
                "only letters a-z, digits and hyphens are allowed (write international names as xn--…)",
            );
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Some("a label starts or ends with a hyphen");
        }
    }
    let tld = name.rsplit('.').next().unwrap_or_default();
    if tld.bytes().all(|b| b.is_ascii_digit()) {
        return Some("the last label is all digits (an IP address is not a domain)");
    }
    None
}

/// A canonical address split in two.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Address {
    pub local: String,
    pub domain: String,
}

impl Address {
    /// `local@domain`.
    pub fn full(&self) -> String {
        format!("{}@{}", self.local, self.domain)
    }
}

/// Returns the canonical form of an address, or why it is not one.
pub(crate) fn address(input: &str) -> Result<Address> {
    let invalid = |reason| Error::InvalidAddress {
        address: input.to_owned(),
        reason,
    };
    let lower = input.trim().to_ascii_lowercase();
    let Some((local, domain_part)) = lower.split_once('@') else {
        return Err(invalid("it needs an @, as in name@example.com"));
    };
    if domain_part.contains('@') {
        return Err(invalid("it has more than one @"));
    }
    if let Some(reason) = local_problem(local) {
        return Err(invalid(reason));
    }
    let domain = domain(domain_part).map_err(|e| match e {
        Error::InvalidDomain { reason, .. } => invalid(reason),
        other => other,
    })?;
    Ok(Address {
        local: local.to_owned(),
        domain,
    })
}

/// What is wrong with an already lower-cased local part, if anything.
fn local_problem(local: &str) -> Option<&'static str> {
    if local.is_empty() {
        return Some("the part before the @ is empty");
    }
    if local.len() > MAX_LOCAL_LEN {
        return Some("the part before the @ is longer than 64 characters");
    }
    if !local.bytes().all(|b| {
        b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'+' | b'-')
    }) {
        return Some("the part before the @ may only use letters a-z, digits and . _ + -");
    }
    if local.starts_with('.') || local.ends_with('.') {
        return Some("the part before the @ starts or ends with a dot");
    }
    if local.contains("..") {
        return Some("the part before the @ has two dots in a row");
    }
    None
}

/// Checks a new password against the policy. Passwords are not trimmed:
/// every character the user typed counts.
pub(crate) fn password(password: &str, min: usize) -> Result<()> {
    if password.chars().count() < min {
        return Err(Error::WeakPassword { min });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains() {
        let long_label = "a".repeat(64);
        let ok_label = "a".repeat(63);
        let too_long = format!("{ok_label}.{ok_label}.{ok_label}.{ok_label}.com");
        let cases: &[(&str, Option<&str>)] = &[
            ("example.com", Some("example.com")),
            ("  Example.COM ", Some("example.com")),
            ("example.com.", Some("example.com")),
            ("mail.example.co.uk", Some("mail.example.co.uk")),
            ("xn--bcher-kva.example", Some("xn--bcher-kva.example")),
            ("a-b.c0", Some("a-b.c0")),
            ("123.example", Some("123.example")),
            (
                &format!("{ok_label}.com"),
                Some(&*format!("{ok_label}.com")),
            ),
            ("", None),
            ("   ", None),
            (".", None),
            ("example", None),
            ("localhost", None),
            (".example.com", None),
            ("example..com", None),
            ("example.com..", None),
            ("-example.com", None),
            ("example-.com", None),
            ("exa_mple.com", None),
            ("exa mple.com", None),
            ("bücher.example", None),
            ("user@example.com", None),
            ("192.168.1.1", None),
            ("[127.0.0.1]", None),
            (&format!("{long_label}.com"), None),
            (&too_long, None),
        ];
        for (input, want) in cases {
            let got = domain(input);
            match want {
                Some(want) => assert_eq!(got.ok().as_deref(), Some(*want), "{input:?}"),
                None => assert!(
                    matches!(got, Err(Error::InvalidDomain { ref name, .. }) if name == input),
                    "{input:?} gave {got:?}"
                ),
            }
        }
    }

    #[test]
    fn addresses() {
        let cases: &[(&str, Option<(&str, &str)>)] = &[
            ("alice@example.com", Some(("alice", "example.com"))),
            (" Alice@Example.COM\n", Some(("alice", "example.com"))),
            (
                "a.b_c+tag-x@example.com",
                Some(("a.b_c+tag-x", "example.com")),
            ),
            ("1@example.com", Some(("1", "example.com"))),
            (
                &format!("{}@example.com", "x".repeat(64)),
                Some((&*"x".repeat(64), "example.com")),
            ),
            ("", None),
            ("alice", None),
            ("@example.com", None),
            ("alice@", None),
            ("alice@example", None),
            ("alice@@example.com", None),
            ("a@b@example.com", None),
            (".alice@example.com", None),
            ("alice.@example.com", None),
            ("al..ice@example.com", None),
            ("al ice@example.com", None),
            ("\"alice\"@example.com", None),
            ("alice/../bob@example.com", None),
            ("ålice@example.com", None),
            ("alice@exa_mple.com", None),
            ("alice@-example.com", None),
            (&format!("{}@example.com", "x".repeat(65)), None),
        ];
        for (input, want) in cases {
            let got = address(input);
            match want {
                Some((local, domain)) => {
                    let got = got.unwrap_or_else(|e| panic!("{input:?}: {e}"));
                    assert_eq!((got.local.as_str(), got.domain.as_str()), (*local, *domain));
                    assert_eq!(got.full(), format!("{local}@{domain}"));
                }
                None => assert!(
                    matches!(got, Err(Error::InvalidAddress { ref address, .. }) if address == input),
                    "{input:?} gave {got:?}"
                ),
            }
        }
    }

    #[test]
    fn passwords() {
        let cases: &[(&str, usize, bool)] = &[
            ("", 8, false),
            ("1234567", 8, false),
            ("12345678", 8, true),
            ("        ", 8, true),
            ("ääääääää", 8, true),
            ("äääääää", 8, false),
            ("", 0, true),
        ];
        for (input, min, ok) in cases {
            let got = password(input, *min);
            if *ok {
                assert!(got.is_ok(), "{input:?} min {min}");
            } else {
                assert!(
                    matches!(got, Err(Error::WeakPassword { min: m }) if m == *min),
                    "{input:?} min {min}"
                );
            }
        }
    }

    #[test]
    fn messages_name_the_problem() {
        let err = address("alice").unwrap_err().to_string();
        assert_eq!(
            err,
            "invalid address \"alice\": it needs an @, as in name@example.com"
        );
        let err = domain("example").unwrap_err().to_string();
        assert_eq!(
            err,
            "invalid domain name \"example\": it needs at least one dot, as in example.com"
        );
    }
}
