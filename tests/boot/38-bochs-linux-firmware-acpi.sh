#!/usr/bin/env bash
# Test 33's Linux guest (Debian's cloud kernel + the project's initramfs, 4
# CPUs in Bochs 3.0), but booted through the test-only fake ACPI firmware
# (build/fakeacpi.efi, docs/testing.md), so Kestrel takes the path for
# machines whose firmware has ACPI tables: the guest gets the firmware's
# tables with Kestrel's MADT (4 of the firmware's 8 CPUs) in place of the
# firmware's, the firmware's SSDT passes through untouched, and Linux powers
# off through the firmware FADT's PM1a control port (0xb004, S5 type 0), which
# Kestrel intercepts.
source "$(dirname "$0")/lib.sh"
need_bochs
make_linux_image "$WORK/linux.iso" poweroff make_image_fakeacpi
rc=0
boot_bochs --iso "$WORK/linux.iso" --smp 4 --timeout 900 \
    --until '^kestrel: guest powered off|Kernel panic|^kestrel: error' || rc=$?
[ $rc -eq 0 ] || fail "Bochs run did not end normally (runner status $rc: $(tail -n 3 "$WORK/runner.out"))"
grep -Eq '^fakeacpi: installed ACPI tables at 0x[0-9a-f]+ \(MADT 8 cpus, PM1a 0xb000/0xb004, reset 0xcf9=0x06, S5 type 0, SSDT KTESTSSD\)$' "$LOG" \
    || fail "the fake firmware did not install its tables"
expect_line "kestrel: guest linux running on 4 cpus"
grep -Eq '^kestrel: guest acpi: firmware tables, MADT with 4 of 8 cpus, PM1a control 0xb004, reset 0xcf9, S5 type 0$' "$LOG" \
    || fail "no 'kestrel: guest acpi: firmware tables, MADT with 4 of 8 cpus, ...' line"
grep -Eq 'ACPI: SSDT 0x[0-9A-F]+ [0-9A-F]+ \(v02 FAKEFW KTESTSSD' "$LOG" \
    || fail "Linux did not list the firmware's SSDT (FAKEFW KTESTSSD)"
expect_line "kestrel-linux: /init running: cpus 4, hypervisor flag present, vmx flag absent"
grep -q 'ACPI: PM: Preparing to enter system sleep state S5' "$LOG" || fail "Linux did not power off through ACPI"
expect_line "kestrel: guest powered off"
s5=$(grep -n 'ACPI: PM: Preparing to enter system sleep state S5' "$LOG" | head -n 1 | cut -d: -f1)
off=$(grep -Fxn 'kestrel: guest powered off' "$LOG" | head -n 1 | cut -d: -f1)
[ "$s5" -lt "$off" ] || fail "expected Linux's S5 line before 'kestrel: guest powered off'"
expect_no_match 'Kernel panic|^kestrel: error:|ACPI (Error|Warning|BIOS Error)|unchecked MSR access error'
echo "ok: Linux ran on 4 vCPUs with the firmware's ACPI tables (Kestrel's MADT, the SSDT passed through) and powered off through the firmware's PM1a port"
