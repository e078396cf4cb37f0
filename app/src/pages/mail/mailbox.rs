//! `/mail`: the folder pane and the message list of a folder or a search.

use super::Outcome;
use crate::api::compose::{OutboxRetry, outbox};
use crate::api::mail::{SetMailPref, mail_folders, mail_list, mail_prefs};
use crate::components::app_shell::{AppShell, Section};
use crate::components::folder_pane::FolderPane;
use crate::components::message_list::non_empty;
use crate::components::message_list::{Columns, LiveList, LiveNotice, MessageTable};
use crate::error::AppError;
use crate::use_interface;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use model::Interface;
use model::mail::{ListQuery, SearchScope};

/// `/mail` and `/basic/mail`.
#[component]
pub fn MailPage() -> impl IntoView {
    let ui = use_interface();
    let params = use_query_map();
    let query = Memo::new(move |_| params.with(|m| ListQuery::from_params(|k| m.get(k))));
    let outcome = Memo::new(move |_| {
        params.with(|m| {
            let done = m.get("sent").map(|n| format!("sent:{n}")).or(m.get("done"));
            (done, AppError::from_params(|k| m.get(k)))
        })
    });
    let live = LiveList::new();
    provide_context(live);
    live.listen();
    // A new list clears the last action's result and the keyboard's row.
    Effect::watch(
        move || query.get(),
        move |_, _, _| {
            live.notice.set(None);
            live.cursor.set(None);
            live.chosen.set(Vec::new());
        },
        false,
    );
    // Everything the page shows comes from one load: the heading, the folder
    // pane and the rows always belong to the same query. The first load is
    // the server's (and hydrates); in the browser, each later query or
    // reload starts a load at once and the newest one wins, while the page
    // keeps showing the last one until then. (A resource keyed by the query
    // would wait for its load in flight to end before starting the next,
    // and could miss the change altogether: a folder opened while the list
    // reloaded after an action stayed on the old folder.)
    let first_key = (query.get_untracked(), live.refresh.get_untracked());
    let first = Resource::new(move || first_key.clone(), load_mailbox);
    let latest = RwSignal::new(None::<MailboxData>);
    #[cfg(feature = "hydrate")]
    {
        let newest = StoredValue::new(0u64);
        Effect::watch(
            move || (query.get(), live.refresh.get()),
            move |key, _, _| {
                let ticket = newest.get_value() + 1;
                newest.set_value(ticket);
                let key = key.clone();
                leptos::task::spawn_local(async move {
                    let data = load_mailbox(key).await;
                    if newest.try_get_value() == Some(ticket) {
                        latest.set(Some(data));
                    }
                });
            },
            false,
        );
    }
    view! {
        <Title text="Mail · Webmail" />
        <AppShell section=Section::Mail content=move |_user| {
            view! {
                <Transition fallback=|| view! { <p class="loading" role="status">"Loading mail…"</p> }>
                    {move || Suspend::new(async move {
                        let (done, error) = outcome.get();
                        let first = first.await;
                        let MailboxData { q, loaded, folders, list, prefs, waiting } =
                            latest.get().unwrap_or(first);
                        match (folders, list) {
                            (Ok(folders), Ok(list)) => {
                                view! {
                                    <Mailbox q folders list loaded prefs waiting ui done error />
                                }.into_any()
                            }
                            (Err(e), _) | (_, Err(e)) => {
                                crate::error::set_status(&e);
                                view! {
                                <h1>"Mail"</h1>
                                <p role="alert" class="error">{e.to_string()}</p>
                                <p><a href=ui.href("/mail")>"Go to the Inbox"</a></p>
                            }.into_any()
                            },
                        }
                    })}
                </Transition>
            }
        } />
    }
}

/// Loads what the list page shows for query `q` at refresh value `at`.
async fn load_mailbox((q, at): (ListQuery, u32)) -> MailboxData {
    let (folders, list, prefs, waiting) =
        futures_util::future::join4(mail_folders(), mail_list(q.clone()), mail_prefs(), outbox())
            .await;
    MailboxData {
        q,
        loaded: at,
        folders,
        list,
        prefs: prefs.unwrap_or_default(),
        waiting: waiting.unwrap_or_default(),
    }
}

/// What one load of the page brings: the query it was made for, the
/// `LiveList::refresh` value it was asked at, and the server's answers.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct MailboxData {
    q: ListQuery,
    loaded: u32,
    folders: Result<Vec<model::mail::Folder>, AppError>,
    list: Result<model::mail::MessageList, AppError>,
    prefs: model::mail::MailPrefs,
    waiting: Vec<model::compose::OutboxEntry>,
}

