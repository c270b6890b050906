#!/usr/bin/env python3
"""Checks every `--json` output of the CLI smoke run (and the sandbox's admin lists) with a real JSON parser: each file must be
one JSON object whose fields have the types the README promises, with no empty strings and no
booleans or numbers written as strings. Usage: json_types.py FILE..."""
import json, re, sys

DECIMAL = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
RFC3339_UTC = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")
STRING_FIELDS = {"status", "merchantReference", "refundReference", "walletReference", "currency", "customerCurrency", "completedAt", "completedAtWallet", "wallet",
                 "binding", "customer", "authorization", "state"}
TIMESTAMP_FIELDS = {"completedAt", "grantedAt", "accessTokenExpiresAt", "refreshedAt", "revokedAt"}
INTEGER_FIELDS = {"amountMinor", "customerAmountMinor", "refundedMinor", "open_before", "reconciled", "still_open", "attempts", "nowMillis"}
BOOLEAN_FIELDS = {"mayHaveCharged", "retryable", "acknowledged", "refreshable"}


def problems_in(name, value, path):
    found = []
    where = f"{name}: {path}" if path else name
    if isinstance(value, str):
        if value == "":
            found.append(f"{where} is an empty string (leave the field out)")
        if value in ("true", "false"):
            found.append(f"{where} is a boolean written as a string")
    if isinstance(value, dict):
        for key, inner in value.items():
            found += problems_in(name, inner, f"{path}.{key}" if path else key)
            field = key
            if field in STRING_FIELDS and not isinstance(inner, str):
                found.append(f"{where}.{key} should be a string")
            if field in INTEGER_FIELDS and (not isinstance(inner, int) or isinstance(inner, bool)):
                found.append(f"{where}.{key} should be an integer")
            if field in ("amount", "customerAmount") and not (isinstance(inner, str) and DECIMAL.match(inner)):
                found.append(f"{where}.{key} should be an exact decimal string")
            if field in TIMESTAMP_FIELDS and not (isinstance(inner, str) and RFC3339_UTC.match(inner)):
                found.append(f"{where}.{key} should be RFC 3339 in UTC (2026-11-29T03:21:23Z), not {inner!r}")
            if field in BOOLEAN_FIELDS and not isinstance(inner, bool):
                found.append(f"{where}.{key} should be a boolean")
            if field == "scopes" and not (isinstance(inner, list) and all(isinstance(s, str) and s for s in inner)):
                found.append(f"{where}.{key} should be an array of strings")
            if field == "bindings" and not (isinstance(inner, list) and all(isinstance(b, dict) for b in inner)):
                found.append(f"{where}.{key} should be an array of objects")
        for money, minor in (("amount", "amountMinor"), ("customerAmount", "customerAmountMinor")):
            if money in value and minor in value:
                digits = value[money].split(".")
                if int("".join(digits)) != value[minor]:
                    found.append(f"{where}: {money} {value[money]} and {minor} {value[minor]} disagree")
    return found


def main():
    problems, checked = [], 0
    for path in sys.argv[1:]:
        text = open(path).read()
        for chunk in [c for c in re.split(r"\n(?=\{)", text.strip()) if c.strip()]:
            try:
                document = json.loads(chunk)
            except json.JSONDecodeError as error:
                problems.append(f"{path}: not JSON: {error}")
                continue
            # One object (the CLI), or an array of objects (the sandbox's admin lists).
            documents = document if isinstance(document, list) else [document]
            if not all(isinstance(d, dict) for d in documents):
                problems.append(f"{path}: not a JSON object or an array of objects")
                continue
            checked += 1
            for item in documents:
                problems += problems_in(path, item, "")
    for problem in problems:
        print("json types:", problem, file=sys.stderr)
    print(f"json types: {checked} outputs checked, {len(problems)} problems")
    sys.exit(1 if problems or checked == 0 else 0)


if __name__ == "__main__":
    main()
