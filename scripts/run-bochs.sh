#!/usr/bin/env bash
# Boots a Kestrel image in Bochs 3.0 (emulated VMX; OVMF as the ROM) and watches its serial output.
# Recipe and bochsrc: shared notes "emulators.md" section 4. Bochs comes from the cache, built by
# scripts/build-bochs.sh when missing.
#
# Usage: scripts/run-bochs.sh --iso FILE [options]
#   --iso FILE          image to boot (required), as made by scripts/mkimage.sh
#   --smp N, --cpus N   CPUs (default 4)
#   --cpu-model NAME    Bochs CPU model (default corei7_skylake_x: Intel, VMX with EPT; ryzen: AMD,
#                       SVM with nested paging and next-RIP save)
#   --mem MiB           guest memory (default 1024)
#   --log FILE          serial log with ANSI escapes and CRs stripped (default build/serial.log in the
#                       repository); Bochs' raw serial output is WORKDIR/serial.raw
#   --until REGEX       stop Bochs as soon as a line of the stripped log matches (grep -E)
#   --timeout SECONDS   give up after this long (default 120)
#   --disk              boot the image as an ATA hard disk (a copy padded to whole MiB) instead of a CD
#   --bochs PATH        use this bochs binary instead of the cached build
#   --workdir DIR       run directory for bochsrc, bochs.log, serial.raw (default build/bochs-run in
#                       the repository); kept after the run
#   --rc LINE           append LINE to the bochsrc (repeatable), e.g. --rc 'magic_break: enabled=1'
#   --interactive       the serial port on this terminal, both ways: output shown live, what is typed
#                       goes to the guest (through scripts/serial-relay.c and a pseudo-terminal, built
#                       on first use); stdin may be a pipe. Ctrl-C ends the run. Default timeout: none
# A run ends normally on: a line matching REGEX; the guest writing "Shutdown" to port 0x8900
# (bochs.log: ">>PANIC<< Shutdown port: shutdown requested"); or an ACPI S5 power-off, e.g. OVMF's
# ResetSystem(EfiResetShutdown) (bochs.log: ">>PANIC<< ACPI control: soft power off").
# Exit status: 0 normal end (REGEX matched, or without --until a shutdown/power-off); 1 Bochs ended
# before REGEX appeared, or another error; 2 usage error; 3 bochs.log shows a VMX error (VMENTER FAIL,
# VMfail, INVEPT:, INVVPID, VMABORT), even if REGEX matched; 4 a triple fault or another Bochs panic;
# 124 timeout; 130 interrupted. Bochs' own exit status (1 after a shutdown) means nothing.
set -euo pipefail

me=run-bochs
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

usage() {
    sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}
# shellcheck source=scripts/runner-lib.sh
source "$here/runner-lib.sh"

iso='' model=corei7_skylake_x smp=4 mem=1024 log=$root/build/serial.log until='' until_set=0 timeout=120 timeout_set=0
interactive=0 disk=0 bochs='' workdir=$root/build/bochs-run
rc_lines=()
while [ $# -gt 0 ]; do
    case "$1" in
        --iso) need_arg "$@"; iso=$2; shift ;;
        --smp|--cpus) need_arg "$@"; smp=$2; shift ;;
        --cpu-model) need_arg "$@"; model=$2; shift ;;
        --mem) need_arg "$@"; mem=$2; shift ;;
        --log) need_arg "$@"; log=$2; shift ;;
        --until) need_arg "$@"; until=$2; until_set=1; shift ;;
        --timeout) need_arg "$@"; timeout=$2; timeout_set=1; shift ;;
        --disk) disk=1 ;;
        --bochs) need_arg "$@"; bochs=$2; shift ;;
        --workdir) need_arg "$@"; workdir=$2; shift ;;
        --rc) need_arg "$@"; rc_lines+=("$2"); shift ;;
        --interactive) interactive=1 ;;
        -h|--help) usage ;;
        *) uerr "unknown argument: $1" ;;
    esac
    shift
done

[ -n "$iso" ] || uerr "--iso FILE is required"
runner_check_number --smp/--cpus "$smp" 1 32
runner_check_number "--mem (MiB; the ROM sits below 4 GiB)" "$mem" 64 3072
runner_check_number "--timeout (seconds)" "$timeout" 1 ''
if [ "$interactive" -eq 1 ] && [ "$timeout_set" -eq 0 ]; then
    timeout=0    # a person at the terminal decides when it ends
fi
runner_check_until
for l in "${rc_lines[@]}"; do
    case "$l" in *display_library*rfb*) uerr "--rc: display_library rfb is never used (unauthenticated VNC)" ;; esac
done

