//! "If the session expired while composing, nothing typed is lost": a
//! compose post without a valid session is kept, and handed back only to
//! its owner after the next sign-in.

use accounts::stash::{Check, MAX_AGE_SECS};
use accounts::{AccountId, Directory, Stashes};
use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Request, StatusCode, header};
use model::Interface;
use server::{Config, Metrics};
use std::path::PathBuf;
use std::sync::Arc;
use tower::ServiceExt;

const BOUNDARY: &str = "----stashboundary";

struct Env {
    _dir: tempfile::TempDir,
    data_dir: PathBuf,
    directory: Directory,
    app: axum::Router,
}

impl Env {
    fn stashes(&self) -> Stashes {
        Stashes::new(&self.data_dir)
    }

    fn account(&self, address: &str) -> AccountId {
        self.directory.find_user(address).unwrap().unwrap().id
    }

    /// Ids of the finished stashes on disk.
    fn stash_ids(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.stashes().root()) else {
            return Vec::new();
        };
        entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect()
    }

    /// A session cookie whose session expired a minute ago (its row still
    /// in the directory, as when the user comes back to an open tab).
    fn expired_session(&self, address: &str) -> String {
        let ttl = self.directory.policy().session_ttl_secs;
        let s = self
            .directory
            .create_session_at(self.account(address), Interface::Standard, now() - ttl - 60)
            .unwrap();
        format!("webmail_session={}", s.token)
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn env_with(max_message_mb: u64) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        data_dir: dir.path().join("data"),
        site_root: Some(dir.path().join("site")),
        max_message_mb,
        ..Config::default()
    };
    let directory = server::open_directory(&config).unwrap();
    directory.add_domain("example.com").unwrap();
    directory
        .add_user("alice@example.com", "alice-password")
        .unwrap();
    directory
        .add_user("bob@example.com", "bob-password")
        .unwrap();
    let state = server::app_state(&config, directory.clone()).unwrap();
    Env {
        app: server::router(state, Arc::new(Metrics::default())),
        data_dir: config.data_dir.clone(),
        directory,
        _dir: dir,
    }
}

fn env() -> Env {
    env_with(25)
}

async fn send(app: &axum::Router, req: Request<Body>) -> (StatusCode, HeaderMap, String) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = to_bytes(res.into_body(), 16 << 20).await.unwrap();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

/// The compose form as a browser posts it.
fn compose_body(text: &str) -> Vec<u8> {
    let mut b = Vec::new();
    for (name, value) in [
        ("op", "send"),
        ("to", "carol@example.net"),
        ("subject", "Quarterly report"),
        ("body", text),
        ("interface", "standard"),
    ] {
        b.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    b.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    b
}

struct Post<'a> {
    body: Body,
    length: Option<usize>,
    plain_form: bool,
    cookies: &'a [&'a str],
    referer: &'a str,
}

fn compose_post(p: Post<'_>) -> Request<Body> {
    let mut b = Request::post("/api/mail/compose")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header("sec-fetch-site", "same-origin")
        .header(header::REFERER, p.referer);
    if p.plain_form {
        b = b.header(header::ACCEPT, "text/html,application/xhtml+xml");
    }
    if let Some(len) = p.length {
        b = b.header(header::CONTENT_LENGTH, len);
    }
    if !p.cookies.is_empty() {
        b = b.header(header::COOKIE, p.cookies.join("; "));
    }
    b.body(p.body).unwrap()
}

fn plain_post<'a>(body: &[u8], cookies: &'a [&'a str]) -> Post<'a> {
    Post {
        body: Body::from(body.to_vec()),
        length: Some(body.len()),
        plain_form: true,
        cookies,
        referer: "http://localhost/mail/compose",
    }
}

fn login_form(address: &str, password: &str, interface: &str, cookie: &str) -> Request<Body> {
    Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html")
        .header("sec-fetch-site", "same-origin")
        .header(header::COOKIE, cookie)
        .body(Body::from(format!(
            "address={}&password={password}&interface={interface}",
            address.replace('@', "%40")
        )))
        .unwrap()
}

/// The `Set-Cookie` values for `name`.
fn set_cookies(headers: &HeaderMap, name: &str) -> Vec<String> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter(|c| c.starts_with(&format!("{name}=")))
        .map(str::to_owned)
        .collect()
}

