#!/usr/bin/env bash
# Boots a Kestrel image in QEMU (q35 + OVMF) and watches its serial output.
#
# Usage: scripts/run-qemu.sh --iso FILE [options] [-- EXTRA-QEMU-ARGS...]
#   --iso FILE        image to boot (required), as made by scripts/mkimage.sh
#   --usb             attach it as a usb-storage stick on qemu-xhci instead of -cdrom
#   --smp N           CPUs (default 4)
#   --mem MiB         memory (default 512)
#   --accel tcg|kvm   default tcg; kvm adds -accel kvm -cpu host
#   --cpu MODEL       TCG's CPU model (default max: AMD SVM with nested paging; qemu64,-svm for a
#                     CPU without any virtualization; qemu64 is SVM without nested paging)
#   --phys-bits N     the TCG CPU's physical-address width (QEMU's default for TCG is 40)
#   --nvme FILE       attach FILE (raw) as an NVMe disk (serial kestrel-nvme; 64-bit BAR 0)
#   --log FILE        serial log with ANSI escapes and CRs stripped (default build/serial.log in the
#                     repository); QEMU's raw serial output goes to FILE.raw
#   --until REGEX     stop QEMU as soon as a line of the stripped log matches (grep -E)
#   --timeout SECONDS give up after this long (default 60)
#   --interactive     serial on this terminal (-serial stdio): no log, no --until/--timeout
#                     (for `make run`; Ctrl-C ends QEMU)
#   -- ARGS...        passed to QEMU as they are (e.g. -d int)
# Exit status: 0 if REGEX matched, or if no --until was given and QEMU ended by itself (e.g. the guest's
# ResetSystem shutdown or an isa-debug-exit write; a QEMU that fails to start, printing nothing on
# the serial line, gives 1); 1 if QEMU ended before REGEX appeared or on another error; 124 on timeout;
# 2 on a usage error. The guest ends a run with an isa-debug-exit write of v to port 0xf4 (QEMU exit
# status (v << 1) | 1). The stripped log's path is printed at the end.
set -euo pipefail

me=run-qemu
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

usage() {
    sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}
# shellcheck source=scripts/runner-lib.sh
source "$here/runner-lib.sh"

iso='' cpu=max phys_bits='' nvme='' usb=0 smp=4 mem=512 accel=tcg log=$root/build/serial.log until='' until_set=0 timeout=60 timeout_set=0 interactive=0
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
        --iso) need_arg "$@"; iso=$2; shift ;;
        --usb) usb=1 ;;
        --smp) need_arg "$@"; smp=$2; shift ;;
        --mem) need_arg "$@"; mem=$2; shift ;;
        --accel) need_arg "$@"; accel=$2; shift ;;
        --cpu) need_arg "$@"; cpu=$2; shift ;;
        --phys-bits) need_arg "$@"; phys_bits=$2; shift ;;
        --nvme) need_arg "$@"; nvme=$2; shift ;;
        --log) need_arg "$@"; log=$2; shift ;;
        --until) need_arg "$@"; until=$2; until_set=1; shift ;;
        --timeout) need_arg "$@"; timeout=$2; timeout_set=1; shift ;;
        --interactive) interactive=1 ;;
        -h|--help) usage ;;
        --) shift; extra=("$@"); break ;;
        *) uerr "unknown argument: $1" ;;
    esac
    shift
done

[ -n "$iso" ] || uerr "--iso FILE is required"
runner_check_number --smp "$smp" 1 255
runner_check_number "--mem (MiB)" "$mem" 64 ''
runner_check_number "--timeout (seconds)" "$timeout" 1 ''
case "$accel" in tcg|kvm) ;; *) uerr "--accel must be tcg or kvm, not '$accel'" ;; esac
if [ -n "$phys_bits" ]; then
    runner_check_number --phys-bits "$phys_bits" 32 52
    [ "$accel" = tcg ] || uerr "--phys-bits is for TCG's CPU model (KVM uses the host's)"
