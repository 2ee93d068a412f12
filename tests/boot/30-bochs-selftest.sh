#!/usr/bin/env bash
# The project's Bochs 3.0 (emulated VMX), 4 CPUs: every CPU comes online and
# enters VMX root, the built-in self-test guest runs on all of them (its BSP
# starts the APs with its own INIT-SIPI-SIPI), passes every check, powers off
# through the hypercall, and Kestrel reports the exits of each vCPU.  Bochs
# logs no VMX misuse (the runner fails the run otherwise).
source "$(dirname "$0")/lib.sh"
need_bochs
rc=0
boot_bochs --iso "$ISO" --smp 4 --timeout 600 || rc=$?
[ $rc -eq 0 ] || fail "Bochs run did not end normally (runner status $rc: $(tail -n 3 "$WORK/runner.out"))"
expect_line "kestrel: cpus online 4/4"
expect_line "kestrel: vmx root on 4/4 cpus"
expect_order "kestrel: vmx root on 4/4 cpus" "kestrel: guest selftest running on 4 cpus"
expect_selftest_passed 4
for apic in 0 1 2 3; do
    # The isolation check's read of Kestrel's memory is refused and reported once per vCPU.
    [ "$(grep -Ec "^kestrel: warning: cpu $apic: guest access refused \(hypervisor memory\): read at gpa " "$LOG")" -eq 1 ] \
        || fail "cpu $apic: the refused access to hypervisor memory was not reported exactly once"
done
expect_no_match '^kestrel: error:'
echo "ok: self-test guest passed on 4 vCPUs under Bochs 3.0"
