//! Compose and send, server side: the form as posted, drafts in the Drafts
//! folder, sending to local mailboxes and to the outbound queue.
//!
//! Every submission first saves the draft (replacing the previous one), so
//! whatever happens next — a bad address, a file over the limit, an expired
//! session, a crash — nothing typed is lost. Sending then builds the final
//! message from the same form.

use crate::error::AppError;
use crate::mail::{store_error, with_store};
use crate::session::signed_in;
use compose::{Attachment, Mailbox, Outgoing, parse_addresses};
use mailstore::{Flag, Mailstore};
use model::compose::{
    BodyFormat, ComposeOpening, ComposeOutcome, ComposeState, Draft, DraftAttachment, Priority,
};
use model::mail::MessageRef;
use model::{AccountStatus, Interface};

const DRAFTS: &str = "Drafts";
const SENT: &str = "Sent";
/// Preference keys of the identity and the spell-check language.
pub const PREF_NAME: &str = "identity.name";
/// The signature appended to new messages.
pub const PREF_SIGNATURE: &str = "identity.signature";
/// The spell-check language.
pub const PREF_LANGUAGE: &str = "spell.language";

/// A file posted with the form.
pub struct Upload {
    /// File name as the browser sent it.
    pub filename: String,
    /// Content type as the browser sent it.
    pub content_type: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// The compose form as posted.
#[derive(Default)]
pub struct Form {
    /// What to do: `save`, `send`, `spell`, `fix`, `attach`, `remove:<id>`.
    pub op: String,
    /// The message.
    pub draft: Draft,
    /// Attachments of the previous draft to keep (`d<part>`, or `orig` for
    /// the forwarded message).
    pub keep: Vec<String>,
    /// New files.
    pub uploads: Vec<Upload>,
    /// Files refused for size: (name, bytes).
    pub refused: Vec<(String, u64)>,
    /// Spelling corrections: (word, replacement).
    pub fixes: Vec<(String, String)>,
    /// Where the form was (`standard` or `basic`).
    pub interface: Interface,
    /// The account the form was opened in (its address), as posted.
    pub account: String,
}

/// Reads the multipart form, keeping files within `max` bytes in all.
pub async fn read_form(
    data: leptos::server_fn::codec::MultipartData,
    max: u64,
) -> Result<Form, AppError> {
    let mut data = data.into_inner().ok_or(AppError::Internal)?;
    let mut form = Form::default();
    let mut total: u64 = 0;
    let bad = |e: &dyn std::fmt::Display| AppError::BadRequest {
        message: format!("The form could not be read ({e}). Try again."),
    };
    let mut original_folder = String::new();
    let mut original_uid = None;
    while let Some(mut field) = data.next_field().await.map_err(|e| bad(&e))? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "files" {
            let filename = field.file_name().unwrap_or_default().trim().to_owned();
            let content_type = field
                .content_type()
                .map(|m| m.to_string())
                .unwrap_or_else(|| "application/octet-stream".to_owned());
            let mut bytes = Vec::new();
            let mut size: u64 = 0;
            while let Some(chunk) = field.chunk().await.map_err(|e| bad(&e))? {
                size += chunk.len() as u64;
                if total + size <= max {
                    bytes.extend_from_slice(&chunk);
                }
            }
            if filename.is_empty() && size == 0 {
                continue; // an empty file input
            }
            if total + size > max {
                form.refused.push((filename, size));
                continue;
            }
            total += size;
            form.uploads.push(Upload {
                filename: if filename.is_empty() {
                    "attachment".to_owned()
                } else {
                    filename
                },
                content_type,
                bytes,
            });
            continue;
        }
        let value = field.text().await.map_err(|e| bad(&e))?;
        let d = &mut form.draft;
        match name.as_str() {
            "op" => form.op = value,
            "to" => d.to = value,
            "cc" => d.cc = value,
            "bcc" => d.bcc = value,
            "subject" => d.subject = value,
            "body" => d.body = value.replace("\r\n", "\n"),
            "format" => d.format = BodyFormat::parse(&value),
            "priority" => d.priority = Priority::parse(&value),
            "receipt" => d.receipt = !value.is_empty(),
            "draft" => d.draft_uid = value.parse().ok(),
            "keep" => form.keep.push(value),
            "in_reply_to" => d.in_reply_to = Some(value).filter(|v| !v.trim().is_empty()),
            "references" => {
                d.references = value.split_whitespace().map(str::to_owned).collect();
            }
            "original_folder" => original_folder = value,
            "original_uid" => original_uid = value.parse().ok(),
            "account" => form.account = value,
            "forwarding" => d.forwarding = value == "1",
            "interface" => {
                form.interface = if value == "basic" {
                    Interface::Basic
                } else {
                    Interface::Standard
                }
            }
            _ => {
                if let Some(word) = name.strip_prefix("fix:")
                    && is_fixable_word(word)
                    && is_correction(&value)
                    && value != word
                    && form.fixes.len() < MAX_FIXES
                {
                    form.fixes.push((word.to_owned(), value));
                }
            }
        }
        // Submit buttons may carry the operation in their name, so that one
        // form has several (`op:send`, `op:remove:d3` …).
        if let Some(op) = name.strip_prefix("op:") {
            form.op = op.to_owned();
        }
    }
    if let (false, Some(uid)) = (original_folder.is_empty(), original_uid) {
        form.draft.original = Some(MessageRef {
            folder: original_folder,
            uid,
        });
    }
    Ok(form)
}

