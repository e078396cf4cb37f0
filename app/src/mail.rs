//! The work behind the mail server functions (ssr only): open the signed-in
//! user's mailstore off the async threads, and translate between the
//! store's types and the wire types.

use crate::error::AppError;
use crate::session::signed_in;
use mailstore::{Flag, FolderInfo, Mailstore, MessageSummary, Query, Scope, SortKey, SpecialUse};
use model::mail::{
    Address, Folder, FolderRole, ListQuery, MessageList, MessageRow, SearchScope, SortColumn,
};

/// Rows per page of the message list.
pub const PAGE_SIZE: u32 = 50;

/// Maps a store error to what the user is told; causes are logged here.
pub fn store_error(e: mailstore::Error) -> AppError {
    use mailstore::Error as E;
    match e {
        E::Rebuilding(p) => AppError::Rebuilding {
            done: p.done,
            total: p.total,
        },
        E::NoSuchFolder(_) => AppError::NoSuchFolder,
        E::InvalidFolderName(_) => AppError::InvalidFolderName,
        E::FolderExists(_) => AppError::FolderExists,
        E::SpecialFolder(_) => AppError::SpecialFolder,
        E::InvalidQuery(m) => AppError::BadRequest {
            message: format!("The search could not be understood: {m}"),
        },
        E::InvalidFlag(m) => AppError::BadRequest {
            message: format!("Unknown flag {m}"),
        },
        other => {
            tracing::error!(error = %other, "mailstore");
            AppError::Internal
        }
    }
}

/// How long a request waits for a rebuilding index before saying so.
const REBUILD_PATIENCE: std::time::Duration = std::time::Duration::from_secs(5);

/// Runs `f` on the signed-in user's store, on a blocking thread. A small
/// index that is being (re)built is waited for, briefly, and `f` retried
/// once, so a new or healed mailbox opens without an error flash; a large
/// rebuild is reported as `Rebuilding` with its progress.
pub async fn with_store<T: Send + 'static>(
    f: impl Fn(&Mailstore) -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    let user = signed_in()?;
    tokio::task::spawn_blocking(move || {
        let started = std::time::Instant::now();
        let store = loop {
            match Mailstore::open(&user.user_dir) {
                Ok(store) => break store,
                Err(mailstore::Error::Rebuilding(p)) if started.elapsed() < REBUILD_PATIENCE => {
                    tracing::debug!(done = p.done, total = p.total, "waiting for the index");
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(e) => return Err(store_error(e)),
            }
        };
        match f(&store) {
            Err(AppError::Rebuilding { .. }) if store.wait_ready(Some(REBUILD_PATIENCE)) => {
                f(&store)
            }
            other => other,
        }
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "mailstore task");
        AppError::Internal
    })?
}

fn role(s: SpecialUse) -> FolderRole {
    match s {
        SpecialUse::Inbox => FolderRole::Inbox,
        SpecialUse::Drafts => FolderRole::Drafts,
        SpecialUse::Sent => FolderRole::Sent,
        SpecialUse::Junk => FolderRole::Junk,
        SpecialUse::Trash => FolderRole::Trash,
        SpecialUse::Archive => FolderRole::Archive,
    }
}

