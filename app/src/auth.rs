//! The work behind the session server functions (ssr only): kept here so
//! the server functions stay a few lines each.

use crate::error::AppError;
use crate::session::{
    INTERFACE_COOKIE, SESSION_COOKIE, STASH_COOKIE, client_ip, cookie, expire_stash_cookie,
    redirect_with_error, request_parts, set_cookie, signed_in, unix_now,
};
use crate::state::app_state;
use accounts::Login;
use http::HeaderValue;
use http::header::SET_COOKIE;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use model::Interface;

const YEAR_SECS: i64 = 365 * 24 * 3600;

fn internal(what: &str, err: impl std::fmt::Display) -> AppError {
    tracing::error!(%err, "{what}");
    AppError::Internal
}

/// Runs blocking directory work off the async threads.
async fn blocking<T: Send + 'static>(
    what: &'static str,
    f: impl FnOnce() -> accounts::Result<T> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| internal(what, e))?
        .map_err(|e| internal(what, e))
}

fn add_cookie(value: &str) -> Result<(), AppError> {
    let res = use_context::<ResponseOptions>().ok_or(AppError::Internal)?;
    let value = HeaderValue::from_str(value).map_err(|e| internal("cookie", e))?;
    res.append_header(SET_COOKIE, value);
    Ok(())
}

/// Remembers on this browser which interface to offer at the next sign-in.
fn remember_interface(
    state: &crate::state::AppState,
    parts: &http::request::Parts,
    interface: Interface,
) -> Result<(), AppError> {
    add_cookie(&set_cookie(
        state,
        parts,
        INTERFACE_COOKIE,
        interface.as_str(),
        YEAR_SECS,
        true,
    ))
}

/// Verifies the credentials, starts a session, remembers the interface.
pub async fn sign_in(
    address: String,
    password: String,
    interface: Interface,
    time_zone: Option<String>,
) -> Result<(), AppError> {
    let state = app_state()?;
    let parts = request_parts()?;
    let ip = client_ip(&parts, state.web.trust_proxy, state.web.proxy_hops);
    let interface = if state.web.offer_basic {
        interface
    } else {
        Interface::Standard
    };
    let login_page = format!(
        "{}?address={}&interface={}",
        interface.href("/login"),
        model::mail::encode(address.trim()),
        interface
    );

    let dir = state.directory.clone();
    let outcome = blocking("authenticate", move || {
        dir.authenticate(&address, &password, ip)
    })
    .await?;
    let error = match outcome {
        Login::Ok(account) => {
            let dir = state.directory.clone();
            let id = account.id;
            let session = blocking("create session", move || {
                dir.sign_in_session(id, interface, time_zone.as_deref())
            })
            .await?;
            let ttl = (session.expires_at - now()).max(60);
            add_cookie(&set_cookie(
                &state,
                &parts,
                SESSION_COOKIE,
                &session.token,
                ttl,
                true,
            ))?;
            remember_interface(&state, &parts, interface)?;
            tracing::info!(address = %account.address, %ip, %interface, "signed in");
            // A form kept when the session ended is saved back into
            // Drafts here, in this POST (never by a GET a link could make),
            // and compose opens on it.
            let page = if has_compose_stash(&state, &parts, id).await? {
                let mut signed = parts.clone();
                signed.extensions.insert(crate::session::SignedIn {
                    account_id: account.id,
                    address: account.address.clone(),
                    status: account.status,
                    interface,
                    user_dir: account.user_dir(&state.data_dir),
                    time_zone: None,
                });
                leptos::prelude::provide_context(signed);
                match crate::compose::restore_stash().await {
                    Ok(Some(uid)) => format!("/mail/compose?draft={uid}&restored=1"),
                    Ok(None) => "/mail".to_owned(),
                    Err(e) => {
                        tracing::error!(error = %e, "restoring the compose stash");
                        "/mail".to_owned()
                    }
                }
            } else {
                "/mail".to_owned()
            };
            leptos_axum::redirect(&interface.href(&page));
            return Ok(());
        }
        Login::BadCredentials => AppError::BadCredentials,
        Login::Locked => AppError::Locked,
        Login::RateLimited { retry_after_secs } => AppError::RateLimited {
            minutes: ((retry_after_secs + 59) / 60).max(1),
        },
    };
    tracing::info!(%ip, code = error.code(), "sign-in refused");
    redirect_with_error(&parts, &login_page, &error);
    Err(error)
}

/// Whether this browser has a compose form stashed (posted after its session
/// ended) that `account`, just signed in, may have back. A stash of another
/// account, or one no longer there, is deleted with its cookie: one user's
/// text is never shown to another. A failure only costs the restore.
async fn has_compose_stash(
    state: &crate::state::AppState,
    parts: &http::request::Parts,
    account: accounts::AccountId,
) -> Result<bool, AppError> {
    let Some(id) = cookie(&parts.headers, STASH_COOKIE) else {
        return Ok(false);
    };
    let stashes = stash::Stashes::new(&state.data_dir);
    let checked = tokio::task::spawn_blocking(move || stashes.check(&id, account, unix_now()))
        .await
        .map_err(|e| internal("compose stash: task", e))?;
    match checked {
        Ok(stash::Check::Restorable) => Ok(true),
        Ok(_) => {
            expire_stash_cookie(state, parts)?;
            Ok(false)
        }
        Err(e) => {
            tracing::error!(error = %e, "checking the compose stash");
            Ok(false)
        }
    }
}

/// Ends the current session (if any) and clears the cookie.
pub async fn sign_out() -> Result<(), AppError> {
    let state = app_state()?;
    let parts = request_parts()?;
    let interface = signed_in().map(|s| s.interface).unwrap_or_default();
    if let Some(token) = cookie(&parts.headers, SESSION_COOKIE) {
        let dir = state.directory.clone();
        blocking("end session", move || dir.end_session(&token)).await?;
    }
    add_cookie(&set_cookie(&state, &parts, SESSION_COOKIE, "", 0, true))?;
    leptos_axum::redirect(&format!("{}?signed_out=1", interface.href("/login")));
    Ok(())
}

/// The sign-in screen's defaults, from this browser's cookie.
pub fn login_defaults() -> Result<crate::api::session::LoginDefaults, AppError> {
    let state = app_state()?;
    let parts = request_parts()?;
    let remembered = cookie(&parts.headers, INTERFACE_COOKIE).and_then(|c| c.parse().ok());
    Ok(crate::api::session::LoginDefaults {
        interface: if state.web.offer_basic {
            remembered.unwrap_or_default()
        } else {
            Interface::Standard
        },
        offer_basic: state.web.offer_basic,
    })
}

/// Moves the user to another interface, for this session and the next sign-in.
pub async fn switch_interface(interface: Interface) -> Result<(), AppError> {
    let state = app_state()?;
    let parts = request_parts()?;
    let user = signed_in()?;
    if interface == Interface::Basic && !state.web.offer_basic {
        let error = AppError::BadRequest {
            message: "The basic interface is not offered here.".to_owned(),
        };
        redirect_with_error(&parts, &user.interface.href("/settings"), &error);
        return Err(error);
    }
    let dir = state.directory.clone();
    let id = user.account_id;
    blocking("switch interface", move || dir.set_interface(id, interface)).await?;
    remember_interface(&state, &parts, interface)?;
    leptos_axum::redirect(&format!("{}?saved=1", interface.href("/settings")));
    Ok(())
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
