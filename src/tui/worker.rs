//! Runs [`Effect`]s off the UI thread and reports back as [`Action`]s over a channel.
//!
//! Store queries and writes go to one dedicated thread that owns a [`Store`] (rusqlite is
//! blocking); network work (refresh, article loading) runs on tokio; page layout runs on
//! `spawn_blocking`. A newer request for the same thing supersedes an older one: list and
//! unread lookups carry a generation and the store thread skips those already outdated;
//! only the latest page layout runs.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use tokio::sync::{Semaphore, mpsc::UnboundedSender};

use crate::article::Article;
use crate::config::Config;
use crate::fetch::Fetcher;
use crate::model::{FeedId, Item, ItemId};
use crate::refresh::{FeedRefreshResult, RefreshOptions, RefreshSummary, refresh_feeds};
use crate::store::{ItemFilter, Store};
use crate::tui::action::Action;
use crate::tui::effect::{Anchor, Effect};
use crate::tui::reader_layout::layout_page;
use crate::tui::state::{ListQuery, ListSource};

/// Where effects go. The real one is [`TokioWorker`]; tests use a fake.
pub trait Worker {
    /// Start the work; its outcome arrives later as an action.
    fn submit(&mut self, effect: Effect);
}

/// The store filter for a list query.
pub fn item_filter(query: &ListQuery) -> ItemFilter {
    ItemFilter {
        feed: match query.source {
            ListSource::Feed(id) => Some(id),
            _ => None,
        },
        unread_only: query.source == ListSource::Unread,
        starred_only: query.source == ListSource::Starred,
        search: query.search.clone(),
    }
}

/// The HTTP client, built on first use off the UI thread: loading the system's root
/// certificates costs more than the whole first screen, and reading needs no network.
#[derive(Clone)]
pub struct LazyFetcher {
    built: Arc<OnceLock<Option<Fetcher>>>,
    config: Arc<Config>,
    actions: UnboundedSender<Action>,
}

impl LazyFetcher {
    fn new(config: &Config, actions: UnboundedSender<Action>) -> LazyFetcher {
        LazyFetcher {
            built: Arc::new(OnceLock::new()),
            config: Arc::new(config.clone()),
            actions,
        }
    }

    /// Whether the client has been built yet.
    pub fn is_built(&self) -> bool {
        self.built.get().is_some()
    }

    /// The client (`None` when it cannot be set up: that is reported once, as a failure).
    pub async fn get(&self) -> Option<Fetcher> {
        if let Some(built) = self.built.get() {
            return built.clone();
        }
        let this = self.clone();
        let built = tokio::task::spawn_blocking(move || this.get_blocking()).await;
        built.ok().flatten()
    }

    /// [`LazyFetcher::get`] on a thread that may block (building loads the root certificates).
    pub fn get_blocking(&self) -> Option<Fetcher> {
        self.built
            .get_or_init(|| match Fetcher::new(&self.config) {
                Ok(f) => Some(f),
                Err(e) => {
                    let _ = self.actions.send(Action::Failed {
                        doing: "setting up the network".into(),
                        error: e.to_string(),
                    });
                    None
                }
            })
            .clone()
    }
}

/// Work for the store thread.
enum StoreJob {
    Effect(Effect),
}

/// The real worker.
pub struct TokioWorker {
    actions: UnboundedSender<Action>,
    store_jobs: std::sync::mpsc::Sender<StoreJob>,
    latest_list: Arc<AtomicU64>,
    latest_unread: Arc<AtomicU64>,
    latest_layout: Arc<AtomicU64>,
    layout_slots: Arc<Semaphore>,
    db_path: PathBuf,
    fetcher: LazyFetcher,
    refresh_options: RefreshOptions,
    browser: Option<String>,
    sync: Option<crate::config::SyncConfig>,
}

impl TokioWorker {
    /// Start the store thread. Must be called inside a tokio runtime.
    pub fn start(
        config: &Config,
        db_path: PathBuf,
        actions: UnboundedSender<Action>,
    ) -> TokioWorker {
        TokioWorker::start_with_store(config, db_path, None, actions)
    }

