//! Reading `<style>` sheets into rules that [`crate::inline`] can apply.
//!
//! A deliberately small reader: it finds rules and their blocks, keeps the
//! selectors it fully understands and throws everything else away. It never
//! has to be right about what a value means, because every declaration it
//! returns has already passed [`crate::css::filter_declaration`], and the
//! `style` attribute it ends up in is filtered once more by the sanitizer.
//!
//! Understood: type, `*`, `.class` and `#id` selectors, compounds of them
//! (`td.note`), descendant and child combinators, selector lists, and
//! `@media` blocks for `all` or `screen` without conditions. Skipped whole:
//! any selector with a pseudo-class or pseudo-element, an attribute test, a
//! sibling combinator or an escape; conditional `@media` (the mobile
//! overrides of responsive mail); and every other at-rule (`@import`,
//! `@font-face`, `@keyframes`, `@supports`, `@page` …).

use crate::css::{read_declaration, split_declarations};

/// Most bytes of CSS read per document, all sheets together.
pub(crate) const MAX_CSS_BYTES: usize = 128 * 1024;
/// Most selectors kept per document (a list `a, b` counts two).
pub(crate) const MAX_SELECTORS: usize = 2048;
/// Most compound selectors in one complex selector; longer ones are skipped.
const MAX_COMPOUNDS: usize = 16;

/// How one compound relates to the one before it (to its left).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Combinator {
    /// `a b`: any ancestor.
    Descendant,
    /// `a > b`: the parent.
    Child,
}

/// `td.note#main`: every part must hold for one element.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Compound {
    /// Lower-case element name; `None` for `*` or no type.
    pub(crate) tag: Option<String>,
    pub(crate) ids: Vec<String>,
    pub(crate) classes: Vec<String>,
}

/// A complex selector, compounds left to right; `combinators[i]` sits
/// between `compounds[i]` and `compounds[i + 1]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Selector {
    pub(crate) compounds: Vec<Compound>,
    pub(crate) combinators: Vec<Combinator>,
}

impl Selector {
    /// (ids, classes, types), as CSS Selectors level 3 counts them.
    pub(crate) fn specificity(&self) -> (u16, u16, u16) {
        let mut s = (0u16, 0u16, 0u16);
        for c in &self.compounds {
            s.0 = s.0.saturating_add(c.ids.len() as u16);
            s.1 = s.1.saturating_add(c.classes.len() as u16);
            s.2 = s.2.saturating_add(u16::from(c.tag.is_some()));
        }
        s
    }

    /// The rightmost compound: the one that must match the element itself.
    pub(crate) fn subject(&self) -> &Compound {
        // A selector is never built without a compound.
        &self.compounds[self.compounds.len() - 1]
    }
}

/// One declaration, already filtered: `name` lower-case, `value` without
/// `!important`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Declaration {
    pub(crate) name: String,
    pub(crate) value: String,
    pub(crate) important: bool,
}

/// One selector with the declarations of its rule.
#[derive(Debug)]
pub(crate) struct Rule {
    pub(crate) selector: Selector,
    /// Index into [`Sheet::blocks`]; the selectors of a list share a block.
    pub(crate) block: usize,
    /// Position of the rule in the document's sheets.
    pub(crate) order: usize,
}

/// Every usable rule of a document's sheets.
#[derive(Debug, Default)]
pub(crate) struct Sheet {
    pub(crate) rules: Vec<Rule>,
    pub(crate) blocks: Vec<Vec<Declaration>>,
}

/// A bound was passed: the caller gives up inlining altogether.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct TooBig;

impl Sheet {
    /// Adds the rules of one sheet's text.
    pub(crate) fn add(&mut self, css: &str) -> Result<(), TooBig> {
        let css = strip_comments(css);
        self.read_rules(&css, true)
    }

