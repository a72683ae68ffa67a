#!/usr/bin/env python3
"""ACME batch issuance benchmark: ctwatch against lego 4.9.1, both against pebble 2.4.0.

Starts pebble (PEBBLE_VA_NOSLEEP=1, a throwaway TLS certificate, resolving through
pebble-challtestsrv whose default A record is 127.0.0.1) on loopback, once for each client so
that neither sees the other's state, then
  - ctwatch: `ctwatch acme issue -c FILE` for N configured certificates (one name each) at its
    default concurrency ([acme.renewal] concurrency, 8), HTTP-01 through its built-in responder;
  - lego: `lego run` once per certificate, one after another (as a cron loop would), HTTP-01
    through its built-in responder, one account reused through --path.
Each client's wall time and user+sys CPU come from wait4 (children only: pebble is not counted).
Prints certificates per minute, CPU per certificate and the ratios.

Only 127.0.0.1 is contacted.

Usage: bench/acme_bench.py [--ctwatch build/ci/bin/ctwatch] [--count 50] [--lego-count N]
"""
import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time


def free_ports(n):
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


class Pebble:
    """pebble + pebble-challtestsrv on free loopback ports (REFERENCE.md §8)."""

    def __init__(self, work):
        self.dir = work
        os.makedirs(work, exist_ok=True)
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", f"{work}/ca.key", "-out", f"{work}/ca.pem", "-days", "2", "-subj",
                "/CN=bench CA")
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", f"{work}/localhost.key", "-out", f"{work}/localhost.csr", "-subj",
                "/CN=localhost")
        with open(f"{work}/san.ext", "w") as f:
            f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
        openssl("x509", "-req", "-in", f"{work}/localhost.csr", "-CA", f"{work}/ca.pem",
                "-CAkey", f"{work}/ca.key", "-CAcreateserial", "-out", f"{work}/localhost.pem",
                "-days", "2", "-extfile", f"{work}/san.ext")
        acme, mgmt, self.http_port, tls, dns, cts = free_ports(6)
        self.ca_file = f"{work}/ca.pem"
        self.directory = f"https://127.0.0.1:{acme}/dir"
        config = {"pebble": {
            "listenAddress": f"127.0.0.1:{acme}", "managementListenAddress": f"127.0.0.1:{mgmt}",
            "certificate": f"{work}/localhost.pem", "privateKey": f"{work}/localhost.key",
            "httpPort": self.http_port, "tlsPort": tls, "ocspResponderURL": "",
            "externalAccountBindingRequired": False}}
        with open(f"{work}/pebble.json", "w") as f:
            json.dump(config, f)
        log = open(f"{work}/servers.log", "w")
        self.procs = [
            subprocess.Popen(["pebble-challtestsrv", "-management", f"127.0.0.1:{cts}",
                              "-dns01", f"127.0.0.1:{dns}", "-http01", "", "-https01", "",
                              "-tlsalpn01", "", "-defaultIPv4", "127.0.0.1", "-defaultIPv6", ""],
                             stdout=log, stderr=log),
            subprocess.Popen(["pebble", "-config", f"{work}/pebble.json", "-dnsserver",
                              f"127.0.0.1:{dns}"],
                             stdout=log, stderr=log,
                             env={**os.environ, "PEBBLE_VA_NOSLEEP": "1"}),
        ]
        deadline = time.time() + 20
        while time.time() < deadline:
            r = subprocess.run(["curl", "-sf", "--cacert", self.ca_file, self.directory],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if r.returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError("pebble did not start; see " + f"{work}/servers.log")

    def stop(self):
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            p.wait()


def measured(argv, env=None, log=None):
    """Runs argv to completion; returns (exit status, wall s, user+sys CPU s) via wait4."""
    start = time.monotonic()
    proc = subprocess.Popen(argv, env=env, stdout=log, stderr=log)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, time.monotonic() - start, usage.ru_utime + usage.ru_stime


def bench_ctwatch(binary, work, count):
    pebble = Pebble(f"{work}/pebble-ctwatch")
    try:
        lines = [
            "[service]", f'database = "{work}/ctwatch.db"', 'log_level = "warn"',
            "[logs]", 'list = "list.json"',
            "[acme]", f'storage = "{work}/acme"', 'contact = ["ops@bench.test"]',
            "[acme.http01]", 'listen = "127.0.0.1"', f"port = {pebble.http_port}",
            "[[acme.ca]]", 'name = "pebble"', f'directory = "{pebble.directory}"',
            f'ca_file = "{pebble.ca_file}"',
        ]
        for i in range(count):
            lines += ["[[acme.certificate]]", f'name = "c{i}"', f'domains = ["c{i}.bench.test"]']
        with open(f"{work}/ctwatch.toml", "w") as f:
            f.write("\n".join(lines) + "\n")
        with open(f"{work}/ctwatch.log", "w") as log:
            status, wall, cpu = measured([binary, "acme", "issue", "-c", f"{work}/ctwatch.toml",
                                          "--json"], log=log)
        issued = sum(1 for line in open(f"{work}/ctwatch.log")
                     if line.startswith("{") and json.loads(line).get("result") == "issued")
        if status != 0 or issued != count:
            raise RuntimeError(f"ctwatch: exit {status}, {issued}/{count} issued; "
                               f"see {work}/ctwatch.log")
        return wall, cpu
    finally:
        pebble.stop()


def bench_lego(work, count):
    pebble = Pebble(f"{work}/pebble-lego")
    env = {**os.environ, "LEGO_CA_CERTIFICATES": pebble.ca_file}
    wall = cpu = 0.0
    try:
        with open(f"{work}/lego.log", "w") as log:
            for i in range(count):
                status, w, c = measured(
                    ["lego", "--server", pebble.directory, "--accept-tos", "--email",
                     "ops@bench.test", "--domains", f"l{i}.bench.test", "--http", "--http.port",
                     f"127.0.0.1:{pebble.http_port}", "--path", f"{work}/lego", "run"],
                    env=env, log=log)
                if status != 0:
                    raise RuntimeError(f"lego: exit {status}; see {work}/lego.log")
                wall += w
                cpu += c
        return wall, cpu
    finally:
        pebble.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ctwatch", default="build/ci/bin/ctwatch")
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--lego-count", type=int, default=None,
                        help="certificates for lego (default: --count)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    lego_count = args.lego_count or args.count
    work = tempfile.mkdtemp(prefix="ctwatch-acme-bench-")
    try:
        c_wall, c_cpu = bench_ctwatch(os.path.abspath(args.ctwatch), f"{work}/ctwatch", args.count)
        l_wall, l_cpu = bench_lego(f"{work}/lego", lego_count)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"work directory: {work}", file=sys.stderr)
    c_rate = args.count / c_wall * 60
    l_rate = lego_count / l_wall * 60
    c_cpu_ms = c_cpu / args.count * 1000
    l_cpu_ms = l_cpu / lego_count * 1000
    print(f"{'client':<28} {'certs':>5} {'wall s':>8} {'certs/min':>10} {'CPU ms/cert':>12}")
    print(f"{'ctwatch (concurrency 8)':<28} {args.count:>5} {c_wall:>8.2f} {c_rate:>10.1f} "
          f"{c_cpu_ms:>12.1f}")
    print(f"{'lego 4.9.1 (sequential)':<28} {lego_count:>5} {l_wall:>8.2f} {l_rate:>10.1f} "
          f"{l_cpu_ms:>12.1f}")
    print(f"ctwatch/lego wall-clock rate: {c_rate / l_rate:.1f}x; "
          f"CPU per certificate: {c_cpu_ms / l_cpu_ms:.2f}x of lego's")


if __name__ == "__main__":
    main()
