#!/usr/bin/env bash
# A bad kestrel.cfg line stops the boot with its line number; a config
# naming a missing payload file names that line too.  Kestrel never boots
# something other than what the file says.
source "$(dirname "$0")/lib.sh"

printf '# test config\npayload = selftest\nloglevel = loud\n' >"$WORK/bad.cfg"
make_image "$WORK/badcfg.iso" "$BUILD/kestrel.elf:kestrel.elf" "$WORK/bad.cfg:kestrel.cfg"
boot_qemu --iso "$WORK/badcfg.iso" --smp 1 --timeout 60 --until '^kestrel: returning to the firmware' \
    || fail "no 'returning to the firmware' line for a bad config"
expect_line "kestrel: error: kestrel.cfg line 3: bad loglevel 'loud' (expected error, warn, info or debug)"
expect_no_match '^kestrel: cpus online'

printf 'payload = linux\nkernel = /boot/vmlinuz\n' >"$WORK/missing.cfg"
make_image "$WORK/missing.iso" "$BUILD/kestrel.elf:kestrel.elf" "$WORK/missing.cfg:kestrel.cfg"
boot_qemu --iso "$WORK/missing.iso" --smp 1 --timeout 60 --until '^kestrel: returning to the firmware' \
    || fail "no 'returning to the firmware' line for a missing payload file"
expect_line 'kestrel: error: kestrel.cfg line 2: file \boot\vmlinuz not found on the boot volume'
echo "ok: bad line and missing file reported with their line numbers"