/// The stash cookie set by a response, as `webmail_stash=<id>`, with its id.
fn stash_cookie(headers: &HeaderMap) -> Option<(String, String)> {
    let raw = set_cookies(headers, "webmail_stash")
        .into_iter()
        .find(|c| !c.contains("Max-Age=0"))?;
    let pair = raw.split(';').next().unwrap().to_owned();
    let id = pair.trim_start_matches("webmail_stash=").to_owned();
    Some((pair, id))
}

fn stash_cookie_expired(headers: &HeaderMap) -> bool {
    set_cookies(headers, "webmail_stash")
        .iter()
        .any(|c| c.contains("Max-Age=0"))
}

#[tokio::test]
async fn a_compose_post_without_a_session_is_kept_and_reopens_after_sign_in() {
    let env = env();
    let body = compose_body("Dear Carol,\r\nthe figures are in.");
    let (status, headers, _) = send(&env.app, compose_post(plain_post(&body, &[]))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/login?kept=1");
    let raw = set_cookies(&headers, "webmail_stash").pop().unwrap();
    for attr in ["Path=/", "HttpOnly", "SameSite=Lax", "Max-Age=86400"] {
        assert!(raw.contains(attr), "{attr}: {raw}");
    }
    assert!(!raw.contains("Secure"), "plain http: {raw}");
    let (cookie, id) = stash_cookie(&headers).unwrap();

    // On disk, exactly as posted, private.
    let stashes = env.stashes();
    let meta = stashes.meta(&id).unwrap().unwrap();
    assert_eq!(
        meta.content_type,
        format!("multipart/form-data; boundary={BOUNDARY}")
    );
    assert_eq!(meta.account, None, "no session cookie: owner unknown");
    assert!((meta.created_at - now()).abs() < 60);
    assert_eq!(
        std::fs::read(stashes.root().join(&id).join("body")).unwrap(),
        body
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: PathBuf| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(stashes.root().to_owned()), 0o700);
        assert_eq!(mode(stashes.root().join(&id)), 0o700);
        assert_eq!(mode(stashes.root().join(&id).join("body")), 0o600);
        assert_eq!(mode(stashes.root().join(&id).join("meta.json")), 0o600);
    }

    // The sign-in page says so.
    let (status, _, page) = send(
        &env.app,
        Request::get("/login?kept=1")
            .header(header::ACCEPT, "text/html")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("the message you were writing is kept and will reopen"),
        "{page}"
    );

    // Signing in goes back to compose, to restore it (not yet taken).
    let (status, headers, _) = send(
        &env.app,
        login_form("alice@example.com", "alice-password", "standard", &cookie),
    )
    .await;
    assert_eq!(status, StatusCode::FOUND);
    assert_eq!(headers[header::LOCATION], "/mail/compose?restore=1");
    assert!(!stash_cookie_expired(&headers));

    // What the compose page gets back: once.
    let alice = env.account("alice@example.com");
    let taken = stashes.take(&id, alice, now()).unwrap().unwrap();
    assert_eq!(taken.body, body);
    assert_eq!(stashes.take(&id, alice, now()).unwrap(), None);
    assert!(env.stash_ids().is_empty());

    // With the stash gone, the next sign-in is an ordinary one.
    let (_, headers, _) = send(
        &env.app,
        login_form("alice@example.com", "alice-password", "standard", &cookie),
    )
    .await;
    assert_eq!(headers[header::LOCATION], "/mail");
    assert!(stash_cookie_expired(&headers));
}

