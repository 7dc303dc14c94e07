# Sourced by the benchmarks over the extraction corpus: sets $here (the repository) and
# $corpus (../shared/corpus/extraction beside it); without the corpus, says so and exits 0.
here="$(cd "$(dirname "$0")/.." && pwd)"
corpus="$here/../shared/corpus/extraction"
if [ ! -d "$corpus" ]; then
  echo "corpus not found at $corpus: nothing to measure" >&2
  exit 0
fi
