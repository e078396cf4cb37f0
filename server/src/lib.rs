//! The HTTP side of the `webmail` binary: the router, its middleware and the
//! operator commands. `main.rs` only parses flags and calls in here, so tests
//! can drive [`router`] without a socket.

#![recursion_limit = "256"]

pub mod admin;
pub mod body_limit;
pub mod config;
pub mod mail_cli;
pub mod metrics;
mod middleware;
pub mod outbound;
pub mod stash;

use app::state::{AppState, Outbound, SecureCookies, WebConfig};
use app::{App, shell};
use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Extension, State};
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list, handle_server_fns_with_context};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

pub use config::Config;
pub use metrics::{Metrics, MetricsAccess};

/// The name of the built js/wasm/css files (`webmail.js`, `webmail_bg.wasm`, `webmail.css`).
pub const OUTPUT_NAME: &str = "webmail";

/// Errors opening the server's stores.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The data directory could not be created.
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The directory database failed to open.
    #[error("cannot open the account directory: {0}")]
    Directory(#[from] accounts::Error),
    /// The outbound queue (`<data_dir>/spool`) failed to open.
    #[error("cannot open the outbound queue: {0}")]
    Spool(compose::Error),
    /// The spell-check dictionaries could not be listed.
    #[error("{cause}; install hunspell-en-us or set spell_dir (now {})", dir.display())]
    Spell {
        /// The configured directory.
        dir: PathBuf,
        /// Why.
        cause: spell::Error,
    },
}

/// Opens the directory database (creating the data dir) with the config's policy.
pub fn open_directory(config: &Config) -> Result<accounts::Directory, OpenError> {
    std::fs::create_dir_all(&config.data_dir).map_err(|source| OpenError::DataDir {
        path: config.data_dir.clone(),
        source,
    })?;
    Ok(accounts::Directory::open_with(
        &config.data_dir.join("directory.sqlite"),
        config.policy(),
    )?)
}

/// Where the built site is: the configured root, else `site/` beside the binary.
pub fn site_root(config: &Config) -> PathBuf {
    config.site_root.clone().unwrap_or_else(|| {
        std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|p| p.join("site")))
            .unwrap_or_else(|| PathBuf::from("site"))
    })
}

/// The build id that names the hashed asset directory `pkg/<id>/`.
fn build_id(site_root: &Path) -> String {
    match std::fs::read_to_string(site_root.join("build-id")) {
        Ok(id) if !id.trim().is_empty() => id.trim().to_owned(),
        _ => {
            tracing::warn!(site = %site_root.display(), "no build-id in the site root; the browser bundle is not built");
            "dev".to_owned()
        }
    }
}

/// Builds the shared state from the config and an open directory: opens
/// the outbound queue in `<data_dir>/spool` and lists the dictionaries.
pub fn app_state(config: &Config, directory: accounts::Directory) -> Result<AppState, OpenError> {
    let site = site_root(config);
    let leptos_options = LeptosOptions::builder()
        .output_name(OUTPUT_NAME)
        .site_root(site.display().to_string())
        .site_pkg_dir(format!("pkg/{}", build_id(&site)))
        .build();
    let queue =
        compose::queue::Queue::open(config.data_dir.join("spool")).map_err(OpenError::Spool)?;
    let spell = spell::Dictionaries::open(&config.spell_dir).map_err(|cause| OpenError::Spell {
        dir: config.spell_dir.clone(),
        cause,
    })?;
    if !spell.has_language(&config.spell_language) {
        tracing::warn!(
            language = %config.spell_language,
            dir = %config.spell_dir.display(),
            available = ?spell.languages(),
            "the default spell-check language has no dictionary"
        );
    }
    // Stashes older than a day are of no use to anyone.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    if let Err(e) = ::stash::Stashes::new(&config.data_dir).remove_expired(now) {
        tracing::warn!(error = %e, "removing expired compose stashes");
    }
    Ok(AppState {
        directory,
        data_dir: config.data_dir.clone(),
        web: Arc::new(WebConfig {
            secure_cookies: match config.secure_cookies.as_str() {
                "always" => SecureCookies::Always,
                "never" => SecureCookies::Never,
                _ => SecureCookies::Auto,
            },
            trust_proxy: config.trust_proxy,
            proxy_hops: config.proxy_hops,
            offer_basic: config.offer_basic,
            max_message_bytes: config.max_message_bytes(),
            default_spell_language: config.spell_language.clone(),
            default_time_zone: config.time_zone.clone(),
            hostname: config.hostname.clone(),
        }),
        outbound: Arc::new(Outbound {
            queue,
            wake: tokio::sync::Notify::new(),
        }),
        spell: Arc::new(spell),
        leptos_options,
    })
}

