//! Runs [`Effect`]s off the UI thread and reports back as [`Action`]s over a channel.
//!
//! Every write goes through one [`StoreWriter`] thread, the process's only write connection
//! (marks, feed admin, the add prompt, refresh results, the article cache, the purge); list,
//! count and item reads run on a reader thread with a read-only connection, each after the
//! writes submitted before it (a mark is seen by the next list load). Network work (refresh,
//! article loading) runs on tokio; page layout on `spawn_blocking`. A newer request for the
//! same thing supersedes an older one: list and unread lookups carry a generation and the
//! reader skips those already outdated; only the latest page layout runs.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};

use tokio::sync::{Semaphore, mpsc::UnboundedSender};

use crate::article::Article;
use crate::config::Config;
use crate::fetch::Fetcher;
use crate::model::{FeedId, Item, ItemId};
use crate::refresh::{FeedRefreshResult, RefreshOptions, RefreshSummary, refresh_feeds_with};
use crate::store::{ItemFilter, Store, StoreWriter};
use crate::tui::action::Action;
use crate::tui::effect::{Anchor, Effect, ListRequest, ListWindow};
use crate::tui::images::{ByteBoundedCache, Drawer, ImageKey, SharedImage};
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
        search: None,
        query: list_query(query),
        hidden: false,
    }
}

/// The saved search shown and the typed search, both in the query language, together.
fn list_query(query: &ListQuery) -> Option<crate::query::Query> {
    let parsed = |text: &Option<String>| {
        text.as_deref()
            .and_then(|t| crate::query::Query::parse(t).ok())
            .unwrap_or_default()
    };
    let both = parsed(&query.smart).and(parsed(&query.search));
    (!both.is_empty()).then_some(both)
}

/// The sidebar's saved searches: the config's, then those saved in the TUI, each with the
/// number of unread items it matches (a query that no longer parses is left out).
pub fn smart_feeds(
    store: &Store,
    configured: &[crate::config::SmartFeedConfig],
) -> Result<Vec<crate::tui::state::SmartFeed>, crate::error::StoreError> {
    let saved = store.saved_searches()?;
    let all = configured
        .iter()
        .map(|c| (None, c.name.clone(), c.query.clone()))
        .chain(
            saved
                .into_iter()
                .map(|(id, name, query)| (Some(id), name, query)),
        );
    let mut out = Vec::new();
    for (saved_id, name, text) in all {
        let Ok(query) = crate::query::Query::parse(&text) else {
            continue;
        };
        let unread = store.count_items(&ItemFilter {
            unread_only: true,
            query: Some(query),
            ..Default::default()
        })?;
        out.push(crate::tui::state::SmartFeed {
            name,
            query: text,
            unread,
            saved_id,
        });
    }
    Ok(out)
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
    #[cfg(test)]
    fn is_built(&self) -> bool {
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
                    let _ = self
                        .actions
                        .send(Action::failed("setting up the network", e));
                    None
                }
            })
            .clone()
    }
}

/// A read for the reader thread, run once the writer has done `after` of the effects' writes.
struct ReadJob {
    effect: Effect,
    after: u64,
}

/// How many of the effects' writes the writer has finished: a read waits for those sent
/// before it, so it sees them.
#[derive(Default)]
struct WritesDone {
    done: Mutex<u64>,
    changed: Condvar,
}

impl WritesDone {
    fn advance(&self, to: u64) {
        let mut done = self.done.lock().unwrap_or_else(|e| e.into_inner());
        *done = (*done).max(to);
        self.changed.notify_all();
    }

    fn wait_for(&self, at_least: u64) {
        let mut done = self.done.lock().unwrap_or_else(|e| e.into_inner());
        while *done < at_least {
            done = self.changed.wait(done).unwrap_or_else(|e| e.into_inner());
        }
    }
}

/// Counts a write as done when dropped: after it ran, or when it never will (the writer
/// stopped), so a waiting read is never stuck.
struct WriteDoneOnDrop {
    number: u64,
    done: Arc<WritesDone>,
}

impl Drop for WriteDoneOnDrop {
    fn drop(&mut self) {
        self.done.advance(self.number);
    }
}

