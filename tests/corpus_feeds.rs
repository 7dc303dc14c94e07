//! Every file of the shared feed corpus through `parse_feed`: no panic escapes, every
//! well-formed feedparser case and every real-world feed parses, and the rest is counted by
//! reason. Prints per-folder counts and the top error reasons. (Parse throughput is a benchmark:
//! `cargo bench --bench parse_render`.)

mod common;

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use kiosque::feed::parse_feed;
use url::Url;

/// Folders (relative to the corpus root) where every file must parse as a feed.
const MUST_PARSE: &[&str] = &[
    "feedparser/wellformed/",
    "feed-rs/",
    "rsparser/",
    "feedjira/",
    "rss-parser/",
    "miniflux/",
];

/// Files inside [`MUST_PARSE`] that are not (complete) feeds: each must give an error.
/// Matched as a path prefix, or as a file-name fragment for the `*` entries.
const NOT_FEEDS: &[&str] = &[
    // feed-rs's own fixtures of XML documents that are not feeds (MANIFEST: "should be rejected").
    "feed-rs/xml/",
    // A Reuters feed cut off before `</channel></rss>` (feed-rs tests it as invalid): a
    // truncated download is an error, so the caller keeps the items it already has.
    "feed-rs/rss2/rss_2.0_invalid_1.xml",
    // feedjira's `*FirstEntry*` files are single entries cut out of feeds (MANIFEST: fragments).
    "*FirstEntry",
    // rss-parser's rejection case: not a feed (MANIFEST).
    "rss-parser/unrecognized.rss",
    // miniflux's XML decoder tests: `<note>` documents about encodings, not feeds.
    "miniflux/xml/iso88591",
    // A JSON Feed cut off in the middle of a string ("partial"): truncated, so an error.
    "rsparser/feeds/allthis-partial.json",
];

fn is_listed_non_feed(rel: &str) -> bool {
    NOT_FEEDS.iter().any(|entry| match entry.strip_prefix('*') {
        Some(fragment) => rel.contains(fragment),
        None => rel.starts_with(entry),
    })
}

fn skipped(path: &Path, rel: &str) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.ends_with(".opml")
        || name.starts_with("LICENSE")
        || (!rel.contains('/') && name.ends_with(".md"))
}

/// feedparser's `http_*` cases carry their Content-Type in a `Header:` line of the opening
/// comment: pass it as the HTTP header it stands for.
fn header_content_type(bytes: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(2000)]);
    head.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("Header:")?.trim();
        let (name, value) = rest.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-type")
            .then(|| value.trim().to_string())
    })
}

/// An error message with numbers blanked, so reasons group together.
fn reason_of(message: &str) -> String {
    let mut reason: String = message
        .chars()
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect();
    if reason.len() > 90 {
        let mut cut = 90;
        while !reason.is_char_boundary(cut) {
            cut -= 1;
        }
        reason.truncate(cut);
    }
    reason
}

#[derive(Default)]
struct Tally {
    files: usize,
    with_items: usize,
    empty: usize,
    errors: usize,
}

#[test]
fn every_corpus_feed_parses_without_panic() {
    let Some(root) = common::shared_corpus("corpus/feeds") else {
        return;
    };
    let files = common::files_under(&root);

    let mut per_folder: BTreeMap<String, Tally> = BTreeMap::new();
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut panics = Vec::new();
    let mut aim_failures = Vec::new();
    let mut aim_empty = Vec::new();
    let mut non_feeds_accepted = Vec::new();
    let mut sniff_misses = Vec::new();

    for path in &files {
        let rel = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        if skipped(path, &rel) {
            continue;
        }
        let bytes = std::fs::read(path).unwrap();
        let content_type = if rel.starts_with("feedparser/") {
            header_content_type(&bytes)
        } else {
            None
        };
        let feed_url = Url::parse("http://127.0.0.1:8080/")
            .unwrap()
            .join(&rel)
            .unwrap();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            parse_feed(&bytes, content_type.as_deref(), &feed_url)
        }));

        let folder = rel.split('/').next().unwrap_or("").to_string();
        let tally = per_folder.entry(folder).or_default();
        tally.files += 1;
        let must_parse = MUST_PARSE.iter().any(|p| rel.starts_with(p));
        let listed_non_feed = is_listed_non_feed(&rel);
        match outcome {
            Err(_) => panics.push(rel.clone()),
            Ok(Ok(feed)) => {
                if !kiosque::feed::discover::looks_like_feed(&bytes) {
                    sniff_misses.push(rel.clone());
                }
                if feed.items.is_empty() {
                    tally.empty += 1;
                    if must_parse && !listed_non_feed {
                        aim_empty.push(rel.clone());
                    }
                } else {
                    tally.with_items += 1;
                }
                if listed_non_feed {
                    non_feeds_accepted.push(rel.clone());
                }
            }
            Ok(Err(error)) => {
                tally.errors += 1;
                *reasons.entry(reason_of(&error.to_string())).or_default() += 1;
                if std::env::var_os("CORPUS_LIST_ERRORS").is_some() {
                    println!("error: {rel}: {error}");
                }
                if must_parse && !listed_non_feed {
                    aim_failures.push(format!("{rel}: {error}"));
                }
            }
        }
    }

    println!(
        "{:<22} {:>6} {:>11} {:>9} {:>7}",
        "folder", "files", "with items", "no items", "errors"
    );
    let mut sum = Tally::default();
    for (folder, t) in &per_folder {
        println!(
            "{folder:<22} {:>6} {:>11} {:>9} {:>7}",
            t.files, t.with_items, t.empty, t.errors
        );
        sum.files += t.files;
        sum.with_items += t.with_items;
        sum.empty += t.empty;
        sum.errors += t.errors;
    }
    println!(
        "{:<22} {:>6} {:>11} {:>9} {:>7}",
        "total", sum.files, sum.with_items, sum.empty, sum.errors
    );
    let mut top: Vec<_> = reasons.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    println!("top error reasons:");
    for (reason, count) in top.iter().take(15) {
        println!("  {count:>5}  {reason}");
    }
    if !aim_empty.is_empty() {
        // Mostly feedparser cases that test feed-level elements only; listed for review.
        println!(
            "{} must-parse files parsed with no items (feed-level cases), first ones:",
            aim_empty.len()
        );
        for rel in aim_empty.iter().take(10) {
            println!("  {rel}");
        }
    }

    println!(
        "looks_like_feed said no to {} parsed feeds: {sniff_misses:?}",
        sniff_misses.len()
    );

    assert!(panics.is_empty(), "panics escaped on: {panics:#?}");
    assert!(
        aim_failures.is_empty(),
        "{} well-formed or real-world feeds failed:\n{}",
        aim_failures.len(),
        aim_failures.join("\n")
    );
    assert!(
        non_feeds_accepted.is_empty(),
        "non-feeds accepted as feeds: {non_feeds_accepted:#?}"
    );
}

/// Every item of refresh-benchmark-shaped feeds (100 feeds of 20–50 items with ~3 KB of HTML
/// each) is parsed. Their parse throughput is `cargo bench --bench parse_render`.
#[test]
fn synthetic_feeds_parse_every_item() {
    let url = Url::parse("http://127.0.0.1:8080/feed.xml").unwrap();
    let mut items = 0;
    for n in 0..100 {
        let feed = common::synthetic::synthetic_feed(n, 20 + n % 31);
        let parsed = parse_feed(feed.as_bytes(), Some("application/rss+xml"), &url).unwrap();
        items += parsed.items.len();
    }
    assert_eq!(items, (0..100).map(|n| 20 + n % 31).sum::<usize>());
}
