//! Splitting mail text into the words worth checking.
//!
//! The text is cut into lines (quoted-reply lines may be dropped), lines into
//! whitespace-separated chunks (URLs, addresses, paths and file names are
//! dropped whole), and chunks into words: runs of letters, digits, marks and
//! `_`, joined by an apostrophe or hyphen only when a word character follows.
//! Words with digits or `_`, camelCase, ALL-CAPS (optionally), scripts that
//! are written without spaces, and over-long words are then dropped.

use std::ops::Range;

use crate::{CheckOptions, MAX_WORD_CHARS};

/// The byte ranges of the words in `text` worth checking, in order.
pub(crate) fn words(text: &str, options: &CheckOptions) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let offset = line_start;
        line_start += line.len();
        if options.skip_quoted && line.trim_start().starts_with('>') {
            continue;
        }
        for chunk in chunks(line) {
            let chunk_text = &line[chunk.clone()];
            if is_not_prose(chunk_text) {
                continue;
            }
            for word in words_in_chunk(chunk_text) {
                let range = offset + chunk.start + word.start..offset + chunk.start + word.end;
                if is_checkable(&text[range.clone()], options) {
                    out.push(range);
                }
            }
        }
    }
    out
}

/// The parts of a hyphenated word, as ranges relative to the word.
pub(crate) fn hyphen_parts(word: &str) -> Vec<Range<usize>> {
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, c) in word.char_indices() {
        if is_hyphen(c) {
            parts.push(start..i);
            start = i + c.len_utf8();
        }
    }
    parts.push(start..word.len());
    parts.retain(|r| !r.is_empty());
    parts
}

pub(crate) fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}')
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}')
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || c.is_control()
}

/// Runs of non-whitespace (control characters count as whitespace).
fn chunks(line: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        match (is_separator(c), start) {
            (true, Some(s)) => {
                out.push(s..i);
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(s..line.len());
    }
    out
}

/// URLs, e-mail addresses, paths, file and host names: not words.
fn is_not_prose(chunk: &str) -> bool {
    if chunk.contains("://") || chunk.contains('@') || chunk.contains('\\') {
        return true;
    }
    let lower = chunk
        .trim_start_matches(|c: char| !c.is_alphanumeric() && c != '/' && c != '~' && c != '.')
        .to_ascii_lowercase();
    if lower.starts_with("www.")
        || lower.starts_with("mailto:")
        || lower.starts_with('/')
        || lower.starts_with("~/")
        || lower.starts_with("./")
        || chunk.matches('/').count() >= 2
    {
        return true;
    }
    // `example.com`, `report.pdf`, `v1.2`, `e.g.`: a dot between two word
    // characters.
    let chars: Vec<char> = chunk.chars().collect();
    chars
        .windows(3)
        .any(|w| w[1] == '.' && is_word_char(w[0]) && is_word_char(w[2]))
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || is_combining_mark(c)
}

/// Combining diacritics, so that a decomposed `é` (e + U+0301) stays one word.
fn is_combining_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

/// Words in a chunk: word characters, joined by an apostrophe or a hyphen
/// that has a word character on both sides.
fn words_in_chunk(chunk: &str) -> Vec<Range<usize>> {
    let chars: Vec<(usize, char)> = chunk.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !is_word_char(chars[i].1) {
            i += 1;
            continue;
        }
        let start = chars[i].0;
        let mut j = i + 1;
        loop {
            match chars.get(j) {
                Some(&(_, c)) if is_word_char(c) => j += 1,
                Some(&(_, c))
                    if (is_apostrophe(c) || is_hyphen(c))
                        && chars.get(j + 1).is_some_and(|&(_, n)| is_word_char(n)) =>
                {
                    j += 2
                }
                _ => break,
            }
        }
        let end = chars.get(j).map_or(chunk.len(), |&(k, _)| k);
        out.push(start..end);
        i = j;
    }
    out
}

/// Whether a word is one a dictionary should judge.
fn is_checkable(word: &str, options: &CheckOptions) -> bool {
    if word.chars().count() > MAX_WORD_CHARS {
        return false;
    }
    if word
        .chars()
        .any(|c| c.is_numeric() || c == '_' || is_unsegmented_script(c))
    {
        return false;
    }
    let letters = word.chars().filter(|c| c.is_alphabetic());
    if options.skip_all_caps
        && letters.clone().count() >= 2
        && !letters.clone().any(char::is_lowercase)
    {
        return false;
    }
    // camelCase, iPhone, McDonald: code identifiers and brand names.
    let chars: Vec<char> = word.chars().collect();
    !chars
        .windows(2)
        .any(|w| w[0].is_lowercase() && w[1].is_uppercase())
}

