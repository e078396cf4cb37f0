//! `attachment`, `nested_message` and `view` on fixtures and on garbage.

use std::fs;
use std::path::Path;

use mailview::{MAX_NESTING, ViewOptions, attachment, nested_message, nested_path, view};
use model::mail::Body;

fn fixture(n: u32) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../testdata/eml/mailview/{n:03}.eml"));
    fs::read(p).expect("fixture")
}

#[test]
fn attachment_table() {
    // (fixture, part, filename, content type, first bytes)
    let cases: &[(u32, u32, &str, &str, &[u8])] = &[
        (3, 2, "logo.png", "image/png", b"\x89PNG"),
        (4, 2, "€ Rechnung Juli.pdf", "application/pdf", b"%PDF-1.4"),
        (4, 3, "Positionen übersicht.csv", "text/csv", b"a,b"),
        (5, 2, "Meeting notes.eml", "message/rfc822", b"From: Heidi"),
        (
            15,
            3,
            "part-3.bin",
            "application/octet-stream",
            b"\x00\x01\x02",
        ),
        (16, 3, "evil.html", "text/html", b"<script>"),
        (1, 0, "part-0.txt", "text/plain", b"Hi Bob"),
    ];
    for &(n, part, name, ct, head) in cases {
        let a = attachment(&fixture(n), part).unwrap_or_else(|| panic!("{n}/{part} missing"));
        assert_eq!(a.filename, name, "{n}/{part}");
        assert_eq!(a.content_type, ct, "{n}/{part}");
        assert!(
            a.bytes.starts_with(head),
            "{n}/{part}: {:?}",
            &a.bytes[..a.bytes.len().min(20)]
        );
    }
    // Containers and parts that do not exist.
    assert!(attachment(&fixture(4), 0).is_none());
    assert!(attachment(&fixture(4), 99).is_none());
    assert!(attachment(&fixture(4), u32::MAX).is_none());
}

#[test]
fn nested_message_round_trip() {
    let outer = fixture(5);
    let inner = nested_message(&outer, 2).expect("nested");
    assert!(inner.starts_with(b"From: Heidi"));
    assert!(!inner.windows(7).any(|w| w == b"--outer"));
    let v = view(&inner, &ViewOptions::default());
    assert_eq!(v.subject, "Meeting notes");
    assert_eq!(v.message_id, "notes-4@example.org");
    match v.body {
        Body::Text { html } => assert!(html.contains("Budget approved.")),
        other => panic!("{other:?}"),
    }
    let listed = view(&outer, &ViewOptions::default());
    assert_eq!(listed.attachments[0].size, inner.len() as u64);
    // Not a message.
    assert!(nested_message(&outer, 1).is_none());
    assert!(nested_message(&fixture(4), 2).is_none());
}

#[test]
fn base64_encoded_nested_message() {
    let raw = b"From: a@x.test\r\nSubject: outer\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\nU3ViamVjdDogaW5uZXINCg0KaW5uZXIgYm9keQ0K\r\n--b--\r\n";
    let inner = nested_message(raw, 2).expect("nested");
    assert_eq!(inner, b"Subject: inner\r\n\r\ninner body\r\n");
    let v = view(raw, &ViewOptions::default());
    assert_eq!(v.attachments.len(), 1);
    assert!(v.attachments[0].is_message);
    assert_eq!(v.attachments[0].filename, "part-2.eml");
}