    /// [`TokioWorker::start`] with the store thread's connection already open (the caller
    /// opened it to fail before the screen changes): the first list is not held up by a
    /// second open.
    pub fn start_with_store(
        config: &Config,
        db_path: PathBuf,
        store: Option<Store>,
        actions: UnboundedSender<Action>,
    ) -> TokioWorker {
        let (store_jobs, jobs) = std::sync::mpsc::channel();
        let latest_list = Arc::new(AtomicU64::new(0));
        let latest_unread = Arc::new(AtomicU64::new(0));
        let thread = StoreThread {
            db_path: db_path.clone(),
            actions: actions.clone(),
            latest_list: latest_list.clone(),
            latest_unread: latest_unread.clone(),
            sync: config.sync.is_some(),
        };
        let spawned = std::thread::Builder::new()
            .name("kiosque-store".into())
            .spawn(move || thread.run(store, jobs));
        if let Err(e) = spawned {
            let _ = actions.send(Action::Failed {
                doing: "starting the store thread".into(),
                error: e.to_string(),
            });
        }
        let fetcher = LazyFetcher::new(config, actions.clone());
        TokioWorker {
            actions,
            store_jobs,
            latest_list,
            latest_unread,
            latest_layout: Arc::new(AtomicU64::new(0)),
            // One layout at a time, and only the latest one asked for: answers then arrive in
            // the order they were asked, so an older layout (the feed's text) can never land
            // after a newer one (the extracted article) at the same width.
            layout_slots: Arc::new(Semaphore::new(1)),
            db_path,
            fetcher,
            refresh_options: RefreshOptions::from_config(config),
            browser: config.browser.clone(),
            sync: config.sync.clone(),
        }
    }

    fn to_store(&self, effect: Effect) {
        if self.store_jobs.send(StoreJob::Effect(effect)).is_err() {
            let _ = self.actions.send(Action::Failed {
                doing: "talking to the database".into(),
                error: "the store thread stopped".into(),
            });
        }
    }
}

impl Worker for TokioWorker {
    fn submit(&mut self, effect: Effect) {
        match effect {
            Effect::LoadList { generation, .. } => {
                self.latest_list.fetch_max(generation, Ordering::SeqCst);
                self.to_store(effect);
            }
            Effect::FindUnread { generation, .. } => {
                self.latest_unread.fetch_max(generation, Ordering::SeqCst);
                self.to_store(effect);
            }
            Effect::LoadFeeds
            | Effect::LoadItem { .. }
            | Effect::SetRead { .. }
            | Effect::SetStarred { .. }
            | Effect::MarkAllRead { .. }
            | Effect::UndoMarkAllRead { .. } => self.to_store(effect),
            Effect::RenderPage { page, width, doc } => {
                let sequence = self.latest_layout.fetch_add(1, Ordering::SeqCst) + 1;
                let latest = self.latest_layout.clone();
                let slots = self.layout_slots.clone();
                let actions = self.actions.clone();
                tokio::spawn(async move {
                    let Ok(_permit) = slots.acquire_owned().await else {
                        return;
                    };
                    if latest.load(Ordering::SeqCst) != sequence {
                        return; // a newer layout was asked for meanwhile
                    }
                    let laid_out =
                        tokio::task::spawn_blocking(move || layout_page(&doc, width)).await;
                    match laid_out {
                        Ok(lines) => {
                            let _ = actions.send(Action::PageRendered { page, width, lines });
                        }
                        Err(e) => {
                            let _ = actions.send(Action::Failed {
                                doing: "laying out the article".into(),
                                error: e.to_string(),
                            });
                        }
                    }
                });
            }
            Effect::LoadArticle {
                page,
                url,
                fallback,
            } => {
                let actions = self.actions.clone();
                let db_path = self.db_path.clone();
                let fetcher = self.fetcher.clone();
                tokio::spawn(async move {
                    let fetcher = fetcher.get().await;
                    let (article, note) =
                        load_article(&db_path, fetcher.as_ref(), &url, fallback.as_deref()).await;
                    let _ = actions.send(Action::ArticleReady {
                        page,
                        article: Box::new(article),
                        note,
                    });
                });
            }
            Effect::Refresh { feed, trigger } => self.refresh(feed, trigger),
            Effect::Sync => self.sync(),
            Effect::OpenUrl(url) => {
                if let Err(error) = open_in_browser(&url, self.browser.as_deref()) {
                    let _ = self.actions.send(Action::Failed {
                        doing: "opening the browser".into(),
                        error,
                    });
                }
            }
            // The loop owns the terminal and writes OSC 52 itself.
            Effect::CopyToClipboard(_) => {}
            Effect::Prefetch { urls } => {
                let fetcher = self.fetcher.clone();
                let db_path = self.db_path.clone();
                tokio::spawn(async move {
                    if let Some(fetcher) = fetcher.get().await {
                        let n =
                            crate::article_loader::prefetch_articles(&db_path, &fetcher, urls, 2)
                                .await;
                        tracing::debug!("prefetched {n} articles");
                    }
                });
            }
        }
    }
}

