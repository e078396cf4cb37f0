//! `/mail/compose`: write, reply, forward; save drafts; check spelling;
//! attach files; send.
//!
//! The page is one multipart form that works with JavaScript off (basic,
//! or standard before the wasm arrives). Hydrated, the standard interface
//! adds the rich-text editor and autosave, and still posts the same form.

use crate::api::compose::{ComposeSubmit, compose_load};
use crate::components::app_shell::{AppShell, Section};
use crate::components::editor::{Autosave, Editor};
use crate::error::AppError;
use crate::use_interface;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use model::Interface;
use model::compose::{BodyFormat, ComposeOpening, ComposeState, Misspelling, Priority};
use model::mail::{format_date_at, format_size};

/// `/mail/compose` and `/basic/mail/compose`.
#[component]
pub fn ComposePage() -> impl IntoView {
    let ui = use_interface();
    let params = use_query_map();
    let opening = Memo::new(move |_| {
        params.with(|m| {
            let num = |k: &str| m.get(k).and_then(|v| v.parse::<u32>().ok());
            ComposeOpening {
                draft: num("draft"),
                original: m
                    .get("folder")
                    .zip(num("uid"))
                    .map(|(folder, uid)| model::mail::MessageRef { folder, uid }),
                mode: m.get("mode").unwrap_or_default(),
                to: m.get("to").unwrap_or_default(),
                spell: m.get("spell").is_some(),
                check_addresses: m.get("check").is_some(),
                basic: ui == Interface::Basic,
            }
        })
    });
    let outcome = Memo::new(move |_| {
        params.with(|m| {
            (
                m.get("saved").is_some(),
                m.get("restored").is_some(),
                AppError::from_params(|k| m.get(k)),
            )
        })
    });
    let state = Resource::new(move || opening.get(), compose_load);
    view! {
        <Title text="Compose · Webmail" />
        <AppShell section=Section::Mail content=move |_user| {
            view! {
                <Suspense fallback=|| view! { <p class="loading" role="status">"Opening the editor…"</p> }>
                    {move || Suspend::new(async move {
                        let (saved, restored, error) = outcome.get();
                        match state.await {
                            Ok(s) => view! { <ComposeForm s ui saved restored error /> }.into_any(),
                            Err(e) => {
                                crate::error::set_status(&e);
                                view! {
                                <h1>"New message"</h1>
                                <p role="alert" class="error">{e.to_string()}</p>
                                <p><a href=ui.href("/mail/compose")>"Start a new message"</a></p>
                            }.into_any()
                            },
                        }
                    })}
                </Suspense>
            }
        } />
    }
}

fn title(s: &ComposeState) -> &'static str {
    match (&s.draft.original, s.draft.forwarding, s.draft.draft_uid) {
        (_, _, Some(_)) => "Draft",
        (Some(_), true, _) => "Forward",
        (Some(_), false, _) => "Reply",
        (None, _, _) => "New message",
    }
}

