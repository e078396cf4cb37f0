//! Inlining `<style>` sheets into `style` attributes, before sanitising.
//!
//! Newsletters style by class; once `<style>` is gone (it always goes) that
//! styling would be lost. This pass reads the sheets ([`crate::stylesheet`]),
//! matches their rules against the parsed document, resolves the cascade
//! per element and writes the winners into `style` attributes. The result is
//! plain HTML again, which the sanitizer then cleans like any other input:
//! every inlined declaration meets the same CSS filter as a hand-written one,
//! and nothing here can add an element or an attribute other than `style`.
//!
//! The cascade: a declaration from a sheet ranks by `!important`, then
//! specificity, then source order; the element's own `style` attribute beats
//! every sheet declaration of the same importance. The winners are written
//! lowest rank first with `!important` removed, so a shorthand and a
//! longhand of the same property still combine as they did.
//!
//! The work is bounded ([`MAX_MATCH_STEPS`], and the limits of the sheet
//! reader). Past a bound nothing is inlined at all, so hostile mail costs a
//! fixed amount of time and gets the old behaviour: sheets simply dropped.

use std::collections::HashMap;

use html5ever::local_name;

use crate::css::MAX_STYLE_LEN;
use crate::dom::{self, Dom, Kind, NodeId};
use crate::stylesheet::{
    Combinator, Compound, Declaration, MAX_CSS_BYTES, Selector, Sheet, media_applies,
    parse_declarations,
};

/// Most compound-against-element tests (plus declarations applied) per
/// document. A long newsletter needs a few tens of thousands.
pub(crate) const MAX_MATCH_STEPS: usize = 300_000;

/// The document with its sheets inlined and removed, or `None` when there
/// is nothing to inline or a bound was passed (the caller then sanitises
/// the original, which drops the sheets).
pub(crate) fn inline_styles(html: &str) -> Option<String> {
    if !contains_ignore_ascii_case(html.as_bytes(), b"<style") {
        return None;
    }
    let mut dom = dom::parse(html);
    let body = dom.body()?;
    let all = dom.descendants(0);
    let sheet = read_sheets(&dom, &all)?;
    if sheet.rules.is_empty() {
        return None;
    }
    let styles = cascade(&dom, &all, &sheet)?;
    let mut wrapper = None;
    for (id, style) in styles {
        if id == body {
            wrapper = Some(style);
        } else {
            dom.set_attr(id, local_name!("style"), &style);
        }
    }
    let is_sheet = |dom: &Dom, id: NodeId| dom.html_name(id) == Some(&local_name!("style"));
    Some(dom.serialize_children(body, &is_sheet, wrapper.as_deref()))
}

fn contains_ignore_ascii_case(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// The rules of every HTML `<style>` in the document whose `media` fits a
/// screen, in document order.
fn read_sheets(dom: &Dom, all: &[NodeId]) -> Option<Sheet> {
    let mut sheet = Sheet::default();
    let mut bytes = 0usize;
    for &id in all {
        if dom.html_name(id) != Some(&local_name!("style"))
            || !dom.attr(id, "media").is_none_or(media_applies)
        {
            continue;
        }
        let mut css = String::new();
        for &child in &dom.nodes[id].children {
            if let Kind::Text(t) = &dom.nodes[child].kind {
                css.push_str(t);
            }
        }
        bytes += css.len();
        if bytes > MAX_CSS_BYTES {
            return None;
        }
        sheet.add(&css).ok()?;
    }
    Some(sheet)
}

/// What a selector can test on one element.
struct Element<'a> {
    tag: &'a str,
    id: Option<&'a str>,
    classes: Vec<&'a str>,
    /// Index (in the element list) of the parent element.
    parent: Option<usize>,
    /// The names, ids and classes of all ancestors, as a one-hash Bloom
    /// filter ([`bit`]): a rule needing an ancestor that is surely absent is
    /// rejected without walking up the tree.
    ancestors: u64,
}

