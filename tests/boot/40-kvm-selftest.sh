#!/usr/bin/env bash
# The self-test guest under QEMU with KVM (nested VMX, -cpu host), where the
# host offers it; skipped with the reason elsewhere (this workplace's
# /dev/kvm has no VMX).
source "$(dirname "$0")/lib.sh"
need_kvm
rc=0
boot_qemu --iso "$ISO" --smp 4 --accel kvm --timeout 120 || rc=$?
[ $rc -eq 0 ] || fail "QEMU/KVM run did not end by itself (runner status $rc)"
expect_line "kestrel: cpus online 4/4"
expect_line "kestrel: vmx root on 4/4 cpus"
expect_line "kestrel: guest selftest running on 4 cpus"
grep -Eq '^selftest: PASS ([0-9]+)/\1$' "$LOG" || fail "no 'selftest: PASS n/n' line"
expect_line "kestrel: guest powered off"
expect_no_match '^kestrel: error:'
echo "ok: self-test guest passed under QEMU/KVM"
