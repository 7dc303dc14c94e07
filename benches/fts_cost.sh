#!/usr/bin/env bash
# What the full-text machinery costs a cold refresh (issue 13's "≤ 15 %"): BUILD refreshes
# 1,000 generated feeds (benches/latency.py, loopback, 0 ms latency) beside the same BUILD run
# through a wrapper that drops parts of the index upkeep from the store between `import` and
# `refresh`. WITHOUT (comma list, default all of them) says which parts:
#   fts    the triggers that keep items_fts in step with the items
#   state  the items_list_state index (counts of queries)
#   url    the non-ASCII URL index (url: parts)
# "now" in the table is the wrapper (BUILD without those parts), "before" is BUILD as it is.
#
#   benches/fts_cost.sh ~/.cache/kiosque-target/release/kiosque            # all three
#   WITHOUT=state RUNS=5 benches/fts_cost.sh BUILD                          # one part's share
#   LATENCY_ARGS="--sizes 300" benches/fts_cost.sh BUILD
#   QB=…/release/examples/query_bench benches/fts_cost.sh BUILD    # schema 14 and later
#
# What queries pay for how FTS5 writes (schema 13's hashsize and automerge):
#   benches/fts_cost.sh segments DATA_DIR [RUNS]
# copies DATA_DIR (a store of benches/query.sh) twice and writes the item index of each
# again as refreshes write it (2,000 items a transaction in arrival order, one statement in
# key order each), once with FTS5's defaults (hashsize 1 MiB, automerge 4) and once with
# schema 13's settings, then times the queries of benches/query.sh on both
# (examples/query_bench.rs, release build in CARGO_TARGET_DIR) and prints the write times.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = segments ]; then
    DATA_FROM="$(realpath "${2:?usage: benches/fts_cost.sh segments DATA_DIR [RUNS]}")"
    RUNS="${3:-7}"
    export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kiosque-target}"
    cargo build --release --locked --quiet --example query_bench
    QB="$CARGO_TARGET_DIR/release/examples/query_bench"
    WORK="$(mktemp -d)"
    trap 'rm -rf "$WORK"' EXIT
    for variant in "defaults hashsize=1048576 automerge=4" "schema-13 hashsize=4194304 automerge=8"; do
        read -r name settings <<<"$variant"
        cp -r "$DATA_FROM" "$WORK/$name"
        statements=("INSERT INTO items_fts (items_fts) VALUES ('delete-all')")
        for setting in $settings; do
            statements+=("INSERT INTO items_fts (items_fts, rank) VALUES ('${setting%=*}', ${setting#*=})")
        done
        max=$(sqlite3 "$WORK/$name/kiosque.db" "SELECT max(id) FROM items")
        for ((low = 0; low < max; low += 2000)); do
            statements+=("INSERT INTO items_fts (rowid, title, author, body, article)
                SELECT kiosque_fts_key(sort_time, id), title, coalesce(author, ''),
                       kiosque_item_text(summary_html, content_html),
                       coalesce((SELECT kiosque_article_text(a.json) FROM articles a WHERE a.url = items.url), '')
                FROM items WHERE id > $low AND id <= $((low + 2000)) ORDER BY 1")
        done
        start=$(date +%s.%N)
        "$QB" sql "$WORK/$name" 0 "${statements[@]}" >/dev/null
        echo "$name ($settings): index written in $(echo "$(date +%s.%N) - $start" | bc) s, load $(uptime | sed 's/.*average: //')"
    done
    for name in defaults schema-13; do
        echo "== $name"
        "$QB" time "$WORK/$name" "$RUNS" kernel secur '"intelligence artificielle"' 'title:hôpital' \
            'tag:tech is:unread' 'kernel -linux OR festival' '(data OR données) newer:30d' zzqx
    done
    exit 0
fi
BUILD="$(realpath "${1:?usage: benches/fts_cost.sh BUILD (a kiosque binary)}")"
WITHOUT="${WITHOUT:-fts,state,url}"
RUNS="${RUNS:-3}"
LATENCY_ARGS="${LATENCY_ARGS:---sizes 1000 --hosts 1 --latency-ms 0 --slow-frac 0 --proto http}"
command -v sqlite3 >/dev/null || { echo "needs the sqlite3 shell (apt-get install sqlite3)"; exit 1; }
WRAP="$(mktemp -d)"
trap 'rm -rf "$WRAP"' EXIT

drops=""
# Schema 14 writes a refresh batch's index rows itself, not through the insert trigger: the
# index table becomes a view that takes inserts and keeps nothing. That needs SQLite >= 3.43
# (contentless_delete): QB, an examples/query_bench build, runs it. Without QB only the
# triggers go (a schema-14 build then still indexes its batches).
index_view=""
if [ -n "${QB:-}" ]; then
    index_view="DROP TABLE items_fts|CREATE VIEW items_fts (rowid, title, author, body, article) AS SELECT 0, '', '', '', '' WHERE 0|CREATE TRIGGER items_fts_kept_nowhere INSTEAD OF INSERT ON items_fts BEGIN SELECT 1; END"
fi
for part in ${WITHOUT//,/ }; do
    case "$part" in
        fts) drops+="DROP TRIGGER IF EXISTS items_fts_on_insert; DROP TRIGGER IF EXISTS items_fts_on_update; DROP TRIGGER IF EXISTS items_fts_on_delete; " ;;
        state) drops+="DROP INDEX IF EXISTS items_list_state; " ;;
        url) drops+="DROP INDEX IF EXISTS items_by_non_ascii_url; " ;;
        *) echo "unknown part $part (fts, state, url)"; exit 1 ;;
    esac
done

cat >"$WRAP/kiosque" <<EOF
#!/usr/bin/env bash
# $BUILD without: $WITHOUT
dir=""; prev=""
for a in "\$@"; do [ "\$prev" = "--data-dir" ] && dir="\$a"; prev="\$a"; done
if [[ " \$* " == *" refresh"* ]] && [ -n "\$dir" ]; then
    sqlite3 "\$dir/kiosque.db" "$drops" || exit 1
    if [ -n "$index_view" ] && [[ ",$WITHOUT," == *",fts,"* ]] &&
        [ "\$(sqlite3 "\$dir/kiosque.db" "SELECT type FROM sqlite_schema WHERE name = 'items_fts'")" = table ]; then
        IFS='|' read -r -a statements <<<"$index_view"
        "$QB" sql "\$dir" 0 "\${statements[@]}" >/dev/null || exit 1
    fi
fi
exec "$BUILD" "\$@"
EOF
chmod +x "$WRAP/kiosque"
echo "now = $BUILD without $WITHOUT; before = $BUILD; load: $(uptime | sed 's/.*load/load/')"
# shellcheck disable=SC2086
python3 benches/latency.py $LATENCY_ARGS --runs "$RUNS" --bin "$WRAP/kiosque" --before "$BUILD"
echo "load after: $(uptime | sed 's/.*load/load/')"
