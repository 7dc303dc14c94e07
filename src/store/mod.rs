//! The SQLite store: subscriptions, items and their read/star state, the article cache.
//! WAL mode, numbered migrations (`PRAGMA user_version`), every change in one transaction.
//! Blocking (rusqlite): async code calls it from a blocking thread.

mod duplicates;
mod migrations;
mod sync;
mod writer;
pub use writer::{StoreJob, StoreWriter, WalCopier, write_connections_opened};

pub use duplicates::DuplicateCopy;

pub use sync::{LocalOnlyFeed, QueuedChange, QueuedKind, SyncMeta, Unfetched};

use crate::article::Article;
use crate::clock::{Clock, SystemClock};
use crate::error::{StoreError, sql};
use crate::model::{Enclosure, Feed, FeedId, Item, ItemId, ItemSummary, ParsedFeed};
use crate::text::fold_for_search;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params, params_from_iter};
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// How long a writer waits for another one before giving up with [`StoreError::Locked`].
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Which items a list shows. The empty filter is "All".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemFilter {
    pub feed: Option<FeedId>,
    pub unread_only: bool,
    pub starred_only: bool,
    /// A substring of the title or the feed title, matched case- and accent-insensitively.
    pub search: Option<String>,
    /// A query in the query language (`crate::query`); `newer:`/`older:` count from now.
    pub query: Option<crate::query::Query>,
    /// Only the items a rule hid (`kiosque items --hidden`); else hidden items are left out.
    pub hidden: bool,
}

/// A `[[rules]]` entry ready to apply: what it matches and what it does to new items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArrivalRule {
    pub query: crate::query::Query,
    pub action: crate::config::RuleAction,
}

impl ArrivalRule {
    /// The config's rules (each query was checked when the config was read).
    pub fn from_config(rules: &[crate::config::RuleConfig]) -> Vec<ArrivalRule> {
        rules
            .iter()
            .filter_map(|r| {
                Some(ArrivalRule {
                    query: crate::query::Query::parse(&r.query).ok()?,
                    action: r.action.clone(),
                })
            })
            .collect()
    }
}

/// A new subscription.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewFeed {
    pub url: String,
    /// Given by the user (locked) or taken from the feed at `add`.
    pub title: Option<String>,
    pub title_is_users: bool,
    pub site_url: Option<String>,
    pub tags: Vec<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A change to one feed ([`Store::update_feed`]): `None` leaves a field as it is; for the
/// settings, `Some(None)` goes back to the config's value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedChange {
    pub title: Option<String>,
    pub tags: Option<Vec<String>>,
    pub refresh_minutes: Option<Option<u32>>,
    pub extract: Option<bool>,
    pub keep_days: Option<Option<u32>>,
}

/// One fetch to record in a batch ([`Store::record_fetches`]): the feed, what the fetch
/// found, and the document when it brought one.
#[derive(Debug, Clone)]
pub struct FetchWrite {
    pub feed: FeedId,
    pub record: FetchRecord,
    pub parsed: Option<ParsedFeed>,
    /// The values the store derives from each item of `parsed`, in order, when the caller
    /// computed them ([`ItemValues::of_document`]: a refresh does it on its parse threads,
    /// beside the writer); empty: the writer computes them.
    pub values: Vec<ItemValues>,
}

/// What the store derives from a parsed item before writing it: the folded title the
/// search reads, the enclosures as JSON and the duplicate keys ([`crate::duplicates`]).
/// Pure functions of the item: computed off the writer thread, the same as on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemValues {
    search_title: String,
    enclosures: String,
    url_key: Option<String>,
    title_key: Option<String>,
}

impl ItemValues {
    /// The values of one item.
    pub fn of(item: &crate::model::ParsedItem) -> ItemValues {
        ItemValues::computed(item, true)
    }

    /// The values of one item, its duplicate keys only `with_keys`.
    fn computed(item: &crate::model::ParsedItem, with_keys: bool) -> ItemValues {
        ItemValues {
            search_title: fold_for_search(&item.title),
            enclosures: serde_json::to_string(&item.enclosures).unwrap_or_else(|_| "[]".into()),
            url_key: with_keys
                .then(|| {
                    item.url
                        .as_deref()
                        .and_then(crate::duplicates::canonical_url)
                })
                .flatten(),
            title_key: with_keys
                .then(|| crate::duplicates::title_key(&item.title))
                .flatten(),
        }
    }

    /// The values of every item of `doc`, in order.
    pub fn of_document(doc: &ParsedFeed) -> Vec<ItemValues> {
        doc.items.iter().map(ItemValues::of).collect()
    }
}

/// What one fetch of a feed found, to record on the feed row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchRecord {
    pub status: Option<u16>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Set when the fetch or the parse failed.
    pub error: Option<String>,
    /// Not to be fetched again by the automatic refresh before this (Retry-After, backoff).
    pub next_due: Option<DateTime<Utc>>,
    /// The server's Retry-After: not fetched before this even when the user asks.
    pub retry_after: Option<DateTime<Utc>>,
    /// 410 Gone: stop fetching.
    pub disable: bool,
    /// A permanent redirect (301/308) to this URL.
    pub moved_to: Option<String>,
}

/// The SQLite store. One `Store` is one connection; open one per thread.
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
    /// Where the store's own timestamps come from (removal, read changes, article cache):
    /// the system clock unless a test sets a fixed one.
    clock: Arc<dyn Clock>,
    /// Applied to the new items of every fetch recorded ([`Store::record_fetch`]).
    rules: Vec<ArrivalRule>,
    /// Rows of the last list read whose positions are known ([`Store::items`]).
    windows: std::cell::RefCell<KnownRows>,
}

// ---- list windows (helper "screen") ---------------------------------------------------------

/// Where a row sorts in a list: (sort_time, id), newest first.
type ListKey = (i64, i64);

/// A row near a window asked for, whose position in the list is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KnownRow {
    /// At this position, at or before the window's first row.
    Before(usize, ListKey),
    /// At this position, at or after the window's last row.
    After(usize, ListKey),
}

/// The first and last rows of the windows read from one list, by position, while the
/// database is unchanged (`PRAGMA data_version` and this connection's changes): the next
/// window nearby is read from the closest of them (keyset) instead of skipping OFFSET rows,
/// which walks every row before it.
#[derive(Debug, Default)]
struct KnownRows {
    /// The list: its filter's SQL and values.
    list: String,
    /// The database's version when the rows were read.
    version: (i64, u64),
    rows: std::collections::BTreeMap<usize, ListKey>,
    /// The last query counted: its filter, the database's version then, its count
    /// ([`Store::count_items`]; the TUI counts its list again for every window it loads).
    count: Option<(String, (i64, u64), usize)>,
}

impl KnownRows {
    /// Windows remembered per list at most (two rows each).
    const MAX_ROWS: usize = 64;

    /// The known row that leaves the fewest rows to skip for `limit` rows from `offset`, if
    /// that is fewer than `skip_without`: what a read from the nearer end of the list skips
    /// ([`Store::skip_from_an_end`]; near the bottom of a long list a row known at the top is
    /// no help).
    fn nearest(
        &self,
        list: &str,
        version: (i64, u64),
        offset: usize,
        limit: usize,
        skip_without: usize,
    ) -> Option<KnownRow> {
        if limit == 0 || self.list != list || self.version != version {
            return None;
        }
        let last = offset.checked_add(limit - 1)?;
        let before = self
            .rows
            .range(..=offset)
            .next_back()
            .map(|(&p, &key)| (offset - p, KnownRow::Before(p, key)));
        let after = self
            .rows
            .range(last..)
            .next()
            .map(|(&p, &key)| (p - last, KnownRow::After(p, key)));
        before
            .into_iter()
            .chain(after)
            .filter(|(skip, _)| *skip < skip_without)
            .min_by_key(|(skip, _)| *skip)
            .map(|(_, row)| row)
    }

    /// The first and last of `rows`, read at `offset` of `list` at `version`.
    fn remember(
        &mut self,
        list: String,
        version: (i64, u64),
        offset: usize,
        rows: &[(ItemSummary, ListKey)],
    ) {
        if self.list != list || self.version != version || self.rows.len() >= Self::MAX_ROWS {
            *self = KnownRows {
                list,
                version,
                rows: Default::default(),
                count: self.count.take(),
            };
        }
        if let (Some((_, first)), Some((_, last))) = (rows.first(), rows.last()) {
            self.rows.insert(offset, *first);
            self.rows.insert(offset + rows.len() - 1, *last);
        }
    }

    fn forget(&mut self) {
        self.rows.clear();
    }
}

#[cfg(test)]
mod known_rows_tests {
    use super::*;

    fn store_at(path: &Path) -> Store {
        Store::open(path).expect("open")
    }

    fn ids(rows: &[ItemSummary]) -> Vec<i64> {
        rows.iter().map(|r| r.id.0).collect()
    }

    /// Windows read next to earlier ones (from known rows) are the same rows as the same
    /// window of the whole list read at once, walking down, up and jumping.
    fn walk_matches_the_whole_list(store: &Store, filter: &ItemFilter) -> usize {
        let whole = ids(&store.items(filter, 0, 100_000).expect("whole list"));
        let mut offsets: Vec<usize> = (0..whole.len()).step_by(37).collect();
        offsets.extend((0..whole.len()).step_by(53).rev());
        offsets.extend([whole.len() - 1, 5, whole.len() / 2, 300, whole.len() / 3]);
        let mut from_known_rows = 0;
        for offset in offsets {
            let version = store.list_version().expect("version");
            let list = Store::window_list_key(&store.conn, filter);
            if store
                .windows
                .borrow()
                .nearest(&list, version, offset, 50, offset)
                .is_some()
            {
                from_known_rows += 1;
            }
            let window = ids(&store.items(filter, offset, 50).expect("window"));
            let end = (offset + 50).min(whole.len());
            assert_eq!(window, whole[offset.min(end)..end], "window at {offset}");
        }
        from_known_rows
    }

    #[test]
    fn a_row_known_far_away_loses_to_reading_from_the_nearer_end() {
        // A window of 50 rows read at position 100: its first and last rows are known.
        let known = KnownRows {
            list: "list".into(),
            version: (1, 0),
            rows: [(100, (1_000, 0)), (149, (951, 49))].into_iter().collect(),
            count: None,
        };
        // The bottom of a 100,000-row list: 50 rows from its end, 99,800 past the known row.
        let bottom = 99_950;
        assert_eq!(known.nearest("list", (1, 0), bottom, 50, 0), None);
        assert_eq!(known.nearest("list", (1, 0), bottom, 50, 500), None);
        // Near the known rows the keyset read wins.
        assert_eq!(
            known.nearest("list", (1, 0), 160, 50, 160),
            Some(KnownRow::Before(149, (951, 49)))
        );
    }

