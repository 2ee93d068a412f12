#!/usr/bin/env bash
# Multiboot kernels and `cpus = N` on the SVM backend (QEMU TCG -cpu max,
# q35): the project's multiboot 1 and 2 test kernels get what they expect
# (32-bit protected-mode entry, info structure, module, command line) and
# power off with VMMCALL; then the self-test with `cpus = 2` of 4 CPUs: two
# cores stay in Kestrel and are named as held back.
source "$(dirname "$0")/lib.sh"
"$ROOT/tests/multiboot/build.sh" "$WORK" >"$WORK/build.out" 2>&1 || { cat "$WORK/build.out"; fail "cannot build the test kernels"; }
for v in 1 2; do
    make_multiboot_image "$v"
    rc=0
    boot_qemu --iso "$WORK/mb$v.iso" --smp 2 --cpu max --timeout 120 || rc=$?
    [ $rc -eq 0 ] || fail "multiboot v$v: QEMU run did not end by itself (runner status $rc)"
    expect_line "kestrel: svm on 2/2 cpus"
    expect_multiboot_passed "$v" 2
    expect_no_match '^kestrel: (error|warning):'
    cp "$LOG" "$WORK/serial-v$v.log"
done

printf 'cpus = 2\n' >"$WORK/cpus.cfg"
make_image "$WORK/cpus.iso" "$BUILD/kestrel.elf:kestrel.elf" "$WORK/cpus.cfg:kestrel.cfg"
rc=0
boot_qemu --iso "$WORK/cpus.iso" --smp 4 --cpu max --timeout 120 || rc=$?
[ $rc -eq 0 ] || fail "cpus = 2: QEMU run did not end by itself (runner status $rc)"
expect_line "kestrel: svm on 4/4 cpus"
expect_line "kestrel: cpus held back 2"
expect_line "kestrel: guest selftest running on 2 cpus"
expect_line "selftest: PASS $((2 * SELFTEST_CHECKS_PER_CPU))/$((2 * SELFTEST_CHECKS_PER_CPU))"
expect_line "kestrel: guest powered off"
expect_no_match '^kestrel: exits cpu[23] '
expect_no_match '^kestrel: error:'
echo "ok: multiboot 1 and 2 kernels ran on SVM; cpus = 2 of 4 gave the guest 2 vCPUs"
