//! In-process timings of the query language on a data directory (for `benches/query.sh`):
//!
//! `query_bench time DATA_DIR RUNS QUERY...`: for each query, the median time of its first page
//! (50 rows, newest first) and of the count plus the first page (what the TUI's first screen of
//! a search asks), over RUNS runs after one warm-up.
//! `query_bench sizes DATA_DIR`: the database's size vacuumed, with and without the full-text
//! index (its FTS5 tables and the URL indexes that the article triggers and `url:` use dropped
//! from a copy).

use kiosque::query::Query;
use kiosque::store::{ItemFilter, Store};
use std::path::Path;
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn time(dir: &Path, runs: usize, queries: &[String]) -> anyhow::Result<()> {
    println!(
        "| query | rows on page 1 | matches | first page ms, fresh connection | first page ms | count + first page ms |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for text in queries {
        let filter = ItemFilter {
            query: Some(Query::parse(text)?),
            ..Default::default()
        };
        // What `kiosque items --query` pays: a new connection's first statement.
        let t = Instant::now();
        let store = Store::open(&dir.join("kiosque.db"))?;
        let rows = store.items(&filter, 0, 50)?.len();
        let fresh = t.elapsed().as_secs_f64() * 1e3;
        let total = store.count_items(&filter)?;
        let mut page = Vec::new();
        let mut both = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            store.items(&filter, 0, 50)?;
            page.push(t.elapsed().as_secs_f64() * 1e3);
            let t = Instant::now();
            store.count_items(&filter)?;
            store.items(&filter, 0, 50)?;
            both.push(t.elapsed().as_secs_f64() * 1e3);
        }
        println!(
            "| `{text}` | {rows} | {total} | {fresh:.1} | {:.1} | {:.1} |",
            median(page),
            median(both)
        );
    }
    Ok(())
}

fn vacuumed_size(path: &Path) -> anyhow::Result<u64> {
    let conn = rusqlite::Connection::open(path)?;
    conn.execute_batch("PRAGMA journal_mode = DELETE; VACUUM;")?;
    drop(conn);
    Ok(std::fs::metadata(path)?.len())
}

fn sizes(dir: &Path) -> anyhow::Result<()> {
    // Everything written so far goes into the main file first.
    {
        let store = Store::open(&dir.join("kiosque.db"))?;
        drop(store);
        let conn = rusqlite::Connection::open(dir.join("kiosque.db"))?;
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
    }
    let tmp = tempfile::tempdir()?;
    let with = tmp.path().join("with.db");
    let without = tmp.path().join("without.db");
    std::fs::copy(dir.join("kiosque.db"), &with)?;
    std::fs::copy(dir.join("kiosque.db"), &without)?;
    {
        let conn = rusqlite::Connection::open(&without)?;
        conn.execute_batch(
            "DROP TABLE items_fts; DROP TABLE feeds_fts; DROP INDEX items_by_url;
             DROP INDEX IF EXISTS items_by_non_ascii_url;",
        )?;
    }
    let (w, wo) = (vacuumed_size(&with)?, vacuumed_size(&without)?);
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    println!(
        "database vacuumed: {:.1} MiB with the full-text index, {:.1} MiB without: +{:.1} %",
        mib(w),
        mib(wo),
        (w as f64 / wo as f64 - 1.0) * 100.0
    );
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [mode, dir, runs, queries @ ..] if mode == "time" => {
            time(Path::new(dir), runs.parse()?, queries)
        }
        [mode, dir] if mode == "sizes" => sizes(Path::new(dir)),
        _ => anyhow::bail!("usage: query_bench time DATA_DIR RUNS QUERY... | sizes DATA_DIR"),
    }
}