    #[test]
    fn windows_from_known_rows_are_the_rows_offset_paging_gives_through_writes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("kiosque.db");
        let mut store = store_at(&path);
        let mut feeds = Vec::new();
        for f in 0..3 {
            let feed = store
                .add_feed(
                    &NewFeed {
                        url: format!("http://127.0.0.1:9/{f}.xml"),
                        ..NewFeed::default()
                    },
                    Utc::now(),
                )
                .expect("feed");
            // The same times in each feed: ties broken by id.
            store.insert_test_items(feed, 400).expect("items");
            feeds.push(feed);
        }
        let all = ItemFilter::default();
        let unread = ItemFilter {
            unread_only: true,
            ..ItemFilter::default()
        };
        let one_feed = ItemFilter {
            feed: Some(feeds[1]),
            ..ItemFilter::default()
        };
        for filter in [&all, &unread, &one_feed] {
            assert!(walk_matches_the_whole_list(&store, filter) > 10);
        }
        // Reading shifts the unread list: this connection's write is seen...
        let whole = store.items(&unread, 0, 100_000).expect("unread");
        let read: Vec<ItemId> = whole.iter().step_by(3).map(|r| r.id).collect();
        store.items(&unread, 600, 50).expect("window");
        store.set_read(&read, true).expect("read");
        assert!(walk_matches_the_whole_list(&store, &unread) > 10);
        // ...and so is another connection's (the refresh or the sync writes elsewhere).
        store.items(&unread, 400, 50).expect("window");
        let mut other = store_at(&path);
        let more: Vec<ItemId> = store
            .items(&unread, 0, 200)
            .expect("unread")
            .iter()
            .map(|r| r.id)
            .collect();
        other.set_read(&more, true).expect("read elsewhere");
        other
            .insert_test_items(feeds[2], 450)
            .expect("new items elsewhere");
        assert!(walk_matches_the_whole_list(&store, &unread) > 10);
        assert!(walk_matches_the_whole_list(&store, &all) > 10);
    }
}

impl Store {
    /// What tells one list from another for [`KnownRows`].
    fn window_list_key(conn: &Connection, filter: &ItemFilter) -> String {
        let (clause, values) = Self::filter_sql(conn, filter);
        format!("{clause}\u{1f}{values:?}")
    }

    /// Changes when anything is written to the database, by this connection or another.
    fn list_version(&self) -> Result<(i64, u64), StoreError> {
        let data_version: i64 = self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .map_err(sql("reading the database version"))?;
        Ok((data_version, self.conn.total_changes()))
    }
}

fn ts(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

fn from_ts(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

fn map_open_error(path: &Path, source: rusqlite::Error) -> StoreError {
    if is_busy(&source) {
        StoreError::Locked {
            path: path.display().to_string(),
        }
    } else {
        StoreError::Open {
            path: path.display().to_string(),
            source,
        }
    }
}

/// A failed write: "locked by another kiosque" when SQLite says busy, else the SQL error.
fn write_error(path: Option<&Path>, doing: &'static str, source: rusqlite::Error) -> StoreError {
    if is_busy(&source) {
        StoreError::Locked {
            path: path.map_or_else(|| ":memory:".into(), |p| p.display().to_string()),
        }
    } else {
        StoreError::Sqlite { doing, source }
    }
}

/// `map_err` for a write to the database at `path`: [`write_error`] about `doing`.
fn writing<'p>(
    path: Option<&'p Path>,
    doing: &'static str,
) -> impl Fn(rusqlite::Error) -> StoreError + 'p {
    move |source| write_error(path, doing, source)
}

/// Start a transaction on `conn`; with it, the database's path, for the errors of its writes
/// ([`writing`]: a busy database is named).
fn begin<'c>(
    conn: &'c mut Connection,
    path: &Option<PathBuf>,
) -> Result<(rusqlite::Transaction<'c>, Option<PathBuf>), StoreError> {
    let tx = conn.transaction().map_err(sql("starting a transaction"))?;
    Ok((tx, path.clone()))
}

/// Fails with [`StoreError::NoSuchFeed`] unless feed `id` is subscribed (not removed).
fn require_subscribed(conn: &Connection, id: FeedId) -> Result<(), StoreError> {
    let subscribed: bool = conn
        .query_row(
            "SELECT EXISTS(SELECT 1 FROM feeds WHERE id = ?1 AND removed_at IS NULL)",
            [id.0],
            |r| r.get(0),
        )
        .map_err(sql("looking up a feed"))?;
    if subscribed {
        Ok(())
    } else {
        Err(StoreError::NoSuchFeed {
            what: id.to_string(),
        })
    }
}

