#!/usr/bin/env bash
# The hostile guest's reset attacks (Bochs 3.0, 1 CPU, one boot each with
# `hostile_case = <case>`): each way a PC resets behind the OS's back must
# end the run as a guest reset, `kestrel: guest reset: <how>`, before the
# hardware sees it:
#   reset/kbc-f0    8042 command 0xF0 (pulse every output line) at port 0x64: kbc-reset
#   reset/kbc-d1    8042 command 0xD1, then 0x00 at port 0x60 (output port, reset low): kbc-reset
#   reset/port92    0x01 at port 0x92 (fast reset): port92-reset
#   reset/cf9-word  OUTW 0x0006 at 0xCF9 (RST_CPU | SYS_RST, a word starting there): cf9-reset
# Should the run go on, the guest says `hostile: <case> NOT REFUSED (the run
# went on)` and powers off.  Kestrel then resets the machine, so each run
# stops at that line.
source "$(dirname "$0")/lib.sh"
need_bochs

# boot_reset CASE HOW: boots with hostile_case = CASE, expects `guest reset: HOW`.
boot_reset() {
    local hostile_case=$1 how=$2 name=${1//\//-} rc=0
    printf 'payload = hostile\nhostile_case = %s\n' "$hostile_case" >"$WORK/$name.cfg"
    make_image "$WORK/$name.iso" "$BUILD/kestrel.elf:kestrel.elf" "$WORK/$name.cfg:kestrel.cfg"
    boot_bochs --iso "$WORK/$name.iso" --smp 1 --timeout 120 \
        --until '^kestrel: guest reset: |^kestrel: guest powered off|^kestrel: error|^hostile: .*NOT REFUSED' \
        || rc=$?
    cp "$LOG" "$WORK/serial-$name.log"
    [ $rc -eq 0 ] || fail "$hostile_case: Bochs run did not end normally (runner status $rc: $(tail -n 3 "$WORK/runner.out"))"
    expect_line "hostile: starting on the BSP (APIC ID 0, xAPIC); 1 of 1 vCPUs online"
    expect_line "kestrel: guest reset: $how"
    expect_no_match '^kestrel: guest powered off|^kestrel: error:|NOT REFUSED'
}

boot_reset reset/kbc-f0 kbc-reset
boot_reset reset/kbc-d1 kbc-reset
boot_reset reset/port92 port92-reset
boot_reset reset/cf9-word cf9-reset
echo "ok: 8042 commands 0xF0 and 0xD1, port 0x92 and a word at 0xCF9 each ended the run as a guest reset"
