//! Preferences. For now: display preferences (the choice of interface).

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
    let error = move || {
        query.with(|q| {
            q.get("error")
                .and_then(|code| AppError::from_query(&code, q.get("minutes").as_deref()))
        })
    };
    view! {
        <Title text="Settings · Webmail" />
        <AppShell section=Section::Settings content=move |user: CurrentUser| {
            view! {
                <h1>"Settings"</h1>
                {saved().then(|| view! { <p role="status" class="notice">"Preferences saved."</p> })}
                {error().map(|e| view! { <p role="alert" class="error">{e.to_string()}</p> })}
                <section aria-labelledby="display-prefs">
                    <h2 id="display-prefs">"Display preferences"</h2>
                    <form method="post" action=SetInterface::PATH>
                        <InterfaceChoice chosen=user.interface />
                        <button type="submit" class="primary">"Save display preferences"</button>
                    </form>
                </section>
            }
        } />
    }
}
