//! A compose form posted after its session ended is kept, not lost: the
//! session gate streams its body into the stash (the `stash` crate), names
//! it in a cookie, and sends the browser to sign in again. After the sign-in
//! the compose page asks for it back (`app::session::take_compose_stash`).
//!
//! Only a post whose session cookie still names an account (an expired or
//! ended session, see `Directory::session_owner`) is kept, for that account
//! alone: a post naming no one is read, discarded and answered with
//! `not_kept`, so strangers cannot fill the disk and no one can hand their
//! text to the next person who signs in on a shared computer. Each account
//! has at most `stash::MAX_PER_ACCOUNT` stashes (the oldest goes
//! first). The body is bounded by the compose route's own limit, and all
//! stashes together by [`budget`]. A body over either is read and
//! discarded, and nothing is kept.

use crate::body_limit::{COMPOSE_PATH, DRAIN_MAX, Limits};
use ::stash::StashMeta;
use ::stash::Stashes;
use accounts::AccountId;
use app::Interface;
use app::session::{
    INTERFACE_COOKIE, STASH_COOKIE, STASH_COOKIE_SECS, accepts_html, cookie, set_cookie, unix_now,
};
use app::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use futures_util::StreamExt;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long receiving a body to stash may take.
const RECEIVE_TIME: Duration = Duration::from_secs(10 * 60);

/// The query flag on the sign-in page: the form was kept.
pub const KEPT_FLAG: &str = "kept=1";

/// The most all stashes together may hold: a few full-size compose forms.
fn budget(limit: u64) -> u64 {
    limit.saturating_mul(4)
}

/// Stashes being received in this process for one data directory: at most
/// one per account at a time, and the bytes each may still write, so that
/// the budget and the per-account count hold however many posts arrive at
/// once (each checked the disk before any had written).
#[derive(Default)]
struct InFlight {
    accounts: std::collections::HashSet<AccountId>,
    bytes: u64,
}

/// In-flight stashes by data directory: account ids and budgets belong to
/// one directory (two servers in one process, as in the tests, each have
/// an account 1).
static IN_FLIGHT: std::sync::Mutex<Option<HashMap<PathBuf, InFlight>>> =
    std::sync::Mutex::new(None);

/// A stash being received; dropping it gives its room back.
struct Reservation {
    data_dir: PathBuf,
    owner: AccountId,
    bytes: u64,
}

impl Reservation {
    /// Room for `bytes` more of `owner`'s in `data_dir`, with `used` on
    /// disk, within `budget`; `None` when the account is already sending
    /// one or there is no room.
    fn take(
        data_dir: &Path,
        owner: AccountId,
        bytes: u64,
        used: u64,
        budget: u64,
    ) -> Option<Reservation> {
        let mut guard = IN_FLIGHT.lock().unwrap_or_else(|p| p.into_inner());
        let in_flight = guard
            .get_or_insert_with(HashMap::new)
            .entry(data_dir.to_path_buf())
            .or_default();
        if in_flight.accounts.contains(&owner)
            || used.saturating_add(in_flight.bytes).saturating_add(bytes) > budget
        {
            return None;
        }
        in_flight.accounts.insert(owner);
        in_flight.bytes += bytes;
        Some(Reservation {
            data_dir: data_dir.to_path_buf(),
            owner,
            bytes,
        })
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        let mut guard = IN_FLIGHT.lock().unwrap_or_else(|p| p.into_inner());
        let Some(all) = guard.as_mut() else { return };
        if let Some(in_flight) = all.get_mut(&self.data_dir) {
            in_flight.accounts.remove(&self.owner);
            in_flight.bytes = in_flight.bytes.saturating_sub(self.bytes);
            if in_flight.accounts.is_empty() {
                all.remove(&self.data_dir);
            }
        }
    }
}