OVMF=/usr/share/ovmf/OVMF.fd
VGABIOS=/usr/share/vgabios/vgabios.bin
[ -f "$OVMF" ] || die "$OVMF not found (run scripts/install-deps.sh: package ovmf)"
[ -f "$VGABIOS" ] || die "$VGABIOS not found (run scripts/install-deps.sh: package vgabios)"
[ -f "$iso" ] || die "image '$iso' not found"
[ -r "$iso" ] || die "image '$iso' not readable"
iso_abs=$(cd "$(dirname -- "$iso")" && pwd)/$(basename -- "$iso")

if [ -z "$bochs" ]; then
    if ! bochs=$("$here/bochs-path.sh" 2>/dev/null); then
        echo "$me: no Bochs 3.0 in the cache: building it with scripts/build-bochs.sh (a few minutes)" >&2
        bochs=$("$here/build-bochs.sh" | tail -n 1) || die "building Bochs failed (see above)"
    fi
fi
[ -x "$bochs" ] || die "bochs binary '$bochs' not found or not executable"

# The run directory: Bochs runs inside it, so the bochsrc needs only plain relative names (bochsrc
# values are split at commas and spaces). Only the files this script makes are removed.
mkdir -p -- "$workdir" || die "cannot create work directory $workdir"
workdir=$(cd -- "$workdir" && pwd)
rm -f -- "$workdir/bochsrc" "$workdir/bochs.log" "$workdir/bochs.out" "$workdir/serial.raw" \
         "$workdir/image.iso" "$workdir/disk.img" "$workdir/disk.img.lock"
mkdir -p -- "$(dirname -- "$log")" || die "cannot create the directory of $log"
: >"$log" || die "cannot write $log"
log=$(cd "$(dirname -- "$log")" && pwd)/$(basename -- "$log")
raw=$workdir/serial.raw
blog=$workdir/bochs.log
: >"$raw"

if [ "$disk" -eq 1 ]; then
    # A flat ATA disk image must be a whole number of MiB: pad a copy (the image itself stays as it is).
    cp -- "$iso_abs" "$workdir/disk.img" || die "cannot copy $iso to $workdir/disk.img"
    sz=$(stat -c %s "$workdir/disk.img")
    truncate -s $(( (sz + 1048575) / 1048576 * 1048576 )) "$workdir/disk.img"
    media="ata0-master: type=disk, path=disk.img, mode=flat"
    boot="boot: disk"
else
    ln -s -- "$iso_abs" "$workdir/image.iso"
    media="ata0-master: type=cdrom, path=image.iso, status=inserted"
    boot="boot: cdrom"
fi

# Serial: mode=file, or for --interactive mode=term on a pseudo-terminal that scripts/serial-relay.c
# connects to this terminal. (Not mode=term on /dev/tty itself: Bochs 3.0 puts that terminal in raw
# mode without ISIG, so Ctrl-C goes to the guest and cannot stop Bochs, and a killed Bochs leaves the
# terminal raw.)
if [ "$interactive" -eq 1 ]; then
    relay=$root/build/host/serial-relay
    if [ ! -x "$relay" ] || [ "$here/serial-relay.c" -nt "$relay" ]; then
        mkdir -p -- "$root/build/host"
        cc -std=gnu11 -O2 -Wall -Wextra -Werror -o "$relay" "$here/serial-relay.c" \
            || die "cannot build $here/serial-relay.c (needs the host C compiler: scripts/install-deps.sh)"
    fi
    com1="com1: enabled=1, mode=term, dev=com1.pty"
else
    com1="com1: enabled=1, mode=file, dev=serial.raw"
fi
{
    echo "# written by scripts/run-bochs.sh for $iso_abs"
    echo "display_library: nogui"
    echo "romimage: file=$OVMF, address=0xffe00000"
    echo "vgaromimage: file=$VGABIOS"
    echo "cpu: model=$model, count=$smp, ips=200000000, reset_on_triple_fault=0, ignore_bad_msrs=1"
    echo "memory: guest=$mem, host=$mem"
    echo "pci: enabled=1, chipset=i440fx"
    echo "ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14"
    echo "$media"
    echo "$com1"
    echo "log: bochs.log"
    echo "panic: action=fatal"
    echo "error: action=report"
    # nogui=ignore: Bochs' once-a-second "ips =" line is logged from a SIGALRM handler that takes
    # the log mutex; landing inside another log call, it deadlocks Bochs for good (seen in a bench
    # run). An ignored message returns before the mutex.
    echo "info: action=report, nogui=ignore"
    echo "debug: action=ignore"
    echo "$boot"
    for l in "${rc_lines[@]}"; do echo "$l"; done
} >"$workdir/bochsrc"

bpid=''
# shellcheck disable=SC2317  # called from traps
cleanup() { runner_stop "$bpid"; bpid=''; rm -f "$log.tmp"; }
trap cleanup EXIT
interrupted=0
trap 'interrupted=1' INT

