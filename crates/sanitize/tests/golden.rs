//! Real-world HTML mail in `testdata/html/NNN.html`, sanitised, must equal
//! `NNN.out.html`. A mismatch writes `NNN.failed`; `UPDATE_GOLDEN=1`
//! rewrites the golden files.

use std::fs;
use std::path::{Path, PathBuf};

use sanitize::{Policy, audit, email_html};

#[test]
fn golden_html() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/html");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let mut inputs: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("testdata/html")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "html")
                && !p.to_string_lossy().ends_with(".out.html")
        })
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "empty corpus");
    let policy = Policy::new().cid_url(|cid| Some(format!("/part/{cid}")));
    let mut failed = Vec::new();
    for input in &inputs {
        let html = fs::read_to_string(input).expect("read");
        let out = email_html(&html, &policy);
        assert!(audit::violations(&out.html, false).is_empty(), "{input:?}");
        let got = format!(
            "<!-- blocked_images={} has_remote_content={} cid_refs={:?} -->\n{}\n",
            out.blocked_images, out.has_remote_content, out.cid_refs, out.html
        );
        let golden = input.with_extension("out.html");
        let failed_path = input.with_extension("failed");
        if update {
            fs::write(&golden, &got).expect("write golden");
            let _ = fs::remove_file(&failed_path);
        } else if fs::read_to_string(&golden).ok().as_deref() == Some(got.as_str()) {
            let _ = fs::remove_file(&failed_path);
        } else {
            fs::write(&failed_path, &got).expect("write .failed");
            failed.push(input.display().to_string());
        }
    }
    assert!(
        failed.is_empty(),
        "golden mismatch for {failed:?}; see the .failed files"
    );
}
