//! The store's side of sync: server ids on feeds and items, the queue of local changes
//! (written in the same transaction as the change itself, deleted only once the server has
//! acknowledged it), applying what a pull brought, and the sync metadata.

use super::{Store, begin, from_ts, id_and_two_texts, ts, write_error, writing};
use crate::error::{StoreError, sql};
use crate::model::{FeedId, ItemId};
use crate::sync::{Account, RemoteItem, RemoteItemId, StateFlag, Subscription};
use crate::text::fold_for_search;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// What a queued change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueuedKind {
    Read,
    Unread,
    Star,
    Unstar,
    Subscribe,
    Unsubscribe,
    /// A whole feed marked read: one mark-all-as-read request for it (its `read` rows name
    /// this row), else those rows are pushed one by one.
    ReadAll,
}

/// Each kind and its name in the `sync_queue.kind` column.
const KIND_NAMES: [(QueuedKind, &str); 7] = [
    (QueuedKind::Read, "read"),
    (QueuedKind::Unread, "unread"),
    (QueuedKind::Star, "star"),
    (QueuedKind::Unstar, "unstar"),
    (QueuedKind::Subscribe, "subscribe"),
    (QueuedKind::Unsubscribe, "unsubscribe"),
    (QueuedKind::ReadAll, "read_all"),
];

impl QueuedKind {
    fn as_str(self) -> &'static str {
        KIND_NAMES
            .iter()
            .find(|(k, _)| *k == self)
            .map_or("", |(_, name)| name)
    }

    fn parse(s: &str) -> Option<QueuedKind> {
        KIND_NAMES
            .iter()
            .find(|(_, name)| *name == s)
            .map(|(k, _)| *k)
    }

    /// The item flag this change sets, and to what; `None` for subscription changes.
    pub fn item_state(self) -> Option<(StateFlag, bool)> {
        match self {
            QueuedKind::Read => Some((StateFlag::Read, true)),
            QueuedKind::Unread => Some((StateFlag::Read, false)),
            QueuedKind::Star => Some((StateFlag::Starred, true)),
            QueuedKind::Unstar => Some((StateFlag::Starred, false)),
            QueuedKind::Subscribe | QueuedKind::Unsubscribe | QueuedKind::ReadAll => None,
        }
    }

    fn of_state(flag: StateFlag, on: bool) -> QueuedKind {
        match (flag, on) {
            (StateFlag::Read, true) => QueuedKind::Read,
            (StateFlag::Read, false) => QueuedKind::Unread,
            (StateFlag::Starred, true) => QueuedKind::Star,
            (StateFlag::Starred, false) => QueuedKind::Unstar,
        }
    }
}

/// One local change waiting to be pushed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedChange {
    /// Queue row id: rows are pushed in this order and deleted by it.
    pub id: i64,
    pub kind: QueuedKind,
    pub item: Option<RemoteItemId>,
    pub feed_url: Option<String>,
    pub feed_server_id: Option<String>,
    pub folder: Option<String>,
    /// A `read` row written by a mark-all: the queue id of its [`QueuedKind::ReadAll`] row.
    pub mark_all: Option<i64>,
}

/// What the last sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncMeta {
    /// Start of the last sync that succeeded.
    pub last_sync: Option<DateTime<Utc>>,
    pub last_attempt: Option<DateTime<Utc>>,
    /// Why the last sync failed; `None` after a success.
    pub last_error: Option<String>,
}

/// The local side of the server's subscriptions after a pull.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppliedSubscriptions {
    /// Server feed id → local feed.
    pub feeds: HashMap<String, FeedId>,
    pub added: usize,
    /// Titles of synced feeds the server no longer has: dropped locally with their items,
    /// except starred ones, kept in the feed (then a local one, not fetched).
    pub removed: Vec<String>,
}

/// A synced feed leaves: its items go except starred ones, which stay as local items (the
/// next sync neither asks the server for them nor takes their star away); the feed goes too
/// unless it kept some, then `keep_feed` marks it. Returns how many were kept. A feed removed
/// here without sync ([`Store::remove_feed`]) leaves the same way.
pub(super) fn drop_feed_keeping_starred(
    tx: &rusqlite::Transaction<'_>,
    id: i64,
    keep_feed: impl FnOnce() -> rusqlite::Result<usize>,
) -> Result<usize, StoreError> {
    tx.execute("DELETE FROM items WHERE feed_id = ?1 AND starred = 0", [id])
        .map_err(sql("deleting a feed's items"))?;
    let kept = tx
        .execute("UPDATE items SET server_id = NULL WHERE feed_id = ?1", [id])
        .map_err(sql("keeping a feed's starred items"))?;
    if kept == 0 {
        tx.execute("DELETE FROM feeds WHERE id = ?1", [id])
            .map_err(sql("deleting a feed"))?;
    } else {
        keep_feed().map_err(sql("keeping a feed's starred items"))?;
    }
    Ok(kept)
}

fn remote_id(text: &str) -> Option<RemoteItemId> {
    text.parse().ok().map(RemoteItemId)
}

