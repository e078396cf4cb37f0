//! The message list: sortable columns, selection, bulk actions, paging.
//! Every control is a link or a form, so it works with JavaScript off.
//!
//! Hydrated (standard), the same controls act at once: the rows change
//! before the server answers, and change back with the server's message if it
//! refuses. Keyboard shortcuts drive the same actions.

use crate::api::mail::{MailAct, mail_act};
use crate::components::icons::Glyph;
use crate::components::shortcuts::{self, Key};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use model::Interface;
use model::mail::{
    Folder, FolderRole, ListQuery, MessageList, MessageRow, SortColumn, format_date, format_size,
};
use std::collections::HashMap;

/// Which optional columns are visible.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Columns {
    /// The Message-ID column.
    pub message_id: bool,
}

/// What the result of an action says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// It worked.
    Done(String),
    /// It did not; the change was undone.
    Failed(String),
}

/// Page-level state of a hydrated list that outlives one load of the rows.
#[derive(Clone, Copy, Debug)]
pub struct LiveList {
    /// Bumped to reload the list and the folder pane.
    pub refresh: RwSignal<u32>,
    /// The result of the last action.
    pub notice: RwSignal<Option<Notice>>,
    /// The row the keyboard is on.
    pub cursor: RwSignal<Option<usize>>,
    /// The shortcut help is open.
    pub help: RwSignal<bool>,
    /// UIDs of the selected rows: kept while the list reloads after an
    /// action, so a selection made meanwhile is not lost.
    pub chosen: RwSignal<Vec<u32>>,
    /// What the newest list does with a key press (browser only: the
    /// handler is not `Send`, and thread-local values must not be made on
    /// the server, whose rendering hops threads).
    #[cfg(feature = "hydrate")]
    pub keys: StoredValue<Vec<(u64, KeyHandler)>, LocalStorage>,
}

/// A list's keyboard handler.
pub type KeyHandler = std::rc::Rc<dyn Fn(leptos::ev::KeyboardEvent)>;

impl LiveList {
    /// Fresh state.
    pub fn new() -> Self {
        LiveList {
            refresh: RwSignal::new(0),
            notice: RwSignal::new(None),
            cursor: RwSignal::new(None),
            help: RwSignal::new(false),
            chosen: RwSignal::new(Vec::new()),
            #[cfg(feature = "hydrate")]
            keys: StoredValue::new_local(Vec::new()),
        }
    }
}

impl LiveList {
    /// Sends the page's key presses to the newest list.
    pub fn listen(self) {
        #[cfg(feature = "hydrate")]
        {
            let handle = window_event_listener(leptos::ev::keydown, move |ev| {
                let newest = self
                    .keys
                    .try_with_value(|k| k.last().map(|(_, h)| h.clone()))
                    .flatten();
                if let Some(h) = newest {
                    h(ev);
                }
            });
            on_cleanup(move || handle.remove());
        }
    }
}

impl Default for LiveList {
    fn default() -> Self {
        Self::new()
    }
}

/// The result of the last action, announced politely or as an alert.
#[component]
pub fn LiveNotice(notice: RwSignal<Option<Notice>>) -> impl IntoView {
    move || {
        notice.get().map(|n| match n {
            Notice::Done(text) => view! { <p role="status" class="notice">{text}</p> }.into_any(),
            Notice::Failed(text) => view! { <p role="alert" class="error">{text}</p> }.into_any(),
        })
    }
}

/// "Done: N messages updated."
pub fn done_text(n: u32) -> String {
    format!(
        "Done: {n} message{} updated.",
        if n == 1 { "" } else { "s" }
    )
}

/// One row as the hydrated list tracks it.
#[derive(Clone, Copy, Debug)]
struct RowState {
    uid: u32,
    seen: RwSignal<bool>,
    flagged: RwSignal<bool>,
    gone: RwSignal<bool>,
    selected: RwSignal<bool>,
}

impl RowState {
    fn snapshot(&self) -> (bool, bool, bool) {
        (
            self.seen.get_untracked(),
            self.flagged.get_untracked(),
            self.gone.get_untracked(),
        )
    }

    /// Selects or deselects the row, remembering it for the page.
    fn choose(&self, live: LiveList, on: bool) {
        self.selected.set(on);
        live.chosen.update(|c| {
            c.retain(|u| *u != self.uid);
            if on {
                c.push(self.uid);
            }
        });
    }

