//! `kiosque sync` through the real binary against a Google Reader server started on
//! 127.0.0.1 (FreshRSS and Miniflux behaviour): first sync, pushing local changes in one
//! request, queued changes winning, two data dirs converging, and the ways a sync fails.

mod common;
#[path = "common/greader.rs"]
mod greader;

use assert_cmd::Command;
use common::{Reply, TestServer, fails_in_one_line, opml_file, rss_with_items, run_ok, succeeds};
use greader::{Flavor, GReaderServer};
use kiosque::tui::action::Action;
use kiosque::tui::effect::Effect;
use kiosque::tui::worker::Worker;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

const PASSWORD: &str = "api-pass";

/// [`common::kiosque`] with the sync password in its environment.
fn kiosque(data: &Path) -> Command {
    let mut cmd = common::kiosque(data);
    cmd.env("KIOSQUE_SYNC_PASSWORD", PASSWORD);
    cmd
}

fn configure(data: &Path, url: &str) {
    std::fs::write(
        data.join("config.toml"),
        format!(
            "timeout_seconds = 2\n\n[sync]\nservice = \"greader\"\nurl = \"{url}\"\nusername = \"alice\"\n"
        ),
    )
    .unwrap();
}

fn json(data: &Path, args: &[&str]) -> Value {
    json_saying(data, args).0
}

/// What `kiosque args` prints, read as JSON, and what it says on stderr; it must succeed.
fn json_saying(data: &Path, args: &[&str]) -> (Value, String) {
    let (out, err) = succeeds(kiosque(data).args(args));
    (serde_json::from_str(&out).unwrap(), err)
}

fn sync(data: &Path) -> Value {
    json(data, &["sync", "--json"])
}

/// Every local item as `items --json` lists it, newest first.
fn items(data: &Path) -> Vec<Value> {
    let Value::Array(items) = json(data, &["items", "--json"]) else {
        panic!("`items --json` is not a list");
    };
    items
}

/// Title → (read, starred) of every local item.
fn states(data: &Path) -> BTreeMap<String, (bool, bool)> {
    let flag = |item: &Value, name: &str| item[name].as_bool().unwrap();
    let state = |i: &Value| (flag(i, "read"), flag(i, "starred"));
    let title = |i: &Value| i["title"].as_str().unwrap().to_string();
    items(data).iter().map(|i| (title(i), state(i))).collect()
}

fn local_id(data: &Path, title: &str) -> String {
    common::id_of(common::row(
        &json(data, &["items", "--json"]),
        "title",
        title,
    ))
}

/// The local ids of every item, newest first.
fn all_ids(data: &Path) -> Vec<String> {
    items(data).iter().map(|i| i["id"].to_string()).collect()
}

/// `kiosque mark IDS... FLAG`, which must succeed.
fn mark(data: &Path, ids: &[String], flag: &str) {
    let mut args = vec!["mark"];
    args.extend(ids.iter().map(String::as_str));
    args.push(flag);
    kiosque(data).args(&args).assert().success();
}

/// Two numbers of a sync report, to compare at once.
fn pair(report: &Value, a: &str, b: &str) -> (Option<u64>, Option<u64>) {
    (report[a].as_u64(), report[b].as_u64())
}

/// A sync that must pull no item and change no state: its report.
fn sync_pulling_nothing(data: &Path) -> Value {
    let report = sync(data);
    let counts = pair(&report, "pulled_items", "state_changes");
    assert_eq!(counts, (Some(0), Some(0)), "{report}");
    report
}

/// A server with `n` items in one feed, and a data dir that pulled them all.
fn busy(flavor: Flavor, n: usize) -> (GReaderServer, tempfile::TempDir) {
    let server = GReaderServer::start(flavor);
    let feed = server.add_feed("Busy", None);
    for i in 0..n {
        server.add_item(feed, &format!("Item {i:05}"), 60);
    }
    let dir = configured(&server.api_url());
    assert_eq!(sync(dir.path())["pulled_items"], n);
    (server, dir)
}

/// Caps the size of a pulled item's body at 1 MB in the data dir's config.
fn cap_bodies_at_a_megabyte(data: &Path) {
    let mut config = std::fs::read_to_string(data.join("config.toml")).unwrap();
    config.insert_str(0, "max_body_bytes = 1000000\n");
    std::fs::write(data.join("config.toml"), config).unwrap();
}

fn pending(data: &Path) -> u64 {
    json(data, &["sync", "--status", "--json"])["pending"]
        .as_u64()
        .unwrap()
}

/// A data dir set up to sync with the server at `url`.
fn configured(url: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    configure(dir.path(), url);
    dir
}

/// [`populated`], and a data dir that synced with it once.
fn synced(flavor: Flavor, n: u64) -> (GReaderServer, Vec<u64>, tempfile::TempDir) {
    let (server, ids) = populated(flavor, n);
    let dir = configured(&server.api_url());
    sync(dir.path());
    (server, ids, dir)
}

/// Runs `check` with a server of each flavour; a failure names the flavour.
fn for_each_flavor(check: fn(Flavor)) {
    for flavor in [Flavor::FreshRss, Flavor::Miniflux] {
        let outcome = std::panic::catch_unwind(|| check(flavor));
        assert!(outcome.is_ok(), "with {flavor:?} (the panic above)");
    }
}

/// Two feeds in two folders, `n` items in all; every third read, every fourth starred.
fn populated(flavor: Flavor, n: u64) -> (GReaderServer, Vec<u64>) {
    let server = GReaderServer::start(flavor);
    let tech = server.add_feed("Alpha Engineering Log", Some("Tech"));
    let world = server.add_feed("Gamma Daily & Co", Some("World News"));
    let mut ids = Vec::new();
    for i in 1..=n {
        let feed = if i % 2 == 0 { tech } else { world };
        let title = if i == 1 {
            "Q&A <live> today".to_string()
        } else {
            format!("Item {i:02}")
        };
        let id = server.add_item(feed, &title, 3_600 * i as i64);
        server.set_state(id, i % 3 == 0, i % 4 == 0);
        ids.push(id);
    }
    (server, ids)
}

#[test]
fn sync_without_a_sync_table_says_how_to_configure_it() {
    let dir = tempfile::tempdir().unwrap();
    let err = fails_in_one_line(kiosque(dir.path()).arg("sync"));
    assert!(err.contains("[sync]") && err.contains("greader"), "{err}");
    let status = json(dir.path(), &["sync", "--status", "--json"]);
    assert_eq!(
        status,
        serde_json::json!({"pending": 0, "last_sync": null, "last_error": null})
    );
}