/// Every row of `query` with `params`, read by `row`; `doing` names the work in errors.
fn rows_of<T, P: rusqlite::Params>(
    conn: &rusqlite::Connection,
    query: &str,
    params: P,
    doing: &'static str,
    row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, StoreError> {
    let mut stmt = conn.prepare_cached(query).map_err(sql(doing))?;
    let rows = stmt.query_map(params, row).map_err(sql(doing))?;
    rows.collect::<Result<_, _>>().map_err(sql(doing))
}

/// The server item ids `query` (one text column) lists; texts that are no id are passed over.
fn remote_ids<P: rusqlite::Params>(
    conn: &rusqlite::Connection,
    query: &str,
    params: P,
    doing: &'static str,
) -> Result<HashSet<RemoteItemId>, StoreError> {
    let texts = rows_of(conn, query, params, doing, |r| r.get::<_, String>(0))?;
    Ok(texts.iter().filter_map(|t| remote_id(t)).collect())
}

/// Run the write `query` once for each of `rows` (its parameters) in `tx`, a write to the
/// database at `path`; returns how many rows changed in all.
fn write_each<P: rusqlite::Params>(
    tx: &rusqlite::Transaction<'_>,
    path: Option<&std::path::Path>,
    query: &str,
    rows: impl IntoIterator<Item = P>,
    doing: &'static str,
) -> Result<usize, StoreError> {
    let mut stmt = tx.prepare_cached(query).map_err(sql(doing))?;
    let mut changed = 0;
    for params in rows {
        changed += stmt.execute(params).map_err(writing(path, doing))?;
    }
    Ok(changed)
}

impl Store {
    /// Run `work` in one transaction and commit it (a failed commit is `committing`). `work`
    /// gets the transaction and the database's path, which its write errors name.
    fn in_transaction<T>(
        &mut self,
        committing: &'static str,
        work: impl FnOnce(&rusqlite::Transaction<'_>, Option<&Path>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let (tx, busy_path) = begin(&mut self.conn, &self.path)?;
        let done = work(&tx, busy_path.as_deref())?;
        tx.commit()
            .map_err(writing(busy_path.as_deref(), committing))?;
        Ok(done)
    }

    /// Set a flag on items locally and queue the change for the server, in one transaction:
    /// all or none (an unknown id changes nothing). Items that never came from the server are
    /// changed but not queued. Returns how many changes were queued.
    pub fn set_state_queued(
        &mut self,
        ids: &[ItemId],
        flag: StateFlag,
        on: bool,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        self.in_transaction("committing a change", |tx, path| {
            let mut queued = 0;
            let mut read_rows: Vec<(i64, i64)> = Vec::new();
            let mut update = tx
                .prepare_cached(match flag {
                    StateFlag::Read => {
                        "UPDATE items SET read = ?2, read_at = CASE WHEN ?2 THEN ?3 ELSE NULL END \
                         WHERE id = ?1 RETURNING server_id, feed_id"
                    }
                    StateFlag::Starred => {
                        "UPDATE items SET starred = ?2 WHERE id = ?1 AND ?3 = ?3 \
                         RETURNING server_id, feed_id"
                    }
                })
                .map_err(sql("preparing a state change"))?;
            let mut enqueue = tx
                .prepare_cached(
                    "INSERT INTO sync_queue (kind, item_server_id, queued_at) VALUES (?1, ?2, ?3)",
                )
                .map_err(sql("preparing the sync queue"))?;
            let kind = QueuedKind::of_state(flag, on).as_str();
            for id in ids {
                let changed: Option<(Option<String>, i64)> = update
                    .query_row(params![id.0, on, ts(now)], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
                    .map_err(writing(path, "changing an item's state"))?;
                match changed {
                    None => return Err(StoreError::NoSuchItem { id: id.0 }),
                    Some((None, _)) => {}
                    Some((Some(server_id), feed_id)) => {
                        enqueue
                            .execute(params![kind, server_id, ts(now)])
                            .map_err(writing(path, "queueing a change"))?;
                        read_rows.push((tx.last_insert_rowid(), feed_id));
                        queued += 1;
                    }
                }
            }
            if flag == StateFlag::Read && on {
                queue_mark_alls(tx, &read_rows, now)?;
            }
            Ok(queued)
        })
    }

    /// Subscribe here at once and queue the subscription for the server, in one transaction
    /// (its first tag is the server folder). The feed gets its server id when pushed.
    pub fn add_feed_queued(
        &mut self,
        new: &super::NewFeed,
        now: DateTime<Utc>,
    ) -> Result<FeedId, StoreError> {
        self.in_transaction("committing a new feed", |tx, path| {
            let id = super::insert_feed(tx, new, now)?;
            tx.execute(
                "INSERT INTO sync_queue (kind, feed_url, folder, queued_at) VALUES ('subscribe', ?1, ?2, ?3)",
                params![new.url, new.tags.first(), ts(now)],
            )
            .map_err(writing(path, "queueing a subscription"))?;
            Ok(id)
        })
    }

    /// Subscribe here to a feed the server has just subscribed to (`server_id`), in one
    /// transaction. A server id another local feed holds already (the server knew the feed by
    /// another URL) is [`StoreError::AlreadySubscribed`] with that feed's URL.
    pub fn add_feed_synced(
        &mut self,
        new: &super::NewFeed,
        server_id: &str,
        now: DateTime<Utc>,
    ) -> Result<FeedId, StoreError> {
        self.in_transaction("committing a new feed", |tx, _| {
            if let Some((_, url)) = feed_with_server_id(tx, server_id)? {
                return Err(StoreError::AlreadySubscribed { url });
            }
            let id = super::insert_feed(tx, new, now)?;
            tx.execute(
                "UPDATE feeds SET server_id = ?2 WHERE id = ?1",
                params![id.0, server_id],
            )
            .map_err(sql("recording a feed's server id"))?;
            Ok(id)
        })
    }

    /// The server's id of a feed (`None` for a feed kiosque polls itself).
    pub fn feed_server_id(&self, id: FeedId) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row("SELECT server_id FROM feeds WHERE id = ?1", [id.0], |r| {
                r.get::<_, Option<String>>(0)
            })
            .optional()
            .map_err(sql("looking up a feed"))?
            .ok_or_else(|| StoreError::NoSuchFeed {
                what: id.to_string(),
            })
    }

    /// Unsubscribe here at once and queue the unsubscription for the server, in one
    /// transaction; a subscription not pushed yet is simply taken back. As with
    /// [`Store::remove_feed`], its items go except starred ones, which stay (under Starred)
    /// as local items the server no longer speaks for. Returns how many were kept.
    pub fn remove_feed_queued(
        &mut self,
        id: FeedId,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        self.remove_synced_feed(id, true, now)
    }

    /// A feed the server has just unsubscribed: removed here as by
    /// [`Store::remove_feed_queued`], with nothing queued.
    pub fn remove_feed_unsubscribed(
        &mut self,
        id: FeedId,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        self.remove_synced_feed(id, false, now)
    }

    fn remove_synced_feed(
        &mut self,
        id: FeedId,
        queue: bool,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        self.in_transaction("committing a removal", |tx, _| {
            let feed: Option<(String, Option<String>)> = tx
                .query_row(
                    "SELECT url, server_id FROM feeds WHERE id = ?1 AND removed_at IS NULL",
                    [id.0],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(sql("looking up a feed"))?;
            let Some((url, server_id)) = feed else {
                return Err(StoreError::NoSuchFeed {
                    what: id.to_string(),
                });
            };
            if queue {
                let taken_back = tx
                    .execute(
                        "DELETE FROM sync_queue WHERE kind = 'subscribe' AND feed_url = ?1",
                        [&url],
                    )
                    .map_err(sql("taking back a queued subscription"))?;
                if let Some(server_id) = &server_id {
                    tx.execute(
                        "INSERT INTO sync_queue (kind, feed_url, feed_server_id, queued_at)
                         VALUES ('unsubscribe', ?1, ?2, ?3)",
                        params![url, server_id, ts(now)],
                    )
                    .map_err(sql("queueing an unsubscription"))?;
                } else if taken_back == 0 {
                    tracing::debug!("sync: {url} was never on the server; removed here only");
                }
            }
            let kept = drop_feed_keeping_starred(tx, id.0, || {
                tx.execute(
                    "UPDATE feeds SET removed_at = ?2, server_id = NULL WHERE id = ?1",
                    params![id.0, ts(now)],
                )
            })?;
            Ok(kept)
        })
    }

    /// A pushed subscription: the local feed with this URL gets the server's id, and the
    /// queue row goes, in one transaction.
    pub fn subscription_pushed(
        &mut self,
        queue_id: i64,
        url: &str,
        server_id: &str,
    ) -> Result<(), StoreError> {
        self.in_transaction("recording a subscription", |tx, _| {
            // Another local feed may already hold this server id (the server redirected the URL).
            if feed_with_server_id(tx, server_id)?.is_none() {
                tx.execute(
                    "UPDATE feeds SET server_id = ?2 WHERE url = ?1 AND server_id IS NULL",
                    params![url, server_id],
                )
                .map_err(sql("recording a feed's server id"))?;
            }
            tx.execute("DELETE FROM sync_queue WHERE id = ?1", [queue_id])
                .map_err(sql("emptying the sync queue"))?;
            Ok(())
        })
    }

    /// Every queued change, oldest first.
    pub fn queued_changes(&self) -> Result<Vec<QueuedChange>, StoreError> {
        let rows = rows_of(
            &self.conn,
            "SELECT id, kind, item_server_id, feed_url, feed_server_id, folder, mark_all
             FROM sync_queue ORDER BY id",
            [],
            "reading the sync queue",
            |r| {
                // The CHECK constraint keeps kinds known; a row from a newer kiosque is left
                // alone.
                let Some(kind) = QueuedKind::parse(&r.get::<_, String>(1)?) else {
                    return Ok(None);
                };
                let item: Option<String> = r.get(2)?;
                Ok(Some(QueuedChange {
                    id: r.get(0)?,
                    kind,
                    item: item.as_deref().and_then(remote_id),
                    feed_url: r.get(3)?,
                    feed_server_id: r.get(4)?,
                    folder: r.get(5)?,
                    mark_all: r.get(6)?,
                }))
            },
        )?;
        Ok(rows.into_iter().flatten().collect())
    }

    /// How many changes wait to be pushed.
    pub fn pending_count(&self) -> Result<usize, StoreError> {
        let n: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM sync_queue WHERE kind <> 'read_all'",
                [],
                |r| r.get(0),
            )
            .map_err(sql("counting queued changes"))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// Forget queued changes the server has acknowledged.
    pub fn delete_queued(&mut self, ids: &[i64]) -> Result<(), StoreError> {
        let doing = "emptying the sync queue";
        self.in_transaction(doing, |tx, path| {
            let delete = "DELETE FROM sync_queue WHERE id = ?1";
            write_each(tx, path, delete, ids.iter().map(|id| [id]), doing).map(drop)
        })
    }

    /// What the last sync did.
    pub fn sync_meta(&self) -> Result<SyncMeta, StoreError> {
        let row: Option<(Option<i64>, Option<i64>, Option<String>)> = self
            .conn
            .query_row(
                "SELECT last_sync, last_attempt, last_error FROM sync_meta WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(sql("reading the sync state"))?;
        Ok(row
            .map(|(last_sync, last_attempt, last_error)| SyncMeta {
                last_sync: last_sync.map(from_ts),
                last_attempt: last_attempt.map(from_ts),
                last_error,
            })
            .unwrap_or_default())
    }

    /// Record a sync that started at `started`: a success (no error) moves `last_sync` there;
    /// a failure keeps it and shows the error on every synced feed.
    pub fn record_sync(
        &mut self,
        started: DateTime<Utc>,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        self.in_transaction("recording a sync", |tx, path| {
            tx.execute(
                "INSERT INTO sync_meta (id, last_sync, last_attempt, last_error) VALUES (1, NULL, ?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET
                    last_sync = CASE WHEN ?2 IS NULL THEN ?1 ELSE last_sync END,
                    last_attempt = ?1, last_error = ?2",
                params![ts(started), error],
            )
            .map_err(writing(path, "recording a sync"))?;
            if error.is_some() {
                tx.execute(
                    "UPDATE feeds SET error = ?1 WHERE server_id IS NOT NULL",
                    [error],
                )
                .map_err(sql("recording a sync error on feeds"))?;
            }
            Ok(())
        })
    }

    /// Make the local subscriptions the server's, in one transaction: feeds matched by server
    /// id, else adopted by URL, else added; folders become tags; a synced feed the server no
    /// longer has is dropped with its items. Feeds kiosque polls itself are left alone.
    pub fn apply_subscriptions(
        &mut self,
        subscriptions: &[Subscription],
        now: DateTime<Utc>,
    ) -> Result<AppliedSubscriptions, StoreError> {
        let (tx, busy_path) = begin(&mut self.conn, &self.path)?;
        let mut applied = AppliedSubscriptions::default();
        let leaving: HashSet<String> = rows_of(
            &tx,
            "SELECT feed_server_id FROM sync_queue
             WHERE kind = 'unsubscribe' AND feed_server_id IS NOT NULL",
            [],
            "reading the sync queue",
            |r| r.get(0),
        )?
        .into_iter()
        .collect();
        {
            let mut by_server = tx
                .prepare_cached("SELECT id FROM feeds WHERE server_id = ?1")
                .map_err(sql("looking up a synced feed"))?;
            let mut by_url = tx
                .prepare_cached("SELECT id, server_id FROM feeds WHERE url = ?1")
                .map_err(sql("looking up a feed"))?;
            let mut update = tx
                .prepare_cached(
                    "UPDATE feeds SET server_id = ?2,
                        title = CASE WHEN title_locked = 0 AND ?3 <> '' THEN ?3 ELSE title END,
                        search_title = CASE WHEN title_locked = 0 AND ?3 <> '' THEN ?4 ELSE search_title END,
                        site_url = coalesce(?5, site_url), tags = ?6,
                        status = NULL, error = NULL, disabled = 0, last_fetched = ?7
                     WHERE id = ?1",
                )
                .map_err(sql("preparing a feed update"))?;
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO feeds (url, title, search_title, site_url, tags, server_id,
                        last_fetched, added_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                )
                .map_err(sql("preparing a feed insert"))?;
            for sub in subscriptions {
                // Unsubscribed here, not pushed yet: the local removal stands.
                if applied.feeds.contains_key(&sub.id) || leaving.contains(&sub.id) {
                    continue;
                }
                let tags = serde_json::to_string(&sub.folders).unwrap_or_else(|_| "[]".into());
                let search = fold_for_search(&sub.title);
                let mut local: Option<i64> = by_server
                    .query_row([&sub.id], |r| r.get(0))
                    .optional()
                    .map_err(sql("looking up a synced feed"))?;
                if local.is_none() {
                    let found: Option<(i64, Option<String>)> = by_url
                        .query_row([&sub.url], |r| Ok((r.get(0)?, r.get(1)?)))
                        .optional()
                        .map_err(sql("looking up a feed"))?;
                    match found {
                        // Another server feed already holds this URL: keep the first.
                        Some((_, Some(other))) if other != sub.id => continue,
                        Some((id, _)) => local = Some(id),
                        None => {}
                    }
                }
                let id = match local {
                    Some(id) => {
                        update
                            .execute(params![
                                id,
                                sub.id,
                                sub.title,
                                search,
                                sub.site_url,
                                tags,
                                ts(now)
                            ])
                            .map_err(writing(busy_path.as_deref(), "updating a synced feed"))?;
                        id
                    }
                    None => {
                        let title = if sub.title.is_empty() {
                            sub.url.clone()
                        } else {
                            sub.title.clone()
                        };
                        insert
                            .execute(params![
                                sub.url,
                                title,
                                fold_for_search(&title),
                                sub.site_url,
                                tags,
                                sub.id,
                                ts(now)
                            ])
                            .map_err(writing(busy_path.as_deref(), "adding a synced feed"))?;
                        applied.added += 1;
                        tx.last_insert_rowid()
                    }
                };
                applied.feeds.insert(sub.id.clone(), FeedId(id));
            }
        }
        let gone: Vec<(i64, String)> = id_and_two_texts(
            &tx,
            "SELECT id, title, server_id FROM feeds WHERE server_id IS NOT NULL",
            "listing synced feeds",
        )?
        .into_iter()
        .filter(|(_, _, server_id)| !applied.feeds.contains_key(server_id))
        .map(|(id, title, _)| (id, title))
        .collect();
        for (id, title) in gone {
            // Starred items are never dropped silently: they stay in the feed, which becomes
            // a local one that is not fetched (the server may have deleted them already).
            let kept = drop_feed_keeping_starred(&tx, id, || {
                tx.execute(
                    "UPDATE feeds SET server_id = NULL, disabled = 1, status = NULL,
                        error = 'no longer subscribed on the server; starred items kept here'
                     WHERE id = ?1",
                    [id],
                )
            })?;
            applied.removed.push(match kept {
                0 => title,
                kept => format!("{title} ({kept} starred items kept here)"),
            });
        }
        tx.commit()
            .map_err(writing(busy_path.as_deref(), "committing subscriptions"))?;
        Ok(applied)
    }

    /// Feeds that came from a sync server.
    pub fn synced_feed_ids(&self) -> Result<HashSet<FeedId>, StoreError> {
        let query = "SELECT id FROM feeds WHERE server_id IS NOT NULL";
        let ids = rows_of(&self.conn, query, [], "listing synced feeds", |r| {
            Ok(FeedId(r.get(0)?))
        })?;
        Ok(ids.into_iter().collect())
    }

    /// Server ids of every stored item.
    pub fn server_item_ids(&self) -> Result<HashSet<RemoteItemId>, StoreError> {
        self.server_ids_where("server_id IS NOT NULL")
    }

    /// Server ids of the items starred here.
    pub fn starred_server_items(&self) -> Result<HashSet<RemoteItemId>, StoreError> {
        self.server_ids_where("server_id IS NOT NULL AND starred = 1")
    }

    fn server_ids_where(&self, clause: &str) -> Result<HashSet<RemoteItemId>, StoreError> {
        let query = format!("SELECT server_id FROM items WHERE {clause}");
        remote_ids(&self.conn, &query, [], "listing synced items")
    }

    /// The final queued value of each item flag, by server id.
    fn queued_states(
        tx: &rusqlite::Transaction<'_>,
    ) -> Result<HashMap<(RemoteItemId, StateFlag), bool>, StoreError> {
        let rows = rows_of(
            tx,
            "SELECT kind, item_server_id FROM sync_queue
             WHERE item_server_id IS NOT NULL ORDER BY id",
            [],
            "reading the sync queue",
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
        )?;
        let mut out = HashMap::new();
        for (kind, id) in rows {
            if let (Some((flag, on)), Some(id)) = (
                QueuedKind::parse(&kind).and_then(QueuedKind::item_state),
                remote_id(&id),
            ) {
                out.insert((id, flag), on);
            }
        }
        Ok(out)
    }

    /// Store items pulled from the server, in one transaction. An item already stored is left
    /// as it is; a queued local change wins over the state the server sent. Items of a feed
    /// not subscribed here are skipped. An item polled here before sync (same feed, same
    /// link, no server id) is not stored twice: it takes the server id and keeps what it had
    /// (read or starred on either side stays so), and its read or star the server lacks is
    /// queued. Returns (stored, skipped).
    pub fn store_remote_items(
        &mut self,
        items: &[RemoteItem],
        feeds: &HashMap<String, FeedId>,
        now: DateTime<Utc>,
    ) -> Result<(usize, usize), StoreError> {
        let (tx, busy_path) = begin(&mut self.conn, &self.path)?;
        let queued = Self::queued_states(&tx)?;
        let (mut stored, mut skipped) = (0, 0);
        // Items new here, with the state the server gave them: `[[rules]]` act on them below.
        let mut arrived: Vec<(i64, RemoteItemId, bool, bool)> = Vec::new();
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO items (feed_id, dedupe_key, title, search_title, url,
                        author, published, first_seen, sort_time, last_seen, content_html,
                        read, starred, read_at, server_id, url_key, title_key)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?8, ?10, ?11, ?12,
                        CASE WHEN ?11 THEN ?8 ELSE NULL END, ?13, ?14, ?15)",
                )
                .map_err(sql("preparing a synced item insert"))?;
            let mut polled = tx
                .prepare_cached(
                    "SELECT id, read, starred FROM items
                     WHERE feed_id = ?1 AND url = ?2 AND server_id IS NULL ORDER BY id LIMIT 1",
                )
                .map_err(sql("preparing a polled item lookup"))?;
            let mut adopt = tx
                .prepare_cached(
                    "UPDATE OR IGNORE items SET server_id = ?2, read = ?3, starred = ?4,
                        read_at = CASE WHEN read = 0 AND ?3 THEN ?5 ELSE read_at END,
                        content_html = coalesce(content_html, ?6)
                     WHERE id = ?1",
                )
                .map_err(sql("preparing a polled item update"))?;
            let mut enqueue = tx
                .prepare_cached(
                    "INSERT INTO sync_queue (kind, item_server_id, queued_at) VALUES (?1, ?2, ?3)",
                )
                .map_err(sql("preparing the sync queue"))?;
            for item in items {
                let Some(feed) = feeds.get(&item.feed) else {
                    tracing::warn!(
                        "sync: item {} belongs to {:?}, not a subscription here; skipped",
                        item.id,
                        crate::text::sanitize_line(&item.feed)
                    );
                    skipped += 1;
                    continue;
                };
                let read = queued
                    .get(&(item.id, StateFlag::Read))
                    .copied()
                    .unwrap_or(item.read);
                let starred = queued
                    .get(&(item.id, StateFlag::Starred))
                    .copied()
                    .unwrap_or(item.starred);
                let found: Option<(i64, bool, bool)> = match &item.url {
                    Some(url) => polled
                        .query_row(params![feed.0, url], |r| {
                            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                        })
                        .optional()
                        .map_err(sql("looking up a polled item"))?,
                    None => None,
                };
                if let Some((local, local_read, local_starred)) = found {
                    let adopted = adopt
                        .execute(params![
                            local,
                            item.id.decimal(),
                            local_read || read,
                            local_starred || starred,
                            ts(now),
                            item.content_html,
                        ])
                        .map_err(writing(busy_path.as_deref(), "matching a polled item"))?;
                    if adopted == 1 {
                        for (kind, differs) in [
                            ("read", local_read && !read),
                            ("star", local_starred && !starred),
                        ] {
                            if differs {
                                enqueue
                                    .execute(params![kind, item.id.decimal(), ts(now)])
                                    .map_err(writing(busy_path.as_deref(), "queueing a change"))?;
                            }
                        }
                        continue;
                    }
                }
                let published = item.published.map(ts);
                let sort_time = published.map_or(ts(now), |p| p.min(ts(now)));
                let url_key = item
                    .url
                    .as_deref()
                    .and_then(crate::duplicates::canonical_url);
                let title_key = crate::duplicates::title_key(&item.title);
                let n = insert
                    .execute(params![
                        feed.0,
                        format!("sync:{}", item.id.decimal()),
                        item.title,
                        fold_for_search(&item.title),
                        item.url,
                        item.author,
                        published,
                        ts(now),
                        sort_time,
                        item.content_html,
                        read,
                        starred,
                        item.id.decimal(),
                        url_key,
                        title_key,
                    ])
                    .map_err(writing(busy_path.as_deref(), "storing a synced item"))?;
                if n == 1 {
                    arrived.push((tx.last_insert_rowid(), item.id, read, starred));
                    super::duplicates::link_copy(
                        &tx,
                        tx.last_insert_rowid(),
                        feed.0,
                        url_key.as_deref(),
                        title_key.as_deref(),
                        sort_time,
                        ts(now),
                    )?;
                }
                stored += n;
            }
        }
        Self::apply_rules_to_synced(&tx, &self.rules, &arrived, now).map_err(writing(
            busy_path.as_deref(),
            "applying rules to synced items",
        ))?;
        tx.commit()
            .map_err(writing(busy_path.as_deref(), "committing synced items"))?;
        Ok((stored, skipped))
    }

    /// `[[rules]]` on items the sync brought, as on polled ones; a read or star a rule gives
    /// is queued for the server, so every device sees it (and the next state pull keeps it).
    fn apply_rules_to_synced(
        tx: &rusqlite::Transaction<'_>,
        rules: &[super::ArrivalRule],
        arrived: &[(i64, RemoteItemId, bool, bool)],
        now: DateTime<Utc>,
    ) -> Result<(), rusqlite::Error> {
        if rules.is_empty() || arrived.is_empty() {
            return Ok(());
        }
        let ids: Vec<i64> = arrived.iter().map(|a| a.0).collect();
        super::apply_rules(tx, rules, &ids, now)?;
        let mut state = tx.prepare_cached("SELECT read, starred FROM items WHERE id = ?1")?;
        let mut enqueue = tx.prepare_cached(
            "INSERT INTO sync_queue (kind, item_server_id, queued_at) VALUES (?1, ?2, ?3)",
        )?;
        for &(id, server_id, read, starred) in arrived {
            let (now_read, now_starred): (bool, bool) =
                state.query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            for (kind, given) in [
                ("read", now_read && !read),
                ("star", now_starred && !starred),
            ] {
                if given {
                    enqueue.execute(params![kind, server_id.decimal(), ts(now)])?;
                }
            }
        }
        Ok(())
    }

    /// Bring stored items to the server's read and starred state, in one transaction: read
    /// unless in `unread`, starred when in `starred`. Items with a queued change, and items
    /// the server no longer has (`forgotten`), keep their local state. Returns how many
    /// items changed.
    pub fn reconcile_states(
        &mut self,
        unread: &HashSet<RemoteItemId>,
        starred: &HashSet<RemoteItemId>,
        forgotten: &HashSet<RemoteItemId>,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        self.in_transaction("committing synced states", |tx, path| {
            let synced: Vec<(i64, String, bool, bool)> = rows_of(
                tx,
                "SELECT id, server_id, read, starred FROM items
                 WHERE server_id IS NOT NULL AND server_id NOT IN
                    (SELECT item_server_id FROM sync_queue WHERE item_server_id IS NOT NULL)",
                [],
                "reading synced items",
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?;
            let mut changes = Vec::new();
            for (id, server_id, read, is_starred) in synced {
                let Some(remote) = remote_id(&server_id) else {
                    continue;
                };
                if forgotten.contains(&remote) {
                    continue;
                }
                let want_read = !unread.contains(&remote);
                let want_starred = starred.contains(&remote);
                if want_read != read || want_starred != is_starred {
                    changes.push((id, want_read, want_starred, want_read != read));
                }
            }
            write_each(
                tx,
                path,
                "UPDATE items SET read = ?2, starred = ?3,
                    read_at = CASE WHEN NOT ?4 THEN read_at WHEN ?2 THEN ?5 ELSE NULL END
                 WHERE id = ?1",
                changes.iter().map(|(id, read, starred, read_changed)| {
                    (*id, *read, *starred, *read_changed, ts(now))
                }),
                "updating synced states",
            )?;
            Ok(changes.len())
        })
    }
}

/// Why a listed item was not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unfetched {
    /// Asked for, not in the answer (over the size cap, or the server would not send it).
    NotSent,
    /// Of a feed not subscribed here (a starred item of a feed removed here…).
    NoFeed,
}

/// A local feed the sync server does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalOnlyFeed {
    pub id: FeedId,
    pub url: String,
    /// Its first tag: the folder to subscribe it in.
    pub folder: Option<String>,
}

