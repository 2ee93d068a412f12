#!/usr/bin/env bash
# The project's Bochs 3.0 built with SVM, AMD model `ryzen` (nested paging,
# next-RIP save, flush-by-ASID, xAPIC), 4 CPUs: every CPU enables SVM, the
# self-test guest passes on all of them, its APs started in software from
# the guest's own INIT-SIPI-SIPI, and powers off.  Where QEMU's TCG decodes
# every skipped instruction, this CPU reports the next RIP itself: both
# paths of the SVM backend are run.
# Then the hostile guest, for the two cases QEMU's TCG cannot show (test
# 52): #AC at CPL 3 reflected, and the CVE-2015-8104 #DB loop on an AP that
# still leaves at the end.  Bochs' SVM does not record a data breakpoint's
# cause in the guest's DR6 at a #DB intercept (QEMU's does, test 52), so
# debug/dr0-after-cpuid is the one case allowed to fail here, with those
# words.
source "$(dirname "$0")/lib.sh"
need_bochs
rc=0
boot_bochs --iso "$ISO" --smp 4 --cpu-model ryzen --timeout 600 || rc=$?
[ $rc -eq 0 ] || fail "Bochs run did not end normally (runner status $rc: $(tail -n 3 "$WORK/runner.out"))"
expect_line "kestrel: cpus online 4/4"
expect_line "kestrel: svm on 4/4 cpus"
expect_no_match '^kestrel: vmx'
expect_order "kestrel: svm on 4/4 cpus" "kestrel: guest selftest running on 4 cpus"
expect_selftest_passed 4
expect_no_match '^kestrel: error:'
echo "  self-test guest passed on 4 vCPUs"

printf 'payload = hostile\ncpus = 4\n' >"$WORK/kestrel.cfg"
make_image "$WORK/hostile.iso" "$BUILD/kestrel.elf:kestrel.elf" "$WORK/kestrel.cfg:kestrel.cfg"
rc=0
boot_bochs --iso "$WORK/hostile.iso" --smp 6 --cpu-model ryzen --timeout 600 || rc=$?
[ $rc -eq 0 ] || fail "hostile: Bochs run did not end normally (runner status $rc: $(tail -n 3 "$WORK/runner.out"))"
expect_line "kestrel: svm on 6/6 cpus"
expect_line "hostile: ac/cpl3 refused"
expect_line "hostile: loop/db refused"
grep -Eq '^hostile: last: cpu [0-9]+ stays in the #DB loop' "$LOG" || fail "no AP stays in the #DB loop"
bad=$(grep 'NOT REFUSED' "$LOG" | grep -Ev '^hostile: cpu[0-3]/debug/dr0-after-cpuid NOT REFUSED \(#DB with DR6 = 0xffff0ff0: B0 clear\)$' || true)
[ -z "$bad" ] || fail "hostile: $bad"
grep -Eq '^hostile: (PASS|FAIL) [0-9]+/[0-9]+' "$LOG" || fail "hostile: no verdict line"
expect_line "kestrel: guest powered off"
expect_no_match 'did not leave the guest'
expect_no_match '^kestrel: error:'
echo "ok: self-test and hostile guests on SVM under Bochs 3.0 (ryzen): #AC reflected, the #DB loop left"