/// The signed-in user's sender identity, signature and language.
struct Identity {
    from: Mailbox,
    signature: String,
    language: String,
}

fn identity(
    dir: &accounts::Directory,
    user: &crate::session::SignedIn,
    default_language: &str,
) -> Result<Identity, AppError> {
    let pref = |k: &str| {
        dir.pref(user.account_id, k).map_err(|e| {
            tracing::error!(error = %e, "prefs");
            AppError::Internal
        })
    };
    let name = pref(PREF_NAME)?.filter(|n| !n.trim().is_empty());
    Ok(Identity {
        from: Mailbox::new(name.as_deref(), &user.address),
        signature: pref(PREF_SIGNATURE)?.unwrap_or_default(),
        language: pref(PREF_LANGUAGE)?.unwrap_or_else(|| default_language.to_owned()),
    })
}

/// The state, the signed-in user and their identity.
async fn who() -> Result<(crate::state::AppState, crate::session::SignedIn, Identity), AppError> {
    let state = crate::state::app_state()?;
    let user = signed_in()?;
    let (dir, u) = (state.directory.clone(), user.clone());
    let lang = state.web.default_spell_language.clone();
    let identity = tokio::task::spawn_blocking(move || identity(&dir, &u, &lang))
        .await
        .map_err(|_| AppError::Internal)??;
    Ok((state, user, identity))
}

/// The HTML and text bodies to send for a draft's body.
fn bodies(draft: &Draft) -> (Option<String>, String) {
    match draft.format {
        BodyFormat::Html => {
            let html = sanitize::compose_html(&draft.body);
            let text = sanitize::html_to_text(&html);
            (Some(html), text)
        }
        BodyFormat::Simple => (
            Some(compose::simple::to_html(&draft.body)),
            draft.body.clone(),
        ),
        BodyFormat::Plain => (None, draft.body.clone()),
    }
}

/// The most attachments one message may have.
const MAX_ATTACHMENTS: usize = 100;

/// The most spelling corrections one post may apply.
const MAX_FIXES: usize = 200;

/// Whether `word` can be corrected: a word as the spelling check reports
/// them (not empty, no spaces, not absurdly long). Anything else in a
/// `fix:` field is ignored.
fn is_fixable_word(word: &str) -> bool {
    !word.is_empty()
        && word.chars().count() <= 100
        && !word.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Whether `with` can replace a word: a suggestion may be two words
/// ("a lot"), but not empty, multi-line or long.
fn is_correction(with: &str) -> bool {
    !with.trim().is_empty() && with.chars().count() <= 100 && !with.chars().any(char::is_control)
}

/// An attachment the form keeps from the previous draft: a part of it
/// (`d<n>`), or the forwarded original (`orig`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kept {
    Part(u32),
    Original,
}

impl Kept {
    fn parse(id: &str) -> Option<Kept> {
        if id == "orig" {
            return Some(Kept::Original);
        }
        id.strip_prefix('d')?.parse().ok().map(Kept::Part)
    }
}

/// Replaces whole-word occurrences of `word` in `text`. An empty `word`
/// changes nothing; `None` when the result would be longer than `max`
/// bytes (and then nothing is built).
fn replace_word(text: &str, word: &str, with: &str, max: usize) -> Option<String> {
    if word.is_empty() {
        return Some(text.to_owned());
    }
    let grows = with.len().saturating_sub(word.len());
    if grows > 0 && text.len() + text.matches(word).count().saturating_mul(grows) > max {
        return None;
    }
    let is_word = |c: char| c.is_alphanumeric() || c == '\'' || c == '’';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(word) {
        let before = rest[..i].chars().next_back();
        let after = rest[i + word.len()..].chars().next();
        out.push_str(&rest[..i]);
        if before.is_some_and(is_word) || after.is_some_and(is_word) {
            out.push_str(word);
        } else {
            out.push_str(with);
        }
        rest = &rest[i + word.len()..];
    }
    out.push_str(rest);
    Some(out)
}

/// The attachments of a stored draft, as the form lists them.
fn draft_attachments(raw: &[u8]) -> Vec<DraftAttachment> {
    mailview::view(raw, &mailview::ViewOptions::default())
        .attachments
        .into_iter()
        .filter(|a| !a.inline)
        .map(|a| DraftAttachment {
            id: format!("d{}", a.part),
            filename: a.filename,
            content_type: a.content_type,
            size: a.size,
        })
        .collect()
}

/// Everything a submission needs from outside the store.
struct Context {
    user: crate::session::SignedIn,
    identity: Identity,
    max_bytes: u64,
    now: i64,
}

