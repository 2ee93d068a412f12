#!/usr/bin/env bash
# The self-test guest under QEMU with KVM (-cpu host) on 4 CPUs, where the
# host offers nested virtualization: VMX on an Intel host, SVM on an AMD one
# (Kestrel picks its backend from the CPU vendor, which -cpu host passes
# through). Skipped with the reason elsewhere (this workplace has no /dev/kvm).
source "$(dirname "$0")/lib.sh"
need_kvm
rc=0
boot_qemu --iso "$ISO" --smp 4 --accel kvm --timeout 120 || rc=$?
[ $rc -eq 0 ] || fail "QEMU/KVM run did not end by itself (runner status $rc: $(tail -n 1 "$WORK/runner.out"))"
expect_line "kestrel: cpus online 4/4"
expect_virt_on 4
expect_selftest_passed 4
expect_no_match '^kestrel: error:'
echo "ok: self-test guest passed under QEMU/KVM on 4 CPUs ($KVM_BACKEND)"
