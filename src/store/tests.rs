//! Store unit tests: migrations, upserts, read state, filters, paging, cache.

use super::*;
use crate::model::{ParsedFeed, ParsedItem};
use chrono::TimeZone;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap()
}

fn item(key: &str, title: &str, hours_ago: i64) -> ParsedItem {
    ParsedItem {
        dedupe_key: key.into(),
        title: title.into(),
        url: Some(format!("https://example.org/{key}")),
        author: None,
        published: Some(now() - chrono::Duration::hours(hours_ago)),
        summary_html: Some("<p>hi</p>".into()),
        content_html: None,
        enclosures: vec![],
    }
}

fn feed_with(store: &mut Store, url: &str, items: Vec<ParsedItem>) -> FeedId {
    // Items made by `item` link to a page of their own feed: the same key in two feeds is
    // two stories (tests of duplicates give their URLs with `story`).
    let items: Vec<ParsedItem> = items
        .into_iter()
        .map(|mut i| {
            if i.url.as_deref() == Some(&format!("https://example.org/{}", i.dedupe_key)) {
                i.url = Some(format!("{url}/{}", i.dedupe_key));
            }
            i
        })
        .collect();
    let id = store
        .add_feed(
            &NewFeed {
                url: url.into(),
                ..Default::default()
            },
            now(),
        )
        .unwrap();
    let doc = ParsedFeed {
        title: Some(format!("Feed {url}")),
        site_url: None,
        items,
    };
    store
        .record_fetch(id, now(), &FetchRecord::default(), Some(&doc))
        .unwrap();
    id
}

/// Items "One", "Two" and "Three", keys "1" to "3", these hours old.
fn one_two_three(hours_ago: [i64; 3]) -> Vec<ParsedItem> {
    let titles = ["One", "Two", "Three"];
    (0..3)
        .map(|i| item(&(i + 1).to_string(), titles[i], hours_ago[i]))
        .collect()
}

/// A feed document with no title of its own, listing `items`.
fn doc(items: Vec<ParsedItem>) -> ParsedFeed {
    ParsedFeed {
        items,
        ..Default::default()
    }
}

/// A refresh of `feed` at `at` that finds `items` (a plain 200, no validators); new items.
fn refetch(
    s: &mut Store,
    feed: FeedId,
    at: DateTime<Utc>,
    items: Vec<ParsedItem>,
) -> Result<usize, StoreError> {
    s.record_fetch(feed, at, &FetchRecord::default(), Some(&doc(items)))
}

/// The ids of the first `n` items of every feed, newest first.
fn first_ids(s: &Store, n: usize) -> Vec<ItemId> {
    let items = s.items(&ItemFilter::default(), 0, n).unwrap();
    items.iter().map(|i| i.id).collect()
}

/// Unread items only, or only feed `id`'s.
fn unread_only() -> ItemFilter {
    ItemFilter {
        unread_only: true,
        ..Default::default()
    }
}

fn of_feed(id: FeedId) -> ItemFilter {
    ItemFilter {
        feed: Some(id),
        ..Default::default()
    }
}

#[test]
fn migrates_a_fresh_file_and_reopens_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kiosque.db");
    {
        let mut s = Store::open(&path).unwrap();
        feed_with(&mut s, "https://a.example/feed", vec![item("1", "One", 1)]);
    }
    let s = Store::open(&path).unwrap();
    assert_eq!(s.count_items(&ItemFilter::default()).unwrap(), 1);
    assert!(s.integrity_ok().unwrap());
    let version: i64 = s
        .conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, migrations::SCHEMA_VERSION);
}

#[test]
fn refuses_a_database_from_a_newer_kiosque() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kiosque.db");
    {
        let s = Store::open(&path).unwrap();
        s.conn.pragma_update(None, "user_version", 99).unwrap();
    }
    assert!(matches!(
        Store::open(&path),
        Err(StoreError::TooNew { found: 99, .. })
    ));
}

#[test]
fn upsert_counts_new_items_once_and_keeps_read_state() {
    let mut s = Store::open_in_memory().unwrap();
    let feed = feed_with(
        &mut s,
        "https://a.example/feed",
        vec![item("1", "One", 2), item("2", "Two", 1)],
    );
    let items = s.items(&ItemFilter::default(), 0, 10).unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].title, "Two", "newest first");
    s.set_read(&[items[0].id], true).unwrap();
    s.set_starred(&[items[1].id], true).unwrap();

    let edited = vec![
        item("1", "One (edited)", 2),
        item("2", "Two", 1),
        item("3", "Three", 0),
    ];
    let new = refetch(&mut s, feed, now(), edited).unwrap();
    assert_eq!(new, 1);
    let items = s.items(&ItemFilter::default(), 0, 10).unwrap();
    assert_eq!(items.len(), 3);
    let two = items.iter().find(|i| i.title == "Two").unwrap();
    assert!(two.read, "read state survives a refresh");
    let one = items.iter().find(|i| i.title == "One (edited)").unwrap();
    assert!(one.starred, "star survives an item edit");
    assert_eq!(s.unread_total().unwrap(), 2);
}

