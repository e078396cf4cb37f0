//! Request middleware: metrics, security headers, cross-site refusal and the
//! session gate (which keeps a compose form posted after its session ended:
//! see `stash`). Order (outermost first) is set in `router`.

use crate::body_limit::COMPOSE_PATH;
use crate::metrics::Metrics;
use app::session::{SESSION_COOKIE, SignedIn, cookie};
use app::state::AppState;
use app::{CspNonce, Interface};
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use model::AccountStatus;
use rand::RngCore;
use std::sync::Arc;
use std::time::Instant;

/// Paths anyone may reach without a session.
fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/" | "/login"
            | "/basic/login"
            | "/api/login"
            | "/api/logout"
            | "/api/login_defaults"
            | "/healthz"
            | "/metrics"
            | "/favicon.svg"
    ) || path.starts_with("/pkg/")
}

fn is_static(path: &str) -> bool {
    path.starts_with("/pkg/") || path == "/favicon.svg"
}

/// The paths a request may be labelled with in the metrics: the app's
/// routes and server functions. Anything else is counted as `unmatched`, so
/// no request, signed in or not, can add a series to the registry.
#[derive(Clone, Debug, Default)]
pub struct RouteLabels {
    known: Arc<std::collections::HashSet<String>>,
}

impl RouteLabels {
    /// Labels for exactly these paths.
    pub fn new(paths: impl IntoIterator<Item = String>) -> RouteLabels {
        RouteLabels {
            known: Arc::new(paths.into_iter().collect()),
        }
    }

    /// The route label of `path`.
    pub fn route(&self, path: &str) -> &str {
        if path.starts_with("/pkg/") {
            "/pkg/*"
        } else if let Some(known) = self.known.get(path) {
            known
        } else {
            "unmatched"
        }
    }
}

/// The method label: the usual methods by name, anything else `other`.
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::HEAD => "HEAD",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "other",
    }
}

/// Counts and times every request, labelled by route (or server function),
/// and logs it.
pub async fn record(
    State((metrics, labels)): State<(Arc<Metrics>, RouteLabels)>,
    req: Request,
    next: Next,
) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let res = next.run(req).await;
    let status = res.status().as_u16();
    let elapsed = start.elapsed();
    metrics.record(method_label(&method), labels.route(&path), status, elapsed);
    tracing::info!(%method, %path, status, ms = elapsed.as_secs_f64() * 1000.0, "request");
    res
}

/// CSP with a fresh nonce, nosniff, referrer policy, framing and caching.
/// Basic pages get `script-src 'none'` and have any script stripped.
pub async fn security_headers(mut req: Request, next: Next) -> Response {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let nonce = hex::encode(bytes);
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let path = req.uri().path().to_owned();
    let basic = Interface::of_path(&path) == Interface::Basic;

    let mut res = next.run(req).await;
    if basic && is_html(res.headers()) {
        res = strip_scripts(res).await;
    }
    let script_src = if basic {
        "'none'".to_owned()
    } else {
        format!("'self' 'nonce-{nonce}' 'wasm-unsafe-eval'")
    };
    let csp = format!(
        "default-src 'self'; script-src {script_src}; style-src 'self' 'unsafe-inline'; img-src 'self' data: https: http:; \
         font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    );
    if !is_static(&path) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// The largest page the basic interface will buffer to clean.
const MAX_BASIC_PAGE: usize = 16 * 1024 * 1024;

async fn strip_scripts(res: Response) -> Response {
    let (mut parts, body) = res.into_parts();
    match to_bytes(body, MAX_BASIC_PAGE).await {
        Ok(bytes) => {
            let html = String::from_utf8_lossy(&bytes);
            let cleaned = remove_script_elements(&html);
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(cleaned))
        }
        Err(e) => {
            tracing::error!(error = %e, "basic page could not be buffered");
            (StatusCode::INTERNAL_SERVER_ERROR, "page too large").into_response()
        }
    }
}

/// Removes every `<script …>…</script>` element and module preload hint.
/// The basic interface promises pages with no script at all.
pub fn remove_script_elements(html: &str) -> String {
    const SCRIPT: &str = "<script";
    const PRELOAD: &str = "<link rel=\"modulepreload\"";
    // Lower-casing keeps every byte offset: one copy to search, in one pass.
    let lower = html.to_ascii_lowercase();
    let find = |from: usize, pattern: &str| lower[from..].find(pattern).map(|i| from + i);
    let mut out = String::with_capacity(html.len());
    let mut at = 0;
    let mut script = find(0, SCRIPT);
    let mut preload = find(0, PRELOAD);
    loop {
        let (start, is_script) = match (script, preload) {
            (Some(a), Some(b)) => (a.min(b), a <= b),
            (Some(a), None) => (a, true),
            (None, Some(b)) => (b, false),
            (None, None) => {
                out.push_str(&html[at..]);
                return out;
            }
        };
        out.push_str(&html[at..start]);
        let end = if is_script {
            find(start, "</script>").map(|e| e + "</script>".len())
        } else {
            find(start, ">").map(|e| e + 1)
        };
        let Some(end) = end else {
            return out;
        };
        at = end;
        // Found once each, and again only once passed.
        if script.is_some_and(|s| s < at) {
            script = find(at, SCRIPT);
        }
        if preload.is_some_and(|p| p < at) {
            preload = find(at, PRELOAD);
        }
    }
}

/// Refuses state-changing requests that a browser says came from another
/// site: server functions accept plain form posts, so this is the CSRF guard.
pub async fn refuse_cross_site(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    if is_cross_site(req.headers(), state.web.trust_proxy) {
        tracing::warn!(path = %req.uri().path(), "cross-site request refused");
        return (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "This request was refused because it came from another site. Go back, reload the page and try again.\n",
        )
            .into_response();
    }
    next.run(req).await
}

/// `Sec-Fetch-Site` when the browser sends it, else `Origin` against `Host`.
pub fn is_cross_site(headers: &HeaderMap, trust_proxy: bool) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        // Neither header: not a browser-made cross-site request.
        return false;
    };
    let host_header = if trust_proxy {
        headers
            .get("x-forwarded-host")
            .or_else(|| headers.get(header::HOST))
    } else {
        headers.get(header::HOST)
    };
    let Some(host) = host_header.and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest.trim_end_matches('/'))
        .unwrap_or("");
    !origin_host.eq_ignore_ascii_case(host)
}

