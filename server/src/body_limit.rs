//! Request body limits: small everywhere, the message size (plus form
//! overhead) on the compose endpoint, and a plain 413 when a body is over.
//!
//! Axum's own limit (`DefaultBodyLimit`) is not enough: server functions
//! read URL-encoded bodies through it, but multipart bodies as an
//! unlimited stream, and an overrun surfaces as a deserialisation error
//! rather than a 413. So every body is checked here: by `Content-Length`
//! before the handler runs, and by counting for bodies without one.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The compose server function: its multipart body carries the message
/// and its attachments.
pub const COMPOSE_PATH: &str = "/api/mail/compose";

/// The limit of every other request body.
pub const SMALL_LIMIT: u64 = 1024 * 1024;

/// Room for the compose form's other fields and the multipart framing.
pub const FORM_OVERHEAD: u64 = 16 * 1024 * 1024;

/// A refused body up to this much longer than the limit is read and
/// discarded before answering, so that the browser, still sending, sees
/// the 413 rather than a reset connection. Anything longer is cut off.
pub(crate) const DRAIN_MAX: u64 = 64 * 1024 * 1024;

/// How long draining a refused body may take.
const DRAIN_TIME: Duration = Duration::from_secs(30);

/// The limits, from the configuration.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The largest message a user may send, bytes.
    pub max_message_bytes: u64,
}

impl Limits {
    /// The limit for a request to `path`.
    ///
    /// The compose form may carry up to twice the message size: a file over
    /// the message limit is then still read (and discarded) by the form,
    /// which saves everything else as a draft and says what was refused.
    /// Only beyond that is the request cut off with a plain 413.
    pub fn for_path(&self, path: &str) -> u64 {
        if path == COMPOSE_PATH {
            self.compose()
        } else {
            SMALL_LIMIT
        }
    }

    fn compose(&self) -> u64 {
        self.max_message_bytes * 2 + FORM_OVERHEAD
    }

    /// The largest limit of any route (for axum's own `DefaultBodyLimit`).
    pub fn largest(&self) -> u64 {
        self.compose()
    }

    fn refusal(&self, path: &str, drained: bool) -> Response {
        let text = if path == COMPOSE_PATH {
            format!(
                "The message is too large to send: the limit is {}, attachments included. \
                 Remove some attachments, or send them in separate messages, and try again.\n",
                megabytes(self.max_message_bytes)
            )
        } else {
            format!(
                "The request is too large: the limit is {}.\n",
                megabytes(SMALL_LIMIT)
            )
        };
        let mut res = (
            StatusCode::PAYLOAD_TOO_LARGE,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            text,
        )
            .into_response();
        if !drained {
            res.headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        res
    }
}

fn megabytes(bytes: u64) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if mb.fract() == 0.0 {
        format!("{mb:.0} MB")
    } else {
        format!("{mb:.1} MB")
    }
}

fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

/// Reads and discards up to `max` bytes of `body`; `true` when it ended.
pub(crate) async fn drain(body: Body, max: u64) -> bool {
    let mut stream = body.into_data_stream();
    let mut read = 0u64;
    let reading = async {
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(bytes) => {
                    read += bytes.len() as u64;
                    if read > max {
                        return false;
                    }
                }
                Err(_) => return false,
            }
        }
        true
    };
    tokio::time::timeout(DRAIN_TIME, reading)
        .await
        .unwrap_or(false)
}

/// Refuses bodies over the path's limit with a plain 413.
pub async fn limit_body(State(limits): State<Limits>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    // The compose form is multipart; anything else would not even reach the
    // form's reader (whose decoder expects a boundary), so say so here.
    if path == COMPOSE_PATH
        && req.method() == axum::http::Method::POST
        && !req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| {
                ct.to_ascii_lowercase().starts_with("multipart/form-data")
                    && ct.contains("boundary=")
            })
    {
        return (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"))],
            "The compose form must be sent as multipart/form-data. Reload the page and try again.\n",
        )
            .into_response();
    }
    let limit = limits.for_path(&path);
    if let Some(len) = content_length(req.headers()) {
        if len > limit {
            tracing::warn!(%path, len, limit, "request body too large, refused");
            let drained = len - limit <= DRAIN_MAX && drain(req.into_body(), len).await;
            return limits.refusal(&path, drained);
        }
        // Hyper stops a body at its Content-Length: nothing more to check.
        return next.run(req).await;
    }
    // No length given (chunked): count as it is read, and turn whatever
    // the handler made of the cut-off body into the same 413.
    let over = Arc::new(AtomicBool::new(false));
    let flag = over.clone();
    let (parts, body) = req.into_parts();
    let mut seen = 0u64;
    let counted = body.into_data_stream().map(move |chunk| {
        let bytes = chunk?;
        seen += bytes.len() as u64;
        if seen > limit {
            flag.store(true, Ordering::Relaxed);
            return Err(axum::Error::new("request body over its limit"));
        }
        Ok(bytes)
    });
    let res = next
        .run(Request::from_parts(parts, Body::from_stream(counted)))
        .await;
    if over.load(Ordering::Relaxed) {
        tracing::warn!(%path, limit, "request body too large, refused");
        return limits.refusal(&path, false);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_by_path() {
        let limits = Limits {
            max_message_bytes: 25 * 1024 * 1024,
        };
        let cases: &[(&str, u64)] = &[
            ("/api/mail/compose", 66 * 1024 * 1024),
            ("/api/login", SMALL_LIMIT),
            ("/api/mail/compose/x", SMALL_LIMIT),
            ("/mail", SMALL_LIMIT),
        ];
        for &(path, limit) in cases {
            assert_eq!(limits.for_path(path), limit, "{path}");
        }
        assert_eq!(megabytes(25 * 1024 * 1024), "25 MB");
        assert_eq!(megabytes(1536 * 1024), "1.5 MB");
    }
}
