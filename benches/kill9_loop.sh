#!/usr/bin/env bash
# The kill -9 loop, longer than the test's 20 rounds: SIGKILL `kiosque refresh` (300 loopback
# feeds, every fifth slow) ROUNDS times, each time once a varying number of feeds are seen
# written (so provably mid-refresh: the test fails if a kill missed), checking after each that
# the database passes PRAGMA integrity_check, holds no duplicate item and kept every read/star
# state marked before the loop. Then the same for bulk marks. Prints the counts and the result.
#   ROUNDS=200 benches/kill9_loop.sh          (RELEASE=1 for an optimised build)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kiosque-target}"
ROUNDS="${ROUNDS:-200}"

echo "== kill -9 during refresh, $ROUNDS rounds"
started=$(date +%s)
if KIOSQUE_KILL9_ROUNDS="$ROUNDS" cargo test ${RELEASE:+--release} --test crash_safety -- \
    --exact kill_9_during_refresh_loses_nothing --nocapture 2>&1 | tee /tmp/kill9-refresh.log |
    grep -E "kill -9 during|panicked|lost|vanished|integrity|test result"; then :; fi
if grep -q "test result: ok" /tmp/kill9-refresh.log; then
    echo "RESULT refresh: ok ($ROUNDS rounds, $(( $(date +%s) - started )) s)"
else
    echo "RESULT refresh: FAILED (see /tmp/kill9-refresh.log)"
    exit 1
fi

echo "== kill -9 during a bulk mark (20 rounds, each killed inside the mark's transaction)"
if cargo test ${RELEASE:+--release} --test crash_safety -- --exact kill_9_during_a_bulk_mark_is_all_or_nothing \
    --nocapture 2>&1 | tee /tmp/kill9-mark.log | grep -E "kill -9 during|panicked|test result"; then :; fi
if grep -q "test result: ok" /tmp/kill9-mark.log; then
    echo "RESULT bulk mark: ok"
else
    echo "RESULT bulk mark: FAILED (see /tmp/kill9-mark.log)"
    exit 1
fi
