#!/usr/bin/env bash
# Does a change to the extractor leave its output alone? Extracts every page of the corpus
# (wcxb, trafilatura, mozilla) and writes the whole result per page as JSON (cleaned HTML,
# metadata, related links, or the error) and the plain text the pane shows (OUT_DIR/text),
# then compares both with a reference run.
# Usage: benches/extraction_same.sh OUT_DIR [REFERENCE_DIR]
#   EXTRACT_BIN=path: use that extract_corpus binary (an older build) instead of building.
# Exit status 1 when any page differs from the reference.
set -euo pipefail
. "$(dirname "$0")/extraction_corpus.sh"
out="${1:?usage: extraction_same.sh OUT_DIR [REFERENCE_DIR]}"
reference="${2:-}"
bin="${EXTRACT_BIN:-}"
if [ -z "$bin" ]; then
  (cd "$here" && cargo build --release --example extract_corpus --quiet)
  bin="${CARGO_TARGET_DIR:-$here/target}/release/examples/extract_corpus"
fi
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
for ds in wcxb trafilatura mozilla; do
  python3 "$corpus/score.py" pages "$ds" > "$scratch/$ds.pages.tsv"
  KX_DUMP_DIR="$out/$ds" "$bin" "$scratch/$ds.pages.tsv" "$corpus" "$out/text/$ds" \
    "$scratch/$ds.times.tsv" 2>/dev/null
done
pages=$(find "$out" -name '*.json' | wc -l)
echo "$pages pages written to $out"
if [ -n "$reference" ]; then
  # `|| true`: diff exits 1 on a difference, which pipefail and `set -e` made a silent exit.
  differ=$( (diff -rq "$reference" "$out" || true) | tee "$scratch/diff" | wc -l)
  if [ "$differ" -ne 0 ]; then
    cat "$scratch/diff" | head -20
    echo "$differ pages differ from $reference"
    exit 1
  fi
  echo "identical to $reference"
fi
