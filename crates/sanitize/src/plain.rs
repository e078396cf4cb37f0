//! HTML to plain text, for the `text/plain` alternative of outgoing mail and
//! for quoting HTML mail in a plain-text reply.
//!
//! The aim is what a reader would copy from a browser window, with a few
//! plain-text conventions on top: `> ` before quoted lines, `- ` and `1. `
//! before list items, `text <url>` for links. Lines are not wrapped: the
//! caller decides, because wrapping belongs with the transfer encoding
//! (`format=flowed` or not) rather than with the rendering.

use html5ever::{LocalName, local_name};

use crate::dom::{self, Dom, Kind, NodeId};
use crate::url::safe_url;

/// Elements whose content is never text a reader sees.
const HIDDEN: &[&str] = &[
    "head", "script", "style", "template", "noscript", "title", "select", "textarea", "iframe",
    "object", "embed", "applet", "svg", "audio", "video", "canvas", "map", "datalist",
];

/// Renders HTML (a document or a fragment, however broken) as plain text.
///
/// - Blocks (`p`, `div`, headings, `li`, `tr` …) start new lines; paragraphs,
///   headings, lists, quotes and `pre` are set off by a blank line.
/// - `br` is a line break, `hr` a line `---`.
/// - `ul` items start with `- `, `ol` items with `1. ` (honouring `start`
///   and `value`); their following lines are indented to match, and nested
///   lists indent further.
/// - Each `blockquote` level puts `> ` before its lines.
/// - A link whose text differs from its address becomes `text <url>`; only
///   `http`, `https` and `mailto` addresses are shown. An image shows its
///   `alt` text in brackets.
/// - Table rows become lines with cells separated by a tab.
/// - White space collapses as a browser collapses it, except in `pre`.
///   Entities are decoded; scripts, styles, the head and elements hidden
///   with `display: none` or `hidden` are left out.
///
/// No line is wrapped, and the text has no trailing newline.
///
/// ```
/// let text = sanitize::html_to_text(
///     "<p>Hi <b>Ann</b>,</p><ul><li>one</li><li>two</li></ul>\
///      <blockquote>see <a href='https://example.com/a'>this</a></blockquote>",
/// );
/// assert_eq!(text, "Hi Ann,\n\n- one\n- two\n\n> see this <https://example.com/a>");
/// ```
pub fn html_to_text(html: &str) -> String {
    let dom = dom::parse(&crate::depth::limit_depth(html));
    let mut w = Writer::default();
    let mut stack: Vec<Step> = vec![Step::Enter(0)];
    while let Some(step) = stack.pop() {
        match step {
            Step::Enter(id) => match &dom.nodes[id].kind {
                Kind::Text(t) => w.text(t),
                Kind::Element { .. } => {
                    let Some(name) = dom.html_name(id) else {
                        continue;
                    };
                    if is_hidden(&dom, id, name) {
                        continue;
                    }
                    w.open(&dom, id, name);
                    stack.push(Step::Leave(id));
                    stack.extend(dom.nodes[id].children.iter().rev().map(|&c| Step::Enter(c)));
                }
                Kind::Document => {
                    stack.extend(dom.nodes[id].children.iter().rev().map(|&c| Step::Enter(c)));
                }
                Kind::Other => {}
            },
            Step::Leave(id) => {
                if let Some(name) = dom.html_name(id) {
                    w.close(name);
                }
            }
        }
    }
    w.finish()
}

enum Step {
    Enter(NodeId),
    Leave(NodeId),
}

fn is_hidden(dom: &Dom, id: NodeId, name: &LocalName) -> bool {
    if HIDDEN.contains(&&**name) || dom.attr(id, "hidden").is_some() {
        return true;
    }
    dom.attr(id, "style").is_some_and(|style| {
        crate::css::split_declarations(style).iter().any(|d| {
            d.split_once(':').is_some_and(|(n, v)| {
                let n = n.trim();
                let v = v.trim().trim_end_matches("!important").trim();
                (n.eq_ignore_ascii_case("display") && v.eq_ignore_ascii_case("none"))
                    || (n.eq_ignore_ascii_case("mso-hide") && v.eq_ignore_ascii_case("all"))
            })
        })
    })
}

