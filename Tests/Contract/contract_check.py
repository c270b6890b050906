#!/usr/bin/env python3
"""Contract test: `walletbridge contract` for every shipped wallet, its JUnit parsed as JUnit
XML, then `--self-test` (every broken adapter must be caught). Standard library only; the
harness talks to 127.0.0.1 only."""
import argparse, json, os, subprocess, sys, tempfile, time
import xml.etree.ElementTree as ET


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
            run = subprocess.run([args.cli, "contract", "--wallet", wallet, "--junit", junit, "--json", report], capture_output=True, text=True, timeout=600)
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
