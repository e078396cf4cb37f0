//! The one sanitizer for HTML, CSS and URLs: received mail bodies, feed
//! entries, calendar descriptions, and the HTML the user writes in the
//! editor. Nothing received is shown any other way.
//!
//! Entry points:
//! - [`email_html`]: received HTML for display, with a [`Policy`] for
//!   images; gives a [`Sanitized`] (the HTML plus what was blocked).
//! - [`compose_html`]: HTML from the rich-text editor, before sending;
//!   [`quote_html`]: received HTML quoted in a reply or forward.
//! - [`html_to_text`]: HTML as plain text (the `text/plain` alternative,
//!   quoting in plain-text replies).
//! - [`text_to_html`]: plain text as escaped HTML with links.
//! - [`estimated_height`]: about how tall sanitised HTML will be, for a
//!   frame whose document cannot be measured; [`clip`]: its beginning, cut
//!   where a cut adds no markup.
//! - [`safe_url`]: the one link check; [`audit`]: an independent check of
//!   output, for tests.
//!
//! Key decisions:
//! - **An allow-list, kept as data** (the `allow` module): elements, attributes, URL
//!   schemes and CSS properties that may pass. Everything else is removed.
//!   Parsing and tree cleaning are `ammonia`'s (html5ever, the same parsing
//!   rules as browsers, iterative so deep nesting cannot overflow the stack).
//! - **Decisions are made on parsed values.** URLs are judged after WHATWG
//!   parsing ([`safe_url`]), attribute values after entity decoding, so
//!   `java&#x09;script:` and friends are seen as a browser sees them.
//! - **CSS is filtered per declaration** (the `css` module): a small property list,
//!   values without escapes, comments, URLs or non-colour functions. One
//!   function judges every declaration, wherever it comes from.
//! - **`<style>` sheets are inlined, then filtered** (the `stylesheet` and
//!   `inline` modules). Before sanitising, a document with `<style>` is
//!   parsed once more into a small arena tree (`dom`); rules with simple
//!   selectors (type, `.class`, `#id`, compounds, descendant and child
//!   combinators, lists) are matched and resolved by `!important`,
//!   specificity and order, the element's own `style` winning ties of
//!   importance, and written into `style` attributes. The sheets are then
//!   dropped as before, and every inlined declaration passes the same filter
//!   as any other. Pseudo-classes, attribute and sibling selectors, escapes,
//!   `@import`, `@font-face`, `@keyframes` and `@media` with conditions (the
//!   mobile overrides) are ignored; `@media screen`/`all` is read. Styles
//!   for `<body>` go on a wrapping `<div>`. The work is bounded (128 KiB of
//!   CSS, 2,048 selectors, 300,000 matching steps); past a bound nothing
//!   is inlined, so hostile sheets cost bounded time and lose only styling.
//!   Classes and ids never reach the output: the sanitized HTML has no
//!   selectors left to evaluate.
//! - **Nothing is fetched unless allowed.** Remote images lose their `src`
//!   (the `<img>` stays as a placeholder with its `alt` and size) and are
//!   counted, so the UI can offer "Show images". CSS background images (a
//!   `background` or `background-image` with one `url()`) follow the same
//!   policy, re-written as `background-image: url("…")`; `srcset` is never
//!   kept. `cid:` images are rewritten through the
//!   caller's [`Policy::cid_url`]; raster `data:` images stay. Composed mail
//!   may hold `cid:` and `data:` images only, so it never fetches either.
//! - **Links open safely**: only `http`, `https` and `mailto`, always with
//!   `rel="noopener noreferrer nofollow"` and `target="_blank"` in received
//!   mail (composed mail keeps links as written, minus unsafe schemes).
//! - **Plain text is rendered, not stripped** ([`html_to_text`]): blocks,
//!   lists, quotes and links keep their shape; lines are not wrapped, which
//!   is left to whoever picks the transfer format.
//! - The output is meant for a sandboxed frame without scripts and with a
//!   strict CSP; the sanitizer is one layer, not the only one.
//!
//! Nothing here fails: every input, however broken, gives some output, so
//! there is no error type.

#![deny(missing_docs)]

mod allow;
mod attrs;
pub mod audit;
mod compose;
mod css;
mod depth;
mod dom;
mod inline;
mod layout;
mod plain;
mod stylesheet;
mod text;
mod url;

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

pub use compose::{compose_html, quote_html};
pub use layout::{clip, estimated_height};
pub use plain::html_to_text;
pub use text::text_to_html;
pub use url::safe_url;

