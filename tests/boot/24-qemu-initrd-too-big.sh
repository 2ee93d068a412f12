#!/usr/bin/env bash
# An initrd larger than the machine's memory: the loader cannot allocate it
# and says so in one line (config line, file, its size, the firmware's free
# memory), then returns to the firmware.  The loader only reads files, so any
# small file serves as the kernel.
source "$(dirname "$0")/lib.sh"
MEM=128            # MiB of VM memory
INITRD_MIB=160     # more than all of it
printf 'payload = linux\nkernel = \\vmlinuz\ninitrd = \\initrd\n' >"$WORK/kestrel.cfg"
head -c 4096 /dev/zero >"$WORK/vmlinuz"
rm -f "$WORK/initrd"
truncate -s "${INITRD_MIB}M" "$WORK/initrd"   # sparse here; mkimage writes it out
make_image "$WORK/big-initrd.iso" "$BUILD/kestrel.elf:kestrel.elf" "$WORK/kestrel.cfg:kestrel.cfg" \
    "$WORK/vmlinuz:vmlinuz" "$WORK/initrd:initrd"
boot_qemu --iso "$WORK/big-initrd.iso" --smp 1 --mem "$MEM" --timeout 60 \
    --until '^kestrel: returning to the firmware' || fail "no 'returning to the firmware' line"

# The free figures depend on the firmware, so the line is matched as a whole
# with numbers in their places, and the numbers are checked for sense.
re="^kestrel: error: kestrel\\.cfg line 3: \\\\initrd \\(${INITRD_MIB} MiB\\) does not fit in free memory \\(largest free block ([0-9]+) MiB, ([0-9]+) MiB free in all\\)\$"
line=$(grep -E -- "$re" "$LOG" | head -n 1) || true
[ -n "$line" ] || fail "expected a line matching '$re'"
[[ $line =~ $re ]]
largest=${BASH_REMATCH[1]} total=${BASH_REMATCH[2]}
[ "$largest" -le "$total" ] && [ "$total" -lt "$MEM" ] && [ "$largest" -lt "$INITRD_MIB" ] \
    || fail "implausible free memory in '$line' (VM has $MEM MiB)"
[ "$(grep -c '^kestrel: error:' "$LOG")" -eq 1 ] || fail "more than one error line"
expect_line "kestrel: returning to the firmware (press a key, or wait 30 s)"
expect_order "$line" "kestrel: returning to the firmware (press a key, or wait 30 s)"
expect_no_match '^kestrel: loader: starting the kernel'
rm -f "$WORK/big-initrd.iso"   # ~190 MiB of zeros: not worth keeping
echo "ok: initrd larger than memory reported (largest free block $largest MiB, $total MiB free)"
