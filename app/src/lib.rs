//! The web interface: one Leptos app rendered two ways.
//!
//! The **standard** interface is the hydrated single-page app. The **basic**
//! interface is the same routes under `/basic/…`, served without any script:
//! every action is a plain HTML form posting to the same server function, and
//! every view change is a link or a GET form. Components learn which one they
//! are in from the URL ([`use_interface`]) and build links with
//! [`Interface::href`], so a page is written once for both.
//!
//! Server functions live in [`api`], one module per domain; pages in
//! [`pages`]; reusable views in [`components`]. Server-only plumbing
//! (`state`, `session`, `auth`) is compiled with the `ssr` feature.

#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod error;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod compose;
#[cfg(feature = "ssr")]
pub mod mail;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod state;

use leptos::prelude::*;
use leptos_meta::{MetaTags, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::{SsrMode, path};
pub use model::Interface;

/// A per-request CSP nonce, put into the request's extensions by the server's
/// security-headers middleware and given to Leptos' hydration scripts.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

/// The HTML document around the app (server only: it is never hydrated).
///
/// The basic interface gets no hydration scripts at all.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let (basic, nonce) = {
        let parts = use_context::<http::request::Parts>();
        let basic = parts
            .as_ref()
            .map(|p| Interface::of_path(p.uri.path()) == Interface::Basic)
            .unwrap_or(false);
        let nonce = parts
            .as_ref()
            .and_then(|p| p.extensions.get::<CspNonce>().cloned());
        (basic, nonce)
    };
    #[cfg(not(feature = "ssr"))]
    let (basic, nonce): (bool, Option<CspNonce>) = (false, None);

    #[cfg(feature = "ssr")]
    if let Some(n) = &nonce {
        provide_context(leptos::nonce::Nonce::from_value(n.0.clone()));
    }
    #[cfg(not(feature = "ssr"))]
    let _ = nonce;
    let css = format!("/{}/{}.css", options.site_pkg_dir, options.output_name);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="stylesheet" href=css />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                {(!basic).then(|| view! { <HydrationScripts options /> })}
                <MetaTags />
            </head>
            <body class:basic=basic>
                <App />
            </body>
        </html>
    }
}

/// The interface of the current route.
pub fn use_interface() -> Interface {
    Interface::of_path(&use_location().pathname.get_untracked())
}

/// The route table. Every page exists at `/x` (standard) and `/basic/x`.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    use pages::mail::{mailbox::MailPage, message::MessagePage, source::SourcePage};
    use pages::{
        compose::ComposePage, login::LoginPage, not_found::NotFound, settings::SettingsPage,
    };
    view! {
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                <Route path=path!("/basic/login") view=LoginPage ssr=SsrMode::Async />
                <Route path=path!("/mail") view=MailPage ssr=SsrMode::Async />
                <Route path=path!("/basic/mail") view=MailPage ssr=SsrMode::Async />
                <Route path=path!("/mail/message") view=MessagePage ssr=SsrMode::Async />
                <Route path=path!("/basic/mail/message") view=MessagePage ssr=SsrMode::Async />
                <Route path=path!("/mail/source") view=SourcePage ssr=SsrMode::Async />
                <Route path=path!("/basic/mail/source") view=SourcePage ssr=SsrMode::Async />
                <Route path=path!("/mail/compose") view=ComposePage ssr=SsrMode::Async />
                <Route path=path!("/basic/mail/compose") view=ComposePage ssr=SsrMode::Async />
                <Route path=path!("/settings") view=SettingsPage ssr=SsrMode::Async />
                <Route path=path!("/basic/settings") view=SettingsPage ssr=SsrMode::Async />
            </Routes>
        </Router>
    }
}
