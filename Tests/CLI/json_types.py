#!/usr/bin/env python3
"""Checks every `--json` output of the CLI smoke run with a real JSON parser: each file must be
one JSON object whose fields have the types the README promises, with no empty strings and no
booleans or numbers written as strings. Usage: json_types.py FILE..."""
import json, re, sys

DECIMAL = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
STRING_FIELDS = {"status", "merchantReference", "refundReference", "walletReference", "currency", "customerCurrency", "completedAt", "wallet"}
INTEGER_FIELDS = {"amountMinor", "customerAmountMinor", "open_before", "reconciled", "still_open"}


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
            if field in ("mayHaveCharged", "retryable") and not isinstance(inner, bool):
                found.append(f"{where}.{key} should be a boolean")
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
            if not isinstance(document, dict):
                problems.append(f"{path}: not a JSON object")
                continue
            checked += 1
            problems += problems_in(path, document, "")
    for problem in problems:
        print("json types:", problem, file=sys.stderr)
    print(f"json types: {checked} outputs checked, {len(problems)} problems")
    sys.exit(1 if problems or checked == 0 else 0)


if __name__ == "__main__":
    main()
