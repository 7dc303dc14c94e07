#!/usr/bin/env bash
# The query language at scale: N generated feeds (../shared/bench/gen_feeds.py: 20-50 items
# each with HTML bodies of a few KB in English, French, Chinese, Japanese, Korean; 3,000 feeds
# ≈ 104,000 items) served on loopback, imported and refreshed once into a fresh store (its cold
# refresh time is printed), then:
#   - the first page (50 rows) of several queries in process, and the count plus that page
#     (what the TUI's search asks), median of RUNS (examples/query_bench.rs);
#   - `kiosque items --query Q --limit 50 --json`, the whole process, median of RUNS;
#   - the database vacuumed, with and without the full-text index.
# BEFORE=/path/to/an/older/kiosque also refreshes a second store with it (cold refresh cost
# of the index: same feeds, same server).
# DATA_FROM=DIR skips the feeds, the server and the refresh: the timings run on a copy of an
# already filled data directory (a refresh of 3,000 feeds takes minutes on a loaded machine).
# BEFORE_QB=/path/to/an/older/query_bench (with BEFORE=its kiosque): the same timings for the
# older build on its own copy of the same store, query by query beside the new one (a before /
# after under the same load).
#
#   benches/query.sh                  # N=3000 RUNS=7, release build
#   PROFILE=debug benches/query.sh    # no release build (SQLite and dependencies are
#                                     # optimised in the dev profile too)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
BENCH="$ROOT/../shared/bench"
[ -f "$BENCH/gen_feeds.py" ] || { echo "no ../shared/bench here: nothing to run"; exit 0; }
N="${N:-3000}"
RUNS="${RUNS:-7}"
PROFILE="${PROFILE:-release}"
BEFORE="${BEFORE:-}"
BEFORE_QB="${BEFORE_QB:-}"
DATA_FROM="${DATA_FROM:-}"
[ -z "$BEFORE_QB" ] || [ -n "$BEFORE" ] || { echo "BEFORE_QB needs BEFORE (its kiosque)"; exit 1; }
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kiosque-target}"
if [ "$PROFILE" = release ]; then
    cargo build --release --locked --quiet --bin kiosque --example query_bench
else
    cargo build --locked --quiet --bin kiosque --example query_bench