impl Store {
    /// The server and account this data dir synced with, once a sync recorded it.
    pub fn sync_account(&self) -> Result<Option<Account>, StoreError> {
        let row: Option<(Option<String>, Option<String>)> = self
            .conn
            .query_row(
                "SELECT server_url, account FROM sync_meta WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(sql("reading the sync state"))?;
        Ok(match row {
            Some((Some(url), Some(username))) => Some(Account { url, username }),
            _ => None,
        })
    }

    /// Record the server and account this data dir syncs with.
    pub fn record_sync_account(&mut self, account: &Account) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO sync_meta (id, server_url, account) VALUES (1, ?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET server_url = ?1, account = ?2",
                params![account.url, account.username],
            )
            .map_err(writing(self.path.as_deref(), "recording the account"))?;
        Ok(())
    }

    /// Forget which server the feeds and items came from, to sync with `account` from now
    /// on, in one transaction: feeds, items and their read and starred state stay (the next
    /// sync, a first one, matches them by URL); changes queued for the old server go, except
    /// subscriptions not pushed yet. Returns how many queued changes were dropped.
    pub fn reset_server_ids(&mut self, account: &Account) -> Result<usize, StoreError> {
        let (tx, busy_path) = begin(&mut self.conn, &self.path)?;
        let failed = |source| write_error(busy_path.as_deref(), "resetting server ids", source);
        let dropped = tx
            .execute(
                "DELETE FROM sync_queue WHERE kind <> 'subscribe' AND kind <> 'read_all'",
                [],
            )
            .map_err(failed)?;
        tx.execute("DELETE FROM sync_queue WHERE kind = 'read_all'", [])
            .map_err(failed)?;
        // The old server's ids leave the keys too (`sync:old:<row>`, still a pulled item's
        // key for polling to match): the new server's `sync:<id>` could be the same number.
        tx.execute(
            "UPDATE items SET server_id = NULL,
                dedupe_key = CASE WHEN dedupe_key >= 'sync:' AND dedupe_key < 'sync;'
                             THEN 'sync:old:' || id ELSE dedupe_key END
             WHERE server_id IS NOT NULL OR (dedupe_key >= 'sync:' AND dedupe_key < 'sync;')",
            [],
        )
        .map_err(failed)?;
        tx.execute(
            "UPDATE feeds SET server_id = NULL, error = NULL WHERE server_id IS NOT NULL",
            [],
        )
        .map_err(failed)?;
        tx.execute("DELETE FROM sync_unfetched", [])
            .map_err(failed)?;
        tx.execute(
            "INSERT INTO sync_meta (id, server_url, account) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET server_url = ?1, account = ?2,
                last_sync = NULL, last_error = NULL",
            params![account.url, account.username],
        )
        .map_err(failed)?;
        tx.commit().map_err(failed)?;
        Ok(dropped)
    }

