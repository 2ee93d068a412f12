#!/usr/bin/env bash
# The hostile guest (payload = hostile) attacks Kestrel from every vCPU of a
# 6-CPU Bochs with `cpus = 4` (two CPUs held back, outside the guest):
#   per vCPU (lines cpu<id>/<case>): VMX instructions, CR0.PG cleared in
#     64-bit mode, CR4.VMXE, feature-control and VMX-MSR writes, every XCR0
#     rule, refused MSRs (PT, DS, PEBS, PMU, MISC_ENABLE bits, DEBUGCTL.BTS,
#     MSRs without a row), a data breakpoint across an exit;
#   machine-wide: hypervisor and firmware memory, INIT to the BSP, hypercalls
#     (unknown, from CPL 3), #AC at CPL 3, xAPIC and x2APIC INIT/SIPI/NMI to
#     the held-back CPUs and to an absent APIC ID, SMI, broadcast NMIs, I/O
#     APIC entries, sleep requests at the chipset's PM1a control, PCI writes
#     moving or disabling the PM block, an NMI flood during LOG_WRITEs, a
#     LOG_WRITE flood before a refusal, forged log lines, the #DB loop
#     (CVE-2015-8104) on an AP;
#   last: an INIT flood at the BSP and COM1 left with DLAB and loopback set
#     while the BSP powers off.
# Every attack must be refused (the guest checks what it got), Kestrel must
# report its refusals (a warning per vCPU and kind, counts per vCPU), no NMI
# may reach a CPU outside the guest, every vCPU must leave at the end (the
# looping one too), and Kestrel's end lines must come out on the UART the
# guest left in a mess.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/hostile_verdicts.inc.sh"
need_bochs

# The cases (guest/hostile/cases_table.c): a case that silently disappears
# fails the test.
PER_CPU_CASES="vmx-instructions/vmxon vmx-instructions/vmclear vmx-instructions/vmptrld
    vmx-instructions/vmread vmx-instructions/vmwrite vmx-instructions/vmlaunch
    vmx-instructions/vmresume vmx-instructions/vmxoff vmx-instructions/invept
    vmx-instructions/invvpid cr0/clear-pg-64bit cr4-vmxe feature-control-write vmx-msr-write
    xcr0/x87-clear xcr0/avx-without-sse xcr0/mpx-one-of-two xcr0/avx512-partial
    xcr0/avx512-without-avx xcr0/amx-one-of-two xcr0/unsupported-bit xcr0/ecx-nonzero
    msr/rtit-ctl msr/rtit-output-base msr/ds-area msr/pebs-enable msr/perf-global-ctrl
    msr/misc-enable-bit22 msr/misc-enable-bit34 msr/debugctl-bts msr/unlisted
    debug/dr0-after-cpuid"
MACHINE_CASES="hypervisor-memory-write firmware-memory-write init-to-bsp unknown-vmcall
    vmcall-cpl3 ac/cpl3
    ipi/xapic-init-to-held-back ipi/xapic-sipi-to-held-back ipi/xapic-nmi-to-held-back
    ipi/xapic-init-to-absent ipi/xapic-sipi-to-absent ipi/xapic-nmi-to-absent
    ipi/x2apic-init-to-held-back ipi/x2apic-sipi-to-held-back ipi/x2apic-nmi-to-held-back
    ipi/x2apic-init-to-absent ipi/x2apic-sipi-to-absent ipi/x2apic-nmi-to-absent
    ipi/smi ipi/nmi-broadcast ioapic/nmi-to-held-back ioapic/init-to-guest
    ioapic/fixed-to-held-back pm/cnt-dword-2-early pm/s3 pci/pmba-move pci/pm-io-disable
    flood/nmi-while-logging log/flood-then-refusal log/escape loop/db"
# Rules Bochs' CPU cannot isolate (its CPUID, as Kestrel shows it, reports no
# MPX or AMX state), and the runtime memory the firmware may lack.
MAY_SKIP="xcr0/mpx-one-of-two xcr0/amx-one-of-two firmware-memory-write"
VCPUS="0 1 2 3"

printf 'payload = hostile\ncpus = 4\n' >"$WORK/kestrel.cfg"
make_image "$WORK/hostile.iso" "$BUILD/kestrel.elf:kestrel.elf" "$WORK/kestrel.cfg:kestrel.cfg"
rc=0
boot_bochs --iso "$WORK/hostile.iso" --smp 6 --timeout 300 || rc=$?
[ $rc -eq 0 ] || fail "Bochs run did not end normally (runner status $rc: $(tail -n 3 "$WORK/runner.out"))"
expect_line "kestrel: cpus held back 2"
expect_line "kestrel: guest hostile running on 4 cpus"
expect_line "hostile: starting on the BSP (APIC ID 0, xAPIC); 4 of 4 vCPUs online"

# ---- the guest's verdicts
expect_no_match 'NOT REFUSED'
check_case_lines
grep -Eq '^hostile: PASS ([0-9]+)/\1$' "$LOG" || fail "no 'hostile: PASS n/n' line"
passed=$(grep -Eo '^hostile: PASS [0-9]+' "$LOG" | grep -Eo '[0-9]+$')
[ "$passed" -eq "$expected" ] || fail "PASS $passed, but $expected case lines say refused"
[ "$passed" -ge 151 ] || fail "only $passed attacks counted (151 on Bochs' corei7_skylake_x)"

