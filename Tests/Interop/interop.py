#!/usr/bin/env python3
"""Interop check of `walletbridge sign` / `verify` against the partners' official libraries.

Phase 1 replays every shared vector (Tests/Fixtures/vectors) through the CLI.
Phase 2 runs random cases (unicode, nested, pretty, empty and 40 KB bodies, random salts,
times, key versions and keys) in both directions per scheme:
  - what the CLI signs, the official library verifies;
  - what the official library signs, the CLI verifies;
  - a tampered case is rejected by both.
Oracles: paytmchecksum (Paytm), global-open-sdk-python (Alipay+), dana-python (SNAP RSA).
SNAP HMAC has no official implementation: it is checked against the `openssl` command line.
The libraries are used as black boxes; none of their code is part of WalletBridge.

Usage: interop.py --cli PATH [--cases N] [--seed S]
"""
import argparse
import base64
import copy
import hashlib
import json
import os
import random
import string
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

os.environ["DANA_ENV"] = "production"  # else WebhookParser silently uses its embedded sandbox key

from paytmchecksum import PaytmChecksum  # noqa: E402
from com.alipay.ams.api.tools import signature_tool as alipay  # noqa: E402
from dana.utils.snap_header import SnapHeader  # noqa: E402
from dana.webhook.webhook import WebhookParser  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.join(HERE, "..", "Fixtures", "vectors")

failures = []
checks = 0


def check(condition, label):
    global checks
    checks += 1
    if not condition:
        failures.append(label)
        print("FAIL:", label, file=sys.stderr)


def cli(args, case, cli_path):
    proc = subprocess.run([cli_path] + args, input=json.dumps(case, ensure_ascii=False).encode("utf-8"),
                          capture_output=True, cwd=VECTORS)
    return proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")


# ---------------------------------------------------------------- phase 1: shared vectors
def replay_vectors(cli_path):
    jobs = []
    for scheme in ("paytm", "alipayplus", "snap"):
        with open(os.path.join(VECTORS, scheme + ".json"), encoding="utf-8") as f:
            for case in json.load(f):
                if case["operation"] != "convert":
                    jobs.append((scheme, case))

    def run(job):
        scheme, case = job
        if case["operation"] == "sign":
            rc, out, err = cli(["sign", "--json", "--scheme", scheme], case, cli_path)
            if rc != 0:
                return [f"vector {case['id']}: sign exited {rc}: {err.strip()}"]
            produced = json.loads(out)
            return [f"vector {case['id']}: {k} differs" for k, v in case["expected"].items()
                    if k not in ("valid", "official", "envelope") and produced.get(k) != v]
        rc, out, err = cli(["verify", "--scheme", scheme], case, cli_path)
        want = 0 if case["expected"]["valid"] else 1
        return [] if rc == want else [f"vector {case['id']}: verify exited {rc}, expected {want}: {out.strip()} {err.strip()}"]

    with ThreadPoolExecutor(max_workers=4) as pool:
        for problems in pool.map(run, jobs):
            check(not problems, "; ".join(problems))
    # Unusable cases exit 2, never 0 or 1.
    for scheme, case in (("paytm", {"kind": "checksum-string"}), ("snap", {"kind": "nope"}),
                         ("alipayplus", {"kind": "request", "path": "/", "client_id": "c", "time": "t", "body": "",
                                         "signature_header": "signature=x", "public_key_file": "keys/missing.pem"})):
        rc, _, _ = cli(["verify", "--scheme", scheme], case, cli_path)
        check(rc == 2, f"unusable {scheme} case exits 2 (got {rc})")
    proc = subprocess.run([cli_path, "verify", "--scheme", "paytm"], input=b"{not json", capture_output=True)
    check(proc.returncode == 2, f"bad JSON exits 2 (got {proc.returncode})")
    return len(jobs)


