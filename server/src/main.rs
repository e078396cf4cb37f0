//! `webmail`: reads configuration, opens the stores, serves or runs an
//! operator command.

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use server::admin;
use server::{Config, Metrics};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Parser)]
#[command(name = "webmail", version, about = "Webmail server and operator tools")]
struct Cli {
    /// Configuration file (TOML). `WEBMAIL_*` variables override it.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Data directory (default `./data`).
    #[arg(long, global = true, value_name = "DIR")]
    data: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web interface (the default).
    Serve {
        /// Address to listen on (default 127.0.0.1:3000; port 0 picks a free one).
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
    },
    /// Manage domains and users.
    Admin {
        #[command(subcommand)]
        command: Admin,
    },
    /// Deliver one message from stdin into a user's mailbox (a local
    /// delivery agent for the MTA). Exits 0 delivered, 67 unknown user,
    /// 75 temporary failure (the MTA retries), 65 bad folder name.
    Deliver {
        /// The recipient, `user@domain`.
        address: String,
        /// Folder to deliver into (default: Inbox; created if missing).
        #[arg(long)]
        folder: Option<String>,
    },
    /// Rebuild a user's mail index from the Maildir, showing progress.
    Reindex {
        /// The user, `user@domain`.
        address: String,
    },
    /// Open a user's mailbox as the server does (healing a damaged index)
    /// and compare the index with the Maildir. Exits 1 listing differences.
    Check {
        /// The user, `user@domain`.
        address: String,
    },
    /// Remove deleted messages older than `retention_days` for every user
    /// (the server does it by itself every few hours).
    PurgeRetention,
    /// Create or reset the demo domain with its users.
    Demo {
        /// How many messages to put in the demo mailbox.
        #[arg(long, default_value_t = 200)]
        messages: usize,
    },
}

#[derive(Subcommand)]
enum Admin {
    /// Domains.
    Domain {
        #[command(subcommand)]
        command: DomainCmd,
    },
    /// Users.
    User {
        #[command(subcommand)]
        command: UserCmd,
    },
}

#[derive(Subcommand)]
enum DomainCmd {
    /// Add a domain.
    Add { domain: String },
    /// List domains.
    List,
}

