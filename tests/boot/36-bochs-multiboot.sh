#!/usr/bin/env bash
# Multiboot kernels as the guest (the project's test kernels, v1 and v2):
# loaded at their address fields, entered in 32-bit protected mode with the
# magic in EAX and the information structure in EBX; each checks its
# command line, memory map, module (and, v2, the ACPI RSDP tag) and prints a
# PASS line, then powers off through the hypercall.
source "$(dirname "$0")/lib.sh"
need_bochs
"$ROOT/tests/multiboot/build.sh" "$WORK" >"$WORK/build.out" 2>&1 || { cat "$WORK/build.out"; fail "cannot build the test kernels"; }
for v in 1 2; do
    make_multiboot_image "$v"
    rc=0
    boot_bochs --iso "$WORK/mb$v.iso" --smp 2 --timeout 300 || rc=$?
    [ $rc -eq 0 ] || fail "multiboot v$v: Bochs run did not end normally (runner status $rc)"
    expect_multiboot_passed "$v" 2
    cp "$LOG" "$WORK/serial-v$v.log"
done
echo "ok: multiboot 1 and 2 kernels received what they expect"