/// Every row of `query` (no parameters) read as an id and two texts; `doing` names the work
/// in errors.
fn id_and_two_texts(
    conn: &Connection,
    query: &str,
    doing: &'static str,
) -> Result<Vec<(i64, String, String)>, StoreError> {
    let mut stmt = conn.prepare(query).map_err(sql(doing))?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .map_err(sql(doing))?;
    rows.collect::<Result<_, _>>().map_err(sql(doing))
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

impl Store {
    /// Open (creating if needed) the database at `path` and bring its schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| map_open_error(path, e))?;
        writer::count_write_connection();
        let mut store = Store {
            conn,
            path: Some(path.to_path_buf()),
            clock: Arc::new(SystemClock),
            rules: Vec::new(),
            windows: Default::default(),
        };
        store.configure().map_err(|e| map_open_error(path, e))?;
        let before: i64 = store
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| map_open_error(path, e))?;
        migrations::migrate(&mut store.conn, path)?;
        if (1..6).contains(&before) {
            // Items stored before duplicate keys existed get them once.
            store.backfill_duplicate_keys()?;
        }
        Ok(store)
    }

    /// Take "now" from `clock` for the timestamps the store writes itself (methods that are
    /// given a `now` use that one).
    pub fn set_clock(&mut self, clock: Arc<dyn Clock>) {
        self.clock = clock;
    }

    /// A private in-memory database (tests).
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let conn = Connection::open_in_memory().map_err(sql("opening an in-memory database"))?;
        let mut store = Store {
            conn,
            path: None,
            clock: Arc::new(SystemClock),
            rules: Vec::new(),
            windows: Default::default(),
        };
        store
            .configure()
            .map_err(sql("configuring an in-memory database"))?;
        migrations::migrate(&mut store.conn, Path::new(":memory:"))?;
        Ok(store)
    }

    fn configure(&mut self) -> Result<(), rusqlite::Error> {
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        // A refresh's write path alone prepares a dozen statements once per feed or item;
        // rusqlite keeps 16 by default, and the queries would push them out.
        self.conn.set_prepared_statement_cache_capacity(64);
        // The full-text index's triggers call these: every connection that writes needs them.
        crate::query::search_index::register_functions(&self.conn)?;
        // journal_mode answers with a row; WAL stays set in the file once set.
        let _mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        self.conn.execute_batch(
            "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;",
        )?;
        // The write connection's pages: a refresh writes every index of the items and the
        // full-text index in each batch, and with SQLite's 2 MB default the pages of one
        // batch pushed out the next one's (read again from the file, or spilled to the WAL
        // mid-transaction). The cache grows only as far as it is used.
        // The WAL is copied into the database every 32 MB instead of every 4 MB: a page that
        // several batches change (index pages) is copied once. Durability is unchanged
        // (synchronous = NORMAL: commits are in the WAL either way, and a kill -9 loses no
        // commit); the WAL file is cut back to that size once copied.
        self.conn.execute_batch(
            "PRAGMA cache_size = -16384; PRAGMA wal_autocheckpoint = 8192;
             PRAGMA journal_size_limit = 33554432;",
        )?;
        Ok(())
    }

    /// Let go of the pages this connection keeps cached (they are read again when needed).
    pub fn release_cache(&self) {
        // Nothing is lost when it fails: the cache then stays as it was.
        let _ = self.conn.execute_batch("PRAGMA shrink_memory;");
    }

    /// The rules applied to new items when a fetch is recorded.
    pub fn set_arrival_rules(&mut self, rules: Vec<ArrivalRule>) {
        self.rules = rules;
    }

    /// Where the database lives (`None` in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    fn map_write(&self, doing: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError + '_ {
        move |source| write_error(self.path.as_deref(), doing, source)
    }

    // ---- feeds ------------------------------------------------------------------------------

    /// Subscribe. Fails with [`StoreError::AlreadySubscribed`] when the URL is already there.
    /// A feed unsubscribed earlier whose starred items were kept comes back with them.
    pub fn add_feed(&mut self, new: &NewFeed, now: DateTime<Utc>) -> Result<FeedId, StoreError> {
        let tx = self
            .conn
            .transaction()
            .map_err(sql("starting a transaction"))?;
        let id = insert_feed(&tx, new, now)?;
        tx.commit().map_err(sql("committing a new feed"))?;
        Ok(id)
    }

    /// Subscribe to many feeds in one transaction (OPML import). Already subscribed URLs (and
    /// repeats within `news`) are skipped. Returns (added, skipped).
    pub fn add_feeds(
        &mut self,
        news: &[NewFeed],
        now: DateTime<Utc>,
    ) -> Result<(usize, usize), StoreError> {
        let tx = self
            .conn
            .transaction()
            .map_err(sql("starting a transaction"))?;
        let (mut added, mut skipped) = (0, 0);
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO feeds (url, title, title_locked, search_title, site_url, tags, added_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (url) DO UPDATE SET title = excluded.title,
                        title_locked = excluded.title_locked,
                        search_title = excluded.search_title, site_url = excluded.site_url,
                        tags = excluded.tags, added_at = excluded.added_at, removed_at = NULL,
                        etag = NULL, last_modified = NULL, last_fetched = NULL, status = NULL,
                        error = NULL, next_due = NULL, retry_after = NULL, failures = 0,
                        disabled = 0
                     WHERE feeds.removed_at IS NOT NULL",
                )
                .map_err(sql("preparing an import"))?;
            for new in news {
                let title = new.title.clone().unwrap_or_default();
                let tags = serde_json::to_string(&new.tags).unwrap_or_else(|_| "[]".into());
                let n = insert
                    .execute(params![
                        new.url,
                        title,
                        new.title_is_users,
                        fold_for_search(&title),
                        new.site_url,
                        tags,
                        ts(now)
                    ])
                    .map_err(sql("importing a feed"))?;
                if n == 1 {
                    added += 1;
                } else {
                    skipped += 1;
                }
            }
        }
        tx.commit().map_err(sql("committing an import"))?;
        Ok((added, skipped))
    }

    /// Unsubscribe. Its items go too, except starred ones: those stay (under the feed's
    /// title, in the Starred and All lists) and the feed's row stays, marked removed, for as
    /// long as it has any. Returns how many starred items were kept.
    pub fn remove_feed(&mut self, id: FeedId) -> Result<usize, StoreError> {
        let removed_at = self.clock.now().timestamp();
        let tx = self
            .conn
            .transaction()
            .map_err(sql("starting a transaction"))?;
        require_subscribed(&tx, id)?;
        let kept = sync::drop_feed_keeping_starred(&tx, id.0, || {
            tx.execute(
                "UPDATE feeds SET removed_at = ?2 WHERE id = ?1",
                params![id.0, removed_at],
            )
        })?;
        tx.commit().map_err(sql("committing a removal"))?;
        Ok(kept)
    }

    const FEED_COLUMNS: &'static str = "f.id, f.url, f.title, f.site_url, f.tags, f.etag, \
        f.last_modified, f.last_fetched, f.status, f.error, f.next_due, f.disabled, \
        f.unread_count, f.item_count, f.retry_after, f.refresh_minutes, f.extract, f.keep_days";

    fn feed_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Feed> {
        let tags: String = r.get(4)?;
        Ok(Feed {
            id: FeedId(r.get(0)?),
            url: r.get(1)?,
            title: r.get(2)?,
            site_url: r.get(3)?,
            tags: serde_json::from_str(&tags).unwrap_or_default(),
            etag: r.get(5)?,
            last_modified: r.get(6)?,
            last_fetched: r.get::<_, Option<i64>>(7)?.map(from_ts),
            status: r
                .get::<_, Option<i64>>(8)?
                .and_then(|s| u16::try_from(s).ok()),
            error: r.get(9)?,
            next_due: r.get::<_, Option<i64>>(10)?.map(from_ts),
            disabled: r.get(11)?,
            unread: r.get(12)?,
            total: r.get(13)?,
            retry_after: r.get::<_, Option<i64>>(14)?.map(from_ts),
            settings: crate::model::FeedSettings {
                refresh_minutes: r
                    .get::<_, Option<i64>>(15)?
                    .and_then(|m| u32::try_from(m).ok()),
                extract: r.get(16)?,
                keep_days: r
                    .get::<_, Option<i64>>(17)?
                    .and_then(|d| u32::try_from(d).ok()),
            },
        })
    }

    /// Every subscription, by title, with unread and total counts (kept on the feed rows by
    /// triggers: reading them costs nothing per item).
    pub fn feeds(&self) -> Result<Vec<Feed>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {} FROM feeds f WHERE f.removed_at IS NULL \
                 ORDER BY f.search_title, f.id",
                Self::FEED_COLUMNS
            ))
            .map_err(sql("listing feeds"))?;
        let rows = stmt
            .query_map([], Self::feed_from_row)
            .map_err(sql("listing feeds"))?;
        rows.collect::<Result<_, _>>().map_err(sql("reading feeds"))
    }

    /// One subscription by id.
    pub fn feed(&self, id: FeedId) -> Result<Feed, StoreError> {
        self.conn
            .query_row(
                &format!(
                    "SELECT {} FROM feeds f WHERE f.id = ?1 AND f.removed_at IS NULL",
                    Self::FEED_COLUMNS
                ),
                [id.0],
                Self::feed_from_row,
            )
            .optional()
            .map_err(sql("reading a feed"))?
            .ok_or(StoreError::NoSuchFeed {
                what: id.to_string(),
            })
    }

    /// A subscription by its URL or its numeric id.
    pub fn find_feed(&self, url_or_id: &str) -> Result<Feed, StoreError> {
        let by_url: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM feeds WHERE url = ?1 AND removed_at IS NULL",
                [url_or_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql("looking up a feed"))?;
        if let Some(id) = by_url {
            return self.feed(FeedId(id));
        }
        match url_or_id.trim().parse::<i64>() {
            Ok(id) => self.feed(FeedId(id)),
            Err(_) => Err(StoreError::NoSuchFeed {
                what: url_or_id.to_string(),
            }),
        }
    }

    /// Change a feed: its title (then kept over the feed's own), its tags, its settings; all
    /// in one transaction. Fields left `None` stay as they are.
    pub fn update_feed(&mut self, id: FeedId, change: &FeedChange) -> Result<Feed, StoreError> {
        let (tx, busy_path) = begin(&mut self.conn, &self.path)?;
        require_subscribed(&tx, id)?;
        let write = |e| write_error(busy_path.as_deref(), "changing a feed", e);
        if let Some(title) = &change.title {
            tx.execute(
                "UPDATE feeds SET title = ?2, search_title = ?3, title_locked = 1 WHERE id = ?1",
                params![id.0, title, fold_for_search(title)],
            )
            .map_err(write)?;
        }
        if let Some(tags) = &change.tags {
            let tags = serde_json::to_string(tags).unwrap_or_else(|_| "[]".into());
            tx.execute(
                "UPDATE feeds SET tags = ?2 WHERE id = ?1",
                params![id.0, tags],
            )
            .map_err(write)?;
        }
        if let Some(minutes) = change.refresh_minutes {
            tx.execute(
                "UPDATE feeds SET refresh_minutes = ?2 WHERE id = ?1",
                params![id.0, minutes],
            )
            .map_err(write)?;
        }
        if let Some(extract) = change.extract {
            tx.execute(
                "UPDATE feeds SET extract = ?2 WHERE id = ?1",
                params![id.0, extract],
            )
            .map_err(write)?;
        }
        if let Some(days) = change.keep_days {
            tx.execute(
                "UPDATE feeds SET keep_days = ?2 WHERE id = ?1",
                params![id.0, days],
            )
            .map_err(write)?;
        }
        tx.commit().map_err(write)?;
        self.feed(id)
    }

    /// Whether articles of this feed are fetched and extracted (`false`: the feed's own
    /// content is shown). An unknown feed extracts.
    pub fn feed_extracts(&self, id: FeedId) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT extract FROM feeds WHERE id = ?1", [id.0], |r| {
                r.get::<_, bool>(0)
            })
            .optional()
            .map_err(sql("reading a feed's settings"))?
            .unwrap_or(true))
    }

    /// Record one fetch of a feed and, when it brought a document, upsert its items: all in one
    /// transaction. Returns how many items were new. Read/star state is never touched.
    pub fn record_fetch(
        &mut self,
        feed: FeedId,
        now: DateTime<Utc>,
        record: &FetchRecord,
        parsed: Option<&ParsedFeed>,
    ) -> Result<usize, StoreError> {
        let counts = self.record_in_one_transaction(now, &[(feed, record, parsed, &[])])?;
        Ok(counts.first().copied().unwrap_or(0))
    }

    /// Several fetches recorded as [`Store::record_fetch`] records one, in one transaction: a
    /// refresh hands the writer what is ready at once, and one commit (one write of the pages
    /// every fetch touches, one full-text segment) replaces one per feed. A feed's items and
    /// its validators are still committed together or not at all. When the batch fails, each
    /// fetch is tried again alone, so one the store refuses (its feed removed meanwhile)
    /// costs only itself. One result per fetch, in order: how many items were new.
    pub fn record_fetches(
        &mut self,
        now: DateTime<Utc>,
        fetches: &[FetchWrite],
    ) -> Vec<Result<usize, StoreError>> {
        let all: Vec<FetchToWrite<'_>> = fetches
            .iter()
            .map(|f| (f.feed, &f.record, f.parsed.as_ref(), f.values.as_slice()))
            .collect();
        match self.record_in_one_transaction(now, &all) {
            Ok(counts) => counts.into_iter().map(Ok).collect(),
            Err(e) if all.len() == 1 => vec![Err(e)],
            Err(e) => {
                tracing::info!("a batch of {} fetches failed ({e}): each alone", all.len());
                all.iter()
                    .map(|one| {
                        self.record_in_one_transaction(now, std::slice::from_ref(one))
                            .map(|counts| counts.first().copied().unwrap_or(0))
                    })
                    .collect()
            }
        }
    }

    fn record_in_one_transaction(
        &mut self,
        now: DateTime<Utc>,
        fetches: &[FetchToWrite<'_>],
    ) -> Result<Vec<usize>, StoreError> {
        let busy_path = self.path.clone();
        // Immediate: the write lock first, waiting for another writer (busy timeout); a
        // transaction that read first could not wait for it.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| write_error(busy_path.as_deref(), "starting a transaction", e))?;
        let counts = write_fetches(&tx, busy_path.as_deref(), &self.rules, now, fetches)?;
        tx.commit()
            .map_err(|e| write_error(busy_path.as_deref(), "committing a refresh", e))?;
        Ok(counts)
    }

    /// Delete items that left their feed more than `keep_days` ago, unless starred or unread.
    pub fn purge_old_items(
        &mut self,
        now: DateTime<Utc>,
        keep_days: u32,
    ) -> Result<usize, StoreError> {
        let tx = self
            .conn
            .transaction()
            .map_err(sql("starting a transaction"))?;
        // A feed's own keep_days wins over the config's. The candidates come from the narrow
        // `items_list_state` index (read and starred sit after the HTML in the wide rows:
        // testing them on the table read every row's overflow pages, 30 ms at 35,000 items
        // on every refresh, with nothing to purge); only theirs are then read for last_seen.
        let old = tx
            .execute(
                "DELETE FROM items
                 WHERE id IN (SELECT id FROM items
                              WHERE (read = 1 OR id IN (SELECT item_id FROM hidden_items))
                                AND starred = 0)
                 AND last_seen < ?1 - coalesce(
                     (SELECT f.keep_days FROM feeds f WHERE f.id = items.feed_id), ?2) * 86400",
                params![ts(now), i64::from(keep_days)],
            )
            .map_err(|e| write_error(self.path.as_deref(), "purging old items", e))?;
        // Items of unsubscribed feeds stayed only while starred; then their feeds go.
        let orphans = tx
            .execute(
                "DELETE FROM items WHERE starred = 0
                 AND feed_id IN (SELECT id FROM feeds WHERE removed_at IS NOT NULL)",
                [],
            )
            .map_err(|e| write_error(self.path.as_deref(), "purging old items", e))?;
        tx.execute(
            "DELETE FROM feeds WHERE removed_at IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM items WHERE items.feed_id = feeds.id)",
            [],
        )
        .map_err(|e| write_error(self.path.as_deref(), "purging old items", e))?;
        tx.commit()
            .map_err(|e| write_error(self.path.as_deref(), "purging old items", e))?;
        Ok(old + orphans)
    }

    // ---- items ------------------------------------------------------------------------------

    /// The WHERE clause and its parameters for a filter (items aliased `i`, feeds `f`).
    fn filter_sql(conn: &Connection, filter: &ItemFilter) -> (String, Vec<rusqlite::types::Value>) {
        let (clause, values, _) = Self::filter_plan(conn, filter, false);
        (clause, values)
    }

    /// [`Store::filter_sql`], and with `drive` the `?N` of a full-text match string whose
    /// index rows the list may be driven by, newest first, with the bounds on those rows
    /// (see [`crate::query::sql::Plan`]).
    fn filter_plan(
        conn: &Connection,
        filter: &ItemFilter,
        drive: bool,
    ) -> (
        String,
        Vec<rusqlite::types::Value>,
        Option<(String, String)>,
    ) {
        use rusqlite::types::Value;
        let mut driver = None;
        let mut clauses = vec!["1 = 1".to_string()];
        let mut values = Vec::new();
        if let Some(feed) = filter.feed {
            values.push(Value::Integer(feed.0));
            clauses.push(format!("i.feed_id = ?{}", values.len()));
        }
        if filter.unread_only {
            clauses.push("i.read = 0".into());
        }
        if filter.starred_only {
            clauses.push("i.starred = 1".into());
        }
        clauses.push(
            if filter.hidden {
                "i.id IN (SELECT item_id FROM hidden_items)"
            } else {
                "i.id NOT IN (SELECT item_id FROM hidden_items)"
            }
            .into(),
        );
        if filter.feed.is_none() && !filter.starred_only {
            // A story several feeds carry shows once in mixed lists: its group's first copy.
            clauses.push(Self::FIRST_COPY_ONLY.into());
        }
        if let Some(search) = filter
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let folded = fold_for_search(search)
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            values.push(Value::Text(format!("%{folded}%")));
            let n = values.len();
            clauses.push(format!(
                "(i.search_title LIKE ?{n} ESCAPE '\\' OR f.search_title LIKE ?{n} ESCAPE '\\')"
            ));
        }
        if let Some(query) = filter.query.as_ref().filter(|q| !q.is_empty()) {
            // A list of one feed, of starred or hidden items, or of unread ones when few
            // are, reads its own index newest first: full-text matches are probed there.
            let listing = drive;
            let drive = drive
                && filter.feed.is_none()
                && !filter.starred_only
                && !filter.hidden
                && (!filter.unread_only || unread_is_frequent(conn));
            let plan = query.plan(
                &mut values,
                Utc::now(),
                // A count reads every match: a frequent tag is then found through its
                // feeds' index (a list's first page probes it while scanning newest first).
                &|term| {
                    (drive || !matches!(term, crate::query::sql::Frequency::Tag(_)))
                        && frequent_term(conn, term)
                },
                drive,
                index_keys_in_order(conn),
                listing,
            );
            clauses.push(format!("({})", plan.condition));
            driver = plan.driver.map(|d| (d, plan.driver_bounds));
        }
        (clauses.join(" AND "), values, driver)
    }

    const SUMMARY_COLUMNS: &'static str = "i.id, i.feed_id, f.title, i.title, i.url, i.sort_time, i.read, i.starred, \
         i.published IS NOT NULL, \
         CASE WHEN i.dup_group IS NULL THEN NULL ELSE \
           (SELECT group_concat(name, char(31)) FROM \
             (SELECT coalesce(nullif(df.title, ''), df.url) AS name \
              FROM items d JOIN feeds df ON df.id = d.feed_id \
              WHERE d.dup_group = i.dup_group AND d.feed_id != i.feed_id LIMIT 12)) END";

    /// Mixed lists show one copy of a story several feeds carry.
    const FIRST_COPY_ONLY: &'static str = "(i.dup_group IS NULL OR i.dup_group = i.id)";

    /// How many copies [`Store::FIRST_COPY_ONLY`] hides (all, or only the unread ones).
    /// All of them are counted from the copies' own index (it holds only items in a group);
    /// with the read flag in the same text SQLite scanned every item's list-state row instead
    /// (7–11 ms at 104k items, before the first headlines; issue 12). The unread ones need
    /// each copy's read flag: the list-state scan is the cheaper way when copies are many.
    fn hidden_copies(&self, unread_only: bool) -> Result<i64, StoreError> {
        let query = if unread_only {
            "SELECT count(*) FROM items WHERE dup_group IS NOT NULL AND dup_group != id
             AND read = 0"
        } else {
            "SELECT count(*) FROM items INDEXED BY items_by_dup_group
             WHERE dup_group IS NOT NULL AND dup_group != id"
        };
        self.conn
            .prepare_cached(query)
            .map_err(sql("counting duplicates"))?
            .query_row([], |r| r.get(0))
            .map_err(sql("counting duplicates"))
    }

    /// Feed titles of the other copies, each once ("also in: …").
    fn also_in(joined: Option<String>) -> Vec<String> {
        let mut titles: Vec<String> = Vec::new();
        for title in joined.as_deref().unwrap_or("").split('\u{1f}') {
            if !title.is_empty() && !titles.iter().any(|t| t == title) {
                titles.push(title.to_string());
            }
        }
        titles
    }

    fn summary_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ItemSummary> {
        Ok(ItemSummary {
            id: ItemId(r.get(0)?),
            feed_id: FeedId(r.get(1)?),
            feed_title: r.get(2)?,
            title: r.get(3)?,
            url: r.get(4)?,
            published: from_ts(r.get(5)?),
            read: r.get(6)?,
            starred: r.get(7)?,
            dated: r.get(8)?,
            also_in: Self::also_in(r.get(9)?),
        })
    }

    /// How many items a filter selects.
    pub fn count_items(&self, filter: &ItemFilter) -> Result<usize, StoreError> {
        // All, Unread and one feed's lists are counted on the feed rows (kept by triggers);
        // rows of unsubscribed feeds count too, as their kept starred items are listed.
        let queried = filter.query.as_ref().is_some_and(|q| !q.is_empty());
        if filter.search.is_none() && !filter.starred_only && !queried && !filter.hidden {
            let column = if filter.unread_only {
                "unread_count"
            } else {
                "item_count"
            };
            let (sql_text, values): (String, Vec<i64>) = match filter.feed {
                Some(feed) => (
                    format!("SELECT coalesce(sum({column}), 0) FROM feeds WHERE id = ?1"),
                    vec![feed.0],
                ),
                None => (
                    format!("SELECT coalesce(sum({column}), 0) FROM feeds"),
                    vec![],
                ),
            };
            let mut n: i64 = self
                .conn
                .prepare_cached(&sql_text)
                .map_err(sql("counting items"))?
                .query_row(params_from_iter(values), |r| r.get(0))
                .map_err(sql("counting items"))?;
            if filter.feed.is_none() {
                n -= self.hidden_copies(filter.unread_only)?;
            }
            return Ok(usize::try_from(n).unwrap_or(0));
        }
        // The same query counted again while nothing was written: the same answer. (Not a
        // query relative to now: `newer:3d` moves with the clock.)
        let remembered = filter
            .query
            .as_ref()
            .filter(|q| !q.is_relative_to_now())
            .map(|_| Ok::<_, StoreError>((format!("{filter:?}"), self.list_version()?)))
            .transpose()?;
        if let (Some((key, version)), Some((last_key, last_version, n))) =
            (&remembered, &self.windows.borrow().count)
            && key == last_key
            && version == last_version
        {
            return Ok(*n);
        }
        let n = self.count_matches(filter)?;
        if let Some((key, version)) = remembered {
            self.windows.borrow_mut().count = Some((key, version, n));
        }
        Ok(n)
    }

    /// [`Store::count_items`] of a list with a query or a search, read from the database.
    fn count_matches(&self, filter: &ItemFilter) -> Result<usize, StoreError> {
        if let Some(n) = self.count_from_index(filter)? {
            return Ok(n);
        }
        let (clause, values) = Self::filter_sql(&self.conn, filter);
        let join = if filter.search.is_some() {
            "JOIN feeds f ON f.id = i.feed_id"
        } else {
            ""
        };
        let n: i64 = self
            .conn
            .prepare_cached(&format!(
                "SELECT count(*) FROM items i {join} WHERE {clause}"
            ))
            .map_err(sql("counting items"))?
            .query_row(params_from_iter(values), |r| r.get(0))
            .map_err(sql("counting items"))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// The count of a query's matches in a mixed list (All, or Unread), read from the index
    /// that answers the query ([`crate::query::Query::index_count`]) rather than from the
    /// items, less the matches that list leaves out: hidden items, a story's other copies,
    /// read items (or, when most are read, the matches outside the unread ones). `None`
    /// when the filter or the query needs the items' own rows.
    fn count_from_index(&self, filter: &ItemFilter) -> Result<Option<usize>, StoreError> {
        let Some(query) = filter.query.as_ref() else {
            return Ok(None);
        };
        if filter.search.is_some() || filter.feed.is_some() || filter.starred_only || filter.hidden
        {
            return Ok(None);
        }
        let Some(count) = query.index_count(index_keys_in_order(&self.conn)) else {
            return Ok(None);
        };
        let id = &count.item_id;
        // The list's other conditions (FIRST_COPY_ONLY, not hidden), as the items left out.
        let mut left_out = "SELECT item_id FROM hidden_items \
             UNION ALL SELECT id FROM items WHERE dup_group IS NOT NULL AND dup_group != id"
            .to_string();
        let mut kept = String::new();
        if filter.unread_only {
            if unread_is_most(&self.conn) {
                left_out.push_str(" UNION ALL SELECT id FROM items WHERE read = 1");
            } else {
                kept = format!(
                    " AND {id} IN (SELECT id FROM items INDEXED BY items_unread_by_time \
                     WHERE read = 0)"
                );
            }
        }
        let statement = format!(
            "SELECT count(*) FROM {table} m WHERE m.{table} MATCH ?1 \
             AND {id} NOT IN ({left_out}){kept}",
            table = count.table
        );
        let n: i64 = self
            .conn
            .prepare_cached(&statement)
            .map_err(sql("counting items"))?
            .query_row([&count.matching], |r| r.get(0))
            .map_err(sql("counting items"))?;
        Ok(Some(usize::try_from(n).unwrap_or(0)))
    }

    /// A page of headlines, newest first.
    pub fn items(
        &self,
        filter: &ItemFilter,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<ItemSummary>, StoreError> {
        // Searches are left as they were: their SQL asks the full-text index how common a
        // term is, which would then be asked twice per window.
        if filter.query.is_some() || filter.search.is_some() {
            let rows = self.items_from_an_end(filter, offset, limit)?;
            return Ok(rows.into_iter().map(|(row, _)| row).collect());
        }
        // Scrolling asks for windows next to the last ones: start from the nearest row whose
        // position is known (keyset) instead of walking OFFSET rows from an end.
        let list = Self::window_list_key(&self.conn, filter);
        let version = self.list_version()?;
        let skip_without = self.skip_from_an_end(filter, offset, limit)?;
        let known = self
            .windows
            .borrow_mut()
            .nearest(&list, version, offset, limit, skip_without);
        let keyed = match known {
            Some(KnownRow::Before(position, key)) => {
                self.items_ordered(filter, Some(key), offset - position, limit, "DESC")?
            }
            Some(KnownRow::After(position, key)) => {
                let last = offset + limit - 1;
                let mut rows =
                    self.items_ordered(filter, Some(key), position - last, limit, "ASC")?;
                rows.reverse();
                rows
            }
            None => self.items_from_an_end(filter, offset, limit)?,
        };
        if self.list_version()? == version {
            self.windows
                .borrow_mut()
                .remember(list, version, offset, &keyed);
        } else {
            // Written to while reading: positions may have moved; read again from an end.
            self.windows.borrow_mut().forget();
            if known.is_some() {
                let rows = self.items_from_an_end(filter, offset, limit)?;
                return Ok(rows.into_iter().map(|(row, _)| row).collect());
            }
        }
        Ok(keyed.into_iter().map(|(row, _)| row).collect())
    }

    /// How many rows [`Store::items_from_an_end`] skips to read this window.
    fn skip_from_an_end(
        &self,
        filter: &ItemFilter,
        offset: usize,
        limit: usize,
    ) -> Result<usize, StoreError> {
        if offset <= Self::REVERSE_PAGING_FROM {
            return Ok(offset);
        }
        let total = self.count_items(filter)?;
        Ok(offset.min(total.saturating_sub(offset.saturating_add(limit))))
    }

    /// A window by OFFSET from the nearer end of the list.
    fn items_from_an_end(
        &self,
        filter: &ItemFilter,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<(ItemSummary, ListKey)>, StoreError> {
        // OFFSET walks every row before it: near the end of a long list, read the page from
        // the other end instead (oldest first) and turn it around.
        if offset > Self::REVERSE_PAGING_FROM {
            let total = self.count_items(filter)?;
            if offset >= total {
                return Ok(Vec::new());
            }
            let end = (offset + limit).min(total);
            if total - end < offset {
                let mut rows =
                    self.items_ordered(filter, None, total - end, end - offset, "ASC")?;
                rows.reverse();
                return Ok(rows);
            }
        }
        self.items_ordered(filter, None, offset, limit, "DESC")
    }

    /// Offsets above this consider reading from the end of the list.
    const REVERSE_PAGING_FROM: usize = 2_000;

    /// `limit` rows after skipping `offset`, in `order` of (sort_time, id), from the row with
    /// key `from` on (that row included) when given; each row with its key.
    fn items_ordered(
        &self,
        filter: &ItemFilter,
        from: Option<ListKey>,
        offset: usize,
        limit: usize,
        order: &str,
    ) -> Result<Vec<(ItemSummary, ListKey)>, StoreError> {
        use crate::query::search_index::{KEY_ID_LIMIT, key_span, span_start};
        let (mut clause, mut values, driver) = Self::filter_plan(&self.conn, filter, true);
        if let Some((time, id)) = from {
            let compare = if order == "ASC" { ">=" } else { "<=" };
            values.push(rusqlite::types::Value::Integer(time));
            values.push(rusqlite::types::Value::Integer(id));
            let n = values.len();
            clause.push_str(&format!(
                " AND (i.sort_time, i.id) {compare} (?{}, ?{n})",
                n - 1
            ));
            if driver.is_some() {
                // Index keys follow list order by span: the bound's span seeks in the index.
                let bound = if order == "ASC" {
                    span_start(time)
                } else {
                    span_start(time) + KEY_ID_LIMIT - 1
                };
                values.push(rusqlite::types::Value::Integer(bound));
                clause.push_str(&format!(" AND m.rowid {compare} ?{}", values.len()));
            }
        }
        let Some((matching, bounds)) = driver else {
            values.push(rusqlite::types::Value::Integer(
                i64::try_from(limit).unwrap_or(i64::MAX),
            ));
            values.push(rusqlite::types::Value::Integer(
                i64::try_from(offset).unwrap_or(i64::MAX),
            ));
            let n = values.len();
            let statement = format!(
                "SELECT {} FROM items i JOIN feeds f ON f.id = i.feed_id WHERE {clause}
                 ORDER BY i.sort_time {order}, i.id {order} LIMIT ?{} OFFSET ?{n}",
                Self::SUMMARY_COLUMNS,
                n - 1
            );
            let mut stmt = self
                .conn
                .prepare_cached(&statement)
                .map_err(sql("listing items"))?;
            let rows = stmt
                .query_map(params_from_iter(values), |r| {
                    // Column 5 is the sort time, column 0 the id (SUMMARY_COLUMNS).
                    Ok((Self::summary_from_row(r)?, (r.get(5)?, r.get(0)?)))
                })
                .map_err(sql("listing items"))?;
            return rows.collect::<Result<_, _>>().map_err(sql("reading items"));
        };
        // A full-text term every match holds: its index rows, read in key order, drive the
        // list. Keys follow list order span by span: rows are read until the page is full and
        // its last span is complete, then sorted by time.
        let statement = format!(
            "SELECT {} FROM items_fts m CROSS JOIN items i ON i.id = {}
             JOIN feeds f ON f.id = i.feed_id
             WHERE m.items_fts MATCH {matching}{bounds} AND {clause}
             ORDER BY m.rowid {order}",
            Self::SUMMARY_COLUMNS,
            crate::query::search_index::fts_key_item_id("m.rowid"),
        );
        let mut stmt = self
            .conn
            .prepare_cached(&statement)
            .map_err(sql("listing items"))?;
        let mut rows = stmt
            .query(params_from_iter(values))
            .map_err(sql("listing items"))?;
        let wanted = offset.saturating_add(limit);
        let mut read: Vec<(ItemSummary, ListKey)> = Vec::new();
        while let Some(r) = rows.next().map_err(sql("reading items"))? {
            // Column 5 is the sort time, column 0 the id (SUMMARY_COLUMNS).
            let key: ListKey = (
                r.get(5).map_err(sql("reading items"))?,
                r.get(0).map_err(sql("reading items"))?,
            );
            if read.len() >= wanted
                && read
                    .last()
                    .is_some_and(|(_, last)| key_span(last.0) != key_span(key.0))
            {
                break;
            }
            read.push((
                Self::summary_from_row(r).map_err(sql("reading items"))?,
                key,
            ));
        }
        if order == "ASC" {
            read.sort_by_key(|(_, key)| *key);
        } else {
            read.sort_by_key(|(_, key)| std::cmp::Reverse(*key));
        }
        Ok(read.into_iter().skip(offset).take(limit).collect())
    }

    /// Where an item stands in a filtered list (0-based), or `None` if the filter excludes it.
    pub fn item_position(
        &self,
        filter: &ItemFilter,
        id: ItemId,
    ) -> Result<Option<usize>, StoreError> {
        let key: Option<(i64, i64)> = self
            .conn
            .query_row(
                "SELECT sort_time, id FROM items WHERE id = ?1",
                [id.0],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(sql("locating an item"))?;
        let Some((time, item_id)) = key else {
            return Ok(None);
        };
        let (clause, mut values) = Self::filter_sql(&self.conn, filter);
        values.push(rusqlite::types::Value::Integer(item_id));
        let n = values.len();
        let included: bool = self
            .conn
            .query_row(
                &format!(
                    "SELECT EXISTS(SELECT 1 FROM items i JOIN feeds f ON f.id = i.feed_id
                     WHERE {clause} AND i.id = ?{n})"
                ),
                params_from_iter(values.clone()),
                |r| r.get(0),
            )
            .map_err(sql("locating an item"))?;
        if !included {
            return Ok(None);
        }
        values.pop();
        values.push(rusqlite::types::Value::Integer(time));
        values.push(rusqlite::types::Value::Integer(item_id));
        let n = values.len();
        let before: i64 = self
            .conn
            .query_row(
                &format!(
                    "SELECT count(*) FROM items i JOIN feeds f ON f.id = i.feed_id WHERE {clause}
                     AND (i.sort_time > ?{} OR (i.sort_time = ?{} AND i.id > ?{n}))",
                    n - 1,
                    n - 1
                ),
                params_from_iter(values),
                |r| r.get(0),
            )
            .map_err(sql("locating an item"))?;
        Ok(usize::try_from(before).ok())
    }

    /// The next unread item after `from` in list order (`forward`: older, down the list) or
    /// before it, with its position in the filtered list. Without `from`, the first (or last).
    pub fn next_unread(
        &self,
        filter: &ItemFilter,
        from: Option<ItemId>,
        forward: bool,
    ) -> Result<Option<(usize, ItemSummary)>, StoreError> {
        let anchor: Option<(i64, i64)> = match from {
            Some(id) => self
                .conn
                .query_row(
                    "SELECT sort_time, id FROM items WHERE id = ?1",
                    [id.0],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(sql("locating an item"))?,
            None => None,
        };
        let unread_filter = ItemFilter {
            unread_only: true,
            ..filter.clone()
        };
        let (clause, mut values) = Self::filter_sql(&self.conn, &unread_filter);
        let mut where_clause = clause;
        if let Some((time, id)) = anchor {
            values.push(rusqlite::types::Value::Integer(time));
            values.push(rusqlite::types::Value::Integer(id));
            let n = values.len();
            let cmp = if forward { "<" } else { ">" };
            where_clause.push_str(&format!(
                " AND (i.sort_time {cmp} ?{a} OR (i.sort_time = ?{a} AND i.id {cmp} ?{n}))",
                a = n - 1
            ));
        }
        let order = if forward { "DESC" } else { "ASC" };
        let found = self
            .conn
            .query_row(
                &format!(
                    "SELECT {} FROM items i JOIN feeds f ON f.id = i.feed_id WHERE {where_clause}
                     ORDER BY i.sort_time {order}, i.id {order} LIMIT 1",
                    Self::SUMMARY_COLUMNS
                ),
                params_from_iter(values),
                Self::summary_from_row,
            )
            .optional()
            .map_err(sql("finding the next unread item"))?;
        match found {
            Some(item) => {
                let pos = self.item_position(filter, item.id)?;
                Ok(pos.map(|p| (p, item)))
            }
            None => Ok(None),
        }
    }

    /// One whole item, with its HTML bodies.
    pub fn item(&self, id: ItemId) -> Result<Item, StoreError> {
        self.conn
            .query_row(
                &format!(
                    "SELECT {}, i.author, i.summary_html, i.content_html, i.enclosures
                     FROM items i JOIN feeds f ON f.id = i.feed_id WHERE i.id = ?1",
                    Self::SUMMARY_COLUMNS
                ),
                [id.0],
                |r| {
                    let enclosures: String = r.get(13)?;
                    Ok(Item {
                        summary: Self::summary_from_row(r)?,
                        author: r.get(10)?,
                        summary_html: r.get(11)?,
                        content_html: r.get(12)?,
                        enclosures: serde_json::from_str::<Vec<Enclosure>>(&enclosures)
                            .unwrap_or_default(),
                    })
                },
            )
            .optional()
            .map_err(sql("reading an item"))?
            .ok_or(StoreError::NoSuchItem { id: id.0 })
    }

    /// Mark items read or unread (all or none: an unknown id changes nothing), with every
    /// copy of them in other feeds. Items that came from a sync server get the change queued
    /// for it in the same transaction.
    pub fn set_read(&mut self, ids: &[ItemId], read: bool) -> Result<(), StoreError> {
        let ids = duplicates::with_copies(&self.conn, ids)?;
        self.set_state_queued(&ids, crate::sync::StateFlag::Read, read, self.clock.now())
            .map(|_| ())
    }

    /// Star or unstar items (all or none), queued for the sync server like [`Store::set_read`].
    pub fn set_starred(&mut self, ids: &[ItemId], starred: bool) -> Result<(), StoreError> {
        self.set_state_queued(
            ids,
            crate::sync::StateFlag::Starred,
            starred,
            self.clock.now(),
        )
        .map(|_| ())
    }

    /// Mark every unread item a filter selects as read; returns the ids changed (for undo).
    /// Synced items get the change queued for the server in the same transaction.
    pub fn mark_all_read(&mut self, filter: &ItemFilter) -> Result<Vec<ItemId>, StoreError> {
        let unread = ItemFilter {
            unread_only: true,
            ..filter.clone()
        };
        let (clause, values) = Self::filter_sql(&self.conn, &unread);
        let now = self.clock.now().timestamp();
        let tx = self
            .conn
            .transaction()
            .map_err(sql("starting a transaction"))?;
        let selected: Vec<(ItemId, i64, Option<String>)> = {
            let mut stmt = tx
                .prepare(&format!(
                    "SELECT i.id, i.feed_id, i.server_id FROM items i JOIN feeds f ON f.id = i.feed_id
                     WHERE {clause}"
                ))
                .map_err(sql("selecting items to mark read"))?;
            let rows = stmt
                .query_map(params_from_iter(values), |r| {
                    Ok((ItemId(r.get(0)?), r.get(1)?, r.get(2)?))
                })
                .map_err(sql("selecting items to mark read"))?;
            let mut shown: Vec<(ItemId, i64, Option<String>)> = rows
                .collect::<Result<_, _>>()
                .map_err(sql("selecting items to mark read"))?;
            // Their copies in other feeds are read too (and come back with the undo).
            let ids: Vec<ItemId> = shown.iter().map(|(id, _, _)| *id).collect();
            let known: std::collections::HashSet<ItemId> = ids.iter().copied().collect();
            let mut copy = tx
                .prepare_cached("SELECT feed_id, server_id FROM items WHERE id = ?1")
                .map_err(sql("selecting copies to mark read"))?;
            for id in duplicates::with_copies(&tx, &ids)? {
                if !known.contains(&id) {
                    let (feed_id, server_id) = copy
                        .query_row([id.0], |r| Ok((r.get(0)?, r.get(1)?)))
                        .map_err(sql("selecting copies to mark read"))?;
                    shown.push((id, feed_id, server_id));
                }
            }
            shown
        };
        // Queue rows of synced items, with their feeds: a feed marked read whole is pushed
        // as one mark-all-as-read.
        let mut queued: Vec<(i64, i64)> = Vec::new();
        {
            let mut stmt = tx
                .prepare_cached("UPDATE items SET read = 1, read_at = ?2 WHERE id = ?1")
                .map_err(sql("marking items read"))?;
            let mut enqueue = tx
                .prepare_cached(
                    "INSERT INTO sync_queue (kind, item_server_id, queued_at) VALUES ('read', ?1, ?2)",
                )
                .map_err(sql("queueing marks for sync"))?;
            for (id, feed_id, server_id) in &selected {
                stmt.execute(params![id.0, now])
                    .map_err(sql("marking items read"))?;
                if let Some(server_id) = server_id {
                    enqueue
                        .execute(params![server_id, now])
                        .map_err(sql("queueing marks for sync"))?;
                    queued.push((tx.last_insert_rowid(), *feed_id));
                }
            }
        }
        sync::queue_mark_alls(&tx, &queued, from_ts(now))?;
        tx.commit().map_err(sql("committing a bulk mark"))?;
        Ok(selected.into_iter().map(|(id, _, _)| id).collect())
    }

    /// Unread items over all feeds.
    pub fn unread_total(&self) -> Result<i64, StoreError> {
        let counted: i64 = self
            .conn
            .query_row(
                "SELECT coalesce(sum(unread_count), 0) FROM feeds",
                [],
                |r| r.get(0),
            )
            .map_err(sql("counting unread items"))?;
        // A story several feeds carry is one unread item.
        Ok(counted - self.hidden_copies(true)?)
    }

    // ---- saved searches (helper "query") ---------------------------------------------------

    /// Searches saved from the TUI, oldest first: (id, name, query text).
    pub fn saved_searches(&self) -> Result<Vec<(i64, String, String)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, name, query FROM saved_searches ORDER BY saved_at, id")
            .map_err(sql("listing saved searches"))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(sql("listing saved searches"))?;
        rows.collect::<Result<_, _>>()
            .map_err(sql("reading saved searches"))
    }

    /// Save a search under `name` (a search saved again under the same name is replaced).
    pub fn save_search(&mut self, name: &str, query: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO saved_searches (name, query, saved_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (name) DO UPDATE SET query = excluded.query",
                params![name, query, self.clock.now().timestamp()],
            )
            .map_err(self.map_write("saving a search"))?;
        Ok(())
    }

    /// Forget a saved search.
    pub fn delete_saved_search(&mut self, id: i64) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM saved_searches WHERE id = ?1", [id])
            .map_err(self.map_write("deleting a saved search"))?;
        Ok(())
    }

    /// Items first seen at `since` or later that `query` matches, newest first (notifications:
    /// what a refresh brought). Hidden items are left out.
    pub fn items_seen_since(
        &self,
        query: &crate::query::Query,
        since: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ItemSummary>, StoreError> {
        let (clause, mut values) = Self::filter_sql(
            &self.conn,
            &ItemFilter {
                query: Some(query.clone()),
                ..Default::default()
            },
        );
        values.push(rusqlite::types::Value::Integer(ts(since)));
        let n = values.len();
        values.push(rusqlite::types::Value::Integer(
            i64::try_from(limit).unwrap_or(i64::MAX),
        ));
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {} FROM items i JOIN feeds f ON f.id = i.feed_id
                 WHERE {clause} AND i.first_seen >= ?{n}
                 ORDER BY i.sort_time DESC, i.id DESC LIMIT ?{}",
                Self::SUMMARY_COLUMNS,
                n + 1
            ))
            .map_err(sql("listing new items"))?;
        let rows = stmt
            .query_map(params_from_iter(values), Self::summary_from_row)
            .map_err(sql("listing new items"))?;
        rows.collect::<Result<_, _>>()
            .map_err(sql("reading new items"))
    }

    // ---- article cache ----------------------------------------------------------------------

    /// The cached article for a page URL, if any.
    pub fn cached_article(&self, url: &str) -> Result<Option<Article>, StoreError> {
        let json: Option<String> = self
            .conn
            .query_row("SELECT json FROM articles WHERE url = ?1", [url], |r| {
                r.get(0)
            })
            .optional()
            .map_err(sql("reading the article cache"))?;
        // An entry written by another version that no longer reads is a cache miss, not an error.
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
    }

    /// Cache an article under its page URL (replacing an older copy).
    pub fn cache_article(&mut self, url: &str, article: &Article) -> Result<(), StoreError> {
        let json = serde_json::to_string(article).unwrap_or_default();
        self.conn
            .execute(
                "INSERT INTO articles (url, json, fetched_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (url) DO UPDATE SET json = excluded.json, fetched_at = excluded.fetched_at",
                params![url, json, self.clock.now().timestamp()],
            )
            .map_err(self.map_write("caching an article"))?;
        Ok(())
    }

    /// Subscribe to `url` and fill the feed with `n` synthetic items (benchmarks and tests).
    pub fn add_test_feed(&mut self, url: &str, n: usize) -> Result<FeedId, StoreError> {
        let feed = self.add_feed(
            &NewFeed {
                url: url.into(),
                ..NewFeed::default()
            },
            self.clock.now(),
        )?;
        self.insert_test_items(feed, n)?;
        Ok(feed)
    }

    /// Fill a feed with `n` synthetic items in one transaction (benchmarks and tests).
    pub fn insert_test_items(&mut self, feed: FeedId, n: usize) -> Result<(), StoreError> {
        let base = self.clock.now().timestamp();
        let tx = self
            .conn
            .transaction()
            .map_err(sql("starting a transaction"))?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO items (feed_id, dedupe_key, title, search_title, url,
                        published, first_seen, sort_time, last_seen, summary_html)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?6, ?6, ?7)",
                )
                .map_err(sql("preparing test items"))?;
            for i in 0..n {
                let title = format!("Synthetic headline number {i} about something new");
                let t = base - i64::try_from(i).unwrap_or(0) * 60;
                stmt.execute(params![
                    feed.0,
                    format!("test-{i}"),
                    title,
                    fold_for_search(&title),
                    format!("http://127.0.0.1/item/{i}"),
                    t,
                    format!("<p>Body of synthetic item {i}.</p>"),
                ])
                .map_err(sql("inserting test items"))?;
            }
        }
        tx.commit().map_err(sql("committing test items"))?;
        Ok(())
    }

    /// Copy the WAL back into the database and empty it (`wal_checkpoint(TRUNCATE)`): for a
    /// connection about to end with no reader beside it, so the next one to open the database
    /// has no WAL to read again.
    pub fn checkpoint_wal(&mut self) -> Result<(), StoreError> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(|e| write_error(self.path.as_deref(), "copying the WAL back", e))
    }

    /// `PRAGMA integrity_check` answers "ok".
    pub fn integrity_ok(&self) -> Result<bool, StoreError> {
        let answer: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(sql("checking integrity"))?;
        Ok(answer == "ok")
    }
}

