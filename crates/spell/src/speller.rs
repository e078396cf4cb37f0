//! One loaded dictionary and the check of a text against it.

use std::borrow::Cow;
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use crate::tokenize::{hyphen_parts, is_hyphen, words};
use crate::{CheckOptions, Error, MAX_TEXT_BYTES, Misspelling, Result, html};

/// A parsed Hunspell dictionary for one language.
pub struct Speller {
    lang: String,
    dict: spellbook::Dictionary,
}

impl std::fmt::Debug for Speller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Speller").field("lang", &self.lang).finish()
    }
}

impl Speller {
    /// Reads and parses `aff` and `dic` for `lang`.
    pub fn from_files(lang: &str, aff: &Path, dic: &Path) -> Result<Speller> {
        let read = |path: &Path| {
            std::fs::read(path).map_err(|source| Error::Read {
                path: path.to_path_buf(),
                source,
            })
        };
        Speller::from_bytes(lang, &read(aff)?, &read(dic)?)
    }

    /// Parses the contents of a `.aff` and a `.dic` file for `lang`.
    ///
    /// Both are decoded with the encoding the `.aff` names on its `SET` line
    /// (UTF-8 when there is none), as Hunspell does.
    pub fn from_bytes(lang: &str, aff: &[u8], dic: &[u8]) -> Result<Speller> {
        let label = declared_encoding(aff);
        let encoding = encoding_rs::Encoding::for_label(hunspell_label(&label).as_bytes());
        let failed = |ext: &str| Error::Encoding {
            lang: lang.to_string(),
            file: format!("{lang}.{ext}"),
            encoding: label.clone(),
        };
        let aff_text = decode(aff, encoding).ok_or_else(|| failed("aff"))?;
        let dic_text = decode(dic, encoding).ok_or_else(|| failed("dic"))?;
        let parsed =
            catch_unwind(|| spellbook::Dictionary::new(&aff_text, &dic_text)).map_err(|_| {
                Error::Checker {
                    context: format!("parsing the {lang} dictionary"),
                }
            })?;
        let dict = parsed.map_err(|e| Error::Parse {
            lang: lang.to_string(),
            file: format!("{lang}{}", e.source),
            line: e.line_number,
            message: e.kind.to_string(),
        })?;
        Ok(Speller {
            lang: lang.to_string(),
            dict,
        })
    }

    /// The language, as its file name spells it (`"en_US"`).
    pub fn language(&self) -> &str {
        &self.lang
    }

    /// Whether a single word is spelled correctly. Curly apostrophes are
    /// accepted wherever the dictionary accepts straight ones.
    pub fn is_correct(&self, word: &str) -> bool {
        self.dict.check(word)
            || (word.contains('\u{2019}') && self.dict.check(&word.replace('\u{2019}', "'")))
    }

    /// Up to `limit` corrections for a single word, best first. When the word
    /// is written with curly apostrophes, so are the suggestions.
    ///
    /// The quick edits (swapped, missing, extra or mistyped letters, the
    /// dictionary's `REP` table …) are tried first; the n-gram similarity
    /// search, which costs tens of milliseconds per word on `en_US`, only
    /// when they find nothing.
    pub fn suggest(&self, word: &str, limit: usize) -> Vec<String> {
        self.suggest_with(word, limit, true).0
    }