#[derive(Subcommand)]
enum UserCmd {
    /// Add a user; the password is asked on the terminal or read from stdin.
    Add {
        address: String,
        /// Read the password from the first line of stdin.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Change a user's password (ends their sessions).
    Passwd {
        address: String,
        /// Read the password from the first line of stdin.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users, of one domain or all.
    List { domain: Option<String> },
    /// Set a user's status: active, locked or suspended-sending.
    Status { address: String, status: String },
}

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = Cli::parse();
    if let Err(e) = run(cli) {
        eprintln!("webmail: error: {e:#}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> Result<()> {
    let mut config = Config::load(cli.config.as_deref(), std::env::vars())?;
    if let Some(data) = cli.data {
        config.data_dir = data;
    }
    match cli.command.unwrap_or(Command::Serve { listen: None }) {
        Command::Serve { listen } => {
            if let Some(listen) = listen {
                config.listen = listen;
            }
            serve(config)
        }
        Command::Admin { command } => admin_command(&config, command),
        Command::Deliver { address, folder } => std::process::exit(server::mail_cli::deliver(
            &config,
            &address,
            folder.as_deref(),
        )),
        Command::Reindex { address } => server::mail_cli::reindex(&config, &address),
        Command::PurgeRetention => server::mail_cli::purge_retention(&config),
        Command::Check { address } => {
            let differences = server::mail_cli::check(&config, &address)?;
            if differences.is_empty() {
                println!(
                    "{}: the index agrees with the Maildir",
                    address.trim().to_lowercase()
                );
                Ok(())
            } else {
                for d in &differences {
                    println!("{d}");
                }
                eprintln!(
                    "webmail: {} difference(s) between the index and the Maildir",
                    differences.len()
                );
                std::process::exit(1)
            }
        }
        Command::Demo { messages } => {
            let dir = server::open_directory(&config)?;
            let report = admin::demo(&dir, &config.data_dir, messages)?;
            println!(
                "Demo domain {} is ready in {} ({} messages for {}).",
                report.domain,
                config.data_dir.display(),
                report.messages,
                report.logins[0].0
            );
            println!("Sign in at http://{} with:", config.listen);
            for (address, password) in report.logins {
                println!("  {address}  password: {password}");
            }
            Ok(())
        }
    }
}

fn admin_command(config: &Config, command: Admin) -> Result<()> {
    let dir = server::open_directory(config)?;
    match command {
        Admin::Domain {
            command: DomainCmd::Add { domain },
        } => {
            dir.add_domain(&domain)?;
            println!("added domain {}", domain.trim().to_lowercase());
        }
        Admin::Domain {
            command: DomainCmd::List,
        } => {
            for d in dir.domains()? {
                println!("{d}");
            }
        }
        Admin::User {
            command:
                UserCmd::Add {
                    address,
                    password_stdin,
                },
        } => {
            let password = admin::read_password(password_stdin)?;
            let account = dir.add_user(&address, &password)?;
            println!("added user {}", account.address);
        }
        Admin::User {
            command:
                UserCmd::Passwd {
                    address,
                    password_stdin,
                },
        } => {
            if dir.find_user(&address)?.is_none() {
                bail!("unknown user {address}");
            }
            let password = admin::read_password(password_stdin)?;
            dir.set_password(&address, &password)?;
            println!(
                "password changed for {}; their sessions were ended",
                address.trim().to_lowercase()
            );
        }
        Admin::User {
            command: UserCmd::List { domain },
        } => {
            for a in dir.users(domain.as_deref())? {
                println!("{}", admin::format_user(&a));
            }
        }
        Admin::User {
            command: UserCmd::Status { address, status },
        } => {
            let status: model::AccountStatus = status.parse().map_err(|_| {
                anyhow::anyhow!(
                    "status must be active, locked or suspended-sending, not {status:?}"
                )
            })?;
            dir.set_status(&address, status)?;
            println!("{} is now {status}", address.trim().to_lowercase());
        }
    }
    Ok(())
}

fn init_logging(config: &Config) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_new(&config.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Threads for blocking work (index, directory and file access).
const BLOCKING_THREADS: usize = 16;

fn serve(config: Config) -> Result<()> {
    init_logging(&config);
    mailstore::keep_open(config.open_stores);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Blocking work is short SQLite and file access: a few threads per
        // core keep up, and hundreds of them only contend and take memory.
        .max_blocking_threads(BLOCKING_THREADS)
        .build()
        .context("cannot start the async runtime")?;
    let result = runtime.block_on(async move {
        let directory = server::open_directory(&config)?;
        let relay = match config.relay()? {
            Some(relay) => {
                Some(compose::relay::Relay::new(relay).context("the relay settings are unusable")?)
            }
            None => None,
        };
        let state = server::app_state(&config, directory)?;
        server::outbound::recover(&state.outbound).context("cannot recover the outbound queue")?;
        let metrics = Arc::new(Metrics::new(config.metrics_access()));
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let worker = tokio::spawn(
            server::outbound::Worker {
                outbound: state.outbound.clone(),
                relay,
                directory: state.directory.clone(),
                data_dir: config.data_dir.clone(),
                poll: Duration::from_secs(config.queue_poll_seconds),
                metrics: metrics.clone(),
            }
            .run(stopped.clone()),
        );
        tokio::spawn(server::purge_retention_periodically(
            state.directory.clone(),
            config.data_dir.clone(),
            config.retention_days,
            stopped.clone(),
        ));
        let metrics_for_listener = metrics.clone();
        let app = server::router(state, metrics);
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        let addr = listener.local_addr()?;
        tracing::info!(%addr, data = %config.data_dir.display(), "serving");
        println!("webmail listening on http://{addr}");
        if let Some(metrics_addr) = config.metrics_listen {
            let listener = tokio::net::TcpListener::bind(metrics_addr)
                .await
                .with_context(|| format!("cannot listen on {metrics_addr} (metrics_listen)"))?;
            tracing::info!(addr = %listener.local_addr()?, "serving /metrics");
            let mut metrics_stopped = stopped.clone();
            tokio::spawn(async move {
                let served = axum::serve(listener, server::metrics_router(metrics_for_listener))
                    .with_graceful_shutdown(async move {
                        let _ = metrics_stopped.wait_for(|stop| *stop).await;
                    })
                    .await;
                if let Err(e) = served {
                    tracing::error!(error = %e, "metrics listener failed");
                }
            });
        }
        tokio::spawn(async move {
            shutdown_signal().await;
            let _ = stop.send(true);
        });
        let mut http_stopped = stopped.clone();
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = http_stopped.wait_for(|stop| *stop).await;
        })
        .await
        .context("server failed")?;
        // A pass in progress finishes (bounded by the relay timeout); its
        // results are already recorded, so giving up on it loses nothing.
        let grace = Duration::from_secs(config.relay_timeout_seconds + 5);
        if tokio::time::timeout(grace, worker).await.is_err() {
            tracing::warn!("sending worker still busy; stopping without it");
        }
        tracing::info!("stopped");
        Ok(())
    });
    // Dropping the runtime would wait for a send still in progress.
    runtime.shutdown_timeout(Duration::from_secs(1));
    result
}

/// Resolves on SIGTERM or Ctrl-C; in-flight requests are then finished.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
