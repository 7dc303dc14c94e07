//! Sync with an aggregator: the `SyncService` boundary every protocol implements (one file
//! each; `greader` first), the plain data that crosses it, and its errors. No terminal types.
//! The engine (`engine`) drives one sync over a service and the store's queue of local changes.

pub mod engine;
pub mod greader;

use crate::config::{SyncConfig, SyncServiceKind};
use crate::error::{FetchError, StoreError};
use crate::text::sanitize_line;
use chrono::{DateTime, Utc};
use std::future::Future;
use thiserror::Error;

/// Why a sync failed. Messages are one line a user can act on; they never carry the password.
#[derive(Debug, Error)]
pub enum SyncError {
    #[error(
        "the sync server refused the login for {username:?} (HTTP {status}): check [sync] username and the password (FreshRSS and Miniflux want the API password set in the profile, not the web one)"
    )]
    Auth { username: String, status: u16 },
    #[error("cannot reach the sync server ({endpoint}): {source}")]
    Transport {
        endpoint: String,
        #[source]
        source: FetchError,
    },
    #[error("the sync server answered HTTP {status} to {endpoint}{}", detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    Status {
        endpoint: String,
        status: u16,
        detail: Option<String>,
    },
    #[error(
        "{url} does not look like a Google Reader API endpoint ({detail}); FreshRSS: https://HOST/api/greader.php, Miniflux: its root URL"
    )]
    NotGoogleReader { url: String, detail: String },
    #[error("the sync server sent an unreadable answer to {endpoint}: {detail}")]
    BadAnswer { endpoint: String, detail: String },
    #[error("the sync server refused {what}: {detail}")]
    Refused { what: String, detail: String },
    #[error("sync is not configured: {0}")]
    NotConfigured(String),
    #[error(
        "this data dir syncs with {synced_url} as {synced_user:?}, but [sync] now names {url} as {user:?}: `kiosque sync --reset-server-ids` syncs it with the new one (feeds, items, read and starred state stay, matched by their URLs; changes queued for the old server are dropped), or put the old [sync] back"
    )]
    OtherAccount {
        synced_url: String,
        synced_user: String,
        url: String,
        user: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SyncError {
    /// The server could not be reached or is down for now (no answer, a timeout, a 5xx or a
    /// 429): a change can wait in the queue. Anything else is an answer to show the user.
    pub fn is_unreachable(&self) -> bool {
        match self {
            SyncError::Transport { .. } => true,
            SyncError::Status { status, .. } => *status == 429 || (500..=599).contains(status),
            _ => false,
        }
    }
}

/// An item's id on the server: the Google Reader number, written on the wire in long form
/// (`tag:google.com,2005:reader/item/<16 hex>`) or short form (decimal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RemoteItemId(pub u64);

/// The prefix of a long-form item id.
pub const LONG_ID_PREFIX: &str = "tag:google.com,2005:reader/item/";

impl RemoteItemId {
    /// Read any form a server writes: long form (hex), short form (decimal), or a bare 16-hex
    /// id. A bare number is decimal, as `stream/items/ids` writes it.
    pub fn parse(raw: &str) -> Option<RemoteItemId> {
        let raw = raw.trim();
        if let Some(hex) = raw.strip_prefix(LONG_ID_PREFIX) {
            return (hex.len() <= 16 && !hex.is_empty())
                .then(|| u64::from_str_radix(hex, 16).ok())
                .flatten()
                .map(RemoteItemId);
        }
        if !raw.is_empty() && raw.len() <= 20 && raw.bytes().all(|b| b.is_ascii_digit()) {
            return raw.parse().ok().map(RemoteItemId);
        }
        if raw.len() == 16 && raw.bytes().all(|b| b.is_ascii_hexdigit()) {
            return u64::from_str_radix(raw, 16).ok().map(RemoteItemId);
        }
        None
    }

    /// The long form, which every server reads the same way (older Miniflux reads a bare id
    /// as hex, FreshRSS a bare all-digit id as decimal).
    pub fn long_form(self) -> String {
        format!("{LONG_ID_PREFIX}{:016x}", self.0)
    }

    /// The short (decimal) form, as stored locally.
    pub fn decimal(self) -> String {
        self.0.to_string()
    }
}

impl std::fmt::Display for RemoteItemId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// One subscription on the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// The server's feed id (`feed/12`, or `feed/<url>` on some servers).
    pub id: String,
    pub title: String,
    /// The feed's own URL.
    pub url: String,
    pub site_url: Option<String>,
    /// Folder names (FreshRSS and Miniflux allow one); they become the feed's tags.
    pub folders: Vec<String>,
}

