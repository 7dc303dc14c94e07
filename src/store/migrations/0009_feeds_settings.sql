-- Schema 9: per-feed settings, set from the TUI or `kiosque feed`. NULL means
-- "as the config says".

-- Minutes between automatic refreshes of this feed (the config's refresh_minutes otherwise).
ALTER TABLE feeds ADD COLUMN refresh_minutes INTEGER;
-- 0: show the feed's own content, never fetch and extract the article page.
ALTER TABLE feeds ADD COLUMN extract INTEGER NOT NULL DEFAULT 1;
-- Days read, unstarred items are kept after they left the feed (the config's keep_days otherwise).
ALTER TABLE feeds ADD COLUMN keep_days INTEGER;
