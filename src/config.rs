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
    #[error(
        "the config file {path} does not exist (given with --config; leave it out for the defaults)"
    )]
    Missing { path: String },
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
    /// The TUI's palette: `theme = "dark" | "light"`.
    pub theme: ThemeName,
    /// `[colors]`: role → colour, over the theme's (the TUI checks the names).
    pub colors: BTreeMap<String, String>,
    /// The file this came from, if any.
    pub path: Option<PathBuf>,
    /// `[sync]`: the aggregator to sync with; `None`: kiosque polls the feeds itself.
    pub sync: Option<SyncConfig>,
    /// `player = ["mpv", "--no-video"]`: the program (then its arguments) that plays an
    /// enclosure, given its URL last; empty: the browser opens it.
    pub player: Vec<String>,
    /// `hyperlinks = "auto" | "on" | "off"`: links in the reader as OSC 8 hyperlinks.
    pub hyperlinks: HyperlinkMode,
    /// `images = "auto" | "off" | "halfblocks"`: pictures in the reading pane.
    pub images: ImagesMode,
    /// `[[smart_feeds]]`: saved searches shown in the feeds sidebar.
    pub smart_feeds: Vec<SmartFeedConfig>,
    /// `[[rules]]`: what to do with new items a query matches, on arrival.
    pub rules: Vec<RuleConfig>,
    /// `[[notify]]`: commands run after a background refresh brought items a query matches.
    pub notify: Vec<NotifyConfig>,
    /// The feeds sidebar: folders, hidden read feeds, order.
    pub sidebar: SidebarConfig,
}

/// `hyperlinks`: OSC 8 links in the reading pane. "auto" only on terminals known to
/// support them; "on" trusts the user; "off" never.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HyperlinkMode {
    #[default]
    Auto,
    On,
    Off,
}

/// `images = "auto" | "off" | "halfblocks"`: how the reading pane draws an article's images.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImagesMode {
    /// Ask the terminal: kitty, sixel or iTerm2 where it answers, half-blocks where it answers
    /// without one; none when it does not answer, or under tmux without passthrough.
    #[default]
    Auto,
    /// No pictures: `[image: alt]` placeholders only.
    Off,
    /// Unicode half-blocks, on any colour terminal, without asking it anything.
    Halfblocks,
}

/// One `[[notify]]` table: a query and the command (an argument vector, run without a shell)
/// that gets the count and the titles of the new items it matches on its stdin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyConfig {
    pub query: String,
    pub command: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNotify {
    query: toml::Spanned<String>,
    command: toml::Spanned<Vec<String>>,
}

/// One `[[smart_feeds]]` table: a saved search with its name (its query parses).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmartFeedConfig {
    pub name: String,
    pub query: String,
}

/// What a rule does to the new items its query matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleAction {
    Read,
    Star,
    /// Hidden from every list (`kiosque items --hidden` shows them).
    Hide,
    /// Add a tag to the item.
    Tag(String),
}

/// One `[[rules]]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleConfig {
    pub query: String,
    pub action: RuleAction,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSmartFeed {
    name: String,
    query: toml::Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    query: toml::Spanned<String>,
    action: toml::Spanned<String>,
}

/// A query written in the config: it must parse; the error names the config line.
fn checked_query(text: &str, query: toml::Spanned<String>, table: &str) -> Result<String, String> {
    let line = line_of(text, query.span().start);
    let query = query.into_inner();
    crate::query::Query::parse(&query)
        .map_err(|e| format!("line {line}: [[{table}]] query {query:?}: {e}"))?;
    Ok(query)
}

fn checked_action(text: &str, action: toml::Spanned<String>) -> Result<RuleAction, String> {
    let line = line_of(text, action.span().start);
    let action = action.into_inner();
    match action.trim() {
        "read" => Ok(RuleAction::Read),
        "star" => Ok(RuleAction::Star),
        "hide" => Ok(RuleAction::Hide),
        other => match other.strip_prefix("tag:").map(str::trim) {
            Some(tag) if !tag.is_empty() => Ok(RuleAction::Tag(tag.to_string())),
            _ => Err(format!(
                "line {line}: [[rules]] action {action:?} is not known (\"read\", \"star\", \"hide\" or \"tag:NAME\")"
            )),
        },
    }
}