fi
BIN="$CARGO_TARGET_DIR/$PROFILE/kiosque"
QB="$CARGO_TARGET_DIR/$PROFILE/examples/query_bench"
WORK="${WORK:-$(mktemp -d)}"
mkdir -p "$WORK"
ms() { echo $(( ($2 - $1) / 1000000 )); }
median() { sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"; }
DATA="$WORK/data"

if [ -n "$DATA_FROM" ]; then
    rm -rf "$DATA" "$WORK/data-before"
    cp -r "$DATA_FROM" "$DATA"
    [ -z "$BEFORE_QB" ] || cp -r "$DATA_FROM" "$WORK/data-before"
    export KIOSQUE_CONFIG="$WORK/config.toml"
    printf 'refresh_on_start = false\n' > "$KIOSQUE_CONFIG"
    ITEMS=$("$BIN" --data-dir "$DATA" items --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
    echo "store: copy of $DATA_FROM, $ITEMS items ($PROFILE build)"
else
    FEEDS="$WORK/feeds-$N"
    [ -d "$FEEDS" ] || python3 "$BENCH/gen_feeds.py" gen --dir "$FEEDS" --n "$N" --seed 42 >/dev/null
    rm -f "$WORK/port" "$WORK/server.pid"
    python3 "$BENCH/serve.py" --dir "$FEEDS" --port-file "$WORK/port" --pid-file "$WORK/server.pid" \
        >"$WORK/server.log" 2>&1 &
    trap 'kill "$(cat "$WORK/server.pid" 2>/dev/null)" 2>/dev/null || true' EXIT
    until [ -s "$WORK/port" ]; do sleep 0.1; done
    PORT="$(cat "$WORK/port")"
    python3 "$BENCH/gen_feeds.py" lists --dir "$FEEDS" --n "$N" \
        --base-url "http://127.0.0.1:$PORT" --out "$WORK/lists" >/dev/null
    printf 'concurrency = 32\nper_host = 32\nrefresh_on_start = false\n' > "$WORK/config.toml"
    export KIOSQUE_CONFIG="$WORK/config.toml"

    # cold_refresh BIN DATA: import the OPML, then one timed refresh; sets S (seconds).
    cold_refresh() {
        rm -rf "$2"
        "$1" --data-dir "$2" import "$WORK/lists/feeds.opml" >/dev/null
        local start end
        start=$(date +%s%N)
        "$1" --data-dir "$2" refresh >/dev/null 2>&1
        end=$(date +%s%N)
        S=$(awk "BEGIN {printf \"%.1f\", ($end - $start) / 1e9}")
    }

    cold_refresh "$BIN" "$DATA"
    ITEMS=$("$BIN" --data-dir "$DATA" items --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
    echo "store: $N feeds, $ITEMS items; cold refresh with the index: $S s ($PROFILE build)"
    if [ -n "$BEFORE" ]; then
        cold_refresh "$BEFORE" "$WORK/data-before"
        echo "cold refresh with $BEFORE (no index): $S s"
    fi
    if [ -n "$BEFORE_QB" ]; then
        rm -rf "$WORK/data-before"
        cp -r "$DATA" "$WORK/data-before"
    fi
fi

QUERIES=(
    "kernel"
    "secur"
    "\"intelligence artificielle\""
    "title:hôpital"
    "tag:tech is:unread"
    "kernel -linux OR festival"
    "(data OR données) newer:30d"
    "author:zzqx"
    "zzqx"
    "url:article/9"
    "url:post-49"
    "url:blog1"
)
echo
echo "In process (median of $RUNS):"
if [ -n "$BEFORE_QB" ]; then
    # Query by query, the older build's row first ("before"), then this build's.
    "$QB" time "$DATA" 1 | head -n 2
    for q in "${QUERIES[@]}"; do
        echo "before:"; "$BEFORE_QB" time "$WORK/data-before" "$RUNS" "$q" | tail -n 1
        echo "after:"; "$QB" time "$DATA" "$RUNS" "$q" | tail -n 1
    done
else
    "$QB" time "$DATA" "$RUNS" "${QUERIES[@]}"
fi
echo
echo "Whole process: kiosque items --query Q --limit 50 --json (median of $RUNS):"
if [ -n "$BEFORE_QB" ]; then
    echo "| query | before ms | after ms |"
    echo "|---|---:|---:|"
else
    echo "| query | ms |"
    echo "|---|---:|"
fi
for q in "${QUERIES[@]}"; do
    times=()
    before=()
    for _ in $(seq "$RUNS"); do
        if [ -n "$BEFORE_QB" ]; then
            start=$(date +%s%N)
            "$BEFORE" --data-dir "$WORK/data-before" items --query "$q" --limit 50 --json >/dev/null
            end=$(date +%s%N)
            before+=("$(ms "$start" "$end")")
        fi
        start=$(date +%s%N)
        "$BIN" --data-dir "$DATA" items --query "$q" --limit 50 --json >/dev/null
        end=$(date +%s%N)
        times+=("$(ms "$start" "$end")")
    done
    if [ -n "$BEFORE_QB" ]; then
        echo "| \`$q\` | $(printf '%s\n' "${before[@]}" | median) | $(printf '%s\n' "${times[@]}" | median) |"
    else
        echo "| \`$q\` | $(printf '%s\n' "${times[@]}" | median) |"
    fi
done
times=()
before=()
for _ in $(seq "$RUNS"); do
    if [ -n "$BEFORE_QB" ]; then
        start=$(date +%s%N)
        "$BEFORE" --data-dir "$WORK/data-before" items --limit 50 --json >/dev/null
        end=$(date +%s%N)
        before+=("$(ms "$start" "$end")")
    fi
    start=$(date +%s%N)
    "$BIN" --data-dir "$DATA" items --limit 50 --json >/dev/null
    end=$(date +%s%N)
    times+=("$(ms "$start" "$end")")
done
if [ -n "$BEFORE_QB" ]; then
    echo "| (no query) | $(printf '%s\n' "${before[@]}" | median) | $(printf '%s\n' "${times[@]}" | median) |"
else
    echo "| (no query) | $(printf '%s\n' "${times[@]}" | median) |"
fi
echo
"$QB" sizes "$DATA"
