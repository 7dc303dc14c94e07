//! One sync over any [`SyncService`]: push the queue of local changes (batched, each batch
//! deleted from the queue only once acknowledged), then pull subscriptions (folders → tags),
//! the unread and starred id lists and the ids that arrived since the last sync, fetch the
//! items not stored yet, and reconcile read/starred state. A handful of requests when
//! nothing changed, never one per feed.

use super::{IdStream, RemoteItemId, StateFlag, SyncError, SyncService};
use crate::error::StoreError;
use crate::store::{QueuedKind, Store, StoreWriter, Unfetched};
use crate::text::sanitize_line;
use chrono::{DateTime, Duration, Utc};
use std::collections::{BTreeMap, HashSet};

/// "Arrived since the last sync" looks back this much further (clocks differ; items crawled
/// while the last sync ran).
pub const SINCE_MARGIN_MINUTES: i64 = 10;

/// A stream longer than this many pages is refused (a server looping on its continuation).
pub const MAX_ID_PAGES: usize = 500;

/// What one sync did: the contract's `sync --json` counts (what serializes), and notes for
/// the plain output.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SyncReport {
    /// Local changes sent (one per item and flag).
    pub pushed: usize,
    /// New items stored.
    pub pulled_items: usize,
    /// Stored items whose read/starred state the server changed.
    pub state_changes: usize,
    /// Subscriptions after the sync.
    pub feeds: usize,
    /// Changes still queued.
    pub pending: usize,
    /// HTTP requests made.
    pub requests: u64,
    /// Synced feeds the server no longer has, dropped here.
    #[serde(skip)]
    pub removed_feeds: Vec<String>,
    /// Items of feeds not subscribed here (starred items of a removed feed…), not stored.
    #[serde(skip)]
    pub skipped_items: usize,
    /// Queued subscriptions the server refused (dropped from the queue), with its reason.
    #[serde(skip)]
    pub refused: Vec<String>,
    /// Feeds here the server does not have (not polled while `[sync]` is set), when not
    /// uploaded.
    #[serde(skip)]
    pub local_only_feeds: usize,
    /// Local feeds subscribed on the server by `--upload-subscriptions`.
    #[serde(skip)]
    pub uploaded_feeds: usize,
    /// This was the first sync with this server and account.
    #[serde(skip)]
    pub first: bool,
    /// Queued changes for the old server dropped by `--reset-server-ids`.
    #[serde(skip)]
    pub dropped_for_reset: usize,
}

/// Choices of one sync beyond the default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncOptions {
    /// Sync with the server and account `[sync]` names although this data dir synced with
    /// another: forget the old server ids first (nothing local is lost).
    pub reset_server_ids: bool,
    /// Subscribe on the server to the local feeds it does not have (first tag as folder).
    pub upload_subscriptions: bool,
}

/// Where a sync reads and writes: a store of its own (the `sync` command) or the process's
/// writer thread (the TUI), where each step between two requests is one job, so a mark made
/// while a sync runs waits for one step, never for the network.
pub enum SyncStore<'a> {
    Here(&'a mut Store),
    Writer(StoreWriter),
}

impl SyncStore<'_> {
    /// Run one step on the store.
    async fn call<R: Send + 'static>(
        &mut self,
        job: impl FnOnce(&mut Store) -> Result<R, StoreError> + Send + 'static,
    ) -> Result<R, StoreError> {
        match self {
            SyncStore::Here(store) => job(store),
            SyncStore::Writer(writer) => writer.run_async(job).await?,
        }
    }
}

/// Run one sync started at `now` with `options` (`kiosque sync --reset-server-ids`,
/// `--upload-subscriptions`), and record its outcome (last sync, or the error) in the store.
/// The queue is never emptied of a change the server has not acknowledged.
pub async fn sync_through<S: SyncService>(
    service: &mut S,
    mut store: SyncStore<'_>,
    now: DateTime<Utc>,
    options: SyncOptions,
) -> Result<SyncReport, SyncError> {
    let result = run(service, &mut store, now, options).await;
    let error = result.as_ref().err().map(|e| sanitize_line(&e.to_string()));
    let recorded = store
        .call(move |s| s.record_sync(now, error.as_deref()))
        .await;
    match (recorded, result) {
        (Ok(()), result) => result,
        // The sync's own error says more than a failure to record it.
        (Err(_), Err(e)) => Err(e),
        (Err(e), Ok(_)) => Err(e.into()),
    }
}

