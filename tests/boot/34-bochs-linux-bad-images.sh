#!/usr/bin/env bash
# Linux payloads that cannot be booted give one clear line naming the
# kestrel.cfg line of the file, and the machine powers off; Kestrel never
# boots something else instead: a truncated bzImage, a file that is no
# bzImage at all, and an initrd the loader can hold but the guest's copy of
# it cannot (a small machine: 256 MiB).
source "$(dirname "$0")/lib.sh"
need_bochs
need_linux

# expected-line is matched whole; "<n>" in it stands for a number (figures
# that move with Kestrel's own memory use).  Further arguments go to Bochs.
run_case() {   # name kernel-file initrd-file expected-line [run-bochs.sh options...]
    local name=$1 kernel=$2 initrd=$3 expected=$4 rc=0 re
    shift 4
    { printf 'payload = linux\nkernel = \\vmlinuz\n'; [ -z "$initrd" ] || printf 'initrd = \\initrd\n'; } \
        >"$WORK/$name.cfg"
    make_image "$WORK/$name.iso" "$BUILD/kestrel.elf:kestrel.elf" "$WORK/$name.cfg:kestrel.cfg" \
        "$kernel:vmlinuz" ${initrd:+"$initrd:initrd"}
    boot_bochs --iso "$WORK/$name.iso" --smp 1 --timeout 300 "$@" || rc=$?
    [ $rc -eq 0 ] || fail "$name: Bochs run did not end by itself (runner status $rc)"
    re=$(printf '%s' "$expected" | sed -e 's/[][\\.*^$(){}+?|]/\\&/g' -e 's/<n>/[0-9]+/g')
    grep -Exq -- "$re" "$LOG" || fail "$name: expected the line '$expected'"
    expect_no_match '^kestrel: guest linux running'
}

head -c 600000 "$WORK/vmlinuz" >"$WORK/truncated"
run_case truncated "$WORK/truncated" "" \
    "kestrel: error: kestrel.cfg line 2: linux kernel \\vmlinuz: protected-mode kernel is shorter than syssize says: file truncated"
head -c 1048576 /dev/zero >"$WORK/zeros"
run_case not-bzimage "$WORK/zeros" "" "kestrel: error: kestrel.cfg line 2: linux kernel \\vmlinuz: no boot flag 0xAA55 at offset 0x1FE: not a Linux kernel image"
# 100 MiB fits the firmware's free memory, but with the loader's copy kept and
# the kernel placed, less than that is left for the guest's copy.
rm -f "$WORK/big-initrd"
truncate -s 100M "$WORK/big-initrd"
run_case big-initrd "$WORK/vmlinuz" "$WORK/big-initrd" \
    "kestrel: error: kestrel.cfg line 3: linux initrd \\initrd: the initrd (100 MiB) does not fit in guest memory below its limit of 4096 MiB (largest free block <n> MiB)" \
    --mem 256
rm -f "$WORK/big-initrd.iso"   # 100 MiB of zeros: not worth keeping
echo "ok: truncated and foreign kernel images and an initrd too big for guest memory refused with their reason"
