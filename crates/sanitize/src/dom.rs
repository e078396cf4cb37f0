//! A small arena tree that html5ever builds into, for the two passes that
//! need to see a whole document before `ammonia` does: inlining `<style>`
//! rules ([`crate::inline`]) and rendering plain text ([`crate::plain`]).
//!
//! Nodes live in one `Vec` and refer to each other by index, so nothing is
//! recursive: dropping, walking and serialising a tree thousands of levels deep
//! uses no stack. Comments, doctypes and processing instructions are kept as
//! [`Kind::Other`] only so the tree builder can place them; nobody reads them.

use std::borrow::Cow;
use std::cell::RefCell;
use std::io;

use html5ever::interface::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::serialize::{Serialize, SerializeOpts, Serializer, TraversalScope};
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::{Attribute, LocalName, QualName, local_name, ns};

/// Index of a node in [`Dom::nodes`].
pub(crate) type NodeId = usize;

/// What a node is.
pub(crate) enum Kind {
    Document,
    Element {
        name: QualName,
        attrs: Vec<Attribute>,
        /// The separate fragment holding a `<template>`'s contents.
        template: Option<NodeId>,
    },
    Text(StrTendril),
    /// Comment, doctype or processing instruction.
    Other,
}

pub(crate) struct Node {
    pub(crate) parent: Option<NodeId>,
    pub(crate) children: Vec<NodeId>,
    pub(crate) kind: Kind,
}

/// A parsed document. Node 0 is the document itself.
pub(crate) struct Dom {
    pub(crate) nodes: Vec<Node>,
}

/// Parses `html` as a whole document, as a browser would.
pub(crate) fn parse(html: &str) -> Dom {
    let sink = Sink {
        nodes: RefCell::new(vec![Node {
            parent: None,
            children: Vec::new(),
            kind: Kind::Document,
        }]),
    };
    html5ever::parse_document(sink, html5ever::ParseOpts::default()).one(html)
}

impl Dom {
    /// The element's local name if it is an HTML element.
    pub(crate) fn html_name(&self, id: NodeId) -> Option<&LocalName> {
        match &self.nodes[id].kind {
            Kind::Element { name, .. } if name.ns == ns!(html) => Some(&name.local),
            _ => None,
        }
    }

    /// The value of attribute `name` (no namespace) on element `id`.
    pub(crate) fn attr(&self, id: NodeId, name: &str) -> Option<&str> {
        match &self.nodes[id].kind {
            Kind::Element { attrs, .. } => attrs
                .iter()
                .find(|a| a.name.ns == ns!() && &*a.name.local == name)
                .map(|a| &*a.value),
            _ => None,
        }
    }

    /// Sets attribute `name` (no namespace) on element `id`.
    pub(crate) fn set_attr(&mut self, id: NodeId, name: LocalName, value: &str) {
        if let Kind::Element { attrs, .. } = &mut self.nodes[id].kind {
            match attrs
                .iter_mut()
                .find(|a| a.name.ns == ns!() && a.name.local == name)
            {
                Some(a) => a.value = StrTendril::from_slice(value),
                None => attrs.push(Attribute {
                    name: QualName::new(None, ns!(), name),
                    value: StrTendril::from_slice(value),
                }),
            }
        }
    }

    /// The `<body>` element, if the document has one.
    pub(crate) fn body(&self) -> Option<NodeId> {
        let html = self.nodes[0]
            .children
            .iter()
            .copied()
            .find(|&c| self.html_name(c) == Some(&local_name!("html")))?;
        self.nodes[html]
            .children
            .iter()
            .copied()
            .find(|&c| self.html_name(c) == Some(&local_name!("body")))
    }

    /// Every node under `root` (excluded) in document order.
    pub(crate) fn descendants(&self, root: NodeId) -> Vec<NodeId> {
        let mut out = Vec::new();
        let mut stack: Vec<NodeId> = self.nodes[root].children.iter().rev().copied().collect();
        while let Some(id) = stack.pop() {
            out.push(id);
            stack.extend(self.nodes[id].children.iter().rev().copied());
        }
        out
    }

    /// Serialises the children of `root` as an HTML fragment, leaving out
    /// the elements `skip` says no to (with their content), comments and
    /// the like. With `wrapper_style`, everything is wrapped in a `<div>`
    /// carrying that style.
    pub(crate) fn serialize_children(
        &self,
        root: NodeId,
        skip: &dyn Fn(&Dom, NodeId) -> bool,
        wrapper_style: Option<&str>,
    ) -> String {
        let fragment = Fragment {
            dom: self,
            root,
            skip,
            wrapper_style,
        };
        let mut out = Vec::new();
        let opts = SerializeOpts {
            traversal_scope: TraversalScope::ChildrenOnly(None),
            ..SerializeOpts::default()
        };
        // Writing into a Vec cannot fail.
        let _ = html5ever::serialize(&mut out, &fragment, opts);
        String::from_utf8(out).unwrap_or_default()
    }
}

