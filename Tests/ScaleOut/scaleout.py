#!/usr/bin/env python3
"""Scale-out test: three merchant-server instances on one journal, every payment and every
notification applied exactly once, and an instance killed mid-run settled by the others.

1. A throwaway PostgreSQL cluster (Tests/Postgres/pg_cluster.sh), unless --journal sqlite.
2. A standalone sandbox with the `chaos` fault plan (timeouts, 5xx before and after the commit,
   429, in-process answers, slow bodies, notification faults), compressed time, and the three
   instances as webhook targets: each notification attempt goes to a target drawn from the seed,
   and --duplicate-rate of them go at once to a second instance as well.
3. Three `merchant-server` instances on one journal (`--journal postgres://…`).
4. --payments orders over gcash, dana and paytm, posted concurrently round-robin over the live
   instances; --retry-rate of them are posted again, at once, to another instance with the same
   order id (the journal must answer, never charge twice).
5. One instance is SIGKILLed while it has payments open; the others' reconcilers settle them
   (expired leases) while the run goes on.
6. After a settle period: every payment is final and agrees with the sandbox's ledger, no order
   is charged twice, no notification is applied twice (every instance's --events file), and the
   killed instance's open payments were settled by the survivors.

The figures are printed as one JSON object on the last line; the exit status is 1 when a
promise fails. Everything started is stopped at the end, also on failure. Standard library
only; talks to 127.0.0.1 only.
"""
import argparse
import collections
import concurrent.futures
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
# wallet: (currency, major part of the amount, customer who pays, customer who declines)
WALLETS = {
    "gcash": ("PHP", "10", "gcash-pays", "gcash-declines"),
    "dana": ("IDR", "10000", "dana-pays", "dana-declines"),
    "paytm": ("INR", "10", "paytm-pays", "paytm-declines"),
}
FINAL = ("succeeded", "failed", "cancelled")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(method, url, body=None, timeout=60):
    """(HTTP status, parsed JSON or text); raises OSError when nothing answers."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


class Processes:
    """Every child process started, stopped at the end whatever happens."""

    def __init__(self):
        self.children = []

    def start(self, name, argv, log_path):
        log = open(log_path, "w")
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log, text=True, bufsize=1)
        self.children.append((name, process, log))
        return process

    def stop_all(self):
        for _, process, _ in self.children:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 15
        for _, process, log in self.children:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


def wait_for_line(process, needle, seconds):
    """The first stdout line of `process` containing `needle` (later lines are drained)."""
    found = {}
    ready = threading.Event()

    def reader():
        for line in process.stdout:
            if not ready.is_set() and needle in line:
                found["line"] = line.strip()
                ready.set()
        ready.set()

    threading.Thread(target=reader, daemon=True).start()
    if not ready.wait(seconds) or "line" not in found:
        raise RuntimeError(f"no '{needle}' line within {seconds}s (exit status {process.poll()})")
    return found["line"]


def start_postgres(cluster_dir):
    env = dict(os.environ, PG_CLUSTER_DIR=cluster_dir)
    out = subprocess.run([os.path.join(ROOT, "Tests", "Postgres", "pg_cluster.sh"), "start"], env=env, capture_output=True, text=True,
                         timeout=300)
    if out.returncode != 0:
        raise RuntimeError(f"pg_cluster.sh start failed: {out.stderr[-2000:]}")
    return [line for line in out.stdout.splitlines() if line.startswith("postgres")][-1]


def stop_postgres(cluster_dir):
    env = dict(os.environ, PG_CLUSTER_DIR=cluster_dir)
    subprocess.run([os.path.join(ROOT, "Tests", "Postgres", "pg_cluster.sh"), "stop"], env=env, capture_output=True, timeout=120)


def read_events(path):
    """Every complete line of an --events file (a line cut by SIGKILL is skipped)."""
    events = []
    if not os.path.exists(path):
        return events
    with open(path) as f:
        for line in f:
            try:
                events.append(json.loads(line))
            except ValueError:
                pass
    return events


def metric_sum(text, name):
    """The sum of every sample of `name` in Prometheus text."""
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            try:
                total += float(line.rsplit(" ", 1)[1])
            except ValueError:
                pass
    return total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", default=os.path.join(ROOT, ".build", "debug", "walletbridge"))
    parser.add_argument("--merchant", default=os.path.join(ROOT, ".build", "debug", "merchant-server"))
    parser.add_argument("--journal", choices=["postgres", "sqlite"], default=os.environ.get("SCALEOUT_JOURNAL", "postgres"))
    parser.add_argument("--payments", type=int, default=int(os.environ.get("SCALEOUT_PAYMENTS", "300")))
    parser.add_argument("--concurrency", type=int, default=24)
    parser.add_argument("--retry-rate", type=float, default=0.1, help="share of orders posted a second time to another instance")
    parser.add_argument("--duplicate-rate", type=float, default=0.3, help="share of notifications delivered to two instances")
    parser.add_argument("--kill-at", type=float, default=0.4, help="kill once this share of the orders has been posted")
    parser.add_argument("--time-scale", type=float, default=20)
    parser.add_argument("--settle-seconds", type=float, default=60)
    parser.add_argument("--seed", type=int, default=int(os.environ.get("SCALEOUT_SEED", "20261129")))
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, events) even on success")
    args = parser.parse_args()
    for binary in (args.cli, args.merchant):
        if not os.access(binary, os.X_OK):
            raise SystemExit(f"scaleout: {binary} is not built (swift build --build-tests)")

    started = time.monotonic()
    work = tempfile.mkdtemp(prefix="wb-scaleout-")
    cluster_dir = os.path.join(work, "postgres")
    processes = Processes()
    problems = []
    figures = {}
    rng = random.Random(args.seed)
    try:
        # 1. The journal.
        if args.journal == "postgres":
            journal = start_postgres(cluster_dir)
        else:
            journal = "sqlite:" + os.path.join(work, "journal.sqlite")

        # 2. The sandbox, with the three instances as webhook targets.
        ports = [free_port() for _ in range(3)]
        names = ["m1", "m2", "m3"]
        bases = [f"http://127.0.0.1:{p}" for p in ports]
        sandbox_port = free_port()
        sandbox = f"http://127.0.0.1:{sandbox_port}"
        config_dir = os.path.join(work, "config")
        argv = [args.cli, "sandbox", "--port", str(sandbox_port), "--faults", "chaos", "--seed", str(args.seed), "--time-scale",
                str(args.time_scale), "--write-config", config_dir, "--duplicate-notifications", str(args.duplicate_rate)]
        for base in bases:
            argv += ["--webhook", base]
        process = processes.start("sandbox", argv, os.path.join(work, "sandbox.log"))
        wait_for_line(process, "client profile written", 60)
        # DANA-style orders valid 1 minute (3 s at --time-scale 20), so that a payment the wallet
        # never received is closed as failed within the settle period (as Tests/Crash does).
        profile_path = os.path.join(config_dir, "walletbridge.json")
        with open(profile_path) as f:
            profile = json.load(f)
        profile["wallets"]["dana"].setdefault("settings", {})["orderValidityMinutes"] = "1"
        with open(profile_path, "w") as f:
            json.dump(profile, f, indent=2)

        # 3. Three instances on one journal.
        instances = {}
        for name, port in zip(names, ports):
            argv = [args.merchant, "--config", config_dir, "--wallets", ",".join(WALLETS), "--journal", journal, "--port", str(port),
                    "--instance", name, "--time-scale", str(args.time_scale), "--reconcile-interval", "20", "--settle-within", "30",
                    "--lease-seconds", "60", "--events", os.path.join(work, f"events-{name}.jsonl"),
                    # One notify URL for every instance, as behind a load balancer: it is part of the
                    # payment's content, so a POST retried on another instance must name the same.
                    "--notify-base", bases[0]]
            instances[name] = processes.start(name, argv, os.path.join(work, f"{name}.log"))
        for name, base in zip(names, bases):
            line = wait_for_line(instances[name], "merchant-server listening on", 60)
            if not line.endswith(base):
                raise RuntimeError(f"{name}: {line} (expected {base})")
            status, body = call("GET", base + "/healthz")
            if status != 200:
                raise RuntimeError(f"{name}: /healthz answered {status} {body}")

        # 4. The orders.
        prefix = f"SO{args.seed % 100000}-{os.getpid()}"
        orders = []
        for i in range(args.payments):
            wallet = list(WALLETS)[i % len(WALLETS)]
            currency, major, pays, declines = WALLETS[wallet]
            customer = declines if rng.random() < 0.08 else pays
            # Amounts end in 00-49 minor units: never a magic amount (the plan's faults only).
            amount = f"{major}.{rng.randrange(0, 50):02d}"
            orders.append({"id": f"{prefix}-{i}", "wallet": wallet, "body": {"wallet": wallet, "amount": amount, "currency": currency,
                                                                              "customer": customer},
                           "retry": rng.random() < args.retry_rate})
        victim = "m2"
        live = list(names)
        lock = threading.Lock()
        answers = collections.defaultdict(list)  # order id -> [(instance, status code, body)]
        interrupted = []
        posted = [0]
        killed = {}

        def post(order, name):
            base = bases[names.index(name)]
            try:
                code, body = call("POST", f"{base}/orders/{order['id']}/pay", order["body"], timeout=120)
            except OSError as error:
                with lock:
                    interrupted.append((order["id"], name, str(error)))
                return
            with lock:
                answers[order["id"]].append((name, code, body))

        def pay(index, order):
            with lock:
                targets = list(live)
                posted[0] += 1
            first = targets[index % len(targets)]
            retry = None
            if order["retry"] and len(targets) > 1:
                retry = targets[(index + 1) % len(targets)]
                # A client that saw no answer yet retries elsewhere: once the first instance has
                # journalled the order (two first POSTs of one order at the same instant may
                # differ in their pinned validity and the later is refused, 409).
                threading.Timer(rng.uniform(0.3, 1.5), post, (order, retry)).start()
            post(order, first)

        def kill_when_open():
            """SIGKILLs the victim once enough orders are posted and it has payments open.

            The victim is frozen (SIGSTOP) while a survivor reads the journal, so that what is
            open at that moment is what the kill leaves behind; if nothing is open it is thawed
            and the check repeats (a payment in flight lasts only milliseconds)."""
            events_path = os.path.join(work, f"events-{victim}.jsonl")
            survivor = bases[names.index([n for n in names if n != victim][0])]
            deadline = time.monotonic() + 120
            attempts = 0
            while time.monotonic() < deadline:
                with lock:
                    far_enough = posted[0] >= args.payments * args.kill_at
                    all_posted = posted[0] >= args.payments
                if not far_enough:
                    time.sleep(0.02)
                    continue
                events = read_events(events_path)
                accepted = {e["order"]: e["wallet"] for e in events if e["event"] == "pay-accepted"}
                answered = {e["order"] for e in events if e["event"] == "pay-answered" and e.get("final")}
                candidates = {o: w for o, w in accepted.items() if o not in answered}
                if not candidates and not all_posted:
                    time.sleep(0.01)
                    continue
                instances[victim].send_signal(signal.SIGSTOP)
                attempts += 1
                # Recorded after the stop: an order accepted just before it counts too.
                events = read_events(events_path)
                accepted = {e["order"]: e["wallet"] for e in events if e["event"] == "pay-accepted"}
                answered = {e["order"] for e in events if e["event"] == "pay-answered" and e.get("final")}
                candidates = {o: w for o, w in accepted.items() if o not in answered}
                open_now = []
                for order_id, wallet in candidates.items():
                    code, body = call("GET", f"{survivor}/orders/{order_id}?wallet={wallet}")
                    if code == 200 and not body.get("final"):
                        open_now.append((order_id, wallet))
                if open_now or all_posted:
                    with lock:
                        live.remove(victim)
                    instances[victim].send_signal(signal.SIGKILL)
                    instances[victim].wait()
                    killed["candidates"] = candidates
                    killed["open"] = open_now
                    killed["at"] = time.monotonic() - started
                    killed["freezes"] = attempts
                    return
                instances[victim].send_signal(signal.SIGCONT)
                time.sleep(0.02)

        killer = threading.Thread(target=kill_when_open, daemon=True)
        killer.start()
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            list(pool.map(lambda pair: pay(*pair), enumerate(orders)))
        killer.join(timeout=130)
        if "candidates" not in killed:
            problems.append("the victim was never killed")
        time.sleep(0.5)  # retries posted by timers

        survivor = bases[names.index(live[0])]
        killed_open = killed.get("open", [])

        # 5. Settle: until the journal holds nothing open (the survivors' reconcilers, the
        # notifications), or the settle period ends.
        by_id = {o["id"]: o for o in orders}
        journal_view = {}
        settle_deadline = time.monotonic() + args.settle_seconds
        while True:
            journal_view = {}
            for order in orders:
                code, body = call("GET", f"{survivor}/orders/{order['id']}?wallet={order['wallet']}")
                if code == 200:
                    journal_view[order["id"]] = body
                elif code != 404:
                    raise RuntimeError(f"GET /orders/{order['id']}: {code} {body}")
            open_now = [i for i, b in journal_view.items() if b["status"] not in FINAL]
            if not open_now or time.monotonic() > settle_deadline:
                break
            time.sleep(1)
        settled_at = time.monotonic() - started
        time.sleep(1.0)  # notifications still in flight finish

        # 6. Judge.
        status, ledger_list = call("GET", sandbox + "/sandbox/ledger")
        ledger = {e["merchantReference"]: e for e in ledger_list if e["merchantReference"].startswith(prefix + "-")}
        still_open = sorted(i for i, b in journal_view.items() if b["status"] not in FINAL)
        for order_id in still_open:
            problems.append(f"{order_id}: still {journal_view[order_id]['status']} after the settle period")
        charged_twice = sorted(r for r, e in ledger.items() if e["charges"] > 1)
        for reference in charged_twice:
            problems.append(f"{reference}: charged {ledger[reference]['charges']} times")
        disagree = 0
        for order_id, body in journal_view.items():
            entry = ledger.get(order_id)
            charged = bool(entry and entry["charges"] > 0 and entry["state"] == "succeeded")
            if body["status"] == "succeeded" and not charged:
                problems.append(f"{order_id}: succeeded in the journal, not charged in the ledger ({entry and entry['state']})")
                disagree += 1
            elif body["status"] in ("failed", "cancelled") and charged:
                problems.append(f"{order_id}: {body['status']} in the journal, charged in the ledger")
                disagree += 1
            elif body["status"] == "succeeded" and entry and entry["amountMinor"] != body.get("amountMinor"):
                problems.append(f"{order_id}: {body.get('amountMinor')} in the journal, {entry['amountMinor']} in the ledger")
                disagree += 1
        lost = sorted(r for r, e in ledger.items() if e["charges"] > 0 and r not in journal_view)
        for reference in lost:
            problems.append(f"{reference}: charged by the wallet but not in the journal (lost)")
        # Answers to the same order from two instances agree once final.
        conflicting = 0
        for order_id, replies in answers.items():
            finals = {b["status"] for _, code, b in replies if isinstance(b, dict) and b.get("final")}
            if len(finals) > 1:
                conflicting += 1
                problems.append(f"{order_id}: instances answered {sorted(finals)}")
            for name, code, body in replies:
                if code not in (200, 202):
                    problems.append(f"{order_id}: {name} answered HTTP {code}: {body}")

        # Notifications: across every instance's events, no key applied twice, no order fulfilled twice.
        events = []
        for name in names:
            events += read_events(os.path.join(work, f"events-{name}.jsonl"))
        notifications = [e for e in events if e["event"] == "notification"]
        applied = collections.Counter((e["wallet"], e["key"]) for e in notifications if e["disposition"] == "apply")
        applied_twice = sorted(k for k, n in applied.items() if n > 1)
        for wallet, key in applied_twice:
            problems.append(f"notification {wallet} {key} applied {applied[(wallet, key)]} times")
        fulfilled = collections.Counter((e["wallet"], e["order"]) for e in notifications if e.get("fulfils"))
        fulfilled_twice = sorted(k for k, n in fulfilled.items() if n > 1)
        for wallet, order_id in fulfilled_twice:
            problems.append(f"order {wallet} {order_id} fulfilled {fulfilled[(wallet, order_id)]} times by notifications")
        dispositions = collections.Counter(e["disposition"] for e in notifications)
        by_instance = collections.Counter(e["instance"] for e in notifications)
        status, deliveries = call("GET", sandbox + "/sandbox/notifications")
        duplicate_deliveries = sum(1 for d in deliveries if d["label"].endswith("(duplicate)"))

        # The killed instance's open payments: settled by the others.
        taken_over = 0
        for name in live:
            status, text = call("GET", bases[names.index(name)] + "/metrics")
            taken_over += int(metric_sum(text, "merchant_reconciler_taken_over_total"))
        killed_settled = sum(1 for order_id, _ in killed_open if journal_view.get(order_id, {}).get("status") in FINAL)
        if not killed_open:
            problems.append("the killed instance had no payment open in the journal at the kill (the test proved nothing)")
        if killed_settled != len(killed_open):
            problems.append(f"{len(killed_open) - killed_settled} of the killed instance's {len(killed_open)} open payments stayed open")
        # `taken_over` is a figure, not a promise: a survivor may settle the killed instance's
        # payments through a notification or a fresh lease before the dead one's lease expires.
        # The test must have exercised what it claims to.
        if duplicate_deliveries == 0 or dispositions.get("duplicate", 0) == 0:
            problems.append(f"no notification was delivered twice ({duplicate_deliveries} copies, {dispositions.get('duplicate', 0)} duplicates)")
        if sum(1 for o in orders if o["retry"]) == 0:
            problems.append("no order was posted twice")

        states = collections.Counter(b["status"] for b in journal_view.values())
        figures = {
            "journal": args.journal, "seed": args.seed, "instances": len(names), "orders": len(orders),
            "payments": len(journal_view), "succeeded": states.get("succeeded", 0), "failed": states.get("failed", 0),
            "cancelled": states.get("cancelled", 0), "still_open": len(still_open), "duplicates": len(charged_twice), "lost": len(lost),
            "disagree_with_ledger": disagree, "orders_posted_twice": sum(1 for o in orders if o["retry"]),
            "conflicting_answers": conflicting, "posts_interrupted_by_kill": len(interrupted),
            "notifications_received": len(notifications), "notifications_applied": dispositions.get("apply", 0),
            "notifications_duplicate": dispositions.get("duplicate", 0), "notifications_unconfirmed": dispositions.get("unconfirmed", 0),
            "notifications_rejected": dispositions.get("rejected", 0), "notifications_by_instance": dict(sorted(by_instance.items())),
            "duplicate_deliveries": duplicate_deliveries, "notifications_applied_twice": len(applied_twice),
            "orders_fulfilled_twice": len(fulfilled_twice), "killed": victim, "killed_at_seconds": round(killed.get("at", 0), 1),
            "killed_open": len(killed_open), "kill_freezes": killed.get("freezes", 0), "killed_open_settled": killed_settled, "taken_over": taken_over,
            "settled_at_seconds": round(settled_at, 1), "seconds": round(time.monotonic() - started, 1),
        }
    except Exception as error:  # noqa: BLE001 (any failure is reported, everything is stopped)
        problems.append(f"{type(error).__name__}: {error}")
    finally:
        processes.stop_all()
        if args.journal == "postgres":
            stop_postgres(cluster_dir)
    figures["problems"] = problems[:50]
    figures["problem_count"] = len(problems)
    if problems or args.keep:
        print(f"scaleout: logs and events kept in {work}", file=sys.stderr)
    else:
        shutil.rmtree(work, ignore_errors=True)
    if problems:
        print("scaleout: FAILED", file=sys.stderr)
    print(json.dumps(figures))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
