//! Configuration: defaults, then a TOML file, then `WEBMAIL_*` environment
//! variables, then command-line flags. Every key is documented in the README.

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Errors reading the configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file or an environment variable has a bad value.
    #[error("invalid configuration{}: {message}", origin.as_ref().map(|o| format!(" in {o}")).unwrap_or_default())]
    Invalid {
        /// File name, when the error is in the file.
        origin: Option<String>,
        /// What is wrong.
        message: String,
    },
}

/// The keys, their defaults and meanings (see README "Configuration").
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address and port to listen on.
    pub listen: SocketAddr,
    /// Where all data lives (directory database, mailboxes, spool).
    pub data_dir: PathBuf,
    /// The built static site (wasm, js, css). Default: `site/` beside the binary.
    pub site_root: Option<PathBuf>,
    /// `auto` (Secure when the request came over TLS), `always` or `never`.
    pub secure_cookies: String,
    /// Trust `X-Forwarded-For` / `X-Forwarded-Proto` (only behind a reverse proxy).
    pub trust_proxy: bool,
    /// How many reverse proxies stand in front, when `trust_proxy` is on:
    /// the client is the `X-Forwarded-For` entry this far from the right.
    pub proxy_hops: u32,
    /// Offer the basic interface on the sign-in screen.
    pub offer_basic: bool,
    /// Session lifetime in hours, renewed while in use.
    pub session_ttl_hours: i64,
    /// Failed sign-ins per account within the window before it is paused.
    pub login_max_failures_per_account: u32,
    /// Failed sign-ins per client address within the window before it is paused.
    pub login_max_failures_per_client: u32,
    /// The rate-limiting window, in minutes.
    pub login_window_minutes: i64,
    /// Log filter, in `tracing` env-filter syntax (e.g. `info,server=debug`).
    pub log: String,
    /// `text` or `json`.
    pub log_format: String,
    /// This server's name: in Message-IDs, `EHLO`, receipts and bounces.
    pub hostname: String,
    /// The SMTP relay for mail to other servers; empty: none (such mail
    /// waits in the queue until one is configured).
    pub relay_host: String,
    /// The relay's port.
    pub relay_port: u16,
    /// `none`, `starttls` (required, not opportunistic) or `tls` (from the
    /// first byte, usually port 465).
    pub relay_security: String,
    /// Login at the relay; empty: no `AUTH`.
    pub relay_username: String,
    /// Password for `relay_username`.
    pub relay_password: String,
    /// A file whose first line is the relay password (instead of
    /// `relay_password`).
    pub relay_password_file: Option<PathBuf>,
    /// Timeout for connecting to the relay and for each of its replies.
    pub relay_timeout_seconds: u64,
    /// A PEM file of certificates to trust for the relay besides the usual
    /// roots (a relay with a private CA).
    pub relay_ca_file: Option<PathBuf>,
    /// The longest the queue worker sleeps between looks at the queue.
    pub queue_poll_seconds: u64,
    /// Hunspell dictionaries (`<lang>.aff` + `<lang>.dic`).
    pub spell_dir: PathBuf,
    /// Time zone (IANA name) of users who chose none.
    pub time_zone: String,
    /// Spell-check language for users who chose none.
    pub spell_language: String,
    /// The largest message a user may send, attachments included, in MB.
    pub max_message_mb: u64,
    /// Users whose mail index stays open between their requests.
    pub open_stores: usize,
    /// Days a deleted message stays restorable before it is purged.
    pub retention_days: u32,
    /// Serve `/metrics` on this address only (not on `listen`).
    pub metrics_listen: Option<SocketAddr>,
    /// When set, `/metrics` answers only requests carrying
    /// `Authorization: Bearer <token>`.
    pub metrics_token: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 3000)),
            data_dir: PathBuf::from("data"),
            site_root: None,
            secure_cookies: "auto".to_owned(),
            trust_proxy: false,
            proxy_hops: 1,
            offer_basic: true,
            session_ttl_hours: 14 * 24,
            login_max_failures_per_account: 5,
            login_max_failures_per_client: 20,
            login_window_minutes: 15,
            log: "info".to_owned(),
            log_format: "text".to_owned(),
            hostname: default_hostname(),
            relay_host: String::new(),
            relay_port: 587,
            relay_security: "starttls".to_owned(),
            relay_username: String::new(),
            relay_password: String::new(),
            relay_password_file: None,
            relay_timeout_seconds: 30,
            relay_ca_file: None,
            queue_poll_seconds: 60,
            spell_dir: PathBuf::from(spell::DEFAULT_DIR),
            time_zone: accounts::zone::DEFAULT_ZONE.to_owned(),
            spell_language: "en_US".to_owned(),
            max_message_mb: 25,
            open_stores: 64,
            retention_days: 30,
            metrics_listen: None,
            metrics_token: String::new(),
        }
    }
}

