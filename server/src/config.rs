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
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 3000)),
            data_dir: PathBuf::from("data"),
            site_root: None,
            secure_cookies: "auto".to_owned(),
            trust_proxy: false,
            offer_basic: true,
            session_ttl_hours: 14 * 24,
            login_max_failures_per_account: 5,
            login_max_failures_per_client: 20,
            login_window_minutes: 15,
            log: "info".to_owned(),
            log_format: "text".to_owned(),
        }
    }
}

/// The keys, as they appear in the file and (upper-cased) after `WEBMAIL_`.
pub const KEYS: &[&str] = &[
    "listen",
    "data_dir",
    "site_root",
    "secure_cookies",
    "trust_proxy",
    "offer_basic",
    "session_ttl_hours",
    "login_max_failures_per_account",
    "login_max_failures_per_client",
    "login_window_minutes",
    "log",
    "log_format",
];

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
            toml::Value::Table(table)
                .try_into()
                .map_err(|e: toml::de::Error| ConfigError::Invalid {
                    origin: file.map(|p| p.display().to_string()),
                    message: e.message().to_owned(),
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
        if self.session_ttl_hours < 1 {
            return bad("session_ttl_hours must be at least 1".to_owned());
        }
        if self.login_window_minutes < 1 {
            return bad("login_window_minutes must be at least 1".to_owned());
        }
        if self.login_max_failures_per_account < 1 || self.login_max_failures_per_client < 1 {
            return bad("login_max_failures_* must be at least 1".to_owned());
        }
        Ok(())
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
}