    fn restore(&self, (seen, flagged, gone): (bool, bool, bool)) {
        self.seen.set(seen);
        self.flagged.set(flagged);
        self.gone.set(gone);
    }

    /// Shows the effect of `action` at once.
    fn apply(&self, action: &str) {
        match action {
            "read" => self.seen.set(true),
            "unread" => self.seen.set(false),
            "flag" => self.flagged.set(true),
            "unflag" => self.flagged.set(false),
            "delete" | "spam" | "move" => self.gone.set(true),
            _ => {}
        }
        self.selected.set(false);
    }
}

/// Runs `action` on `rows` optimistically: the rows change now, the server is
/// asked, and on refusal they change back and the reason is shown.
fn act_now(
    live: LiveList,
    folder: String,
    back: String,
    action: &'static str,
    rows: Vec<RowState>,
    target: Option<String>,
) {
    if rows.is_empty() {
        live.notice.set(Some(Notice::Failed(
            crate::error::AppError::NothingSelected.to_string(),
        )));
        return;
    }
    if action == "move" && target.as_deref().unwrap_or("").is_empty() {
        live.notice.set(Some(Notice::Failed(
            "Choose a folder to move the messages to.".to_owned(),
        )));
        return;
    }
    let before: Vec<_> = rows.iter().map(RowState::snapshot).collect();
    for r in &rows {
        r.apply(action);
        r.choose(live, false);
    }
    let sel: HashMap<String, String> = rows
        .iter()
        .map(|r| (r.uid.to_string(), "on".to_owned()))
        .collect();
    leptos::task::spawn_local(async move {
        match mail_act(folder, action.to_owned(), target, Some(sel), back).await {
            Ok(n) => {
                live.notice.set(Some(Notice::Done(done_text(n))));
                live.refresh.update(|v| *v += 1);
            }
            Err(e) => {
                for (r, b) in rows.iter().zip(before) {
                    r.restore(b);
                }
                live.notice
                    .set(Some(Notice::Failed(format!("{e} Nothing was changed."))));
            }
        }
    });
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

    let live = use_context::<LiveList>().unwrap_or_default();
    let states: Vec<RowState> = list
        .rows
        .iter()
        .map(|r| RowState {
            uid: r.uid,
            seen: RwSignal::new(r.seen),
            flagged: RwSignal::new(r.flagged),
            gone: RwSignal::new(false),
            selected: RwSignal::new(live.chosen.with_untracked(|c| c.contains(&r.uid))),
        })
        .collect();
    let states = StoredValue::new(states);
    let hrefs: Vec<String> = list.rows.iter().map(|r| row_href(ui, r, &query)).collect();
    // Row-level actions cannot be taken in all-folder results, whose rows
    // come from several folders; those go through the plain forms.
    let live_actions = !(searching && query.all_folders);
    let act = {
        let folder = folder.clone();
        let back = back.clone();
        move |action: &'static str, rows: Vec<RowState>, target: Option<String>| {
            act_now(live, folder.clone(), back.clone(), action, rows, target)
        }
    };
    let selected = move || -> Vec<RowState> {
        states.with_value(|v| {
            v.iter()
                .filter(|r| r.selected.get_untracked() && !r.gone.get_untracked())
                .copied()
                .collect()
        })
    };
    // The row under the cursor; when it has just been removed, the next one
    // (which takes its place once the list reloads).
    let current = move || -> Option<RowState> {
        let i = live.cursor.get_untracked()?;
        states.with_value(|v| v.iter().skip(i).find(|r| !r.gone.get_untracked()).copied())
    };
    let move_target = NodeRef::<leptos::html::Select>::new();
    let row_hrefs = hrefs.clone();
    let navigate = leptos_router::hooks::use_navigate();

    let on_key = {
        let act = act.clone();
        move |ev: leptos::ev::KeyboardEvent| {
            let Some(key) = shortcuts::key_of(&ev) else {
                return;
            };
            // A list already taken down ignores keys.
            let Some(count) = states.try_with_value(|v| v.len()) else {
                return;
            };
            let visible =
                |i: usize| states.with_value(|v| v.get(i).is_some_and(|r| !r.gone.get_untracked()));
            let step = |from: Option<usize>, down: bool| -> Option<usize> {
                let mut i = from;
                loop {
                    i = match (i, down) {
                        (None, true) => Some(0),
                        (None, false) => return None,
                        (Some(i), true) if i + 1 < count => Some(i + 1),
                        (Some(i), false) if i > 0 => Some(i - 1),
                        _ => return None,
                    };
                    if i.is_some_and(visible) {
                        return i;
                    }
                }
            };
            match key {
                Key::Help => live.help.update(|h| *h = !*h),
                Key::Escape => live.help.set(false),
                _ if live.help.get_untracked() => return,
                Key::Next | Key::Prev => {
                    let next = step(live.cursor.get_untracked(), key == Key::Next);
                    if let Some(i) = next {
                        live.cursor.set(Some(i));
                        shortcuts::focus(&format!("tr[data-row='{i}'] .col-subject a"));
                    }
                }
                Key::Open => {
                    // Enter on a focused link follows it natively.
                    let on_link = ev
                        .target()
                        .and_then(|t| {
                            leptos::wasm_bindgen::JsCast::dyn_into::<leptos::web_sys::Element>(t)
                                .ok()
                        })
                        .is_some_and(|e| e.tag_name().eq_ignore_ascii_case("a"));
                    if on_link {
                        return;
                    }
                    if let Some(href) = live
                        .cursor
                        .get_untracked()
                        .and_then(|i| hrefs.get(i).cloned())
                    {
                        navigate(&href, Default::default());
                    }
                }
                Key::Select => {
                    if let Some(r) = current() {
                        r.choose(live, !r.selected.get_untracked());
                    }
                }
                Key::Search => {
                    shortcuts::focus("#search-q");
                }
                Key::Flag | Key::Delete | Key::Spam if live_actions => {
                    let mut rows = selected();
                    if rows.is_empty() {
                        rows.extend(current());
                    }
                    let action = match key {
                        Key::Delete => "delete",
                        Key::Spam => "spam",
                        _ if rows.iter().all(|r| r.flagged.get_untracked()) => "unflag",
                        _ => "flag",
                    };
                    act(action, rows, None);
                }
                _ => return,
            }
            ev.prevent_default();
        }
    };
    // The page listens once and hands keys to the newest list only: while a
    // reloaded list replaces this one, the two must not both act. Each list
    // takes its handler back when it goes, so one built and replaced at once
    // never keeps the keys. (Browser only: thread-local storage.)
    #[cfg(feature = "hydrate")]
    {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        live.keys
            .update_value(|k| k.push((id, std::rc::Rc::new(on_key) as KeyHandler)));
        on_cleanup(move || {
            live.keys.try_update_value(|k| k.retain(|(i, _)| *i != id));
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = on_key;

    let toolbar_button = {
        let act = act.clone();
        move |action: &'static str, label: &'static str| {
            let act = act.clone();
            view! {
                <button
                    type="submit"
                    name="action"
                    value=action
                    on:click=move |ev| {
                        if live_actions {
                            ev.prevent_default();
                            let target = move_target.get_untracked().map(|s| s.value());
                            act(action, selected(), target.filter(|_| action == "move"));
                        }
                    }
                >
                    {label}
                </button>
            }
        }
    };

    let rows = list
        .rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let state = states.with_value(|v| v[i]);
            let act = act.clone();
            let toggle = move || {
                let action = if state.flagged.get_untracked() {
                    "unflag"
                } else {
                    "flag"
                };
                act(action, vec![state], None)
            };
            view! {
                <Row
                    row=r
                    index=i
                    state
                    href=row_hrefs[i].clone()
                    outgoing
                    show_folder=searching && query.all_folders
                    columns
                    live
                    toggle=live_actions.then_some(Callback::new(move |_: ()| toggle()))
                />
            }
        })
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
                {toolbar_button("read", "Mark read")}
                {toolbar_button("unread", "Mark unread")}
                {toolbar_button("flag", "Flag")}
                {toolbar_button("unflag", "Unflag")}
                {toolbar_button("delete", "Delete")}
                {toolbar_button("spam", "Spam")}
                <label for="move-target" class="sr-only">"Move selected to folder"</label>
                <select id="move-target" name="target" node_ref=move_target>
                    <option value="">"Move to…"</option>
                    {move_targets}
                </select>
                {toolbar_button("move", "Move")}
                <MoreOptions />
                {(ui == Interface::Standard).then(|| view! { <shortcuts::ShortcutButton open=live.help /> })}
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
        <shortcuts::ShortcutHelp open=live.help />
    }
    .into_any()
}

/// The reader's address of a row, within the list `query` describes.
fn row_href(ui: Interface, row: &MessageRow, query: &ListQuery) -> String {
    if row.folder == "Drafts" {
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
fn Row(
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
                    value=format!("toggle-flag:{}", row.uid)
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
