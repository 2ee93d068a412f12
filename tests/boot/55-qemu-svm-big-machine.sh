#!/usr/bin/env bash
# A big machine end to end on the SVM backend: QEMU TCG -cpu max with 46
# physical-address bits, q35 with OVMF's own ACPI tables, 8 vCPUs, 6 GiB and
# an NVMe disk.  OVMF puts the 64-bit PCI window at the top of the address
# space (56 TiB with 46 bits), far above the 512 GiB the guest's RAM and
# low MMIO need, so the NVMe controller's 64-bit BAR 0 is reachable only if
# Kestrel's nested page tables cover the guest's whole physical-address
# space.  Debian's cloud kernel (NVMe built in) boots quietly to the
# project's /init (kestrel.init=survey), which reports its CPUs, its memory,
# the controller's BAR and the md5 of the disk's first 4 MiB, and powers off.
source "$(dirname "$0")/lib.sh"

cpus=8 mem_mib=6144 phys_bits=46 disk_mib=4
above=$((0x8000000000))   # 512 GiB: what one PML4 entry of the nested tables spans

# Known data: numbered lines, so a misread sector cannot match by chance.
disk=$WORK/nvme.img
seq -f 'kestrel-nvme-%08g' 1 $((disk_mib * 1048576 / 22 + 1)) >"$disk"
truncate -s "${disk_mib}M" "$disk"
want=$(md5sum <"$disk" | cut -d' ' -f1)

make_linux_image "$WORK/big.iso" survey make_image quiet "kestrel.disk=/dev/nvme0n1" "kestrel.disk_mib=$disk_mib"
t0=$(date +%s)
# An oops in Linux ends the run when its report is complete: a faulted NVMe
# probe would hold the boot (the kernel waits for it before starting /init)
# until the timeout.
linux_fault='^\[ *[0-9.]+\] (general protection fault|BUG: |Oops: )'
oops_end='^\[ *[0-9.]+\] ---\[ end trace'
rc=0
boot_qemu --iso "$WORK/big.iso" --smp "$cpus" --mem "$mem_mib" --cpu max --phys-bits "$phys_bits" \
    --nvme "$disk" --timeout 240 --until "^kestrel: guest powered off|Kernel panic|^kestrel: error|$oops_end|^kestrel-linux: shell on the serial console" || rc=$?
[ $rc -eq 0 ] || fail "QEMU run did not end normally (runner status $rc: $(tail -n 1 "$WORK/runner.out"))"
echo "boot: $(($(date +%s) - t0)) s"
if grep -q '^kestrel-linux: shell on the serial console' "$LOG"; then
    fail "/init opened its shell: the initramfs has no kestrel.init=survey (an old scripts/linux-init.sh?)"
fi
if grep -Eq -- "$linux_fault" "$LOG"; then
    fail "Linux faulted: $(grep -E -- "$linux_fault" "$LOG" | head -n 1)$(grep -m 1 'RIP: ' "$LOG" | sed 's/^\[[^]]*\]/,/')"
fi

expect_line "kestrel: svm on $cpus/$cpus cpus"
expect_line "kestrel: guest linux running on $cpus cpus"
grep -Eq "^kestrel: guest acpi: firmware tables, MADT with $cpus of $cpus cpus, PM1a control 0x604, reset 0xcf9, S5 type 0\$" "$LOG" \
    || fail "no 'kestrel: guest acpi: firmware tables, MADT with $cpus of $cpus cpus, ...' line"
grep -Eq "^kestrel-linux: /init running: cpus $cpus, hypervisor flag present" "$LOG" \
    || fail "Linux's /init did not report $cpus cpus and the hypervisor flag"

# The BAR, from sysfs and from /proc/iomem: both above 512 GiB.
bar=$(sed -n 's/^kestrel-linux: nvme [0-9a-f:.]* bar0 \(0x[0-9a-f]*\)-0x[0-9a-f]* flags .*/\1/p' "$LOG" | head -n 1)
[ -n "$bar" ] || fail "/init listed no NVMe controller"
[ $((bar)) -ge $above ] || fail "the NVMe BAR at $bar is not above 512 GiB (OVMF placed the 64-bit window low)"
iomem=$(sed -n 's/^kestrel-linux: iomem \([0-9a-f]*\)-[0-9a-f]* : nvme$/\1/p' "$LOG" | head -n 1)
[ -n "$iomem" ] && [ $((0x$iomem)) -eq $((bar)) ] || fail "/proc/iomem's nvme range (${iomem:-none}) is not sysfs' BAR $bar"

# Memory: Linux counts at least 90 % of the RAM Kestrel's e820 map hands it.
read -r total handed < <(sed -n 's/^kestrel-linux: memory: MemTotal \([0-9]*\) kB, e820 RAM \([0-9]*\) kB$/\1 \2/p' "$LOG" | head -n 1) \
    || fail "/init reported no memory line"
[ $((total * 10)) -ge $((handed * 9)) ] || fail "MemTotal $total kB is below 90 % of the $handed kB of RAM in the e820 map"
# And the hand-over is most of the machine: the RAM above 4 GiB reaches the guest.
[ $((handed * 10)) -ge $((mem_mib * 1024 * 9)) ] || fail "the e820 map hands the guest $handed kB, under 90 % of the machine's $mem_mib MiB"
echo "memory: MemTotal $total kB of $handed kB handed over ($((total * 100 / handed)) %), machine $((mem_mib * 1024)) kB"

# The disk: what the test wrote, read back through the NVMe controller.
expect_line "kestrel-linux: disk /dev/nvme0n1: md5 of the first $disk_mib MiB $want"

expect_line "kestrel-linux: powering off"
expect_line "kestrel: guest powered off"
expect_no_match 'Kernel panic|^kestrel: error:|guest access refused|^kestrel: warning: second-level map|ACPI (Error|Warning|BIOS Error)|unchecked MSR access error|nvme.*(timeout|failed|error)'
echo "ok: Linux on $cpus SVM vCPUs and $mem_mib MiB read the NVMe disk through its BAR at $bar (above 512 GiB) and powered off"
