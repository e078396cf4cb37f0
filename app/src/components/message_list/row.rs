//! One row of the list, and where it leads.

use super::Columns;
use super::live::{LiveList, RowState};
use crate::components::icons::Glyph;
use leptos::prelude::*;
use model::Interface;
use model::mail::{FolderRole, ListAction, ListQuery, MessageRow, format_date_at, format_size};

/// The reader's address of a row, within the list `query` describes.
pub(super) fn row_href(ui: Interface, row: &MessageRow, query: &ListQuery) -> String {
    if row.folder == FolderRole::Drafts.folder() {
        return ui.href(&format!("/mail/compose?draft={}", row.uid));
    }
    ui.href(&format!(
        "/mail/message?uid={}&{}",
        row.uid,
        ListQuery {
            folder: row.folder.clone(),
            ..query.clone()
        }
        .to_params()
    ))
}

#[component]
#[allow(clippy::too_many_arguments)]
pub(super) fn Row(
    row: MessageRow,
    index: usize,
    state: RowState,
    href: String,
    outgoing: bool,
    show_folder: bool,
    columns: Columns,
    live: LiveList,
    toggle: Option<Callback<()>>,
) -> impl IntoView {
    let who = if outgoing {
        row.to.clone()
    } else {
        // The real address first when the name pretends to be another.
        row.from.list_label()
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
    let flagged = state.flagged;
    let flag_label = {
        let subject = subject.clone();
        move || {
            if flagged.get() {
                format!("Unflag “{subject}”")
            } else {
                format!("Flag “{subject}”")
            }
        }
    };
    view! {
        <tr
            data-row=index
            class:unread=move || !state.seen.get()
            class:flagged=move || flagged.get()
            class:current=move || live.cursor.get() == Some(index)
            hidden=move || state.gone.get()
        >
            <td class="col-select">
                <input
                    type="checkbox"
                    name=format!("sel[{}]", row.uid)
                    aria-label=select_label
                    prop:checked=move || state.selected.get()
                    on:change=move |ev| state.choose(live, event_target_checked(&ev))
                />
            </td>
            <td class="col-flagged">
                <button
                    type="submit"
                    name="action"
                    value=ListAction::toggle_flag(row.uid)
                    class="flag-toggle"
                    aria-label=flag_label
                    aria-pressed=move || flagged.get().to_string()
                    on:click=move |ev| {
                        if let Some(toggle) = toggle {
                            ev.prevent_default();
                            toggle.run(());
                        }
                    }
                >
                    {move || if flagged.get() { "★" } else { "☆" }}
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
                <a href=href on:focus=move |_| live.cursor.set(Some(index))>{subject}</a>
                {show_folder.then(|| view! { <span class="in-folder">{format!(" — {}", row.folder)}</span> })}
                {move || (!state.seen.get()).then(|| view! { <span class="sr-only">" (unread)"</span> })}
            </td>
            <td class="col-date">{format_date_at(row.date, row.offset)}</td>
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
