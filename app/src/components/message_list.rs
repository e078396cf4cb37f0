//! The message list: sortable columns, selection, bulk actions, paging.
//! Every control is a link or a form, so it works with JavaScript off.

use crate::api::mail::MailAct;
use crate::components::icons::Glyph;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use model::Interface;
use model::mail::{
    Folder, FolderRole, ListQuery, MessageList, MessageRow, SortColumn, format_date, format_size,
};

/// Which optional columns are visible.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Columns {
    /// The Message-ID column.
    pub message_id: bool,
}

/// The list with its toolbar and pager.
#[component]
pub fn MessageTable(
    list: MessageList,
    query: ListQuery,
    folders: Vec<Folder>,
    ui: Interface,
    back: String,
    columns: Columns,
) -> impl IntoView {
    let outgoing = folders
        .iter()
        .find(|f| f.name == query.folder)
        .and_then(|f| f.role)
        .is_some_and(|r| matches!(r, FolderRole::Sent | FolderRole::Drafts))
        && !query.all_folders;
    let searching = !query.q.is_empty();
    let pages = list.pages();
    let total = list.total;
    let folder = query.folder.clone();

    let header = {
        let query = query.clone();
        move |column: SortColumn, label: &'static str| {
            let active = query.sort == column;
            let next = query.sorted_by(column);
            let href = ui.href(&format!("/mail?{}", next.to_params()));
            let sort = active.then_some(if query.desc {
                "descending"
            } else {
                "ascending"
            });
            let arrow = if !active {
                ""
            } else if query.desc {
                " ▼"
            } else {
                " ▲"
            };
            view! {
                <th scope="col" aria-sort=sort class=format!("col-{}", column.as_str())>
                    <a href=href title=format!("Sort by {}", label.to_lowercase())>{format!("{label}{arrow}")}</a>
                </th>
            }
        }
    };

    let move_targets = folders
        .iter()
        .filter(|f| f.name != query.folder)
        .map(|f| view! { <option value=f.name.clone()>{f.name.clone()}</option> })
        .collect_view();

    let rows = list
        .rows
        .into_iter()
        .map(|r| view! { <Row row=r ui outgoing show_folder=searching && query.all_folders columns query=query.clone() /> })
        .collect_view();

    let pager = {
        let query = query.clone();
        (pages > 1).then(move || {
            let prev = (query.page > 1).then(|| {
                ui.href(&format!(
                    "/mail?{}",
                    query.at_page(query.page - 1).to_params()
                ))
            });
            let next = (query.page < pages).then(|| {
                ui.href(&format!(
                    "/mail?{}",
                    query.at_page(query.page + 1).to_params()
                ))
            });
            view! {
                <nav class="pager" aria-label="Pages">
                    {prev.map(|h| view! { <a href=h rel="prev">"‹ Newer page"</a> })}
                    <span>{format!("Page {} of {}", query.page.min(pages), pages)}</span>
                    {next.map(|h| view! { <a href=h rel="next">"Older page ›"</a> })}
                </nav>
            }
        })
    };

    view! {
        <form method="post" action=MailAct::PATH class="message-list">
            <input type="hidden" name="folder" value=folder />
            <input type="hidden" name="back" value=back />
            <div class="toolbar" role="toolbar" aria-label="Actions on selected messages">
                <button type="submit" name="action" value="read">"Mark read"</button>
                <button type="submit" name="action" value="unread">"Mark unread"</button>
                <button type="submit" name="action" value="flag">"Flag"</button>
                <button type="submit" name="action" value="unflag">"Unflag"</button>
                <button type="submit" name="action" value="delete">"Delete"</button>
                <button type="submit" name="action" value="spam">"Spam"</button>
                <label for="move-target" class="sr-only">"Move selected to folder"</label>
                <select id="move-target" name="target">
                    <option value="">"Move to…"</option>
                    {move_targets}
                </select>
                <button type="submit" name="action" value="move">"Move"</button>
                <MoreOptions />
                <span class="count" role="status">
                    {if searching { format!("{total} found") } else { format!("{total} messages") }}
                </span>
            </div>
            {if total == 0 {
                view! {
                    <p class="empty" role="status">
                        {if searching { "No messages match this search." } else { "This folder is empty." }}
                    </p>
                }
                    .into_any()
            } else {
                view! {
                    <table>
                        <caption class="sr-only">"Messages"</caption>
                        <thead>
                            <tr>
                                <th scope="col" class="col-select"><span class="sr-only">"Select"</span></th>
                                {header(SortColumn::Flagged, "Flag")}
                                <th scope="col" class="col-status"><span class="sr-only">"Replied or forwarded"</span></th>
                                <th scope="col" class="col-priority"><span class="sr-only">"Priority"</span></th>
                                {if outgoing { header(SortColumn::To, "To") } else { header(SortColumn::From, "From") }}
                                {header(SortColumn::Subject, "Subject")}
                                {header(SortColumn::Date, "Date")}
                                {header(SortColumn::Size, "Size")}
                                {columns.message_id.then(|| header(SortColumn::MessageId, "Message-ID"))}
                                {header(SortColumn::Attachment, "Attachment")}
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                }
                    .into_any()
            }}
            {pager}
        </form>
    }
    .into_any()
}

