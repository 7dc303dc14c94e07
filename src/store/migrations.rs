//! Numbered schema migrations, applied in order inside one transaction each; the schema
//! version lives in `PRAGMA user_version`.

use crate::error::StoreError;
use rusqlite::Connection;
use std::path::Path;

/// Migration N (1-based) brings the schema from version N-1 to N.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_feed_read_index.sql"),
    include_str!("migrations/0003_retry_after_and_kept_starred.sql"),
    include_str!("migrations/0004_sync.sql"),
    include_str!("migrations/0005_feed_counts.sql"),
    include_str!("migrations/0006_sync_switching.sql"),
    include_str!("migrations/0007_query_full_text.sql"),
    include_str!("migrations/0008_feeds_duplicates.sql"),
    include_str!("migrations/0009_feeds_settings.sql"),
    include_str!("migrations/0010_query_url_non_ascii.sql"),
    include_str!("migrations/0011_query_time_keyed_index.sql"),
    include_str!("migrations/0012_query_span_keyed_index.sql"),
    include_str!("migrations/0013_query_index_write_settings.sql"),
    include_str!("migrations/0014_cold_batch_upkeep.sql"),
    include_str!("migrations/0015_cold_fewer_item_indexes.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Bring the database up to [`SCHEMA_VERSION`]; refuse one written by a newer kiosque.
pub fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    migrate_to(conn, path, SCHEMA_VERSION)
}

/// The first line of a migration's part that fills an index from the rows already there
/// (`-- fill NAME`), and the line that ends it (`-- end fill NAME`).
const FILL_START: &str = "-- fill ";
const FILL_END: &str = "-- end fill ";

/// The names of the indexes a script fills.
fn filled_indexes(script: &str) -> Vec<&str> {
    script
        .lines()
        .filter_map(|line| line.strip_prefix(FILL_START))
        .filter_map(|rest| rest.split_whitespace().next())
        .collect()
}

