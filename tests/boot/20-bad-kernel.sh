#!/usr/bin/env bash
# A corrupt kestrel.elf (truncated, then with a broken magic) is refused by
# the loader with one clear line, before anything is loaded.
source "$(dirname "$0")/lib.sh"

head -c 3000 "$BUILD/kestrel.elf" >"$WORK/truncated.elf"
make_image "$WORK/truncated.iso" "$WORK/truncated.elf:kestrel.elf"
boot_qemu --iso "$WORK/truncated.iso" --smp 1 --timeout 60 --until '^kestrel: returning to the firmware' \
    || fail "no 'returning to the firmware' line for a truncated kernel"
expect_line "kestrel: error: kestrel.elf is not a valid kernel: PT_LOAD segment extends past end of file"
expect_no_match '^kestrel: cpus online'

{ printf 'XELF'; tail -c +5 "$BUILD/kestrel.elf"; } >"$WORK/badmagic.elf"
make_image "$WORK/badmagic.iso" "$WORK/badmagic.elf:kestrel.elf"
boot_qemu --iso "$WORK/badmagic.iso" --smp 1 --timeout 60 --until '^kestrel: returning to the firmware' \
    || fail "no 'returning to the firmware' line for a kernel with a bad magic"
expect_line "kestrel: error: kestrel.elf is not a valid kernel: bad magic"
echo "ok: truncated and bad-magic kernels refused"
