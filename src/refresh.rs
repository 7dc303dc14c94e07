//! Refreshing feeds: every due feed fetched concurrently (a global bound and a per-host bound),
//! parsed on blocking threads, written through the store writer (the one write connection), the
//! results ready at once in one transaction; one [`RefreshOutcome`] per feed.

use crate::config::Config;
use crate::error::{FetchError, StoreError};
use crate::fetch::{Answer, Conditional, FetchResponse, Fetcher};
use crate::model::{Feed, FeedId, ParsedFeed};
use crate::store::{FetchRecord, ItemValues, Store, StoreWriter, WalCopier};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};

mod timeline;

/// Requests at once to a host that answered over HTTP/2. `per_host` bounds connections (one
/// request each over HTTP/1.1, 6 as browsers); over HTTP/2 the client keeps one connection to
/// the host and runs many requests on it as streams, up to the server's own
/// `SETTINGS_MAX_CONCURRENT_STREAMS` (100 at Google, 128 at nginx, 256 at Cloudflare), which
/// the connection enforces. 64 stays well under those: a host with 300 feeds at 100 ms per
/// answer takes 5 rounds (0.5 s) instead of 50 over 6 connections (5 s).
pub const H2_STREAMS_PER_HOST: usize = 64;

/// Bodies read and not yet written, at most (see `in_hand` in [`refresh_feeds_with`]).
pub const BODIES_IN_HAND: usize = 64;

/// How many requests a host may have out at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HostWidth {
    /// HTTP/1.1 (or nothing heard yet): `per_host` requests, one per connection.
    OnePerConnection,
    /// HTTP/2: [`H2_STREAMS_PER_HOST`] requests as streams of one connection.
    Multiplexed,
}

impl HostWidth {
    fn requests(self, per_host: usize) -> usize {
        match self {
            HostWidth::OnePerConnection => per_host,
            HostWidth::Multiplexed => H2_STREAMS_PER_HOST.max(per_host),
        }
    }
}

/// One host's share of a refresh: its request slots, widened once it answers over HTTP/2.
struct HostSlots {
    requests: Arc<Semaphore>,
    /// It answered over HTTP/2 and was widened ([`HostWidth::Multiplexed`]); never undone.
    multiplexed: std::sync::atomic::AtomicBool,
    per_host: usize,
}

impl HostSlots {
    fn new(per_host: usize) -> HostSlots {
        HostSlots {
            requests: Arc::new(Semaphore::new(
                HostWidth::OnePerConnection.requests(per_host),
            )),
            multiplexed: std::sync::atomic::AtomicBool::new(false),
            per_host,
        }
    }

    /// Widen to `to` (never narrows). True when this call widened it.
    fn widen(&self, to: HostWidth) -> bool {
        let widens =
            to == HostWidth::Multiplexed && !self.multiplexed.swap(true, Ordering::Relaxed);
        if widens {
            self.requests.add_permits(
                HostWidth::Multiplexed
                    .requests(self.per_host)
                    .saturating_sub(HostWidth::OnePerConnection.requests(self.per_host)),
            );
        }
        widens
    }
}

/// Let the connection that carried an answer go back to the client's pool before the
/// host's next request looks for one. hyper hands an HTTP/1.1 connection back from a task
/// of its own once the answer is read; a request that went out before that task ran found
/// no idle connection and opened one more (and a TLS handshake: the certificate and two
/// signatures checked, 35 % of a warm refresh's CPU over TLS). Yielding a few turns of the
/// scheduler lets that task run first: a warm refresh of 1,000 feeds on 50 hosts opened
/// 290 connections instead of 440 (`benches/latency.py --proto h1`, 0 ms).
async fn hand_the_connection_back() {
    for _ in 0..8 {
        tokio::task::yield_now().await;
    }
}

/// One host's request slot, held by a feed's task until its answer is in; when it comes
/// back (or the host widens), the refresh hears that this host has room again.
struct HostSlot {
    permit: Option<OwnedSemaphorePermit>,
    host: usize,
    slots: Arc<HostSlots>,
    room: mpsc::UnboundedSender<usize>,
}

impl HostSlot {
    /// The host answered (over HTTP/2: `multiplexed`): over HTTP/2 it takes more requests
    /// at once.
    fn answered(&self, multiplexed: bool) {
        if multiplexed && self.slots.widen(HostWidth::Multiplexed) {
            let _ = self.room.send(self.host);
        }
    }
}

impl Drop for HostSlot {
    fn drop(&mut self) {
        drop(self.permit.take());
        let _ = self.room.send(self.host);
    }
}

/// Feeds waiting to be fetched, host by host, and the hosts whose turn it is: a feed is
/// taken when its host has a free slot, hosts in turn.
struct HostQueues {
    per_host: usize,
    index: HashMap<String, usize>,
    hosts: Vec<HostQueue>,
    /// Hosts with feeds waiting that may have room, in the order they get a turn.
    turn: VecDeque<usize>,
    /// Feeds waiting, all hosts together.
    waiting: usize,
    room_sender: mpsc::UnboundedSender<usize>,
    /// Hosts whose slot came back.
    room: mpsc::UnboundedReceiver<usize>,
}

struct HostQueue {
    slots: Arc<HostSlots>,
    feeds: VecDeque<Feed>,
    in_turn: bool,
}

impl HostQueues {
    fn new(per_host: usize) -> HostQueues {
        let (room_sender, room) = mpsc::unbounded_channel();
        HostQueues {
            per_host,
            index: HashMap::new(),
            hosts: Vec::new(),
            turn: VecDeque::new(),
            waiting: 0,
            room_sender,
            room,
        }
    }

