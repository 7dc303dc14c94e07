-- Schema 14 (helper "cold"): a refresh batch keeps the full-text index and the feed counts in
-- step for all its new items at once instead of row by row. The two insert triggers only run
-- while kiosque_row_upkeep() (src/query/search_index.rs) answers 1, which it does on every
-- connection except inside a refresh batch's item inserts: that batch then writes the index
-- rows of its new items in one statement in key order and adds each feed's new items to its
-- counts in one update (src/store/mod.rs, write_fetches). Every other insert (sync, tests,
-- other tools with the functions registered) is kept in step by the triggers as before.
-- Before, the batch copied each new item's HTML into a staging table so that one INSERT …
-- SELECT could fire the index trigger in key order; the items are now inserted directly.

DROP TRIGGER items_fts_on_insert;
CREATE TRIGGER items_fts_on_insert AFTER INSERT ON items
WHEN kiosque_row_upkeep()
BEGIN
    INSERT INTO items_fts (rowid, title, author, body, article)
    VALUES (kiosque_fts_key(NEW.sort_time, NEW.id), NEW.title, coalesce(NEW.author, ''),
            kiosque_item_text(NEW.summary_html, NEW.content_html),
            coalesce((SELECT kiosque_article_text(a.json) FROM articles a WHERE a.url = NEW.url), ''));
END;

DROP TRIGGER items_counted_on_insert;
CREATE TRIGGER items_counted_on_insert AFTER INSERT ON items
WHEN kiosque_row_upkeep()
BEGIN
    UPDATE feeds SET item_count = item_count + 1, unread_count = unread_count + (NEW.read = 0)
    WHERE id = NEW.feed_id;
END;

-- (feed_id, read) is the start of items_list_state (schema 12), which serves every lookup
-- this one did: one index fewer written per item inserted and per read mark.
DROP INDEX items_by_feed_read;
