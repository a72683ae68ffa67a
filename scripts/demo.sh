#!/usr/bin/env bash
# Offline demo: the whole pipeline against the bundled test log server on 127.0.0.1.
# Starts ctwatch-testlog with a few thousand entries (some for example.com, some lookalikes,
# one leaking an internal host name), tails both of its logs with `ctwatch run --once`, then
# shows what ctwatch found. Usage: scripts/demo.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build/ci}
bin="$build/bin"
work=$(mktemp -d /tmp/ctwatch-demo-XXXXXX)
cleanup() { [ -n "${server:-}" ] && kill "$server" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

"$bin/ctwatch-testlog" --port 0 --port-file "$work/port" --size 5000 --malformed 1 \
  --plant "www.example.com example.com" --plant "api.example.com" \
  --plant "jenkins.corp.example.com" --plant "examp1e.com www.examp1e.com" \
  --plant "example.com-login.online" --plant "secure-example.net" \
  --loglist-out "$work/loglist.json" --log-level warn >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { cat "$work/server.log"; exit 1; }

cat >"$work/ctwatch.toml" <<TOML
[service]
database = "ctwatch.db"
log_level = "warn"
[logs]
list = "loglist.json"
start = "beginning"
requests_per_second = 0
[policy]
domains = ["example.com"]
TOML

echo "== ctwatch run --once (test log on 127.0.0.1:$(cat "$work/port"), both APIs)"
"$bin/ctwatch" run --once --config "$work/ctwatch.toml"
echo
echo "== ctwatch logs"
"$bin/ctwatch" logs --config "$work/ctwatch.toml"
echo
echo "== ctwatch certs"
"$bin/ctwatch" certs --config "$work/ctwatch.toml"
echo
echo "== ctwatch findings"
"$bin/ctwatch" findings --config "$work/ctwatch.toml"
