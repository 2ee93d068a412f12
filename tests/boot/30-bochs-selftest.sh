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
expect_line "kestrel: guest selftest running on 4 cpus"
expect_order "kestrel: vmx root on 4/4 cpus" "kestrel: guest selftest running on 4 cpus"
grep -Eq '^selftest: PASS ([0-9]+)/\1$' "$LOG" || fail "no 'selftest: PASS n/n' line"
[ "$(grep -Eo '^selftest: PASS [0-9]+' "$LOG" | grep -Eo '[0-9]+$')" -ge 52 ] \
    || fail "fewer than 52 checks (13 per CPU) ran"
expect_no_match '^selftest: .*FAIL'
expect_line "selftest: restart of cpu 3 ok"
expect_line "kestrel: guest powered off"
expect_order "kestrel: guest selftest running on 4 cpus" "kestrel: guest powered off"
for apic in 0 1 2 3; do
    grep -Eq "^kestrel: exits cpu$apic total=[1-9][0-9]* .*cpuid=[1-9]" "$LOG" \
        || fail "no exit statistics with CPUID exits for cpu $apic"
    # The isolation check's read of Kestrel's memory is refused and reported once per vCPU.
    [ "$(grep -Ec "^kestrel: warning: cpu $apic: guest access refused \(hypervisor memory\): read at gpa " "$LOG")" -eq 1 ] \
        || fail "cpu $apic: the refused access to hypervisor memory was not reported exactly once"
done
expect_no_match '^kestrel: error:'
echo "ok: self-test guest passed on 4 vCPUs under Bochs 3.0"