if [ "$disk" -eq 1 ]; then how=disk; else how=cdrom; fi
echo "$me: $bochs -q -f bochsrc (in $workdir: $smp CPU(s), $mem MiB, $how $iso)" >&2
t0=$(date +%s%N)
if [ "$interactive" -eq 1 ]; then
    # The relay runs Bochs and copies between this terminal (fd 3: a background job's stdin would
    # be /dev/null) and the pty. Ctrl-C reaches Bochs (same process group), which quits; the relay
    # ignores it and restores the terminal when Bochs has gone.
    trap 'interrupted=1' INT
    trap 'cleanup; exit 143' TERM
    exec 3<&0
    (cd "$workdir" && exec "$relay" com1.pty serial.raw -- \
        sh -c 'exec "$0" -q -f bochsrc </dev/null >bochs.out 2>&1' "$bochs") <&3 &
    exec 3<&-
else
    trap 'interrupted=1; cleanup; exit 130' INT
    trap 'cleanup; exit 143' TERM
    (cd "$workdir" && exec "$bochs" -q -f bochsrc </dev/null >bochs.out 2>&1) &
fi
bpid=$!
runner_watch "$bpid" "$t0"
bstatus=$exit_status
runner_stop "$bpid"; bpid=''
runner_strip_log
secs=$(runner_seconds "$t0")

[ -f "$blog" ] || { echo "$me: Bochs wrote no $blog; its output:" >&2; tail -n 30 "$workdir/bochs.out" >&2 || true; }
touch "$blog"

# How did it end? (from bochs.log)
shutdown_line=$(LC_ALL=C grep -a -m1 -E '>>PANIC<< Shutdown port: shutdown requested' "$blog" || true)
poweroff_line=$(LC_ALL=C grep -a -m1 -E '>>PANIC<< ACPI control: soft power off' "$blog" || true)
triple_lines=$(LC_ALL=C grep -a -E '3rd \([0-9]+\) exception with no resolution' "$blog" || true)
panic_lines=$(LC_ALL=C grep -a -F '>>PANIC<<' "$blog" \
    | LC_ALL=C grep -v -E 'Shutdown port: shutdown requested|ACPI control: soft power off|3rd \([0-9]+\) exception with no resolution' \
    || true)
if [ "$result" = interrupted ]; then
    # Ctrl-C makes Bochs log ">>PANIC<< SIGNAL 2 caught": not a guest failure.
    panic_lines=$(printf '%s\n' "$panic_lines" | LC_ALL=C grep -v -E 'SIGNAL 2 caught' || true)
fi
vmx_lines=$(LC_ALL=C grep -a -i -E 'VMENTER FAIL|VMFAIL|INVEPT:|INVVPID|VMABORT' "$blog" || true)

status=0
case "$result" in
    matched) echo "$me: matched /$until/ after ${secs} s" >&2 ;;
    timeout) echo "$me: timeout after $timeout s" >&2; status=124 ;;
    interrupted) echo "$me: interrupted after ${secs} s" >&2; status=130 ;;
    exited)
        if [ -n "$shutdown_line" ]; then
            echo "$me: guest shut Bochs down (port 0x8900) after ${secs} s" >&2
        elif [ -n "$poweroff_line" ]; then
            echo "$me: guest powered off (ACPI S5) after ${secs} s" >&2
        else
            echo "$me: Bochs exited with status $bstatus after ${secs} s, without a shutdown or power-off" >&2
            status=1
        fi
        if [ "$until_set" -eq 1 ]; then
            echo "$me: /$until/ never appeared in the serial log" >&2
            status=1
        fi ;;
esac
if [ -n "$triple_lines" ] || [ -n "$panic_lines" ]; then
    if [ -n "$triple_lines" ]; then
        printf '%s\n' "$triple_lines" | sed "s/^/$me: triple fault: /" >&2
    fi
    if [ -n "$panic_lines" ]; then
        printf '%s\n' "$panic_lines" | head -n 20 | sed "s/^/$me: bochs panic: /" >&2
    fi
    status=4
fi
if [ -n "$vmx_lines" ]; then
    printf '%s\n' "$vmx_lines" | head -n 50 | sed "s/^/$me: bochs reported VMX error: /" >&2
    n=$(printf '%s\n' "$vmx_lines" | wc -l)
    [ "$n" -le 50 ] || echo "$me: ... $((n - 50)) more VMX error lines in $blog" >&2
    status=3
fi
if [ "$status" -eq 1 ] && [ "$result" = exited ] && [ -z "$shutdown_line$poweroff_line" ]; then
    echo "$me: last lines of $blog:" >&2
    tail -n 15 "$blog" >&2 || true
    if [ -s "$workdir/bochs.out" ]; then
        echo "$me: last lines of $workdir/bochs.out:" >&2
        tail -n 15 "$workdir/bochs.out" >&2 || true
    fi
fi
echo "$me: bochs log: $blog"
echo "$me: serial log: $log"
exit "$status"