/// One item as the server gives it, cleaned for storage.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteItem {
    pub id: RemoteItemId,
    /// The server id of its feed (`origin.streamId`).
    pub feed: String,
    pub title: String,
    pub url: Option<String>,
    pub author: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub content_html: Option<String>,
    pub read: bool,
    pub starred: bool,
}

/// The item flags a server keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StateFlag {
    Read,
    Starred,
}

/// Which item ids to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdStream {
    /// Every item the server keeps.
    All,
    /// Unread items.
    Unread,
    /// Starred items.
    Starred,
    /// Items that arrived at or after this time (servers differ: crawl or published time).
    Since(DateTime<Utc>),
}

/// One page of item ids and where the next one starts (opaque; `None` at the end).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdPage {
    pub ids: Vec<RemoteItemId>,
    pub continuation: Option<String>,
}

/// Which server and account a service talks to (recorded in the data dir by the first sync).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The API root, as normalised by the service.
    pub url: String,
    pub username: String,
}

impl Account {
    /// Whether a data dir that synced with `synced` (if it did) may sync with this account:
    /// else [`SyncError::OtherAccount`] (the server ids stored would be mixed up).
    pub fn may_follow(&self, synced: Option<Account>) -> Result<(), SyncError> {
        match synced {
            Some(synced) if synced != *self => Err(SyncError::OtherAccount {
                synced_url: sanitize_line(&synced.url),
                synced_user: sanitize_line(&synced.username),
                url: sanitize_line(&self.url),
                user: sanitize_line(&self.username),
            }),
            _ => Ok(()),
        }
    }
}

/// What an aggregator offers a reader. Implementations count their HTTP requests and keep
/// their own credentials and tokens; errors are [`SyncError`]s with context.
pub trait SyncService: Send {
    /// Make sure of a login: log in unless a token is known (cached from an earlier run).
    /// Later calls log in (again) by themselves when the server refuses the token.
    fn login(&mut self) -> impl Future<Output = Result<(), SyncError>> + Send;

    /// Every subscription with its folders.
    fn subscriptions(
        &mut self,
    ) -> impl Future<Output = Result<Vec<Subscription>, SyncError>> + Send;

    /// Subscribe to a feed URL (in `folder` when given); returns the server's feed id.
    /// A refusal is [`SyncError::Refused`] with the server's reason.
    fn subscribe(
        &mut self,
        url: &str,
        folder: Option<&str>,
    ) -> impl Future<Output = Result<String, SyncError>> + Send;

    /// Unsubscribe by the server's feed id (or its URL).
    fn unsubscribe(&mut self, feed: &str) -> impl Future<Output = Result<(), SyncError>> + Send;

    /// One page of ids of a stream; pass the previous page's continuation to get the next.
    fn item_ids(
        &mut self,
        stream: IdStream,
        continuation: Option<&str>,
    ) -> impl Future<Output = Result<IdPage, SyncError>> + Send;

    /// The items with these ids (at most [`SyncService::max_items_per_request`] of them; more
    /// are split). Ids the server no longer knows are simply missing from the answer.
    fn items(
        &mut self,
        ids: &[RemoteItemId],
    ) -> impl Future<Output = Result<Vec<RemoteItem>, SyncError>> + Send;

    /// Set (`on`) or clear a flag on items, in as few requests as the protocol allows.
    fn edit_state(
        &mut self,
        flag: StateFlag,
        on: bool,
        ids: &[RemoteItemId],
    ) -> impl Future<Output = Result<(), SyncError>> + Send;

    /// Mark every item of a feed (the server's feed id) up to and including `newest` (an item
    /// id the server gave) as read, in one request: items that arrived after it stay unread.
    /// `Ok(false)` when the server cannot do that exactly (no such endpoint, ids that are no
    /// arrival times, a refusal): the caller then sends the item ids.
    fn mark_feed_read(
        &mut self,
        feed: &str,
        newest: RemoteItemId,
    ) -> impl Future<Output = Result<bool, SyncError>> + Send;

    /// The server and account.
    fn account(&self) -> Account;

    /// HTTP requests made so far.
    fn requests(&self) -> u64;

    /// Ids one state edit request carries.
    fn max_edit_batch(&self) -> usize;

    /// Ids one item-contents request asks for.
    fn max_items_per_request(&self) -> usize;
}