impl TokioWorker {
    /// One sync on a blocking thread (the store is blocking, the password command a
    /// process), its network calls on this runtime; answers [`Action::SyncFinished`].
    fn sync(&self) {
        let actions = self.actions.clone();
        let not_run = |error: &str| Action::SyncFinished {
            new_items: 0,
            pushed: 0,
            pending: 0,
            error: Some(error.into()),
        };
        let Some(config) = self.sync.clone() else {
            let _ = actions.send(not_run("sync is not configured"));
            return;
        };
        let lazy_fetcher = self.fetcher.clone();
        let db_path = self.db_path.clone();
        let runtime = tokio::runtime::Handle::current();
        tokio::task::spawn_blocking(move || {
            let Some(fetcher) = lazy_fetcher.get_blocking() else {
                let _ = actions.send(not_run("no network client"));
                return;
            };
            let finished = match Store::open(&db_path) {
                Err(e) => Action::SyncFinished {
                    new_items: 0,
                    pushed: 0,
                    pending: 0,
                    error: Some(e.to_string()),
                },
                Ok(mut store) => {
                    let outcome = crate::sync::service_for(&config, fetcher, db_path.parent())
                        .and_then(|mut s| {
                            runtime.block_on(crate::sync::engine::sync(
                                &mut s,
                                &mut store,
                                chrono::Utc::now(),
                            ))
                        });
                    match outcome {
                        Ok(report) => Action::SyncFinished {
                            new_items: report.pulled_items,
                            pushed: report.pushed,
                            pending: report.pending,
                            error: None,
                        },
                        Err(e) => {
                            // The engine records its own errors; a service that could not
                            // start (no password) is recorded here, for the next start-up.
                            let error = crate::text::sanitize_line(&e.to_string());
                            if matches!(e, crate::sync::SyncError::NotConfigured(_)) {
                                let _ = store.record_sync(chrono::Utc::now(), Some(&error));
                            }
                            Action::SyncFinished {
                                new_items: 0,
                                pushed: 0,
                                pending: store.pending_count().unwrap_or(0),
                                error: Some(error),
                            }
                        }
                    }
                }
            };
            let _ = actions.send(finished);
        });
    }

