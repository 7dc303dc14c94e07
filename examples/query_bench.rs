//! In-process timings of the query language on a data directory (for `benches/query.sh`):
//!
//! `query_bench time DATA_DIR RUNS QUERY...`: for each query, the median time of its first page
//! (50 rows, newest first) and of the count plus the first page (what the TUI's first screen of
//! a search asks), over RUNS runs after one warm-up.
//! `query_bench sizes DATA_DIR`: the database's size vacuumed, with and without the full-text
//! index (its FTS5 tables and the URL indexes that the article triggers and `url:` use dropped
//! from a copy).
//! `query_bench options DATA_DIR`: what FTS5's options cost or save: the item index built again
//! from the same texts in each variant (detail, keys, 'optimize', prefix indexes, a trigram
//! index of URLs), each alone in a fresh file, with its size and build time.

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

/// One way to build an index of the items' texts (see [`options`]).
struct Variant {
    name: &'static str,
    /// The FTS5 table's columns and options.
    table: &'static str,
    /// The row of an item: `key` (its list-order key) or `id`.
    rowid: &'static str,
    /// The columns inserted (from the table of texts `src`).
    columns: &'static str,
    optimize: bool,
}

fn options(dir: &Path) -> anyhow::Result<()> {
    let tmp = tempfile::tempdir_in(std::env::var_os("TMPDIR").unwrap_or_else(|| "/tmp".into()))?;
    // Keys are computed here (sort time in the high bits, from 1970 on): not through the
    // store's function, so that every variant can be compared with schema 11's.
    // The texts (and each variant) are written beside; the store is only read.
    let conn = rusqlite::Connection::open(tmp.path().join("texts.db"))?;
    kiosque::query::search_index::register_functions(&conn)?;
    let store_uri = format!("file:{}?mode=ro", dir.join("kiosque.db").display());
    conn.execute("ATTACH ?1 AS d", [store_uri])?;
    let t = Instant::now();
    conn.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
         CREATE TABLE main.src (key INTEGER PRIMARY KEY, id INTEGER NOT NULL, title TEXT,
                             author TEXT, body TEXT, article TEXT, url TEXT);
         INSERT INTO main.src SELECT sort_time * 2147483648 + id, id, title,
             coalesce(author, ''), kiosque_item_text(summary_html, content_html),
             coalesce((SELECT kiosque_article_text(a.json) FROM d.articles a
                       WHERE a.url = items.url), ''),
             kiosque_fold(coalesce(url, ''))
         FROM d.items;
         CREATE INDEX main.src_by_id ON src (id);",
    )?;
    println!(
        "texts of the items gathered in {:.1} s; each variant built from them in the order of its rows",
        t.elapsed().as_secs_f64()
    );
    const TEXT: &str = "title, author, body, article, content = '', contentless_delete = 1, \
                        tokenize = 'unicode61 remove_diacritics 2'";
    let variant = |name, table, rowid, optimize| Variant {
        name,
        table,
        rowid,
        columns: "title, author, body, article",
        optimize,
    };
    let variants = [
        variant("schema 11: detail=full, time keys", TEXT, "key", false),
        variant("schema 11 + 'optimize'", TEXT, "key", true),
        variant("detail=full, item ids as rows", TEXT, "id", false),
        variant(
            "detail=full, keys of 17-minute spans of time",
            TEXT,
            "(((key >> 31) >> 10) << 31) + id",
            false,
        ),
        variant(
            "detail=full, keys of 68-minute spans of time (schema 12)",
            TEXT,
            "(((key >> 31) >> 12) << 31) + id",
            false,
        ),
        variant(
            "detail=full, keys of 18-hour spans of time",
            TEXT,
            "(((key >> 31) >> 16) << 31) + id",
            false,
        ),
        Variant {
            name: "detail=column, time keys",
            table: "title, author, body, article, content = '', contentless_delete = 1, \
                    tokenize = 'unicode61 remove_diacritics 2', detail = column",
            rowid: "key",
            columns: "title, author, body, article",
            optimize: false,
        },
        Variant {
            name: "detail=none, time keys",
            table: "title, author, body, article, content = '', contentless_delete = 1, \
                    tokenize = 'unicode61 remove_diacritics 2', detail = none",
            rowid: "key",
            columns: "title, author, body, article",
            optimize: false,
        },
        Variant {
            name: "detail=full, time keys, prefix='2 3'",
            table: "title, author, body, article, content = '', contentless_delete = 1, \
                    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'",
            rowid: "key",
            columns: "title, author, body, article",
            optimize: false,
        },
        Variant {
            name: "URLs folded, trigram, detail=none, item ids",
            table: "url, content = '', contentless_delete = 1, \
                    tokenize = 'trigram case_sensitive 1', detail = none",
            rowid: "id",
            columns: "url",
            optimize: false,
        },
        Variant {
            name: "URLs folded, trigram, detail=none, time keys",
            table: "url, content = '', contentless_delete = 1, \
                    tokenize = 'trigram case_sensitive 1', detail = none",
            rowid: "key",
            columns: "url",
            optimize: false,
        },
        Variant {
            name: "URLs folded, trigram, detail=full, item ids",
            table: "url, content = '', contentless_delete = 1, \
                    tokenize = 'trigram case_sensitive 1'",
            rowid: "id",
            columns: "url",
            optimize: false,
        },
    ];
    let only: Vec<String> = std::env::var("VARIANTS")
        .map(|v| v.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    println!("| index | MiB | build s |");
    println!("|---|---:|---:|");
    for (i, v) in variants.iter().enumerate() {
        if !only.is_empty() && !only.contains(&(i + 1).to_string()) {
            continue;
        }
        let file = tmp.path().join(format!("v{i}.db"));
        conn.execute("ATTACH ?1 AS v", [file.to_string_lossy()])?;
        let t = Instant::now();
        conn.execute_batch(&format!(
            "PRAGMA v.journal_mode = OFF; PRAGMA v.synchronous = OFF;
             CREATE VIRTUAL TABLE v.x USING fts5({});
             INSERT INTO v.x (rowid, {}) SELECT {}, {} FROM main.src ORDER BY {};",
            v.table, v.columns, v.rowid, v.columns, v.rowid
        ))?;
        if v.optimize {
            conn.execute_batch("INSERT INTO v.x (x) VALUES ('optimize');")?;
        }
        let secs = t.elapsed().as_secs_f64();
        conn.execute_batch("DETACH v")?;
        let size = std::fs::metadata(&file)?.len();
        std::fs::remove_file(&file)?;
        println!(
            "| {} | {:.1} | {secs:.1} |",
            v.name,
            size as f64 / (1024.0 * 1024.0)
        );
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [mode, dir, runs, queries @ ..] if mode == "time" => {
            time(Path::new(dir), runs.parse()?, queries)
        }
        [mode, dir] if mode == "sizes" => sizes(Path::new(dir)),
        [mode, dir] if mode == "options" => options(Path::new(dir)),
        _ => anyhow::bail!(
            "usage: query_bench time DATA_DIR RUNS QUERY... | sizes DATA_DIR | options DATA_DIR"
        ),
    }
}