    fn read_rules(&mut self, css: &str, top_level: bool) -> Result<(), TooBig> {
        let mut rest = css;
        loop {
            rest = rest.trim_start_matches(|c: char| c.is_whitespace());
            // CDO and CDC are allowed, and meaningless, between rules.
            if let Some(r) = rest
                .strip_prefix("<!--")
                .or_else(|| rest.strip_prefix("-->"))
            {
                rest = r;
                continue;
            }
            if rest.is_empty() {
                return Ok(());
            }
            let Some((prelude, block, after)) = next_rule(rest) else {
                return Ok(());
            };
            rest = after;
            let Some(block) = block else {
                // A statement at-rule (`@import …;`, `@charset …;`): ignored.
                continue;
            };
            if let Some(at) = prelude.strip_prefix('@') {
                let name_len = at
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                    .unwrap_or(at.len());
                let (name, condition) = at.split_at(name_len);
                if top_level && name.eq_ignore_ascii_case("media") && media_applies(condition) {
                    self.read_rules(block, false)?;
                }
                continue;
            }
            self.add_rule(prelude, block)?;
        }
    }

    fn add_rule(&mut self, prelude: &str, block: &str) -> Result<(), TooBig> {
        let selectors: Vec<Selector> = split_top_level(prelude, ',')
            .into_iter()
            .filter_map(parse_selector)
            .collect();
        if selectors.is_empty() {
            return Ok(());
        }
        let declarations = parse_declarations(block);
        if declarations.is_empty() {
            return Ok(());
        }
        if self.rules.len() + selectors.len() > MAX_SELECTORS {
            return Err(TooBig);
        }
        let block = self.blocks.len();
        let order = self.rules.len();
        self.blocks.push(declarations);
        self.rules
            .extend(selectors.into_iter().map(|selector| Rule {
                selector,
                block,
                order,
            }));
        Ok(())
    }
}

/// Whether a `media` attribute or `@media` condition covers a screen in
/// general: empty, `all`, `screen` (optionally `only`) in a list. Anything
/// with a feature test (`(max-width: 600px)`) does not: those rules are
/// written for some screens only, usually phones.
pub(crate) fn media_applies(media: &str) -> bool {
    let media = media.trim().to_ascii_lowercase();
    if media.is_empty() {
        return true;
    }
    if media.contains('(') {
        return false;
    }
    media.split(',').any(|q| {
        let q = q.trim();
        let q = q.strip_prefix("only ").map_or(q, str::trim);
        q == "all" || q == "screen"
    })
}

/// Replaces `/* … */` comments outside strings by a space. An unclosed
/// comment runs to the end, as in CSS.
fn strip_comments(css: &str) -> String {
    if !css.contains("/*") {
        return css.to_string();
    }
    let mut out = String::with_capacity(css.len());
    let mut chars = css.char_indices().peekable();
    let mut quote: Option<char> = None;
    while let Some((i, c)) = chars.next() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == '\\' {
                    if let Some((_, n)) = chars.next() {
                        out.push(n);
                    }
                } else if c == q || c == '\n' {
                    quote = None;
                }
            }
            None if c == '/' && css[i..].starts_with("/*") => {
                chars.next();
                match css[i + 2..].find("*/") {
                    Some(end) => {
                        let stop = i + 2 + end + 2;
                        while chars.peek().is_some_and(|&(j, _)| j < stop) {
                            chars.next();
                        }
                    }
                    None => break,
                }
                out.push(' ');
            }
            None => {
                if c == '"' || c == '\'' {
                    quote = Some(c);
                } else if c == '\\'
                    && let Some((_, n)) = chars.next()
                {
                    out.push(c);
                    out.push(n);
                    continue;
                }
                out.push(c);
            }
        }
    }
    out
}

