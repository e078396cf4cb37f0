//! Message flags and keywords, and their Maildir spelling.
//!
//! System flags are letters after `:2,` in a file name (RFC-less but
//! universal Maildir convention, as written by Dovecot): `D` draft,
//! `F` flagged, `P` passed, `R` replied (\Answered), `S` seen, `T` trashed
//! (\Deleted). Keywords are lower-case letters `a`–`z` whose meaning is kept
//! per folder in Dovecot's `dovecot-keywords` file.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// One flag or keyword, as IMAP names it (RFC 9051 §2.3.2).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Flag {
    /// `\Seen`: the message has been read.
    Seen,
    /// `\Answered`: the message has been replied to.
    Answered,
    /// `\Flagged`: marked for attention.
    Flagged,
    /// `\Deleted`: marked for removal by the next expunge.
    Deleted,
    /// `\Draft`: not yet complete.
    Draft,
    /// A keyword such as `$Forwarded`, `$MDNSent` or `$Junk`.
    Keyword(String),
}

/// The keyword set on forwarded messages.
pub const FORWARDED: &str = "$Forwarded";
/// The keyword set once a read receipt has been sent (RFC 3503).
pub const MDN_SENT: &str = "$MDNSent";
/// The keyword set on messages classified as junk.
pub const JUNK: &str = "$Junk";

pub(crate) const SEEN: u8 = 1;
pub(crate) const ANSWERED: u8 = 2;
pub(crate) const FLAGGED: u8 = 4;
pub(crate) const DELETED: u8 = 8;
pub(crate) const DRAFT: u8 = 16;

impl Flag {
    /// Parses an IMAP flag (`\Seen`, case-insensitive) or keyword (`$Junk`).
    pub fn parse(s: &str) -> Result<Flag> {
        let flag = match s.to_ascii_lowercase().as_str() {
            "\\seen" | "seen" => Flag::Seen,
            "\\answered" | "answered" => Flag::Answered,
            "\\flagged" | "flagged" => Flag::Flagged,
            "\\deleted" | "deleted" => Flag::Deleted,
            "\\draft" | "draft" => Flag::Draft,
            _ => {
                let ok = !s.is_empty()
                    && s.len() <= 64
                    && !s.starts_with('\\')
                    && s.bytes().all(|b| {
                        b.is_ascii_graphic()
                            && !matches!(b, b'(' | b')' | b'{' | b'%' | b'*' | b'"' | b'\\' | b']')
                    });
                if !ok {
                    return Err(Error::InvalidFlag(s.to_string()));
                }
                Flag::Keyword(s.to_string())
            }
        };
        Ok(flag)
    }

    /// The IMAP spelling.
    pub fn as_imap(&self) -> &str {
        match self {
            Flag::Seen => "\\Seen",
            Flag::Answered => "\\Answered",
            Flag::Flagged => "\\Flagged",
            Flag::Deleted => "\\Deleted",
            Flag::Draft => "\\Draft",
            Flag::Keyword(k) => k,
        }
    }

    pub(crate) fn letter(&self) -> Option<char> {
        match self {
            Flag::Seen => Some('S'),
            Flag::Answered => Some('R'),
            Flag::Flagged => Some('F'),
            Flag::Deleted => Some('T'),
            Flag::Draft => Some('D'),
            Flag::Keyword(_) => None,
        }
    }
}

/// The flags and keywords of one message.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagSet {
    /// `\Seen`.
    pub seen: bool,
    /// `\Answered`.
    pub answered: bool,
    /// `\Flagged`.
    pub flagged: bool,
    /// `\Deleted`.
    pub deleted: bool,
    /// `\Draft`.
    pub draft: bool,
    /// Keywords, sorted.
    pub keywords: Vec<String>,
}

impl FlagSet {
    /// Whether `flag` is set.
    pub fn contains(&self, flag: &Flag) -> bool {
        match flag {
            Flag::Seen => self.seen,
            Flag::Answered => self.answered,
            Flag::Flagged => self.flagged,
            Flag::Deleted => self.deleted,
            Flag::Draft => self.draft,
            Flag::Keyword(k) => self.keywords.iter().any(|x| x.eq_ignore_ascii_case(k)),
        }
    }

    /// A set built from a list of flags.
    pub fn from_flags(flags: &[Flag]) -> FlagSet {
        let mut set = FlagSet::default();
        for f in flags {
            match f {
                Flag::Seen => set.seen = true,
                Flag::Answered => set.answered = true,
                Flag::Flagged => set.flagged = true,
                Flag::Deleted => set.deleted = true,
                Flag::Draft => set.draft = true,
                Flag::Keyword(k) => {
                    if !set.contains(f) {
                        set.keywords.push(k.clone());
                    }
                }
            }
        }
        set.keywords.sort();
        set
    }

