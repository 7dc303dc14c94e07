-- Schema 1: subscriptions, items with their read/star state, and the article cache.
-- Times are Unix seconds (UTC).

CREATE TABLE feeds (
    id            INTEGER PRIMARY KEY,
    url           TEXT NOT NULL UNIQUE,
    title         TEXT NOT NULL DEFAULT '',
    -- 1 when the user gave the title: a refresh does not overwrite it.
    title_locked  INTEGER NOT NULL DEFAULT 0,
    -- title folded for search (lower case, no accents)
    search_title  TEXT NOT NULL DEFAULT '',
    site_url      TEXT,
    tags          TEXT NOT NULL DEFAULT '[]',
    etag          TEXT,
    last_modified TEXT,
    last_fetched  INTEGER,
    status        INTEGER,
    error         TEXT,
    next_due      INTEGER,
    failures      INTEGER NOT NULL DEFAULT 0,
    disabled      INTEGER NOT NULL DEFAULT 0,
    added_at      INTEGER NOT NULL
);

CREATE TABLE items (
    id            INTEGER PRIMARY KEY,
    feed_id       INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    dedupe_key    TEXT NOT NULL,
    title         TEXT NOT NULL,
    search_title  TEXT NOT NULL,
    url           TEXT,
    author        TEXT,
    published     INTEGER,
    first_seen    INTEGER NOT NULL,
    -- published date, else first-seen time: the order of every list
    sort_time     INTEGER NOT NULL,
    -- last refresh whose document still had this item (purging starts from here)
    last_seen     INTEGER NOT NULL,
    summary_html  TEXT,
    content_html  TEXT,
    enclosures    TEXT NOT NULL DEFAULT '[]',
    read          INTEGER NOT NULL DEFAULT 0,
    starred       INTEGER NOT NULL DEFAULT 0,
    read_at       INTEGER,
    UNIQUE (feed_id, dedupe_key)
);

CREATE INDEX items_by_time ON items (sort_time DESC, id DESC);
CREATE INDEX items_by_feed_time ON items (feed_id, sort_time DESC, id DESC);
CREATE INDEX items_unread_by_time ON items (sort_time DESC, id DESC) WHERE read = 0;
CREATE INDEX items_starred_by_time ON items (sort_time DESC, id DESC) WHERE starred = 1;

CREATE TABLE articles (
    url        TEXT PRIMARY KEY,
    json       TEXT NOT NULL,
    fetched_at INTEGER NOT NULL
);
