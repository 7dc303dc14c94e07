-- Schema 8: the same story from several feeds shows once. Each item keeps
-- its duplicate keys, computed at insert time (the canonical URL and the normalised title:
-- `duplicates.rs`), and the group it belongs to: `dup_group` is the id of the group's first
-- item (the copy the mixed lists show), NULL for an item with no copy.

ALTER TABLE items ADD COLUMN url_key TEXT;
ALTER TABLE items ADD COLUMN title_key TEXT;
ALTER TABLE items ADD COLUMN dup_group INTEGER;

CREATE INDEX items_by_url_key ON items (url_key) WHERE url_key IS NOT NULL;
CREATE INDEX items_by_title_key ON items (title_key, sort_time) WHERE title_key IS NOT NULL;
CREATE INDEX items_by_dup_group ON items (dup_group) WHERE dup_group IS NOT NULL;

-- When the shown copy goes (purge, unsubscribe), the next one (lowest id) takes its place.
CREATE TRIGGER items_dup_group_kept_on_delete AFTER DELETE ON items
WHEN OLD.dup_group = OLD.id
BEGIN
    UPDATE items SET dup_group = (SELECT min(id) FROM items WHERE dup_group = OLD.id)
    WHERE dup_group = OLD.id;
END;
