#!/usr/bin/env bash
# A guest that triple-faults (crash_test = triple: no IDT, an unmapped RIP)
# is reported with its state dumped and ends as a guest reset:
# `kestrel: guest reset: triple-fault`, then Kestrel resets the machine
# (the firmware reboots it; the test stops at the reset line).
source "$(dirname "$0")/lib.sh"
need_bochs
printf 'crash_test = triple\n' >"$WORK/kestrel.cfg"
make_image "$WORK/triple.iso" "$BUILD/kestrel.elf:kestrel.elf" "$WORK/kestrel.cfg:kestrel.cfg"
rc=0
boot_bochs --iso "$WORK/triple.iso" --smp 2 --timeout 300 --until '^kestrel: guest reset: ' || rc=$?
[ $rc -eq 0 ] || fail "no guest reset line (runner status $rc: $(tail -n 3 "$WORK/runner.out"))"
expect_line "kestrel: warning: cpu 0: guest triple fault at rip 0x7ff000000000"
grep -Eq '^  cpu 0 vmcs: rip 0x7ff000000000 ' "$LOG" || fail "no guest state dump"
expect_line "kestrel: guest reset: triple-fault"
grep -Eq '^kestrel: exits cpu0 total=[1-9][0-9]* .*triple_fault=1' "$LOG" || fail "no exit statistics with the triple fault"
echo "ok: triple fault dumped and handled as a guest reset"