# ---------------------------------------------------------------- random inputs
UNICODE_WORDS = ["Kape at pandesal", "नमस्ते", "Kopi susu – gula aren", "ñandú", "寿司", "🙂💸", "Ü\u00e9\u0301",
                 "tab\tquote\" back\\slash", "línea\nnueva", "₱100.50", "Rp10.000", "₹1,000", "'single'", "a|b"]


def random_text(rng):
    kind = rng.random()
    if kind < 0.5:
        return rng.choice(UNICODE_WORDS)
    return "".join(rng.choice(string.ascii_letters + string.digits + " -_.:/") for _ in range(rng.randint(0, 24)))


def random_value(rng, depth):
    r = rng.random()
    if depth > 0 and r < 0.25:
        return {random_text(rng)[:12] or "k": random_value(rng, depth - 1) for _ in range(rng.randint(0, 4))}
    if depth > 0 and r < 0.4:
        return [random_value(rng, depth - 1) for _ in range(rng.randint(0, 4))]
    if r < 0.5:
        return rng.choice([True, False, None, rng.randint(-10**12, 10**12)])
    return random_text(rng)


def random_body(rng):
    shape = rng.random()
    if shape < 0.08:
        return ""
    if shape < 0.16:  # about 40 KB
        items = []
        while sum(len(i) for i in items) < 40_000:
            items.append(json.dumps({"sku": random_text(rng), "qty": rng.randint(1, 9), "note": "x" * 200}, ensure_ascii=False))
        return "{\"goods\":[" + ",".join(items) + "]}"
    obj = {"paymentRequestId": "WB-" + str(rng.randint(0, 10**9)), "data": random_value(rng, 4)}
    if rng.random() < 0.3:
        return json.dumps(obj, ensure_ascii=rng.random() < 0.5, indent=rng.choice([2, 3, 4]))
    return json.dumps(obj, ensure_ascii=rng.random() < 0.5, separators=(",", ":"))


def random_time(rng, offset=None):
    offset = offset or rng.choice(["+00:00", "+08:00", "+07:00", "Z", "-05:00"])
    frac = rng.choice(["", ".123", ".5"]) if offset == "Z" else ""
    return "2026-%02d-%02dT%02d:%02d:%02d%s%s" % (rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23),
                                                 rng.randint(0, 59), rng.randint(0, 59), frac, offset)


def tamper(text, rng):
    if not text:
        return " "
    i = rng.randrange(len(text))
    c = text[i]
    replacement = "0" if c != "0" else "1"
    return text[:i] + replacement + text[i + 1:]


def safe(fn, *args):
    try:
        return bool(fn(*args))
    except Exception:  # the libraries raise on garbage instead of returning False
        return False


