#!/usr/bin/env bash
# A CPU exception (crash_test in kestrel.cfg: ud2 on the boot CPU, then on
# the first AP) is reported once, with CPU, vector, registers and a
# backtrace, and every CPU stops: no status line follows, no second report.
source "$(dirname "$0")/lib.sh"

check_crash() {
    local where=$1 apic=$2
    printf 'crash_test = %s\n' "$where" >"$WORK/$where.cfg"
    make_image "$WORK/$where.iso" "$BUILD/kestrel.elf:kestrel.elf" "$WORK/$where.cfg:kestrel.cfg"
    boot_qemu --iso "$WORK/$where.iso" --smp 4 --timeout 60 --until '^kestrel: stopped' \
        || fail "crash_test=$where: no 'kestrel: stopped' line"
    sleep 1   # any storm of further reports would show up now
    local errors
    errors=$(grep -c '^kestrel: error:' "$LOG" || true)
    [ "$errors" -eq 1 ] || fail "crash_test=$where: expected exactly one error line, got $errors"
    grep -Eq "^kestrel: error: cpu $apic: exception #UD invalid opcode \(vector 6\) error 0 at rip 0xffffffff8[0-9a-f]+$" "$LOG" \
        || fail "crash_test=$where: no exception line naming cpu $apic and #UD"
    grep -Eq '^  rax [0-9a-f]{16} rbx' "$LOG" || fail "crash_test=$where: no register dump"
    grep -Eq '^  backtrace \(addr2line -e build/kestrel.elf\): 0xffffffff8' "$LOG" \
        || fail "crash_test=$where: no backtrace"
    [ "$(grep -c '^kestrel: stopped' "$LOG")" -eq 1 ] || fail "crash_test=$where: 'kestrel: stopped' not exactly once"
    expect_no_match '^kestrel: (vmx|svm)'
}

check_crash bsp 0
expect_line "kestrel: cpus online 4/4"
check_crash ap 1
expect_no_match '^kestrel: cpus online'
echo "ok: exceptions on the BSP and on an AP reported once, all CPUs stopped"
