//! The configuration file (serde + toml, defaults documented in `assets/config.toml`) and the
//! places kiosque keeps its files (data dir, database, log, config path).

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The documented default configuration, shipped inside the binary.
pub const DEFAULT_CONFIG_TOML: &str = include_str!("../assets/config.toml");

/// A configuration problem, with the file and line when there is one.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("bad config file {path}: {message}")]
    Invalid { path: String, message: String },
    #[error("no data directory: set $KIOSQUE_DATA_DIR or pass --data-dir DIR")]
    NoDataDir,
}

/// Keys bound to one action, with the config line they came from (for error messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyBinding {
    pub keys: Vec<String>,
    /// 1-based line in the config file.
    pub line: usize,
}

/// Everything the user can set. Unknown keys are an error (they are usually typos).
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub refresh_minutes: u64,
    pub refresh_on_start: bool,
    pub concurrency: usize,
    pub per_host: usize,
    pub timeout_seconds: u64,
    pub connect_timeout_seconds: u64,
    pub max_body_bytes: u64,
    pub keep_days: u32,
    pub mark_read_on_open: bool,
    pub prefetch: usize,
    pub browser: Option<String>,
    /// Action name → keys, as written in `[keys]`; the TUI's keymap validates them.
    pub keys: BTreeMap<String, KeyBinding>,
    /// The file this came from, if any.
    pub path: Option<PathBuf>,
    /// `[sync]`: the aggregator to sync with; `None`: kiosque polls the feeds itself.
    pub sync: Option<SyncConfig>,
}

/// The protocols `[sync] service` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncServiceKind {
    /// The Google Reader API (FreshRSS, Miniflux, The Old Reader, BazQux, Inoreader).
    GReader,
}

/// The `[sync]` table. The password is never here: `password_command`'s first line of
/// output, else `$KIOSQUE_SYNC_PASSWORD`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncConfig {
    pub service: SyncServiceKind,
    /// The API root: FreshRSS `https://HOST/api/greader.php`, Miniflux its root URL.
    pub url: String,
    pub username: String,
    pub password_command: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSync {
    service: String,
    url: String,
    username: String,
    password_command: Option<String>,
}

impl RawSync {
    fn check(self) -> Result<SyncConfig, String> {
        let service = match self.service.trim() {
            "greader" => SyncServiceKind::GReader,
            other => {
                return Err(format!(
                    "[sync] service {other:?} is not known (the one supported: \"greader\")"
                ));
            }
        };
        let url = self.url.trim();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!("[sync] url {url:?} must be an http(s) URL"));
        }
        if self.username.trim().is_empty() {
            return Err("[sync] username is empty".into());
        }
        Ok(SyncConfig {
            service,
            url: url.to_string(),
            username: self.username.trim().to_string(),
            password_command: self.password_command.filter(|c| !c.trim().is_empty()),
        })
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            refresh_minutes: 30,
            refresh_on_start: true,
            concurrency: 32,
            per_host: 4,
            timeout_seconds: 20,
            connect_timeout_seconds: 10,
            max_body_bytes: 20_000_000,
            keep_days: 90,
            mark_read_on_open: true,
            prefetch: 5,
            browser: None,
            keys: BTreeMap::new(),
            path: None,
            sync: None,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum KeyList {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    refresh_minutes: Option<u64>,
    refresh_on_start: Option<bool>,
    concurrency: Option<usize>,
    per_host: Option<usize>,
    timeout_seconds: Option<u64>,
    connect_timeout_seconds: Option<u64>,
    max_body_bytes: Option<u64>,
    keep_days: Option<u32>,
    mark_read_on_open: Option<bool>,
    prefetch: Option<usize>,
    browser: Option<String>,
    #[serde(default)]
    keys: BTreeMap<String, toml::Spanned<KeyList>>,
    sync: Option<RawSync>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |s| s.matches('\n').count() + 1)
}

