#!/usr/bin/env bash
# QEMU TCG, 2 CPU(s): every CPU comes online, the missing VMX is reported
# in one line, and Kestrel powers the machine off (the run ends by itself).
CPUS=2
source "$(dirname "$0")/qemu_smp.inc.sh"
