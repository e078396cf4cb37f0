//! Spell checking against a hand-written dictionary (always) and the
//! system's `en_US` (when installed; required when
//! `WEBMAIL_REQUIRE_HUNSPELL=1`). `WEBMAIL_HUNSPELL_DIR` points the `en_US`
//! tests at another directory than Debian's `/usr/share/hunspell`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use spell::{CheckOptions, Dictionaries, Error, MAX_TEXT_BYTES, Misspelling, Speller};

fn testdata(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(dir)
}

/// The tiny dictionary, loaded once for the whole test binary.
fn tiny() -> Arc<Speller> {
    static DICTS: OnceLock<Dictionaries> = OnceLock::new();
    DICTS
        .get_or_init(|| Dictionaries::open(&testdata("tiny")).expect("testdata/tiny opens"))
        .speller("en_TINY")
        .expect("en_TINY loads")
}

/// The system's dictionary directory: `WEBMAIL_HUNSPELL_DIR`, else Debian's.
fn hunspell_dir() -> PathBuf {
    std::env::var_os("WEBMAIL_HUNSPELL_DIR")
        .map_or_else(|| PathBuf::from(spell::DEFAULT_DIR), PathBuf::from)
}

/// The system's en_US, loaded once; `None` (with a notice) when not
/// installed, unless `WEBMAIL_REQUIRE_HUNSPELL=1` makes its absence a
/// failure.
fn en_us() -> Option<Arc<Speller>> {
    static DICTS: OnceLock<Option<Dictionaries>> = OnceLock::new();
    let dicts = DICTS.get_or_init(|| {
        Dictionaries::open(&hunspell_dir())
            .ok()
            .filter(|d| d.has_language("en_US"))
    });
    match dicts {
        Some(d) => Some(d.speller("en_US").expect("en_US loads")),
        None if std::env::var("WEBMAIL_REQUIRE_HUNSPELL").as_deref() == Ok("1") => {
            panic!(
                "WEBMAIL_REQUIRE_HUNSPELL=1 but {}/en_US.{{aff,dic}} is missing \
                 (apt install hunspell-en-us)",
                hunspell_dir().display()
            )
        }
        None => {
            eprintln!(
                "notice: skipping an en_US test: no en_US dictionary in {} \
                 (apt install hunspell-en-us, or set WEBMAIL_REQUIRE_HUNSPELL=1 to fail)",
                hunspell_dir().display()
            );
            None
        }
    }
}

/// (text, misspelled words in order, (word, a suggestion that must be offered)).
type CheckCase = (
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

/// (name, .aff bytes, .dic bytes, whether the error is the expected one).
type BrokenCase<'a> = (&'a str, &'a [u8], &'a [u8], fn(&Error) -> bool);

fn words(found: &[Misspelling]) -> Vec<&str> {
    found.iter().map(|m| m.word.as_str()).collect()
}

/// Every reported range slices exactly the reported word out of the text.
fn assert_offsets(text: &str, found: &[Misspelling]) {
    for m in found {
        assert_eq!(
            text.get(m.start..m.end),
            Some(m.word.as_str()),
            "offsets of {m:?} in {text:?}"
        );
    }
}

#[test]
fn tiny_dictionary_finds_misspellings_with_suggestions() {
    let speller = tiny();
    let cases: &[CheckCase] = &[
        ("hello world", &[], &[]),
        ("helo world", &["helo"], &[("helo", "hello")]),
        ("I recieve mail", &["recieve"], &[("recieve", "receive")]),
        ("Thanks, teh messages", &["teh"], &[("teh", "the")]),
        ("don't it's don’t it’s", &[], &[]),
        ("dont", &["dont"], &[("dont", "don't")]),
        ("don’tt", &["don’tt"], &[("don’tt", "don’t")]),
        ("café über naïve", &[], &[]),
        (
            "cafe uber",
            &["cafe", "uber"],
            &[("cafe", "café"), ("uber", "über")],
        ),
        ("well-known", &[], &[]),
        ("well-knwon words", &["knwon"], &[("knwon", "known")]),
        ("replies dogs tests", &[], &[]),
        (
            "wrold wrold wrold",
            &["wrold", "wrold", "wrold"],
            &[("wrold", "world")],
        ),
        ("The quikc brown fox", &["quikc"], &[("quikc", "quick")]),
        ("hello NASA HTTP", &[], &[]),
        ("> quoted tpyo\nhello", &[], &[]),
        ("see https://exmaple.com/helo or bob@exmaple.com", &[], &[]),
        ("abc123 xyz_abc getElementById", &[], &[]),
        (
            "hello\u{0}wrold\u{7}world\u{1b}[0m",
            &["wrold"],
            &[("wrold", "world")],
        ),
        ("", &[], &[]),
    ];
    for (text, expected, suggested) in cases {
        let found = speller.check(text).expect("checks");
        assert_eq!(&words(&found), expected, "text {text:?}");
        assert_offsets(text, &found);
        for (word, suggestion) in *suggested {
            let m = found.iter().find(|m| m.word == *word).expect("reported");
            assert!(
                m.suggestions.iter().any(|s| s == suggestion),
                "{suggestion:?} not among {:?} for {word:?}",
                m.suggestions
            );
            assert!(m.suggestions.len() <= CheckOptions::default().max_suggestions);
        }
    }
}

