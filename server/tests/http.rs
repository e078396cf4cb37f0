//! The router end to end, without a socket: sign-in, the session gate,
//! cross-site refusal, rate limits, security headers and the basic rendering.

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use server::{Config, Metrics};
use std::sync::Arc;
use tower::ServiceExt;

struct Env {
    _dir: tempfile::TempDir,
    app: axum::Router,
}

fn env_with(edit: impl FnOnce(&mut Config)) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config {
        data_dir: dir.path().join("data"),
        site_root: Some(dir.path().join("site")),
        ..Config::default()
    };
    edit(&mut config);
    let directory = server::open_directory(&config).unwrap();
    directory.add_domain("example.com").unwrap();
    directory
        .add_user("alice@example.com", "alice-password")
        .unwrap();
    directory
        .add_user("bob@example.com", "bob-password")
        .unwrap();
    let state = server::app_state(&config, directory).unwrap();
    Env {
        app: server::router(state, Arc::new(Metrics::default())),
        _dir: dir,
    }
}

fn env() -> Env {
    env_with(|_| {})
}

async fn send(
    app: &axum::Router,
    req: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = to_bytes(res.into_body(), 16 << 20).await.unwrap();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

fn login_form(address: &str, password: &str, interface: &str) -> Request<Body> {
    Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html")
        .header("sec-fetch-site", "same-origin")
        .header(header::REFERER, "http://localhost/login")
        .body(Body::from(format!(
            "address={address}&password={password}&interface={interface}"
        )))
        .unwrap()
}

fn session_cookie(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("webmail_session=") && !c.starts_with("webmail_session=;"))
        .map(|c| c.split(';').next().unwrap().to_owned())
}

fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::get(path).header(header::ACCEPT, "text/html");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::empty()).unwrap()
}

#[tokio::test]
async fn sign_in_sets_a_strict_cookie_and_opens_the_mail_page() {
    let env = env();
    let (status, headers, _) = send(
        &env.app,
        login_form("alice%40example.com", "alice-password", "standard"),
    )
    .await;
    assert_eq!(status, StatusCode::FOUND);
    assert_eq!(headers[header::LOCATION], "/mail");
    let raw = headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("webmail_session="))
        .unwrap();
    assert!(raw.contains("HttpOnly"), "{raw}");
    assert!(raw.contains("SameSite=Lax"), "{raw}");
    assert!(
        !raw.contains("Secure"),
        "plain http must not get Secure: {raw}"
    );

    let cookie = session_cookie(&headers).unwrap();
    let (status, headers, body) = send(&env.app, get("/mail", Some(&cookie))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("alice@example.com"));
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("'nonce-"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"));
}

#[tokio::test]
async fn basic_interface_lands_in_basic_and_has_no_script() {
    let env = env();
    let (status, headers, _) = send(
        &env.app,
        login_form("alice%40example.com", "alice-password", "basic"),
    )
    .await;
    assert_eq!(status, StatusCode::FOUND);
    assert_eq!(headers[header::LOCATION], "/basic/mail");
    let cookie = session_cookie(&headers).unwrap();
    for path in ["/basic/mail", "/basic/settings", "/basic/login"] {
        let (status, headers, body) = send(&env.app, get(path, Some(&cookie))).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(!body.to_lowercase().contains("<script"), "{path}: {body}");
        let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("script-src 'none'"), "{path}: {csp}");
    }
}

#[tokio::test]
async fn wrong_and_unknown_give_the_same_answer() {
    let env = env();
    let (_, wrong, _) = send(
        &env.app,
        login_form("alice%40example.com", "nope-nope", "standard"),
    )
    .await;
    let (_, unknown, _) = send(
        &env.app,
        login_form("zed%40example.com", "nope-nope", "standard"),
    )
    .await;
    for h in [&wrong, &unknown] {
        let loc = h[header::LOCATION].to_str().unwrap();
        assert!(loc.starts_with("/login?"), "{loc}");
        assert!(loc.ends_with("error=bad_credentials"), "{loc}");
        assert!(session_cookie(h).is_none());
    }
}

#[tokio::test]
async fn repeated_failures_are_rate_limited_per_account() {
    let env = env();
    for _ in 0..5 {
        let (_, h, _) = send(
            &env.app,
            login_form("bob%40example.com", "wrong-pass", "basic"),
        )
        .await;
        assert!(
            h[header::LOCATION]
                .to_str()
                .unwrap()
                .contains("error=bad_credentials")
        );
    }
    // Even the right password is refused now, and the user is told to wait.
    let (_, h, _) = send(
        &env.app,
        login_form("bob%40example.com", "bob-password", "basic"),
    )
    .await;
    let loc = h[header::LOCATION].to_str().unwrap();
    assert!(loc.starts_with("/basic/login?"), "{loc}");
    assert!(loc.contains("error=rate_limited&minutes="), "{loc}");
    assert!(session_cookie(&h).is_none());
    // Alice is unaffected.
    let (_, h, _) = send(
        &env.app,
        login_form("alice%40example.com", "alice-password", "basic"),
    )
    .await;
    assert!(session_cookie(&h).is_some());
}