/// The real worker.
pub struct TokioWorker {
    actions: UnboundedSender<Action>,
    /// The one write connection.
    writer: StoreWriter,
    reads: std::sync::mpsc::Sender<ReadJob>,
    /// Writes handed to the writer by [`TokioWorker::send_write`] so far.
    writes_sent: u64,
    writes_done: Arc<WritesDone>,
    store_thread: Arc<StoreThread>,
    latest_list: Arc<AtomicU64>,
    latest_unread: Arc<AtomicU64>,
    latest_layout: Arc<AtomicU64>,
    layout_slots: Arc<Semaphore>,
    db_path: PathBuf,
    fetcher: LazyFetcher,
    refresh_options: RefreshOptions,
    browser: Option<String>,
    sync: Option<crate::config::SyncConfig>,
    /// `player` from the config: argument vector; empty means the browser plays media.
    player: Vec<String>,
    /// How images are drawn (`None`: they are not), with their caches.
    images: Option<Arc<ImageWork>>,
    /// `[[notify]]`: run after a refresh that brought new items.
    notify: Vec<crate::config::NotifyConfig>,
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

    /// [`TokioWorker::start`] with the writer's connection already open (the caller opened it
    /// to fail before the screen changes); the reader opens a read-only one beside it.
    pub fn start_with_store(
        config: &Config,
        db_path: PathBuf,
        store: Option<Store>,
        actions: UnboundedSender<Action>,
    ) -> TokioWorker {
        let latest_list = Arc::new(AtomicU64::new(0));
        let latest_unread = Arc::new(AtomicU64::new(0));
        let thread = Arc::new(StoreThread {
            actions: actions.clone(),
            latest_list: latest_list.clone(),
            latest_unread: latest_unread.clone(),
            sync: config.sync.is_some(),
            smart_feeds: config.smart_feeds.clone(),
        });
        let failed = actions.clone();
        let writer = StoreWriter::spawn(&db_path, store, move |e| {
            let _ = failed.send(Action::failed("opening the database", e));
        })
        .unwrap_or_else(|e| {
            let _ = actions.send(Action::failed("starting the store thread", e));
            StoreWriter::stopped(&db_path)
        });
        let (reads, read_jobs) = std::sync::mpsc::channel();
        let writes_done = Arc::new(WritesDone::default());
        let spawned = {
            let (thread, writer, done) = (thread.clone(), writer.clone(), writes_done.clone());
            std::thread::Builder::new()
                .name("kiosque-store-read".into())
                .spawn(move || thread.run_reads(writer, read_jobs, &done))
        };
        if let Err(e) = spawned {
            let _ = actions.send(Action::failed("starting the store thread", e));
        }
        let fetcher = LazyFetcher::new(config, actions.clone());
        TokioWorker {
            actions,
            writer,
            reads,
            writes_sent: 0,
            writes_done,
            store_thread: thread,
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
            player: config.player.clone(),
            images: None,
            notify: config.notify.clone(),
        }
    }

    /// Draw images this way (from the config and the terminal's answer), or not at all.
    pub fn set_drawer(&mut self, drawer: Option<Drawer>) {
        self.images = drawer.map(|drawer| Arc::new(ImageWork::new(drawer)));
    }

    /// A read, on the reader thread once the writes submitted before it are done.
    fn send_read(&self, effect: Effect) {
        let job = ReadJob {
            effect,
            after: self.writes_sent,
        };
        if self.reads.send(job).is_err() {
            self.store_stopped();
        }
    }

    /// A write, in the writer's queue.
    fn send_write(&mut self, effect: Effect) {
        self.writes_sent += 1;
        let done = WriteDoneOnDrop {
            number: self.writes_sent,
            done: self.writes_done.clone(),
        };
        let thread = self.store_thread.clone();
        let sent = self.writer.send(move |store| {
            let _done = done;
            if let Err((doing, error)) = thread.handle_write(store, effect) {
                thread.fail(doing, error);
            }
        });
        if sent.is_err() {
            self.store_stopped();
        }
    }

    fn store_stopped(&self) {
        let _ = self.actions.send(Action::failed(
            "talking to the database",
            "the store thread stopped",
        ));
    }
}

