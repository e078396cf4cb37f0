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
    Folder, FolderRole, ListQuery, MessageList, MessageRow, SortColumn, format_date_at, format_size,
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
    /// Actions sent to the server, newest last. A list loaded before an
    /// action's effect reached the server (rows fetched while it was in
    /// flight, or answered late) shows that effect anyway, so a reload
    /// never undoes on screen what the user just did.
    pub sent: RwSignal<Vec<SentAction>>,
    /// What the newest list does with a key press (browser only: the
    /// handler is not `Send`, and thread-local values must not be made on
    /// the server, whose rendering hops threads).
    #[cfg(feature = "hydrate")]
    pub keys: StoredValue<Vec<(u64, KeyHandler)>, LocalStorage>,
    /// The page's owner, and the owners of the lists built under it, oldest
    /// first (browser only). A reload re-runs the view that shows the list
    /// and drops what that view owned at once, while the old rows stay on
    /// screen until the new ones arrive; so each list's state, handlers and
    /// key handler live in an owner of their own, which goes only when a
    /// newer list is on screen.
    #[cfg(feature = "hydrate")]
    owners: StoredValue<(Owner, Vec<(u64, Owner)>)>,
}

/// An action the list has sent, as the rows of later loads must show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentAction {
    id: u64,
    action: &'static str,
    /// The folder the UIDs are in: a UID means nothing outside its folder,
    /// and the list may show another folder by the time rows load.
    folder: String,
    uids: Vec<u32>,
    /// The `refresh` value of the reload asked for once the server agreed:
    /// rows loaded at that value or later include the effect. `None` while
    /// the server has not answered.
    settled: Option<u32>,
}

/// How many sent actions are remembered: far more than can be in flight.
const SENT_KEPT: usize = 64;

impl SentAction {
    /// Whether rows loaded at refresh value `loaded` may lack this effect.
    fn newer_than(&self, loaded: u32) -> bool {
        self.settled.is_none_or(|s| s > loaded)
    }
}

/// A row's `(seen, flagged, gone)` once the actions that rows loaded at
/// `loaded` may not include are applied over what the server said.
fn overlaid(
    (folder, uid): (&str, u32),
    (seen, flagged): (bool, bool),
    sent: &[SentAction],
    loaded: u32,
) -> (bool, bool, bool) {
    sent.iter()
        .filter(|a| a.newer_than(loaded) && a.folder == folder && a.uids.contains(&uid))
        .fold((seen, flagged, false), |state, a| effect(a.action, state))
}

/// What `action` does to a row's `(seen, flagged, gone)`: the one rule for
/// showing an action at once and for showing it over rows loaded before it.
fn effect(action: &str, (seen, flagged, gone): (bool, bool, bool)) -> (bool, bool, bool) {
    match action {
        "read" => (true, flagged, gone),
        "unread" => (false, flagged, gone),
        "flag" => (seen, true, gone),
        "unflag" => (seen, false, gone),
        "delete" | "spam" | "move" => (seen, flagged, true),
        _ => (seen, flagged, gone),
    }
}

/// A list's keyboard handler. It answers `false`, doing nothing, when its
/// list is not on screen: a list can be built and not shown (a reload that
/// lost the race to a newer one), or still be alive while leaving.
pub type KeyHandler = std::rc::Rc<dyn Fn(leptos::ev::KeyboardEvent) -> bool>;

impl LiveList {
    /// Fresh state.
    pub fn new() -> Self {
        LiveList {
            refresh: RwSignal::new(0),
            notice: RwSignal::new(None),
            cursor: RwSignal::new(None),
            help: RwSignal::new(false),
            chosen: RwSignal::new(Vec::new()),
            sent: RwSignal::new(Vec::new()),
            #[cfg(feature = "hydrate")]
            keys: StoredValue::new_local(Vec::new()),
            #[cfg(feature = "hydrate")]
            owners: StoredValue::new((Owner::current().unwrap_or_default(), Vec::new())),
        }
    }

