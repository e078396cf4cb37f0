//! Server-side state shared by every request (ssr only).

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::path::PathBuf;
use std::sync::Arc;

/// When session cookies get the `Secure` attribute.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SecureCookies {
    /// Secure when the request reached us over TLS (as said by
    /// `X-Forwarded-Proto` from a trusted proxy).
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never (plain-HTTP development only).
    Never,
}

/// Web settings the app needs at request time.
#[derive(Clone, Debug, Default)]
pub struct WebConfig {
    /// When cookies are `Secure`.
    pub secure_cookies: SecureCookies,
    /// Trust `X-Forwarded-For` and `X-Forwarded-Proto` (only behind a proxy).
    pub trust_proxy: bool,
    /// How many trusted proxies stand in front (the client's address is the
    /// `X-Forwarded-For` entry this far from the right).
    pub proxy_hops: u32,
    /// Offer the basic interface on the sign-in screen.
    pub offer_basic: bool,
    /// The largest message a user may send (attachments included), bytes.
    pub max_message_bytes: u64,
    /// Spell-check language for users who chose none (`en_US`).
    pub default_spell_language: String,
    /// Time zone of users who chose none (an IANA name, `UTC`).
    pub default_time_zone: String,
    /// This server's name, in Message-IDs, receipts and bounces.
    pub hostname: String,
}

/// The outbound queue and the worker that drains it.
pub struct Outbound {
    /// The durable queue in `data/spool/`.
    pub queue: compose::queue::Queue,
    /// Wakes the worker when something was queued.
    pub wake: tokio::sync::Notify,
}

/// Everything a handler or server function may reach.
#[derive(Clone)]
pub struct AppState {
    /// Domains, accounts and sessions.
    pub directory: accounts::Directory,
    /// Where mail and user data live.
    pub data_dir: PathBuf,
    /// Web settings.
    pub web: Arc<WebConfig>,
    /// Mail waiting to leave.
    pub outbound: Arc<Outbound>,
    /// Hunspell dictionaries, loaded on first use.
    pub spell: Arc<spell::Dictionaries>,
    /// Leptos' own options (asset paths).
    pub leptos_options: LeptosOptions,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The state, from the Leptos context of a server function or page.
pub fn app_state() -> Result<AppState, crate::error::AppError> {
    leptos::prelude::use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from context");
        crate::error::AppError::Internal
    })
}