#[tokio::test]
async fn the_basic_interface_returns_to_basic() {
    let env = env();
    let body = compose_body("plain and simple");
    let post = Post {
        referer: "http://localhost/basic/mail/compose?reply=3",
        ..plain_post(&body, &[])
    };
    let (status, headers, _) = send(&env.app, compose_post(post)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/basic/login?kept=1");
    let (cookie, _) = stash_cookie(&headers).unwrap();
    let (_, headers, _) = send(
        &env.app,
        login_form("bob@example.com", "bob-password", "basic", &cookie),
    )
    .await;
    assert_eq!(headers[header::LOCATION], "/basic/mail/compose?restore=1");
}

#[tokio::test]
async fn an_expired_session_names_the_owner_and_no_one_else_gets_the_text() {
    let env = env();
    let session = env.expired_session("alice@example.com");
    let body = compose_body("Alice's private words");
    let (status, headers, _) = send(&env.app, compose_post(plain_post(&body, &[&session]))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/login?kept=1");
    let (cookie, id) = stash_cookie(&headers).unwrap();
    let alice = env.account("alice@example.com");
    assert_eq!(
        env.stashes().meta(&id).unwrap().unwrap().account,
        Some(alice)
    );

    // Bob signs in on the same browser: the ordinary page, and the stash
    // and its cookie are gone.
    let (status, headers, _) = send(
        &env.app,
        login_form("bob@example.com", "bob-password", "standard", &cookie),
    )
    .await;
    assert_eq!(status, StatusCode::FOUND);
    assert_eq!(headers[header::LOCATION], "/mail");
    assert!(stash_cookie_expired(&headers));
    assert!(env.stash_ids().is_empty());

    // Alice, too late, finds nothing.
    let (_, headers, _) = send(
        &env.app,
        login_form("alice@example.com", "alice-password", "standard", &cookie),
    )
    .await;
    assert_eq!(headers[header::LOCATION], "/mail");

    // Kept again, her own sign-in restores it.
    let (_, headers, _) = send(&env.app, compose_post(plain_post(&body, &[&session]))).await;
    let (cookie, id) = stash_cookie(&headers).unwrap();
    let (_, headers, _) = send(
        &env.app,
        login_form("alice@example.com", "alice-password", "standard", &cookie),
    )
    .await;
    assert_eq!(headers[header::LOCATION], "/mail/compose?restore=1");
    assert_eq!(
        env.stashes().check(&id, alice, now()).unwrap(),
        Check::Restorable
    );
    let bob = env.account("bob@example.com");
    assert_eq!(env.stashes().take(&id, bob, now()).unwrap(), None);
    assert!(env.stash_ids().is_empty());
}

#[tokio::test]
async fn the_hydrated_app_gets_its_401_and_the_text_is_kept() {
    let env = env();
    let body = compose_body("typed in the standard interface");
    let post = Post {
        plain_form: false,
        ..plain_post(&body, &[])
    };
    let (status, headers, text) = send(&env.app, compose_post(post)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(text.contains("not_signed_in"), "{text}");
    let (cookie, id) = stash_cookie(&headers).unwrap();
    assert_eq!(env.stash_ids(), vec![id.clone()]);

    // An autosave after it replaces it: the browser keeps one stash.
    let body2 = compose_body("typed in the standard interface, and more");
    let cookies = [cookie.as_str()];
    let post = Post {
        plain_form: false,
        ..plain_post(&body2, &cookies)
    };
    let (_, headers, _) = send(&env.app, compose_post(post)).await;
    let (cookie, id2) = stash_cookie(&headers).unwrap();
    assert_ne!(id, id2);
    assert_eq!(env.stash_ids(), vec![id2.clone()]);

    let (_, headers, _) = send(
        &env.app,
        login_form("alice@example.com", "alice-password", "standard", &cookie),
    )
    .await;
    assert_eq!(headers[header::LOCATION], "/mail/compose?restore=1");
    let alice = env.account("alice@example.com");
    assert_eq!(
        env.stashes()
            .take(&id2, alice, now())
            .unwrap()
            .unwrap()
            .body,
        body2
    );
}

#[tokio::test]
async fn a_body_over_the_compose_limit_is_not_kept() {
    // 1 MB messages: the compose route takes up to 2 MB + 16 MB of form.
    let env = env_with(1);
    let limit = (2 + 16) << 20;
    let big = vec![b'x'; limit + 1];

    // Declared too long.
    let (status, headers, _) = send(&env.app, compose_post(plain_post(&big, &[]))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/login?error=not_signed_in");
    assert!(stash_cookie(&headers).is_none());

    // Streamed without a length, found too long on the way.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        big.chunks(1 << 20).map(|c| Ok(c.to_vec())).collect();
    let post = Post {
        body: Body::from_stream(futures_util::stream::iter(chunks)),
        length: None,
        ..plain_post(b"", &[])
    };
    let (status, headers, _) = send(&env.app, compose_post(post)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/login?error=not_signed_in");
    assert!(stash_cookie(&headers).is_none());
    assert!(env.stash_ids().is_empty(), "{:?}", env.stash_ids());
    assert_eq!(env.stashes().total_bytes(), 0);

    // Just under the limit, streamed: kept.
    let fits = vec![b'y'; limit];
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        fits.chunks(1 << 20).map(|c| Ok(c.to_vec())).collect();
    let post = Post {
        body: Body::from_stream(futures_util::stream::iter(chunks)),
        length: None,
        ..plain_post(b"", &[])
    };
    let (_, headers, _) = send(&env.app, compose_post(post)).await;
    let (_, id) = stash_cookie(&headers).unwrap();
    assert_eq!(
        env.stashes().total_bytes(),
        limit as u64 + {
            let meta = env.stashes().root().join(&id).join("meta.json");
            std::fs::metadata(meta).unwrap().len()
        }
    );
}

#[tokio::test]
async fn garbage_cookies_and_files_are_ignored_safely() {
    let env = env();
    // Cookies naming no stash, or trying to name a path.
    for value in [
        "",
        "..",
        "../directory.sqlite",
        "%2e%2e%2fdirectory.sqlite",
        "0123456789abcdef0123456789abcdef",
        "ZZZ",
    ] {
        let (status, headers, _) = send(
            &env.app,
            login_form(
                "alice@example.com",
                "alice-password",
                "standard",
                &format!("webmail_stash={value}"),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::FOUND, "{value:?}");
        assert_eq!(headers[header::LOCATION], "/mail", "{value:?}");
    }
    assert!(env.data_dir.join("directory.sqlite").exists());

    // A stash whose metadata was damaged, or is missing.
    for damage in [Some("{\"created_at\":"), Some("[]"), None] {
        let body = compose_body("soon damaged");
        let (_, headers, _) = send(&env.app, compose_post(plain_post(&body, &[]))).await;
        let (cookie, id) = stash_cookie(&headers).unwrap();
        let meta = env.stashes().root().join(&id).join("meta.json");
        match damage {
            Some(text) => std::fs::write(&meta, text).unwrap(),
            None => std::fs::remove_file(&meta).unwrap(),
        }
        let (status, headers, _) = send(
            &env.app,
            login_form("alice@example.com", "alice-password", "standard", &cookie),
        )
        .await;
        assert_eq!(status, StatusCode::FOUND, "{damage:?}");
        assert_eq!(headers[header::LOCATION], "/mail", "{damage:?}");
        assert!(stash_cookie_expired(&headers), "{damage:?}");
        assert!(env.stash_ids().is_empty(), "{damage:?}");
    }

    // A stash older than a day is not restored.
    let mut w = env.stashes().begin().unwrap();
    w.write(b"old").unwrap();
    let id = w
        .commit(&accounts::stash::StashMeta {
            created_at: now() - MAX_AGE_SECS - 1,
            account: None,
            content_type: "multipart/form-data; boundary=x".into(),
        })
        .unwrap();
    let (_, headers, _) = send(
        &env.app,
        login_form(
            "alice@example.com",
            "alice-password",
            "standard",
            &format!("webmail_stash={id}"),
        ),
    )
    .await;
    assert_eq!(headers[header::LOCATION], "/mail");
    assert!(env.stash_ids().is_empty());
}

#[tokio::test]
async fn only_compose_posts_are_kept() {
    let env = env();
    let body = compose_body("x");
    // Another server function: the usual 401, nothing kept.
    let req = Request::post("/api/mail/compose_other")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(body.clone()))
        .unwrap();
    let (status, headers, _) = send(&env.app, req).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(stash_cookie(&headers).is_none());
    // A cross-site compose post is refused before anything is written.
    let req = Request::post("/api/mail/compose")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(header::ACCEPT, "text/html")
        .header("sec-fetch-site", "cross-site")
        .body(Body::from(body))
        .unwrap();
    let (status, headers, _) = send(&env.app, req).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(stash_cookie(&headers).is_none());
    assert!(env.stash_ids().is_empty());
}