/// The machine's host name, or `localhost` when it has none usable.
fn default_hostname() -> String {
    hostname::get()
        .ok()
        .and_then(|h| h.into_string().ok())
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| valid_hostname(h))
        .unwrap_or_else(|| "localhost".to_owned())
}

/// A DNS name: dot-separated labels of letters, digits and hyphens.
fn valid_hostname(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// The keys, as they appear in the file and (upper-cased) after `WEBMAIL_`.
pub const KEYS: &[&str] = &[
    "listen",
    "data_dir",
    "site_root",
    "secure_cookies",
    "trust_proxy",
    "proxy_hops",
    "offer_basic",
    "session_ttl_hours",
    "login_max_failures_per_account",
    "login_max_failures_per_client",
    "login_window_minutes",
    "log",
    "log_format",
    "hostname",
    "relay_host",
    "relay_port",
    "relay_security",
    "relay_username",
    "relay_password",
    "relay_password_file",
    "relay_timeout_seconds",
    "relay_ca_file",
    "queue_poll_seconds",
    "spell_dir",
    "time_zone",
    "spell_language",
    "max_message_mb",
    "open_stores",
    "retention_days",
    "metrics_listen",
    "metrics_token",
];

/// The most `retention_days` may be (ten years).
pub const RETENTION_DAYS_LIMIT: u32 = 3650;
/// The most `max_message_mb` may be.
pub const MAX_MESSAGE_MB_LIMIT: u64 = 1024;
/// The most `open_stores` may be (each holds an index connection and up
/// to 8 MB of its cache).
pub const OPEN_STORES_LIMIT: usize = 10_000;

impl Config {
    /// Loads the file (if any) and applies the environment `vars`.
    pub fn load(
        file: Option<&Path>,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let mut table = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.to_owned(),
                    source,
                })?;
                text.parse::<toml::Table>()
                    .map_err(|e| ConfigError::Invalid {
                        origin: Some(path.display().to_string()),
                        message: e.message().to_owned(),
                    })?
            }
            None => toml::Table::new(),
        };
        for (name, value) in vars {
            let Some(key) = name.strip_prefix("WEBMAIL_") else {
                continue;
            };
            let key = key.to_ascii_lowercase();
            // WEBMAIL_DATA is accepted as a short form of WEBMAIL_DATA_DIR.
            let key = if key == "data" {
                "data_dir".to_owned()
            } else {
                key
            };
            if !KEYS.contains(&key.as_str()) {
                continue;
            }
            table.insert(key, env_value(&value));
        }
        let config: Config =
            toml::Value::Table(table.clone())
                .try_into()
                .map_err(|e: toml::de::Error| ConfigError::Invalid {
                    origin: file.map(|p| p.display().to_string()),
                    message: name_the_key(&table, e.message()),
                })?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let bad = |message: String| {
            Err(ConfigError::Invalid {
                origin: None,
                message,
            })
        };
        if !["auto", "always", "never"].contains(&self.secure_cookies.as_str()) {
            return bad(format!(
                "secure_cookies must be auto, always or never, not {:?}",
                self.secure_cookies
            ));
        }
        if !["text", "json"].contains(&self.log_format.as_str()) {
            return bad(format!(
                "log_format must be text or json, not {:?}",
                self.log_format
            ));
        }
        if !(1..=10).contains(&self.proxy_hops) {
            return bad("proxy_hops must be between 1 and 10".to_owned());
        }
        if self.session_ttl_hours < 1 {
            return bad("session_ttl_hours must be at least 1".to_owned());
        }
        if self.login_window_minutes < 1 {
            return bad("login_window_minutes must be at least 1".to_owned());
        }
        if self.login_max_failures_per_account < 1 || self.login_max_failures_per_client < 1 {
            return bad("login_max_failures_* must be at least 1".to_owned());
        }
        if !valid_hostname(&self.hostname) {
            return bad(format!(
                "hostname must be a DNS name like mail.example.com, not {:?}",
                self.hostname
            ));
        }
        if !self.relay_host.is_empty()
            && !valid_hostname(&self.relay_host)
            && self.relay_host.parse::<std::net::IpAddr>().is_err()
        {
            return bad(format!(
                "relay_host must be a host name or an IP address, not {:?}",
                self.relay_host
            ));
        }
        if self.relay_port == 0 {
            return bad("relay_port must be between 1 and 65535".to_owned());
        }
        if !accounts::zone::is_zone(&self.time_zone) {
            return bad(format!(
                "time_zone must be a time zone name such as Europe/Berlin or UTC, not {:?}",
                self.time_zone
            ));
        }
        if !["none", "starttls", "tls"].contains(&self.relay_security.as_str()) {
            return bad(format!(
                "relay_security must be none, starttls or tls, not {:?}",
                self.relay_security
            ));
        }
        if !self.relay_password.is_empty() && self.relay_password_file.is_some() {
            return bad("relay_password and relay_password_file are both set; keep one".to_owned());
        }
        if self.relay_username.is_empty()
            && (!self.relay_password.is_empty() || self.relay_password_file.is_some())
        {
            return bad("relay_password is set but relay_username is empty".to_owned());
        }
        if !(1..=3600).contains(&self.relay_timeout_seconds) {
            return bad("relay_timeout_seconds must be between 1 and 3600".to_owned());
        }
        if !(1..=3600).contains(&self.queue_poll_seconds) {
            return bad("queue_poll_seconds must be between 1 and 3600".to_owned());
        }
        if self.spell_language.is_empty()
            || !self
                .spell_language
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return bad(format!(
                "spell_language must be a dictionary name like en_US, not {:?}",
                self.spell_language
            ));
        }
        if !self.metrics_token.is_empty() && self.metrics_token.len() < 16 {
            return bad("metrics_token must be at least 16 characters long".to_owned());
        }
        if self.metrics_listen.is_some() && self.metrics_listen == Some(self.listen) {
            return bad("metrics_listen must differ from listen".to_owned());
        }
        if !(1..=MAX_MESSAGE_MB_LIMIT).contains(&self.max_message_mb) {
            return bad(format!(
                "max_message_mb must be between 1 and {MAX_MESSAGE_MB_LIMIT}"
            ));
        }
        if !(1..=RETENTION_DAYS_LIMIT).contains(&self.retention_days) {
            return bad(format!(
                "retention_days must be between 1 and {RETENTION_DAYS_LIMIT}"
            ));
        }
        if self.open_stores > OPEN_STORES_LIMIT {
            return bad(format!(
                "open_stores must be between 0 and {OPEN_STORES_LIMIT}"
            ));
        }
        Ok(())
    }

    /// Who may read `/metrics`.
    pub fn metrics_access(&self) -> crate::MetricsAccess {
        crate::MetricsAccess {
            token: (!self.metrics_token.is_empty()).then(|| self.metrics_token.clone()),
            on_main: self.metrics_listen.is_none(),
        }
    }

    /// The largest message a user may send, in bytes.
    pub fn max_message_bytes(&self) -> u64 {
        self.max_message_mb * 1024 * 1024
    }

    /// The relay settings, or `None` when no relay is configured. Reads
    /// `relay_password_file`.
    pub fn relay(&self) -> Result<Option<compose::relay::RelayConfig>, ConfigError> {
        use compose::relay::{RelayConfig, Security};
        if self.relay_host.is_empty() {
            return Ok(None);
        }
        let password = match &self.relay_password_file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Invalid {
                    origin: None,
                    message: format!("relay_password_file {} cannot be read: {e}", path.display()),
                })?;
                let line = text.lines().next().unwrap_or("").to_owned();
                if line.is_empty() {
                    return Err(ConfigError::Invalid {
                        origin: None,
                        message: format!(
                            "relay_password_file {} has an empty first line",
                            path.display()
                        ),
                    });
                }
                Some(line)
            }
            None if self.relay_password.is_empty() => None,
            None => Some(self.relay_password.clone()),
        };
        let ca_pem = match &self.relay_ca_file {
            Some(path) => {
                Some(
                    std::fs::read_to_string(path).map_err(|e| ConfigError::Invalid {
                        origin: None,
                        message: format!("relay_ca_file {} cannot be read: {e}", path.display()),
                    })?,
                )
            }
            None => None,
        };
        Ok(Some(RelayConfig {
            host: self.relay_host.clone(),
            port: self.relay_port,
            security: match self.relay_security.as_str() {
                "none" => Security::None,
                "tls" => Security::Tls,
                _ => Security::StartTls,
            },
            username: (!self.relay_username.is_empty()).then(|| self.relay_username.clone()),
            password,
            timeout: std::time::Duration::from_secs(self.relay_timeout_seconds),
            hello_name: Some(self.hostname.clone()),
            ca_pem,
        }))
    }

    /// The directory database's policy from these settings.
    pub fn policy(&self) -> accounts::Policy {
        accounts::Policy {
            session_ttl_secs: self.session_ttl_hours * 3600,
            max_failures_per_account: self.login_max_failures_per_account,
            max_failures_per_client: self.login_max_failures_per_client,
            failure_window_secs: self.login_window_minutes * 60,
            ..accounts::Policy::default()
        }
    }
}

