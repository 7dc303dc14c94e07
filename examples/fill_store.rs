//! Fill a data directory with N synthetic items (for `benches/first_screen.sh`):
//! `cargo run --release --example fill_store -- DATA_DIR N [FEEDS]` (FEEDS defaults to 50).

use kiosque::store::{NewFeed, Store};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(n)) = (args.next(), args.next()) else {
        anyhow::bail!("usage: fill_store DATA_DIR N [FEEDS]");
    };
    let n: usize = n.parse()?;
    // Spread over 50 feeds by default, as a small real list would be.
    let feeds: usize = args.next().map(|f| f.parse()).transpose()?.unwrap_or(50);
    anyhow::ensure!(feeds > 0, "FEEDS must be at least 1");
    std::fs::create_dir_all(&dir)?;
    let mut store = Store::open(&std::path::Path::new(&dir).join("kiosque.db"))?;
    for f in 0..feeds {
        let id = store.add_feed(
            &NewFeed {
                url: format!("http://127.0.0.1:9/feed/{f}"),
                title: Some(format!("Synthetic feed {f}")),
                ..Default::default()
            },
            chrono::Utc::now(),
        )?;
        // The remainder goes to the first feeds, so the total is exactly N.
        let share = n / feeds + usize::from(f < n % feeds);
        store.insert_test_items(id, share)?;
    }
    println!("{n} items over {feeds} feeds in {dir}");
    Ok(())
}
