#!/usr/bin/env bash
# The project's Bochs 3.0 built with SVM, AMD model `ryzen` (nested paging,
# next-RIP save, flush-by-ASID, xAPIC), 4 CPUs: every CPU enables SVM, the
# self-test guest passes on all of them, its APs started in software from
# the guest's own INIT-SIPI-SIPI, and powers off.  Where QEMU's TCG decodes
# every skipped instruction, this CPU reports the next RIP itself: both
# paths of the SVM backend are run.
source "$(dirname "$0")/lib.sh"
need_bochs
rc=0
boot_bochs --iso "$ISO" --smp 4 --cpu-model ryzen --timeout 600 || rc=$?
[ $rc -eq 0 ] || fail "Bochs run did not end normally (runner status $rc: $(tail -n 3 "$WORK/runner.out"))"
expect_line "kestrel: cpus online 4/4"
expect_line "kestrel: svm on 4/4 cpus"
expect_no_match '^kestrel: vmx'
expect_line "kestrel: guest selftest running on 4 cpus"
expect_order "kestrel: svm on 4/4 cpus" "kestrel: guest selftest running on 4 cpus"
expect_line "selftest: PASS 48/48"
expect_no_match '^selftest: .*FAIL'
expect_line "kestrel: guest powered off"
for apic in 0 1 2 3; do
    grep -Eq "^kestrel: exits cpu$apic total=[1-9][0-9]* .*cpuid=[1-9]" "$LOG" \
        || fail "no exit statistics with CPUID exits for cpu $apic"
done
expect_no_match '^kestrel: error:'
echo "ok: self-test guest passed on 4 vCPUs on SVM under Bochs 3.0 (ryzen)"
