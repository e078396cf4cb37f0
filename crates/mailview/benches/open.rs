//! Opening messages built to make the reader work: 10,000 inline `cid:`
//! images in 1.9 MB (it took 248 s of CPU when each part re-parsed the
//! message). Reports figures, asserts nothing about time.
//!
//! ```text
//! cargo bench -p mailview --bench open
//! ```
//!
//! `parse_only` is mail-parser alone on the same bytes: the floor the
//! reader is measured against, in the same run.

use divan::Bencher;
use mailview::{InlinePart, ViewOptions, view};

fn main() {
    divan::main();
}

/// The part URL the server builds: images inlined as `data:` URLs.
fn options() -> ViewOptions {
    ViewOptions {
        allow_remote_images: false,
        part_url: Box::new(|p: &InlinePart<'_>| format!("data:image/png;base64,{}", p.bytes.len())),
    }
}

#[divan::bench(args = [1_000, 3_000, 10_000])]
fn open_cid_images(bencher: Bencher<'_, '_>, n: usize) {
    let raw = mailview_testdata::many_cid_images(n);
    let options = options();
    bencher.bench_local(|| view(divan::black_box(&raw), &options));
}

#[divan::bench(args = [1_000, 3_000, 10_000])]
fn parse_only(bencher: Bencher<'_, '_>, n: usize) {
    let raw = mailview_testdata::many_cid_images(n);
    bencher.bench_local(|| {
        mail_parser::MessageParser::default()
            .parse(divan::black_box(&raw[..]))
            .map(|m| m.parts.len())
    });
}

mod mailview_testdata {
    include!("../tests/common/many_parts.rs");
}
