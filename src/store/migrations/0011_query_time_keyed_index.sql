-- Schema 11 (helper "query"): the full-text index keyed in list order. Its rows were item
-- ids, which do not follow time (items arrive with older dates), so a newest-first page of a
-- frequent word had to gather every match first. Rows are now kiosque_fts_key(sort_time, id)
-- (src/query/search_index.rs): (sort_time, id) as one integer, the id in its low 31 bits.
-- Read `ORDER BY rowid DESC`, the index gives the matches newest first and a page stops
-- after its rows. The index is built again (the contentless index cannot move its rows) and
-- the triggers of schema 7 are made again with the key; a changed sort_time moves the row.

DROP TRIGGER items_fts_on_insert;
DROP TRIGGER items_fts_on_update;
DROP TRIGGER items_fts_on_delete;
DROP TRIGGER articles_indexed_on_insert;
DROP TRIGGER articles_indexed_on_update;
DROP TRIGGER articles_indexed_on_delete;
DROP TABLE items_fts;

CREATE VIRTUAL TABLE items_fts USING fts5(
    title, author, body, article,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- In key order: the index is written as it will be read.
-- fill items_fts (left out when a later migration of the same upgrade fills it again)
INSERT INTO items_fts (rowid, title, author, body, article)
    SELECT kiosque_fts_key(sort_time, id), title, coalesce(author, ''),
           kiosque_item_text(summary_html, content_html),
           coalesce((SELECT kiosque_article_text(a.json) FROM articles a WHERE a.url = items.url), '')
    FROM items ORDER BY kiosque_fts_key(sort_time, id);
-- end fill items_fts

CREATE TRIGGER items_fts_on_insert AFTER INSERT ON items
BEGIN
    INSERT INTO items_fts (rowid, title, author, body, article)
    VALUES (kiosque_fts_key(NEW.sort_time, NEW.id), NEW.title, coalesce(NEW.author, ''),
            kiosque_item_text(NEW.summary_html, NEW.content_html),
            coalesce((SELECT kiosque_article_text(a.json) FROM articles a WHERE a.url = NEW.url), ''));
END;

-- A refresh rewrites every item it sees again: only a changed text or time is indexed again.
CREATE TRIGGER items_fts_on_update AFTER UPDATE OF title, author, summary_html, content_html, url, sort_time ON items
WHEN OLD.title IS NOT NEW.title OR OLD.author IS NOT NEW.author
     OR OLD.summary_html IS NOT NEW.summary_html OR OLD.content_html IS NOT NEW.content_html
     OR OLD.url IS NOT NEW.url OR OLD.sort_time IS NOT NEW.sort_time
BEGIN
    DELETE FROM items_fts WHERE rowid = kiosque_fts_key(OLD.sort_time, OLD.id);
    INSERT INTO items_fts (rowid, title, author, body, article)
    VALUES (kiosque_fts_key(NEW.sort_time, NEW.id), NEW.title, coalesce(NEW.author, ''),
            kiosque_item_text(NEW.summary_html, NEW.content_html),
            coalesce((SELECT kiosque_article_text(a.json) FROM articles a WHERE a.url = NEW.url), ''));
END;

CREATE TRIGGER items_fts_on_delete AFTER DELETE ON items
BEGIN
    DELETE FROM items_fts WHERE rowid = kiosque_fts_key(OLD.sort_time, OLD.id);
END;

-- An article cached, cached again or dropped: the items of its URL are indexed again.
CREATE TRIGGER articles_indexed_on_insert AFTER INSERT ON articles
BEGIN
    DELETE FROM items_fts WHERE rowid IN
        (SELECT kiosque_fts_key(sort_time, id) FROM items WHERE url = NEW.url);
    INSERT INTO items_fts (rowid, title, author, body, article)
    SELECT kiosque_fts_key(sort_time, id), title, coalesce(author, ''),
           kiosque_item_text(summary_html, content_html), kiosque_article_text(NEW.json)
    FROM items WHERE url = NEW.url;
END;

CREATE TRIGGER articles_indexed_on_update AFTER UPDATE OF json ON articles
BEGIN
    DELETE FROM items_fts WHERE rowid IN
        (SELECT kiosque_fts_key(sort_time, id) FROM items WHERE url = NEW.url);
    INSERT INTO items_fts (rowid, title, author, body, article)
    SELECT kiosque_fts_key(sort_time, id), title, coalesce(author, ''),
           kiosque_item_text(summary_html, content_html), kiosque_article_text(NEW.json)
    FROM items WHERE url = NEW.url;
END;

CREATE TRIGGER articles_indexed_on_delete AFTER DELETE ON articles
BEGIN
    DELETE FROM items_fts WHERE rowid IN
        (SELECT kiosque_fts_key(sort_time, id) FROM items WHERE url = OLD.url);
    INSERT INTO items_fts (rowid, title, author, body, article)
    SELECT kiosque_fts_key(sort_time, id), title, coalesce(author, ''),
           kiosque_item_text(summary_html, content_html), ''
    FROM items WHERE url = OLD.url;
END;
