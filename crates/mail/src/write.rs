//! Writing mail: the compose form's state, drafts in the Drafts folder,
//! sending (local recipients at once, the rest through the outbound queue),
//! read receipts, the outbox and spelling.
//!
//! Every submission first saves the draft (replacing the previous one), so
//! whatever happens next (a bad address, a file over the limit, a crash)
//! nothing typed is lost. Sending then builds the final message from the
//! same form.

use crate::identity::{Identity, identity};
use crate::mailbox::with_store;
use crate::{Error, Result, User};
use compose::{Attachment, Mailbox, Outgoing, parse_addresses};
use mailstore::{Flag, Mailstore};
use model::AccountStatus;
use model::compose::{
    BodyFormat, ComposeOpening, ComposeOutcome, ComposeState, Draft, DraftAttachment, Misspelling,
    OutboxEntry,
};
use model::mail::FolderRole;
use std::path::Path;

const DRAFTS: &str = FolderRole::Drafts.folder();
const SENT: &str = FolderRole::Sent.folder();

/// The most attachments one message may have.
pub const MAX_ATTACHMENTS: usize = 100;

/// The most spelling corrections one post may apply.
pub const MAX_FIXES: usize = 200;

/// The program name in User-Agent and in read receipts.
const USER_AGENT: &str = "Webmail";

/// What writing mail needs from the server beside the user.
pub struct Services<'a> {
    /// Domains and accounts: who is local, preferences, sender lists.
    pub directory: &'a accounts::Directory,
    /// Where the users' directories are.
    pub data_root: &'a Path,
    /// The outbound queue.
    pub queue: &'a compose::queue::Queue,
    /// Wakes the outbound worker once something was queued.
    pub wake: &'a (dyn Fn() + Sync),
    /// Spell-check dictionaries.
    pub spell: &'a spell::Dictionaries,
    /// The largest message a user may send, attachments included (bytes).
    pub max_message_bytes: u64,
    /// The spell-check language of users who chose none.
    pub default_language: &'a str,
    /// This server's name, in read receipts.
    pub hostname: &'a str,
}

/// A file posted with the form.
#[derive(Clone, Debug, Default)]
pub struct Upload {
    /// File name as the browser sent it.
    pub filename: String,
    /// Content type as the browser sent it.
    pub content_type: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// The compose form as posted.
#[derive(Clone, Debug, Default)]
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
    /// Files refused for size while reading the form: (name, bytes).
    pub refused: Vec<(String, u64)>,
    /// Spelling corrections: (word, replacement).
    pub fixes: Vec<(String, String)>,
    /// The account the form was opened in (its address), as posted.
    pub account: String,
}

impl Form {
    /// Adds the correction of `word` by `with` if both can be one (see
    /// [`is_fixable_word`]) and fewer than [`MAX_FIXES`] were given;
    /// anything else is ignored.
    pub fn add_fix(&mut self, word: &str, with: String) {
        if is_fixable_word(word)
            && is_correction(&with)
            && with != word
            && self.fixes.len() < MAX_FIXES
        {
            self.fixes.push((word.to_owned(), with));
        }
    }
}

/// What a submission came to.
#[derive(Debug)]
pub struct Submission {
    /// The saved draft, while there is one (a refused send keeps it; a
    /// message sent has none).
    pub draft_uid: Option<u32>,
    /// The outcome, or why the submission failed.
    pub result: Result<ComposeOutcome>,
    /// What was left out of a saved draft (a file over the size limit),
    /// when the submission otherwise succeeded: the caller decides whether
    /// to show it as an error or beside the saved draft.
    pub problem: Option<Error>,
}

/// `user`'s identity, with the server's default language.
fn identity_of(services: &Services<'_>, user: &User) -> Result<Identity> {
    identity(services.directory, user, services.default_language)
}