# ---- Kestrel's own reports: the first refusal of each kind, on cpu 0 and the APs
for cpu in $VCPUS; do
    warn "$cpu" 'guest vmxon refused \(#UD\): the guest has no VMX'
    warn "$cpu" 'guest mov to cr0 = 0x[0-9a-f]+ refused \(#GP\): CR0.PG cleared in 64-bit mode'
    warn "$cpu" 'guest wrmsr 0x3a = 0x5 refused \(#GP\)'
    warn "$cpu" 'guest rdmsr 0x570 \(IA32_RTIT_\*\) refused \(#GP\)'
    warn "$cpu" 'guest xsetbv xcr0 = (0x[0-9a-f]+|0) refused \(#GP\): XCR0 bit 0 \(x87\) must be set'
done
warn 0 'guest access refused \(hypervisor memory\): write at gpa '
if ! grep -q '^hostile: firmware-memory-write skipped' "$LOG"; then
    warn 0 'guest access refused \(runtime-(data|code) memory\): write at gpa '
fi
warn 0 "guest IPI refused: INIT IPI \(vector 0\) to APIC ID 0: INIT to the guest.s boot CPU"
warn 0 'unknown hypercall 0x4b455354'
warn 0 'guest I/O APIC entry refused: I/O APIC 0xfec00000 pin [0-9]+ = 0x[0-9a-f]+: NMI'
warn 0 'guest asked for ACPI sleep \(SLP_TYP 1 at the chipset PM1a control 0xb004\)'
warn 0 'guest PCI configuration write refused: 00:01.3 offset 0x40 = 0x[0-9a-f]+ \(4 bytes\) would change PIIX4 PMBA'
warn 0 'guest string I/O to an intercepted port refused \(#GP\): its memory operand is not guest RAM'
# The x2APIC cases run on cpu 1 (it switched its own LAPIC), the first to a held-back CPU.
warn 1 'guest IPI refused: INIT IPI \(vector 0\) to APIC ID 0x4: the destination is not one of the guest.s CPUs'

# Counted per vCPU: every IPI, I/O APIC, sleep and PCI attack, not just the warned one.
for cpu in $VCPUS; do
    grep -Eq "^kestrel: refused cpu$cpu total=[1-9]" "$LOG" || fail "no refusal counts for cpu $cpu"
    [ "$(refused_count "$cpu" vmx-instruction)" -eq 10 ] || fail "cpu $cpu: not 10 VMX instructions refused"
    # Both CR attacks must reach Kestrel (a write that only clears CR0.PG is the CPU's own #GP).
    [ "$(refused_count "$cpu" cr-write)" -eq 2 ] || fail "cpu $cpu: not 2 CR writes refused by Kestrel"
    [ "$(refused_count "$cpu" xsetbv)" -ge 5 ] || fail "cpu $cpu: fewer than 5 XSETBV refusals counted"
    [ "$(refused_count "$cpu" msr-read)" -ge 7 ] || fail "cpu $cpu: fewer than 7 RDMSR refusals counted"
    [ "$(refused_count "$cpu" msr-write)" -ge 12 ] || fail "cpu $cpu: fewer than 12 WRMSR refusals counted"
done
[ "$(refused_count 0 ipi)" -ge 8 ] || fail "cpu 0: fewer than 8 IPI refusals counted (6 xAPIC, INIT to the BSP, SMI)"
[ "$(refused_count 1 ipi)" -ge 6 ] || fail "cpu 1: fewer than 6 x2APIC IPI refusals counted"
[ "$(refused_count 0 ioapic)" -eq 3 ] || fail "cpu 0: not 3 I/O APIC refusals"
[ "$(refused_count 0 acpi-sleep)" -eq 2 ] || fail "cpu 0: not 2 sleep requests refused"
[ "$(refused_count 0 pci-config)" -eq 2 ] || fail "cpu 0: not 2 PCI configuration writes refused"

# ---- the log: guest text escaped, never a line of Kestrel's
expect_line 'kestrel: guest cpu 0: forged\nkestrel: guest reset: triple-fault\r\\\x00\x1b\x7f\x80\xff end'
expect_no_match '^kestrel: guest reset'

# ---- the end: powered off after the verdict, on a re-initialised COM1,
# with every vCPU out of the guest (the #DB-looping one too)
expect_line "kestrel: guest powered off"
verdict=$(grep -E '^hostile: PASS ' "$LOG")
expect_order "$verdict" "kestrel: guest powered off"
last=$(grep -E '^hostile: last: cpu [0-9]+ stays in the #DB loop' "$LOG") \
    || fail "no 'hostile: last: cpu N stays in the #DB loop' line"
loop_cpu=$(echo "$last" | sed -E 's/^hostile: last: cpu ([0-9]+) .*/\1/')
loop_exits=$(grep -E "^kestrel: exits cpu$loop_cpu " "$LOG" | grep -Eo ' exception_nmi=[0-9]+' | grep -Eo '[0-9]+$' || echo 0)
[ "$loop_exits" -ge 1000 ] || fail "cpu $loop_cpu (the #DB loop) has only $loop_exits exception exits"
expect_kestrel_survived
echo "ok: $passed attacks on 4 vCPUs refused and reported; the #DB loop on cpu $loop_cpu ($loop_exits exits) ended with the run; Kestrel survived"
