//! The `kiosque` binary driven as a user would, through the contract's command line: a temp
//! data dir, a loopback server, and checks on output, exit codes and what the database holds.

mod common;

use common::{
    Reply, TestServer, column, fails_in_one_line, first_item_id, id_of, json, kiosque,
    one_item_whose_page_is_gone, row, rows_of, rss_with_items, run_ok, subscribed,
};
use predicates::prelude::*;
use serde_json::Value;

#[test]
fn help_and_version() {
    let dir = tempfile::tempdir().unwrap();
    kiosque(dir.path())
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("refresh").and(predicate::str::contains("import")));
    kiosque(dir.path())
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("kiosque "));
}

#[test]
fn add_list_refresh_items_mark_read_remove() {
    let server = common::feed_server("Loopback &amp; Co", 3);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    kiosque(d)
        .args([
            "add",
            &server.url("/feed.xml"),
            "--tag",
            "news",
            "--tag",
            "tech",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("Loopback & Co"));
    let list = json(d, &["list", "--json"]);
    let feed = &list[0];
    let keys = "id title url tags unread total status error last_fetched";
    for key in keys.split(' ') {
        assert!(feed.get(key).is_some(), "list --json has {key}: {feed}");
    }
    assert_eq!(feed["tags"], serde_json::json!(["news", "tech"]));
    assert_eq!(feed["total"], 3, "items stored at add");
    assert_eq!(feed["status"], 200);

    let refresh = json(d, &["refresh", "--json"]);
    assert_eq!(refresh["failed"], 0);

    let items = json(d, &["items", "--json"]);
    let first = &items[0];
    let keys = "id feed_id feed_title title url published read starred";
    for key in keys.split(' ') {
        assert!(first.get(key).is_some(), "items --json has {key}: {first}");
    }
    assert!(chrono::DateTime::parse_from_rfc3339(first["published"].as_str().unwrap()).is_ok());
    let id = id_of(first);
    kiosque(d).args(["mark", &id, "--read"]).assert().success();
    kiosque(d).args(["mark", &id, "--star"]).assert().success();
    let unread = json(d, &["items", "--unread", "--json"]);
    assert_eq!(unread.as_array().unwrap().len(), 2);
    let all = json(d, &["items", "--json", "--limit", "1"]);
    assert_eq!(all.as_array().unwrap().len(), 1);
    assert_eq!(all[0]["starred"], true);

    kiosque(d)
        .args(["mark", "999999", "--read"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("999999"));
    kiosque(d).args(["mark", &id]).assert().failure();

    run_ok(d, &["remove", &server.url("/feed.xml")]);
    assert_eq!(json(d, &["list", "--json"]).as_array().unwrap().len(), 0);
    // Its items went, except the starred one (issue 14: removing never loses starred items).
    let left = json(d, &["items", "--json"]);
    assert_eq!(left.as_array().unwrap().len(), 1);
    assert_eq!(id_of(&left[0]), id);
}

#[test]
fn list_reads_the_feeds_without_starting_the_log() {
    // `list` logs nothing: the log writer (a thread) is not started for it.
    let server = common::feed_server("Listed", 2);
    let dir = subscribed(&server.url("/feed.xml"));
    let d = dir.path();
    let log = d.join("kiosque.log");
    if log.exists() {
        std::fs::remove_file(&log).unwrap();
    }
    let list = json(d, &["list", "--json"]);
    assert_eq!(list[0]["title"], "Listed");
    kiosque(d)
        .arg("list")
        .assert()
        .success()
        .stdout(predicate::str::contains("Listed"));
    assert!(!log.exists(), "list started the log");
}

#[test]
fn add_discovers_the_feed_behind_a_page() {
    let server = common::feed_behind_a_page("Found it", 1);
    let dir = tempfile::tempdir().unwrap();
    run_ok(dir.path(), &["add", &server.url("/")]);
    let list = json(dir.path(), &["list", "--json"]);
    assert_eq!(list[0]["url"], server.url("/feed.xml"));
    assert_eq!(list[0]["title"], "Found it");
}

#[test]
fn bad_adds_fail_clearly_and_change_nothing() {
    let server = TestServer::start();
    server.route(
        "/page",
        Reply::ok("text/html", "<html><body>no feed here</body></html>"),
    );
    server.route("/missing", Reply::status(404));
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (url, says) in [
        ("not a url".to_string(), "invalid URL"),
        ("ftp://example.org/feed".to_string(), "only http"),
        (server.url("/page"), "no feed"),
        (server.url("/missing"), "404"),
        (format!("http://127.0.0.1:{closed}/feed"), "connect"),
    ] {
        let err = fails_in_one_line(kiosque(d).args(["add", &url]));
        assert!(err.contains(says), "{url}: {err}");
    }
    assert_eq!(json(d, &["list", "--json"]).as_array().unwrap().len(), 0);
}

#[test]
fn opml_import_export_import_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let opml = common::opml_file(
        d,
        r#"<outline text="Tech"><outline text="A" xmlUrl="https://a.example/feed"/>
          <outline text="B" xmlUrl="https://b.example/rss" htmlUrl="https://b.example/"/></outline>
        <outline text="C" xmlUrl="https://c.example/atom"/>
        <outline text="evil" xmlUrl="|rm -rf ~"/>"#,
    );
    kiosque(d)
        .arg("import")
        .arg(&opml)
        .assert()
        .success()
        .stdout(predicate::str::contains("Imported 3 feeds"))
        .stderr(predicate::str::contains("refused"));
    // Importing again adds nothing.
    kiosque(d)
        .arg("import")
        .arg(&opml)
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Imported 0 feeds").and(predicate::str::contains("3 already")),
        );
    let exported = d.join("out.opml");
    kiosque(d).arg("export").arg(&exported).assert().success();
    let stdout_export = kiosque(d).arg("export").output().unwrap().stdout;
    assert_eq!(std::fs::read(&exported).unwrap().len(), stdout_export.len());

    let other = tempfile::tempdir().unwrap();
    run_ok(other.path(), &["import", exported.to_str().unwrap()]);
    let strip = |v: Value| -> Vec<(String, String, Value)> {
        let mut rows: Vec<_> = rows_of(&v)
            .iter()
            .map(|f| {
                (
                    f["url"].as_str().unwrap().to_string(),
                    f["title"].as_str().unwrap().to_string(),
                    f["tags"].clone(),
                )
            })
            .collect();
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        rows
    };
    assert_eq!(
        strip(json(d, &["list", "--json"])),
        strip(json(other.path(), &["list", "--json"]))
    );
}

