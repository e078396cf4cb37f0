//! Opening a message for the reader.

use crate::mailbox::{search_query, with_store};
use crate::{Error, Result, User};
use mailstore::{Flag, FolderRole};
use model::mail::{Body, ListQuery, MessageRef, MessageView, OpenedMessage};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Preference key prefix: `images:<sender>` = `always` shows that sender's
/// remote images without asking.
pub const TRUSTED_IMAGES: &str = "images:";

/// Bodies longer than this (as sanitised HTML) are shown clipped, with a
/// way to show the whole: a megabyte newsletter opens quickly, and the
/// page stays small on slow connections.
pub const MAX_SHOWN_BODY: usize = 512 * 1024;

/// Inline images up to this size are embedded as `data:` URLs: the message
/// frame is sandboxed with an opaque origin, so it carries no cookies.
const MAX_INLINE_IMAGE: usize = 2 * 1024 * 1024;
/// The most bytes of inline images one message embeds in all.
const MAX_INLINE_TOTAL: usize = 8 * 1024 * 1024;

/// What the reader asks for.
#[derive(Clone, Debug, Default)]
pub struct Opening {
    /// The list it was opened from: its folder holds the message, and its
    /// sort and search give the previous and next messages.
    pub query: ListQuery,
    /// The message in `query.folder`.
    pub uid: u32,
    /// A path of attached messages inside it (empty: the message itself).
    pub nested: Vec<u32>,
    /// Load remote images (the user asked, from our own page).
    pub images: bool,
    /// Mark it read (not for a link followed from another site).
    pub mark_read: bool,
    /// Show the whole body even when it is longer than [`MAX_SHOWN_BODY`].
    pub full: bool,
}

/// Opens a message: its sanitised view (HTML bodies still to be put in
/// their frame document by the caller), whether its images are shown (asked
/// for, or a trusted sender), its neighbours in the list, the receipt it
/// asks for, and marks it read when asked to.
pub fn open_message(
    directory: &accounts::Directory,
    user: &User,
    o: &Opening,
) -> Result<OpenedMessage> {
    let folder = &o.query.folder;
    let uid = o.uid;
    let nested = &o.nested;
    with_store(&user.dir, |store| {
        let summary = store.summary(folder, uid)?.ok_or(Error::NoSuchMessage)?;
        let stored = store.raw(folder, uid)?.ok_or(Error::NoSuchMessage)?;
        let raw = mailview::nested_path(&stored, nested).ok_or(Error::NoSuchMessage)?;
        let outer_subject = (!nested.is_empty()).then(|| summary.subject.clone());
        let sender = if nested.is_empty() {
            summary.from_addr.to_lowercase()
        } else {
            mailview::view(&raw, &mailview::ViewOptions::default())
                .from
                .first()
                .map(|a| a.email.to_lowercase())
                .unwrap_or_default()
        };
        let build = |images: bool| {
            let f = folder.clone();
            let path = nested.clone();
            let inlined = AtomicUsize::new(0);
            let options = mailview::ViewOptions {
                allow_remote_images: images,
                part_url: Box::new(move |p| inline_part_url(p, &f, uid, &path, &inlined)),
            };
            mailview::view(&raw, &options)
        };
        let mut images_shown = o.images;
        let mut view = build(images_shown);
        // Whether the sender is trusted matters only when images were
        // blocked (the user's data is not opened for every message).
        let blocked = matches!(view.body, Body::Html { blocked_images, .. } if blocked_images > 0);
        if blocked
            && !sender.is_empty()
            && user
                .data(directory)?
                .pref(&format!("{TRUSTED_IMAGES}{sender}"))?
                .is_some()
        {
            images_shown = true;
            view = build(true);
        }
        let mut frame_height = 0;
        let mut clipped = false;
        if let Body::Html { html, .. } | Body::Text { html } = &mut view.body
            && !o.full
            && let Some(start) = sanitize::clip(html, MAX_SHOWN_BODY)
        {
            *html = start;
            clipped = true;
        }
        if let Body::Html { html, .. } = &view.body {
            frame_height = sanitize::estimated_height(html);
        }
        if o.mark_read && !summary.flags.seen {
            store.set_flags(folder, &[uid], &[Flag::Seen])?;
        }
        // Neighbours in the list it was opened from: the folder, or the
        // search results (which may span folders).
        let here = |uid: Option<u32>| {
            uid.map(|uid| MessageRef {
                folder: folder.clone(),
                uid,
            })
        };
        let there = |m: Option<(String, u32)>| m.map(|(folder, uid)| MessageRef { folder, uid });
        let q = &o.query;
        let (prev, next) = if !nested.is_empty() {
            (None, None)
        } else if q.q.is_empty() {
            let (p, n) = store.neighbors(folder, uid, q.sort, q.desc)?;
            (here(p), here(n))
        } else {
            let (p, n) = store.search_neighbors(&search_query(q), folder, uid, q.sort, q.desc)?;
            (there(p), there(n))
        };
        let receipt_request = if nested.is_empty() {
            compose::mdn::offer(
                &raw,
                &[&user.address],
                compose::mdn::Situation {
                    in_sent_or_drafts: [FolderRole::Sent, FolderRole::Drafts]
                        .iter()
                        .any(|s| s.folder() == folder),
                    mdn_sent: summary
                        .flags
                        .contains(&Flag::Keyword(mailstore::MDN_SENT.to_owned())),
                },
            )
            .map(|m| m.address)
        } else {
            None
        };
        Ok(OpenedMessage {
            receipt_request,
            prev,
            next,
            nested: nested.clone(),
            outer_subject,
            folder: folder.clone(),
            uid,
            flagged: summary.flags.flagged,
            images_shown,
            frame_height,
            clipped,
            view: MessageView {
                date_offset: view
                    .date
                    .map_or(0, |d| accounts::zone::offset_at(&user.time_zone, d)),
                ..view
            },
        })
    })
}

/// The URL a part is shown from: its image as a `data:` URL, within the
/// limits, else its download URL. `inlined` counts what was embedded.
fn inline_part_url(
    p: &mailview::InlinePart<'_>,
    folder: &str,
    uid: u32,
    path: &[u32],
    inlined: &AtomicUsize,
) -> String {
    use base64::Engine as _;
    let ty = mailview::safe_content_type(p.content_type);
    if ty.starts_with("image/") && p.bytes.len() <= MAX_INLINE_IMAGE {
        let before = inlined.fetch_add(p.bytes.len(), Ordering::Relaxed);
        if before + p.bytes.len() <= MAX_INLINE_TOTAL {
            return format!(
                "data:{ty};base64,{}",
                base64::engine::general_purpose::STANDARD.encode(p.bytes)
            );
        }
    }
    model::mail::part_url(folder, uid, path, p.part)
}
