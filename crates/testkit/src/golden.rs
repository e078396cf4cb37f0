//! Golden-file assertions: compare output with a file stored beside the
//! input, and leave `NAME.failed` with the actual output on a mismatch.

use std::fs;
use std::path::{Path, PathBuf};

/// Compares `actual` with the JSON in `golden`. On a mismatch writes
/// `golden` with extension `.failed` and returns an error describing it.
/// With `UPDATE_GOLDEN=1` in the environment, (re)writes the golden file.
pub fn check_json(golden: &Path, actual: &serde_json::Value) -> Result<(), String> {
    let pretty = serde_json::to_string_pretty(actual).expect("serialise") + "\n";
    let failed = golden.with_extension("failed");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        fs::write(golden, &pretty).map_err(|e| format!("{}: {e}", golden.display()))?;
        let _ = fs::remove_file(&failed);
        return Ok(());
    }
    let expected = fs::read_to_string(golden).unwrap_or_default();
    let expected_value: Option<serde_json::Value> = serde_json::from_str(&expected).ok();
    if expected_value.as_ref() == Some(actual) {
        let _ = fs::remove_file(&failed);
        Ok(())
    } else {
        fs::write(&failed, &pretty).map_err(|e| format!("{}: {e}", failed.display()))?;
        Err(format!(
            "{} differs from golden; actual output written to {}",
            golden.display(),
            failed.display()
        ))
    }
}

/// Files under `dir` (recursively) with the extension `ext`, sorted.
pub fn files_with_extension(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == ext) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
