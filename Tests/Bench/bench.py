#!/usr/bin/env python3
"""`make bench`: WalletBridge's client CPU beside plain libcurl and the peers, in one table.

Starts a standalone sandbox (`walletbridge sandbox --port 0`) pinned to CPU 0, runs every client
pinned to CPU 1 (so the server's CPU is never counted), and prints one table: client CPU µs per
request for WalletBridge (`bench transport`; again with `--on-transport-thread`, its task
executor), plain libcurl (its `--baseline`), AsyncHTTPClient
and URLSession (`Benchmarks/`'s `peers`), sequential and 64 in flight, as ratios to plain
libcurl; the same two rows over TLS against a second sandbox started with `--tls`; then `bench
pay`'s ratios to the sum of a payment's parts (and each wallet's payment over TLS against the
second sandbox, beside parts whose round trip is over TLS too) and `bench crypto`'s ratios to the
raw OpenSSL calls. Each figure is the median of --runs runs. A row that fails prints
"n/a" and its error; the sandbox is stopped at the end, whatever happened.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

SERVER_CPU = "0"
CLIENT_CPU = "1"


def pinned(cpu, command):
    """`command` under `taskset -c cpu` when taskset exists and the CPU does."""
    if os.path.exists("/usr/bin/taskset") and os.cpu_count() and os.cpu_count() > int(cpu):
        return ["taskset", "-c", cpu] + command
    return command


def start_sandbox(cli, tls=False):
    """Starts `walletbridge sandbox` pinned to SERVER_CPU; returns (process, base URL, CA path or None)."""
    process = subprocess.Popen(
        pinned(SERVER_CPU, [cli, "sandbox", "--port", "0"] + (["--tls"] if tls else [])),
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    base, ca = None, None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        match = re.search(r"listening on (https?://\S+)", line)
        if match:
            base = match.group(1)
        match = re.search(r"trust the test CA (\S+)", line)
        if match:
            ca = match.group(1)
        if base and (ca or not tls):
            return process, base, ca
    stop(process)
    raise RuntimeError("the sandbox printed no URL" + (" or CA" if tls else ""))


NGINX_CONF = """worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    keepalive_requests 10000000;
    keepalive_timeout 300s;
    server {{
        listen 127.0.0.1:{port} ssl http2;
        ssl_certificate {dir}/server.pem;
        ssl_certificate_key {dir}/server.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        location / {{
            default_type application/json;
            return 200 '{{"responseCode":"2000000","responseMessage":"Successful"}}';
        }}
    }}
}}
"""


def start_nginx_http2():
    """Starts nginx (pinned to SERVER_CPU) serving a fixed JSON answer over TLS with HTTP/2 offered
    by ALPN, with a throwaway CA and certificate made by openssl; returns (process, base URL, CA
    path, directory). Raises when nginx or openssl is missing or nginx does not speak HTTP/2."""
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if nginx is None or shutil.which("openssl") is None:
        raise RuntimeError("nginx or openssl is not installed (apt-get install nginx-light openssl)")
    directory = tempfile.mkdtemp(prefix="walletbridge-bench-h2-")
    process = None
    try:
        def openssl(*arguments):
            subprocess.run(["openssl", *arguments], cwd=directory, check=True, capture_output=True, timeout=60)
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
                "-subj", "/CN=WalletBridge bench test CA")
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
        with open(os.path.join(directory, "san.ext"), "w") as ext:
            ext.write("subjectAltName=IP:127.0.0.1\n")
        openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem",
                "-days", "2", "-extfile", "san.ext")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        with open(os.path.join(directory, "nginx.conf"), "w") as conf:
            conf.write(NGINX_CONF.format(dir=directory, port=port))
        process = subprocess.Popen(
            pinned(SERVER_CPU, [nginx, "-c", os.path.join(directory, "nginx.conf"), "-e", os.path.join(directory, "error.log")]),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        base = f"https://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and process.poll() is None:
            probe = subprocess.run(["curl", "-s", "--max-time", "2", "-o", "/dev/null", "-w", "%{http_version}",
                                    "--cacert", os.path.join(directory, "ca.pem"), "--http2", "-d", "{}", base + "/"],
                                   capture_output=True, text=True, timeout=5)
            if probe.returncode == 0 and probe.stdout.strip() == "2":
                return process, base, os.path.join(directory, "ca.pem"), directory
            time.sleep(0.2)
        raise RuntimeError("nginx did not answer over HTTP/2")
    except BaseException:
        # Whatever failed (openssl, curl missing, nginx refusing the configuration, an
        # interrupt): no nginx left running, no test key left behind.
        if process is not None:
            stop(process)
        shutil.rmtree(directory, ignore_errors=True)
        raise


def stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def run_json(command, timeout):
    """Runs a client pinned to CLIENT_CPU; returns its first JSON object line or raises."""
    completed = subprocess.run(pinned(CLIENT_CPU, command), capture_output=True, text=True, timeout=timeout)
    if completed.returncode != 0:
        lines = [line.strip() for line in (completed.stderr.strip() or completed.stdout.strip()).splitlines() if line.strip()]
        errors = [line for line in lines if "error" in line.lower()] or lines
        raise RuntimeError(f"exit {completed.returncode}: {errors[0][:200] if errors else ''}")
    for line in completed.stdout.splitlines():
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError("no JSON line in the output")


def median_of(runs, command, timeout, errors, label):
    """Runs `command` `runs` times; returns the parsed objects (empty on failure, with the error noted)."""
    results = []
    for _ in range(runs):
        try:
            results.append(run_json(command, timeout))
        except Exception as error:  # noqa: BLE001 - any failure makes the row n/a
            errors[label] = str(error)
            return []
    return results


def med(values):
    values = [v for v in values if isinstance(v, (int, float))]
    return statistics.median(values) if values else None


def fmt(value, digits=1, suffix=""):
    return "n/a" if value is None else f"{value:.{digits}f}{suffix}"


def transport_rows(kind, base, ca, args, errors, summary):
    """`bench transport --baseline` against an https `base` (its `ca` trusted), sequential and at
    --concurrency: one printed row each, WalletBridge beside plain libcurl in the same run."""
    for concurrency in (1, args.concurrency):
        column = "sequential" if concurrency == 1 else f"{concurrency} in flight"
        results = median_of(args.runs, [args.cli, "bench", "transport", "--url", base + args.path, "--ca-bundle", ca,
                                        "--requests", str(args.requests), "--concurrency", str(concurrency),
                                        "--baseline", "--json"], 600, errors, f"bench transport over {kind}, {column}")
        ours = med([r.get("walletbridge", {}).get("cpu_us_per_request") for r in results])
        theirs = med([(r.get("baseline") or {}).get("cpu_us_per_request") for r in results])
        ratio = ours / theirs if ours is not None and theirs else None
        summary["transport"][f"{kind} WalletBridge | {column}"] = ours
        summary["transport"][f"{kind} plain libcurl | {column}"] = theirs
        print(f"{column:<18}WalletBridge {fmt(ours)} µs, plain libcurl {fmt(theirs)} µs ({fmt(ratio, 2, 'x')})")


def pay_row(wallet, row, endpoint_options, args, errors, summary):
    """One `bench pay` row (`row` names it: the journal, or TLS) with `endpoint_options`."""
    results = median_of(args.runs, [args.cli, "bench", "pay", "--wallet", wallet, "--payments", str(args.payments)]
                        + endpoint_options + ["--json"], 900, errors, f"bench pay {wallet} {row}")
    pay = med([r["pay"]["cpu_us_per_payment"] for r in results])
    parts = med([r["parts"]["sum_us"] for r in results])
    ratio = med([r["ratio_to_parts"] for r in results])
    errs = med([r["pay"]["errors"] for r in results])
    rpp = med([r["pay"].get("requests_per_payment") for r in results])
    summary["pay"][f"{wallet}/{row}"] = {"pay_us": pay, "parts_us": parts, "ratio": ratio, "errors": errs,
                                         "parts": results[-1]["parts"] if results else None}
    print(f"{wallet:<8}{row:<9}{fmt(pay):>10}{fmt(parts):>10}{fmt(ratio, 2, 'x'):>8}{fmt(errs, 0):>8}{fmt(rpp, 2):>9}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cli", default=".build/release/walletbridge")
    parser.add_argument("--peers", default="Benchmarks/.build/release/peers")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=5000, help="requests per transport row")
    parser.add_argument("--payments", type=int, default=1000, help="payments per bench pay row")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--path", default="/sandbox/echo", help="the sandbox path the transport rows POST to")
    parser.add_argument("--wallets", default="gcash,dana,paytm")
    parser.add_argument("--json-out", help="also write every median to this JSON file")
    args = parser.parse_args()

    sandbox, base, _ = start_sandbox(args.cli)
    tls_sandbox, tls_base, ca = None, None, None
    errors = {}
    summary = {"sandbox": base, "transport": {}, "pay": {}, "crypto": []}
    try:
        url = base + args.path
        print(f"make bench: sandbox {base} on CPU {SERVER_CPU}, clients on CPU {CLIENT_CPU}, median of {args.runs} runs", flush=True)
        table = {}  # (row, column) -> µs
        for concurrency in (1, args.concurrency):
            column = "sequential" if concurrency == 1 else f"{concurrency} in flight"
            label = f"bench transport, {column}"
            results = median_of(args.runs, [args.cli, "bench", "transport", "--url", url, "--requests", str(args.requests),
                                            "--concurrency", str(concurrency), "--baseline", "--json"], 600, errors, label)
            table[("WalletBridge", column)] = med([r.get("walletbridge", {}).get("cpu_us_per_request") for r in results])
            table[("plain libcurl", column)] = med([(r.get("baseline") or {}).get("cpu_us_per_request") for r in results])
            if results:
                table[("WalletBridge connections", column)] = med([r.get("walletbridge", {}).get("connections_opened") for r in results])
            # The same on the transport's own thread (CurlTransport.taskExecutor): no thread hop.
            results = median_of(args.runs, [args.cli, "bench", "transport", "--url", url, "--requests", str(args.requests),
                                            "--concurrency", str(concurrency), "--on-transport-thread", "--json"], 600, errors,
                                f"bench transport --on-transport-thread, {column}")
            table[("WB, curl thread", column)] = med([r.get("walletbridge", {}).get("cpu_us_per_request") for r in results])
            for client, name in (("asynchttpclient", "AsyncHTTPClient"), ("urlsession", "URLSession")):
                results = median_of(args.runs, [args.peers, "--client", client, "--url", url, "--requests", str(args.requests),
                                                "--concurrency", str(concurrency), "--json"], 600, errors, f"{name}, {column}")
                table[(name, column)] = med([r.get("result", {}).get("cpu_us_per_request") for r in results])
        columns = ["sequential", f"{args.concurrency} in flight"]
        print()
        print("Client CPU µs per request (getrusage), keep-alive POSTs to the sandbox; ratio to plain libcurl")
        print(f"{'client':<18}" + "".join(f"{c:>26}" for c in columns))
        for row in ("WalletBridge", "WB, curl thread", "plain libcurl", "AsyncHTTPClient", "URLSession"):
            cells = []
            for column in columns:
                value = table.get((row, column))
                base_value = table.get(("plain libcurl", column))
                ratio = value / base_value if value is not None and base_value else None
                cells.append(f"{fmt(value)} µs ({fmt(ratio, 2, 'x')})")
            print(f"{row:<18}" + "".join(f"{c:>26}" for c in cells))
        summary["transport"] = {f"{r} | {c}": v for (r, c), v in table.items()}

        # The same POSTs over TLS (the sandbox's --tls front, its test CA trusted by both sides):
        # WalletBridge against plain libcurl, each on kept-alive TLS connections.
        print()
        print("The same over TLS (sandbox --tls; handshakes only in the warm-up); ratio to plain libcurl")
        try:
            tls_sandbox, tls_base, ca = start_sandbox(args.cli, tls=True)
            transport_rows("TLS", tls_base, ca, args, errors, summary)
        except Exception as error:  # noqa: BLE001 - the TLS rows are optional
            errors["bench transport over TLS"] = str(error)

        # HTTP/2, where the server offers it: nginx over TLS with h2 by ALPN (libcurl asks for it
        # on https by default, in CurlTransport and in the plain loop alike), streams multiplexed
        # on the connections the warm-up opened.
        print()
        print("The same over HTTP/2 (nginx, TLS with h2 by ALPN, a fixed answer); ratio to plain libcurl")
        h2_server, h2_directory = None, None
        try:
            h2_server, h2_base, h2_ca, h2_directory = start_nginx_http2()
            transport_rows("HTTP/2", h2_base, h2_ca, args, errors, summary)
        except Exception as error:  # noqa: BLE001 - the HTTP/2 rows are optional
            errors["bench transport over HTTP/2"] = str(error)
        finally:
            if h2_server is not None:
                stop(h2_server)
            if h2_directory is not None:
                shutil.rmtree(h2_directory, ignore_errors=True)

        print()
        print("bench pay: client CPU µs per payment vs the sum of its parts (sign, verify, plain round trip, journal)")
        print(f"{'wallet':<8}{'journal':<9}{'pay µs':>10}{'parts µs':>10}{'ratio':>8}{'errors':>8}{'req/pay':>9}")
        for wallet in args.wallets.split(","):
            for journal in ("none", "sqlite"):
                pay_row(wallet, journal, ["--endpoint", base, "--journal", journal], args, errors, summary)
        # The same payments over TLS (the --tls sandbox; its CA trusted by the client and by the
        # parts' plain round trip), no journal.
        for wallet in args.wallets.split(",") if tls_base else []:
            pay_row(wallet, "TLS", ["--endpoint", tls_base, "--ca-bundle", ca], args, errors, summary)

        print()
        print("bench crypto: µs per operation vs the raw OpenSSL EVP calls (same run)")
        results = median_of(args.runs, [args.cli, "bench", "crypto", "--seconds", "1", "--json"], 600, errors, "bench crypto")
        if results:
            for index, row in enumerate(results[0]["rows"]):
                us = med([r["rows"][index]["us"] for r in results])
                raw = med([r["rows"][index]["raw_us"] for r in results])
                ratio = med([r["rows"][index]["ratio"] for r in results])
                summary["crypto"].append({"operation": row["operation"], "us": us, "raw_us": raw, "ratio": ratio})
                print(f"{row['operation']:<32}{fmt(us, 2):>10}{fmt(raw, 2):>10}{fmt(ratio, 2, 'x'):>8}  {row['raw']}")
        if errors:
            print()
            for label, message in errors.items():
                print(f"n/a: {label}: {message}")
        summary["errors"] = errors
        if args.json_out:
            with open(args.json_out, "w") as out:
                json.dump(summary, out, indent=1, sort_keys=True)
    finally:
        stop(sandbox)
        if tls_sandbox is not None:
            stop(tls_sandbox)
    return 0


if __name__ == "__main__":
    sys.exit(main())