fn first_sync_pulls_everything(flavor: Flavor) {
    let (server, _) = populated(flavor, 23);
    // Small pages: the continuations (FreshRSS: the last id; Miniflux: an offset) are followed.
    server.set_page_cap(Some(5));
    let dir = configured(&server.api_url());
    let d = dir.path();
    let report = sync(d);
    let keys = report.as_object().unwrap().len();
    assert_eq!(keys, 6, "exactly the contract's keys: {report}");
    for key in "pushed pulled_items state_changes feeds pending requests".split(' ') {
        assert!(report[key].is_u64(), "{key} in {report}");
    }
    assert_eq!(report["pulled_items"], 23, "{report}");
    assert_eq!(report["feeds"], 2);
    assert_eq!(report["pending"], 0);
    assert_eq!(report["pushed"], 0);
    // Every item once, in the server's state, titles as written.
    assert_eq!(states(d), server.states());
    let feeds = json(d, &["list", "--json"]);
    let text = |v: &Value| v.as_str().unwrap().to_string();
    let mut tags: Vec<(String, String)> = common::rows_of(&feeds)
        .iter()
        .map(|f| (text(&f["title"]), text(&f["tags"][0])))
        .collect();
    tags.sort();
    assert_eq!(
        tags,
        vec![
            ("Alpha Engineering Log".to_string(), "Tech".to_string()),
            ("Gamma Daily & Co".to_string(), "World News".to_string()),
        ]
    );
    assert!(feeds[0]["status"].is_null() && feeds[0]["error"].is_null());
    // The reading pane has the item's body.
    let id = local_id(d, "Q&A <live> today");
    let (article, _) = succeeds(kiosque(d).args(["read", &id, "--json"]));
    assert!(article.contains("Body of Q&A"));

    // Nothing new: a handful of requests, nothing pulled twice.
    server.set_page_cap(None);
    server.clear_log();
    let again = sync(d);
    assert_eq!(again["pulled_items"], 0, "{again}");
    assert!(
        again["requests"].as_u64().unwrap() <= 8,
        "{again} {:?}",
        server.log()
    );
    assert_eq!(
        again["requests"].as_u64().unwrap() as usize,
        server.log().len()
    );
    // `read` marked the item read and queued it; this sync pushed it.
    assert_eq!(again["pushed"], 1, "{again}");
    assert_eq!(states(d).len(), 23);

    // New items arrive on the server: the next sync pulls only them.
    server.add_item(1, "Fresh news", 0);
    let third = sync(d);
    assert_eq!(third["pulled_items"], 1, "{third}");
    assert_eq!(states(d), server.states());
}

#[test]
fn first_sync_pulls_everything_from_either_server() {
    for_each_flavor(first_sync_pulls_everything);
}

#[test]
fn marks_made_locally_are_pushed_in_one_edit_tag_request() {
    // Miniflux: T on every write, and a bare id read as hex (so ids go in long form).
    let (server, ids, dir) = synced(Flavor::Miniflux, 12);
    let d = dir.path();
    let unread: Vec<String> = ["Item 02", "Item 04", "Item 05"]
        .iter()
        .map(|t| local_id(d, t))
        .collect();
    mark(d, &unread, "--read");
    assert_eq!(pending(d), 3);
    server.clear_log();
    let report = sync(d);
    assert_eq!(report["pushed"], 3, "{report}");
    assert_eq!(report["pending"], 0);
    server.assert_count("POST /reader/api/0/edit-tag", 1);
    for i in [1, 3, 4] {
        assert!(
            server.state_of(ids[i]).0,
            "item {} read on the server",
            i + 1
        );
    }
    assert_eq!(states(d), server.states());
    assert_eq!(pending(d), 0);
}

#[test]
fn a_queued_change_wins_over_the_servers_state() {
    let (server, ids, dir) = synced(Flavor::FreshRss, 6);
    let d = dir.path();
    // Item 03 is read everywhere. Offline, the user marks it unread; the server still says read.
    assert_eq!(server.state_of(ids[2]), (true, false));
    mark(d, &[local_id(d, "Item 03")], "--unread");
    // The push fails (an HTML 503 page): nothing is pulled over the local change.
    server.fail_next("edit-tag", 503, 1);
    let err = fails_in_one_line(kiosque(d).args(["sync", "--json"]));
    assert!(err.contains("503") && !err.contains("<html"), "{err}");
    assert_eq!(states(d)["Item 03"], (false, false));
    let status = json(d, &["sync", "--status", "--json"]);
    assert_eq!(status["pending"], 1);
    assert!(status["last_error"].as_str().unwrap().contains("503"));
    // The next sync pushes it first: the server takes the local change.
    let report = sync(d);
    assert_eq!(report["pushed"], 1, "{report}");
    assert_eq!(server.state_of(ids[2]), (false, false));
    assert_eq!(states(d)["Item 03"], (false, false));
    assert!(json(d, &["sync", "--status", "--json"])["last_error"].is_null());
}

#[test]
fn two_data_dirs_syncing_through_one_server_end_with_the_same_state() {
    let (server, ids) = populated(Flavor::FreshRss, 10);
    let (a_dir, b_dir) = (configured(&server.api_url()), configured(&server.api_url()));
    let (a, b) = (a_dir.path(), b_dir.path());
    sync(a);
    sync(b);
    // Different changes on each side, some on the same item (different flags).
    for (d, title, flag) in [
        (a, "Item 02", "--read"),
        (a, "Item 05", "--star"),
        (a, "Item 06", "--unread"),
        (b, "Item 05", "--read"),
        (b, "Item 08", "--unstar"),
        (b, "Item 07", "--star"),
    ] {
        mark(d, &[local_id(d, title)], flag);
    }
    // Elsewhere (the web UI): item 10 read.
    server.set_state(ids[9], true, false);
    sync(a);
    sync(b);
    let report = sync(a);
    assert_eq!(report["pending"], 0);
    let server_states = server.states();
    assert_eq!(states(a), server_states);
    assert_eq!(states(b), server_states);
    assert_eq!(server_states["Item 02"], (true, false));
    assert_eq!(server_states["Item 05"], (true, true));
    assert_eq!(server_states["Item 06"], (false, false));
    assert_eq!(server_states["Item 07"], (false, true));
    assert_eq!(server_states["Item 08"], (false, false));
    assert_eq!(server_states["Item 10"], (true, false));
}

#[test]
fn a_wrong_password_is_one_clear_line_and_keeps_the_queue() {
    let (server, _, dir) = synced(Flavor::FreshRss, 4);
    let d = dir.path();
    mark(d, &[local_id(d, "Item 02")], "--star");
    // The API password changed on the server (which revokes the cached login token), and the
    // one given here is wrong.
    server.revoke_login_token();
    let secret = "wrong-but-secret-pass";
    let err = fails_in_one_line(
        kiosque(d)
            .env("KIOSQUE_SYNC_PASSWORD", secret)
            .args(["sync"]),
    );
    assert!(
        err.contains("refused the login") && err.contains("API password"),
        "{err}"
    );
    assert!(!err.contains(secret));
    assert_eq!(pending(d), 1);
    assert_eq!(states(d)["Item 02"], (false, true));
    // The password is nowhere in the data dir (database, WAL, log).
    for entry in std::fs::read_dir(d).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap_or_default();
        for pass in [secret, PASSWORD] {
            assert!(
                !bytes.windows(pass.len()).any(|w| w == pass.as_bytes()),
                "{pass} found in {}",
                path.display()
            );
        }
    }
}

#[test]
fn a_url_that_is_not_the_api_is_named_as_such() {
    let server = GReaderServer::start(Flavor::FreshRss);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // The FreshRSS web root, not …/api/greader.php.
    configure(d, &server.root_url());
    let err = fails_in_one_line(kiosque(d).args(["sync"]));
    assert!(
        err.contains("does not look like a Google Reader API endpoint"),
        "{err}"
    );
}