    /// [`Speller::suggest`], with the n-gram fallback allowed or not; also
    /// tells whether the fallback ran.
    fn suggest_with(&self, word: &str, limit: usize, ngram_allowed: bool) -> (Vec<String>, bool) {
        let curly = word.contains('\u{2019}');
        let query: Cow<'_, str> = if curly {
            Cow::Owned(word.replace('\u{2019}', "'"))
        } else {
            Cow::Borrowed(word)
        };
        let mut found = self.candidates(&query, false);
        let ngram = found.is_empty() && ngram_allowed;
        if ngram {
            found = self.candidates(&query, true);
        }
        let mut out: Vec<String> = Vec::with_capacity(limit.min(found.len()));
        for s in found {
            if out.len() >= limit {
                break;
            }
            let s = if curly {
                s.replace('\'', "\u{2019}")
            } else {
                s
            };
            if s != word && !out.contains(&s) {
                out.push(s);
            }
        }
        (out, ngram)
    }

    fn candidates(&self, word: &str, ngram: bool) -> Vec<String> {
        let suggester = self.dict.suggester().with_ngram_suggestions(ngram);
        let mut found = Vec::new();
        // A capital at the start of a sentence should not change what the
        // word is taken for: suggest for `teh` (→ `The`) before `Teh`.
        if let Some(lower) = lowered_title_case(word) {
            suggester.suggest(&lower, &mut found);
            for s in &mut found {
                *s = upper_first(s);
            }
        }
        let mut own = Vec::new();
        suggester.suggest(word, &mut own);
        found.extend(own);
        found
    }

    /// Checks plain text with the default [`CheckOptions`].
    ///
    /// Offsets in the result are byte offsets into `text`. Give it plain
    /// text: for HTML use [`Speller::check_html`], or extract the text first
    /// and map the offsets back yourself.
    pub fn check(&self, text: &str) -> Result<Vec<Misspelling>> {
        self.check_with(text, &CheckOptions::default())
    }

    /// Checks plain text.
    ///
    /// Returns the misspelled words in text order, each with byte offsets
    /// into `text` and suggestions. A hyphenated word the dictionary does not
    /// know whole is reported part by part. Texts over [`MAX_TEXT_BYTES`]
    /// are refused with [`Error::TextTooLong`].
    pub fn check_with(&self, text: &str, options: &CheckOptions) -> Result<Vec<Misspelling>> {
        if text.len() > MAX_TEXT_BYTES {
            return Err(Error::TextTooLong {
                len: text.len(),
                max: MAX_TEXT_BYTES,
            });
        }
        let ranges = words(text, options);
        catch_unwind(AssertUnwindSafe(|| {
            self.misspellings(text, ranges, options)
        }))
        .map_err(|_| Error::Checker {
            context: format!("checking a text in {}", self.lang),
        })
    }

    /// Checks the text of an HTML fragment such as the compose editor's
    /// body.
    ///
    /// Markup, comments, character references and the contents of
    /// `<script>`, `<style>`, `<code>` and (with
    /// [`CheckOptions::skip_quoted`]) `<blockquote>` are skipped; offsets are
    /// byte offsets into `html`. Plain-text rules about `>` lines do not
    /// apply (in HTML a `>` is written `&gt;`).
    pub fn check_html(&self, html: &str, options: &CheckOptions) -> Result<Vec<Misspelling>> {
        if html.len() > MAX_TEXT_BYTES {
            return Err(Error::TextTooLong {
                len: html.len(),
                max: MAX_TEXT_BYTES,
            });
        }
        let masked = html::mask(html, options.skip_quoted);
        let mut found = self.check_with(&masked, options)?;
        // The masked text has the same words at the same offsets; take the
        // words from the original anyway so nothing depends on that.
        for m in &mut found {
            if let Some(word) = html.get(m.start..m.end) {
                m.word = word.to_string();
            }
        }
        Ok(found)
    }

    fn misspellings(
        &self,
        text: &str,
        ranges: Vec<std::ops::Range<usize>>,
        options: &CheckOptions,
    ) -> Vec<Misspelling> {
        // Mail repeats itself: judge and suggest each distinct word once.
        let mut verdicts: HashMap<&str, bool> = HashMap::new();
        let mut suggestions: HashMap<&str, Vec<String>> = HashMap::new();
        let mut ngram_words = 0;
        let mut out = Vec::new();
        let mut report = |word: &str, start: usize, out: &mut Vec<Misspelling>| {
            let word = &text[start..start + word.len()];
            let suggested = if let Some(s) = suggestions.get(word) {
                s.clone()
            } else if suggestions.len() < options.max_suggested_words {
                let ngram_allowed = ngram_words < options.max_ngram_words;
                let (s, ngram) = self.suggest_with(word, options.max_suggestions, ngram_allowed);
                ngram_words += usize::from(ngram);
                suggestions.insert(word, s.clone());
                s
            } else {
                Vec::new()
            };
            out.push(Misspelling {
                word: word.to_string(),
                start,
                end: start + word.len(),
                suggestions: suggested,
            });
        };
        for range in ranges {
            if out.len() >= options.max_misspellings {
                break;
            }
            let word = &text[range.clone()];
            if *verdicts
                .entry(word)
                .or_insert_with(|| self.is_correct(word))
            {
                continue;
            }
            if !word.contains(is_hyphen) {
                report(word, range.start, &mut out);
                continue;
            }
            for part in hyphen_parts(word) {
                if out.len() >= options.max_misspellings {
                    break;
                }
                let part_word = &word[part.clone()];
                if !*verdicts
                    .entry(part_word)
                    .or_insert_with(|| self.is_correct(part_word))
                {
                    report(part_word, range.start + part.start, &mut out);
                }
            }
        }
        out
    }
}

/// `Word` → `Some("word")`; anything else (`word`, `WORD`, `McWord`, `I`)
/// → `None`.
fn lowered_title_case(word: &str) -> Option<String> {
    let mut chars = word.chars();
    let first = chars.next()?;
    let rest = chars.as_str();
    (first.is_uppercase()
        && rest.chars().any(char::is_lowercase)
        && !rest.chars().any(char::is_uppercase))
    .then(|| first.to_lowercase().chain(rest.chars()).collect())
}

fn upper_first(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// `bytes` as text in `encoding` (without a UTF-8 byte-order mark), or
/// `None` if the encoding is unknown or the bytes are not valid in it.
fn decode<'a>(
    bytes: &'a [u8],
    encoding: Option<&'static encoding_rs::Encoding>,
) -> Option<Cow<'a, str>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    encoding?.decode_without_bom_handling_and_without_replacement(bytes)
}

/// The encoding named on the `.aff` file's `SET` line, or `UTF-8`.
fn declared_encoding(aff: &[u8]) -> String {
    aff.split(|&b| b == b'\n')
        .take(200)
        .find_map(|line| {
            let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
            let rest = line.strip_prefix(b"SET")?;
            let rest = String::from_utf8_lossy(rest);
            rest.starts_with(char::is_whitespace)
                .then(|| rest.trim().to_string())
                .filter(|s| !s.is_empty())
        })
        .unwrap_or_else(|| "UTF-8".to_string())
}

/// Hunspell's encoding names as WHATWG labels where they differ.
fn hunspell_label(label: &str) -> String {
    let lower = label.to_ascii_lowercase();
    if let Some(cp) = lower.strip_prefix("microsoft-cp") {
        return format!("windows-{cp}");
    }
    match lower.as_str() {
        "tis620-2533" => "tis-620".to_string(),
        _ => lower,
    }
}
