-- Schema 6 (helper "query"): full-text search for the query language. Two contentless FTS5
-- indexes (the text stays in its own tables; the index holds only words), folding case and
-- accents: items (title, author, body = summary and content as text, article = the cached
-- article of the item's URL) and feed titles. Triggers keep them in step and this migration
-- fills them for an existing database. The functions kiosque_item_text / kiosque_article_text
-- are registered by the store on every connection (src/query/search_index.rs).

CREATE VIRTUAL TABLE items_fts USING fts5(
    title, author, body, article,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE feeds_fts USING fts5(
    title,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- The items of a page URL: an article cached (or cached again) is indexed with them.
CREATE INDEX items_by_url ON items (url) WHERE url IS NOT NULL;

-- fill items_fts (left out when a later migration of the same upgrade fills it again)
INSERT INTO items_fts (rowid, title, author, body, article)
    SELECT id, title, coalesce(author, ''), kiosque_item_text(summary_html, content_html),
           coalesce((SELECT kiosque_article_text(a.json) FROM articles a WHERE a.url = items.url), '')
    FROM items;
-- end fill items_fts
INSERT INTO feeds_fts (rowid, title) SELECT id, title FROM feeds;

CREATE TRIGGER items_fts_on_insert AFTER INSERT ON items
BEGIN
    INSERT INTO items_fts (rowid, title, author, body, article)
    VALUES (NEW.id, NEW.title, coalesce(NEW.author, ''),
            kiosque_item_text(NEW.summary_html, NEW.content_html),
            coalesce((SELECT kiosque_article_text(a.json) FROM articles a WHERE a.url = NEW.url), ''));
END;

-- A refresh rewrites every item it sees again: only a changed text is indexed again.
CREATE TRIGGER items_fts_on_update AFTER UPDATE OF title, author, summary_html, content_html, url ON items
WHEN OLD.title IS NOT NEW.title OR OLD.author IS NOT NEW.author
     OR OLD.summary_html IS NOT NEW.summary_html OR OLD.content_html IS NOT NEW.content_html
     OR OLD.url IS NOT NEW.url
BEGIN
    DELETE FROM items_fts WHERE rowid = OLD.id;
    INSERT INTO items_fts (rowid, title, author, body, article)
    VALUES (NEW.id, NEW.title, coalesce(NEW.author, ''),
            kiosque_item_text(NEW.summary_html, NEW.content_html),
            coalesce((SELECT kiosque_article_text(a.json) FROM articles a WHERE a.url = NEW.url), ''));
END;

CREATE TRIGGER items_fts_on_delete AFTER DELETE ON items
BEGIN
    DELETE FROM items_fts WHERE rowid = OLD.id;
END;

-- An article cached, cached again or dropped: the items of its URL are indexed again.
CREATE TRIGGER articles_indexed_on_insert AFTER INSERT ON articles
BEGIN
    DELETE FROM items_fts WHERE rowid IN (SELECT id FROM items WHERE url = NEW.url);
    INSERT INTO items_fts (rowid, title, author, body, article)
    SELECT id, title, coalesce(author, ''), kiosque_item_text(summary_html, content_html),
           kiosque_article_text(NEW.json)
    FROM items WHERE url = NEW.url;
END;

CREATE TRIGGER articles_indexed_on_update AFTER UPDATE OF json ON articles
BEGIN
    DELETE FROM items_fts WHERE rowid IN (SELECT id FROM items WHERE url = NEW.url);
    INSERT INTO items_fts (rowid, title, author, body, article)
    SELECT id, title, coalesce(author, ''), kiosque_item_text(summary_html, content_html),
           kiosque_article_text(NEW.json)
    FROM items WHERE url = NEW.url;
END;

CREATE TRIGGER articles_indexed_on_delete AFTER DELETE ON articles
BEGIN
    DELETE FROM items_fts WHERE rowid IN (SELECT id FROM items WHERE url = OLD.url);
    INSERT INTO items_fts (rowid, title, author, body, article)
    SELECT id, title, coalesce(author, ''), kiosque_item_text(summary_html, content_html), ''
    FROM items WHERE url = OLD.url;
END;

CREATE TRIGGER feeds_fts_on_insert AFTER INSERT ON feeds
BEGIN
    INSERT INTO feeds_fts (rowid, title) VALUES (NEW.id, NEW.title);
END;

CREATE TRIGGER feeds_fts_on_update AFTER UPDATE OF title ON feeds
WHEN OLD.title IS NOT NEW.title
BEGIN
    DELETE FROM feeds_fts WHERE rowid = OLD.id;
    INSERT INTO feeds_fts (rowid, title) VALUES (NEW.id, NEW.title);
END;

CREATE TRIGGER feeds_fts_on_delete AFTER DELETE ON feeds
BEGIN
    DELETE FROM feeds_fts WHERE rowid = OLD.id;
END;

-- Saved searches made in the TUI (those of the config file live there).
CREATE TABLE saved_searches (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE,
    query    TEXT NOT NULL,
    saved_at INTEGER NOT NULL
);

-- Rules on arrival ([[rules]]): "hide" keeps an item out of every list (`kiosque items
-- --hidden` lists them), "tag:NAME" tags one item. Hidden items are their own small table (a
-- probe of it costs no read of the wide items rows) and count nowhere: the feed counts'
-- triggers (schema 5) are made again to leave them out.
CREATE TABLE hidden_items (item_id INTEGER PRIMARY KEY);

CREATE TABLE item_tags (
    item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    tag     TEXT NOT NULL,
    -- the tag folded (lower case, no accents): what tag: compares
    folded  TEXT NOT NULL,
    PRIMARY KEY (item_id, folded)
) WITHOUT ROWID;
CREATE INDEX item_tags_by_tag ON item_tags (folded);

CREATE TRIGGER hidden_items_counted AFTER INSERT ON hidden_items
BEGIN
    UPDATE feeds SET item_count = item_count - 1,
                     unread_count = unread_count - (SELECT read = 0 FROM items WHERE id = NEW.item_id)
    WHERE id = (SELECT feed_id FROM items WHERE id = NEW.item_id);
END;

DROP TRIGGER items_counted_on_delete;
DROP TRIGGER items_counted_on_update;

CREATE TRIGGER items_counted_on_delete AFTER DELETE ON items
BEGIN
    UPDATE feeds SET item_count = item_count - 1, unread_count = unread_count - (OLD.read = 0)
    WHERE id = OLD.feed_id
      AND NOT EXISTS (SELECT 1 FROM hidden_items WHERE item_id = OLD.id);
    DELETE FROM hidden_items WHERE item_id = OLD.id;
END;

CREATE TRIGGER items_counted_on_update AFTER UPDATE OF read, feed_id ON items
WHEN (OLD.read IS NOT NEW.read OR OLD.feed_id IS NOT NEW.feed_id)
     AND NOT EXISTS (SELECT 1 FROM hidden_items WHERE item_id = NEW.id)
BEGIN
    UPDATE feeds SET item_count = item_count - 1, unread_count = unread_count - (OLD.read = 0)
    WHERE id = OLD.feed_id;
    UPDATE feeds SET item_count = item_count + 1, unread_count = unread_count + (NEW.read = 0)
    WHERE id = NEW.feed_id;
END;