/// Scripts written without spaces between words (Chinese, Japanese, Thai …):
/// a Hunspell dictionary cannot judge a run of them.
fn is_unsegmented_script(c: char) -> bool {
    matches!(c,
        '\u{0E00}'..='\u{0EFF}'   // Thai, Lao
        | '\u{1000}'..='\u{109F}' // Myanmar
        | '\u{1780}'..='\u{17FF}' // Khmer
        | '\u{3040}'..='\u{30FF}' // Hiragana, Katakana
        | '\u{3400}'..='\u{4DBF}' // CJK extension A
        | '\u{4E00}'..='\u{9FFF}' // CJK unified ideographs
        | '\u{F900}'..='\u{FAFF}' // CJK compatibility ideographs
        | '\u{20000}'..='\u{2FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens<'a>(text: &'a str, options: &CheckOptions) -> Vec<&'a str> {
        words(text, options).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn tokenizes_mail_text() {
        let cases: &[(&str, &[&str])] = &[
            ("Hello world", &["Hello", "world"]),
            ("don't it’s", &["don't", "it’s"]),
            ("'quoted' words’", &["quoted", "words"]),
            ("James' book", &["James", "book"]),
            (
                "well-known state-of-the-art",
                &["well-known", "state-of-the-art"],
            ),
            ("a -- b - c", &["a", "b", "c"]),
            ("café über naïve", &["café", "über", "naïve"]),
            ("cafe\u{301} ok", &["cafe\u{301}", "ok"]),
            ("see https://example.com/a?b=c now", &["see", "now"]),
            ("(<https://example.com>)", &[]),
            ("www.example.org and mailto:x", &["and"]),
            ("mail bob@example.com today", &["mail", "today"]),
            ("open report.pdf or e.g. this", &["open", "or", "this"]),
            ("/usr/share/dict and src/lib/x and C:\\x", &["and", "and"]),
            ("and/or", &["and", "or"]),
            ("abc123 3rd 10th v2 snake_case x", &["x"]),
            ("NASA and HTML ok", &["and", "ok"]),
            ("I am A", &["I", "am", "A"]),
            ("camelCase iPhone word", &["word"]),
            ("end.", &["end"]),
            ("Hi,there;you:me!", &["Hi", "there", "you", "me"]),
            ("ctl\u{0}chars\u{7}here", &["ctl", "chars", "here"]),
            ("漢字 text ภาษาไทย", &["text"]),
            ("", &[]),
        ];
        let options = CheckOptions::default();
        for (input, expected) in cases {
            assert_eq!(&tokens(input, &options), expected, "input {input:?}");
        }
    }

    #[test]
    fn quoted_lines_and_caps_follow_the_options() {
        let text = "Thanks\n> quoted line\n  >> deeper\nNASA";
        assert_eq!(tokens(text, &CheckOptions::default()), ["Thanks"]);
        let all = CheckOptions {
            skip_quoted: false,
            skip_all_caps: false,
            ..CheckOptions::default()
        };
        assert_eq!(
            tokens(text, &all),
            ["Thanks", "quoted", "line", "deeper", "NASA"]
        );
    }

    #[test]
    fn skips_overlong_words() {
        let long = "a".repeat(MAX_WORD_CHARS + 1);
        let ok = "b".repeat(MAX_WORD_CHARS);
        let text = format!("{long} {ok}");
        assert_eq!(tokens(&text, &CheckOptions::default()), [ok.as_str()]);
    }

    #[test]
    fn offsets_are_bytes_into_the_text() {
        let text = "é\r\nnaïve  wörd";
        let ranges = words(text, &CheckOptions::default());
        assert_eq!(ranges, [0..2, 4..10, 12..17]);
    }

    #[test]
    fn splits_hyphenated_words() {
        let cases: &[(&str, &[&str])] = &[
            ("well-known", &["well", "known"]),
            ("a‐b", &["a", "b"]),
            ("plain", &["plain"]),
        ];
        for (word, expected) in cases {
            let parts: Vec<&str> = hyphen_parts(word).into_iter().map(|r| &word[r]).collect();
            assert_eq!(&parts, expected, "word {word:?}");
        }
    }
}