#[test]
fn an_expired_action_token_is_fetched_again() {
    let (server, ids, dir) = synced(Flavor::Miniflux, 4);
    let d = dir.path();
    mark(d, &[local_id(d, "Item 02")], "--star");
    // The token expires between the client fetching it and writing with it: the write is
    // refused (401, Google-Bad-Token), a new token is fetched, and the write goes through.
    server.expire_token_on_next_write();
    server.clear_log();
    let report = sync(d);
    assert_eq!(report["pushed"], 1, "{report}");
    assert!(server.state_of(ids[1]).1);
    server.assert_count("GET /reader/api/0/token", 2);
    server.assert_count("POST /reader/api/0/edit-tag", 2);
}

#[test]
fn an_error_or_a_hang_mid_pull_loses_nothing_and_the_next_sync_completes() {
    let (server, _) = populated(Flavor::FreshRss, 8);
    let dir = configured(&server.api_url());
    let d = dir.path();
    server.fail_next("stream/items/contents", 502, 1);
    fails_in_one_line(kiosque(d).args(["sync"]));
    // A hang: the request times out (timeout_seconds = 2), one line, non-zero.
    server.hang_next("stream/items/ids");
    let err = fails_in_one_line(kiosque(d).args(["sync"]));
    assert!(err.contains("timed out"), "{err}");
    let report = sync(d);
    assert_eq!(report["pulled_items"], 8, "{report}");
    assert_eq!(states(d), server.states());
}

#[test]
fn an_item_the_server_forgot_does_not_break_the_sync_or_lose_its_star() {
    let (server, ids, dir) = synced(Flavor::FreshRss, 8);
    let d = dir.path();
    // Item 04 is starred; Item 02 unread. The server purges both, and the user marks 02 read.
    mark(d, &[local_id(d, "Item 02")], "--read");
    server.forget(ids[3]);
    server.forget(ids[1]);
    let report = sync(d);
    assert_eq!(report["pushed"], 1, "{report}");
    assert_eq!(report["pending"], 0);
    let local = states(d);
    assert_eq!(local["Item 04"], (false, true));
    assert_eq!(local["Item 02"], (true, false));
}

