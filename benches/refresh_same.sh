#!/usr/bin/env bash
# Does a refresh store the same thing with two builds? NEW and OLD each import the 1,000 (or
# N) generated feeds of ../shared/bench and refresh them cold from one loopback server, then
# the stores are compared: every item's columns (HTML by length and SHA3), duplicate groups
# (by their members, ids differ with the order fetches finish), every feed's counts and
# validators, the answers of full-text and field queries (`items --query … --json`), and
# with QB (an examples/query_bench build) a digest of the whole full-text index (every
# word, column and position of every item, fts5vocab). Prints "same" or the differences.
#
#   benches/refresh_same.sh NEW OLD [N]
#   QB=$CARGO_TARGET_DIR/release/examples/query_bench benches/refresh_same.sh NEW OLD
set -euo pipefail
cd "$(dirname "$0")/.."
NEW="$(realpath "${1:?usage: benches/refresh_same.sh NEW OLD [N]}")"
OLD="$(realpath "${2:?usage: benches/refresh_same.sh NEW OLD [N]}")"
N="${3:-1000}"
BENCH="$PWD/../shared/bench"
[ -f "$BENCH/serve.py" ] || { echo "no ../shared/bench here: nothing to compare"; exit 0; }
command -v sqlite3 >/dev/null || { echo "needs the sqlite3 shell (apt-get install sqlite3)"; exit 1; }
WORK="$(mktemp -d)"
SERVER=""
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"' EXIT
python3 "$BENCH/gen_feeds.py" gen --dir "$WORK/feeds" --n "$N" --seed 42 >/dev/null
python3 "$BENCH/serve.py" --dir "$WORK/feeds" --port 0 --port-file "$WORK/port" --preload \
    >/dev/null 2>&1 &
SERVER=$!
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
python3 "$BENCH/gen_feeds.py" lists --dir "$WORK/feeds" --n "$N" \
    --base-url "http://127.0.0.1:$(cat "$WORK/port")" --out "$WORK/lists" >/dev/null

# Columns that do not depend on when the refresh ran or in which order feeds finished.
DUMP="
.mode list
.separator \"\t\"
SELECT f.url, i.dedupe_key, i.title, i.search_title, i.url, i.author, i.published,
       i.sort_time - i.first_seen * (i.published IS NULL), i.first_seen = i.last_seen,
       length(i.summary_html), hex(sha3(i.summary_html)), length(i.content_html),
       hex(sha3(i.content_html)), i.enclosures, i.url_key, i.title_key, i.read, i.starred,
       i.dup_group IS NULL,
       (SELECT group_concat(m, ' | ') FROM (SELECT f2.url || ' ' || d.dedupe_key AS m
          FROM items d JOIN feeds f2 ON f2.id = d.feed_id
          WHERE d.dup_group = i.dup_group ORDER BY m))
FROM items i JOIN feeds f ON f.id = i.feed_id ORDER BY f.url, i.dedupe_key;
SELECT 'feed', url, title, search_title, site_url, item_count, unread_count, status, etag,
       last_modified, error FROM feeds ORDER BY url;"
QUERIES=(kernel 'secur' '"intelligence artificielle"' 'title:march' 'author:martin'
    'data OR données' 'cloud -policy' 'is:unread' '東京' 'café' 'url:post-4')
# fts5vocab over the index: every word, column and position, with its item named by feed
# URL and key (ids differ between the two stores).
VOCAB="CREATE VIRTUAL TABLE IF NOT EXISTS temp.words USING fts5vocab(main, items_fts, instance)"
DIGEST="SELECT count(*), sum(w.offset), sum(w.offset * unicode(w.term)),
    sum((instr(w.col, 'b') + 2) * length(w.term) * (w.offset + 1)),
    sum(length(f.url || i.dedupe_key) * length(w.term) * (w.offset + 1))
  FROM temp.words w JOIN items i ON i.id = w.doc % 2147483648 JOIN feeds f ON f.id = i.feed_id"

for build in new old; do
    bin="$NEW"; [ "$build" = old ] && bin="$OLD"
    dir="$WORK/$build"
    mkdir -p "$dir"
    printf 'refresh_on_start = false\n' >"$dir/config.toml"
    export KIOSQUE_CONFIG="$dir/config.toml"
    "$bin" --data-dir "$dir/data" import "$WORK/lists/feeds.opml" >/dev/null
    "$bin" --data-dir "$dir/data" refresh >"$dir/refresh.txt"
    sqlite3 "$dir/data/kiosque.db" <<<"$DUMP" >"$dir/rows.tsv"
    for q in "${QUERIES[@]}"; do
        printf '== %s\n' "$q"
        "$bin" --data-dir "$dir/data" items --query "$q" --json --limit 1000000 |
            python3 -c 'import json,sys
for r in sorted((r["feed_title"], r["url"] or "", r["title"], r["published"] or "", r["read"], tuple(sorted(r["also_in"]))) for r in json.load(sys.stdin)): print(r)'
    done >"$dir/queries.txt"
    if [ -n "${QB:-}" ]; then
        "$QB" sql "$dir/data" 0 "$VOCAB" "$DIGEST" | grep " ms | " | tail -1 | cut -d"|" -f2-6 >"$dir/index.txt"
    fi
done

same=1
for f in rows.tsv queries.txt index.txt; do
    [ -f "$WORK/new/$f" ] || continue
    if ! cmp -s "$WORK/new/$f" "$WORK/old/$f"; then
        same=0
        echo "== $f differs ($(wc -l <"$WORK/new/$f") vs $(wc -l <"$WORK/old/$f") lines):"
        diff "$WORK/new/$f" "$WORK/old/$f" | head -20 | cut -c1-300
    fi
done
echo "new: $(cat "$WORK/new/refresh.txt")"
echo "old: $(cat "$WORK/old/refresh.txt")"
echo "rows: $(wc -l <"$WORK/new/rows.tsv"), query answers: $(grep -vc '^==' "$WORK/new/queries.txt")"
[ -f "$WORK/new/index.txt" ] && echo "index digest: $(cat "$WORK/new/index.txt")"
[ "$same" = 1 ] && echo same
[ "$same" = 1 ]
