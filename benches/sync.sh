#!/usr/bin/env bash
# Sync benchmark (issue 10, "Speed and memory"): `kiosque sync` against the loopback Google
# Reader server of the tests (examples/greader_server.rs = tests/common/greader.rs, FreshRSS
# behaviour by default) on 127.0.0.1. Three measures, each the median of RUNS runs:
#   first sync of FEEDS subscriptions / ITEMS items: wall time and peak RSS (/usr/bin/time -v)
#     - target <= 10 s and <= 100 MB;
#   a sync with nothing new: wall time and `requests` from `sync --json` - target <= 0.3 s, <= 8;
#   pushing MARKS queued read marks: `requests` of that sync (the push plus a nothing-new pull)
#     and the edit-tag requests among them (as the server counted them) - target <= 10.
#
#   benches/sync.sh                          # 1000 feeds, 50000 items, all unread, FreshRSS
#   FEEDS=1000 ITEMS=50000 UNREAD=40 FLAVOR=miniflux RUNS=3 benches/sync.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
FEEDS="${FEEDS:-1000}"
ITEMS="${ITEMS:-50000}"
UNREAD="${UNREAD:-100}"
FLAVOR="${FLAVOR:-freshrss}"
MARKS="${MARKS:-5000}"
RUNS="${RUNS:-3}"
OUT="${OUT:-$ROOT/benches/results}"
command -v /usr/bin/time >/dev/null || apt-get install -y time >/dev/null
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kiosque-target}"
cargo build --release --locked --quiet --bin kiosque --example greader_server
BIN="$CARGO_TARGET_DIR/release/kiosque"
SERVER="$CARGO_TARGET_DIR/release/examples/greader_server"
WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$OUT"

"$SERVER" "$FEEDS" "$ITEMS" "$FLAVOR" "$UNREAD" "$WORK/counts.txt" >"$WORK/server.url" &
SERVER_PID=$!
for _ in $(seq 600); do [ -s "$WORK/server.url" ] && break; sleep 0.1; done
URL="$(head -1 "$WORK/server.url")"
[ -n "$URL" ] || { echo "the server did not start"; exit 1; }