#[component]
fn ComposeForm(
    s: ComposeState,
    ui: Interface,
    saved: bool,
    restored: bool,
    error: Option<AppError>,
) -> impl IntoView {
    let d = s.draft.clone();
    let heading = title(&s);
    let draft_uid = RwSignal::new(d.draft_uid);
    let saved_at = RwSignal::new(if saved { s.saved_at } else { None });
    // Saves happen now: the user's offset from UTC now fits them all.
    let offset = s.offset;
    let attachments = RwSignal::new(d.attachments.clone());
    let autosave = Autosave::new(draft_uid, saved_at, attachments);
    let form_ref = autosave.form;
    let datalist = s
        .known_recipients
        .iter()
        .map(|a| view! { <option value=a.clone()></option> })
        .collect_view();
    let address = |id: &'static str, label: &'static str, value: String| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input
                    id=id
                    name=id
                    type="text"
                    inputmode="email"
                    autocomplete="off"
                    list="known-recipients"
                    value=value
                    spellcheck="false"
                    on:input=move |_| autosave.changed()
                />
            </div>
        }
    };
    let priority = |p: Priority, label: &'static str| {
        view! { <option value=p.as_str() selected=d.priority == p>{label}</option> }
    };
    let formats: Vec<(BodyFormat, &'static str)> = match ui {
        Interface::Standard => vec![
            (BodyFormat::Html, "Rich text"),
            (BodyFormat::Plain, "Plain text"),
        ],
        Interface::Basic => vec![
            (BodyFormat::Plain, "Plain text"),
            (
                BodyFormat::Simple,
                "Simple formatting (*bold*, _italic_, - lists)",
            ),
        ],
    };
    let format = RwSignal::new(if formats.iter().any(|(f, _)| *f == d.format) {
        d.format
    } else {
        formats[0].0
    });
    let format_options = formats
        .iter()
        .map(|(f, label)| view! { <option value=f.as_str() selected=*f == d.format>{*label}</option> })
        .collect_view();
    let body = RwSignal::new(d.body.clone());
    let problems = s.address_problems.clone();
    let spelling = s.misspellings.clone();
    let languages = s.languages.clone();
    let language = s.language.clone();
    let max_mb = s.max_mb;

    view! {
        <section class="compose" aria-labelledby="compose-title">
            <h1 id="compose-title">{heading}</h1>
            {error.map(|e| view! { <p role="alert" class="error">{e.to_string()}</p> })}
            {restored.then(|| view! {
                <p role="status" class="notice">
                    "This is the message you were writing when your session ended. It is saved in Drafts."
                </p>
            })}
            {(!problems.is_empty()).then(|| view! {
                <ul class="problems" aria-label="Address problems">
                    {problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
                </ul>
            })}
            {s.sending_suspended.then(|| view! {
                <p role="alert" class="banner">
                    "Sending is suspended for this account: you can write and save drafts, but not send."
                </p>
            })}
            {move || autosave.problem.get().map(|p| view! {
                <p role="alert" class="error">
                    {p}
                    {autosave.signed_out.get().then(|| view! {
                        " " <a href="/login?kept=1" class="button">"Sign in again"</a>
                    })}
                </p>
            })}
            <p class="saved" role="status">
                {move || saved_at.get().map(|t| format!("Draft saved at {}", &format_date_at(t, offset)[11..])).unwrap_or_default()}
            </p>
            <form
                method="post"
                action=ComposeSubmit::PATH
                enctype="multipart/form-data"
                class="compose-form"
                node_ref=form_ref
                on:submit=move |ev| autosave.on_submit(ev)
            >
                // Enter in a field saves; it never sends.
                <button type="submit" name="op" value="save" class="default-button" tabindex="-1" aria-hidden="true">
                    "Save"
                </button>
                <input type="hidden" name="interface" value=ui.as_str() />
                <input type="hidden" name="account" value=s.account.clone() />
                <input type="hidden" name="draft" value=move || draft_uid.get().map(|u| u.to_string()).unwrap_or_default() />
                <input type="hidden" name="in_reply_to" value=d.in_reply_to.clone().unwrap_or_default() />
                <input type="hidden" name="references" value=d.references.join(" ") />
                <input type="hidden" name="original_folder" value=d.original.as_ref().map(|o| o.folder.clone()).unwrap_or_default() />
                <input type="hidden" name="original_uid" value=d.original.as_ref().map(|o| o.uid.to_string()).unwrap_or_default() />
                <input type="hidden" name="forwarding" value=if d.forwarding { "1" } else { "" } />
                <p class="from"><span class="label">"From "</span>{s.from.clone()}</p>
                {address("to", "To", d.to.clone())}
                {address("cc", "Cc", d.cc.clone())}
                {address("bcc", "Bcc", d.bcc.clone())}
                <datalist id="known-recipients">{datalist}</datalist>
                <div class="field">
                    <label for="subject">"Subject"</label>
                    <input id="subject" name="subject" type="text" value=d.subject.clone() on:input=move |_| autosave.changed() />
                </div>
                <div class="options">
                    <label for="priority">"Priority"</label>
                    <select id="priority" name="priority" on:change=move |_| autosave.changed()>
                        {priority(Priority::High, "High")}
                        {priority(Priority::Normal, "Normal")}
                        {priority(Priority::Low, "Low")}
                    </select>
                    <label class="check">
                        <input type="checkbox" name="receipt" value="on" checked=d.receipt on:change=move |_| autosave.changed() />
                        " Request a read receipt"
                    </label>
                    <label for="format">"Format"</label>
                    <select
                        id="format"
                        name="format"
                        on:change=move |ev| {
                            format.set(BodyFormat::parse(&event_target_value(&ev)));
                            autosave.changed();
                        }
                    >
                        {format_options}
                    </select>
                </div>
                <Editor ui format body autosave />
                <div class="spelling">
                    <label for="lang">"Spelling language"</label>
                    <select id="lang" name="lang">
                        {languages.iter().map(|l| view! { <option value=l.clone() selected=*l == language>{l.clone()}</option> }).collect_view()}
                    </select>
                    <button type="submit" name="op" value="spell">"Check spelling"</button>
                </div>
                {spelling.map(|m| view! { <Spelling misspellings=m /> })}
                <Attachments attachments autosave max_mb />
                <div class="actions">
                    <button type="submit" name="op" value="send" class="primary" disabled=s.sending_suspended>"Send"</button>
                    <button type="submit" name="op" value="save">"Save draft"</button>
                    <a href=ui.href("/mail")>"Close"</a>
                </div>
            </form>
        </section>
    }
}