/// The Bloom filter bit of a tag (`t`), id (`#`) or class (`.`).
fn bit(kind: u8, name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in std::iter::once(kind).chain(name.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    1 << (h % 64)
}

/// The Bloom bits an element contributes to its descendants.
fn own_bits(e: &Element<'_>) -> u64 {
    let mut bits = bit(b't', e.tag);
    if let Some(id) = e.id {
        bits |= bit(b'#', id);
    }
    for class in &e.classes {
        bits |= bit(b'.', class);
    }
    bits
}

/// The Bloom bits a selector needs among the ancestors of its subject.
fn required_bits(selector: &Selector) -> u64 {
    let mut bits = 0;
    for c in &selector.compounds[..selector.compounds.len() - 1] {
        if let Some(tag) = &c.tag {
            bits |= bit(b't', tag);
        }
        for id in &c.ids {
            bits |= bit(b'#', id);
        }
        for class in &c.classes {
            bits |= bit(b'.', class);
        }
    }
    bits
}

/// Where a declaration comes from, in the order it loses: sheets by
/// specificity and position, then the element's own attribute.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Rank {
    important: bool,
    inline: bool,
    specificity: (u16, u16, u16),
    order: usize,
    /// Position inside the rule's block or the attribute.
    position: usize,
}

/// The new `style` of every element a rule matched, or `None` when the
/// work bound was passed.
fn cascade(dom: &Dom, all: &[NodeId], sheet: &Sheet) -> Option<Vec<(NodeId, String)>> {
    let (elements, ids) = elements(dom, all);

    // Rules keyed by what their subject requires most selectively, so each
    // element is only tested against rules that can match it.
    let mut by_id: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_class: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_tag: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut universal = Vec::new();
    let required: Vec<u64> = sheet
        .rules
        .iter()
        .map(|r| required_bits(&r.selector))
        .collect();
    let specificity: Vec<_> = sheet
        .rules
        .iter()
        .map(|r| r.selector.specificity())
        .collect();
    for (i, rule) in sheet.rules.iter().enumerate() {
        let subject = rule.selector.subject();
        if let Some(id) = subject.ids.first() {
            by_id.entry(id).or_default().push(i);
        } else if let Some(class) = subject.classes.first() {
            by_class.entry(class).or_default().push(i);
        } else if let Some(tag) = &subject.tag {
            by_tag.entry(tag).or_default().push(i);
        } else {
            universal.push(i);
        }
    }

    let mut steps = 0usize;
    let mut out = Vec::new();
    let mut candidates = Vec::new();
    for (e, element) in elements.iter().enumerate() {
        candidates.clear();
        candidates.extend_from_slice(&universal);
        if let Some(r) = by_tag.get(element.tag) {
            candidates.extend_from_slice(r);
        }
        if let Some(r) = element.id.and_then(|id| by_id.get(id)) {
            candidates.extend_from_slice(r);
        }
        for (k, class) in element.classes.iter().enumerate() {
            if element.classes[..k].contains(class) {
                continue;
            }
            if let Some(r) = by_class.get(class) {
                candidates.extend_from_slice(r);
            }
        }
        let mut winners: Vec<(Rank, &Declaration)> = Vec::new();
        for &r in &candidates {
            let rule = &sheet.rules[r];
            let selector = &rule.selector;
            let last = selector.compounds.len() - 1;
            if required[r] & element.ancestors != required[r]
                || !matches(&elements, e, selector, last, &mut steps)?
            {
                continue;
            }
            let block = &sheet.blocks[rule.block];
            steps += block.len();
            for (position, d) in block.iter().enumerate() {
                winners.push((
                    Rank {
                        important: d.important,
                        inline: false,
                        specificity: specificity[r],
                        order: rule.order,
                        position,
                    },
                    d,
                ));
            }
        }
        if steps > MAX_MATCH_STEPS {
            return None;
        }
        if winners.is_empty() {
            continue;
        }
        let own = own_declarations(dom, ids[e]);
        for (i, d) in own.iter().enumerate() {
            winners.push((
                Rank {
                    important: d.important,
                    inline: true,
                    specificity: (0, 0, 0),
                    order: 0,
                    position: i,
                },
                d,
            ));
        }
        out.push((ids[e], resolve(winners)));
    }
    Some(out)
}

