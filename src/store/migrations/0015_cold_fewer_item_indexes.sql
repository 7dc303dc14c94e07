-- Schema 15 (helper "cold"): one index fewer written per item a refresh inserts.
-- items_by_feed_url (feed_id, url) served one lookup, a sync's "the polled copy of this link
-- in this feed" (src/store/sync.rs): items_by_url (url) finds the few rows of a link and the
-- feed is checked on them, the same answer. Each insert wrote its (feed, URL) entry, ~60
-- bytes a row, in an index of its own.
DROP INDEX items_by_feed_url;