#[test]
fn broken_or_hostile_answers_are_one_clear_line_and_change_nothing() {
    let (server, _, dir) = synced(Flavor::FreshRss, 6);
    let d = dir.path();
    let before = states(d);
    let cases: [(&str, &[u8], &str); 5] = [
        (
            "stream/items/ids",
            br#"{"itemRefs": [{"id": "12"#,
            "unreadable answer",
        ),
        (
            "stream/items/ids",
            b"<!DOCTYPE html><html><body>Log in</body></html>",
            "does not look like a Google Reader API endpoint",
        ),
        (
            "stream/items/ids",
            br#"{"itemRefs": [{"id": "x1"}]}"#,
            "not a number",
        ),
        (
            "stream/items/ids",
            br#"{"itemRefs": [], "continuation": "5"}"#,
            "came back twice",
        ),
        (
            "subscription/list",
            br#"{"subscriptions": {"deep": [[[[[]]]]]}}"#,
            "unreadable",
        ),
    ];
    for (endpoint, body, expected) in cases {
        server.answer_next(endpoint, body, usize::MAX);
        let out = kiosque(d).args(["sync"]).output().unwrap();
        server.clear_faults();
        assert!(!out.status.success(), "{expected}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(expected), "{expected}: {err}");
        assert_eq!(states(d), before, "{expected}");
    }
    // The server answers properly again: all is well.
    sync(d);
    assert_eq!(states(d), server.states());
}

#[test]
fn escapes_huge_items_and_colliding_ids_are_contained() {
    let server = GReaderServer::start(Flavor::FreshRss);
    let feed = server.add_feed("Feed", Some("Tech"));
    server.add_item(feed, "\u{1b}]0;owned\u{7}\u{1b}[2JEvil \u{202e}title", 60);
    let huge = server.add_item(feed, "Huge", 60);
    server.set_body(huge, format!("<p>{}</p>", "x".repeat(3_000_000)));
    server.add_item(feed, "Fine", 60);
    let dir = configured(&server.api_url());
    let d = dir.path();
    cap_bodies_at_a_megabyte(d);
    // The item over the size cap is skipped; the others come in.
    let report = sync(d);
    assert_eq!(report["pulled_items"], 2, "{report}");
    let local = states(d);
    assert!(local.contains_key("Fine"), "{local:?}");
    let titles: Vec<&String> = local.keys().collect();
    assert!(
        titles
            .iter()
            .all(|t| !t.chars().any(|c| c.is_control() || c == '\u{202e}')),
        "{titles:?}"
    );
    assert!(
        titles
            .iter()
            .any(|t| t.contains("Evil") && t.contains("title"))
    );
    // Two items with one id in an answer: stored once.
    let twice = server.add_item(feed, "Twice", 0);
    let item = |title: &str| {
        serde_json::json!({
            "id": format!("tag:google.com,2005:reader/item/{twice:016x}"),
            "title": title, "published": 1, "origin": {"streamId": format!("feed/{feed}")},
            "categories": []
        })
    };
    let body = serde_json::json!({"items": [item("Twice"), item("Twice again")]}).to_string();
    server.answer_next("stream/items/contents", body.as_bytes(), 1);
    let report = sync(d);
    assert_eq!(report["pulled_items"], 1, "{report}");
    let local = states(d);
    assert_eq!(
        local.keys().filter(|t| t.starts_with("Twice")).count(),
        1,
        "{local:?}"
    );
}

#[test]
fn five_thousand_read_marks_are_pushed_in_a_few_requests() {
    let (server, dir) = busy(Flavor::Miniflux, 5_000);
    let d = dir.path();
    let ids = all_ids(d);
    mark(d, &ids, "--read");
    assert_eq!(pending(d), 5_000);
    server.clear_log();
    let report = sync(d);
    assert_eq!(report["pushed"], 5_000, "{report}");
    assert!(report["requests"].as_u64().unwrap() <= 10, "{report}");
    server.assert_count("edit-tag", 2);
    assert!(server.states().values().all(|s| s.0));
    // Behind a proxy that refuses big bodies (413), batches are halved until they pass.
    server.set_max_edit_ids(Some(1_000));
    mark(d, &ids, "--unread");
    let report = sync(d);
    assert_eq!(pair(&report, "pushed", "pending"), (Some(5_000), Some(0)));
    assert!(server.states().values().all(|s| !s.0));
}

#[test]
fn a_sync_with_nothing_new_fetches_twelve_thousand_unread_ids_in_one_page() {
    // The benchmark's 50,000 unread items would take 6 pages of 10,000 ids (FreshRSS answers
    // an empty last page) and a nothing-new sync 10 requests; the issue allows 8.
    let (server, dir) = busy(Flavor::FreshRss, 12_000);
    let d = dir.path();
    server.clear_log();
    let report = sync_pulling_nothing(d);
    // Unread, starred and arrived-since: one page each; the login token is cached.
    server.assert_count("stream/items/ids", 3);
    assert_eq!(report["requests"], 4, "{report}");
}

#[test]
fn refresh_is_a_sync_when_sync_is_configured() {
    let (server, _) = populated(Flavor::FreshRss, 3);
    let dir = configured(&server.api_url());
    let d = dir.path();
    let report = json(d, &["refresh", "--json"]);
    assert_eq!(report["pulled_items"], 3, "{report}");
    server.assert_count("stream/items/ids", 3);
}

#[test]
fn a_local_refresh_leaves_synced_feeds_to_the_server() {
    // The TUI's refresh polls feeds itself: synced feeds must not be fetched (their items
    // would be stored twice), feeds added locally still are.
    let (_server, _, dir) = synced(Flavor::FreshRss, 3);
    let d = dir.path();
    let feed_server = TestServer::start();
    feed_server.route("/local.xml", Reply::rss(rss_with_items("Local", 2)));
    let local_url = feed_server.url("/local.xml");
    let db = d.join("kiosque.db");
    let mut store = kiosque::store::Store::open(&db).unwrap();
    store.add_test_feed(&local_url, 0).unwrap();
    let feeds = store.feeds().unwrap();
    assert_eq!(feeds.len(), 3);
    let config = kiosque::config::Config::default();
    let fetcher = kiosque::fetch::Fetcher::new(&config).unwrap();
    // As with [sync] set (sync switched off, synced feeds are polled: tested below).
    let opts = kiosque::refresh::RefreshOptions {
        leave_synced_feeds: true,
        ..kiosque::refresh::RefreshOptions::from_config(&config)
    };
    let outcomes = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(kiosque::refresh::refresh_feeds(
            &db, &fetcher, feeds, &opts, None,
        ))
        .unwrap();
    let urls: Vec<&str> = outcomes.iter().map(|o| o.url.as_str()).collect();
    assert_eq!(urls, vec![local_url.as_str()]);
    assert_eq!(states(d).len(), 3 + 2);
}

#[test]
fn queued_subscriptions_and_unsubscriptions_are_pushed_and_refusals_said() {
    let (server, _, dir) = synced(Flavor::FreshRss, 4);
    let d = dir.path();
    // Offline: subscribe to two feeds (one the server will refuse), drop one synced feed.
    {
        let mut store = kiosque::store::Store::open(&d.join("kiosque.db")).unwrap();
        let now = chrono::Utc::now();
        for (url, tags) in [
            ("http://127.0.0.1:9/new.xml", vec!["Later".to_string()]),
            ("http://127.0.0.1:9/missing.xml", vec![]),
        ] {
            store
                .add_feed_queued(
                    &kiosque::store::NewFeed {
                        url: url.into(),
                        tags,
                        ..Default::default()
                    },
                    now,
                )
                .unwrap();
        }
        let gamma = store.find_feed("http://127.0.0.1:9/feed2.xml").unwrap();
        store.remove_feed_queued(gamma.id, now).unwrap();
        assert_eq!(store.pending_count().unwrap(), 3);
    }
    let (report, err) = json_saying(d, &["sync", "--json"]);
    assert_eq!(report["pushed"], 2, "{report}");
    assert_eq!(report["pending"], 0);
    assert!(err.contains("refused") && err.contains("404"), "{err}");
    let on_server = server.feeds();
    assert_eq!(on_server.len(), 2, "{on_server:?}");
    assert!(server.has_feed_in("http://127.0.0.1:9/new.xml", Some("Later")));
    assert!(!on_server.iter().any(|(_, url, _)| url.contains("feed2")));
    // Locally: the new feed is the server's (once, in its folder), the removed one stays
    // gone, the refused one stays a feed kiosque polls itself.
    let urls = list_urls(d);
    assert_eq!(urls.len(), 3, "{urls:?}");
    assert!(urls.contains(&(
        "http://127.0.0.1:9/new.xml".to_string(),
        serde_json::json!(["Later"])
    )));
    assert!(urls.iter().any(|(u, _)| u.contains("missing")));
    assert!(!urls.iter().any(|(u, _)| u.contains("feed2")));
    // A second sync changes nothing.
    let again = sync(d);
    assert_eq!(pair(&again, "pushed", "feeds"), (Some(0), Some(2)));
}

/// Run `kiosque sync` and kill -9 it once `ready` holds (waiting at most 30 s).
fn kill_sync_when(d: &Path, ready: impl Fn() -> bool) {
    let mut child = common::kiosque_process(d)
        .env("KIOSQUE_SYNC_PASSWORD", PASSWORD)
        .arg("sync")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..600 {
        if ready() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(ready(), "the sync never reached the point to kill it at");
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
}

#[test]
fn kill_9_during_a_push_loses_no_queued_change_and_never_flips_state_back() {
    let (server, ids, dir) = synced(Flavor::FreshRss, 6);
    let d = dir.path();
    let two = local_id(d, "Item 02");
    let four = local_id(d, "Item 04");
    mark(d, &[two], "--read");
    // Killed while the server has not acted: the change is still queued and applied here.
    server.hang_next("edit-tag");
    kill_sync_when(d, || server.count("POST /reader/api/0/edit-tag") == 1);
    assert_eq!(pending(d), 1);
    assert_eq!(states(d)["Item 02"], (true, false));
    assert_eq!(server.state_of(ids[1]), (false, false));
    // Killed after the server acted but before kiosque heard it: pushed again, same state.
    mark(d, &[four], "--unstar");
    server.apply_then_hang_next("edit-tag");
    kill_sync_when(d, || server.state_of(ids[1]).0);
    assert_eq!(pending(d), 2);
    let report = sync(d);
    assert_eq!(pair(&report, "pushed", "pending"), (Some(2), Some(0)));
    assert_eq!(server.state_of(ids[1]), (true, false));
    assert_eq!(server.state_of(ids[3]), (false, false));
    assert_eq!(states(d), server.states());
}

#[test]
fn a_feed_unsubscribed_elsewhere_goes_but_its_starred_items_stay() {
    let (server, _, dir) = synced(Flavor::FreshRss, 8);
    let d = dir.path();
    // Feed 1 (even items) holds the starred Item 04 and Item 08.
    server.remove_feed(1);
    let (_, err) = json_saying(d, &["sync", "--json"]);
    assert!(
        err.contains("Alpha Engineering Log") && err.contains("2 starred items kept"),
        "{err}"
    );
    let local = states(d);
    assert_eq!(local["Item 04"], (false, true));
    assert_eq!(local["Item 08"], (false, true));
    assert!(!local.contains_key("Item 02"));
    // The next sync leaves them alone.
    sync(d);
    assert_eq!(states(d).len(), local.len());
}

// ---- add / remove / import on the server ---------------------------------------------------

/// A feed server for discovery, with `/news.xml` and `/missing.xml` (which the Google Reader
/// test server refuses to subscribe to, as a server whose fetch fails).
fn feeds_to_add() -> TestServer {
    let feeds = TestServer::start();
    feeds.route("/news.xml", Reply::rss(rss_with_items("Fresh News", 2)));
    feeds.route("/missing.xml", Reply::rss(rss_with_items("Gone Soon", 2)));
    feeds
}

fn list_urls(data: &Path) -> Vec<(String, Value)> {
    let feeds = json(data, &["list", "--json"]);
    let url = |f: &Value| f["url"].as_str().unwrap().to_string();
    common::rows_of(&feeds)
        .iter()
        .map(|f| (url(f), f["tags"].clone()))
        .collect()
}

fn add_subscribes_on_the_server(flavor: Flavor) {
    let (server, _, dir) = synced(flavor, 4);
    let d = dir.path();
    let feeds = feeds_to_add();
    let url = feeds.url("/news.xml");
    let (said, _) = succeeds(kiosque(d).args(["add", &url, "--tag", "Later"]));
    assert!(said.contains("on the sync server"), "{said}");
    assert!(server.feeds().contains(&(
        "Feed at news.xml".to_string(),
        url.clone(),
        Some("Later".to_string())
    )));
    assert_eq!(pending(d), 0);
    // Its items come from the server, never from the feed itself (no duplicates).
    assert_eq!(states(d).len(), 4);
    let report = sync(d);
    assert_eq!(pair(&report, "pushed", "feeds"), (Some(0), Some(3)));
    let urls = list_urls(d);
    assert_eq!(urls.len(), 3, "{urls:?}");
    assert!(
        urls.contains(&(url, serde_json::json!(["Later"]))),
        "{urls:?}"
    );
}

#[test]
fn add_subscribes_on_either_server_in_its_folder() {
    for_each_flavor(add_subscribes_on_the_server);
}

#[test]
fn add_refused_by_the_server_is_one_clear_line_and_changes_nothing() {
    let (server, _, dir) = synced(Flavor::FreshRss, 2);
    let d = dir.path();
    let feeds = feeds_to_add();
    let before = list_urls(d);
    let err = fails_in_one_line(kiosque(d).args(["add", &feeds.url("/missing.xml")]));
    assert!(err.contains("refused") && err.contains("404"), "{err}");
    assert_eq!(list_urls(d), before);
    assert_eq!(pending(d), 0);
    assert_eq!(server.feeds().len(), 2);
}

#[test]
fn add_with_the_server_unreachable_is_queued_and_pushed_by_the_next_sync() {
    let (server, _, dir) = synced(Flavor::FreshRss, 2);
    let d = dir.path();
    let feeds = feeds_to_add();
    let url = feeds.url("/news.xml");
    server.set_down(true);
    let (_, err) = succeeds(kiosque(d).args(["add", &url, "--tag", "Later"]));
    assert!(
        err.contains("queued") && err.contains("kiosque sync"),
        "{err}"
    );
    assert_eq!(pending(d), 1);
    assert!(list_urls(d).iter().any(|(u, _)| *u == url));
    server.set_down(false);
    let report = sync(d);
    assert_eq!(pair(&report, "pushed", "pending"), (Some(1), Some(0)));
    assert!(server.has_feed_in(&url, Some("Later")));
    let urls = list_urls(d);
    assert_eq!(
        urls.iter().filter(|(u, _)| *u == url).count(),
        1,
        "{urls:?}"
    );
}

#[test]
fn remove_unsubscribes_on_the_server_and_the_feed_stays_gone() {
    let (server, _, dir) = synced(Flavor::FreshRss, 8);
    let d = dir.path();
    // Feed 1 (even items) holds the starred Item 04 and Item 08.
    let (said, _) = succeeds(kiosque(d).args(["remove", "http://127.0.0.1:9/feed1.xml"]));
    assert!(said.contains("kept its 2 starred items"), "{said}");
    assert_eq!(server.feeds().len(), 1);
    assert_eq!(pending(d), 0);
    let (report, err) = json_saying(d, &["sync", "--json"]);
    // Nothing to say about it: it was removed here, not elsewhere.
    assert_eq!(err, "");
    assert_eq!(report["feeds"], 1, "{report}");
    assert_eq!(list_urls(d).len(), 1);
    let local = states(d);
    assert_eq!(local["Item 04"], (false, true));
    assert_eq!(local["Item 08"], (false, true));
    assert!(!local.contains_key("Item 02"));
}

#[test]
fn remove_with_the_server_down_is_queued_and_the_feed_does_not_come_back() {
    let (server, _, dir) = synced(Flavor::FreshRss, 4);
    let d = dir.path();
    server.fail_next("subscription/edit", 503, 1);
    let (_, err) = succeeds(kiosque(d).args(["remove", "http://127.0.0.1:9/feed2.xml"]));
    assert!(err.contains("503") && err.contains("queued"), "{err}");
    assert_eq!(pending(d), 1);
    assert_eq!(server.feeds().len(), 2);
    assert_eq!(list_urls(d).len(), 1);
    let report = sync(d);
    assert_eq!(pair(&report, "pushed", "feeds"), (Some(1), Some(1)));
    assert_eq!(server.feeds().len(), 1);
    let urls = list_urls(d);
    assert!(!urls.iter().any(|(u, _)| u.contains("feed2")), "{urls:?}");
}

#[test]
fn import_subscribes_each_feed_on_the_server_with_its_folder() {
    let (server, _, dir) = synced(Flavor::FreshRss, 2);
    let d = dir.path();
    let opml = opml_file(
        d,
        r#"<outline text="Tech"><outline text="A" xmlUrl="http://127.0.0.1:9/a.xml"/>
          <outline text="Gone" xmlUrl="http://127.0.0.1:9/missing.xml"/></outline>
        <outline text="C" xmlUrl="http://127.0.0.1:9/c.xml"/>
        <outline text="Again" xmlUrl="http://127.0.0.1:9/feed1.xml"/>"#,
    );
    let (said, err) = succeeds(kiosque(d).arg("import").arg(&opml));
    assert!(
        said.contains("Imported 2 feeds")
            && said.contains("1 already subscribed")
            && said.contains("1 refused"),
        "{said}"
    );
    assert!(err.contains("missing.xml") && err.contains("404"), "{err}");
    assert!(server.has_feed_in("http://127.0.0.1:9/a.xml", Some("Tech")));
    let on_server = server.feeds();
    assert!(on_server.iter().any(|f| f.1 == "http://127.0.0.1:9/c.xml"));
    assert_eq!(on_server.len(), 4, "{on_server:?}");
    assert_eq!(pending(d), 0);
    let report = sync(d);
    assert_eq!(report["feeds"], 4, "{report}");
    let urls = list_urls(d);
    assert_eq!(urls.len(), 4, "{urls:?}");
    assert!(urls.contains(&(
        "http://127.0.0.1:9/a.xml".to_string(),
        serde_json::json!(["Tech"])
    )));
}

// ---- the TUI's worker ---------------------------------------------------------------------

/// A fresh database for the TUI's worker: (its dir, its path).
fn fresh_db() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kiosque.db");
    kiosque::store::Store::open(&db).unwrap();
    (dir, db)
}

/// (pushed, pending, error) of a sync's outcome.
fn sync_outcome(action: Action) -> (usize, usize, Option<String>) {
    let Action::SyncFinished {
        pushed,
        pending,
        error,
        ..
    } = action
    else {
        panic!("not a sync outcome: {action:?}");
    };
    (pushed, pending, error)
}

/// The TUI's worker and its answers.
type TuiWorker = (
    kiosque::tui::worker::TokioWorker,
    tokio::sync::mpsc::UnboundedReceiver<Action>,
);

/// The TUI's worker with `[sync]` pointing at `url` (password from a command) and these
/// `[[notify]]` entries.
fn tui_worker(db: &Path, url: &str, notify: Vec<kiosque::config::NotifyConfig>) -> TuiWorker {
    let config = kiosque::config::Config {
        timeout_seconds: 2,
        sync: Some(kiosque::config::SyncConfig {
            service: kiosque::config::SyncServiceKind::GReader,
            url: url.into(),
            username: "alice".into(),
            password_command: Some(format!("echo {PASSWORD}")),
        }),
        notify,
        ..Default::default()
    };
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let worker = kiosque::tui::worker::TokioWorker::start(&config, db.to_path_buf(), tx);
    (worker, rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tui_sync_that_brings_matching_items_runs_the_notify_command() {
    let (server, _) = populated(Flavor::FreshRss, 3);
    let (dir, db) = fresh_db();
    let told = dir.path().join("told");
    let notify = vec![kiosque::config::NotifyConfig {
        query: "title:live".into(),
        command: vec![
            "sh".into(),
            "-c".into(),
            format!("cat > '{}.part' && mv '{0}.part' '{0}'", told.display()),
        ],
    }];
    let (mut worker, mut actions) = tui_worker(&db, &server.api_url(), notify);
    worker.submit(Effect::Sync);
    actions.recv().await.unwrap();
    let start = std::time::Instant::now();
    while !told.exists() && start.elapsed() < std::time::Duration::from_secs(30) {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let message = std::fs::read_to_string(&told).expect("the notify command ran");
    assert!(message.contains("Q&A <live> today"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tui_worker_syncs_and_reports_pending_changes_and_the_last_error() {
    let (server, ids) = populated(Flavor::FreshRss, 3);
    let (_dir, db) = fresh_db();
    let (mut worker, mut actions) = tui_worker(&db, &server.api_url(), Vec::new());
    worker.submit(Effect::Sync);
    let finished = actions.recv().await.unwrap();
    assert_eq!(
        finished,
        Action::SyncFinished {
            new_items: 3,
            pushed: 0,
            pending: 0,
            error: None
        }
    );
    // Offline: a mark is queued, the sync fails with one line, the queue is kept and read
    // with the feeds.
    let local = {
        let store = kiosque::store::Store::open(&db).unwrap();
        store
            .items(&kiosque::store::ItemFilter::default(), 0, 10)
            .unwrap()
            .into_iter()
            .find(|i| i.title == "Q&A <live> today")
            .unwrap()
            .id
    };
    server.set_down(true);
    let (mut offline, mut offline_actions) = tui_worker(&db, &server.api_url(), Vec::new());
    offline.submit(Effect::SetStarred {
        ids: vec![local],
        starred: true,
    });
    assert!(matches!(
        offline_actions.recv().await.unwrap(),
        Action::StarSaved { .. }
    ));
    offline.submit(Effect::Sync);
    let (_, pending, error) = sync_outcome(offline_actions.recv().await.unwrap());
    assert_eq!(pending, 1);
    let error = error.unwrap();
    assert!(error.contains("cannot reach the sync server"), "{error}");
    offline.submit(Effect::LoadFeeds);
    assert!(matches!(
        offline_actions.recv().await.unwrap(),
        Action::FeedsLoaded { .. }
    ));
    // The saved searches' counts come with the feeds too, before the sync status.
    assert!(matches!(
        offline_actions.recv().await.unwrap(),
        Action::SmartFeedsLoaded { .. }
    ));
    let Action::SyncStatusLoaded {
        pending,
        last_error,
    } = offline_actions.recv().await.unwrap()
    else {
        panic!("no sync status with the feeds");
    };
    assert_eq!(pending, 1);
    assert!(last_error.unwrap().contains("cannot reach"));
    server.set_down(false);
    // Back online: the queued star reaches the server.
    worker.submit(Effect::Sync);
    assert_eq!(sync_outcome(actions.recv().await.unwrap()), (1, 0, None));
    assert_eq!(server.state_of(ids[0]), (false, true));
}

// ---- the login token cache ------------------------------------------------------------------

#[test]
fn the_login_token_is_cached_owner_only_and_reused_until_the_server_refuses_it() {
    use std::os::unix::fs::PermissionsExt;
    let (server, ids, dir) = synced(Flavor::FreshRss, 3);
    let d = dir.path();
    server.assert_count("ClientLogin", 1);
    let cache = d.join("sync-auth.json");
    let mode = std::fs::metadata(&cache).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    let cached = std::fs::read_to_string(&cache).unwrap();
    assert!(!cached.contains(PASSWORD), "{cached}");
    // A second sync, and a write (edit-tag), use the cached token: no login.
    mark(d, &[local_id(d, "Item 02")], "--star");
    let report = sync(d);
    assert_eq!(report["pushed"], 1, "{report}");
    assert!(server.state_of(ids[1]).1);
    server.assert_count("ClientLogin", 1);
    // Revoked: one 401, one login, and the sync goes on with the new token, cached again.
    server.revoke_login_token();
    server.clear_log();
    sync(d);
    server.assert_count("ClientLogin", 1);
    let quiet = sync(d);
    server.assert_count("ClientLogin", 1);
    // Nothing new, logged in already: subscriptions, unread, starred and new ids.
    assert_eq!(quiet["requests"], 4, "{quiet}");
    // Another server never sees this one's token: it is asked for a login first.
    let other = GReaderServer::start(Flavor::FreshRss);
    configure(d, &other.api_url());
    json(d, &["sync", "--reset-server-ids", "--json"]);
    let log = other.log();
    assert!(log[0].contains("ClientLogin"), "{log:?}");
}

#[test]
fn the_password_command_runs_only_when_a_login_is_needed() {
    let (server, _) = populated(Flavor::FreshRss, 2);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let runs = d.join("password-runs");
    std::fs::write(
        d.join("config.toml"),
        format!(
            "timeout_seconds = 2\n\n[sync]\nservice = \"greader\"\nurl = \"{}\"\nusername = \"alice\"\npassword_command = \"echo run >> '{}'; echo {PASSWORD}\"\n",
            server.api_url(),
            runs.display()
        ),
    )
    .unwrap();
    let times = || {
        std::fs::read_to_string(&runs)
            .unwrap_or_default()
            .lines()
            .count()
    };
    let run = |args: &[&str]| succeeds(kiosque(d).env_remove("KIOSQUE_SYNC_PASSWORD").args(args));
    run(&["sync"]);
    assert_eq!(times(), 1);
    // The cached token does: no prompt from `pass` or gpg on every sync.
    run(&["sync"]);
    run(&["remove", "http://127.0.0.1:9/feed2.xml"]);
    assert_eq!(times(), 1);
    server.revoke_login_token();
    run(&["sync"]);
    assert_eq!(times(), 2);
}

#[test]
fn import_with_the_server_unreachable_queues_each_feed_for_the_next_sync() {
    let (server, _, dir) = synced(Flavor::FreshRss, 2);
    let d = dir.path();
    let opml = opml_file(
        d,
        r#"<outline text="Tech"><outline text="A" xmlUrl="http://127.0.0.1:9/a.xml"/></outline>
        <outline text="C" xmlUrl="http://127.0.0.1:9/c.xml"/>"#,
    );
    server.set_down(true);
    let (said, err) = succeeds(kiosque(d).arg("import").arg(&opml));
    assert!(said.contains("2 queued for the server"), "{said}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("queued"), "{err}");
    assert_eq!(pending(d), 2);
    server.set_down(false);
    let report = sync(d);
    assert_eq!(pair(&report, "pushed", "feeds"), (Some(2), Some(4)));
    assert!(server.has_feed_in("http://127.0.0.1:9/a.xml", Some("Tech")));
    assert_eq!(list_urls(d).len(), 4);
}

// ---- switching sync on and off (issue 10, "Switching") ----------------------------------

/// A config without `[sync]`: kiosque polls the feeds itself.
fn configure_without_sync(data: &Path) {
    std::fs::write(data.join("config.toml"), "timeout_seconds = 2\n").unwrap();
}

/// A feed server with `n` items at `/news.xml` (its URL), and a data dir without sync that
/// subscribed to it in the folder `tag`.
fn polled_here(n: usize, tag: &str) -> (TestServer, String, tempfile::TempDir) {
    let feeds = TestServer::start();
    feeds.route("/news.xml", Reply::rss(rss_with_items("News", n)));
    let url = feeds.url("/news.xml");
    let dir = tempfile::tempdir().unwrap();
    configure_without_sync(dir.path());
    kiosque(dir.path())
        .args(["add", &url, "--tag", tag])
        .assert()
        .success();
    (feeds, url, dir)
}

/// On `server`, a feed at `url` whose items `Item 0`… link where `rss_with_items` links them.
fn feed_like_rss(server: &GReaderServer, url: &str, n: usize) -> (u64, Vec<u64>) {
    let feed = server.add_feed_at("News", Some("Tech"), url);
    let ids = (0..n)
        .map(|i| {
            let id = server.add_item(feed, &format!("Item {i}"), 3_600 * (i as i64 + 1));
            server.set_link(id, &format!("http://127.0.0.1/item/{i}"));
            id
        })
        .collect();
    (feed, ids)
}

#[test]
fn a_data_dir_refuses_another_server_until_its_server_ids_are_reset() {
    // The same feed and articles on two servers (a move from FreshRSS to Miniflux).
    let old = GReaderServer::start(Flavor::FreshRss);
    let new = GReaderServer::start(Flavor::Miniflux);
    feed_like_rss(&old, "http://127.0.0.1:9/news.xml", 3);
    let (_, on_new) = feed_like_rss(&new, "http://127.0.0.1:9/news.xml", 3);
    let dir = configured(&old.api_url());
    let d = dir.path();
    sync(d);
    mark(d, &[local_id(d, "Item 1")], "--star");
    let before = states(d);
    configure(d, &new.api_url());
    let err = fails_in_one_line(kiosque(d).arg("sync"));
    assert!(
        err.contains("--reset-server-ids")
            && err.contains(&old.api_url())
            && err.contains(&new.api_url()),
        "{err}"
    );
    assert!(new.log().is_empty(), "{:?}", new.log());
    assert_eq!(states(d), before);
    assert_eq!(pending(d), 1);
    // Reset: the items are matched by their links, not pulled again; the star made for the
    // old server is kept and pushed to the new one.
    let (report, err) = json_saying(d, &["sync", "--reset-server-ids", "--json"]);
    assert_eq!(report["pulled_items"], 0, "{report}");
    assert_eq!(report["pending"], 0, "{report}");
    assert!(err.contains("now syncs with"));
    assert_eq!(items(d).len(), 3);
    assert_eq!(states(d), before);
    assert_eq!(new.state_of(on_new[1]), (false, true));
    // From now on the new server is the one: a plain sync, nothing to do.
    sync_pulling_nothing(d);
}

#[test]
fn items_polled_before_sync_was_on_are_not_pulled_twice_and_keep_their_state() {
    let (_feeds, url, dir) = polled_here(3, "Tech");
    let d = dir.path();
    kiosque(d).arg("refresh").assert().success();
    assert_eq!(items(d).len(), 3);
    mark(d, &[local_id(d, "Item 0")], "--read");
    mark(d, &[local_id(d, "Item 1")], "--star");
    // The server has the feed too; Item 2 was read on the phone.
    let server = GReaderServer::start(Flavor::FreshRss);
    let (_, ids) = feed_like_rss(&server, &url, 3);
    server.set_state(ids[2], true, false);
    configure(d, &server.api_url());
    let report = sync(d);
    assert_eq!(report["pulled_items"], 0, "{report}");
    assert_eq!(report["pending"], 0, "{report}");
    assert_eq!(items(d).len(), 3);
    let local = states(d);
    assert_eq!(local["Item 0"], (true, false));
    assert_eq!(local["Item 1"], (false, true));
    assert_eq!(local["Item 2"], (true, false));
    // What was read or starred here reached the server in the same sync.
    assert_eq!(server.state_of(ids[0]), (true, false));
    assert_eq!(server.state_of(ids[1]), (false, true));
    // And the next sync neither pulls nor changes anything.
    sync_pulling_nothing(d);
    assert_eq!(items(d).len(), 3);
}

#[test]
fn local_feeds_the_server_lacks_are_counted_then_uploaded_with_their_folder() {
    let (server, _) = populated(Flavor::FreshRss, 2);
    let (_feeds, url, dir) = polled_here(2, "Later");
    let d = dir.path();
    configure(d, &server.api_url());
    let (_, said) = succeeds(kiosque(d).arg("sync"));
    assert!(
        said.contains("1 local feeds are not on the sync server")
            && said.contains("kiosque sync --upload-subscriptions"),
        "{said}"
    );
    assert!(!server.feeds().iter().any(|f| f.1 == url));
    assert!(run_ok(d, &["sync", "--status"]).contains("1 local feeds not on the server"));
    let report = json(d, &["sync", "--upload-subscriptions", "--json"]);
    assert_eq!(report["feeds"], 3, "{report}");
    assert!(
        server.has_feed_in(&url, Some("Later")),
        "{:?}",
        server.feeds()
    );
    // Now a synced feed like the others: kept in its folder, nothing left to upload.
    sync(d);
    assert!(list_urls(d).contains(&(url.clone(), serde_json::json!(["Later"]))));
    assert!(!run_ok(d, &["sync", "--status"]).contains("local feeds"));
}

#[test]
fn with_sync_switched_off_synced_feeds_are_polled_without_storing_items_twice() {
    let feeds = TestServer::start();
    feeds.route("/news.xml", Reply::rss(rss_with_items("News", 2)));
    let url = feeds.url("/news.xml");
    let server = GReaderServer::start(Flavor::FreshRss);
    let (_, ids) = feed_like_rss(&server, &url, 2);
    let dir = configured(&server.api_url());
    let d = dir.path();
    sync(d);
    assert_eq!(items(d).len(), 2);
    // Sync off: the feed is polled here, its pulled items recognised by their links.
    configure_without_sync(d);
    mark(d, &[local_id(d, "Item 0")], "--read");
    feeds.route("/news.xml", Reply::rss(rss_with_items("News", 3)));
    let report = json(d, &["refresh", "--json"]);
    assert_eq!(report["new_items"], 1, "{report}");
    assert_eq!(feeds.hits("/news.xml").len(), 1);
    assert_eq!(items(d).len(), 3);
    assert_eq!(states(d)["Item 0"], (true, false));
    // Sync on again: the read made meanwhile is pushed, nothing is doubled.
    configure(d, &server.api_url());
    let report = sync(d);
    assert_eq!(report["pending"], 0, "{report}");
    assert_eq!(server.state_of(ids[0]), (true, false));
    assert_eq!(items(d).len(), 3);
}

// ---- mark-all-as-read -------------------------------------------------------------------

#[test]
fn a_feed_marked_read_whole_is_one_mark_all_request_that_spares_later_items() {
    let (server, ids, dir) = synced(Flavor::FreshRss, 10);
    let d = dir.path();
    // Every item of "Alpha Engineering Log" (the even ones) marked read in one command,
    // then one of them unread again.
    let tech: Vec<String> = (2..=10)
        .step_by(2)
        .map(|i| local_id(d, &format!("Item {i:02}")))
        .collect();
    mark(d, &tech, "--read");
    mark(d, &[local_id(d, "Item 04")], "--unread");
    // An item arrives in that feed on the server before the sync: not seen here, not marked.
    let late = server.add_item(1, "Late news", 0);
    server.clear_log();
    let report = sync(d);
    server.assert_count("mark-all-as-read", 1);
    server.assert_count("edit-tag", 1);
    assert_eq!(report["pending"], 0, "{report}");
    for i in (2..=10).step_by(2) {
        assert_eq!(server.state_of(ids[i - 1]).0, i != 4, "Item {i:02}");
    }
    assert_eq!(server.state_of(late), (false, false));
    let local = states(d);
    assert_eq!(local["Late news"], (false, false));
    assert!(!local["Item 04"].0);
    assert!(local["Item 06"].0);
    // The other feed was not touched.
    assert!(!server.state_of(ids[0]).0);
}

#[test]
fn a_mark_all_the_server_cannot_do_goes_as_edit_tag() {
    for flavor in [Flavor::FreshRss, Flavor::Miniflux] {
        let (server, ids, dir) = synced(flavor, 6);
        let d = dir.path();
        // FreshRSS without the endpoint (a proxy answering 404); Miniflux's ids are no times.
        server.fail_next("mark-all-as-read", 404, 1);
        let tech: Vec<String> = ["Item 02", "Item 04", "Item 06"]
            .iter()
            .map(|t| local_id(d, t))
            .collect();
        mark(d, &tech, "--read");
        server.clear_log();
        let report = sync(d);
        assert_eq!(report["pending"], 0, "{flavor:?} {report}");
        assert_eq!(
            server.count("mark-all-as-read"),
            usize::from(flavor == Flavor::FreshRss),
            "{flavor:?}"
        );
        assert_eq!(server.count("edit-tag"), 1, "{flavor:?} {:?}", server.log());
        for i in [2, 4, 6] {
            assert!(server.state_of(ids[i - 1]).0, "{flavor:?} Item {i:02}");
        }
    }
}

// ---- items not asked for again --------------------------------------------------------

#[test]
fn an_item_over_the_size_cap_is_not_asked_for_on_every_sync() {
    let server = GReaderServer::start(Flavor::FreshRss);
    let feed = server.add_feed("Feed", Some("Tech"));
    let huge = server.add_item(feed, "Huge", 60);
    server.set_body(huge, format!("<p>{}</p>", "x".repeat(3_000_000)));
    server.add_item(feed, "Fine", 60);
    let dir = configured(&server.api_url());
    let d = dir.path();
    cap_bodies_at_a_megabyte(d);
    assert_eq!(sync(d)["pulled_items"], 1);
    server.clear_log();
    let report = sync(d);
    assert_eq!(report["pulled_items"], 0);
    server.assert_count("stream/items/contents", 0);
}

#[test]
fn a_starred_item_of_a_feed_not_subscribed_here_is_not_asked_for_on_every_sync() {
    let (server, _) = populated(Flavor::Miniflux, 2);
    // Starred in a feed the subscription list does not show (yet): feed 3.
    let orphan = server.add_item(3, "Orphan star", 60);
    server.set_state(orphan, false, true);
    let dir = configured(&server.api_url());
    let d = dir.path();
    assert_eq!(sync(d)["pulled_items"], 2);
    server.clear_log();
    sync(d);
    server.assert_count("stream/items/contents", 0);
    // Once the feed is subscribed, the item comes.
    assert_eq!(server.add_feed("Third", None), 3);
    let report = sync(d);
    assert_eq!(report["pulled_items"], 1, "{report}");
    assert_eq!(states(d)["Orphan star"], (false, true));
}

#[test]
fn an_unread_item_the_server_purged_stays_unread_here_and_is_not_asked_for_again() {
    let (server, ids, dir) = synced(Flavor::FreshRss, 6);
    let d = dir.path();
    // Item 01 (unread) purged; Item 02 read elsewhere.
    server.forget(ids[0]);
    server.set_state(ids[1], true, false);
    let report = sync(d);
    assert_eq!(report["state_changes"], 1, "{report}");
    let local = states(d);
    assert_eq!(local["Item 02"], (true, false));
    assert_eq!(local["Q&A <live> today"], (false, false));
    server.clear_log();
    let report = sync(d);
    assert_eq!(report["state_changes"], 0, "{report}");
    server.assert_count("stream/items/contents", 0);
    assert_eq!(states(d)["Q&A <live> today"], (false, false));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tuis_mark_all_on_a_feed_is_pushed_as_one_mark_all_request() {
    use kiosque::tui::state::{ListQuery, ListSource};
    let (server, ids) = populated(Flavor::FreshRss, 6);
    let (_dir, db) = fresh_db();
    let (mut worker, mut actions) = tui_worker(&db, &server.api_url(), Vec::new());
    worker.submit(Effect::Sync);
    assert!(matches!(
        actions.recv().await.unwrap(),
        Action::SyncFinished { error: None, .. }
    ));
    let tech = kiosque::store::Store::open(&db)
        .unwrap()
        .feeds()
        .unwrap()
        .into_iter()
        .find(|f| f.title == "Alpha Engineering Log")
        .unwrap()
        .id;
    // `A` with the feed open: its unread items, Item 02 and Item 04.
    worker.submit(Effect::MarkAllRead {
        query: ListQuery {
            source: ListSource::Feed(tech),
            ..Default::default()
        },
    });
    let Action::AllMarkedRead { ids: marked } = actions.recv().await.unwrap() else {
        panic!("not marked");
    };
    assert_eq!(marked.len(), 2);
    server.clear_log();
    worker.submit(Effect::Sync);
    assert_eq!(sync_outcome(actions.recv().await.unwrap()), (2, 0, None));
    server.assert_count("mark-all-as-read", 1);
    server.assert_count("edit-tag", 0);
    assert!(server.state_of(ids[1]).0 && server.state_of(ids[3]).0);
    assert!(!server.state_of(ids[0]).0);
}

#[test]
fn many_whole_feeds_marked_read_at_once_go_as_ids_not_one_request_each() {
    let server = GReaderServer::start(Flavor::FreshRss);
    let mut ids = Vec::new();
    for f in 0..4 {
        let feed = server.add_feed(&format!("Feed {f}"), None);
        for i in 0..2 {
            ids.push(server.add_item(feed, &format!("Item {f}.{i}"), 60));
        }
    }
    let dir = configured(&server.api_url());
    let d = dir.path();
    sync(d);
    // Every feed marked read whole: four mark-alls would cost four requests, the ids one.
    mark(d, &all_ids(d), "--read");
    server.clear_log();
    let report = sync(d);
    assert_eq!(pair(&report, "pushed", "pending"), (Some(8), Some(0)));
    server.assert_count("mark-all-as-read", 0);
    server.assert_count("edit-tag", 1);
    assert!(ids.iter().all(|id| server.state_of(*id).0));
}
