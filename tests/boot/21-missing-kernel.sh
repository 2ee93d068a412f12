#!/usr/bin/env bash
# An image without kestrel.elf: one clear line, back to the firmware.
source "$(dirname "$0")/lib.sh"
make_image "$WORK/nokernel.iso"
boot_qemu --iso "$WORK/nokernel.iso" --smp 1 --timeout 60 --until '^kestrel: returning to the firmware' \
    || fail "no 'returning to the firmware' line"
expect_line "kestrel: error: kernel kestrel.elf not found on the boot volume"
echo "ok: missing kernel reported"