#[test]
fn filters_unread_starred_feed_and_accent_insensitive_search() {
    let mut s = Store::open_in_memory().unwrap();
    let a = feed_with(
        &mut s,
        "https://a.example/feed",
        vec![
            item("1", "La Télé du futur", 3),
            item("2", "Autre chose", 2),
        ],
    );
    let _b = feed_with(
        &mut s,
        "https://b.example/feed",
        vec![item("1", "Something else", 1)],
    );
    let search = |q: &str| ItemFilter {
        search: Some(q.into()),
        ..Default::default()
    };
    assert_eq!(s.count_items(&search("tele")).unwrap(), 1);
    assert_eq!(s.count_items(&search("TÉLÉ")).unwrap(), 1);
    assert_eq!(
        s.count_items(&search("50%")).unwrap(),
        0,
        "LIKE wildcards are literal"
    );
    assert_eq!(
        s.count_items(&search("feed https://b")).unwrap(),
        1,
        "matches the feed title"
    );
    assert_eq!(s.count_items(&of_feed(a)).unwrap(), 2);
    let changed = s.mark_all_read(&of_feed(a)).unwrap();
    assert_eq!(changed.len(), 2);
    let unread = unread_only();
    assert_eq!(s.count_items(&unread).unwrap(), 1);
    s.set_read(&changed, false).unwrap();
    assert_eq!(s.count_items(&unread).unwrap(), 3, "undo restores");
}

#[test]
fn paging_positions_and_next_unread() {
    let mut s = Store::open_in_memory().unwrap();
    let items: Vec<_> = (0..20)
        .map(|i| item(&i.to_string(), &format!("t{i}"), i))
        .collect();
    feed_with(&mut s, "https://a.example/feed", items);
    let all = ItemFilter::default();
    let page = s.items(&all, 5, 5).unwrap();
    assert_eq!(page[0].title, "t5");
    assert_eq!(s.item_position(&all, page[0].id).unwrap(), Some(5));
    let first_five: Vec<_> = s.items(&all, 0, 5).unwrap().iter().map(|i| i.id).collect();
    s.set_read(&first_five, true).unwrap();
    let (pos, next) = s
        .next_unread(&all, Some(first_five[0]), true)
        .unwrap()
        .unwrap();
    assert_eq!((pos, next.title.as_str()), (5, "t5"));
    let back = s.next_unread(&all, Some(next.id), false).unwrap();
    assert!(back.is_none(), "nothing unread above");
}

#[test]
fn unknown_item_changes_nothing() {
    let mut s = Store::open_in_memory().unwrap();
    feed_with(&mut s, "https://a.example/feed", vec![item("1", "One", 1)]);
    let id = s.items(&ItemFilter::default(), 0, 1).unwrap()[0].id;
    assert!(s.set_read(&[id, ItemId(999)], true).is_err());
    assert!(!s.item(id).unwrap().summary.read, "all or nothing");
}

#[test]
fn duplicate_subscription_is_refused_and_removal_cascades() {
    let mut s = Store::open_in_memory().unwrap();
    let a = feed_with(&mut s, "https://a.example/feed", vec![item("1", "One", 1)]);
    let again = s.add_feed(
        &NewFeed {
            url: "https://a.example/feed".into(),
            ..Default::default()
        },
        now(),
    );
    assert!(matches!(again, Err(StoreError::AlreadySubscribed { .. })));
    assert_eq!(s.find_feed("https://a.example/feed").unwrap().id, a);
    assert_eq!(s.find_feed(&a.to_string()).unwrap().id, a);
    s.remove_feed(a).unwrap();
    assert_eq!(s.count_items(&ItemFilter::default()).unwrap(), 0);
}

#[test]
fn fetch_record_keeps_validators_and_follows_moves() {
    let mut s = Store::open_in_memory().unwrap();
    let a = feed_with(&mut s, "https://a.example/feed", vec![]);
    let rec = FetchRecord {
        status: Some(200),
        etag: Some("\"v1\"".into()),
        last_modified: Some("Tue, 24 Nov 2026 10:00:00 GMT".into()),
        moved_to: Some("https://a.example/new".into()),
        ..Default::default()
    };
    s.record_fetch(a, now(), &rec, None).unwrap();
    // A 304 carries no validators: the old ones stay.
    let not_modified = FetchRecord {
        status: Some(304),
        ..Default::default()
    };
    s.record_fetch(a, now(), &not_modified, None).unwrap();
    let f = s.feed(a).unwrap();
    assert_eq!(f.etag.as_deref(), Some("\"v1\""));
    assert_eq!(f.url, "https://a.example/new");
    assert_eq!(f.status, Some(304));
}

#[test]
fn purge_keeps_unread_and_starred() {
    let mut s = Store::open_in_memory().unwrap();
    let a = feed_with(&mut s, "https://a.example/feed", one_two_three([1, 1, 1]));
    let ids = first_ids(&s, 10);
    s.set_read(&ids[0..2], true).unwrap();
    s.set_starred(&ids[1..2], true).unwrap();
    // The feed no longer lists them; 40 days later only the read, unstarred one goes.
    refetch(&mut s, a, now(), vec![]).unwrap();
    let gone = s
        .purge_old_items(now() + chrono::Duration::days(40), 30)
        .unwrap();
    assert_eq!(gone, 1);
    assert_eq!(s.count_items(&ItemFilter::default()).unwrap(), 2);
}

#[test]
fn pages_near_the_end_read_the_same_as_from_the_start() {
    let mut s = Store::open_in_memory().unwrap();
    let feed = feed_with(&mut s, "https://a.example/feed", vec![]);
    s.insert_test_items(feed, 5_000).unwrap();
    let all = ItemFilter::default();
    let every: Vec<ItemId> = s
        .items_ordered(&all, None, 0, 10_000, "DESC")
        .unwrap()
        .iter()
        .map(|(i, _)| i.id)
        .collect();
    for (offset, limit) in [
        (4_990, 20),
        (4_500, 300),
        (2_500, 10),
        (3_000, 2_000),
        (5_000, 5),
    ] {
        let page: Vec<ItemId> = s
            .items(&all, offset, limit)
            .unwrap()
            .iter()
            .map(|i| i.id)
            .collect();
        let expected: Vec<ItemId> = every.iter().skip(offset).take(limit).copied().collect();
        assert_eq!(page, expected, "offset {offset} limit {limit}");
    }
    let feeds = s.feeds().unwrap();
    assert_eq!((feeds[0].total, feeds[0].unread), (5_000, 5_000));
    assert_eq!(s.feed(feed).unwrap().total, 5_000);
}

