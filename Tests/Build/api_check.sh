#!/usr/bin/env bash
# The API breakage check (`make api-check`, part of `make test`), and `make api-baseline`.
#
#   api_check.sh               compare every library product's public API with the baseline commit
#                              named on the last line of API/BASELINE; exit 1 on any breaking change
#   api_check.sh --move-to SHA write the digests for SHA into API/baseline/SHA/ and name it in
#                              API/BASELINE (a deliberate act: describe the break in CHANGELOG.md first)
#
# The digests are committed and the check reads the modules of the debug build (a few seconds
# after `make build`); only moving the baseline builds the named commit (SwiftPM, several minutes).
set -euo pipefail
cd "$(dirname "$0")/../.."
baseline_file=API/BASELINE
current=$(grep -v '^#' "$baseline_file" | grep -v '^[[:space:]]*$' | tail -1)

if [ "${1:-}" = "--move-to" ]; then
    [ -n "${2:-}" ] || { echo "api-baseline: needs COMMIT=<commit>" >&2; exit 2; }
    sha=$(git rev-parse --verify "$2^{commit}")
    rm -rf "API/baseline/$sha"
    # The comparison's verdict does not matter here: only the digests it writes.
    swift package diagnose-api-breaking-changes "$sha" --baseline-dir API/baseline --regenerate-baseline >/dev/null 2>&1 || true
    ls "API/baseline/$sha"/*.json >/dev/null 2>&1 || { echo "api-baseline: no digests were written for $sha" >&2; exit 1; }
    if [ "$current" != "$sha" ]; then
        rm -rf "API/baseline/$current"
        sed -i "s/^$current\$/$sha/" "$baseline_file"
    fi
    echo "api-baseline: API/BASELINE names $sha ($(ls "API/baseline/$sha" | wc -l) modules); commit API/ with the CHANGELOG entry"
    exit 0
fi

[ -n "$current" ] || { echo "api-check: API/BASELINE names no commit" >&2; exit 1; }
[ -d "API/baseline/$current" ] || { echo "api-check: API/baseline/$current/ is missing (run make api-baseline COMMIT=$current)" >&2; exit 1; }
[ -f .build/debug.yaml ] || { echo "api-check: no debug build yet (make build)" >&2; exit 1; }

# The current modules come from the debug build `make build` made (swift-api-digester reads
# their .swiftmodule files), so nothing is compiled a second time.
log=.build/api-check.log
mkdir -p .build
if ! python3 Tests/Build/api_diagnose.py "API/baseline/$current" >"$log" 2>&1; then
    grep -v ": no breaking change$" "$log" >&2
    echo "api-check: breaking change(s) against the baseline $current (full log: $log)." >&2
    echo "api-check: if the break is deliberate, describe it in CHANGELOG.md and run make api-baseline COMMIT=<commit>." >&2
    exit 1
fi
echo "$(tail -1 "$log") against the baseline $current"
