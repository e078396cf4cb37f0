//! The frame of every signed-in page: skip link, top bar with the product's
//! sections, the account and sign-out, then the page's content.

use crate::api::session::{Logout, get_current_user};
use crate::error::AppError;
use crate::use_interface;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use model::{AccountStatus, CurrentUser, Interface};

/// The product's sections that exist. The top bar lists exactly these.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    /// Mail.
    Mail,
    /// Settings.
    Settings,
}

impl Section {
    const ALL: [Section; 2] = [Section::Mail, Section::Settings];

    fn label(self) -> &'static str {
        match self {
            Section::Mail => "Mail",
            Section::Settings => "Settings",
        }
    }

    fn path(self) -> &'static str {
        match self {
            Section::Mail => "/mail",
            Section::Settings => "/settings",
        }
    }
}

/// Loads the signed-in user, then draws the top bar and `content(user)`.
#[component]
pub fn AppShell<F, V>(section: Section, content: F) -> impl IntoView
where
    F: Fn(CurrentUser) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let ui = use_interface();
    let user = Resource::new(|| (), |_| get_current_user());
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || {
                let content = content.clone();
                Suspend::new(async move {
                    match user.await {
                        Ok(user) => {
                            view! {
                                <TopBar user=user.clone() section ui />
                                <main id="main" class="page">{content(user)}</main>
                            }
                                .into_any()
                        }
                        Err(error) => view! { <SignInAgain error ui /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn TopBar(user: CurrentUser, section: Section, ui: Interface) -> impl IntoView {
    let suspended = user.status == AccountStatus::SuspendedSending;
    view! {
        <header class="topbar">
            <a class="brand" href=ui.href("/mail")>"Webmail"</a>
            <nav aria-label="Sections">
                <ul>
                    {Section::ALL
                        .into_iter()
                        .map(|s| {
                            view! {
                                <li>
                                    <a
                                        href=ui.href(s.path())
                                        aria-current=(s == section).then_some("page")
                                    >
                                        {s.label()}
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </nav>
            <div class="account">
                <span class="who">
                    <span class="sr-only">"Signed in as "</span>
                    {user.address}
                </span>
                <form method="post" action=Logout::PATH>
                    <button type="submit" class="ghost">"Sign out"</button>
                </form>
            </div>
        </header>
        {suspended.then(|| view! {
            <p role="alert" class="banner">
                "Sending is suspended for this account. You can still read your mail. Contact your email provider to restore sending."
            </p>
        })}
    }
}

#[component]
fn SignInAgain(error: AppError, ui: Interface) -> impl IntoView {
    view! {
        <main id="main" class="centered">
            <p role="alert" class="error">{error.to_string()}</p>
            <p>
                <a href=ui.href("/login") rel="external">"Sign in"</a>
            </p>
        </main>
    }
}