/// `script` without its parts filling the index `name` (the lines from `-- fill NAME` to
/// `-- end fill NAME`).
fn without_fill(script: &str, name: &str) -> String {
    let mut kept = String::with_capacity(script.len());
    let mut skipping = false;
    for line in script.lines() {
        let names = |prefix: &str| {
            line.strip_prefix(prefix)
                .and_then(|rest| rest.split_whitespace().next())
                == Some(name)
        };
        if !skipping && names(FILL_START) {
            skipping = true;
        } else if skipping && names(FILL_END) {
            skipping = false;
        } else if !skipping {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    kept
}

/// The scripts that bring schema `current` to `target`, each with the version it makes. An
/// index that a later script of the same upgrade drops and fills again is filled only there
/// (schema 10 to 12 built the full-text index twice: 0011, then 0012; below 7, three times).
fn upgrade_scripts(current: i64, target: i64) -> Vec<(i64, String)> {
    let chosen: Vec<(i64, &str)> = MIGRATIONS
        .iter()
        .enumerate()
        .skip(usize::try_from(current).unwrap_or(0))
        .take(usize::try_from(target - current).unwrap_or(0))
        .map(|(index, script)| (index as i64 + 1, *script))
        .collect();
    chosen
        .iter()
        .enumerate()
        .map(|(at, (version, script))| {
            let mut text = (*script).to_string();
            for name in filled_indexes(script) {
                let filled_later = chosen[at + 1..]
                    .iter()
                    .any(|(_, later)| filled_indexes(later).contains(&name));
                if filled_later {
                    text = without_fill(&text, name);
                }
            }
            (*version, text)
        })
        .collect()
}

/// Bring the database up to `target` (tests build older schemas with it).
pub(super) fn migrate_to(
    conn: &mut Connection,
    path: &Path,
    target: i64,
) -> Result<(), StoreError> {
    let locked =
        |source: rusqlite::Error| super::write_error(Some(path), "migrating the schema", source);
    let current: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(locked)?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            found: current,
            known: SCHEMA_VERSION,
        });
    }
    for (version, script) in upgrade_scripts(current, target) {
        let tx = conn.transaction().map_err(locked)?;
        tx.execute_batch(&script).map_err(locked)?;
        tx.pragma_update(None, "user_version", version)
            .map_err(locked)?;
        tx.commit().map_err(locked)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::functions::FunctionFlags;
    use rusqlite::{OptionalExtension, params};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A database left at schema `version` with three items (one about emulation), and a
    /// count of the item texts the full-text index asks for from then on.
    fn database_at(version: i64) -> (tempfile::TempDir, Connection, Arc<AtomicUsize>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosque.db");
        let mut conn = Connection::open(&path).unwrap();
        crate::query::search_index::register_functions(&conn).unwrap();
        migrate_to(&mut conn, &path, version).unwrap();
        conn.execute_batch(
            "INSERT INTO feeds (id, url, added_at) VALUES (1, 'https://a.example/f', 0);
             INSERT INTO items (feed_id, dedupe_key, title, search_title, first_seen,
                                sort_time, last_seen, summary_html, url)
             VALUES (1, 'x', 'One', 'one', 0, 1700000000, 0, '<p>Émulation of x86</p>',
                     'https://a.example/1'),
                    (1, 'y', 'Two', 'two', 0, 1700000100, 0, '<p>Other news</p>',
                     'https://a.example/2'),
                    (1, 'z', 'Three', 'three', 0, 1700000200, 0, NULL, NULL);",
        )
        .unwrap();
        let texts = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&texts);
        conn.create_scalar_function(
            crate::query::search_index::ITEM_TEXT_FUNCTION,
            2,
            FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
            move |ctx| {
                counted.fetch_add(1, Ordering::SeqCst);
                let summary: Option<String> = ctx.get(0)?;
                let content: Option<String> = ctx.get(1)?;
                Ok(crate::query::search_index::item_text(
                    summary.as_deref(),
                    content.as_deref(),
                ))
            },
        )
        .unwrap();
        (dir, conn, texts)
    }

    /// The titles of the first ten items a query finds, newest first.
    fn titles_found(store: &super::super::Store, q: &str) -> Vec<String> {
        store
            .items(
                &crate::store::ItemFilter {
                    query: Some(crate::query::Query::parse(q).unwrap()),
                    ..Default::default()
                },
                0,
                10,
            )
            .unwrap()
            .into_iter()
            .map(|i| i.title)
            .collect()
    }

    fn upgrade_builds_the_index_once_and_it_answers(from: i64) {
        let (dir, mut conn, texts) = database_at(from);
        let path = dir.path().join("kiosque.db");
        migrate_to(&mut conn, &path, SCHEMA_VERSION).unwrap();
        assert_eq!(
            texts.load(Ordering::SeqCst),
            3,
            "from schema {from}: each item's text indexed once"
        );
        drop(conn);
        let store = super::super::Store::open(&path).unwrap();
        let found = |q: &str| titles_found(&store, q);
        assert_eq!(found("emulation"), ["One"], "from schema {from}");
        assert_eq!(found("news OR x86"), ["Two", "One"], "from schema {from}");
        assert_eq!(found("url:a.example/2"), ["Two"], "from schema {from}");
    }

    #[test]
    fn an_upgrade_from_schema_10_builds_the_full_text_index_once() {
        upgrade_builds_the_index_once_and_it_answers(10);
    }

    #[test]
    fn an_upgrade_from_before_the_full_text_index_builds_it_once() {
        upgrade_builds_the_index_once_and_it_answers(6);
    }

    #[test]
    fn an_upgrade_from_schema_12_keeps_the_index_and_sets_how_fts5_writes_it() {
        let (dir, mut conn, texts) = database_at(12);
        let path = dir.path().join("kiosque.db");
        migrate_to(&mut conn, &path, SCHEMA_VERSION).unwrap();
        assert_eq!(texts.load(Ordering::SeqCst), 0, "the index was built again");
        let setting = |key: &str| -> Option<i64> {
            conn.query_row("SELECT v FROM items_fts_config WHERE k = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
            .unwrap()
        };
        assert_eq!(setting("hashsize"), Some(4 << 20));
        assert_eq!(setting("automerge"), Some(8));
        // The index the items were written into before the upgrade still answers, and rows
        // written after it are found beside them.
        conn.execute_batch(
            "INSERT INTO items (feed_id, dedupe_key, title, search_title, first_seen,
                                sort_time, last_seen, summary_html)
             VALUES (1, 'w', 'Four', 'four', 0, 1700000300, 0, '<p>Émulateur</p>');",
        )
        .unwrap();
        drop(conn);
        let store = super::super::Store::open(&path).unwrap();
        let found = |q: &str| titles_found(&store, q);
        assert_eq!(found("emulation"), ["One"]);
        assert_eq!(found("emul"), ["Four", "One"]);
        assert_eq!(found("news OR x86"), ["Two", "One"]);
    }

    #[test]
    fn schema_15_drops_the_feed_and_url_index_and_the_polled_copy_lookup_keeps_an_index() {
        let (dir, mut conn, _) = database_at(14);
        let path = dir.path().join("kiosque.db");
        migrate_to(&mut conn, &path, SCHEMA_VERSION).unwrap();
        let indexes: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'items'")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(indexes.iter().any(|i| i == "items_by_url"), "{indexes:?}");
        assert!(
            !indexes.iter().any(|i| i == "items_by_feed_url"),
            "{indexes:?}"
        );
        // sync.rs: the polled copy of a link in a feed.
        let lookup = "SELECT id, read, starred FROM items
                      WHERE feed_id = ?1 AND url = ?2 AND server_id IS NULL ORDER BY id LIMIT 1";
        let plan: String = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {lookup}"))
            .unwrap()
            .query_map(params![1, "https://a.example/2"], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap()
            .join("; ");
        assert!(plan.contains("USING INDEX items_by_url (url=?)"), "{plan}");
        let found: i64 = conn
            .query_row(lookup, params![1, "https://a.example/2"], |r| r.get(0))
            .unwrap();
        let title: String = conn
            .query_row("SELECT title FROM items WHERE id = ?1", [found], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(title, "Two");
    }

    #[test]
    fn a_fill_is_left_out_only_when_a_later_script_of_the_upgrade_fills_the_same_index() {
        let fills = |from, to| {
            upgrade_scripts(from, to)
                .into_iter()
                .filter(|(_, s)| !filled_indexes(s).is_empty())
                .map(|(v, _)| v)
                .collect::<Vec<_>>()
        };
        // Stopping at 11 keeps 11's fill; going on to 12 leaves only 12's.
        assert_eq!(fills(10, 11), [11]);
        assert_eq!(fills(10, 12), [12]);
        assert_eq!(fills(0, 12), [12]);
        // 13 only sets how FTS5 writes: the index 12 built stays.
        assert_eq!(fills(0, 13), [12]);
        assert_eq!(fills(12, 13), Vec::<i64>::new());
        assert_eq!(fills(6, 7), [7]);
        let script = "a;\n-- fill x (why)\nINSERT x;\n-- end fill x\n-- fill y\nINSERT y;\n-- end fill y\nb;\n";
        assert_eq!(
            without_fill(script, "x"),
            "a;\n-- fill y\nINSERT y;\n-- end fill y\nb;\n"
        );
        assert_eq!(filled_indexes(script), ["x", "y"]);
    }
}