# ---------------------------------------------------------------- Paytm
def paytm_cases(rng, n, cli_path):
    for i in range(n):
        key = "".join(rng.choice(string.ascii_letters + string.digits + "+/@#") for _ in range(rng.choice([16, 16, 24, 32])))
        if i % 4 == 3:
            params = {rng.choice(["MID", "ORDERID", "TXNAMOUNT", "a_lower", "Email", "STATUS", "X"]) + str(j): random_text(rng)
                      for j in range(rng.randint(1, 8))}
            if rng.random() < 0.3:
                params["MOBILE_NO"] = rng.choice(["null", "NULL", None])
            case = {"kind": "checksum-params", "merchant_key": key, "params": params}
            rc, out, _ = cli(["sign", "--json", "--scheme", "paytm"], case, cli_path)
            ours = json.loads(out)["checksum"] if rc == 0 else ""
            check(safe(PaytmChecksum.verifySignature, copy.deepcopy(params), key, ours), f"paytm params #{i}: library verifies CLI checksum")
            theirs = PaytmChecksum.generateSignature(copy.deepcopy(params), key)
            rc, _, _ = cli(["verify", "--scheme", "paytm"], dict(case, checksum=theirs), cli_path)
            check(rc == 0, f"paytm params #{i}: CLI verifies library checksum (exit {rc})")
            bad = dict(params)
            victim = rng.choice(list(bad))
            bad[victim] = tamper(bad[victim] or "", rng)
            rc, _, _ = cli(["verify", "--scheme", "paytm"], dict(case, params=bad, checksum=theirs), cli_path)
            check(rc == 1 and not safe(PaytmChecksum.verifySignature, copy.deepcopy(bad), key, theirs), f"paytm params #{i}: tampered rejected (exit {rc})")
            continue
        body = random_body(rng)
        salt = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(4)) if rng.random() < 0.5 else None
        case = {"kind": rng.choice(["checksum-string", "envelope"]), "merchant_key": key, "body": body}
        if salt:
            case["salt"] = salt
        rc, out, err = cli(["sign", "--json", "--scheme", "paytm"], case, cli_path)
        check(rc == 0, f"paytm #{i}: sign exit {rc} {err}")
        ours = json.loads(out)["checksum"] if rc == 0 else ""
        check(safe(PaytmChecksum.verifySignatureByString, body, key, ours), f"paytm #{i}: library verifies CLI checksum")
        if salt:
            check(ours == PaytmChecksum.calculateChecksum(body, key, salt), f"paytm #{i}: same checksum as library for salt {salt}")
        theirs = PaytmChecksum.generateSignatureByString(body, key)
        verify_case = {"kind": "checksum-string", "merchant_key": key, "body": body, "checksum": theirs}
        rc, _, _ = cli(["verify", "--scheme", "paytm"], verify_case, cli_path)
        check(rc == 0, f"paytm #{i}: CLI verifies library checksum (exit {rc})")
        envelope = '{"head":{"signature":"%s","version":"v2"},"body":%s}' % (theirs, body if body else "{}")
        if body and body.lstrip().startswith("{"):
            rc, _, _ = cli(["verify", "--scheme", "paytm"], {"kind": "envelope", "merchant_key": key, "envelope": envelope}, cli_path)
            check(rc == 0, f"paytm #{i}: CLI verifies library checksum inside an envelope (exit {rc})")
        bad_body = tamper(body, rng)
        rc, _, _ = cli(["verify", "--scheme", "paytm"], dict(verify_case, body=bad_body), cli_path)
        check(rc == 1 and not safe(PaytmChecksum.verifySignatureByString, bad_body, key, theirs), f"paytm #{i}: tampered body rejected (exit {rc})")
        bad_sum = tamper(theirs, rng)
        rc, _, _ = cli(["verify", "--scheme", "paytm"], dict(verify_case, checksum=bad_sum), cli_path)
        check(rc == 1, f"paytm #{i}: tampered checksum rejected (exit {rc})")


