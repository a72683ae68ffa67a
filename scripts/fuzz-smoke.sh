#!/usr/bin/env bash
# Runs every libFuzzer target for a few seconds on its seed corpus (fuzz/corpus/<name>/),
# under ASan + UBSan. A crash, leak or sanitizer report fails the run.
# Usage: scripts/fuzz-smoke.sh BUILD_DIR [SECONDS]
set -euo pipefail
build=${1:?usage: fuzz-smoke.sh BUILD_DIR [SECONDS]}
seconds=${2:-${FUZZ_SECONDS:-10}}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
count=0
for bin in "$build"/bin/*_fuzz; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin" _fuzz)
  corpus="$root/fuzz/corpus/$name"
  mkdir -p "$work/$name"
  echo "fuzz-smoke: $name for ${seconds}s"
  "$bin" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=1024 -print_final_stats=0 \
    -artifact_prefix="$work/$name-" "$work/$name" "$corpus" >"$work/$name.log" 2>&1 || {
      tail -50 "$work/$name.log"; echo "fuzz-smoke: $name FAILED"; exit 1; }
  count=$((count + 1))
done
echo "fuzz-smoke: $count targets ran clean"
