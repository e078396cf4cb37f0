//! Real-world-style messages in `testdata/eml/{rfc,thirdparty,malformed}`,
//! each with the index fields it must produce in `NNN.json` beside it. A
//! mismatch leaves `NNN.failed`; `UPDATE_GOLDEN=1` rewrites the goldens.

use std::path::Path;

use mailstore::{Mailstore, Query, SortColumn};
use testkit::{TempUser, golden};

#[test]
fn eml_fixtures_match_golden_json() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/eml");
    // Other crates keep their own fixtures (and goldens) beside these.
    let files: Vec<_> = ["rfc", "thirdparty", "malformed"]
        .iter()
        .flat_map(|d| golden::files_with_extension(&root.join(d), "eml"))
        .collect();
    assert!(
        files.len() >= 15,
        "fixture corpus is missing or empty: {}",
        root.display()
    );
    let t = TempUser::new();
    let s = Mailstore::open(t.path()).unwrap();
    let mut failures = Vec::new();
    for path in &files {
        let raw = std::fs::read(path).unwrap();
        let uid = s.deliver("INBOX", &raw).unwrap();
        assert_eq!(
            s.raw("INBOX", uid).unwrap().unwrap(),
            raw,
            "{}",
            path.display()
        );
        let m = s.summary("INBOX", uid).unwrap().unwrap();
        let actual = serde_json::json!({
            "from_name": m.from_name,
            "from_addr": m.from_addr,
            "to": m.to,
            "cc": m.cc,
            "subject": m.subject,
            "date": m.date,
            "message_id": m.message_id,
            "size": m.size,
            "vsize": m.vsize,
            "has_attachment": m.has_attachment,
            "priority": m.priority,
            "mdn_to": m.mdn_to,
            "snippet": m.snippet,
        });
        if let Err(e) = golden::check_json(&path.with_extension("json"), &actual) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every fixture is indexed and listable, malformed ones included.
    let page = s.list("INBOX", SortColumn::Subject, false, 0, 100).unwrap();
    assert_eq!(page.total as usize, files.len());
    let hits = |q: &str| {
        s.search(&Query::parse(q).unwrap(), SortColumn::Date, true, 0, 10)
            .unwrap()
            .total
    };
    assert_eq!(
        hits("body:vertraulich"),
        1,
        "windows-1252 quoted-printable body"
    );
    assert_eq!(hits("body:Привет"), 1, "koi8-r 8bit body");
    assert_eq!(hits("from:Jürgen"), 1);
    assert_eq!(hits("subject:vorläufig"), 1);
    assert_eq!(hits("subject:日本語"), 1, "iso-2022-jp encoded word");
    assert_eq!(
        hits("subject:日本"),
        1,
        "two characters: no trigram, still found"
    );
    assert_eq!(hits("from:JÜ"), 1, "short and non-ASCII upper case");
}
