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
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Bring the database up to [`SCHEMA_VERSION`]; refuse one written by a newer kiosque.
pub fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    migrate_to(conn, path, SCHEMA_VERSION)
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
    for (index, script) in MIGRATIONS
        .iter()
        .enumerate()
        .skip(usize::try_from(current).unwrap_or(0))
        .take(usize::try_from(target - current).unwrap_or(0))
    {
        let version = index as i64 + 1;
        let tx = conn.transaction().map_err(locked)?;
        tx.execute_batch(script).map_err(locked)?;
        tx.pragma_update(None, "user_version", version)
            .map_err(locked)?;
        tx.commit().map_err(locked)?;
    }
    Ok(())
}
