#!/usr/bin/env bash
# Extraction quality and speed on the corpus: WCXB words F1, trafilatura-eval snippets F1,
# boilerplate snippets leaked, median/max ms per page, slowest pages.
# Usage: benches/extraction.sh [DATASET...]   (default: wcxb trafilatura mozilla)
# Needs ../shared/corpus/extraction beside the repository. Release build, for timing.
set -euo pipefail
. "$(dirname "$0")/extraction_corpus.sh"
datasets=("$@")
[ ${#datasets[@]} -eq 0 ] && datasets=(wcxb trafilatura mozilla)
out="${BENCH_OUT:-$(mktemp -d)}"
cargo build --release --example extract_corpus --quiet
bin="${CARGO_TARGET_DIR:-$here/target}/release/examples/extract_corpus"
for ds in "${datasets[@]}"; do
  mkdir -p "$out/$ds"
  python3 "$corpus/score.py" pages "$ds" > "$out/$ds.pages.tsv"
  "$bin" "$out/$ds.pages.tsv" "$corpus" "$out/$ds/pred" "$out/$ds/times.tsv"
  echo "== $ds"
  python3 "$corpus/score.py" "$ds" "$out/$ds/pred" --bootstrap 0 --json "$out/$ds/scores.json" \
    ${SCORE_ARGS:-} | grep -v '^$'
  python3 "$here/benches/summarise.py" "$ds" "$out/$ds/scores.json" "$out/$ds/times.tsv"
done
echo "outputs in $out"
