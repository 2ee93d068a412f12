#!/usr/bin/env bash
# `cpus = 2` on a 4-CPU machine: the guest gets 2 vCPUs (its MADT/boot info
# lists only those), the other cores stay in Kestrel and are counted in
# `kestrel: cpus held back 2`.  Then a file without a multiboot header and a
# truncated multiboot kernel as `payload = multiboot`: one clear line each,
# nothing boots.
source "$(dirname "$0")/lib.sh"
need_bochs

printf 'cpus = 2\n' >"$WORK/cap.cfg"
make_image "$WORK/cap.iso" "$BUILD/kestrel.elf:kestrel.elf" "$WORK/cap.cfg:kestrel.cfg"
rc=0
boot_bochs --iso "$WORK/cap.iso" --smp 4 --timeout 300 || rc=$?
[ $rc -eq 0 ] || fail "cpus = 2: Bochs run did not end normally (runner status $rc)"
expect_line "kestrel: vmx root on 4/4 cpus"
expect_line "kestrel: cpus held back 2"
expect_line "kestrel: guest selftest running on 2 cpus"
expect_line "selftest: PASS $((2 * SELFTEST_CHECKS_PER_CPU))/$((2 * SELFTEST_CHECKS_PER_CPU))"
expect_line "kestrel: guest powered off"

# refused NAME FILE REASON: FILE as the multiboot kernel gives one line, nothing boots.
printf 'payload = multiboot\nkernel = \\kernel.bin\n' >"$WORK/bad.cfg"
refused() {
    local name=$1 file=$2 reason=$3 rc=0
    make_image "$WORK/$name.iso" "$BUILD/kestrel.elf:kestrel.elf" "$WORK/bad.cfg:kestrel.cfg" "$file:kernel.bin"
    boot_bochs --iso "$WORK/$name.iso" --smp 1 --timeout 300 || rc=$?
    [ $rc -eq 0 ] || fail "$name: Bochs run did not end by itself (runner status $rc)"
    expect_line "kestrel: error: kestrel.cfg line 2: multiboot kernel \\kernel.bin: $reason"
    expect_no_match '^kestrel: guest multiboot running'
}

head -c 40000 /dev/urandom | tr -d '\002' >"$WORK/noheader.bin"
refused noheader "$WORK/noheader.bin" "no multiboot header (v1 in the first 8 KiB or v2 in the first 32 KiB)"

# The project's multiboot v1 test kernel cut short: its header's address
# fields ask for more bytes than the file has.
"$ROOT/tests/multiboot/build.sh" "$WORK" >"$WORK/build.out" 2>&1 || { cat "$WORK/build.out"; fail "cannot build the test kernels"; }
head -c 600 "$WORK/mbtest1.bin" >"$WORK/truncated.bin"
refused truncated "$WORK/truncated.bin" "load_end_addr asks for more bytes than the file has"
echo "ok: cpus = 2 holds 2 cores back; headerless and truncated multiboot files are refused"