    /// Listed items not to ask for again: those of a feed not subscribed here, and those the
    /// server did not send in the last day (asked again once a day, in case it was passing).
    pub fn unfetched_ids(&self, now: DateTime<Utc>) -> Result<HashSet<RemoteItemId>, StoreError> {
        remote_ids(
            &self.conn,
            "SELECT server_id FROM sync_unfetched WHERE reason = 'no_feed' OR at > ?1",
            [ts(now) - 86_400],
            "reading items not fetched",
        )
    }

    /// Remember items asked for and not stored, so that later syncs do not ask again.
    pub fn record_unfetched(
        &mut self,
        ids: &[RemoteItemId],
        why: Unfetched,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let reason = match why {
            Unfetched::NotSent => "not_sent",
            Unfetched::NoFeed => "no_feed",
        };
        let doing = "recording items not fetched";
        self.in_transaction(doing, |tx, path| {
            let insert =
                "INSERT OR REPLACE INTO sync_unfetched (server_id, reason, at) VALUES (?1, ?2, ?3)";
            let rows = ids.iter().map(|id| (id.decimal(), reason, ts(now)));
            write_each(tx, path, insert, rows, doing).map(drop)
        })
    }

    /// Forget items not fetched that no server list names any more.
    pub fn forget_unfetched(&mut self, ids: &[RemoteItemId]) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let doing = "forgetting items not fetched";
        self.in_transaction(doing, |tx, path| {
            let delete = "DELETE FROM sync_unfetched WHERE server_id = ?1";
            write_each(tx, path, delete, ids.iter().map(|id| [id.decimal()]), doing).map(drop)
        })
    }

    /// New subscriptions arrived: items skipped for want of their feed may be stored now.
    pub fn forget_unfetched_for_want_of_a_feed(&mut self) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM sync_unfetched WHERE reason = 'no_feed'", [])
            .map_err(writing(
                self.path.as_deref(),
                "forgetting items not fetched",
            ))?;
        Ok(())
    }

    /// Items the server no longer has: they keep their state here as local items the server
    /// no longer speaks for (never asked about again). Returns how many.
    pub fn detach_forgotten(&mut self, ids: &HashSet<RemoteItemId>) -> Result<usize, StoreError> {
        if ids.is_empty() {
            return Ok(0);
        }
        let doing = "detaching forgotten items";
        self.in_transaction(doing, |tx, path| {
            let detach = "UPDATE items SET server_id = NULL WHERE server_id = ?1
                 AND server_id NOT IN (SELECT item_server_id FROM sync_queue
                                       WHERE item_server_id IS NOT NULL)";
            write_each(tx, path, detach, ids.iter().map(|id| [id.decimal()]), doing)
        })
    }

    /// Server ids of synced items unread here with no change queued.
    pub fn unread_server_items(&self) -> Result<HashSet<RemoteItemId>, StoreError> {
        self.server_ids_where(
            "server_id IS NOT NULL AND read = 0 AND server_id NOT IN
                (SELECT item_server_id FROM sync_queue WHERE item_server_id IS NOT NULL)",
        )
    }

    /// Feeds here that the server does not have: subscribed here, not removed, not disabled,
    /// no server id and no subscription queued.
    pub fn local_only_feeds(&self) -> Result<Vec<LocalOnlyFeed>, StoreError> {
        let rows = id_and_two_texts(
            &self.conn,
            "SELECT id, url, tags FROM feeds
             WHERE server_id IS NULL AND removed_at IS NULL AND disabled = 0
               AND url NOT IN (SELECT feed_url FROM sync_queue
                               WHERE kind = 'subscribe' AND feed_url IS NOT NULL)
             ORDER BY id",
            "listing local feeds",
        )?;
        Ok(rows
            .into_iter()
            .map(|(id, url, tags)| LocalOnlyFeed {
                id: FeedId(id),
                url,
                folder: serde_json::from_str::<Vec<String>>(&tags)
                    .ok()
                    .and_then(|t| t.into_iter().next()),
            })
            .collect())
    }

    /// A local feed just subscribed on the server: it gets the server's id, unless another
    /// local feed holds it already (the server knew the feed by another URL). Returns whether
    /// it was recorded.
    pub fn feed_subscribed(&mut self, id: FeedId, server_id: &str) -> Result<bool, StoreError> {
        self.in_transaction("recording a subscription", |tx, _| {
            if feed_with_server_id(tx, server_id)?.is_some() {
                return Ok(false);
            }
            let n = tx
                .execute(
                    "UPDATE feeds SET server_id = ?2, status = NULL, error = NULL
                     WHERE id = ?1 AND server_id IS NULL",
                    params![id.0, server_id],
                )
                .map_err(sql("recording a feed's server id"))?;
            Ok(n == 1)
        })
    }

    /// A mark-all the server acknowledged: its row goes, with every earlier read/unread row of
    /// the items it covered (the server has them read now); later ones stay to be pushed.
    /// Returns how many items it covered.
    pub fn mark_all_pushed(&mut self, mark_all: i64) -> Result<usize, StoreError> {
        let doing = "emptying the sync queue";
        self.in_transaction(doing, |tx, path| {
            let covered: Vec<(i64, String)> = rows_of(
                tx,
                "SELECT id, item_server_id FROM sync_queue
                 WHERE mark_all = ?1 AND item_server_id IS NOT NULL",
                [mark_all],
                "reading the sync queue",
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let last = covered.iter().map(|(id, _)| *id).max().unwrap_or(mark_all);
            write_each(
                tx,
                path,
                "DELETE FROM sync_queue WHERE item_server_id = ?1
                 AND kind IN ('read', 'unread') AND id <= ?2",
                covered.iter().map(|(_, item)| (item, last)),
                doing,
            )?;
            tx.execute("DELETE FROM sync_queue WHERE id = ?1", [mark_all])
                .map_err(sql(doing))?;
            Ok(covered.len())
        })
    }
}

