//! Parse every feed file under the given folders and print one line per file: its path, a
//! hash of everything `parse_feed` returned (or its error), and the item count; then the
//! total parse time. Two builds' outputs compared with `diff` show whether a change to the
//! parser changed any item (`../shared/corpus/feeds`, the latency bench's generated feeds).
//!
//! `cargo run --release --example parse_digest -- DIR... > digest.txt`

use std::hash::{Hash, Hasher};
use std::time::{Duration, Instant};

#[path = "support/feed_files.rs"]
mod support;
use support::feed_files_of_args;

fn main() -> anyhow::Result<()> {
    let files = feed_files_of_args("parse_digest")?;
    let base = url::Url::parse("http://127.0.0.1:8080/feeds/feed.xml")?;
    let mut parsing = Duration::ZERO;
    let mut items = 0usize;
    for path in &files {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        let started = Instant::now();
        let parsed = kiosque::feed::parse_feed(&bytes, None, &base);
        parsing += started.elapsed();
        let text = format!("{parsed:?}");
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        text.hash(&mut hasher);
        let count = parsed.as_ref().map_or(0, |doc| doc.items.len());
        items += count;
        println!("{} {:016x} {count}", path.display(), hasher.finish());
    }
    eprintln!(
        "{} files, {items} items parsed in {:.3} s",
        files.len(),
        parsing.as_secs_f64()
    );
    Ok(())
}
