//! Real-world mail that used to be indexed wrong (issue items 12–15): the
//! reader's fixtures `testdata/eml/mailview/020.eml`–`026.eml`, delivered
//! and searched. The index must see what the reader shows.

use std::path::Path;

use mailstore::{Mailstore, MessageSummary, Query, SortColumn};
use testkit::TempUser;

/// A store holding fixtures `numbers`, and their summaries in that order.
fn store(numbers: &[u32]) -> (TempUser, Mailstore, Vec<MessageSummary>) {
    let t = TempUser::new();
    let s = Mailstore::open(t.path()).unwrap();
    let summaries = numbers
        .iter()
        .map(|n| {
            let p = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(format!("../../testdata/eml/mailview/{n:03}.eml"));
            let uid = s.deliver("INBOX", &std::fs::read(p).unwrap()).unwrap();
            s.summary("INBOX", uid).unwrap().unwrap()
        })
        .collect();
    (t, s, summaries)
}

/// Message-IDs of what `q` finds.
fn hits(s: &Mailstore, q: &str) -> Vec<String> {
    s.search(&Query::parse(q).unwrap(), SortColumn::Date, true, 0, 10)
        .unwrap()
        .items
        .into_iter()
        .map(|m| m.message_id)
        .collect()
}

/// Item 12: raw 8-bit bytes inside encoded words.
#[test]
fn raw_8bit_encoded_words_are_found() {
    let (_t, s, m) = store(&[20]);
    assert_eq!(m[0].subject, "Frösche im Teich");
    assert_eq!(m[0].from_name, "Jörg Müller");
    assert_eq!(m[0].from_addr, "joerg@example.de");
    assert_eq!(m[0].to, "René Dupont <rene@example.fr>");
    assert_eq!(m[0].snippet, "Die Frösche quaken wieder.");
    let id = ["eudora-20@example.de"];
    assert_eq!(hits(&s, "subject:Frösche"), id);
    assert_eq!(hits(&s, "Frösche"), id);
    assert_eq!(hits(&s, "body:Frösche"), id);
    assert_eq!(hits(&s, "from:Müller"), id);
    assert_eq!(hits(&s, "René"), id);
}

/// Item 13: "Content-Type: text", a truncated multipart, no blank line
/// after the headers.
#[test]
fn hidden_text_is_indexed() {
    let (_t, s, m) = store(&[21, 22, 23]);
    assert_eq!(m[0].snippet, "Hi, Do you like this message? -Me");
    assert!(!m[0].has_attachment);
    assert!(
        m[1].snippet
            .starts_with("Nightly report for backup01: volume /srv 98% used"),
        "{:?}",
        m[1].snippet
    );
    assert!(!m[1].has_attachment);
    assert!(
        m[2].snippet
            .starts_with("This week's digest came without a blank line"),
        "{:?}",
        m[2].snippet
    );
    assert_eq!(hits(&s, "body:like"), ["dingus-21@python.example"]);
    assert_eq!(hits(&s, "body:disk"), ["report-22@example.net"]);
    assert_eq!(hits(&s, "body:forwarded"), ["digest-23@lists.example"]);
}

/// Item 14: boundary look-alikes and UTF-7.
#[test]
fn boundary_lookalikes_and_utf7_are_indexed() {
    let (_t, s, m) = store(&[24, 25]);
    assert!(
        m[0].snippet
            .contains("--BNDX is not a delimiter: it only starts with the boundary."),
        "{:?}",
        m[0].snippet
    );
    assert!(m[0].has_attachment);
    assert!(
        m[1].snippet
            .starts_with("Hi Mom -☺-! A≢Α. Item 3 is £1. 1 + 1 = 2 abc end Grüße"),
        "{:?}",
        m[1].snippet
    );
    assert_eq!(hits(&s, "body:delimiter"), ["bnd-24@example.org"]);
    assert_eq!(hits(&s, "body:Grüße"), ["utf7-25@example.com"]);
}

/// Item 15: the sender is not taken from the body; a military zone letter
/// in Date keeps the Subject after it.
#[test]
fn sender_and_subject_survive() {
    let (_t, s, m) = store(&[23, 26]);
    assert_eq!(m[0].from_name, "Weekly Digest");
    assert_eq!(m[0].from_addr, "digest@lists.example");
    assert_eq!(m[1].subject, "Test of an obsolete time zone");
    assert_eq!(m[1].date, Some(-27_736_026));
    assert_eq!(hits(&s, "from:mallory"), Vec::<String>::new());
    assert_eq!(hits(&s, "body:mallory"), ["digest-23@lists.example"]);
    assert_eq!(hits(&s, "subject:obsolete"), ["zone-26@example.org"]);
}
