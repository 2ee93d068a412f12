#!/usr/bin/env bash
# QEMU TCG, 1 CPU(s): every CPU comes online, the missing virtualization is
# reported in one line ($VIRT_LINE), and Kestrel powers the machine off (the run ends by itself).
CPUS=1
# An AMD CPU without SVM.
QEMU_CPU=qemu64,-svm
VIRT_LINE="kestrel: svm unavailable: cpuid reports no SVM"
source "$(dirname "$0")/qemu_smp.inc.sh"