/// The HTML elements of the document in order, and their node ids.
fn elements<'a>(dom: &'a Dom, all: &[NodeId]) -> (Vec<Element<'a>>, Vec<NodeId>) {
    let mut index: HashMap<NodeId, usize> = HashMap::new();
    let mut elements = Vec::new();
    let mut ids = Vec::new();
    for &id in all {
        let Some(tag) = dom.html_name(id) else {
            continue;
        };
        let parent = dom.nodes[id].parent.and_then(|p| index.get(&p).copied());
        let ancestors = parent.map_or(0, |p: usize| {
            let p: &Element<'_> = &elements[p];
            p.ancestors | own_bits(p)
        });
        index.insert(id, elements.len());
        elements.push(Element {
            tag,
            id: dom.attr(id, "id"),
            classes: dom
                .attr(id, "class")
                .map(|c| c.split_ascii_whitespace().collect())
                .unwrap_or_default(),
            parent,
            ancestors,
        });
        ids.push(id);
    }
    (elements, ids)
}

/// Whether compounds `0..=k` of `selector` match with compound `k` on
/// element `e`. `None` once the step budget is spent. Recursion depth is at
/// most the number of compounds, which the sheet reader bounds.
fn matches(
    elements: &[Element<'_>],
    e: usize,
    selector: &Selector,
    k: usize,
    steps: &mut usize,
) -> Option<bool> {
    *steps += 1;
    if *steps > MAX_MATCH_STEPS {
        return None;
    }
    if !compound_matches(&selector.compounds[k], &elements[e]) {
        return Some(false);
    }
    if k == 0 {
        return Some(true);
    }
    let mut ancestor = elements[e].parent;
    match selector.combinators[k - 1] {
        Combinator::Child => match ancestor {
            Some(p) => matches(elements, p, selector, k - 1, steps),
            None => Some(false),
        },
        Combinator::Descendant => {
            while let Some(a) = ancestor {
                if matches(elements, a, selector, k - 1, steps)? {
                    return Some(true);
                }
                ancestor = elements[a].parent;
            }
            Some(false)
        }
    }
}

fn compound_matches(c: &Compound, e: &Element<'_>) -> bool {
    c.tag.as_deref().is_none_or(|t| t == e.tag)
        && c.ids.iter().all(|id| e.id == Some(id.as_str()))
        && c.classes
            .iter()
            .all(|class| e.classes.contains(&class.as_str()))
}

/// The element's own `style` declarations that pass the filter.
fn own_declarations(dom: &Dom, id: NodeId) -> Vec<Declaration> {
    let Some(style) = dom.attr(id, "style") else {
        return Vec::new();
    };
    if style.len() > MAX_STYLE_LEN {
        return Vec::new();
    }
    parse_declarations(style)
}

/// One declaration per property, the highest-ranked, written lowest rank
/// first so later ones override earlier ones as the cascade did.
fn resolve(mut winners: Vec<(Rank, &Declaration)>) -> String {
    winners.sort_by_key(|w| std::cmp::Reverse(w.0));
    let mut seen: Vec<&str> = Vec::new();
    let mut kept = Vec::new();
    for (_, d) in winners {
        if !seen.contains(&d.name.as_str()) {
            seen.push(&d.name);
            kept.push(d);
        }
    }
    kept.reverse();
    let mut out = String::new();
    for d in kept {
        if !out.is_empty() {
            out.push_str("; ");
        }
        out.push_str(&d.name);
        out.push_str(": ");
        out.push_str(&d.value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::inline_styles;

    #[test]
    fn table() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("no sheet", "<p class=a>x</p>", None),
            ("empty sheet", "<style></style><p class=a>x</p>", None),
            (
                "class",
                "<style>.a { color: red }</style><p class=a>x</p><p>y</p>",
                Some("<p class=\"a\" style=\"color: red\">x</p><p>y</p>"),
            ),
            (
                "type and compound",
                "<style>td { padding: 0 } td.n { color: red }</style><table><tr><td class=n>1</td><td>2</td></tr></table>",
                Some(
                    "<table><tbody><tr><td class=\"n\" style=\"padding: 0; color: red\">1</td><td style=\"padding: 0\">2</td></tr></tbody></table>",
                ),
            ),
            (
                "id beats class beats type",
                "<style>#x { color: red } .a { color: green } p { color: blue }</style><p id=x class=a>x</p>",
                Some("<p id=\"x\" class=\"a\" style=\"color: red\">x</p>"),
            ),
            (
                "later rule of equal specificity wins",
                "<style>.a { color: red } .b { color: blue }</style><p class='b a'>x</p>",
                Some("<p class=\"b a\" style=\"color: blue\">x</p>"),
            ),
            (
                "inline wins",
                "<style>#x.a { color: red; margin: 0 }</style><p id=x class=a style='color: blue'>x</p>",
                Some("<p id=\"x\" class=\"a\" style=\"margin: 0; color: blue\">x</p>"),
            ),
            (
                "important beats inline",
                "<style>.a { color: red !important }</style><p class=a style='color: blue'>x</p>",
                Some("<p class=\"a\" style=\"color: red\">x</p>"),
            ),
            (
                "inline important beats sheet important",
                "<style>.a { color: red !important }</style><p class=a style='color: blue !important'>x</p>",
                Some("<p class=\"a\" style=\"color: blue\">x</p>"),
            ),
            (
                "order inside a block kept",
                "<style>.a { padding-left: 5px; padding: 0 }</style><p class=a>x</p>",
                Some("<p class=\"a\" style=\"padding-left: 5px; padding: 0\">x</p>"),
            ),
            (
                "shorthand then longhand keep their order",
                "<style>.a { padding: 0 } .a.b { padding-left: 5px }</style><p class='a b'>x</p>",
                Some("<p class=\"a b\" style=\"padding: 0; padding-left: 5px\">x</p>"),
            ),
            (
                "descendant",
                "<style>.box p { color: red }</style><div class=box><div><p>x</p></div></div><p>y</p>",
                Some("<div class=\"box\"><div><p style=\"color: red\">x</p></div></div><p>y</p>"),
            ),
            (
                "child",
                "<style>.box > p { color: red }</style><div class=box><p>x</p><div><p>y</p></div></div>",
                Some("<div class=\"box\"><p style=\"color: red\">x</p><div><p>y</p></div></div>"),
            ),
            (
                "child needs backtracking",
                "<style>.a > .b .c { color: red }</style><div class=a><div class=b><div class=b><p class=c>x</p></div></div></div>",
                Some(
                    "<div class=\"a\"><div class=\"b\"><div class=\"b\"><p class=\"c\" style=\"color: red\">x</p></div></div></div>",
                ),
            ),
            (
                "body selector and body descendant",
                "<html><head><style>body { font-family: Arial } body p { margin: 0 }</style></head><body style='color: #333'><p>x</p></body></html>",
                Some(
                    "<div style=\"font-family: Arial; color: #333\"><p style=\"margin: 0\">x</p></div>",
                ),
            ),
            (
                "pseudo-class ignored",
                "<style>a:hover { color: red }</style><a>x</a>",
                None,
            ),
            (
                "media print ignored",
                "<style media=print>p { color: red }</style><p>x</p>",
                None,
            ),
            (
                "classes are case-sensitive",
                "<style>.A { color: red }</style><p class=a>x</p>",
                Some("<p class=\"a\">x</p>"),
            ),
            (
                "unsafe declaration not inlined, a background image carried to the image policy",
                "<style>.a { background: url(http://t.test/x); width: expression(alert(1)); color: red }</style><p class=a>x</p>",
                Some(
                    "<p class=\"a\" style=\"background-image: url(&quot;http://t.test/x&quot;); color: red\">x</p>",
                ),
            ),
            (
                "style in body also read and removed",
                "<p class=a>x</p><style>.a { color: red }</style>",
                Some("<p class=\"a\" style=\"color: red\">x</p>"),
            ),
            (
                "svg style is not a sheet",
                "<style>p{margin:0}</style><svg><style>p { color: red }</style></svg><p>x</p>",
                Some("<svg><style>p { color: red }</style></svg><p style=\"margin: 0\">x</p>"),
            ),
        ];
        for (name, input, want) in cases {
            assert_eq!(inline_styles(input).as_deref(), *want, "case {name}");
        }
    }

    #[test]
    fn bounds_give_up() {
        // Exponential backtracking: many nested divs, and a selector of many
        // descendant steps that fails only at its leftmost compound, with
        // every name it needs present among the ancestors.
        let html = format!(
            "<style>.x > span div div div div div div div div div div p {{ color: red }}</style><div class=x><div><span>{}<p>x</p>",
            "<div>".repeat(2000)
        );
        assert_eq!(inline_styles(&html), None);

        let big = format!(
            "<style>{}</style><p class=a>x</p>",
            ".a { color: red } ".repeat(super::MAX_CSS_BYTES / 10)
        );
        assert_eq!(inline_styles(&big), None);
    }
}
