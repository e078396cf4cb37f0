//! "If the session expired while composing, nothing typed is lost": a
//! compose post without a valid session is kept, and handed back only to
//! its owner after the next sign-in.

use accounts::{AccountId, Directory};
use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Request, StatusCode, header};
use model::Interface;
use server::{Config, Metrics};
use stash::MAX_AGE_SECS;
use stash::Stashes;
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

    /// The subjects and bodies of the messages in a user's Drafts.
    fn drafts(&self, address: &str) -> Vec<String> {
        let account = self.directory.find_user(address).unwrap().unwrap();
        let store = mailstore::Mailstore::open(&account.user_dir(&self.data_dir)).unwrap();
        let page = store
            .list("Drafts", mailstore::SortColumn::Date, true, 0, 100)
            .unwrap();
        page.items
            .iter()
            .map(|m| {
                let raw = store.raw("Drafts", m.uid).unwrap().unwrap();
                String::from_utf8_lossy(&raw).into_owned()
            })
            .collect()
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

/// The compose form as a browser posts it, opened in `account`.
fn compose_body_of(account: &str, text: &str, draft: Option<u32>) -> Vec<u8> {
    let draft = draft.map(|d| d.to_string()).unwrap_or_default();
    form_body(&[
        ("op", "send"),
        ("account", account),
        ("draft", draft.as_str()),
        ("to", "carol@example.net"),
        ("subject", "Quarterly report"),
        ("body", text),
        ("interface", "standard"),
    ])
}

/// A multipart form of text fields.
fn form_body(fields: &[(&str, &str)]) -> Vec<u8> {
    let mut b = Vec::new();
    for (name, value) in fields {
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

/// The page at `path`, for a browser without a session.
async fn page(app: &axum::Router, path: &str) -> (StatusCode, String) {
    let (status, _, body) = send(
        app,
        Request::get(path)
            .header(header::ACCEPT, "text/html")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    (status, body)
}

/// Alice's compose form.
fn compose_body(text: &str) -> Vec<u8> {
    compose_body_of("alice@example.com", text, None)
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
async fn a_post_after_the_session_expired_is_restored_into_drafts_at_sign_in() {
    let env = env();
    let session = env.expired_session("alice@example.com");
    let session_cookies = [session.as_str()];
    let body = compose_body("Dear Carol,\r\nthe figures are in.");
    let (status, headers, _) =
        send(&env.app, compose_post(plain_post(&body, &session_cookies))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/login?kept=1");
    let raw = set_cookies(&headers, "webmail_stash").pop().unwrap();
    for attr in ["Path=/", "HttpOnly", "SameSite=Lax", "Max-Age=86400"] {
        assert!(raw.contains(attr), "{attr}: {raw}");
    }
    assert!(!raw.contains("Secure"), "plain http: {raw}");
    let (cookie, id) = stash_cookie(&headers).unwrap();

    // On disk, exactly as posted, private, and owned by alice.
    let stashes = env.stashes();
    let meta = stashes.meta(&id).unwrap().unwrap();
    assert_eq!(
        meta.content_type,
        format!("multipart/form-data; boundary={BOUNDARY}")
    );
    assert_eq!(meta.account, Some(env.account("alice@example.com")));
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
    let (status, page) = page(&env.app, "/login?kept=1").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("the message you were writing is kept and will reopen"),
        "{page}"
    );

    // Signing in (a POST) saves it into Drafts and opens compose on it.
    assert!(env.drafts("alice@example.com").is_empty());
    let (status, headers, _) = send(
        &env.app,
        login_form("alice@example.com", "alice-password", "standard", &cookie),
    )
    .await;
    assert_eq!(status, StatusCode::FOUND);
    let location = headers[header::LOCATION].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("/mail/compose?draft=") && location.ends_with("&restored=1"),
        "{location}"
    );
    assert!(stash_cookie_expired(&headers));
    assert!(env.stash_ids().is_empty());
    let drafts = env.drafts("alice@example.com");
    assert_eq!(drafts.len(), 1);
    assert!(drafts[0].contains("the figures are in."), "{}", drafts[0]);

    // With the stash gone, the next sign-in is an ordinary one.
    let (_, headers, _) = send(
        &env.app,
        login_form("alice@example.com", "alice-password", "standard", &cookie),
    )
    .await;
    assert_eq!(headers[header::LOCATION], "/mail");

    // Nothing a link can do reopens or consumes anything: the compose page
    // is only a page.
    assert_eq!(env.drafts("alice@example.com").len(), 1);
}

#[tokio::test]
async fn the_basic_interface_returns_to_basic() {
    let env = env();
    let session = env.expired_session("bob@example.com");
    let session_cookies = [session.as_str()];
    let body = compose_body_of("bob@example.com", "plain and simple", None);
    let post = Post {
        referer: "http://localhost/basic/mail/compose?reply=3",
        ..plain_post(&body, &session_cookies)
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
    let location = headers[header::LOCATION].to_str().unwrap();
    assert!(
        location.starts_with("/basic/mail/compose?draft="),
        "{location}"
    );
}

#[tokio::test]
async fn an_expired_session_names_the_owner_and_no_one_else_gets_the_text() {
    let env = env();
    let session = env.expired_session("alice@example.com");
    let session_cookies = [session.as_str()];
    let body = compose_body("Alice's private words");
    let (status, headers, _) =
        send(&env.app, compose_post(plain_post(&body, &session_cookies))).await;
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
    assert!(env.drafts("bob@example.com").is_empty());

    // Alice, too late, finds nothing.
    let (_, headers, _) = send(
        &env.app,
        login_form("alice@example.com", "alice-password", "standard", &cookie),
    )
    .await;
    assert_eq!(headers[header::LOCATION], "/mail");
    assert!(env.drafts("alice@example.com").is_empty());

    // A stash taken directly is handed to no one else either.
    let (_, headers, _) = send(&env.app, compose_post(plain_post(&body, &session_cookies))).await;
    let (_, id) = stash_cookie(&headers).unwrap();
    let bob = env.account("bob@example.com");
    assert_eq!(env.stashes().take(&id, bob, now()).unwrap(), None);
    assert!(env.stash_ids().is_empty());
}

#[tokio::test]
async fn a_post_naming_no_account_is_not_kept_and_says_so() {
    let env = env();
    let body = compose_body("written by someone who signed out");
    for cookies in [&[][..], &["webmail_session=nope"][..]] {
        // A plain form: to the sign-in page, with the words for it.
        let (status, headers, _) = send(&env.app, compose_post(plain_post(&body, cookies))).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(headers[header::LOCATION], "/login?error=not_kept");
        assert!(stash_cookie(&headers).is_none());
        // The hydrated app: a 401 that says nothing was kept.
        let post = Post {
            plain_form: false,
            ..plain_post(&body, cookies)
        };
        let (status, headers, text) = send(&env.app, compose_post(post)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(text.contains("not_kept"), "{text}");
        assert!(stash_cookie(&headers).is_none());
    }
    assert!(env.stash_ids().is_empty());
    let (_, page) = page(&env.app, "/login?error=not_kept").await;
    assert!(page.contains("could not be saved"), "{page}");
}

/// Carol signs out with a compose tab still open; Alice signs in on the
/// same computer. Neither Carol's late post nor her open form reaches
/// Alice's account, and Alice's own draft with the same number stays.
#[tokio::test]
async fn a_shared_computer_keeps_each_account_to_itself() {
    let env = env();
    env.directory
        .add_user("carol@example.com", "carol-password")
        .unwrap();
    // Alice has drafts of her own.
    let alice_dir = env
        .directory
        .find_user("alice@example.com")
        .unwrap()
        .unwrap()
        .user_dir(&env.data_dir);
    let store = mailstore::Mailstore::open(&alice_dir).unwrap();
    let mut alice_drafts = Vec::new();
    for n in 1..=2 {
        let msg =
            format!("From: alice@example.com\r\nSubject: Alice draft {n}\r\n\r\nmine {n}\r\n");
        alice_drafts.push(
            store
                .append("Drafts", msg.as_bytes(), &[mailstore::Flag::Draft], None)
                .unwrap(),
        );
    }
    drop(store);

    // Carol signs in, then out; her compose tab posts afterwards (no
    // session cookie any more): not kept, nothing for anyone.
    let (_, headers, _) = send(
        &env.app,
        login_form("carol@example.com", "carol-password", "standard", ""),
    )
    .await;
    let carol_cookie = set_cookies(&headers, "webmail_session")
        .pop()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let logout = Request::post("/api/logout")
        .header(header::ACCEPT, "text/html")
        .header("sec-fetch-site", "same-origin")
        .header(header::COOKIE, &carol_cookie)
        .body(Body::empty())
        .unwrap();
    let (_, headers, _) = send(&env.app, logout).await;
    assert!(
        set_cookies(&headers, "webmail_session")
            .iter()
            .any(|c| c.contains("Max-Age=0"))
    );
    let carols = compose_body_of("carol@example.com", "Carol's secret", Some(alice_drafts[1]));
    let (_, headers, _) = send(&env.app, compose_post(plain_post(&carols, &[]))).await;
    assert_eq!(headers[header::LOCATION], "/login?error=not_kept");
    assert!(env.stash_ids().is_empty());

    // Alice signs in on that browser: her mail, nothing of Carol's.
    let (_, headers, _) = send(
        &env.app,
        login_form("alice@example.com", "alice-password", "standard", ""),
    )
    .await;
    assert_eq!(headers[header::LOCATION], "/mail");
    let alice_cookie = set_cookies(&headers, "webmail_session")
        .pop()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();

    // Carol's open form posts again, now with Alice's session: refused,
    // and the draft number it carries touches nothing of Alice's.
    let alice_cookies = [alice_cookie.as_str()];
    for plain_form in [true, false] {
        let post = Post {
            plain_form,
            ..plain_post(&carols, &alice_cookies)
        };
        let (status, headers, text) = send(&env.app, compose_post(post)).await;
        if plain_form {
            assert_eq!(status, StatusCode::FOUND, "{text}");
            let location = headers[header::LOCATION].to_str().unwrap();
            assert!(location.contains("error=other_account"), "{location}");
        } else {
            assert_eq!(status, StatusCode::CONFLICT, "{text}");
            assert!(text.contains("other_account"), "{text}");
        }
    }
    let drafts = env.drafts("alice@example.com");
    assert_eq!(drafts.len(), 2, "{drafts:?}");
    assert!(drafts.iter().all(|d| !d.contains("Carol's secret")));
    assert!(drafts.iter().any(|d| d.contains("Alice draft 2")));
    assert!(env.drafts("carol@example.com").is_empty());
}

#[tokio::test]
async fn one_account_cannot_fill_the_stash() {
    let env = env();
    let session = env.expired_session("alice@example.com");
    let session_cookies = [session.as_str()];
    // Posts from several browsers (no stash cookie to replace).
    for n in 0..5 {
        let body = compose_body(&format!("attempt {n}"));
        let (_, headers, _) =
            send(&env.app, compose_post(plain_post(&body, &session_cookies))).await;
        assert!(stash_cookie(&headers).is_some(), "{n}");
    }
    assert_eq!(env.stash_ids().len(), stash::MAX_PER_ACCOUNT);
    // The newest are the ones kept.
    let mut kept: Vec<Vec<u8>> = env
        .stash_ids()
        .iter()
        .map(|id| std::fs::read(env.stashes().root().join(id).join("body")).unwrap())
        .collect();
    kept.sort();
    assert_eq!(
        kept,
        vec![compose_body("attempt 3"), compose_body("attempt 4")]
    );
}

#[tokio::test]
async fn the_hydrated_app_gets_its_401_and_the_text_is_kept() {
    let env = env();
    let session = env.expired_session("alice@example.com");
    let session_cookies = [session.as_str()];
    let body = compose_body("typed in the standard interface");
    let post = Post {
        plain_form: false,
        ..plain_post(&body, &session_cookies)
    };
    let (status, headers, text) = send(&env.app, compose_post(post)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(text.contains("not_signed_in"), "{text}");
    let (cookie, id) = stash_cookie(&headers).unwrap();
    assert_eq!(env.stash_ids(), vec![id.clone()]);

    // An autosave after it replaces it: the browser keeps one stash.
    let body2 = compose_body("typed in the standard interface, and more");
    let cookies = [cookie.as_str(), session.as_str()];
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
    let location = headers[header::LOCATION].to_str().unwrap();
    assert!(location.starts_with("/mail/compose?draft="), "{location}");
    let drafts = env.drafts("alice@example.com");
    assert_eq!(drafts.len(), 1);
    assert!(drafts[0].contains("and more"), "{}", drafts[0]);
}

#[tokio::test]
async fn a_body_over_the_compose_limit_is_not_kept() {
    // 1 MB messages: the compose route takes up to 2 MB + 16 MB of form.
    let env = env_with(1);
    let session = env.expired_session("alice@example.com");
    let session_cookies = [session.as_str()];
    let limit = (2 + 16) << 20;
    let big = vec![b'x'; limit + 1];

    // Declared too long.
    let (status, headers, _) =
        send(&env.app, compose_post(plain_post(&big, &session_cookies))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/login?error=not_kept");
    assert!(stash_cookie(&headers).is_none());

    // Streamed without a length, found too long on the way.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        big.chunks(1 << 20).map(|c| Ok(c.to_vec())).collect();
    let post = Post {
        body: Body::from_stream(futures_util::stream::iter(chunks)),
        length: None,
        ..plain_post(b"", &session_cookies)
    };
    let (status, headers, _) = send(&env.app, compose_post(post)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/login?error=not_kept");
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
        ..plain_post(b"", &session_cookies)
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
    let session = env.expired_session("alice@example.com");
    let session_cookies = [session.as_str()];
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
        let (_, headers, _) =
            send(&env.app, compose_post(plain_post(&body, &session_cookies))).await;
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

    // A stash older than a day, or without an owner, is not restored.
    for (created_at, account) in [
        (
            now() - MAX_AGE_SECS - 1,
            Some(env.account("alice@example.com")),
        ),
        (now(), None),
    ] {
        let mut w = env.stashes().begin().unwrap();
        w.write(&compose_body("old or ownerless")).unwrap();
        let id = w
            .commit(&stash::StashMeta {
                created_at,
                account,
                content_type: format!("multipart/form-data; boundary={BOUNDARY}"),
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
    assert!(env.drafts("alice@example.com").is_empty());
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

/// The stash is read by the same form reader as a live post: an empty
/// spelling fix in it (which looped forever) is ignored when it is restored
/// at sign-in too.
#[tokio::test]
async fn a_stash_with_an_empty_spelling_fix_restores() {
    let env = env();
    let session = env.expired_session("alice@example.com");
    let session_cookies = [session.as_str()];
    let body = form_body(&[
        ("op", "fix"),
        ("account", "alice@example.com"),
        ("subject", "Spelling in a stash"),
        ("body", ""),
        ("fix:", "x"),
        ("fix: ", "y"),
    ]);
    let (_, headers, _) = send(&env.app, compose_post(plain_post(&body, &session_cookies))).await;
    let (cookie, _) = stash_cookie(&headers).unwrap();
    let signing_in = send(
        &env.app,
        login_form("alice@example.com", "alice-password", "standard", &cookie),
    );
    let (_, headers, _) = tokio::time::timeout(std::time::Duration::from_secs(20), signing_in)
        .await
        .expect("the sign-in answered within 20 s");
    let location = headers[header::LOCATION].to_str().unwrap();
    assert!(location.starts_with("/mail/compose?draft="), "{location}");
    let drafts = env.drafts("alice@example.com");
    assert_eq!(drafts.len(), 1);
    assert!(drafts[0].contains("Spelling in a stash"));
}

/// Posts arriving together cannot pass the checks each made before any of
/// them had written: an account receives one stash at a time.
#[tokio::test]
async fn concurrent_posts_of_one_account_keep_one() {
    let env = env();
    let session = env.expired_session("alice@example.com");
    let body = compose_body("sent slowly");
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(4);
    let slow = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    let first_cookies = [session.as_str()];
    Box::leak(Box::new([
        Box::leak(session.clone().into_boxed_str()) as &str
    ]));
    let first = compose_post(Post {
        body: Body::from_stream(slow),
        length: None,
        ..plain_post(b"", &first_cookies)
    });
    let app = env.app.clone();
    let first = tokio::spawn(async move { send(&app, first).await });
    tx.send(Ok(body[..20].to_vec())).await.unwrap();
    // Wait until the first is being written.
    let receiving = || {
        std::fs::read_dir(env.stashes().root())
            .map(|d| {
                d.flatten()
                    .any(|e| e.file_name().to_string_lossy().starts_with("tmp-"))
            })
            .unwrap_or(false)
    };
    for _ in 0..500 {
        if receiving() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(receiving(), "the first post is being received");
    // A second of the same account meanwhile is not kept.
    let session_cookies = [session.as_str()];
    let (_, headers, _) = send(&env.app, compose_post(plain_post(&body, &session_cookies))).await;
    assert_eq!(headers[header::LOCATION], "/login?error=not_kept");
    tx.send(Ok(body[20..].to_vec())).await.unwrap();
    drop(tx);
    let (_, headers, _) = first.await.unwrap();
    assert_eq!(headers[header::LOCATION], "/login?kept=1");
    assert_eq!(env.stash_ids().len(), 1);
}
