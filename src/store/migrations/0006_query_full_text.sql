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