    fn refresh(&self, only: Option<FeedId>, trigger: crate::refresh::RefreshTrigger) {
        let actions = self.actions.clone();
        let db_path = self.db_path.clone();
        let fetcher = self.fetcher.clone();
        let options = RefreshOptions {
            trigger,
            ..self.refresh_options.clone()
        };
        tokio::spawn(async move {
            let Some(fetcher) = fetcher.get().await else {
                let _ = actions.send(Action::Failed {
                    doing: "refresh".into(),
                    error: "no network client".into(),
                });
                return;
            };
            let path = db_path.clone();
            let feeds =
                tokio::task::spawn_blocking(move || Store::open(&path).and_then(|s| s.feeds()))
                    .await;
            let feeds = match feeds {
                Ok(Ok(feeds)) => feeds,
                Ok(Err(e)) => {
                    let _ = actions.send(Action::Failed {
                        doing: "refresh".into(),
                        error: e.to_string(),
                    });
                    return;
                }
                Err(e) => {
                    let _ = actions.send(Action::Failed {
                        doing: "refresh".into(),
                        error: e.to_string(),
                    });
                    return;
                }
            };
            let feeds: Vec<_> = feeds
                .into_iter()
                .filter(|f| only.is_none_or(|id| f.id == id))
                .collect();
            let titles: std::collections::HashMap<FeedId, String> =
                feeds.iter().map(|f| (f.id, f.title.clone())).collect();
            let _ = actions.send(Action::RefreshStarted { total: feeds.len() });
            let (progress_tx, mut progress_rx) = tokio::sync::mpsc::unbounded_channel();
            let forward = {
                let actions = actions.clone();
                tokio::spawn(async move {
                    while let Some(outcome) = progress_rx.recv().await {
                        let outcome: crate::refresh::RefreshOutcome = outcome;
                        let error = match &outcome.result {
                            FeedRefreshResult::Failed { error } => Some(error.clone()),
                            _ => None,
                        };
                        let feed_title = titles
                            .get(&outcome.feed_id)
                            .cloned()
                            .unwrap_or(outcome.url.clone());
                        let _ = actions.send(Action::RefreshProgress { feed_title, error });
                    }
                })
            };
            let result =
                refresh_feeds(&db_path, &fetcher, feeds, &options, Some(progress_tx)).await;
            let _ = forward.await;
            match result {
                Ok(outcomes) => {
                    let summary = RefreshSummary::of(&outcomes);
                    let _ = actions.send(Action::RefreshFinished {
                        new_items: summary.new_items,
                        failed: summary.failed,
                    });
                }
                Err(e) => {
                    let _ = actions.send(Action::Failed {
                        doing: "refresh".into(),
                        error: e.to_string(),
                    });
                }
            }
        });
    }
}

/// The article for the reader (cache, else fetch and extract, else the feed's content).
async fn load_article(
    db_path: &std::path::Path,
    fetcher: Option<&Fetcher>,
    url: &str,
    fallback: Option<&Item>,
) -> (Article, Option<String>) {
    match fetcher {
        Some(fetcher) => {
            let loaded = crate::article_loader::load_article(db_path, fetcher, url, fallback).await;
            (loaded.article, loaded.note)
        }
        None => (
            feed_fallback(url, fallback),
            Some("no network client".into()),
        ),
    }
}

/// Hand a web URL to the browser: `$BROWSER`, the config's `browser`, else `xdg-open`/`open`.
/// Never through a shell; stdio closed; not waited for.
pub fn open_in_browser(url: &str, configured: Option<&str>) -> Result<(), String> {
    if !crate::tui::update::is_web_url(url) {
        return Err(format!(
            "not a web link: {}",
            crate::text::sanitize_line(url)
        ));
    }
    let program = std::env::var("BROWSER")
        .ok()
        .filter(|b| !b.trim().is_empty())
        .or_else(|| configured.map(str::to_string))
        .unwrap_or_else(|| {
            if cfg!(target_os = "macos") {
                "open".into()
            } else {
                "xdg-open".into()
            }
        });
    // $BROWSER may hold arguments ("firefox --new-tab"): split on spaces, no shell.
    let mut parts = program.split_whitespace();
    let Some(binary) = parts.next() else {
        return Err("no browser configured".into());
    };
    let mut command = std::process::Command::new(binary);
    command.args(parts).arg(url);
    command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    match command.spawn() {
        Ok(mut child) => {
            // Reap it in the background so it never lingers as a zombie.
            std::thread::spawn(move || child.wait());
            Ok(())
        }
        Err(e) => Err(format!("{binary}: {e}")),
    }
}

/// The thread that owns the store connection.
struct StoreThread {
    db_path: PathBuf,
    actions: UnboundedSender<Action>,
    latest_list: Arc<AtomicU64>,
    latest_unread: Arc<AtomicU64>,
    /// `[sync]` is set: every feeds load also reads the sync queue and last error.
    sync: bool,
}

impl StoreThread {
    fn run(self, opened: Option<Store>, jobs: std::sync::mpsc::Receiver<StoreJob>) {
        let opened = match opened {
            Some(store) => Ok(store),
            None => Store::open(&self.db_path),
        };
        let mut store = match opened {
            Ok(store) => store,
            Err(e) => {
                self.fail("opening the database", e.to_string());
                return;
            }
        };
        while let Ok(StoreJob::Effect(effect)) = jobs.recv() {
            if let Err(e) = self.handle(&mut store, effect) {
                self.fail(e.0, e.1);
            }
        }
    }

