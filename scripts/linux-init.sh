#!/bin/sh
# /init of Kestrel's Linux test initramfs: reports what the guest sees, then
# does what the kernel command line says (kestrel.init=shell|poweroff|reboot|
# survey).
export PATH=/bin
mount -t devtmpfs dev /dev
mount -t proc proc /proc
mount -t sysfs sys /sys
echo "kestrel-linux: /init uptime $(cut -d' ' -f1 /proc/uptime)"
cpus=$(grep -c '^processor' /proc/cpuinfo)
hv=absent; grep -qw hypervisor /proc/cpuinfo && hv=present
vmx=absent; grep -qw vmx /proc/cpuinfo && vmx=present
echo "kestrel-linux: /init running: cpus $cpus, hypervisor flag $hv, vmx flag $vmx"

# kestrel.init=survey: the facts of a big machine, then power-off.  The
# memory Linux counts (MemTotal) beside the RAM its e820 map hands it (what
# /sys/firmware/memmap keeps of boot_params), each NVMe controller's BAR 0
# from sysfs and /proc/iomem, and the md5 of the first kestrel.disk_mib MiB
# of kestrel.disk (default /dev/nvme0n1, 4 MiB).
survey() {
    disk=/dev/nvme0n1 mib=4
    for word in $(cat /proc/cmdline); do
        case "$word" in
            kestrel.disk=*) disk=${word#*=} ;;
            kestrel.disk_mib=*) mib=${word#*=} ;;
        esac
    done
    total=$(sed -n 's/^MemTotal: *\([0-9]*\) kB$/\1/p' /proc/meminfo)
    ram=0
    for entry in /sys/firmware/memmap/*; do
        [ "$(cat "$entry/type")" = "System RAM" ] || continue
        ram=$((ram + $(cat "$entry/end") - $(cat "$entry/start") + 1))
    done
    echo "kestrel-linux: memory: MemTotal $total kB, e820 RAM $((ram / 1024)) kB"
    for dev in /sys/bus/pci/devices/*; do
        [ "$(cat "$dev/class")" = 0x010802 ] || continue   # NVM Express
        read -r start end flags <"$dev/resource"
        echo "kestrel-linux: nvme ${dev##*/} bar0 $start-$end flags $flags"
    done
    grep ' : nvme$' /proc/iomem | sed 's/^ */kestrel-linux: iomem /'
    # The controller is probed asynchronously: its namespace's node may
    # appear after /init starts.
    tries=0
    while [ ! -b "$disk" ] && [ $tries -lt 600 ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
    if [ -b "$disk" ]; then
        sum=$(dd if="$disk" bs=1M count="$mib" iflag=fullblock 2>/dev/null | md5sum | cut -d' ' -f1)
        echo "kestrel-linux: disk $disk: md5 of the first $mib MiB $sum"
    else
        echo "kestrel-linux: disk $disk: no such block device after 60 s"
    fi
}

case " $(cat /proc/cmdline) " in
    *" kestrel.init=survey "*)
        survey
        echo "kestrel-linux: powering off"
        sleep 0.2
        echo o > /proc/sysrq-trigger
        poweroff -f ;;
    *" kestrel.init=poweroff "*)
        echo "kestrel-linux: powering off"
        sleep 0.2   # let the serial line drain before the machine goes away
        echo o > /proc/sysrq-trigger
        poweroff -f ;;
    *" kestrel.init=reboot "*)
        # Linux resets through the FADT's reset register by default, or
        # through the keyboard controller with reboot=k.
        echo "kestrel-linux: rebooting"
        sleep 0.2
        reboot -f ;;
    *)
        echo "kestrel-linux: shell on the serial console (poweroff -f to end)"
        exec sh </dev/ttyS0 >/dev/ttyS0 2>&1 ;;
esac
