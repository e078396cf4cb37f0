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
/// Name of the cookie that names this browser's stashed compose form: one
/// posted after the session ended (see [`stash`]).
pub const STASH_COOKIE: &str = "webmail_stash";
/// How long the stash cookie lives: as long as the stash itself.
pub const STASH_COOKIE_SECS: i64 = stash::MAX_AGE_SECS;

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
    /// The time zone preference as read with the session, if set.
    pub time_zone: Option<String>,
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

/// Whether the browser says this request came from one of our own pages:
/// `Sec-Fetch-Site: same-origin`, or, from browsers that do not send it, a
/// `Referer` on this host. A link followed from another site, a typed
/// address or a bookmark is not. Effects that a link must not be able to
/// trigger (loading a sender's remote images) wait for such a request.
pub fn from_our_page(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return site == "same-origin";
    }
    referer_is_ours(headers) == Some(true)
}

/// Whether the browser says this request came from another site (a link
/// from a message elsewhere, a page of another site): `Sec-Fetch-Site`
/// `cross-site` or `same-site`, or a `Referer` of another host. A typed
/// address or a bookmark is not cross-site.
pub fn from_another_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "cross-site" | "same-site");
    }
    referer_is_ours(headers) == Some(false)
}

/// `Some(true)` when the `Referer` names this request's host, `Some(false)`
/// when it names another, `None` without one.
fn referer_is_ours(headers: &HeaderMap) -> Option<bool> {
    let referer = headers.get(http::header::REFERER)?.to_str().ok()?;
    let host = headers
        .get(http::header::HOST)
        .and_then(|v| v.to_str().ok());
    let referer_host = referer
        .split_once("://")
        .map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or(""));
    Some(matches!((referer_host, host), (Some(r), Some(h)) if r.eq_ignore_ascii_case(h)))
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
pub fn client_ip(parts: &Parts, trust_proxy: bool, proxy_hops: u32) -> IpAddr {
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    if !trust_proxy {
        return peer;
    }
    let hops: Vec<&str> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    forwarded_client(&hops, proxy_hops).unwrap_or(peer)
}

/// The client address in an `X-Forwarded-For` list behind `proxy_hops`
/// trusted proxies: each proxy appends the address it saw, so the client is
/// the entry `proxy_hops` from the right. Entries to its left were written
/// by the client itself and prove nothing. `None` when the list is shorter
/// or that entry is not an address.
pub fn forwarded_client(hops: &[&str], proxy_hops: u32) -> Option<IpAddr> {
    let from_right = usize::try_from(proxy_hops).ok()?.max(1);
    let i = hops.len().checked_sub(from_right)?;
    let hop = hops[i].trim();
    // Some proxies write the port too: `192.0.2.1:4711`, `[2001:db8::1]:4711`.
    hop.parse()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|a| a.ip()))
        .or_else(|| hop.strip_prefix('[')?.strip_suffix(']')?.parse().ok())
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
    accepts_html(&parts.headers)
}

/// [`is_plain_form`] on bare headers: the request accepts `text/html`.
pub fn accepts_html(headers: &HeaderMap) -> bool {
    headers
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

/// The compose form this browser posted after its session ended, for the
/// signed-in user: its `Content-Type` (with the multipart boundary) and its
/// body exactly as posted. Handed back once: the stash is deleted and its
/// cookie expired. `None` when the browser has no stash, or it expired, is
/// unreadable or belongs to another account (then it is deleted too).
pub async fn take_compose_stash() -> Result<Option<(String, Vec<u8>)>, AppError> {
    let user = signed_in()?;
    let parts = request_parts()?;
    let Some(id) = cookie(&parts.headers, STASH_COOKIE) else {
        return Ok(None);
    };
    let state = crate::state::app_state()?;
    let stashes = stash::Stashes::new(&state.data_dir);
    let account = user.account_id;
    let taken = tokio::task::spawn_blocking(move || stashes.take(&id, account, unix_now()))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "taking the compose stash: task");
            AppError::Internal
        })?;
    expire_stash_cookie(&state, &parts)?;
    match taken {
        Ok(Some(stashed)) => {
            tracing::info!(account = %account, bytes = stashed.body.len(), "compose stash restored");
            Ok(Some((stashed.meta.content_type, stashed.body)))
        }
        Ok(None) => Ok(None),
        Err(e) => {
            // Nothing the user can do about it: compose opens empty.
            tracing::error!(error = %e, "taking the compose stash");
            Ok(None)
        }
    }
}

