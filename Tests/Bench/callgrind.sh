#!/usr/bin/env bash
# Instructions per request and per payment, counted by valgrind's callgrind (stable on noisy
# machines, unlike CPU time): `CurlTransport` beside a plain C libcurl loop, and a signed
# payment per wallet. Each figure is the difference between a small and a large run divided by
# the difference in requests, so start-up cost cancels out.
#
#   Tests/Bench/callgrind.sh [CLI]      (default .build/release/walletbridge; make bench builds it)
#
# Needs valgrind, a C compiler and libcurl's headers. Two workarounds, both for valgrind
# (3.19 to 3.24) rather than for anything in WalletBridge:
# - Swift's async `main` parks the main thread in `sigsuspend` (libdispatch's `dispatch_main`),
#   which valgrind crashes on; a preloaded `sigsuspend` that sleeps instead keeps it alive.
# - valgrind 3.19 cannot read the DWARF 5 debug information Swift 6 writes, so it profiles
#   copies of the binary and of the Swift runtime libraries without it (symbols stay).
set -euo pipefail
cli=${1:-.build/release/walletbridge}
small=${SMALL:-200}
large=${LARGE:-2200}
small_pay=${SMALL_PAY:-50}
large_pay=${LARGE_PAY:-300}
command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
[ -x "$cli" ] || { echo "callgrind.sh: no $cli (swift build -c release --product walletbridge)" >&2; exit 2; }

work=$(mktemp -d)
sandbox_pid=""
cleanup() {
    [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/park.c" <<'EOF'
#include <signal.h>
#include <unistd.h>
int sigsuspend(const sigset_t *mask) { (void)mask; for (;;) sleep(100000); return -1; }
EOF
cc -shared -fPIC -O2 -o "$work/park.so" "$work/park.c"

cat >"$work/plain.c" <<'EOF'
/* One easy handle, N keep-alive POSTs of the bench body: the floor CurlTransport is measured against. */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
static size_t sink(char *p, size_t s, size_t n, void *u) { (void)p; (void)u; return s * n; }
int main(int argc, char **argv) {
    static const char *body = "{\"partnerReferenceNo\":\"WB-BENCH-0001\",\"merchantId\":\"216620000000000000001\","
                              "\"amount\":{\"value\":\"10000.00\",\"currency\":\"IDR\"},\"note\":\"bench\"}";
    if (argc < 3) return 2;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    h = curl_slist_append(h, "Accept: application/json");
    h = curl_slist_append(h, "Expect:");
    CURL *e = curl_easy_init();
    curl_easy_setopt(e, CURLOPT_URL, argv[1]);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROXY, "");
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sink);
    int n = atoi(argv[2]) + 10, failed = 0;
    for (int i = 0; i < n; i++) failed |= curl_easy_perform(e) != CURLE_OK;
    return failed;
}
EOF
cc -O2 -o "$work/plain" "$work/plain.c" -lcurl

objcopy --strip-debug "$cli" "$work/walletbridge"
mkdir "$work/lib"
for lib in $(ldd "$cli" | grep -o '/[^ ]*/swift/[^ ]*\.so[^ ]*'); do
    objcopy --strip-debug "$lib" "$work/lib/$(basename "$lib")"
done

pin() { if command -v taskset >/dev/null && [ "$(nproc)" -gt 1 ]; then taskset -c "$1" "${@:2}"; else "${@:2}"; fi; }
pin 0 "$cli" sandbox --port 0 >"$work/sandbox.log" 2>&1 &
sandbox_pid=$!
base=""
for _ in $(seq 100); do
    base=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/sandbox.log" | head -1 || true)
    [ -n "$base" ] && break
    sleep 0.1
done
[ -n "$base" ] || { echo "callgrind.sh: the sandbox printed no URL" >&2; exit 1; }

# Instructions of one run of "$@" under callgrind.
count() {
    LD_PRELOAD="$work/park.so" LD_LIBRARY_PATH="$work/lib" valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" "$@" \
        >"$work/run.log" 2>&1 || { cat "$work/run.log" >&2; return 1; }
    awk '/refs:/ { gsub(",", "", $NF); print $NF }' "$work/run.log"
}
per() { echo $(( ($2 - $1) / ($4 - $3) )); }

echo "callgrind: instructions per request (difference of a $small- and a $large-request run), sandbox $base"
plain_a=$(count "$work/plain" "$base/sandbox/echo" "$small")
plain_b=$(count "$work/plain" "$base/sandbox/echo" "$large")
ours_a=$(count "$work/walletbridge" bench transport --url "$base/sandbox/echo" --requests "$small")
ours_b=$(count "$work/walletbridge" bench transport --url "$base/sandbox/echo" --requests "$large")
plain=$(per "$plain_a" "$plain_b" "$small" "$large")
ours=$(per "$ours_a" "$ours_b" "$small" "$large")
printf '  %-36s %9d\n' "plain C libcurl, one easy handle" "$plain"
printf '  %-36s %9d  (%s x)\n' "CurlTransport, sequential" "$ours" "$(awk -v a="$ours" -v b="$plain" 'BEGIN { printf "%.2f", a / b }')"
echo "callgrind: instructions per signed payment through WalletClient, no journal (difference of $small_pay and $large_pay payments)"
for wallet in ${WALLETS:-gcash dana paytm}; do
    a=$(count "$work/walletbridge" bench pay --wallet "$wallet" --payments "$small_pay" --endpoint "$base" --payments-only)
    b=$(count "$work/walletbridge" bench pay --wallet "$wallet" --payments "$large_pay" --endpoint "$base" --payments-only)
    printf '  %-36s %9d\n' "$wallet" "$(per "$a" "$b" "$small_pay" "$large_pay")"
done