#[test]
fn malformed_opml_is_an_error_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let opml = d.join("bad.opml");
    std::fs::write(
        &opml,
        "<opml><body><outline xmlUrl=\"https://a.example/\"></body>",
    )
    .unwrap();
    kiosque(d)
        .arg("import")
        .arg(&opml)
        .assert()
        .failure()
        .stderr(predicate::str::contains("malformed OPML"));
    kiosque(d)
        .args(["import", "/nonexistent/file.opml"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("cannot read"));
    assert_eq!(json(d, &["list", "--json"]).as_array().unwrap().len(), 0);
}

#[test]
fn a_bad_config_names_the_line_and_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("config.toml"),
        "refresh_minutes = 5\nconcurency = 3\n",
    )
    .unwrap();
    kiosque(d)
        .args(["list"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("line 2").and(predicate::str::contains("concurency")));
}

#[test]
fn refresh_reports_failures_and_exits_zero() {
    let server = TestServer::start();
    server.route("/ok", Reply::rss(rss_with_items("Ok", 2)));
    server.route("/down", Reply::status(500));
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let opml = common::opml_file(
        d,
        &format!(
            r#"<outline text="ok" xmlUrl="{}"/><outline text="down" xmlUrl="{}"/>"#,
            server.url("/ok"),
            server.url("/down")
        ),
    );
    kiosque(d).arg("import").arg(&opml).assert().success();
    kiosque(d)
        .arg("refresh")
        .assert()
        .success()
        .stdout(
            predicate::str::contains("1 ok")
                .and(predicate::str::contains("1 failed"))
                .and(predicate::str::contains("2 new items")),
        )
        .stderr(predicate::str::contains("HTTP 500"));
    let list = json(d, &["list", "--json"]);
    let down = row(&list, "url", &server.url("/down"));
    assert_eq!(down["status"], 500);
    assert!(down["error"].as_str().unwrap().contains("500"));
}

