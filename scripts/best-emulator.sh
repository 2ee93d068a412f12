#!/usr/bin/env bash
# Prints the emulator Kestrel's tests should use here: "qemu-kvm" if QEMU with KVM and nested VMX
# works (scripts/detect-kvm.sh), else "bochs" (Bochs 3.0 emulates VMX; QEMU TCG does not).
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
    if "$here/detect-kvm.sh" >/dev/null; then echo qemu-kvm; else echo bochs; fi
else
    if "$here/detect-kvm.sh" >/dev/null 2>&1; then echo qemu-kvm; else echo bochs; fi
fi
