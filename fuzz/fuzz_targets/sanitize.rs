//! Any text as received HTML and as HTML from the editor: nothing may panic,
//! and the output must pass the sanitizer's independent audit (inert: no
//! script, no handler, nothing fetched that the policy did not allow).

#![no_main]

use libfuzzer_sys::fuzz_target;
use sanitize::{Policy, audit, compose_html, email_html, estimated_height, html_to_text};

fuzz_target!(|data: &[u8]| {
    let html = String::from_utf8_lossy(data);
    for allow in [false, true] {
        let policy = Policy::new()
            .allow_remote_images(allow)
            .cid_url(|cid| Some(format!("data:image/png;base64,{}", cid.len())));
        let out = email_html(&html, &policy);
        let found = audit::violations(&out.html, allow);
        assert!(found.is_empty(), "email_html output not inert: {found:?}\n{}", out.html);
        let _ = estimated_height(&out.html);
    }
    let composed = compose_html(&html);
    let found = audit::violations(&composed, false);
    assert!(found.is_empty(), "compose_html output not inert: {found:?}\n{composed}");
    let _ = html_to_text(&html);
    let _ = sanitize::text_to_html(&html);
});
