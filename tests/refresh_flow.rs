//! Whole refreshes against a loopback server and a temporary database: new items, 304s,
//! moves, failures stored on the feed, Retry-After honoured across runs, read state kept,
//! concurrent refreshes not duplicating items.

mod common;

use chrono::Utc;
use common::{Reply, TestServer, rss_with_items};
use kiosque::config::Config;
use kiosque::fetch::Fetcher;
use kiosque::refresh::{FeedRefreshResult, RefreshOptions, refresh_feeds};
use kiosque::store::{ItemFilter, NewFeed, Store};
use std::path::{Path, PathBuf};

struct Setup {
    _dir: tempfile::TempDir,
    db: PathBuf,
    fetcher: Fetcher,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kiosque.db");
    Store::open(&db).unwrap();
    let fetcher = Fetcher::new(&Config {
        timeout_seconds: 2,
        connect_timeout_seconds: 1,
        ..Config::default()
    })
    .unwrap();
    Setup {
        _dir: dir,
        db,
        fetcher,
    }
}

/// A server answering `/feed` with `reply`, and a database subscribed to it.
fn one_feed(reply: Reply) -> (TestServer, Setup) {
    let server = TestServer::start();
    server.route("/feed", reply);
    let s = setup();
    subscribe(&s.db, &[server.url("/feed")]);
    (server, s)
}

fn subscribe(db: &Path, urls: &[String]) {
    let mut store = Store::open(db).unwrap();
    for url in urls {
        store.add_test_feed(url, 0).unwrap();
    }
}

async fn refresh_all(s: &Setup) -> Vec<kiosque::refresh::RefreshOutcome> {
    let feeds = Store::open(&s.db).unwrap().feeds().unwrap();
    refresh_feeds(&s.db, &s.fetcher, feeds, &RefreshOptions::default(), None)
        .await
        .unwrap()
}

fn titles(db: &Path) -> Vec<String> {
    let store = Store::open(db).unwrap();
    let mut t: Vec<String> = store
        .items(&ItemFilter::default(), 0, 1000)
        .unwrap()
        .into_iter()
        .map(|i| i.title)
        .collect();
    t.sort();
    t
}

#[tokio::test]
async fn first_refresh_stores_items_second_costs_a_304() {
    let (server, s) = one_feed(Reply::conditional(
        Some("\"v1\""),
        None,
        rss_with_items("Loopback news", 3).as_bytes(),
    ));
    let first = refresh_all(&s).await;
    assert_eq!(first[0].result, FeedRefreshResult::Updated { new_items: 3 });
    let store = Store::open(&s.db).unwrap();
    let feed = &store.feeds().unwrap()[0];
    assert_eq!(feed.title, "Loopback news");
    assert_eq!(feed.etag.as_deref(), Some("\"v1\""));
    drop(store);
    let second = refresh_all(&s).await;
    assert_eq!(second[0].result, FeedRefreshResult::NotModified);
    assert_eq!(
        server.hits("/feed")[1]
            .headers
            .get("if-none-match")
            .map(String::as_str),
        Some("\"v1\"")
    );
    assert_eq!(titles(&s.db).len(), 3);
}

#[tokio::test]
async fn read_state_survives_a_refresh_that_edits_items() {
    let (server, s) = one_feed(Reply::rss(rss_with_items("F", 2)));
    refresh_all(&s).await;
    let mut store = Store::open(&s.db).unwrap();
    let ids: Vec<_> = store
        .items(&ItemFilter::default(), 0, 10)
        .unwrap()
        .iter()
        .map(|i| i.id)
        .collect();
    store.set_read(&ids[..1], true).unwrap();
    store.set_starred(&ids[1..2], true).unwrap();
    drop(store);
    server.route(
        "/feed",
        Reply::rss(rss_with_items("F", 2).replace("Item 0", "Item zero (updated)")),
    );
    refresh_all(&s).await;
    let store = Store::open(&s.db).unwrap();
    let items = store.items(&ItemFilter::default(), 0, 10).unwrap();
    assert_eq!(items.len(), 2);
    assert!(items.iter().any(|i| i.id == ids[0] && i.read));
    assert!(items.iter().any(|i| i.id == ids[1] && i.starred));
    assert!(items.iter().any(|i| i.title == "Item zero (updated)"));
}

