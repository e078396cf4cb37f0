//! What a hostile sender or a signed-in user poking at the forms could do
//! to the server, through the router as a browser reaches it: each test
//! here failed before its fix.

use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Request, StatusCode, header};
use server::{Config, Metrics, MetricsAccess};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

struct Env {
    _dir: tempfile::TempDir,
    data_dir: PathBuf,
    directory: accounts::Directory,
    app: axum::Router,
    metrics: Arc<Metrics>,
}

impl Env {
    fn store(&self, address: &str) -> mailstore::Mailstore {
        let account = self.directory.find_user(address).unwrap().unwrap();
        mailstore::Mailstore::open(&account.user_dir(&self.data_dir)).unwrap()
    }
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
    let state = server::app_state(&config, directory.clone()).unwrap();
    let metrics = Arc::new(Metrics::new(config.metrics_access()));
    Env {
        app: server::router(state, metrics.clone()),
        data_dir: config.data_dir.clone(),
        directory,
        metrics,
        _dir: dir,
    }
}

fn env() -> Env {
    env_with(|_| {})
}

/// Sends a request; a request that has not answered within 20 s fails the
/// test (some of these hung the server before their fix).
async fn send(app: &axum::Router, req: Request<Body>) -> (StatusCode, HeaderMap, String) {
    let res = tokio::time::timeout(Duration::from_secs(20), app.clone().oneshot(req))
        .await
        .expect("the server answered within 20 s")
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = to_bytes(res.into_body(), 64 << 20).await.unwrap();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

fn login(address: &str, password: &str, accept_html: bool) -> Request<Body> {
    let mut b = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin");
    if accept_html {
        b = b.header(header::ACCEPT, "text/html");
    }
    b.body(Body::from(format!(
        "address={}&password={password}&interface=standard",
        address.replace('@', "%40")
    )))
    .unwrap()
}

async fn sign_in(env: &Env) -> String {
    let (_, headers, _) = send(&env.app, login("alice@example.com", "alice-password", true)).await;
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("webmail_session=") && !c.starts_with("webmail_session=;"))
        .map(|c| c.split(';').next().unwrap().to_owned())
        .expect("signed in")
}

/// A server function called the way the hydrated app calls it.
fn call(path: &str, cookie: &str, form: &str) -> Request<Body> {
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header("sec-fetch-site", "same-origin")
        .header(header::COOKIE, cookie)
        .body(Body::from(form.to_owned()))
        .unwrap()
}

fn list_query(folder: &str, q: &str, scope: &str) -> String {
    format!(
        "query[folder]={folder}&query[sort]=date&query[desc]=true&query[page]=1&query[q]={}&query[scope]={scope}&query[all_folders]=false",
        model::mail::encode(q)
    )
}

fn get(path: &str, cookie: &str, extra: &[(&str, &str)]) -> Request<Body> {
    let mut b = Request::get(path)
        .header(header::ACCEPT, "text/html")
        .header(header::COOKIE, cookie);
    for (k, v) in extra {
        b = b.header(*k, *v);
    }
    b.body(Body::empty()).unwrap()
}

const BOUNDARY: &str = "hardening-boundary";

/// A compose form: text fields, then files as (name, bytes).
fn compose_form(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = Vec::new();
    for (name, value) in fields {
        b.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, bytes) in files {
        b.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        b.extend_from_slice(bytes);
        b.extend_from_slice(b"\r\n");
    }
    b.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    b
}