struct Fragment<'a> {
    dom: &'a Dom,
    root: NodeId,
    skip: &'a dyn Fn(&Dom, NodeId) -> bool,
    wrapper_style: Option<&'a str>,
}

enum Step {
    Open(NodeId),
    Close(NodeId),
}

impl Serialize for Fragment<'_> {
    fn serialize<S: Serializer>(&self, s: &mut S, _: TraversalScope) -> io::Result<()> {
        let div = QualName::new(None, ns!(html), local_name!("div"));
        let style_name = QualName::new(None, ns!(), local_name!("style"));
        if let Some(style) = self.wrapper_style {
            s.start_elem(div.clone(), std::iter::once((&style_name, style)))?;
        }
        let mut stack: Vec<Step> = self.dom.nodes[self.root]
            .children
            .iter()
            .rev()
            .map(|&c| Step::Open(c))
            .collect();
        while let Some(step) = stack.pop() {
            match step {
                Step::Open(id) => {
                    let node = &self.dom.nodes[id];
                    match &node.kind {
                        Kind::Element { name, attrs, .. } => {
                            if (self.skip)(self.dom, id) {
                                continue;
                            }
                            s.start_elem(name.clone(), attrs.iter().map(|a| (&a.name, &*a.value)))?;
                            stack.push(Step::Close(id));
                            stack.extend(node.children.iter().rev().map(|&c| Step::Open(c)));
                        }
                        Kind::Text(t) => s.write_text(t)?,
                        Kind::Document | Kind::Other => {}
                    }
                }
                Step::Close(id) => {
                    if let Kind::Element { name, .. } = &self.dom.nodes[id].kind {
                        s.end_elem(name.clone())?;
                    }
                }
            }
        }
        if self.wrapper_style.is_some() {
            s.end_elem(div)?;
        }
        Ok(())
    }
}

/// The tree builder's side: html5ever calls these while parsing.
struct Sink {
    nodes: RefCell<Vec<Node>>,
}

/// A node as html5ever holds it: the index, plus what the tree builder asks
/// of open elements over and over (the name, the MathML integration point
/// flag), so answering does not touch the arena.
#[derive(Clone)]
struct Handle {
    id: NodeId,
    name: Option<std::rc::Rc<QualName>>,
    mathml_integration_point: bool,
}

impl Sink {
    fn push(&self, kind: Kind) -> NodeId {
        let mut nodes = self.nodes.borrow_mut();
        nodes.push(Node {
            parent: None,
            children: Vec::new(),
            kind,
        });
        nodes.len() - 1
    }

    fn handle(id: NodeId) -> Handle {
        Handle {
            id,
            name: None,
            mathml_integration_point: false,
        }
    }

    fn detach(nodes: &mut [Node], id: NodeId) {
        if let Some(parent) = nodes[id].parent.take() {
            nodes[parent].children.retain(|&c| c != id);
        }
    }

    /// Makes `child` (a node or text) the child of `parent` at `index`,
    /// merging text into a text node just before it.
    fn insert(&self, parent: NodeId, index: usize, child: NodeOrText<Handle>) {
        let mut nodes = self.nodes.borrow_mut();
        let id = match child {
            NodeOrText::AppendText(text) => {
                if let Some(&prev) = index
                    .checked_sub(1)
                    .and_then(|i| nodes[parent].children.get(i))
                    && let Kind::Text(t) = &mut nodes[prev].kind
                {
                    t.push_tendril(&text);
                    return;
                }
                nodes.push(Node {
                    parent: None,
                    children: Vec::new(),
                    kind: Kind::Text(text),
                });
                nodes.len() - 1
            }
            NodeOrText::AppendNode(h) => {
                Self::detach(&mut nodes, h.id);
                h.id
            }
        };
        let index = index.min(nodes[parent].children.len());
        nodes[id].parent = Some(parent);
        nodes[parent].children.insert(index, id);
    }
}

impl TreeSink for Sink {
    type Handle = Handle;
    type Output = Dom;
    type ElemName<'a> = &'a QualName;

    fn finish(self) -> Dom {
        Dom {
            nodes: self.nodes.into_inner(),
        }
    }

