#!/usr/bin/env bash
# Linux rebooting under Kestrel (Bochs 3.0, 1 CPU), each way a guest resets
# a PC, each ending the run with `kestrel: guest reset: <how>`:
#   - through the firmware FADT's reset register (0xcf9 = 0x06, passed-through
#     firmware tables from tests/fakeacpi): acpi-reset;
#   - through Kestrel's own FADT's reset register (emulated): acpi-reset;
#   - through the keyboard controller (reboot=k: 0xFE to port 0x64): kbc-reset.
# Kestrel then resets the machine, so each run stops at that line.
source "$(dirname "$0")/lib.sh"
need_bochs

# boot_reset NAME HOW: boots $WORK/NAME.iso, expects `guest reset: HOW`.
boot_reset() {
    local name=$1 how=$2 rc=0
    boot_bochs --iso "$WORK/$name.iso" --smp 1 --timeout 600 \
        --until '^kestrel: guest reset: |Kernel panic|^kestrel: error' || rc=$?
    [ $rc -eq 0 ] || fail "$name: Bochs run did not end normally (runner status $rc: $(tail -n 3 "$WORK/runner.out"))"
    expect_line "kestrel-linux: rebooting"
    expect_line "kestrel: guest reset: $how"
    expect_no_match 'Kernel panic|^kestrel: error:|^kestrel: guest powered off|unchecked MSR access error'
    cp "$LOG" "$WORK/serial-$name.log"
}

make_linux_image "$WORK/firmware.iso" reboot make_image_fakeacpi
boot_reset firmware acpi-reset
expect_line "kestrel: guest acpi: firmware tables, MADT with 1 of 8 cpus, PM1a control 0xb004, reset 0xcf9, S5 type 0"

make_linux_image "$WORK/own.iso" reboot
boot_reset own acpi-reset
expect_line "kestrel: guest acpi: built by kestrel (the firmware has none), PM1a control 0xb004, reset 0xcf9, S5 type 5"

make_linux_image "$WORK/kbc.iso" reboot make_image reboot=k
boot_reset kbc kbc-reset
echo "ok: Linux's reboots through the firmware's and Kestrel's reset registers and the keyboard controller each ended the run as a guest reset"