# ---------------------------------------------------------------- Alipay+
def alipay_cases(rng, n, cli_path, keypairs):
    for i in range(n):
        private_pem, public_pem = rng.choice(keypairs)
        kind = rng.choice(["request", "response", "notification"])
        method = "POST" if kind == "notification" else rng.choice(["POST", "POST", "GET"])
        path = rng.choice(["/aps/api/v1/payments/pay", "/ams/sandbox/api/v1/payments/inquiryPayment", "/alipayplus/notify", "/n/ü"])
        client_id = rng.choice(["SANDBOX_5YC47N2ZQHJ004124", "2188" + str(rng.randint(0, 10**10))])
        version = str(rng.randint(1, 9))
        case = {"kind": kind, "method": method, "path": path, "client_id": client_id, "time": random_time(rng),
                "key_version": version, "body": random_body(rng), "private_key_pem": private_pem, "public_key_pem": public_pem}
        rc, out, err = cli(["sign", "--json", "--scheme", "alipayplus"], case, cli_path)
        check(rc == 0, f"alipay #{i}: sign exit {rc} {err}")
        ours = json.loads(out) if rc == 0 else {}
        check(ours.get("signature_header", "").startswith(f"algorithm=RSA256,keyVersion={version},signature="), f"alipay #{i}: header shape")
        check(safe(alipay.verify, method, path, client_id, case["time"], case["body"], ours.get("signature_urlencoded", ""), public_pem),
              f"alipay #{i}: library verifies CLI signature")
        bare_private = "".join(l for l in private_pem.splitlines() if not l.startswith("-----"))
        theirs = alipay.sign(method, path, client_id, case["time"], case["body"], bare_private)
        verify_case = dict(case, signature_header=f"algorithm=RSA256,keyVersion={version},signature={theirs}")
        rc, out, _ = cli(["verify", "--scheme", "alipayplus"], verify_case, cli_path)
        check(rc == 0, f"alipay #{i}: CLI verifies library signature (exit {rc}) {out}")
        field = rng.choice(["body", "time", "path", "client_id"])
        bad = dict(verify_case, **{field: tamper(case[field], rng)})
        rc, _, _ = cli(["verify", "--scheme", "alipayplus"], bad, cli_path)
        check(rc == 1 and not safe(alipay.verify, method, bad["path"], bad["client_id"], bad["time"], bad["body"], theirs, public_pem),
              f"alipay #{i}: tampered {field} rejected (exit {rc})")


# ---------------------------------------------------------------- SNAP
def snap_cases(rng, n, cli_path, keypairs):
    for i in range(n):
        private_pem, public_pem = rng.choice(keypairs)
        path = rng.choice(["/payment-gateway/v1.0/debit/payment-host-to-host.htm", "/payment-gateway/v1.0/debit/status.htm", "/v1.0/debit/notify"])
        body = random_body(rng) or "{}"
        mode = i % 4
        if mode == 0:  # access token
            client_key = str(rng.randint(10**21, 10**22 - 1))
            headers = SnapHeader.get_snap_generated_auth("POST", "/v1.0/access-token/b2b.htm", body, private_key=private_pem,
                                                         scenario="apply_token", client_key=client_key)
            ts, sig = headers["X-TIMESTAMP"]["value"], headers["X-SIGNATURE"]["value"]
            case = {"kind": "access-token", "client_key": client_key, "timestamp": ts, "signature": sig, "public_key_pem": public_pem,
                    "private_key_pem": private_pem, "method": "POST", "path": "/v1.0/access-token/b2b.htm", "body": body}
            rc, _, _ = cli(["verify", "--scheme", "snap"], case, cli_path)
            check(rc == 0, f"snap token #{i}: CLI verifies library signature (exit {rc})")
            rc, out, _ = cli(["sign", "--json", "--scheme", "snap"], case, cli_path)
            ours = json.loads(out)["signature"] if rc == 0 else ""
            check(ours == sig, f"snap token #{i}: CLI signature equals library's (PKCS#1 v1.5 is deterministic)")
            rc, _, _ = cli(["verify", "--scheme", "snap"], dict(case, timestamp=tamper(ts, rng)), cli_path)
            check(rc == 1, f"snap token #{i}: tampered timestamp rejected (exit {rc})")
        elif mode == 3:  # symmetric, against the openssl CLI
            secret = "".join(rng.choice(string.ascii_letters + string.digits + "-_") for _ in range(rng.randint(8, 64)))
            token = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(rng.randint(20, 60)))
            ts = random_time(rng, "+07:00")
            case = {"kind": "symmetric", "method": "POST", "path": path, "timestamp": ts, "body": body, "access_token": token, "client_secret": secret}
            string_to_sign = "POST:%s:%s:%s:%s" % (path, token, hashlib.sha256(body.encode("utf-8")).hexdigest(), ts)
            proc = subprocess.run(["openssl", "dgst", "-sha512", "-hmac", secret, "-binary"], input=string_to_sign.encode("utf-8"), capture_output=True, check=True)
            expected = base64.b64encode(proc.stdout).decode()
            rc, out, _ = cli(["sign", "--json", "--scheme", "snap"], case, cli_path)
            ours = json.loads(out) if rc == 0 else {}
            check(ours.get("signature") == expected, f"snap hmac #{i}: CLI equals openssl")
            check(ours.get("string_to_sign") == string_to_sign, f"snap hmac #{i}: string to sign")
            rc, _, _ = cli(["verify", "--scheme", "snap"], dict(case, signature=expected), cli_path)
            check(rc == 0, f"snap hmac #{i}: CLI verifies openssl HMAC (exit {rc})")
            rc, _, _ = cli(["verify", "--scheme", "snap"], dict(case, signature=expected, access_token=tamper(token, rng)), cli_path)
            check(rc == 1, f"snap hmac #{i}: other token rejected (exit {rc})")
        else:  # asymmetric transaction / notification
            kind = "asymmetric" if mode == 1 else "notification"
            headers = SnapHeader.get_snap_generated_auth("POST", path, body, private_key=private_pem)
            ts, sig = headers["X-TIMESTAMP"]["value"], headers["X-SIGNATURE"]["value"]
            case = {"kind": kind, "method": "POST", "path": path, "timestamp": ts, "body": body, "signature": sig,
                    "public_key_pem": public_pem, "private_key_pem": private_pem}
            rc, _, _ = cli(["verify", "--scheme", "snap"], case, cli_path)
            check(rc == 0, f"snap #{i}: CLI verifies library signature (exit {rc})")
            ts2 = random_time(rng, "+07:00")
            rc, out, _ = cli(["sign", "--json", "--scheme", "snap"], dict(case, timestamp=ts2), cli_path)
            ours = json.loads(out)["signature"] if rc == 0 else ""
            parser = WebhookParser(public_key=public_pem)
            check(safe(lambda: parser._verify_signature("POST", path, body, ts2, ours) or True),
                  f"snap #{i}: library WebhookParser verifies CLI signature")
            bad = tamper(body, rng)
            rc, _, _ = cli(["verify", "--scheme", "snap"], dict(case, body=bad), cli_path)
            check(rc == 1, f"snap #{i}: tampered body rejected (exit {rc})")
            check(not safe(lambda: parser._verify_signature("POST", path, bad, ts, sig) or True) or bad.replace(" ", "") == body.replace(" ", ""),
                  f"snap #{i}: library rejects the tampered body too")


