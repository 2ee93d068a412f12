# Shared body of the QEMU SMP boot tests: boots build/kestrel.iso with
# $CPUS CPUs under TCG on a CPU model $QEMU_CPU that offers no usable
# virtualization, and checks the whole expected story, ending in the line
# $VIRT_LINE that says why no guest runs.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

rc=0
boot_qemu --iso "$ISO" --smp "$CPUS" --cpu "$QEMU_CPU" --timeout 90 "$@" || rc=$?
[ $rc -eq 0 ] || fail "QEMU run did not end by itself (runner status $rc: $(tail -n 1 "$WORK/runner.out"))"
expect_line "kestrel: cpus online $CPUS/$CPUS"
expect_line "$VIRT_LINE"
# QEMU's own ACPI tables (q35: ICH9 PM block at 0x600, \_S5 = 0), read by the
# same code that gives a guest the firmware's tables on real machines.
expect_line "kestrel: acpi: MADT agrees: $CPUS cpus"
expect_line "kestrel: acpi: firmware PM1a control 0x604, reset 0xcf9 (value 0xf), S5 type 0"
expect_order "kestrel: cpus online $CPUS/$CPUS" "$VIRT_LINE"
expect_no_match '^kestrel: (error|warning):'
echo "ok: $CPUS CPUs online on $QEMU_CPU, '$VIRT_LINE', powered off"
