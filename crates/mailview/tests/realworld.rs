//! Real-world mail that used to be shown wrong (issue items 12–15): the
//! fixtures `testdata/eml/mailview/020.eml`–`026.eml`, and tables of the
//! same shapes.

use std::fs;
use std::path::Path;

use mailview::{ViewOptions, attachment, view};
use model::mail::{Body, MessageView};

fn fixture(n: u32) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../testdata/eml/mailview/{n:03}.eml"));
    fs::read(p).expect("fixture")
}

fn text_of(v: &MessageView) -> String {
    match &v.body {
        Body::Text { html } | Body::Html { html, .. } => html.clone(),
        Body::Empty => String::new(),
    }
}

fn header<'a>(v: &'a MessageView, name: &str) -> Option<&'a str> {
    v.headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn has_warning(v: &MessageView, needle: &str) -> bool {
    v.warnings.iter().any(|w| w.contains(needle))
}

/// Item 12: raw 8-bit bytes inside an encoded word are decoded in the
/// word's charset; raw 8-bit outside encoded words is still Windows-1252.
#[test]
fn raw_8bit_inside_encoded_words() {
    let v = view(&fixture(20), &ViewOptions::default());
    assert_eq!(v.subject, "Frösche im Teich");
    assert_eq!(v.from[0].name, "Jörg Müller");
    assert_eq!(v.from[0].email, "joerg@example.de");
    assert_eq!(v.to[0].name, "René Dupont");
    assert_eq!(header(&v, "Subject"), Some("Frösche im Teich"));
    assert_eq!(header(&v, "From"), Some("Jörg Müller <joerg@example.de>"));
    assert_eq!(header(&v, "X-Price"), Some("Eintritt 5€"));
    assert!(text_of(&v).contains("Die Frösche quaken wieder."));
    assert!(has_warning(&v, "raw 8-bit"), "{:?}", v.warnings);

    // (header line, decoded subject)
    let cases: &[(&[u8], &str)] = &[
        (b"=?iso-8859-1?Q?Fr\xf6sche?=", "Frösche"),
        (b"=?ISO-8859-1?q?Fr\xf6sche?=", "Frösche"),
        (b"=?windows-1252?Q?5\x80_?=", "5€"),
        (b"=?iso-8859-15?Q?5\xa4?=", "5€"),
        (b"=?koi8-r?Q?\xf0\xd2\xc9\xd7\xc5\xd4?=", "Привет"),
        // Outside encoded words: Windows-1252, as before.
        (b"Fr\xf6sche", "Frösche"),
        (
            b"Fr\xf6sche =?iso-8859-1?Q?und_Kr=F6ten?=",
            "Frösche und Kröten",
        ),
        // UTF-8 raw bytes inside a Latin-1 word are read as declared.
        (b"=?iso-8859-1?Q?Fr\xc3\xb6sche?=", "FrÃ¶sche"),
        // A word that is not one stays text.
        (b"=?iso-8859-1?X?Fr\xf6sche?=", "=?iso-8859-1?X?Frösche?="),
    ];
    for (subject, want) in cases {
        let mut raw = b"From: a@example.com\r\nSubject: ".to_vec();
        raw.extend_from_slice(subject);
        raw.extend_from_slice(b"\r\n\r\nbody\r\n");
        let v = view(&raw, &ViewOptions::default());
        assert_eq!(v.subject, *want, "{}", String::from_utf8_lossy(subject));
        assert_eq!(header(&v, "Subject"), Some(*want));
    }
}

/// Item 13: `Content-Type: text` without a subtype is plain text.
#[test]
fn text_without_subtype_is_shown() {
    let v = view(&fixture(21), &ViewOptions::default());
    assert!(text_of(&v).contains("Do you like this message?"), "{v:?}");
    assert!(v.attachments.is_empty(), "{:?}", v.attachments);
    assert!(has_warning(&v, "\"text\""), "{:?}", v.warnings);
}