    /// Queue `feed` behind the other feeds of its host.
    fn queue(&mut self, feed: Feed) {
        let name = url::Url::parse(&feed.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default();
        let next = self.hosts.len();
        let host = *self.index.entry(name).or_insert(next);
        if host == next {
            self.hosts.push(HostQueue {
                slots: Arc::new(HostSlots::new(self.per_host)),
                feeds: VecDeque::new(),
                in_turn: false,
            });
        }
        self.hosts[host].feeds.push_back(feed);
        self.waiting += 1;
        self.give_turn(host);
    }

    fn give_turn(&mut self, host: usize) {
        let queue = &mut self.hosts[host];
        if !queue.in_turn && !queue.feeds.is_empty() {
            queue.in_turn = true;
            self.turn.push_back(host);
        }
    }

    /// The next feed whose host has a free slot, with that slot, hosts in turn; when no
    /// host with feeds waiting has one, waits for a slot to come back. None when nothing
    /// waits.
    async fn next_with_room(&mut self) -> Option<(Feed, HostSlot)> {
        while self.waiting > 0 {
            while let Ok(host) = self.room.try_recv() {
                self.give_turn(host);
            }
            while let Some(host) = self.turn.pop_front() {
                let queue = &mut self.hosts[host];
                queue.in_turn = false;
                let Ok(permit) = queue.slots.requests.clone().try_acquire_owned() else {
                    // Full: its turn comes back with its next free slot.
                    continue;
                };
                let Some(feed) = queue.feeds.pop_front() else {
                    continue;
                };
                let slot = HostSlot {
                    permit: Some(permit),
                    host,
                    slots: queue.slots.clone(),
                    room: self.room_sender.clone(),
                };
                self.waiting -= 1;
                // Its next feed waits for the other hosts' turns.
                self.give_turn(host);
                return Some((feed, slot));
            }
            // Every host with feeds waiting is full: the next slot to come back.
            let host = self.room.recv().await?;
            self.give_turn(host);
        }
        None
    }
}

/// Requests out at once, with the bodies not yet written: [`BODIES_IN_HAND`] at first, one
/// more after each answer without a body (a 304, an error), up to `concurrency`. A request's
/// cost is mostly its body (read, parsed, stored) and the connection that carried it (each
/// keeps a read buffer sized to the bodies it read): a cold refresh, all bodies, stays at 64
/// requests and bodies together, as many as the parser and the writer keep up with; a warm one, mostly 304s,
/// soon has `concurrency` out, so that at 100 ms a request all its feeds have started within
/// a fraction of a second, and a slow feed among them does not start last.
///
/// The slow answers' slots ([`PATIENCE`]) widen the same way from [`SLOW_AT_FIRST`]: a
/// cold refresh of 10,000 feeds on a loaded machine, its answers late because the process
/// waited for a CPU, handed its slots on to up to 256 slow ones (291 requests out, 635
/// connections, 138 MB), where a warm one's 2 s feeds need them.
struct RequestWindow {
    slots: Arc<Semaphore>,
    /// Slots still to add.
    room_to_widen: std::sync::atomic::AtomicUsize,
    /// Slots for answers slower than [`PATIENCE`], beside `slots`.
    slow: Arc<Semaphore>,
    slow_room_to_widen: std::sync::atomic::AtomicUsize,
}

/// Slow answers' slots at first ([`RequestWindow`]).
const SLOW_AT_FIRST: usize = 16;

impl RequestWindow {
    fn new(concurrency: usize) -> RequestWindow {
        let concurrency = concurrency.max(1);
        let first = concurrency.min(BODIES_IN_HAND);
        let slow_first = concurrency.min(SLOW_AT_FIRST);
        RequestWindow {
            slots: Arc::new(Semaphore::new(first)),
            room_to_widen: std::sync::atomic::AtomicUsize::new(concurrency - first),
            slow: Arc::new(Semaphore::new(slow_first)),
            slow_room_to_widen: std::sync::atomic::AtomicUsize::new(concurrency - slow_first),
        }
    }

    /// An answer came without a body: one more request may be out, and one more slow one.
    fn widen(&self) {
        for (room, slots) in [
            (&self.room_to_widen, &self.slots),
            (&self.slow_room_to_widen, &self.slow),
        ] {
            let took = room.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(1)
            });
            if took.is_ok() {
                slots.add_permits(1);
            }
        }
    }
}

/// Who asked for a refresh: that decides which waits it honours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshTrigger {
    /// The user asked (`kiosque refresh`, `R`, `Ctrl-R`): every feed is fetched, failing ones
    /// too; only a server's Retry-After is honoured.
    Manual,
    /// The start-up refresh: feeds backing off after failures wait their turn, and so do
    /// feeds with their own `refresh_minutes` fetched more recently than that.
    Automatic,
    /// The TUI's timer: as `Automatic`, and every feed waits for its own `refresh_minutes`
    /// (else the config's) since its last fetch.
    Scheduled,
}

/// How a refresh runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshOptions {
    pub trigger: RefreshTrigger,
    /// Feeds fetched at once.
    pub concurrency: usize,
    /// Connections to one host at once.
    pub per_host: usize,
    /// Also fetch feeds disabled by a 410. Retry-After is honoured regardless.
    pub force: bool,
    /// Purge items that left their feed this many days ago (never unread or starred ones).
    pub keep_days: Option<u32>,
    /// `[sync]` is set: feeds kept by the sync server are its to poll. Without it (sync
    /// switched off) they are polled here like any other.
    pub leave_synced_feeds: bool,
    /// `[[rules]]`: applied to new items in the transaction that stores them.
    pub rules: Vec<crate::config::RuleConfig>,
    /// The config's `refresh_minutes`: how long a `Scheduled` refresh leaves a feed without
    /// its own setting after fetching it (0: no wait).
    pub default_minutes: u32,
}

