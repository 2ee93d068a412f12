#!/usr/bin/env bash
# The hostile guest (payload = hostile) attacks Kestrel from its boot CPU:
# VMX instructions, CR4.VMXE, feature-control and VMX-MSR writes, writes to
# hypervisor and firmware runtime memory, INIT to its own BSP, an unknown
# hypercall, a hypercall from CPL 3.  Every attack must be refused (the
# guest checks what it got) and reported by Kestrel, and Kestrel survives to
# report the guest's power-off and its exits.
source "$(dirname "$0")/lib.sh"
need_bochs
printf 'payload = hostile\n' >"$WORK/kestrel.cfg"
make_image "$WORK/hostile.iso" "$BUILD/kestrel.elf:kestrel.elf" "$WORK/kestrel.cfg:kestrel.cfg"
rc=0
boot_bochs --iso "$WORK/hostile.iso" --smp 2 --timeout 300 || rc=$?
[ $rc -eq 0 ] || fail "Bochs run did not end normally (runner status $rc: $(tail -n 3 "$WORK/runner.out"))"
expect_line "kestrel: guest hostile running on 2 cpus"
grep -Eq '^hostile: PASS ([0-9]+)/\1$' "$LOG" || fail "no 'hostile: PASS n/n' line"
[ "$(grep -Eo '^hostile: PASS [0-9]+' "$LOG" | grep -Eo '[0-9]+$')" -ge 17 ] || fail "fewer than 17 attacks ran"
expect_no_match 'NOT REFUSED'
for vmx in vmxon vmclear vmptrld vmread vmwrite vmlaunch vmresume vmxoff invept invvpid; do
    expect_line "hostile: vmx-instructions/$vmx refused"
done
expect_line "hostile: vmcall-cpl3 refused"
# Kestrel's own reports of what it refused:
grep -Eq '^kestrel: warning: cpu 0: guest wrmsr 0x3a = 0x5 refused \(#GP\)' "$LOG" || fail "feature-control write not reported"
# One warning per vCPU and kind of refusal; the rest are counted.
grep -Eq '^kestrel: refused cpu0 total=[0-9]+ .*msr-write=2( |$)' "$LOG" || fail "VMX MSR write not counted"
grep -Eq '^kestrel: warning: cpu 0: guest access refused \(hypervisor memory\): write at gpa ' "$LOG" \
    || fail "write to hypervisor memory not reported"
if ! grep -q '^hostile: firmware-memory-write skipped' "$LOG"; then
    grep -Eq '^kestrel: warning: cpu 0: guest access refused \(runtime-(data|code) memory\): write at gpa ' "$LOG" \
        || fail "write to firmware runtime memory not reported"
fi
grep -Eq '^kestrel: warning: cpu 0: guest IPI refused: INIT IPI \(vector 0\) to APIC ID 0: INIT to the guest.s boot CPU' "$LOG" \
    || fail "INIT to the BSP not refused at the interrupt command"
expect_line "kestrel: warning: cpu 0: unknown hypercall 0x4b455354 (reported once)"
expect_line "kestrel: guest powered off"
grep -Eq '^kestrel: exits cpu0 total=[1-9]' "$LOG" || fail "no exit statistics for cpu 0"
expect_no_match '^kestrel: error:'
echo "ok: every attack refused and reported; Kestrel survived"