/// Builds the message of `form` (attachments from the previous draft, the
/// forwarded original and new uploads), saves it as the draft and returns
/// the message and the new draft's UID. `Err` only when nothing could be
/// saved.
fn save_draft(store: &Mailstore, form: &Form, ctx: &Context) -> Result<Saved, AppError> {
    let draft = &form.draft;
    let previous = match draft.draft_uid {
        Some(uid) => store.raw(DRAFTS, uid).map_err(store_error)?,
        None => None,
    };
    let removing = form.op.strip_prefix("remove:").and_then(Kept::parse);
    // Each kept attachment once, however often or however the form names
    // it (`d2`, `d02` and `d+2` are one part).
    let mut kept: Vec<Kept> = Vec::new();
    for id in form.keep.iter().filter_map(|k| Kept::parse(k)) {
        if Some(id) != removing && !kept.contains(&id) && kept.len() < MAX_ATTACHMENTS {
            kept.push(id);
        }
    }
    // The limit is on the whole message: the text, every kept attachment
    // and attached message, and the new files, each counted once. What
    // would go over it is left out (and said so); the text never is.
    let too_large = || AppError::MessageTooLarge {
        max_mb: ctx.max_bytes / (1024 * 1024),
    };
    let mut problem = None;
    let mut total: u64 = draft.body.len() as u64;
    if total > ctx.max_bytes {
        problem = Some(too_large());
    }
    let mut fits = |size: usize, problem: &mut Option<AppError>| {
        if total.saturating_add(size as u64) > ctx.max_bytes {
            *problem = Some(too_large());
            false
        } else {
            total += size as u64;
            true
        }
    };
    let mut attachments = Vec::new();
    let mut attached_messages = Vec::new();
    if kept.contains(&Kept::Original)
        && let Some(o) = &draft.original
        && let Some(raw) = store.raw(&o.folder, o.uid).map_err(store_error)?
        && fits(raw.len(), &mut problem)
    {
        attached_messages.push(raw);
    }
    let parts: Vec<u32> = kept
        .iter()
        .filter_map(|k| match k {
            Kept::Part(n) => Some(*n),
            Kept::Original => None,
        })
        .collect();
    if let Some(prev) = &previous {
        for p in mailview::attachments_of(prev, &parts).into_iter().flatten() {
            if fits(p.bytes.len(), &mut problem) {
                attachments.push(Attachment {
                    filename: p.filename,
                    content_type: p.content_type,
                    bytes: p.bytes,
                });
            }
        }
    }
    for u in &form.uploads {
        if attachments.len() >= MAX_ATTACHMENTS || !fits(u.bytes.len(), &mut problem) {
            problem = Some(too_large());
            continue;
        }
        attachments.push(Attachment {
            filename: u.filename.clone(),
            content_type: u.content_type.clone(),
            bytes: u.bytes.clone(),
        });
    }
    if !form.refused.is_empty() {
        problem = Some(too_large());
    }
    // Spelling corrections may lengthen the text, never past the limit
    // (a word replaced by a hundred characters, then again, grew without
    // bound).
    let mut draft = draft.clone();
    let room = ctx.max_bytes.max(draft.body.len() as u64) as usize;
    for (word, with) in &form.fixes {
        match replace_word(&draft.body, word, with, room) {
            Some(fixed) => draft.body = fixed,
            None => problem = Some(too_large()),
        }
    }
    let (html, text) = bodies(&draft);
    let out = Outgoing {
        from: ctx.identity.from.clone(),
        subject: draft.subject.clone(),
        html,
        text,
        priority: draft.priority,
        receipt_to: draft.receipt.then(|| ctx.user.address.clone()),
        in_reply_to: draft.in_reply_to.clone(),
        references: draft.references.clone(),
        attachments,
        attached_messages,
        date: ctx.now,
        user_agent: Some("Webmail".to_owned()),
        ..Outgoing::default()
    };
    let built = compose::draft::write(&out, &draft).map_err(|e| {
        tracing::error!(error = %e, "draft build");
        AppError::Internal
    })?;
    let uid = store
        .append(
            DRAFTS,
            &built.sent_copy,
            &[Flag::Seen, Flag::Draft],
            Some(ctx.now),
        )
        .map_err(store_error)?;
    if let Some(old) = draft.draft_uid.filter(|_| previous.is_some()) {
        // The replaced draft goes to retention, where it can be restored.
        store.expunge(DRAFTS, &[old]).map_err(store_error)?;
    }
    Ok(Saved {
        attachments: draft_attachments(&built.sent_copy),
        out,
        uid,
        problem,
    })
}

/// A draft just saved: the message it holds (recipients still as typed,
/// in the form), its UID, its attachments, and what was refused.
struct Saved {
    out: Outgoing,
    uid: u32,
    attachments: Vec<DraftAttachment>,
    problem: Option<AppError>,
}

/// Parses one address field, naming the field in the error.
fn addresses(field: &str, typed: &str) -> Result<Vec<Mailbox>, AppError> {
    parse_addresses(typed).map_err(|e| match e {
        compose::Error::BadAddress { input, reason } => AppError::BadAddress {
            message: format!("“{input}” in {field} is not a valid address: {reason}."),
        },
        other => AppError::BadAddress {
            message: format!("{field}: {other}"),
        },
    })
}