/// `sidebar_sort = "name" | "unread"`: the order of feeds (and folders) in the sidebar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FeedSort {
    #[default]
    Name,
    /// Most unread first, then by name.
    Unread,
}

/// How the feeds sidebar starts (its keys change it while the TUI runs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SidebarConfig {
    /// `sidebar_folders`: feeds grouped in folders by tag.
    pub folders: bool,
    /// `sidebar_hide_read`: feeds with nothing unread are not listed.
    pub hide_read: bool,
    /// `sidebar_sort`.
    pub sort: FeedSort,
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
        if !crate::url_safety::is_web_url(url) {
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

/// `theme = "dark" | "light"`: which background the TUI's colours are chosen for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemeName {
    #[default]
    Dark,
    Light,
}

impl Default for Config {
    /// The values `assets/config.toml` writes: that file is the one source of the defaults.
    fn default() -> Self {
        static SHIPPED: std::sync::OnceLock<Config> = std::sync::OnceLock::new();
        SHIPPED
            .get_or_init(|| match Config::shipped() {
                Ok(config) => config,
                // Compiled in and proved by a unit test: only a broken build gets here.
                Err(e) => panic!("the shipped assets/config.toml is broken: {e}"),
            })
            .clone()
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
    theme: Option<ThemeName>,
    #[serde(default)]
    colors: BTreeMap<String, String>,
    sync: Option<RawSync>,
    player: Option<Vec<String>>,
    hyperlinks: Option<HyperlinkMode>,
    images: Option<ImagesMode>,
    #[serde(default)]
    smart_feeds: Vec<RawSmartFeed>,
    #[serde(default)]
    rules: Vec<RawRule>,
    #[serde(default)]
    notify: Vec<RawNotify>,
    sidebar_folders: Option<bool>,
    sidebar_hide_read: Option<bool>,
    sidebar_sort: Option<FeedSort>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |s| s.matches('\n').count() + 1)
}

/// toml/serde's words for a type ("expected usize") in the words a user knows.
fn plain_words(message: &str) -> String {
    let mut out = message.to_string();
    for (rust, plain) in [
        ("expected usize", "expected a whole number"),
        ("expected u64", "expected a whole number"),
        (
            "expected u32",
            "expected a whole number (at most 4294967295)",
        ),
        ("expected u16", "expected a whole number (at most 65535)"),
        ("expected a boolean", "expected true or false"),
        ("expected a string", "expected text in quotes"),
        (
            "expected a sequence",
            "expected a list in brackets, like [\"a\", \"b\"]",
        ),
        (
            "data did not match any variant of untagged enum KeyList",
            "expected a key name or a list of key names, like \"j\" or [\"j\", \"down\"]",
        ),
    ] {
        out = out.replace(rust, plain);
    }
    out.replace("integer `", "`").replace("string \"", "\"")
}

impl Config {
    /// The shipped `assets/config.toml`, where every key must be present.
    fn shipped() -> Result<Config, ConfigError> {
        Config::parse_over(DEFAULT_CONFIG_TOML, "assets/config.toml", None)
    }

    /// Parse config text over the defaults; `origin` names the file in error messages.
    pub fn parse(text: &str, origin: &str) -> Result<Config, ConfigError> {
        Config::parse_over(text, origin, Some(&Config::default()))
    }