#[test]
fn a_full_disk_fails_the_write_cleanly_and_keeps_the_old_data() {
    // SQLite's page limit stands in for a full disk: the same SQLITE_FULL error path.
    let mut s = Store::open_in_memory().unwrap();
    let feed = feed_with(&mut s, "https://a.example/feed", vec![item("1", "One", 1)]);
    let id = s.items(&ItemFilter::default(), 0, 1).unwrap()[0].id;
    s.set_read(&[id], true).unwrap();
    let pages: i64 = s
        .conn
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    s.conn
        .pragma_update(None, "max_page_count", pages + 1)
        .unwrap();
    let big: Vec<ParsedItem> = (0..2_000)
        .map(|i| ParsedItem {
            content_html: Some("<p>lorem ipsum dolor sit amet</p>".repeat(20)),
            ..item(&format!("big-{i}"), "Big", 1)
        })
        .collect();
    let err = refetch(&mut s, feed, now(), big).unwrap_err();
    assert!(err.to_string().contains("full"), "{err}");
    assert_eq!(
        s.count_items(&ItemFilter::default()).unwrap(),
        1,
        "nothing half-written"
    );
    assert!(s.item(id).unwrap().summary.read, "old state intact");
    assert!(s.integrity_ok().unwrap());
}

/// Every count the store reports, against a count of the items themselves.
fn assert_counts_exact(s: &Store) {
    let count = |sql_text: &str| -> i64 { s.conn.query_row(sql_text, [], |r| r.get(0)).unwrap() };
    for f in s.feeds().unwrap() {
        let total = count(&format!(
            "SELECT count(*) FROM items WHERE feed_id = {} AND id NOT IN (SELECT item_id FROM hidden_items)",
            f.id.0
        ));
        let unread = count(&format!(
            "SELECT count(*) FROM items WHERE feed_id = {} AND read = 0 AND id NOT IN (SELECT item_id FROM hidden_items)",
            f.id.0
        ));
        assert_eq!((f.total, f.unread), (total, unread), "feed {}", f.url);
        assert_eq!(
            (s.feed(f.id).unwrap().total, s.feed(f.id).unwrap().unread),
            (total, unread)
        );
        let mut filter = of_feed(f.id);
        assert_eq!(s.count_items(&filter).unwrap() as i64, total);
        filter.unread_only = true;
        assert_eq!(s.count_items(&filter).unwrap() as i64, unread);
    }
    // Mixed lists show one copy of a story several feeds carry, and no hidden item.
    let shown = "id NOT IN (SELECT item_id FROM hidden_items) \
                 AND (dup_group IS NULL OR dup_group = id)";
    let all = count(&format!("SELECT count(*) FROM items WHERE {shown}"));
    let unread = count(&format!(
        "SELECT count(*) FROM items WHERE read = 0 AND {shown}"
    ));
    assert_eq!(s.count_items(&ItemFilter::default()).unwrap() as i64, all);
    assert_eq!(s.count_items(&unread_only()).unwrap() as i64, unread);
    assert_eq!(s.unread_total().unwrap(), unread);
}

#[test]
fn feed_counts_stay_exact_as_items_arrive_are_read_and_go() {
    let mut s = Store::open_in_memory().unwrap();
    let a = feed_with(&mut s, "https://a.example/feed", one_two_three([1, 2, 3]));
    let b = feed_with(&mut s, "https://b.example/feed", vec![item("1", "Uno", 1)]);
    assert_counts_exact(&s);
    assert_eq!(
        (s.feed(a).unwrap().unread, s.feed(a).unwrap().total),
        (3, 3)
    );
    // A refresh that sees known items again and one new one.
    let again = vec![item("1", "One again", 1), item("4", "Four", 0)];
    refetch(&mut s, a, now(), again).unwrap();
    assert_counts_exact(&s);
    let ids = first_ids(&s, 10);
    s.set_read(&ids[0..2], true).unwrap();
    s.set_read(&ids[0..1], true).unwrap(); // read twice counts once
    assert_counts_exact(&s);
    s.set_read(&ids[0..1], false).unwrap();
    s.set_starred(&ids[1..3], true).unwrap();
    assert_counts_exact(&s);
    let marked = s.mark_all_read(&of_feed(a)).unwrap();
    assert_counts_exact(&s);
    assert_eq!(s.feed(a).unwrap().unread, 0);
    s.set_read(&marked, false).unwrap();
    assert_counts_exact(&s);
    // Unsubscribing keeps starred items (still counted in All), then purging lets them go.
    s.remove_feed(a).unwrap();
    s.remove_feed(b).unwrap();
    assert_counts_exact(&s);
    s.set_starred(&ids[1..3], false).unwrap();
    s.purge_old_items(now(), 30).unwrap();
    assert_counts_exact(&s);
    assert_eq!(s.count_items(&ItemFilter::default()).unwrap(), 0);
}

/// A store opened on a database left at schema `version` holding `rows` (SQL): what a user
/// upgrading from that version has. The directory goes with it.
fn store_migrated_from(version: i64, rows: &str) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kiosque.db");
    {
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        // Schemas from 7 on index text through kiosque's functions, as the store does.
        crate::query::search_index::register_functions(&conn).unwrap();
        migrations::migrate_to(&mut conn, &path, version).unwrap();
        conn.execute_batch(rows).unwrap();
    }
    (dir, Store::open(&path).unwrap())
}

