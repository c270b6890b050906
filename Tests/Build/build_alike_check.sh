#!/usr/bin/env bash
# `make demo`, `make test` and `make interop` must build with one and the same command, so that
# switching between them recompiles nothing (issue: about 200 files were recompiled each switch).
# Reads the build commands make would run (make -n) and compares them; fails on any difference or
# on a swift build line that is not the shared one.
set -euo pipefail
cd "$(dirname "$0")/../.."
builds() { make -n "$1" 2>/dev/null | grep -E '^swift (build|test)( |$)' | grep -v -- '--skip-build' | sort -u; }
demo=$(builds demo)
test=$(builds build)
interop=$(builds interop)
[ -n "$demo" ] || { echo "build-alike-check: make demo runs no swift build" >&2; exit 1; }
fail=0
for name in test interop; do
    other=${!name}
    if [ "$other" != "$demo" ]; then
        echo "build-alike-check: make $name builds with" >&2; echo "  $other" >&2
        echo "but make demo builds with" >&2; echo "  $demo" >&2
        fail=1
    fi
done
if [ "$(printf '%s\n' "$demo" | wc -l)" != 1 ]; then
    echo "build-alike-check: make demo runs more than one kind of build:" >&2; printf '  %s\n' "$demo" >&2; fail=1
fi
[ "$fail" = 0 ] || exit 1
echo "build-alike-check: make demo, make test and make interop all build with: $demo"