/// The words the checker did not know, each with its suggestions to pick.
#[component]
fn Spelling(misspellings: Vec<Misspelling>) -> impl IntoView {
    let mut seen: Vec<String> = Vec::new();
    let words: Vec<Misspelling> = misspellings
        .into_iter()
        .filter(|m| {
            let new = !seen.contains(&m.word);
            seen.push(m.word.clone());
            new
        })
        .collect();
    if words.is_empty() {
        return view! { <p role="status" class="notice">"No spelling mistakes found."</p> }
            .into_any();
    }
    view! {
        <fieldset class="misspellings">
            <legend>{format!("{} word{} to check", words.len(), if words.len() == 1 { "" } else { "s" })}</legend>
            {words
                .into_iter()
                .map(|m| {
                    let id = format!("fix-{}", m.start);
                    let label = format!("Correction for “{}”", m.word);
                    view! {
                        <div class="fix">
                            <label for=id.clone() class="sr-only">{label}</label>
                            <span class="misspelled">{m.word.clone()}</span>
                            <select id=id name=format!("fix:{}", m.word)>
                                <option value="">{format!("Keep “{}”", m.word)}</option>
                                {m.suggestions.iter().map(|s| view! { <option value=s.clone()>{s.clone()}</option> }).collect_view()}
                            </select>
                        </div>
                    }
                })
                .collect_view()}
            <button type="submit" name="op" value="fix">"Apply corrections"</button>
        </fieldset>
    }
    .into_any()
}

/// Attached files: kept ones (with Remove), and the picker for more.
#[component]
fn Attachments(
    attachments: RwSignal<Vec<model::compose::DraftAttachment>>,
    autosave: Autosave,
    max_mb: u64,
) -> impl IntoView {
    view! {
        <fieldset class="attach">
            <legend>"Attachments"</legend>
            <ul aria-label="Attached files">
                <For each=move || attachments.get() key=|a| a.id.clone() let:a>
                    <li>
                        <input type="hidden" name="keep" value=a.id.clone() />
                        <span>{a.filename.clone()}</span>
                        <span class="hint">{format!(" {} · {}", a.content_type, format_size(a.size))}</span>
                        " "
                        <button
                            type="submit"
                            name="op"
                            value=format!("remove:{}", a.id)
                            aria-label=format!("Remove {}", a.filename)
                            on:click={
                                let id = a.id.clone();
                                move |ev| autosave.remove(ev, &id)
                            }
                        >
                            "Remove"
                        </button>
                    </li>
                </For>
            </ul>
            <label for="files">{format!("Add files (up to {max_mb} MB in all)")}</label>
            <input id="files" name="files" type="file" multiple on:change=move |_| autosave.attach() />
            <button type="submit" name="op" value="attach">"Attach"</button>
        </fieldset>
    }
}