#[test]
fn migrating_to_the_feed_counts_schema_counts_the_items_already_there() {
    let (_dir, s) = store_migrated_from(
        3,
        "INSERT INTO feeds (id, url, added_at) VALUES (1, 'https://a.example/f', 0),
                                                           (2, 'https://b.example/f', 0);
             INSERT INTO items (feed_id, dedupe_key, title, search_title, first_seen,
                                sort_time, last_seen, read)
             VALUES (1, 'x', 'x', 'x', 0, 0, 0, 0), (1, 'y', 'y', 'y', 0, 0, 0, 1),
                    (1, 'z', 'z', 'z', 0, 0, 0, 0);",
    );
    let counts: Vec<(i64, i64)> = s
        .feeds()
        .unwrap()
        .iter()
        .map(|f| (f.unread, f.total))
        .collect();
    assert_eq!(counts, vec![(2, 3), (0, 0)]);
    assert_counts_exact(&s);
}

#[test]
fn the_store_stamps_its_own_writes_with_the_clock_it_is_given() {
    let mut s = Store::open_in_memory().unwrap();
    s.set_clock(Arc::new(crate::clock::FixedClock(now())));
    let a = feed_with(
        &mut s,
        "https://a.example/feed",
        vec![item("a1", "Kept", 1)],
    );
    let ids = first_ids(&s, 10);
    s.set_starred(&ids, true).unwrap();
    s.remove_feed(a).unwrap();
    let removed_at: i64 = s
        .conn
        .query_row("SELECT removed_at FROM feeds WHERE id = ?1", [a.0], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(
        removed_at,
        now().timestamp(),
        "removal time comes from the clock"
    );

    let url = "https://a.example/1";
    let article =
        crate::article::Article::from_feed(None, url.into(), None, None, "<p>Body</p>".into());
    s.cache_article(url, &article).unwrap();
    let fetched_at: i64 = s
        .conn
        .query_row("SELECT fetched_at FROM articles", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        fetched_at,
        now().timestamp(),
        "cache time comes from the clock"
    );
}

/// The list of query `q`, which must parse.
fn query_filter(q: &str) -> ItemFilter {
    ItemFilter {
        query: Some(crate::query::Query::parse(q).unwrap()),
        ..Default::default()
    }
}

/// The ids of the first ten items matching query `q`, newest first.
fn query_ids(s: &Store, q: &str) -> Vec<i64> {
    let items = s.items(&query_filter(q), 0, 10).unwrap();
    items.into_iter().map(|i| i.id.0).collect()
}

fn query_count(s: &Store, q: &str) -> usize {
    s.count_items(&query_filter(q)).unwrap()
}

#[test]
fn migrating_to_full_text_indexes_what_is_already_there() {
    let (_dir, s) = store_migrated_from(
        5,
        "INSERT INTO feeds (id, url, title, added_at) VALUES (1, 'https://a.example/f', 'Octet Actu', 0);
             INSERT INTO items (feed_id, dedupe_key, title, search_title, url, first_seen,
                                sort_time, last_seen, summary_html)
             VALUES (1, 'x', 'Émulation', 'emulation', 'https://a.example/1', 0, 0, 0,
                     '<p>Un &eacute;mulateur <b>Saturn</b></p>');
             INSERT INTO articles (url, json, fetched_at)
             VALUES ('https://a.example/1', '{\"content_html\": \"<p>Dreamcast aussi</p>\"}', 0);",
    );
    for q in [
        "emul",
        "title:emulation",
        "saturn",
        "dreamcast",
        "feed:octet",
    ] {
        assert_eq!(query_count(&s, q), 1, "{q}");
    }
    assert_eq!(query_count(&s, "title:saturn"), 0);
}

/// Schema 11 keys the full-text index by list position: an existing index (keyed by item id)
/// is built again, so a word's list comes newest first from the index, and the index still
/// follows changes after the migration.
#[test]
fn migrating_to_the_time_keyed_index_lists_full_text_matches_newest_first() {
    let (_dir, mut s) = store_migrated_from(
        10,
        "INSERT INTO feeds (id, url, title, added_at) VALUES (1, 'https://a.example/f', 'A', 0);
             INSERT INTO items (id, feed_id, dedupe_key, title, search_title, first_seen,
                                sort_time, last_seen, summary_html)
             VALUES (1, 1, 'a', 'Kernel one', 'kernel one', 0, 100, 0, NULL),
                    (2, 1, 'b', 'Two', 'two', 0, 300, 0, '<p>a kernel</p>'),
                    (3, 1, 'c', 'Kernel three', 'kernel three', 0, 200, 0, NULL),
                    (4, 1, 'd', 'Other', 'other', 0, 400, 0, NULL);",
    );
    assert_eq!(query_ids(&s, "kernel"), [2, 3, 1]);
    assert_eq!(query_ids(&s, "kern -three"), [2, 1]);
    assert_eq!(query_ids(&s, "title:kernel"), [3, 1]);
    assert_eq!(query_count(&s, "kernel"), 3);
    s.set_read(&[ItemId(3)], true).unwrap();
    assert_eq!(query_ids(&s, "kernel is:unread"), [2, 1]);
    assert_eq!(s.purge_old_items(now(), 0).unwrap(), 1);
    assert_eq!(query_ids(&s, "kernel"), [2, 1]);
    assert_eq!(query_ids(&s, "three"), Vec::<i64>::new());
}

/// Schema 12 keys the full-text index by spans of time: an index keyed by the exact second
/// (schema 11's keys, written here by hand) is built again, so that the triggers, which look
/// rows up by the new key, find them: a renamed item no longer matches its old title.
#[test]
fn migrating_to_the_span_keyed_index_rekeys_every_row() {
    let (_dir, s) = store_migrated_from(
        11,
        "INSERT INTO feeds (id, url, title, added_at) VALUES (1, 'https://a.example/f', 'A', 0);
             INSERT INTO items (id, feed_id, dedupe_key, title, search_title, first_seen,
                                sort_time, last_seen, summary_html)
             VALUES (1, 1, 'a', 'Kernel one', 'kernel one', 0, 1700000100, 0, NULL),
                    (2, 1, 'b', 'Two', 'two', 0, 1700000300, 0, '<p>a kernel</p>'),
                    (3, 1, 'c', 'Kernel three', 'kernel three', 0, 1700000200, 0, NULL),
                    (4, 1, 'd', 'Other', 'other', 0, 1700900000, 0, NULL);
             DELETE FROM items_fts;
             INSERT INTO items_fts (rowid, title, author, body, article)
                 SELECT sort_time * 2147483648 + id, title, '',
                        kiosque_item_text(summary_html, content_html), '' FROM items;",
    );
    assert_eq!(query_ids(&s, "kernel"), [2, 3, 1]);
    s.conn
        .execute("UPDATE items SET title = 'Renamed' WHERE id = 3", [])
        .unwrap();
    assert_eq!(query_ids(&s, "kernel"), [2, 1]);
    assert_eq!(query_ids(&s, "renamed"), [3]);
    assert_eq!(query_count(&s, "kernel"), 2);
    s.conn
        .execute("UPDATE items SET sort_time = 1800000000 WHERE id = 1", [])
        .unwrap();
    assert_eq!(query_ids(&s, "kernel"), [1, 2]);
    assert_eq!(query_ids(&s, "one"), [1]);
}

#[test]
fn the_full_text_index_follows_changes_to_items_articles_and_feeds() {
    let mut s = Store::open_in_memory().unwrap();
    let now = Utc::now();
    let feed = s
        .add_feed(
            &NewFeed {
                url: "https://a.example/f".into(),
                title: Some("Octet".into()),
                ..Default::default()
            },
            now,
        )
        .unwrap();
    let doc = |title: &str| ParsedFeed {
        title: Some("Renamed Feed".into()),
        items: vec![ParsedItem {
            url: Some("https://a.example/1".into()),
            published: None,
            summary_html: None,
            ..item("k", title, 0)
        }],
        ..Default::default()
    };
    let fetch = FetchRecord::default();
    s.record_fetch(feed, now, &fetch, Some(&doc("first words")))
        .unwrap();
    assert_eq!(query_count(&s, "first"), 1);
    assert_eq!(query_count(&s, "feed:renamed"), 1);
    assert_eq!(query_count(&s, "feed:octet"), 0);
    s.record_fetch(feed, now, &fetch, Some(&doc("second words")))
        .unwrap();
    assert_eq!(query_count(&s, "first"), 0);
    assert_eq!(query_count(&s, "second"), 1);
    let url = "https://a.example/1";
    let article = crate::article::Article::from_feed(
        None,
        url.into(),
        None,
        None,
        "<p>cached body</p>".into(),
    );
    s.cache_article(url, &article).unwrap();
    assert_eq!(query_count(&s, "cached"), 1);
    s.remove_feed(feed).unwrap();
    assert_eq!(query_count(&s, "second"), 0);
}

// ---- duplicates across feeds (issue 13, item 5) ------------------------------------------------

fn story(key: &str, title: &str, url: &str, hours_ago: i64) -> ParsedItem {
    ParsedItem {
        url: Some(url.into()),
        ..item(key, title, hours_ago)
    }
}

fn titles_and_copies(s: &Store, filter: &ItemFilter) -> Vec<(String, Vec<String>)> {
    s.items(filter, 0, 100)
        .unwrap()
        .into_iter()
        .map(|i| (i.title, i.also_in))
        .collect()
}

#[test]
fn the_same_story_from_two_feeds_shows_once_with_the_other_feed_named() {
    let mut s = Store::open_in_memory().unwrap();
    let a = feed_with(
        &mut s,
        "https://a.example/feed",
        vec![
            story(
                "1",
                "Rocket lands again",
                "https://www.news.example/rocket?utm_source=rss",
                2,
            ),
            item("2", "Only in A", 3),
        ],
    );
    let b = feed_with(
        &mut s,
        "https://b.example/feed",
        vec![story(
            "9",
            "Rocket lands (partner copy)",
            "http://news.example/rocket/#top",
            1,
        )],
    );
    let all = titles_and_copies(&s, &ItemFilter::default());
    assert_eq!(
        all,
        vec![
            (
                "Rocket lands again".to_string(),
                vec!["Feed https://b.example/feed".to_string()]
            ),
            ("Only in A".to_string(), vec![]),
        ]
    );
    assert_eq!(s.count_items(&ItemFilter::default()).unwrap(), 2);
    assert_eq!(s.count_items(&unread_only()).unwrap(), 2);
    assert_eq!(s.unread_total().unwrap(), 2);
    // A feed's own list keeps its copy, naming the other feed.
    assert_eq!(
        titles_and_copies(&s, &of_feed(b)),
        vec![(
            "Rocket lands (partner copy)".to_string(),
            vec!["Feed https://a.example/feed".to_string()]
        )]
    );
    assert_eq!(s.feed(a).unwrap().unread, 2);
    assert_eq!(s.feed(b).unwrap().unread, 1);
}

#[test]
fn the_same_title_is_a_copy_within_48_hours_only() {
    let mut s = Store::open_in_memory().unwrap();
    for (host, title, hours_ago) in [
        ("a", "Parliament passes the new budget law", 1),
        ("b", "Parliament passes the NEW budget law!", 40),
        ("c", "Parliament passes the new budget law", 100),
    ] {
        let url = format!("https://{host}.example/story");
        let feed_url = format!("https://{host}.example/feed");
        feed_with(&mut s, &feed_url, vec![story("1", title, &url, hours_ago)]);
    }
    let all = titles_and_copies(&s, &ItemFilter::default());
    assert_eq!(all.len(), 2, "{all:?}");
    assert_eq!(all[0].1, vec!["Feed https://b.example/feed".to_string()]);
    assert!(all[1].1.is_empty(), "100 h apart is another story: {all:?}");
}

#[test]
fn reading_one_copy_reads_every_copy_and_mark_all_and_its_undo_take_the_copies_along() {
    let mut s = Store::open_in_memory().unwrap();
    let a = feed_with(
        &mut s,
        "https://a.example/feed",
        vec![story("1", "Shared story", "https://news.example/s", 2)],
    );
    let b = feed_with(
        &mut s,
        "https://b.example/feed",
        vec![story(
            "1",
            "Shared story",
            "https://news.example/s?fbclid=z",
            2,
        )],
    );
    let copy_in_b = s.items(&of_feed(b), 0, 1).unwrap()[0].id;
    let unread_in_a_and_b = |s: &Store| (s.feed(a).unwrap().unread, s.feed(b).unwrap().unread);
    s.set_read(&[copy_in_b], true).unwrap();
    assert_eq!(unread_in_a_and_b(&s), (0, 0));
    s.set_read(&[copy_in_b], false).unwrap();
    assert_eq!(unread_in_a_and_b(&s), (1, 1));
    let marked = s.mark_all_read(&ItemFilter::default()).unwrap();
    assert_eq!(marked.len(), 2, "the shown copy and the hidden one");
    assert_eq!(s.unread_total().unwrap(), 0);
    s.set_read(&marked, false).unwrap();
    assert_eq!(unread_in_a_and_b(&s), (1, 1));
    assert_counts_exact(&s);
}

#[test]
fn a_copy_arriving_after_the_story_was_read_arrives_read_and_unsubscribing_shows_the_next_copy() {
    let mut s = Store::open_in_memory().unwrap();
    let a = feed_with(
        &mut s,
        "https://a.example/feed",
        vec![story("1", "Shared story", "https://news.example/s", 2)],
    );
    let first = s.items(&ItemFilter::default(), 0, 1).unwrap()[0].id;
    s.set_read(&[first], true).unwrap();
    let b = feed_with(
        &mut s,
        "https://b.example/feed",
        vec![story("1", "Shared story", "https://news.example/s", 2)],
    );
    assert_eq!(s.feed(b).unwrap().unread, 0);
    s.remove_feed(a).unwrap();
    let all = s.items(&ItemFilter::default(), 0, 10).unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].feed_id, b);
    assert!(all[0].also_in.is_empty());
    assert_eq!(s.count_items(&ItemFilter::default()).unwrap(), 1);
}

