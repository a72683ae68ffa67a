#!/usr/bin/env python3
"""End-to-end tailing benchmark: ctwatch (and certspotter 0.16) against the test log server.

For each tree size, starts ctwatch-testlog on 127.0.0.1 with that many entries, then
  - ctwatch `run --once` over the RFC 6962 API, and again over the static-ct-api
    (verification on, from entry 0), measured with wait4: wall time, user+sys CPU, peak RSS;
  - certspotter over the RFC 6962 API until its state shows the whole tree verified,
    measured from /proc (utime+stime, VmHWM).
Prints entries/s, CPU microseconds per entry and peak RSS for each, and the CPU ratio.

Usage: bench/tail_bench.py [--build build/ci] [--sizes 250000,1000000]
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


def start_server(build, work, size):
    port_file = os.path.join(work, "port")
    proc = subprocess.Popen(
        [os.path.join(build, "bin/ctwatch-testlog"), "--port", "0", "--port-file", port_file,
         "--size", str(size), "--pool-size", "2000", "--max-get-entries", "1000",
         "--plant", "www.example.com example.com", "--plant", "api.example.com",
         "--loglist-out", os.path.join(work, "loglist.json"),
         "--loglist-rfc6962-out", os.path.join(work, "loglist-rfc6962.json"),
         "--log-level", "warn"],
        stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "server.err"), "w"))
    for _ in range(600):
        if os.path.exists(port_file) and open(port_file).read().strip():
            return proc
        time.sleep(0.1)
    proc.kill()
    sys.exit("the test log server did not start: " + open(os.path.join(work, "server.err")).read())


def run_ctwatch(build, work, api):
    db = os.path.join(work, f"ctwatch-{api}.db")
    name = "ctwatch test log (RFC 6962)" if api == "rfc6962" else "ctwatch test log (static-ct-api)"
    config = os.path.join(work, f"ctwatch-{api}.toml")
    with open(config, "w") as f:
        f.write(f'[service]\ndatabase = "{db}"\nlog_level = "warn"\n'
                f'[logs]\nlist = "loglist.json"\nstart = "beginning"\nrequests_per_second = 0\n'
                f'batch_size = 1000\nparallel_fetches = 2\ninclude = ["{name}"]\n'
                f'[policy]\ndomains = ["example.com"]\n')
    start = time.monotonic()
    proc = subprocess.Popen([os.path.join(build, "bin/ctwatch"), "run", "--once", "--config", config],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, f"ctwatch-{api}.err"), "w"))
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    if status != 0:
        sys.exit(f"ctwatch failed ({status}): " + open(os.path.join(work, f"ctwatch-{api}.err")).read()[-2000:])
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0


def run_certspotter(work, size):
    with open(os.path.join(work, "loglist-rfc6962.json")) as f:
        log_id = json.load(f)["operators"][0]["logs"][0]["log_id"]
    state_dir = os.path.join(work, "cs-state")
    with open(os.path.join(work, "watchlist"), "w") as f:
        f.write(".example.com\n")
    os.makedirs(os.path.join(work, "cs-config"), exist_ok=True)
    env = dict(os.environ, CERTSPOTTER_CONFIG_DIR=os.path.join(work, "cs-config"), HOME=work)
    start = time.monotonic()
    proc = subprocess.Popen(
        ["certspotter", "-logs", os.path.join(work, "loglist-rfc6962.json"), "-watchlist",
         os.path.join(work, "watchlist"), "-state_dir", state_dir, "-batch_size", "1000", "-stdout"],
        stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "certspotter.err"), "w"), env=env)
    log_dir = os.path.join(state_dir, "logs", log_id.replace("+", "-").replace("/", "_").rstrip("="))
    state_file = os.path.join(log_dir, "state.json")
    wall = None
    deadline = time.monotonic() + 3600
    while time.monotonic() < deadline:
        try:
            with open(state_file) as f:
                if json.load(f).get("verified_position", {}).get("size") == size:
                    wall = time.monotonic() - start
                    break
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    with open(f"/proc/{proc.pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / CLK_TCK
    rss = 0.0
    with open(f"/proc/{proc.pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                rss = int(line.split()[1]) / 1024.0
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    if wall is None:
        sys.exit("certspotter did not finish: " + open(os.path.join(work, "certspotter.err")).read()[-2000:])
    return wall, cpu, rss


def row(name, size, wall, cpu, rss):
    print(f"{name:<28} {size:>9} {size / wall:>11.0f} {cpu:>9.2f} {cpu / size * 1e6:>10.2f} {rss:>9.1f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default="build/ci")
    parser.add_argument("--sizes", default="250000,1000000")
    parser.add_argument("--no-certspotter", action="store_true")
    args = parser.parse_args()
    build = os.path.abspath(args.build)
    have_certspotter = shutil.which("certspotter") is not None and not args.no_certspotter
    print(f"{'monitor / API':<28} {'entries':>9} {'entries/s':>11} {'cpu s':>9} {'cpu us/e':>10} {'peak MB':>9}")
    for size in [int(s) for s in args.sizes.split(",")]:
        work = tempfile.mkdtemp(prefix="ctwatch-bench-")
        server = start_server(build, work, size)
        try:
            results = {}
            for api in ("rfc6962", "static"):
                results[api] = run_ctwatch(build, work, api)
                row(f"ctwatch {api}", size, *results[api])
            if have_certspotter:
                cs = run_certspotter(work, size)
                row("certspotter 0.16 rfc6962", size, *cs)
                print(f"  ctwatch CPU per entry = 1/{cs[1] / results['rfc6962'][1]:.1f} of certspotter's (RFC 6962)")
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