export KIOSQUE_SYNC_PASSWORD=api-pass
kq() { # kq DATA_DIR ARGS...
    local d="$1"; shift
    KIOSQUE_CONFIG="$d/config.toml" "$BIN" --data-dir "$d" "$@"
}
new_dir() {
    local d="$WORK/$1"
    mkdir -p "$d"
    printf '[sync]\nservice = "greader"\nurl = "%s"\nusername = "alice"\n' "$URL" >"$d/config.toml"
    echo "$d"
}
field() { python3 -c "import json,sys; print(json.load(sys.stdin)[sys.argv[1]])" "$1"; }
# wall seconds and peak RSS in MB from /usr/bin/time -v output
wall() { awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$1"; }
rss() { awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2/1024}' "$1"; }
# requests to one endpoint so far, as the server counted them (its file lags 100 ms)
served() { sleep 0.3; awk -v e="$1" '$3 == e {n += $1} END {print n + 0}' "$WORK/counts.txt"; }
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

echo "server: $URL ($FLAVOR, $FEEDS feeds, $ITEMS items, $UNREAD% unread); $RUNS runs each"
first_wall=(); first_rss=(); first_req=()
for r in $(seq "$RUNS"); do
    d="$(new_dir "first$r")"
    /usr/bin/time -v -o "$d/time.txt" env KIOSQUE_CONFIG="$d/config.toml" "$BIN" --data-dir "$d" sync --json >"$d/sync.json"
    pulled="$(field pulled_items <"$d/sync.json")"
    [ "$pulled" = "$ITEMS" ] || { echo "first sync pulled $pulled items, not $ITEMS"; exit 1; }
    first_wall+=("$(wall "$d/time.txt")"); first_rss+=("$(rss "$d/time.txt")")
    first_req+=("$(field requests <"$d/sync.json")")
    echo "  first sync run $r: ${first_wall[-1]} s, ${first_rss[-1]} MB, ${first_req[-1]} requests"
done

d="$WORK/first1"
idle_wall=(); idle_req=()
for r in $(seq "$RUNS"); do
    /usr/bin/time -v -o "$d/time.txt" env KIOSQUE_CONFIG="$d/config.toml" "$BIN" --data-dir "$d" sync --json >"$d/sync.json"
    changed="$(field pulled_items <"$d/sync.json")$(field state_changes <"$d/sync.json")"
    [ "$changed" = "00" ] || { echo "a sync with nothing new changed something: $(cat "$d/sync.json")"; exit 1; }
    idle_wall+=("$(wall "$d/time.txt")"); idle_req+=("$(field requests <"$d/sync.json")")
    echo "  nothing-new sync run $r: ${idle_wall[-1]} s, ${idle_req[-1]} requests"
done

push_req=(); push_wall=(); push_edits=()
for r in $(seq "$RUNS"); do
    # MARKS items still unread here (different ones each run)
    kq "$d" items --json --unread --limit "$MARKS" \
        | python3 -c 'import json,sys; print("\n".join(str(i["id"]) for i in json.load(sys.stdin)))' >"$d/ids.txt"
    [ "$(wc -l <"$d/ids.txt")" = "$MARKS" ] || { echo "fewer than $MARKS unread items left"; exit 1; }
    edits_before="$(served /reader/api/0/edit-tag)"
    xargs -a "$d/ids.txt" sh -c 'exec "$0" "$@" --read' env KIOSQUE_CONFIG="$d/config.toml" "$BIN" --data-dir "$d" mark
    /usr/bin/time -v -o "$d/time.txt" env KIOSQUE_CONFIG="$d/config.toml" "$BIN" --data-dir "$d" sync --json >"$d/sync.json"
    pushed="$(field pushed <"$d/sync.json")"
    [ "$pushed" = "$MARKS" ] || { echo "pushed $pushed, not $MARKS: $(cat "$d/sync.json")"; exit 1; }
    push_wall+=("$(wall "$d/time.txt")"); push_req+=("$(field requests <"$d/sync.json")")
    push_edits+=("$(($(served /reader/api/0/edit-tag) - edits_before))")
    echo "  push of $MARKS read marks run $r: ${push_wall[-1]} s, ${push_req[-1]} requests (${push_edits[-1]} edit-tag)"
done

fw="$(printf '%s\n' "${first_wall[@]}" | median)"; fr="$(printf '%s\n' "${first_rss[@]}" | median)"
fq="$(printf '%s\n' "${first_req[@]}" | median)"
iw="$(printf '%s\n' "${idle_wall[@]}" | median)"; iq="$(printf '%s\n' "${idle_req[@]}" | median)"
pw="$(printf '%s\n' "${push_wall[@]}" | median)"; pq="$(printf '%s\n' "${push_req[@]}" | median)"
pe="$(printf '%s\n' "${push_edits[@]}" | median)"
{
    echo "# kiosque sync benchmark ($(date -u +%F), $(nproc) cores, $FLAVOR flavor, median of $RUNS)"
    echo
    echo "$FEEDS feeds, $ITEMS items ($UNREAD% unread), loopback server examples/greader_server.rs"
    echo
    echo "| measure | result | target |"
    echo "| --- | --- | --- |"
    echo "| first sync: wall | $fw s ($fq requests) | <= 10 s |"
    echo "| first sync: peak RSS | $fr MB | <= 100 MB |"
    echo "| nothing new: wall | $iw s | <= 0.3 s |"
    echo "| nothing new: requests | $iq | <= 8 |"
    echo "| push $MARKS read marks: requests (push + nothing-new pull) | $pq ($pe edit-tag), $pw s | <= 10 |"
} >"$OUT/sync-$FLAVOR.md"
cat "$OUT/sync-$FLAVOR.md"