#[tokio::test]
async fn two_refreshes_at_once_do_not_duplicate_items() {
    let (_server, s) = one_feed(Reply::rss(rss_with_items("F", 20)));
    let (a, b) = tokio::join!(refresh_all(&s), refresh_all(&s));
    assert_eq!(a.len() + b.len(), 2);
    assert_eq!(titles(&s.db).len(), 20);
}

#[tokio::test]
async fn failures_are_stored_per_feed_and_the_others_go_on() {
    let server = TestServer::start();
    server.route("/ok", Reply::rss(rss_with_items("Fine", 1)));
    server.route("/missing", Reply::status(404));
    server.route("/broken", Reply::status(500));
    server.route(
        "/truncated",
        Reply::rss("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title><item><title>Half"),
    );
    server.route(
        "/jpeg",
        Reply::ok(
            "image/jpeg",
            vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F'],
        ),
    );
    let s = setup();
    let urls: Vec<String> = ["/ok", "/missing", "/broken", "/truncated", "/jpeg"]
        .iter()
        .map(|p| server.url(p))
        .collect();
    subscribe(&s.db, &urls);
    let outcomes = refresh_all(&s).await;
    assert_eq!(outcomes.len(), 5);
    let store = Store::open(&s.db).unwrap();
    for feed in store.feeds().unwrap() {
        if feed.url.ends_with("/ok") {
            assert!(feed.error.is_none());
            assert_eq!(feed.total, 1);
        } else {
            let error = feed.error.clone().unwrap_or_default();
            assert!(!error.is_empty(), "{} has its error stored", feed.url);
            if feed.url.ends_with("/missing") {
                assert_eq!(feed.status, Some(404));
                assert!(error.contains("404"), "{error}");
            }
        }
    }
}

#[tokio::test]
async fn truncated_update_keeps_the_items_already_stored() {
    let (server, s) = one_feed(Reply::rss(rss_with_items("F", 4)));
    refresh_all(&s).await;
    let full = rss_with_items("F", 4);
    server.route("/feed", Reply::rss(full[..full.len() / 2].to_string()));
    let outcome = refresh_all(&s).await;
    assert!(matches!(
        outcome[0].result,
        FeedRefreshResult::Failed { .. }
    ));
    assert_eq!(titles(&s.db).len(), 4, "no item lost");
}

#[tokio::test]
async fn retry_after_is_honoured_across_runs() {
    let server = TestServer::start();
    server.route("/busy", Reply::with_header(429, "Retry-After", "3600"));
    let s = setup();
    subscribe(&s.db, &[server.url("/busy")]);
    let first = refresh_all(&s).await;
    assert!(matches!(first[0].result, FeedRefreshResult::Failed { .. }));
    // A second, separate run (as `kiosque refresh` from cron would be) does not ask again.
    let second = refresh_all(&s).await;
    assert!(
        matches!(second[0].result, FeedRefreshResult::Skipped { .. }),
        "{:?}",
        second[0]
    );
    assert_eq!(server.hits("/busy").len(), 1);
}

#[tokio::test]
async fn gone_disables_and_moved_updates_the_url() {
    let server = TestServer::start();
    server.route("/gone", Reply::status(410));
    server.route("/new", Reply::rss(rss_with_items("Moved", 1)));
    server.route("/old", Reply::redirect(301, "/new"));
    let s = setup();
    subscribe(&s.db, &[server.url("/gone"), server.url("/old")]);
    refresh_all(&s).await;
    let store = Store::open(&s.db).unwrap();
    let feeds = store.feeds().unwrap();
    assert!(
        feeds
            .iter()
            .any(|f| f.url == server.url("/new") && f.total == 1)
    );
    let gone = feeds.iter().find(|f| f.url.ends_with("/gone")).unwrap();
    assert!(gone.disabled);
    drop(store);
    refresh_all(&s).await;
    assert_eq!(
        server.hits("/gone").len(),
        1,
        "a 410 feed is not fetched again"
    );
}