/// Every problem with the typed addresses, one sentence each.
pub fn address_problems(draft: &Draft) -> Vec<String> {
    let mut out = Vec::new();
    for (field, typed) in [("To", &draft.to), ("Cc", &draft.cc), ("Bcc", &draft.bcc)] {
        for one in typed.split([',', ';']).filter(|s| !s.trim().is_empty()) {
            if let Err(e) = addresses(field, one) {
                out.push(e.to_string());
            }
        }
    }
    if out.is_empty()
        && [&draft.to, &draft.cc, &draft.bcc]
            .iter()
            .all(|s| s.trim().is_empty())
    {
        out.push(AppError::NoRecipients.to_string());
    }
    out
}

/// Handles one submission. Returns the draft's UID (when one was saved)
/// with the outcome, so a refused send can reopen the saved draft.
pub async fn submit(form: Form) -> (Option<u32>, Result<ComposeOutcome, AppError>) {
    let (state, user, identity) = match who().await {
        Ok(p) => p,
        Err(e) => return (None, Err(e)),
    };
    // A form opened in another account (a tab left open when someone else
    // signed in on this browser) never writes here: its draft number, kept
    // attachments and original name that account's messages.
    if !form.account.trim().eq_ignore_ascii_case(&user.address) {
        tracing::info!(form = %form.account, "compose post from another account's form refused");
        return (None, Err(AppError::OtherAccount));
    }
    let ctx = std::sync::Arc::new(Context {
        user,
        identity,
        max_bytes: state.web.max_message_bytes,
        now: now(),
    });
    let form = std::sync::Arc::new(form);
    let saved = {
        let (form, ctx) = (form.clone(), ctx.clone());
        with_store(move |store| save_draft(store, &form, &ctx)).await
    };
    let Saved {
        out,
        uid,
        attachments,
        problem,
    } = match saved {
        Ok(s) => s,
        Err(e) => return (None, Err(e)),
    };
    let saved_outcome = ComposeOutcome {
        draft_uid: Some(uid),
        saved_at: ctx.now,
        attachments,
        ..ComposeOutcome::default()
    };
    if let Some(p) = problem {
        // Saved, with something refused: a plain form shows the error on the
        // reopened draft; the hydrated form keeps going with the new draft.
        if crate::session::request_parts().is_ok_and(|parts| !crate::session::is_plain_form(&parts))
            && form.op != "send"
        {
            return (
                Some(uid),
                Ok(ComposeOutcome {
                    problem: Some(p.to_string()),
                    ..saved_outcome
                }),
            );
        }
        return (Some(uid), Err(p));
    }
    if form.op != "send" {
        return (Some(uid), Ok(saved_outcome));
    }
    match send(&state, &ctx, &form.draft, out, uid).await {
        Ok(outcome) => (None, Ok(outcome)),
        Err(e) => (Some(uid), Err(e)),
    }
}

/// Sends the saved draft `uid`: local recipients get it at once, others go
/// to the outbound queue; a copy goes to Sent and the draft is removed.
async fn send(
    state: &crate::state::AppState,
    ctx: &Context,
    draft: &Draft,
    mut out: Outgoing,
    uid: u32,
) -> Result<ComposeOutcome, AppError> {
    if ctx.user.status == AccountStatus::SuspendedSending {
        return Err(AppError::SendingSuspended);
    }
    out.to = addresses("To", &draft.to)?;
    out.cc = addresses("Cc", &draft.cc)?;
    out.bcc = addresses("Bcc", &draft.bcc)?;
    let built = out.build().map_err(|e| match e {
        compose::Error::NoRecipients => AppError::NoRecipients,
        compose::Error::BadAddress { input, reason } => AppError::BadAddress {
            message: format!("“{input}” is not a valid address: {reason}."),
        },
        other => {
            tracing::error!(error = %other, "build");
            AppError::Internal
        }
    })?;
    let routed = route(state, built.recipients.clone()).await?;
    if let Some(unknown) = routed.unknown.first() {
        return Err(AppError::BadAddress {
            message: format!("There is no mailbox {unknown} on this server. Check the spelling."),
        });
    }
    // The promise comes first: the queue entry is on disk before anything
    // is reported as sent.
    enqueue(state, &ctx.user.address, &built, &routed.remote).await?;
    let delivered = deliver_all(state, routed.local, &built.transport).await?;
    let remote = routed.remote;
    let sent_copy = built.sent_copy.clone();
    let original = draft.original.clone();
    let forwarding = draft.forwarding;
    let now = ctx.now;
    with_store(move |store| {
        store
            .append(SENT, &sent_copy, &[Flag::Seen], Some(now))
            .map_err(store_error)?;
        store.expunge(DRAFTS, &[uid]).map_err(store_error)?;
        if let Some(o) = &original {
            let flag = if forwarding {
                Flag::Keyword(mailstore::FORWARDED.to_owned())
            } else {
                Flag::Answered
            };
            // The original may have been moved or deleted meanwhile.
            let _ = store.set_flags(&o.folder, &[o.uid], &[flag]);
        }
        Ok(())
    })
    .await?;
    Ok(ComposeOutcome {
        draft_uid: None,
        saved_at: ctx.now,
        attachments: Vec::new(),
        sent: true,
        delivered,
        queued: remote.len() as u32,
        ..ComposeOutcome::default()
    })
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Saves the form stashed when the session ended as a draft; its UID.
/// Called by the sign-in (a POST) once the session exists.
pub async fn restore_stash() -> Result<Option<u32>, AppError> {
    let Some((content_type, body)) = crate::session::take_compose_stash().await? else {
        return Ok(None);
    };
    let Ok(boundary) = multer::parse_boundary(&content_type) else {
        return Ok(None);
    };
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(bytes_of(body)) });
    let data =
        leptos::server_fn::codec::MultipartData::Server(multer::Multipart::new(stream, boundary));
    let state = crate::state::app_state()?;
    let mut form = read_form(data, state.web.max_message_bytes).await?;
    // Whatever the button was, the text comes back as a draft to check.
    form.op = "save".to_owned();
    let (uid, _) = submit(form).await;
    Ok(uid)
}

