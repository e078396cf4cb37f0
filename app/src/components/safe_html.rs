//! The only place the app puts HTML into the page: text that
//! `crates/sanitize` produced on the server (plain-text bodies with their
//! links made safe). Mail HTML never comes here: it goes into a sandboxed
//! frame.

use leptos::prelude::*;

/// Renders sanitised HTML. `html` must come from `sanitize`.
#[component]
pub fn SafeHtml(html: String, #[prop(optional)] class: &'static str) -> impl IntoView {
    view! { <div class=class inner_html=html></div> }
}
