-- Schema 6 (helper "sync"): switching sync on and off, mark-all-as-read, items not fetched.

-- Which server and account this data dir syncs with (recorded by the first sync): a [sync]
-- pointing elsewhere is refused until `kiosque sync --reset-server-ids`.
ALTER TABLE sync_meta ADD COLUMN server_url TEXT;
ALTER TABLE sync_meta ADD COLUMN account TEXT;

-- The queue gains 'read_all' (a whole feed marked read: one mark-all-as-read request, its
-- `read` rows naming it in `mark_all`, pushed one by one by edit-tag if the server cannot).
-- SQLite cannot alter a CHECK constraint: the table is rebuilt, rows and ids kept.
CREATE TABLE sync_queue_v6 (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL
                   CHECK (kind IN ('read', 'unread', 'star', 'unstar', 'subscribe',
                                   'unsubscribe', 'read_all')),
    -- item changes: the item's server id (decimal); read_all: the newest item of the feed
    item_server_id TEXT,
    -- subscribe: the feed URL and its folder; unsubscribe, read_all: the server's feed id
    feed_url       TEXT,
    feed_server_id TEXT,
    folder         TEXT,
    queued_at      INTEGER NOT NULL,
    -- a `read` row written by a mark-all: the id of its 'read_all' row
    mark_all       INTEGER
);
INSERT INTO sync_queue_v6 (id, kind, item_server_id, feed_url, feed_server_id, folder, queued_at)
    SELECT id, kind, item_server_id, feed_url, feed_server_id, folder, queued_at FROM sync_queue;
DROP TABLE sync_queue;
ALTER TABLE sync_queue_v6 RENAME TO sync_queue;
CREATE INDEX sync_queue_by_item ON sync_queue (item_server_id) WHERE item_server_id IS NOT NULL;
CREATE INDEX sync_queue_by_mark_all ON sync_queue (mark_all) WHERE mark_all IS NOT NULL;

-- Items the server lists but did not send (over the size cap, or of a feed not subscribed
-- here): not asked for again on every sync. `no_feed` ones are asked again once the
-- subscriptions change.
CREATE TABLE sync_unfetched (
    server_id TEXT PRIMARY KEY,
    reason    TEXT NOT NULL CHECK (reason IN ('not_sent', 'no_feed')),
    at        INTEGER NOT NULL
);

-- Matching a pulled item with one polled here before sync (same feed, same link), and a
-- polled item with one pulled before (sync switched off): by link within a feed.
CREATE INDEX items_by_feed_url ON items (feed_id, url) WHERE url IS NOT NULL;

-- Synced items unread here: each sync compares them with the server's unread list (an unread
-- item missing there was read elsewhere, or purged): an index read, not a pass over items.
CREATE INDEX items_unread_by_server_id ON items (server_id) WHERE read = 0 AND server_id IS NOT NULL;