/// The folder pane: special folders first in their usual order, then the
/// user's folders alphabetically, parents before children.
pub fn folders(store: &Mailstore) -> Result<Vec<Folder>, AppError> {
    let mut infos: Vec<FolderInfo> = store.folders().map_err(store_error)?;
    infos.sort_by(|a, b| {
        let rank = |f: &FolderInfo| {
            f.special
                .map(|s| SpecialUse::ALL.iter().position(|x| *x == s).unwrap_or(9))
                .unwrap_or(10)
        };
        rank(a)
            .cmp(&rank(b))
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    Ok(infos
        .into_iter()
        .map(|f| {
            let label = match f.special {
                Some(SpecialUse::Inbox) => "Inbox".to_owned(),
                _ => f.name.rsplit('/').next().unwrap_or(&f.name).to_owned(),
            };
            Folder {
                depth: f.name.matches('/').count() as u32,
                label,
                role: f.special.map(role),
                total: f.total,
                unread: f.unread,
                name: f.name,
            }
        })
        .collect())
}

fn sort_key(c: SortColumn) -> SortKey {
    match c {
        SortColumn::Date => SortKey::Date,
        SortColumn::Arrival => SortKey::Arrival,
        SortColumn::From => SortKey::From,
        SortColumn::To => SortKey::To,
        SortColumn::Subject => SortKey::Subject,
        SortColumn::Size => SortKey::Size,
        SortColumn::MessageId => SortKey::MessageId,
        SortColumn::Flagged => SortKey::Flagged,
        SortColumn::Attachment => SortKey::Attachment,
    }
}

fn scope(s: SearchScope) -> Scope {
    match s {
        SearchScope::Headers => Scope::Headers,
        SearchScope::Sender => Scope::Sender,
        SearchScope::Subject => Scope::Subject,
        SearchScope::Body => Scope::Body,
    }
}

fn row(m: MessageSummary) -> MessageRow {
    MessageRow {
        seen: m.flags.seen,
        flagged: m.flags.flagged,
        answered: m.flags.answered,
        forwarded: m
            .flags
            .keywords
            .iter()
            .any(|k| k.eq_ignore_ascii_case(mailstore::FORWARDED)),
        priority: m.priority,
        from: Address {
            name: m.from_name,
            email: m.from_addr,
        },
        to: m.to,
        subject: m.subject,
        date: m.date.unwrap_or(m.arrival),
        // Filled in for the user's zone by `list_in_zone`.
        offset: 0,
        size: m.size,
        message_id: m.message_id,
        has_attachment: m.has_attachment,
        snippet: m.snippet,
        folder: m.folder,
        uid: m.uid,
    }
}

/// A page of a folder, or of search results.
pub fn list(store: &Mailstore, q: &ListQuery) -> Result<MessageList, AppError> {
    let offset = (q.page.saturating_sub(1) as u64) * PAGE_SIZE as u64;
    let page = if q.q.is_empty() {
        store.list(
            &q.folder,
            sort_key(q.sort),
            q.desc,
            offset,
            PAGE_SIZE as u64,
        )
    } else {
        store.search(
            &search_query(q),
            sort_key(q.sort),
            q.desc,
            offset,
            PAGE_SIZE as u64,
        )
    }
    .map_err(store_error)?;
    Ok(MessageList {
        rows: page.items.into_iter().map(row).collect(),
        total: page.total,
        page_size: PAGE_SIZE,
    })
}

/// The mailstore's typed query for a search of the list.
fn search_query(q: &ListQuery) -> Query {
    let query = Query::scoped(&q.q, scope(q.scope));
    if q.all_folders {
        query
    } else {
        query.in_folder(&q.folder)
    }
}

/// A bulk action on selected messages of one folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Mark read.
    Read,
    /// Mark unread.
    Unread,
    /// Flag.
    Flag,
    /// Remove the flag.
    Unflag,
    /// Move to Trash (or expunge into retention when already in Trash).
    Delete,
    /// Move to Junk.
    Spam,
    /// Move to another folder.
    Move(String),
    /// Toggle the flag of one message.
    ToggleFlag(u32),
}

impl Action {
    /// Parses the `action` form field (`read`, `flag`, `toggle-flag:17` …).
    pub fn parse(action: &str, target: Option<String>) -> Option<Action> {
        Some(match action {
            "read" => Action::Read,
            "unread" => Action::Unread,
            "flag" => Action::Flag,
            "unflag" => Action::Unflag,
            "delete" => Action::Delete,
            "spam" => Action::Spam,
            "move" => Action::Move(target.filter(|t| !t.is_empty())?),
            other => Action::ToggleFlag(other.strip_prefix("toggle-flag:")?.parse().ok()?),
        })
    }
}

/// Applies `action` to `uids` in `folder`. Returns how many were changed.
pub fn act(
    store: &Mailstore,
    folder: &str,
    uids: &[u32],
    action: Action,
) -> Result<usize, AppError> {
    let e = store_error;
    match action {
        Action::Read => store.set_flags(folder, uids, &[Flag::Seen]).map_err(e),
        Action::Unread => store.clear_flags(folder, uids, &[Flag::Seen]).map_err(e),
        Action::Flag => store.set_flags(folder, uids, &[Flag::Flagged]).map_err(e),
        Action::Unflag => store.clear_flags(folder, uids, &[Flag::Flagged]).map_err(e),
        Action::Delete => store.delete(folder, uids).map_err(e),
        Action::Spam => store
            .move_to(folder, uids, SpecialUse::Junk.folder())
            .map(|v| v.len())
            .map_err(e),
        Action::Move(dest) => store
            .move_to(folder, uids, &dest)
            .map(|v| v.len())
            .map_err(e),
        Action::ToggleFlag(uid) => {
            let flagged = store
                .summary(folder, uid)
                .map_err(e)?
                .ok_or(AppError::NoSuchMessage)?
                .flags
                .flagged;
            if flagged {
                store
                    .clear_flags(folder, &[uid], &[Flag::Flagged])
                    .map_err(e)
            } else {
                store.set_flags(folder, &[uid], &[Flag::Flagged]).map_err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_parse() {
        let cases = [
            ("read", None, Some(Action::Read)),
            ("spam", None, Some(Action::Spam)),
            (
                "move",
                Some("Archive"),
                Some(Action::Move("Archive".into())),
            ),
            ("move", Some(""), None),
            ("move", None, None),
            ("toggle-flag:17", None, Some(Action::ToggleFlag(17))),
            ("toggle-flag:x", None, None),
            ("explode", None, None),
        ];
        for (a, t, expected) in cases {
            assert_eq!(Action::parse(a, t.map(str::to_owned)), expected, "{a}");
        }
    }
}

/// Folder management: `create` (name is the full path, `Parent/Child`),
/// `rename` (to `new_name`) and `delete`.
pub fn folder_op(
    store: &Mailstore,
    op: &str,
    name: &str,
    new_name: Option<&str>,
) -> Result<usize, AppError> {
    let name = name.trim();
    match op {
        "create" => store.create_folder(name).map(|_| 1).map_err(store_error),
        "rename" => {
            let to = new_name
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .ok_or(AppError::InvalidFolderName)?;
            store
                .rename_folder(name, to)
                .map(|_| 1)
                .map_err(store_error)
        }
        "delete" => store.delete_folder(name).map(|_| 1).map_err(store_error),
        _ => Err(AppError::BadRequest {
            message: "Unknown folder operation.".to_owned(),
        }),
    }
}

/// The raw message as text.
pub fn source(store: &Mailstore, folder: &str, uid: u32) -> Result<String, AppError> {
    let raw = store
        .raw(folder, uid)
        .map_err(store_error)?
        .ok_or(AppError::NoSuchMessage)?;
    Ok(String::from_utf8_lossy(&raw).into_owned())
}

/// A same-site path to return to, or the mail page. Browsers drop tabs and
/// newlines from URLs (`/\t/evil.example` becomes `//evil.example`) and read
/// `\` as `/`, so a path with any control character, whitespace or
/// backslash is refused rather than cleaned.
pub fn safe_back(back: &str) -> String {
    if back.starts_with('/')
        && !back.starts_with("//")
        && !back
            .chars()
            .any(|c| c == '\\' || c.is_control() || c.is_whitespace())
    {
        back.to_owned()
    } else {
        "/mail".to_owned()
    }
}

/// Runs a form's work; a plain form post is then sent back to `back`, with
/// `done=N` or the error code in the query, so both interfaces can say what
/// happened.
pub async fn run_form(
    back: &str,
    work: impl std::future::Future<Output = Result<usize, AppError>>,
) -> Result<u32, AppError> {
    let parts = crate::session::request_parts()?;
    let back = safe_back(back);
    let back = strip_outcome(&back);
    let sep = if back.contains('?') { '&' } else { '?' };
    match work.await {
        Ok(n) => {
            if crate::session::is_plain_form(&parts) {
                leptos_axum::redirect(&format!("{back}{sep}done={n}"));
            }
            Ok(n as u32)
        }
        Err(e) => {
            crate::session::redirect_with_error(&parts, &back, &e);
            Err(e)
        }
    }
}

/// `url` without the `done`, `error` and `minutes` parameters of an earlier outcome.
fn strip_outcome(url: &str) -> String {
    let Some((path, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|kv| {
            let k = kv.split('=').next().unwrap_or("");
            !matches!(k, "done" | "error" | "minutes")
        })
        .collect();
    if kept.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", kept.join("&"))
    }
}

#[cfg(test)]
mod form_tests {
    use super::*;

    #[test]
    fn back_is_same_site() {
        let cases = [
            ("/mail?folder=INBOX", "/mail?folder=INBOX"),
            ("//evil.example/x", "/mail"),
            ("https://evil.example", "/mail"),
            ("/\\evil.example", "/mail"),
            ("", "/mail"),
            ("/\t/evil.example", "/mail"),
            ("/\n/evil.example", "/mail"),
            ("/\r\n/evil.example", "/mail"),
            ("/ /evil.example", "/mail"),
            ("/\u{0}/x", "/mail"),
            ("/mail?q=a%20b", "/mail?q=a%20b"),
        ];
        for (input, expected) in cases {
            assert_eq!(safe_back(input), expected, "{input}");
        }
    }

    #[test]
    fn earlier_outcomes_are_dropped() {
        assert_eq!(strip_outcome("/mail?folder=A&done=3"), "/mail?folder=A");
        assert_eq!(strip_outcome("/mail?error=internal"), "/mail");
        assert_eq!(strip_outcome("/mail"), "/mail");
    }
}

/// Layout preferences of the signed-in user.
pub async fn prefs() -> Result<model::mail::MailPrefs, AppError> {
    directory(|d, id| {
        Ok(model::mail::MailPrefs {
            pane_hidden: d.pref(id, "pane")?.as_deref() == Some("hidden"),
            show_message_id: d.pref(id, "message_id_column")?.as_deref() == Some("on"),
        })
    })
    .await
}

/// Preference key: the user's time zone (an IANA name).
pub use accounts::PREF_TIME_ZONE;

/// The signed-in user's time zone: their choice, else the server's default.
pub async fn user_zone() -> Result<String, AppError> {
    let default = crate::state::app_state()?.web.default_time_zone.clone();
    let chosen = directory(|d, id| d.pref(id, PREF_TIME_ZONE)).await?;
    Ok(chosen
        .filter(|z| accounts::zone::is_zone(z))
        .unwrap_or(default))
}

/// The time zone read with the request's session (no directory read).
fn session_zone() -> Result<String, AppError> {
    let chosen = signed_in()?.time_zone;
    Ok(match chosen.filter(|z| accounts::zone::is_zone(z)) {
        Some(z) => z,
        None => crate::state::app_state()?.web.default_time_zone.clone(),
    })
}

/// A page of a folder or of search results, each date with the user's
/// offset from UTC at that instant.
pub async fn list_in_zone(query: ListQuery) -> Result<MessageList, AppError> {
    let zone = session_zone()?;
    let mut list = with_store(move |s| list(s, &query)).await?;
    for r in &mut list.rows {
        r.offset = accounts::zone::offset_at(&zone, r.date);
    }
    Ok(list)
}

/// Stores one allowed layout preference.
pub async fn set_pref(key: String, value: String) -> Result<usize, AppError> {
    let allowed = matches!(
        (key.as_str(), value.as_str()),
        ("pane", "hidden" | "shown") | ("message_id_column", "on" | "off")
    ) || (key.starts_with(TRUSTED_IMAGES) && key.contains('@') && value == "always");
    if !allowed {
        return Err(AppError::BadRequest {
            message: "Unknown preference.".to_owned(),
        });
    }
    directory(move |d, id| d.set_pref(id, &key, &value)).await?;
    Ok(1)
}

/// Preference key prefix: `images:<sender>` = `always` shows that sender's
/// remote images without asking.
pub const TRUSTED_IMAGES: &str = "images:";

/// Opens a message for the reader and marks it read.
pub async fn open_message(
    query: ListQuery,
    uid: u32,
    nested: Vec<u32>,
    images: bool,
    full: bool,
) -> Result<model::mail::OpenedMessage, AppError> {
    let folder = query.folder.clone();
    let state = crate::state::app_state()?;
    let user = signed_in()?;
    // A link from elsewhere may show the message, but neither loads its
    // remote images (that tells the sender it was opened) nor marks it read.
    let headers = crate::session::request_parts()?.headers;
    let images = images && crate::session::from_our_page(&headers);
    let mark_read = !crate::session::from_another_site(&headers);
    let dir = state.directory.clone();
    let zone = session_zone()?;
    with_store(move |store| {
        let summary = store
            .summary(&folder, uid)
            .map_err(store_error)?
            .ok_or(AppError::NoSuchMessage)?;
        let stored = store
            .raw(&folder, uid)
            .map_err(store_error)?
            .ok_or(AppError::NoSuchMessage)?;
        let raw = mailview::nested_path(&stored, &nested).ok_or(AppError::NoSuchMessage)?;
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
        let trusted = !sender.is_empty()
            && dir
                .pref(user.account_id, &format!("{TRUSTED_IMAGES}{sender}"))
                .map_err(|e| {
                    tracing::error!(error = %e, "prefs");
                    AppError::Internal
                })?
                .is_some();
        let images_shown = images || trusted;
        let f = folder.clone();
        let path = nested.clone();
        let inlined = std::sync::atomic::AtomicUsize::new(0);
        let options = mailview::ViewOptions {
            allow_remote_images: images_shown,
            part_url: Box::new(move |p| inline_part_url(p, &f, uid, &path, &inlined)),
        };
        let mut view = mailview::view(&raw, &options);
        let mut frame_height = 0;
        let mut clipped = false;
        if let model::mail::Body::Html { html, .. } | model::mail::Body::Text { html } =
            &mut view.body
            && !full
            && let Some(start) = sanitize::clip(html, MAX_SHOWN_BODY)
        {
            *html = start;
            clipped = true;
        }
        if let model::mail::Body::Html { html, .. } = &mut view.body {
            frame_height = sanitize::estimated_height(html);
            *html = frame_document(html, images_shown);
        }
        if mark_read && !summary.flags.seen {
            store
                .set_flags(&folder, &[uid], &[Flag::Seen])
                .map_err(store_error)?;
        }
        // Neighbours in the list it was opened from: the folder, or the
        // search results (which may span folders).
        let here = |uid: Option<u32>| {
            uid.map(|uid| model::mail::MessageRef {
                folder: folder.clone(),
                uid,
            })
        };
        let there = |m: Option<(String, u32)>| {
            m.map(|(folder, uid)| model::mail::MessageRef { folder, uid })
        };
        let (prev, next) = if !nested.is_empty() {
            (None, None)
        } else if query.q.is_empty() {
            let (p, n) = store
                .neighbors(&folder, uid, sort_key(query.sort), query.desc)
                .map_err(store_error)?;
            (here(p), here(n))
        } else {
            let (p, n) = store
                .search_neighbors(
                    &search_query(&query),
                    &folder,
                    uid,
                    sort_key(query.sort),
                    query.desc,
                )
                .map_err(store_error)?;
            (there(p), there(n))
        };
        let receipt_request = if nested.is_empty() {
            compose::mdn::offer(
                &raw,
                &[&user.address],
                compose::mdn::Situation {
                    in_sent_or_drafts: matches!(folder.as_str(), "Sent" | "Drafts"),
                    mdn_sent: summary
                        .flags
                        .contains(&Flag::Keyword(mailstore::MDN_SENT.to_owned())),
                },
            )
            .map(|m| m.address)
        } else {
            None
        };
        Ok(model::mail::OpenedMessage {
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
            view: model::mail::MessageView {
                date_offset: view.date.map_or(0, |d| accounts::zone::offset_at(&zone, d)),
                ..view
            },
        })
    })
    .await
}

/// Bodies longer than this (as sanitised HTML) are shown clipped, with a
/// way to show the whole: a megabyte newsletter opens quickly, and the
/// page stays small on slow connections.
pub const MAX_SHOWN_BODY: usize = 512 * 1024;

/// Inline images up to this size are embedded as `data:` URLs: the message
/// frame is sandboxed with an opaque origin, so it carries no cookies.
const MAX_INLINE_IMAGE: usize = 2 * 1024 * 1024;
/// The most bytes of inline images one message embeds in all.
const MAX_INLINE_TOTAL: usize = 8 * 1024 * 1024;

/// The URL a part is shown from: its image as a `data:` URL, within the
/// limits, else its download URL. `inlined` counts what was embedded.
fn inline_part_url(
    p: &mailview::InlinePart<'_>,
    folder: &str,
    uid: u32,
    path: &[u32],
    inlined: &std::sync::atomic::AtomicUsize,
) -> String {
    use base64::Engine as _;
    use std::sync::atomic::Ordering;
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

/// Wraps sanitised mail HTML into the document of the sandboxed frame: its
/// own CSP (no scripts, no remote loads unless images are shown) and links
/// that open outside the frame.
pub fn frame_document(html: &str, images_shown: bool) -> String {
    let img = if images_shown {
        "data: https: http:"
    } else {
        "data:"
    };
    use crate::components::message_frame::{BODY_CSS, IMAGE_CSS};
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src {img}; style-src 'unsafe-inline'; font-src data:\">\
         <base target=\"_blank\"><style>body{{{BODY_CSS}}}img{{{IMAGE_CSS}}}</style>\
         </head><body>{html}</body></html>"
    )
}

fn directory_error(e: accounts::Error) -> AppError {
    match e {
        accounts::Error::InvalidAddress { .. } => AppError::InvalidSenderEntry,
        other => {
            tracing::error!(error = %other, "directory");
            AppError::Internal
        }
    }
}

async fn directory<T: Send + 'static>(
    f: impl FnOnce(&accounts::Directory, accounts::AccountId) -> accounts::Result<T> + Send + 'static,
) -> Result<T, AppError> {
    let state = crate::state::app_state()?;
    let user = signed_in()?;
    tokio::task::spawn_blocking(move || f(&state.directory, user.account_id))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "directory task");
            AppError::Internal
        })?
        .map_err(directory_error)
}

