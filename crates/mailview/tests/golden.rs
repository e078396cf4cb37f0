//! Golden files: every `testdata/eml/mailview/NNN.eml` must produce the
//! `MessageView` stored in `NNN.json`. A mismatch writes `NNN.failed` beside
//! it; `UPDATE_GOLDEN=1` rewrites the golden files instead.

use std::fs;
use std::path::{Path, PathBuf};

use mailview::{ViewOptions, view};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/eml/mailview")
}

fn options() -> ViewOptions {
    ViewOptions {
        allow_remote_images: false,
        part_url: Box::new(|p| format!("/part/{}", p.part)),
    }
}

#[test]
fn golden_views() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let mut emls: Vec<PathBuf> = fs::read_dir(corpus_dir())
        .expect("corpus directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    emls.sort();
    assert!(emls.len() >= 15, "corpus too small: {}", emls.len());
    let mut failed = Vec::new();
    for eml in &emls {
        let raw = fs::read(eml).expect("read eml");
        let got = serde_json::to_string_pretty(&view(&raw, &options())).expect("serialize") + "\n";
        let golden = eml.with_extension("json");
        let failed_path = eml.with_extension("failed");
        if update {
            fs::write(&golden, &got).expect("write golden");
            let _ = fs::remove_file(&failed_path);
            continue;
        }
        match fs::read_to_string(&golden) {
            Ok(want) if want == got => {
                let _ = fs::remove_file(&failed_path);
            }
            _ => {
                fs::write(&failed_path, &got).expect("write .failed");
                failed.push(eml.display().to_string());
            }
        }
    }
    assert!(
        failed.is_empty(),
        "output differs from the golden file for {failed:?}; see the .failed files \
         (rerun with UPDATE_GOLDEN=1 to accept)"
    );
}