def fresh_keypair(directory):
    private = os.path.join(directory, "fresh-private.pem")
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", private],
                   check=True, capture_output=True)
    public = subprocess.run(["openssl", "pkey", "-in", private, "-pubout"], check=True, capture_output=True).stdout.decode()
    with open(private, encoding="ascii") as f:
        return f.read(), public


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", required=True)
    parser.add_argument("--cases", type=int, default=100, help="random cases per scheme")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    print(f"interop: seed {seed} (rerun with --seed {seed}), {args.cases} random cases per scheme")
    rng = random.Random(seed)
    cli_path = os.path.abspath(args.cli)

    vectors = replay_vectors(cli_path)
    print(f"interop: {vectors} shared vectors replayed through the CLI")
    keys = os.path.join(VECTORS, "keys")
    with open(os.path.join(keys, "test-only-merchant-rsa2048-private-pkcs8.pem")) as f:
        merchant = (f.read(), open(os.path.join(keys, "test-only-merchant-rsa2048-public-spki.pem")).read())
    with tempfile.TemporaryDirectory() as tmp:
        keypairs = [merchant, fresh_keypair(tmp)]
    paytm_cases(rng, args.cases, cli_path)
    print("interop: paytm done")
    alipay_cases(rng, args.cases, cli_path, keypairs)
    print("interop: alipayplus done")
    snap_cases(rng, args.cases, cli_path, keypairs)
    print("interop: snap done")
    print(f"interop: {checks} checks, {len(failures)} failures")
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