/// Item 13: a multipart cut off before its closing boundary shows what
/// arrived, with a warning.
#[test]
fn truncated_multipart_is_shown() {
    let v = view(&fixture(22), &ViewOptions::default());
    let text = text_of(&v);
    assert!(text.contains("volume /home 71% used"), "{v:?}");
    assert!(
        text.contains("The rest of this message was lost when the disk filled"),
        "{text}"
    );
    assert!(
        !text.contains("multi-part message in MIME format"),
        "{text}"
    );
    assert!(v.attachments.is_empty(), "{:?}", v.attachments);
    assert!(has_warning(&v, "truncated"), "{:?}", v.warnings);

    // The same with other transfer encodings, and with an HTML part.
    let head = "From: a@example.com\r\nSubject: cut\r\nContent-Type: multipart/alternative; boundary=B\r\n\r\n";
    let cases: &[(&str, &str)] = &[
        (
            "--B\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\nSGVsbG8gd29ybGQs\r\nIGN1dCBoZXJl",
            "Hello world, cut here",
        ),
        (
            "--B\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGr=C3=BC=C3=9Fe, abge=\r\nschnitten",
            "Grüße, abgeschnitten",
        ),
        (
            "--B\r\nContent-Type: text/html\r\n\r\n<p>Hello <b>there</b>, cut",
            "<b>there</b>, cut",
        ),
    ];
    for (body, want) in cases {
        let v = view(format!("{head}{body}").as_bytes(), &ViewOptions::default());
        assert!(text_of(&v).contains(want), "{body:?}: {v:?}");
        assert!(has_warning(&v, "truncated"), "{body:?}: {:?}", v.warnings);
    }
}

/// Items 13 and 15: the header block ends at the first line that is not a
/// header field; what follows is the body, even without a blank line.
#[test]
fn headers_end_at_first_non_header_line() {
    let v = view(&fixture(23), &ViewOptions::default());
    assert_eq!(v.from.len(), 1, "{:?}", v.from);
    assert_eq!(v.from[0].email, "digest@lists.example");
    assert_eq!(v.subject, "Weekly digest");
    let text = text_of(&v);
    assert!(text.contains("came without a blank line"), "{v:?}");
    assert!(text.contains("mallory@evil.example"), "{text}");
    assert!(text.contains("must not become the sender"), "{text}");
    assert!(!v.headers.iter().any(|(_, h)| h.contains("mallory")));
    assert!(has_warning(&v, "blank line"), "{:?}", v.warnings);

    // (message, sender, subject, text in the body)
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "From: a@example.com\nSubject: s\nHello\nFrom: x@y.example\n",
            "a@example.com",
            "s",
            "From: x@y.example",
        ),
        (
            "Subject: s\r\nFrom: a@example.com\r\nDear all: hello\r\n",
            "a@example.com",
            "s",
            "Dear all: hello",
        ),
        (
            "From: a@example.com\r\nSubject: s\r\n--not a header\r\nSubject: t\r\n",
            "a@example.com",
            "s",
            "Subject: t",
        ),
        // Folded headers and "Name : value" are still headers.
        (
            "From: a@example.com\r\nSubject: one\r\n two\r\nX-Odd : yes\r\n\r\nbody text\r\n",
            "a@example.com",
            "one two",
            "body text",
        ),
        // An mbox "From " line first is skipped, as before.
        (
            "From a@example.com Mon Jan  1 00:00:00 2001\nFrom: a@example.com\nSubject: s\n\nbody text\n",
            "a@example.com",
            "s",
            "body text",
        ),
    ];
    for (raw, from, subject, text) in cases {
        let v = view(raw.as_bytes(), &ViewOptions::default());
        assert_eq!(v.from.len(), 1, "{raw:?}: {:?}", v.from);
        assert_eq!(v.from[0].email, *from, "{raw:?}");
        assert_eq!(v.subject, *subject, "{raw:?}");
        assert!(text_of(&v).contains(text), "{raw:?}: {v:?}");
    }

    // A blank line of blanks is a blank line: no warning.
    for raw in [
        &b"From: a@example.com\r\nSubject: s\r\n\r\nbody\r\n"[..],
        b"From: a@example.com\nSubject: s\n \t\nbody\n",
    ] {
        let v = view(raw, &ViewOptions::default());
        assert!(v.warnings.is_empty(), "{raw:?}: {:?}", v.warnings);
    }

    // The same inside a MIME part.
    let raw = b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\nHello inside\r\n--B--\r\n";
    let v = view(raw, &ViewOptions::default());
    assert!(text_of(&v).contains("Hello inside"), "{v:?}");
}