impl Worker for TokioWorker {
    fn submit(&mut self, effect: Effect) {
        match effect {
            Effect::LoadList(ListRequest { generation, .. }) => {
                self.latest_list.fetch_max(generation, Ordering::SeqCst);
                self.send_read(effect);
            }
            Effect::FindUnread { generation, .. } => {
                self.latest_unread.fetch_max(generation, Ordering::SeqCst);
                self.send_read(effect);
            }
            Effect::LoadFeeds | Effect::LoadItem { .. } => self.send_read(effect),
            Effect::SetRead { .. }
            | Effect::SetStarred { .. }
            | Effect::MarkAllRead { .. }
            | Effect::UndoMarkAllRead { .. }
            | Effect::SaveSearch { .. }
            | Effect::DeleteSavedSearch { .. }
            | Effect::RemoveFeed { .. }
            | Effect::UpdateFeed { .. } => self.send_write(effect),
            Effect::AddFeed { url } => self.add_feed(url),
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
                    // A long page: its beginning first, so the reader has text to show
                    // while the whole is laid out.
                    if let Some(preview) = crate::tui::reader_layout::preview_doc(&doc) {
                        let laid_out =
                            tokio::task::spawn_blocking(move || layout_page(&preview, width)).await;
                        if let Ok(lines) = laid_out {
                            let _ = actions.send(Action::PageRendered { page, width, lines });
                        }
                        if latest.load(Ordering::SeqCst) != sequence {
                            return;
                        }
                    }
                    let laid_out =
                        tokio::task::spawn_blocking(move || layout_page(&doc, width)).await;
                    match laid_out {
                        Ok(lines) => {
                            let _ = actions.send(Action::PageRendered { page, width, lines });
                        }
                        Err(e) => {
                            let _ = actions.send(Action::failed("laying out the article", e));
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
                let writer = self.writer.clone();
                let fetcher = self.fetcher.clone();
                tokio::spawn(async move {
                    let fetcher = fetcher.get().await;
                    let (article, note) =
                        load_article(&writer, fetcher.as_ref(), &url, fallback.as_deref()).await;
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
                    let _ = self
                        .actions
                        .send(Action::failed("opening the browser", error));
                }
            }
            Effect::PlayMedia(url) => {
                play_media(&url, &self.player, self.browser.as_deref(), &self.actions);
            }
            // The loop owns the terminal and writes OSC 52 itself.
            Effect::CopyToClipboard(_) => {}
            Effect::LoadImage(key) => self.load_image(key),
            Effect::Prefetch { urls } => {
                let fetcher = self.fetcher.clone();
                let writer = self.writer.clone();
                tokio::spawn(async move {
                    if let Some(fetcher) = fetcher.get().await {
                        let n =
                            crate::article_loader::prefetch_articles(&writer, &fetcher, urls, 2)
                                .await;
                        tracing::debug!("prefetched {n} articles");
                    }
                });
            }
        }
    }
}

/// What the worker keeps to draw images: how to encode them, encoded images per (URL, size) and
/// fetched bodies per URL (both bounded in bytes), and slots for two images at once.
pub struct ImageWork {
    drawer: Drawer,
    shown: Mutex<ByteBoundedCache<ImageKey, SharedImage>>,
    bodies: Mutex<ByteBoundedCache<String, Arc<crate::inline_image::ImageBody>>>,
    slots: Semaphore,
}

impl ImageWork {
    fn new(drawer: Drawer) -> ImageWork {
        use crate::tui::images::{BODY_CACHE_BYTES, CACHE_BYTES};
        ImageWork {
            drawer,
            shown: Mutex::new(ByteBoundedCache::new(CACHE_BYTES)),
            bodies: Mutex::new(ByteBoundedCache::new(BODY_CACHE_BYTES)),
            slots: Semaphore::new(2),
        }
    }

    /// The image at `key`: cached, else fetched (or its cached body), decoded within bounds,
    /// scaled and encoded on the blocking pool.
    async fn load(
        self: Arc<Self>,
        fetcher: LazyFetcher,
        key: ImageKey,
    ) -> Result<SharedImage, String> {
        if let Some(hit) = self.shown.lock().ok().and_then(|mut c| c.get(&key)) {
            return Ok(hit);
        }
        let _slot = self.slots.acquire().await.map_err(|e| e.to_string())?;
        let cached_body = self.bodies.lock().ok().and_then(|mut c| c.get(&key.url));
        let body = match cached_body {
            Some(body) => body,
            None => {
                let fetcher = fetcher
                    .get()
                    .await
                    .ok_or_else(|| "no network client".to_string())?;
                let body = Arc::new(
                    crate::inline_image::fetch(&fetcher, &key.url)
                        .await
                        .map_err(|e| e.to_string())?,
                );
                if let Ok(mut cache) = self.bodies.lock() {
                    cache.insert(key.url.clone(), body.clone(), body.bytes.len());
                }
                body
            }
        };
        let work = self.clone();
        let (width, max_rows) = (key.width, key.max_rows);
        let shown = tokio::task::spawn_blocking(move || {
            let image = crate::inline_image::decode(&body.bytes, body.content_type.as_deref())
                .map_err(|e| e.to_string())?;
            crate::tui::images::prepare(&work.drawer, image, width, max_rows)
        })
        .await
        .map_err(|e| format!("decoding stopped: {e}"))??;
        let bytes = shown.bytes;
        let shared = SharedImage(Arc::new(shown));
        if let Ok(mut cache) = self.shown.lock() {
            cache.insert(key, shared.clone(), bytes);
        }
        Ok(shared)
    }
}

impl TokioWorker {
    /// Load one image off the UI thread; answers [`Action::ImageLoaded`].
    fn load_image(&self, key: ImageKey) {
        let actions = self.actions.clone();
        let Some(work) = self.images.clone() else {
            let _ = actions.send(Action::ImageLoaded {
                key,
                image: Err("images are off".into()),
            });
            return;
        };
        let fetcher = self.fetcher.clone();
        tokio::spawn(async move {
            let image = work.load(fetcher, key.clone()).await;
            let _ = actions.send(Action::ImageLoaded { key, image });
        });
    }
}

impl TokioWorker {
    /// Subscribe from the TUI's prompt: discovery and the first fetch on this runtime, the
    /// store on a blocking thread; answers [`Action::FeedsChanged`] (or `Failed`). With
    /// `[sync]` the subscription is queued for the server, whose sync brings the items.
    fn add_feed(&self, url: String) {
        let actions = self.actions.clone();
        let writer = self.writer.clone();
        let fetcher = self.fetcher.clone();
        let synced = self.sync.is_some();
        tokio::spawn(async move {
            let failed = |error: String| Action::failed("adding a feed", error);
            let Some(fetcher) = fetcher.get().await else {
                let _ = actions.send(failed("no network client".into()));
                return;
            };
            let answer = match add_feed(&writer, &fetcher, &url, synced).await {
                Ok((id, notice)) => Action::FeedsChanged {
                    notice,
                    show: Some(id),
                    removed: None,
                },
                Err(e) => failed(crate::text::sanitize_line(&format!("{e:#}"))),
            };
            let _ = actions.send(answer);
        });
    }

    /// One sync on a blocking thread (the password command is a process), its network calls
    /// on this runtime and its store steps on the writer thread, between the TUI's own writes;
    /// answers [`Action::SyncFinished`].
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
        let writer = self.writer.clone();
        let rules = crate::store::ArrivalRule::from_config(&self.refresh_options.rules);
        let notify = self.notify.clone();
        let runtime = tokio::runtime::Handle::current();
        tokio::task::spawn_blocking(move || {
            let Some(fetcher) = lazy_fetcher.get_blocking() else {
                let _ = actions.send(not_run("no network client"));
                return;
            };
            // Pulled items are first seen at this time: `[[notify]]` looks from it.
            let started = chrono::Utc::now();
            let outcome = crate::sync::service_for(&config, fetcher, db_path.parent()).and_then(
                |mut service| {
                    runtime.block_on(async {
                        writer
                            .run_async(move |store| store.set_arrival_rules(rules))
                            .await?;
                        let store = crate::sync::engine::SyncStore::Writer(writer.clone());
                        crate::sync::engine::sync_through(
                            &mut service,
                            store,
                            started,
                            Default::default(),
                        )
                        .await
                    })
                },
            );
            let finished = match outcome {
                Ok(report) => {
                    if report.pulled_items > 0 {
                        crate::notify::notify_from(&db_path, &notify, started);
                    }
                    Action::SyncFinished {
                        new_items: report.pulled_items,
                        pushed: report.pushed,
                        pending: report.pending,
                        error: None,
                    }
                }
                Err(e) => {
                    // The engine records its own errors; a service that could not start (no
                    // password) is recorded here, for the next start-up.
                    let error = crate::text::sanitize_line(&e.to_string());
                    let not_configured = matches!(e, crate::sync::SyncError::NotConfigured(_));
                    let recorded = error.clone();
                    let pending = writer
                        .run(move |store| {
                            if not_configured {
                                let _ = store.record_sync(chrono::Utc::now(), Some(&recorded));
                            }
                            store.pending_count().unwrap_or(0)
                        })
                        .unwrap_or(0);
                    Action::SyncFinished {
                        new_items: 0,
                        pushed: 0,
                        pending,
                        error: Some(error),
                    }
                }
            };
            let _ = actions.send(finished);
        });
    }

    fn refresh(&self, only: Option<FeedId>, trigger: crate::refresh::RefreshTrigger) {
        let actions = self.actions.clone();
        let db_path = self.db_path.clone();
        let writer = self.writer.clone();
        let fetcher = self.fetcher.clone();
        let options = RefreshOptions {
            trigger,
            ..self.refresh_options.clone()
        };
        let notify = self.notify.clone();
        tokio::spawn(async move {
            let Some(fetcher) = fetcher.get().await else {
                let _ = actions.send(Action::failed("refresh", "no network client"));
                return;
            };
            let path = db_path.clone();
            let feeds = tokio::task::spawn_blocking(move || {
                Store::open_read_only(&path).and_then(|s| s.feeds())
            })
            .await;
            let feeds = feeds
                .map_err(|e| e.to_string())
                .and_then(|read| read.map_err(|e| e.to_string()));
            let feeds = match feeds {
                Ok(feeds) => feeds,
                Err(e) => {
                    let _ = actions.send(Action::failed("refresh", e));
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
            let started = chrono::Utc::now();
            let result =
                refresh_feeds_with(&writer, &fetcher, feeds, &options, Some(progress_tx)).await;
            let _ = forward.await;
            match result {
                Ok(outcomes) => {
                    let summary = RefreshSummary::of(&outcomes);
                    if summary.new_items > 0 && !notify.is_empty() {
                        let path = db_path.clone();
                        tokio::task::spawn_blocking(move || {
                            crate::notify::notify_from(&path, &notify, started)
                        });
                    }
                    let _ = actions.send(Action::RefreshFinished {
                        new_items: summary.new_items,
                        failed: summary.failed,
                    });
                }
                Err(e) => {
                    let _ = actions.send(Action::failed("refresh", e));
                }
            }
        });
    }
}

/// The article for the reader (cache, else fetch and extract, else the feed's content).
async fn load_article(
    writer: &StoreWriter,
    fetcher: Option<&Fetcher>,
    url: &str,
    fallback: Option<&Item>,
) -> (Article, Option<String>) {
    match fetcher {
        Some(fetcher) => {
            let loaded = crate::article_loader::load_article(writer, fetcher, url, fallback).await;
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
    if !crate::url_safety::is_web_url(url) {
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

/// Play a media URL: with the configured player on a thread of its own (started and waited
/// for there, so neither a slow start nor a long playback holds the UI), else the browser.
/// A player that cannot start or ends in failure is reported as `Action::Failed`.
pub fn play_media(
    url: &str,
    player: &[String],
    browser: Option<&str>,
    actions: &UnboundedSender<Action>,
) {
    let failed = |actions: &UnboundedSender<Action>, error: String| {
        let _ = actions.send(Action::failed("playing the media", error));
    };
    if player.is_empty() {
        if let Err(error) = open_in_browser(url, browser) {
            failed(actions, error);
        }
        return;
    }
    let Some(mut command) = crate::media::player_command(player, url) else {
        failed(
            actions,
            format!("not a web link: {}", crate::text::sanitize_line(url)),
        );
        return;
    };
    let program = crate::text::sanitize_line(&player[0]);
    let actions = actions.clone();
    let spawned = std::thread::Builder::new()
        .name("kiosque-player".into())
        .spawn(move || match command.spawn() {
            Err(e) => failed(&actions, format!("{program}: {e}")),
            Ok(mut child) => match child.wait() {
                Ok(status) if !status.success() => {
                    failed(&actions, format!("{program} ended with {status}"));
                }
                Ok(_) => {}
                Err(e) => failed(&actions, format!("{program}: {e}")),
            },
        });
    if let Err(e) = spawned {
        tracing::warn!("cannot start the player thread: {e}");
    }
}

/// What the reader thread and the writer's jobs for effects share: where answers go and what
/// they need to know.
struct StoreThread {
    actions: UnboundedSender<Action>,
    latest_list: Arc<AtomicU64>,
    latest_unread: Arc<AtomicU64>,
    /// `[sync]` is set: every feeds load also reads the sync queue and last error.
    sync: bool,
    /// `[[smart_feeds]]` of the config (counted with every feeds load).
    smart_feeds: Vec<crate::config::SmartFeedConfig>,
}

impl StoreThread {
    /// The reader thread: waits for the writer to have opened (and migrated) the database,
    /// then answers reads on a read-only connection, each after the writes sent before it.
    fn run_reads(
        &self,
        writer: StoreWriter,
        jobs: std::sync::mpsc::Receiver<ReadJob>,
        writes_done: &WritesDone,
    ) {
        if writer.run(|_| ()).is_err() {
            return; // the writer said why
        }
        let store = match Store::open_read_only(writer.path()) {
            Ok(store) => store,
            Err(e) => {
                self.fail("opening the database", e.to_string());
                return;
            }
        };
        drop(writer);
        while let Ok(job) = jobs.recv() {
            writes_done.wait_for(job.after);
            if let Err(e) = self.handle_read(&store, job.effect) {
                self.fail(e.0, e.1);
            }
        }
    }

    fn fail(&self, doing: &str, error: String) {
        let _ = self.actions.send(Action::failed(doing, error));
    }

    fn send(&self, action: Action) {
        let _ = self.actions.send(action);
    }

    fn handle_read(&self, store: &Store, effect: Effect) -> Result<(), (&'static str, String)> {
        let err = |doing: &'static str| move |e: crate::error::StoreError| (doing, e.to_string());
        match effect {
            Effect::LoadFeeds => {
                let feeds = store.feeds().map_err(err("loading feeds"))?;
                let unread_total = store.unread_total().map_err(err("counting unread"))?;
                self.send(Action::FeedsLoaded {
                    feeds,
                    unread_total,
                });
                let smart_feeds = smart_feeds(store, &self.smart_feeds)
                    .map_err(err("counting saved searches"))?;
                self.send(Action::SmartFeedsLoaded { smart_feeds });
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
            Effect::LoadList(request) => {
                if request.generation < self.latest_list.load(Ordering::SeqCst) {
                    return Ok(()); // superseded before it ran
                }
                let window = load_window(store, &request).map_err(err("loading headlines"))?;
                self.send(Action::ListLoaded(window));
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
            other => self.fail("the store reader", format!("unexpected job {other:?}")),
        }
        Ok(())
    }

    fn handle_write(
        &self,
        store: &mut Store,
        effect: Effect,
    ) -> Result<(), (&'static str, String)> {
        let err = |doing: &'static str| move |e: crate::error::StoreError| (doing, e.to_string());
        match effect {
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
            Effect::SaveSearch { name, query } => {
                store
                    .save_search(&name, &query)
                    .map_err(err("saving the search"))?;
                self.send(Action::SearchSaved { name });
            }
            Effect::DeleteSavedSearch { id, name } => {
                store
                    .delete_saved_search(id)
                    .map_err(err("deleting the saved search"))?;
                self.send(Action::SearchDeleted { name });
            }
            Effect::RemoveFeed { id } => {
                let title = store.feed(id).map_err(err("removing a feed"))?.title;
                // With [sync] the unsubscription is queued for the server too.
                let kept = if self.sync {
                    store.remove_feed_queued(id, chrono::Utc::now())
                } else {
                    store.remove_feed(id)
                }
                .map_err(err("removing a feed"))?;
                let notice = if kept == 0 {
                    format!("removed {title}")
                } else {
                    format!("removed {title}; kept its {kept} starred items (under Starred)")
                };
                self.send(Action::FeedsChanged {
                    notice,
                    show: None,
                    removed: Some(id),
                });
            }
            Effect::UpdateFeed { id, change } => {
                let feed = store
                    .update_feed(id, &change)
                    .map_err(err("changing a feed"))?;
                let notice = if let Some(extract) = change.extract {
                    if extract {
                        format!("{}: article pages extracted", feed.title)
                    } else {
                        format!("{}: the feed's own content, no page fetched", feed.title)
                    }
                } else if change.tags.is_some() {
                    format!(
                        "{}: tags {}",
                        feed.title,
                        if feed.tags.is_empty() {
                            "none".to_string()
                        } else {
                            feed.tags.join(", ")
                        }
                    )
                } else {
                    format!("renamed to {}", feed.title)
                };
                self.send(Action::FeedsChanged {
                    notice,
                    show: None,
                    removed: None,
                });
            }
            other => self.fail("the store writer", format!("unexpected job {other:?}")),
        }
        Ok(())
    }
}

/// Discover and subscribe to the feed at `url` (a page advertising one will do), storing the
/// items it came with; (its id, what to tell the user).
async fn add_feed(
    writer: &StoreWriter,
    fetcher: &crate::fetch::Fetcher,
    url: &str,
    synced: bool,
) -> anyhow::Result<(FeedId, String)> {
    use anyhow::Context;
    let url = crate::fetch::parse_http_url(url.trim())
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .to_string();
    let found = crate::cli::discover_feed(fetcher, &url).await?;
    let added = writer.run_async(move |store: &mut Store| {
        if store.find_feed(&found.url).is_ok() {
            anyhow::bail!("already subscribed to {}", found.url);
        }
        let new = found.new_feed(None, Vec::new());
        if synced {
            let id = store.add_feed_queued(&new, chrono::Utc::now())?;
            return Ok((
                id,
                format!(
                    "subscribed to {} (the next sync brings its items)",
                    found.url
                ),
            ));
        }
        let (id, new_items) = crate::cli::store_discovered(store, found, &new)?;
        let feed = store.feed(id)?;
        Ok((
            id,
            format!(
                "subscribed to {} ({}), {}",
                feed.title,
                feed.url,
                crate::cli::count(new_items, "item", "items")
            ),
        ))
    });
    added.await.context("adding a feed")?
}

/// Count the list and load the window a [`ListRequest`] asks for.
pub fn load_window(
    store: &Store,
    request: &ListRequest,
) -> Result<ListWindow, crate::error::StoreError> {
    let ListRequest {
        generation,
        ref query,
        ref anchor,
        around,
        limit,
    } = *request;
    let filter = &item_filter(query);
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
    Ok(ListWindow {
        generation,
        total,
        offset,
        rows: store.items(filter, offset, limit)?,
        selected,
    })
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

    fn store_with(n: usize) -> Store {
        let mut store = Store::open_in_memory().unwrap();
        store.add_test_feed("http://127.0.0.1/f.xml", n).unwrap();
        store
    }

    /// The window of 300 rows of every item that `anchor` and `around` ask for.
    fn window(store: &Store, anchor: Anchor, around: usize) -> ListWindow {
        let request = ListRequest {
            generation: 1,
            query: ListQuery::default(),
            anchor,
            around,
            limit: 300,
        };
        load_window(store, &request).unwrap()
    }

    #[test]
    fn windows_are_centred_on_the_anchor_and_clamped_to_the_list() {
        let store = store_with(1_000);
        let w = window(&store, Anchor::Position(0), 0);
        assert_eq!(
            (w.total, w.offset, w.rows.len(), w.selected),
            (1_000, 0, 300, Some(0))
        );
        let w = window(&store, Anchor::None, 999);
        assert_eq!((w.offset, w.rows.len(), w.selected), (700, 300, None));
        let target = store.items(&ItemFilter::default(), 500, 1).unwrap()[0].id;
        let w = window(&store, Anchor::Item(target), 0);
        assert_eq!(w.selected, Some(500));
        assert_eq!(w.rows[500 - w.offset].id, target);
    }

    #[test]
    fn a_vanished_anchor_keeps_the_position() {
        let store = store_with(10);
        let w = window(&store, Anchor::Item(ItemId(999_999)), 4);
        assert_eq!(w.selected, Some(4));
    }

    #[test]
    fn smart_feeds_are_counted_config_first_then_saved_ones() {
        let mut store = store_with(20);
        store.save_search("fives", "title:5 OR title:15").unwrap();
        let configured = [crate::config::SmartFeedConfig {
            name: "Synthetic".into(),
            query: "synthetic".into(),
        }];
        let got = smart_feeds(&store, &configured).unwrap();
        let summary: Vec<(&str, usize)> = got.iter().map(|s| (s.name.as_str(), s.unread)).collect();
        assert_eq!(summary, [("Synthetic", 20), ("fives", 2)]);
        let fives = ItemFilter {
            query: crate::query::Query::parse("title:5").ok(),
            ..Default::default()
        };
        let five = store.items(&fives, 0, 1).unwrap()[0].id;
        store.set_read(&[five], true).unwrap();
        assert_eq!(smart_feeds(&store, &configured).unwrap()[1].unread, 1);
    }

    #[test]
    fn list_queries_become_store_filters() {
        let q = ListQuery {
            source: ListSource::Unread,
            search: Some("télé".into()),
            ..Default::default()
        };
        let f = item_filter(&q);
        assert!(f.unread_only && !f.starred_only && f.feed.is_none());
        assert_eq!(f.query, Some(crate::query::Query::parse("télé").unwrap()));
        // A saved search and a typed one apply together.
        let both = item_filter(&ListQuery {
            source: ListSource::Smart(0),
            search: Some("b".into()),
            smart: Some("a OR c".into()),
        });
        assert_eq!(
            both.query.map(|q| q.to_string()).as_deref(),
            Some("(a OR c) b")
        );
        let feed = ListQuery {
            source: ListSource::Feed(FeedId(3)),
            ..Default::default()
        };
        assert_eq!(item_filter(&feed).feed, Some(FeedId(3)));
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

    #[test]
    fn the_player_gets_the_url_as_its_last_argument_and_failures_come_back() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("played");
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        // No shell between kiosque and the player: `sh -c` here is the player itself, and the
        // URL arrives as its $0, untouched by any quoting.
        let player = vec![
            "sh".to_string(),
            "-c".to_string(),
            format!("printf %s \"$0\" > '{}'", out.display()),
        ];
        play_media("https://x.example/ep 1.mp3?a=1&b=$(id)", &player, None, &tx);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while !out.exists() || std::fs::read_to_string(&out).unwrap().is_empty() {
            assert!(std::time::Instant::now() < deadline, "the player never ran");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            "https://x.example/ep%201.mp3?a=1&b=$(id)"
        );

        play_media(
            "https://x.example/a.mp3",
            &["kiosque-no-such-player".to_string()],
            None,
            &tx,
        );
        play_media("https://x.example/a.mp3", &["false".to_string()], None, &tx);
        let mut errors = Vec::new();
        while errors.len() < 2 {
            match rx.blocking_recv() {
                Some(Action::Failed { error, .. }) => errors.push(error),
                Some(_) => {}
                None => break,
            }
        }
        errors.sort();
        assert!(errors[0].starts_with("false ended with"), "{errors:?}");
        assert!(
            errors[1].starts_with("kiosque-no-such-player: "),
            "{errors:?}"
        );
    }
}

#[cfg(test)]
mod image_tests {
    use super::*;
    use crate::demo::{LoopbackServer, Resource};
    use crate::inline_image::test_images::{jpeg, png, png_header_claiming};
    use std::collections::HashMap;

    fn resource(content_type: &str, body: Vec<u8>) -> Resource {
        Resource {
            content_type: content_type.into(),
            body,
        }
    }

    /// Through the real worker and a loopback server: a good image arrives drawn; every bomb
    /// is answered with a refusal (its placeholder stays), none hangs the worker.
    #[test]
    fn the_worker_draws_good_images_and_refuses_bombs() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let mut gif = b"GIF89a".to_vec();
            gif.resize(50 * 1024 * 1024, 0);
            let whole = jpeg(64, 48);
            let server = LoopbackServer::start_with(|_| {
                HashMap::from([
                    ("/ok.png".to_string(), resource("image/png", png(40, 20))),
                    (
                        "/bomb.png".to_string(),
                        resource("image/png", png_header_claiming(30_000, 30_000)),
                    ),
                    ("/big.gif".to_string(), resource("image/gif", gif)),
                    (
                        "/cut.jpg".to_string(),
                        resource("image/jpeg", whole[..12].to_vec()),
                    ),
                    (
                        "/vector.svg".to_string(),
                        resource(
                            "image/svg+xml",
                            br#"<svg xmlns="http://www.w3.org/2000/svg"/>"#.to_vec(),
                        ),
                    ),
                ])
            })
            .await
            .unwrap();
            let dir = tempfile::tempdir().unwrap();
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let mut worker = TokioWorker::start(&Config::default(), dir.path().join("k.db"), tx);
            worker.set_drawer(Some(Drawer::Halfblocks));
            let paths = [
                "/ok.png",
                "/bomb.png",
                "/big.gif",
                "/cut.jpg",
                "/vector.svg",
            ];
            for path in paths {
                worker.submit(Effect::LoadImage(ImageKey {
                    url: format!("{}{path}", server.base_url()),
                    width: 40,
                    max_rows: 10,
                }));
            }
            let mut answers = HashMap::new();
            while answers.len() < paths.len() {
                // A bound so that a hang fails the test instead of stalling it.
                let action = tokio::time::timeout(std::time::Duration::from_secs(60), rx.recv())
                    .await
                    .expect("every image is answered")
                    .expect("the worker is alive");
                if let Action::ImageLoaded { key, image } = action {
                    let path = key.url.trim_start_matches(&server.base_url()).to_string();
                    answers.insert(path, image);
                }
            }
            let ok = answers["/ok.png"]
                .as_ref()
                .expect("the good image is drawn");
            assert!(ok.0.cols <= 40 && ok.0.rows <= 10);
            for (path, says) in [
                ("/bomb.png", "30000×30000"),
                ("/big.gif", "larger than"),
                ("/cut.jpg", "damaged"),
                ("/vector.svg", "SVG"),
            ] {
                let refused = answers[path].as_ref().expect_err(path);
                assert!(refused.contains(says), "{path}: {refused}");
            }
        });
    }
}
