-- Schema 12 (helper "query"): the full-text index keyed by spans of time. Schema 11 keyed its
-- rows by (sort_time, id) as one integer, the id in the low 31 bits: two items of different
-- seconds were 2^31 apart, and every entry of the index (one per word and item) paid 5 to 6
-- bytes for that gap instead of 1 to 2 (+37.6 % of the database for the index instead of
-- +27.3 % keyed by id). Rows are now kiosque_fts_key(sort_time, id) with the time in spans
-- of 2^12 seconds (src/query/search_index.rs): items of one span follow each other by id,
-- lists read the index newest first span by span and sort the last span they read.
-- The triggers of schema 11 call the same function and stay; the index is built again
-- (the contentless index cannot move its rows), in key order (written as it will be read).

DROP TABLE items_fts;

CREATE VIRTUAL TABLE items_fts USING fts5(
    title, author, body, article,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- fill items_fts
-- The keys sorted first (two integers a row): the texts are then read once, in that order.
CREATE TEMP TABLE fts_rebuild_order AS
    SELECT kiosque_fts_key(sort_time, id) AS key, id FROM items ORDER BY key;

INSERT INTO items_fts (rowid, title, author, body, article)
    SELECT o.key, i.title, coalesce(i.author, ''),
           kiosque_item_text(i.summary_html, i.content_html),
           coalesce((SELECT kiosque_article_text(a.json) FROM articles a WHERE a.url = i.url), '')
    FROM temp.fts_rebuild_order o JOIN items i ON i.id = o.id
    ORDER BY o.rowid;

DROP TABLE temp.fts_rebuild_order;
-- end fill items_fts

-- Counting a query's matches reads every match's state (read, starred, its feed, whether it
-- is a story's first copy). Those columns sit at the end of the wide item rows, after the
-- HTML: each one read cost the row's overflow pages. This narrow index holds them: a count
-- scans it (or looks feeds up in it) instead. It leads with the feed so that no list reading
-- newest first prefers it to the time indexes (a covering time index made the unread and
-- starred lists scan it instead of their own partial indexes).
CREATE INDEX items_list_state ON items (feed_id, read, starred, dup_group, sort_time);