/// How often the server purges expired retained mail.
pub const RETENTION_PURGE_EVERY: std::time::Duration = std::time::Duration::from_secs(6 * 3600);

/// Purges every user's deleted mail older than `days`, a minute after the
/// start and then every [`RETENTION_PURGE_EVERY`], until `stopped`.
pub async fn purge_retention_periodically(
    directory: accounts::Directory,
    data_root: PathBuf,
    days: u32,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) {
    let mut wait = std::time::Duration::from_secs(60);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stopped.wait_for(|stop| *stop) => return,
        }
        wait = RETENTION_PURGE_EVERY;
        let (dir, root) = (directory.clone(), data_root.clone());
        match tokio::task::spawn_blocking(move || mail::retention::purge(&dir, &root, days)).await {
            Ok(Ok(p)) => tracing::info!(
                users = p.users,
                messages = p.messages,
                skipped = p.skipped,
                "retention purge"
            ),
            Ok(Err(e)) => tracing::warn!(error = %e, "retention purge failed; next one later"),
            Err(e) => tracing::error!(error = %e, "retention purge task"),
        }
    }
}

/// `/metrics` alone, for a listener of its own (`metrics_listen`).
pub fn metrics_router(metrics: Arc<Metrics>) -> Router {
    Router::new()
        .route("/metrics", get(metrics_text))
        .layer(Extension(metrics))
}

/// The whole application.
pub fn router(state: AppState, metrics: Arc<Metrics>) -> Router {
    let routes = generate_route_list(App);
    let site = PathBuf::from(state.leptos_options.site_root.as_ref());
    let immutable = SetResponseHeaderLayer::overriding(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    let assets = tower::ServiceBuilder::new()
        .layer(immutable)
        .layer(SetResponseHeaderLayer::appending(
            header::VARY,
            HeaderValue::from_static("accept-encoding"),
        ))
        .service(
            ServeDir::new(site.join("pkg"))
                .precompressed_br()
                .precompressed_gzip(),
        );
    let favicon = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=86400"),
        ))
        .service(ServeFile::new(site.join("favicon.svg")));

    let labels = middleware::RouteLabels::new(
        routes
            .iter()
            .map(|r| r.path().to_owned())
            .chain(leptos::server_fn::axum::server_fn_paths().map(|(path, _)| path.to_owned()))
            .chain(
                [
                    "/",
                    "/healthz",
                    "/metrics",
                    "/mail/raw",
                    "/mail/part",
                    "/favicon.svg",
                ]
                .map(str::to_owned),
            ),
    );
    let ctx_state = state.clone();
    let opts = state.leptos_options.clone();
    let limits = body_limit::Limits {
        max_message_bytes: state.web.max_message_bytes,
    };
    let router = if metrics.access.on_main {
        Router::new().route("/metrics", get(metrics_text))
    } else {
        Router::new()
    };
    router
        .route("/", get(root))
        .route("/healthz", get(healthz))
        .route("/mail/raw", get(raw_message))
        .route("/mail/part", get(message_part))
        .route(
            "/api/{*fn_name}",
            get(server_fn_handler).post(server_fn_handler),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(ctx_state.clone()),
            move || shell(opts.clone()),
        )
        .nest_service("/pkg", assets)
        .route_service("/favicon.svg", favicon)
        .fallback(not_found)
        // Body limits are checked by `limit_body`, per path; axum's own
        // only needs to let the largest through.
        .layer(DefaultBodyLimit::max(
            usize::try_from(limits.largest()).unwrap_or(usize::MAX),
        ))
        .layer(axum::middleware::from_fn_with_state(
            limits,
            body_limit::limit_body,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::authenticate,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::refuse_cross_site,
        ))
        .layer(axum::middleware::from_fn(middleware::security_headers))
        .layer(axum::middleware::from_fn_with_state(
            (metrics.clone(), labels),
            middleware::record,
        ))
        // Pages and server-function answers go out compressed (a basic inbox
        // page shrinks about tenfold); assets are already precompressed.
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(Extension(metrics))
        .with_state(state)
}

