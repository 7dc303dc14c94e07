//! Measure the duplicate rule on real feeds (`benches/duplicates.sh`): every feed file under
//! the given folders is parsed and stored as its own subscription through the same insert
//! path as a refresh, then every group of copies the rule made is listed with the key that
//! joined it, for a person to judge.
//!
//! `cargo run --release --example duplicates -- DIR...`

use kiosque::store::{FetchRecord, NewFeed, Store};

#[path = "support/feed_files.rs"]
mod support;
use support::feed_files_of_args;

fn main() -> anyhow::Result<()> {
    let files = feed_files_of_args("duplicates")?;
    let mut store = Store::open_in_memory()?;
    let now = chrono::Utc::now();
    let (mut feeds, mut items) = (0usize, 0usize);
    for (n, path) in files.iter().enumerate() {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        // Each file is its own subscription, at its own made-up URL.
        let url = format!("http://127.0.0.1:9/{n}/{}", path.display());
        let Ok(feed_url) = url::Url::parse(&url) else {
            continue;
        };
        let Ok(parsed) = kiosque::feed::parse_feed(&bytes, None, &feed_url) else {
            continue;
        };
        if parsed.items.is_empty() {
            continue;
        }
        let id = store.add_feed(
            &NewFeed {
                url,
                title: Some(path.display().to_string()),
                title_is_users: true,
                ..Default::default()
            },
            now,
        )?;
        items += store.record_fetch(id, now, &FetchRecord::default(), Some(&parsed))?;
        feeds += 1;
    }
    let groups = store.duplicate_groups()?;
    let copies: usize = groups.iter().map(|g| g.len() - 1).sum();
    let by_url = groups
        .iter()
        .flatten()
        .filter(|c| c.matched_by == "url")
        .count();
    for (n, group) in groups.iter().enumerate() {
        println!("group {}:", n + 1);
        for copy in group {
            println!(
                "  [{}] {} | {} | {}",
                copy.matched_by,
                copy.feed_title,
                kiosque::text::sanitize_line(&copy.title),
                copy.url.as_deref().unwrap_or("-")
            );
        }
    }
    println!(
        "{} feed files with items, {items} items: {} groups, {copies} copies folded ({by_url} by URL, {} by title)",
        feeds,
        groups.len(),
        copies - by_url
    );
    Ok(())
}