/// Posts a compose form as the hydrated app does (JSON back).
fn compose_post(cookie: &str, body: Vec<u8>) -> Request<Body> {
    Request::post("/api/mail/compose")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(header::ACCEPT, "application/json")
        .header("sec-fetch-site", "same-origin")
        .header(header::COOKIE, cookie)
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn search_terms_have_limits_and_clear_answers() {
    let env = env();
    let cookie = sign_in(&env).await;
    let long = "x".repeat(100_000);
    let many = vec!["word"; 2000].join(" ");
    let cases = [
        (long.as_str(), "headers", "characters long"),
        (long.as_str(), "body", "characters long"),
        (many.as_str(), "headers", "words"),
        ("nul\0byte", "subject", "control character"),
    ];
    for (q, scope, says) in cases {
        let started = std::time::Instant::now();
        let (status, _, body) = send(
            &env.app,
            call("/api/mail/list", &cookie, &list_query("INBOX", q, scope)),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{scope}: {body}");
        assert!(body.contains(says), "{body}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }
    // An ordinary search still works.
    let (status, _, body) = send(
        &env.app,
        call(
            "/api/mail/list",
            &cookie,
            &list_query("INBOX", "report", "body"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn errors_answer_with_the_status_that_fits() {
    let env = env();
    // Wrong password, to the hydrated app: 401; then rate limited: 429.
    for _ in 0..5 {
        let (status, _, body) = send(
            &env.app,
            login("alice@example.com", "wrong-password", false),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert!(body.contains("bad_credentials"), "{body}");
    }
    let (status, _, body) = send(
        &env.app,
        login("alice@example.com", "alice-password", false),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    // (A plain form is still sent back to the page, with the error.)
    let (status, headers, _) = send(&env.app, login("alice@example.com", "x", true)).await;
    assert_eq!(status, StatusCode::FOUND);
    assert!(
        headers[header::LOCATION]
            .to_str()
            .unwrap()
            .contains("error=rate_limited")
    );

    let env = self::env();
    let cookie = sign_in(&env).await;
    let cases: &[(&str, String, StatusCode)] = &[
        // No such folder.
        (
            "/api/mail/list",
            list_query("Nowhere", "", "headers"),
            StatusCode::NOT_FOUND,
        ),
        // A folder name that cannot be.
        (
            "/api/mail/list",
            list_query("..%2Fetc", "", "headers"),
            StatusCode::BAD_REQUEST,
        ),
        // No such message.
        (
            "/api/mail/source",
            "folder=INBOX&uid=999".to_owned(),
            StatusCode::NOT_FOUND,
        ),
        // Arguments missing or malformed.
        (
            "/api/mail/source",
            "folder=INBOX".to_owned(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/mail/source",
            "folder=INBOX&uid=minus-one".to_owned(),
            StatusCode::BAD_REQUEST,
        ),
        // Nothing selected.
        (
            "/api/mail/act",
            "folder=INBOX&action=read&back=%2Fmail".to_owned(),
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (path, form, expected) in cases {
        let (status, _, body) = send(&env.app, call(path, &cookie, form)).await;
        assert_eq!(status, *expected, "{path} {form}: {body}");
        assert!(!body.contains("\"internal\""), "{body}");
    }
    // Pages that show such an error answer with its status too.
    for (path, expected) in [
        ("/basic/mail?folder=Nowhere", StatusCode::NOT_FOUND),
        (
            "/basic/mail/message?folder=INBOX&uid=999",
            StatusCode::NOT_FOUND,
        ),
        (
            "/basic/mail/source?folder=INBOX&uid=999",
            StatusCode::NOT_FOUND,
        ),
        ("/mail/raw?folder=..%2Fx&uid=1", StatusCode::BAD_REQUEST),
        ("/mail/raw?folder=INBOX&uid=999", StatusCode::NOT_FOUND),
    ] {
        let (status, _, body) = send(&env.app, get(path, &cookie, &[])).await;
        assert_eq!(status, expected, "{path}: {body}");
    }
}

#[tokio::test]
async fn an_empty_spelling_fix_changes_nothing_and_returns() {
    let env = env();
    let cookie = sign_in(&env).await;
    for body in ["", "some text to keep"] {
        let form = compose_form(
            &[
                ("op", "fix"),
                ("account", "alice@example.com"),
                ("subject", "Spelling"),
                ("body", body),
                ("fix:", "x"),
                ("fix: ", "y"),
                ("fix:teh", ""),
                ("fix:teh", " "),
                ("interface", "standard"),
            ],
            &[],
        );
        let (status, _, text) = send(&env.app, compose_post(&cookie, form)).await;
        assert_eq!(status, StatusCode::OK, "{text}");
    }
    let store = env.store("alice@example.com");
    let page = store
        .list("Drafts", mailstore::SortColumn::Date, true, 0, 10)
        .unwrap();
    assert_eq!(page.total, 2, "both forms saved");
    let texts: Vec<String> = page
        .items
        .iter()
        .map(|m| {
            String::from_utf8_lossy(&store.raw("Drafts", m.uid).unwrap().unwrap()).into_owned()
        })
        .collect();
    assert!(
        texts.iter().any(|t| t.contains("some text to keep")),
        "{texts:?}"
    );
}

#[tokio::test]
async fn the_size_limit_counts_the_whole_message_once() {
    const KB: usize = 1024;
    let env = env_with(|c| c.max_message_mb = 1);
    let cookie = sign_in(&env).await;
    // A draft with a 600 KB file: under the 1 MB limit.
    let file = vec![b'a'; 600 * KB];
    let form = compose_form(
        &[
            ("op", "save"),
            ("account", "alice@example.com"),
            ("to", "bob@example.net"),
            ("subject", "Big file"),
            ("body", "see attached"),
            ("interface", "standard"),
        ],
        &[("big.bin", &file)],
    );
    let (status, _, text) = send(&env.app, compose_post(&cookie, form)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let outcome: model::compose::ComposeOutcome = serde_json::from_str(&text).unwrap();
    assert_eq!(outcome.attachments.len(), 1);
    let kept = outcome.attachments[0].id.clone();
    let draft = outcome.draft_uid.unwrap().to_string();

    // The same attachment kept three times: counted once, attached once.
    let form = compose_form(
        &[
            ("op", "save"),
            ("account", "alice@example.com"),
            ("draft", &draft),
            ("to", "bob@example.net"),
            ("subject", "Big file"),
            ("body", "see attached"),
            ("keep", &kept),
            ("keep", &kept),
            ("keep", &kept.replacen('d', "d0", 1)),
            ("keep", &kept.replacen('d', "d+", 1)),
            ("interface", "standard"),
        ],
        &[],
    );
    let (status, _, text) = send(&env.app, compose_post(&cookie, form)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let outcome: model::compose::ComposeOutcome = serde_json::from_str(&text).unwrap();
    assert_eq!(outcome.attachments.len(), 1, "{text}");
    assert_eq!(outcome.problem, None);
    let draft = outcome.draft_uid.unwrap().to_string();

    // The kept file plus a new 600 KB one: over, the new one refused and
    // the draft kept as it was.
    let form = compose_form(
        &[
            ("op", "send"),
            ("account", "alice@example.com"),
            ("draft", &draft),
            ("to", "bob@example.net"),
            ("subject", "Big file"),
            ("body", "see attached"),
            ("keep", &outcome.attachments[0].id),
            ("interface", "standard"),
        ],
        &[("second.bin", &file)],
    );
    let (status, _, text) = send(&env.app, compose_post(&cookie, form)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{text}");
    assert!(text.contains("message_too_large"), "{text}");

    // Spelling corrections that would grow the text past the limit are
    // not applied (they multiplied it without bound).
    let words = "a ".repeat(300 * KB);
    let longer = "b".repeat(60);
    let form = compose_form(
        &[
            ("op", "send"),
            ("account", "alice@example.com"),
            ("to", "bob@example.net"),
            ("subject", "Growing"),
            ("body", &words),
            ("fix:a", &longer),
            ("interface", "standard"),
        ],
        &[],
    );
    let (status, _, text) = send(&env.app, compose_post(&cookie, form)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{text}");

    // Text alone over the limit: saved as a draft, never sent.
    let long = "y".repeat(1100 * KB);
    let form = compose_form(
        &[
            ("op", "send"),
            ("account", "alice@example.com"),
            ("to", "bob@example.net"),
            ("subject", "Long text"),
            ("body", &long),
            ("interface", "standard"),
        ],
        &[],
    );
    let (status, _, text) = send(&env.app, compose_post(&cookie, form)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{text}");
    let store = env.store("alice@example.com");
    let sent = store
        .list("Sent", mailstore::SortColumn::Date, true, 0, 10)
        .unwrap();
    assert_eq!(sent.total, 0, "nothing over the limit went out");
    let drafts = store
        .list("Drafts", mailstore::SortColumn::Date, true, 0, 10)
        .unwrap();
    assert!(drafts.items.iter().any(|m| m.subject == "Long text"));
}

#[tokio::test]
async fn a_link_from_elsewhere_neither_loads_images_nor_marks_read() {
    let env = env();
    let cookie = sign_in(&env).await;
    let message = "From: Tracker <news@tracker.example>\r\nTo: alice@example.com\r\n\
                   Subject: Pixel\r\nMessage-ID: <pixel@tracker.example>\r\n\
                   Content-Type: text/html\r\n\r\n\
                   <p>Hello<img src=\"https://tracker.example/p.gif?u=alice\"></p>\r\n";
    let store = env.store("alice@example.com");
    let uid = store.deliver("INBOX", message.as_bytes()).unwrap();
    drop(store);
    let path = format!("/basic/mail/message?folder=INBOX&uid={uid}&images=1");
    let seen = || {
        env.store("alice@example.com")
            .summary("INBOX", uid)
            .unwrap()
            .unwrap()
            .flags
            .seen
    };
    // (headers of the request, images load, marked read)
    type Case<'a> = (&'a [(&'a str, &'a str)], bool, bool);
    let cases: &[Case<'_>] = &[
        (&[("sec-fetch-site", "cross-site")], false, false),
        (&[("sec-fetch-site", "same-site")], false, false),
        (
            &[("host", "mail.test"), ("referer", "https://evil.example/")],
            false,
            false,
        ),
        // Typed or bookmarked: read, but images wait for a click.
        (&[("sec-fetch-site", "none")], false, true),
        // From our own page ("Show images"): both.
        (&[("sec-fetch-site", "same-origin")], true, true),
    ];
    for (headers, images, read) in cases {
        let store = env.store("alice@example.com");
        store
            .clear_flags("INBOX", &[uid], &[mailstore::Flag::Seen])
            .unwrap();
        drop(store);
        let (status, _, page) = send(&env.app, get(&path, &cookie, headers)).await;
        assert_eq!(status, StatusCode::OK, "{headers:?}");
        assert!(page.contains("Hello"), "{headers:?}");
        assert_eq!(
            page.contains("tracker.example/p.gif"),
            *images,
            "{headers:?}"
        );
        assert_eq!(seen(), *read, "{headers:?}");
    }
}

#[tokio::test]
async fn metrics_stay_small_whatever_strangers_ask_for() {
    let env = env();
    for i in 0..300 {
        let path = format!("/random-{i}/x{}", "y".repeat(i % 50));
        send(&env.app, get(&path, "", &[])).await;
        let api = format!("/api/nothing-{i}");
        send(&env.app, call(&api, "", "")).await;
        let method = format!("M{i}");
        let req = Request::builder()
            .method(method.as_str())
            .uri("/mail")
            .body(Body::empty())
            .unwrap();
        send(&env.app, req).await;
    }
    let text = env.metrics.render();
    assert!(text.len() < 20_000, "metrics grew to {} bytes", text.len());
    assert!(!text.contains("random-"));
    assert!(!text.contains("nothing-"));
    assert!(!text.contains("M17"));
    assert!(text.contains("route=\"unmatched\""), "{text}");
    // Real routes keep their own labels.
    send(&env.app, get("/login", "", &[])).await;
    assert!(
        env.metrics
            .render()
            .contains("route=\"/login\",method=\"GET\",status=\"200\"")
    );
}

#[tokio::test]
async fn metrics_can_require_a_token_or_a_listener_of_their_own() {
    let env = env_with(|c| c.metrics_token = "a-long-metrics-token".into());
    let (status, _, _) = send(&env.app, get("/metrics", "", &[])).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, body) = send(
        &env.app,
        get(
            "/metrics",
            "",
            &[("authorization", "Bearer a-long-metrics-token")],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("webmail_http_requests_total"));

    let env = env_with(|c| c.metrics_listen = Some("127.0.0.1:0".parse().unwrap()));
    let (status, _, _) = send(&env.app, get("/metrics", "", &[])).await;
    assert_ne!(status, StatusCode::OK, "not on the main listener");
    let alone = server::metrics_router(Arc::new(Metrics::new(MetricsAccess {
        token: None,
        on_main: false,
    })));
    let (status, _, body) = send(&alone, get("/metrics", "", &[])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("webmail_outbound_queue_messages"));
}

#[tokio::test]
async fn a_forged_forwarded_for_does_not_reset_the_limit() {
    let env = env_with(|c| c.trust_proxy = true);
    let with_xff = |xff: String, password: &str| {
        let mut req = login("alice@example.com", password, true);
        req.headers_mut()
            .insert("x-forwarded-for", xff.parse().unwrap());
        req
    };
    // The guesser writes a new first hop each time; the proxy appends the
    // address it saw, which stays the same.
    for i in 0..5 {
        let (_, headers, _) = send(
            &env.app,
            with_xff(format!("10.9.8.{i}, 203.0.113.50"), "wrong-password"),
        )
        .await;
        let location = headers[header::LOCATION].to_str().unwrap();
        assert!(location.contains("error=bad_credentials"), "{location}");
    }
    let (_, headers, _) = send(
        &env.app,
        with_xff("10.9.8.77, 203.0.113.50".to_owned(), "wrong-password"),
    )
    .await;
    let location = headers[header::LOCATION].to_str().unwrap();
    assert!(location.contains("error=rate_limited"), "{location}");
    // The owner, behind the same proxy from elsewhere, signs in.
    let (_, headers, _) = send(
        &env.app,
        with_xff("198.51.100.20".to_owned(), "alice-password"),
    )
    .await;
    assert_eq!(headers[header::LOCATION], "/mail");
}

#[tokio::test]
async fn a_quoted_text_cannot_become_markup_in_the_text_area() {
    let env = env();
    let cookie = sign_in(&env).await;
    let message = "From: Mallory <m@evil.test>\r\nTo: alice@example.com\r\nSubject: Breakout\r\n\
                   Content-Type: text/plain; charset=utf-8\r\n\r\n\
                   </textarea><meta http-equiv=refresh content=\"0;url=https://evil.test\">&lt;b&gt;\r\n";
    let store = env.store("alice@example.com");
    let uid = store.deliver("INBOX", message.as_bytes()).unwrap();
    drop(store);
    for path in [
        format!("/basic/mail/compose?folder=INBOX&uid={uid}&mode=reply"),
        format!("/mail/compose?folder=INBOX&uid={uid}&mode=reply"),
    ] {
        let (status, _, page) = send(&env.app, get(&path, &cookie, &[])).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let area = page
            .split("<textarea")
            .nth(1)
            .and_then(|rest| rest.split_once('>'))
            .map(|(_, inside)| inside)
            .unwrap_or_default();
        let (inside, _) = area.split_once("</textarea>").expect("the text area ends");
        assert!(
            !inside.contains('<'),
            "{path}: markup in the text area: {inside}"
        );
        assert!(!page.contains("<meta http-equiv"), "{path}");
        assert!(
            inside.contains("&amp;lt;b&amp;gt;") || inside.contains("&amp;amp;lt;b"),
            "{path}: {inside}"
        );
    }
}

#[tokio::test]
async fn a_megabyte_body_is_clipped_until_asked_for() {
    let env = env();
    let cookie = sign_in(&env).await;
    let paragraph = "<p>A paragraph of a very long newsletter, repeated many times over.</p>\r\n";
    let message = format!(
        "From: News <n@news.example>\r\nTo: alice@example.com\r\nSubject: Huge\r\n\
         Content-Type: text/html; charset=utf-8\r\n\r\n{}<p>THE END</p>\r\n",
        paragraph.repeat(20_000)
    );
    let store = env.store("alice@example.com");
    let uid = store.deliver("INBOX", message.as_bytes()).unwrap();
    drop(store);
    let path = format!("/basic/mail/message?folder=INBOX&uid={uid}");
    let (status, _, page) = send(&env.app, get(&path, &cookie, &[])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.len() < 800 * 1024, "{} bytes", page.len());
    assert!(page.contains("Show the whole message"));
    assert!(!page.contains("THE END"));
    let (_, _, page) = send(&env.app, get(&format!("{path}&full=1"), &cookie, &[])).await;
    assert!(page.contains("THE END"));
    assert!(!page.contains("Show the whole message"));
}

#[tokio::test]
async fn one_huge_header_does_not_break_the_folder() {
    let env = env();
    let cookie = sign_in(&env).await;
    let subject = "Ω".repeat(5 * 1024 * 1024 / 2);
    let message = format!(
        "From: Big <big@example.org>\r\nTo: alice@example.com\r\nSubject: {subject}\r\n\r\nbody\r\n"
    );
    mailstore::deliver(
        &env.directory
            .find_user("alice@example.com")
            .unwrap()
            .unwrap()
            .user_dir(&env.data_dir),
        None,
        message.as_bytes(),
    )
    .unwrap();
    let (status, _, page) = send(&env.app, get("/basic/mail", &cookie, &[])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.len() < 200_000, "folder page of {} bytes", page.len());
    assert!(page.contains("ΩΩΩ"));
    let (status, _, list) = send(
        &env.app,
        call(
            "/api/mail/list",
            &cookie,
            &list_query("INBOX", "", "headers"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.len() < 100_000, "list of {} bytes", list.len());
    let (status, _, page) = send(
        &env.app,
        get("/basic/mail/message?folder=INBOX&uid=1", &cookie, &[]),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.len() < 200_000, "message page of {} bytes", page.len());
}

#[tokio::test]
async fn a_clipped_text_body_leaves_no_element_open() {
    let env = env();
    let cookie = sign_in(&env).await;
    // Long lines of links: the clip falls inside one of them.
    let line = format!("see https://example.org/{} now\r\n", "x".repeat(200));
    let message = format!(
        "From: News <n@news.example>\r\nTo: alice@example.com\r\nSubject: Links\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{}",
        line.repeat(3000)
    );
    let store = env.store("alice@example.com");
    let uid = store.deliver("INBOX", message.as_bytes()).unwrap();
    drop(store);
    let path = format!("/basic/mail/message?folder=INBOX&uid={uid}");
    let (status, _, page) = send(&env.app, get(&path, &cookie, &[])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Show the whole message"));
    let body_start = page.find("aria-label=\"Message body\"").unwrap();
    let note = page.find("class=\"clipped\"").unwrap();
    let body = &page[body_start..note];
    assert_eq!(
        body.matches("<a ").count(),
        body.matches("</a>").count(),
        "a link left open before the note"
    );
}

#[tokio::test]
async fn a_refused_plain_form_is_sent_back_to_its_page() {
    let env = env();
    let cookie = sign_in(&env).await;
    // An error this server function reports without a redirect of its own.
    let req = Request::post("/api/settings/set_identity")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html")
        .header("sec-fetch-site", "same-origin")
        .header(header::REFERER, "http://localhost/basic/settings")
        .header(header::COOKIE, &cookie)
        .body(Body::from("name=A&signature=&language=xx_NOPE"))
        .unwrap();
    let (status, headers, _) = send(&env.app, req).await;
    assert_eq!(status, StatusCode::FOUND);
    assert!(
        headers[header::LOCATION]
            .to_str()
            .unwrap()
            .starts_with("http://localhost/basic/settings")
    );
}