use url::{ImageSource, classify_image, percent_decode, strip_prefix_ignore_case};

/// Maps a Content-ID (no angle brackets, URL-decoded) to a same-origin URL
/// serving that part, or `None` when the message has no such part.
pub type CidUrl = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// How to treat what the HTML refers to.
#[derive(Default)]
pub struct Policy {
    /// Load remote (`http`/`https`) images. Off by default.
    pub allow_remote_images: bool,
    /// Rewrites `cid:` image sources; without it they are dropped.
    pub cid_url: Option<CidUrl>,
}

impl Policy {
    /// A policy that blocks remote images and drops `cid:` images.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets whether remote images load.
    pub fn allow_remote_images(mut self, allow: bool) -> Self {
        self.allow_remote_images = allow;
        self
    }

    /// Sets the `cid:` rewriter.
    pub fn cid_url(mut self, f: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        self.cid_url = Some(Box::new(f));
        self
    }
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy")
            .field("allow_remote_images", &self.allow_remote_images)
            .field("cid_url", &self.cid_url.as_ref().map(|_| "Fn"))
            .finish()
    }
}

/// Received HTML made safe to show, with what the sanitizer held back.
///
/// `html` is a fragment (no `<html>`, `<head>` or `<body>`) meant for a
/// sandboxed frame. The other fields tell the UI what to offer: a "Show
/// images" action when `blocked_images > 0`, and which attached parts
/// already appear inline (`cid_refs`), so they need not be listed again.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sanitized {
    /// A safe HTML fragment.
    pub html: String,
    /// Remote images whose `src` was removed (0 when they were allowed).
    pub blocked_images: u32,
    /// Whether the input referred to any remote image, blocked or not.
    pub has_remote_content: bool,
    /// Content-IDs (URL-decoded) that were rewritten into image sources, in
    /// order of first use, so the caller knows which parts show inline.
    pub cid_refs: Vec<String>,
}

/// Most distinct `cid:` references resolved per document.
const MAX_CIDS: usize = 4096;

/// State shared with the attribute filter, which must be `'static`.
struct Shared {
    allow_remote_images: bool,
    cids: HashMap<String, (String, String)>,
    blocked: AtomicU32,
    remote: AtomicBool,
    used: Mutex<Vec<String>>,
}

/// Sanitises a received HTML document or fragment for display.
///
/// `<style>` sheets are inlined into `style` attributes first (see the
/// crate docs for the subset and bounds), then everything is cleaned
/// against the allow-list: scripts, frames, forms and event handlers go,
/// links get `target="_blank"` and `rel="noopener noreferrer nofollow"`,
/// remote images are blocked unless `policy` allows them, and `cid:` images
/// are rewritten through [`Policy::cid_url`].
///
/// ```
/// use sanitize::{Policy, email_html};
///
/// let out = email_html(
///     "<style>.note { color: #c00 }</style>\
///      <p class=note onclick=alert(1)>Hi <img src='https://t.test/p.gif'></p>",
///     &Policy::new(),
/// );
/// assert_eq!(out.html, "<p style=\"color: #c00\">Hi <img></p>");
/// assert_eq!(out.blocked_images, 1);
/// assert!(out.has_remote_content);
/// ```
pub fn email_html(html: &str, policy: &Policy) -> Sanitized {
    let html = &depth::limit_depth(html);
    let inlined = inline::inline_styles(html);
    let html = inlined.as_deref().unwrap_or(html);
    let shared = Arc::new(Shared {
        allow_remote_images: policy.allow_remote_images,
        cids: resolve_cids(html, policy),
        blocked: AtomicU32::new(0),
        remote: AtomicBool::new(false),
        used: Mutex::new(Vec::new()),
    });
    let filter_state = Arc::clone(&shared);
    let mut builder = builder();
    builder.attribute_filter(move |element, attribute, value| {
        filter_attribute(&filter_state, element, attribute, value)
    });
    let out = builder.clean(html).to_string();
    drop(builder);
    let used = shared
        .used
        .lock()
        .map(|mut v| std::mem::take(&mut *v))
        .unwrap_or_default();
    Sanitized {
        html: out,
        blocked_images: shared.blocked.load(Ordering::Relaxed),
        has_remote_content: shared.remote.load(Ordering::Relaxed),
        cid_refs: used,
    }
}

