//! Reading mail: folders, the message list, bulk actions, folder management.

use crate::error::AppError;
use leptos::prelude::*;
use model::mail::{Folder, ListQuery, MessageList};
use std::collections::HashMap;

/// The folder pane.
#[server(endpoint = "mail/folders")]
pub async fn mail_folders() -> Result<Vec<Folder>, AppError> {
    crate::mail::run(|_, u| mail::mailbox::with_store(&u.dir, mail::mailbox::folders)).await
}

/// A page of a folder or of search results, sorted in the index.
#[server(endpoint = "mail/list")]
pub async fn mail_list(query: ListQuery) -> Result<MessageList, AppError> {
    crate::mail::run(move |_, u| {
        mail::mailbox::with_store(&u.dir, |s| mail::mailbox::list(s, &query, &u.time_zone))
    })
    .await
}

/// A bulk action on the selected messages (`sel[UID]=on`), or a one-row
/// action such as `toggle-flag:UID`. Plain form posts return to `back`.
#[server(endpoint = "mail/act")]
pub async fn mail_act(
    folder: String,
    action: String,
    target: Option<String>,
    sel: Option<HashMap<String, String>>,
    back: String,
) -> Result<u32, AppError> {
    let uids: Vec<u32> = sel
        .unwrap_or_default()
        .keys()
        .filter_map(|k| k.parse().ok())
        .collect();
    let work =
        crate::mail::run(move |d, u| mail::mailbox::act_on(d, u, &folder, &uids, &action, target));
    crate::mail::run_form(&back, work).await
}

/// Creates, renames or deletes a folder (`op` = create | rename | delete).
#[server(endpoint = "mail/folder")]
pub async fn mail_folder(
    op: String,
    name: String,
    new_name: Option<String>,
    back: String,
) -> Result<u32, AppError> {
    let work = crate::mail::run(move |_, u| {
        let op = mail::mailbox::FolderOp::parse(&op, &name, new_name.as_deref())?;
        mail::mailbox::with_store(&u.dir, |s| mail::mailbox::folder_op(s, &op))
    });
    crate::mail::run_form(&back, work).await
}

/// The raw message, exactly as stored (lossy only where it is not UTF-8).
#[server(endpoint = "mail/source")]
pub async fn mail_source(folder: String, uid: u32) -> Result<String, AppError> {
    crate::mail::run(move |_, u| {
        mail::mailbox::with_store(&u.dir, |s| mail::mailbox::source(s, &folder, uid))
    })
    .await
}

/// The mail screen's remembered layout.
#[server(endpoint = "mail/prefs")]
pub async fn mail_prefs() -> Result<model::mail::MailPrefs, AppError> {
    crate::mail::run(mail::settings::layout).await
}

/// Remembers one layout choice: `pane` = `hidden` | `shown`,
/// `message_id_column` = `on` | `off`.
#[server(endpoint = "mail/set_pref")]
pub async fn set_mail_pref(key: String, value: String, back: String) -> Result<u32, AppError> {
    let work = crate::mail::run(move |d, u| mail::settings::set_pref(d, u, &key, &value));
    crate::mail::run_form(&back, work).await
}

/// Opens a message of the list `query` describes: its view (remote images
/// only when asked or trusted) and its neighbours in that list; marks it read.
/// `nested` (`2.1`) opens a message attached to it instead. A very long
/// body is clipped unless `full`.
#[server(endpoint = "mail/message")]
pub async fn mail_message(
    query: ListQuery,
    uid: u32,
    nested: String,
    images: bool,
    full: bool,
) -> Result<model::mail::OpenedMessage, AppError> {
    let nested = model::mail::parse_part_path(&nested).ok_or(AppError::NoSuchMessage)?;
    crate::mail::open_message(query, uid, nested, images, full).await
}

/// The block and safe sender lists.
#[server(endpoint = "mail/sender_lists")]
pub async fn sender_lists() -> Result<model::mail::SenderLists, AppError> {
    crate::mail::run(mail::mailbox::sender_lists).await
}

/// Adds to or removes from a list: `list` = block | safe, `op` = add | remove.
#[server(endpoint = "mail/sender_list")]
pub async fn edit_sender_list(
    list: String,
    op: String,
    address: String,
    back: String,
) -> Result<u32, AppError> {
    let work =
        crate::mail::run(move |d, u| mail::mailbox::edit_sender_list(d, u, &list, &op, &address));
    crate::mail::run_form(&back, work).await
}

/// Answers a read-receipt request: `answer` = send | ignore.
#[server(endpoint = "mail/receipt")]
pub async fn mail_receipt(
    folder: String,
    uid: u32,
    answer: String,
    back: String,
) -> Result<u32, AppError> {
    let work = crate::mail::run_writing(move |s, u| {
        mail::write::answer_receipt(s, u, &folder, uid, answer == "send")
    });
    crate::mail::run_form(&back, work).await
}
