//! The query language through the binary: `items --query` (alone and with --unread, --feed,
//! --limit, --json), `mark --query`, bad and hostile queries (one line naming the position,
//! exit 1, nothing changed), and a database made before full text is indexed on upgrade.

mod common;

use common::{Reply, TestServer, json, kiosque, run_ok};
use predicates::prelude::*;
use serde_json::Value;
use std::path::Path;

/// Two feeds: "Octet Actu" (tag tech) with French headlines, "Other News" with English ones.
fn two_feeds(server: &TestServer, d: &Path) {
    server.route(
        "/octet.xml",
        Reply::rss(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>Octet Actu</title><link>http://127.0.0.1/</link>\
             <item><title>Émulation : la Saturn revit</title><guid>o1</guid><link>http://127.0.0.1/o/1</link><pubDate>Mon, 23 Nov 2026 10:00:00 GMT</pubDate><description>Un émulateur &amp;eacute;crit en Rust pour x86-64</description><author>zoe@example.org (Zoé)</author></item>\
             <item><title>Les processeurs RISC-V</title><guid>o2</guid><link>http://127.0.0.1/o/2</link><pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate><description>Une architecture ouverte</description></item>\
             <item><title>Café et code</title><guid>o3</guid><link>http://127.0.0.1/o/3</link><pubDate>Wed, 25 Nov 2026 10:00:00 GMT</pubDate><description>Pause</description></item>\
             </channel></rss>",
        ),
    );
    server.route(
        "/other.xml",
        Reply::rss(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>Other News</title><link>http://127.0.0.1/</link>\
             <item><title>Rust 2.0 released</title><guid>n1</guid><link>http://127.0.0.1/n/1</link><pubDate>Thu, 26 Nov 2026 10:00:00 GMT</pubDate><description>The emulation of octets is over</description></item>\
             <item><title>Weather</title><guid>n2</guid><link>http://127.0.0.1/n/2</link><pubDate>Fri, 27 Nov 2026 10:00:00 GMT</pubDate><description>Rain in Octet City</description></item>\
             </channel></rss>",
        ),
    );
    run_ok(d, &["add", &server.url("/octet.xml"), "--tag", "Tech"]);
    run_ok(d, &["add", &server.url("/other.xml")]);
}

/// A data dir subscribed to [`two_feeds`] on a server of its own (kept alive by the caller).
fn with_two_feeds() -> (TestServer, tempfile::TempDir) {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    two_feeds(&server, dir.path());
    (server, dir)
}

/// `kiosque mark --query QUERY FLAG`, which must succeed.
fn mark(d: &Path, query: &str, flag: &str) {
    run_ok(d, &["mark", "--query", query, flag]);
}

/// The unread count of every feed, added up.
fn unread_total(d: &Path) -> i64 {
    let feeds = json(d, &["list", "--json"]);
    common::rows_of(&feeds)
        .iter()
        .map(|f| f["unread"].as_i64().unwrap())
        .sum()
}

fn titles(d: &Path, args: &[&str]) -> Vec<String> {
    let mut all = vec!["items", "--json"];
    all.extend_from_slice(args);
    let items = json(d, &all);
    common::column(&items, "title")
        .into_iter()
        .map(str::to_string)
        .collect()
}

#[test]
fn items_query_finds_by_full_text_and_fields_newest_first() {
    let (_server, dir) = with_two_feeds();
    let d = dir.path();
    const EMULATION: &str = "Émulation : la Saturn revit";
    for (query, expected) in [
        // Full text over title and summary, case and accents folded, words by their start.
        ("emul", &["Rust 2.0 released", EMULATION][..]),
        ("title:emulation", &[EMULATION]),
        ("ECRIT", &[EMULATION]),
        ("x86-64", &[EMULATION]),
        ("\"la saturn\"", &[EMULATION]),
        ("\"saturn la\"", &[]),
        // Bare words do not search feed titles; feed: does.
        ("octet", &["Weather", "Rust 2.0 released"]),
        (
            "feed:\"Octet Actu\"",
            &["Café et code", "Les processeurs RISC-V", EMULATION],
        ),
        ("tag:tech cafe", &["Café et code"]),
        // tag: is a whole tag.
        ("tag:tec", &[]),
        ("author:zoe", &[EMULATION]),
        ("url:/N/2", &["Weather"]),
        (
            "rust OR weather",
            &["Weather", "Rust 2.0 released", EMULATION],
        ),
        ("feed:octet -(emul OR cafe)", &["Les processeurs RISC-V"]),
        (
            "after:2026-11-25 before:2026-11-27",
            &["Rust 2.0 released", "Café et code"],
        ),
    ] {
        assert_eq!(titles(d, &["--query", query]), expected, "{query}");
    }
    assert_eq!(
        titles(d, &["--query", ""]).len(),
        5,
        "the empty query is everything"
    );
}

