//! Duplicates across feeds in the store: an item inserted with the canonical URL of an item
//! of another feed, or its normalised title within 48 hours, joins that item's group
//! (`items.dup_group`, the id of the group's first item). Mixed lists show one copy per
//! group; reading one marks every copy.

use super::{Store, write_error};
use crate::duplicates::TITLE_WINDOW_SECS;
use crate::error::{StoreError, sql};
use crate::model::{FeedId, ItemId};
use rusqlite::{OptionalExtension, params};
use std::collections::HashSet;

/// Put a newly inserted item into the group of its first copy in another feed, if it has one.
/// A copy arriving after the story was read arrives read. Returns whether it found a copy.
/// Only items inserted before it (smaller ids) are copies it can join: a batch inserts all
/// its items first and links them in order after, and gets the groups one by one gives.
pub(crate) fn link_copy(
    tx: &rusqlite::Transaction<'_>,
    item: i64,
    feed: i64,
    url_key: Option<&str>,
    title_key: Option<&str>,
    sort_time: i64,
    now: i64,
) -> Result<bool, StoreError> {
    let title: Option<String> = match url_key {
        Some(_) => Some(
            tx.prepare_cached("SELECT title FROM items WHERE id = ?1")
                .map_err(sql("preparing a duplicate lookup"))?
                .query_row([item], |r| r.get(0))
                .map_err(sql("looking up duplicates"))?,
        ),
        None => None,
    };
    let new = NewCopy {
        item,
        feed,
        title: title.as_deref().unwrap_or(""),
        url_key,
        title_key,
        sort_time,
    };
    link_new_copy(tx, &new, now)
}

/// A newly inserted item as [`link_new_copy`] compares it with the items before it.
pub(crate) struct NewCopy<'a> {
    pub item: i64,
    pub feed: i64,
    /// Its title as stored (compared with the candidates of its URL key).
    pub title: &'a str,
    pub url_key: Option<&'a str>,
    pub title_key: Option<&'a str>,
    pub sort_time: i64,
}

/// [`link_copy`] for a caller that has the item's stored title in hand (a refresh batch: no
/// read of the row it has just written).
pub(crate) fn link_new_copy(
    tx: &rusqlite::Transaction<'_>,
    new: &NewCopy<'_>,
    now: i64,
) -> Result<bool, StoreError> {
    let &NewCopy {
        item,
        feed,
        title,
        url_key,
        title_key,
        sort_time,
    } = new;
    let mut group: Option<i64> = None;
    if let Some(key) = url_key {
        // The same address with an unrelated title is another story at that address.
        let mut stmt = tx
            .prepare_cached(
                "SELECT coalesce(dup_group, id), title FROM items
                 WHERE url_key = ?1 AND feed_id != ?2 AND id < ?3 LIMIT 50",
            )
            .map_err(sql("preparing a duplicate lookup"))?;
        let candidates = stmt
            .query_map(params![key, feed, item], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(sql("looking up duplicates"))?;
        for candidate in candidates {
            let (candidate_group, candidate_title) =
                candidate.map_err(sql("looking up duplicates"))?;
            if crate::duplicates::titles_agree(title, &candidate_title) {
                group = Some(candidate_group);
                break;
            }
        }
    }
    if group.is_none()
        && let Some(key) = title_key
    {
        group = tx
            .prepare_cached(
                "SELECT coalesce(dup_group, id) FROM items
                 WHERE title_key = ?1 AND sort_time BETWEEN ?2 AND ?3
                   AND feed_id != ?4 AND id < ?5 LIMIT 1",
            )
            .map_err(sql("preparing a duplicate lookup"))?
            .query_row(
                params![
                    key,
                    sort_time - TITLE_WINDOW_SECS,
                    sort_time + TITLE_WINDOW_SECS,
                    feed,
                    item
                ],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql("looking up duplicates"))?;
    }
    let Some(group) = group else {
        return Ok(false);
    };
    tx.prepare_cached("UPDATE items SET dup_group = ?1 WHERE id IN (?1, ?2)")
        .map_err(sql("preparing a duplicate link"))?
        .execute(params![group, item])
        .map_err(sql("linking duplicates"))?;
    // Reading marks every copy: the group's first item says whether the story was read.
    tx.prepare_cached(
        "UPDATE items SET read = 1, read_at = ?3 WHERE id = ?2 AND read = 0
         AND (SELECT read FROM items WHERE id = ?1) = 1",
    )
    .map_err(sql("preparing a duplicate link"))?
    .execute(params![group, item, now])
    .map_err(sql("linking duplicates"))?;
    Ok(true)
}

/// `ids` and every copy of them in other feeds, each once, `ids` first.
pub(crate) fn with_copies(
    conn: &rusqlite::Connection,
    ids: &[ItemId],
) -> Result<Vec<ItemId>, StoreError> {
    let mut out: Vec<ItemId> = ids.to_vec();
    let mut seen: HashSet<ItemId> = ids.iter().copied().collect();
    let mut stmt = conn
        .prepare_cached(
            "SELECT d.id FROM items i JOIN items d ON d.dup_group = i.dup_group
             WHERE i.id = ?1 AND i.dup_group IS NOT NULL AND d.id != i.id",
        )
        .map_err(sql("preparing a duplicate lookup"))?;
    for id in ids {
        let copies = stmt
            .query_map([id.0], |r| Ok(ItemId(r.get(0)?)))
            .map_err(sql("looking up duplicates"))?;
        for copy in copies {
            let copy = copy.map_err(sql("looking up duplicates"))?;
            if seen.insert(copy) {
                out.push(copy);
            }
        }
    }
    Ok(out)
}

/// One group of copies, as the measurement lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateCopy {
    pub item: ItemId,
    pub feed: FeedId,
    pub feed_title: String,
    pub title: String,
    pub url: Option<String>,
    /// Which key joined it: "url", "title", or "first" for the group's first item.
    pub matched_by: &'static str,
}

