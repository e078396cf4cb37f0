//! Search: a typed query, parsed here from what a user types, and its SQL.
//!
//! Every field is optional and all given fields must match (AND); several
//! terms in one field must all match too. Sender, recipient, subject and
//! header terms match substrings of the decoded text, case-insensitively,
//! through a trigram index; body terms match words of the decoded text parts
//! through the full-text index.

use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

use crate::flags::Flag;
use crate::maildir::normalize_folder;
use crate::{Error, Result};
use model::mail::SearchScope;

/// The most characters a search box may hold.
pub const MAX_QUERY_CHARS: usize = 1000;
/// The most characters in one search term (a word or a quoted phrase).
pub const MAX_TERM_CHARS: usize = 200;
/// The most terms one search may have, in all fields together.
pub const MAX_TERMS: usize = 20;
/// The most folders and flags one search may name.
pub const MAX_FOLDERS: usize = 50;

/// A search over one user's mail.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Query {
    /// Substrings of the sender's decoded name or address.
    pub sender: Vec<String>,
    /// Substrings of To or Cc (decoded names and addresses).
    pub recipient: Vec<String>,
    /// Substrings of the decoded subject.
    pub subject: Vec<String>,
    /// Substrings of any of sender, recipients or subject.
    pub headers: Vec<String>,
    /// Words or phrases of the body text.
    pub body: Vec<String>,
    /// Words or phrases of the body, or substrings of the headers.
    pub text: Vec<String>,
    /// Only messages dated at or after this (seconds since the epoch).
    pub since: Option<i64>,
    /// Only messages dated before this (seconds since the epoch).
    pub before: Option<i64>,
    /// Flags that must be set.
    pub flags: Vec<Flag>,
    /// Flags that must not be set.
    pub not_flags: Vec<Flag>,
    /// Only messages with (or without) attachments.
    pub has_attachment: Option<bool>,
    /// Folders to search; empty means all.
    pub folders: Vec<String>,
}

/// How a header term of three characters or more is looked up in a trigram
/// table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TermPlan {
    /// Through the index, with every trigram of the term.
    Index,
    /// One scan of the table's texts: its trigrams are in so many messages
    /// that checking each candidate costs more.
    Scan,
    /// Through the index with only these trigrams (an FTS5 expression: the
    /// rarest few), each candidate's text then checked: the candidates are
    /// nearly the matches, without intersecting the long lists of trigrams
    /// every address has (`com`, `exa`, `@ex` …).
    Rarest(String),
}

impl Query {
    /// Whether the query has a text term (each one an `m.id IN (…)` over a
    /// full-text table): then counting its results goes by those ids, not
    /// by walking every message of the folder.
    pub(crate) fn has_text_terms(&self) -> bool {
        self.text_terms().iter().any(|t| !t.is_empty())
    }

    /// The terms of every text field.
    fn text_terms(&self) -> [&Vec<String>; 6] {
        [
            &self.sender,
            &self.recipient,
            &self.subject,
            &self.headers,
            &self.body,
            &self.text,
        ]
    }
}

fn words(s: &str) -> Vec<String> {
    tokenize(s).into_iter().filter(|w| !w.is_empty()).collect()
}

