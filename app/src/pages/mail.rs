//! The mail section's start page.

use crate::components::app_shell::{AppShell, Section};
use leptos::prelude::*;
use leptos_meta::Title;
use model::CurrentUser;

/// `/mail` and `/basic/mail`.
#[component]
pub fn MailPage() -> impl IntoView {
    view! {
        <Title text="Mail · Webmail" />
        <AppShell section=Section::Mail content=|user: CurrentUser| {
            view! {
                <h1>"Mail"</h1>
                <p class="welcome">"Signed in as " <strong>{user.address}</strong></p>
            }
        } />
    }
}