/// Something written before the content of each line.
enum Prefix {
    /// One `blockquote` level: `> `.
    Quote,
    /// A list item: its marker on the first line, spaces after.
    Item {
        marker: Option<String>,
        width: usize,
    },
    /// A `dd`.
    Indent(usize),
}

/// An open list: the next number, or `None` for bullets.
struct List {
    next: Option<i64>,
}

/// An open link: where it goes and the text written inside it so far.
struct Link {
    url: Option<String>,
    text: String,
}

#[derive(Default)]
struct Writer {
    out: String,
    prefix: Vec<Prefix>,
    /// Whether the current line has anything after its prefix.
    line_started: bool,
    /// Anything written at all.
    started: bool,
    /// Collapsed white space waiting for the next word.
    space: bool,
    /// A tab waiting for the next word (between table cells).
    tab: bool,
    /// Line breaks waiting for the next word.
    breaks: usize,
    /// Fewest quote levels open since the last word: blank lines carry
    /// only those, so a quote's edge has a plain blank line.
    quotes_since_word: usize,
    pre: usize,
    lists: Vec<List>,
    links: Vec<Link>,
    /// Cells seen in each open table row.
    cells: Vec<usize>,
}

/// Elements after which a blank line follows, and before which one comes.
fn is_paragraph(name: &str) -> bool {
    matches!(
        name,
        "p" | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "blockquote"
            | "pre"
            | "hr"
            | "dl"
            | "figure"
    )
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "body"
            | "caption"
            | "center"
            | "dd"
            | "details"
            | "dialog"
            | "div"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "footer"
            | "form"
            | "header"
            | "hgroup"
            | "html"
            | "legend"
            | "li"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "section"
            | "summary"
            | "table"
            | "tbody"
            | "tfoot"
            | "thead"
            | "tr"
            | "ul"
    )
}

impl Writer {
    fn quote_depth(&self) -> usize {
        self.prefix
            .iter()
            .filter(|p| matches!(p, Prefix::Quote))
            .count()
    }

    fn request_breaks(&mut self, n: usize) {
        self.breaks = self.breaks.max(n);
        self.space = false;
        self.tab = false;
    }

    fn push_prefix(&mut self, p: Prefix) {
        self.prefix.push(p);
    }

    fn pop_prefix(&mut self) {
        self.prefix.pop();
        self.quotes_since_word = self.quotes_since_word.min(self.quote_depth());
    }

    fn end_line(&mut self) {
        let trimmed = self.out.trim_end_matches([' ', '\t']).len();
        self.out.truncate(trimmed);
        self.out.push('\n');
        self.line_started = false;
    }

    /// Writes `s` as is (no collapsing), after any pending breaks, prefix,
    /// space or tab.
    fn put(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        if self.started && self.breaks > 0 {
            if self.line_started {
                self.end_line();
                self.breaks -= 1;
            }
            for _ in 0..self.breaks {
                for _ in 0..self.quotes_since_word {
                    self.out.push_str("> ");
                }
                self.end_line();
            }
        }
        self.breaks = 0;
        if !self.line_started {
            for p in &mut self.prefix {
                match p {
                    Prefix::Quote => self.out.push_str("> "),
                    Prefix::Item { marker, width } => match marker.take() {
                        Some(m) => self.out.push_str(&m),
                        None => self.out.extend(std::iter::repeat_n(' ', *width)),
                    },
                    Prefix::Indent(n) => self.out.extend(std::iter::repeat_n(' ', *n)),
                }
            }
            self.line_started = true;
        } else if self.tab {
            self.out.push('\t');
        } else if self.space {
            self.out.push(' ');
            for link in &mut self.links {
                if !link.text.is_empty() {
                    link.text.push(' ');
                }
            }
        }
        self.space = false;
        self.tab = false;
        self.started = true;
        self.quotes_since_word = self.quote_depth();
        for c in s.chars() {
            if c.is_control() && c != '\t' {
                continue;
            }
            // A no-break space does not collapse, but is a space in text.
            self.out.push(if c == '\u{a0}' { ' ' } else { c });
        }
        for link in &mut self.links {
            link.text.push_str(s);
        }
    }

