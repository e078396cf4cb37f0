//! A bound on how deeply elements nest, applied before parsing.
//!
//! The HTML tree builder looks down the stack of open elements for many
//! start tags (a `<div>` first closes any open `<p>` "in button scope"), so
//! each tag costs as much as the nesting is deep and a page of nested tags
//! costs the square: 40,000 nested `<div>`s (200 KB) took five seconds, a
//! hostile sender's way to burn the server. It also re-opens every open
//! formatting element (`<b>`, `<font>` …) before each run of text in a new
//! block, so hundreds of them open at once multiply every later paragraph.
//! Browsers bound the depth their parser builds (Blink: 512).
//!
//! This pass does the same before parsing: the input is read by html5ever's
//! own tokenizer (so tags, quotes, comments and raw text such as `<style>`
//! are split exactly as the parser splits them) and written out again,
//! without the start tags past [`MAX_DEPTH`] open elements or
//! [`MAX_FORMATTING`] open formatting elements, and without the end tags
//! that would have closed them. Text is kept; comments and doctypes, which
//! the sanitizer drops anyway, go. What it writes is no more than its input
//! allowed and is judged by the sanitizer like anything else.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::{LocalName, local_name};

/// The most elements open at once that are kept.
pub(crate) const MAX_DEPTH: usize = 256;
/// The most formatting elements open at once that are kept.
pub(crate) const MAX_FORMATTING: usize = 16;

/// `html` with start tags past the bounds removed (and the end tags that
/// would close them), or unchanged when it has fewer tags than could nest
/// that deeply.
pub(crate) fn limit_depth(html: &str) -> Cow<'_, str> {
    // Cheap case first: fewer tags than the bound cannot nest deeper, and
    // that many formatting elements cannot multiply much.
    if html.bytes().filter(|&b| b == b'<').count() <= MAX_DEPTH {
        return Cow::Borrowed(html);
    }
    let sink = Writer::default();
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let state = tokenizer.sink.state.into_inner();
    Cow::Owned(state.out)
}

#[derive(Default)]
struct Writer {
    state: RefCell<State>,
}

#[derive(Default)]
struct State {
    out: String,
    /// Elements opened and not yet closed, as far as tags tell.
    depth: usize,
    /// Formatting elements opened and not yet closed.
    formatting: usize,
    /// Start tags dropped, by name, whose end tags are still to come.
    dropped: HashMap<LocalName, usize>,
    /// The text being read is raw (script, style …): written as it is.
    raw: Option<RawKind>,
}

impl TokenSink for Writer {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut s = self.state.borrow_mut();
        match token {
            Token::TagToken(tag) => match tag.kind {
                TagKind::StartTag => return s.start(tag),
                TagKind::EndTag => s.end(&tag),
            },
            Token::CharacterTokens(text) => s.text(&text),
            Token::NullCharacterToken => s.out.push('\u{FFFD}'),
            Token::CommentToken(_)
            | Token::DoctypeToken(_)
            | Token::ParseError(_)
            | Token::EOFToken => {}
        }
        TokenSinkResult::Continue
    }
}

