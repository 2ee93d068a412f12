#!/usr/bin/env bash
# A VM entry that fails (crash_test = vmentry: the guest's RFLAGS lose their
# fixed bit 1 just before the first entry) is reported in words: the reason
# from the CPU, then the failing guest-state check and its VMCS field from
# Kestrel's own checker; the guest stops and the machine powers off.
source "$(dirname "$0")/lib.sh"
need_bochs
printf 'crash_test = vmentry\n' >"$WORK/kestrel.cfg"
make_image "$WORK/entry.iso" "$BUILD/kestrel.elf:kestrel.elf" "$WORK/kestrel.cfg:kestrel.cfg"
rc=0
boot_bochs --iso "$WORK/entry.iso" --smp 2 --timeout 300 || rc=$?
# Bochs logs the failed entry itself ("VMENTER FAIL"): the runner reports that
# as status 3, which is the expected outcome here.
[ $rc -eq 3 ] || fail "expected the runner to see Bochs' VMENTER FAIL (status 3), got $rc"
grep -q 'VMENTER FAIL' "$WORK/runner.out" || fail "runner did not name the failed entry"
expect_line "kestrel: error: cpu 0: VM entry failed: invalid guest state"
grep -Eq '^  cpu 0: guest-state check failed: .*RFLAGS.* \(GUEST_RFLAGS\)$' "$LOG" \
    || fail "the guest-state checker did not name GUEST_RFLAGS"
expect_line "kestrel: error: guest selftest stopped: VM entry failed"
expect_no_match '^selftest: PASS'
echo "ok: failed VM entry reported with the failing check and field"