/// Handles one submission of the compose form: saves the draft, then
/// sends it when `form.op` is `send`. A form opened in another account (a
/// tab left open when someone else signed in on this browser) is refused
/// with [`Error::OtherAccount`] before anything is written: its draft
/// number, kept attachments and original name that account's messages.
pub fn submit(services: &Services<'_>, user: &User, form: &Form) -> Submission {
    let failed = |e| Submission {
        draft_uid: None,
        result: Err(e),
        problem: None,
    };
    if !form.account.trim().eq_ignore_ascii_case(&user.address) {
        tracing::info!(form = %form.account, "compose post from another account's form refused");
        return failed(Error::OtherAccount);
    }
    let identity = match identity_of(services, user) {
        Ok(i) => i,
        Err(e) => return failed(e),
    };
    let now = now();
    let saved = with_store(&user.dir, |store| {
        save_draft(
            store,
            form,
            user,
            &identity,
            services.max_message_bytes,
            now,
        )
    });
    let Saved {
        out,
        uid,
        attachments,
        problem,
    } = match saved {
        Ok(s) => s,
        Err(e) => return failed(e),
    };
    let outcome = ComposeOutcome {
        draft_uid: Some(uid),
        saved_at: now,
        attachments,
        ..ComposeOutcome::default()
    };
    let kept = |result, problem| Submission {
        draft_uid: Some(uid),
        result,
        problem,
    };
    if form.op != "send" {
        return kept(Ok(outcome), problem);
    }
    if let Some(p) = problem {
        // Never send a message with something left out.
        return kept(Err(p), None);
    }
    match send(services, user, &form.draft, out, uid, now) {
        Ok(outcome) => Submission {
            draft_uid: None,
            result: Ok(outcome),
            problem: None,
        },
        Err(e) => kept(Err(e), None),
    }
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

/// Whether `word` can be corrected: a word as the spelling check reports
/// them (not empty, no spaces, not absurdly long).
pub fn is_fixable_word(word: &str) -> bool {
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

/// A draft just saved: the message it holds (recipients still as typed,
/// in the form), its UID, its attachments, and what was refused.
struct Saved {
    out: Outgoing,
    uid: u32,
    attachments: Vec<DraftAttachment>,
    problem: Option<Error>,
}

/// Builds the message of `form` (attachments from the previous draft, the
/// forwarded original and new uploads), saves it as the draft and returns
/// the message and the new draft's UID. `Err` only when nothing could be
/// saved.
fn save_draft(
    store: &Mailstore,
    form: &Form,
    user: &User,
    identity: &Identity,
    max_bytes: u64,
    now: i64,
) -> Result<Saved> {
    let draft = &form.draft;
    let previous = match draft.draft_uid {
        Some(uid) => store.raw(DRAFTS, uid)?,
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
    let too_large = || Error::MessageTooLarge { max_bytes };
    let mut problem = None;
    let mut total: u64 = draft.body.len() as u64;
    if total > max_bytes {
        problem = Some(too_large());
    }
    let mut fits = |size: usize, problem: &mut Option<Error>| {
        if total.saturating_add(size as u64) > max_bytes {
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
        && let Some(raw) = store.raw(&o.folder, o.uid)?
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
    let room = max_bytes.max(draft.body.len() as u64) as usize;
    for (word, with) in &form.fixes {
        match replace_word(&draft.body, word, with, room) {
            Some(fixed) => draft.body = fixed,
            None => problem = Some(too_large()),
        }
    }
    let (html, text) = bodies(&draft);
    let out = Outgoing {
        from: identity.from.clone(),
        subject: draft.subject.clone(),
        html,
        text,
        priority: draft.priority,
        receipt_to: draft.receipt.then(|| user.address.clone()),
        in_reply_to: draft.in_reply_to.clone(),
        references: draft.references.clone(),
        attachments,
        attached_messages,
        date: now,
        user_agent: Some(USER_AGENT.to_owned()),
        ..Outgoing::default()
    };
    let built =
        compose::draft::write(&out, &draft).map_err(|e| Error::Build(format!("draft: {e}")))?;
    let uid = store.append(
        DRAFTS,
        &built.sent_copy,
        &[Flag::Seen, Flag::Draft],
        Some(now),
    )?;
    if let Some(old) = draft.draft_uid.filter(|_| previous.is_some()) {
        // A replaced draft is not kept: the new one holds all of it.
        store.discard(DRAFTS, &[old])?;
    }
    Ok(Saved {
        attachments: draft_attachments(&built.sent_copy),
        out,
        uid,
        problem,
    })
}

/// Parses one address field, naming the field in the error.
fn addresses(field: &str, typed: &str) -> Result<Vec<Mailbox>> {
    parse_addresses(typed).map_err(|e| match e {
        compose::Error::BadAddress { input, reason } => Error::BadAddress(format!(
            "“{input}” in {field} is not a valid address: {reason}."
        )),
        other => Error::BadAddress(format!("{field}: {other}")),
    })
}

/// Every problem with the typed addresses: one [`Error::BadAddress`] per
/// address that cannot be used, or [`Error::NoRecipients`].
pub fn address_problems(draft: &Draft) -> Vec<Error> {
    let mut out = Vec::new();
    for (field, typed) in [("To", &draft.to), ("Cc", &draft.cc), ("Bcc", &draft.bcc)] {
        for one in typed.split([',', ';']).filter(|s| !s.trim().is_empty()) {
            if let Err(e) = addresses(field, one) {
                out.push(e);
            }
        }
    }
    if out.is_empty()
        && [&draft.to, &draft.cc, &draft.bcc]
            .iter()
            .all(|s| s.trim().is_empty())
    {
        out.push(Error::NoRecipients);
    }
    out
}

/// Sends the saved draft `uid`: local recipients get it at once, others go
/// to the outbound queue; a copy goes to Sent, the draft is removed and the
/// original is flagged answered or forwarded.
fn send(
    services: &Services<'_>,
    user: &User,
    draft: &Draft,
    mut out: Outgoing,
    uid: u32,
    now: i64,
) -> Result<ComposeOutcome> {
    if user.status == AccountStatus::SuspendedSending {
        return Err(Error::SendingSuspended);
    }
    out.to = addresses("To", &draft.to)?;
    out.cc = addresses("Cc", &draft.cc)?;
    out.bcc = addresses("Bcc", &draft.bcc)?;
    let built = out.build().map_err(|e| match e {
        compose::Error::NoRecipients => Error::NoRecipients,
        compose::Error::BadAddress { input, reason } => {
            Error::BadAddress(format!("“{input}” is not a valid address: {reason}."))
        }
        other => Error::Build(format!("message: {other}")),
    })?;
    let routed = route(services.directory, &built.recipients)?;
    if let Some(unknown) = routed.unknown.first() {
        return Err(Error::BadAddress(format!(
            "There is no mailbox {unknown} on this server. Check the spelling."
        )));
    }
    // The promise comes first: the queue entry is on disk before anything
    // is reported as sent.
    enqueue(services, &user.address, &built, &routed.remote, now)?;
    let delivered = deliver_all(services, &routed.local, &built.transport);
    with_store(&user.dir, |store| {
        store.append(SENT, &built.sent_copy, &[Flag::Seen], Some(now))?;
        store.discard(DRAFTS, &[uid])?;
        if let Some(o) = &draft.original {
            let flag = if draft.forwarding {
                Flag::Keyword(mailstore::FORWARDED.to_owned())
            } else {
                Flag::Answered
            };
            // The original may have been moved or deleted meanwhile.
            let _ = store.set_flags(&o.folder, &[o.uid], &[flag]);
        }
        Ok(())
    })?;
    Ok(ComposeOutcome {
        draft_uid: None,
        saved_at: now,
        attachments: Vec::new(),
        sent: true,
        delivered,
        queued: routed.remote.len() as u32,
        ..ComposeOutcome::default()
    })
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The compose page's state for `opening`: a stored draft, a reply or
/// forward of a message, or a new message, with the signature, the known
/// recipients, and spelling and address checks when asked for.
pub fn load(
    services: &Services<'_>,
    user: &User,
    opening: &ComposeOpening,
) -> Result<ComposeState> {
    let identity = identity_of(services, user)?;
    let format = if opening.basic {
        BodyFormat::Plain
    } else {
        BodyFormat::Html
    };
    let (mut draft, known, saved_at) = with_store(&user.dir, |store| {
        prefill(store, opening, format, &user.address, &identity.signature)
    })?;
    // The editor puts the body into the page itself: whatever it came from
    // (a quote, a forward, a stored draft, the signature), it is sanitised
    // here once more, as HTML to be sent.
    if draft.format == BodyFormat::Html {
        draft.body = sanitize::compose_html(&draft.body);
    }
    let languages = services.spell.languages();
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
        Some(spell(services, &language, &text)?)
    } else {
        None
    };
    Ok(ComposeState {
        address_problems: if opening.check_addresses {
            address_problems(&draft)
                .iter()
                .map(ToString::to_string)
                .collect()
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
        offset: accounts::zone::offset_at(&user.time_zone, now()),
        sending_suspended: user.status == AccountStatus::SuspendedSending,
        max_mb: services.max_message_bytes / (1024 * 1024),
    })
}

/// The draft `opening` starts from, the known recipients, and when the
/// draft was saved (for a stored one).
fn prefill(
    store: &Mailstore,
    o: &ComposeOpening,
    format: BodyFormat,
    own: &str,
    signature: &str,
) -> Result<(Draft, Vec<String>, Option<i64>)> {
    let known = known_recipients(store);
    if let Some(uid) = o.draft {
        let raw = store.raw(DRAFTS, uid)?.ok_or(Error::NoSuchMessage)?;
        let saved = store.summary(DRAFTS, uid)?.map(|s| s.arrival);
        return Ok((draft_from_raw(&raw, uid), known, saved));
    }
    let mut draft = match (&o.original, o.mode.as_str()) {
        (Some(orig), mode) => {
            let raw = store
                .raw(&orig.folder, orig.uid)?
                .ok_or(Error::NoSuchMessage)?;
            let prefill = match mode {
                "all" => compose::reply::reply(&raw, compose::reply::ReplyKind::ReplyAll, &[own]),
                "forward" => compose::reply::forward_inline(&raw),
                "attach" => compose::reply::forward_as_attachment(&raw).map(|(p, _)| p),
                _ => compose::reply::reply(&raw, compose::reply::ReplyKind::Reply, &[own]),
            }
            .map_err(|e| {
                tracing::warn!(error = %e, "prefill");
                Error::NoSuchMessage
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
    if !signature.trim().is_empty() {
        draft.body = with_signature(&draft.body, signature, format);
    }
    Ok((draft, known, None))
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
    let Ok(page) = store.list(SENT, mailstore::SortColumn::Date, true, 0, 200) else {
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

/// "Try again now" for `user`'s waiting mail: how many entries.
pub fn retry_outbox(services: &Services<'_>, user: &User) -> Result<usize> {
    let n = services
        .queue
        .retry_now(&user.address, now())
        .map_err(|e| Error::Queue(e.to_string()))?;
    (services.wake)();
    Ok(n)
}

/// `user`'s mail still waiting to leave, with retry times in their zone.
pub fn outbox(services: &Services<'_>, user: &User) -> Result<Vec<OutboxEntry>> {
    let mut entries = services
        .queue
        .list(&user.address)
        .map_err(|e| Error::Queue(e.to_string()))?;
    for e in &mut entries {
        e.next_offset = accounts::zone::offset_at(&user.time_zone, e.next_attempt);
    }
    Ok(entries)
}

/// Spelling of `text` in `language` (the server's default when empty).
pub fn spell(services: &Services<'_>, language: &str, text: &str) -> Result<Vec<Misspelling>> {
    let language = if language.is_empty() {
        services.default_language
    } else {
        language
    };
    services
        .spell
        .check(language, text)
        .map_err(|e| Error::Invalid(format!("Spelling could not be checked: {e}")))
}

/// The identity settings page: name, signature, language and time zone,
/// with the choices installed.
pub fn identity_settings(
    services: &Services<'_>,
    user: &User,
) -> Result<model::compose::IdentitySettings> {
    let id = identity_of(services, user)?;
    Ok(model::compose::IdentitySettings {
        name: id.from.name.unwrap_or_default(),
        signature: id.signature,
        language: id.language,
        languages: services.spell.languages(),
        time_zone: user.time_zone.clone(),
        time_zones: accounts::zone::zone_names(),
    })
}

/// Answers a read-receipt request on message `uid` of `folder`: `send`
/// builds and sends the receipt (RFC 8098); either way the message gets
/// `$MDNSent`, so the question is asked only once.
pub fn answer_receipt(
    services: &Services<'_>,
    user: &User,
    folder: &str,
    uid: u32,
    send: bool,
) -> Result<usize> {
    let raw = with_store(&user.dir, |s| {
        s.raw(folder, uid)?.ok_or(Error::NoSuchMessage)
    })?;
    if send {
        if user.status == AccountStatus::SuspendedSending {
            return Err(Error::SendingSuspended);
        }
        let id = identity_of(services, user)?;
        let to = compose::mdn::offer(&raw, &[&user.address], compose::mdn::Situation::default())
            .ok_or_else(|| {
                Error::Invalid("This message does not ask for a read receipt.".to_owned())
            })?;
        let built = compose::mdn::build(
            &raw,
            &compose::mdn::Receipt {
                user: &id.from,
                to: &to,
                reporting_ua: USER_AGENT,
                host: services.hostname,
                date: now(),
            },
        )
        .map_err(|e| Error::Build(format!("read receipt: {e}")))?;
        dispatch(services, &user.address, &built)?;
    }
    with_store(&user.dir, |s| {
        Ok(s.set_flags(
            folder,
            &[uid],
            &[Flag::Keyword(mailstore::MDN_SENT.to_owned())],
        )?)
    })
}

/// Hands a built message to its recipients: mailboxes here directly, the
/// rest through the queue. Unknown local mailboxes are skipped (a receipt
/// to a vanished address is not worth an error).
fn dispatch(services: &Services<'_>, account: &str, built: &compose::Built) -> Result<()> {
    let routed = route(services.directory, &built.recipients)?;
    enqueue(services, account, built, &routed.remote, now())?;
    deliver_all(services, &routed.local, &built.transport);
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

fn route(directory: &accounts::Directory, recipients: &[String]) -> Result<Routed> {
    let domains = directory.domains()?;
    let mut routed = Routed {
        local: Vec::new(),
        remote: Vec::new(),
        unknown: Vec::new(),
    };
    for r in recipients {
        let domain = r.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
        if !domains.iter().any(|d| d.eq_ignore_ascii_case(domain)) {
            routed.remote.push(r.clone());
        } else if let Some(account) = directory.find_user(r)? {
            routed.local.push(account);
        } else {
            routed.unknown.push(r.clone());
        }
    }
    Ok(routed)
}

/// Puts the message for `remote` into the outbound queue (durably) and
/// wakes the worker.
fn enqueue(
    services: &Services<'_>,
    account: &str,
    built: &compose::Built,
    remote: &[String],
    now: i64,
) -> Result<()> {
    if remote.is_empty() {
        return Ok(());
    }
    services
        .queue
        .enqueue(account, &built.envelope_from, remote, &built.transport, now)
        .map_err(|e| Error::Queue(e.to_string()))?;
    (services.wake)();
    Ok(())
}

/// Delivers into each local mailbox ([`crate::deliver()`]: the owner's
/// block list applies); how many took it. A failed delivery is logged and
/// not counted.
fn deliver_all(services: &Services<'_>, local: &[accounts::Account], message: &[u8]) -> u32 {
    let mut n = 0u32;
    for account in local {
        match crate::deliver(
            services.directory,
            services.data_root,
            account,
            message,
            None,
        ) {
            Ok(_) => n += 1,
            Err(e) => tracing::error!(to = %account.address, error = %e, "local delivery"),
        }
    }
    n
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
        let mut form = Form::default();
        form.add_fix("teh", "the".to_owned());
        form.add_fix("teh", "teh".to_owned());
        form.add_fix("two words", "x".to_owned());
        form.add_fix("x", "a\nb".to_owned());
        assert_eq!(form.fixes, vec![("teh".to_owned(), "the".to_owned())]);
        for _ in 0..MAX_FIXES + 5 {
            form.add_fix("a", "b".to_owned());
        }
        assert_eq!(form.fixes.len(), MAX_FIXES);
    }

    #[test]
    fn address_problems_name_the_field() {
        let d = Draft {
            to: "ann@example.com, bob@".to_owned(),
            cc: "carol at example".to_owned(),
            ..Draft::default()
        };
        let p: Vec<String> = address_problems(&d).iter().map(|e| e.to_string()).collect();
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].contains("“bob@” in To"), "{p:?}");
        assert!(p[1].contains("in Cc"), "{p:?}");
        assert!(matches!(
            address_problems(&Draft::default()).as_slice(),
            [Error::NoRecipients]
        ));
        assert!(
            address_problems(&Draft {
                bcc: "x@example.org".to_owned(),
                ..Draft::default()
            })
            .is_empty()
        );
    }
}
