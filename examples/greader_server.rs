//! The loopback Google Reader server of the sync tests (tests/common/greader.rs), filled for
//! the sync benchmark (`benches/sync.sh`): FEEDS subscriptions in 20 folders and ITEMS items
//! spread over them, one a minute until an hour ago, each with a body of about 1.5 KB; a share
//! read and one in 50 starred, as on a server in use. Prints its API URL on one line, then serves until killed.
//!
//! `cargo run --release --example greader_server -- FEEDS ITEMS [freshrss|miniflux] [UNREAD_PERCENT] [COUNTS_FILE]`
//! (COUNTS_FILE: "N METHOD /path" per endpoint requested so far, rewritten every 100 ms).

#[path = "../tests/common/greader.rs"]
mod greader;

use greader::{Flavor, GReaderServer};
use std::io::Write;

/// About 1.5 KB of article HTML, varied per item.
fn body(item: usize) -> String {
    let paragraph = "<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod \
        tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud \
        exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.</p>";
    format!(
        "<p>Item {item}: what happened today.</p>{paragraph}{paragraph}{paragraph}{paragraph}\
         <p><a href=\"http://127.0.0.1:9/more/{item}\">Read more</a></p>{paragraph}{paragraph}"
    )
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage =
        "usage: greader_server FEEDS ITEMS [freshrss|miniflux] [UNREAD_PERCENT] [COUNTS_FILE]";
    let (Some(feeds), Some(items)) = (args.first(), args.get(1)) else {
        anyhow::bail!(usage);
    };
    let feeds: usize = feeds.parse()?;
    let items: usize = items.parse()?;
    let flavor = match args.get(2).map(String::as_str) {
        None | Some("freshrss") => Flavor::FreshRss,
        Some("miniflux") => Flavor::Miniflux,
        Some(other) => anyhow::bail!("unknown flavor {other}; {usage}"),
    };
    let unread_percent: usize = args.get(3).map_or(Ok(100), |p| p.parse())?;
    anyhow::ensure!(feeds > 0, "{usage}");
    let server = GReaderServer::start(flavor);
    let feed_ids: Vec<u64> = (0..feeds)
        .map(|f| {
            server.add_feed(
                &format!("Feed {f:04}"),
                Some(&format!("Folder {:02}", f % 20)),
            )
        })
        .collect();
    for i in 0..items {
        // One item a minute until an hour ago: published and crawled in the past.
        let age = 60 * (items - i) as i64 + 3_600;
        let id = server.add_item(
            feed_ids[i % feeds],
            &format!("Item {i:05} of feed {:04}", i % feeds),
            age,
        );
        server.set_crawled_ago(id, age);
        server.set_body(id, body(i));
        // Spread the unread and starred items over the whole list.
        let read = i % 100 >= unread_percent;
        server.set_state(id, read, i % 50 == 0);
    }
    println!("{}", server.api_url());
    std::io::stdout().flush()?;
    let counts_file = args.get(4).cloned();
    loop {
        std::thread::sleep(std::time::Duration::from_millis(100));
        if let Some(path) = &counts_file {
            let mut counts = std::collections::BTreeMap::<String, usize>::new();
            for line in server.log() {
                *counts.entry(line).or_default() += 1;
            }
            let text: String = counts.iter().map(|(k, n)| format!("{n} {k}\n")).collect();
            std::fs::write(format!("{path}.tmp"), text)?;
            std::fs::rename(format!("{path}.tmp"), path)?;
        }
    }
}