#[test]
fn remote_images_follow_the_option() {
    let raw = fixture(3);
    let blocked = view(&raw, &ViewOptions::default());
    let allowed = view(
        &raw,
        &ViewOptions {
            allow_remote_images: true,
            ..ViewOptions::default()
        },
    );
    match (blocked.body, allowed.body) {
        (
            Body::Html {
                html: b,
                blocked_images: 1,
            },
            Body::Html {
                html: a,
                blocked_images: 0,
            },
        ) => {
            assert!(!b.contains("cdn.example.net"));
            assert!(a.contains("src=\"http://cdn.example.net/banner.png\""));
            assert!(b.contains("src=\"part/2\""));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn garbage_never_panics() {
    let inputs: &[&[u8]] = &[
        b"",
        b"\0\0\0",
        b"\xff\xfe\xfd",
        b"Subject: only a header",
        b"\r\n\r\n",
        b"Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n--\r\n",
        b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: message/rfc822\r\n\r\n--x--",
        b"Content-Type: text/html; charset=utf-16\r\n\r\n<\0s\0c\0r\0i\0p\0t\0>\0",
        b"Content-Transfer-Encoding: base64\r\n\r\n!!!!not base64!!!!",
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n=ZZ=\r\n=",
        b"From: <<<>>>@@@\r\nTo: ,,,;;;\r\nDate: yesterday\r\n\r\nx",
    ];
    for raw in inputs {
        let v = view(raw, &ViewOptions::default());
        for n in 0..4 {
            let _ = attachment(raw, n);
            let _ = nested_message(raw, n);
        }
        assert!(v.priority >= 1 && v.priority <= 5);
    }
    // Nesting many message/rfc822 levels deep.
    let mut raw = b"Subject: core\r\n\r\ncore".to_vec();
    for _ in 0..200 {
        let mut outer = b"Content-Type: message/rfc822\r\n\r\n".to_vec();
        outer.extend_from_slice(&raw);
        raw = outer;
    }
    let _ = view(&raw, &ViewOptions::default());
    // Many multipart levels.
    let mut raw = String::from("Content-Type: multipart/mixed; boundary=b0\r\n\r\n");
    for i in 1..500 {
        raw.push_str(&format!(
            "--b{}\r\nContent-Type: multipart/mixed; boundary=b{i}\r\n\r\n",
            i - 1
        ));
    }
    let _ = view(raw.as_bytes(), &ViewOptions::default());
}

#[test]
fn nested_paths() {
    let outer = fixture(5);
    let inner = nested_message(&outer, 2).unwrap();
    assert_eq!(nested_path(&outer, &[]).as_deref(), Some(&outer[..]));
    assert_eq!(nested_path(&outer, &[2]).as_deref(), Some(&inner[..]));
    assert!(nested_path(&outer, &[1]).is_none(), "not a message");
    assert!(
        nested_path(&outer, &[2, 2]).is_none(),
        "the inner one has none"
    );
    // A message inside a message inside a message.
    let wrap = |m: &[u8]| {
        let mut w = b"Subject: wrap\r\nContent-Type: multipart/mixed; boundary=w\r\n\r\n--w\r\nContent-Type: message/rfc822\r\n\r\n".to_vec();
        w.extend_from_slice(m);
        w.extend_from_slice(b"\r\n--w--\r\n");
        w
    };
    let mut deep = b"Subject: core\r\n\r\ncore body\r\n".to_vec();
    for _ in 0..MAX_NESTING + 1 {
        deep = wrap(&deep);
    }
    let two = nested_path(&deep, &[1, 1]).expect("two levels");
    assert!(view(&two, &ViewOptions::default()).subject == "wrap");
    assert!(
        nested_path(&deep, &[1; MAX_NESTING + 1]).is_none(),
        "too deep"
    );
}

mod common {
    include!("common/many_parts.rs");
}

/// 10,000 inline images: the part URL is asked for at most
/// `MAX_INLINE_PARTS` of them, each with its decoded bytes (no re-parsing),
/// and the rest are listed as attachments.
#[test]
fn inline_parts_are_capped_and_built_once() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let raw = common::many_cid_images(10_000);
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let options = ViewOptions {
        allow_remote_images: false,
        part_url: Box::new(move |p| {
            counter.fetch_add(1, Ordering::Relaxed);
            assert_eq!(p.content_type, "image/png");
            assert!(p.bytes.starts_with(b"\x89PNG"), "decoded bytes");
            format!("data:image/png;base64,{}", p.part)
        }),
    };
    let v = view(&raw, &options);
    assert_eq!(calls.load(Ordering::Relaxed), mailview::MAX_INLINE_PARTS);
    let Body::Html { html, .. } = &v.body else {
        panic!("{:?}", v.body)
    };
    assert_eq!(
        html.matches("data:image/png").count(),
        mailview::MAX_INLINE_PARTS
    );
    // The inline ones, and a page's worth of the rest, with a warning.
    assert_eq!(
        v.attachments.iter().filter(|a| a.inline).count(),
        mailview::MAX_INLINE_PARTS
    );
    assert_eq!(
        v.attachments.iter().filter(|a| !a.inline).count(),
        mailview::MAX_LISTED_ATTACHMENTS
    );
    assert!(
        v.warnings.iter().any(|w| w.contains("9900 attachments")),
        "{:?}",
        v.warnings
    );
}

/// A header made to be huge: the view carries a page's worth of it.
#[test]
fn huge_headers_are_cut_in_the_view() {
    let subject = "S".repeat(5 * 1024 * 1024);
    let to: Vec<String> = (0..3000).map(|i| format!("u{i}@example.org")).collect();
    let raw = format!(
        "From: a@example.org\r\nTo: {}\r\nSubject: {subject}\r\nX-Long: {subject}\r\n\r\nbody\r\n",
        to.join(", ")
    );
    let v = view(raw.as_bytes(), &ViewOptions::default());
    assert_eq!(v.subject.chars().count(), mailview::MAX_SUBJECT_CHARS);
    assert!(v.subject.ends_with('…'));
    assert_eq!(v.to.len(), mailview::MAX_HEADERS);
    assert!(
        v.headers
            .iter()
            .all(|(_, value)| value.chars().count() <= mailview::MAX_HEADER_CHARS)
    );
    let json = serde_json::to_string(&v).unwrap();
    assert!(json.len() < 200_000, "{} bytes", json.len());
}