impl Config {
    /// Parse config text; `origin` names the file in error messages.
    pub fn parse(text: &str, origin: &str) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Invalid {
            path: origin.to_string(),
            message: match e.span() {
                Some(span) => format!("line {}: {}", line_of(text, span.start), e.message().trim()),
                None => e.message().trim().to_string(),
            },
        })?;
        let d = Config::default();
        let invalid = |message: String| ConfigError::Invalid {
            path: origin.to_string(),
            message,
        };
        let config = Config {
            refresh_minutes: raw.refresh_minutes.unwrap_or(d.refresh_minutes),
            refresh_on_start: raw.refresh_on_start.unwrap_or(d.refresh_on_start),
            concurrency: raw.concurrency.unwrap_or(d.concurrency),
            per_host: raw.per_host.unwrap_or(d.per_host),
            timeout_seconds: raw.timeout_seconds.unwrap_or(d.timeout_seconds),
            connect_timeout_seconds: raw
                .connect_timeout_seconds
                .unwrap_or(d.connect_timeout_seconds),
            max_body_bytes: raw.max_body_bytes.unwrap_or(d.max_body_bytes),
            keep_days: raw.keep_days.unwrap_or(d.keep_days),
            mark_read_on_open: raw.mark_read_on_open.unwrap_or(d.mark_read_on_open),
            prefetch: raw.prefetch.unwrap_or(d.prefetch),
            browser: raw.browser.filter(|b| !b.trim().is_empty()),
            keys: raw
                .keys
                .into_iter()
                .map(|(action, spanned)| {
                    let line = line_of(text, spanned.span().start);
                    let keys = match spanned.into_inner() {
                        KeyList::One(k) => vec![k],
                        KeyList::Many(ks) => ks,
                    };
                    (action, KeyBinding { keys, line })
                })
                .collect(),
            path: None,
            sync: raw.sync.map(RawSync::check).transpose().map_err(invalid)?,
        };
        if config.concurrency == 0 || config.per_host == 0 {
            return Err(invalid(
                "concurrency and per_host must be at least 1".to_string(),
            ));
        }
        if config.timeout_seconds == 0 || config.connect_timeout_seconds == 0 {
            return Err(invalid("timeouts must be at least 1 second".to_string()));
        }
        Ok(config)
    }

    /// Load the config at `path`; a missing file means the defaults.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let mut config = Config::parse(&text, &path.display().to_string())?;
                config.path = Some(path.to_path_buf());
                Ok(config)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(source) => Err(ConfigError::Read {
                path: path.display().to_string(),
                source,
            }),
        }
    }
}

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "kiosque")
}

/// The config file: `$KIOSQUE_CONFIG`, else `--config`, else `~/.config/kiosque/config.toml`.
pub fn config_path(flag: Option<&Path>) -> Option<PathBuf> {
    if let Some(env) = std::env::var_os("KIOSQUE_CONFIG").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(env));
    }
    if let Some(flag) = flag {
        return Some(flag.to_path_buf());
    }
    project_dirs().map(|d| d.config_dir().join("config.toml"))
}

/// The data directory: `$KIOSQUE_DATA_DIR`, else `--data-dir`, else the platform data dir.
pub fn data_dir(flag: Option<&Path>) -> Result<PathBuf, ConfigError> {
    if let Some(env) = std::env::var_os("KIOSQUE_DATA_DIR").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(env));
    }
    if let Some(flag) = flag {
        return Ok(flag.to_path_buf());
    }
    project_dirs()
        .map(|d| d.data_dir().to_path_buf())
        .ok_or(ConfigError::NoDataDir)
}

/// The database inside a data directory.
pub fn database_path(data_dir: &Path) -> PathBuf {
    data_dir.join("kiosque.db")
}

/// The log file inside a data directory.
pub const LOG_FILE_NAME: &str = "kiosque.log";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_default_file_parses_to_the_defaults() {
        let c = Config::parse(DEFAULT_CONFIG_TOML, "default").unwrap();
        assert_eq!(c, Config::default());
    }

    #[test]
    fn unknown_key_names_its_line() {
        let err = Config::parse("refresh_minutes = 5\nrefresh_minuts = 3\n", "c.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2"), "{err}");
        assert!(err.contains("refresh_minuts"), "{err}");
    }

    #[test]
    fn wrong_type_names_its_line() {
        let err = Config::parse("\n\nconcurrency = \"many\"\n", "c.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 3"), "{err}");
    }

    #[test]
    fn keys_keep_their_lines() {
        let c = Config::parse("[keys]\nquit = \"x\"\nnext = [\"j\", \"down\"]\n", "c").unwrap();
        assert_eq!(
            c.keys["quit"],
            KeyBinding {
                keys: vec!["x".into()],
                line: 2
            }
        );
        assert_eq!(c.keys["next"].line, 3);
        assert_eq!(c.keys["next"].keys.len(), 2);
    }

    #[test]
    fn zero_concurrency_is_refused() {
        assert!(Config::parse("concurrency = 0", "c").is_err());
    }

    #[test]
    fn a_sync_table_is_read_and_checked() {
        let c = Config::parse(
            "[sync]\nservice = \"greader\"\nurl = \"https://rss.example.org/api/greader.php\"\nusername = \"alice\"\npassword_command = \"pass show rss\"\n",
            "c",
        )
        .unwrap();
        let sync = c.sync.unwrap();
        assert_eq!(sync.service, SyncServiceKind::GReader);
        assert_eq!(sync.password_command.as_deref(), Some("pass show rss"));
        for bad in [
            "[sync]\nservice = \"ttrss\"\nurl = \"https://a\"\nusername = \"a\"\n",
            "[sync]\nservice = \"greader\"\nurl = \"ftp://a\"\nusername = \"a\"\n",
            "[sync]\nservice = \"greader\"\nurl = \"https://a\"\nusername = \"a\"\npassword = \"x\"\n",
        ] {
            assert!(Config::parse(bad, "c").is_err(), "{bad}");
        }
    }

    #[test]
    fn missing_file_means_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let c = Config::load(&dir.path().join("nope.toml")).unwrap();
        assert_eq!(c, Config::default());
    }
}