/// Whether every item's full-text index key follows list order (true on any store but one
/// holding a date before 1970 or two billion items): then index rows give item ids and can
/// drive a list (see [`crate::query::search_index::fts_key`]). Four reads of index ends.
fn index_keys_in_order(conn: &Connection) -> bool {
    conn.prepare_cached(&crate::query::search_index::keys_follow_list_order_sql())
        .and_then(|mut stmt| stmt.query_row([], |r| r.get::<_, bool>(0)))
        .unwrap_or(false)
}

/// Whether a tenth of the items or more are unread (the feeds' counts, schema 5).
fn unread_is_frequent(conn: &Connection) -> bool {
    conn.prepare_cached("SELECT coalesce(sum(unread_count) * 10 >= sum(item_count), 1) FROM feeds")
        .and_then(|mut stmt| stmt.query_row([], |r| r.get::<_, bool>(0)))
        .unwrap_or(true)
}

/// Whether at least half the items are unread (the feeds' counts, schema 5).
fn unread_is_most(conn: &Connection) -> bool {
    conn.prepare_cached("SELECT coalesce(sum(unread_count) * 2 >= sum(item_count), 1) FROM feeds")
        .and_then(|mut stmt| stmt.query_row([], |r| r.get::<_, bool>(0)))
        .unwrap_or(true)
}