/// Adds a `Set-Cookie` that deletes the stash cookie to the response.
pub fn expire_stash_cookie(state: &AppState, parts: &Parts) -> Result<(), AppError> {
    let res = use_context::<leptos_axum::ResponseOptions>().ok_or_else(|| {
        tracing::error!("response options missing from context");
        AppError::Internal
    })?;
    let value = set_cookie(state, parts, STASH_COOKIE, "", 0, true);
    let value = http::HeaderValue::from_str(&value).map_err(|e| {
        tracing::error!(error = %e, "stash cookie");
        AppError::Internal
    })?;
    res.append_header(http::header::SET_COOKIE, value);
    Ok(())
}

/// The current time in Unix seconds.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
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

    #[test]
    fn the_client_is_what_the_trusted_proxy_saw() {
        // (X-Forwarded-For entries, trusted hops, client)
        let cases: &[(&[&str], u32, Option<&str>)] = &[
            (&["198.51.100.7"], 1, Some("198.51.100.7")),
            // The client wrote the first entries itself: one proxy means
            // the last entry, whatever came before.
            (&["6.6.6.6", "198.51.100.7"], 1, Some("198.51.100.7")),
            (
                &["1.1.1.1", "2.2.2.2", "198.51.100.7"],
                1,
                Some("198.51.100.7"),
            ),
            // Two proxies: the second from the right.
            (
                &["6.6.6.6", "198.51.100.7", "10.0.0.2"],
                2,
                Some("198.51.100.7"),
            ),
            (&["198.51.100.7"], 2, None),
            (&[], 1, None),
            (&["not an address"], 1, None),
            (&["2001:db8::1"], 1, Some("2001:db8::1")),
            (&["6.6.6.6", "198.51.100.7:4711"], 1, Some("198.51.100.7")),
            (&["[2001:db8::1]:4711"], 1, Some("2001:db8::1")),
            (&["[2001:db8::1]"], 1, Some("2001:db8::1")),
        ];
        for (hops, n, expected) in cases {
            assert_eq!(
                forwarded_client(hops, *n),
                expected.map(|e| e.parse().unwrap()),
                "{hops:?} {n}"
            );
        }
    }

    #[test]
    fn where_a_request_came_from() {
        // (headers, from our page, from another site)
        type Case<'a> = (&'a [(&'a str, &'a str)], bool, bool);
        let cases: &[Case<'_>] = &[
            (&[("sec-fetch-site", "same-origin")], true, false),
            (&[("sec-fetch-site", "none")], false, false),
            (&[("sec-fetch-site", "cross-site")], false, true),
            (&[("sec-fetch-site", "same-site")], false, true),
            // Old browsers: the Referer decides.
            (
                &[
                    ("host", "mail.example"),
                    ("referer", "https://mail.example/mail"),
                ],
                true,
                false,
            ),
            (
                &[
                    ("host", "mail.example"),
                    ("referer", "https://evil.example/mail.example"),
                ],
                false,
                true,
            ),
            (
                &[
                    ("host", "mail.example"),
                    ("referer", "https://mail.example.evil.test/"),
                ],
                false,
                true,
            ),
            (&[("host", "mail.example")], false, false),
            // Sec-Fetch-Site wins over a Referer.
            (
                &[
                    ("sec-fetch-site", "cross-site"),
                    ("host", "h"),
                    ("referer", "http://h/"),
                ],
                false,
                true,
            ),
        ];
        for (pairs, ours, other) in cases {
            let mut h = HeaderMap::new();
            for (k, v) in *pairs {
                h.insert(
                    http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                    v.parse().unwrap(),
                );
            }
            assert_eq!(from_our_page(&h), *ours, "{pairs:?}");
            assert_eq!(from_another_site(&h), *other, "{pairs:?}");
        }
    }
}