impl RefreshOptions {
    /// The options a config asks for.
    pub fn from_config(config: &Config) -> RefreshOptions {
        RefreshOptions {
            trigger: RefreshTrigger::Automatic,
            concurrency: config.concurrency.max(1),
            per_host: config.per_host.max(1),
            force: false,
            keep_days: Some(config.keep_days),
            leave_synced_feeds: config.sync.is_some(),
            rules: config.rules.clone(),
            default_minutes: u32::try_from(config.refresh_minutes).unwrap_or(u32::MAX),
        }
    }
}

impl Default for RefreshOptions {
    fn default() -> Self {
        RefreshOptions::from_config(&Config::default())
    }
}

/// What happened to one feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedRefreshResult {
    /// Fetched and parsed; `new_items` were not stored before.
    Updated { new_items: usize },
    /// The server said 304: nothing was parsed.
    NotModified,
    /// Why it failed (also stored on the feed).
    Failed { error: String },
    /// Not asked: the server said to come back later (`server_asked`: Retry-After), or (in
    /// an automatic refresh) the feed keeps failing and backs off.
    Skipped {
        until: DateTime<Utc>,
        server_asked: bool,
    },
}

/// The result of refreshing one feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshOutcome {
    pub feed_id: FeedId,
    pub url: String,
    pub status: Option<u16>,
    pub result: FeedRefreshResult,
}

/// Totals over a refresh, for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RefreshSummary {
    pub updated: usize,
    pub not_modified: usize,
    pub failed: usize,
    pub skipped: usize,
    pub new_items: usize,
}

impl RefreshSummary {
    pub fn of(outcomes: &[RefreshOutcome]) -> RefreshSummary {
        let mut s = RefreshSummary::default();
        for o in outcomes {
            match &o.result {
                FeedRefreshResult::Updated { new_items } => {
                    s.updated += 1;
                    s.new_items += new_items;
                }
                FeedRefreshResult::NotModified => s.not_modified += 1,
                FeedRefreshResult::Failed { .. } => s.failed += 1,
                FeedRefreshResult::Skipped { .. } => s.skipped += 1,
            }
        }
        s
    }
}

/// Fetch results written in one transaction at most, and the items they bring at most (a
/// batch reaches one or the other). The writer takes what is ready when it is free, so a
/// refresh that outruns it writes in batches (one commit and one full-text segment for many
/// feeds) and a slow one writes each feed as it comes; a list load or a mark queued beside a
/// refresh waits for one batch at most (2,000 new items: about a quarter of a second). The
/// answers in hand are 64 at most anyway (`in_hand` in [`refresh_feeds_with`]).
pub const WRITE_BATCH_FEEDS: usize = 64;
pub const WRITE_BATCH_ITEMS: usize = 2_000;

/// The refresh's side of the store writer: fetch results queue here and a batcher hands them
/// to the writer, one batch in its queue at a time ([`WRITE_BATCH_FEEDS`]).
#[derive(Clone)]
struct RefreshWrites {
    queue: mpsc::UnboundedSender<PendingWrite>,
}

/// One fetch result waiting for the writer, and who waits for its outcome.
struct PendingWrite {
    fetch: crate::store::FetchWrite,
    done: tokio::sync::oneshot::Sender<Result<usize, String>>,
}

impl RefreshWrites {
    /// Start the batcher: it ends when every sender is dropped and the queue is empty. A
    /// `copier` hears of every batch committed.
    fn start(
        writer: StoreWriter,
        copier: Option<Arc<WalCopier>>,
    ) -> (RefreshWrites, tokio::task::JoinHandle<()>) {
        let (queue, mut pending) = mpsc::unbounded_channel::<PendingWrite>();
        let batcher = tokio::spawn(async move {
            while let Some(first) = pending.recv().await {
                let items = |p: &PendingWrite| p.fetch.parsed.as_ref().map_or(0, |d| d.items.len());
                let mut batch_items = items(&first);
                let mut batch = vec![first];
                while batch.len() < WRITE_BATCH_FEEDS && batch_items < WRITE_BATCH_ITEMS {
                    match pending.try_recv() {
                        Ok(next) => {
                            batch_items += items(&next);
                            batch.push(next);
                        }
                        Err(_) => break,
                    }
                }
                let (fetches, waiting): (Vec<_>, Vec<_>) =
                    batch.into_iter().map(|p| (p.fetch, p.done)).unzip();
                let now = Utc::now();
                let written = writer
                    .run_async(move |store| store.record_fetches(now, &fetches))
                    .await;
                timeline::ITEMS_WRITTEN.add(batch_items);
                if let Some(copier) = &copier {
                    copier.nudge();
                }
                match written {
                    Ok(results) => {
                        for (done, result) in waiting.into_iter().zip(results) {
                            let _ = done.send(result.map_err(|e| e.to_string()));
                        }
                    }
                    Err(e) => {
                        for done in waiting {
                            let _ = done.send(Err(e.to_string()));
                        }
                    }
                }
            }
        });
        (RefreshWrites { queue }, batcher)
    }
}

async fn write(
    writes: &RefreshWrites,
    feed: FeedId,
    record: FetchRecord,
    parsed: Option<ParsedDocument>,
) -> Result<usize, String> {
    let _waiting = timeline::WAITING_WRITE.enter();
    let (done, outcome) = tokio::sync::oneshot::channel();
    let (parsed, values) = parsed.map_or((None, Vec::new()), |(doc, values)| (Some(doc), values));
    let fetch = crate::store::FetchWrite {
        feed,
        record,
        parsed,
        values,
    };
    writes
        .queue
        .send(PendingWrite { fetch, done })
        .map_err(|_| "the database writer stopped".to_string())?;
    outcome
        .await
        .map_err(|_| "the database writer stopped".to_string())?
}

