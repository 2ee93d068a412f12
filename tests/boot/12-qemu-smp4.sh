#!/usr/bin/env bash
# QEMU TCG, 4 CPU(s): every CPU comes online, the missing virtualization is
# reported in one line ($VIRT_LINE), and Kestrel powers the machine off (the run ends by itself).
CPUS=4
# QEMU's default model: AMD with SVM but no nested paging.
QEMU_CPU=qemu64
VIRT_LINE="kestrel: svm unavailable: no nested paging"
source "$(dirname "$0")/qemu_smp.inc.sh"