/// Resolves the session cookie into a [`SignedIn`] and keeps everyone else
/// out of everything but the public paths.
pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if is_static(&path) {
        return next.run(req).await;
    }
    let mut signed_in = false;
    // A compose post may come after its session ended: it is kept (see
    // `stash`) with the account the cookie still names, if any.
    let compose_post = req.method() == Method::POST && path == COMPOSE_PATH;
    let mut owner = None;
    if let Some(token) = cookie(req.headers(), SESSION_COOKIE) {
        let dir = state.directory.clone();
        let lookup = move || {
            let owner = if compose_post {
                dir.session_owner(&token)?
            } else {
                None
            };
            Ok::<_, accounts::Error>((dir.session(&token)?, owner))
        };
        match tokio::task::spawn_blocking(lookup).await {
            Ok(Ok((Some(session), _))) if session.account.status != AccountStatus::Locked => {
                req.extensions_mut().insert(SignedIn {
                    account_id: session.account.id,
                    address: session.account.address.clone(),
                    status: session.account.status,
                    interface: session.account.interface,
                    user_dir: session.account.user_dir(&state.data_dir),
                    time_zone: session.time_zone,
                });
                signed_in = true;
            }
            Ok(Ok((_, found))) => owner = found,
            Ok(Err(e)) => tracing::error!(error = %e, "session lookup"),
            Err(e) => tracing::error!(error = %e, "session lookup panicked"),
        }
    }
    if signed_in || is_public(&path) {
        return next.run(req).await;
    }
    if compose_post {
        return crate::stash::keep_and_answer(&state, req, owner).await;
    }
    if path.starts_with("/api/") {
        let body = serde_json::json!({ "code": "not_signed_in" }).to_string();
        return (
            StatusCode::UNAUTHORIZED,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response();
    }
    Redirect::to(&Interface::of_path(&path).href("/login")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_are_removed() {
        let cases = [
            ("<p>a</p>", "<p>a</p>"),
            ("<p>a</p><script>x()</script><p>b</p>", "<p>a</p><p>b</p>"),
            ("<SCRIPT type=\"module\" nonce=\"n\">x</SCRIPT>z", "z"),
            ("a<script>1</script>b<script>2</script>c", "abc"),
            (
                "<link rel=\"modulepreload\" href=\"/x.js\"><p>k</p>",
                "<p>k</p>",
            ),
            ("a<script>never closed", "a"),
            (
                "<link rel=\"modulepreload\" href=\"/a.js\"><script>s</script>\
                 <link rel=\"modulepreload\" href=\"/b.js\">x<script>t</script>",
                "x",
            ),
            ("é<script>1</script>ü<ScRiPt>2</sCrIpT>ß", "éüß"),
            (
                "<p>x</p><link rel=\"modulepreload\" never closed",
                "<p>x</p>",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(remove_script_elements(input), expected, "{input}");
        }
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    #[test]
    fn cross_site_detection() {
        let cases: &[(&[(&str, &str)], bool)] = &[
            (&[("sec-fetch-site", "same-origin")], false),
            (&[("sec-fetch-site", "none")], false),
            (&[("sec-fetch-site", "cross-site")], true),
            (&[("sec-fetch-site", "same-site")], true),
            (
                &[
                    ("origin", "http://mail.example:3000"),
                    ("host", "mail.example:3000"),
                ],
                false,
            ),
            (
                &[
                    ("origin", "http://evil.example"),
                    ("host", "mail.example:3000"),
                ],
                true,
            ),
            (&[("origin", "null"), ("host", "mail.example")], true),
            (&[("host", "mail.example")], false),
        ];
        for (h, expected) in cases {
            assert_eq!(is_cross_site(&headers(h), false), *expected, "{h:?}");
        }
    }

    #[test]
    fn public_paths() {
        for p in [
            "/login",
            "/basic/login",
            "/api/login",
            "/pkg/abc/webmail.js",
            "/healthz",
        ] {
            assert!(is_public(p), "{p}");
        }
        for p in [
            "/mail",
            "/basic/mail",
            "/api/current_user",
            "/settings",
            "/loginx",
            "/api/set_interface",
        ] {
            assert!(!is_public(p), "{p}");
        }
    }
}