async fn run<S: SyncService>(
    service: &mut S,
    store: &mut SyncStore<'_>,
    now: DateTime<Utc>,
    options: SyncOptions,
) -> Result<SyncReport, SyncError> {
    // The server ids stored here are one server's: another one's would mix up items.
    let account = service.account();
    if !options.reset_server_ids {
        account.may_follow(store.call(|s| s.sync_account()).await?)?;
    }
    service.login().await?;
    // Reset once logged in (a mistyped URL or password resets nothing), before the push: the
    // old server's queued changes must not reach the new one.
    let dropped_for_reset = if options.reset_server_ids {
        let account = account.clone();
        store.call(move |s| s.reset_server_ids(&account)).await?
    } else {
        0
    };
    let meta = store.call(|s| s.sync_meta()).await?;
    let mut report = SyncReport {
        pushed: push(service, store).await?,
        first: meta.last_sync.is_none(),
        dropped_for_reset,
        ..SyncReport::default()
    };
    report.pushed += push_subscriptions(service, store, &mut report.refused).await?;

    let subscriptions = service.subscriptions().await?;
    // The server answered as this account: recorded (a mistyped URL that answered nothing
    // is never recorded).
    let mut applied = store
        .call(move |s| {
            if s.sync_account()?.is_none() {
                s.record_sync_account(&account)?;
            }
            let applied = s.apply_subscriptions(&subscriptions, now)?;
            if applied.added > 0 {
                s.forget_unfetched_for_want_of_a_feed()?;
            }
            Ok(applied)
        })
        .await?;
    let local_only = store.call(|s| s.local_only_feeds()).await?;
    if options.upload_subscriptions {
        for feed in local_only {
            match service.subscribe(&feed.url, feed.folder.as_deref()).await {
                Ok(server_id) => {
                    let id = server_id.clone();
                    if store.call(move |s| s.feed_subscribed(feed.id, &id)).await? {
                        applied.feeds.insert(server_id, feed.id);
                        report.uploaded_feeds += 1;
                    }
                }
                Err(e @ SyncError::Refused { .. }) => {
                    report.refused.push(sanitize_line(&e.to_string()));
                }
                Err(e) => return Err(e),
            }
        }
        if report.uploaded_feeds > 0 {
            store
                .call(|s| s.forget_unfetched_for_want_of_a_feed())
                .await?;
        }
    } else {
        report.local_only_feeds = local_only.len();
    }
    for title in &applied.removed {
        tracing::info!(
            "sync: {} is no longer subscribed on the server; dropped",
            title
        );
    }

    // Ids first, contents after: never change state while paging a filtered stream.
    let unread = collect_ids(service, IdStream::Unread).await?;
    let starred = collect_ids(service, IdStream::Starred).await?;
    let arrived = collect_ids(
        service,
        match meta.last_sync {
            Some(last) => IdStream::Since(last - Duration::minutes(SINCE_MARGIN_MINUTES)),
            None => IdStream::All,
        },
    )
    .await?;

    // Listed before but not stored (too large, or of a feed not subscribed here): not asked
    // for again; forgotten once no list names them.
    let (known, unfetched) = store
        .call(move |s| Ok((s.server_item_ids()?, s.unfetched_ids(now)?)))
        .await?;
    let listed: HashSet<RemoteItemId> = unread
        .iter()
        .chain(&starred)
        .chain(&arrived)
        .copied()
        .collect();
    let mut wanted: Vec<RemoteItemId> = listed
        .iter()
        .filter(|id| !known.contains(id) && !unfetched.contains(id))
        .copied()
        .collect();
    // Newest first: an interrupted first sync has the latest news.
    wanted.sort_unstable_by(|a, b| b.cmp(a));
    for chunk in wanted.chunks(service.max_items_per_request().max(1)) {
        let items = service.items(chunk).await?;
        let sent: HashSet<RemoteItemId> = items.iter().map(|i| i.id).collect();
        let not_sent: Vec<RemoteItemId> = chunk
            .iter()
            .filter(|id| !sent.contains(id))
            .copied()
            .collect();
        let no_feed: Vec<RemoteItemId> = items
            .iter()
            .filter(|i| !applied.feeds.contains_key(&i.feed))
            .map(|i| i.id)
            .collect();
        let feeds = applied.feeds.clone();
        let (stored, skipped) = store
            .call(move |s| {
                let counts = s.store_remote_items(&items, &feeds, now)?;
                s.record_unfetched(&not_sent, Unfetched::NotSent, now)?;
                s.record_unfetched(&no_feed, Unfetched::NoFeed, now)?;
                Ok(counts)
            })
            .await?;
        report.pulled_items += stored;
        report.skipped_items += skipped;
    }
    let unlisted: Vec<RemoteItemId> = unfetched.difference(&listed).copied().collect();
    // Starred here but not in the server's starred list, or unread here but not in its
    // unread list: changed elsewhere, or forgotten by the server (purged)? Ask for them: what
    // comes back changed, the rest keep their state here (as local items from now on).
    let (starred_here, unread_here) = store
        .call(move |s| {
            s.forget_unfetched(&unlisted)?;
            Ok((s.starred_server_items()?, s.unread_server_items()?))
        })
        .await?;
    let mut to_check: Vec<RemoteItemId> = starred_here
        .difference(&starred)
        .chain(unread_here.difference(&unread))
        .copied()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    to_check.sort_unstable();
    let mut forgotten: HashSet<RemoteItemId> = to_check.iter().copied().collect();
    for chunk in to_check.chunks(service.max_items_per_request().max(1)) {
        for item in service.items(chunk).await? {
            forgotten.remove(&item.id);
        }
    }
    let (state_changes, pending) = store
        .call(move |s| {
            let changed = s.reconcile_states(&unread, &starred, &forgotten, now)?;
            s.detach_forgotten(&forgotten)?;
            Ok((changed, s.pending_count()?))
        })
        .await?;
    report.state_changes = state_changes;
    // The pull queued the read or star of items polled here before sync: pushed now.
    if pending > 0 {
        report.pushed += push(service, store).await?;
    }
    report.feeds = applied.feeds.len();
    report.removed_feeds = applied.removed;
    report.pending = store.call(|s| s.pending_count()).await?;
    report.requests = service.requests();
    Ok(report)
}