    fn parse_error(&self, _msg: Cow<'static, str>) {}

    fn get_document(&self) -> Handle {
        Self::handle(0)
    }

    fn elem_name<'a>(&'a self, target: &'a Handle) -> &'a QualName {
        static EMPTY: std::sync::OnceLock<QualName> = std::sync::OnceLock::new();
        target
            .name
            .as_deref()
            .unwrap_or_else(|| EMPTY.get_or_init(|| QualName::new(None, ns!(), local_name!(""))))
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> Handle {
        let template = flags.template.then(|| self.push(Kind::Document));
        let id = self.push(Kind::Element {
            name: name.clone(),
            attrs,
            template,
        });
        Handle {
            id,
            name: Some(std::rc::Rc::new(name)),
            mathml_integration_point: flags.mathml_annotation_xml_integration_point,
        }
    }

    fn create_comment(&self, _text: StrTendril) -> Handle {
        Self::handle(self.push(Kind::Other))
    }

    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> Handle {
        Self::handle(self.push(Kind::Other))
    }

    fn append(&self, parent: &Handle, child: NodeOrText<Handle>) {
        let len = self.nodes.borrow()[parent.id].children.len();
        self.insert(parent.id, len, child);
    }

    fn append_based_on_parent_node(
        &self,
        element: &Handle,
        prev_element: &Handle,
        child: NodeOrText<Handle>,
    ) {
        if self.nodes.borrow()[element.id].parent.is_some() {
            self.append_before_sibling(element, child);
        } else {
            self.append(prev_element, child);
        }
    }

    fn append_doctype_to_document(&self, _: StrTendril, _: StrTendril, _: StrTendril) {
        let id = self.push(Kind::Other);
        self.append(&Self::handle(0), NodeOrText::AppendNode(Self::handle(id)));
    }

    fn get_template_contents(&self, target: &Handle) -> Handle {
        let nodes = self.nodes.borrow();
        match &nodes[target.id].kind {
            Kind::Element {
                template: Some(t), ..
            } => Self::handle(*t),
            // Only asked of templates; a fresh detached fragment otherwise.
            _ => {
                drop(nodes);
                Self::handle(self.push(Kind::Document))
            }
        }
    }

    fn same_node(&self, x: &Handle, y: &Handle) -> bool {
        x.id == y.id
    }

    fn set_quirks_mode(&self, _mode: QuirksMode) {}

    fn append_before_sibling(&self, sibling: &Handle, child: NodeOrText<Handle>) {
        let parent_and_index = {
            let nodes = self.nodes.borrow();
            nodes[sibling.id].parent.map(|p| {
                let i = nodes[p]
                    .children
                    .iter()
                    .position(|&c| c == sibling.id)
                    .unwrap_or(0);
                (p, i)
            })
        };
        if let Some((parent, index)) = parent_and_index {
            // A node moved from earlier in the same parent shifts the index.
            if let NodeOrText::AppendNode(h) = &child {
                let nodes = self.nodes.borrow();
                if nodes[h.id].parent == Some(parent)
                    && nodes[parent].children.iter().position(|&c| c == h.id) < Some(index)
                {
                    drop(nodes);
                    self.insert(parent, index - 1, child);
                    return;
                }
            }
            self.insert(parent, index, child);
        }
    }

    fn add_attrs_if_missing(&self, target: &Handle, new: Vec<Attribute>) {
        if let Kind::Element { attrs, .. } = &mut self.nodes.borrow_mut()[target.id].kind {
            for a in new {
                if !attrs.iter().any(|b| b.name == a.name) {
                    attrs.push(a);
                }
            }
        }
    }

    fn remove_from_parent(&self, target: &Handle) {
        Self::detach(&mut self.nodes.borrow_mut(), target.id);
    }

    fn reparent_children(&self, node: &Handle, new_parent: &Handle) {
        let mut nodes = self.nodes.borrow_mut();
        let children = std::mem::take(&mut nodes[node.id].children);
        for &c in &children {
            nodes[c].parent = Some(new_parent.id);
        }
        nodes[new_parent.id].children.extend(children);
    }

    fn is_mathml_annotation_xml_integration_point(&self, handle: &Handle) -> bool {
        handle.mathml_integration_point
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(html: &str) -> String {
        let dom = parse(html);
        let body = dom.body().expect("body");
        dom.serialize_children(body, &|_, _| false, None)
    }

    #[test]
    fn table() {
        let cases: &[(&str, &str, &str)] = &[
            ("plain", "<p>a</p>", "<p>a</p>"),
            ("head dropped", "<title>t</title><p>a", "<p>a</p>"),
            ("text merged", "a&amp;b", "a&amp;b"),
            ("misnested", "<b><i>x</b>y</i>", "<b><i>x</i></b><i>y</i>"),
            (
                "foster parenting",
                "<table><tr><td>a</td></tr>b</table>",
                "b<table><tbody><tr><td>a</td></tr></tbody></table>",
            ),
            ("adoption agency", "<a><p>x</a>y", "<a></a><p><a>x</a>y</p>"),
            ("comment dropped", "a<!-- c -->b", "ab"),
            (
                "template empty",
                "<div><template><b>x</b></template>y</div>",
                "<div><template></template>y</div>",
            ),
            (
                "attributes",
                "<p title='a\"b' x=1>",
                "<p title=\"a&quot;b\" x=\"1\"></p>",
            ),
        ];
        for (name, input, want) in cases {
            assert_eq!(round_trip(input), *want, "case {name}");
        }
    }

    #[test]
    fn deep_nesting_uses_no_stack() {
        let html = "<div>".repeat(10_000) + "x";
        let handle = std::thread::Builder::new()
            .stack_size(128 * 1024)
            .spawn(move || {
                let dom = parse(&html);
                let body = dom.body().expect("body");
                let out = dom.serialize_children(body, &|_, _| false, None);
                (dom.descendants(body).len(), out.len())
            })
            .expect("spawn");
        let (n, len) = handle.join().expect("no overflow");
        assert!(n > 1000, "{n}");
        assert!(len > 5000, "{len}");
    }
}