fn bytes_of(body: Vec<u8>) -> multer::bytes::Bytes {
    multer::bytes::Bytes::from(body)
}

/// The compose page's state for `opening`.
pub async fn load(opening: ComposeOpening) -> Result<ComposeState, AppError> {
    let (state, user, identity) = who().await?;
    let own = user.address.clone();
    let format = if opening.basic {
        BodyFormat::Plain
    } else {
        BodyFormat::Html
    };
    let signature = identity.signature.clone();
    let o = opening.clone();
    let (draft, known, saved_at) = with_store(move |store| {
        let known = known_recipients(store);
        if let Some(uid) = o.draft {
            let raw = store
                .raw(DRAFTS, uid)
                .map_err(store_error)?
                .ok_or(AppError::NoSuchMessage)?;
            let saved = store
                .summary(DRAFTS, uid)
                .map_err(store_error)?
                .map(|s| s.arrival);
            return Ok((draft_from_raw(&raw, uid), known, saved));
        }
        let mut draft = match (&o.original, o.mode.as_str()) {
            (Some(orig), mode) => {
                let raw = store
                    .raw(&orig.folder, orig.uid)
                    .map_err(store_error)?
                    .ok_or(AppError::NoSuchMessage)?;
                let prefill = match mode {
                    "all" => {
                        compose::reply::reply(&raw, compose::reply::ReplyKind::ReplyAll, &[&own])
                    }
                    "forward" => compose::reply::forward_inline(&raw),
                    "attach" => compose::reply::forward_as_attachment(&raw).map(|(p, _)| p),
                    _ => compose::reply::reply(&raw, compose::reply::ReplyKind::Reply, &[&own]),
                }
                .map_err(|e| {
                    tracing::warn!(error = %e, "prefill");
                    AppError::NoSuchMessage
                })?;
                let mut d = prefill.to_draft(format);
                d.original = Some(orig.clone());
                d.forwarding = matches!(mode, "forward" | "attach");
                if mode == "attach" {
                    d.body = String::new();
                    d.attachments.push(DraftAttachment {
                        id: "orig".to_owned(),
                        filename: format!("{}.eml", non_empty_name(&d.subject)),
                        content_type: "message/rfc822".to_owned(),
                        size: raw.len() as u64,
                    });
                }
                d
            }
            (None, _) => Draft {
                to: o.to.clone(),
                format,
                ..Draft::default()
            },
        };
        if !signature.trim().is_empty() && o.draft.is_none() {
            draft.body = with_signature(&draft.body, &signature, format);
        }
        Ok((draft, known, None))
    })
    .await?;
    // The editor puts the body into the page itself: whatever it came from
    // (a quote, a forward, a stored draft, the signature), it is sanitised
    // here once more, as HTML to be sent.
    let mut draft = draft;
    if draft.format == BodyFormat::Html {
        draft.body = sanitize::compose_html(&draft.body);
    }
    let languages = state.spell.languages();
    let language = if languages.contains(&identity.language) {
        identity.language.clone()
    } else {
        languages.first().cloned().unwrap_or_default()
    };
    let misspellings = if opening.spell {
        let text = match draft.format {
            BodyFormat::Html => sanitize::html_to_text(&draft.body),
            _ => draft.body.clone(),
        };
        let spell = state.spell.clone();
        let lang = language.clone();
        Some(
            tokio::task::spawn_blocking(move || spell.check(&lang, &text))
                .await
                .map_err(|_| AppError::Internal)?
                .map_err(|e| AppError::BadRequest {
                    message: format!("Spelling could not be checked: {e}"),
                })?,
        )
    } else {
        None
    };
    Ok(ComposeState {
        address_problems: if opening.check_addresses {
            address_problems(&draft)
        } else {
            Vec::new()
        },
        draft,
        from: identity.from.to_string(),
        account: user.address.clone(),
        misspellings,
        languages,
        language,
        known_recipients: known,
        saved_at,
        offset: accounts::zone::offset_at(&crate::mail::user_zone().await?, now()),
        sending_suspended: user.status == AccountStatus::SuspendedSending,
        max_mb: state.web.max_message_bytes / (1024 * 1024),
    })
}