#[test]
fn items_query_combines_with_the_other_flags_and_mark_query_changes_state() {
    let (_server, dir) = with_two_feeds();
    let d = dir.path();
    mark(d, "emul", "--read");
    assert_eq!(titles(d, &["--query", "is:read"]).len(), 2);
    assert_eq!(
        titles(d, &["--query", "emul OR cafe", "--unread"]),
        ["Café et code"]
    );
    let feeds = json(d, &["list", "--json"]);
    let octet = common::row(&feeds, "title", "Octet Actu");
    assert_eq!(octet["unread"], 2);
    let id = common::id_of(octet);
    assert_eq!(
        titles(d, &["--query", "emul", "--feed", &id]),
        ["Émulation : la Saturn revit"]
    );
    // A query may start with "-" (a negated term): it is still the option's value.
    assert_eq!(
        titles(d, &["--query", "-emul", "--limit", "1"]),
        ["Weather"]
    );
    mark(d, "title:cafe OR title:weather", "--star");
    assert_eq!(
        titles(d, &["--query", "is:starred"]),
        ["Weather", "Café et code"]
    );
    mark(d, "is:starred", "--unstar");
    assert!(titles(d, &["--query", "is:starred"]).is_empty());
    mark(d, "is:read", "--unread");
    assert!(titles(d, &["--query", "is:read"]).is_empty());
    // The plain text output takes a query too.
    kiosque(d)
        .args(["items", "--query", "weather"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Weather").and(predicate::str::contains("Café").not()));
}

#[test]
fn a_bad_query_is_one_line_naming_its_position_and_changes_nothing() {
    let (_server, dir) = with_two_feeds();
    let d = dir.path();
    for (query, says) in [
        ("title:emul \"open", "unclosed quote at 12"),
        ("(a b", "unclosed parenthesis at 1"),
        ("a)", "unmatched ) at 2"),
        ("a OR", "OR needs a term after it at 3"),
        ("feed:", "empty field feed: at 1"),
        ("colour:red", "unknown field colour:"),
        ("is:new", "unknown state is:new"),
        ("after:2026-02-30", "bad date"),
        ("newer:3y", "bad age"),
    ] {
        for args in [
            vec!["items", "--query", query],
            vec!["mark", "--query", query, "--read"],
        ] {
            let out = kiosque(d).args(&args).output().unwrap();
            assert_eq!(out.status.code(), Some(1), "{args:?}");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
            assert!(stderr.contains(says), "{args:?}: {stderr}");
            assert!(out.stdout.is_empty(), "{args:?}");
        }
    }
    let unread = unread_total(d);
    assert_eq!(unread, 5, "nothing was marked");
}

#[test]
fn hostile_queries_are_refused_cleanly() {
    let (_server, dir) = with_two_feeds();
    let d = dir.path();
    let deep = "(".repeat(10_000) + "a" + &")".repeat(10_000);
    // A single argument is at most 128 KiB on Linux: 100 kB of terms.
    let long = "emul ".repeat(20_000);
    for query in [deep.as_str(), long.as_str()] {
        let out = kiosque(d)
            .args(["items", "--query", query])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr:.200}");
        assert!(
            stderr.len() < 300,
            "the query is not echoed whole: {stderr:.300}"
        );
        assert!(stderr.contains(" at "), "{stderr}");
        assert!(!stderr.to_lowercase().contains("sql"), "{stderr}");
    }
    // FTS5 syntax typed in a word is a word: no SQL error, and only what the words match.
    for query in [
        "NEAR(rust emul)",
        "emul* OR ^rust",
        "{title}:rust",
        "\"rust\"\" OR \"\"x\"",
        "'; DROP TABLE items; --",
        "title:\"a\\\" OR b\"",
    ] {
        let out = kiosque(d)
            .args(["items", "--json", "--query", query])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.to_lowercase().contains("sql"), "{query}: {stderr}");
        if out.status.success() {
            let _: Value = serde_json::from_slice(&out.stdout).unwrap();
        } else {
            assert_eq!(out.status.code(), Some(1), "{query}");
            assert_eq!(stderr.lines().count(), 1, "{query}: {stderr}");
        }
    }
    assert_eq!(titles(d, &[]).len(), 5, "the database is intact");
}

#[test]
fn rules_act_on_new_items_only_and_hidden_items_stay_listed_apart() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("config.toml"),
        "[[rules]]\nquery = \"title:weather\"\naction = \"hide\"\n\n\
         [[rules]]\nquery = \"feed:octet cafe\"\naction = \"read\"\n\n\
         [[rules]]\nquery = \"emul\"\naction = \"star\"\n\n\
         [[rules]]\nquery = \"emul -is:read\"\naction = \"tag:Rétro\"\n",
    )
    .unwrap();
    two_feeds(&server, d);
    // Hidden: in no list and no count, but `items --hidden` shows it.
    assert!(!titles(d, &[]).contains(&"Weather".to_string()));
    assert_eq!(titles(d, &["--hidden"]), ["Weather"]);
    let unread = unread_total(d);
    assert_eq!(unread, 3, "5 items, one hidden, one read by a rule");
    assert_eq!(titles(d, &["--query", "is:read"]), ["Café et code"]);
    assert_eq!(
        titles(d, &["--query", "is:starred"]),
        ["Rust 2.0 released", "Émulation : la Saturn revit"]
    );
    assert_eq!(
        titles(d, &["--query", "tag:retro"]),
        ["Rust 2.0 released", "Émulation : la Saturn revit"]
    );
    // A refresh leaves items it already had alone: only what is new meets the rules.
    mark(d, "cafe", "--unread");
    server.route(
        "/octet.xml",
        Reply::rss(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>Octet Actu</title><link>http://127.0.0.1/</link>\
             <item><title>Café et code</title><guid>o3</guid><link>http://127.0.0.1/o/3</link><pubDate>Wed, 25 Nov 2026 10:00:00 GMT</pubDate><description>Pause</description></item>\
             <item><title>Un autre café</title><guid>o4</guid><link>http://127.0.0.1/o/4</link><pubDate>Sat, 28 Nov 2026 10:00:00 GMT</pubDate><description>Noir</description></item>\
             </channel></rss>",
        ),
    );
    run_ok(d, &["refresh"]);
    assert_eq!(titles(d, &["--query", "is:read"]), ["Un autre café"]);
    assert_eq!(titles(d, &["--hidden"]), ["Weather"]);
}