    fn fail(&self, doing: &str, error: String) {
        let _ = self.actions.send(Action::Failed {
            doing: doing.into(),
            error,
        });
    }

    fn send(&self, action: Action) {
        let _ = self.actions.send(action);
    }

    fn handle(&self, store: &mut Store, effect: Effect) -> Result<(), (&'static str, String)> {
        let err = |doing: &'static str| move |e: crate::error::StoreError| (doing, e.to_string());
        match effect {
            Effect::LoadFeeds => {
                let feeds = store.feeds().map_err(err("loading feeds"))?;
                let unread_total = store.unread_total().map_err(err("counting unread"))?;
                self.send(Action::FeedsLoaded {
                    feeds,
                    unread_total,
                });
                if self.sync {
                    let pending = store
                        .pending_count()
                        .map_err(err("reading the sync queue"))?;
                    let last_error = store
                        .sync_meta()
                        .map_err(err("reading the sync state"))?
                        .last_error;
                    self.send(Action::SyncStatusLoaded {
                        pending,
                        last_error,
                    });
                }
            }
            Effect::LoadList {
                generation,
                query,
                anchor,
                around,
                limit,
            } => {
                if generation < self.latest_list.load(Ordering::SeqCst) {
                    return Ok(()); // superseded before it ran
                }
                let filter = item_filter(&query);
                let (total, offset, rows, selected) =
                    load_window(store, &filter, &anchor, around, limit)
                        .map_err(err("loading headlines"))?;
                self.send(Action::ListLoaded {
                    generation,
                    total,
                    offset,
                    rows,
                    selected,
                });
            }
            Effect::FindUnread {
                generation,
                query,
                from,
                forward,
            } => {
                if generation < self.latest_unread.load(Ordering::SeqCst) {
                    return Ok(());
                }
                let filter = item_filter(&query);
                let mut found = store
                    .next_unread(&filter, from, forward)
                    .map_err(err("finding unread"))?;
                let mut switched_to_all = false;
                if found.is_none() && filter != ItemFilter::default() {
                    // Nothing left here: go on across every feed.
                    let all = ItemFilter::default();
                    found = store
                        .next_unread(&all, from, forward)
                        .map_err(err("finding unread"))?;
                    if found.is_none() {
                        found = store
                            .next_unread(&all, None, forward)
                            .map_err(err("finding unread"))?;
                    }
                    switched_to_all = found.is_some();
                }
                let found = found.map(|(position, item)| (position, item.id));
                self.send(Action::UnreadFound {
                    generation,
                    found,
                    switched_to_all,
                });
            }
            Effect::LoadItem { page, id } => {
                let item = store.item(id).map_err(err("loading the item"))?;
                self.send(Action::ItemLoaded {
                    page,
                    item: Box::new(item),
                });
            }
            Effect::SetRead { ids, read } => {
                store
                    .set_read(&ids, read)
                    .map_err(err("saving read marks"))?;
                self.send(Action::ReadSaved { ids, read });
            }
            Effect::SetStarred { ids, starred } => {
                store
                    .set_starred(&ids, starred)
                    .map_err(err("saving stars"))?;
                self.send(Action::StarSaved { ids, starred });
            }
            Effect::MarkAllRead { query } => {
                let ids = store
                    .mark_all_read(&item_filter(&query))
                    .map_err(err("marking all read"))?;
                self.send(Action::AllMarkedRead { ids });
            }
            Effect::UndoMarkAllRead { ids } => {
                store
                    .set_read(&ids, false)
                    .map_err(err("undoing mark all read"))?;
                self.send(Action::UndoSaved { ids });
            }
            other => self.fail("the store thread", format!("unexpected job {other:?}")),
        }
        Ok(())
    }
}

