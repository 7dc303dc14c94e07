-- Schema 4: sync with an aggregator (Google Reader API).
-- Server ids on feeds and items, the queue of local changes not yet pushed (written in the
-- same transaction as the change itself), and what the last sync did.

-- The server's feed id (`feed/12`); NULL for a feed kiosque polls itself.
ALTER TABLE feeds ADD COLUMN server_id TEXT;
CREATE UNIQUE INDEX feeds_by_server_id ON feeds (server_id) WHERE server_id IS NOT NULL;

-- The server's item id in decimal (a Google Reader id is 64 bits unsigned: kept as text).
ALTER TABLE items ADD COLUMN server_id TEXT;
CREATE UNIQUE INDEX items_by_server_id ON items (server_id) WHERE server_id IS NOT NULL;

-- Local changes to push, oldest first. A row is deleted only after the server acknowledged it,
-- so a crash at any point pushes it again (the same final state: never flipped back).
CREATE TABLE sync_queue (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL
                   CHECK (kind IN ('read', 'unread', 'star', 'unstar', 'subscribe', 'unsubscribe')),
    -- item changes: the item's server id (decimal)
    item_server_id TEXT,
    -- subscribe: the feed URL and its folder; unsubscribe: the server's feed id
    feed_url       TEXT,
    feed_server_id TEXT,
    folder         TEXT,
    queued_at      INTEGER NOT NULL
);
CREATE INDEX sync_queue_by_item ON sync_queue (item_server_id) WHERE item_server_id IS NOT NULL;

-- One row: the last successful sync (its start time: the next pull asks for what arrived
-- since), the last error (NULL after a success) and when it was tried.
CREATE TABLE sync_meta (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    last_sync    INTEGER,
    last_attempt INTEGER,
    last_error   TEXT
);
INSERT INTO sync_meta (id) VALUES (1);
