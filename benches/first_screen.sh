#!/usr/bin/env bash
# Whole-program time to a full first screen in a real terminal, and resident memory, with
# 100 / 10,000 / 100,000 items: kiosque starts in tmux (120x40, no refresh on start) and
# capture-pane is polled until the headlines are drawn. Prints the median of RUNS runs.
#
#   benches/first_screen.sh            # SIZES="100 10000 100000" RUNS=5
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kiosque-target}"
SIZES="${SIZES:-100 10000 100000}"
RUNS="${RUNS:-5}"
command -v tmux >/dev/null || apt-get install -y tmux >/dev/null
cargo build --release --locked --quiet --bin kiosque --example fill_store
BIN="$CARGO_TARGET_DIR/release/kiosque"
FILL="$CARGO_TARGET_DIR/release/examples/fill_store"
WORK="$(mktemp -d)"
trap 'tmux kill-session -t kq-bench 2>/dev/null || true; rm -rf "$WORK"' EXIT
printf 'refresh_on_start = false\nrefresh_minutes = 0\n' > "$WORK/config.toml"
# The harness's own cost (tmux start, polling) is measured the same way on a program that
# prints the awaited line at once: the "baseline" row; kiosque's own time is the difference.
printf '#!/bin/sh\necho "Synthetic headline number 0 (baseline)"\nexec sleep 30\n' > "$WORK/baseline.sh"
chmod +x "$WORK/baseline.sh"
echo "| items | first screen ms (median of $RUNS) | minus baseline | RSS MiB at first screen |"
echo "|---:|---:|---:|---:|"
base_ms=0
for n in baseline $SIZES; do
    if [ "$n" = baseline ]; then
        cmd="exec $WORK/baseline.sh"
    else
        "$FILL" "$WORK/d$n" "$n" >/dev/null
        cmd="KIOSQUE_CONFIG=$WORK/config.toml exec $BIN --data-dir $WORK/d$n"
    fi
    times=(); rss=()
    for _ in $(seq "$RUNS"); do
        tmux kill-session -t kq-bench 2>/dev/null || true
        start=$(date +%s%N)
        tmux new-session -d -s kq-bench -x 120 -y 40 "$cmd"
        # The first screen is full when the newest headline is drawn.
        until tmux capture-pane -p -t kq-bench 2>/dev/null | grep -q "Synthetic headline number 0 "; do
            sleep 0.001
        done
        end=$(date +%s%N)
        pid=$(tmux list-panes -t kq-bench -F '#{pane_pid}')
        rss+=("$(awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$pid/status")")
        times+=("$(( (end - start) / 1000000 ))")
        tmux send-keys -t kq-bench q
        sleep 0.2
    done
    median_t=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
    median_r=$(printf '%s\n' "${rss[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
    [ "$n" = baseline ] && base_ms=$median_t
    echo "| $n | $median_t | $(( median_t - base_ms )) | $median_r |"
done
