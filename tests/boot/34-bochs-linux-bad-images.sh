#!/usr/bin/env bash
# Linux payloads that cannot be booted give one clear line and the machine
# powers off; Kestrel never boots something else instead: a truncated
# bzImage and a file that is no bzImage at all.  (An initrd too large for
# guest memory is covered by reasoning, not here: building and reading a
# gigabyte image in Bochs would take longer than the whole suite.)
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/build-bochs.sh" >"$WORK/build-bochs.out" 2>&1 \
    || { tail -n 20 "$WORK/build-bochs.out"; fail "cannot build Bochs 3.0"; }
"$ROOT/scripts/fetch-linux.sh" "$WORK" >"$WORK/fetch.out" 2>&1 \
    || { cat "$WORK/fetch.out"; fail "cannot fetch the Linux test payload"; }

run_case() {   # name kernel-file initrd-file expected-line
    local name=$1 kernel=$2 initrd=$3 expected=$4 rc=0
    { printf 'payload = linux\nkernel = \\vmlinuz\n'; [ -z "$initrd" ] || printf 'initrd = \\initrd\n'; } \
        >"$WORK/$name.cfg"
    make_image "$WORK/$name.iso" "$BUILD/kestrel.elf:kestrel.elf" "$WORK/$name.cfg:kestrel.cfg" \
        "$kernel:vmlinuz" ${initrd:+"$initrd:initrd"}
    boot_bochs --iso "$WORK/$name.iso" --smp 1 --timeout 300 || rc=$?
    [ $rc -eq 0 ] || fail "$name: Bochs run did not end by itself (runner status $rc)"
    expect_line "$expected"
    expect_no_match '^kestrel: guest linux running'
}

head -c 600000 "$WORK/vmlinuz" >"$WORK/truncated"
run_case truncated "$WORK/truncated" "" \
    "kestrel: error: linux: protected-mode kernel is shorter than syssize says: file truncated"
head -c 1048576 /dev/zero >"$WORK/zeros"
run_case not-bzimage "$WORK/zeros" "" "kestrel: error: linux: no boot flag 0xAA55 at offset 0x1FE: not a Linux kernel image"
echo "ok: truncated and foreign kernel images refused with their reason"
