#!/usr/bin/env bash
# Checks the layout rules of docs/architecture.md: which directory may
# include which, and that hardware instructions are wrapped once.
#   scripts/check-layout.sh        prints each violation, exits 1 if any
# Run by `make test` (tests/run-all.sh) as one test.
set -uo pipefail
cd "$(dirname "$0")/.."

# May-include table: a directory, then the directories its C and headers may
# include ("include" = include/, which holds the boot-info and lib/ headers).
# Checked longest prefix first, so guest/common is not taken for guest.
rules='
lib             include
boot            boot include
kernel          kernel mm drivers core vmx svm guest include
mm              mm kernel include
drivers         drivers mm kernel include
core            core mm drivers kernel include
vmx             vmx core mm drivers kernel include
svm             svm core mm drivers kernel include
guest/common    guest/common kernel/x86.h kernel/msr.h kernel/cpu_features.h kernel/control_regs.h guest/guest_image.h include
guest/selftest  guest/selftest guest/common kernel/x86.h kernel/msr.h kernel/cpu_features.h kernel/control_regs.h guest/guest_image.h include
guest/hostile   guest/hostile guest/common kernel/x86.h kernel/msr.h kernel/cpu_features.h kernel/control_regs.h guest/guest_image.h include
guest/bench     guest/bench guest/common kernel/x86.h kernel/msr.h kernel/cpu_features.h kernel/control_regs.h guest/guest_image.h include
guest           guest core mm kernel include
tests/fakeacpi  include
'

# Includes that break a rule today, each with the issue that removes it.
# Nothing may be added here without such a reason.
pending='
'

violations=0
say() { echo "layout: $*"; violations=$((violations + 1)); }

# The directory rule that applies to a file (longest matching prefix).
rule_for() {
    local file=$1 best="" bestlen=0 dir allowed
    while read -r dir allowed; do
        [ -z "$dir" ] && continue
        case "$file" in
            "$dir"/*) if [ ${#dir} -gt $bestlen ]; then best="$dir"; bestlen=${#dir}; fi ;;
        esac
    done <<<"$rules"
    echo "$best"
}

allowed_for() {
    awk -v d="$1" '$1 == d { $1 = ""; print }' <<<"$rules"
}

# Where an include resolves: the including file's own directory first
# (`#include "x.h"` next to it), then the -I paths (., include).
resolve() {
    local file=$1 inc=$2 here
    here=$(dirname "$file")
    if [ -f "$here/$inc" ] && [[ "$inc" != */* ]]; then
        echo "$here/$inc"
    elif [ -f "$inc" ]; then
        echo "$inc"
    elif [ -f "include/$inc" ]; then
        echo "include/$inc"
    else
        echo "?$inc"
    fi
}

while IFS= read -r file; do
    rule=$(rule_for "$file")
    [ -z "$rule" ] && continue
    allowed=$(allowed_for "$rule")
    while IFS= read -r inc; do
        [ -z "$inc" ] && continue
        target=$(resolve "$file" "$inc")
        case "$target" in
            \?*) say "$file includes \"$inc\", which does not exist"; continue ;;
        esac
        ok=0
        for a in $allowed; do
            case "$target" in
                "$a"|"$a"/*) ok=1; break ;;
            esac
        done
        [ $ok -eq 1 ] && continue
        if grep -Eq "^$file $inc( |$)" <<<"$pending"; then
            continue
        fi
        say "$file includes $target: $rule/ may include only: $allowed"
    done < <(grep -ho '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]*"' "$file" | sed 's/.*"\(.*\)"/\1/')
done < <(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.c' -o -name '*.h' | sed 's#^\./##')

# Hardware instructions are wrapped once (kernel/x86.h and kernel/safe_msr.h
# for the kernel, vmx/vmx_ops.h and svm/svm_ops.h for the backends); the
# built-in guests have their own wrappers and probes, and the hostile guest
# executes privileged instructions raw on purpose.
wrappers='kernel/x86.h kernel/safe_msr.h vmx/vmx_ops.h svm/svm_ops.h boot/cpuid.h'
insns='rdmsr|wrmsr|cpuid|xsetbv|xgetbv|vmread|vmwrite|vmlaunch|vmresume|vmptrld|vmclear|vmxon|vmxoff|invept|invvpid|vmrun|vmload|vmsave|stgi|clgi|invlpga|in[bwl]?|out[bwl]?|wbinvd|invd|[ls]gdt|[ls]idt|ltr|mov[[:space:]]*%%?cr[0-8]|mov[[:space:]]*%%?dr[0-7]'
while IFS= read -r file; do
    case "$file" in
        guest/common/*|guest/hostile/*|guest/selftest/*|guest/bench/*|tests/*) continue ;;
    esac
    case " $wrappers " in *" $file "*) continue ;; esac
    hits=$(grep -nE "__asm__|asm[[:space:]]*(volatile)?[[:space:]]*\(" "$file" | grep -Ei "\"[[:space:]]*($insns)([[:space:]]|\"|;|\\\\)" || true)
    if [ -n "$hits" ]; then
        while IFS= read -r h; do
            say "$file:${h%%:*}: raw hardware instruction outside the wrappers ($wrappers)"
        done <<<"$hits"
    fi
done < <(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.c' -o -name '*.h' | sed 's#^\./##')

if [ $violations -gt 0 ]; then
    echo "layout: $violations violation(s) of docs/architecture.md"
    exit 1
fi
echo "layout: ok"