/// The next rule in `css`: its prelude (trimmed), its block content if it has
/// one, and what follows. `None` when nothing rule-like is left.
fn next_rule(css: &str) -> Option<(&str, Option<&str>, &str)> {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut parens = 0usize;
    for (i, c) in css.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match (quote, c) {
            (_, '\\') => escaped = true,
            (Some(q), c) if c == q || c == '\n' => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(' | '[') => parens += 1,
            (None, ')' | ']') => parens = parens.saturating_sub(1),
            (None, ';') if parens == 0 && css.starts_with('@') => {
                return Some((css[..i].trim(), None, &css[i + 1..]));
            }
            (None, '{') => {
                let inner = &css[i + 1..];
                let end = block_end(inner);
                let after = inner.get(end + 1..).unwrap_or("");
                return Some((css[..i].trim(), Some(&inner[..end]), after));
            }
            _ => {}
        }
    }
    None
}

/// Offset of the `}` closing a block whose content starts `inner`, or its
/// length when the block is never closed.
fn block_end(inner: &str) -> usize {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in inner.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match (quote, c) {
            (_, '\\') => escaped = true,
            (Some(q), c) if c == q || c == '\n' => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '{') => depth += 1,
            (None, '}') if depth == 0 => return i,
            (None, '}') => depth -= 1,
            _ => {}
        }
    }
    inner.len()
}