    /// Parse config text; keys it leaves out come from `defaults` (none: every key required).
    fn parse_over(
        text: &str,
        origin: &str,
        defaults: Option<&Config>,
    ) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Invalid {
            path: origin.to_string(),
            message: match e.span() {
                Some(span) => format!(
                    "line {}: {}",
                    line_of(text, span.start),
                    plain_words(e.message().trim())
                ),
                None => plain_words(e.message().trim()),
            },
        })?;
        let invalid = |message: String| ConfigError::Invalid {
            path: origin.to_string(),
            message,
        };
        // `raw.key`, else the default's `path` (the same name unless given).
        macro_rules! value {
            ($key:ident) => {
                value!($key, $key)
            };
            ($key:ident, $($path:ident).+) => {
                match (raw.$key, defaults) {
                    (Some(v), _) => v,
                    (None, Some(d)) => d.$($path).+.clone(),
                    (None, None) => {
                        return Err(invalid(format!("no value for {}", stringify!($key))));
                    }
                }
            };
        }
        let browser = match (raw.browser, defaults) {
            (Some(b), _) => Some(b).filter(|b| !b.trim().is_empty()),
            (None, Some(d)) => d.browser.clone(),
            (None, None) => return Err(invalid("no value for browser".to_string())),
        };
        let config = Config {
            refresh_minutes: value!(refresh_minutes),
            refresh_on_start: value!(refresh_on_start),
            concurrency: value!(concurrency),
            per_host: value!(per_host),
            timeout_seconds: value!(timeout_seconds),
            connect_timeout_seconds: value!(connect_timeout_seconds),
            max_body_bytes: value!(max_body_bytes),
            keep_days: value!(keep_days),
            mark_read_on_open: value!(mark_read_on_open),
            prefetch: value!(prefetch),
            browser,
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
            theme: value!(theme),
            colors: raw.colors,
            path: None,
            sync: raw.sync.map(RawSync::check).transpose().map_err(invalid)?,
            player: value!(player),
            hyperlinks: value!(hyperlinks),
            images: value!(images),
            smart_feeds: raw
                .smart_feeds
                .into_iter()
                .map(|s| {
                    let name = s.name.trim().to_string();
                    let query = checked_query(text, s.query, "smart_feeds")?;
                    if name.is_empty() {
                        return Err("[[smart_feeds]] name is empty".to_string());
                    }
                    Ok(SmartFeedConfig { name, query })
                })
                .collect::<Result<_, _>>()
                .map_err(invalid)?,
            rules: raw
                .rules
                .into_iter()
                .map(|r| {
                    Ok(RuleConfig {
                        query: checked_query(text, r.query, "rules")?,
                        action: checked_action(text, r.action)?,
                    })
                })
                .collect::<Result<_, String>>()
                .map_err(invalid)?,
            notify: raw
                .notify
                .into_iter()
                .map(|n| {
                    let line = line_of(text, n.command.span().start);
                    let command = n.command.into_inner();
                    if command.first().is_none_or(|c| c.trim().is_empty()) {
                        return Err(format!(
                            "line {line}: [[notify]] command is empty (an argument vector, like [\"notify-send\", \"kiosque\"])"
                        ));
                    }
                    Ok(NotifyConfig {
                        query: checked_query(text, n.query, "notify")?,
                        command,
                    })
                })
                .collect::<Result<_, String>>()
                .map_err(invalid)?,
            sidebar: SidebarConfig {
                folders: value!(sidebar_folders, sidebar.folders),
                hide_read: value!(sidebar_hide_read, sidebar.hide_read),
                sort: value!(sidebar_sort, sidebar.sort),
            },
        };
        if config.player.first().is_some_and(|p| p.trim().is_empty()) {
            return Err(invalid(
                "player: the first entry is the program to run, it cannot be empty".to_string(),
            ));
        }
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

    /// The config this run uses (see [`config_location`]): a file named with `--config` must
    /// exist; the default file (or one named by `$KIOSQUE_CONFIG`) may be missing.
    pub fn load_for(flag: Option<&Path>) -> Result<Config, ConfigError> {
        match config_location(flag) {
            Some(ConfigLocation {
                path,
                must_exist: true,
            }) if !path.exists() => Err(ConfigError::Missing {
                path: path.display().to_string(),
            }),
            Some(location) => Config::load(&location.path),
            None => Ok(Config::default()),
        }
    }
}

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "kiosque")
}