#[test]
fn items_stored_before_duplicate_keys_get_them_when_the_schema_moves_on() {
    let (_dir, s) = store_migrated_from(
        5,
        "INSERT INTO feeds (id, url, title, added_at) VALUES (1, 'https://a.example/f', 'A', 0),
                                                                 (2, 'https://b.example/f', 'B', 0);
             INSERT INTO items (feed_id, dedupe_key, title, search_title, url, first_seen,
                                sort_time, last_seen, read)
             VALUES (1, 'x', 'One story told twice', 'one story told twice',
                     'https://n.example/s?utm_medium=x', 0, 0, 0, 0),
                    (2, 'y', 'One story told twice (copy)', 'one story told twice (copy)',
                     'https://n.example/s', 0, 0, 0, 0);",
    );
    assert_eq!(
        titles_and_copies(&s, &ItemFilter::default()),
        vec![("One story told twice".to_string(), vec!["B".to_string()])]
    );
}

/// The narrow index counts scan (schema 12) must not take the lists' place: lists of unread
/// and starred items still read their own partial indexes newest first, the All list the time
/// index, while a count of a query's matches scans the narrow index (covering) instead of the
/// wide item rows.
#[test]
fn lists_keep_their_own_indexes_and_counts_scan_the_narrow_one() {
    let s = Store::open_in_memory().unwrap();
    let plan = |sql: &str| -> String {
        let mut stmt = s
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        stmt.query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .map(Result::unwrap)
            .collect::<Vec<_>>()
            .join("\n")
    };
    let list = |condition: &str| {
        format!(
            "SELECT i.id, i.title, i.url FROM items i JOIN feeds f ON f.id = i.feed_id
             WHERE {condition} AND i.id NOT IN (SELECT item_id FROM hidden_items)
               AND (i.dup_group IS NULL OR i.dup_group = i.id)
             ORDER BY i.sort_time DESC, i.id DESC LIMIT 300"
        )
    };
    let unread = plan(&list("i.read = 0"));
    assert!(unread.contains("items_unread_by_time"), "{unread}");
    let starred = plan(&list("i.starred = 1"));
    assert!(starred.contains("items_starred_by_time"), "{starred}");
    let all = plan(&list("1 = 1"));
    assert!(all.contains("INDEX items_by_time"), "{all}");
    let count = plan(
        "SELECT count(*) FROM items i WHERE i.read = 0
           AND i.id NOT IN (SELECT item_id FROM hidden_items)
           AND (i.dup_group IS NULL OR i.dup_group = i.id) AND +i.id IN (SELECT id FROM feeds)",
    );
    assert!(count.contains("COVERING INDEX items_list_state"), "{count}");
}

