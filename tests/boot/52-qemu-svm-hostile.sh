#!/usr/bin/env bash
# The hostile guest on the SVM backend: QEMU TCG -cpu max, q35 with OVMF's
# own ACPI tables (ICH9 PM block, PCIe ECAM), 4 of 6 CPUs.  Every attack of
# the VMX run (test 32) that applies to an AMD CPU, plus the SVM ones (VMRUN,
# VMLOAD, VMSAVE, STGI, CLGI, SKINIT, INVLPGA #UD; EFER.SVME, VM_CR,
# VM_HSAVE_PA refused; SVM hidden from CPUID; VMMCALL is the hypercall),
# through the xAPIC ICR and I/O APIC mediation on the firmware's chipset.
#
# Two cases cannot be shown here, because QEMU's TCG does not emulate what
# they rely on; test 51 runs them on SVM in Bochs instead:
#   ac/cpl3   TCG does no alignment checking (EFLAGS.AC): no #AC is raised;
#   loop/db   TCG raises no data-breakpoint #DB during event delivery: no loop.
# The guest must report exactly those two, with those reasons.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/hostile_verdicts.inc.sh"

PER_CPU_CASES="vmx-instructions/vmxon vmx-instructions/vmclear vmx-instructions/vmptrld
    vmx-instructions/vmread vmx-instructions/vmwrite vmx-instructions/vmlaunch
    vmx-instructions/vmresume vmx-instructions/vmxoff vmx-instructions/invept
    vmx-instructions/invvpid cr0/clear-pg-64bit cr4-vmxe feature-control-write vmx-msr-write
    xcr0/x87-clear xcr0/avx-without-sse xcr0/unsupported-bit xcr0/ecx-nonzero
    msr/rtit-ctl msr/rtit-output-base msr/ds-area msr/pebs-enable msr/perf-global-ctrl
    msr/misc-enable-bit22 msr/misc-enable-bit34 msr/debugctl-bts msr/unlisted
    debug/dr0-after-cpuid
    svm/vmrun svm/vmload svm/vmsave svm/stgi svm/clgi svm/skinit svm/invlpga svm/efer-svme
    svm/vm-cr svm/vm-hsave-pa svm/cpuid-hidden svm/vmmcall-unknown"
MACHINE_CASES="hypervisor-memory-write firmware-memory-write init-to-bsp unknown-vmcall
    vmcall-cpl3
    ipi/xapic-init-to-held-back ipi/xapic-sipi-to-held-back ipi/xapic-nmi-to-held-back
    ipi/xapic-init-to-absent ipi/xapic-sipi-to-absent ipi/xapic-nmi-to-absent
    ipi/smi ipi/nmi-broadcast ioapic/nmi-to-held-back ioapic/init-to-guest
    ioapic/fixed-to-held-back pm/cnt-dword-2-early pm/s3 pci/pmba-move pci/pm-io-disable
    flood/nmi-while-logging log/flood-then-refusal log/escape"
# Not offered by this CPU model: MPX, AVX-512, AMX state; x2APIC.
MAY_SKIP="xcr0/mpx-one-of-two xcr0/amx-one-of-two xcr0/avx512-partial xcr0/avx512-without-avx
    firmware-memory-write ipi/x2apic-init-to-held-back ipi/x2apic-sipi-to-held-back
    ipi/x2apic-nmi-to-held-back ipi/x2apic-init-to-absent ipi/x2apic-sipi-to-absent
    ipi/x2apic-nmi-to-absent"
VCPUS="0 1 2 3"

printf 'payload = hostile\ncpus = 4\n' >"$WORK/kestrel.cfg"
make_image "$WORK/hostile.iso" "$BUILD/kestrel.elf:kestrel.elf" "$WORK/kestrel.cfg:kestrel.cfg"
rc=0
boot_qemu --iso "$WORK/hostile.iso" --smp 6 --cpu max --timeout 180 || rc=$?
[ $rc -eq 0 ] || fail "QEMU run did not end by itself (runner status $rc: $(tail -n 1 "$WORK/runner.out"))"
expect_line "kestrel: svm on 6/6 cpus"
expect_line "kestrel: cpus held back 2"
expect_line "kestrel: guest hostile running on 4 cpus"
expect_line "hostile: starting on the BSP (APIC ID 0, xAPIC); 4 of 4 vCPUs online"

check_case_lines
# The emulator's two gaps, and nothing else.
expect_line "hostile: ac/cpl3 NOT REFUSED (the misaligned load at CPL 3 raised an exception (vector 14), expected #AC)"
grep -Eq '^hostile: loop/db NOT REFUSED \(cpu [0-9]+ came back from the #DB loop\)$' "$LOG" \
    || fail "no 'loop/db NOT REFUSED (cpu N came back from the #DB loop)' line"
[ "$(grep -c 'NOT REFUSED' "$LOG")" -eq 2 ] || fail "NOT REFUSED beyond ac/cpl3 and loop/db: $(grep 'NOT REFUSED' "$LOG" | grep -v 'ac/cpl3\|loop/db' | head -n 1)"
expect_line "hostile: FAIL $expected/$((expected + 2)): ac/cpl3,loop/db"
[ "$expected" -ge 183 ] || fail "only $expected attacks refused (183 on QEMU's max model)"

for cpu in $VCPUS; do
    warn "$cpu" 'guest vmrun refused \(#UD\): the guest has no SVM'
    warn "$cpu" 'guest mov to cr0 = 0x[0-9a-f]+ refused \(#GP\): CR0.PG cleared in 64-bit mode'
    warn "$cpu" 'guest wrmsr 0x3a = 0x5 refused \(#GP\)'
done
warn 0 'guest access refused \(hypervisor memory\): write to a not-present page at gpa '
warn 0 "guest IPI refused: INIT IPI \(vector 0\) to APIC ID 0: INIT to the guest.s boot CPU"
warn 0 'guest I/O APIC entry refused: I/O APIC 0xfec00000 pin [0-9]+ = 0x[0-9a-f]+: NMI'
# The firmware's chipset: ICH9's PM block at 0x600, its PMBASE register.
warn 0 'guest asked for ACPI sleep \(SLP_TYP 5 at the chipset PM1a control 0x604\)'
warn 0 'guest PCI configuration write refused: 00:1f.0 offset 0x40 = 0x[0-9a-f]+ \(4 bytes\) would change ICH PMBASE'
for cpu in $VCPUS; do
    [ "$(refused_count "$cpu" svm-instruction)" -eq 7 ] || fail "cpu $cpu: not 7 SVM instructions refused"
    [ "$(refused_count "$cpu" cr-write)" -eq 2 ] || fail "cpu $cpu: not 2 CR writes refused by Kestrel"
done
[ "$(refused_count 0 ioapic)" -eq 3 ] || fail "cpu 0: not 3 I/O APIC refusals"
[ "$(refused_count 0 pci-config)" -eq 2 ] || fail "cpu 0: not 2 PCI configuration writes refused"
expect_line 'kestrel: guest cpu 0: forged\nkestrel: guest reset: triple-fault\r\\\x00\x1b\x7f\x80\xff end'
expect_no_match '^kestrel: guest reset'
expect_line "kestrel: guest powered off"
expect_kestrel_survived
echo "ok: $expected attacks on 4 SVM vCPUs refused and reported on q35 with the firmware's ACPI; Kestrel survived"
