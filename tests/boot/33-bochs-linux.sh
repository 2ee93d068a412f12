#!/usr/bin/env bash
# Debian's cloud kernel with the project's initramfs as the guest, in the
# project's Bochs 3.0 with 4 CPUs, the way `make run PAYLOAD=linux` runs it on
# a machine without KVM: Linux finds its 4 vCPUs in the MADT Kestrel builds
# (OVMF on Bochs has no ACPI), starts them itself, /init reports 4 CPUs with
# the hypervisor flag and without VMX, and opens a shell on the serial
# console.  The test types into that shell through run-bochs.sh --interactive
# (scripts/serial-relay.c): a command whose output proves the input arrived,
# then `poweroff -f`, and Linux powers off through ACPI S5 on Kestrel's
# virtual PM registers: the run ends by itself.
source "$(dirname "$0")/lib.sh"
need_bochs
make_linux_image "$WORK/linux.iso" shell

# A person at the serial console: waits for the shell's prompt (busybox
# prints "job control turned off" just before it), then types two lines.
# It reads the runner's raw serial file, so the previous run's copy goes
# first (the typist starts before the runner makes a new one).  Stops by
# itself when the run is over ($WORK/typist.done).
raw=$WORK/bochs/serial.raw
rm -f "$WORK/typist.done" "$raw"
typist() {
    while [ ! -e "$WORK/typist.done" ]; do
        if grep -aq 'job control turned off' "$raw" 2>/dev/null; then
            sleep 2
            printf 'echo kestrel-input $((6 * 7))\n'
            sleep 5
            printf 'poweroff -f\n'
            break
        fi
        sleep 1
    done
}
rc=0
boot_bochs --iso "$WORK/linux.iso" --smp 4 --timeout 900 --interactive \
    --until '^kestrel: guest powered off|Kernel panic|^kestrel: error' < <(typist) || rc=$?
touch "$WORK/typist.done"
[ $rc -eq 0 ] || fail "Bochs run did not end normally (runner status $rc: $(tail -n 3 "$WORK/runner.out"))"
expect_line "kestrel: guest linux running on 4 cpus"
expect_line "kestrel: guest acpi: built by kestrel (the firmware has none), PM1a control 0xb004, reset 0xcf9, S5 type 5"
expect_line "kestrel-linux: /init running: cpus 4, hypervisor flag present, vmx flag absent"
expect_line "kestrel-input 42"
grep -q 'ACPI: PM: Preparing to enter system sleep state S5' "$LOG" || fail "Linux did not power off through ACPI"
expect_line "kestrel: guest powered off"
expect_no_match 'Kernel panic|^kestrel: error:|ACPI (Error|Warning|BIOS Error)|unchecked MSR access error'
echo "ok: Linux reached /init on 4 vCPUs, took typed input on its serial shell and powered off through ACPI"
