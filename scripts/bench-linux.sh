#!/usr/bin/env bash
# Linux boot under Kestrel versus the same kernel and initramfs started
# directly by OVMF (its EFI stub, from the UEFI shell's startup.nsh): two
# runs of the same 1-CPU Bochs 3.0 configuration back to back.  Reports the
# guest clock when /init starts (/proc/uptime) and the wall time from
# power-on to /init's first line, each with the ratio Kestrel/native.
# The native run has no ACPI to power off with: it is ended on that line.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD:-$root/build}
work=$build/bench-linux
mkdir -p "$work"
"$root/scripts/fetch-linux.sh" "$work" >/dev/null 2>&1 || { echo "bench-linux: cannot fetch the Linux payload" >&2; exit 1; }
"$root/scripts/build-bochs.sh" >/dev/null
cmdline="console=ttyS0,115200 kestrel.init=poweroff"

printf 'payload = linux\nkernel = \\vmlinuz\ninitrd = \\initrd.gz\ncmdline = %s\n' "$cmdline" >"$work/kestrel.cfg"
"$root/scripts/mkimage.sh" "$work/kestrel.iso" "$build/BOOTX64.EFI:EFI/BOOT/BOOTX64.EFI" \
    "$build/kestrel.elf:kestrel.elf" "$work/kestrel.cfg:kestrel.cfg" \
    "$work/vmlinuz:vmlinuz" "$work/initrd.gz:initrd.gz" >/dev/null
# Native: no boot loader on the volume, so OVMF drops to its shell, which
# runs startup.nsh: the kernel's EFI stub with the same initrd and command line.
printf '\\vmlinuz initrd=\\initrd.gz %s\r\n' "$cmdline" >"$work/startup.nsh"
"$root/scripts/mkimage.sh" "$work/native.iso" "$work/startup.nsh:startup.nsh" \
    "$work/vmlinuz:vmlinuz" "$work/initrd.gz:initrd.gz" >/dev/null

run() {   # name iso → prints "uptime wall"
    local name=$1 iso=$2 start end
    start=$(date +%s.%N)
    "$root/scripts/run-bochs.sh" --iso "$iso" --smp 1 --timeout 900 --log "$work/$name.log" \
        --workdir "$work/bochs-$name" --until '^kestrel-linux: /init uptime' >"$work/$name.out" 2>&1 || {
        echo "bench-linux: the $name run failed:" >&2; tail -n 5 "$work/$name.out" >&2; exit 1; }
    end=$(date +%s.%N)
    local up
    up=$(sed -nE 's/^kestrel-linux: \/init uptime ([0-9.]+)$/\1/p' "$work/$name.log" | head -n 1)
    echo "$up $(echo "$end - $start" | bc)"
}
read -r k_up k_wall < <(run kestrel "$work/kestrel.iso")
read -r n_up n_wall < <(run native "$work/native.iso")

echo
echo "Linux boot to /init, Bochs 3.0 with 1 CPU (Debian cloud kernel + the project's initramfs)"
echo
printf '%-36s %12s %12s %8s\n' "" "native" "Kestrel" "ratio"
printf '%-36s %12s %12s %8s\n' "guest clock at /init (s, /proc/uptime)" "$n_up" "$k_up" "$(echo "scale=2; $k_up / $n_up" | bc)"
printf '%-36s %12.1f %12.1f %8s\n' "wall time, power-on to /init (s)" "$n_wall" "$k_wall" "$(echo "scale=2; $k_wall / $n_wall" | bc)"
echo "(target: <= 1.5x.  The native run boots through the EFI stub and includes the UEFI shell's"
echo " startup.nsh countdown; the Kestrel run includes Kestrel's own start, every CPU in VMX root,"
echo " and the guest running under EPT.)"