#[tokio::test]
async fn latin1_entities_and_relative_links_read_right() {
    let server = TestServer::start();
    let mut latin1 =
        b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><title>Caf"
            .to_vec();
    latin1.push(0xE9);
    latin1.extend_from_slice(b"</title><item><title>T&eacute;l&eacute; &amp;amp; caf");
    latin1.push(0xE9);
    latin1.extend_from_slice(b"</title><link>/articles/1</link><guid>1</guid><description>&lt;a href=\"/x\"&gt;x&lt;/a&gt;</description></item></channel></rss>");
    server.route("/latin", Reply::rss(latin1));
    let s = setup();
    subscribe(&s.db, &[server.url("/latin")]);
    refresh_all(&s).await;
    let store = Store::open(&s.db).unwrap();
    assert_eq!(store.feeds().unwrap()[0].title, "Café");
    let item = store.items(&ItemFilter::default(), 0, 1).unwrap().remove(0);
    assert_eq!(item.title, "Télé & café");
    assert_eq!(
        item.url.as_deref(),
        Some(server.url("/articles/1").as_str())
    );
    let full = store.item(item.id).unwrap();
    let summary = full.summary_html.unwrap_or_default();
    assert!(summary.contains(&server.url("/x")), "{summary}");
}

#[tokio::test]
async fn a_slow_feed_times_out_without_holding_the_others() {
    let server = TestServer::start();
    server.route(
        "/slow",
        Reply::Delayed {
            delay: std::time::Duration::from_secs(5),
            reply: Box::new(Reply::rss(rss_with_items("Slow", 1))),
        },
    );
    server.route("/fast", Reply::rss(rss_with_items("Fast", 2)));
    let s = setup();
    subscribe(&s.db, &[server.url("/slow"), server.url("/fast")]);
    let outcomes = refresh_all(&s).await;
    let slow = outcomes.iter().find(|o| o.url.ends_with("/slow")).unwrap();
    match &slow.result {
        FeedRefreshResult::Failed { error } => assert!(error.contains("timed out"), "{error}"),
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert_eq!(titles(&s.db).len(), 2);
}

/// A host's connection slot is given back once the answer is in, not after the parse and the
/// write: with one slot per host and the database held by another writer, the host's second
/// feed is still fetched before the first one can be written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_write_does_not_hold_the_hosts_connection_slot() {
    let s = setup();
    let server = TestServer::start();
    server.route("/a", Reply::rss(rss_with_items("A", 2)));
    server.route("/b", Reply::rss(rss_with_items("B", 2)));
    subscribe(&s.db, &[server.url("/a"), server.url("/b")]);
    let feeds = Store::open(&s.db).unwrap().feeds().unwrap();
    // Another writer holds the database (the writer thread waits up to its busy timeout).
    let blocker = rusqlite::Connection::open(&s.db).unwrap();
    blocker.execute_batch("BEGIN IMMEDIATE").unwrap();
    let options = RefreshOptions {
        per_host: 1,
        ..RefreshOptions::default()
    };
    let (db, fetcher) = (s.db.clone(), s.fetcher.clone());
    let refresh =
        tokio::spawn(async move { refresh_feeds(&db, &fetcher, feeds, &options, None).await });
    // Both feeds are asked for while the first one's write is still blocked.
    while server.hits("/a").len() + server.hits("/b").len() < 2 && !refresh.is_finished() {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    blocker.execute_batch("COMMIT").unwrap();
    let outcomes = refresh.await.unwrap().unwrap();
    assert_eq!(outcomes.len(), 2);
    for o in &outcomes {
        assert!(
            matches!(o.result, FeedRefreshResult::Updated { new_items: 2 }),
            "{o:?}"
        );
    }
}

/// Issue 13, item 6: a feed's own refresh_minutes holds for the automatic refreshes (start-up
/// and timer), the timer waits the config's refresh_minutes for the other feeds, and a manual
/// refresh fetches everything.
#[tokio::test]
async fn a_feeds_own_refresh_minutes_is_its_schedule() {
    use kiosque::refresh::RefreshTrigger;
    use kiosque::store::FeedChange;
    let server = TestServer::start();
    server.route("/slow", Reply::rss(rss_with_items("Slow", 1)));
    server.route("/plain", Reply::rss(rss_with_items("Plain", 1)));
    let s = setup();
    subscribe(&s.db, &[server.url("/slow"), server.url("/plain")]);
    refresh_all(&s).await;
    let hits = || (server.hits("/slow").len(), server.hits("/plain").len());
    assert_eq!(hits(), (1, 1));
    {
        let mut store = Store::open(&s.db).unwrap();
        let slow = store.find_feed(&server.url("/slow")).unwrap();
        store
            .update_feed(
                slow.id,
                &FeedChange {
                    refresh_minutes: Some(Some(600)),
                    ..Default::default()
                },
            )
            .unwrap();
    }
    let run = |trigger| {
        let options = RefreshOptions {
            trigger,
            ..RefreshOptions::default()
        };
        let feeds = Store::open(&s.db).unwrap().feeds().unwrap();
        let db = s.db.clone();
        let fetcher = s.fetcher.clone();
        async move {
            refresh_feeds(&db, &fetcher, feeds, &options, None)
                .await
                .unwrap()
        }
    };
    // Start-up: the slow feed was fetched a moment ago, within its 600 minutes.
    run(RefreshTrigger::Automatic).await;
    assert_eq!(hits(), (1, 2));
    // Timer: the plain feed waits the config's 30 minutes too.
    run(RefreshTrigger::Scheduled).await;
    assert_eq!(hits(), (1, 2));
    // The user asks: everything is fetched.
    run(RefreshTrigger::Manual).await;
    assert_eq!(hits(), (2, 3));
}

/// Issue 13, item 6: a feed's own keep_days purges its read, unstarred items that left it.
#[test]
fn a_feeds_own_keep_days_purges_its_old_read_items() {
    use kiosque::model::{ParsedFeed, ParsedItem};
    use kiosque::store::{FeedChange, FetchRecord};
    let s = setup();
    let mut store = Store::open(&s.db).unwrap();
    let long_ago = Utc::now() - chrono::Duration::days(10);
    let mut ids = Vec::new();
    for name in ["short", "long"] {
        let id = store
            .add_feed(
                &NewFeed {
                    url: format!("http://127.0.0.1:9/{name}"),
                    ..Default::default()
                },
                long_ago,
            )
            .unwrap();
        let doc = ParsedFeed {
            title: Some(name.into()),
            site_url: None,
            items: vec![ParsedItem {
                dedupe_key: "gone".into(),
                title: format!("{name}: an item that left its feed"),
                url: Some(format!("http://127.0.0.1:9/{name}/gone")),
                author: None,
                published: Some(long_ago),
                summary_html: None,
                content_html: None,
                enclosures: vec![],
            }],
        };
        store
            .record_fetch(id, long_ago, &FetchRecord::default(), Some(&doc))
            .unwrap();
        ids.push(id);
    }
    store
        .update_feed(
            ids[0],
            &FeedChange {
                keep_days: Some(Some(3)),
                ..Default::default()
            },
        )
        .unwrap();
    store.mark_all_read(&Default::default()).unwrap();
    // The config keeps 90 days; the short feed only 3.
    assert_eq!(store.purge_old_items(Utc::now(), 90).unwrap(), 1);
    assert_eq!(store.feed(ids[0]).unwrap().total, 0);
    assert_eq!(store.feed(ids[1]).unwrap().total, 1);
}