fn add(s: &mut Store, url: &str) -> FeedId {
    s.add_feed(
        &NewFeed {
            url: url.into(),
            ..Default::default()
        },
        now(),
    )
    .unwrap()
}

fn fetched(feed: FeedId, items: Vec<ParsedItem>) -> FetchWrite {
    FetchWrite {
        feed,
        record: FetchRecord {
            status: Some(200),
            etag: Some(format!("\"{}\"", feed.0)),
            ..Default::default()
        },
        parsed: Some(doc(items)),
        values: Vec::new(),
    }
}

#[test]
fn a_batch_of_fetches_keeps_all_but_the_one_that_fails() {
    let mut s = Store::open_in_memory().unwrap();
    let (a, b) = (
        add(&mut s, "https://a.example/f"),
        add(&mut s, "https://b.example/f"),
    );
    // No feed 999: its item breaks the foreign key; the batch is written again feed by feed.
    let batch = [
        fetched(a, vec![item("a1", "Story a1", 1)]),
        fetched(FeedId(999), vec![item("x1", "Story x1", 1)]),
        fetched(b, vec![item("b1", "Story b1", 1)]),
    ];
    let results = s.record_fetches(now(), &batch);
    assert_eq!(results.len(), 3);
    assert_eq!(results[0].as_ref().ok(), Some(&1));
    assert!(results[1].is_err(), "{:?}", results[1]);
    assert_eq!(results[2].as_ref().ok(), Some(&1));
    let titles: Vec<String> = s
        .items(&ItemFilter::default(), 0, 10)
        .unwrap()
        .into_iter()
        .map(|i| i.title)
        .collect();
    assert_eq!(titles.len(), 2, "{titles:?}");
    assert!(titles.contains(&"Story a1".to_string()) && titles.contains(&"Story b1".to_string()));
    assert_eq!(s.feed(a).unwrap().etag.as_deref(), Some("\"1\""));
    assert_eq!(s.feed(b).unwrap().etag.as_deref(), Some("\"2\""));
}