/// After items were marked read and their `read` rows queued (`rows`: queue row id, feed id):
/// each synced feed with two or more of them and no unread item left was marked read whole,
/// so it gets a `read_all` row (its newest synced item as the limit) that its rows name.
pub(super) fn queue_mark_alls(
    tx: &rusqlite::Transaction<'_>,
    rows: &[(i64, i64)],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut by_feed: std::collections::BTreeMap<i64, Vec<i64>> = Default::default();
    for (row, feed) in rows {
        by_feed.entry(*feed).or_default().push(*row);
    }
    for (feed, rows) in by_feed {
        if rows.len() < 2 {
            continue;
        }
        let found: Option<(Option<String>, i64)> = tx
            .query_row(
                "SELECT server_id, unread_count FROM feeds WHERE id = ?1",
                [feed],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(sql("looking up a feed"))?;
        let Some((Some(feed_server_id), 0)) = found else {
            continue;
        };
        let synced = remote_ids(
            tx,
            "SELECT server_id FROM items WHERE feed_id = ?1 AND server_id IS NOT NULL",
            [feed],
            "listing a feed's synced items",
        )?;
        let Some(newest) = synced.into_iter().max() else {
            continue;
        };
        tx.execute(
            "INSERT INTO sync_queue (kind, item_server_id, feed_server_id, queued_at)
             VALUES ('read_all', ?1, ?2, ?3)",
            params![newest.decimal(), feed_server_id, ts(now)],
        )
        .map_err(sql("queueing a mark-all"))?;
        let mark_all = tx.last_insert_rowid();
        let name = "UPDATE sync_queue SET mark_all = ?2 WHERE id = ?1";
        let named = rows.iter().map(|row| [*row, mark_all]);
        write_each(tx, None, name, named, "queueing a mark-all")?;
    }
    Ok(())
}

/// The local feed (id, url) that holds a server id, if one does.
fn feed_with_server_id(
    tx: &rusqlite::Transaction<'_>,
    server_id: &str,
) -> Result<Option<(i64, String)>, StoreError> {
    tx.query_row(
        "SELECT id, url FROM feeds WHERE server_id = ?1",
        [server_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
    .map_err(sql("looking up a synced feed"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ItemFilter;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    fn of_feed(feed: FeedId) -> ItemFilter {
        ItemFilter {
            feed: Some(feed),
            ..Default::default()
        }
    }

    fn new_feed(url: &str) -> crate::store::NewFeed {
        crate::store::NewFeed {
            url: url.into(),
            ..Default::default()
        }
    }

    fn sub(id: &str, url: &str, folder: &str) -> Subscription {
        Subscription {
            id: id.into(),
            title: format!("Feed {id}"),
            url: url.into(),
            site_url: None,
            folders: vec![folder.into()],
        }
    }

    fn remote(id: u64, feed: &str, read: bool, starred: bool) -> RemoteItem {
        RemoteItem {
            id: RemoteItemId(id),
            feed: feed.into(),
            title: format!("Item {id}"),
            url: Some(format!("http://127.0.0.1/{id}")),
            author: None,
            published: Some(now()),
            content_html: Some("<p>x</p>".into()),
            read,
            starred,
        }
    }

    /// (local id, read, starred) of the item with this server id.
    fn by_server_id(store: &Store, server_id: u64) -> (ItemId, bool, bool) {
        let sql = "SELECT id, read, starred FROM items WHERE server_id = ?1";
        let row = |r: &rusqlite::Row<'_>| Ok((ItemId(r.get(0)?), r.get(1)?, r.get(2)?));
        let params = [server_id.to_string()];
        store.conn.query_row(sql, params, row).unwrap()
    }

    fn state(store: &Store, server_id: u64) -> (bool, bool) {
        let (_, read, starred) = by_server_id(store, server_id);
        (read, starred)
    }

    fn local_id(store: &Store, server_id: u64) -> ItemId {
        by_server_id(store, server_id).0
    }

    /// Kind and item of every queued change, oldest first.
    fn queued_kinds(store: &Store) -> Vec<(QueuedKind, Option<RemoteItemId>)> {
        let queue = store.queued_changes().unwrap();
        queue.into_iter().map(|c| (c.kind, c.item)).collect()
    }

    /// The server's subscriptions [`synced_store`] starts from: feed/1 in Tech, feed/2 in News.
    fn tech_and_news() -> [Subscription; 2] {
        [
            sub("feed/1", "http://127.0.0.1/a.xml", "Tech"),
            sub("feed/2", "http://127.0.0.1/b.xml", "News"),
        ]
    }

    fn synced_store() -> (Store, HashMap<String, FeedId>) {
        let mut store = Store::open_in_memory().unwrap();
        let applied = store.apply_subscriptions(&tech_and_news(), now()).unwrap();
        let items = [
            remote(10, "feed/1", false, false),
            remote(11, "feed/1", true, false),
            remote(12, "feed/2", false, true),
            remote(13, "feed/9", false, false),
        ];
        let (stored, skipped) = store
            .store_remote_items(&items, &applied.feeds, now())
            .unwrap();
        assert_eq!((stored, skipped), (3, 1));
        (store, applied.feeds)
    }

    #[test]
    fn subscriptions_become_feeds_with_folders_as_tags_and_leave_when_the_server_drops_them() {
        let (mut store, feeds) = synced_store();
        assert_eq!(feeds.len(), 2);
        let all = store.feeds().unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].tags, vec!["Tech".to_string()]);
        // Stored twice: still one copy.
        let again = store
            .store_remote_items(&[remote(10, "feed/1", true, true)], &feeds, now())
            .unwrap();
        assert_eq!(again, (0, 0));
        assert_eq!(store.count_items(&ItemFilter::default()).unwrap(), 3);
        // A local feed kiosque polls itself is kept; feed/2 is gone from the server.
        store
            .add_feed(&new_feed("http://127.0.0.1/local.xml"), now())
            .unwrap();
        // feed/2 holds item 12, starred: the feed stays, local and not fetched, with it.
        let applied = store
            .apply_subscriptions(&[sub("feed/1", "http://127.0.0.1/a.xml", "Dev")], now())
            .unwrap();
        assert_eq!(
            applied.removed,
            vec!["Feed feed/2 (1 starred items kept here)".to_string()]
        );
        let all = store.feeds().unwrap();
        assert_eq!(all.len(), 3);
        assert!(all.iter().any(|f| f.tags == vec!["Dev".to_string()]));
        assert_eq!(store.count_items(&ItemFilter::default()).unwrap(), 3);
        let kept = store.find_feed("http://127.0.0.1/b.xml").unwrap();
        assert!(kept.disabled && kept.error.is_some());
        assert!(!store.synced_feed_ids().unwrap().contains(&kept.id));
        assert!(!store.server_item_ids().unwrap().contains(&RemoteItemId(12)));
        // Subscribed again on the server: adopted by its URL, fetched by the server again.
        store
            .apply_subscriptions(
                &[
                    sub("feed/1", "http://127.0.0.1/a.xml", "Dev"),
                    sub("feed/7", "http://127.0.0.1/b.xml", "News"),
                ],
                now(),
            )
            .unwrap();
        let back = store.find_feed("http://127.0.0.1/b.xml").unwrap();
        assert!(!back.disabled && back.error.is_none());
        assert!(store.synced_feed_ids().unwrap().contains(&back.id));
        store
            .apply_subscriptions(&[sub("feed/1", "http://127.0.0.1/a.xml", "Dev")], now())
            .unwrap();
        // Once feed/1 goes too, with no starred item, it is dropped whole.
        let applied = store.apply_subscriptions(&[], now()).unwrap();
        assert_eq!(applied.removed, vec!["Feed feed/1".to_string()]);
        assert_eq!(store.count_items(&ItemFilter::default()).unwrap(), 1);
    }

    #[test]
    fn a_local_change_is_queued_in_the_same_transaction_and_wins_over_the_pull() {
        let (mut store, _) = synced_store();
        let id = local_id(&store, 10);
        let queued = store
            .set_state_queued(&[id], StateFlag::Read, true, now())
            .unwrap();
        assert_eq!(queued, 1);
        assert_eq!(state(&store, 10), (true, false));
        let pending = store.queued_changes().unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].kind, QueuedKind::Read);
        assert_eq!(pending[0].item, Some(RemoteItemId(10)));
        // The server still says 10 is unread (the push has not happened): the queue wins.
        let unread: HashSet<_> = [10, 12].map(RemoteItemId).into();
        let starred: HashSet<_> = [12].map(RemoteItemId).into();
        let changed = store
            .reconcile_states(&unread, &starred, &HashSet::new(), now())
            .unwrap();
        assert_eq!(changed, 0);
        assert_eq!(state(&store, 10), (true, false));
        // Once acknowledged and deleted, the server's state applies again.
        store.delete_queued(&[pending[0].id]).unwrap();
        assert_eq!(store.pending_count().unwrap(), 0);
        let changed = store
            .reconcile_states(&unread, &starred, &HashSet::new(), now())
            .unwrap();
        assert_eq!(changed, 1);
        assert_eq!(state(&store, 10), (false, false));
    }

    #[test]
    fn every_state_change_of_a_synced_item_is_queued_also_mark_all_read_and_its_undo() {
        let (mut store, _) = synced_store();
        let ten = local_id(&store, 10);
        store.set_starred(&[ten], true).unwrap();
        let marked = store.mark_all_read(&ItemFilter::default()).unwrap();
        assert_eq!(marked.len(), 2);
        store.set_read(&marked, false).unwrap();
        let kinds = queued_kinds(&store);
        assert_eq!(kinds.len(), 5, "{kinds:?}");
        assert_eq!(kinds[0], (QueuedKind::Star, Some(RemoteItemId(10))));
        assert_eq!(kinds.iter().filter(|k| k.0 == QueuedKind::Read).count(), 2);
        assert_eq!(
            kinds.iter().filter(|k| k.0 == QueuedKind::Unread).count(),
            2
        );
        // A feed kiosque polls itself: its items change without queueing anything.
        let local = store
            .add_feed(&new_feed("http://127.0.0.1/local.xml"), now())
            .unwrap();
        store.insert_test_items(local, 2).unwrap();
        store.mark_all_read(&of_feed(local)).unwrap();
        assert_eq!(store.pending_count().unwrap(), 5);
    }

    #[test]
    fn a_removal_takes_back_an_unpushed_subscription_and_outlives_the_pull() {
        let (mut store, _) = synced_store();
        let new = store
            .add_feed_queued(&new_feed("http://127.0.0.1/new.xml"), now())
            .unwrap();
        assert_eq!(store.pending_count().unwrap(), 1);
        store.remove_feed_queued(new, now()).unwrap();
        assert_eq!(store.pending_count().unwrap(), 0);
        // A synced feed removed here: queued, and the next pull does not bring it back
        // before the unsubscription is pushed.
        let synced = store.find_feed("http://127.0.0.1/b.xml").unwrap();
        store.remove_feed_queued(synced.id, now()).unwrap();
        let queued = store.queued_changes().unwrap();
        assert_eq!(queued[0].kind, QueuedKind::Unsubscribe);
        assert_eq!(queued[0].feed_server_id.as_deref(), Some("feed/2"));
        store.apply_subscriptions(&tech_and_news(), now()).unwrap();
        assert!(store.find_feed("http://127.0.0.1/b.xml").is_err());
    }

    #[test]
    fn a_feed_marked_read_whole_queues_one_mark_all_and_a_part_of_one_does_not() {
        let (mut store, feeds) = synced_store();
        let more = [
            remote(20, "feed/1", false, false),
            remote(21, "feed/1", false, false),
            remote(22, "feed/2", false, false),
            remote(23, "feed/2", false, false),
        ];
        store.store_remote_items(&more, &feeds, now()).unwrap();
        // The TUI's `A` on feed/1 (unread: 10, 20, 21): the whole feed.
        let marked = store.mark_all_read(&of_feed(feeds["feed/1"])).unwrap();
        assert_eq!(marked.len(), 3);
        // Two of feed/2's three unread items: a part, item by item.
        let part = [local_id(&store, 22), local_id(&store, 23)];
        store
            .set_state_queued(&part, StateFlag::Read, true, now())
            .unwrap();
        // Undone: unread again after the mark-all.
        store.set_read(&marked, false).unwrap();
        let queue = store.queued_changes().unwrap();
        let all: Vec<&QueuedChange> = queue
            .iter()
            .filter(|c| c.kind == QueuedKind::ReadAll)
            .collect();
        assert_eq!(all.len(), 1, "{queue:?}");
        assert_eq!(all[0].feed_server_id.as_deref(), Some("feed/1"));
        assert_eq!(all[0].item, Some(RemoteItemId(21)));
        let named: Vec<Option<RemoteItemId>> = queue
            .iter()
            .filter(|c| c.mark_all == Some(all[0].id))
            .map(|c| c.item)
            .collect();
        assert_eq!(named.len(), 3);
        // The mark-all row is no change of its own.
        assert_eq!(store.pending_count().unwrap(), 3 + 2 + 3);
        // Acknowledged: its read rows go; the later unread ones and feed/2's stay.
        assert_eq!(store.mark_all_pushed(all[0].id).unwrap(), 3);
        let left = queued_kinds(&store);
        assert_eq!(left.len(), 5, "{left:?}");
        assert_eq!(left.iter().filter(|k| k.0 == QueuedKind::Unread).count(), 3);
    }

    #[test]
    fn items_not_fetched_are_skipped_for_a_day_or_until_their_feed_comes() {
        let (mut store, _) = synced_store();
        let later = now() + chrono::Duration::days(2);
        store
            .record_unfetched(&[RemoteItemId(40)], Unfetched::NotSent, now())
            .unwrap();
        store
            .record_unfetched(&[RemoteItemId(41)], Unfetched::NoFeed, now())
            .unwrap();
        let both: HashSet<_> = [40, 41].map(RemoteItemId).into();
        assert_eq!(store.unfetched_ids(now()).unwrap(), both);
        // A day on, the one not sent is asked for again; the one without a feed waits for it.
        let one: HashSet<_> = [41].map(RemoteItemId).into();
        assert_eq!(store.unfetched_ids(later).unwrap(), one);
        store.forget_unfetched_for_want_of_a_feed().unwrap();
        assert!(store.unfetched_ids(later).unwrap().is_empty());
        store.forget_unfetched(&[RemoteItemId(40)]).unwrap();
        assert!(store.unfetched_ids(now()).unwrap().is_empty());
    }

    #[test]
    fn a_reset_keeps_everything_and_frees_the_old_ids_for_the_new_server() {
        let (mut store, _) = synced_store();
        let ten = local_id(&store, 10);
        store
            .set_state_queued(&[ten], StateFlag::Starred, true, now())
            .unwrap();
        store
            .add_feed_queued(&new_feed("http://127.0.0.1/new.xml"), now())
            .unwrap();
        let new = Account {
            url: "http://127.0.0.1/other".into(),
            username: "bob".into(),
        };
        // The star goes (the old server's id); the queued subscription stays.
        assert_eq!(store.reset_server_ids(&new).unwrap(), 1);
        assert_eq!(store.sync_account().unwrap(), Some(new));
        assert_eq!(store.sync_meta().unwrap().last_sync, None);
        assert!(store.server_item_ids().unwrap().is_empty());
        assert!(store.synced_feed_ids().unwrap().is_empty());
        assert_eq!(store.pending_count().unwrap(), 1);
        assert_eq!(store.count_items(&ItemFilter::default()).unwrap(), 3);
        assert!(store.item(ten).unwrap().summary.starred);
        // The new server's item 10 is another article: stored, not taken for the old one.
        let applied = store
            .apply_subscriptions(&[sub("feed/5", "http://127.0.0.1/a.xml", "Tech")], now())
            .unwrap();
        let mut other = remote(10, "feed/5", false, false);
        other.url = Some("http://127.0.0.1/another".into());
        let (stored, _) = store
            .store_remote_items(&[other], &applied.feeds, now())
            .unwrap();
        assert_eq!(stored, 1);
    }

    #[test]
    fn an_unknown_id_changes_and_queues_nothing() {
        let (mut store, _) = synced_store();
        let id = local_id(&store, 10);
        let err = store
            .set_state_queued(&[id, ItemId(999_999)], StateFlag::Starred, true, now())
            .unwrap_err();
        assert!(matches!(err, StoreError::NoSuchItem { .. }));
        assert_eq!(state(&store, 10), (false, false));
        assert_eq!(store.pending_count().unwrap(), 0);
    }

    #[test]
    fn the_server_state_applies_except_to_forgotten_items() {
        let (mut store, _) = synced_store();
        // Server: 11 unread again, 10 read elsewhere, 12 forgotten (keeps its star).
        let unread: HashSet<_> = [11].map(RemoteItemId).into();
        let forgotten: HashSet<_> = [12].map(RemoteItemId).into();
        let changed = store
            .reconcile_states(&unread, &HashSet::new(), &forgotten, now())
            .unwrap();
        assert_eq!(changed, 2);
        assert_eq!(state(&store, 10), (true, false));
        assert_eq!(state(&store, 11), (false, false));
        assert_eq!(state(&store, 12), (false, true));
    }

    #[test]
    fn a_queued_change_wins_over_the_state_of_a_refetched_item() {
        let (mut store, feeds) = synced_store();
        let id = local_id(&store, 10);
        store
            .set_state_queued(&[id], StateFlag::Starred, true, now())
            .unwrap();
        store
            .conn
            .execute("DELETE FROM items WHERE server_id = '10'", [])
            .unwrap();
        store
            .store_remote_items(&[remote(10, "feed/1", true, false)], &feeds, now())
            .unwrap();
        assert_eq!(state(&store, 10), (true, true));
    }

    #[test]
    fn sync_meta_keeps_the_last_success_and_the_last_error() {
        let (mut store, _) = synced_store();
        assert_eq!(store.sync_meta().unwrap(), SyncMeta::default());
        store.record_sync(now(), None).unwrap();
        let later = now() + chrono::Duration::minutes(5);
        store.record_sync(later, Some("HTTP 503")).unwrap();
        let meta = store.sync_meta().unwrap();
        assert_eq!(meta.last_sync, Some(now()));
        assert_eq!(meta.last_attempt, Some(later));
        assert_eq!(meta.last_error.as_deref(), Some("HTTP 503"));
        assert!(
            store
                .feeds()
                .unwrap()
                .iter()
                .all(|f| f.error.as_deref() == Some("HTTP 503"))
        );
        store.record_sync(later, None).unwrap();
        assert_eq!(store.sync_meta().unwrap().last_error, None);
    }
}