/// Where the config file is, and whether it must exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigLocation {
    pub path: PathBuf,
    /// Named on the command line (`--config`): a missing file is a mistake, not "defaults".
    pub must_exist: bool,
}

/// The config file: `$KIOSQUE_CONFIG`, else `--config`, else `~/.config/kiosque/config.toml`.
pub fn config_location(flag: Option<&Path>) -> Option<ConfigLocation> {
    if let Some(env) = std::env::var_os("KIOSQUE_CONFIG").filter(|v| !v.is_empty()) {
        // Tests and scripts point $KIOSQUE_CONFIG at a file that may not exist yet to keep the
        // user's own config out: the contract's "a missing file means defaults" holds for it.
        return Some(ConfigLocation {
            path: PathBuf::from(env),
            must_exist: false,
        });
    }
    if let Some(flag) = flag {
        return Some(ConfigLocation {
            path: flag.to_path_buf(),
            must_exist: true,
        });
    }
    project_dirs().map(|d| ConfigLocation {
        path: d.config_dir().join("config.toml"),
        must_exist: false,
    })
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
    #[test]
    fn the_sidebar_options_parse_and_a_bad_sort_names_its_line() {
        let config = Config::parse(
            "sidebar_folders = false\nsidebar_hide_read = true\nsidebar_sort = \"unread\"\n",
            "test",
        )
        .unwrap();
        assert_eq!(
            config.sidebar,
            SidebarConfig {
                folders: false,
                hide_read: true,
                sort: FeedSort::Unread
            }
        );
        assert_eq!(
            Config::default().sidebar,
            SidebarConfig {
                folders: true,
                hide_read: false,
                sort: FeedSort::Name
            }
        );
    }

    use super::*;

    #[test]
    fn a_refused_file_says_why_and_where_in_plain_words() {
        // The text, then what its error must say.
        #[rustfmt::skip]
        let refused: [(&str, &[&str]); 19] = [
            ("theme = \"dark\"\nsidebar_sort = \"size\"\n", &["line 2"]),
            ("concurrency = \"many\"\n", &["line 1", "a whole number"]),
            ("\n\nconcurrency = \"many\"\n", &["line 3"]),
            ("refresh_on_start = 1\n", &["true or false"]),
            ("[keys]\nquit = 5\n", &["a key name or a list"]),
            ("refresh_minutes = 5\nrefresh_minuts = 3\n", &["line 2", "refresh_minuts"]),
            ("concurrency = 0", &["concurrency"]),
            ("[sync]\nservice = \"ttrss\"\nurl = \"https://a\"\nusername = \"a\"\n", &["ttrss"]),
            ("[sync]\nservice = \"greader\"\nurl = \"ftp://a\"\nusername = \"a\"\n", &["http(s)"]),
            ("[sync]\nservice = \"greader\"\nurl = \"https://a\"\nusername = \"a\"\npassword = \"x\"\n", &["password"]),
            ("[[smart_feeds]]\nname = \"x\"\nquery = \"(a\"\n", &["line 3", "unclosed parenthesis at 1"]),
            ("[[rules]]\nquery = \"a\"\naction = \"delete\"\n", &["line 3", "delete"]),
            ("[[rules]]\nquery = \"a\"\naction = \"read\"\nfoo = 1\n", &["foo"]),
            ("[[notify]]\nquery = \"a\"\ncommand = []\n", &["line 3", "empty"]),
            ("[[notify]]\nquery = \"a OR\"\ncommand = [\"x\"]\n", &["line 2"]),
            ("\nplayer = \"mpv --no-video\"\n", &["line 2"]),
            ("player = [\"\", \"x\"]\n", &["player"]),
            ("hyperlinks = \"sometimes\"\n", &["line 1"]),
            ("\nimages = \"sometimes\"\n", &["line 2"]),
        ];
        for (text, said) in refused {
            let err = Config::parse(text, "c.toml").unwrap_err().to_string();
            for words in said.iter().chain(&["c.toml"]) {
                assert!(err.contains(words), "{text:?}: {words:?} not in {err}");
            }
            for rust in ["usize", "u64", "KeyList"] {
                assert!(!err.contains(rust), "{text:?}: {err}");
            }
        }
    }

    #[test]
    fn the_shipped_file_sets_every_key() {
        // Parsed with no defaults under it: a key missing from assets/config.toml fails here.
        let c = Config::shipped().unwrap();
        assert_eq!(c, Config::default());
        assert_eq!(c.prefetch, 0, "prefetch is opt-in");
    }

    #[test]
    fn a_user_file_overrides_only_what_it_sets() {
        let c = Config::parse("prefetch = 3\n", "c").unwrap();
        assert_eq!(c.prefetch, 3);
        assert_eq!(c.refresh_minutes, Config::default().refresh_minutes);
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
    fn a_sync_table_is_read_and_checked() {
        let c = Config::parse(
            "[sync]\nservice = \"greader\"\nurl = \"https://rss.example.org/api/greader.php\"\nusername = \"alice\"\npassword_command = \"pass show rss\"\n",
            "c",
        )
        .unwrap();
        let sync = c.sync.unwrap();
        assert_eq!(sync.service, SyncServiceKind::GReader);
        assert_eq!(sync.password_command.as_deref(), Some("pass show rss"));
    }

    #[test]
    fn smart_feeds_and_rules_are_read_and_their_queries_checked() {
        let c = Config::parse(
            "[[smart_feeds]]\nname = \"Rust\"\nquery = \"title:rust is:unread\"\n\n[[rules]]\nquery = \"feed:sport\"\naction = \"hide\"\n[[rules]]\nquery = \"emul\"\naction = \"tag:retro\"\n",
            "c",
        )
        .unwrap();
        assert_eq!(
            c.smart_feeds,
            [SmartFeedConfig {
                name: "Rust".into(),
                query: "title:rust is:unread".into()
            }]
        );
        assert_eq!(c.rules[0].action, RuleAction::Hide);
        assert_eq!(c.rules[1].action, RuleAction::Tag("retro".into()));
    }

    #[test]
    fn notify_tables_need_a_query_and_a_command() {
        let c = Config::parse(
            "[[notify]]\nquery = \"tag:urgent\"\ncommand = [\"alert\", \"--now\"]\n",
            "c",
        )
        .unwrap();
        assert_eq!(
            c.notify,
            [NotifyConfig {
                query: "tag:urgent".into(),
                command: vec!["alert".into(), "--now".into()]
            }]
        );
    }

    #[test]
    fn missing_file_means_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let c = Config::load(&dir.path().join("nope.toml")).unwrap();
        assert_eq!(c, Config::default());
    }

    #[test]
    fn player_is_an_argument_vector_and_hyperlinks_a_mode() {
        let c = Config::default();
        assert!(c.player.is_empty(), "no player: the browser opens media");
        assert_eq!(c.hyperlinks, HyperlinkMode::Auto);
        let c = Config::parse(
            "player = [\"mpv\", \"--no-video\"]\nhyperlinks = \"off\"\n",
            "c",
        )
        .unwrap();
        assert_eq!(c.player, ["mpv", "--no-video"]);
        assert_eq!(c.hyperlinks, HyperlinkMode::Off);
    }

    #[test]
    fn images_takes_auto_off_or_halfblocks() {
        assert_eq!(Config::default().images, ImagesMode::Auto);
        for (text, mode) in [
            ("images = \"auto\"\n", ImagesMode::Auto),
            ("images = \"off\"\n", ImagesMode::Off),
            ("images = \"halfblocks\"\n", ImagesMode::Halfblocks),
        ] {
            assert_eq!(Config::parse(text, "c").unwrap().images, mode, "{text}");
        }
    }
}