/// Item 14: only a whole line `--boundary` (optionally followed by `--`
/// and blanks) is a delimiter.
#[test]
fn boundary_lookalikes_keep_their_text() {
    let v = view(&fixture(24), &ViewOptions::default());
    let text = text_of(&v);
    for line in [
        "First line.",
        "--BNDX is not a delimiter: it only starts with the boundary.",
        "A boundary in the middle of a line, --BND, is not one either.",
        "Last line of the text.",
    ] {
        assert!(text.contains(line), "{line:?} missing from {text}");
    }
    assert!(!text.contains("Notes."), "{text}");
    assert_eq!(v.attachments.len(), 1, "{:?}", v.attachments);
    assert_eq!(v.attachments[0].filename, "notes.txt");
    let notes = attachment(&fixture(24), v.attachments[0].part).expect("notes");
    assert_eq!(notes.bytes, b"Notes.");

    // The same in every transfer encoding, and in a nested multipart.
    for cte in ["7bit", "quoted-printable"] {
        let raw = format!(
            "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=\"BND\"\r\n\r\n\
             --BND\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: {cte}\r\n\r\n\
             one\r\n--BNDX two\r\nthree --BND four\r\n--BND\t\r\nContent-Type: text/plain\r\n\r\nsecond\r\n--BND--\r\n"
        );
        let v = view(raw.as_bytes(), &ViewOptions::default());
        let text = text_of(&v);
        assert!(
            text.contains("one\n--BNDX two\nthree --BND four"),
            "{cte}: {text}"
        );
        assert!(text.contains("second"), "{cte}: {text}");
    }
    let raw = b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=\"OUT\"\r\n\r\n\
--OUT\r\nContent-Type: multipart/alternative; boundary=\"IN\"\r\n\r\n\
--IN\r\nContent-Type: text/plain\r\n\r\nalpha\r\n--OUTER is text\r\n--INSIDE too\r\nomega\r\n--IN--\r\n\
--OUT\r\nContent-Type: application/octet-stream\r\n\r\nbin\r\n--OUT--\r\n";
    let v = view(raw, &ViewOptions::default());
    let text = text_of(&v);
    assert!(
        text.contains("alpha\n--OUTER is text\n--INSIDE too\nomega"),
        "{text}"
    );
    assert_eq!(v.attachments.len(), 1, "{:?}", v.attachments);
}

/// Item 14: UTF-7 per RFC 2152.
#[test]
fn utf7_terminators() {
    let v = view(&fixture(25), &ViewOptions::default());
    let text = text_of(&v);
    for line in [
        "Hi Mom -☺-!",
        "A≢Α.",
        "Item 3 is £1.",
        "1 + 1 = 2",
        "abc end",
        "Grüße",
        "Ends in a run: ä",
    ] {
        assert!(text.contains(line), "{line:?} missing from {text}");
    }
}

/// Item 15: obsolete zones (military letters, UT, GMT, US zones) end where
/// the line ends; the next header survives.
#[test]
fn obsolete_zones_keep_the_next_header() {
    let v = view(&fixture(26), &ViewOptions::default());
    assert_eq!(v.subject, "Test of an obsolete time zone");
    assert_eq!(v.date, Some(-27_736_026));
    let mut zones: Vec<String> = ('A'..='Z')
        .filter(|&c| c != 'J')
        .map(String::from)
        .collect();
    zones.extend(["z", "UT", "GMT", "EST", "PDT"].map(String::from));
    for zone in &zones {
        for nl in ["\r\n", "\n"] {
            let raw = format!(
                "Date: Thu, 13 Feb 1969 23:32:54 {zone}{nl}Subject: after{nl}From: a@example.com{nl}{nl}body{nl}"
            );
            let v = view(raw.as_bytes(), &ViewOptions::default());
            assert_eq!(v.subject, "after", "{raw:?}");
            assert_eq!(v.from.len(), 1, "{raw:?}");
            assert!(v.date.is_some(), "{raw:?}");
        }
    }
}
