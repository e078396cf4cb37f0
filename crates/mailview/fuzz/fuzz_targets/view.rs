//! Raw bytes → `view()`, `attachment()` for a few part numbers and for every
//! listed attachment, and `nested_path()` through attached messages. Nothing
//! may panic, whatever the input.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mailview::{MAX_NESTING, ViewOptions, attachment, nested_path, view};

fuzz_target!(|data: &[u8]| {
    let options = ViewOptions::default();
    let v = view(data, &options);
    for a in &v.attachments {
        if let Some(p) = attachment(data, a.part) {
            let _ = mailview::safe_content_type(&p.content_type);
        }
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
});
