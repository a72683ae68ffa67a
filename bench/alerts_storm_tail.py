#!/usr/bin/env python3
"""A lookalike storm as a user meets it: ctwatch tails a log in which 10,000 look-alike
certificates appear, with and without alerting.

The test log (ctwatch-testlog, RFC 6962 API) holds SIZE background entries plus STORM planted
look-alike certificates of example.com (each as a precertificate and its certificate, so
2 x STORM entries and STORM `lookalike` findings). `ctwatch run --once` tails it from entry 0
with verification on, ROUNDS times in each setup, alternating:
  quiet    no [alerts] section: findings are stored, nothing is queued or sent;
  alerting a webhook sink (digest every second, to an HTTP server in this script) and a JSON
           lines sink with one message per finding (no pacing: the worst case), both
           delivering while ingestion runs.
Ingestion time is from process start to the log's `verified_at` in SQLite (the moment the
whole tree was verified and committed); the alert drain that `--once` waits for afterwards is
reported apart. CPU is user+sys of the ctwatch process for the whole run (drain included).
Prints the median per setup, the ingestion slowdown, and the messages each sink received.

Usage: bench/alerts_storm_tail.py [--build build/ci] [--size 500000] [--storm 10000] [--rounds 5]
"""
import argparse
import http.server
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time


class Webhook(http.server.BaseHTTPRequestHandler):
    messages = 0
    lock = threading.Lock()

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with Webhook.lock:
            Webhook.messages += 1
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def start_log(build, work, size, storm):
    plant = os.path.join(work, "storm.txt")
    with open(plant, "w") as f:
        for i in range(storm):
            # The brand as a label inside somebody else's domain (brand-in-subdomain).
            f.write(f"example.com.secure-login-{i}.xyz\n")
    port_file = os.path.join(work, "port")
    proc = subprocess.Popen(
        [os.path.join(build, "bin/ctwatch-testlog"), "--port", "0", "--port-file", port_file,
         "--size", str(size), "--plant-file", plant, "--max-get-entries", "1000",
         "--loglist-out", os.path.join(work, "loglist.json"), "--log-level", "warn"],
        stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "server.err"), "w"))
    for _ in range(1200):
        if os.path.exists(port_file) and open(port_file).read().strip():
            return proc
        time.sleep(0.1)
    proc.kill()
    sys.exit("the test log server did not start: " + open(os.path.join(work, "server.err")).read())


def run_ctwatch(build, work, setup, round_no, webhook_port):
    db = os.path.join(work, f"{setup}-{round_no}.db")
    config = os.path.join(work, f"{setup}-{round_no}.toml")
    jsonl = os.path.join(work, f"{setup}-{round_no}.jsonl")
    with open(config, "w") as f:
        f.write(f'[service]\ndatabase = "{db}"\nlog_level = "warn"\n'
                f'[logs]\nlist = "loglist.json"\nstart = "beginning"\nrequests_per_second = 0\n'
                f'batch_size = 1000\nparallel_fetches = 2\n'
                f'include = ["ctwatch test log (RFC 6962)"]\n'
                f'[policy]\ndomains = ["example.com"]\n[policy.lookalike]\nenabled = true\n')
        if setup == "alerting":
            f.write(f'[[alerts.sink]]\nname = "soc"\ntype = "webhook"\n'
                    f'url = "http://127.0.0.1:{webhook_port}/hook"\ndigest_interval = "1s"\n'
                    f'[[alerts.sink]]\nname = "archive"\ntype = "jsonl"\npath = "{jsonl}"\n')
    err = os.path.join(work, f"{setup}-{round_no}.err")
    start_ms = time.time() * 1000
    start = time.monotonic()
    proc = subprocess.Popen([os.path.join(build, "bin/ctwatch"), "run", "--once", "--config", config],
                            stdout=subprocess.DEVNULL, stderr=open(err, "w"), cwd=work)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    if status != 0:
        sys.exit(f"ctwatch failed ({status}): " + open(err).read()[-2000:])
    con = sqlite3.connect(db)
    verified_at = con.execute("SELECT MAX(verified_at) FROM logs").fetchone()[0]
    lookalikes = con.execute("SELECT COUNT(*) FROM findings WHERE kind = 'lookalike'").fetchone()[0]
    con.close()
    lines = sum(1 for _ in open(jsonl)) if os.path.exists(jsonl) else 0
    return {"ingest": (verified_at - start_ms) / 1000.0, "wall": wall,
            "cpu": usage.ru_utime + usage.ru_stime, "findings": lookalikes, "jsonl": lines}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build", default="build/ci")
    p.add_argument("--size", type=int, default=500000)
    p.add_argument("--storm", type=int, default=10000)
    p.add_argument("--rounds", type=int, default=5)
    a = p.parse_args()
    build = os.path.abspath(a.build)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Webhook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory(prefix="ctwatch-storm-") as work:
        log = start_log(build, work, a.size, a.storm)
        try:
            results = {"quiet": [], "alerting": []}
            for r in range(a.rounds):
                for setup in ("quiet", "alerting"):
                    before = Webhook.messages
                    res = run_ctwatch(build, work, setup, r, server.server_address[1])
                    res["webhook"] = Webhook.messages - before
                    results[setup].append(res)
                    print(f"round {r} {setup:8}: ingest {res['ingest']:.2f} s, wall {res['wall']:.2f} s,"
                          f" cpu {res['cpu']:.2f} s, lookalike findings {res['findings']},"
                          f" webhook messages {res['webhook']}, jsonl lines {res['jsonl']}", flush=True)
        finally:
            log.kill()
            log.wait()
    entries = a.size + 2 * a.storm
    med = {s: {k: statistics.median(x[k] for x in v) for k in ("ingest", "wall", "cpu")}
           for s, v in results.items()}
    print(f"\n{entries} entries, {a.storm} look-alike certificates, median of {a.rounds} rounds")
    for s, m in med.items():
        print(f"  {s:8}: ingestion {m['ingest']:.2f} s ({entries / m['ingest']:,.0f} entries/s),"
              f" cpu {m['cpu']:.2f} s, wall incl. drain {m['wall']:.2f} s")
    slow = (med["alerting"]["ingest"] / med["quiet"]["ingest"] - 1) * 100
    print(f"  ingestion slowdown with alerting: {slow:+.1f}% (target <= 10%)")
    last = results["alerting"][-1]
    print(f"  messages for the storm: webhook (1 s digests) {last['webhook']},"
          f" jsonl (per finding) {last['jsonl']}")


if __name__ == "__main__":
    main()
