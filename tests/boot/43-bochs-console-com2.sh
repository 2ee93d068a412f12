#!/usr/bin/env bash
# `console = com2` (Bochs 3.0, 1 CPU, COM2 written to a file): Kestrel's
# lines go to COM2, live from the kernel's first line to its last; COM1 keeps
# the loader's own lines and belongs to the guest, whose output stays there.
# The guest is the hostile one with hostile_case = com2/forged-line: it must
# find no UART at 0x2f8, and what it writes there anyway (a forged
# `kestrel: guest reset:` line, then DLAB and loopback) must reach neither
# Kestrel's console nor stop Kestrel's later lines.
source "$(dirname "$0")/lib.sh"
need_bochs

COM2=$WORK/com2.txt
printf 'payload = hostile\nhostile_case = com2/forged-line\nconsole = com2\n' >"$WORK/kestrel.cfg"
make_image "$WORK/com2.iso" "$BUILD/kestrel.elf:kestrel.elf" "$WORK/kestrel.cfg:kestrel.cfg"
rm -f "$COM2" "$WORK/com2.log"
rc=0
boot_bochs --iso "$WORK/com2.iso" --smp 1 --timeout 120 \
    --rc "com2: enabled=1, mode=file, dev=$COM2" || rc=$?
[ $rc -eq 0 ] || fail "Bochs run did not end normally (runner status $rc: $(tail -n 3 "$WORK/runner.out"))"
[ -f "$COM2" ] || fail "Bochs wrote no $COM2"
# As the runner does for COM1: without CRs and ANSI escapes (the firmware
# clears both screens).
sed -e 's/\r$//' -e 's/\x1b\[[0-9;=]*[A-Za-z]//g' "$COM2" >"$WORK/com2.log"

# COM1: the loader and the guest, nothing of Kestrel's kernel.
expect_line "kestrel: loader 0.1"
expect_line "kestrel: loader: starting the kernel"
expect_line "hostile: starting on the BSP (APIC ID 0, xAPIC); 1 of 1 vCPUs online"
expect_line "hostile: com2/forged-line refused"
expect_line "hostile: PASS 1/1"
expect_no_match '^kestrel: (kernel|cpus online|vmx root|guest hostile|warning|error|guest powered off|exits cpu|refused cpu)'

# COM2: Kestrel's kernel, from its first line to its last, and nothing of the guest's.
LOG=$WORK/com2.log
expect_line "kestrel: kernel 0.1"
expect_line "kestrel: cpus online 1/1"
expect_line "kestrel: vmx root on 1/1 cpus"
expect_line "kestrel: guest hostile running on 1 cpus"
expect_line "kestrel: guest powered off"
expect_order "kestrel: kernel 0.1" "kestrel: guest hostile running on 1 cpus"
expect_order "kestrel: guest hostile running on 1 cpus" "kestrel: guest powered off"
grep -Eq '^kestrel: exits cpu0 total=[1-9]' "$LOG" || fail "no exit statistics on COM2"
expect_no_match '^hostile:|forged-on-com2|^kestrel: guest reset'
expect_no_match '^kestrel: error:'
echo "ok: Kestrel's lines on COM2, the loader's and the guest's on COM1; the guest's writes to COM2 reached nothing"