/// Backoff for a feed that failed without a Retry-After: 2, 4, 8… minutes up to 2 hours.
fn backoff_after_failure(feed: &Feed, now: DateTime<Utc>) -> DateTime<Utc> {
    // `last_fetched` + `error` tell us it failed last time too; without a failure counter in
    // the model, double the gap since the previous attempt.
    let previous_gap = match (&feed.error, feed.last_fetched, feed.next_due) {
        (Some(_), Some(last), Some(due)) if due > last => (due - last).num_seconds(),
        _ => 60,
    };
    let gap = (previous_gap * 2).clamp(120, 7_200);
    now + chrono::Duration::seconds(gap)
}

/// How long a request waits for its answer while it counts toward `concurrency`. A server
/// slower than that keeps its request (and its connection) but hands the slot on to the next
/// feed, taking one of as many slots for slow answers: waiting costs a socket, not the work
/// `concurrency` bounds. Without it, a warm refresh whose 5 % of feeds take 2 s each (50 of
/// 1,000) ran the other 950 on the 14 slots of 64 left to them (4.7 s instead of 2.1 s).
pub const PATIENCE: std::time::Duration = std::time::Duration::from_millis(500);

/// The slot a request holds: `concurrency`'s, or a slow answer's after [`PATIENCE`] (none
/// only if the refresh's semaphores were closed, which they never are).
type RequestSlot = Option<OwnedSemaphorePermit>;

/// The first half of one feed's fetch: the answer's headers, its body not read yet. `slot`
/// is traded for one of `slow_slots` if the answer takes longer than [`PATIENCE`]; the slot
/// held at the end comes back.
async fn ask_one(
    feed: &Feed,
    fetcher: &Fetcher,
    slot: RequestSlot,
    slow_slots: &Arc<Semaphore>,
    bodies: &BodiesInHand,
) -> (Result<Answer, FetchError>, RequestSlot) {
    let conditional = Conditional {
        etag: feed.etag.clone(),
        last_modified: feed.last_modified.clone(),
    };
    let _asking = timeline::ASKING.enter();
    let ask = fetcher.ask(&feed.url, &conditional);
    tokio::pin!(ask);
    let slow = async {
        tokio::time::sleep(PATIENCE).await;
        // Answers waiting for room mean the answers are not slow, the parser and the writer
        // are (a loaded machine): another request out would only add an answer to wait.
        while bodies.behind() {
            tokio::time::sleep(PATIENCE).await;
        }
        slow_slots.clone().acquire_owned().await
    };
    tokio::pin!(slow);
    tokio::select! {
        biased;
        answer = &mut ask => (answer, slot),
        slow_slot = &mut slow => match slow_slot {
            Ok(slow_slot) => {
                drop(slot);
                (ask.await, Some(slow_slot))
            }
            Err(_) => (ask.await, slot),
        },
    }
}

/// Room for the bodies read and not yet written ([`BODIES_IN_HAND`] at most), and how many
/// answers wait for it. While one waits, the parser and the writer are behind the network,
/// and the refresh asks no more than it has out: the window does not widen and a slow answer
/// does not hand its slot on ([`PATIENCE`]). A warm refresh of 10,000 feeds on 50 hosts with
/// a writer that could not keep up (a loaded machine) had widened to 256 requests out with
/// 136 answers waiting for room and 1,058 results for the writer, and peaked at 108 MB where
/// its cold refresh held 85 (`benches/timeline.py`).
struct BodiesInHand {
    room: Arc<Semaphore>,
    /// Answers waiting for room now.
    waiting: std::sync::atomic::AtomicUsize,
}

impl BodiesInHand {
    fn new(bodies: usize) -> BodiesInHand {
        BodiesInHand {
            room: Arc::new(Semaphore::new(bodies.max(1))),
            waiting: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// Wait for room for one body, held until the permit is dropped.
    async fn room(&self) -> Option<OwnedSemaphorePermit> {
        if let Ok(room) = self.room.clone().try_acquire_owned() {
            return Some(room);
        }
        struct Waiting<'a>(&'a std::sync::atomic::AtomicUsize);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::Relaxed);
            }
        }
        self.waiting.fetch_add(1, Ordering::Relaxed);
        let _waiting = Waiting(&self.waiting);
        self.room.clone().acquire_owned().await.ok()
    }

    /// Some answer waits for room: the parser and the writer are behind.
    fn behind(&self) -> bool {
        self.waiting.load(Ordering::Relaxed) > 0
    }
}

/// What a body holds until it is parsed and written: its room among the bodies in hand, and
/// the request's slot, so that a refresh of bodies (a cold one) has no more requests out and
/// bodies in hand together than the window's first 64. (Giving the slot back once the body
/// is read let 64 more answers wait for room on their connections: a 10,000-feed refresh
/// peaked at 106 MB instead of 94.5 under load, README.)
struct BodyHeld {
    _room: Option<OwnedSemaphorePermit>,
    _slot: RequestSlot,
}

/// The network half of one feed's refresh: the answer, body included, and what its body
/// holds (none for a 304 or an error), its room waited for before the body is read.
async fn fetch_one(
    feed: &Feed,
    fetcher: &Fetcher,
    host: &HostSlot,
    slot: RequestSlot,
    slow_slots: &Arc<Semaphore>,
    bodies: &BodiesInHand,
    window: &RequestWindow,
) -> (Result<FetchResponse, FetchError>, Option<BodyHeld>) {
    let (answer, slot) = ask_one(feed, fetcher, slot, slow_slots, bodies).await;
    // An answer without a body lets one more request out, unless the parser and the writer
    // are behind ([`BodiesInHand`]).
    let widen_unless_behind = || {
        if !bodies.behind() {
            window.widen();
        }
    };
    let answer = match answer {
        Ok(answer) => answer,
        Err(e) => {
            widen_unless_behind();
            return (Err(e), None);
        }
    };
    host.answered(answer.multiplexed());
    if !answer.is_success() {
        widen_unless_behind();
        return (answer.read().await, None);
    }
    let waiting = timeline::WAITING_ROOM.enter();
    let room = bodies.room().await;
    drop(waiting);
    let reading = timeline::READING.enter();
    let fetched = answer.read().await;
    drop(reading);
    if let Ok(response) = &fetched {
        timeline::BYTES_READ.add(response.body.len());
    }
    (
        fetched,
        Some(BodyHeld {
            _room: room,
            _slot: slot,
        }),
    )
}