impl State {
    fn start(&mut self, tag: Tag) -> TokenSinkResult<()> {
        // Elements whose end tag may be left out close themselves at the
        // next of their kind: they are not counted as nesting (a sloppy
        // mail of a thousand unclosed paragraphs is not deep).
        let void = is_void(&tag.name) || closes_itself(&tag.name);
        let formatting = is_formatting(&tag.name);
        if !void
            && !tag.self_closing
            && (self.depth >= MAX_DEPTH || (formatting && self.formatting >= MAX_FORMATTING))
        {
            *self.dropped.entry(tag.name).or_default() += 1;
            return TokenSinkResult::Continue;
        }
        self.out.push('<');
        self.out.push_str(&tag.name);
        for attr in &tag.attrs {
            self.out.push(' ');
            self.out.push_str(&attr.name.local);
            self.out.push_str("=\"");
            for c in attr.value.chars() {
                match c {
                    '&' => self.out.push_str("&amp;"),
                    '"' => self.out.push_str("&quot;"),
                    c => self.out.push(c),
                }
            }
            self.out.push('"');
        }
        if tag.self_closing {
            self.out.push('/');
        }
        self.out.push('>');
        if !void && !tag.self_closing {
            self.depth += 1;
            self.formatting += usize::from(formatting);
        }
        // The text after these is raw, as the tree builder tells the
        // tokenizer.
        let raw = match tag.name {
            local_name!("title") | local_name!("textarea") => Some(RawKind::Rcdata),
            local_name!("style")
            | local_name!("xmp")
            | local_name!("iframe")
            | local_name!("noembed")
            | local_name!("noframes")
            | local_name!("noscript") => Some(RawKind::Rawtext),
            local_name!("script") => Some(RawKind::ScriptData),
            local_name!("plaintext") => return TokenSinkResult::Plaintext,
            _ => None,
        };
        match raw {
            Some(kind) if !tag.self_closing => {
                self.raw = Some(kind);
                TokenSinkResult::RawData(kind)
            }
            _ => TokenSinkResult::Continue,
        }
    }

    fn end(&mut self, tag: &Tag) {
        self.raw = None;
        if let Some(n) = self.dropped.get_mut(&tag.name).filter(|n| **n > 0) {
            *n -= 1;
            return;
        }
        if !is_void(&tag.name) && !closes_itself(&tag.name) {
            self.depth = self.depth.saturating_sub(1);
        }
        if is_formatting(&tag.name) {
            self.formatting = self.formatting.saturating_sub(1);
        }
        self.out.push_str("</");
        self.out.push_str(&tag.name);
        self.out.push('>');
    }

    fn text(&mut self, text: &str) {
        match self.raw {
            // Script and style text is written as read: nothing in it was
            // decoded, and nothing may be escaped.
            Some(RawKind::Rawtext | RawKind::ScriptData | RawKind::ScriptDataEscaped(_)) => {
                self.out.push_str(text);
            }
            _ => {
                for c in text.chars() {
                    match c {
                        '&' => self.out.push_str("&amp;"),
                        '<' => self.out.push_str("&lt;"),
                        '>' => self.out.push_str("&gt;"),
                        c => self.out.push(c),
                    }
                }
            }
        }
    }
}

/// Elements that never have an end tag.
fn is_void(name: &LocalName) -> bool {
    matches!(
        *name,
        local_name!("area")
            | local_name!("base")
            | local_name!("br")
            | local_name!("col")
            | local_name!("embed")
            | local_name!("hr")
            | local_name!("img")
            | local_name!("input")
            | local_name!("link")
            | local_name!("meta")
            | local_name!("param")
            | local_name!("source")
            | local_name!("track")
            | local_name!("wbr")
            | local_name!("image")
            | local_name!("basefont")
            | local_name!("bgsound")
            | local_name!("keygen")
            | local_name!("frame")
    )
}

/// Elements whose end tag is optional: the parser closes one when the next
/// starts (within what holds it), so they never pile up on their own.
fn closes_itself(name: &LocalName) -> bool {
    matches!(
        *name,
        local_name!("p")
            | local_name!("li")
            | local_name!("dt")
            | local_name!("dd")
            | local_name!("tr")
            | local_name!("td")
            | local_name!("th")
            | local_name!("tbody")
            | local_name!("thead")
            | local_name!("tfoot")
            | local_name!("option")
            | local_name!("optgroup")
            | local_name!("rb")
            | local_name!("rt")
            | local_name!("rp")
    )
}

/// The tree builder's formatting elements, which it re-opens in new blocks.
fn is_formatting(name: &LocalName) -> bool {
    matches!(
        *name,
        local_name!("a")
            | local_name!("b")
            | local_name!("big")
            | local_name!("code")
            | local_name!("em")
            | local_name!("font")
            | local_name!("i")
            | local_name!("nobr")
            | local_name!("s")
            | local_name!("small")
            | local_name!("strike")
            | local_name!("strong")
            | local_name!("tt")
            | local_name!("u")
    )
}

#[cfg(test)]
mod tests {
    use super::{MAX_DEPTH, MAX_FORMATTING, limit_depth};

