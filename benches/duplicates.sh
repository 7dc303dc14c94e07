#!/bin/sh
# Measure the duplicate rule (issue 13, item 5) on the real feeds of the shared corpus: how many
# copies it folds and which groups it makes (each listed, for judging false positives).
# Usage: benches/duplicates.sh [DIR...]   (default: the whole shared feed corpus)
set -eu
cd "$(dirname "$0")/.."
if [ "$#" -eq 0 ]; then
    set -- ../shared/corpus/feeds
fi
cargo run --quiet --example duplicates -- "$@"
