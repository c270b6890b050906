#!/usr/bin/env bash
# Journal throughput: `walletbridge simulate` (release build) against one standalone sandbox,
# with no journal (in memory), the SQLite journal and the PostgreSQL journal, in one run.
#
#   Tests/Postgres/bench_journals.sh [PAYMENTS] [CONCURRENCY]     (default 10000 64)
#
# Prints, per journal: wall seconds, payments per second, the simulating process's CPU
# (user+sys, from /usr/bin/time) per payment, the sandbox's CPU per payment, and for
# PostgreSQL the server's CPU per payment (postmaster and its backends, from /proc). No
# faults: the differences are the journals'. Needs `swift build -c release --product walletbridge`.
set -euo pipefail
cd "$(dirname "$0")/../.."
payments="${1:-10000}"
concurrency="${2:-64}"
wallet="${WALLET:-gcash}"
cli=.build/release/walletbridge
[ -x "$cli" ] || { echo "bench: build it first: swift build -c release --product walletbridge" >&2; exit 1; }
work=.build/bench-journals
rm -rf "$work" && mkdir -p "$work"
export PG_CLUSTER_DIR="$PWD/$work/postgres"
url="$(Tests/Postgres/pg_cluster.sh start)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
"$cli" sandbox --port "$port" --faults none >"$work/sandbox.log" 2>&1 &
sandbox=$!
cleanup() { kill "$sandbox" 2>/dev/null || true; Tests/Postgres/pg_cluster.sh stop || true; }
trap cleanup EXIT
for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
done
tick="$(getconf CLK_TCK)"
# CPU seconds of a process and its waited-for children (utime stime cutime cstime).
cpu() { awk -v t="$tick" '{ print ($14 + $15 + $16 + $17) / t }' "/proc/$1/stat"; }
postmaster() { head -n 1 "$(cat "$PG_CLUSTER_DIR/datadir" 2>/dev/null || echo "$PG_CLUSTER_DIR/data")/postmaster.pid"; }

printf '%-10s %8s %10s %16s %17s %17s  %s\n' journal wall_s payments/s client_cpu_ms/pay sandbox_cpu_ms/pay server_cpu_ms/pay result
run() {
    local name="$1"
    shift
    local pg_before sandbox_before pg_after sandbox_after
    pg_before="$(cpu "$(postmaster)")"
    sandbox_before="$(cpu "$sandbox")"
    /usr/bin/time -f "%e %U %S" -o "$work/$name.time" "$cli" simulate --wallet "$wallet" --payments "$payments" \
        --concurrency "$concurrency" --faults none --endpoint "http://127.0.0.1:$port" --json "$@" >"$work/$name.json" 2>"$work/$name.log"
    sleep 1 # the backends' exit reaches the postmaster's children's CPU
    pg_after="$(cpu "$(postmaster)")"
    sandbox_after="$(cpu "$sandbox")"
    read -r wall user sys <"$work/$name.time"
    local result
    result="$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); w=r.get("walletBridge", r); print(" ".join(f"{k}={w[k]}" for k in ("payments","succeeded","failed","unknownAfterReconcile") if k in w) or "see json")' "$work/$name.json" 2>/dev/null || echo "see $work/$name.json")"
    awk -v n="$name" -v w="$wall" -v u="$user" -v s="$sys" -v p="$payments" -v sb="$sandbox_before" -v sa="$sandbox_after" \
        -v pb="$pg_before" -v pa="$pg_after" -v r="$result" \
        'BEGIN { server = (n == "postgres") ? sprintf("%.3f", (pa - pb) * 1000 / p) : "-";
                 printf "%-10s %8.2f %10.0f %16.3f %17.3f %17s  %s\n", n, w, p / w, (u + s) * 1000 / p, (sa - sb) * 1000 / p, server, r }'
}
run none
run sqlite --journal "$PWD/$work/journal.sqlite"
run postgres --journal "$url"