#[tokio::test]
async fn nothing_private_without_a_session() {
    let env = env();
    let cases = [
        ("/mail", "/login"),
        ("/settings", "/login"),
        ("/basic/mail", "/basic/login"),
        ("/nowhere", "/login"),
    ];
    for (path, login) in cases {
        let (status, headers, body) = send(&env.app, get(path, None)).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(headers[header::LOCATION], login, "{path}");
        assert!(!body.contains("example.com"));
    }
    let (status, _, _) = send(&env.app, get("/mail", Some("webmail_session=forged"))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let req = Request::post("/api/current_user")
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = send(&env.app, req).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("not_signed_in"));
}

#[tokio::test]
async fn sign_out_ends_the_session() {
    let env = env();
    let (_, h, _) = send(
        &env.app,
        login_form("alice%40example.com", "alice-password", "standard"),
    )
    .await;
    let cookie = session_cookie(&h).unwrap();
    let req = Request::post("/api/logout")
        .header(header::ACCEPT, "text/html")
        .header("sec-fetch-site", "same-origin")
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    let (status, headers, _) = send(&env.app, req).await;
    assert_eq!(status, StatusCode::FOUND);
    assert_eq!(headers[header::LOCATION], "/login?signed_out=1");
    let (status, _, _) = send(&env.app, get("/mail", Some(&cookie))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let env = env();
    let cases = [
        vec![("sec-fetch-site", "cross-site")],
        vec![("sec-fetch-site", "same-site")],
        vec![("origin", "http://evil.example"), ("host", "localhost")],
    ];
    for headers in cases {
        let mut b = Request::post("/api/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html");
        for (k, v) in &headers {
            b = b.header(*k, *v);
        }
        let req = b
            .body(Body::from(
                "address=alice%40example.com&password=alice-password",
            ))
            .unwrap();
        let (status, h, _) = send(&env.app, req).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{headers:?}");
        assert!(session_cookie(&h).is_none());
    }
}

#[tokio::test]
async fn cookies_are_secure_behind_a_tls_proxy() {
    let env = env_with(|c| c.trust_proxy = true);
    let mut req = login_form("alice%40example.com", "alice-password", "standard");
    req.headers_mut()
        .insert("x-forwarded-proto", "https".parse().unwrap());
    let (_, headers, _) = send(&env.app, req).await;
    let raw = headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect::<Vec<_>>();
    assert!(raw.iter().all(|c| c.contains("; Secure")), "{raw:?}");
}

#[tokio::test]
async fn switching_interface_is_remembered() {
    let env = env();
    let (_, h, _) = send(
        &env.app,
        login_form("alice%40example.com", "alice-password", "standard"),
    )
    .await;
    let cookie = session_cookie(&h).unwrap();
    let req = Request::post("/api/set_interface")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html")
        .header("sec-fetch-site", "same-origin")
        .header(header::COOKIE, &cookie)
        .body(Body::from("interface=basic"))
        .unwrap();
    let (status, headers, _) = send(&env.app, req).await;
    assert_eq!(status, StatusCode::FOUND);
    assert_eq!(headers[header::LOCATION], "/basic/settings?saved=1");
    let (status, headers, _) = send(&env.app, get("/", Some(&cookie))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/basic/mail");
}

#[tokio::test]
async fn health_and_metrics() {
    let env = env();
    let (status, _, body) = send(&env.app, get("/healthz", None)).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok\n"));
    send(&env.app, get("/login", None)).await;
    let (_, headers, body) = send(&env.app, get("/metrics", None)).await;
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert!(
        body.contains(
            "webmail_http_requests_total{route=\"/login\",method=\"GET\",status=\"200\"} 1"
        ),
        "{body}"
    );
    assert!(
        body.contains(
            "webmail_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 1"
        ),
        "{body}"
    );
}

async fn sign_in(env: &Env) -> String {
    let (_, headers, _) = send(
        &env.app,
        login_form("alice%40example.com", "alice-password", "standard"),
    )
    .await;
    session_cookie(&headers).unwrap()
}

fn upload(path: &str, cookie: &str, body: Body, length: Option<usize>) -> Request<Body> {
    let mut b = Request::post(path)
        .header(
            header::CONTENT_TYPE,
            "multipart/form-data; boundary=XyZ-boundary",
        )
        .header(header::ACCEPT, "text/html")
        .header("sec-fetch-site", "same-origin")
        .header(header::COOKIE, cookie);
    if let Some(n) = length {
        b = b.header(header::CONTENT_LENGTH, n);
    }
    b.body(body).unwrap()
}

/// A multipart body of about `size` bytes: one attachment of zeros.
fn multipart(size: usize) -> Vec<u8> {
    let mut body = b"--XyZ-boundary\r\nContent-Disposition: form-data; name=\"op\"\r\n\r\nsend\r\n\
--XyZ-boundary\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"big.bin\"\r\n\
Content-Type: application/octet-stream\r\n\r\n"
        .to_vec();
    body.resize(size.saturating_sub(20), b'0');
    body.extend_from_slice(b"\r\n--XyZ-boundary--\r\n");
    body
}

/// Posts a multipart body of about `size` bytes, with its length, to `path`.
async fn post_sized(
    env: &Env,
    cookie: &str,
    path: &str,
    size: usize,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let body = multipart(size);
    let len = body.len();
    send(&env.app, upload(path, cookie, Body::from(body), Some(len))).await
}

#[tokio::test]
async fn compose_takes_a_message_up_to_the_configured_size() {
    const MB: usize = 1024 * 1024;
    let env = env_with(|c| c.max_message_mb = 1);
    let cookie = sign_in(&env).await;

    // Over the small limit of other routes, under the message size plus
    // form overhead: not refused for its size.
    let (status, _, text) = post_sized(&env, &cookie, "/api/mail/compose", MB + MB / 2).await;
    assert_ne!(status, StatusCode::PAYLOAD_TOO_LARGE, "{text}");

    // Over the message size but within twice it plus the form's room: the
    // form still reads it, so it can keep the draft and refuse the file.
    let (status, _, text) = post_sized(&env, &cookie, "/api/mail/compose", 2 * MB + 1).await;
    assert_ne!(status, StatusCode::PAYLOAD_TOO_LARGE, "{text}");

    // Beyond that: a plain 413 that names the limit.
    let (status, headers, text) = post_sized(&env, &cookie, "/api/mail/compose", 18 * MB + 1).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{text}");
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert!(text.contains("too large to send"), "{text}");
    assert!(text.contains("1 MB"), "{text}");
}

#[tokio::test]
async fn other_routes_keep_a_small_body_limit() {
    const MB: usize = 1024 * 1024;
    let env = env();
    let cookie = sign_in(&env).await;
    // With a length: refused before anything reads it.
    let (status, _, text) = post_sized(&env, &cookie, "/api/logout", MB + 1).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{text}");
    assert!(text.contains("limit is 1 MB"), "{text}");

    // Without one (chunked): counted as it is read, and the same answer.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..20).map(|_| Ok(vec![b'a'; 64 * 1024])).collect();
    let req = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from_stream(futures_util::stream::iter(chunks)))
        .unwrap();
    let (status, _, text) = send(&env.app, req).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{text}");

    // The compose handler is not open to strangers: a post naming no known
    // session is read and dropped, and the browser is told so
    // (tests/stash.rs has the posts that are kept).
    let body = multipart(MB / 2);
    let len = body.len();
    let (status, headers, _) = send(
        &env.app,
        upload(
            "/api/mail/compose",
            "webmail_session=nope",
            Body::from(body),
            Some(len),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/login?error=not_kept");
}

#[tokio::test]
async fn pages_are_compressed_when_the_browser_accepts_it() {
    let env = env();
    let cookie = sign_in(&env).await;
    let cases = [
        ("br", Some("br")),
        ("gzip", Some("gzip")),
        ("identity", None),
    ];
    for (accept, expected) in cases {
        let req = Request::get("/basic/mail")
            .header(header::ACCEPT, "text/html")
            .header(header::ACCEPT_ENCODING, accept)
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap();
        let res = env.app.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{accept}");
        let got = res
            .headers()
            .get(header::CONTENT_ENCODING)
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(got.as_deref(), expected, "{accept}");
    }
}

#[tokio::test]
async fn compose_refuses_a_body_that_is_not_multipart() {
    let env = env();
    let cookie = sign_in(&env).await;
    for ct in [
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "text/plain",
    ] {
        let req = Request::post("/api/mail/compose")
            .header(header::CONTENT_TYPE, ct)
            .header(header::ACCEPT, "text/html")
            .header("sec-fetch-site", "same-origin")
            .header(header::COOKIE, &cookie)
            .body(Body::from("op=send&to=a%40b.example"))
            .unwrap();
        let (status, _, text) = send(&env.app, req).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{ct}: {text}");
        assert!(text.contains("multipart/form-data"), "{ct}: {text}");
    }
}