/// Splits on `sep` outside brackets and quotes.
fn split_top_level(s: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(' | '[') => depth += 1,
            (None, ')' | ']') => depth = depth.saturating_sub(1),
            (None, c) if c == sep && depth == 0 => {
                parts.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

/// The declarations of a block that pass the CSS filter.
pub(crate) fn parse_declarations(block: &str) -> Vec<Declaration> {
    let mut out = Vec::new();
    for decl in split_declarations(block) {
        let Some((name, value)) = decl.split_once(':') else {
            continue;
        };
        let (value, important) = strip_important(value.trim());
        for (name, value) in read_declaration(name, value) {
            out.push(Declaration {
                name,
                value,
                important,
            });
        }
    }
    out
}

/// Splits `red ! important` into `red` and `true`.
fn strip_important(value: &str) -> (&str, bool) {
    if let Some(bang) = value.rfind('!') {
        let flag = value[bang + 1..].trim();
        if flag.eq_ignore_ascii_case("important") {
            return (value[..bang].trim_end(), true);
        }
    }
    (value, false)
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_' || !c.is_ascii()
}

/// A CSS identifier: not empty, not starting with a digit or `-digit`.
fn ident_ok(s: &str) -> bool {
    let body = s.strip_prefix('-').unwrap_or(s);
    !s.is_empty()
        && s != "-"
        && s.chars().all(is_ident_char)
        && !body.starts_with(|c: char| c.is_ascii_digit())
}

/// Reads one complex selector, or `None` if it uses anything beyond the
/// supported subset.
pub(crate) fn parse_selector(s: &str) -> Option<Selector> {
    let s = s.trim();
    if s.is_empty()
        || !s
            .chars()
            .all(|c| is_ident_char(c) || c.is_whitespace() || matches!(c, '.' | '#' | '*' | '>'))
    {
        return None;
    }
    let mut compounds = Vec::new();
    let mut combinators = Vec::new();
    let mut pending: Option<Combinator> = None;
    let spaced = s.replace('>', " > ");
    for token in spaced.split_whitespace() {
        if token == ">" {
            if compounds.is_empty() || pending == Some(Combinator::Child) {
                return None;
            }
            pending = Some(Combinator::Child);
            continue;
        }
        if !compounds.is_empty() {
            combinators.push(pending.take().unwrap_or(Combinator::Descendant));
        }
        pending = None;
        compounds.push(parse_compound(token)?);
        if compounds.len() > MAX_COMPOUNDS {
            return None;
        }
    }
    if pending.is_some() || compounds.is_empty() {
        return None;
    }
    Some(Selector {
        compounds,
        combinators,
    })
}

fn parse_compound(token: &str) -> Option<Compound> {
    let mut compound = Compound::default();
    let first_mark = token.find(['.', '#']).unwrap_or(token.len());
    let (tag, mut rest) = token.split_at(first_mark);
    match tag {
        "" | "*" => {}
        t if ident_ok(t) => compound.tag = Some(t.to_ascii_lowercase()),
        _ => return None,
    }
    while let Some(mark) = rest.chars().next() {
        let body = &rest[1..];
        let end = body.find(['.', '#']).unwrap_or(body.len());
        let name = &body[..end];
        if !ident_ok(name) {
            return None;
        }
        if mark == '.' {
            compound.classes.push(name.to_string());
        } else {
            compound.ids.push(name.to_string());
        }
        rest = &body[end..];
    }
    Some(compound)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(s: &str) -> Option<String> {
        parse_selector(s).map(|sel| {
            let mut out = String::new();
            for (i, c) in sel.compounds.iter().enumerate() {
                if i > 0 {
                    out.push_str(match sel.combinators[i - 1] {
                        Combinator::Descendant => " ",
                        Combinator::Child => " > ",
                    });
                }
                out.push_str(c.tag.as_deref().unwrap_or("*"));
                for id in &c.ids {
                    out.push('#');
                    out.push_str(id);
                }
                for class in &c.classes {
                    out.push('.');
                    out.push_str(class);
                }
            }
            out
        })
    }

    #[test]
    fn selectors() {
        let cases: &[(&str, Option<&str>)] = &[
            ("td", Some("td")),
            ("TD", Some("td")),
            (".a", Some("*.a")),
            ("#x", Some("*#x")),
            ("td.foo.bar", Some("td.foo.bar")),
            ("table td", Some("table td")),
            ("table>td", Some("table > td")),
            ("div > .a  p", Some("div > *.a p")),
            ("*", Some("*")),
            ("* .a", Some("* *.a")),
            ("a:hover", None),
            ("p::first-line", None),
            ("a[href]", None),
            ("h1 + p", None),
            ("h1 ~ p", None),
            (".a\\:b", None),
            ("> p", None),
            ("p >", None),
            ("p > > a", None),
            (".2col", None),
            (".-2col", None),
            ("..a", None),
            ("#", None),
            ("", None),
            (".é", Some("*.é")),
            ("p.", None),
            ("a b c d e f g h i j k l m n o p q", None),
        ];
        for (input, want) in cases {
            assert_eq!(sel(input).as_deref(), *want, "selector {input:?}");
        }
        let spec = |s: &str| parse_selector(s).expect(s).specificity();
        assert_eq!(spec("td"), (0, 0, 1));
        assert_eq!(spec("table td.a"), (0, 1, 2));
        assert_eq!(spec("#x .a .b"), (1, 2, 0));
        assert_eq!(spec("*"), (0, 0, 0));
    }

    /// A rule as `(selector, ["name: value", …])`.
    type Shown = (String, Vec<String>);

    fn rules(css: &str) -> Vec<Shown> {
        let mut sheet = Sheet::default();
        sheet.add(css).expect("within bounds");
        sheet
            .rules
            .iter()
            .map(|r| {
                let decls = sheet.blocks[r.block]
                    .iter()
                    .map(|d| {
                        let bang = if d.important { " !" } else { "" };
                        format!("{}: {}{bang}", d.name, d.value)
                    })
                    .collect();
                (sel_string(&r.selector), decls)
            })
            .collect()
    }

    fn sel_string(s: &Selector) -> String {
        s.compounds
            .iter()
            .map(|c| {
                let mut out = c.tag.clone().unwrap_or_else(|| "*".into());
                for class in &c.classes {
                    out.push('.');
                    out.push_str(class);
                }
                out
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn sheets() {
        let r = |s: &str, d: &[&str]| (s.to_string(), d.iter().map(|x| x.to_string()).collect());
        let cases: Vec<(&str, &str, Vec<Shown>)> = vec![
            (
                "simple",
                ".a { color: red; padding: 0 }",
                vec![r("*.a", &["color: red", "padding: 0"])],
            ),
            (
                "list shares block",
                "h1, h2 { color: blue }",
                vec![r("h1", &["color: blue"]), r("h2", &["color: blue"])],
            ),
            (
                "unsupported selector in list dropped alone",
                "a:hover, a { color: red }",
                vec![r("a", &["color: red"])],
            ),
            (
                "important",
                "p { color: red ! IMPORTANT; margin: 0 !important }",
                vec![r("p", &["color: red !", "margin: 0 !"])],
            ),
            (
                "unsafe declarations filtered, a background image kept for the image policy",
                "p { background: url(http://t.test/a); width: expression(alert(1)); color: red; behavior: url(x.htc); -moz-binding: url(x) }",
                vec![r(
                    "p",
                    &["background-image: url(\"http://t.test/a\")", "color: red"],
                )],
            ),
            (
                "rule left with nothing is dropped",
                "p { position: fixed }",
                vec![],
            ),
            (
                "import",
                "@import url(http://t.test/a.css); p { color: red }",
                vec![r("p", &["color: red"])],
            ),
            (
                "import string",
                "@import 'a.css'; p{color:red}",
                vec![r("p", &["color: red"])],
            ),
            (
                "font-face skipped",
                "@font-face { font-family: X; src: url(http://t.test/x.woff) } p { font-family: X }",
                vec![r("p", &["font-family: X"])],
            ),
            (
                "keyframes skipped",
                "@keyframes k { from { color: red } to { color: blue } } p { color: green }",
                vec![r("p", &["color: green"])],
            ),
            (
                "media screen kept",
                "@media screen { .a { color: red } } .b { color: blue }",
                vec![r("*.a", &["color: red"]), r("*.b", &["color: blue"])],
            ),
            (
                "media query skipped",
                "@media only screen and (max-width: 600px) { .a { width: 100% !important } } .b { color: blue }",
                vec![r("*.b", &["color: blue"])],
            ),
            (
                "media print skipped",
                "@media print { .a { color: red } }",
                vec![],
            ),
            (
                "comments",
                "/* x { color: red } */ p { color: /* c */ red }",
                vec![r("p", &["color: red"])],
            ),
            (
                "comment splitting a keyword stays split",
                "p { width: exp/**/ression(alert(1)) }",
                vec![],
            ),
            (
                "escape in value",
                "p { width: e\\78pression(alert(1)) }",
                vec![],
            ),
            ("escape in selector", ".a\\{ { color: red }", vec![]),
            (
                "brace in string",
                "p { font-family: \"a}b\" } .c { color: red }",
                vec![r("*.c", &["color: red"])],
            ),
            (
                "unclosed block",
                "p { color: red",
                vec![r("p", &["color: red"])],
            ),
            (
                "unclosed comment",
                "p { color: red } /* .a { color: blue }",
                vec![r("p", &["color: red"])],
            ),
            (
                "cdo cdc",
                "<!-- p { color: red } -->",
                vec![r("p", &["color: red"])],
            ),
            ("garbage", "}}}{{{;;;", vec![]),
            (
                "nested media not read",
                "@media screen { @media screen { p { color: red } } }",
                vec![],
            ),
            (
                "entity stays literal",
                "p { background: &#117;rl(http://t.test/a); color: red }",
                vec![r("p", &["color: red"])],
            ),
            (
                "html in sheet",
                "p { color: red } </style><script>alert(1)</script>",
                vec![r("p", &["color: red"])],
            ),
        ];
        for (name, css, want) in cases {
            assert_eq!(rules(css), want, "case {name}");
        }
    }

    #[test]
    fn too_many_selectors() {
        let css: String = (0..=MAX_SELECTORS)
            .map(|i| format!(".c{i} {{ color: red }}"))
            .collect();
        let mut sheet = Sheet::default();
        assert_eq!(sheet.add(&css), Err(TooBig));
    }

    #[test]
    fn media() {
        for (m, want) in [
            ("", true),
            ("all", true),
            ("screen", true),
            ("only screen", true),
            ("print, screen", true),
            ("print", false),
            ("screen and (max-width: 600px)", false),
            ("(prefers-color-scheme: dark)", false),
        ] {
            assert_eq!(media_applies(m), want, "{m:?}");
        }
    }
}