async fn server_fn_handler(State(state): State<AppState>, req: Request<Body>) -> impl IntoResponse {
    handle_server_fns_with_context(move || provide_context(state.clone()), req).await
}

/// `/`: the signed-in user's interface, or the sign-in screen.
async fn root(signed_in: Option<Extension<app::session::SignedIn>>) -> Redirect {
    match signed_in {
        Some(Extension(user)) => Redirect::to(&user.interface.href("/mail")),
        None => Redirect::to("/login"),
    }
}

async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "Not found").into_response()
}

/// Liveness and readiness: the stores open and answer.
async fn healthz(State(state): State<AppState>) -> Response {
    let dir = state.directory.clone();
    match tokio::task::spawn_blocking(move || dir.check()).await {
        Ok(Ok(())) => (StatusCode::OK, "ok\n").into_response(),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "health check: directory");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "directory database unavailable\n",
            )
                .into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "health check panicked");
            (StatusCode::SERVICE_UNAVAILABLE, "health check failed\n").into_response()
        }
    }
}

/// `/metrics`, for whoever `MetricsAccess` allows.
pub async fn metrics_text(
    Extension(metrics): Extension<Arc<Metrics>>,
    headers: axum::http::HeaderMap,
) -> Response {
    if !metrics.access.allows(&headers) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "metrics need a token\n",
        )
            .into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        metrics.render(),
    )
        .into_response()
}

/// Query of `/mail/raw`.
#[derive(serde::Deserialize)]
struct RawQuery {
    folder: String,
    uid: u32,
}

/// Runs a mail use case on the signed-in user's store, or gives the
/// response that says why it failed: the same words and status as the pages
/// (a bad folder name is the request's fault, a rebuilding index is
/// temporary).
async fn on_store<T: Send + 'static>(
    user: &app::session::SignedIn,
    f: impl Fn(&mailstore::Mailstore) -> mail::Result<T> + Send + 'static,
) -> Result<T, Response> {
    let dir = user.user_dir.clone();
    match tokio::task::spawn_blocking(move || mail::mailbox::with_store(&dir, f)).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(mail::Error::NoSuchMessage)) => {
            Err((StatusCode::NOT_FOUND, "That message is no longer here.\n").into_response())
        }
        Ok(Err(mail::Error::NoSuchAttachment)) => Err((
            StatusCode::NOT_FOUND,
            "The message has no such attachment.\n",
        )
            .into_response()),
        Ok(Err(e)) => {
            let e = app::mail::mail_error(e);
            let status =
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            Err((status, format!("{e}\n")).into_response())
        }
        Err(e) => {
            tracing::error!(error = %e, "reading a message: task");
            Err((
                StatusCode::INTERNAL_SERVER_ERROR,
                "The message could not be read.\n",
            )
                .into_response())
        }
    }
}

/// `/mail/raw`: the exact stored bytes of a message, as a download.
async fn raw_message(
    Extension(user): Extension<app::session::SignedIn>,
    axum::extract::Query(q): axum::extract::Query<RawQuery>,
) -> Response {
    let folder = q.folder.clone();
    match on_store(&user, move |s| mail::mailbox::raw(s, &folder, q.uid)).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "message/rfc822".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"message-{}.eml\"", q.uid),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(response) => response,
    }
}

/// Query of `/mail/part`.
#[derive(serde::Deserialize)]
struct PartQuery {
    folder: String,
    uid: u32,
    part: u32,
    /// The attached message the part is in (`2.1`), empty for the stored one.
    #[serde(default, rename = "in")]
    inner: String,
}

/// `/mail/part`: one attachment, always as a download, with a content type
/// that cannot run in the browser.
async fn message_part(
    Extension(user): Extension<app::session::SignedIn>,
    axum::extract::Query(q): axum::extract::Query<PartQuery>,
) -> Response {
    let PartQuery {
        folder,
        uid,
        part,
        inner,
    } = q;
    let part = match on_store(&user, move |s| {
        mail::mailbox::attachment(s, &folder, uid, &inner, part)
    })
    .await
    {
        Ok(part) => part,
        Err(response) => return response,
    };
    let disposition = format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        part.ascii_filename,
        model::mail::encode(&part.filename)
    );
    (
        [
            (header::CONTENT_TYPE, part.content_type),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        part.bytes,
    )
        .into_response()
}
