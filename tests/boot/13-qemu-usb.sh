#!/usr/bin/env bash
# The same image as a USB stick: it must carry a real partition table
# (protective MBR + GPT with the EFI System Partition) and boot from
# QEMU's usb-storage with every CPU online.
CPUS=4
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/check-image.sh" "$ISO" >"$WORK/check-image.out" 2>&1 \
    || { cat "$WORK/check-image.out"; fail "image has no usable partition table"; }
rc=0
boot_qemu --iso "$ISO" --usb --smp 4 --cpu qemu64,-svm --timeout 90 || rc=$?
[ $rc -eq 0 ] || fail "USB boot did not end by itself (runner status $rc)"
expect_line "kestrel: cpus online 4/4"
expect_line "kestrel: svm unavailable: cpuid reports no SVM"
expect_no_match '^kestrel: (error|warning):'
echo "ok: partition table checked, booted from usb-storage"