#[test]
fn read_prints_the_reading_pane_and_marks_read() {
    let server = one_item_whose_page_is_gone();
    let dir = subscribed(&server.url("/feed"));
    let d = dir.path();
    let id = first_item_id(d);
    let view = json(d, &["read", &id, "--json"]);
    for key in common::ARTICLE_VIEW_KEYS.split(' ') {
        assert!(view.get(key).is_some(), "read --json has {key}: {view}");
    }
    assert_eq!(
        view["source"], "feed",
        "the page is a 404: the feed's content is shown"
    );
    assert!(view["text"].as_str().unwrap().contains("Body 0"));
    assert_eq!(json(d, &["items", "--json"])[0]["read"], true);
    kiosque(d).args(["read", "424242"]).assert().failure();
}

#[test]
fn read_lists_the_items_enclosures() {
    let server = TestServer::start();
    let feed = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\" \
         xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\"><channel><title>Pod</title>\
         <link>{base}</link>\
         <item><title>Episode 12</title><guid>ep12</guid><link>{base}/ep12</link>\
         <pubDate>Mon, 23 Nov 2026 10:00:00 GMT</pubDate><description>Show notes</description>\
         <enclosure url=\"/media/ep12.mp3\" type=\"audio/mpeg\" length=\"4500000\"/>\
         <itunes:duration>1:02:03</itunes:duration></item>\
         <item><title>Plain post</title><guid>post</guid><link>{base}/post</link>\
         <pubDate>Sun, 22 Nov 2026 10:00:00 GMT</pubDate><description>Text</description></item>\
         <item><title>Bare media</title><guid>bare</guid><link>{base}/bare</link>\
         <pubDate>Sat, 21 Nov 2026 10:00:00 GMT</pubDate><description>Video</description>\
         <enclosure url=\"{base}/v.webm\"/></item>\
         </channel></rss>",
        base = server.url("")
    );
    server.route("/feed", Reply::rss(feed));
    for page in ["/ep12", "/post", "/bare"] {
        server.route(page, Reply::status(404));
    }
    let dir = subscribed(&server.url("/feed"));
    let d = dir.path();
    let items = json(d, &["items", "--json"]);
    let id_titled = |title: &str| id_of(row(&items, "title", title));
    let podcast = json(d, &["read", &id_titled("Episode 12"), "--json"]);
    assert_eq!(
        podcast["enclosures"],
        serde_json::json!([{
            "url": server.url("/media/ep12.mp3"),
            "type": "audio/mpeg",
            "length": 4_500_000,
            "duration": 3723
        }])
    );
    let plain = json(d, &["read", &id_titled("Plain post"), "--json"]);
    assert_eq!(plain["enclosures"], serde_json::json!([]));
    let bare = json(d, &["read", &id_titled("Bare media"), "--json"]);
    assert_eq!(
        bare["enclosures"],
        serde_json::json!([{"url": server.url("/v.webm"), "type": null, "length": null, "duration": null}])
    );
    let text = common::run_ok(d, &["read", &id_titled("Episode 12")]);
    assert!(
        text.contains("Media: audio/mpeg · 4.5 MB · 1:02:03 · ep12.mp3"),
        "{text}"
    );
}

