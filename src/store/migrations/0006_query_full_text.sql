-- Schema 6 (helper "query"): full-text search for the query language. Three contentless FTS5
-- indexes (the text stays in its own tables; the index holds only words), folding case and
-- accents: items (title, author, body = summary and content as text), cached articles, feed
-- titles. Triggers keep them in step and this migration fills them for an existing database.
-- The functions kiosque_item_text / kiosque_article_text are registered by the store on
-- every connection (src/query/search_index.rs).

CREATE VIRTUAL TABLE items_fts USING fts5(
    title, author, body,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE articles_fts USING fts5(
    text,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE feeds_fts USING fts5(
    title,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO items_fts (rowid, title, author, body)
    SELECT id, title, coalesce(author, ''), kiosque_item_text(summary_html, content_html)
    FROM items;
INSERT INTO articles_fts (rowid, text)
    SELECT rowid, kiosque_article_text(json) FROM articles;
INSERT INTO feeds_fts (rowid, title) SELECT id, title FROM feeds;

CREATE TRIGGER items_fts_on_insert AFTER INSERT ON items
BEGIN
    INSERT INTO items_fts (rowid, title, author, body)
    VALUES (NEW.id, NEW.title, coalesce(NEW.author, ''),
            kiosque_item_text(NEW.summary_html, NEW.content_html));
END;

-- A refresh rewrites every item it sees again: only a changed text is indexed again.
CREATE TRIGGER items_fts_on_update AFTER UPDATE OF title, author, summary_html, content_html ON items
WHEN OLD.title IS NOT NEW.title OR OLD.author IS NOT NEW.author
     OR OLD.summary_html IS NOT NEW.summary_html OR OLD.content_html IS NOT NEW.content_html
BEGIN
    DELETE FROM items_fts WHERE rowid = OLD.id;
    INSERT INTO items_fts (rowid, title, author, body)
    VALUES (NEW.id, NEW.title, coalesce(NEW.author, ''),
            kiosque_item_text(NEW.summary_html, NEW.content_html));
END;

CREATE TRIGGER items_fts_on_delete AFTER DELETE ON items
BEGIN
    DELETE FROM items_fts WHERE rowid = OLD.id;
END;

CREATE TRIGGER articles_fts_on_insert AFTER INSERT ON articles
BEGIN
    INSERT INTO articles_fts (rowid, text) VALUES (NEW.rowid, kiosque_article_text(NEW.json));
END;

CREATE TRIGGER articles_fts_on_update AFTER UPDATE OF json ON articles
BEGIN
    DELETE FROM articles_fts WHERE rowid = OLD.rowid;
    INSERT INTO articles_fts (rowid, text) VALUES (NEW.rowid, kiosque_article_text(NEW.json));
END;

CREATE TRIGGER articles_fts_on_delete AFTER DELETE ON articles
BEGIN
    DELETE FROM articles_fts WHERE rowid = OLD.rowid;
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
-- --hidden` lists them), "tag:NAME" tags one item. Hidden items count nowhere: the feed
-- counts' triggers (schema 5) are made again to leave them out.
ALTER TABLE items ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;

CREATE TABLE item_tags (
    item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    tag     TEXT NOT NULL,
    -- the tag folded (lower case, no accents): what tag: compares
    folded  TEXT NOT NULL,
    PRIMARY KEY (item_id, folded)
) WITHOUT ROWID;
CREATE INDEX item_tags_by_tag ON item_tags (folded);

DROP TRIGGER items_counted_on_insert;
DROP TRIGGER items_counted_on_delete;
DROP TRIGGER items_counted_on_update;

CREATE TRIGGER items_counted_on_insert AFTER INSERT ON items
BEGIN
    UPDATE feeds SET item_count = item_count + (NEW.hidden = 0),
                     unread_count = unread_count + (NEW.read = 0 AND NEW.hidden = 0)
    WHERE id = NEW.feed_id;
END;

CREATE TRIGGER items_counted_on_delete AFTER DELETE ON items
BEGIN
    UPDATE feeds SET item_count = item_count - (OLD.hidden = 0),
                     unread_count = unread_count - (OLD.read = 0 AND OLD.hidden = 0)
    WHERE id = OLD.feed_id;
END;

CREATE TRIGGER items_counted_on_update AFTER UPDATE OF read, feed_id, hidden ON items
WHEN OLD.read IS NOT NEW.read OR OLD.feed_id IS NOT NEW.feed_id OR OLD.hidden IS NOT NEW.hidden
BEGIN
    UPDATE feeds SET item_count = item_count - (OLD.hidden = 0),
                     unread_count = unread_count - (OLD.read = 0 AND OLD.hidden = 0)
    WHERE id = OLD.feed_id;
    UPDATE feeds SET item_count = item_count + (NEW.hidden = 0),
                     unread_count = unread_count + (NEW.read = 0 AND NEW.hidden = 0)
    WHERE id = NEW.feed_id;
END;