/// An item to push, with the queue rows its change covers.
type QueuedItem = (RemoteItemId, Vec<i64>);

/// Push queued item state changes: per item and flag only the last queued value, grouped
/// by (flag, value) into batches; each batch's queue rows are deleted once the server
/// acknowledged it. Subscription changes are pushed by [`push_subscriptions`].
async fn push<S: SyncService>(
    service: &mut S,
    store: &mut SyncStore<'_>,
) -> Result<usize, SyncError> {
    let mut pushed = 0;
    // Whole feeds marked read: one mark-all-as-read each. Acknowledged, it takes the read
    // rows it covers (and earlier ones of those items) out of the queue; where the server
    // cannot, only its own row goes and the read rows follow by edit-tag below. One request
    // a feed against 2,500 ids an edit-tag: many whole feeds at once go as ids.
    let queue = store.call(|s| s.queued_changes()).await?;
    let use_mark_all = mark_all_pays(&queue, service.max_edit_batch().max(1));
    for change in queue {
        if change.kind != QueuedKind::ReadAll {
            continue;
        }
        if !use_mark_all {
            store.call(move |s| s.delete_queued(&[change.id])).await?;
            continue;
        }
        let done = match (change.feed_server_id.as_deref(), change.item) {
            (Some(feed), Some(newest)) => service.mark_feed_read(feed, newest).await?,
            _ => false,
        };
        pushed += store
            .call(move |s| match done {
                true => s.mark_all_pushed(change.id),
                false => s.delete_queued(&[change.id]).map(|()| 0),
            })
            .await?;
    }
    let queue = store.call(|s| s.queued_changes()).await?;
    let mut groups: BTreeMap<(StateFlag, bool), Vec<QueuedItem>> = BTreeMap::new();
    for ((item, flag), (on, rows)) in last_states(&queue) {
        groups.entry((flag, on)).or_default().push((item, rows));
    }
    for ((flag, on), entries) in groups {
        for batch in entries.chunks(service.max_edit_batch().max(1)) {
            let ids: Vec<RemoteItemId> = batch.iter().map(|(id, _)| *id).collect();
            service.edit_state(flag, on, &ids).await?;
            let rows: Vec<i64> = batch
                .iter()
                .flat_map(|(_, rows)| rows.iter().copied())
                .collect();
            store.call(move |s| s.delete_queued(&rows)).await?;
            pushed += ids.len();
        }
    }
    Ok(pushed)
}

