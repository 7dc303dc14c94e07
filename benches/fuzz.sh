#!/usr/bin/env bash
# Runs every cargo-fuzz target for SECONDS_PER_TARGET seconds (default 300), one at a time,
# and prints what each found. Needs cargo-fuzz (`cargo install cargo-fuzz --locked`); on a
# stable toolchain RUSTC_BOOTSTRAP=1 lets it use the nightly-only sanitizer flags.
#   SECONDS_PER_TARGET=3600 benches/fuzz.sh            # all targets
#   SECONDS_PER_TARGET=60 benches/fuzz.sh feed_parse   # one target
# Crashes land in fuzz/artifacts/TARGET/; add each as a regression test in tests/proptest_*.rs
# or tests/hostile_input.rs, then fix src/.
set -uo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${SECONDS_PER_TARGET:-300}"
export RUSTC_BOOTSTRAP=1
# KIOSQUE_FUZZ_STRICT=1 makes panics that kiosque catches (feed-rs, html2text) crashes too.
# A target dir of its own: the sanitizer flags would otherwise rebuild the main one.
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$HOME/.cache/kiosque-fuzz-target}"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz is missing: cargo install cargo-fuzz --locked" >&2
    exit 2
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo fuzz list --fuzz-dir fuzz)
fi

status=0
for target in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
    seeds=()
    case "$target" in
        feed_parse) [ -d ../shared/corpus/feeds ] && seeds=(../shared/corpus/feeds) ;;
        opml_import) [ -d ../shared/corpus/feeds/synthetic/hostile ] && seeds=(../shared/corpus/feeds/synthetic/hostile) ;;
        article_extract) [ -d ../shared/corpus/extraction ] && seeds=(../shared/corpus/extraction) ;;
    esac
    before=$(find "fuzz/artifacts/$target" -type f | wc -l)
    started=$(date +%s)
    # Seed directories are read-only inputs: libFuzzer writes new inputs to the first dir only.
    cargo fuzz run --fuzz-dir fuzz "$target" "fuzz/corpus/$target" "${seeds[@]}" -- \
        -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 >"/tmp/fuzz-$target.log" 2>&1
    rc=$?
    after=$(find "fuzz/artifacts/$target" -type f | wc -l)
    runs=$(grep -oE "stat::number_of_executed_units: *[0-9]+" "/tmp/fuzz-$target.log" | grep -oE "[0-9]+$" | tail -1)
    cov=$(grep -oE "cov: [0-9]+" "/tmp/fuzz-$target.log" | tail -1)
    echo "$target: $(( $(date +%s) - started )) s, ${runs:-?} runs, ${cov:-cov ?}, exit $rc, $(( after - before )) new crash/timeout artifacts"
    if [ "$after" -gt "$before" ] || [ "$rc" -ne 0 ]; then
        status=1
        ls -t "fuzz/artifacts/$target" | head -5
        grep -m3 -E "panicked|ERROR: libFuzzer|SUMMARY" "/tmp/fuzz-$target.log"
    fi
done
exit $status