#[component]
fn Row(
    row: MessageRow,
    ui: Interface,
    outgoing: bool,
    show_folder: bool,
    columns: Columns,
    query: ListQuery,
) -> impl IntoView {
    let href = ui.href(&format!(
        "/mail/message?uid={}&{}",
        row.uid,
        ListQuery {
            folder: row.folder.clone(),
            ..query
        }
        .to_params()
    ));
    let who = if outgoing {
        row.to.clone()
    } else if row.from.name.is_empty() {
        row.from.email.clone()
    } else {
        row.from.name.clone()
    };
    let who = if who.is_empty() {
        "(unknown)".to_owned()
    } else {
        who
    };
    let subject = if row.subject.is_empty() {
        "(no subject)".to_owned()
    } else {
        row.subject.clone()
    };
    let select_label = format!("Select message from {who}: {subject}");
    let flag_label = if row.flagged {
        format!("Unflag “{subject}”")
    } else {
        format!("Flag “{subject}”")
    };
    view! {
        <tr class:unread=!row.seen class:flagged=row.flagged>
            <td class="col-select">
                <input type="checkbox" name=format!("sel[{}]", row.uid) aria-label=select_label />
            </td>
            <td class="col-flagged">
                <button
                    type="submit"
                    name="action"
                    value=format!("toggle-flag:{}", row.uid)
                    class="flag-toggle"
                    aria-label=flag_label
                    aria-pressed=row.flagged.to_string()
                >
                    {if row.flagged { "★" } else { "☆" }}
                </button>
            </td>
            <td class="col-status">
                {row.answered.then(|| view! { <Glyph name="Replied" symbol="↩" /> })}
                {row.forwarded.then(|| view! { <Glyph name="Forwarded" symbol="↪" /> })}
            </td>
            <td class="col-priority">
                {(row.priority < 3).then(|| view! { <Glyph name="High priority" symbol="!" /> })}
                {(row.priority > 3).then(|| view! { <Glyph name="Low priority" symbol="↓" /> })}
            </td>
            <td class="col-who" title=row.from.email.clone()>{who}</td>
            <td class="col-subject">
                <a href=href>{subject}</a>
                {show_folder.then(|| view! { <span class="in-folder">{format!(" — {}", row.folder)}</span> })}
                {(!row.seen).then(|| view! { <span class="sr-only">" (unread)"</span> })}
            </td>
            <td class="col-date">{format_date(row.date)}</td>
            <td class="col-size">{format_size(row.size)}</td>
            {columns.message_id.then(|| view! { <td class="col-message-id">{non_empty(&row.message_id, "—")}</td> })}
            <td class="col-attachment">
                {row.has_attachment.then(|| view! { <Glyph name="Has attachment" symbol="📎" /> })}
            </td>
        </tr>
    }
}

/// Text that is never empty: an empty text node would not survive the HTML
/// parser, and hydration expects one.
pub fn non_empty(s: &str, fallback: &str) -> String {
    if s.trim().is_empty() {
        fallback.to_owned()
    } else {
        s.to_owned()
    }
}

/// The "More options" menu of a message form: block or trust the senders of
/// the selected messages. A `<details>` element, so it opens without script.
#[component]
pub fn MoreOptions() -> impl IntoView {
    view! {
        <details class="more">
            <summary>"More options"</summary>
            <div class="menu">
                <button type="submit" name="action" value="block">"Block sender"</button>
                <button type="submit" name="action" value="safe">"Safe sender"</button>
            </div>
        </details>
    }
}