fn builder() -> ammonia::Builder<'static> {
    let mut tags = HashSet::new();
    let mut tag_attributes = HashMap::new();
    for (tag, attrs) in allow::TAGS {
        tags.insert(*tag);
        tag_attributes.insert(*tag, attrs.iter().copied().collect::<HashSet<_>>());
    }
    let mut b = ammonia::Builder::empty();
    b.tags(tags)
        .tag_attributes(tag_attributes)
        .generic_attributes(allow::GENERIC_ATTRIBUTES.iter().copied().collect())
        .clean_content_tags(allow::DROP_WITH_CONTENT.iter().copied().collect())
        .url_schemes(allow::URL_SCHEMES.iter().copied().collect())
        // Relative URLs reach the attribute filter, which removes every one
        // except the same-origin part URLs it writes itself.
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(Some(allow::LINK_REL))
        .set_tag_attribute_value("a", "target", "_blank")
        .strip_comments(true);
    b
}

fn filter_attribute<'u>(
    shared: &Shared,
    element: &str,
    attribute: &str,
    value: &'u str,
) -> Option<Cow<'u, str>> {
    match (element, attribute) {
        (_, "style") => {
            let kept = css::filter_style_with_images(value, &|url| image_source(shared, url));
            (!kept.is_empty()).then_some(Cow::Owned(kept))
        }
        ("a", "href") => safe_url(value).map(Cow::Owned),
        ("img", "src") => image_source(shared, value).map(Cow::Owned),
        (_, "href" | "src") => None,
        _ if let Some(kept) = attrs::presentational(element, attribute, value) => kept,
        _ => Some(Cow::Borrowed(value)),
    }
}

/// What an image reference becomes under the policy: a remote image when
/// allowed (counted as blocked otherwise), a `cid:` image through the
/// caller's part URL, an inline raster `data:` image as is; `None` for
/// anything else. The same for `<img src>` and CSS background images.
fn image_source(shared: &Shared, value: &str) -> Option<String> {
    match classify_image(value) {
        ImageSource::Remote(url) => {
            shared.remote.store(true, Ordering::Relaxed);
            if shared.allow_remote_images {
                Some(url)
            } else {
                shared.blocked.fetch_add(1, Ordering::Relaxed);
                None
            }
        }
        ImageSource::Cid(cid) => {
            let (decoded, url) = shared.cids.get(&cid)?;
            if let Ok(mut used) = shared.used.lock()
                && !used.contains(decoded)
            {
                used.push(decoded.clone());
            }
            Some(url.clone())
        }
        ImageSource::Data(data) => Some(data),
        ImageSource::Other => None,
    }
}

/// Finds every `cid:` token in the raw HTML and asks the policy for its URL.
/// Keys are the token as the attribute filter will see it (entity-decoded),
/// values the URL-decoded Content-ID and the URL.
fn resolve_cids(html: &str, policy: &Policy) -> HashMap<String, (String, String)> {
    let mut map = HashMap::new();
    let Some(cid_url) = &policy.cid_url else {
        return map;
    };
    for (token, decoded) in cid_tokens(html) {
        if let Some(url) = cid_url(&decoded) {
            map.insert(token, (decoded, url));
        }
    }
    map
}

/// The Content-IDs (URL-decoded, without brackets) that `html` refers to
/// with `cid:`, each once, in order of first use, at most 4,096. A caller
/// building [`Policy::cid_url`] needs URLs for these only.
pub fn cid_references(html: &str) -> Vec<String> {
    cid_tokens(html)
        .into_iter()
        .map(|(_, decoded)| decoded)
        .collect()
}

/// Each distinct `cid:` token of the raw HTML, as the attribute filter will
/// see it (entity-decoded), with its URL-decoded Content-ID.
fn cid_tokens(html: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut seen = HashSet::new();
    let mut rest = html;
    while let Some(pos) = find_ignore_case(rest, "cid:") {
        rest = &rest[pos + 4..];
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '>' | '<' | ')'))
            .unwrap_or(rest.len());
        let token = rest[..end]
            .replace("&amp;", "&")
            .replace("&#64;", "@")
            .replace("&#x40;", "@");
        rest = &rest[end..];
        if token.is_empty() || seen.contains(&token) {
            continue;
        }
        if out.len() >= MAX_CIDS {
            break;
        }
        seen.insert(token.clone());
        let decoded = percent_decode(&token);
        out.push((token, decoded));
    }
    out
}

fn find_ignore_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .char_indices()
        .map(|(i, _)| i)
        .find(|&i| strip_prefix_ignore_case(&haystack[i..], needle).is_some())
}
