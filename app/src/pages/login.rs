//! The sign-in screen: address, password and the choice of interface.
//!
//! The form is a plain POST to the `login` server function, so it works the
//! same with JavaScript on or off; the server answers with a redirect either
//! into the app or back here with an error code.

use crate::api::session::{Login, LoginDefaults, get_login_defaults};
use crate::error::AppError;
use crate::use_interface;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use model::Interface;

/// `/login` and `/basic/login`.
#[component]
pub fn LoginPage() -> impl IntoView {
    let ui = use_interface();
    let query = use_query_map();
    let defaults = Resource::new(|| (), |_| get_login_defaults());
    let error = move || query.with(|q| AppError::from_params(|k| q.get(k)));
    let signed_out = move || query.with(|q| q.get("signed_out").is_some());
    // A compose form posted after the session ended was kept by the server.
    let kept = move || query.with(|q| q.get("kept").is_some());
    let address = query.with_untracked(|q| q.get("address").unwrap_or_default());
    let asked =
        query.with_untracked(|q| q.get("interface").and_then(|i| i.parse::<Interface>().ok()));

    // The password toggle needs a script, so it appears only once hydrated.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let show_password = RwSignal::new(false);

    view! {
        <Title text="Sign in · Webmail" />
        <main id="main" class="login">
            <h1>"Sign in to Webmail"</h1>
            {move || {
                signed_out()
                    .then(|| view! { <p role="status" class="notice">"You have signed out."</p> })
            }}
            {move || {
                kept()
                    .then(|| {
                        view! {
                            <p role="status" class="notice">
                                "Your session ended. Sign in again: the message you were writing is kept and will reopen."
                            </p>
                        }
                    })
            }}
            {move || error().map(|e| view! { <p role="alert" class="error">{e.to_string()}</p> })}
            <form method="post" action=Login::PATH class="login-form">
                <label for="address">"Email address"</label>
                <input
                    id="address"
                    name="address"
                    type="email"
                    autocomplete="username"
                    required
                    autofocus
                    value=address
                />
                <label for="password">"Password"</label>
                <div class="password-row">
                    <input
                        id="password"
                        name="password"
                        type=move || if show_password.get() { "text" } else { "password" }
                        autocomplete="current-password"
                        required
                    />
                    <Show when=move || hydrated.get()>
                        <button
                            type="button"
                            class="ghost"
                            aria-pressed=move || show_password.get().to_string()
                            on:click=move |_| show_password.update(|v| *v = !*v)
                        >
                            {move || if show_password.get() { "Hide password" } else { "Show password" }}
                        </button>
                    </Show>
                </div>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let d = defaults.await.unwrap_or(LoginDefaults {
                            interface: Interface::Standard,
                            offer_basic: true,
                        });
                        let chosen = asked
                            .or((ui == Interface::Basic).then_some(Interface::Basic))
                            .unwrap_or(d.interface);
                        d.offer_basic.then(|| view! { <InterfaceChoice chosen /> })
                    })}
                </Suspense>
                // The browser's time zone, for users who have not chosen one.
                <Show when=move || hydrated.get()>
                    <input type="hidden" name="time_zone" value=browser_zone() />
                </Show>
                <button type="submit" class="primary">"Sign in"</button>
            </form>
        </main>
    }
}

/// Radio buttons for the two interfaces, shared with the preferences page.
#[component]
pub fn InterfaceChoice(chosen: Interface) -> impl IntoView {
    view! {
        <fieldset class="interface-choice">
            <legend>"Interface"</legend>
            <label>
                <input
                    type="radio"
                    name="interface"
                    value="standard"
                    checked=chosen == Interface::Standard
                />
                " Standard"
                <span class="hint">" — full features, keyboard shortcuts; needs JavaScript"</span>
            </label>
            <label>
                <input type="radio" name="interface" value="basic" checked=chosen == Interface::Basic />
                " Basic"
                <span class="hint">" — light and fast; works without JavaScript"</span>
            </label>
        </fieldset>
    }
}

/// The browser's time zone (an IANA name); empty without a script.
fn browser_zone() -> String {
    #[cfg(feature = "hydrate")]
    {
        use leptos::web_sys::js_sys::{Array, Intl, Object, Reflect};
        let options = Intl::DateTimeFormat::new(&Array::new(), &Object::new()).resolved_options();
        if let Some(zone) = Reflect::get(&options, &"timeZone".into())
            .ok()
            .and_then(|v| v.as_string())
        {
            return zone;
        }
    }
    String::new()
}
