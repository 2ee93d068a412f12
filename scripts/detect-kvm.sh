#!/usr/bin/env bash
# Tells whether QEMU can run Kestrel with KVM and nested VMX here.
# Prints "kvm" and exits 0 only if all hold:
#   - /dev/kvm exists and can be opened read-write
#   - the host CPU has the vmx flag (/proc/cpuinfo)
#   - kvm_intel's nested parameter is Y or 1
#   - a real probe works: QEMU starts with -accel kvm -cpu host,+vmx (paused, no disk, 3 s) without
#     failing to initialise KVM and without rejecting vmx
# Otherwise prints the reasons to stderr and exits 1. Never hangs: the probe runs under timeout.
#
# Usage: scripts/detect-kvm.sh [--probe]
#   --probe   run the QEMU probe even when an earlier check failed (to see its diagnosis)
set -euo pipefail

me=detect-kvm
force_probe=0
case "${1:-}" in
    '') ;;
    --probe) force_probe=1 ;;
    *) echo "usage: $0 [--probe]" >&2; exit 2 ;;
esac

reasons=()
if [ ! -e /dev/kvm ]; then
    reasons+=("/dev/kvm does not exist")
elif [ ! -c /dev/kvm ]; then
    reasons+=("/dev/kvm is not a character device")
elif ! (exec 3<>/dev/kvm) 2>/dev/null; then
    reasons+=("/dev/kvm cannot be opened read-write by $(id -un) (permissions or kvm group?)")
fi

if ! grep -qw vmx /proc/cpuinfo 2>/dev/null; then
    reasons+=("the host CPU has no vmx flag in /proc/cpuinfo (no Intel VT-x exposed)")
fi

nested_file=/sys/module/kvm_intel/parameters/nested
if [ ! -r "$nested_file" ]; then
    reasons+=("$nested_file missing (kvm_intel not loaded)")
else
    nested=$(timeout 2 cat "$nested_file" 2>/dev/null || true)
    case "$nested" in
        Y|y|1) ;;
        *) reasons+=("kvm_intel nested=$nested (want Y or 1: modprobe kvm_intel nested=1)") ;;
    esac
fi

if [ ${#reasons[@]} -eq 0 ] || [ "$force_probe" -eq 1 ]; then
    if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
        reasons+=("qemu-system-x86_64 not found (package qemu-system-x86)")
    else
        err=$(mktemp "${TMPDIR:-/tmp}/kestrel-detect-kvm.XXXXXX")
        trap 'rm -f "$err"' EXIT
        # Paused (-S) after KVM and the vCPUs are set up: if it is still running after 3 s, KVM works.
        # timeout sends TERM at 3 s and KILL 2 s later, so this cannot hang.
        st=0
        # (The outer 2>/dev/null hides bash's own "Aborted" report when QEMU dies of an assertion.)
        { timeout -k 2 3 qemu-system-x86_64 -accel kvm -cpu host,+vmx -machine q35 -m 64 -display none \
            -nodefaults -no-reboot -S </dev/null >/dev/null 2>"$err"; } 2>/dev/null || st=$?
        if [ "$st" -ne 124 ]; then
            reasons+=("QEMU probe with -accel kvm -cpu host,+vmx ended by itself (status $st) instead of running")
        fi
        if grep -qiE 'vmx|kvm|error|warning' "$err"; then
            while IFS= read -r l; do reasons+=("QEMU probe: $l"); done < <(grep -iE 'vmx|kvm|error|warning|assert' "$err" | head -n 5)
        fi
    fi
fi

if [ ${#reasons[@]} -gt 0 ]; then
    for r in "${reasons[@]}"; do echo "$me: $r" >&2; done
    echo "$me: no nested-VMX KVM here" >&2
    exit 1
fi
echo kvm