/// A type error from serde names no key: find the key whose value alone
/// fails, and put its name in front.
fn name_the_key(table: &toml::Table, message: &str) -> String {
    table
        .iter()
        .find(|(key, value)| {
            let mut alone = toml::Table::new();
            alone.insert((*key).clone(), (*value).clone());
            toml::Value::Table(alone).try_into::<Config>().is_err()
        })
        .map(|(key, _)| format!("{key}: {message}"))
        .unwrap_or_else(|| message.to_owned())
}

/// An environment value as TOML when it parses as a TOML scalar (`true`,
/// `5`), else as a string (`127.0.0.1:3000`, `/srv/mail`).
fn env_value(raw: &str) -> toml::Value {
    format!("v = {raw}")
        .parse::<toml::Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .filter(|v| !v.is_table() && !v.is_array())
        .unwrap_or_else(|| toml::Value::String(raw.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults() {
        let c = Config::load(None, vars(&[])).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:3000");
        assert_eq!(c.data_dir, PathBuf::from("data"));
        assert!(c.offer_basic);
    }

    #[test]
    fn file_then_env() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("webmail.toml");
        std::fs::write(
            &file,
            "listen = \"0.0.0.0:8080\"\ntrust_proxy = true\nlog = \"debug\"\n",
        )
        .unwrap();
        let c = Config::load(
            Some(&file),
            vars(&[
                ("WEBMAIL_LOG", "warn"),
                ("WEBMAIL_DATA", "/srv/mail"),
                ("WEBMAIL_OFFER_BASIC", "false"),
                ("WEBMAIL_LOGIN_WINDOW_MINUTES", "30"),
                ("WEBMAIL_UNRELATED", "x"),
                ("HOME", "/root"),
            ]),
        )
        .unwrap();
        assert_eq!(c.listen.to_string(), "0.0.0.0:8080");
        assert!(c.trust_proxy);
        assert_eq!(c.log, "warn");
        assert_eq!(c.data_dir, PathBuf::from("/srv/mail"));
        assert!(!c.offer_basic);
        assert_eq!(c.login_window_minutes, 30);
    }

    #[test]
    fn bad_values_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let cases: &[(&str, &str)] = &[
            ("listen = \"nowhere\"", "listen"),
            ("unknown_key = 1", "unknown_key"),
            ("secure_cookies = \"sometimes\"", "secure_cookies"),
            ("log_format = \"xml\"", "log_format"),
            ("session_ttl_hours = 0", "session_ttl_hours"),
            ("listen = ", "config"),
        ];
        for (text, needle) in cases {
            let file = dir.path().join("c.toml");
            std::fs::write(&file, text).unwrap();
            let err = Config::load(Some(&file), vars(&[]))
                .unwrap_err()
                .to_string();
            assert!(
                err.contains(needle) || err.contains("invalid"),
                "{text}: {err}"
            );
        }
        let err =
            Config::load(Some(Path::new("/nonexistent/webmail.toml")), vars(&[])).unwrap_err();
        assert!(err.to_string().contains("cannot read config file"));
        let err = Config::load(None, vars(&[("WEBMAIL_TRUST_PROXY", "maybe")])).unwrap_err();
        assert!(err.to_string().contains("invalid configuration"), "{err}");
    }

    #[test]
    fn sending_keys_have_defaults() {
        let c = Config::load(None, vars(&[])).unwrap();
        assert!(valid_hostname(&c.hostname), "{}", c.hostname);
        assert_eq!(c.relay_host, "");
        assert_eq!(c.relay().unwrap(), None);
        assert_eq!(c.relay_port, 587);
        assert_eq!(c.relay_security, "starttls");
        assert_eq!(c.relay_timeout_seconds, 30);
        assert_eq!(c.queue_poll_seconds, 60);
        assert_eq!(c.spell_dir, PathBuf::from("/usr/share/hunspell"));
        assert_eq!(c.spell_language, "en_US");
        assert_eq!(c.max_message_bytes(), 25 * 1024 * 1024);
    }

    #[test]
    fn relay_from_env() {
        use compose::relay::Security;
        let c = Config::load(
            None,
            vars(&[
                ("WEBMAIL_HOSTNAME", "mail.example.com"),
                ("WEBMAIL_RELAY_HOST", "127.0.0.1"),
                ("WEBMAIL_RELAY_PORT", "2525"),
                ("WEBMAIL_RELAY_SECURITY", "none"),
                ("WEBMAIL_RELAY_TIMEOUT_SECONDS", "5"),
            ]),
        )
        .unwrap();
        let relay = c.relay().unwrap().unwrap();
        assert_eq!(relay.host, "127.0.0.1");
        assert_eq!(relay.port, 2525);
        assert_eq!(relay.security, Security::None);
        assert_eq!(relay.username, None);
        assert_eq!(relay.password, None);
        assert_eq!(relay.timeout, std::time::Duration::from_secs(5));
        assert_eq!(relay.hello_name.as_deref(), Some("mail.example.com"));
    }

    #[test]
    fn relay_password_from_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("secret");
        std::fs::write(&secret, "s3cret pass\nignored\n").unwrap();
        let c = Config::load(
            None,
            vars(&[
                ("WEBMAIL_RELAY_HOST", "smtp.example.net"),
                ("WEBMAIL_RELAY_SECURITY", "tls"),
                ("WEBMAIL_RELAY_USERNAME", "webmail"),
                ("WEBMAIL_RELAY_PASSWORD_FILE", secret.to_str().unwrap()),
            ]),
        )
        .unwrap();
        let relay = c.relay().unwrap().unwrap();
        assert_eq!(relay.security, compose::relay::Security::Tls);
        assert_eq!(relay.username.as_deref(), Some("webmail"));
        assert_eq!(relay.password.as_deref(), Some("s3cret pass"));
        let missing = Config {
            relay_password_file: Some(dir.path().join("absent")),
            ..c
        };
        let err = missing.relay().unwrap_err().to_string();
        assert!(err.contains("relay_password_file"), "{err}");
    }

    #[test]
    fn relay_ca_from_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca.pem");
        let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        std::fs::write(&ca, pem).unwrap();
        let c = Config::load(
            None,
            vars(&[
                ("WEBMAIL_RELAY_HOST", "smtp.example.net"),
                ("WEBMAIL_RELAY_CA_FILE", ca.to_str().unwrap()),
            ]),
        )
        .unwrap();
        assert_eq!(c.relay().unwrap().unwrap().ca_pem.as_deref(), Some(pem));
        let missing = Config {
            relay_ca_file: Some(dir.path().join("absent")),
            ..c
        };
        let err = missing.relay().unwrap_err().to_string();
        assert!(err.contains("relay_ca_file"), "{err}");
    }

    #[test]
    fn bad_sending_values_name_their_key() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("WEBMAIL_HOSTNAME", "not a host")], "hostname"),
            (&[("WEBMAIL_RELAY_HOST", "smtp example")], "relay_host"),
            (&[("WEBMAIL_TIME_ZONE", "Europe/Atlantis")], "time_zone"),
            (&[("WEBMAIL_RELAY_PORT", "0")], "relay_port"),
            (&[("WEBMAIL_RELAY_PORT", "70000")], "relay_port"),
            (&[("WEBMAIL_RELAY_SECURITY", "ssl")], "relay_security"),
            (
                &[
                    ("WEBMAIL_RELAY_USERNAME", "u"),
                    ("WEBMAIL_RELAY_PASSWORD", "p"),
                    ("WEBMAIL_RELAY_PASSWORD_FILE", "/etc/p"),
                ],
                "relay_password_file",
            ),
            (&[("WEBMAIL_RELAY_PASSWORD", "p")], "relay_username"),
            (
                &[("WEBMAIL_RELAY_TIMEOUT_SECONDS", "0")],
                "relay_timeout_seconds",
            ),
            (&[("WEBMAIL_QUEUE_POLL_SECONDS", "0")], "queue_poll_seconds"),
            (&[("WEBMAIL_SPELL_LANGUAGE", "../etc")], "spell_language"),
            (&[("WEBMAIL_MAX_MESSAGE_MB", "0")], "max_message_mb"),
            (&[("WEBMAIL_MAX_MESSAGE_MB", "5000")], "max_message_mb"),
            (&[("WEBMAIL_OPEN_STORES", "100000")], "open_stores"),
            (&[("WEBMAIL_RETENTION_DAYS", "0")], "retention_days"),
            (&[("WEBMAIL_RETENTION_DAYS", "99999")], "retention_days"),
        ];
        for (env, key) in cases {
            let err = Config::load(None, vars(env)).unwrap_err().to_string();
            assert!(err.contains(key), "{env:?}: {err}");
        }
    }
}