/// The answer to a compose post without a valid session: the body kept
/// when it fits, then a 303 to the sign-in page for a plain form, or the
/// usual 401 for the hydrated app (which reloads into the sign-in page).
/// `owner` is the account the session cookie still names, if any.
pub async fn keep_and_answer(state: &AppState, req: Request, owner: Option<AccountId>) -> Response {
    let (parts, body) = req.into_parts();
    let interface = interface_of(&parts.headers);
    let kept = match owner {
        Some(owner) => keep(state, &parts, body, owner).await,
        None => {
            tracing::info!("compose post naming no account: not kept");
            let limit = Limits {
                max_message_bytes: state.web.max_message_bytes,
            }
            .for_path(COMPOSE_PATH);
            crate::body_limit::drain(body, limit.saturating_add(DRAIN_MAX)).await;
            None
        }
    };
    // Kept: "sign in again and it reopens". Not kept: the text is only in
    // the browser, and the answer says so.
    let code = if kept.is_some() {
        "not_signed_in"
    } else {
        "not_kept"
    };
    let mut res = if accepts_html(&parts.headers) {
        let query = if kept.is_some() {
            KEPT_FLAG.to_owned()
        } else {
            format!("error={code}")
        };
        Redirect::to(&format!("{}?{query}", interface.href("/login"))).into_response()
    } else {
        let body = serde_json::json!({ "code": code }).to_string();
        (
            StatusCode::UNAUTHORIZED,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response()
    };
    if let Some(id) = kept {
        let value = set_cookie(state, &parts, STASH_COOKIE, &id, STASH_COOKIE_SECS, true);
        if let Ok(value) = HeaderValue::from_str(&value) {
            res.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    res
}

/// The interface the form came from: the Referer's path, else the one this
/// browser chose last.
fn interface_of(headers: &HeaderMap) -> Interface {
    let referer = headers.get(header::REFERER).and_then(|v| v.to_str().ok());
    if let Some(referer) = referer {
        let path = match referer.split_once("://") {
            Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
            None => referer,
        };
        return Interface::of_path(path);
    }
    cookie(headers, INTERFACE_COOKIE)
        .and_then(|c| c.parse().ok())
        .unwrap_or_default()
}

/// Streams the body into a new stash; its id, or `None` when nothing was
/// kept (too large, over budget, no content type, or a storage failure).
async fn keep(state: &AppState, parts: &Parts, body: Body, owner: AccountId) -> Option<String> {
    let limit = Limits {
        max_message_bytes: state.web.max_message_bytes,
    }
    .for_path(COMPOSE_PATH);
    let discard_max = limit.saturating_add(DRAIN_MAX);
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 1024)
        .map(str::to_owned);
    let Some(content_type) = content_type else {
        crate::body_limit::drain(body, discard_max).await;
        return None;
    };
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit) {
        tracing::info!(
            limit,
            "compose post without a session is over the limit: not kept"
        );
        crate::body_limit::drain(body, discard_max).await;
        return None;
    }

    let stashes = Stashes::new(&state.data_dir);
    let data_dir = state.data_dir.clone();
    let previous = cookie(&parts.headers, STASH_COOKIE);
    let opened = {
        let stashes = stashes.clone();
        tokio::task::spawn_blocking(move || {
            if let Some(previous) = previous {
                // The browser keeps one stash: the newer replaces it.
                stashes.remove(&previous)?;
            }
            stashes.remove_expired(unix_now())?;
            // Reserved before anything is written: a body without a length
            // may be as large as the limit.
            let used = stashes.total_bytes();
            let Some(reservation) = Reservation::take(
                &data_dir,
                owner,
                declared.unwrap_or(limit),
                used,
                budget(limit),
            ) else {
                return Ok(None);
            };
            stashes.make_room_for(owner)?;
            stashes.begin().map(|w| Some((w, reservation)))
        })
        .await
    };
    let (mut writer, _reservation) = match opened {
        Ok(Ok(Some(w))) => w,
        Ok(Ok(None)) => {
            tracing::warn!(
                "the compose stash is full, or this account is already sending one: not kept"
            );
            crate::body_limit::drain(body, discard_max).await;
            return None;
        }
        Ok(Err(e)) => {
            tracing::error!(error = %e, "opening a compose stash");
            crate::body_limit::drain(body, discard_max).await;
            return None;
        }
        Err(e) => {
            tracing::error!(error = %e, "opening a compose stash: task");
            return None;
        }
    };

    // One blocking task writes what the request's stream delivers.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Bytes>(8);
    let writing = tokio::task::spawn_blocking(move || {
        while let Some(chunk) = rx.blocking_recv() {
            writer.write(&chunk)?;
        }
        Ok::<_, ::stash::Error>(writer)
    });
    let mut stream = body.into_data_stream();
    let mut read = 0u64;
    let receiving = async {
        let mut sending = true;
        while let Some(chunk) = stream.next().await {
            let Ok(chunk) = chunk else { return false };
            read += chunk.len() as u64;
            if read > discard_max {
                return false;
            }
            if read > limit {
                // Over: keep reading (so the browser sees the answer) but
                // stop writing.
                sending = false;
            }
            if sending && tx.send(chunk).await.is_err() {
                // The writer failed; its error is reported below.
                sending = false;
            }
        }
        read <= limit
    };
    let complete = tokio::time::timeout(RECEIVE_TIME, receiving)
        .await
        .unwrap_or(false);
    drop(tx);
    let writer = match writing.await {
        Ok(Ok(w)) => w,
        Ok(Err(e)) => {
            tracing::error!(error = %e, "writing a compose stash");
            return None;
        }
        Err(e) => {
            tracing::error!(error = %e, "writing a compose stash: task");
            return None;
        }
    };
    if !complete {
        tracing::info!(
            limit,
            read,
            "compose post without a session over the limit or cut off: not kept"
        );
        // Dropping the writer deletes what it wrote.
        let _ = tokio::task::spawn_blocking(move || drop(writer)).await;
        return None;
    }
    let meta = StashMeta {
        created_at: unix_now(),
        account: Some(owner),
        content_type,
    };
    match tokio::task::spawn_blocking(move || writer.commit(&meta)).await {
        Ok(Ok(id)) => {
            tracing::info!(
                bytes = read,
                owner = owner.0,
                "compose post without a session kept"
            );
            Some(id)
        }
        Ok(Err(e)) => {
            tracing::error!(error = %e, "committing a compose stash");
            None
        }
        Err(e) => {
            tracing::error!(error = %e, "committing a compose stash: task");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interface_from_referer_or_cookie() {
        let cases: &[(&[(&str, &str)], Interface)] = &[
            (&[], Interface::Standard),
            (
                &[("referer", "http://mail.example/basic/mail/compose")],
                Interface::Basic,
            ),
            (
                &[("referer", "https://mail.example/mail/compose?x=1")],
                Interface::Standard,
            ),
            (&[("referer", "http://mail.example")], Interface::Standard),
            (&[("referer", "/basic/mail")], Interface::Basic),
            (&[("cookie", "webmail_ui=basic")], Interface::Basic),
            (
                &[
                    ("cookie", "webmail_ui=basic"),
                    ("referer", "http://h/mail/compose"),
                ],
                Interface::Standard,
            ),
            (&[("cookie", "webmail_ui=nonsense")], Interface::Standard),
        ];
        for (pairs, expected) in cases {
            let mut h = HeaderMap::new();
            for (k, v) in *pairs {
                h.insert(
                    axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                    v.parse().unwrap(),
                );
            }
            assert_eq!(interface_of(&h), *expected, "{pairs:?}");
        }
    }
}