/// Per item and flag, the last value the queue sets, with every queue row that set one.
fn last_states(
    queue: &[crate::store::QueuedChange],
) -> BTreeMap<(RemoteItemId, StateFlag), (bool, Vec<i64>)> {
    let mut last: BTreeMap<(RemoteItemId, StateFlag), (bool, Vec<i64>)> = BTreeMap::new();
    for change in queue {
        if let (Some((flag, on)), Some(item)) = (change.kind.item_state(), change.item) {
            let entry = last.entry((item, flag)).or_insert((on, Vec::new()));
            entry.0 = on;
            entry.1.push(change.id);
        }
    }
    last
}

/// Whether the queue's mark-alls cost at most one request more than sending their items' ids
/// with the other read marks by edit-tag (`batch` ids a request).
fn mark_all_pays(queue: &[crate::store::QueuedChange], batch: usize) -> bool {
    let mark_alls: HashSet<i64> = queue
        .iter()
        .filter(|c| c.kind == QueuedKind::ReadAll)
        .map(|c| c.id)
        .collect();
    if mark_alls.is_empty() {
        return false;
    }
    // Items whose last queued read state is read: the edit-tag `read` batch.
    let reads: HashSet<RemoteItemId> = last_states(queue)
        .into_iter()
        .filter(|((_, flag), (on, _))| *flag == StateFlag::Read && *on)
        .map(|((item, _), _)| item)
        .collect();
    let covered: HashSet<RemoteItemId> = queue
        .iter()
        .filter(|c| c.mark_all.is_some_and(|m| mark_alls.contains(&m)))
        .filter_map(|c| c.item)
        .filter(|item| reads.contains(item))
        .collect();
    let without = reads.len().div_ceil(batch);
    let with = mark_alls.len() + (reads.len() - covered.len()).div_ceil(batch);
    with <= without + 1
}

/// Push queued subscriptions and unsubscriptions, oldest first, each dropped from the queue
/// once the server acknowledged it. A subscription the server refuses (no feed there…) is
/// dropped too, its reason kept for the report; an unsubscription of a feed the server no
/// longer has counts as done.
async fn push_subscriptions<S: SyncService>(
    service: &mut S,
    store: &mut SyncStore<'_>,
    refused: &mut Vec<String>,
) -> Result<usize, SyncError> {
    let mut pushed = 0;
    for change in store.call(|s| s.queued_changes()).await? {
        let id = change.id;
        match change.kind {
            QueuedKind::Subscribe => {
                let Some(url) = change.feed_url.as_deref() else {
                    store.call(move |s| s.delete_queued(&[id])).await?;
                    continue;
                };
                match service.subscribe(url, change.folder.as_deref()).await {
                    Ok(server_id) => {
                        let url = url.to_string();
                        store
                            .call(move |s| s.subscription_pushed(id, &url, &server_id))
                            .await?;
                        pushed += 1;
                    }
                    Err(e @ SyncError::Refused { .. }) => {
                        refused.push(sanitize_line(&e.to_string()));
                        store.call(move |s| s.delete_queued(&[id])).await?;
                    }
                    Err(e) => return Err(e),
                }
            }
            QueuedKind::Unsubscribe => {
                let Some(feed) = change.feed_server_id.as_deref() else {
                    store.call(move |s| s.delete_queued(&[id])).await?;
                    continue;
                };
                match service.unsubscribe(feed).await {
                    Ok(())
                    | Err(SyncError::Status {
                        status: 400 | 404, ..
                    }) => {
                        store.call(move |s| s.delete_queued(&[id])).await?;
                        pushed += 1;
                    }
                    Err(e) => return Err(e),
                }
            }
            _ => {}
        }
    }
    Ok(pushed)
}

