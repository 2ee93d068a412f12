#!/usr/bin/env bash
# A guest that touches its address space region by region to make Kestrel
# spend memory on second-level tables without end (hostile_case =
# slat/exhaust): QEMU TCG -cpu max with 46 physical-address bits (64 TiB:
# more 512 GiB regions than Kestrel has spare table pages), 1 CPU, SVM.
# Above RAM each first-touched region costs Kestrel one table page from its
# 64 spares (docs/vmx.md, "EPT layout"); when they are gone, Kestrel says so
# once and refuses further touches like any unmapped access, and keeps
# running: the regions mapped before still read, its memory is intact, the
# guest powers off normally.
source "$(dirname "$0")/lib.sh"

printf 'payload = hostile\nhostile_case = slat/exhaust\n' >"$WORK/kestrel.cfg"
make_image "$WORK/exhaust.iso" "$BUILD/kestrel.elf:kestrel.elf" "$WORK/kestrel.cfg:kestrel.cfg"
rc=0
boot_qemu --iso "$WORK/exhaust.iso" --smp 1 --cpu max --phys-bits 46 --timeout 90 || rc=$?
[ $rc -eq 0 ] || fail "QEMU run did not end by itself (runner status $rc: $(tail -n 1 "$WORK/runner.out"))"
expect_line "kestrel: svm on 1/1 cpus"
grep -Eq '^kestrel: second-level map: NPT, 4 levels, reaches 0x400000000000 \(64 TiB, all 46 address bits\); .*\(64 pages spare\)$' "$LOG" \
    || fail "no boot-report line: NPT reaching 64 TiB with 64 spare pages"
expect_line "hostile: slat/exhaust refused"
# Every spare page went to one region (1 GiB leaves: a PDPT each), then nothing more.
expect_line "hostile: slat/exhaust: 64 regions mapped, then 36 refused"
[ "$(grep -c '^kestrel: warning: second-level map: all 64 spare table pages used: ' "$LOG")" -eq 1 ] \
    || fail "the exhausted spares were not reported exactly once"
grep -Eq '^kestrel: warning: cpu 0: guest access refused \(unmapped memory\): read of a not-present page at gpa 0x[0-9a-f]+.* \(reported once\)$' "$LOG" \
    || fail "no refusal of the touch beyond the spares"
expect_line "kestrel: guest powered off"
expect_no_match '^kestrel: error:'
echo "ok: a guest touching 100 regions of 512 GiB got 64 mapped, then #GP; Kestrel's spares bounded it"
