//! Fill a data directory with N synthetic items (for `benches/first_screen.sh`):
//! `cargo run --release --example fill_store -- DATA_DIR N`.

use kiosque::store::{NewFeed, Store};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(n)) = (args.next(), args.next()) else {
        anyhow::bail!("usage: fill_store DATA_DIR N");
    };
    let n: usize = n.parse()?;
    std::fs::create_dir_all(&dir)?;
    let mut store = Store::open(&std::path::Path::new(&dir).join("kiosque.db"))?;
    // Spread over 50 feeds, as a real list would be.
    let feeds = 50;
    for f in 0..feeds {
        let id = store.add_feed(
            &NewFeed {
                url: format!("http://127.0.0.1:9/feed/{f}"),
                title: Some(format!("Synthetic feed {f}")),
                ..Default::default()
            },
            chrono::Utc::now(),
        )?;
        store.insert_test_items(id, n / feeds)?;
    }
    println!("{n} items in {dir}");
    Ok(())
}