#[test]
fn options_switch_quoted_text_and_capitals_back_on() {
    let speller = tiny();
    let options = CheckOptions {
        skip_quoted: false,
        skip_all_caps: false,
        ..CheckOptions::default()
    };
    let text = "> quoted tpyo\nhello WROLD";
    let found = speller.check_with(text, &options).expect("checks");
    assert_eq!(words(&found), ["quoted", "tpyo", "WROLD"]);
    assert_offsets(text, &found);
}

#[test]
fn limits_suggestions_and_misspellings() {
    let speller = tiny();
    let text = "helo wrold tpyo helo";
    let options = CheckOptions {
        max_suggested_words: 1,
        max_suggestions: 1,
        ..CheckOptions::default()
    };
    let found = speller.check_with(text, &options).expect("checks");
    assert_eq!(words(&found), ["helo", "wrold", "tpyo", "helo"]);
    assert_eq!(found[0].suggestions, ["hello"]);
    assert!(found[1].suggestions.is_empty() && found[2].suggestions.is_empty());
    // A repeated word reuses its suggestions.
    assert_eq!(found[3].suggestions, ["hello"]);

    let options = CheckOptions {
        max_misspellings: 2,
        ..CheckOptions::default()
    };
    let found = speller.check_with(text, &options).expect("checks");
    assert_eq!(words(&found), ["helo", "wrold"]);
}

#[test]
fn ngram_search_is_a_bounded_fallback() {
    let speller = tiny();
    // Too far from "receive" for the quick edits; the n-gram search finds it.
    let text = "recievve recievve";
    let found = speller.check(text).expect("checks");
    assert!(
        found[0].suggestions.iter().any(|s| s == "receive"),
        "{found:?}"
    );
    assert_eq!(found[0].suggestions, found[1].suggestions);
    let options = CheckOptions {
        max_ngram_words: 0,
        ..CheckOptions::default()
    };
    let found = speller.check_with(text, &options).expect("checks");
    assert_eq!(words(&found), ["recievve", "recievve"]);
    assert!(found.iter().all(|m| m.suggestions.is_empty()), "{found:?}");
    // Quick edits are not limited by it.
    let found = speller.check_with("helo", &options).expect("checks");
    assert_eq!(found[0].suggestions, ["hello"]);
}

#[test]
fn offsets_are_byte_offsets_into_the_text() {
    let speller = tiny();
    let text = "über café\r\nnaïve wröld";
    let found = speller.check(text).expect("checks");
    assert_eq!(words(&found), ["wröld"]);
    assert_eq!((found[0].start, found[0].end), (20, 26));
}

#[test]
fn overlong_words_are_skipped() {
    let speller = tiny();
    let long = "x".repeat(spell::MAX_WORD_CHARS + 1);
    let text = format!("{long} helo");
    let found = speller.check(&text).expect("checks");
    assert_eq!(words(&found), ["helo"]);
}

#[test]
fn text_over_the_limit_is_refused() {
    let speller = tiny();
    let at_limit = "hello ".repeat(MAX_TEXT_BYTES / 6);
    assert!(at_limit.len() <= MAX_TEXT_BYTES);
    assert_eq!(speller.check(&at_limit).expect("checks"), []);
    let over = "a".repeat(MAX_TEXT_BYTES + 1);
    for result in [
        speller.check(&over),
        speller.check_html(&over, &CheckOptions::default()),
    ] {
        match result {
            Err(e @ Error::TextTooLong { len, max }) => {
                assert_eq!((len, max), (MAX_TEXT_BYTES + 1, MAX_TEXT_BYTES));
                assert!(e.to_string().contains("at most 102400 bytes"), "{e}");
            }
            other => panic!("expected TextTooLong, got {other:?}"),
        }
    }
}

