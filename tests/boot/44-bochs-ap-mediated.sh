#!/usr/bin/env bash
# `ap_start = mediated` on VMX (Bochs 3.0, 4 CPUs): the guest's APs start
# through Kestrel, as on SVM and as on a CPU without the wait-for-SIPI
# activity state (QEMU's named Intel models under KVM before Linux 5.11):
# the guest's INIT and SIPI reach core/vm.c, never the hardware, each AP
# waits in Kestrel and is entered in real mode at the SIPI's vector.  The
# self-test starts every AP, then restarts the last one with a second
# INIT-SIPI-SIPI (a virtual INIT to a running vCPU: kicked, reset, started
# again).
source "$(dirname "$0")/lib.sh"
need_bochs

printf 'ap_start = mediated\n' >"$WORK/mediated.cfg"
make_image "$WORK/mediated.iso" "$BUILD/kestrel.elf:kestrel.elf" "$WORK/mediated.cfg:kestrel.cfg"
rc=0
boot_bochs --iso "$WORK/mediated.iso" --smp 4 --timeout 600 || rc=$?
[ $rc -eq 0 ] || fail "Bochs run did not end normally (runner status $rc: $(tail -n 3 "$WORK/runner.out"))"
expect_line "kestrel: vmx root on 4/4 cpus"
expect_line "kestrel: guest ap start-up mediated: ap_start = mediated"
expect_order "kestrel: guest ap start-up mediated: ap_start = mediated" "kestrel: guest selftest running on 4 cpus"
expect_selftest_passed 4
# No INIT or SIPI reached the hardware: none exited as one.
expect_no_match '^kestrel: exits cpu.* (init|sipi)='
expect_no_match '^kestrel: error:'
expect_no_match '^kestrel: warning:.*(did not leave|NMI)'
echo "ok: ap_start = mediated: self-test passed on 4 vCPUs under Bochs 3.0, APs started through Kestrel"
