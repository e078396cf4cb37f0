//! The message list: sortable columns, selection, bulk actions, paging.
//! Every control is a link or a form, so it works with JavaScript off.
//!
//! Hydrated (standard), the same controls act at once: the rows change
//! before the server answers, and change back with the server's message if it
//! refuses. Keyboard shortcuts drive the same actions.

mod keys;
mod live;
mod row;
mod toolbar;

pub use live::{KeyHandler, LiveList, LiveNotice, Notice, SentAction, done_text};
pub use row::non_empty;
pub use toolbar::MoreOptions;

use crate::api::mail::MailAct;
use crate::components::shortcuts;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use live::{RowState, act_now, overlaid};
use model::Interface;
use model::mail::{Folder, FolderRole, ListAction, ListQuery, MessageList, SortColumn};
use row::{Row, row_href};

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

    let move_targets: Vec<String> = folders
        .iter()
        .filter(|f| f.name != query.folder)
        .map(|f| f.name.clone())
        .collect();

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
        Callback::new(
            move |(action, rows, target): (ListAction, Vec<RowState>, Option<String>)| {
                act_now(live, folder.clone(), back.clone(), action, rows, target)
            },
        )
    };
    let selected = move || -> Vec<RowState> {
        states.with_value(|v| {
            v.iter()
                .filter(|r| r.selected.get_untracked() && !r.gone.get_untracked())
                .copied()
                .collect()
        })
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

    let keys = keys::ListKeys {
        live,
        form: form_ref,
        states,
        hrefs,
        live_actions,
        act,
        navigate,
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| keys.handle(ev);
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

    let on_act = live_actions.then(|| {
        Callback::new(move |action: ListAction| {
            let target = move_target.get_untracked().map(|s| s.value());
            act.run((
                action,
                selected(),
                target.filter(|_| action == ListAction::Move),
            ))
        })
    });
    let count = if searching {
        format!("{total} found")
    } else {
        format!("{total} messages")
    };

    let rows = list
        .rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let state = states.with_value(|v| v[i]);
            let toggle = move || {
                let action = if state.flagged.get_untracked() {
                    ListAction::Unflag
                } else {
                    ListAction::Flag
                };
                act.run((action, vec![state], None))
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
            <toolbar::Toolbar on_act move_targets move_target ui help=live.help count />
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