/// Whether a term finds many items: then the list scans newest first and probes the
/// matches; a rare one drives the lookup instead. A full-text match string is counted (up to
/// a bound); a URL part is tried on the newest items (counting every URL would cost as much
/// as the query): 5 in the newest 500 means a page of 50 comes within a few thousand rows.
fn frequent_term(conn: &Connection, term: crate::query::sql::Frequency<'_>) -> bool {
    use crate::query::sql::Frequency;
    match term {
        Frequency::FullText(fts) => {
            const MANY: i64 = 1_000;
            conn.prepare_cached(
                "SELECT count(*) FROM (SELECT 1 FROM items_fts WHERE items_fts MATCH ?1 LIMIT ?2)",
            )
            .and_then(|mut stmt| stmt.query_row(params![fts, MANY], |r| r.get::<_, i64>(0)))
            .map_or(true, |n| n >= MANY)
        }
        Frequency::UrlLike(pattern) => conn
            .prepare_cached(
                "SELECT count(*) >= 5 FROM (SELECT url FROM items INDEXED BY items_by_time
                 ORDER BY sort_time DESC, id DESC LIMIT 500) WHERE url LIKE ?1 ESCAPE '\\'",
            )
            .and_then(|mut stmt| stmt.query_row([pattern], |r| r.get::<_, bool>(0)))
            .unwrap_or(false),
        // A tenth of the items or more (the feeds' counts, kept by triggers, schema 5).
        Frequency::Unread => unread_is_frequent(conn),
        // The feeds' item counts (kept by triggers, schema 5) and the rules' tags.
        Frequency::Tag(folded) => conn
            .prepare_cached(&format!(
                "SELECT (SELECT coalesce(sum(tf.item_count), 0) FROM feeds tf
                         WHERE EXISTS (SELECT 1 FROM json_each(tf.tags) tj
                                       WHERE {}(tj.value) = ?1))
                      + (SELECT count(*) FROM item_tags WHERE folded = ?1) >= 1000",
                crate::query::search_index::FOLD_FUNCTION
            ))
            .and_then(|mut stmt| stmt.query_row([folded], |r| r.get::<_, bool>(0)))
            .unwrap_or(false),
    }
}

