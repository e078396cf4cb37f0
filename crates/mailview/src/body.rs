//! Choosing and rendering the body: HTML when there is any, else plain
//! text, else nothing.

use std::collections::{HashMap, HashSet};

use mail_parser::{Message, MimeHeaders, PartType};
use model::mail::Body;
use sanitize::Policy;

use crate::{InlinePart, MAX_INLINE_PARTS, ViewOptions};

/// The body, and the parts it shows inline.
pub(crate) struct Rendered {
    pub body: Body,
    pub inline_parts: HashSet<u32>,
}

pub(crate) fn render(msg: &Message<'_>, options: &ViewOptions) -> Rendered {
    let part = |i: u32| msg.parts.get(i as usize);
    let has_html = msg
        .html_body
        .iter()
        .any(|&i| part(i).is_some_and(|p| matches!(p.body, PartType::Html(_))));
    let mut inline_parts = HashSet::new();
    if has_html {
        let by_cid = content_ids(msg);
        // URLs for the Content-IDs the HTML refers to, and only so many:
        // every other part stays an attachment.
        let mut urls: HashMap<String, String> = HashMap::new();
        let mut shown = 0usize;
        for &i in &msg.html_body {
            let Some(PartType::Html(h)) = part(i).map(|p| &p.body) else {
                continue;
            };
            for cid in sanitize::cid_references(h) {
                let cid = cid.trim_matches(['<', '>']).to_owned();
                let n = by_cid
                    .get(&cid)
                    .or_else(|| by_cid.get(&cid.to_lowercase()))
                    .copied();
                let Some(n) = n.filter(|_| !urls.contains_key(&cid)) else {
                    continue;
                };
                if shown >= MAX_INLINE_PARTS {
                    break;
                }
                if let Some(url) = inline_url(msg, n, options) {
                    shown += 1;
                    urls.insert(cid.to_lowercase(), url.clone());
                    urls.insert(cid, url);
                }
            }
        }
        let policy = Policy {
            allow_remote_images: options.allow_remote_images,
            cid_url: Some(Box::new(move |cid: &str| {
                urls.get(cid.trim_matches(['<', '>']))
                    .or_else(|| urls.get(&cid.trim_matches(['<', '>']).to_lowercase()))
                    .cloned()
            })),
        };
        let mut html = String::new();
        let mut blocked_images = 0;
        for &i in &msg.html_body {
            let Some(p) = part(i) else { continue };
            match &p.body {
                PartType::Html(h) => {
                    let s = sanitize::email_html(h, &policy);
                    html.push_str(&s.html);
                    blocked_images += s.blocked_images;
                    for cid in &s.cid_refs {
                        let n = by_cid.get(cid).or_else(|| by_cid.get(&cid.to_lowercase()));
                        if let Some(&n) = n {
                            inline_parts.insert(n);
                        }
                    }
                }
                PartType::Text(t) => html.push_str(&sanitize::text_to_html(t)),
                PartType::InlineBinary(_) | PartType::Binary(_)
                    if is_image(p) && inline_parts.len() < MAX_INLINE_PARTS =>
                {
                    if let Some(url) = inline_url(msg, i, options) {
                        html.push_str("<p><img src=\"");
                        push_escaped(&mut html, &url);
                        html.push_str("\"></p>");
                        inline_parts.insert(i);
                    }
                }
                _ => {}
            }
        }
        return Rendered {
            body: Body::Html {
                html,
                blocked_images,
            },
            inline_parts,
        };
    }
    let mut html = String::new();
    for &i in &msg.text_body {
        if let Some(PartType::Text(t)) = part(i).map(|p| &p.body) {
            html.push_str(&sanitize::text_to_html(t));
        }
    }
    if html.is_empty()
        && let Some(p) = part(0)
        && let PartType::Text(t) = &p.body
        && p.content_type()
            .is_some_and(|c| c.c_type.eq_ignore_ascii_case("multipart"))
    {
        // A multipart message whose boundary never appears: its text is all
        // there is to show.
        html.push_str(&sanitize::text_to_html(t));
    }
    let body = if html.is_empty() {
        Body::Empty
    } else {
        Body::Text { html }
    };
    Rendered { body, inline_parts }
}

/// The caller's URL for part `n`, given its decoded content.
fn inline_url(msg: &Message<'_>, n: u32, options: &ViewOptions) -> Option<String> {
    let p = msg.parts.get(n as usize)?;
    let content_type = crate::attachments::content_type(p);
    Some((options.part_url)(&InlinePart {
        part: n,
        content_type: &content_type,
        bytes: p.contents(),
    }))
}

/// Content-ID (no brackets) → part index, for leaf parts. Lower-cased
/// copies are added so a reference differing only in case still resolves.
fn content_ids(msg: &Message<'_>) -> HashMap<String, u32> {
    let mut map = HashMap::new();
    for (i, p) in msg.parts.iter().enumerate() {
        if matches!(p.body, PartType::Multipart(_)) {
            continue;
        }
        let Ok(n) = u32::try_from(i) else { break };
        if let Some(cid) = p.content_id() {
            let cid = cid.trim().trim_matches(['<', '>']).to_string();
            if cid.is_empty() {
                continue;
            }
            map.entry(cid.to_lowercase()).or_insert(n);
            map.entry(cid).or_insert(n);
        }
    }
    map
}

fn is_image(p: &mail_parser::MessagePart<'_>) -> bool {
    p.content_type().is_some_and(|c| {
        c.c_type.eq_ignore_ascii_case("image")
            && c.c_subtype.as_deref().is_some_and(|s| {
                ["png", "jpeg", "jpg", "gif", "webp"]
                    .iter()
                    .any(|t| s.eq_ignore_ascii_case(t))
            })
    })
}

fn push_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}
