//! Time to load `en_US` and to check 2 KB of mail text. Reports figures only;
//! skipped (with a notice) when the system has no `en_US` dictionary.

use std::path::Path;
use std::sync::OnceLock;

use spell::{CheckOptions, DEFAULT_DIR, Speller};

fn main() {
    if en_us_files().is_none() {
        eprintln!("spell bench: no en_US dictionary in {DEFAULT_DIR}; nothing to measure");
        return;
    }
    divan::main();
}

fn en_us_files() -> Option<(std::path::PathBuf, std::path::PathBuf)> {
    let dir = Path::new(DEFAULT_DIR);
    let (aff, dic) = (dir.join("en_US.aff"), dir.join("en_US.dic"));
    (aff.is_file() && dic.is_file()).then_some((aff, dic))
}

fn en_us() -> &'static Speller {
    static SPELLER: OnceLock<Speller> = OnceLock::new();
    SPELLER.get_or_init(|| {
        let (aff, dic) = en_us_files().expect("checked in main");
        Speller::from_files("en_US", &aff, &dic).expect("en_US loads")
    })
}

/// About 2 KB of ordinary mail: prose, a quoted reply, a URL, an address and
/// a handful of typos, some repeated.
fn mail_text() -> String {
    let paragraph = "Hi Anna,\n\nThanks for the update on the quarterly report. I recieve the \
        figures from finance tomorrow and will send teh summary before the meeting. \
        Could you check whether the attached spreadsheet matches what we agreed last week? \
        The link is https://intranet.example.com/reports/q3 and questions can go to \
        finance@example.com.\n\n> On Monday you wrote:\n> Please send the numbers soon.\n\n\
        It's a busy week, but we shouldn't miss the deadline. Definately let me know if \
        anything is unclear.\n\nBest regards,\nTom\n\n";
    let mut text = String::new();
    while text.len() < 2048 {
        text.push_str(paragraph);
    }
    text.truncate(text[..2048].rfind(' ').unwrap_or(2048));
    text
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn load_en_us() -> Speller {
    let (aff, dic) = en_us_files().expect("checked in main");
    Speller::from_files("en_US", &aff, &dic).expect("en_US loads")
}

#[divan::bench(sample_count = 20, sample_size = 1)]
fn check_2kb_mail(bencher: divan::Bencher<'_, '_>) {
    let speller = en_us();
    let text = mail_text();
    let options = CheckOptions::default();
    bencher.bench(|| speller.check_with(divan::black_box(&text), &options));
}

#[divan::bench(sample_count = 20, sample_size = 1)]
fn check_2kb_mail_without_suggestions(bencher: divan::Bencher<'_, '_>) {
    let speller = en_us();
    let text = mail_text();
    let options = CheckOptions {
        max_suggested_words: 0,
        ..CheckOptions::default()
    };
    bencher.bench(|| speller.check_with(divan::black_box(&text), &options));
}

/// The worst case the limits allow: about 2 KB of distinct made-up words, so
/// every word is misspelled and most need the slow n-gram search.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn check_2kb_made_up_words(bencher: divan::Bencher<'_, '_>) {
    let speller = en_us();
    let mut state: u32 = 12345;
    let mut text = String::new();
    while text.len() < 2048 {
        for _ in 0..7 {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            text.push(char::from(b'a' + ((state >> 16) % 26) as u8));
        }
        text.push(' ');
    }
    let options = CheckOptions::default();
    bencher.bench(|| speller.check_with(divan::black_box(&text), &options));
}
