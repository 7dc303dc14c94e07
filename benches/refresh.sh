#!/usr/bin/env bash
# Refresh benchmark: `kiosque refresh` over 100 and 1000 generated feeds on the shared loopback
# harness (../shared/bench), cold (every feed a 200) then warm (mostly 304), wall time and peak
# RSS per reload; newsboat side by side when installed (apt-get install newsboat).
#
#   benches/refresh.sh                 # kiosque, 100 and 1000 feeds, latency 0 ms
#   SIZES=100,500,1000 LATENCY=0,50 NEWSBOAT=1 benches/refresh.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
BENCH="$ROOT/../shared/bench"
[ -f "$BENCH/bench.py" ] || { echo "no ../shared/bench here: nothing to run"; exit 0; }
command -v /usr/bin/time >/dev/null || apt-get install -y time >/dev/null
SIZES="${SIZES:-100,1000}"
LATENCY="${LATENCY:-0}"
THREADS="${THREADS:-32}"
OUT="${OUT:-$ROOT/benches/results}"
WORK="${WORK:-$ROOT/benches/work}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kiosque-target}"
cargo build --release --locked --quiet
BIN="$CARGO_TARGET_DIR/release/kiosque"
mkdir -p "$OUT" "$WORK"
cd "$BENCH"
python3 bench.py --reader custom --label kiosque --work "$WORK" \
    --setup "printf 'concurrency = {threads}\nper_host = {threads}\n' > {run}/config.toml && $BIN --data-dir {run}/data import {opml}" \
    --cmd "$BIN --data-dir {run}/data refresh" \
    --count-cmd "$BIN --data-dir {run}/data items --json --limit 100000000 | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'" \
    --env "KIOSQUE_CONFIG={run}/config.toml" \
    --threads "$THREADS" --sizes "$SIZES" --latency-ms "$LATENCY" \
    --out "$OUT/kiosque"
if [ "${NEWSBOAT:-0}" = 1 ]; then
    command -v newsboat >/dev/null || apt-get install -y newsboat >/dev/null
    python3 bench.py --reader newsboat --label newsboat --work "$WORK" \
        --threads "$THREADS" --sizes "$SIZES" --latency-ms "$LATENCY" --out "$OUT/newsboat"
fi
cat "$OUT/kiosque.md"
[ "${NEWSBOAT:-0}" = 1 ] && cat "$OUT/newsboat.md"
exit 0
