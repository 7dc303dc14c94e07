#!/usr/bin/env bash
# Related-link detection on real pages: micro precision / recall / F1 and mean per-page recall
# of `kiosque extract FILE --url URL --json` (its `related[].url`) against the hand labels in
# benches/related/labels.jsonl (104 corpus pages, 45 with related links; how they were chosen
# and labelled: benches/related/README.md). Builds nothing: it runs the release binary
# ($KIOSQUE_BIN, else $CARGO_TARGET_DIR/release/kiosque, else target/release/kiosque).
#   benches/related.sh                 # totals
#   benches/related.sh --verbose       # plus a per-page table of misses and false positives
#   benches/related.sh --labels benches/related/labels_validation.jsonl   # the validation set
#                                      # (103 pages nobody tuned on; README.md)
#   benches/related.sh --labels benches/related/labels_dev.jsonl --verbose   # the development set
#                                      # (103 pages, worked on in the fourth round; README.md)
# Needs ../shared/corpus/extraction beside the repository (skips with a message otherwise).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
export KIOSQUE_BIN="${KIOSQUE_BIN:-${CARGO_TARGET_DIR:-$here/target}/release/kiosque}"
exec python3 "$here/benches/related/score.py" "$here/../shared/corpus/extraction" "$@"
