#!/usr/bin/env bash
# QEMU TCG, 2 CPU(s): every CPU comes online, the missing virtualization is
# reported in one line ($VIRT_LINE), and Kestrel powers the machine off (the run ends by itself).
CPUS=2
# An Intel CPU without VMX.
QEMU_CPU=qemu64,vendor=GenuineIntel
VIRT_LINE="kestrel: vmx unavailable: cpuid reports no VMX"
source "$(dirname "$0")/qemu_smp.inc.sh"