/// Every item row as the store keeps it, in id order: what a batch must leave exactly as
/// fetches recorded one by one do.
fn item_rows(s: &Store) -> Vec<(i64, i64, String, Option<i64>, bool, i64)> {
    six_columns(
        s,
        "SELECT id, feed_id, dedupe_key, dup_group, read, sort_time FROM items ORDER BY id",
    )
}

/// Every row a query of six columns returns, in its order.
fn six_columns<A, B, C, D, E, F>(s: &Store, sql: &str) -> Vec<(A, B, C, D, E, F)>
where
    A: rusqlite::types::FromSql,
    B: rusqlite::types::FromSql,
    C: rusqlite::types::FromSql,
    D: rusqlite::types::FromSql,
    E: rusqlite::types::FromSql,
    F: rusqlite::types::FromSql,
{
    let mut stmt = s.conn.prepare(sql).unwrap();
    stmt.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
        ))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

#[test]
fn a_batch_numbers_links_and_indexes_items_as_fetches_one_by_one_do() {
    // Two feeds telling one story (same link and title), items in every date order, a key
    // sent twice in one document, a read rule on one feed, and a second round that brings
    // one new item and sends the rest again.
    let story = |key: &str, hours_ago: i64| ParsedItem {
        url: Some("https://news.example/the-story".into()),
        ..item(key, "The harbour bridge reopens after repairs", hours_ago)
    };
    let round = |n: usize| -> Vec<(usize, Vec<ParsedItem>)> {
        let mut first = vec![
            item("a-old", "Alpha archive piece", 300),
            story("a-story", 2),
            item("a-new", "Alpha fresh news", 1),
            item("a-twice", "Alpha sent twice, first", 50),
            item("a-twice", "Alpha sent twice, second", 40),
        ];
        let second = vec![
            item("b-new", "Bravo fresh news", 1),
            story("b-story", 3),
            item("b-old", "Bravo archive piece", 500),
        ];
        if n == 1 {
            first.push(item("a-later", "Alpha later arrival", 0));
        }
        vec![(0, first), (1, second)]
    };
    let rules = ArrivalRule::from_config(&[crate::config::RuleConfig {
        query: "title:archive".into(),
        action: crate::config::RuleAction::Read,
    }]);
    let mut one_by_one = Store::open_in_memory().unwrap();
    let mut batched = Store::open_in_memory().unwrap();
    let mut counts = (Vec::new(), Vec::new());
    for s in [&mut one_by_one, &mut batched] {
        s.set_arrival_rules(rules.clone());
        add(s, "https://a.example/f");
        add(s, "https://b.example/f");
    }
    let feeds = [FeedId(1), FeedId(2)];
    for n in 0..2 {
        for (f, items) in round(n) {
            let fetch = fetched(feeds[f], items);
            counts.0.push(
                one_by_one
                    .record_fetch(fetch.feed, now(), &fetch.record, fetch.parsed.as_ref())
                    .unwrap(),
            );
        }
        let batch: Vec<FetchWrite> = round(n)
            .into_iter()
            .map(|(f, items)| fetched(feeds[f], items))
            .collect();
        for result in batched.record_fetches(now(), &batch) {
            counts.1.push(result.unwrap());
        }
    }
    assert_eq!(counts.0, vec![4, 3, 1, 0]);
    assert_eq!(counts.0, counts.1);
    let rows = item_rows(&one_by_one);
    assert_eq!(rows, item_rows(&batched));
    // The copies are one story under the first one stored; the rule read the archive pieces.
    let group: Vec<Option<i64>> = rows
        .iter()
        .filter(|r| r.2.ends_with("story"))
        .map(|r| r.3)
        .collect();
    assert_eq!(group, vec![Some(2), Some(2)], "{rows:?}");
    assert_eq!(rows.iter().filter(|r| r.4).count(), 2, "{rows:?}");
    for q in ["alpha", "archive", "bridge", "twice second"] {
        assert_eq!(query_ids(&one_by_one, q), query_ids(&batched, q), "{q}");
        assert!(!query_ids(&batched, q).is_empty(), "{q}");
    }
    assert!(batched.integrity_ok().unwrap());
}

