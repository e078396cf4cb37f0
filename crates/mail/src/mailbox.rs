//! The mailbox as the user sees it: the folder pane, a page of a folder or
//! of search results, actions on selected messages, folder management and
//! the raw source.

use crate::{Error, Result, User};
use mailstore::{Flag, FolderInfo, Mailstore, MessageSummary, Query};
use model::mail::{
    Address, Folder, FolderRole, ListAction, ListQuery, MessageList, MessageRow, SenderLists,
};
use std::path::Path;
use std::time::{Duration, Instant};
use userdata::SenderList;

/// Rows per page of the message list.
pub const PAGE_SIZE: u32 = 50;

/// How long a call waits for a rebuilding index before saying so.
const REBUILD_PATIENCE: Duration = Duration::from_secs(5);

/// Runs `f` on the mail of the user whose directory is `dir`. A small index
/// that is being (re)built is waited for, briefly, and `f` tried once more,
/// so a new or healed mailbox opens without an error flash; a large rebuild
/// is reported as [`Error::Rebuilding`] with its progress. Blocks.
pub fn with_store<T>(dir: &Path, f: impl Fn(&Mailstore) -> Result<T>) -> Result<T> {
    let started = Instant::now();
    let store = loop {
        match Mailstore::open(dir) {
            Ok(store) => break store,
            Err(mailstore::Error::Rebuilding(p)) if started.elapsed() < REBUILD_PATIENCE => {
                tracing::debug!(done = p.done, total = p.total, "waiting for the index");
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => return Err(e.into()),
        }
    };
    match f(&store) {
        Err(Error::Rebuilding { .. }) if store.wait_ready(Some(REBUILD_PATIENCE)) => f(&store),
        other => other,
    }
}

/// The folder pane: special folders first in their usual order, then the
/// user's folders alphabetically, parents before children.
pub fn folders(store: &Mailstore) -> Result<Vec<Folder>> {
    let mut infos: Vec<FolderInfo> = store.folders()?;
    infos.sort_by(|a, b| {
        let rank = |f: &FolderInfo| {
            f.special
                .map(|s| FolderRole::ALL.iter().position(|x| *x == s).unwrap_or(9))
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
                Some(FolderRole::Inbox) => "Inbox".to_owned(),
                _ => f.name.rsplit('/').next().unwrap_or(&f.name).to_owned(),
            };
            Folder {
                depth: f.name.matches('/').count() as u32,
                label,
                role: f.special,
                total: f.total,
                unread: f.unread,
                name: f.name,
            }
        })
        .collect())
}

fn row(m: MessageSummary, zone: &str) -> MessageRow {
    let date = m.date.unwrap_or(m.arrival);
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
        date,
        offset: accounts::zone::offset_at(zone, date),
        size: m.size,
        message_id: m.message_id,
        has_attachment: m.has_attachment,
        snippet: m.snippet,
        folder: m.folder,
        uid: m.uid,
    }
}

/// A page of a folder, or of search results, each date with the offset
/// from UTC of `zone` at that instant.
pub fn list(store: &Mailstore, q: &ListQuery, zone: &str) -> Result<MessageList> {
    let offset = (q.page.saturating_sub(1) as u64) * PAGE_SIZE as u64;
    let page = if q.q.is_empty() {
        store.list(&q.folder, q.sort, q.desc, offset, PAGE_SIZE as u64)?
    } else {
        store.search(&search_query(q), q.sort, q.desc, offset, PAGE_SIZE as u64)?
    };
    Ok(MessageList {
        rows: page.items.into_iter().map(|m| row(m, zone)).collect(),
        total: page.total,
        page_size: PAGE_SIZE,
    })
}

/// The store's typed query for a search of the list.
pub fn search_query(q: &ListQuery) -> Query {
    let query = Query::scoped(&q.q, q.scope);
    if q.all_folders {
        query
    } else {
        query.in_folder(&q.folder)
    }
}

/// An action on selected messages of one folder.
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
    /// Put the senders of the messages on the block list.
    Block,
    /// Put the senders of the messages on the safe list.
    Safe,
}