/// The other half: parse the answer and record it.
async fn record_one(
    feed: Feed,
    fetched: Result<FetchResponse, FetchError>,
    now: DateTime<Utc>,
    writer: RefreshWrites,
    parse_slots: &Semaphore,
) -> RefreshOutcome {
    let outcome = |status: Option<u16>, result: FeedRefreshResult| RefreshOutcome {
        feed_id: feed.id,
        url: feed.url.clone(),
        status,
        result,
    };
    let response = match fetched {
        Ok(r) => r,
        Err(e) => {
            let error = e.to_string();
            tracing::info!("refresh of {} failed: {error}", feed.url);
            let record = FetchRecord {
                error: Some(error.clone()),
                next_due: Some(backoff_after_failure(&feed, now)),
                ..Default::default()
            };
            return match write(&writer, feed.id, record, None).await {
                Ok(_) => outcome(None, FeedRefreshResult::Failed { error }),
                Err(w) => outcome(None, FeedRefreshResult::Failed { error: w }),
            };
        }
    };
    let status = Some(response.status);
    let (record, parsed) = interpret(&feed, response, now, parse_slots).await;
    let failed = record.error.clone();
    if let Some(error) = &failed {
        tracing::info!("refresh of {} failed: {error}", feed.url);
    }
    match write(&writer, feed.id, record, parsed).await {
        Err(e) => outcome(status, FeedRefreshResult::Failed { error: e }),
        Ok(_) if failed.is_some() => outcome(
            status,
            FeedRefreshResult::Failed {
                error: failed.unwrap_or_default(),
            },
        ),
        Ok(_) if status == Some(304) => outcome(status, FeedRefreshResult::NotModified),
        Ok(new_items) => outcome(status, FeedRefreshResult::Updated { new_items }),
    }
}

/// A parsed document and the values the store derives from its items, both computed on a
/// parse thread: the writer, the one thread every feed waits for, only writes them.
type ParsedDocument = (ParsedFeed, Vec<ItemValues>);

/// Map an HTTP answer to what is recorded on the feed (and the parsed document, if any).
async fn interpret(
    feed: &Feed,
    response: FetchResponse,
    now: DateTime<Utc>,
    parse_slots: &Semaphore,
) -> (FetchRecord, Option<ParsedDocument>) {
    let status = response.status;
    let moved_to = response
        .moved_permanently
        .then(|| response.final_url.to_string());
    let failed = |error: String, next_due: Option<DateTime<Utc>>, disable: bool| FetchRecord {
        status: Some(status),
        error: Some(error),
        next_due,
        disable,
        moved_to: moved_to.clone(),
        ..Default::default()
    };
    match status {
        304 => (
            FetchRecord {
                status: Some(304),
                moved_to: moved_to.clone(),
                ..Default::default()
            },
            None,
        ),
        200..=299 => {
            let url = response.final_url.clone();
            let content_type = response.content_type.clone();
            let body = response.body;
            // One parse per core at a time: when 64 answers land at once (HTTP/2), sharing the
            // cores among 64 parses would finish them all at the end, and the writer, which
            // takes them one by one, would start only then instead of beside the parses.
            let waiting = timeline::WAITING_PARSE.enter();
            let _parsing = parse_slots.acquire().await;
            drop(waiting);
            let in_parse = timeline::PARSING.enter();
            let parsed = tokio::task::spawn_blocking(move || {
                crate::feed::parse_feed(&body, content_type.as_deref(), &url).map(|doc| {
                    let values = ItemValues::of_document(&doc);
                    (doc, values)
                })
            })
            .await;
            drop(in_parse);
            if let Ok(Ok((doc, _))) = &parsed {
                timeline::ITEMS_PARSED.add(doc.items.len());
            }
            match parsed {
                Ok(Ok(doc)) => (
                    FetchRecord {
                        status: Some(status),
                        etag: response.etag,
                        last_modified: response.last_modified,
                        moved_to,
                        ..Default::default()
                    },
                    Some(doc),
                ),
                // No validators saved: the next refresh must download and parse again.
                Ok(Err(e)) => (failed(e.to_string(), None, false), None),
                Err(e) => (
                    failed(format!("the feed parser crashed: {e}"), None, false),
                    None,
                ),
            }
        }
        410 => (
            failed(
                "HTTP 410 Gone: the feed was removed; it is no longer fetched (remove it, or `refresh` again with a new URL)".into(),
                None,
                true,
            ),
            None,
        ),
        429 | 503 => {
            let retry_after = response.retry_after;
            let until = retry_after.unwrap_or_else(|| backoff_after_failure(feed, now));
            let reason = if status == 429 {
                "Too Many Requests"
            } else {
                "Service Unavailable"
            };
            (
                FetchRecord {
                    retry_after,
                    ..failed(
                        format!(
                            "HTTP {status} {reason}: not asked again before {}",
                            until.format("%Y-%m-%d %H:%M:%S UTC")
                        ),
                        Some(until),
                        false,
                    )
                },
                None,
            )
        }
        _ => {
            let reason = reqwest::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("");
            let next_due = (status >= 500).then(|| backoff_after_failure(feed, now));
            (
                failed(format!("HTTP {status} {reason}").trim().to_string(), next_due, false),
                None,
            )
        }
    }
}