#[test]
fn checks_html_with_offsets_into_the_source() {
    let speller = tiny();
    let options = CheckOptions::default();
    let cases: &[(&str, &[&str])] = &[
        ("<p>hello <b>wrold</b></p>", &["wrold"]),
        ("<p style=\"colr: red\">hello</p>", &[]),
        ("hello&nbsp;world &amp; tpyo", &["tpyo"]),
        ("<div>hello</div><blockquote>old tpyo</blockquote>", &[]),
        ("<code>fn mian()</code> <script>var helo</script>", &[]),
        (
            "<!-- helo -->hello <a href=\"https://x.y/helo\">world</a>",
            &[],
        ),
        ("caf\u{e9} <i>wr\u{f6}ld</i>", &["wr\u{f6}ld"]),
    ];
    for (html, expected) in cases {
        let found = speller.check_html(html, &options).expect("checks");
        assert_eq!(&words(&found), expected, "html {html:?}");
        assert_offsets(html, &found);
    }
}

#[test]
fn dictionaries_list_languages_and_load_once() {
    let dicts = Arc::new(Dictionaries::open(&testdata("tiny")).expect("opens"));
    assert_eq!(dicts.languages(), ["en_TINY"]);
    assert!(dicts.has_language("en_TINY") && !dicts.is_loaded("en_TINY"));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let dicts = Arc::clone(&dicts);
            std::thread::spawn(move || dicts.speller("en_TINY").expect("loads"))
        })
        .collect();
    let spellers: Vec<Arc<Speller>> = threads
        .into_iter()
        .map(|t| t.join().expect("thread"))
        .collect();
    assert!(dicts.is_loaded("en_TINY"));
    assert!(spellers.iter().all(|s| Arc::ptr_eq(s, &spellers[0])));
    assert_eq!(spellers[0].language(), "en_TINY");
    let found = dicts.check("en_TINY", "helo").expect("checks");
    assert_eq!(words(&found), ["helo"]);
}

#[test]
fn unknown_language_names_the_available_ones() {
    let dicts = Dictionaries::open(&testdata("tiny")).expect("opens");
    let err = dicts.check("fr_FR", "bonjour").expect_err("unknown");
    assert!(matches!(&err, Error::UnknownLanguage { lang, available }
        if lang == "fr_FR" && available == &["en_TINY"]));
    assert_eq!(
        err.to_string(),
        "no dictionary for language \"fr_FR\"; available: en_TINY"
    );
    // A path is just an unknown name.
    assert!(matches!(
        dicts.speller("../tiny/en_TINY"),
        Err(Error::UnknownLanguage { .. })
    ));
}

#[test]
fn empty_and_missing_directories() {
    let empty = tempfile::tempdir().expect("tempdir");
    // Half a pair is not a language.
    std::fs::write(empty.path().join("xx_XX.aff"), "SET UTF-8\n").expect("write");
    std::fs::write(empty.path().join("yy_YY.dic"), "1\nword\n").expect("write");
    let dicts = Dictionaries::open(empty.path()).expect("opens");
    assert!(dicts.languages().is_empty());
    let err = dicts.check("en_US", "hello").expect_err("no languages");
    assert_eq!(
        err.to_string(),
        "no dictionary for language \"en_US\"; available: none"
    );

    let missing = empty.path().join("nope");
    let err = Dictionaries::open(&missing).expect_err("missing dir");
    assert!(matches!(&err, Error::Directory { dir, .. } if dir == &missing));
    assert!(err.to_string().contains("nope"), "{err}");
}

#[test]
fn broken_dictionaries_are_errors_not_panics() {
    let aff = std::fs::read(testdata("tiny/en_TINY.aff")).expect("aff");
    let dic = std::fs::read(testdata("tiny/en_TINY.dic")).expect("dic");
    let truncated_aff = &aff[..aff.len() - 30];
    let cases: &[BrokenCase<'_>] = &[
        (
            "truncated aff",
            truncated_aff,
            &dic,
            |e| matches!(e, Error::Parse { file, .. } if file == "xx_XX.aff"),
        ),
        (
            "unknown flag type",
            b"FLAG bogus\n",
            &dic,
            |e| matches!(e, Error::Parse { file, line: Some(1), .. } if file == "xx_XX.aff"),
        ),
        ("garbage aff bytes", b"\xff\xfe\x00garbage\x80", &dic, |e| {
            matches!(e, Error::Encoding { file, encoding, .. }
                if file == "xx_XX.aff" && encoding == "UTF-8")
        }),
        (
            "garbage dic bytes",
            &aff,
            b"2\nok\n\xc3\x28\n",
            |e| matches!(e, Error::Encoding { file, .. } if file == "xx_XX.dic"),
        ),
        (
            "unknown encoding",
            b"SET X-NO-SUCH-CHARSET\n",
            b"1\nok\n",
            |e| matches!(e, Error::Encoding { encoding, .. } if encoding == "X-NO-SUCH-CHARSET"),
        ),
        (
            "dic without a word count",
            &aff,
            b"hello\nworld\n",
            |e| matches!(e, Error::Parse { file, line: Some(1), .. } if file == "xx_XX.dic"),
        ),
        (
            "empty dic",
            &aff,
            b"",
            |e| matches!(e, Error::Parse { file, .. } if file == "xx_XX.dic"),
        ),
        (
            "numeric flags that are not numbers",
            b"FLAG num\n",
            b"1\nhello/abc\n",
            |e| matches!(e, Error::Parse { file, line: Some(2), .. } if file == "xx_XX.dic"),
        ),
    ];
    for (name, aff, dic, expected) in cases {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("xx_XX.aff"), aff).expect("write");
        std::fs::write(dir.path().join("xx_XX.dic"), dic).expect("write");
        let dicts = Dictionaries::open(dir.path()).expect("opens");
        match dicts.speller("xx_XX") {
            Err(e) => {
                assert!(expected(&e), "{name}: unexpected error {e:?}");
                assert!(e.to_string().contains("xx_XX"), "{name}: {e}");
            }
            Ok(_) => panic!("{name}: loaded a broken dictionary"),
        }
        // Not cached: still an error, still no panic.
        assert!(dicts.speller("xx_XX").is_err(), "{name}");
        assert!(!dicts.is_loaded("xx_XX"), "{name}");
    }
}