/// Issue 13, item 5: the same story in two feeds is listed once, names the other feed, and
/// reading it reads both copies.
#[test]
fn a_story_two_feeds_carry_is_listed_once_and_read_everywhere() {
    let server = TestServer::start();
    let feed = |title: &str, story_link: &str, other: &str| {
        format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{title}</title>\
             <item><title>Parliament passes the budget law after a long night</title>\
             <guid>story</guid><link>{story_link}</link>\
             <pubDate>Mon, 23 Nov 2026 10:00:00 GMT</pubDate></item>\
             <item><title>{other}</title><guid>other</guid><link>{}</link>\
             <pubDate>Mon, 23 Nov 2026 09:00:00 GMT</pubDate></item></channel></rss>",
            server.url(&format!("/{}", title.replace(' ', "-")))
        )
    };
    server.route(
        "/a.xml",
        Reply::rss(feed(
            "Wire A",
            &format!("{}?utm_source=rss&amp;fbclid=x", server.url("/story")),
            "Only in A",
        )),
    );
    server.route(
        "/b.xml",
        Reply::rss(feed(
            "Paper B",
            &format!("{}#comments", server.url("/story")),
            "Only in B",
        )),
    );
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for path in ["/a.xml", "/b.xml"] {
        run_ok(d, &["add", &server.url(path)]);
    }
    let items = json(d, &["items", "--json"]);
    let mut titles = column(&items, "title");
    titles[1..].sort();
    assert_eq!(
        titles,
        [
            "Parliament passes the budget law after a long night",
            "Only in A",
            "Only in B"
        ]
    );
    assert_eq!(items[0]["feed_title"], "Wire A");
    assert_eq!(items[0]["also_in"], serde_json::json!(["Paper B"]));
    assert_eq!(items[1]["also_in"], serde_json::json!([]));
    assert_eq!(items[2]["also_in"], serde_json::json!([]));
    let text = common::run_ok(d, &["items"]);
    assert!(text.contains("(also in: Paper B)"), "{text}");

    let id = id_of(&items[0]);
    kiosque(d).args(["mark", &id, "--read"]).assert().success();
    let list = json(d, &["list", "--json"]);
    let unread: Vec<i64> = rows_of(&list)
        .iter()
        .map(|f| f["unread"].as_i64().unwrap())
        .collect();
    assert_eq!(unread, [1, 1], "each feed's copy is read: {list}");
    let b_id = id_of(row(&list, "title", "Paper B"));
    let in_b = json(d, &["items", "--feed", &b_id, "--json"]);
    assert_eq!(in_b[0]["read"], true);
    assert_eq!(in_b[0]["also_in"], serde_json::json!(["Wire A"]));
    assert_eq!(rows_of(&json(d, &["items", "--unread", "--json"])).len(), 2);
}

/// Issue 13, item 6: `kiosque feed` changes a feed's title, tags and own settings; `list
/// --json` shows them; a bad value is an error that changes nothing; `extract false` makes
/// `read` show the feed's own content without fetching the page.
#[test]
fn feed_settings_are_stored_listed_and_honoured() {
    let server = one_item_whose_page_is_gone();
    let dir = subscribed(&server.url("/feed"));
    let d = dir.path();
    let feed = &json(d, &["list", "--json"])[0];
    assert_eq!(feed["refresh_minutes"], Value::Null);
    assert_eq!(feed["extract"], true);
    assert_eq!(feed["keep_days"], Value::Null);
    let id = id_of(feed);

    kiosque(d)
        .args(["feed", &id, "--keep-days", "0", "--rename", "Never"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--keep-days 0"));
    kiosque(d)
        .args(["feed", &id, "--extract", "maybe"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("true, false or default"));
    assert_eq!(
        json(d, &["list", "--json"])[0]["title"],
        "F",
        "nothing changed"
    );

    let shown = json(
        d,
        &[
            "feed",
            &id,
            "--rename",
            "My F",
            "--tag",
            "news",
            "--tag",
            "fr",
            "--refresh-minutes",
            "90",
            "--extract",
            "false",
            "--keep-days",
            "7",
            "--json",
        ],
    );
    assert_eq!(shown["title"], "My F");
    let feed = &json(d, &["list", "--json"])[0];
    assert_eq!(feed["title"], "My F");
    assert_eq!(feed["tags"], serde_json::json!(["news", "fr"]));
    assert_eq!(feed["refresh_minutes"], 90);
    assert_eq!(feed["extract"], false);
    assert_eq!(feed["keep_days"], 7);

    // The title is the user's now: a refresh keeps it.
    kiosque(d).args(["refresh"]).assert().success();
    assert_eq!(json(d, &["list", "--json"])[0]["title"], "My F");

    let item = first_item_id(d);
    let view = json(d, &["read", &item, "--json"]);
    assert_eq!(view["source"], "feed");
    assert!(view["text"].as_str().unwrap().contains("Body 0"), "{view}");
    assert!(server.hits("/item/0").is_empty(), "the page was fetched");

    kiosque(d)
        .args([
            "feed",
            &id,
            "--extract",
            "default",
            "--keep-days",
            "default",
            "--no-tags",
        ])
        .assert()
        .success();
    let feed = &json(d, &["list", "--json"])[0];
    assert_eq!(feed["extract"], true);
    assert_eq!(feed["keep_days"], Value::Null);
    assert_eq!(feed["tags"], serde_json::json!([]));
    assert_eq!(feed["refresh_minutes"], 90);
}