#[component]
fn Mailbox(
    q: ListQuery,
    folders: Vec<model::mail::Folder>,
    list: model::mail::MessageList,
    loaded: u32,
    prefs: model::mail::MailPrefs,
    waiting: Vec<model::compose::OutboxEntry>,
    ui: Interface,
    done: Option<String>,
    error: Option<AppError>,
) -> impl IntoView {
    let back = ui.href(&format!("/mail?{}", q.to_params()));
    let title = if q.q.is_empty() {
        folders
            .iter()
            .find(|f| f.name == q.folder)
            .map(|f| f.label.clone())
            .unwrap_or_else(|| q.folder.clone())
    } else {
        format!("Search: {}", q.q)
    };
    let pane_hidden = prefs.pane_hidden;
    let live = use_context::<LiveList>().unwrap_or_default();
    let live_notice = live.notice;
    view! {
        <div class="mailbox" class:pane-hidden=pane_hidden>
            <form method="post" action=SetMailPref::PATH class="pane-toggle">
                <input type="hidden" name="key" value="pane" />
                <input type="hidden" name="value" value=if pane_hidden { "shown" } else { "hidden" } />
                <input type="hidden" name="back" value=back.clone() />
                <button
                    type="submit"
                    aria-label=if pane_hidden { "Show folder pane" } else { "Hide folder pane" }
                    aria-expanded=(!pane_hidden).to_string()
                    title=if pane_hidden { "Show folder pane" } else { "Hide folder pane" }
                >
                    {if pane_hidden { "»" } else { "«" }}
                </button>
            </form>
            {(!pane_hidden).then(|| view! {
                <FolderPane folders=folders.clone() current=q.folder.clone() ui back=back.clone() />
            })}
            <section class="list-area" aria-labelledby="list-title">
                <h1 id="list-title">{title}</h1>
                <Outcome done error />
                <LiveNotice notice=live_notice />
                <a class="button primary compose-link" href=ui.href("/mail/compose")>"Compose"</a>
                <Outbox back=back.clone() entries=waiting />
                <SearchForm q=q.clone() ui />
                <ColumnsForm show=prefs.show_message_id back=back.clone() />
                {live.own(move |id| view! {
                    <MessageTable
                        list
                        query=q
                        folders
                        ui
                        back
                        columns=Columns { message_id: prefs.show_message_id }
                        loaded
                        id
                    />
                })}
            </section>
        </div>
    }
    .into_any()
}

/// Mail waiting to leave, when there is any.
#[component]
fn Outbox(back: String, entries: Vec<model::compose::OutboxEntry>) -> impl IntoView {
    (!entries.is_empty()).then(|| {
        let next = entries
            .iter()
            .min_by_key(|e| e.next_attempt)
            .map(|e| model::mail::format_date_at(e.next_attempt, e.next_offset))
            .unwrap_or_default();
        let error = entries.iter().find_map(|e| e.last_error.clone());
        view! {
            <section class="outbox" aria-label="Outbox">
                <p>
                    <strong>{format!("Outbox: {} waiting", entries.len())}</strong>
                    {format!(", retrying at {}.", next.get(11..).unwrap_or(""))}
                </p>
                <ul>
                    {entries
                        .into_iter()
                        .map(|e| view! {
                            <li>{format!("“{}” to {}", non_empty(&e.subject, "(no subject)"), e.recipients.join(", "))}</li>
                        })
                        .collect_view()}
                </ul>
                {error.map(|e| view! { <p class="hint">{format!("Last attempt: {e}")}</p> })}
                <form method="post" action=OutboxRetry::PATH>
                    <input type="hidden" name="back" value=back />
                    <button type="submit">"Try again now"</button>
                </form>
            </section>
        }
    })
}

#[component]
fn SearchForm(q: ListQuery, ui: Interface) -> impl IntoView {
    let searching = !q.q.is_empty();
    let clear = ui.href(&format!(
        "/mail?{}",
        ListQuery {
            q: String::new(),
            page: 1,
            ..q.clone()
        }
        .to_params()
    ));
    let scopes = SearchScope::ALL
        .into_iter()
        .map(|s| view! { <option value=s.as_str() selected=s == q.scope>{s.label()}</option> })
        .collect_view();
    view! {
        <form method="get" action=ui.href("/mail") role="search" class="search">
            <input type="hidden" name="folder" value=q.folder.clone() />
            <input type="hidden" name="sort" value=q.sort.as_str() />
            <input type="hidden" name="dir" value=if q.desc { "desc" } else { "asc" } />
            <label for="search-q" class="sr-only">"Search mail"</label>
            <input id="search-q" name="q" type="search" value=q.q.clone() placeholder="Search mail" />
            <label for="search-scope" class="sr-only">"Search in"</label>
            <select id="search-scope" name="scope">{scopes}</select>
            <label for="search-where" class="sr-only">"Which folders"</label>
            <select id="search-where" name="in">
                <option value="folder" selected=!q.all_folders>"This folder"</option>
                <option value="all" selected=q.all_folders>"All folders"</option>
            </select>
            <button type="submit">"Search"</button>
            {searching.then(|| view! { <a href=clear class="clear-search">"Clear search"</a> })}
        </form>
    }
}

#[component]
fn ColumnsForm(show: bool, back: String) -> impl IntoView {
    view! {
        <form method="post" action=SetMailPref::PATH class="columns-form">
            <input type="hidden" name="key" value="message_id_column" />
            <input type="hidden" name="value" value=if show { "off" } else { "on" } />
            <input type="hidden" name="back" value=back />
            <button type="submit" class="ghost">
                {if show { "Hide Message-ID column" } else { "Show Message-ID column" }}
            </button>
        </form>
    }
}
