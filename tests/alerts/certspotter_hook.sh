#!/bin/sh
# A hook script written for certspotter (certspotter-script(8)): it records what it was given
# (environment, standard input, and copies of CERT_FILENAME, JSON_FILENAME, TEXT_FILENAME,
# ENTRY_FILENAME) in a new directory under $1. With $2 an existing file it then fails (exit 3); with
# $3 = sleep it hangs (for the timeout test).
set -eu
runs="$1"
[ "${3:-}" = sleep ] && sleep 30
run="$runs/$(date +%s%N)-$$"
mkdir -p "$run"
env -0 > "$run/env"
cat > "$run/stdin"
case "$EVENT" in
  discovered_cert)
    [ -n "${CERT_FILENAME:-}" ] && cp "$CERT_FILENAME" "$run/cert.pem"
    cp "$JSON_FILENAME" "$run/cert.json"
    cp "$TEXT_FILENAME" "$run/text.txt"
    ;;
  malformed_cert)
    cp "$ENTRY_FILENAME" "$run/entry.json"
    cp "$TEXT_FILENAME" "$run/text.txt"
    ;;
  *)
    cp "$TEXT_FILENAME" "$run/text.txt"
    ;;
esac
touch "$run/done"
if [ -n "${2:-}" ] && [ -e "$2" ]; then exit 3; fi
