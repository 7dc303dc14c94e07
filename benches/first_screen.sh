#!/usr/bin/env bash
# Whole-program time to a full first screen in a real terminal, and resident memory, with
# 100 / 10,000 / 100,000 items over 50 feeds and 104,000 items over 3,000 and 10,000 feeds (a
# size is ITEMS or ITEMSxFEEDS): kiosque starts in tmux (120x40, no refresh on start) and
# capture-pane is polled until the newest headline is drawn; then `kiosque list --json` on the
# same store. Prints the median of RUNS runs.
#
#   benches/first_screen.sh            # SIZES="100 10000 100000 104000x3000 104000x10000" RUNS=5
#   BEFORE=/tmp/kiosque.old benches/first_screen.sh   # also that build, same stores, and ratios
#   NOW=/tmp/k.new FILL=/tmp/fill_store.new BEFORE=/tmp/k.old benches/first_screen.sh  # no cargo
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kiosque-target}"
SIZES="${SIZES:-100 10000 100000 104000x3000 104000x10000}"
RUNS="${RUNS:-5}"
BEFORE="${BEFORE:-}"
command -v tmux >/dev/null || apt-get install -y tmux >/dev/null
if [ -n "${NOW:-}" ]; then
    # Builds made earlier (NOW=kiosque binary, FILL=its fill_store example): no cargo here.
    BIN="$NOW"
    FILL="${FILL:?FILL=path to the fill_store example built with NOW}"
else
    cargo build --release --locked --quiet --bin kiosque --example fill_store
    BIN="$CARGO_TARGET_DIR/release/kiosque"
    FILL="$CARGO_TARGET_DIR/release/examples/fill_store"
fi
WORK="$(mktemp -d)"
trap 'tmux kill-session -t kq-bench 2>/dev/null || true; rm -rf "$WORK"' EXIT
printf 'refresh_on_start = false\nrefresh_minutes = 0\n' > "$WORK/config.toml"
# The harness's own cost (tmux start, polling) is measured the same way on a program that
# prints the awaited line at once: the "baseline" row; kiosque's own time is the difference.
printf '#!/bin/sh\necho "Synthetic headline number 0 (baseline)"\nexec sleep 30\n' > "$WORK/baseline.sh"
chmod +x "$WORK/baseline.sh"

median() { sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"; }
now_ns() { date +%s%N; }

# first_screen CMD: sets T (median ms) and R (median RSS MiB).
first_screen() {
    local cmd=$1 times=() rss=() start end pid
    for _ in $(seq "$RUNS"); do
        tmux kill-session -t kq-bench 2>/dev/null || true
        start=$(now_ns)
        tmux new-session -d -s kq-bench -x 120 -y 40 "$cmd"
        # The first screen is full when the newest headline is drawn.
        until tmux capture-pane -p -t kq-bench 2>/dev/null | grep -q "Synthetic headline number 0 "; do
            sleep 0.001
        done
        end=$(now_ns)
        pid=$(tmux list-panes -t kq-bench -F '#{pane_pid}')
        rss+=("$(awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$pid/status")")
        times+=("$(( (end - start) / 1000000 ))")
        tmux send-keys -t kq-bench q
        sleep 0.2
    done
    T=$(printf '%s\n' "${times[@]}" | median)
    R=$(printf '%s\n' "${rss[@]}" | median)
}

# list_json BIN DIR: sets L (median ms of `list --json`, output thrown away).
list_json() {
    local times=() start end
    for _ in $(seq "$RUNS"); do
        start=$(now_ns)
        KIOSQUE_CONFIG="$WORK/config.toml" "$1" --data-dir "$2" list --json >/dev/null
        end=$(now_ns)
        times+=("$(( (end - start) / 1000 ))")
    done
    L=$(printf '%s\n' "${times[@]}" | median | awk '{printf "%.1f", $1/1000}')
}

first_screen "exec $WORK/baseline.sh"
base_ms=$T
echo "harness baseline (tmux start and polling): $base_ms ms, median of $RUNS"
if [ -n "$BEFORE" ]; then
    echo "| items x feeds | first screen ms, before → now | minus baseline | ratio | RSS MiB | list --json ms, before → now | ratio |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
else
    echo "| items x feeds | first screen ms (median of $RUNS) | minus baseline | RSS MiB at first screen | list --json ms |"
    echo "|---|---:|---:|---:|---:|"
fi
for n in $SIZES; do
    items=${n%x*}
    feeds=50
    [ "$n" != "$items" ] && feeds=${n#*x}
    dir="$WORK/d${items}x$feeds"
    "$FILL" "$dir" "$items" "$feeds" >/dev/null
    first_screen "KIOSQUE_CONFIG=$WORK/config.toml exec $BIN --data-dir $dir"
    now_t=$T now_r=$R
    list_json "$BIN" "$dir"
    now_l=$L
    if [ -n "$BEFORE" ]; then
        # The older build gets a copy of the same store taken back to its schema (4: before
        # the per-feed counts of schema 5).
        cp -r "$dir" "$dir.before"
        python3 - "$dir.before/kiosque.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
if db.execute("PRAGMA user_version").fetchone()[0] == 5:
    for trigger in ("items_counted_on_insert", "items_counted_on_delete", "items_counted_on_update"):
        db.execute(f"DROP TRIGGER {trigger}")
    db.execute("DROP INDEX feeds_by_title")
    db.execute("ALTER TABLE feeds DROP COLUMN item_count")
    db.execute("ALTER TABLE feeds DROP COLUMN unread_count")
    db.execute("PRAGMA user_version = 4")
db.commit()
PY
        first_screen "KIOSQUE_CONFIG=$WORK/config.toml exec $BEFORE --data-dir $dir.before"
        list_json "$BEFORE" "$dir.before"
        echo "| ${items}x$feeds | $T → $now_t | $((T - base_ms)) → $((now_t - base_ms)) | $(awk "BEGIN {printf \"%.2f\", ($now_t - $base_ms) / ($T - $base_ms)}") | $R → $now_r | $L → $now_l | $(awk "BEGIN {printf \"%.2f\", $now_l / $L}") |"
        rm -rf "$dir.before"
    else
        echo "| ${items}x$feeds | $now_t | $((now_t - base_ms)) | $now_r | $now_l |"
    fi
    rm -rf "$dir"
done
