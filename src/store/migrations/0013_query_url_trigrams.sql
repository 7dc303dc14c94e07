-- Schema 13 (helper "query"): `url:` through an index of the URLs' trigrams. A part of a URL
-- found in few items (`url:post-49`) was looked for by reading every URL of the URL index
-- with LIKE (18-26 ms on 104k items, 34-57 ms for `kiosque items --query`). This contentless
-- FTS5 index holds each item's URL folded (kiosque_fold: lower case, no accents) cut into
-- trigrams, rows keyed by item id; a part of three characters or more, folded the same way,
-- is a phrase of trigrams: the items whose folded URL contains it, exactly (detail=full keeps
-- the trigrams' positions; detail=none would only give candidates to check on each row).
-- Items without a URL have no row (no `url:` part matches them). Shorter parts keep the scan.
-- Its cost: +14 MiB on the 104k store (+34.0 % for the whole full-text index instead of
-- +30.5 %), ~0.7 s to build there, and +15-18 % CPU on a cold refresh of 1,000 feeds
-- (benches/latency.py, two runs: each feed's transaction writes a small FTS5 segment).

CREATE VIRTUAL TABLE items_url USING fts5(
    url,
    content = '', contentless_delete = 1,
    tokenize = 'trigram case_sensitive 1'
);

-- fill items_url
INSERT INTO items_url (rowid, url)
    SELECT id, kiosque_fold(url) FROM items WHERE url IS NOT NULL ORDER BY id;
-- end fill items_url

CREATE TRIGGER items_url_on_insert AFTER INSERT ON items
WHEN NEW.url IS NOT NULL
BEGIN
    INSERT INTO items_url (rowid, url) VALUES (NEW.id, kiosque_fold(NEW.url));
END;

CREATE TRIGGER items_url_on_update AFTER UPDATE OF url ON items
WHEN OLD.url IS NOT NEW.url
BEGIN
    DELETE FROM items_url WHERE rowid = OLD.id AND OLD.url IS NOT NULL;
    INSERT INTO items_url (rowid, url)
        SELECT NEW.id, kiosque_fold(NEW.url) WHERE NEW.url IS NOT NULL;
END;

CREATE TRIGGER items_url_on_delete AFTER DELETE ON items
WHEN OLD.url IS NOT NULL
BEGIN
    DELETE FROM items_url WHERE rowid = OLD.id;
END;