impl Action {
    /// Parses the `action` form field (`read`, `flag`, `toggle-flag:17` …);
    /// `move` takes its folder from `target`.
    pub fn parse(action: &str, target: Option<String>) -> Option<Action> {
        let Some(action) = ListAction::parse(action) else {
            return ListAction::parse_toggle_flag(action).map(Action::ToggleFlag);
        };
        Some(match action {
            ListAction::Read => Action::Read,
            ListAction::Unread => Action::Unread,
            ListAction::Flag => Action::Flag,
            ListAction::Unflag => Action::Unflag,
            ListAction::Delete => Action::Delete,
            ListAction::Spam => Action::Spam,
            ListAction::Block => Action::Block,
            ListAction::Safe => Action::Safe,
            ListAction::Move => Action::Move(target.filter(|t| !t.is_empty())?),
        })
    }
}

/// The action form: checks that messages are selected (except for a
/// one-row action), parses `action` with its `target` ([`Action::parse`])
/// and applies it ([`act`]).
pub fn act_on(
    directory: &accounts::Directory,
    user: &User,
    folder: &str,
    uids: &[u32],
    action: &str,
    target: Option<String>,
) -> Result<usize> {
    if uids.is_empty() && ListAction::parse_toggle_flag(action).is_none() {
        return Err(Error::NothingSelected);
    }
    let action = Action::parse(action, target)
        .ok_or_else(|| Error::Invalid("Choose an action (and a folder to move to).".into()))?;
    act(directory, user, folder, uids, action)
}

/// Applies `action` to `uids` in `folder`. Returns how many messages (or,
/// for block and safe, how many distinct senders) were changed.
pub fn act(
    directory: &accounts::Directory,
    user: &User,
    folder: &str,
    uids: &[u32],
    action: Action,
) -> Result<usize> {
    if uids.is_empty() && !matches!(action, Action::ToggleFlag(_)) {
        return Err(Error::NothingSelected);
    }
    let list = match action {
        Action::Block => Some(SenderList::Block),
        Action::Safe => Some(SenderList::Safe),
        _ => None,
    };
    if let Some(list) = list {
        let senders = with_store(&user.dir, |s| senders_of(s, folder, uids))?;
        let mut data = user.data(directory)?;
        for s in &senders {
            data.add_sender(list, s)?;
        }
        return Ok(senders.len());
    }
    with_store(&user.dir, |store| {
        Ok(match &action {
            Action::Read => store.set_flags(folder, uids, &[Flag::Seen])?,
            Action::Unread => store.clear_flags(folder, uids, &[Flag::Seen])?,
            Action::Flag => store.set_flags(folder, uids, &[Flag::Flagged])?,
            Action::Unflag => store.clear_flags(folder, uids, &[Flag::Flagged])?,
            Action::Delete => store.delete(folder, uids)?,
            Action::Spam => store
                .move_to(folder, uids, FolderRole::Junk.folder())?
                .len(),
            Action::Move(dest) => store.move_to(folder, uids, dest)?.len(),
            Action::ToggleFlag(uid) => {
                let flagged = store
                    .summary(folder, *uid)?
                    .ok_or(Error::NoSuchMessage)?
                    .flags
                    .flagged;
                if flagged {
                    store.clear_flags(folder, &[*uid], &[Flag::Flagged])?
                } else {
                    store.set_flags(folder, &[*uid], &[Flag::Flagged])?
                }
            }
            Action::Block | Action::Safe => unreachable!("handled above"),
        })
    })
}

/// The distinct senders of `uids`, lower-cased, in the order first seen.
fn senders_of(store: &Mailstore, folder: &str, uids: &[u32]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for uid in uids {
        let sender = store
            .summary(folder, *uid)?
            .map(|m| m.from_addr.to_lowercase())
            .filter(|a| !a.is_empty());
        if let Some(a) = sender.filter(|a| !out.contains(a)) {
            out.push(a);
        }
    }
    Ok(out)
}

/// A change to the user's folders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FolderOp {
    /// Create a folder; the name is the full path, `Parent/Child`.
    Create(String),
    /// Rename (and so move) a folder.
    Rename {
        /// The folder now.
        from: String,
        /// Its new full name.
        to: String,
    },
    /// Delete a folder with its messages.
    Delete(String),
}

impl FolderOp {
    /// Parses the folder form: `op` is `create`, `rename` (to `new_name`) or
    /// `delete`; names are trimmed.
    pub fn parse(op: &str, name: &str, new_name: Option<&str>) -> Result<FolderOp> {
        let name = name.trim().to_owned();
        match op {
            "create" => Ok(FolderOp::Create(name)),
            "rename" => {
                let to = new_name
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .ok_or(Error::InvalidFolderName)?;
                Ok(FolderOp::Rename {
                    from: name,
                    to: to.to_owned(),
                })
            }
            "delete" => Ok(FolderOp::Delete(name)),
            _ => Err(Error::Invalid("Unknown folder operation.".into())),
        }
    }
}