#[cfg(unix)]
#[test]
fn unreadable_dictionary_is_a_read_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("xx_XX.aff"), "SET UTF-8\n").expect("write");
    // A directory named like the .dic passes `is_file` false, so make the
    // pair real and then remove the .dic after listing.
    std::fs::write(dir.path().join("xx_XX.dic"), "1\nok\n").expect("write");
    let dicts = Dictionaries::open(dir.path()).expect("opens");
    std::fs::remove_file(dir.path().join("xx_XX.dic")).expect("remove");
    let err = dicts.speller("xx_XX").expect_err("unreadable");
    assert!(
        matches!(&err, Error::Read { path, .. } if path.ends_with("xx_XX.dic")),
        "{err:?}"
    );
    assert!(err.to_string().contains("xx_XX.dic"), "{err}");
}

#[test]
fn latin1_dictionaries_are_decoded() {
    let dicts = Dictionaries::open(&testdata("latin1")).expect("opens");
    let found = dicts
        .check("de_TINY", "Grüße Straße Strasse")
        .expect("checks");
    assert_eq!(words(&found), ["Strasse"]);
    assert!(
        found[0].suggestions.iter().any(|s| s == "Straße"),
        "{found:?}"
    );
}

#[test]
fn en_us_finds_common_typos() {
    let Some(speller) = en_us() else { return };
    let cases: &[(&str, &str)] = &[
        ("recieve", "receive"),
        ("teh", "the"),
        ("definately", "definitely"),
        ("seperate", "separate"),
        ("occured", "occurred"),
        ("accomodate", "accommodate"),
        ("wierd", "weird"),
        ("untill", "until"),
        ("adress", "address"),
        ("Teh", "The"),
        ("dont", "don't"),
    ];
    for (typo, correction) in cases {
        let text = format!("Yes, {typo} it.");
        let found = speller.check(&text).expect("checks");
        assert_eq!(words(&found), [*typo], "text {text:?}");
        assert_offsets(&text, &found);
        assert!(
            found[0].suggestions.iter().any(|s| s == correction),
            "{correction:?} not among {:?} for {typo:?}",
            found[0].suggestions
        );
    }
}

#[test]
fn en_us_accepts_ordinary_mail() {
    let Some(speller) = en_us() else { return };
    let cases: &[&str] = &[
        "Hi Anna,\n\nThanks for the update. I don't think it's late; we'll send it today.",
        "It’s a well-known, state-of-the-art e-mail client.",
        "The cafe's naive resume.",
        "See https://example.com/recieve and write to teh@example.com.",
        "> I recieve teh mail\nFine by me.",
        "Ask NASA or the FBI about the 3rd item, v2.1 and x86_64.",
        "Our getElementById call and report.pdf work.",
        "",
    ];
    for text in cases {
        let found = speller.check(text).expect("checks");
        assert_eq!(words(&found), Vec::<&str>::new(), "text {text:?}");
    }
}

#[test]
fn en_us_checks_hyphen_parts_and_keeps_offsets() {
    let Some(speller) = en_us() else { return };
    // Debian's en_US has no accented spellings (`naive`, not `naïve`): the
    // accented word is still one word, with its own byte offsets.
    let text = "A well-knwon, non-existant thing; naïve wierd.";
    let found = speller.check(text).expect("checks");
    assert_eq!(words(&found), ["knwon", "existant", "naïve", "wierd"]);
    assert_offsets(text, &found);
    assert!(
        found[1].suggestions.iter().any(|s| s == "existent"),
        "{found:?}"
    );
    assert!(
        found[2].suggestions.iter().any(|s| s == "naive"),
        "{found:?}"
    );
}
