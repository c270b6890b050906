#!/usr/bin/env bash
# The API breakage check (`make api-check`, part of `make test`), and `make api-baseline`.
#
#   api_check.sh               compare every library product's public API with the baseline commit
#                              named on the last line of API/BASELINE; exit 1 on any breaking change
#   api_check.sh --move-to SHA write the digests for SHA into API/baseline/SHA/ and name it in
#                              API/BASELINE (a deliberate act: describe the break in CHANGELOG.md first)
#
# The digests are committed, so the check builds only the current tree (about 40 s after a build);
# SwiftPM still needs the baseline commit in the clone's history to name its folder.
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
if ! git cat-file -e "$current^{commit}" 2>/dev/null; then
    if [ "$(git rev-parse --is-shallow-repository)" = true ] && git fetch --quiet --unshallow 2>/dev/null \
        && git cat-file -e "$current^{commit}" 2>/dev/null; then
        echo "api-check: fetched the full history for the baseline commit"
    elif [ "$(git rev-parse --is-shallow-repository)" = true ]; then
        # A shallow clone cannot name the baseline; say so loudly rather than pretend it passed.
        echo "api-check: SKIPPED: this clone is shallow and lacks the baseline commit $current (git fetch --unshallow)"
        exit 0
    else
        echo "api-check: the baseline commit $current is not in this repository's history" >&2
        exit 1
    fi
fi

log=.build/api-check.log
mkdir -p .build
status=0
swift package diagnose-api-breaking-changes "$current" --baseline-dir API/baseline >"$log" 2>&1 || status=$?
breaks=$(grep -c "API breakage:" "$log" || true)
if [ "$status" != 0 ] || [ "$breaks" != 0 ]; then
    grep -E "API breakage:|error:|Breaking changes detected|💔" "$log" >&2 || tail -20 "$log" >&2
    echo "api-check: $breaks breaking change(s) against the baseline $current (full log: $log)." >&2
    echo "api-check: if the break is deliberate, describe it in CHANGELOG.md and run make api-baseline COMMIT=<commit>." >&2
    exit 1
fi
modules=$(grep -c "No breaking changes detected" "$log" || true)
echo "api-check: no breaking changes in $modules modules against the baseline $current"
