//! Inputs the fuzz target (`crates/mailview/fuzz`) found, kept in
//! `testdata/eml/fuzz/`: each goes through what the target calls, and must
//! not panic.

use std::fs;
use std::path::Path;

use mailview::{MAX_NESTING, ViewOptions, attachment, nested_path, view};

/// What `fuzz_targets/view.rs` does with one input.
fn exercise(data: &[u8]) {
    let options = ViewOptions::default();
    let v = view(data, &options);
    for a in &v.attachments {
        let _ = attachment(data, a.part);
    }
    for part in [0, 1, 2, 3, 7, u32::MAX] {
        let _ = attachment(data, part);
    }
    for a in v.attachments.iter().filter(|a| a.is_message).take(2) {
        if let Some(inner) = nested_path(data, &[a.part]) {
            let inner_view = view(&inner, &options);
            if let Some(b) = inner_view.attachments.iter().find(|a| a.is_message) {
                let _ = nested_path(data, &[a.part, b.part]);
            }
        }
    }
    let _ = nested_path(data, &[]);
    let _ = nested_path(data, &[1, 1]);
    let _ = nested_path(data, &[2; MAX_NESTING + 1]);
}

#[test]
fn fuzz_findings_do_not_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/eml/fuzz");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .expect("fuzz regression directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no inputs in {}", dir.display());
    for file in files {
        let data = fs::read(&file).expect("read");
        let outcome = std::panic::catch_unwind(|| exercise(&data));
        assert!(outcome.is_ok(), "{} panics", file.display());
    }
}

/// The first finding: a message attached directly inside an attached
/// message, both ending at the multipart's delimiter.
#[test]
fn nested_messages_ending_at_one_delimiter() {
    let raw = b"Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\n\
Content-Type: message/rfc822\r\n\r\nContent-Type: message/rfc822\r\n\r\n\
Subject: inner\r\n\r\ntext\r\n--a--\r\n";
    let v = view(raw, &ViewOptions::default());
    assert_eq!(v.attachments.len(), 1, "{:?}", v.attachments);
    let outer = nested_path(raw, &[v.attachments[0].part]).expect("outer");
    let outer_view = view(&outer, &ViewOptions::default());
    let inner = nested_path(&outer, &[outer_view.attachments[0].part]).expect("inner");
    assert_eq!(view(&inner, &ViewOptions::default()).subject, "inner");
}
