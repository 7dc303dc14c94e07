//! Issue 14, "the first hour": what a new user tripped on in the command line, the config, the
//! refresh and the store, each driven through the real binary against a loopback server.

mod common;

use assert_cmd::Command;
use chrono::{DateTime, Local, TimeZone, Utc};
use common::{
    Reply, TestServer, column, fails_in_one_line, json, kiosque, row, rss_with_items, run_ok,
    succeeds,
};
use predicates::prelude::*;
use std::path::Path;

fn write_opml(dir: &Path, outlines: &[(&str, &str)]) -> std::path::PathBuf {
    let body: String = outlines
        .iter()
        .map(|(title, url)| {
            format!("<outline type=\"rss\" text=\"{title}\" title=\"{title}\" xmlUrl=\"{url}\"/>")
        })
        .collect();
    common::opml_file(dir, &body)
}

fn import(data: &Path, outlines: &[(&str, &str)]) {
    let opml = write_opml(data, outlines);
    run_ok(data, &["import", opml.to_str().unwrap()]);
}

/// An RSS feed with one item per (title, link, pubDate or none).
fn rss(title: &str, items: &[(&str, &str, Option<&str>)]) -> String {
    let mut s = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{title}</title><link>http://127.0.0.1/</link>"
    );
    for (i, (t, link, date)) in items.iter().enumerate() {
        s.push_str(&format!(
            "<item><title>{t}</title><guid>g{i}</guid><link>{link}</link>{}<description>Body {i}</description></item>",
            date.map(|d| format!("<pubDate>{d}</pubDate>"))
                .unwrap_or_default()
        ));
    }
    s.push_str("</channel></rss>");
    s
}

// ---- 1: a refresh the user asks for ----------------------------------------------------------

#[test]
fn a_manual_refresh_fetches_failing_feeds_and_says_when_a_server_asked_to_wait() {
    let server = TestServer::start();
    server.route("/down", Reply::status(500));
    // A whole minute two hours ahead, so the expected "HH:MM" does not depend on timing.
    let later = Utc::now() + chrono::Duration::hours(2);
    let later = Utc
        .timestamp_opt(later.timestamp() - later.timestamp() % 60, 0)
        .unwrap();
    server.route(
        "/busy",
        Reply::with_header(
            503,
            "Retry-After",
            &later.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    import(
        d,
        &[
            ("Down", &server.url("/down")),
            ("Busy", &server.url("/busy")),
        ],
    );
    let first = run_ok(d, &["refresh"]);
    assert!(first.contains("2 failed"), "{first}");

    // The failing server is back: the user's refresh must ask it at once, not back off.
    server.route("/down", Reply::rss(rss_with_items("Back", 2)));
    let (stdout, stderr) = succeeds(kiosque(d).arg("refresh"));
    let hhmm = later.with_timezone(&Local).format("%H:%M").to_string();
    let expected_time = if later.with_timezone(&Local).date_naive() == Local::now().date_naive() {
        hhmm
    } else {
        later
            .with_timezone(&Local)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    };
    assert!(stdout.contains("1 ok"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "1 skipped until {expected_time} (the server asked)"
        )),
        "{stdout}"
    );
    assert!(!stdout.contains("not due"), "{stdout}");
    assert!(stderr.contains("/busy"), "{stderr}");
    assert_eq!(server.hits("/down").len(), 2);
    // Retry-After stays honoured across runs, also for a refresh the user asks for.
    assert_eq!(server.hits("/busy").len(), 1);

    let report = json(d, &["refresh", "--json"]);
    let busy = row(&report["outcomes"], "url", &server.url("/busy"));
    assert_eq!(busy["result"], "skipped");
    let until: DateTime<Utc> = busy["skipped_until"].as_str().unwrap().parse().unwrap();
    assert_eq!(until, later);
    assert_eq!(server.hits("/busy").len(), 1);
}

#[test]
fn feed_failures_are_logged() {
    let server = TestServer::start();
    server.route("/down", Reply::status(500));
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    import(d, &[("Down", &server.url("/down"))]);
    run_ok(d, &["refresh"]);
    let log = std::fs::read_to_string(d.join("kiosque.log")).unwrap_or_default();
    assert!(log.contains("/down") && log.contains("500"), "log: {log:?}");
}

// ---- 7: read on a page with no headline and no date -----------------------------------------

#[test]
fn read_takes_the_items_title_and_date_when_the_page_has_none() {
    let server = TestServer::start();
    let paragraph = "This paragraph is part of a long enough article body for the extractor to keep it as the text of the page. ";
    server.route(
        "/page.html",
        Reply::ok(
            "text/html",
            format!(
                "<html><head><title>Site name | Some page</title></head><body><div>\
                 <p>{p}</p><p>{p}</p><p>{p}</p></div></body></html>",
                p = paragraph.repeat(2)
            ),
        ),
    );
    server.route(
        "/feed.xml",
        Reply::rss(rss(
            "F",
            &[(
                "The feed's own headline",
                &server.url("/page.html"),
                Some("Sun, 22 Nov 2026 10:00:00 GMT"),
            )],
        )),
    );
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_ok(d, &["add", &server.url("/feed.xml")]);
    let id = json(d, &["items", "--json"])[0]["id"].as_i64().unwrap();
    let view = json(d, &["read", &id.to_string(), "--json"]);
    assert_eq!(view["source"], "extracted", "{view}");
    assert_eq!(view["title"], "The feed's own headline");
    let published: DateTime<Utc> = view["published"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        published,
        Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap()
    );
}

// ---- 8: a closed pipe -------------------------------------------------------------------------

#[test]
fn a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    {
        let mut store = kiosque::store::Store::open(&d.join("kiosque.db")).unwrap();
        let feed = store
            .add_feed(
                &kiosque::store::NewFeed {
                    url: "http://127.0.0.1:9/feed".into(),
                    title: Some("Many".into()),
                    ..Default::default()
                },
                Utc::now(),
            )
            .unwrap();
        // Far more than a pipe buffer holds: the writer meets the closed pipe.
        store.insert_test_items(feed, 5_000).unwrap();
    }
    for args in [&["items"][..], &["items", "--json"][..]] {
        let mut child = common::kiosque_process(d)
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // `| head -0`: the reader goes away before reading anything.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
        assert!(out.status.success(), "{args:?}: {:?}", out.status);
    }
}