    fn text(&mut self, t: &str) {
        if self.pre > 0 {
            for (i, line) in t.split('\n').enumerate() {
                if i > 0 {
                    self.force_break();
                }
                self.put(line);
            }
            return;
        }
        let is_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c');
        let mut words = t.split(is_space).peekable();
        while let Some(word) = words.next() {
            if !word.is_empty() {
                self.put(word);
            }
            if words.peek().is_some() && self.line_started {
                self.space = true;
            }
        }
    }

    /// A line break that adds to those pending (`br`, a newline in `pre`):
    /// after a block boundary it makes an empty line, as in a browser.
    fn force_break(&mut self) {
        self.breaks += 1;
        self.space = false;
        self.tab = false;
    }

    fn open(&mut self, dom: &Dom, id: NodeId, name: &LocalName) {
        match *name {
            local_name!("br") => self.force_break(),
            local_name!("hr") => {
                self.request_breaks(2);
                self.put("---");
                self.request_breaks(2);
            }
            local_name!("img") => {
                if let Some(alt) = dom.attr(id, "alt") {
                    let alt: Vec<&str> = alt.split_whitespace().collect();
                    if !alt.is_empty() {
                        self.put(&format!("[{}]", alt.join(" ")));
                    }
                }
            }
            local_name!("a") => {
                let url = dom.attr(id, "href").and_then(safe_url);
                self.links.push(Link {
                    url,
                    text: String::new(),
                });
            }
            local_name!("q") => {
                self.put("\"");
            }
            local_name!("ul") | local_name!("ol") => {
                let nested = self.prefix.iter().any(|p| matches!(p, Prefix::Item { .. }));
                self.request_breaks(if nested { 1 } else { 2 });
                let next = (*name == local_name!("ol")).then(|| {
                    dom.attr(id, "start")
                        .and_then(|s| s.trim().parse().ok())
                        .unwrap_or(1)
                });
                self.lists.push(List { next });
            }
            local_name!("li") => {
                self.request_breaks(1);
                let value: Option<i64> = dom.attr(id, "value").and_then(|v| v.trim().parse().ok());
                let marker = match self.lists.last_mut() {
                    Some(List { next: Some(n) }) => {
                        if let Some(v) = value {
                            *n = v;
                        }
                        let m = format!("{n}. ");
                        *n = n.saturating_add(1);
                        m
                    }
                    _ => "- ".to_string(),
                };
                let width = marker.chars().count();
                self.push_prefix(Prefix::Item {
                    marker: Some(marker),
                    width,
                });
            }
            local_name!("blockquote") => {
                self.request_breaks(2);
                self.push_prefix(Prefix::Quote);
            }
            local_name!("dd") => {
                self.request_breaks(1);
                self.push_prefix(Prefix::Indent(4));
            }
            local_name!("pre") => {
                self.request_breaks(2);
                self.pre += 1;
            }
            local_name!("tr") => {
                self.request_breaks(1);
                self.cells.push(0);
            }
            local_name!("td") | local_name!("th") => {
                if let Some(n) = self.cells.last_mut() {
                    *n += 1;
                    if *n > 1 && self.breaks == 0 && self.line_started {
                        self.tab = true;
                    }
                }
            }
            _ if is_paragraph(name) => self.request_breaks(2),
            _ if is_block(name) => self.request_breaks(1),
            _ => {}
        }
    }

