#!/usr/bin/env bash
# Linux under Kestrel under QEMU with KVM (nested VMX), where the host offers
# it; skipped with the reason elsewhere.  Unlike Bochs, QEMU's firmware has
# ACPI tables: the guest gets them (q35's DSDT with its PCI host bridge) with
# Kestrel's MADT, and powers off through the firmware's own PM1a control
# port (0x604), which Kestrel intercepts.
source "$(dirname "$0")/lib.sh"
need_kvm
make_linux_image "$WORK/linux.iso" poweroff
rc=0
boot_qemu --iso "$WORK/linux.iso" --smp 4 --accel kvm --timeout 300 || rc=$?
[ $rc -eq 0 ] || fail "QEMU/KVM run did not end by itself (runner status $rc)"
expect_line "kestrel: vmx root on 4/4 cpus"
expect_line "kestrel: guest acpi: firmware tables, MADT with 4 of 4 cpus, PM1a control 0x604, reset 0xcf9, S5 type 0"
expect_line "kestrel: guest linux running on 4 cpus"
expect_line "kestrel-linux: /init running: cpus 4, hypervisor flag present, vmx flag absent"
grep -q 'ACPI: PM: Preparing to enter system sleep state S5' "$LOG" || fail "Linux did not power off through ACPI"
expect_line "kestrel: guest powered off"
expect_no_match 'Kernel panic|^kestrel: error:'
echo "ok: Linux on QEMU's firmware ACPI tables under Kestrel/KVM, powered off through the firmware's PM1a port"