fi
if [ "$interactive" -eq 1 ] && { [ "$until_set" -eq 1 ] || [ "$timeout_set" -eq 1 ]; }; then
    uerr "--interactive takes no --until or --timeout"
fi
runner_check_until

QEMU=qemu-system-x86_64
OVMF=/usr/share/ovmf/OVMF.fd
command -v "$QEMU" >/dev/null 2>&1 || die "$QEMU not found (run scripts/install-deps.sh: package qemu-system-x86)"
[ -f "$OVMF" ] || die "$OVMF not found (run scripts/install-deps.sh: package ovmf)"
[ -f "$iso" ] || die "image '$iso' not found"
[ -r "$iso" ] || die "image '$iso' not readable"
[ -z "$nvme" ] || [ -f "$nvme" ] || die "NVMe disk image '$nvme' not found"
if [ "$accel" = kvm ]; then
    if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
        die "--accel kvm: /dev/kvm is missing or not usable (see scripts/detect-kvm.sh)"
    fi
fi

cmd=("$QEMU" -machine q35 -m "$mem" -smp "$smp" -bios "$OVMF"
     -display none -net none -no-reboot -device 'isa-debug-exit,iobase=0xf4,iosize=4')
if [ "$accel" = kvm ]; then cmd+=(-accel kvm -cpu host); else cmd+=(-accel tcg -cpu "$cpu${phys_bits:+,phys-bits=$phys_bits}"); fi
if [ -n "$nvme" ]; then
    cmd+=(-drive "if=none,id=nvme0,format=raw,file=$nvme" -device 'nvme,serial=kestrel-nvme,drive=nvme0')
fi
if [ "$usb" -eq 1 ]; then
    cmd+=(-drive "if=none,id=stick,format=raw,readonly=on,file=$iso" -device qemu-xhci -device 'usb-storage,drive=stick')
else
    cmd+=(-cdrom "$iso")
fi

if [ "$interactive" -eq 1 ]; then
    cmd+=(-serial stdio "${extra[@]}")
    echo "$me: ${cmd[*]}" >&2
    exec "${cmd[@]}"
fi

mkdir -p -- "$(dirname -- "$log")" || die "cannot create the directory of $log"
raw=$log.raw
: >"$raw" || die "cannot write $raw"
: >"$log" || die "cannot write $log"
cmd+=(-serial "file:$raw" "${extra[@]}")

qpid=
trap 'runner_stop "$qpid"; rm -f "$log.tmp"' EXIT
trap 'runner_stop "$qpid"; exit 130' INT
trap 'runner_stop "$qpid"; exit 143' TERM

echo "$me: ${cmd[*]}" >&2
t0=$(date +%s%N)
"${cmd[@]}" </dev/null &
qpid=$!
interrupted=0
runner_watch "$qpid" "$t0"
qstatus=$exit_status
runner_stop "$qpid"; qpid=
runner_strip_log
secs=$(runner_seconds "$t0")

status=0
case "$result" in
    matched)
        echo "$me: matched /$until/ after ${secs} s" >&2 ;;
    timeout)
        echo "$me: timeout after $timeout s" >&2
        status=124 ;;
    exited)
        msg="qemu exited by itself after ${secs} s with status $qstatus"
        if [ $((qstatus & 1)) -eq 1 ] && [ "$qstatus" -ge 3 ]; then
            msg="$msg (isa-debug-exit value $(printf '0x%x' $((qstatus >> 1))))"
        fi
        echo "$me: $msg" >&2
        if [ "$until_set" -eq 1 ]; then
            echo "$me: /$until/ never appeared in the serial log" >&2
            status=1
        elif [ "$qstatus" -ne 0 ] && [ ! -s "$raw" ]; then
            echo "$me: qemu failed (status $qstatus, nothing on the serial line)" >&2
            status=1
        fi ;;
esac
echo "$me: serial log: $log"
exit "$status"