impl Store {
    /// Every group of copies, first item first (for `examples/duplicates.rs`).
    pub fn duplicate_groups(&self) -> Result<Vec<Vec<DuplicateCopy>>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT i.dup_group, i.id, i.feed_id, f.title, i.title, i.url,
                        CASE WHEN i.id = i.dup_group THEN 'first'
                             WHEN i.url_key IS NOT NULL AND i.url_key =
                                  (SELECT g.url_key FROM items g WHERE g.id = i.dup_group)
                             THEN 'url' ELSE 'title' END
                 FROM items i JOIN feeds f ON f.id = i.feed_id
                 WHERE i.dup_group IS NOT NULL ORDER BY i.dup_group, i.id",
            )
            .map_err(sql("listing duplicates"))?;
        let rows = stmt
            .query_map([], |r| {
                let how: String = r.get(6)?;
                Ok((
                    r.get::<_, i64>(0)?,
                    DuplicateCopy {
                        item: ItemId(r.get(1)?),
                        feed: FeedId(r.get(2)?),
                        feed_title: r.get(3)?,
                        title: r.get(4)?,
                        url: r.get(5)?,
                        matched_by: match how.as_str() {
                            "first" => "first",
                            "url" => "url",
                            _ => "title",
                        },
                    },
                ))
            })
            .map_err(sql("listing duplicates"))?;
        let mut groups: Vec<Vec<DuplicateCopy>> = Vec::new();
        let mut current: Option<i64> = None;
        for row in rows {
            let (group, copy) = row.map_err(sql("listing duplicates"))?;
            if current != Some(group) {
                groups.push(Vec::new());
                current = Some(group);
            }
            if let Some(last) = groups.last_mut() {
                last.push(copy);
            }
        }
        groups.retain(|g| g.len() > 1);
        Ok(groups)
    }

    /// Compute the duplicate keys of items stored before schema 6 and group them, oldest
    /// first, in one transaction (once, when the migration ran on a database with items).
    pub(super) fn backfill_duplicate_keys(&mut self) -> Result<(), StoreError> {
        let busy_path = self.path.clone();
        let tx = self
            .conn
            .transaction()
            .map_err(sql("starting a transaction"))?;
        let rows: Vec<(i64, i64, String, Option<String>, i64)> = {
            let mut stmt = tx
                .prepare(
                    "SELECT id, feed_id, title, url, sort_time FROM items
                     WHERE title_key IS NULL AND url_key IS NULL ORDER BY id",
                )
                .map_err(sql("reading items to key"))?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .map_err(sql("reading items to key"))?;
            rows.collect::<Result<_, _>>()
                .map_err(sql("reading items to key"))?
        };
        let now = chrono::Utc::now().timestamp();
        for (id, feed, title, url, sort_time) in rows {
            let url_key = url.as_deref().and_then(crate::duplicates::canonical_url);
            let title_key = crate::duplicates::title_key(&title);
            tx.prepare_cached("UPDATE items SET url_key = ?2, title_key = ?3 WHERE id = ?1")
                .map_err(sql("preparing a key update"))?
                .execute(params![id, url_key, title_key])
                .map_err(|e| write_error(busy_path.as_deref(), "keying items", e))?;
            link_copy(
                &tx,
                id,
                feed,
                url_key.as_deref(),
                title_key.as_deref(),
                sort_time,
                now,
            )?;
        }
        tx.commit()
            .map_err(|e| write_error(busy_path.as_deref(), "keying items", e))?;
        Ok(())
    }
}
