//! Preferences. For now: display preferences (the choice of interface).

use crate::api::compose::{SetIdentity, identity};
use crate::api::mail::{EditSenderList, sender_lists};
use crate::api::settings::SetInterface;
use crate::components::app_shell::{AppShell, Section};
use crate::error::AppError;
use crate::pages::login::InterfaceChoice;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use model::CurrentUser;

/// `/settings` and `/basic/settings`.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let query = use_query_map();
    let saved = move || query.with(|q| q.get("saved").is_some());
    let listed = move || query.with(|q| q.get("done").is_some());
    let error = move || query.with(|q| AppError::from_params(|k| q.get(k)));
    let lists = Resource::new(move || query.with(|q| q.get("done")), |_| sender_lists());
    let ident = Resource::new(move || query.with(|q| q.get("saved")), |_| identity());
    view! {
        <Title text="Settings · Webmail" />
        <AppShell section=Section::Settings content=move |user: CurrentUser| {
            view! {
                <h1>"Settings"</h1>
                {saved().then(|| view! { <p role="status" class="notice">"Preferences saved."</p> })}
                {listed().then(|| view! { <p role="status" class="notice">"Sender lists updated."</p> })}
                {error().map(|e| view! { <p role="alert" class="error">{e.to_string()}</p> })}
                <section aria-labelledby="display-prefs">
                    <h2 id="display-prefs">"Display preferences"</h2>
                    <form method="post" action=SetInterface::PATH>
                        <InterfaceChoice chosen=user.interface />
                        <button type="submit" class="primary">"Save display preferences"</button>
                    </form>
                </section>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        match ident.await {
                            Ok(settings) => view! { <IdentityForm settings /> }.into_any(),
                            Err(e) => view! { <p role="alert" class="error">{e.to_string()}</p> }.into_any(),
                        }
                    })}
                </Suspense>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        match lists.await {
                            Ok(l) => view! {
                                <SenderListEditor list="block" title="Blocked senders" entries=l.blocked
                                    hint="Mail from these addresses or @domains is treated as junk." />
                                <SenderListEditor list="safe" title="Safe senders" entries=l.safe
                                    hint="Mail from these addresses or @domains is never treated as junk." />
                            }.into_any(),
                            Err(e) => view! { <p role="alert" class="error">{e.to_string()}</p> }.into_any(),
                        }
                    })}
                </Suspense>
            }
        } />
    }
}

#[component]
fn IdentityForm(settings: model::compose::IdentitySettings) -> impl IntoView {
    let model::compose::IdentitySettings {
        name,
        signature,
        language,
        languages,
        time_zone,
        time_zones,
    } = settings;
    view! {
        <section aria-labelledby="identity-prefs">
            <h2 id="identity-prefs">"Identity and writing"</h2>
            <form method="post" action=SetIdentity::PATH class="identity">
                <label for="identity-name">"Display name"</label>
                <input id="identity-name" name="name" type="text" value=name maxlength="100" />
                <label for="identity-signature">"Signature"</label>
                <textarea id="identity-signature" name="signature" rows="4" maxlength="2000">{crate::components::safe_html::textarea_text(&signature)}</textarea>
                <label for="identity-language">"Spell-check language"</label>
                <select id="identity-language" name="language">
                    {languages
                        .into_iter()
                        .map(|l| view! { <option value=l.clone() selected=l == language>{l.clone()}</option> })
                        .collect_view()}
                </select>
                <label for="identity-zone">"Time zone"</label>
                <select id="identity-zone" name="time_zone" aria-describedby="identity-zone-hint">
                    {time_zones
                        .into_iter()
                        .map(|z| view! { <option value=z.clone() selected=z == time_zone>{z.replace('_', " ")}</option> })
                        .collect_view()}
                </select>
                <p id="identity-zone-hint" class="hint">"Dates in your mail are shown in this zone."</p>
                <button type="submit" class="primary">"Save identity"</button>
            </form>
        </section>
    }
}

#[component]
fn SenderListEditor(
    list: &'static str,
    title: &'static str,
    hint: &'static str,
    entries: Vec<String>,
) -> impl IntoView {
    let ui = crate::use_interface();
    let back = ui.href("/settings");
    let id = format!("{list}-list");
    let labelled_by = id.clone();
    let input_id = format!("{list}-add");
    let empty = entries.is_empty();
    let rows = entries
        .into_iter()
        .map(|e| {
            let back = back.clone();
            view! {
                <li>
                    <span>{e.clone()}</span>
                    <form method="post" action=EditSenderList::PATH>
                        <input type="hidden" name="list" value=list />
                        <input type="hidden" name="op" value="remove" />
                        <input type="hidden" name="address" value=e.clone() />
                        <input type="hidden" name="back" value=back />
                        <button type="submit" class="ghost" aria-label=format!("Remove {e} from {}", title.to_lowercase())>
                            "Remove"
                        </button>
                    </form>
                </li>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby=labelled_by class="sender-list">
            <h2 id=id>{title}</h2>
            <p class="hint">{hint}</p>
            {if empty {
                view! { <p class="empty-list">"No entries yet."</p> }.into_any()
            } else {
                view! { <ul aria-label=title>{rows}</ul> }.into_any()
            }}
            <form method="post" action=EditSenderList::PATH class="add-sender">
                <input type="hidden" name="list" value=list />
                <input type="hidden" name="op" value="add" />
                <input type="hidden" name="back" value=back.clone() />
                <label for=input_id.clone()>{format!("Add to {}", title.to_lowercase())}</label>
                <input id=input_id name="address" type="text" required placeholder="name@example.com or @example.com" />
                <button type="submit">"Add"</button>
            </form>
        </section>
    }
    .into_any()
}
