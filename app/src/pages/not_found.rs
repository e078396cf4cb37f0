//! Any path no route matches.

use crate::use_interface;
use leptos::prelude::*;
use leptos_meta::Title;

/// The 404 page.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    let ui = use_interface();
    view! {
        <Title text="Not found · Webmail" />
        <main id="main" class="centered">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. It may have moved, or the link may be mistyped."</p>
            <p>
                <a href=ui.href("/mail") rel="external">"Go to your mail"</a>
            </p>
        </main>
    }
}
