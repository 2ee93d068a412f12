#!/usr/bin/env bash
# Tells whether QEMU can run Kestrel with KVM and nested virtualization here: VMX on an Intel host
# (kvm_intel), SVM on an AMD one (kvm_amd).
# Prints "kvm vmx" or "kvm svm" and exits 0 only if all hold:
#   - /dev/kvm exists and can be opened read-write
#   - the host CPU has the vmx or svm flag (/proc/cpuinfo)
#   - kvm_intel's (or kvm_amd's) nested parameter is Y or 1
#   - a real probe works: QEMU starts with -accel kvm -cpu host,+vmx (or +svm) (paused, no disk,
#     3 s) without failing to initialise KVM and without rejecting the flag
# Otherwise prints the reasons to stderr and exits 1. Never hangs: the probe runs under timeout.
#
# Usage: scripts/detect-kvm.sh [--probe] [--want vmx|svm]
#   --probe       run the QEMU probe even when an earlier check failed (to see its diagnosis)
#   --want KIND   succeed only for that kind (a test of one backend)
set -euo pipefail

me=detect-kvm
force_probe=0 want=''
while [ $# -gt 0 ]; do
    case "$1" in
        --probe) force_probe=1 ;;
        --want) want=${2:-}; shift ;;
        *) echo "usage: $0 [--probe] [--want vmx|svm]" >&2; exit 2 ;;
    esac
    shift
done
case "$want" in ''|vmx|svm) ;; *) echo "usage: $0 [--probe] [--want vmx|svm]" >&2; exit 2 ;; esac

reasons=()
if [ ! -e /dev/kvm ]; then
    reasons+=("/dev/kvm does not exist")
elif [ ! -c /dev/kvm ]; then
    reasons+=("/dev/kvm is not a character device")
elif ! (exec 3<>/dev/kvm) 2>/dev/null; then
    reasons+=("/dev/kvm cannot be opened read-write by $(id -un) (permissions or kvm group?)")
fi

kind='' module=''
if grep -qw vmx /proc/cpuinfo 2>/dev/null; then
    kind=vmx module=kvm_intel
elif grep -qw svm /proc/cpuinfo 2>/dev/null; then
    kind=svm module=kvm_amd
else
    reasons+=("the host CPU has neither the vmx nor the svm flag in /proc/cpuinfo (no VT-x or AMD-V exposed)")
fi
if [ -n "$want" ] && [ -n "$kind" ] && [ "$kind" != "$want" ]; then
    reasons+=("the host offers $kind, this test needs $want")
fi

if [ -n "$module" ]; then
    nested_file=/sys/module/$module/parameters/nested
    if [ ! -r "$nested_file" ]; then
        reasons+=("$nested_file missing ($module not loaded)")
    else
        nested=$(timeout 2 cat "$nested_file" 2>/dev/null || true)
        case "$nested" in
            Y|y|1) ;;
            *) reasons+=("$module nested=$nested (want Y or 1: modprobe $module nested=1)") ;;
        esac
    fi
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
        { timeout -k 2 3 qemu-system-x86_64 -accel kvm -cpu "host,+${kind:-vmx}" -machine q35 -m 64 -display none \
            -nodefaults -no-reboot -S </dev/null >/dev/null 2>"$err"; } 2>/dev/null || st=$?
        if [ "$st" -ne 124 ]; then
            reasons+=("QEMU probe with -accel kvm -cpu host,+${kind:-vmx} ended by itself (status $st) instead of running")
        fi
        if grep -qiE 'vmx|svm|kvm|error|warning' "$err"; then
            while IFS= read -r l; do reasons+=("QEMU probe: $l"); done < <(grep -iE 'vmx|svm|kvm|error|warning|assert' "$err" | head -n 5)
        fi
    fi
fi

if [ ${#reasons[@]} -gt 0 ]; then
    for r in "${reasons[@]}"; do echo "$me: $r" >&2; done
    echo "$me: no nested-virtualization KVM here" >&2
    exit 1
fi
echo "kvm $kind"
