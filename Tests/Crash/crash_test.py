#!/usr/bin/env python3
"""Crash test: payments in flight when the paying process is killed are settled by `recover`.

1. Start a standalone sandbox with a state file (its ledger), on a free loopback port.
2. Slow the wallet's pay endpoint down (the sandbox processes, then answers late), start a
   separate `walletbridge pay --count N --concurrency K` with a journal, and SIGKILL it while
   payments are in flight.
3. Run `walletbridge recover`: it must leave 0 open.
4. Every payment in the journal must agree with the sandbox's ledger, and no customer may be
   charged twice (the balance moved by exactly the sum of the succeeded payments).

Prints the figures per wallet: in flight at the kill, open before recovery, reconciled, still open.
Only the standard library; talks to 127.0.0.1 only.
"""
import argparse, json, os, signal, socket, sqlite3, subprocess, sys, tempfile, time, urllib.request

WALLETS = {
    # wallet: (pay path, amount, currency, customer, opening balance, settings for fast windows)
    "gcash": ("/aps/api/v1/payments/pay", "10.00", "PHP", "gcash-pays", 100_000_000,
              {"reconcileIntervalSeconds": "1", "reconcileWindowSeconds": "4"}),
    "dana": ("/payment-gateway/v1.0/debit/payment-host-to-host.htm", "10000.00", "IDR", "dana-pays", 10_000_000_000,
             {"orderValidityMinutes": "1"}),
    "paytm": ("/theia/api/v1/initiateTransaction", "10.00", "INR", "paytm-pays", 1_000_000_000,
              {"orderValiditySeconds": "5"}),
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method, url, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as r:
        return r.read()


def journal_rows(path, wallet):
    """The payment rows of `wallet` in a SQLite journal; none while the file or its table does
    not exist yet (a process still starting). Also used by Tests/Chaos/chaos_test.py."""
    if not os.path.exists(path):
        return []
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    except sqlite3.OperationalError:
        return []
    try:
        cols = [c[1] for c in db.execute("PRAGMA table_info(journal_entries)")]
        return [dict(zip(cols, r)) for r in db.execute("SELECT * FROM journal_entries WHERE wallet = ? AND kind = 'payment'", (wallet,))]
    except sqlite3.OperationalError:
        return []
    finally:
        db.close()


def stop(process):
    """Terminates a child process, killing it if it does not end within 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def run_wallet(cli, wallet, count, concurrency, kill_after, work):
    pay_path, amount, currency, customer, opening, settings = WALLETS[wallet]
    port = free_port()
    state = os.path.join(work, f"{wallet}-state.json")
    config_dir = os.path.join(work, f"{wallet}-config")
    journal = os.path.join(work, f"{wallet}-journal.sqlite")
    sandbox = subprocess.Popen([cli, "sandbox", "--port", str(port), "--state-file", state, "--write-config", config_dir],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                http("GET", base + "/sandbox/health")
                break
            except Exception:
                time.sleep(0.05)
        else:
            raise SystemExit(f"{wallet}: the sandbox did not start")
        profile_path = os.path.join(config_dir, "walletbridge.json")
        for _ in range(200):
            if os.path.exists(profile_path):
                break
            time.sleep(0.05)
        profile = json.load(open(profile_path))
        profile["wallets"][wallet].setdefault("settings", {}).update(settings)
        json.dump(profile, open(profile_path, "w"), indent=2)
        # The sandbox processes each pay, then answers 2.5 s late: the kill finds them in flight.
        http("POST", base + "/sandbox/faults", {"fault": "delay-ms:2500", "path": pay_path, "count": 100000})
        prefix = f"CRASH-{wallet}-{os.getpid()}"
        common = ["--config", profile_path, "--wallet", wallet, "--journal", journal]
        payer = subprocess.Popen([cli, "pay", *common, "--amount", amount, "--currency", currency, "--customer", customer,
                                  "--merchant-reference", prefix, "--count", str(count), "--concurrency", str(concurrency), "--timeout", "20"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(kill_after)
        payer.send_signal(signal.SIGKILL)
        payer.wait()
        http("DELETE", base + "/sandbox/faults")
        rows = journal_rows(journal, wallet)
        in_flight = sum(1 for r in rows if r["state"] not in ("succeeded", "failed", "cancelled"))
        recovered = subprocess.run([cli, "recover", *common, "--json", "--verbose"], capture_output=True, text=True, timeout=600)
        if os.environ.get("WB_CRASH_VERBOSE"):
            print(recovered.stderr, file=sys.stderr)
        if recovered.returncode not in (0, 3):
            raise SystemExit(f"{wallet}: recover failed ({recovered.returncode}): {recovered.stderr}")
        report = json.loads(recovered.stdout)
        rows = journal_rows(journal, wallet)
        ledger = json.load(open(state))
        problems = []
        if int(report["still_open"]) != 0:
            problems.append(f"still_open is {report['still_open']}")
        if in_flight == 0:
            problems.append("no payment was in flight at the kill (the test proved nothing)")
        minor = int(round(float(amount) * 100))
        ledger_payments = {p["merchantReference"]: p for p in ledger["payments"].values()
                           if p["wallet"] == wallet and p["merchantReference"].startswith(prefix)}
        for row in rows:
            ref = row["merchant_reference"]
            paid = ledger_payments.get(ref)
            if row["state"] == "succeeded":
                if not paid or paid["state"] != "succeeded":
                    problems.append(f"{ref}: journal says succeeded, the ledger says {paid and paid['state']}")
                elif paid["amountMinor"] != row["amount_minor_units"]:
                    problems.append(f"{ref}: amount {row['amount_minor_units']} in the journal, {paid['amountMinor']} in the ledger")
            elif row["state"] in ("failed", "cancelled"):
                if paid and paid["state"] == "succeeded":
                    problems.append(f"{ref}: journal says {row['state']}, but the customer was charged")
            else:
                problems.append(f"{ref}: still {row['state']} after recovery")
        journal_refs = {r["merchant_reference"] for r in rows}
        for ref, paid in ledger_payments.items():
            if ref not in journal_refs:
                problems.append(f"{ref}: charged by the wallet but missing from the journal (a lost payment)")
        charged = sum(p["customerAmountMinor"] for p in ledger_payments.values() if p["state"] in ("succeeded", "refunded"))
        balance = ledger["balances"].get(customer, opening)
        if opening - balance != charged:
            problems.append(f"balance moved by {opening - balance}, succeeded payments total {charged}: a double charge or a lost one")
        succeeded = sum(1 for r in rows if r["state"] == "succeeded")
        figures = {"wallet": wallet, "payments_started": len(rows), "in_flight_at_kill": in_flight,
                   "open_before": int(report["open_before"]), "reconciled": int(report["reconciled"]),
                   "still_open": int(report["still_open"]), "succeeded": succeeded, "charged_minor": charged, "problems": problems}
        return figures
    finally:
        stop(sandbox)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cli", required=True)
    parser.add_argument("--wallets", default="gcash,dana,paytm")
    parser.add_argument("--count", type=int, default=24)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--kill-after", type=float, default=2.0)
    args = parser.parse_args()
    failed = False
    with tempfile.TemporaryDirectory(prefix="wb-crash-") as work:
        for wallet in args.wallets.split(","):
            figures = run_wallet(os.path.abspath(args.cli), wallet, args.count, args.concurrency, args.kill_after, work)
            print(json.dumps(figures))
            if figures["problems"]:
                failed = True
    if failed:
        print("crash test: FAILED", file=sys.stderr)
        sys.exit(1)
    print("crash test: every payment settled, journal and ledger agree, no double charge")


if __name__ == "__main__":
    main()
