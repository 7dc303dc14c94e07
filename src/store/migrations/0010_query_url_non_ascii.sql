-- Schema 10 (helper "query"): `url:` reads the URL index with an ASCII-case-insensitive LIKE
-- (as SQLite's lower() folds); only URLs holding other characters need kiosque_fold, and
-- this small partial index lists them, so no query tests every URL for such characters.
CREATE INDEX items_by_non_ascii_url ON items (url) WHERE url GLOB '*[^ -~]*';
