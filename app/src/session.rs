//! Who is asking: the session cookie, the signed-in account and the client
//! address (ssr only).
//!
//! The server's middleware resolves the cookie once per request and puts a
//! [`SignedIn`] into the request's extensions; server functions read it from
//! there through [`signed_in`].

use crate::error::AppError;
use crate::state::{AppState, SecureCookies};
use http::HeaderMap;
use http::request::Parts;
use leptos::prelude::use_context;
use model::{AccountStatus, CurrentUser, Interface};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "webmail_session";
/// Name of the cookie that remembers the last chosen interface on this browser.
pub const INTERFACE_COOKIE: &str = "webmail_ui";

/// The account behind the request, put into the request's extensions by the
/// server's authentication middleware.
#[derive(Clone, Debug)]
pub struct SignedIn {
    /// Account id in the directory.
    pub account_id: accounts::AccountId,
    /// `local@domain`.
    pub address: String,
    /// Account status.
    pub status: AccountStatus,
    /// The interface chosen for this session.
    pub interface: Interface,
    /// The account's own directory (`users/<domain>/<local>/`).
    pub user_dir: std::path::PathBuf,
}

impl SignedIn {
    /// The wire view of this account.
    pub fn current_user(&self) -> CurrentUser {
        CurrentUser {
            address: self.address.clone(),
            interface: self.interface,
            status: self.status,
        }
    }
}

/// The request parts of the current server function or page.
pub fn request_parts() -> Result<Parts, AppError> {
    use_context::<Parts>().ok_or_else(|| {
        tracing::error!("request parts missing from context");
        AppError::Internal
    })
}

/// The signed-in account, or `NotSignedIn`.
pub fn signed_in() -> Result<SignedIn, AppError> {
    request_parts()?
        .extensions
        .get::<SignedIn>()
        .cloned()
        .ok_or(AppError::NotSignedIn)
}

/// The value of cookie `name` in these headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"').to_owned())
}

/// The client's address: the socket peer, or the first `X-Forwarded-For`
/// hop when the proxy is trusted.
pub fn client_ip(parts: &Parts, trust_proxy: bool) -> IpAddr {
    if trust_proxy {
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok());
        if let Some(ip) = forwarded {
            return ip;
        }
    }
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// Whether the request reached us over TLS.
pub fn is_tls(parts: &Parts, trust_proxy: bool) -> bool {
    parts.uri.scheme_str() == Some("https")
        || (trust_proxy
            && parts
                .headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.eq_ignore_ascii_case("https")))
}

/// A `Set-Cookie` value. `max_age` of zero deletes the cookie.
pub fn set_cookie(
    state: &AppState,
    parts: &Parts,
    name: &str,
    value: &str,
    max_age_secs: i64,
    http_only: bool,
) -> String {
    let secure = match state.web.secure_cookies {
        SecureCookies::Always => true,
        SecureCookies::Never => false,
        SecureCookies::Auto => is_tls(parts, state.web.trust_proxy),
    };
    let mut c = format!("{name}={value}; Path=/; Max-Age={max_age_secs}; SameSite=Lax");
    if http_only {
        c.push_str("; HttpOnly");
    }
    if secure {
        c.push_str("; Secure");
    }
    c
}

/// True when the request is a plain HTML form post (JavaScript off, or the
/// basic interface) rather than a call from the hydrated app.
pub fn is_plain_form(parts: &Parts) -> bool {
    parts
        .headers
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// For a plain form post that failed: send the browser back to `page` with
/// the error in the query, so the page can say what went wrong. The hydrated
/// app receives the error as the server function's result instead.
pub fn redirect_with_error(parts: &Parts, page: &str, error: &AppError) {
    if is_plain_form(parts) {
        let sep = if page.contains('?') { '&' } else { '?' };
        leptos_axum::redirect(&format!("{page}{sep}{}", error.to_query()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(cookie_header: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(http::header::COOKIE, cookie_header.parse().unwrap());
        h
    }

    #[test]
    fn cookie_lookup() {
        let cases = [
            ("webmail_session=abc", Some("abc")),
            ("a=1; webmail_session=abc; b=2", Some("abc")),
            ("a=1;webmail_session=\"q\"", Some("q")),
            ("webmail_session_x=abc", None),
            ("", None),
            ("garbage", None),
        ];
        for (header, expected) in cases {
            assert_eq!(
                cookie(&headers(header), SESSION_COOKIE).as_deref(),
                expected,
                "{header}"
            );
        }
    }
}
