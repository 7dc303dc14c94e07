#!/usr/bin/env bash
# What the full-text machinery costs a cold refresh (issue 13's "≤ 15 %"): BUILD refreshes
# 1,000 generated feeds (benches/latency.py, loopback, 0 ms latency) beside the same BUILD run
# through a wrapper that drops parts of the index upkeep from the store between `import` and
# `refresh`. WITHOUT (comma list, default all of them) says which parts:
#   fts    the triggers that keep items_fts (and the deferred index queue) in step
#   state  the items_list_state index (counts of queries)
#   url    the non-ASCII URL index (url: parts)
# "now" in the table is the wrapper (BUILD without those parts), "before" is BUILD as it is.
#
#   benches/fts_cost.sh ~/.cache/kiosque-target/release/kiosque            # all three
#   WITHOUT=state RUNS=5 benches/fts_cost.sh BUILD                          # one part's share
#   LATENCY_ARGS="--sizes 300" benches/fts_cost.sh BUILD
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="$(realpath "${1:?usage: benches/fts_cost.sh BUILD (a kiosque binary)}")"
WITHOUT="${WITHOUT:-fts,state,url}"
RUNS="${RUNS:-3}"
LATENCY_ARGS="${LATENCY_ARGS:---sizes 1000 --hosts 1 --latency-ms 0 --slow-frac 0 --proto http}"
command -v sqlite3 >/dev/null || { echo "needs the sqlite3 shell (apt-get install sqlite3)"; exit 1; }
WRAP="$(mktemp -d)"
trap 'rm -rf "$WRAP"' EXIT

drops=""
for part in ${WITHOUT//,/ }; do
    case "$part" in
        fts) drops+="DROP TRIGGER IF EXISTS items_fts_on_insert; DROP TRIGGER IF EXISTS items_fts_on_update; DROP TRIGGER IF EXISTS items_fts_on_delete; DROP TRIGGER IF EXISTS items_fts_queued_on_insert; " ;;
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
fi
exec "$BUILD" "\$@"
EOF
chmod +x "$WRAP/kiosque"
echo "now = $BUILD without $WITHOUT; before = $BUILD; load: $(uptime | sed 's/.*load/load/')"
# shellcheck disable=SC2086
python3 benches/latency.py $LATENCY_ARGS --runs "$RUNS" --bin "$WRAP/kiosque" --before "$BUILD"
echo "load after: $(uptime | sed 's/.*load/load/')"
