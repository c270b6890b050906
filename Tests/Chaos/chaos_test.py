#!/usr/bin/env python3
"""Chaos test: `walletbridge simulate` under the `chaos` profile, small, for every wallet, plus
one kill-and-recover of a simulation with a journal.

1. For gcash, paytm and dana: `simulate --payments N --faults chaos --seed S --baseline --json`.
   It fails on any duplicate, lost or unresolved payment, or a correct rate below 100%.
2. A standalone sandbox (`--faults chaos --seed S --time-scale 20`), a simulation against it
   with a journal, SIGKILLed halfway; then `walletbridge recover`: nothing may stay open, no
   reference may be charged twice, and every journal entry must agree with the ledger.

Seeds are fixed (override with CHAOS_SEED) so that CI replays the same faults; every figure is
printed. Only the standard library; talks to 127.0.0.1 only.
"""
import argparse, json, os, signal, subprocess, sys, tempfile, time, urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Crash"))
from crash_test import free_port, journal_rows, stop  # noqa: E402  (one reader of the journal for both tests)

WALLETS = ["gcash", "paytm", "dana"]


def get_json(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read())


def simulate(cli, wallet, payments, seed):
    started = time.monotonic()
    run = subprocess.run([cli, "simulate", "--wallet", wallet, "--payments", str(payments), "--concurrency", "16",
                          "--faults", "chaos", "--seed", str(seed), "--baseline", "--json"],
                         capture_output=True, text=True, timeout=900)
    elapsed = time.monotonic() - started
    problems = []
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        return {"wallet": wallet, "problems": [f"exit {run.returncode}, no JSON: {run.stderr[-2000:]}"]}
    if run.returncode != 0:
        problems.append(f"exit status {run.returncode}: {run.stderr[-1000:]}")
    for key in ("duplicates", "lost", "unknown_after_reconcile"):
        if report[key] != 0:
            problems.append(f"{key} is {report[key]}")
    if report["correct_rate"] != 1:
        problems.append(f"correct_rate is {report['correct_rate']}")
    if report["payments"] != payments:
        problems.append(f"{report['payments']} payments judged, {payments} asked")
    baseline = report.get("baseline", {})
    # The judge must be able to fail: under chaos the naive client loses payments (its unknowns
    # hide charges), and the same judge that passes WalletBridge must say so.
    if baseline.get("lost", 0) == 0 or baseline.get("correct_rate", 1) >= 1:
        problems.append(f"the naive baseline was judged flawless under chaos (lost {baseline.get('lost')}): the judge cannot see a lost payment")
    return {"wallet": wallet, "seconds": round(elapsed, 1), "success_rate": report["success_rate"],
            "baseline_success_rate": baseline.get("success_rate"), "baseline_correct_rate": baseline.get("correct_rate"),
            "retries": report["retries"], "unknown_before_reconcile": report["unknown_before_reconcile"], "problems": problems}


def kill_and_recover(cli, seed, work, wallet="gcash", payments=400):
    port = free_port()
    config_dir = os.path.join(work, "config")
    journal = os.path.join(work, "journal.sqlite")
    base = f"http://127.0.0.1:{port}"
    sandbox = subprocess.Popen([cli, "sandbox", "--port", str(port), "--faults", "chaos", "--seed", str(seed), "--time-scale", "20",
                                "--write-config", config_dir],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(400):
            try:
                get_json(base + "/sandbox/health")
                if os.path.exists(os.path.join(config_dir, "walletbridge.json")):
                    break
            except Exception:
                pass
            time.sleep(0.05)
        else:
            raise SystemExit("the standalone sandbox did not start")
        runner = subprocess.Popen([cli, "simulate", "--wallet", wallet, "--payments", str(payments), "--concurrency", "16", "--faults", "chaos",
                                   "--seed", str(seed), "--endpoint", base, "--journal", journal, "--time-scale", "20", "--json"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Kill it halfway: once about half the payments are in the journal.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and runner.poll() is None:
            if len(journal_rows(journal, wallet)) >= payments // 2:
                break
            time.sleep(0.02)
        finished_first = runner.poll() is not None
        runner.send_signal(signal.SIGKILL)
        runner.wait()
        rows = journal_rows(journal, wallet)
        open_at_kill = sum(1 for r in rows if r["state"] not in ("succeeded", "failed", "cancelled"))
        recovered = subprocess.run([cli, "recover", "--config", os.path.join(config_dir, "walletbridge.json"), "--wallet", wallet,
                                    "--journal", journal, "--time-scale", "20", "--json"], capture_output=True, text=True, timeout=600)
        problems = []
        if finished_first:
            problems.append("the simulation finished before the kill (the test proved nothing)")
        try:
            report = json.loads(recovered.stdout)
        except json.JSONDecodeError:
            report = {}
            problems.append(f"recover printed no JSON (exit {recovered.returncode}): {recovered.stderr[-1000:]}")
        if int(report.get("still_open", -1)) != 0:
            problems.append(f"still_open is {report.get('still_open')}")
        ledger = {e["merchantReference"]: e for e in get_json(base + f"/sandbox/ledger?wallet={wallet}")}
        rows = journal_rows(journal, wallet)
        for reference, entry in ledger.items():
            if entry["charges"] > 1:
                problems.append(f"{reference}: charged {entry['charges']} times")
        for row in rows:
            entry = ledger.get(row["merchant_reference"])
            charged = bool(entry and entry["charges"] > 0 and entry["state"] == "succeeded")
            if row["state"] == "succeeded" and not charged:
                problems.append(f"{row['merchant_reference']}: succeeded in the journal, not charged in the ledger")
            elif row["state"] in ("failed", "cancelled") and charged:
                problems.append(f"{row['merchant_reference']}: {row['state']} in the journal, charged in the ledger")
            elif row["state"] not in ("succeeded", "failed", "cancelled"):
                problems.append(f"{row['merchant_reference']}: still {row['state']}")
        journal_refs = {r["merchant_reference"] for r in rows}
        for reference, entry in ledger.items():
            if entry["charges"] > 0 and reference not in journal_refs:
                problems.append(f"{reference}: charged but not in the journal (lost)")
        return {"wallet": wallet, "journal_entries": len(rows), "open_at_kill": open_at_kill, "open_before": report.get("open_before"),
                "reconciled": report.get("reconciled"), "still_open": report.get("still_open"),
                "charged_twice": sum(1 for e in ledger.values() if e["charges"] > 1), "problems": problems}
    finally:
        stop(sandbox)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", required=True)
    parser.add_argument("--payments", type=int, default=int(os.environ.get("CHAOS_PAYMENTS", "300")))
    args = parser.parse_args()
    seed = int(os.environ.get("CHAOS_SEED", "20261129"))
    failed = False
    for wallet in WALLETS:
        figures = simulate(args.cli, wallet, args.payments, seed)
        print("chaos:", json.dumps(figures))
        failed |= bool(figures["problems"])
    with tempfile.TemporaryDirectory(prefix="wb-chaos-") as work:
        figures = kill_and_recover(args.cli, seed, work)
        print("chaos kill-and-recover:", json.dumps(figures))
        failed |= bool(figures["problems"])
    if failed:
        print(f"chaos: FAILED (seed {seed}; replay with CHAOS_SEED={seed})", file=sys.stderr)
        sys.exit(1)
    print(f"chaos: ok (seed {seed})")


if __name__ == "__main__":
    main()
