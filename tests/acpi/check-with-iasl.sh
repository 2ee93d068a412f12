#!/bin/sh
# Checks the ACPI tables lib/acpi_build.c builds against ACPICA, the
# reference implementation (the one inside Linux):
#
#  1. `iasl -d` disassembles every table (FADT, FACS, DSDT, MADT, XSDT) with
#     no error or warning; it also verifies each checksum ("Incorrect
#     checksum" is a warning).
#  2. The disassembly recompiles (`iasl -oa`, no optimizations) to the same
#     bytes, except the checksum and the compiler ID/revision that iasl writes
#     in its own name: iasl's reading of every field matches ours.
#  3. The RSDP, which iasl cannot take as a binary, is written out as
#     data-table source from its bytes and compiled: iasl's RSDP (it computes
#     both checksums itself) must equal ours byte for byte.
#  4. If acpiexec is there: it loads FADT, FACS, DSDT and MADT through the
#     same table code as Linux and runs the S5 sleep path, which must find
#     SLP_TYP 5 in \_S5 and enter S5 with no ACPI warning.  (Its wake half
#     then fails to find \_S0, which the tables do not define: S5 never
#     returns.  acpiexec's interface self-tests also complain about the
#     optional GPE, PM2 and PM-timer blocks these tables leave out; both are
#     ignored.)
#
# Not part of the unit tests: iasl is optional.  Without it this prints a
# SKIP line and exits 0.  Debian: apt-get install acpica-tools.
#
#   tests/acpi/check-with-iasl.sh [-v]     (-v: show the disassembly)
set -eu

cd "$(dirname "$0")/../.."
verbose=0
[ "${1:-}" = "-v" ] && verbose=1

if ! command -v iasl >/dev/null 2>&1; then
    echo "check-with-iasl: SKIP: iasl not installed (Debian package acpica-tools)"
    exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
fail=0
bad() {
    echo "check-with-iasl: FAIL: $*"
    fail=1
}

${CC:-cc} -std=gnu11 -Wall -Wextra -Werror -I. -Iinclude -o "$work/dump-tables" \
    tests/acpi/dump-tables.c lib/acpi_build.c lib/kstring.c
if ! "$work/dump-tables" "$work"; then
    echo "check-with-iasl: FAIL: dump-tables could not build or find the tables"
    exit 1
fi
cd "$work"

# Byte offsets (1-based, as `cmp -l` prints them) iasl rewrites on compiling:
# the checksum (10) and the compiler ID and revision (29-36).
allowed_diffs='^ *(10|29|30|31|32|33|34|35|36) '

# 1 and 2: every table with a standard header, and the FACS.
for dat in *-facp.dat *-facs.dat *-dsdt.dat *-apic.dat *-xsdt.dat; do
    name=${dat%.dat}
    if ! iasl -d "$dat" >"$name.d.log" 2>&1; then
        bad "$dat: iasl -d failed"; cat "$name.d.log"; continue
    fi
    if grep -Eiq 'warning|error|incorrect|invalid|unknown' "$name.d.log" "$name.dsl"; then
        bad "$dat: iasl -d complained:"
        grep -Ei 'warning|error|incorrect|invalid|unknown' "$name.d.log" "$name.dsl"
    fi
    [ "$verbose" = 1 ] && cat "$name.dsl"
    if ! iasl -oa -p "rt-$name" "$name.dsl" >"$name.c.log" 2>&1; then
        bad "$dat: the disassembly does not recompile"; cat "$name.c.log"; continue
    fi
    if ! grep -q ' 0 Errors, 0 Warnings' "$name.c.log"; then
        bad "$dat: recompiling warned"; cat "$name.c.log"
    fi
    if [ "$(wc -c <"$dat")" != "$(wc -c <"rt-$name.aml")" ]; then
        bad "$dat: recompiled length $(wc -c <"rt-$name.aml") differs"
    elif cmp -l "$dat" "rt-$name.aml" | grep -Evq "$allowed_diffs"; then
        bad "$dat: recompiled bytes differ (offset, ours, iasl's; 1-based, octal):"
        cmp -l "$dat" "rt-$name.aml" | grep -Ev "$allowed_diffs"
    fi
done

# 3: the RSDP, rebuilt from its fields (x86 hosts: od's words are little-endian).
u8()  { od -An -tx1 -j "$2" -N 1 "$1" | tr -d ' \n'; }
u32() { od -An -tx4 -j "$2" -N 4 "$1" | tr -d ' \n'; }
u64() { od -An -tx8 -j "$2" -N 8 "$1" | tr -d ' \n'; }
for dat in *-rsdp.dat; do
    name=${dat%.dat}
    cat >"$name.asl" <<EOF
[0008]                          Signature : "$(dd if="$dat" bs=1 count=8 2>/dev/null)"
[0001]                           Checksum : 00
[0006]                             Oem ID : "$(dd if="$dat" bs=1 skip=9 count=6 2>/dev/null)"
[0001]                           Revision : $(u8 "$dat" 15)
[0004]                       RSDT Address : $(u32 "$dat" 16)
[0004]                             Length : $(u32 "$dat" 20)
[0008]                       XSDT Address : $(u64 "$dat" 24)
[0001]                  Extended Checksum : 00
[0003]                           Reserved : 000000
EOF
    if ! iasl -p "rt-$name" "$name.asl" >"$name.c.log" 2>&1 ||
       ! grep -q ' 0 Errors, 0 Warnings' "$name.c.log"; then
        bad "$dat: iasl does not compile its fields"; cat "$name.c.log" "$name.asl"; continue
    fi
    [ "$verbose" = 1 ] && cat "$name.asl"
    if ! cmp -s "$dat" "rt-$name.aml"; then
        bad "$dat: differs from iasl's RSDP with the same fields:"
        cmp -l "$dat" "rt-$name.aml" || true
    fi
done

# 4: ACPICA's FADT parsing and S5 path.
if command -v acpiexec >/dev/null 2>&1; then
    for dsdt in *-dsdt.dat; do
        case=${dsdt%-dsdt.dat}
        log=$case.exec.log
        if ! acpiexec -b "sleep 5" "$case-dsdt.dat" "$case-facp.dat" "$case-facs.dat" \
                "$case-apic.dat" >"$log" 2>&1; then
            bad "$case: acpiexec failed"; cat "$log"; continue
        fi
        grep -q 'Register values for sleep state S5: Sleep-A: 05, Sleep-B: 05' "$log" ||
            bad "$case: acpiexec did not read SLP_TYP 5 from \\_S5"
        grep -q 'Entering sleep state \[S5\]' "$log" ||
            bad "$case: acpiexec did not enter S5"
        if grep -E 'ACPI (BIOS )?(Warning|Error)|Firmware (Bug|Warning)|mismatch' "$log" |
                grep -v 'AE_NOT_FOUND, During invocation of sleep state S5' >"$case.complaints"; then
            bad "$case: acpiexec complained:"; cat "$case.complaints"
        fi
    done
else
    echo "check-with-iasl: acpiexec not found; skipping the ACPICA load and S5 check"
fi

if [ "$fail" = 0 ]; then
    echo "check-with-iasl: PASS: $(ls *.dat | wc -l) tables disassemble cleanly and round-trip through iasl $(iasl -v 2>/dev/null | sed -n 's/.*version \([0-9]*\).*/\1/p' | head -n 1)"
fi
exit "$fail"