/// Count the list and load `limit` rows centred on the anchor's position.
pub fn load_window(
    store: &Store,
    filter: &ItemFilter,
    anchor: &Anchor,
    around: usize,
    limit: usize,
) -> Result<(usize, usize, Vec<crate::model::ItemSummary>, Option<usize>), crate::error::StoreError>
{
    let total = store.count_items(filter)?;
    let (position, selected) = match anchor {
        Anchor::Item(id) => {
            let found: Option<usize> = store.item_position(filter, ItemId(id.0))?;
            let p = found.unwrap_or(around);
            (p, Some(p))
        }
        Anchor::Position(p) => (*p, Some(*p)),
        Anchor::None => (around, None),
    };
    let position = position.min(total.saturating_sub(1));
    let selected = selected.map(|_| position);
    let offset = position
        .saturating_sub(limit / 2)
        .min(total.saturating_sub(limit));
    let rows = store.items(filter, offset, limit)?;
    Ok((total, offset, rows, selected))
}

/// Build the fallback article from an item's feed content.
pub fn feed_fallback(url: &str, item: Option<&Item>) -> Article {
    match item {
        Some(item) => Article {
            url: url.to_string(),
            ..crate::article_loader::article_from_item(item)
        },
        None => Article::from_feed(None, url.to_string(), None, None, String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::NewFeed;

    fn store_with(n: usize) -> Store {
        let mut store = Store::open_in_memory().unwrap();
        let feed = store
            .add_feed(
                &NewFeed {
                    url: "http://127.0.0.1/f.xml".into(),
                    ..NewFeed::default()
                },
                chrono::Utc::now(),
            )
            .unwrap();
        store.insert_test_items(feed, n).unwrap();
        store
    }

    #[test]
    fn windows_are_centred_on_the_anchor_and_clamped_to_the_list() {
        let store = store_with(1_000);
        let all = ItemFilter::default();
        let (total, offset, rows, selected) =
            load_window(&store, &all, &Anchor::Position(0), 0, 300).unwrap();
        assert_eq!(
            (total, offset, rows.len(), selected),
            (1_000, 0, 300, Some(0))
        );
        let (_, offset, rows, selected) =
            load_window(&store, &all, &Anchor::None, 999, 300).unwrap();
        assert_eq!((offset, rows.len(), selected), (700, 300, None));
        let target = store.items(&all, 500, 1).unwrap()[0].id;
        let (_, offset, rows, selected) =
            load_window(&store, &all, &Anchor::Item(target), 0, 300).unwrap();
        assert_eq!(selected, Some(500));
        assert_eq!(rows[500 - offset].id, target);
    }

    #[test]
    fn a_vanished_anchor_keeps_the_position() {
        let store = store_with(10);
        let (_, _, _, selected) = load_window(
            &store,
            &ItemFilter::default(),
            &Anchor::Item(ItemId(999_999)),
            4,
            300,
        )
        .unwrap();
        assert_eq!(selected, Some(4));
    }

    #[test]
    fn list_queries_become_store_filters() {
        let q = ListQuery {
            source: ListSource::Unread,
            search: Some("télé".into()),
        };
        let f = item_filter(&q);
        assert!(f.unread_only && !f.starred_only && f.feed.is_none());
        assert_eq!(f.search.as_deref(), Some("télé"));
        assert_eq!(
            item_filter(&ListQuery {
                source: ListSource::Feed(FeedId(3)),
                search: None
            })
            .feed,
            Some(FeedId(3))
        );
    }

    #[test]
    fn the_network_client_is_built_only_when_network_work_comes() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let dir = tempfile::tempdir().unwrap();
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let config = Config::default();
            let mut worker = TokioWorker::start(&config, dir.path().join("kiosque.db"), tx);
            worker.submit(Effect::LoadFeeds);
            assert!(matches!(rx.recv().await, Some(Action::FeedsLoaded { .. })));
            assert!(
                !worker.fetcher.is_built(),
                "no client before the first screen"
            );
            assert!(worker.fetcher.get().await.is_some());
            assert!(worker.fetcher.is_built());
        });
    }

    #[test]
    fn the_browser_is_never_given_a_non_web_url() {
        assert!(open_in_browser("javascript:alert(1)", Some("true")).is_err());
        assert!(open_in_browser("data:text/html,x", Some("true")).is_err());
    }
}