/// Splits on whitespace, keeping "quoted phrases" (and `key:"quoted"`) whole.
fn tokenize(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in s.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// Parses `YYYY-MM-DD` (or `YYYY-MM`, `YYYY`) into the first second of it (UTC).
fn parse_date(s: &str) -> Option<i64> {
    let parts: Vec<&str> = s.split(['-', '/', '.']).collect();
    let num = |i: usize, default: i64| -> Option<i64> {
        match parts.get(i) {
            Some(p) => p.parse().ok(),
            None => Some(default),
        }
    };
    if parts.len() > 3 || parts[0].len() != 4 {
        return None;
    }
    let (y, m, d) = (num(0, 1)?, num(1, 1)?, num(2, 1)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some(days_from_civil(y, m, d) * 86400)
}

impl Query {
    /// Matches everything.
    pub fn new() -> Query {
        Query::default()
    }

    /// The words of a simple search box, matched in `scope`.
    pub fn scoped(text: &str, scope: SearchScope) -> Query {
        let w = words(text);
        let mut q = Query::new();
        match scope {
            SearchScope::Headers => q.headers = w,
            SearchScope::Sender => q.sender = w,
            SearchScope::Subject => q.subject = w,
            SearchScope::Body => q.text = w,
        }
        q
    }

    /// Restricts the search to one folder.
    pub fn in_folder(mut self, folder: &str) -> Query {
        self.folders.push(folder.to_string());
        self
    }

    /// Parses a search box: bare words and "quoted phrases" match the
    /// headers; `from:` `to:` `subject:` `body:` `text:` `header:` pick a
    /// field; `after:`/`since:` and `before:` take `YYYY-MM-DD`; `is:` takes
    /// `unread` `read` `flagged` `unflagged` `answered` `draft` `deleted`
    /// `junk` `forwarded`; `has:attachment`; `in:` names a folder.
    pub fn parse(input: &str) -> Result<Query> {
        let chars = input.chars().count();
        if chars > MAX_QUERY_CHARS {
            return Err(Error::InvalidQuery(format!(
                "the search is {chars} characters long; the most is {MAX_QUERY_CHARS}"
            )));
        }
        let mut q = Query::new();
        for token in tokenize(input) {
            let Some((key, value)) = token.split_once(':') else {
                q.headers.push(token);
                continue;
            };
            let bad = |what: &str| Error::InvalidQuery(format!("{what}: {value:?}"));
            if value.is_empty() {
                return Err(Error::InvalidQuery(format!("{key}: needs a value")));
            }
            match key.to_ascii_lowercase().as_str() {
                "from" | "sender" => q.sender.push(value.into()),
                "to" | "cc" | "recipient" => q.recipient.push(value.into()),
                "subject" => q.subject.push(value.into()),
                "header" | "headers" => q.headers.push(value.into()),
                "body" => q.body.push(value.into()),
                "text" => q.text.push(value.into()),
                "after" | "since" => q.since = Some(parse_date(value).ok_or_else(|| bad("date"))?),
                "before" => q.before = Some(parse_date(value).ok_or_else(|| bad("date"))?),
                "in" | "folder" => q.folders.push(normalize_folder(value)?),
                "has" => match value.to_ascii_lowercase().as_str() {
                    "attachment" | "attachments" => q.has_attachment = Some(true),
                    "noattachment" => q.has_attachment = Some(false),
                    _ => return Err(bad("has")),
                },
                "is" => {
                    let (flag, on) = match value.to_ascii_lowercase().as_str() {
                        "unread" | "unseen" => (Flag::Seen, false),
                        "read" | "seen" => (Flag::Seen, true),
                        "flagged" | "starred" => (Flag::Flagged, true),
                        "unflagged" => (Flag::Flagged, false),
                        "answered" | "replied" => (Flag::Answered, true),
                        "draft" => (Flag::Draft, true),
                        "deleted" => (Flag::Deleted, true),
                        "junk" => (Flag::Keyword(crate::flags::JUNK.into()), true),
                        "forwarded" => (Flag::Keyword(crate::flags::FORWARDED.into()), true),
                        _ => return Err(bad("is")),
                    };
                    if on {
                        q.flags.push(flag)
                    } else {
                        q.not_flags.push(flag)
                    }
                }
                _ => q.headers.push(token.clone()),
            }
        }
        q.check()?;
        Ok(q)
    }

    /// Whether the query is within the limits a search may have: at most
    /// [`MAX_TERMS`] terms of at most [`MAX_TERM_CHARS`] characters each, no
    /// control characters, at most [`MAX_FOLDERS`] folders and flags. Every
    /// search is checked before it reaches the index, however it was built,
    /// so that no input costs more than a bounded amount of work.
    pub fn check(&self) -> Result<()> {
        let terms = self.text_terms();
        let count: usize = terms.iter().map(|t| t.len()).sum();
        if count > MAX_TERMS {
            return Err(Error::InvalidQuery(format!(
                "it has {count} words; use at most {MAX_TERMS}"
            )));
        }
        for term in terms.iter().flat_map(|t| t.iter()) {
            let chars = term.chars().count();
            if chars > MAX_TERM_CHARS {
                return Err(Error::InvalidQuery(format!(
                    "a word or phrase is {chars} characters long; the most is {MAX_TERM_CHARS}"
                )));
            }
            if term.chars().any(char::is_control) {
                return Err(Error::InvalidQuery(
                    "it contains a control character (such as NUL)".into(),
                ));
            }
        }
        if self.folders.len() + self.flags.len() + self.not_flags.len() > MAX_FOLDERS {
            return Err(Error::InvalidQuery(format!(
                "it names more than {MAX_FOLDERS} folders and flags"
            )));
        }
        Ok(())
    }

    /// Builds the WHERE clause (over `messages m`) and its parameters,
    /// with the trigram index for every header term of three characters or
    /// more.
    #[cfg(test)]
    pub(crate) fn to_sql(&self) -> Result<(String, Vec<Value>)> {
        self.to_sql_with(&|_, _| TermPlan::Index)
    }

    /// Builds the WHERE clause (over `messages m`) and its parameters.
    /// `plan(table, term)` says how the trigram table (`hdr_fts`, or
    /// `from_fts` for a sender term) is best used for a term (lower-cased,
    /// three characters or more).
    pub(crate) fn to_sql_with(
        &self,
        plan: &dyn Fn(&str, &str) -> TermPlan,
    ) -> Result<(String, Vec<Value>)> {
        self.check()?;
        let mut w: Vec<String> = vec!["1".into()];
        let mut params: Vec<Value> = Vec::new();
        // Substring match over lower-cased decoded text: the trigram index
        // answers LIKE for terms of three characters or more.
        let substr = |cols: &[&str], term: &str, w: &mut Vec<String>, params: &mut Vec<Value>| {
            let lower = term.to_lowercase();
            // FTS5 uses the trigram index only for a LIKE without ESCAPE.
            let special = lower.contains(['\\', '%', '_']);
            let like = format!(
                "%{}%",
                lower
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            );
            let escape = if special { " ESCAPE '\\'" } else { "" };
            // A sender term has a table of its own: its candidates are
            // senders only.
            if cols == ["sender"] {
                let how = if lower.chars().count() < 3 {
                    TermPlan::Scan
                } else {
                    plan("from_fts", &lower)
                };
                w.push(match how {
                    TermPlan::Scan => {
                        format!("m.id IN (SELECT id FROM from_fts_content WHERE c0 LIKE ?{escape})")
                    }
                    TermPlan::Index => {
                        format!("m.id IN (SELECT rowid FROM from_fts WHERE sender LIKE ?{escape})")
                    }
                    TermPlan::Rarest(expr) => {
                        params.push(Value::Text(expr));
                        format!(
                            "m.id IN (SELECT id FROM from_fts_content WHERE id IN \
                             (SELECT rowid FROM from_fts WHERE from_fts MATCH ?) \
                             AND c0 LIKE ?{escape})"
                        )
                    }
                });
                params.push(Value::Text(like.clone()));
                return;
            }
            if lower.chars().count() < 3 || matches!(plan("hdr_fts", &lower), TermPlan::Scan) {
                // Too short for trigrams, or too common for them to help:
                // one scan of the lower-cased texts (FTS5's content table:
                // a plain table, c0..c2 = columns).
                let ors: Vec<String> = cols
                    .iter()
                    .map(|c| {
                        params.push(Value::Text(like.clone()));
                        let n = match *c {
                            "sender" => 0,
                            "recipient" => 1,
                            _ => 2,
                        };
                        format!("c{n} LIKE ?{escape}")
                    })
                    .collect();
                w.push(format!(
                    "m.id IN (SELECT id FROM hdr_fts_content WHERE {})",
                    ors.join(" OR ")
                ));
                return;
            }
            let ors: Vec<String> = cols
                .iter()
                .map(|c| {
                    params.push(Value::Text(like.clone()));
                    format!("m.id IN (SELECT rowid FROM hdr_fts WHERE {c} LIKE ?{escape})")
                })
                .collect();
            w.push(format!("({})", ors.join(" OR ")));
        };
        for t in &self.sender {
            substr(&["sender"], t, &mut w, &mut params);
        }
        for t in &self.recipient {
            substr(&["recipient"], t, &mut w, &mut params);
        }
        for t in &self.subject {
            substr(&["subject"], t, &mut w, &mut params);
        }
        for t in &self.headers {
            substr(&["sender", "recipient", "subject"], t, &mut w, &mut params);
        }
        for t in &self.body {
            params.push(Value::Text(fts_phrase(t)));
            w.push("m.id IN (SELECT rowid FROM body_fts WHERE body_fts MATCH ?)".into());
        }
        for t in &self.text {
            let mut sub_w = Vec::new();
            let mut sub_p = Vec::new();
            substr(
                &["sender", "recipient", "subject"],
                t,
                &mut sub_w,
                &mut sub_p,
            );
            params.push(Value::Text(fts_phrase(t)));
            params.extend(sub_p);
            w.push(format!(
                "(m.id IN (SELECT rowid FROM body_fts WHERE body_fts MATCH ?) OR {})",
                sub_w.join(" AND ")
            ));
        }
        if let Some(s) = self.since {
            params.push(Value::Integer(s));
            w.push("m.date_sort >= ?".into());
        }
        if let Some(b) = self.before {
            params.push(Value::Integer(b));
            w.push("m.date_sort < ?".into());
        }
        for (list, on) in [(&self.flags, true), (&self.not_flags, false)] {
            for f in list {
                let cond = match f {
                    Flag::Seen => "m.seen = 1".to_string(),
                    Flag::Flagged => "m.flagged = 1".to_string(),
                    Flag::Keyword(k) => {
                        params.push(Value::Text(format!("% {} %", k.to_lowercase())));
                        "(' ' || lower(m.keywords) || ' ') LIKE ?".to_string()
                    }
                    other => {
                        let bits =
                            crate::flags::FlagSet::from_flags(std::slice::from_ref(other)).bits();
                        format!("(m.flags & {bits}) != 0")
                    }
                };
                w.push(if on { cond } else { format!("NOT ({cond})") });
            }
        }
        if let Some(a) = self.has_attachment {
            w.push(format!("m.has_attachment = {}", i32::from(a)));
        }
        if !self.folders.is_empty() {
            let mut marks = Vec::new();
            for f in &self.folders {
                params.push(Value::Text(normalize_folder(f)?));
                marks.push("?");
            }
            w.push(format!(
                "m.folder_id IN (SELECT id FROM folders WHERE name IN ({}))",
                marks.join(", ")
            ));
        }
        Ok((w.join(" AND "), params))
    }
}

/// A term as an FTS5 phrase: quoted, with embedded quotes doubled.
fn fts_phrase(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_table() {
        let day = |y, m, d| days_from_civil(y, m, d) * 86400;
        let cases: Vec<(&str, Query)> = vec![
            ("", Query::new()),
            (
                "hello",
                Query {
                    headers: vec!["hello".into()],
                    ..Query::new()
                },
            ),
            (
                "\"annual report\" from:alice",
                Query {
                    headers: vec!["annual report".into()],
                    sender: vec!["alice".into()],
                    ..Query::new()
                },
            ),
            (
                "to:bob subject:\"q3 plan\" body:budget",
                Query {
                    recipient: vec!["bob".into()],
                    subject: vec!["q3 plan".into()],
                    body: vec!["budget".into()],
                    ..Query::new()
                },
            ),
            (
                "after:2024-01-01 before:2024-02",
                Query {
                    since: Some(day(2024, 1, 1)),
                    before: Some(day(2024, 2, 1)),
                    ..Query::new()
                },
            ),
            (
                "is:unread is:flagged has:attachment in:Sent",
                Query {
                    not_flags: vec![Flag::Seen],
                    flags: vec![Flag::Flagged],
                    has_attachment: Some(true),
                    folders: vec!["Sent".into()],
                    ..Query::new()
                },
            ),
            (
                "re:thing",
                Query {
                    headers: vec!["re:thing".into()],
                    ..Query::new()
                },
            ),
        ];
        for (input, want) in cases {
            assert_eq!(Query::parse(input).unwrap(), want, "{input:?}");
        }
        for bad in [
            "after:yesterday",
            "is:purple",
            "has:cats",
            "from:",
            "in:a.b",
        ] {
            assert!(Query::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn limits_table() {
        let long = "x".repeat(MAX_TERM_CHARS + 1);
        let many = vec!["w"; MAX_TERMS + 1].join(" ");
        let huge = "y".repeat(100_000);
        let cases: Vec<(String, &str)> = vec![
            (long.clone(), "characters long"),
            (format!("from:{long}"), "characters long"),
            (many.clone(), "words"),
            ("a\0b".to_owned(), "control character"),
            (huge.clone(), "characters long"),
        ];
        for (input, says) in &cases {
            let e = Query::parse(input).expect_err(&input[..input.len().min(40)]);
            assert!(e.to_string().contains(says), "{e}");
        }
        // The simple search box goes through the same check before SQL.
        for (text, scope) in [
            (long.as_str(), SearchScope::Headers),
            (many.as_str(), SearchScope::Body),
            (huge.as_str(), SearchScope::Sender),
            ("nul\0", SearchScope::Subject),
        ] {
            assert!(Query::scoped(text, scope).to_sql().is_err(), "{scope:?}");
        }
        // At the limits, fine.
        let ok = vec!["x".repeat(MAX_TERM_CHARS); MAX_TERMS].join(" ");
        assert!(Query::scoped(&ok, SearchScope::Body).to_sql().is_ok());
        assert!(Query::parse("caf\u{e9} \"two words\"").is_ok());
    }

    #[test]
    fn scoped_table() {
        assert_eq!(
            Query::scoped("a b", SearchScope::Headers).headers,
            vec!["a", "b"]
        );
        assert_eq!(Query::scoped("a", SearchScope::Sender).sender, vec!["a"]);
        assert_eq!(Query::scoped("a", SearchScope::Subject).subject, vec!["a"]);
        assert_eq!(
            Query::scoped("\"x y\"", SearchScope::Body).text,
            vec!["x y"]
        );
    }

    #[test]
    fn civil_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11017);
        assert_eq!(
            parse_date("2024-02-29"),
            Some(days_from_civil(2024, 2, 29) * 86400)
        );
        assert_eq!(parse_date("24-1-1"), None);
    }
}
