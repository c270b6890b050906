#!/usr/bin/env python3
"""Contract test: `walletbridge contract` for every shipped wallet, its JUnit parsed as JUnit
XML; gcash recorded, then replayed with no network (--scripted); a standalone sandbox
(--endpoint); the live mode against a standalone sandbox treated as the wallet's own; then
`--self-test` (every broken adapter must be caught). Standard library only; everything talks to
127.0.0.1 only."""
import argparse, json, os, subprocess, sys, tempfile, time, urllib.request
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Crash"))
from crash_test import free_port, stop  # noqa: E402  (one port finder and process stop for the script tests)


def start_sandbox(cli, work, name, *extra):
    """A standalone sandbox with its client profiles written; returns (process, base URL, profile path)."""
    port = free_port()
    config_dir = os.path.join(work, name)
    process = subprocess.Popen([cli, "sandbox", "--port", str(port), "--write-config", config_dir, *extra],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            with urllib.request.urlopen(base + "/sandbox/health", timeout=1) as reply:
                if reply.status == 200 and os.path.exists(os.path.join(config_dir, "walletbridge.json")):
                    return process, base, os.path.join(config_dir, "walletbridge.json")
        except OSError:
            pass
        time.sleep(0.05)
    stop(process)
    raise SystemExit(f"contract: the standalone sandbox ({name}) did not start")


def run_mode(cli, label, arguments, expect_skip_prefix=None, expect_notes=False):
    """Runs one `contract` invocation; returns its problems (empty: as expected)."""
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        started = time.monotonic()
        run = subprocess.run([cli, "contract", *arguments, "--json", report.name], capture_output=True, text=True, timeout=600)
        seconds = time.monotonic() - started
        problems = []
        if run.returncode != 0:
            problems.append(f"exit {run.returncode}:\n{run.stdout[-3000:]}{run.stderr[-1000:]}")
        results = json.load(open(report.name))["results"] if os.path.getsize(report.name) else []
        passed = [r["id"] for r in results if r["outcome"] == "passed"]
        skipped = [r for r in results if r["outcome"] == "skipped"]
        if len(passed) < 10:
            problems.append(f"only {len(passed)} scenarios passed")
        if expect_skip_prefix and not any(r["problems"] and r["problems"][0].startswith(expect_skip_prefix) for r in skipped):
            problems.append(f"no scenario was skipped with a reason starting {expect_skip_prefix!r}")
        if expect_notes and not any(r.get("notes") for r in results):
            problems.append("no scenario noted what this mode could not check")
        print("contract:", json.dumps({"mode": label, "seconds": round(seconds, 1), "passed": len(passed), "skipped": len(skipped), "problems": problems}))
        return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", required=True)
    args = parser.parse_args()
    failed = False
    with tempfile.TemporaryDirectory(prefix="wb-contract-") as work:
        for wallet in ("gcash", "tng", "paytm", "dana"):
            junit = os.path.join(work, f"{wallet}.xml")
            report = os.path.join(work, f"{wallet}.json")
            started = time.monotonic()
            record = ["--record", os.path.join(work, "recordings")] if wallet == "gcash" else []
            run = subprocess.run([args.cli, "contract", "--wallet", wallet, "--junit", junit, "--json", report, *record], capture_output=True, text=True, timeout=600)
            seconds = time.monotonic() - started
            problems = []
            if run.returncode != 0:
                problems.append(f"exit {run.returncode}:\n{run.stdout[-3000:]}{run.stderr[-1000:]}")
            try:
                root = ET.parse(junit).getroot()
                suite = root.find("testsuite")
                cases = suite.findall("testcase") if suite is not None else []
                if root.tag != "testsuites" or suite is None or not cases:
                    problems.append("the JUnit file has no testsuites/testsuite/testcase")
                failures = [c.get("name") for c in cases if c.find("failure") is not None]
                skipped = [c.get("name") for c in cases if c.find("skipped") is not None]
                if failures:
                    problems.append(f"failed: {failures}")
                if int(suite.get("tests")) != len(cases):
                    problems.append("the suite's tests attribute does not count its test cases")
            except (ET.ParseError, OSError, TypeError, ValueError) as error:
                problems.append(f"the JUnit output does not parse: {error}")
                cases, skipped = [], []
            results = json.load(open(report))["results"] if os.path.exists(report) else []
            print("contract:", json.dumps({"wallet": wallet, "seconds": round(seconds, 1), "cases": len(cases), "skipped": skipped,
                                           "passed": sum(1 for r in results if r["outcome"] == "passed"), "problems": problems}))
            failed |= bool(problems)
        # Canned replies: the gcash run above recorded every scenario; replayed with no network.
        failed |= bool(run_mode(args.cli, "scripted gcash", ["--wallet", "gcash", "--scripted", os.path.join(work, "recordings")], expect_notes=True))
        # A standalone sandbox, faults and ledger through its admin endpoints.
        sandbox, base, _ = start_sandbox(args.cli, work, "endpoint", "--time-scale", "50")
        try:
            failed |= bool(run_mode(args.cli, "endpoint dana", ["--wallet", "dana", "--endpoint", base]))
        finally:
            stop(sandbox)
        # Live: a standalone sandbox stands in for the wallet's own; wallet-side faults are skipped.
        sandbox, base, profile = start_sandbox(args.cli, work, "live")
        try:
            failed |= bool(run_mode(args.cli, "live tng", ["--wallet", "tng", "--live", "--config", profile], expect_skip_prefix="live:", expect_notes=True))
        finally:
            stop(sandbox)
        started = time.monotonic()
        run = subprocess.run([args.cli, "contract", "--wallet", "gcash", "--self-test"], capture_output=True, text=True, timeout=900)
        print(run.stdout.strip())
        print(f"contract self-test: {time.monotonic() - started:.1f} s")
        if run.returncode != 0 or "LET THROUGH" in run.stdout:
            print("contract: the self-test let a broken adapter through", file=sys.stderr)
            failed = True
    if failed:
        print("contract: FAILED", file=sys.stderr)
        sys.exit(1)
    print("contract: ok")


if __name__ == "__main__":
    main()