fn parse_list(list: &str) -> Result<accounts::SenderList, AppError> {
    match list {
        "block" => Ok(accounts::SenderList::Block),
        "safe" => Ok(accounts::SenderList::Safe),
        _ => Err(AppError::BadRequest {
            message: "Unknown list.".to_owned(),
        }),
    }
}

/// A bulk action from the list or the message view. `block` and `safe` put
/// the senders of the selected messages on that list; the rest change the
/// messages themselves.
pub async fn act_on(
    folder: String,
    uids: Vec<u32>,
    action: String,
    target: Option<String>,
) -> Result<usize, AppError> {
    if uids.is_empty() && !action.starts_with("toggle-flag:") {
        return Err(AppError::NothingSelected);
    }
    if let list @ ("block" | "safe") = action.as_str() {
        let list = parse_list(list)?;
        let senders: Vec<String> = with_store(move |s| {
            let mut out = Vec::new();
            for uid in &uids {
                let sender = s
                    .summary(&folder, *uid)
                    .map_err(store_error)?
                    .map(|m| m.from_addr.to_lowercase())
                    .filter(|a| !a.is_empty());
                if let Some(a) = sender.filter(|a| !out.contains(a)) {
                    out.push(a);
                }
            }
            Ok(out)
        })
        .await?;
        return directory(move |d, id| {
            for s in &senders {
                d.add_sender(id, list, s)?;
            }
            Ok(senders.len())
        })
        .await;
    }
    let action = Action::parse(&action, target).ok_or(AppError::BadRequest {
        message: "Choose an action (and a folder to move to).".to_owned(),
    })?;
    with_store(move |s| act(s, &folder, &uids, action.clone())).await
}

/// Both lists.
pub async fn sender_lists() -> Result<model::mail::SenderLists, AppError> {
    directory(|d, id| {
        Ok(model::mail::SenderLists {
            blocked: d.senders(id, accounts::SenderList::Block)?,
            safe: d.senders(id, accounts::SenderList::Safe)?,
        })
    })
    .await
}

/// Adds to or removes from one list.
pub async fn edit_sender_list(
    list: String,
    op: String,
    address: String,
) -> Result<usize, AppError> {
    let list = parse_list(&list)?;
    match op.as_str() {
        "add" => directory(move |d, id| d.add_sender(id, list, &address).map(|_| 1)).await,
        "remove" => {
            directory(move |d, id| d.remove_sender(id, list, &address).map(usize::from)).await
        }
        _ => Err(AppError::BadRequest {
            message: "Unknown list operation.".to_owned(),
        }),
    }
}
