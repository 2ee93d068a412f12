#!/usr/bin/env bash
# QEMU TCG, 2 CPUs, booted through the test-only fake ACPI firmware
# (build/fakeacpi.efi): it installs its tables (a MADT with 8 CPUs, PM1a at
# 0xb000/0xb004, an extra SSDT) in place of QEMU's and chain-loads the loader.
# Kestrel's ACPI cross-check then reads that MADT and complains that it lists
# more CPUs than UEFI MP services reported, which proves the app's tables
# reach Kestrel; without VMX Kestrel stops after its boot report.
source "$(dirname "$0")/lib.sh"

make_image_fakeacpi "$WORK/fakeacpi.iso" "$BUILD/kestrel.elf:kestrel.elf"
rc=0
boot_qemu --iso "$WORK/fakeacpi.iso" --smp 2 --cpu qemu64,vendor=GenuineIntel --timeout 90 || rc=$?
[ $rc -eq 0 ] || fail "QEMU run did not end by itself (runner status $rc: $(tail -n 1 "$WORK/runner.out"))"
# The address is wherever the firmware's allocator put the pages.
grep -Eq '^fakeacpi: installed ACPI tables at 0x[0-9a-f]+ \(MADT 8 cpus, PM1a 0xb000/0xb004, reset 0xcf9=0x06, S5 type 0, SSDT KTESTSSD\)$' "$LOG" \
    || fail "no 'fakeacpi: installed ACPI tables' line"
expect_no_match '^fakeacpi: error:'
# The cross-check's warning (drivers/acpi.c) and the fixed hardware Kestrel
# would intercept for a guest: the fake FADT's ports, the fake DSDT's \_S5.
expect_line "kestrel: warning: acpi: MADT lists 8 enabled CPUs, UEFI MP services 2 (2 in both)"
expect_line "kestrel: acpi: firmware PM1a control 0xb004, reset 0xcf9 (value 0x6), S5 type 0"
expect_line "kestrel: cpus online 2/2"
expect_line "kestrel: vmx unavailable: cpuid reports no VMX"
expect_order "kestrel: warning: acpi: MADT lists 8 enabled CPUs, UEFI MP services 2 (2 in both)" \
    "kestrel: vmx unavailable: cpuid reports no VMX"
expect_no_match '^kestrel: error:'
echo "ok: the fake firmware's tables reached Kestrel (MADT 8 cpus vs 2), the loader was chain-loaded"