    /// Builds a list (given its id) in an owner of its own under the page,
    /// so that it outlives the view it is shown in (see `owners`).
    pub fn own<V>(self, build: impl FnOnce(u64) -> V) -> V {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        #[cfg(feature = "hydrate")]
        {
            /// Lists kept at most: the one on screen, ones being built,
            /// and ones built for loads that lost the race to newer ones.
            const KEPT: usize = 4;
            let owner = self.owners.try_update_value(|(page, lists)| {
                let owner = page.child();
                lists.push((id, owner.clone()));
                let extra = lists.len().saturating_sub(KEPT);
                (owner, lists.drain(..extra).collect::<Vec<_>>())
            });
            if let Some((owner, old)) = owner {
                for (_, o) in old {
                    o.cleanup();
                }
                return owner.with(|| build(id));
            }
        }
        build(id)
    }

    /// List `id` is on screen: the lists built before it go.
    pub fn on_screen(self, id: u64) {
        #[cfg(feature = "hydrate")]
        {
            let old = self.owners.try_update_value(|(_, lists)| {
                let keep = lists
                    .iter()
                    .position(|(i, _)| *i >= id)
                    .unwrap_or(lists.len());
                lists.drain(..keep).collect::<Vec<_>>()
            });
            for (_, o) in old.unwrap_or_default() {
                o.cleanup();
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = id;
    }
}

impl LiveList {
    /// Sends the page's key presses to the newest list on screen.
    pub fn listen(self) {
        #[cfg(feature = "hydrate")]
        {
            let handle = window_event_listener(leptos::ev::keydown, move |ev| {
                // Cloned out first: a handler may navigate, and the lists it
                // takes down give their handlers back meanwhile.
                let handlers: Vec<KeyHandler> = self
                    .keys
                    .try_with_value(|k| k.iter().rev().map(|(_, h)| h.clone()).collect())
                    .unwrap_or_default();
                for h in handlers {
                    if h(ev.clone()) {
                        break;
                    }
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
        let (seen, flagged, gone) = self.snapshot();
        let after = effect(action, (seen, flagged, gone));
        // Only what changes is set, so nothing else re-renders.
        if after.0 != seen {
            self.seen.set(after.0);
        }
        if after.1 != flagged {
            self.flagged.set(after.1);
        }
        if after.2 != gone {
            self.gone.set(after.2);
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
    let id = {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        NEXT.fetch_add(1, Ordering::Relaxed)
    };
    live.sent.update_untracked(|sent| {
        sent.push(SentAction {
            id,
            action,
            folder: folder.clone(),
            uids: rows.iter().map(|r| r.uid).collect(),
            settled: None,
        });
        let extra = sent.len().saturating_sub(SENT_KEPT);
        sent.drain(..extra);
    });
    let sel: HashMap<String, String> = rows
        .iter()
        .map(|r| (r.uid.to_string(), "on".to_owned()))
        .collect();
    leptos::task::spawn_local(async move {
        match mail_act(folder, action.to_owned(), target, Some(sel), back).await {
            Ok(n) => {
                let reload = live.refresh.get_untracked() + 1;
                live.sent.update_untracked(|sent| {
                    if let Some(a) = sent.iter_mut().find(|a| a.id == id) {
                        a.settled = Some(reload);
                    }
                });
                live.notice.set(Some(Notice::Done(done_text(n))));
                live.refresh.set(reload);
            }
            Err(e) => {
                live.sent
                    .update_untracked(|sent| sent.retain(|a| a.id != id));
                // The rows this action changed, if they are still shown; a
                // list built meanwhile showed the change too, so reload.
                for (r, b) in rows.iter().zip(before) {
                    r.restore(b);
                }
                live.notice
                    .set(Some(Notice::Failed(format!("{e} Nothing was changed."))));
                live.refresh.update(|v| *v += 1);
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
    /// The `LiveList::refresh` value the rows were loaded at.
    #[prop(optional)]
    loaded: u32,
    /// This list's id from `LiveList::own`, if it was built there.
    #[prop(optional)]
    id: u64,
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
    let states: Vec<RowState> = live.sent.with_untracked(|sent| {
        list.rows
            .iter()
            .map(|r| {
                let (seen, flagged, gone) =
                    overlaid((&r.folder, r.uid), (r.seen, r.flagged), sent, loaded);
                RowState {
                    uid: r.uid,
                    seen: RwSignal::new(seen),
                    flagged: RwSignal::new(flagged),
                    gone: RwSignal::new(gone),
                    selected: RwSignal::new(live.chosen.with_untracked(|c| c.contains(&r.uid))),
                }
            })
            .collect()
    });
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
    let form_ref = NodeRef::<leptos::html::Form>::new();
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
    // Once this list is on screen, the ones before it can go.
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if form_ref.get().is_some() {
            request_animation_frame(move || {
                let shown = form_ref
                    .try_get_untracked()
                    .flatten()
                    .is_some_and(|f| f.is_connected());
                if shown {
                    live.on_screen(id);
                }
            });
        }
    });
    let row_hrefs = hrefs.clone();
    let navigate = leptos_router::hooks::use_navigate();

    let on_key = {
        let act = act.clone();
        move |ev: leptos::ev::KeyboardEvent| -> bool {
            // Only the list in the document takes keys; one already taken
            // down ignores them.
            let on_screen = form_ref
                .try_get_untracked()
                .flatten()
                .is_some_and(|f| f.is_connected());
            let Some(count) = states.try_with_value(|v| v.len()).filter(|_| on_screen) else {
                return false;
            };
            let Some(key) = shortcuts::key_of(&ev) else {
                return true;
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
                _ if live.help.get_untracked() => return true,
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
                        return true;
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
                _ => return true,
            }
            ev.prevent_default();
            true
        }
    };
    // The page listens once and hands keys to the newest list on screen
    // only: while a reloaded list replaces this one, the two must not both
    // act, and a list built for a load that lost the race to a newer one is
    // never shown. Each list takes its handler back when it goes. (Browser
    // only: thread-local storage.)
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
        <form method="post" action=MailAct::PATH class="message-list" node_ref=form_ref>
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
    if row.folder == model::mail::FolderRole::Drafts.folder() {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(id: u64, action: &'static str, uids: &[u32], settled: Option<u32>) -> SentAction {
        SentAction {
            id,
            action,
            folder: "INBOX".to_owned(),
            uids: uids.to_vec(),
            settled,
        }
    }

    #[test]
    fn rows_loaded_before_an_action_settled_show_its_effect() {
        let log = [
            sent(0, "flag", &[3], Some(1)),
            sent(1, "unflag", &[3], None),
            sent(2, "read", &[4], Some(2)),
            sent(3, "delete", &[5], Some(3)),
        ];
        // (uid, server's (seen, flagged), loaded at, expected)
        let cases = [
            // Loaded before the flag settled, while the unflag is in flight:
            // the newest action wins.
            (3, (false, false), 0, (false, false, false)),
            // Loaded after the flag settled: the unflag still shows.
            (3, (false, true), 1, (false, false, false)),
            // The read settled at 2: rows from 1 lack it, rows from 2 have it.
            (4, (false, false), 1, (true, false, false)),
            (4, (false, false), 2, (false, false, false)),
            // A deleted row loaded late stays hidden.
            (5, (true, false), 2, (true, false, true)),
            (5, (true, false), 3, (true, false, false)),
            // Rows no action touched are as the server says.
            (9, (true, true), 0, (true, true, false)),
        ];
        for (uid, server, loaded, expected) in cases {
            assert_eq!(
                overlaid(("INBOX", uid), server, &log, loaded),
                expected,
                "uid {uid} loaded at {loaded}"
            );
        }
    }

    #[test]
    fn an_action_shows_only_on_rows_of_its_folder() {
        // Moving INBOX 5 to Junk, still in flight, while the list already
        // shows Junk, whose message 5 is another one.
        let log = [sent(0, "spam", &[5], None)];
        assert_eq!(
            overlaid(("INBOX", 5), (true, false), &log, 0),
            (true, false, true)
        );
        assert_eq!(
            overlaid(("Junk", 5), (true, false), &log, 0),
            (true, false, false)
        );
    }
}
