//! The TUI's worker writes through one SQLite connection (issue 8, DESIGN "one writer"):
//! subscribing, refreshing (with the purge), marks, mark-all and its undo, feed admin, the
//! article cache and a sync with a Google Reader server all go through the store writer; reads use a read-only connection, and a mark
//! is seen by the list load sent after it. One test in this binary: the count of write
//! connections is per process.

mod common;
#[path = "common/greader.rs"]
mod greader;

use common::Reply;
use kiosque::store::write_connections_opened;
use kiosque::tui::action::Action;
use kiosque::tui::effect::{Anchor, Effect, ListRequest};
use kiosque::tui::state::ListQuery;
use kiosque::tui::worker::{TokioWorker, Worker};
use tokio::sync::mpsc::UnboundedReceiver;

const PAGE: &str = "<html><head><title>T - Site</title></head><body><article><h1>Headline here</h1>\
    <p>First paragraph of a reasonably long article body that says something useful about the topic at hand.</p>\
    <p>Second paragraph with more words so that the extractor finds enough text to keep it as an article.</p>\
    <p>Third paragraph, to be sure: readers want the whole story, not a teaser, and this is the story.</p>\
    </article></body></html>";

/// The next action `wanted` picks, skipping progress; a failure ends the test.
async fn next<T>(
    actions: &mut UnboundedReceiver<Action>,
    wanted: impl Fn(&Action) -> Option<T>,
) -> T {
    loop {
        let action = actions.recv().await.expect("the worker stopped");
        if let Action::Failed { doing, error } = &action {
            panic!("{doing}: {error}");
        }
        if let Some(found) = wanted(&action) {
            return found;
        }
    }
}

/// The rows of a list load's answer.
fn rows_loaded(action: &Action) -> Option<Vec<kiosque::model::ItemSummary>> {
    match action {
        Action::ListLoaded(window) => Some(window.rows.clone()),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tui_writes_through_one_connection_and_a_mark_is_seen_by_the_next_list() {
    let server = common::feed_server("One", 3);
    server.route("/page.html", Reply::ok("text/html", PAGE));
    server.route("/other.html", Reply::ok("text/html", PAGE));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kiosque.db");
    let reader_server = greader::GReaderServer::start(greader::Flavor::FreshRss);
    let synced_feed = reader_server.add_feed("Synced Daily", Some("News"));
    for i in 1..=4 {
        reader_server.add_item(synced_feed, &format!("Synced story {i}"), 3_600 * i);
    }
    let config = kiosque::config::Config {
        timeout_seconds: 5,
        keep_days: 30,
        sync: Some(kiosque::config::SyncConfig {
            service: kiosque::config::SyncServiceKind::GReader,
            url: reader_server.api_url(),
            username: "alice".into(),
            password_command: Some("echo api-pass".into()),
        }),
        ..Default::default()
    };
    let before = write_connections_opened();
    let (tx, mut actions) = tokio::sync::mpsc::unbounded_channel();
    let mut worker = TokioWorker::start(&config, db.clone(), tx);

    // The add prompt: discovery, then the subscription and its first items.
    worker.submit(Effect::AddFeed {
        url: server.url("/feed.xml"),
    });
    let feed = next(&mut actions, |a| match a {
        Action::FeedsChanged { show: Some(id), .. } => Some(*id),
        _ => None,
    })
    .await;
    // A refresh (one transaction per feed, then the purge).
    worker.submit(Effect::Refresh {
        feed: None,
        trigger: kiosque::refresh::RefreshTrigger::Manual,
    });
    next(&mut actions, |a| {
        matches!(a, Action::RefreshFinished { .. }).then_some(())
    })
    .await;

    let list = |generation| {
        Effect::LoadList(ListRequest {
            generation,
            query: ListQuery::default(),
            anchor: Anchor::None,
            around: 0,
            limit: 50,
        })
    };
    worker.submit(list(1));
    let rows = next(&mut actions, rows_loaded).await;
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| !r.read));

    // A mark, then at once a list load: the load sees the mark.
    let first = rows[0].id;
    worker.submit(Effect::SetRead {
        ids: vec![first],
        read: true,
    });
    worker.submit(list(2));
    let rows = next(&mut actions, rows_loaded).await;
    let marked = rows.iter().find(|r| r.id == first).unwrap();
    assert!(
        marked.read,
        "the list load sent after the mark did not see it"
    );

    // Mark all, its undo, a rename.
    worker.submit(Effect::MarkAllRead {
        query: ListQuery::default(),
    });
    let ids = next(&mut actions, |a| match a {
        Action::AllMarkedRead { ids } => Some(ids.clone()),
        _ => None,
    })
    .await;
    worker.submit(Effect::UndoMarkAllRead { ids });
    next(&mut actions, |a| {
        matches!(a, Action::UndoSaved { .. }).then_some(())
    })
    .await;
    worker.submit(Effect::UpdateFeed {
        id: feed,
        change: kiosque::store::FeedChange {
            title: Some("Renamed".into()),
            ..Default::default()
        },
    });
    next(&mut actions, |a| {
        matches!(a, Action::FeedsChanged { .. }).then_some(())
    })
    .await;

    // The article cache: a loaded article and a prefetched one.
    worker.submit(Effect::Prefetch {
        urls: vec![server.url("/other.html")],
    });
    worker.submit(Effect::LoadArticle {
        page: 1,
        url: server.url("/page.html"),
        fallback: None,
    });
    let note = next(&mut actions, |a| match a {
        Action::ArticleReady { note, .. } => Some(note.clone()),
        _ => None,
    })
    .await;
    assert_eq!(note, None);

    // Removing the feed, then a list load that no longer has its items.
    worker.submit(Effect::RemoveFeed { id: feed });
    worker.submit(list(3));
    let rows = next(&mut actions, rows_loaded).await;
    assert!(rows.is_empty(), "{rows:?}");

    // A sync: subscriptions, pulled items, states and the last-sync record, step by step on
    // the writer.
    worker.submit(Effect::Sync);
    let (new_items, error) = next(&mut actions, |a| match a {
        Action::SyncFinished {
            new_items, error, ..
        } => Some((*new_items, error.clone())),
        _ => None,
    })
    .await;
    assert_eq!((new_items, error), (4, None));
    drop(worker);

    // The article was cached through the writer.
    let store = kiosque::store::Store::open_read_only(&db).unwrap();
    assert!(
        store
            .cached_article(&server.url("/page.html"))
            .unwrap()
            .is_some()
    );
    assert_eq!(
        write_connections_opened() - before,
        1,
        "the TUI opened more than one write connection"
    );
}
