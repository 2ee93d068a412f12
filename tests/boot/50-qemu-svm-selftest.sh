#!/usr/bin/env bash
# QEMU TCG with AMD SVM and nested paging (-cpu max), q35 with OVMF's own
# ACPI tables: the self-test guest on 1, 2, 4 and 8 CPUs.  Every CPU comes
# online and enables SVM; the guest's BSP starts its APs with INIT-SIPI-SIPI,
# which Kestrel delivers in software (SVM has no wait-for-SIPI); every check
# passes on every vCPU; the guest powers off through VMMCALL; each vCPU
# reports its exits.  TCG has no next-RIP save: every skipped instruction
# is decoded.  At the end the guest restarts its halted last AP with
# INIT-SIPI-SIPI, which Kestrel must deliver to a vCPU that never exits.
source "$(dirname "$0")/lib.sh"

for cpus in 1 2 4 8; do
    rc=0
    boot_qemu --iso "$ISO" --smp "$cpus" --cpu max --timeout 120 || rc=$?
    [ $rc -eq 0 ] || fail "$cpus cpus: QEMU run did not end by itself (runner status $rc: $(tail -n 1 "$WORK/runner.out"))"
    cp "$LOG" "$WORK/serial-$cpus.log"
    expect_line "kestrel: cpus online $cpus/$cpus"
    expect_line "kestrel: svm on $cpus/$cpus cpus"
    expect_no_match '^kestrel: vmx'
    expect_order "kestrel: svm on $cpus/$cpus cpus" "kestrel: guest selftest running on $cpus cpus"
    # With more than one vCPU, the halted last AP's restart is an INIT
    # delivered in software, with an NMI kick, as it never exits itself.
    expect_selftest_passed "$cpus"
    want=$((SELFTEST_CHECKS_PER_CPU * cpus))
    for ((apic = 0; apic < cpus; apic++)); do
        grep -Eq "^kestrel: exits cpu$apic .*vmcall=[1-9]" "$LOG" \
            || fail "$cpus cpus: cpu $apic made no hypercall (VMMCALL)"
        [ "$(grep -Ec "^kestrel: warning: cpu $apic: guest access refused \(hypervisor memory\): read of a not-present page at gpa " "$LOG")" -eq 1 ] \
            || fail "$cpus cpus: cpu $apic: the refused access to hypervisor memory was not reported exactly once"
        grep -Fxq "kestrel: warning: cpu $apic: guest mov to cr4 = 0x2020 refused (#GP): CR4.VMXE: the guest has no VMX (reported once)" "$LOG" \
            || fail "$cpus cpus: cpu $apic: CR4.VMXE was not refused"
    done
    expect_no_match '^kestrel: error:'
    echo "  $cpus cpus: selftest PASS $want/$want"
done
echo "ok: self-test guest passed on 1, 2, 4 and 8 vCPUs on SVM (QEMU TCG)"
