#!/usr/bin/env bash
# `make run`: boots a Kestrel image in the best emulator here, serial on this terminal.
# Usage: scripts/run.sh --iso FILE [--smp N] [--mem MiB] [--emu qemu|kvm|bochs]
#   qemu  = QEMU with TCG, -cpu max: AMD SVM with nested paging (Kestrel's SVM backend)
#   kvm   = QEMU with KVM and nested VMX or SVM (only where the host offers it)
#   bochs = the project's Bochs 3.0 (emulated Intel VMX; built into the cache on first use)
# Without --emu: kvm where scripts/detect-kvm.sh proves nested virtualization works, else qemu
# (TCG with SVM), else bochs (scripts/best-emulator.sh).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

iso='' smp=4 mem='' emu=''
while [ $# -gt 0 ]; do
    case "$1" in
        --iso) iso=$2; shift ;;
        --smp) smp=$2; shift ;;
        --mem) mem=$2; shift ;;
        --emu) emu=$2; shift ;;
        *) echo "run: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
[ -n "$iso" ] || { echo "run: --iso FILE is required" >&2; exit 2; }

if [ -z "$emu" ]; then
    case "$("$here/best-emulator.sh")" in
        qemu-kvm) emu=kvm ;;
        qemu-svm) emu=qemu ;;
        *) emu=bochs ;;
    esac
fi
mem_args=()
[ -n "$mem" ] && mem_args=(--mem "$mem")

case "$emu" in
    qemu)  echo "run: QEMU (TCG, emulated AMD SVM), $smp CPUs" >&2
           exec "$here/run-qemu.sh" --iso "$iso" --smp "$smp" "${mem_args[@]}" --interactive ;;
    kvm)   echo "run: QEMU with KVM (nested VMX or SVM), $smp CPUs" >&2
           exec "$here/run-qemu.sh" --iso "$iso" --smp "$smp" "${mem_args[@]}" --accel kvm --interactive ;;
    bochs) echo "run: Bochs 3.0 (emulated VMX), $smp CPUs; Ctrl-C ends it" >&2
           "$here/build-bochs.sh" >/dev/null
           exec "$here/run-bochs.sh" --iso "$iso" --smp "$smp" "${mem_args[@]}" --interactive ;;
    *)     echo "run: EMU must be qemu, kvm or bochs (got '$emu')" >&2; exit 2 ;;
esac