/// One fetch to write: the feed, what the fetch found, the document when it brought one and
/// its items' values when they were computed before ([`FetchWrite::values`]).
type FetchToWrite<'a> = (
    FeedId,
    &'a FetchRecord,
    Option<&'a ParsedFeed>,
    &'a [ItemValues],
);

/// An item of a fetched document with the values the store derives from it.
struct ItemToWrite<'a> {
    item: &'a crate::model::ParsedItem,
    /// Its id when this write inserted it; `None`: the feed has it (it is updated).
    new_id: Option<i64>,
    published: Option<i64>,
    sort_time: i64,
    /// Its values (the duplicate keys are read for a new item only).
    values: Cow<'a, ItemValues>,
}

/// One document to write, with its items' values when they were computed before.
struct DocumentToWrite<'a> {
    feed: FeedId,
    doc: &'a ParsedFeed,
    values: &'a [ItemValues],
}

/// The feed row's side of one fetch: status, validators, schedule, a permanent move.
fn record_on_feed(
    tx: &rusqlite::Transaction<'_>,
    busy_path: Option<&Path>,
    feed: FeedId,
    now: DateTime<Utc>,
    record: &FetchRecord,
) -> Result<(), StoreError> {
    let failed = record.error.is_some();
    tx.prepare_cached(
        "UPDATE feeds SET
            status = ?2,
            etag = CASE WHEN ?3 IS NOT NULL THEN ?3 ELSE etag END,
            last_modified = CASE WHEN ?4 IS NOT NULL THEN ?4 ELSE last_modified END,
            error = ?5,
            next_due = ?6,
            disabled = CASE WHEN ?7 THEN 1 ELSE disabled END,
            failures = CASE WHEN ?8 THEN failures + 1 ELSE 0 END,
            last_fetched = ?9,
            retry_after = ?10
         WHERE id = ?1",
    )
    .and_then(|mut update| {
        update.execute(params![
            feed.0,
            record.status,
            record.etag,
            record.last_modified,
            record.error,
            record.next_due.map(ts),
            record.disable,
            failed,
            ts(now),
            record.retry_after.map(ts),
        ])
    })
    .map_err(|source| write_error(busy_path, "recording a fetch", source))?;
    if let Some(moved) = &record.moved_to {
        // Another subscription may already use the new URL: keep both rather than fail.
        let taken: Option<i64> = tx
            .query_row("SELECT id FROM feeds WHERE url = ?1", [moved], |r| r.get(0))
            .optional()
            .map_err(sql("checking a moved feed's URL"))?;
        if taken.is_none() {
            tx.execute(
                "UPDATE feeds SET url = ?2 WHERE id = ?1",
                params![feed.0, moved],
            )
            .map_err(sql("updating a moved feed's URL"))?;
        }
    }
    Ok(())
}