/// Every id of a stream, following continuations; a server that repeats a continuation or
/// pages without end is an error, not a hang.
async fn collect_ids<S: SyncService>(
    service: &mut S,
    stream: IdStream,
) -> Result<HashSet<RemoteItemId>, SyncError> {
    let mut ids = HashSet::new();
    let mut continuation: Option<String> = None;
    let mut seen = HashSet::new();
    for _ in 0..MAX_ID_PAGES {
        let page = service.item_ids(stream, continuation.as_deref()).await?;
        ids.extend(page.ids);
        match page.continuation {
            None => return Ok(ids),
            Some(next) => {
                if !seen.insert(next.clone()) {
                    return Err(SyncError::BadAnswer {
                        endpoint: "stream/items/ids".into(),
                        detail: format!("the continuation {next:?} came back twice"),
                    });
                }
                continuation = Some(next);
            }
        }
    }
    Err(SyncError::BadAnswer {
        endpoint: "stream/items/ids".into(),
        detail: format!("more than {MAX_ID_PAGES} pages of ids"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ItemId;
    use crate::sync::{IdPage, RemoteItem, Subscription};
    use std::collections::BTreeMap;

    /// An in-memory server: pages of 2 ids with numeric continuations, counted requests.
    #[derive(Default)]
    struct FakeServer {
        items: BTreeMap<u64, (bool, bool)>,
        edits: Vec<(StateFlag, bool, Vec<u64>)>,
        requests: u64,
        fail_edits: bool,
    }

    impl SyncService for FakeServer {
        async fn login(&mut self) -> Result<(), SyncError> {
            self.requests += 1;
            Ok(())
        }
        async fn subscriptions(&mut self) -> Result<Vec<Subscription>, SyncError> {
            self.requests += 1;
            Ok(vec![Subscription {
                id: "feed/1".into(),
                title: "One".into(),
                url: "http://127.0.0.1/one.xml".into(),
                site_url: None,
                folders: vec!["Tech".into()],
            }])
        }
        async fn subscribe(&mut self, _: &str, _: Option<&str>) -> Result<String, SyncError> {
            unreachable!("not pushed yet")
        }
        async fn unsubscribe(&mut self, _: &str) -> Result<(), SyncError> {
            unreachable!("not pushed yet")
        }
        async fn item_ids(
            &mut self,
            stream: IdStream,
            continuation: Option<&str>,
        ) -> Result<IdPage, SyncError> {
            self.requests += 1;
            let all: Vec<u64> = self
                .items
                .iter()
                .filter(|(_, (read, starred))| match stream {
                    IdStream::Unread => !read,
                    IdStream::Starred => *starred,
                    IdStream::All | IdStream::Since(_) => true,
                })
                .map(|(id, _)| *id)
                .collect();
            let start: usize = continuation.map_or(0, |c| c.parse().unwrap());
            let end = (start + 2).min(all.len());
            Ok(IdPage {
                ids: all[start..end].iter().map(|i| RemoteItemId(*i)).collect(),
                continuation: (end < all.len()).then(|| end.to_string()),
            })
        }
        async fn items(&mut self, ids: &[RemoteItemId]) -> Result<Vec<RemoteItem>, SyncError> {
            self.requests += 1;
            Ok(ids
                .iter()
                .filter_map(|id| {
                    let (read, starred) = *self.items.get(&id.0)?;
                    Some(RemoteItem {
                        id: *id,
                        feed: "feed/1".into(),
                        title: format!("Item {id}"),
                        url: None,
                        author: None,
                        published: None,
                        content_html: None,
                        read,
                        starred,
                    })
                })
                .collect())
        }
        async fn edit_state(
            &mut self,
            flag: StateFlag,
            on: bool,
            ids: &[RemoteItemId],
        ) -> Result<(), SyncError> {
            self.requests += 1;
            if self.fail_edits {
                return Err(SyncError::Status {
                    endpoint: "edit-tag".into(),
                    status: 503,
                    detail: None,
                });
            }
            for id in ids {
                if let Some(state) = self.items.get_mut(&id.0) {
                    match flag {
                        StateFlag::Read => state.0 = on,
                        StateFlag::Starred => state.1 = on,
                    }
                }
            }
            self.edits
                .push((flag, on, ids.iter().map(|i| i.0).collect()));
            Ok(())
        }
        async fn mark_feed_read(&mut self, _: &str, _: RemoteItemId) -> Result<bool, SyncError> {
            Ok(false)
        }
        fn account(&self) -> crate::sync::Account {
            crate::sync::Account {
                url: "http://127.0.0.1/fake".into(),
                username: "alice".into(),
            }
        }
        fn requests(&self) -> u64 {
            self.requests
        }
        fn max_edit_batch(&self) -> usize {
            3
        }
        fn max_items_per_request(&self) -> usize {
            4
        }
    }

    /// One sync with the default options.
    async fn sync(
        server: &mut FakeServer,
        store: &mut Store,
        now: DateTime<Utc>,
    ) -> Result<SyncReport, SyncError> {
        sync_through(server, SyncStore::Here(store), now, SyncOptions::default()).await
    }

    fn at(minute: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + minute * 60, 0).unwrap()
    }

    fn local(store: &Store, server: u64) -> ItemId {
        let all = store
            .items(&crate::store::ItemFilter::default(), 0, 100)
            .unwrap();
        all.into_iter()
            .find(|i| i.title == format!("Item {server}"))
            .unwrap()
            .id
    }

    fn server_with(n: u64) -> FakeServer {
        let mut server = FakeServer::default();
        for id in 1..=n {
            server.items.insert(id, (id % 3 == 0, id % 4 == 0));
        }
        server
    }

    /// [`server_with`] `n` items, and a store that synced with it once (at minute 0).
    async fn synced(n: u64) -> (FakeServer, Store) {
        let mut server = server_with(n);
        let mut store = Store::open_in_memory().unwrap();
        sync(&mut server, &mut store, at(0)).await.unwrap();
        (server, store)
    }

    #[tokio::test]
    async fn a_first_sync_pulls_everything_and_a_second_costs_a_handful_of_requests() {
        let mut server = server_with(10);
        let mut store = Store::open_in_memory().unwrap();
        let report = sync(&mut server, &mut store, at(0)).await.unwrap();
        assert_eq!(report.pulled_items, 10);
        assert_eq!((report.feeds, report.pending, report.pushed), (1, 0, 0));
        let starred = store
            .count_items(&crate::store::ItemFilter {
                starred_only: true,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(starred, 2);
        assert_eq!(store.unread_total().unwrap(), 7);
        server.requests = 0;
        let report = sync(&mut server, &mut store, at(5)).await.unwrap();
        assert_eq!(report.pulled_items + report.state_changes, 0);
        // login, subscriptions, the pages of three id lists (2 ids a page here: 7 unread, 2
        // starred, 10 arrived), and no contents.
        assert_eq!(report.requests, 1 + 1 + 4 + 1 + 5);
        assert_eq!(store.sync_meta().unwrap().last_sync, Some(at(5)));
    }

    #[tokio::test]
    async fn rules_act_on_synced_items_and_their_read_or_star_reaches_the_server() {
        use crate::config::{RuleAction, RuleConfig};
        let mut server = server_with(4);
        let mut store = Store::open_in_memory().unwrap();
        store.set_arrival_rules(crate::store::ArrivalRule::from_config(&[
            RuleConfig {
                query: "title:\"Item 1\"".into(),
                action: RuleAction::Read,
            },
            RuleConfig {
                query: "title:\"Item 2\"".into(),
                action: RuleAction::Star,
            },
        ]));
        // The rules' changes are queued with the pull and pushed by the same sync.
        let report = sync(&mut server, &mut store, at(0)).await.unwrap();
        assert_eq!((report.pushed, report.pending), (2, 0));
        let one = store.item(local(&store, 1)).unwrap().summary;
        let two = store.item(local(&store, 2)).unwrap().summary;
        assert!(one.read && !one.starred, "{one:?}");
        assert!(two.starred && !two.read, "{two:?}");
        assert!(server.items[&1].0, "item 1 read on the server");
        assert!(server.items[&2].1, "item 2 starred on the server");
        // The next sync keeps them (the server agrees now) and pushes nothing more.
        let report = sync(&mut server, &mut store, at(1)).await.unwrap();
        assert_eq!((report.pushed, report.state_changes), (0, 0));
        assert!(store.item(local(&store, 1)).unwrap().summary.read);
    }

    #[tokio::test]
    async fn the_push_sends_the_last_value_per_item_in_batches_and_empties_the_queue() {
        let (mut server, mut store) = synced(10).await;
        let ids: Vec<ItemId> = [1, 2, 4, 5].iter().map(|s| local(&store, *s)).collect();
        store
            .set_state_queued(&ids, StateFlag::Read, true, at(1))
            .unwrap();
        // Item 1 goes back to unread before the sync: only that is sent for it.
        store
            .set_state_queued(&ids[..1], StateFlag::Read, false, at(2))
            .unwrap();
        let report = sync(&mut server, &mut store, at(3)).await.unwrap();
        assert_eq!(report.pushed, 4);
        assert_eq!(report.pending, 0);
        assert_eq!(
            server.edits,
            vec![
                (StateFlag::Read, false, vec![1]),
                (StateFlag::Read, true, vec![2, 4, 5]),
            ]
        );
        assert!(!server.items[&1].0);
        assert!(server.items[&5].0);
        assert_eq!(report.state_changes, 0);
    }

    #[tokio::test]
    async fn a_failed_push_keeps_the_queue_and_the_local_state_and_records_the_error() {
        let (mut server, mut store) = synced(4).await;
        let id = local(&store, 1);
        store
            .set_state_queued(&[id], StateFlag::Starred, true, at(1))
            .unwrap();
        server.fail_edits = true;
        let err = sync(&mut server, &mut store, at(2)).await.unwrap_err();
        assert!(err.to_string().contains("503"), "{err}");
        assert_eq!(store.pending_count().unwrap(), 1);
        assert!(store.item(id).unwrap().summary.starred);
        let meta = store.sync_meta().unwrap();
        assert_eq!(meta.last_sync, Some(at(0)));
        assert!(meta.last_error.unwrap().contains("503"));
        server.fail_edits = false;
        let report = sync(&mut server, &mut store, at(3)).await.unwrap();
        assert_eq!((report.pushed, report.pending), (1, 0));
        assert!(server.items[&1].1);
        assert!(store.item(id).unwrap().summary.starred);
    }

    #[tokio::test]
    async fn a_starred_item_the_server_forgot_keeps_its_star() {
        let (mut server, mut store) = synced(8).await;
        let four = local(&store, 4);
        let eight = local(&store, 8);
        server.items.remove(&4);
        server.items.get_mut(&8).unwrap().1 = false;
        let report = sync(&mut server, &mut store, at(1)).await.unwrap();
        assert!(store.item(four).unwrap().summary.starred);
        assert!(!store.item(eight).unwrap().summary.starred);
        assert_eq!(report.state_changes, 1);
    }
}
