#!/bin/sh
# /init of Kestrel's Linux test initramfs: reports what the guest sees, then
# does what the kernel command line says (kestrel.init=shell|poweroff|reboot).
export PATH=/bin
mount -t devtmpfs dev /dev
mount -t proc proc /proc
mount -t sysfs sys /sys
echo "kestrel-linux: /init uptime $(cut -d' ' -f1 /proc/uptime)"
cpus=$(grep -c '^processor' /proc/cpuinfo)
hv=absent; grep -qw hypervisor /proc/cpuinfo && hv=present
vmx=absent; grep -qw vmx /proc/cpuinfo && vmx=present
echo "kestrel-linux: /init running: cpus $cpus, hypervisor flag $hv, vmx flag $vmx"
case " $(cat /proc/cmdline) " in
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