/// The document's side of one fetch: the feed's title and site, items a sync server gave
/// this feed matched to the polled ones, the values derived from each item, and the items
/// the feed does not have yet (and that this batch did not insert already) inserted under
/// the next ids, in document order, as inserting them one by one numbered them. Their
/// full-text rows and the feed's counts are the caller's ([`BatchUpkeep`]): `new_keys` gets
/// each inserted item's full-text key and id.
///
/// [`BatchUpkeep`]: crate::query::search_index::BatchUpkeep
fn insert_document<'d>(
    tx: &rusqlite::Transaction<'_>,
    busy_path: Option<&Path>,
    now_ts: i64,
    document: DocumentToWrite<'d>,
    next_id: &mut i64,
    keys_written: &mut std::collections::HashSet<(i64, &'d str)>,
    new_keys: &mut Vec<(i64, i64)>,
) -> Result<Vec<ItemToWrite<'d>>, StoreError> {
    let DocumentToWrite { feed, doc, values } = document;
    if let Some(title) = doc.title.as_deref().filter(|t| !t.is_empty()) {
        tx.prepare_cached(
            "UPDATE feeds SET title = ?2, search_title = ?3 WHERE id = ?1 AND title_locked = 0",
        )
        .and_then(|mut update| update.execute(params![feed.0, title, fold_for_search(title)]))
        .map_err(|source| write_error(busy_path, "updating a feed's title", source))?;
    }
    if let Some(site) = &doc.site_url {
        tx.prepare_cached("UPDATE feeds SET site_url = ?2 WHERE id = ?1")
            .and_then(|mut update| update.execute(params![feed.0, site]))
            .map_err(|source| write_error(busy_path, "updating a feed's site", source))?;
    }
    // Items a sync server gave this feed (sync since switched off) are the polled ones:
    // matched by link, they take the feed's own key instead of being stored twice.
    let mut pulled_by_url: HashMap<String, i64> = HashMap::new();
    {
        let mut stmt = tx
            .prepare_cached(
                "SELECT id, url FROM items
                 WHERE feed_id = ?1 AND dedupe_key >= 'sync:' AND dedupe_key < 'sync;'
                   AND url IS NOT NULL",
            )
            .map_err(sql("looking up synced items"))?;
        let rows = stmt
            .query_map([feed.0], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(sql("looking up synced items"))?;
        for row in rows {
            let (id, url) = row.map_err(sql("looking up synced items"))?;
            pulled_by_url.entry(url).or_insert(id);
        }
    }
    let mut insert = tx
        .prepare_cached(
            "INSERT INTO items (id, feed_id, dedupe_key, title, search_title, url, author,
                published, first_seen, sort_time, last_seen, summary_html, content_html,
                enclosures, url_key, title_key)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?9, ?11, ?12, ?13, ?14, ?15)
             ON CONFLICT (feed_id, dedupe_key) DO NOTHING",
        )
        .map_err(sql("preparing an item insert"))?;
    let mut known = tx
        .prepare_cached("SELECT 1 FROM items WHERE feed_id = ?1 AND dedupe_key = ?2")
        .map_err(sql("preparing an item lookup"))?;
    // A feed without items yet (every feed of a first refresh) has none of these: one probe
    // instead of one per item.
    let feed_has_items = tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM items WHERE feed_id = ?1)")
        .and_then(|mut probe| probe.query_row([feed.0], |r| r.get::<_, bool>(0)))
        .map_err(sql("looking up an item"))?;
    // Values computed before only when there is one per item (else computed here).
    let values = (values.len() == doc.items.len()).then_some(values);
    let mut items = Vec::with_capacity(doc.items.len());
    for (index, item) in doc.items.iter().enumerate() {
        if !pulled_by_url.is_empty()
            && let Some(pulled) = item.url.as_ref().and_then(|u| pulled_by_url.remove(u))
        {
            tx.execute(
                "UPDATE OR IGNORE items SET dedupe_key = ?2 WHERE id = ?1",
                params![pulled, item.dedupe_key],
            )
            .map_err(sql("matching a synced item"))?;
        }
        let published = item.published.map(ts);
        let is_new = keys_written.insert((feed.0, item.dedupe_key.as_str()))
            && !(feed_has_items
                && known
                    .exists(params![feed.0, item.dedupe_key])
                    .map_err(sql("looking up an item"))?);
        let mut to_write = ItemToWrite {
            item,
            new_id: is_new.then(|| {
                *next_id += 1;
                *next_id - 1
            }),
            published,
            // A date in the future would pin an item to the top: never sort after first-seen.
            sort_time: published.map_or(now_ts, |p| p.min(now_ts)),
            values: match values.and_then(|v| v.get(index)) {
                Some(computed) => Cow::Borrowed(computed),
                // The duplicate keys of a new item only (an item sent again keeps its own):
                // a canonical URL is a URL parse, on every item of every feed that changed.
                None => Cow::Owned(ItemValues::computed(item, is_new)),
            },
        };
        let Some(id) = to_write.new_id else {
            items.push(to_write);
            continue;
        };
        let rows = insert
            .execute(params![
                id,
                feed.0,
                item.dedupe_key,
                item.title,
                to_write.values.search_title,
                item.url,
                item.author,
                to_write.published,
                now_ts,
                to_write.sort_time,
                item.summary_html,
                item.content_html,
                to_write.values.enclosures,
                to_write.values.url_key,
                to_write.values.title_key,
            ])
            .map_err(|source| write_error(busy_path, "inserting an item", source))?;
        if rows == 1 {
            new_keys.push((
                crate::query::search_index::fts_key(to_write.sort_time, id),
                id,
            ));
        } else {
            // The feed had it after all (a key the lookup missed): it is updated instead.
            to_write.new_id = None;
        }
        items.push(to_write);
    }
    Ok(items)
}