    fn close(&mut self, name: &LocalName) {
        match *name {
            local_name!("a") => {
                if let Some(link) = self.links.pop()
                    && let Some(url) = link.url
                    && !same_address(&link.text, &url)
                {
                    let had_text = !link.text.trim().is_empty();
                    if had_text {
                        self.space = true;
                    }
                    self.put(&format!("<{url}>"));
                }
            }
            local_name!("q") => {
                self.space = false;
                self.put("\"");
            }
            local_name!("ul") | local_name!("ol") => {
                self.lists.pop();
                let nested = self.prefix.iter().any(|p| matches!(p, Prefix::Item { .. }));
                self.request_breaks(if nested { 1 } else { 2 });
            }
            local_name!("li") | local_name!("dd") => {
                self.pop_prefix();
                self.request_breaks(1);
            }
            local_name!("blockquote") => {
                self.pop_prefix();
                self.request_breaks(2);
            }
            local_name!("pre") => {
                self.pre = self.pre.saturating_sub(1);
                self.request_breaks(2);
            }
            local_name!("tr") => {
                self.cells.pop();
                self.request_breaks(1);
            }
            _ if is_paragraph(name) => self.request_breaks(2),
            _ if is_block(name) => self.request_breaks(1),
            _ => {}
        }
    }

    fn finish(mut self) -> String {
        let trimmed = self.out.trim_end().len();
        self.out.truncate(trimmed);
        self.out
    }
}

/// Whether a link's text already shows its address, so repeating it adds
/// nothing: `https://example.com` for `https://example.com/`, or
/// `ann@example.com` for `mailto:ann@example.com`.
fn same_address(text: &str, url: &str) -> bool {
    let bare = |s: &str| -> String {
        let s = s.trim();
        let s = ["https://", "http://", "mailto:"]
            .iter()
            .find_map(|p| {
                s.get(..p.len())
                    .filter(|h| h.eq_ignore_ascii_case(p))
                    .map(|_| &s[p.len()..])
            })
            .unwrap_or(s);
        s.trim_end_matches('/').to_lowercase()
    };
    let t = bare(text);
    !t.is_empty() && t == bare(url)
}

#[cfg(test)]
mod tests {
    use super::html_to_text;

