-- Schema 3: a refresh the user asks for skips only feeds whose server asked to wait, so that
-- time is kept apart from failure backoff; an unsubscribed feed keeps its row (and title) while
-- starred items of it are kept.

-- The server's Retry-After (429/503): not asked before this, even by a manual refresh.
ALTER TABLE feeds ADD COLUMN retry_after INTEGER;
-- Set when the user unsubscribed: the row stays only for the starred items it still has.
ALTER TABLE feeds ADD COLUMN removed_at INTEGER;