/// The writes of `fetches` inside `tx` (the caller commits): each feed's row and its new
/// items, then the full-text rows of every new item of the batch in ONE insert in key
/// order, then per fetch in order its duplicate links, the items it sent again and its
/// rules. FTS5 writes the words it holds to disk as a new segment (to be merged later) at
/// every statement savepoint, and whenever a row's key is below the previous row's; each
/// insert that fires the full-text trigger opens a savepoint, and the keys follow time, not
/// arrival. Indexed one by one, a cold refresh's 34,000 items made a segment nearly each,
/// and FTS5's flushing and merging was 57 % of the refresh's CPU. The items themselves are
/// inserted one by one with their triggers' upkeep left to this batch (schema 14; before,
/// their HTML was first copied into a staging table for one INSERT … SELECT in key order).
/// One result per fetch: how many of its items were new.
fn write_fetches(
    tx: &rusqlite::Transaction<'_>,
    busy_path: Option<&Path>,
    rules: &[ArrivalRule],
    now: DateTime<Utc>,
    fetches: &[FetchToWrite<'_>],
) -> Result<Vec<usize>, StoreError> {
    let now_ts = ts(now);
    let mut next_id: i64 = tx
        .query_row("SELECT coalesce(max(id), 0) + 1 FROM items", [], |r| {
            r.get(0)
        })
        .map_err(sql("numbering new items"))?;
    let mut keys_written = std::collections::HashSet::new();
    let mut new_keys: Vec<(i64, i64)> = Vec::new();
    let mut documents: Vec<Vec<ItemToWrite<'_>>> = Vec::with_capacity(fetches.len());
    {
        // The items inserted from here skip their triggers' upkeep: done below for all.
        let _upkeep = crate::query::search_index::BatchUpkeep::start();
        for &(feed, record, parsed, values) in fetches {
            record_on_feed(tx, busy_path, feed, now, record)?;
            let Some(doc) = parsed else {
                documents.push(Vec::new());
                continue;
            };
            let document = DocumentToWrite { feed, doc, values };
            let before = new_keys.len();
            documents.push(insert_document(
                tx,
                busy_path,
                now_ts,
                document,
                &mut next_id,
                &mut keys_written,
                &mut new_keys,
            )?);
            count_new_items(tx, busy_path, feed, new_keys.len() - before)?;
        }
    }
    index_new_items(tx, busy_path, &mut new_keys)?;
    let mut update = tx
        .prepare_cached(
            "UPDATE items SET title = ?3, search_title = ?4, url = ?5, author = ?6,
                published = ?7,
                sort_time = CASE WHEN ?7 IS NULL THEN sort_time ELSE min(?7, first_seen) END,
                last_seen = ?8, summary_html = ?9, content_html = ?10, enclosures = ?11
             WHERE feed_id = ?1 AND dedupe_key = ?2",
        )
        .map_err(sql("preparing an item update"))?;
    // Most items a feed sends again are unchanged: only their last_seen moves. Setting the
    // other columns to their own values would still rewrite the index entries of every
    // column set (url, time: eight indexes) and fire the full-text trigger's savepoint.
    let mut seen_again = tx
        .prepare_cached(
            "UPDATE items SET last_seen = ?8
             WHERE feed_id = ?1 AND dedupe_key = ?2 AND title IS ?3 AND search_title IS ?4
               AND url IS ?5 AND author IS ?6 AND published IS ?7
               AND sort_time IS (CASE WHEN ?7 IS NULL THEN sort_time
                                 ELSE min(?7, first_seen) END)
               AND summary_html IS ?9 AND content_html IS ?10 AND enclosures IS ?11",
        )
        .map_err(sql("preparing an item update"))?;
    let mut counts = Vec::with_capacity(fetches.len());
    for (&(feed, _, _, _), items) in fetches.iter().zip(&documents) {
        let mut new_ids: Vec<i64> = Vec::new();
        for written in items {
            let item = written.item;
            if let Some(id) = written.new_id {
                new_ids.push(id);
                let copy = duplicates::NewCopy {
                    item: id,
                    feed: feed.0,
                    title: &item.title,
                    url_key: written.values.url_key.as_deref(),
                    title_key: written.values.title_key.as_deref(),
                    sort_time: written.sort_time,
                };
                duplicates::link_new_copy(tx, &copy, now_ts)?;
            } else {
                let values = params![
                    feed.0,
                    item.dedupe_key,
                    item.title,
                    written.values.search_title,
                    item.url,
                    item.author,
                    written.published,
                    now_ts,
                    item.summary_html,
                    item.content_html,
                    written.values.enclosures,
                ];
                let unchanged = seen_again
                    .execute(values)
                    .map_err(|source| write_error(busy_path, "updating an item", source))?;
                if unchanged == 0 {
                    update
                        .execute(values)
                        .map_err(|source| write_error(busy_path, "updating an item", source))?;
                }
            }
        }
        apply_rules(tx, rules, &new_ids, now)
            .map_err(|source| write_error(busy_path, "applying rules", source))?;
        counts.push(new_ids.len());
    }
    Ok(counts)
}

/// Add `new` items (just inserted, unread, not hidden) to the counts of `feed`: what the
/// count trigger does per row, once per feed of a batch.
fn count_new_items(
    tx: &rusqlite::Transaction<'_>,
    busy_path: Option<&Path>,
    feed: FeedId,
    new: usize,
) -> Result<(), StoreError> {
    if new == 0 {
        return Ok(());
    }
    let new = i64::try_from(new).unwrap_or(i64::MAX);
    tx.prepare_cached(
        "UPDATE feeds SET item_count = item_count + ?2, unread_count = unread_count + ?2
         WHERE id = ?1",
    )
    .and_then(|mut update| update.execute(params![feed.0, new]))
    .map_err(|source| write_error(busy_path, "counting new items", source))?;
    Ok(())
}

/// Write the full-text rows of the items `new_keys` (full-text key, id) in one statement in
/// key order: the same rows as the insert trigger's (schema 11), which a batch skips.
fn index_new_items(
    tx: &rusqlite::Transaction<'_>,
    busy_path: Option<&Path>,
    new_keys: &mut [(i64, i64)],
) -> Result<(), StoreError> {
    if new_keys.is_empty() {
        return Ok(());
    }
    use std::fmt::Write;
    new_keys.sort_unstable();
    let mut ids = String::with_capacity(new_keys.len() * 8 + 2);
    ids.push('[');
    for (n, (_, id)) in new_keys.iter().enumerate() {
        if n > 0 {
            ids.push(',');
        }
        let _ = write!(ids, "{id}");
    }
    ids.push(']');
    // CROSS JOIN: the ids in their order (key order) drive the read of the rows.
    tx.prepare_cached(
        "INSERT INTO items_fts (rowid, title, author, body, article)
         SELECT kiosque_fts_key(i.sort_time, i.id), i.title, coalesce(i.author, ''),
                kiosque_item_text(i.summary_html, i.content_html),
                coalesce((SELECT kiosque_article_text(a.json) FROM articles a
                          WHERE a.url = i.url), '')
         FROM json_each(?1) AS j CROSS JOIN items AS i ON i.id = j.value",
    )
    .and_then(|mut insert| insert.execute([ids]))
    .map_err(|source| write_error(busy_path, "indexing new items", source))?;
    Ok(())
}

/// Apply `rules` in order to the items `new_ids` (inserted by this transaction): each rule's
/// query picks among them, its action changes them. A later rule sees earlier rules' changes.
fn apply_rules(
    tx: &rusqlite::Transaction<'_>,
    rules: &[ArrivalRule],
    new_ids: &[i64],
    now: DateTime<Utc>,
) -> Result<(), rusqlite::Error> {
    use crate::config::RuleAction;
    use rusqlite::types::Value;
    if rules.is_empty() || new_ids.is_empty() {
        return Ok(());
    }
    let ids = serde_json::to_string(new_ids).unwrap_or_else(|_| "[]".into());
    for rule in rules {
        let mut values = vec![Value::Text(ids.clone())];
        let condition = rule.query.to_sql(&mut values, now);
        let picked = format!(
            "SELECT i.id FROM items i WHERE i.id IN (SELECT value FROM json_each(?1)) AND ({condition})"
        );
        let statement = match &rule.action {
            RuleAction::Read => format!(
                "UPDATE items SET read = 1, read_at = {} WHERE id IN ({picked})",
                now.timestamp()
            ),
            RuleAction::Star => format!("UPDATE items SET starred = 1 WHERE id IN ({picked})"),
            RuleAction::Hide => {
                format!("INSERT OR IGNORE INTO hidden_items (item_id) SELECT id FROM ({picked})")
            }
            RuleAction::Tag(tag) => {
                values.push(Value::Text(tag.clone()));
                let t = values.len();
                values.push(Value::Text(fold_for_search(tag)));
                let f = values.len();
                format!(
                    "INSERT OR IGNORE INTO item_tags (item_id, tag, folded) \
                     SELECT id, ?{t}, ?{f} FROM ({picked})"
                )
            }
        };
        tx.execute(&statement, params_from_iter(values))?;
    }
    Ok(())
}

/// Insert a subscription in `tx` ([`Store::add_feed`]): a URL already subscribed is
/// [`StoreError::AlreadySubscribed`]; one unsubscribed earlier whose starred items were kept
/// comes back with them.
pub(crate) fn insert_feed(
    tx: &rusqlite::Transaction<'_>,
    new: &NewFeed,
    now: DateTime<Utc>,
) -> Result<FeedId, StoreError> {
    let title = new.title.clone().unwrap_or_default();
    let tags = serde_json::to_string(&new.tags).unwrap_or_else(|_| "[]".into());
    let exists: Option<(i64, bool)> = tx
        .query_row(
            "SELECT id, removed_at IS NOT NULL FROM feeds WHERE url = ?1",
            [&new.url],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(sql("looking up a feed"))?;
    let id = match exists {
        Some((_, false)) => {
            return Err(StoreError::AlreadySubscribed {
                url: new.url.clone(),
            });
        }
        Some((id, true)) => {
            tx.execute(
                "UPDATE feeds SET title = ?2, title_locked = ?3, search_title = ?4,
                        site_url = ?5, tags = ?6, etag = ?7, last_modified = ?8, added_at = ?9,
                        removed_at = NULL, last_fetched = NULL, status = NULL, error = NULL,
                        next_due = NULL, retry_after = NULL, failures = 0, disabled = 0
                     WHERE id = ?1",
                params![
                    id,
                    title,
                    new.title_is_users,
                    fold_for_search(&title),
                    new.site_url,
                    tags,
                    new.etag,
                    new.last_modified,
                    ts(now)
                ],
            )
            .map_err(sql("adding a feed"))?;
            FeedId(id)
        }
        None => {
            tx.execute(
                "INSERT INTO feeds (url, title, title_locked, search_title, site_url, tags,
                                        etag, last_modified, added_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    new.url,
                    title,
                    new.title_is_users,
                    fold_for_search(&title),
                    new.site_url,
                    tags,
                    new.etag,
                    new.last_modified,
                    ts(now)
                ],
            )
            .map_err(sql("adding a feed"))?;
            FeedId(tx.last_insert_rowid())
        }
    };
    Ok(id)
}

#[cfg(test)]
mod tests;
