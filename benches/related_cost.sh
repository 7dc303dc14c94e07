#!/usr/bin/env bash
# Cost of related-link detection per page (issue 9: at most 1 ms median added per page), on
# the 104 labelled pages of benches/related: median / p90 / max of related::take_related and of
# related_blocks::take_related_blocks alone, best of ROUNDS runs per page, parsing not timed.
#   benches/related_cost.sh [ROUNDS]
# Release build. Needs ../shared/corpus/extraction beside the repository.
set -euo pipefail
. "$(dirname "$0")/extraction_corpus.sh"
cargo build --release --example related_cost --quiet
"${CARGO_TARGET_DIR:-$here/target}/release/examples/related_cost" \
  "$here/benches/related/labels.jsonl" "$corpus" "${1:-5}"
