//! `/mail/message`: one message — headers, body, attachments, actions.

use super::Outcome;
use crate::api::mail::{MailAct, MailReceipt, SetMailPref, mail_act, mail_message};
use crate::components::app_shell::{AppShell, Section};
use crate::components::message_frame::MessageFrame;
use crate::components::message_list::{LiveList, LiveNotice, MoreOptions, Notice, non_empty};
use crate::components::safe_html::SafeHtml;
use crate::components::shortcuts::{self, Key, ShortcutButton, ShortcutHelp};
use crate::error::AppError;
use crate::use_interface;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use model::Interface;
use model::mail::{
    Address, Body, ListAction, ListQuery, MessageRef, OpenedMessage, format_date_at, format_size,
    part_path, part_url,
};

/// `/mail/message` and `/basic/mail/message`.
#[component]
pub fn MessagePage() -> impl IntoView {
    let ui = use_interface();
    let params = use_query_map();
    let target = Memo::new(move |_| {
        params.with(|m| {
            let (q, uid) = super::message_target(m);
            let nested = m.get("part").unwrap_or_default();
            (
                q,
                uid,
                nested,
                m.get("images").as_deref() == Some("1"),
                m.get("full").as_deref() == Some("1"),
            )
        })
    });
    let outcome =
        Memo::new(move |_| params.with(|m| (m.get("done"), AppError::from_params(|k| m.get(k)))));
    let message = Resource::new(
        move || target.get(),
        |(q, uid, nested, images, full)| mail_message(q, uid, nested, images, full),
    );
    view! {
        <Title text="Message · Webmail" />
        <AppShell section=Section::Mail content=move |_user| {
            view! {
                <Suspense fallback=|| view! { <p class="loading" role="status">"Opening message…"</p> }>
                    {move || Suspend::new(async move {
                        let (q, _, _, _, _) = target.get();
                        let (done, error) = outcome.get();
                        let list_href = ui.href(&format!("/mail?{}", q.to_params()));
                        match message.await {
                            Ok(m) => view! { <Message m q ui done error /> }.into_any(),
                            Err(e) => {
                                crate::error::set_status(&e);
                                view! {
                                <h1>"Message"</h1>
                                <p role="alert" class="error">{e.to_string()}</p>
                                <p><a href=list_href>"Back to the list"</a></p>
                            }.into_any()
                            },
                        }
                    })}
                </Suspense>
            }
        } />
    }
}

fn addresses(list: &[Address]) -> String {
    let text = list
        .iter()
        .map(|a| match (a.name.is_empty(), a.email.is_empty()) {
            (true, _) => a.email.clone(),
            (false, true) => a.name.clone(),
            (false, false) => format!("{} <{}>", a.name, a.email),
        })
        .collect::<Vec<_>>()
        .join(", ");
    crate::components::message_list::non_empty(&text, "(none)")
}