// ---- 14: config mistakes ---------------------------------------------------------------------

#[test]
fn a_config_file_named_on_the_command_line_must_exist() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let missing = d.join("nope.toml");
    let mut cmd = Command::cargo_bin("kiosque").unwrap();
    cmd.env_remove("KIOSQUE_DATA_DIR")
        .env_remove("KIOSQUE_CONFIG")
        .arg("--data-dir")
        .arg(d)
        .arg("--config")
        .arg(&missing)
        .arg("list")
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("nope.toml").and(predicate::str::contains("does not exist")),
        );
}

/// Config mistakes (14) and bad targets (15): the config file, the command, then what its
/// one-line error must say and must not say.
#[test]
fn mistakes_are_refused_in_one_line_that_says_what_to_do() {
    #[rustfmt::skip]
    let cases = [
        ("[keys]\nqiut = \"x\"\n", &["list"][..], &["qiut", "line 2", "quit", "next_unread"][..], None),
        ("[keys]\nqiut = \"x\"\n", &["items"], &["qiut", "line 2", "quit", "next_unread"], None),
        ("concurrency = \"many\"\n", &["list"], &["a whole number"], Some("usize")),
        ("", &["extract", "ftp://x/"], &["http(s) URL or a local"], Some("No such file")),
        ("", &["add", "example.com"], &["https://example.com"], Some("relative URL without a base")),
    ];
    for (config, args, says, not) in cases {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.toml"), config).unwrap();
        let err = fails_in_one_line(kiosque(dir.path()).args(args));
        for words in says {
            assert!(err.contains(words), "{args:?}: {words:?} not in {err}");
        }
        assert!(not.is_none_or(|not| !err.contains(not)), "{args:?}: {err}");
    }
}

#[test]
fn exporting_into_a_missing_dir_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let target = d.join("no-such-dir").join("x.opml");
    kiosque(d)
        .arg("export")
        .arg(&target)
        .assert()
        .failure()
        .stderr(
            predicate::str::contains(target.display().to_string())
                .and(predicate::str::contains("partial").not()),
        );
}

// ---- 16: remove keeps starred items ----------------------------------------------------------

#[test]
fn remove_keeps_starred_items_and_says_so() {
    let server = common::feed_server("Kept Feed", 3);
    let dir = common::subscribed(&server.url("/feed.xml"));
    let d = dir.path();
    let items = json(d, &["items", "--json"]);
    let starred = items[0]["id"].as_i64().unwrap();
    run_ok(d, &["mark", &starred.to_string(), "--star"]);
    let said = run_ok(d, &["remove", &server.url("/feed.xml")]);
    assert!(said.contains("kept its 1 starred item"), "{said}");
    assert_eq!(json(d, &["list", "--json"]).as_array().unwrap().len(), 0);
    let left = json(d, &["items", "--json"]);
    let left = left.as_array().unwrap();
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0]["id"].as_i64(), Some(starred));
    assert_eq!(left[0]["feed_title"], "Kept Feed");
    assert_eq!(left[0]["starred"], true);
    assert!(left[0]["feed_id"].is_i64());
    let view = json(d, &["read", &starred.to_string(), "--json"]);
    assert!(view["title"].as_str().unwrap().starts_with("Item"));
    // Subscribing again brings the starred item back under its feed.
    run_ok(d, &["add", &server.url("/feed.xml")]);
    let feeds = json(d, &["list", "--json"]);
    assert_eq!(feeds[0]["total"], 3);
    // A feed with no starred item goes whole.
    let said = run_ok(d, &["remove", "1"]);
    assert!(said.contains("kept its 1 starred item"), "{said}");
    run_ok(d, &["mark", &starred.to_string(), "--unstar"]);
    run_ok(d, &["add", &server.url("/feed.xml")]);
    run_ok(d, &["mark", &starred.to_string(), "--unstar"]);
    let said = run_ok(d, &["remove", &server.url("/feed.xml")]);
    assert!(!said.contains("kept"), "{said}");
    assert_eq!(json(d, &["items", "--json"]).as_array().unwrap().len(), 0);
}