    /// `open` repeated so that the input is over the cheap case's bound.
    fn deep(open: &str, n: usize, inner: &str) -> String {
        open.repeat(n) + inner
    }

    #[test]
    fn shallow_input_is_left_alone() {
        let html = "<p title='a>b'>x &amp; y</p><!-- c -->";
        assert!(matches!(limit_depth(html), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn tags_past_the_bound_go_and_their_text_stays() {
        let html = deep("<div>", 1000, "x");
        let out = limit_depth(&html);
        assert_eq!(out.matches("<div>").count(), MAX_DEPTH);
        assert!(out.ends_with('x'));
        // End tags of dropped elements go too; siblings after them stay.
        let html = format!(
            "{}y{}<p>z</p>",
            "<i><span>".repeat(300),
            "</span></i>".repeat(300)
        );
        let out = limit_depth(&html);
        assert_eq!(
            out.matches("<span>").count(),
            out.matches("</span>").count()
        );
        assert!(out.ends_with("<p>z</p>"), "{}", &out[out.len() - 40..]);
    }

    #[test]
    fn the_tokenizer_decides_what_is_a_tag() {
        // Each hid thousands of tags from a hand-made splitter: a quote
        // where the parser sees none, comments the parser ends early, tags
        // inside an element whose text is raw.
        let cases = [
            deep("<div '>", 1, &"<div>".repeat(2000)) + "'>x",
            "<!-->".to_owned() + &"<div>".repeat(2000) + "-->",
            "<!--->".to_owned() + &"<div>".repeat(2000),
            "<!-- x --!>".to_owned() + &"<div>".repeat(2000),
            "<? '>".to_owned() + &"<div>".repeat(2000),
            "<title><!--</title>".to_owned() + &"<div>".repeat(2000) + "-->",
        ];
        for html in &cases {
            let out = limit_depth(html);
            assert!(
                out.matches("<div").count() <= MAX_DEPTH + 1,
                "{}",
                &html[..20]
            );
        }
        // Raw text stays raw, and is not counted.
        let style =
            "<style>p > a { color: red } /* <div><div> */</style>".to_owned() + &"<br>".repeat(300);
        let out = limit_depth(&style);
        assert!(out.starts_with("<style>p > a { color: red } /* <div><div> */</style>"));
    }

    #[test]
    fn unclosed_paragraphs_and_items_are_not_deep() {
        for html in [
            "<p>x".repeat(1000),
            "<ul>".to_owned() + &"<li>x".repeat(1000),
        ] {
            let out = limit_depth(&html);
            assert_eq!(out.matches("x").count(), 1000);
            assert_eq!(
                out.matches('<').count(),
                html.matches('<').count(),
                "nothing dropped"
            );
        }
    }

    #[test]
    fn formatting_elements_are_bounded_too() {
        let html: String =
            (0..500).map(|i| format!("<b x={i}>")).collect::<String>() + &"<div>x</div>".repeat(50);
        let out = limit_depth(&html);
        assert_eq!(out.matches("<b ").count(), MAX_FORMATTING);
        assert_eq!(out.matches("<div>").count(), 50);
    }

    #[test]
    fn text_and_attributes_are_written_back_escaped() {
        let html =
            "<p title=\"a&quot;b&amp;\">1 &lt; 2 &amp; 3</p>".to_owned() + &"<br>".repeat(300);
        let out = limit_depth(&html);
        assert!(
            out.starts_with("<p title=\"a&quot;b&amp;\">1 &lt; 2 &amp; 3</p>"),
            "{out}"
        );
    }

    #[test]
    fn forty_thousand_nested_divs_are_cut_to_the_bound() {
        // Five seconds of parsing before the bound (see the module docs).
        let html = "<div>".repeat(40_000) + "x";
        let out = crate::email_html(&html, &crate::Policy::new());
        assert!(out.html.contains('x'));
        assert_eq!(out.html.matches("<div>").count(), MAX_DEPTH);
        let out = crate::compose_html(&html);
        assert_eq!(out.matches("<div>").count(), MAX_DEPTH);
    }
}