#[component]
fn Message(
    m: OpenedMessage,
    q: ListQuery,
    ui: Interface,
    done: Option<String>,
    error: Option<AppError>,
) -> impl IntoView {
    let v = m.view;
    let uid = m.uid;
    let outer = ui.href(&format!("/mail/message?uid={uid}&{}", q.to_params()));
    let nested_param = if m.nested.is_empty() {
        String::new()
    } else {
        format!("&part={}", part_path(&m.nested))
    };
    let here = format!("{outer}{nested_param}");
    let is_nested = !m.nested.is_empty();
    let list_href = ui.href(&format!("/mail?{}", q.to_params()));
    let source_href = ui.href(&format!("/mail/source?uid={uid}&{}", q.to_params()));
    let images_href = format!("{here}&images=1");
    let full_href = format!(
        "{here}{}&full=1",
        if m.images_shown { "&images=1" } else { "" }
    );
    let subject = if v.subject.is_empty() {
        "(no subject)".to_owned()
    } else {
        v.subject.clone()
    };
    let neighbour = |r: &MessageRef| {
        ui.href(&format!(
            "/mail/message?uid={}&{}",
            r.uid,
            ListQuery {
                folder: r.folder.clone(),
                ..q.clone()
            }
            .to_params()
        ))
    };
    let compose_href = {
        let folder = model::mail::encode(&m.folder);
        move |mode: &str| {
            ui.href(&format!(
                "/mail/compose?folder={folder}&uid={uid}&mode={mode}"
            ))
        }
    };
    let prev_href = m.prev.as_ref().map(neighbour);
    let next_href = m.next.as_ref().map(neighbour);

    // Standard interface: the flag changes at once, and keys act.
    let live = LiveList::new();
    let flagged = RwSignal::new(m.flagged);
    let folder = m.folder.clone();
    let ask = {
        let folder = folder.clone();
        let back = list_href.clone();
        move |action: ListAction| {
            let sel = std::collections::HashMap::from([(uid.to_string(), "on".to_owned())]);
            mail_act(
                folder.clone(),
                action.as_str().to_owned(),
                None,
                Some(sel),
                back.clone(),
            )
        }
    };
    let toggle_flag = {
        let ask = ask.clone();
        move || {
            let now = !flagged.get_untracked();
            flagged.set(now);
            let call = ask(if now {
                ListAction::Flag
            } else {
                ListAction::Unflag
            });
            leptos::task::spawn_local(async move {
                match call.await {
                    Ok(_) => live.notice.set(Some(Notice::Done(
                        if now { "Flagged." } else { "Flag removed." }.to_owned(),
                    ))),
                    Err(e) => {
                        flagged.set(!now);
                        live.notice
                            .set(Some(Notice::Failed(format!("{e} Nothing was changed."))));
                    }
                }
            });
        }
    };
    let navigate = leptos_router::hooks::use_navigate();
    let article = NodeRef::<leptos::html::Article>::new();
    let on_key = {
        let toggle_flag = toggle_flag.clone();
        let (prev_href, next_href, list_href) =
            (prev_href.clone(), next_href.clone(), list_href.clone());
        move |ev: leptos::ev::KeyboardEvent| {
            // Only the message on screen takes keys (one built for a load
            // that lost the race to a newer one never is).
            let on_screen = article
                .try_get_untracked()
                .flatten()
                .is_some_and(|a| a.is_connected());
            let Some(key) = shortcuts::key_of(&ev).filter(|_| on_screen) else {
                return;
            };
            let go = |href: &Option<String>| {
                if let Some(h) = href {
                    navigate(h, Default::default());
                }
            };
            match key {
                Key::Help => live.help.update(|h| *h = !*h),
                Key::Escape => live.help.set(false),
                _ if live.help.get_untracked() => return,
                Key::Next => go(&next_href),
                Key::Prev => go(&prev_href),
                Key::Up => go(&Some(list_href.clone())),
                Key::Flag if !is_nested => toggle_flag(),
                Key::Delete | Key::Spam if !is_nested => {
                    let call = ask(if key == Key::Delete {
                        ListAction::Delete
                    } else {
                        ListAction::Spam
                    });
                    let after = format!(
                        "{}&done=1",
                        next_href.clone().unwrap_or_else(|| list_href.clone())
                    );
                    let navigate = navigate.clone();
                    leptos::task::spawn_local(async move {
                        match call.await {
                            Ok(_) => navigate(&after, Default::default()),
                            Err(e) => live
                                .notice
                                .set(Some(Notice::Failed(format!("{e} Nothing was changed.")))),
                        }
                    });
                }
                _ => return,
            }
            ev.prevent_default();
        }
    };
    let handle = window_event_listener(leptos::ev::keydown, on_key);
    on_cleanup(move || handle.remove());
    let sender = v
        .from
        .first()
        .map(|a| a.email.to_lowercase())
        .unwrap_or_default();
    let blocked = match &v.body {
        Body::Html { blocked_images, .. } => *blocked_images,
        _ => 0,
    };
    let headers = v
        .headers
        .iter()
        .map(|(k, val)| {
            let val = crate::components::message_list::non_empty(val, "(empty)");
            view! { <tr><th scope="row">{k.clone()}</th><td>{val}</td></tr> }
        })
        .collect_view();
    let attachments = v
        .attachments
        .iter()
        .filter(|a| !a.inline)
        .map(|a| {
            let href = part_url(&m.folder, uid, &m.nested, a.part);
            let open = a.is_message.then(|| {
                let mut path = m.nested.clone();
                path.push(a.part);
                let href = format!("{outer}&part={}", part_path(&path));
                let label = format!("View attached message {}", a.filename);
                view! { " " <a href=href aria-label=label class="view-attached">"View"</a> }
            });
            view! {
                <li>
                    <a href=href download="">{a.filename.clone()}</a>
                    <span class="hint">{format!(" {} · {}", a.content_type, format_size(a.size))}</span>
                    {open}
                </li>
            }
        })
        .collect_view();
    let has_attachments = v.attachments.iter().any(|a| !a.inline);
    let warnings = v.warnings.clone();
    let body = match v.body {
        Body::Html { html, .. } => {
            view! { <MessageFrame document=html height=m.frame_height /> }.into_any()
        }
        Body::Text { html } => view! { <SafeHtml html class="message-text" /> }.into_any(),
        Body::Empty => view! { <p class="empty">"This message has no text."</p> }.into_any(),
    };
    view! {
        <article class="message" aria-labelledby="message-subject" node_ref=article>
            <nav class="actions" aria-label="Message navigation">
                <a href=list_href.clone()>"← Back to the list"</a>
                {prev_href.clone().map(|h| view! { <a href=h rel="prev">"‹ Previous"</a> })}
                {next_href.clone().map(|h| view! { <a href=h rel="next">"Next ›"</a> })}
            </nav>
            <Outcome done error />
            <LiveNotice notice=live.notice />
            {m.outer_subject.clone().map(|s| view! {
                <p class="nested-banner" role="note">
                    {format!("A message attached to “{}”. ", non_empty(&s, "(no subject)"))}
                    <a href=outer.clone()>"Back to that message"</a>
                </p>
            })}
            <h1 id="message-subject">{subject}</h1>
            <dl class="summary">
                <dt>"From"</dt><dd>
                    {addresses(&v.from)}
                    {v.from.iter().find_map(|a| a.misleading_name().map(|fake| (fake.to_owned(), a.email.clone()))).map(|(fake, real)| view! {
                        <strong class="warning" role="note">
                            {format!(" The name shows the address {fake}, but this message came from {real}.")}
                        </strong>
                    })}
                </dd>
                <dt>"To"</dt><dd>{addresses(&v.to)}</dd>
                {(!v.cc.is_empty()).then(|| view! { <dt>"Cc"</dt><dd>{addresses(&v.cc)}</dd> })}
                <dt>"Date"</dt><dd>{v.date.map(|d| format_date_at(d, v.date_offset)).unwrap_or_else(|| "(no date)".to_owned())}</dd>
                {(v.priority < 3).then(|| view! { <dt>"Priority"</dt><dd>"High"</dd> })}
                {(v.priority > 3).then(|| view! { <dt>"Priority"</dt><dd>"Low"</dd> })}
            </dl>
            {(!is_nested).then(|| view! {
            <form method="post" action=MailAct::PATH class="toolbar" aria-label="Message actions">
                <input type="hidden" name="folder" value=m.folder.clone() />
                <input type="hidden" name=format!("sel[{uid}]") value="on" />
                <input type="hidden" name="back" value=list_href.clone() />
                <a class="button" href=compose_href("reply")>"Reply"</a>
                <a class="button" href=compose_href("all")>"Reply all"</a>
                <a class="button" href=compose_href("forward")>"Forward"</a>
                <a class="button" href=compose_href("attach")>"Forward as attachment"</a>
                <button type="submit" name="action" value=ListAction::Delete.as_str()>"Delete"</button>
                <button type="submit" name="action" value=ListAction::Spam.as_str()>"Spam"</button>
                <button type="submit" name="action" value=ListAction::Unread.as_str()>"Mark unread"</button>
                <button
                    type="submit"
                    name="action"
                    value=move || {
                        if flagged.get() { ListAction::Unflag } else { ListAction::Flag }.as_str()
                    }
                    aria-pressed=move || flagged.get().to_string()
                    on:click=move |ev| {
                        ev.prevent_default();
                        toggle_flag();
                    }
                >
                    {move || if flagged.get() { "Unflag" } else { "Flag" }}
                </button>
                <a href=source_href>"View source"</a>
                <MoreOptions />
                {(ui == Interface::Standard).then(|| view! { <ShortcutButton open=live.help /> })}
            </form>
            })}
            <ShortcutHelp open=live.help />
            <details class="all-headers">
                <summary>"Show all headers"</summary>
                <table><tbody>{headers}</tbody></table>
            </details>
            {(!warnings.is_empty()).then(|| view! {
                <ul class="warnings" aria-label="Problems reading this message">
                    {warnings.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}
                </ul>
            })}
            {(blocked > 0 && !m.images_shown).then(|| view! {
                <div class="images-bar" role="region" aria-label="Remote images">
                    <span>{format!("{blocked} remote image{} blocked to protect your privacy.", if blocked == 1 { " was" } else { "s were" })}</span>
                    <a href=images_href>"Show images"</a>
                    {(!sender.is_empty()).then(|| view! {
                        <form method="post" action=SetMailPref::PATH>
                            <input type="hidden" name="key" value=format!("images:{sender}") />
                            <input type="hidden" name="value" value="always" />
                            <input type="hidden" name="back" value=here.clone() />
                            <button type="submit">{format!("Always show from {sender}")}</button>
                        </form>
                    })}
                </div>
            })}
            {m.receipt_request.clone().map(|to| view! {
                <form method="post" action=MailReceipt::PATH class="receipt-bar" aria-label="Read receipt">
                    <input type="hidden" name="folder" value=m.folder.clone() />
                    <input type="hidden" name="uid" value=uid.to_string() />
                    <input type="hidden" name="back" value=here.clone() />
                    <span>{format!("The sender asked for a read receipt to {to}.")}</span>
                    <button type="submit" name="answer" value="send">"Send receipt"</button>
                    <button type="submit" name="answer" value="ignore">"Ignore"</button>
                </form>
            })}
            <section class="message-body" aria-label="Message body">{body}</section>
            {m.clipped.then(|| view! {
                <p class="clipped" role="note">
                    "This message is very long: only its beginning is shown. "
                    <a href=full_href>"Show the whole message"</a>
                </p>
            })}
            {has_attachments.then(|| view! {
                <section class="attachments" aria-labelledby="attachments-title">
                    <h2 id="attachments-title">"Attachments"</h2>
                    <ul>{attachments}</ul>
                </section>
            })}
        </article>
    }
    .into_any()
}