// ---- 20: images in `read` --------------------------------------------------------------------

#[test]
fn read_text_keeps_image_markers_and_image_links() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let paragraph =
        "A forum post long enough to count as the article that the reader wants to see in full. ";
    let page = d.join("page.html");
    std::fs::write(
        &page,
        format!(
            "<html><head><title>T</title></head><body><article><h1>A forum thread</h1>\
             <p>{p}</p><p><img src=\"/a.jpg\" alt=\"The first photo\"></p><p>{p}</p>\
             <p><a href=\"/full.jpg\"><img src=\"/thumb.jpg\"></a></p><p>{p}</p></article></body></html>",
            p = paragraph.repeat(2)
        ),
    )
    .unwrap();
    let out = run_ok(
        d,
        &[
            "extract",
            page.to_str().unwrap(),
            "--url",
            "https://forum.example/t/1",
        ],
    );
    assert!(out.contains("[image: The first photo]"), "{out}");
    assert!(out.contains("https://forum.example/full.jpg"), "{out}");
}

// ---- 21: user titles and colliding titles ------------------------------------------------------

#[test]
fn user_titles_survive_refreshes_and_colliding_titles_show_their_host() {
    let server = TestServer::start();
    server.route("/a.xml", Reply::rss(rss_with_items("Daring Fireball", 1)));
    server.route("/b.xml", Reply::rss(rss_with_items("Daring Fireball", 1)));
    server.route("/c.xml", Reply::rss(rss_with_items("Its own title", 1)));
    let port = server.addr.port();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    import(
        d,
        &[
            ("My name for it", &server.url("/c.xml")),
            ("", &server.url("/a.xml")),
        ],
    );
    run_ok(
        d,
        &[
            "add",
            &format!("http://localhost:{port}/b.xml"),
            "--title",
            "DF",
        ],
    );
    run_ok(d, &["refresh"]);
    run_ok(d, &["refresh"]);
    let feeds = json(d, &["list", "--json"]);
    let titles = column(&feeds, "title");
    assert!(titles.contains(&"My name for it"), "{titles:?}");
    assert!(titles.contains(&"DF"), "{titles:?}");
    assert!(titles.contains(&"Daring Fireball"), "{titles:?}");

    // Two feeds under one title: the plain list tells them apart by host.
    run_ok(d, &["add", &format!("http://localhost:{port}/a.xml")]);
    let list = run_ok(d, &["list"]);
    assert!(list.contains("Daring Fireball (127.0.0.1)"), "{list}");
    assert!(list.contains("Daring Fireball (localhost)"), "{list}");
    assert!(!list.contains("DF ("), "{list}");
}

// ---- 22: small things ------------------------------------------------------------------------

#[test]
fn counts_are_in_good_english() {
    let server = TestServer::start();
    server.route("/one.xml", Reply::rss(rss_with_items("One", 1)));
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let added = run_ok(d, &["add", &server.url("/one.xml")]);
    assert!(added.contains(", 1 item"), "{added}");
    assert!(!added.contains("1 items"), "{added}");
    let refreshed = run_ok(d, &["refresh"]);
    assert!(refreshed.starts_with("1 feed:"), "{refreshed}");
    assert!(refreshed.contains("0 new items"), "{refreshed}");
}

#[test]
fn items_and_read_print_dates_alike_and_undated_items_say_so() {
    let server = TestServer::start();
    server.route(
        "/feed.xml",
        Reply::rss(rss(
            "F",
            &[
                (
                    "Dated",
                    "http://127.0.0.1:9/a",
                    Some("Sun, 22 Nov 2026 10:00:00 GMT"),
                ),
                ("Undated", "http://127.0.0.1:9/b", None),
            ],
        )),
    );
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_ok(d, &["add", &server.url("/feed.xml")]);
    let items = json(d, &["items", "--json"]);
    let undated = row(&items, "title", "Undated");
    assert!(undated["published"].is_null(), "{undated}");
    let dated = row(&items, "title", "Dated");
    assert!(dated["published"].is_string(), "{dated}");

    let shown = Utc
        .with_ymd_and_hms(2026, 11, 22, 10, 0, 0)
        .unwrap()
        .with_timezone(&Local)
        .format("%Y-%m-%d %H:%M")
        .to_string();
    let listing = run_ok(d, &["items"]);
    let dated_line = listing.lines().find(|l| l.contains("Dated")).unwrap();
    assert!(dated_line.contains(&shown), "{listing}");
    let undated_line = listing.lines().find(|l| l.contains("Undated")).unwrap();
    assert!(undated_line.contains("seen 20"), "{listing}");
    let read = run_ok(d, &["read", &dated["id"].to_string()]);
    assert!(read.contains(&shown), "{read}");
    let read_undated = json(d, &["read", &undated["id"].to_string(), "--json"]);
    assert!(read_undated["published"].is_null(), "{read_undated}");
}