/// Carries out a folder change. Returns 1 (one folder changed).
pub fn folder_op(store: &Mailstore, op: &FolderOp) -> Result<usize> {
    match op {
        FolderOp::Create(name) => store.create_folder(name)?,
        FolderOp::Rename { from, to } => store.rename_folder(from, to)?,
        FolderOp::Delete(name) => store.delete_folder(name)?,
    };
    Ok(1)
}

/// The raw message as text (lossy only where it is not UTF-8).
pub fn source(store: &Mailstore, folder: &str, uid: u32) -> Result<String> {
    Ok(String::from_utf8_lossy(&raw(store, folder, uid)?).into_owned())
}

/// The exact stored bytes of a message.
pub fn raw(store: &Mailstore, folder: &str, uid: u32) -> Result<Vec<u8>> {
    store.raw(folder, uid)?.ok_or(Error::NoSuchMessage)
}

/// A part of a message, ready to be sent as a download.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Download {
    /// A content type that cannot run in a browser (text with its charset).
    pub content_type: String,
    /// The file name as the sender gave it.
    pub filename: String,
    /// The file name in printable ASCII (anything else becomes `_`), for
    /// clients that do not read the UTF-8 one.
    pub ascii_filename: String,
    /// The decoded content.
    pub bytes: Vec<u8>,
}

/// Attachment `part` of a message, or of the attached message `inner`
/// (`2.1`; empty for the stored one) inside it.
pub fn attachment(
    store: &Mailstore,
    folder: &str,
    uid: u32,
    inner: &str,
    part: u32,
) -> Result<Download> {
    let raw = raw(store, folder, uid)?;
    let part = model::mail::parse_part_path(inner)
        .and_then(|path| mailview::nested_path(&raw, &path))
        .and_then(|raw| mailview::attachment(&raw, part))
        .ok_or(Error::NoSuchAttachment)?;
    let ty = mailview::safe_content_type(&part.content_type);
    let content_type = if ty.starts_with("text/") {
        format!("{ty}; charset=utf-8")
    } else {
        ty.to_owned()
    };
    let ascii_filename = part
        .filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok(Download {
        content_type,
        ascii_filename,
        filename: part.filename,
        bytes: part.bytes,
    })
}

/// Parses the name of a sender list (`block` or `safe`).
pub fn sender_list(name: &str) -> Result<SenderList> {
    SenderList::parse(name).ok_or_else(|| Error::Invalid("Unknown list.".into()))
}

/// Both sender lists of the user.
pub fn sender_lists(directory: &accounts::Directory, user: &User) -> Result<SenderLists> {
    let data = user.data(directory)?;
    Ok(SenderLists {
        blocked: data.senders(SenderList::Block)?,
        safe: data.senders(SenderList::Safe)?,
    })
}

/// Adds `address` to (`op` = `add`) or removes it from (`remove`) one list.
/// Returns how many entries changed.
pub fn edit_sender_list(
    directory: &accounts::Directory,
    user: &User,
    list: &str,
    op: &str,
    address: &str,
) -> Result<usize> {
    let list = sender_list(list)?;
    let mut data = user.data(directory)?;
    match op {
        "add" => Ok(data.add_sender(list, address).map(|_| 1)?),
        "remove" => Ok(usize::from(data.remove_sender(list, address)?)),
        _ => Err(Error::Invalid("Unknown list operation.".into())),
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
            ("block", None, Some(Action::Block)),
            ("safe", None, Some(Action::Safe)),
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

    #[test]
    fn folder_ops_parse() {
        assert_eq!(
            FolderOp::parse("create", " Work/2026 ", None).unwrap(),
            FolderOp::Create("Work/2026".into())
        );
        assert_eq!(
            FolderOp::parse("rename", "A", Some(" B ")).unwrap(),
            FolderOp::Rename {
                from: "A".into(),
                to: "B".into()
            }
        );
        assert!(matches!(
            FolderOp::parse("rename", "A", Some("  ")),
            Err(Error::InvalidFolderName)
        ));
        assert!(matches!(
            FolderOp::parse("explode", "A", None),
            Err(Error::Invalid(_))
        ));
    }
}