#[test]
fn an_item_sent_again_unchanged_only_moves_its_last_seen() {
    let mut s = Store::open_in_memory().unwrap();
    let feed = add(&mut s, "https://a.example/f");
    let at = |s: &Store, key: &str| -> (i64, i64, String) {
        s.conn
            .query_row(
                "SELECT last_seen, sort_time, title FROM items WHERE dedupe_key = ?1",
                [key],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap()
    };
    let first = vec![
        item("same", "Same story", 5),
        item("moved", "Moved", 5),
        item("renamed", "Named", 5),
    ];
    refetch(&mut s, feed, now(), first).unwrap();
    let (seen, sort_time, _) = at(&s, "same");
    // A day later: one item as it was, the other with an earlier date and a new title.
    let later = now() + chrono::Duration::days(1);
    let again = vec![
        item("same", "Same story", 5),
        item("moved", "Moved and retitled", 9),
        item("renamed", "Renamed", 5),
    ];
    let new = refetch(&mut s, feed, later, again).unwrap();
    assert_eq!(new, 0);
    assert_eq!(at(&s, "same"), (ts(later), sort_time, "Same story".into()));
    assert!(seen < ts(later));
    let (moved_seen, moved_time, moved_title) = at(&s, "moved");
    assert_eq!(moved_seen, ts(later));
    assert_eq!(moved_time, ts(now() - chrono::Duration::hours(9)));
    assert_eq!(moved_title, "Moved and retitled");
    assert_eq!(query_ids(&s, "retitled").len(), 1);
    assert_eq!(at(&s, "renamed"), (ts(later), sort_time, "Renamed".into()));
    assert_eq!(query_ids(&s, "renamed").len(), 1);
}

#[test]
fn a_checkpoint_empties_the_wal_while_the_connection_stays_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kiosque.db");
    let mut s = Store::open(&path).unwrap();
    let feed = add(&mut s, "https://a.example/f");
    s.insert_test_items(feed, 50).unwrap();
    let wal = dir.path().join("kiosque.db-wal");
    assert!(std::fs::metadata(&wal).unwrap().len() > 0);
    s.checkpoint_wal().unwrap();
    assert_eq!(std::fs::metadata(&wal).unwrap().len(), 0);
    assert_eq!(s.unread_total().unwrap(), 50);
}

/// An item's key, folded title, enclosures, duplicate keys and group, as stored.
type StoredValues = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
);

#[test]
fn item_values_computed_before_the_writer_store_what_the_writer_computes() {
    // What a refresh's parse threads hand the writer must store the same rows as the values
    // the writer derives itself: folded titles, enclosures, duplicate keys and the groups
    // they make, and the full-text rows. Round two sends everything again plus one item.
    let story = |key: &str, hours_ago: i64| ParsedItem {
        url: Some("https://news.example/the-story?utm_source=x".into()),
        enclosures: vec![crate::model::Enclosure {
            url: "https://news.example/a.mp3".into(),
            mime_type: Some("audio/mpeg".into()),
            length: Some(10),
            duration: Some(60),
        }],
        ..item(key, "The Harbour Bridge reopens after repairs", hours_ago)
    };
    let round = |n: usize| -> Vec<(usize, Vec<ParsedItem>)> {
        let mut first = vec![
            item("a-old", "Alpha Élan archive", 300),
            story("a-story", 2),
        ];
        if n == 1 {
            first.push(item("a-later", "Alpha later arrival", 0));
        }
        vec![(0, first), (1, vec![story("b-story", 3)])]
    };
    let mut by_writer = Store::open_in_memory().unwrap();
    let mut before = Store::open_in_memory().unwrap();
    for s in [&mut by_writer, &mut before] {
        add(s, "https://a.example/f");
        add(s, "https://b.example/f");
    }
    let feeds = [FeedId(1), FeedId(2)];
    for n in 0..2 {
        let plain: Vec<FetchWrite> = round(n)
            .into_iter()
            .map(|(f, items)| fetched(feeds[f], items))
            .collect();
        let computed: Vec<FetchWrite> = plain
            .iter()
            .cloned()
            .map(|mut fetch| {
                fetch.values = fetch
                    .parsed
                    .as_ref()
                    .map(ItemValues::of_document)
                    .unwrap_or_default();
                assert!(!fetch.values.is_empty());
                fetch
            })
            .collect();
        let counts = |results: Vec<Result<usize, StoreError>>| -> Vec<usize> {
            results.into_iter().map(Result::unwrap).collect()
        };
        assert_eq!(
            counts(by_writer.record_fetches(now(), &plain)),
            counts(before.record_fetches(now(), &computed))
        );
    }
    let rows = |s: &Store| -> Vec<StoredValues> {
        six_columns(
            s,
            "SELECT dedupe_key, search_title, enclosures, url_key, title_key, dup_group
             FROM items ORDER BY id",
        )
    };
    let stored = rows(&by_writer);
    assert_eq!(stored, rows(&before));
    assert_eq!(stored.len(), 4);
    assert!(stored.iter().all(|r| r.3.is_some()), "{stored:?}");
    assert!(stored[1].4.is_some(), "{stored:?}");
    assert_eq!(
        stored[1].5, stored[2].5,
        "the copies are one story: {stored:?}"
    );
    for q in ["alpha", "elan", "bridge", "later"] {
        assert_eq!(query_ids(&by_writer, q), query_ids(&before, q), "{q}");
    }
}
