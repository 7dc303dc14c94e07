//! In-process timings of the query language on a data directory (for `benches/query.sh`):
//!
//! `query_bench time DATA_DIR RUNS QUERY...`: for each query, the median time of its first page
//! (50 rows, newest first) and of the count plus the first page (what the TUI's first screen of
//! a search asks), over RUNS runs after one warm-up.
//! `query_bench sizes DATA_DIR`: the database's size vacuumed, with and without the full-text
//! index (its FTS5 tables, the URLs' trigram index and the URL indexes that the article
//! triggers and `url:` use dropped from a copy).
//! `query_bench options DATA_DIR`: what FTS5's options cost or save: the item index built again
//! from the same texts in each variant (detail, keys, 'optimize', prefix indexes, a trigram
//! index of URLs), each alone in a fresh file, with its size and build time.

//! `query_bench upkeep DATA_DIR N BATCH`: what keeping the indexes costs a refresh: the first
//! N items' texts written into fresh copies of the item and URL indexes, BATCH items per
//! transaction (a refresh commits each feed, ~35 items), against one transaction for all.
//! `query_bench sql DATA_DIR RUNS STATEMENT...`: each statement's first row and its median
//! time (a connection with the store's functions; to try a plan before writing it).

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
        for run in 0..runs {
            let t = Instant::now();
            store.items(&filter, 0, 50)?;
            page.push(t.elapsed().as_secs_f64() * 1e3);
            // The store remembers the last count of a filter until a write: each run counts
            // the same query told apart by its positions (leading spaces), so it is counted.
            let spaced = ItemFilter {
                query: Some(Query::parse(&format!("{}{text}", " ".repeat(run + 1)))?),
                ..Default::default()
            };
            let t = Instant::now();
            store.count_items(&spaced)?;
            store.items(&spaced, 0, 50)?;
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
             DROP INDEX IF EXISTS items_by_non_ascii_url; DROP TABLE IF EXISTS items_url;",
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

fn statements(dir: &Path, runs: usize, statements: &[String]) -> anyhow::Result<()> {
    let conn = rusqlite::Connection::open(dir.join("kiosque.db"))?;
    kiosque::query::search_index::register_functions(&conn)?;
    for text in statements {
        let mut stmt = conn.prepare(text)?;
        let columns = stmt.column_count();
        let mut times = Vec::new();
        let mut first = String::new();
        for run in 0..=runs {
            let t = Instant::now();
            let mut rows = stmt.query([])?;
            let mut n = 0usize;
            while let Some(row) = rows.next()? {
                if n == 0 && run == 0 {
                    first = (0..columns)
                        .map(|c| row.get_ref(c).map(|v| format!("{v:?}")).unwrap_or_default())
                        .collect::<Vec<_>>()
                        .join(" | ");
                }
                n += 1;
            }
            // RUNS = 0: the statement once (a write), its time.
            if run > 0 || runs == 0 {
                times.push(t.elapsed().as_secs_f64() * 1e3);
            }
        }
        println!("{:.1} ms | {first} | {text}", median(times));
    }
    Ok(())
}

/// CPU seconds (user + system) this process has used so far.
fn cpu_seconds() -> f64 {
    // SAFETY: getrusage writes the struct it is given and nothing else.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

fn upkeep(dir: &Path, n: usize, batch: usize) -> anyhow::Result<()> {
    let tmp = tempfile::tempdir_in(std::env::var_os("TMPDIR").unwrap_or_else(|| "/tmp".into()))?;
    let mut conn = rusqlite::Connection::open(tmp.path().join("upkeep.db"))?;
    kiosque::query::search_index::register_functions(&conn)?;
    let store_uri = format!("file:{}?mode=ro", dir.join("kiosque.db").display());
    conn.execute("ATTACH ?1 AS d", [store_uri])?;
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")?;
    let t = Instant::now();
    let rows: Vec<(i64, String, String, String, String)> = conn
        .prepare(
            "SELECT kiosque_fts_key(sort_time, id), title, coalesce(author, ''),
                    kiosque_item_text(summary_html, content_html), kiosque_fold(coalesce(url, ''))
             FROM d.items ORDER BY id LIMIT ?1",
        )?
        .query_map([n as i64], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<Result<_, _>>()?;
    println!(
        "{} items read and their HTML made text: {:.2} s",
        rows.len(),
        t.elapsed().as_secs_f64()
    );
    // UPKEEP_URL_OPTIONS=", detail = none": the URL index's options tried.
    let url_columns = format!(
        "url, content = '', contentless_delete = 1, tokenize = 'trigram case_sensitive 1'{}",
        std::env::var("UPKEEP_URL_OPTIONS").unwrap_or_default()
    );
    // UPKEEP_FTS_OPTIONS=", detail = column": the item index's options tried.
    let item_columns = format!(
        "title, author, body, article, content = '', contentless_delete = 1, \
         tokenize = 'unicode61 remove_diacritics 2'{}",
        std::env::var("UPKEEP_FTS_OPTIONS").unwrap_or_default()
    );
    let tables = [
        (
            "items_fts",
            item_columns.as_str(),
            "INSERT INTO main.items_fts (rowid, title, author, body, article) VALUES (?1, ?2, ?3, ?4, '')",
        ),
        (
            "items_url",
            url_columns.as_str(),
            "INSERT INTO main.items_url (rowid, url) VALUES (?1 % 2147483648, ?2)",
        ),
    ];
    // UPKEEP_STATEMENT=one: each transaction's rows written by one INSERT … SELECT in key
    // order from a staging table (what a refresh's batch does), not a statement per row (each
    // of those is a savepoint, where FTS5 writes its pending words out as a segment).
    let one_statement = std::env::var("UPKEEP_STATEMENT").is_ok_and(|v| v == "one");
    if one_statement {
        conn.execute_batch(
            "CREATE TEMP TABLE staged (ord INTEGER PRIMARY KEY, key INTEGER, title TEXT,
                                      author TEXT, body TEXT, url TEXT)",
        )?;
        let tx = conn.transaction()?;
        {
            let mut stage = tx.prepare(
                "INSERT INTO temp.staged (ord, key, title, author, body, url)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for (ord, (key, title, author, body, url)) in rows.iter().enumerate() {
                stage.execute(rusqlite::params![ord as i64, key, title, author, body, url])?;
            }
        }
        tx.commit()?;
    }
    // UPKEEP_ONLY=items_fts: one of the indexes only; UPKEEP_SIZES=batch: the batched write only.
    let only = std::env::var("UPKEEP_ONLY").unwrap_or_default();
    let batch_only = std::env::var("UPKEEP_SIZES").is_ok_and(|v| v == "batch");
    for (name, columns, insert) in tables {
        if !only.is_empty() && only != name {
            continue;
        }
        let sizes = if batch_only {
            vec![batch.max(1)]
        } else {
            vec![rows.len().max(1), batch.max(1)]
        };
        for size in sizes {
            conn.execute_batch(&format!(
                "DROP TABLE IF EXISTS main.{name}; CREATE VIRTUAL TABLE main.{name} USING fts5({columns});"
            ))?;
            // UPKEEP_CONFIG="automerge=8,crisismerge=16": FTS5 settings tried on both.
            for setting in std::env::var("UPKEEP_CONFIG")
                .unwrap_or_default()
                .split(',')
            {
                if let Some((key, value)) = setting.split_once('=') {
                    conn.execute(
                        &format!("INSERT INTO main.{name} ({name}, rank) VALUES (?1, ?2)"),
                        rusqlite::params![key, value.parse::<i64>()?],
                    )?;
                }
            }
            let t = Instant::now();
            let cpu = cpu_seconds();
            for (at, chunk) in rows.chunks(size).enumerate() {
                let tx = conn.transaction()?;
                if one_statement {
                    // As a refresh writes a batch: one statement, in key order.
                    let first = (at * size) as i64;
                    let sql = if name == "items_fts" {
                        "INSERT INTO main.items_fts (rowid, title, author, body, article)
                         SELECT key, title, author, body, '' FROM temp.staged
                         WHERE ord >= ?1 AND ord < ?2 ORDER BY key"
                    } else {
                        "INSERT INTO main.items_url (rowid, url)
                         SELECT key % 2147483648, url FROM temp.staged
                         WHERE ord >= ?1 AND ord < ?2 ORDER BY key"
                    };
                    tx.execute(sql, [first, first + chunk.len() as i64])?;
                    tx.commit()?;
                    continue;
                }
                {
                    let mut stmt = tx.prepare_cached(insert)?;
                    for (key, title, author, body, url) in chunk {
                        if name == "items_fts" {
                            stmt.execute(rusqlite::params![key, title, author, body])?;
                        } else {
                            stmt.execute(rusqlite::params![key, url])?;
                        }
                    }
                }
                tx.commit()?;
            }
            let secs = t.elapsed().as_secs_f64();
            let cpu = cpu_seconds() - cpu;
            let segments: i64 = conn.query_row(
                &format!("SELECT count(*) FROM main.{name}_idx WHERE pgno = 1 OR 1"),
                [],
                |r| r.get(0),
            )?;
            println!(
                "{name}: {} items, {size} per transaction: {secs:.2} s, {cpu:.2} CPU-s ({segments} index rows)",
                rows.len(),
            );
        }
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
        [mode, dir, runs, sql @ ..] if mode == "sql" => {
            statements(Path::new(dir), runs.parse()?, sql)
        }
        [mode, dir] if mode == "options" => options(Path::new(dir)),
        [mode, dir, n, batch] if mode == "upkeep" => {
            upkeep(Path::new(dir), n.parse()?, batch.parse()?)
        }
        _ => anyhow::bail!(
            "usage: query_bench time DATA_DIR RUNS QUERY... | sizes DATA_DIR | options DATA_DIR \
             | upkeep DATA_DIR N BATCH | sql DATA_DIR RUNS STATEMENT..."
        ),
    }
}
