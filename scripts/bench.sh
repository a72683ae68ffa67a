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
echo "== alerts_storm_tail.py (a lookalike storm while tailing, with and without alerting)"
python3 bench/alerts_storm_tail.py --build "$build"
echo "== acme_bench.py (ctwatch and lego against pebble)"
python3 bench/acme_bench.py --ctwatch "$build/bin/ctwatch"
