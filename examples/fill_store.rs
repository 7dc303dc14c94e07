//! Fill a data directory with N synthetic items (for `benches/first_screen.sh`):
//! `cargo run --release --example fill_store -- DATA_DIR N [FEEDS]` (FEEDS defaults to 50).

use kiosque::store::Store;

#[path = "support/synthetic_store.rs"]
mod synthetic_store;
use synthetic_store::fill_synthetic;

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
    fill_synthetic(&mut store, n, feeds)?;
    println!("{n} items over {feeds} feeds in {dir}");
    Ok(())
}
