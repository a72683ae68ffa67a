#!/usr/bin/env bash
# Offline demo: the whole pipeline against the bundled test log server on 127.0.0.1.
# Starts ctwatch-testlog with a few thousand entries (some for example.com, some lookalikes,
# one leaking an internal host name), tails both of its logs with `ctwatch run --once`, then
# shows what ctwatch found. Every certificate for example.com is foreign_issuance at first (the
# inventory is empty); the demo then imports the www.example.com certificate as ours, which
# turns it `expected` and resolves its finding. Usage: scripts/demo.sh [BUILD_DIR]
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
  --manifest "$work/manifest.jsonl" --loglist-out "$work/loglist.json" --log-level warn >"$work/server.log" 2>&1 &
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
echo
echo "== ctwatch inventory import (the www.example.com certificate is ours)"
# Its DER from the log itself: the manifest gives the index, get-entries the leaf.
python3 - "$work" "$(cat "$work/port")" <<'PY'
import base64, json, sys, textwrap, urllib.request
work, port = sys.argv[1], sys.argv[2]
planted = [json.loads(line) for line in open(f"{work}/manifest.jsonl")]
index = next(p["index"] for p in planted if p["entry_type"] == "cert" and "www.example.com" in p["names"])
url = f"http://127.0.0.1:{port}/rfc6962/ct/v1/get-entries?start={index}&end={index}"
leaf = base64.b64decode(json.load(urllib.request.urlopen(url))["entries"][0]["leaf_input"])
# MerkleTreeLeaf: version, leaf type, timestamp (8), entry type (2), then a 24-bit length.
length = int.from_bytes(leaf[12:15], "big")
der = base64.b64encode(leaf[15:15 + length]).decode()
with open(f"{work}/www.example.com.pem", "w") as f:
    f.write("-----BEGIN CERTIFICATE-----\n" + "\n".join(textwrap.wrap(der, 64)) +
            "\n-----END CERTIFICATE-----\n")
PY
"$bin/ctwatch" inventory import --config "$work/ctwatch.toml" "$work/www.example.com.pem"
echo
echo "== ctwatch audit issuance example.com"
"$bin/ctwatch" audit issuance example.com --config "$work/ctwatch.toml"
echo
echo "== ctwatch findings --kind foreign_issuance"
"$bin/ctwatch" findings --kind foreign_issuance --config "$work/ctwatch.toml"