/// The password for `[sync]`: the first line `password_command` prints (run with `sh -c`),
/// else `$KIOSQUE_SYNC_PASSWORD`. Held in memory only; never logged or written.
pub fn password(config: &SyncConfig) -> Result<String, SyncError> {
    if let Some(command) = &config.password_command {
        let output = std::process::Command::new("sh")
            .arg("-c")
            .arg(command)
            .stdin(std::process::Stdio::null())
            // Captured: in the TUI it would draw over the screen; its first line goes into
            // the error when the command fails.
            .stderr(std::process::Stdio::piped())
            .output()
            .map_err(|e| {
                SyncError::NotConfigured(format!("cannot run [sync] password_command: {e}"))
            })?;
        if !output.status.success() {
            let said = String::from_utf8_lossy(&output.stderr);
            let said = sanitize_line(said.lines().next().unwrap_or_default());
            return Err(SyncError::NotConfigured(format!(
                "[sync] password_command failed ({}){}",
                output.status,
                if said.is_empty() {
                    String::new()
                } else {
                    format!(": {said}")
                }
            )));
        }
        let text = String::from_utf8_lossy(&output.stdout);
        let first = text
            .lines()
            .next()
            .unwrap_or_default()
            .trim_end_matches('\r');
        if first.is_empty() {
            return Err(SyncError::NotConfigured(
                "[sync] password_command printed no password".into(),
            ));
        }
        return Ok(first.to_string());
    }
    match std::env::var("KIOSQUE_SYNC_PASSWORD") {
        Ok(p) if !p.is_empty() => Ok(p),
        _ => Err(SyncError::NotConfigured(
            "no password: set [sync] password_command or $KIOSQUE_SYNC_PASSWORD".into(),
        )),
    }
}

/// The file in the data dir where the login token (never the password) is cached, mode 0600.
pub const AUTH_CACHE_FILE: &str = "sync-auth.json";

/// The service `[sync]` names, over the shared HTTP client, caching its login token in
/// `data_dir` when given. The password is asked for (`password_command` run) only when a
/// login is needed.
pub fn service_for(
    config: &SyncConfig,
    fetcher: crate::fetch::Fetcher,
    data_dir: Option<&std::path::Path>,
) -> Result<greader::GReaderClient, SyncError> {
    match config.service {
        SyncServiceKind::GReader => {
            let for_password = config.clone();
            let client = greader::GReaderClient::with_password_source(
                fetcher,
                &config.url,
                &config.username,
                Box::new(move || password(&for_password)),
            )?;
            Ok(match data_dir {
                Some(dir) => client.with_auth_cache(dir.join(AUTH_CACHE_FILE)),
                None => client,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(command: Option<&str>) -> SyncConfig {
        SyncConfig {
            service: SyncServiceKind::GReader,
            url: "http://127.0.0.1/".into(),
            username: "alice".into(),
            password_command: command.map(str::to_string),
        }
    }

    #[test]
    fn the_password_is_the_first_line_of_the_command() {
        assert_eq!(
            password(&config(Some("printf 'pa ss\\r\\nsecond\\n'"))).unwrap(),
            "pa ss"
        );
        let failed = password(&config(Some("echo 'gpg: decryption failed' >&2; exit 3")))
            .unwrap_err()
            .to_string();
        assert!(
            failed.contains("password_command failed")
                && failed.ends_with(": gpg: decryption failed"),
            "{failed}"
        );
        let empty = password(&config(Some("true"))).unwrap_err().to_string();
        assert!(empty.contains("no password"), "{empty}");
    }

    #[test]
    fn item_ids_read_in_every_form() {
        let n = 1_796_042_772_904_372_u64;
        let long = "tag:google.com,2005:reader/item/0006617dcb7af9b4";
        assert_eq!(RemoteItemId(n).long_form(), long);
        assert_eq!(
            RemoteItemId(42).long_form(),
            format!("{LONG_ID_PREFIX}000000000000002a")
        );
        // Full 64-bit ids (Inoreader, The Old Reader) survive.
        #[rustfmt::skip]
        let forms = [
            (long, Some(n)),
            ("1796042772904372", Some(n)),
            ("0006617dcb7af9b4", Some(n)),
            ("tag:google.com,2005:reader/item/ffffffffffffffff", Some(u64::MAX)),
            ("", None),
            ("tag:google.com,2005:reader/item/", None),
            ("tag:google.com,2005:reader/item/1ffffffffffffffff", None),
            ("12ab", None),
            ("99999999999999999999999", None),
            ("-5", None),
        ];
        for (text, id) in forms {
            assert_eq!(RemoteItemId::parse(text), id.map(RemoteItemId), "{text:?}");
        }
    }
}