/// Refresh `feeds` (all of them, or those due). Outcomes are also sent to `progress` as each
/// feed finishes. Errors only when the database cannot be opened for writing. Starts a store
/// writer for this refresh (`kiosque refresh`); the TUI passes its own to
/// [`refresh_feeds_with`].
pub async fn refresh_feeds(
    db_path: &Path,
    fetcher: &Fetcher,
    feeds: Vec<Feed>,
    opts: &RefreshOptions,
    progress: Option<mpsc::UnboundedSender<RefreshOutcome>>,
) -> Result<Vec<RefreshOutcome>, StoreError> {
    let path = db_path.to_path_buf();
    let store = tokio::task::spawn_blocking(move || Store::open(&path))
        .await
        .map_err(|_| StoreError::WriterStopped)??;
    refresh_feeds_on(store, fetcher, feeds, opts, progress).await
}

/// [`refresh_feeds`] on a database the caller has open already (`kiosque refresh` read the
/// feeds through it): that connection becomes the refresh's writer, so the database is
/// opened (and its schema checked) once.
pub async fn refresh_feeds_on(
    store: Store,
    fetcher: &Fetcher,
    feeds: Vec<Feed>,
    opts: &RefreshOptions,
    progress: Option<mpsc::UnboundedSender<RefreshOutcome>>,
) -> Result<Vec<RefreshOutcome>, StoreError> {
    let path = store.path().map(Path::to_path_buf);
    let writer = StoreWriter::spawn(
        path.as_deref().unwrap_or(Path::new("")),
        Some(store),
        |_| {},
    )?;
    // The WAL is copied back beside the writer (see `WalCopier`).
    let copier = path.as_deref().and_then(WalCopier::start).map(Arc::new);
    let outcomes = refresh_with(&writer, fetcher, feeds, opts, progress, copier.clone()).await;
    if let Some(copier) = copier {
        // Joined off the async threads: a copy under way finishes first.
        let _ = tokio::task::spawn_blocking(move || drop(copier)).await;
    }
    let outcomes = outcomes?;
    // This writer is the only connection: the WAL goes back into the database and is emptied
    // now, not in the connection's close racing the process's exit (which left up to 32 MB of
    // WAL for the next start, the TUI's first screen, to read again).
    match writer.run_async(|store| store.checkpoint_wal()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!("copying the WAL back failed: {e}"),
        Err(e) => tracing::warn!("copying the WAL back failed: {e}"),
    }
    Ok(outcomes)
}

/// [`refresh_feeds`] writing through `writer`, the process's one write connection: every
/// batch of fetch results is one transaction in its queue, then the purge.
pub async fn refresh_feeds_with(
    writer: &StoreWriter,
    fetcher: &Fetcher,
    feeds: Vec<Feed>,
    opts: &RefreshOptions,
    progress: Option<mpsc::UnboundedSender<RefreshOutcome>>,
) -> Result<Vec<RefreshOutcome>, StoreError> {
    refresh_with(writer, fetcher, feeds, opts, progress, None).await
}

