//! Server-side spell checking with Hunspell dictionaries.
//!
//! The compose form sends its text to the server, which answers with the
//! misspelled words, their byte offsets and a few suggestions
//! ([`model::compose::Misspelling`]). Checking happens on the server so the
//! browser bundle stays small and works without JavaScript (the basic
//! interface posts the form and gets the list back).
//!
//! Key decisions:
//!
//! - **Dictionaries are the system's Hunspell files**, read by the pure-Rust
//!   [`spellbook`] crate: on Debian, `apt install hunspell-en-us` puts
//!   `en_US.aff` and `en_US.dic` in [`DEFAULT_DIR`]. [`Dictionaries::open`]
//!   lists the `<lang>.aff` + `<lang>.dic` pairs of a directory; a language is
//!   only ever looked up among those names, so no path from the browser
//!   reaches the file system.
//! - **Load once, share everywhere.** Parsing `en_US` takes a noticeable
//!   fraction of a second, so each dictionary is loaded on first use, kept in
//!   an [`Arc`](std::sync::Arc) and shared by all requests. Concurrent first
//!   requests for the same language wait for one load; other languages are not
//!   blocked. A failed load is not cached: fixing the files fixes the next
//!   request without a restart.
//! - **Tokenizing is mail-aware** (see [`CheckOptions`]): URLs, e-mail
//!   addresses, file names and paths, words with digits or underscores,
//!   camelCase identifiers, ALL-CAPS acronyms and quoted-reply lines (`> …`)
//!   are skipped; `don't` and `it’s` are one word; hyphenated words are
//!   accepted whole or else checked part by part; letters are Unicode letters.
//! - **Plain text is the contract.** [`Speller::check`] takes plain text and
//!   reports byte offsets into exactly that text. A caller with HTML can
//!   either send the text it extracted (offsets then point into that text) or
//!   use [`Speller::check_html`], which skips markup, entities, `<script>`,
//!   `<style>`, `<code>` and (optionally) `<blockquote>` and reports offsets
//!   into the HTML source.
//! - **Bounded work per request.** Texts over [`MAX_TEXT_BYTES`] are refused
//!   with [`Error::TextTooLong`] (the caller decides whether to truncate);
//!   words over [`MAX_WORD_CHARS`] characters are skipped; suggestions are
//!   computed once per distinct word and only for the first
//!   [`CheckOptions::max_suggested_words`] of them, because suggesting is the
//!   expensive part. The slow n-gram search runs only when the quick edits
//!   find nothing, and for at most [`CheckOptions::max_ngram_words`] words.
//! - **Broken input is an error, never a panic**: unreadable, wrongly encoded
//!   or malformed dictionaries become [`Error`] values naming the file, and a
//!   panic inside the checker is caught and reported as [`Error::Checker`].

//!
//! ```
//! use std::path::Path;
//!
//! // In the server: `Dictionaries::open_default()`, once, in the state.
//! let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/tiny");
//! let dicts = spell::Dictionaries::open(&dir)?;
//! assert_eq!(dicts.languages(), ["en_TINY"]);
//!
//! let found = dicts.check("en_TINY", "Thanks, I recieve teh mail.")?;
//! let words: Vec<_> = found.iter().map(|m| m.word.as_str()).collect();
//! assert_eq!(words, ["recieve", "teh"]);
//! assert_eq!((found[0].start, found[0].end), (10, 17));
//! assert!(found[0].suggestions.contains(&"receive".to_string()));
//! # Ok::<(), spell::Error>(())
//! ```

#![deny(missing_docs)]

mod dictionaries;
mod html;
mod speller;
mod tokenize;

use std::path::PathBuf;

pub use dictionaries::{DEFAULT_DIR, Dictionaries};
pub use model::compose::Misspelling;
pub use speller::Speller;

/// The longest text, in bytes, that one check accepts (100 KiB).
///
/// A mail body longer than this is refused with [`Error::TextTooLong`]
/// rather than silently truncated, so the caller can say so to the user or
/// check the first part deliberately.
pub const MAX_TEXT_BYTES: usize = 100 * 1024;

/// Words longer than this many characters are not checked (they are hashes,
/// tokens or pasted garbage, not words).
pub const MAX_WORD_CHARS: usize = 64;

/// What a check skips and how much it reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckOptions {
    /// Skip words written entirely in capitals with two or more letters
    /// (`NASA`, `HTML`). Default: true.
    pub skip_all_caps: bool,
    /// Skip quoted reply text: lines whose first non-blank character is `>`
    /// in plain text, and `<blockquote>` elements in HTML. Default: true.
    pub skip_quoted: bool,
    /// Suggestions per misspelled word, best first. Default: 5.
    pub max_suggestions: usize,
    /// How many distinct misspelled words get suggestions; later ones are
    /// still reported, with none. Suggesting costs about a millisecond per
    /// word on `en_US`, so this bounds the time of a check. Default: 50.
    pub max_suggested_words: usize,
    /// How many of those may fall back to the n-gram similarity search when
    /// the quick edits find nothing. That search costs 15–70 ms per word on
    /// `en_US`; after this many, such words get no suggestions. Default: 10.
    pub max_ngram_words: usize,
    /// Stop after this many misspellings. Default: 500.
    pub max_misspellings: usize,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            skip_all_caps: true,
            skip_quoted: true,
            max_suggestions: 5,
            max_suggested_words: 50,
            max_ngram_words: 10,
            max_misspellings: 500,
        }
    }
}

/// Everything that can go wrong while opening dictionaries or checking text.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The dictionary directory could not be listed.
    #[error("cannot read the dictionary directory {}: {source}", dir.display())]
    Directory {
        /// The directory given to [`Dictionaries::open`].
        dir: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// No `<lang>.aff` + `<lang>.dic` pair exists for the language asked for.
    #[error(
        "no dictionary for language {lang:?}; available: {}",
        if available.is_empty() { "none".to_string() } else { available.join(", ") }
    )]
    UnknownLanguage {
        /// The language asked for.
        lang: String,
        /// The languages that are available, sorted.
        available: Vec<String>,
    },
    /// A dictionary file could not be read.
    #[error("cannot read the dictionary file {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A dictionary file is not valid text in the encoding its `.aff`
    /// declares (`SET`), or that encoding is unknown.
    #[error("dictionary {lang}: {file} is not valid {encoding} text")]
    Encoding {
        /// The language.
        lang: String,
        /// `<lang>.aff` or `<lang>.dic`.
        file: String,
        /// The encoding from the `SET` line (UTF-8 when there is none).
        encoding: String,
    },
    /// A dictionary file is malformed.
    #[error(
        "dictionary {lang}: {file}{}: {message}",
        line.map(|n| format!(" line {n}")).unwrap_or_default()
    )]
    Parse {
        /// The language.
        lang: String,
        /// `<lang>.aff` or `<lang>.dic`.
        file: String,
        /// The 1-based line, when known.
        line: Option<usize>,
        /// What is wrong, as the parser put it.
        message: String,
    },
    /// The text is longer than [`MAX_TEXT_BYTES`].
    #[error("the text is {len} bytes long; at most {max} bytes can be spell checked at once")]
    TextTooLong {
        /// The text's length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The checker itself failed (a caught panic in the dictionary code).
    #[error("the spell checker failed ({context})")]
    Checker {
        /// What it was doing.
        context: String,
    },
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
