-- Schema 13 (helper "fts"): how FTS5 writes the item index, kept in the index's own config
-- table (items_fts_config, read by every connection that opens the index; a migration that
-- makes the index again must set them again). The index itself is unchanged.
--
-- hashsize: the words of new rows FTS5 holds in memory before writing them out as a segment
-- (1 MiB by default). A refresh batch of 2,000 items brings ~4 MB of text: with 1 MiB it was
-- written out as several small segments, each merged again later.
INSERT INTO items_fts (items_fts, rank) VALUES ('hashsize', 4194304);
-- automerge: how many segments of one level FTS5 lets pile up before merging them into one
-- of the next level (4 by default). 8 rewrites each word about half as often over the index's
-- life; a query reads up to twice as many segments per level (figures in the README, #13).
INSERT INTO items_fts (items_fts, rank) VALUES ('automerge', 8);
