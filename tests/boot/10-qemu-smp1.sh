#!/usr/bin/env bash
# QEMU TCG, 1 CPU(s): every CPU comes online, the missing VMX is reported
# in one line, and Kestrel powers the machine off (the run ends by itself).
CPUS=1
source "$(dirname "$0")/qemu_smp.inc.sh"
