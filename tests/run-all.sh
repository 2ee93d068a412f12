#!/usr/bin/env bash
# Runs every test: host unit tests, then the emulator boot tests (one
# emulator at a time).  Ends with "N passed, N failed, N skipped".
# ONLY=pattern runs just the boot tests whose name matches.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

passed=0 failed=0 skipped=0
failures=()

echo "== host unit tests"
unit_out=$(make --no-print-directory unit-tests 2>&1)
unit_rc=$?
echo "$unit_out" | grep -E '^(FAIL|unit:)' || true
summary=$(echo "$unit_out" | grep -E '^unit: [0-9]+ passed, [0-9]+ failed' | tail -n 1)
if [ -n "$summary" ]; then
    p=$(echo "$summary" | sed -E 's/^unit: ([0-9]+) passed.*/\1/')
    f=$(echo "$summary" | sed -E 's/.* ([0-9]+) failed.*/\1/')
    passed=$((passed + p)); failed=$((failed + f))
    [ "$f" -gt 0 ] && failures+=("unit tests")
fi
if [ -z "$summary" ] || { [ $unit_rc -ne 0 ] && [ "${f:-0}" -eq 0 ]; }; then
    echo "$unit_out" | tail -n 30
    failed=$((failed + 1)); failures+=("unit test build")
fi

echo "== layout rules (docs/architecture.md)"
if layout_out=$(scripts/check-layout.sh 2>&1); then
    passed=$((passed + 1)); echo "PASS layout"
else
    failed=$((failed + 1)); failures+=("layout"); echo "FAIL layout"; echo "$layout_out" | sed 's/^/    /'
fi

echo "== hosted CI workflow (.github/workflows/ci.yml, docs/testing.md)"
if ci_out=$(scripts/check-ci.sh 2>&1); then
    passed=$((passed + 1)); echo "PASS ci-workflow"
else
    failed=$((failed + 1)); failures+=("ci-workflow"); echo "FAIL ci-workflow"; echo "$ci_out" | sed 's/^/    /'
fi

echo "== boot tests"
for t in tests/boot/[0-9]*.sh; do
    name=$(basename "$t" .sh)
    if [ -n "${ONLY:-}" ] && [[ "$name" != *$ONLY* ]]; then
        continue
    fi
    start=$(date +%s)
    out=$(bash "$t" 2>&1)
    rc=$?
    secs=$(( $(date +%s) - start ))
    case $rc in
        0)  passed=$((passed + 1)); echo "PASS $name (${secs}s)" ;;
        77) skipped=$((skipped + 1)); echo "SKIP $name: $(echo "$out" | grep -m1 '^SKIP' | sed 's/^SKIP: //')" ;;
        *)  failed=$((failed + 1)); failures+=("$name"); echo "FAIL $name (${secs}s)"; echo "$out" | sed 's/^/    /' ;;
    esac
done

if [ ${#failures[@]} -gt 0 ]; then
    echo "failed: ${failures[*]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
