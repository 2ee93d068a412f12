#!/usr/bin/env bash
# Linux on the SVM backend: QEMU TCG -cpu max, q35, 4 vCPUs, with OVMF's own
# ACPI tables (the first proof of the firmware-ACPI path on real tables):
# Debian's cloud kernel boots to the project's /init, sees 4 CPUs and no
# SVM, and powers off through the firmware's PM1a port (ICH9, 0x604); a
# second boot reboots through the firmware's reset register (0xcf9).
source "$(dirname "$0")/lib.sh"

boot_linux() {   # boot_linux NAME UNTIL
    local rc=0
    boot_qemu --iso "$WORK/$1.iso" --smp 4 --mem 1024 --cpu max --timeout 300 \
        --until "$2|Kernel panic|^kestrel: error" || rc=$?
    [ $rc -eq 0 ] || fail "$1: QEMU run did not end normally (runner status $rc: $(tail -n 1 "$WORK/runner.out"))"
    cp "$LOG" "$WORK/serial-$1.log"
    expect_line "kestrel: svm on 4/4 cpus"
    expect_line "kestrel: guest linux running on 4 cpus"
    grep -Eq '^kestrel: guest acpi: firmware tables, MADT with 4 of 4 cpus, PM1a control 0x604, reset 0xcf9, S5 type 0$' "$LOG" \
        || fail "$1: no 'kestrel: guest acpi: firmware tables, MADT with 4 of 4 cpus, ...' line"
    grep -Eq '^kestrel-linux: /init running: cpus 4, hypervisor flag present' "$LOG" \
        || fail "$1: Linux's /init did not report 4 cpus and the hypervisor flag"
    grep -Eq 'smpboot: Total of 4 processors activated' "$LOG" || fail "$1: Linux did not bring up 4 CPUs"
    expect_no_match 'Kernel panic|^kestrel: error:|ACPI (Error|Warning|BIOS Error)|unchecked MSR access error'
}

make_linux_image "$WORK/poweroff.iso" poweroff
boot_linux poweroff '^kestrel: guest powered off'
grep -q 'ACPI: PM: Preparing to enter system sleep state S5' "$LOG" || fail "Linux did not power off through ACPI"
expect_line "kestrel: guest powered off"

make_linux_image "$WORK/reboot.iso" reboot
boot_linux reboot '^kestrel: guest reset: '
expect_line "kestrel-linux: rebooting"
expect_line "kestrel: guest reset: acpi-reset"
echo "ok: Linux ran on 4 SVM vCPUs with the firmware's ACPI tables, powered off through its PM1a port and rebooted through its reset register"
