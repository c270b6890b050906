#!/usr/bin/env python3
"""Compares each module's public API with its committed baseline digest (API/baseline/SHA/M.json).

It runs swift-api-digester -diagnose-sdk on the modules the debug build already compiled
(`swift build --build-tests`), with the same C module maps the compiler was given (read from
.build/debug.yaml), so the check costs seconds instead of a second build of every target.

Exit 0 when no module has a breaking change, 1 on any change or any module that fails to load.
"""
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SECTION = re.compile(r"^/\* .* \*/$")


def compile_args(yaml_text, module):
    """The -Xcc arguments of the module's swiftc command in SwiftPM's build manifest."""
    marker = f'"-module-name","{module}"'
    at = yaml_text.find(marker)
    if at < 0:
        return None
    start = yaml_text.rfind("\n", 0, at) + 1
    end = yaml_text.find("\n", at)
    line = yaml_text[start:end].strip()
    if not line.startswith("args: "):
        return None
    args = json.loads(line[len("args: "):])
    out = []
    for index, arg in enumerate(args):
        if arg == "-Xcc" and index + 1 < len(args):
            out += ["-Xcc", args[index + 1]]
    return out


def main():
    baseline_dir = sys.argv[1]
    build = os.path.join(ROOT, ".build")
    with open(os.path.join(build, "debug.yaml")) as f:
        manifest = f.read()
    triple = subprocess.run(["swiftc", "-print-target-info"], capture_output=True, text=True, check=True)
    target = json.loads(triple.stdout)["target"]["triple"]
    modules = sorted(name[:-5] for name in os.listdir(baseline_dir) if name.endswith(".json"))
    broken = 0
    for module in modules:
        xcc = compile_args(manifest, module)
        if xcc is None:
            print(f"api-check: {module}: no compile command in .build/debug.yaml (was the module removed? run make build first)")
            broken += 1
            continue
        command = ["swift-api-digester", "-diagnose-sdk", "-abort-on-module-fail",
                   "-baseline-path", os.path.join(baseline_dir, module + ".json"), "-module", module,
                   "-I", os.path.join(build, "debug", "Modules"), "-target", target] + xcc
        result = subprocess.run(command, capture_output=True, text=True)
        output = (result.stdout + result.stderr).splitlines()
        changes = [line for line in output if line.strip() and not SECTION.match(line.strip())]
        if result.returncode != 0 or changes:
            broken += 1
            print(f"api-check: {module}: {len(changes)} breaking change(s)" + ("" if result.returncode == 0 else f" (digester exit {result.returncode})"))
            for line in changes[:50]:
                print(f"  {line}")
        else:
            print(f"api-check: {module}: no breaking change")
    print(f"api-check: {len(modules) - broken} of {len(modules)} modules without a breaking change")
    sys.exit(1 if broken else 0)


if __name__ == "__main__":
    main()