/// [`refresh_feeds_with`], telling `copier` of every batch written.
async fn refresh_with(
    writer: &StoreWriter,
    fetcher: &Fetcher,
    feeds: Vec<Feed>,
    opts: &RefreshOptions,
    progress: Option<mpsc::UnboundedSender<RefreshOutcome>>,
    copier: Option<Arc<WalCopier>>,
) -> Result<Vec<RefreshOutcome>, StoreError> {
    // With [sync], feeds kept by the sync server are the server's to poll: fetching them here
    // too would store every item twice. Without it they are polled (their pulled items are
    // matched by link, not stored again).
    let rules = crate::store::ArrivalRule::from_config(&opts.rules);
    let leave_synced = opts.leave_synced_feeds;
    let synced = writer
        .run_async(move |store| {
            store.set_arrival_rules(rules);
            if leave_synced {
                store.synced_feed_ids()
            } else {
                Ok(Default::default())
            }
        })
        .await??;
    let _timeline = timeline::Sampler::start();
    let (writes, batcher) = RefreshWrites::start(writer.clone(), copier);
    let global = Arc::new(RequestWindow::new(opts.concurrency));
    // Bodies read but not yet parsed and written: a bound on what is held in memory when the
    // network outruns the parser and the writer. A body waits for room before it is read
    // (the request stays on its connection meanwhile); requests still waiting for their
    // answer hold none, so a slow server holds a request slot, not a body's, and the 304s of
    // a warm refresh are not queued behind 64 slow answers. 64 at most whatever
    // `concurrency` says: more bodies in memory do not make a refresh faster once the parser
    // and the writer are the bottleneck.
    let in_hand = Arc::new(BodiesInHand::new(
        (opts.concurrency.max(1) * 2).min(BODIES_IN_HAND),
    ));
    // Requests whose answer is slow ([`PATIENCE`]), beside the others: [`SLOW_AT_FIRST`],
    // widening with the window.
    let slow_slots = global.slow.clone();
    let mut hosts = HostQueues::new(opts.per_host.max(1));
    let parse_slots = Arc::new(Semaphore::new(
        std::thread::available_parallelism().map_or(2, |n| n.get()),
    ));
    let now = Utc::now();
    let mut outcomes = Vec::with_capacity(feeds.len());
    let mut tasks = tokio::task::JoinSet::new();
    for feed in feeds {
        if synced.contains(&feed.id) {
            continue;
        }
        if feed.disabled && !opts.force {
            continue;
        }
        // A server's Retry-After holds for every refresh; failure backoff only for the
        // automatic one.
        let server_wait = feed.retry_after.filter(|t| *t > now);
        // The feed's own schedule (issue 13): not fetched again before its refresh_minutes.
        let interval = match opts.trigger {
            RefreshTrigger::Manual => None,
            RefreshTrigger::Automatic => feed.settings.refresh_minutes,
            RefreshTrigger::Scheduled => {
                feed.settings.refresh_minutes.or(Some(opts.default_minutes))
            }
        };
        let schedule_wait = interval
            .filter(|m| *m > 0)
            .zip(feed.last_fetched)
            // A timer tick a few seconds early still counts as due.
            .map(|(m, last)| {
                last + chrono::Duration::minutes(i64::from(m)) - chrono::Duration::seconds(30)
            })
            .filter(|due| *due > now);
        let wait = match opts.trigger {
            RefreshTrigger::Manual => server_wait,
            RefreshTrigger::Automatic | RefreshTrigger::Scheduled => feed
                .next_due
                .filter(|due| *due > now)
                .or(server_wait)
                .or(schedule_wait),
        };
        if let Some(until) = wait {
            let outcome = RefreshOutcome {
                feed_id: feed.id,
                url: feed.url.clone(),
                status: feed.status,
                result: FeedRefreshResult::Skipped {
                    until,
                    server_asked: server_wait.is_some(),
                },
            };
            if let Some(p) = &progress {
                let _ = p.send(outcome.clone());
            }
            outcomes.push(outcome);
            continue;
        }
        hosts.queue(feed);
    }
    // A feed's task is spawned when its request can go out: a request slot first, then a
    // host with room (round robin). Spawning all of them at once held every feed's task,
    // a kilobyte or more each, from the start of a 10,000-feed refresh; a feed whose host
    // has no room waits in its host's queue, so a slow host still holds only its own slots.
    while hosts.waiting > 0 {
        let slot = global.slots.clone().acquire_owned().await.ok();
        let Some((feed, host)) = hosts.next_with_room().await else {
            break;
        };
        while let Some(done) = tasks.try_join_next() {
            match done {
                Ok(outcome) => outcomes.push(outcome),
                Err(e) => tracing::error!("a refresh task failed: {e}"),
            }
        }
        let global = global.clone();
        let in_hand = in_hand.clone();
        let fetcher = fetcher.clone();
        let writes = writes.clone();
        let progress = progress.clone();
        let parse_slots = parse_slots.clone();
        let slow_slots = slow_slots.clone();
        tasks.spawn(async move {
            // Boxed: a future's state is allocated with its task; inline, the request's and
            // the record's states (kilobytes) were held by every task from its start.
            let (fetched, _body_in_hand) = Box::pin(fetch_one(
                &feed,
                &fetcher,
                &host,
                slot,
                &slow_slots,
                &in_hand,
                &global,
            ))
            .await;
            let now = Utc::now();
            // The connection is free once the body is in: the host's next feed goes out while
            // this one is parsed and written (a body keeps its request slot until written).
            hand_the_connection_back().await;
            drop(host);
            let outcome = Box::pin(record_one(feed, fetched, now, writes, &parse_slots)).await;
            timeline::FEEDS_DONE.add(1);
            if let Some(p) = &progress {
                let _ = p.send(outcome.clone());
            }
            outcome
        });
    }
    drop(hosts);
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(outcome) => outcomes.push(outcome),
            Err(e) => tracing::error!("a refresh task failed: {e}"),
        }
    }
    // Every task is done: the batcher writes what is left and ends.
    drop(writes);
    if batcher.await.is_err() {
        tracing::error!("the refresh's write batcher failed");
    }
    if let Some(days) = opts.keep_days {
        let purged = writer
            .run_async(move |store| store.purge_old_items(Utc::now(), days))
            .await;
        match purged {
            Ok(Ok(n)) if n > 0 => tracing::info!("purged {n} old items"),
            Ok(Err(e)) => tracing::warn!("purging old items failed: {e}"),
            Err(e) => tracing::warn!("purging old items failed: {e}"),
            _ => {}
        }
    }
    Ok(outcomes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;

    /// Poll once: the output if it is ready.
    fn poll_once<F: Future>(f: std::pin::Pin<&mut F>) -> Option<F::Output> {
        match f.poll(&mut std::task::Context::from_waker(std::task::Waker::noop())) {
            std::task::Poll::Ready(output) => Some(output),
            std::task::Poll::Pending => None,
        }
    }

    #[test]
    fn the_bodies_in_hand_say_they_are_behind_while_an_answer_waits_for_room() {
        use std::pin::pin;
        let bodies = BodiesInHand::new(1);
        let first = poll_once(pin!(bodies.room()))
            .flatten()
            .expect("no room among empty bodies");
        assert!(!bodies.behind());
        {
            let mut second = pin!(bodies.room());
            assert!(
                poll_once(second.as_mut()).is_none(),
                "two bodies in room for one"
            );
            assert!(bodies.behind(), "an answer waits and nothing says so");
            drop(first);
            let second = poll_once(second.as_mut())
                .flatten()
                .expect("the room did not come back");
            assert!(!bodies.behind());
            drop(second);
        }
        let mut third = Box::pin(bodies.room());
        let _held = poll_once(third.as_mut()).flatten().expect("room");
        let mut fourth = Box::pin(bodies.room());
        assert!(poll_once(fourth.as_mut()).is_none());
        drop(fourth);
        assert!(
            !bodies.behind(),
            "an answer given up still counted as waiting"
        );
    }

    #[test]
    fn the_request_window_starts_at_the_bodies_bound_and_widens_to_concurrency() {
        let window = RequestWindow::new(256);
        assert_eq!(window.slots.available_permits(), BODIES_IN_HAND);
        assert_eq!(window.slow.available_permits(), SLOW_AT_FIRST);
        for _ in 0..1_000 {
            window.widen();
        }
        assert_eq!(window.slots.available_permits(), 256);
        assert_eq!(window.slow.available_permits(), 256);

        let small = RequestWindow::new(4);
        assert_eq!(small.slots.available_permits(), 4);
        small.widen();
        assert_eq!(small.slots.available_permits(), 4);
    }

    fn feed_at(url: &str) -> Feed {
        Feed {
            url: url.to_string(),
            ..Feed::default()
        }
    }

    #[test]
    fn a_host_widens_once_to_the_http2_streams_and_never_narrows() {
        let host = HostSlots::new(6);
        assert_eq!(host.requests.available_permits(), 6);
        assert!(
            !host.widen(HostWidth::OnePerConnection),
            "widened to its own width"
        );
        assert!(host.widen(HostWidth::Multiplexed));
        assert_eq!(host.requests.available_permits(), H2_STREAMS_PER_HOST);
        assert!(!host.widen(HostWidth::Multiplexed), "widened twice");
        assert!(!host.widen(HostWidth::OnePerConnection), "narrowed");
        assert_eq!(host.requests.available_permits(), H2_STREAMS_PER_HOST);
    }

    #[tokio::test]
    async fn hosts_take_turns_and_a_full_host_waits_for_a_slot_to_come_back() {
        let mut hosts = HostQueues::new(2);
        for url in [
            "http://a.example/1",
            "http://a.example/2",
            "http://a.example/3",
            "http://b.example/1",
        ] {
            hosts.queue(feed_at(url));
        }
        let mut next = || {
            let mut taken = std::pin::pin!(hosts.next_with_room());
            match taken
                .as_mut()
                .poll(&mut std::task::Context::from_waker(std::task::Waker::noop()))
            {
                std::task::Poll::Ready(Some((feed, slot))) => Some((feed.url, slot)),
                std::task::Poll::Ready(None) => panic!("nothing waits"),
                std::task::Poll::Pending => None,
            }
        };
        let (first, a1) = next().expect("a feed");
        let (second, _b1) = next().expect("a feed");
        let (third, _a2) = next().expect("a feed");
        assert_eq!(
            [first.as_str(), second.as_str(), third.as_str()],
            [
                "http://a.example/1",
                "http://b.example/1",
                "http://a.example/2"
            ],
            "hosts in turn"
        );
        assert!(next().is_none(), "a.example got a third request at once");
        drop(a1);
        let (fourth, _a3) = next().expect("the slot came back");
        assert_eq!(fourth, "http://a.example/3");
        assert_eq!(hosts.waiting, 0);
    }

    #[tokio::test]
    async fn a_body_keeps_its_request_slot_and_its_room_until_written() {
        // A server that answers one request with a feed body.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let _server = std::thread::spawn(move || {
            use std::io::{Read, Write};
            let Some(Ok(mut conn)) = listener.incoming().next() else {
                return;
            };
            let mut request = Vec::new();
            let mut byte = [0u8; 1];
            while !request.ends_with(b"\r\n\r\n") && conn.read(&mut byte).unwrap_or(0) == 1 {
                request.push(byte[0]);
            }
            let body = "<rss version=\"2.0\"><channel><title>t</title></channel></rss>";
            let _ = write!(
                conn,
                "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            std::thread::sleep(std::time::Duration::from_secs(2));
        });
        let fetcher = Fetcher::new(&Config::default()).expect("client");
        let mut hosts = HostQueues::new(1);
        hosts.queue(feed_at(&format!("http://127.0.0.1:{port}/feed")));
        let (feed, host) = hosts.next_with_room().await.expect("a feed");
        let window = RequestWindow::new(1);
        let slot = window.slots.clone().acquire_owned().await.ok();
        let bodies = BodiesInHand::new(1);
        let (fetched, held) =
            fetch_one(&feed, &fetcher, &host, slot, &window.slow, &bodies, &window).await;
        assert_eq!(fetched.expect("fetched").status, 200);
        assert!(held.is_some(), "a body held nothing");
        assert_eq!(
            window.slots.available_permits(),
            0,
            "the body gave its request's slot back before it was written"
        );
        assert_eq!(
            bodies.room.available_permits(),
            0,
            "the body gave its room back before it was written"
        );
        drop(held);
        assert_eq!(bodies.room.available_permits(), 1);
        assert_eq!(window.slots.available_permits(), 1);
    }

    #[tokio::test]
    async fn a_slow_answer_hands_its_slot_on_after_patience() {
        // A server that accepts and never answers: the request keeps waiting, but after
        // PATIENCE its `concurrency` slot is back and a slow slot is taken instead.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let _held = std::thread::spawn(move || {
            let _conns: Vec<_> = listener.incoming().take(1).collect();
            std::thread::sleep(std::time::Duration::from_secs(5));
        });
        let fetcher = Fetcher::new(&Config::default()).expect("client");
        let feed = Feed {
            url: format!("http://127.0.0.1:{port}/feed"),
            ..Feed::default()
        };
        let global = Arc::new(Semaphore::new(1));
        let slow = Arc::new(Semaphore::new(1));
        let slot = global.clone().acquire_owned().await.ok();
        let asking = tokio::spawn({
            let slow = slow.clone();
            async move {
                let bodies = BodiesInHand::new(BODIES_IN_HAND);
                ask_one(&feed, &fetcher, slot, &slow, &bodies)
                    .await
                    .1
                    .is_some()
            }
        });
        let freed = tokio::time::timeout(
            std::time::Duration::from_secs(3),
            global.clone().acquire_owned(),
        )
        .await;
        assert!(freed.is_ok(), "the slot was not handed on");
        assert_eq!(slow.available_permits(), 0, "no slow slot taken");
        asking.abort();
    }
}
