#!/usr/bin/env bash
# Runs every benchmark and prints its figures (bench/; none of them is a test).
# Usage: scripts/bench.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build/ci}
for b in "$build"/bin/*_bench; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  "$b"
done
echo "== tail_bench.py (ctwatch and certspotter against the test log)"
python3 bench/tail_bench.py --build "$build"