fn non_empty_name(subject: &str) -> String {
    let cleaned: String = subject
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    if cleaned.trim().is_empty() {
        "message".to_owned()
    } else {
        cleaned.trim().to_owned()
    }
}

fn with_signature(body: &str, signature: &str, format: BodyFormat) -> String {
    match format {
        BodyFormat::Html => {
            let sig = compose::reply::text_to_html(signature);
            format!("<p><br></p><p>-- <br>{sig}</p>{body}")
        }
        _ => format!("\n\n-- \n{signature}{body}"),
    }
}

/// A stored draft back into the form.
fn draft_from_raw(raw: &[u8], uid: u32) -> Draft {
    let (html, text) = compose::draft::bodies(raw);
    let mut draft = compose::draft::state(raw).unwrap_or_else(|| {
        let v = mailview::view(raw, &mailview::ViewOptions::default());
        let join = |l: &[model::mail::Address]| {
            l.iter()
                .map(|a| {
                    if a.name.is_empty() {
                        a.email.clone()
                    } else {
                        format!("{} <{}>", a.name, a.email)
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        Draft {
            to: join(&v.to),
            cc: join(&v.cc),
            subject: v.subject.clone(),
            format: if html.is_some() {
                BodyFormat::Html
            } else {
                BodyFormat::Plain
            },
            ..Draft::default()
        }
    });
    draft.body = match (draft.format, html) {
        // Sanitised by `load`, like every body the editor is given.
        (BodyFormat::Html, Some(h)) => h,
        _ => text.trim_end_matches(['\r', '\n']).to_owned(),
    };
    draft.attachments = draft_attachments(raw);
    draft.draft_uid = Some(uid);
    draft
}

/// Addresses from the newest messages in Sent, for completion.
fn known_recipients(store: &Mailstore) -> Vec<String> {
    let Ok(page) = store.list(SENT, mailstore::SortKey::Date, true, 0, 200) else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for m in page.items {
        for field in [&m.to, &m.cc] {
            if let Ok(list) = parse_addresses(field) {
                for a in list {
                    let s = a.to_string();
                    if !out.iter().any(|o| o.eq_ignore_ascii_case(&s)) && out.len() < 500 {
                        out.push(s);
                    }
                }
            }
        }
    }
    out
}

/// "Try again now" for the signed-in user's waiting mail.
pub async fn retry_outbox() -> Result<usize, AppError> {
    let state = crate::state::app_state()?;
    let user = signed_in()?;
    let out = state.outbound.clone();
    let n = tokio::task::spawn_blocking(move || out.queue.retry_now(&user.address, now()))
        .await
        .map_err(|_| AppError::Internal)?
        .map_err(|e| {
            tracing::error!(error = %e, "retry");
            AppError::Internal
        })?;
    state.outbound.wake.notify_one();
    Ok(n)
}

/// The queue entries of the signed-in user.
pub async fn outbox() -> Result<Vec<model::compose::OutboxEntry>, AppError> {
    let state = crate::state::app_state()?;
    let user = signed_in()?;
    let zone = crate::mail::user_zone().await?;
    let mut entries = tokio::task::spawn_blocking(move || state.outbound.queue.list(&user.address))
        .await
        .map_err(|_| AppError::Internal)?
        .map_err(|e| {
            tracing::error!(error = %e, "outbox");
            AppError::Internal
        })?;
    for e in &mut entries {
        e.next_offset = accounts::zone::offset_at(&zone, e.next_attempt);
    }
    Ok(entries)
}

/// Runs a submission and answers it: plain form posts are redirected (to
/// the mailbox once sent, else back to the saved draft, with any error);
/// the hydrated app gets the outcome.
pub async fn respond(form: Form) -> Result<ComposeOutcome, AppError> {
    let parts = crate::session::request_parts()?;
    let ui = form.interface;
    let op = form.op.clone();
    let (uid, result) = submit(form).await;
    if crate::session::is_plain_form(&parts) {
        let to = match (&result, uid) {
            (Ok(o), _) if o.sent => ui.href(&format!("/mail?sent={}", o.queued)),
            (Ok(_), Some(uid)) if op == "spell" => {
                ui.href(&format!("/mail/compose?draft={uid}&spell=1"))
            }
            (Ok(_), Some(uid)) => ui.href(&format!("/mail/compose?draft={uid}&saved=1")),
            (Err(e), Some(uid)) => {
                let check = matches!(e, AppError::BadAddress { .. } | AppError::NoRecipients);
                ui.href(&format!(
                    "/mail/compose?draft={uid}&{}{}",
                    e.to_query(),
                    if check { "&check=1" } else { "" }
                ))
            }
            (_, None) => ui.href(&format!(
                "/mail/compose?{}",
                result
                    .as_ref()
                    .err()
                    .map(AppError::to_query)
                    .unwrap_or_default()
            )),
        };
        leptos_axum::redirect(&to);
    }
    result
}

/// Spelling of `text` in `language` (or the user's).
pub async fn spell(
    language: String,
    text: String,
) -> Result<Vec<model::compose::Misspelling>, AppError> {
    let state = crate::state::app_state()?;
    signed_in()?;
    let spell = state.spell.clone();
    let language = if language.is_empty() {
        state.web.default_spell_language.clone()
    } else {
        language
    };
    tokio::task::spawn_blocking(move || spell.check(&language, &text))
        .await
        .map_err(|_| AppError::Internal)?
        .map_err(|e| AppError::BadRequest {
            message: format!("Spelling could not be checked: {e}"),
        })
}

/// (name, signature, language, languages installed).
pub async fn identity_settings() -> Result<model::compose::IdentitySettings, AppError> {
    let (state, _, id) = who().await?;
    Ok(model::compose::IdentitySettings {
        name: id.from.name.unwrap_or_default(),
        signature: id.signature,
        language: id.language,
        languages: state.spell.languages(),
        time_zone: crate::mail::user_zone().await?,
        time_zones: accounts::zone::zone_names(),
    })
}

/// Saves the identity; plain form posts return to the settings page.
pub async fn set_identity(
    name: String,
    signature: String,
    language: String,
    time_zone: Option<String>,
) -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    let user = signed_in()?;
    let parts = crate::session::request_parts()?;
    let name: String = name.chars().filter(|c| !c.is_control()).take(100).collect();
    let signature: String = signature.replace("\r\n", "\n").chars().take(2000).collect();
    if !language.is_empty() && !state.spell.languages().contains(&language) {
        return Err(AppError::BadRequest {
            message: "That spell-check language is not installed.".to_owned(),
        });
    }
    let time_zone = time_zone.filter(|z| !z.is_empty());
    if time_zone
        .as_deref()
        .is_some_and(|z| !accounts::zone::is_zone(z))
    {
        return Err(AppError::BadRequest {
            message: "That time zone is not known. Choose one from the list.".to_owned(),
        });
    }
    let dir = state.directory.clone();
    let id = user.account_id;
    tokio::task::spawn_blocking(move || {
        dir.set_pref(id, PREF_NAME, name.trim())?;
        dir.set_pref(id, PREF_SIGNATURE, &signature)?;
        if !language.is_empty() {
            dir.set_pref(id, PREF_LANGUAGE, &language)?;
        }
        if let Some(zone) = &time_zone {
            dir.set_pref(id, crate::mail::PREF_TIME_ZONE, zone)?;
        }
        Ok::<_, accounts::Error>(())
    })
    .await
    .map_err(|_| AppError::Internal)?
    .map_err(|e| {
        tracing::error!(error = %e, "identity");
        AppError::Internal
    })?;
    if crate::session::is_plain_form(&parts) {
        leptos_axum::redirect(&user.interface.href("/settings?saved=1"));
    }
    Ok(())
}

/// Answers a read-receipt request: `send` builds and sends the receipt
/// (RFC 8098); either way the message gets `$MDNSent`, so the question is
/// asked only once.
pub async fn answer_receipt(folder: String, uid: u32, send: bool) -> Result<usize, AppError> {
    let state = crate::state::app_state()?;
    let user = signed_in()?;
    let f = folder.clone();
    let raw = with_store(move |s| {
        s.raw(&f, uid)
            .map_err(store_error)?
            .ok_or(AppError::NoSuchMessage)
    })
    .await?;
    if send {
        if user.status == AccountStatus::SuspendedSending {
            return Err(AppError::SendingSuspended);
        }
        let (_, _, id) = who().await?;
        let to = compose::mdn::offer(&raw, &[&user.address], compose::mdn::Situation::default())
            .ok_or(AppError::BadRequest {
                message: "This message does not ask for a read receipt.".to_owned(),
            })?;
        let built = compose::mdn::build(
            &raw,
            &compose::mdn::Receipt {
                user: &id.from,
                to: &to,
                reporting_ua: "Webmail",
                host: &state.web.hostname,
                date: now(),
            },
        )
        .map_err(|e| {
            tracing::error!(error = %e, "receipt");
            AppError::Internal
        })?;
        dispatch(&state, &user.address, &built).await?;
    }
    with_store(move |s| {
        s.set_flags(
            &folder,
            &[uid],
            &[Flag::Keyword(mailstore::MDN_SENT.to_owned())],
        )
        .map_err(store_error)
    })
    .await
}

/// Hands a built message to its recipients: mailboxes here directly, the
/// rest through the queue. Unknown local mailboxes are skipped (a receipt
/// to a vanished address is not worth an error).
async fn dispatch(
    state: &crate::state::AppState,
    account: &str,
    built: &compose::Built,
) -> Result<(), AppError> {
    let routed = route(state, built.recipients.clone()).await?;
    enqueue(state, account, built, &routed.remote).await?;
    deliver_all(state, routed.local, &built.transport).await?;
    Ok(())
}

/// Recipients sorted by where they live.
struct Routed {
    /// Mailboxes on this server.
    local: Vec<accounts::Account>,
    /// Addresses elsewhere.
    remote: Vec<String>,
    /// Addresses in one of our domains without a mailbox.
    unknown: Vec<String>,
}

async fn route(
    state: &crate::state::AppState,
    recipients: Vec<String>,
) -> Result<Routed, AppError> {
    let dir = state.directory.clone();
    tokio::task::spawn_blocking(move || -> Result<Routed, accounts::Error> {
        let domains = dir.domains()?;
        let mut routed = Routed {
            local: Vec::new(),
            remote: Vec::new(),
            unknown: Vec::new(),
        };
        for r in recipients {
            let domain = r.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
            if !domains.iter().any(|d| d.eq_ignore_ascii_case(domain)) {
                routed.remote.push(r);
            } else if let Some(account) = dir.find_user(&r)? {
                routed.local.push(account);
            } else {
                routed.unknown.push(r);
            }
        }
        Ok(routed)
    })
    .await
    .map_err(|_| AppError::Internal)?
    .map_err(|e| {
        tracing::error!(error = %e, "directory");
        AppError::Internal
    })
}

/// Puts the message for `remote` into the outbound queue (durably) and
/// wakes the worker.
async fn enqueue(
    state: &crate::state::AppState,
    account: &str,
    built: &compose::Built,
    remote: &[String],
) -> Result<(), AppError> {
    if remote.is_empty() {
        return Ok(());
    }
    let out = state.outbound.clone();
    let (account, from, bytes, rcpts) = (
        account.to_owned(),
        built.envelope_from.clone(),
        built.transport.clone(),
        remote.to_vec(),
    );
    tokio::task::spawn_blocking(move || out.queue.enqueue(&account, &from, &rcpts, &bytes, now()))
        .await
        .map_err(|_| AppError::Internal)?
        .map_err(|e| {
            tracing::error!(error = %e, "enqueue");
            AppError::Internal
        })?;
    state.outbound.wake.notify_one();
    Ok(())
}

/// Delivers into each local mailbox (`mail::deliver`: the owner's block
/// list applies); how many took it.
async fn deliver_all(
    state: &crate::state::AppState,
    local: Vec<accounts::Account>,
    message: &[u8],
) -> Result<u32, AppError> {
    let (dir, data_root) = (state.directory.clone(), state.data_dir.clone());
    let message = message.to_vec();
    tokio::task::spawn_blocking(move || {
        let mut n = 0u32;
        for account in &local {
            match mail::deliver(&dir, &data_root, account, &message, None) {
                Ok(_) => n += 1,
                Err(e) => tracing::error!(to = %account.address, error = %e, "local delivery"),
            }
        }
        n
    })
    .await
    .map_err(|_| AppError::Internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_replaced_whole() {
        let cases = [
            ("teh cat", "teh", "the", "the cat"),
            ("tehran teh", "teh", "the", "tehran the"),
            ("Teh teh, teh.", "teh", "the", "Teh the, the."),
            ("don't dont", "dont", "don't", "don't don't"),
            ("", "x", "y", ""),
            ("é teh é", "teh", "the", "é the é"),
            // An empty word matches everywhere: nothing is replaced (this
            // looped forever and grew without bound).
            ("abc", "", "x", "abc"),
            ("", "", "x", ""),
        ];
        for (text, word, with, expected) in cases {
            assert_eq!(
                replace_word(text, word, with, 1000).as_deref(),
                Some(expected),
                "{text}"
            );
        }
        // Past the room given, nothing is built.
        assert_eq!(replace_word("a a a", "a", "bbbb", 12), None);
        assert_eq!(
            replace_word("a a a", "a", "bbb", 13).as_deref(),
            Some("bbb bbb bbb")
        );
    }

    #[test]
    fn kept_ids_name_one_part_however_written() {
        for (id, kept) in [
            ("d2", Some(Kept::Part(2))),
            ("d02", Some(Kept::Part(2))),
            ("d+2", Some(Kept::Part(2))),
            ("orig", Some(Kept::Original)),
            ("d", None),
            ("x2", None),
            ("d-1", None),
        ] {
            assert_eq!(Kept::parse(id), kept, "{id}");
        }
    }

    #[test]
    fn fixable_words() {
        for (word, ok) in [
            ("teh", true),
            ("don't", true),
            ("", false),
            (" ", false),
            ("\t", false),
            ("two words", false),
            (&"x".repeat(101), false),
        ] {
            assert_eq!(is_fixable_word(word), ok, "{word:?}");
        }
    }

    #[test]
    fn address_problems_name_the_field() {
        let d = Draft {
            to: "ann@example.com, bob@".to_owned(),
            cc: "carol at example".to_owned(),
            ..Draft::default()
        };
        let p = address_problems(&d);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].contains("“bob@” in To"), "{p:?}");
        assert!(p[1].contains("in Cc"), "{p:?}");
        assert_eq!(
            address_problems(&Draft::default()),
            vec![AppError::NoRecipients.to_string()]
        );
        assert!(
            address_problems(&Draft {
                bcc: "x@example.org".to_owned(),
                ..Draft::default()
            })
            .is_empty()
        );
    }
}
