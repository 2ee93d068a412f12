#!/usr/bin/env bash
# Prints the emulator `make run` should use here, best first:
#   qemu-kvm   QEMU with KVM and nested VMX or SVM (scripts/detect-kvm.sh)
#   qemu-svm   QEMU's TCG with -cpu max: AMD SVM with nested paging, emulated
#   bochs      the project's Bochs 3.0 (VMX and SVM emulated), when QEMU is missing
# Usage: scripts/best-emulator.sh [-v]
#   -v   also show detect-kvm.sh's reasons on stderr
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
verbose=0
case "${1:-}" in
    '') ;;
    -v) verbose=1 ;;
    *) echo "usage: $0 [-v]" >&2; exit 2 ;;
esac
if [ "$verbose" -eq 1 ]; then
    if "$here/detect-kvm.sh" >/dev/null; then echo qemu-kvm; exit 0; fi
else
    if "$here/detect-kvm.sh" >/dev/null 2>&1; then echo qemu-kvm; exit 0; fi
fi
if command -v qemu-system-x86_64 >/dev/null 2>&1; then echo qemu-svm; else echo bochs; fi