    #[test]
    fn table() {
        let cases: &[(&str, &str, &str)] = &[
            ("empty", "", ""),
            ("plain text", "hello", "hello"),
            (
                "whitespace collapses",
                "  a \n\t b   <b> c </b>d  ",
                "a b c d",
            ),
            ("paragraphs", "<p>one</p><p>two</p>", "one\n\ntwo"),
            (
                "div is one line",
                "<div>one</div><div>two</div>",
                "one\ntwo",
            ),
            ("br", "a<br>b<br><br>c", "a\nb\n\nc"),
            ("br closing a paragraph", "<p>a<br></p><p>b</p>", "a\n\nb"),
            ("br closing a div", "<div>a<br></div>b", "a\nb"),
            ("leading and trailing breaks", "<br><p>a</p><br><br>", "a"),
            (
                "entities",
                "<p>&lt;a&gt; &amp; &eacute; &#x263A;</p>",
                "<a> & é ☺",
            ),
            ("nbsp does not collapse", "a&nbsp;&nbsp;b", "a  b"),
            (
                "script and style dropped",
                "<style>p{}</style><script>alert(1)</script><p>x</p>",
                "x",
            ),
            (
                "head dropped",
                "<html><head><title>T</title></head><body>b</body></html>",
                "b",
            ),
            (
                "hidden preheader",
                "<div style=\"display:none !important\">preview</div><div hidden>h</div><p>x</p>",
                "x",
            ),
            ("unordered", "<ul><li>a</li><li>b</li></ul>", "- a\n- b"),
            (
                "ordered with start and value",
                "<ol start=3><li>a<li>b<li value=10>c<li>d</ol>",
                "3. a\n4. b\n10. c\n11. d",
            ),
            (
                "nested lists",
                "<ul><li>a<ul><li>b</li></ul></li><li>c</li></ul>",
                "- a\n  - b\n- c",
            ),
            (
                "item continuation indented",
                "<ol><li>first<br>second</li></ol>",
                "1. first\n   second",
            ),
            (
                "list after paragraph",
                "<p>Items:</p><ul><li>a</li></ul><p>end</p>",
                "Items:\n\n- a\n\nend",
            ),
            ("blockquote", "<blockquote>a<br>b</blockquote>", "> a\n> b"),
            (
                "nested blockquote",
                "<p>reply</p><blockquote type=cite><p>q1</p><blockquote>q2</blockquote><p>q3</p></blockquote>after",
                "reply\n\n> q1\n>\n> > q2\n>\n> q3\n\nafter",
            ),
            (
                "quoted list",
                "<blockquote><ul><li>a</li></ul></blockquote>",
                "> - a",
            ),
            (
                "link with text",
                "<a href='https://example.com/x'>the site</a>.",
                "the site <https://example.com/x>.",
            ),
            (
                "link text is the url",
                "<a href='https://example.com/'>https://example.com</a>",
                "https://example.com",
            ),
            (
                "mailto shown as address",
                "<a href='mailto:ann@example.com'>ann@example.com</a> or <a href='mailto:bob@example.com'>Bob</a>",
                "ann@example.com or Bob <mailto:bob@example.com>",
            ),
            (
                "unsafe or relative links not shown",
                "<a href='javascript:alert(1)'>x</a> <a href='/y'>y</a> <a href='#z'>z</a>",
                "x y z",
            ),
            (
                "image link",
                "<a href='https://e.test/'><img src='https://e.test/a.png' alt=' Shop  logo '></a>",
                "[Shop logo] <https://e.test/>",
            ),
            (
                "image link without alt",
                "<a href='https://e.test/'><img src='a.png'></a>",
                "<https://e.test/>",
            ),
            (
                "headings",
                "<h1>Title</h1>text<h2>Sub</h2>",
                "Title\n\ntext\n\nSub",
            ),
            (
                "table rows and cells",
                "<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>",
                "a\tb\n1\t2",
            ),
            (
                "empty cells add no tab",
                "<table><tr><td>a</td><td></td><td>c</td></tr></table>",
                "a\tc",
            ),
            (
                "pre keeps spaces",
                "<p>code:</p><pre>  a  b\n\n    c</pre>done",
                "code:\n\n  a  b\n\n    c\n\ndone",
            ),
            (
                "pre in quote",
                "<blockquote><pre>a\n b</pre></blockquote>",
                "> a\n>  b",
            ),
            ("hr", "a<hr>b", "a\n\n---\n\nb"),
            ("q", "say <q>hi</q>!", "say \"hi\"!"),
            ("dl", "<dl><dt>term</dt><dd>def</dd></dl>", "term\n    def"),
            (
                "broken markup",
                "<p>a<b>b<p>c</i><ul><li>d<li>e</ul",
                "ab\n\nc\n\n- d\n- e",
            ),
            ("unclosed tag at end", "x <a href='https://e.test/'", "x"),
            ("unclosed comment", "a<!-- b", "a"),
            ("control characters dropped", "a\u{1}b\u{7f}c", "abc"),
            (
                "gmail quote",
                "<div>Sure.</div><br><div class=gmail_quote><div>On Mon, Ann wrote:<br></div><blockquote class=gmail_quote style='margin:0 0 0 .8ex;border-left:1px #ccc solid;padding-left:1ex'><div>Lunch?</div></blockquote></div>",
                "Sure.\n\nOn Mon, Ann wrote:\n\n> Lunch?",
            ),
        ];
        for (name, input, want) in cases {
            assert_eq!(html_to_text(input), *want, "case {name}");
        }
    }

    #[test]
    fn deep_nesting() {
        let html = "<blockquote>".repeat(5_000) + "x";
        let handle = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || html_to_text(&html))
            .expect("spawn");
        let text = handle.join().expect("no overflow");
        assert!(text.ends_with("> x"));
    }
}