    /// The flags as a list, system flags first.
    pub fn to_flags(&self) -> Vec<Flag> {
        let mut v = Vec::new();
        for (on, f) in [
            (self.seen, Flag::Seen),
            (self.answered, Flag::Answered),
            (self.flagged, Flag::Flagged),
            (self.deleted, Flag::Deleted),
            (self.draft, Flag::Draft),
        ] {
            if on {
                v.push(f);
            }
        }
        v.extend(self.keywords.iter().cloned().map(Flag::Keyword));
        v
    }

    pub(crate) fn bits(&self) -> u8 {
        let mut b = 0;
        for (on, bit) in [
            (self.seen, SEEN),
            (self.answered, ANSWERED),
            (self.flagged, FLAGGED),
            (self.deleted, DELETED),
            (self.draft, DRAFT),
        ] {
            if on {
                b |= bit;
            }
        }
        b
    }

    pub(crate) fn from_parts(bits: u8, keywords: &str) -> FlagSet {
        FlagSet {
            seen: bits & SEEN != 0,
            answered: bits & ANSWERED != 0,
            flagged: bits & FLAGGED != 0,
            deleted: bits & DELETED != 0,
            draft: bits & DRAFT != 0,
            keywords: keywords
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
        }
    }
}

/// The info part of a Maildir file name (what follows `:2,`), split into
/// system flag letters and keyword letters.
pub(crate) fn info_bits(info: &str) -> u8 {
    let mut b = 0;
    for c in info.chars() {
        b |= match c {
            'S' => SEEN,
            'R' => ANSWERED,
            'F' => FLAGGED,
            'T' => DELETED,
            'D' => DRAFT,
            _ => 0,
        };
    }
    b
}

/// Keyword letters (`a`–`z`) present in an info string.
pub(crate) fn info_keyword_letters(info: &str) -> impl Iterator<Item = usize> + '_ {
    info.bytes()
        .filter(u8::is_ascii_lowercase)
        .map(|b| (b - b'a') as usize)
}

/// Returns `info` with `add` letters added and `remove` letters removed,
/// keeping letters this crate does not know (such as `P`) and sorting the
/// result in ASCII order as Dovecot does.
pub(crate) fn edit_info(info: &str, add: &[char], remove: &[char]) -> String {
    let mut letters: Vec<char> = info
        .chars()
        .filter(|c| c.is_ascii_alphabetic() && !remove.contains(c))
        .collect();
    letters.extend(add.iter().copied());
    letters.sort_unstable();
    letters.dedup();
    letters.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_table() {
        let cases: &[(&str, Option<Flag>)] = &[
            ("\\Seen", Some(Flag::Seen)),
            ("\\SEEN", Some(Flag::Seen)),
            ("\\Answered", Some(Flag::Answered)),
            ("\\Flagged", Some(Flag::Flagged)),
            ("\\Deleted", Some(Flag::Deleted)),
            ("\\Draft", Some(Flag::Draft)),
            ("$Forwarded", Some(Flag::Keyword("$Forwarded".into()))),
            ("$MDNSent", Some(Flag::Keyword("$MDNSent".into()))),
            ("$Junk", Some(Flag::Keyword("$Junk".into()))),
            ("\\Recent", None),
            ("", None),
            ("two words", None),
            ("a(b", None),
        ];
        for (input, want) in cases {
            assert_eq!(Flag::parse(input).ok(), *want, "{input:?}");
        }
    }

    #[test]
    fn edit_info_table() {
        let cases: &[(&str, &[char], &[char], &str)] = &[
            ("", &['S'], &[], "S"),
            ("S", &['F'], &[], "FS"),
            ("FS", &[], &['S'], "F"),
            ("PS", &['a'], &[], "PSa"),
            ("Sab", &[], &['a'], "Sb"),
            ("S", &['S'], &[], "S"),
            ("DFRST", &[], &['D', 'F', 'R', 'S', 'T'], ""),
        ];
        for (info, add, remove, want) in cases {
            assert_eq!(
                edit_info(info, add, remove),
                *want,
                "{info} +{add:?} -{remove:?}"
            );
        }
    }

    #[test]
    fn bits_round_trip() {
        let set = FlagSet::from_flags(&[Flag::Seen, Flag::Draft, Flag::Keyword("$Junk".into())]);
        assert_eq!(set.bits(), SEEN | DRAFT);
        assert_eq!(FlagSet::from_parts(set.bits(), "$Junk"), set);
        assert_eq!(
            info_bits("DFRST"),
            SEEN | ANSWERED | FLAGGED | DELETED | DRAFT
        );
    }
}
