#!/usr/bin/env bash
# End-to-end checks of the walletbridge CLI as a user runs it: separate processes sharing the
# embedded sandbox's state file, exit codes, --json output, and the standalone sandbox with a
# written profile. Usage: Tests/CLI/smoke.sh path/to/walletbridge
set -euo pipefail
CLI=${1:?usage: smoke.sh path/to/walletbridge}
work=$(mktemp -d)
sandbox_pid=""
cleanup() { [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export WALLETBRIDGE_STATE_FILE="$work/state.json"
# Every --json output of the run is kept (through this wrapper) and its types checked at the end.
mkdir -p "$work/json"
real_cli=$CLI
CLI="$work/walletbridge"
cat >"$CLI" <<EOF
#!/usr/bin/env bash
case " \$* " in
  *" --json "*) "$real_cli" "\$@" | tee "$work/json/\$(date +%s%N).json"; exit "\${PIPESTATUS[0]}" ;;
esac
exec "$real_cli" "\$@"
EOF
chmod +x "$CLI"
failures=0
check() { # check NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: expected [$2], got [$3]"; failures=$((failures + 1)); fi
}
field() { python3 -c 'import json,sys; print(json.load(sys.stdin).get(sys.argv[1], ""))' "$1"; }

check "the CHANGELOG names the version in development" 1 "$(grep -c "^## \[Unreleased\] ($("$CLI" --version))" "$(dirname "$0")/../../CHANGELOG.md")"
check "--version is the README's version" "$(sed -n 's/.*Status (\([^)]*\)).*/\1/p' "$(dirname "$0")/../../README.md")" "$("$CLI" --version)"

# The story `make demo` tells, end to end (it checks every step itself).
set +e
"$CLI" demo >"$work/demo.log" 2>&1; check "walletbridge demo: every step behaved as expected" 0 $?
check "the demo tells its story in plain words (no wire lines without --trace)" 0 "$(grep -c '^ *> POST' "$work/demo.log")"
"$CLI" demo --trace >"$work/demo-trace.log" 2>&1; check "walletbridge demo --trace shows the exchanges" yes "$([ "$(grep -c '^ *> POST' "$work/demo-trace.log")" -ge 10 ] && echo yes || echo no)"
set -e

out=$("$CLI" pay --wallet gcash --amount 10.00 --currency PHP --json)
check "pay prints \"status\": \"succeeded\"" 1 "$(grep -c '"status": "succeeded"' <<<"$out")"
ref=$(field merchantReference <<<"$out")
check "pay amount" "10.00" "$(field amount <<<"$out")"
check "inquire in a new process sees the payment" succeeded "$("$CLI" inquire --wallet gcash --merchant-reference "$ref" --json | field status)"
check "partial refund" succeeded "$("$CLI" refund --wallet gcash --merchant-reference "$ref" --amount 4.00 --currency PHP --json | field status)"
set +e
"$CLI" refund --wallet gcash --merchant-reference "$ref" --amount 7.00 --currency PHP --json >"$work/over.json"; code=$?
set -e
check "over-refund fails with exit 1" 1 "$code"
check "over-refund category" limitExceeded "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["error"]["category"])' "$work/over.json")"

check "slow customer pending with --no-wait" pending "$("$CLI" pay --amount 5.00 --currency PHP --customer gcash-slow --merchant-reference SMOKE-SLOW --no-wait --json | field status)"
check "still pending (inquiry 1)" pending "$("$CLI" inquire --merchant-reference SMOKE-SLOW --json | field status)"
check "still pending (inquiry 2)" pending "$("$CLI" inquire --merchant-reference SMOKE-SLOW --json | field status)"
check "succeeds on inquiry 3 (state persisted across processes)" succeeded "$("$CLI" inquire --merchant-reference SMOKE-SLOW --json | field status)"
check "pay waits for a slow payment" succeeded "$("$CLI" pay --amount 5.00 --currency PHP --customer gcash-slow --json | field status)"
check "cancel a pending payment" cancelled "$("$CLI" pay --amount 5.00 --currency PHP --customer gcash-slow --merchant-reference SMOKE-C --no-wait >/dev/null; "$CLI" cancel --merchant-reference SMOKE-C --json | field status)"
check "next action for a customer who must confirm" deeplink "$("$CLI" pay --amount 5.00 --currency PHP --customer gcash-confirm --merchant-reference SMOKE-CONFIRM --no-wait --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["nextAction"]["kind"])')"
# The customer never confirms: the merchant cancels (otherwise `recover` below waits out the
# wallet's confirmation window, most of a minute).
check "cancel a payment awaiting the customer's confirmation" cancelled "$("$CLI" cancel --merchant-reference SMOKE-CONFIRM --json | field status)"
check "cross-border customer amount" 385.00 "$("$CLI" pay --amount 1000 --currency JPY --json | field customerAmount)"

set +e
"$CLI" pay --amount 10.00 --currency PHP --customer gcash-low-balance --json >/dev/null; check "insufficient funds exits 1" 1 $?
"$CLI" pay --amount 10.00 --currency XYZ --json >/dev/null 2>&1; check "unknown currency exits 2" 2 $?
"$CLI" pay --wallet GCash --amount 1.00 --currency PHP --json >/dev/null 2>&1; check "wallet names are case-insensitive" 0 $?
"$CLI" pay --state-file /proc/walletbridge-none/state.json --amount 1.00 --currency PHP >/dev/null 2>"$work/state.err"; check "an unwritable --state-file exits 2 before sending" 2 $?
check "... with a one-line reason" 1 "$(grep -c 'cannot be created' "$work/state.err")"
"$CLI" pay --config "$work/none.json" --snap-mode token --wallet dana --amount 1000 --currency IDR >/dev/null 2>&1; check "--snap-mode with --config exits 2" 2 $?
"$CLI" sandbox --port 99999 >/dev/null 2>&1; check "sandbox --port 99999 exits 2" 2 $?
"$CLI" pay --amount -10.00 --currency PHP >/dev/null 2>"$work/neg.err"; check "a negative amount exits 2" 2 $?
check "a negative amount is named" 1 "$(grep -c 'must be a positive amount' "$work/neg.err")"
"$CLI" pay --currency PHP >/dev/null 2>&1; check "a missing option exits 2 (ArgumentParser's usage error)" 2 $?
"$CLI" pay --amount 1.00 --currency PHP --no-such-option >/dev/null 2>&1; check "an unknown option exits 2" 2 $?
"$CLI" cancel --wallet paytm --merchant-reference SMOKE-NONE >/dev/null 2>"$work/paytm-cancel.err"; check "cancel on a wallet without cancel exits 2" 2 $?
check "... and says the payment is left as it is" 1 "$(grep -c 'left as it is' "$work/paytm-cancel.err")"
"$CLI" cancel --merchant-reference "$ref" --json >"$work/cancel-paid.json" 2>/dev/null; check "cancel of a paid payment exits 4 (not cancelled: refund instead)" 4 $?
check "... and reports it succeeded" succeeded "$(field status <"$work/cancel-paid.json")"
"$CLI" pay --amount 10.001 --currency PHP >/dev/null 2>&1; check "too many decimals exits 2" 2 $?
"$CLI" pay --amount 10.00 --currency PHP --merchant-reference "$ref" --json >/dev/null; check "idempotent replay of the first payment exits 0" 0 $?
"$CLI" pay --amount 11.00 --currency PHP --merchant-reference "$ref" --json >"$work/inc.json"; check "inconsistent replay exits 2 (refused, nothing sent; the original stands)" 2 $?
set -e
check "inconsistent replay category" inconsistentRequest "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["error"]["category"])' "$work/inc.json")"
check "... and reports the original payment's status" succeeded "$(field status <"$work/inc.json")"
check "... and nothing may have been charged" False "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["error"]["mayHaveCharged"])' "$work/inc.json")"
set +e
"$CLI" refund --wallet gcash --merchant-reference "$ref" --refund-reference "$ref-RR" --amount 1.00 --currency PHP --json >/dev/null
"$CLI" refund --wallet gcash --merchant-reference "$ref" --refund-reference "$ref-RR" --amount 2.00 --currency PHP --json >"$work/rinc.json"; check "a refund reference reused with another amount exits 2" 2 $?
check "... is inconsistentRequest" inconsistentRequest "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["error"]["category"])' "$work/rinc.json")"
check "... says the original refund stands" 1 "$(grep -c 'the original refund stands' "$work/rinc.json")"
for spec in "gcash PHP 1.00" "paytm INR 1.00" "dana IDR 1000"; do
  set -- $spec
  "$CLI" refund --wallet "$1" --merchant-reference "SMOKE-NO-SUCH-$1" --amount "$3" --currency "$2" --json >"$work/nf-$1.json"; check "$1: refunding an unknown payment exits 1" 1 $?
  check "$1: ... as notFound" notFound "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["error"]["category"])' "$work/nf-$1.json")"
done
set -e

# Paytm-style: initiate pending with a txnToken, status queries in new processes, refunds.
out=$("$CLI" pay --wallet paytm --amount 10.00 --currency INR --json)
check "paytm pay prints \"status\": \"succeeded\"" 1 "$(grep -c '"status": "succeeded"' <<<"$out")"
pref=$(field merchantReference <<<"$out")
check "paytm token next action with --no-wait" token "$("$CLI" pay --wallet paytm --amount 1.00 --currency INR --no-wait --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["nextAction"]["kind"])')"
check "paytm inquire in a new process" succeeded "$("$CLI" inquire --wallet paytm --merchant-reference "$pref" --json | field status)"
check "paytm partial refund settles" succeeded "$("$CLI" refund --wallet paytm --merchant-reference "$pref" --amount 4.00 --currency INR --json | field status)"
check "paytm second refund" succeeded "$("$CLI" refund --wallet paytm --merchant-reference "$pref" --amount 6.00 --currency INR --json | field status)"
# One correlation id per invocation: a Paytm refund (pending) and its status query log under one id.
cpref=$(field merchantReference <<<"$("$CLI" pay --wallet paytm --amount 3.00 --currency INR --json)")
check "one correlation id per CLI invocation (refund, then its status query)" 1 "$("$CLI" refund --wallet paytm --merchant-reference "$cpref" --amount 1.00 --currency INR --verbose 2>&1 >/dev/null | grep -o 'correlationID=[a-z0-9-]*' | sort -u | wc -l | tr -d ' ')"
check "paytm slow customer pending with --no-wait" pending "$("$CLI" pay --wallet paytm --amount 5.00 --currency INR --customer paytm-slow --merchant-reference SMOKE-PTM-SLOW --no-wait --json | field status)"
check "paytm pending on status query 1" pending "$("$CLI" inquire --wallet paytm --merchant-reference SMOKE-PTM-SLOW --json | field status)"
set +e
"$CLI" refund --wallet paytm --merchant-reference "$pref" --amount 0.01 --currency INR --json >"$work/ptm-over.json"; check "paytm over-refund exits 1" 1 $?
"$CLI" pay --wallet paytm --amount 10.00 --currency INR --customer paytm-low-balance --json >"$work/ptm-low.json"; check "paytm insufficient funds exits 1" 1 $?
"$CLI" pay --wallet paytm --amount 10.00 --currency PHP --json >/dev/null 2>&1; check "paytm refuses PHP (exit 1, nothing sent)" 1 $?
set -e
check "paytm over-refund code" 619 "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["error"]["partnerCode"])' "$work/ptm-over.json")"
check "paytm insufficient funds code" 235 "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["error"]["partnerCode"])' "$work/ptm-low.json")"

# DANA-style on SNAP: RSA and token modes, in-progress resolved by query, refund, cancel.
out=$("$CLI" pay --wallet dana --amount 10000 --currency IDR --json)
check "dana pay prints \"status\": \"succeeded\"" 1 "$(grep -c '"status": "succeeded"' <<<"$out")"
dref=$(field merchantReference <<<"$out")
check "dana pay in token mode" succeeded "$("$CLI" pay --wallet dana --snap-mode token --amount 10000 --currency IDR --json | field status)"
check "dana inquire in a new process" succeeded "$("$CLI" inquire --wallet dana --merchant-reference "$dref" --json | field status)"
check "dana partial refund" succeeded "$("$CLI" refund --wallet dana --merchant-reference "$dref" --amount 4000 --currency IDR --json | field status)"
check "dana in progress with --no-wait" pending "$("$CLI" pay --wallet dana --amount 5000 --currency IDR --customer dana-slow --merchant-reference SMOKE-DANA-SLOW --no-wait --json | field status)"
check "dana cancel while in progress" cancelled "$("$CLI" cancel --wallet dana --merchant-reference SMOKE-DANA-SLOW --json | field status)"
check "dana pay waits for an in-progress payment" succeeded "$("$CLI" pay --wallet dana --amount 5000 --currency IDR --customer dana-slow --json | field status)"
set +e
"$CLI" pay --wallet dana --amount 10000 --currency IDR --customer dana-low-balance --json >"$work/dana-low.json"; check "dana insufficient funds exits 1" 1 $?
"$CLI" refund --wallet dana --merchant-reference "$dref" --amount 7000 --currency IDR --json >"$work/dana-over.json"; check "dana over-refund exits 1" 1 $?
"$CLI" pay --wallet dana --amount 20000 --currency IDR --merchant-reference "$dref" --json >"$work/dana-inc.json"; check "dana same reference, other amount exits 2 (refused by the journal, nothing sent)" 2 $?
set -e
check "dana insufficient funds code" 4035414 "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["error"]["partnerCode"])' "$work/dana-low.json")"
check "dana over-refund code" 4035802 "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["error"]["partnerCode"])' "$work/dana-over.json")"
check "dana inconsistent request category" inconsistentRequest "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["error"]["category"])' "$work/dana-inc.json")"

# Standalone sandbox and a written profile.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
"$CLI" sandbox --port "$port" --write-config "$work/config" >"$work/sandbox.log" 2>&1 &
sandbox_pid=$!
for _ in $(seq 1 100); do [ -f "$work/config/walletbridge.json" ] && break; sleep 0.1; done
check "profile written" yes "$([ -f "$work/config/walletbridge.json" ] && echo yes || echo no)"
check "the sandbox's listening line is out while it runs (not block-buffered)" 1 "$(grep -c 'listening on' "$work/sandbox.log")"
check "--write-config without --notify-base says notifications are off" 1 "$(grep -c 'notifications are off' "$work/sandbox.log")"
check "pay --config against the standalone sandbox" succeeded "$("$CLI" pay --config "$work/config/walletbridge.json" --wallet gcash --amount 10.00 --currency PHP --json | field status)"
check "pay --config paytm against the standalone sandbox" succeeded "$("$CLI" pay --config "$work/config/walletbridge.json" --wallet paytm --amount 10.00 --currency INR --json | field status)"
check "pay --config dana against the standalone sandbox" succeeded "$("$CLI" pay --config "$work/config/walletbridge.json" --wallet dana --amount 10000 --currency IDR --json | field status)"
check "pay --config tng against the standalone sandbox" succeeded "$("$CLI" pay --config "$work/config/walletbridge.json" --wallet tng --amount 10.00 --currency MYR --json | field status)"
# The admin endpoint lists exactly the customers --list-customers prints (one line each after the header).
check "customers endpoint" "$("$CLI" sandbox --list-customers | tail -n +2 | wc -l | tr -d ' ')" "$(python3 -c 'import json,sys,urllib.request; print(len(json.load(urllib.request.urlopen(sys.argv[1]))))' "http://127.0.0.1:$port/sandbox/customers")"
# The admin endpoints' JSON has real types too (checked with the CLI's outputs below).
for endpoint in payments notifications clock customers; do
  python3 -c 'import sys,urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())' "http://127.0.0.1:$port/sandbox/$endpoint" >"$work/json/admin-$endpoint.json"
done

# Diagnostics: the most common onboarding mistakes name themselves and stop at once.
python3 - "$work/config" <<'PY'
import json, sys
folder = sys.argv[1]
profile = json.load(open(folder + "/walletbridge.json"))
open(folder + "/wrong-paytm-key.txt", "w").write("WRONG+KEY/abc123\n")
profile["wallets"]["paytm"]["merchant_key"] = "file:wrong-paytm-key.txt"
profile["wallets"]["gcash"]["client_id"] = "SANDBOX_WRONG_CLIENT"
json.dump(profile, open(folder + "/wrong.json", "w"), indent=1)
PY
jq_() { python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): d = d.get(k) if isinstance(d, dict) else None
print("" if d is None else d)' "$@"; }
set +e
"$CLI" pay --config "$work/config/wrong.json" --wallet paytm --amount 10.00 --currency INR --timeout 30 --trace --json >"$work/wrong-key.json" 2>"$work/wrong-key.err"; code=$?
set -e
check "wrong paytm merchant key: unknown, exit 3" 3 "$code"
check "... diagnosed as configuration" configuration "$(jq_ "$work/wrong-key.json" error.diagnosis.kind)"
check "... the message names the merchant key" 1 "$(grep -c 'do not verify with this merchant_key' <<<"$(jq_ "$work/wrong-key.json" error.message)")"
check "... and shows the claim, marked unverified" 1 "$(grep -c 'claimed: F 2005 .*(unverified)' <<<"$(jq_ "$work/wrong-key.json" error.message)")"
check "... and the command that settles it" 1 "$(grep -c '^walletbridge inquire --wallet paytm --config .* --merchant-reference ' <<<"$(jq_ "$work/wrong-key.json" settleWith)")"
check "... after one exchange, without waiting out --timeout 30" 1 "$(grep -c '^    > POST' "$work/wrong-key.err")"
set +e
# Its own journal: the payment stays unknown, and `recover` below (against the embedded sandbox,
# which never saw it) would wait out GCash's window to close it.
WALLETBRIDGE_STATE_FILE="$work/wrong-client/state.json" "$CLI" pay --config "$work/config/wrong.json" --wallet gcash --amount 10.00 --currency PHP --timeout 30 --trace >"$work/wrong-client.txt" 2>"$work/wrong-client.err"; code=$?
set -e
check "wrong gcash client id: unknown, exit 3" 3 "$code"
check "... the message names the client id" 1 "$(grep -c '^  message: .*not to this profile.s client_id SANDBOX_WRONG_CLIENT' "$work/wrong-client.txt")"
check "... the message shows the claim, marked unverified" 1 "$(grep -c '^  message: .*claimed: F INVALID_CLIENT .*(unverified)' "$work/wrong-client.txt")"
check "... and says how to settle it" 1 "$(grep -c '^settleWith: walletbridge inquire --wallet gcash' "$work/wrong-client.txt")"
check "... after one exchange" 1 "$(grep -c '^    > POST' "$work/wrong-client.err")"

# --trace-bodies: bodies and signed headers, secrets masked.
"$CLI" pay --config "$work/config/walletbridge.json" --wallet paytm --amount 1.00 --currency INR --no-wait --trace-bodies >/dev/null 2>"$work/bodies-paytm.err"
check "--trace-bodies prints bodies" 1 "$([ "$(grep -c '      body: {' "$work/bodies-paytm.err")" -ge 2 ] && echo 1 || echo 0)"
check "--trace-bodies never prints the merchant key" 0 "$(grep -c "$(cat "$work/config/paytm-merchant-key.txt")" "$work/bodies-paytm.err")"
check "--trace-bodies masks the txnToken and custId" 0 "$(grep -c '"txnToken":"[^«]\|"custId":"[^«]' "$work/bodies-paytm.err")"
"$CLI" pay --wallet dana --snap-mode token --amount 10000 --currency IDR --trace-bodies >/dev/null 2>"$work/bodies-dana.err"
check "--trace-bodies shows bearer values masked" 1 "$([ "$(grep -c 'Authorization: Bearer «token masked' "$work/bodies-dana.err")" -ge 1 ] && echo 1 || echo 0)"
check "--trace-bodies masks bearer tokens" 0 "$(grep -ci 'Authorization[^:]*: Bearer [^«]' "$work/bodies-dana.err")"
check "--trace-bodies never prints the client secret" 0 "$(grep -c "$(cat "$work/config/dana-client-secret.txt")" "$work/bodies-dana.err")"
"$CLI" pay --config "$work/config/walletbridge.json" --wallet gcash --amount 1.00 --currency PHP --trace-bodies >/dev/null 2>"$work/bodies-gcash.err"
check "--trace-bodies masks the customer's access token" 0 "$(grep -c 'gcash-pays' "$work/bodies-gcash.err")"
check "--trace-bodies prints the signed headers" 1 "$([ "$(grep -ci '      request-time: ' "$work/bodies-gcash.err")" -ge 1 ] && echo 1 || echo 0)"

# --dump-cases against a real profile never writes a body that carries a token or customer credential.
"$CLI" pay --config "$work/config/walletbridge.json" --wallet gcash --amount 1.00 --currency PHP --dump-cases "$work/cases-real" >/dev/null 2>"$work/cases-real.err"
check "--dump-cases with a profile writes no customer token" 0 "$(grep -rl 'gcash-pays' "$work/cases-real" | wc -l | tr -d ' ')"
check "... and says which side it withheld" 1 "$([ "$(grep -c 'paymentMethodId, a token or customer credential; not written' "$work/cases-real.err")" -ge 1 ] && echo 1 || echo 0)"

# --dump-cases: a wrong key's reply fails verification, naming the key.
set +e
"$CLI" pay --config "$work/config/wrong.json" --wallet paytm --amount 10.00 --currency INR --dump-cases "$work/cases-wrong" >/dev/null 2>&1
"$CLI" verify --scheme paytm <"$work/cases-wrong/001-pay-response.json" >"$work/verify-wrong.txt" 2>&1; code=$?
set -e
check "a dumped reply from a wrong-key run fails verify (exit 1)" 1 "$code"
check "... naming the merchant key file" 1 "$(grep -c 'invalid: checksum does not match the text with merchant_key_file .*wrong-paytm-key.txt' "$work/verify-wrong.txt")"
kill "$sandbox_pid"; wait "$sandbox_pid" 2>/dev/null || true; sandbox_pid=""

# --dump-cases against the embedded sandbox: every case verifies as it is; our requests re-sign.
for spec in "gcash alipayplus 10.00 PHP" "paytm paytm 10.00 INR" "dana snap 10000 IDR"; do
  read -r wallet scheme amount currency <<<"$spec"
  "$CLI" pay --wallet "$wallet" --amount "$amount" --currency "$currency" --dump-cases "$work/cases-$wallet" >/dev/null 2>"$work/dump-$wallet.err"
  total=0; verified=0; signed=0; requests=0
  for f in "$work/cases-$wallet"/*.json; do
    total=$((total + 1))
    "$CLI" verify --scheme "$scheme" <"$f" >/dev/null 2>&1 && verified=$((verified + 1))
    case "$f" in *-request.json) requests=$((requests + 1)); "$CLI" sign --scheme "$scheme" --explain <"$f" >/dev/null 2>&1 && signed=$((signed + 1)) ;; esac
  done
  check "--dump-cases $wallet wrote request and response cases" 1 "$([ "$total" -ge 2 ] && [ "$requests" -ge 1 ] && echo 1 || echo 0)"
  check "--dump-cases $wallet: every case verifies" "$total" "$verified"
  check "--dump-cases $wallet: every request re-signs with sign --explain" "$requests" "$signed"
  check "--dump-cases $wallet: no key text in the cases" 0 "$(cat "$work/cases-$wallet"/*.json | grep -c 'PRIVATE KEY\|SDOr4vU+L2wkTaKX')"
done
# Bind once, pay in one step (issue 13): bind, pay --binding, bindings, unbind, then refused.
for spec in "gcash 10.00 PHP" "dana 10000 IDR" "paytm 10.00 INR"; do
  read -r wallet amount currency <<<"$spec"
  bound=$("$CLI" bind --wallet "$wallet" --json)
  handle=$(field binding <<<"$bound")
  check "bind --wallet $wallet prints a handle" 1 "$(grep -c '^wbauth_' <<<"$handle")"
  check "pay --wallet $wallet --binding (a later process) succeeds" succeeded "$("$CLI" pay --wallet "$wallet" --binding "$handle" --amount "$amount" --currency "$currency" --json | field status)"
  check "bindings --wallet $wallet lists it" 1 "$("$CLI" bindings --wallet "$wallet" --json | python3 -c 'import json,sys; print(sum(b["binding"] == sys.argv[1] for b in json.load(sys.stdin)["bindings"]))' "$handle")"
  check "unbind --wallet $wallet" revoked "$("$CLI" unbind --wallet "$wallet" --binding "$handle" --json | field status)"
  set +e
  "$CLI" pay --wallet "$wallet" --binding "$handle" --amount "$amount" --currency "$currency" --json >"$work/revoked-$wallet.json"; code=$?
  set -e
  check "pay with an unbound handle exits 1" 1 "$code"
  check "... as authorizationRevoked" authorizationRevoked "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["error"]["authorization"])' "$work/revoked-$wallet.json")"
done
set +e
"$CLI" bind --wallet gcash --customer gcash-refuses-consent --json >"$work/declined.json"; code=$?
set -e
check "bind for a customer who refuses consent exits 1 (declined)" "1 declined" "$code $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["error"]["category"])' "$work/declined.json")"
check "bindings are kept with mode 0600 (journal and key)" "600 600" "$(stat -c %a "$(dirname "$WALLETBRIDGE_STATE_FILE")/journal.sqlite") $(stat -c %a "$(dirname "$WALLETBRIDGE_STATE_FILE")/bindings.key")"
# No sandbox-issued token (kept in the sandbox's state file) in any --json output.
tokens=$(python3 -c 'import json,sys
s=json.load(open(sys.argv[1]))
for book in ("alipayAuthorizations", "danaAuthorizations", "paytmAuthorizations"):
    found = (s.get(book) or {}).get("bindings") or []
    for b in (found.values() if isinstance(found, dict) else found):
        for k in ("accessToken", "refreshToken"):
            if b.get(k): print(b[k])' "$WALLETBRIDGE_STATE_FILE")
check "the sandbox issued tokens to look for" 1 "$([ "$(wc -l <<<"$tokens")" -ge 4 ] && echo 1 || echo 0)"
leaks=0
while read -r token; do [ -n "$token" ] && grep -rqF "$token" "$work"/json/ && leaks=$((leaks + 1)); done <<<"$tokens"
check "no token in any --json output" 0 "$leaks"
check "no token in clear in the journal's database" 0 "$(while read -r token; do grep -caF "$token" "$(dirname "$WALLETBRIDGE_STATE_FILE")"/journal.sqlite* 2>/dev/null; done <<<"$tokens" | awk '{s+=$1} END {print s+0}')"
check "recover --json (nothing open)" 0 "$("$CLI" recover --wallet gcash --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["still_open"])')"
# Real JSON types in every --json output above (booleans, integers, no empty strings).
set +e
python3 "$(dirname "$0")/json_types.py" "$work"/json/*.json; check "every --json output has the README's types" 0 $?
set -e

if [ "$failures" -ne 0 ]; then echo "CLI smoke: $failures failure(s)"; exit 1; fi
echo "CLI smoke: all checks passed"
