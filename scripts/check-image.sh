#!/usr/bin/env bash
# Checks that an image made by scripts/mkimage.sh is a real hybrid: a protective MBR (sector 0 ends in
# 55 AA and has a partition entry of type 0xEE), a GPT header ("EFI PART") at LBA 1, and a GPT entry of
# type EFI System Partition. (xorriso silently writes no partition table for some option forms; OVMF
# still boots such an image from El Torito, so a QEMU test alone would not notice.)
#
# Usage: scripts/check-image.sh IMAGE.iso
# Prints what it found; exits 0 if all checks pass, 1 (with a message) if not, 2 on usage error.
set -euo pipefail

me=check-image
if [ $# -ne 1 ] || [ "$1" = -h ] || [ "$1" = --help ]; then
    echo "usage: $0 IMAGE.iso" >&2
    exit 2
fi
img=$1
bad() { echo "$me: $img: $*" >&2; exit 1; }

[ -f "$img" ] || bad "no such file"
[ -r "$img" ] || bad "not readable"
size=$(stat -c %s -- "$img")
[ "$size" -ge 2048 ] || bad "only $size bytes: too small to hold an MBR and a GPT header"

# bytes IMG OFFSET COUNT -> hex bytes separated by single spaces, e.g. "55 aa"
bytes() { od -An -v -tx1 -j "$2" -N "$3" -- "$1" | tr -s ' \n' '  ' | sed 's/^ //; s/ $//'; }
# u32 / u64 IMG OFFSET -> unsigned little-endian integer (od reads in host order; x86 is little-endian)
u32() { od -An -v -tu4 -j "$2" -N 4 -- "$1" | tr -d ' \n'; }
u64() { od -An -v -tu8 -j "$2" -N 8 -- "$1" | tr -d ' \n'; }

sig=$(bytes "$img" 510 2)
[ "$sig" = "55 aa" ] || bad "sector 0 does not end in 55 AA (found '$sig'): no MBR"

ee=
types=()
for i in 0 1 2 3; do
    t=$(bytes "$img" $((446 + 16 * i + 4)) 1)
    types+=("$t")
    if [ "$t" = ee ] && [ -z "$ee" ]; then ee=$((i + 1)); fi
done
[ -n "$ee" ] || bad "no MBR partition entry of type 0xEE (types: ${types[*]}): no protective MBR for a GPT"

magic=$(dd if="$img" bs=1 skip=512 count=8 status=none)
[ "$magic" = "EFI PART" ] || bad "LBA 1 does not begin with \"EFI PART\" (found '$(bytes "$img" 512 8)'): no GPT header"

# GPT header: partition entry array LBA at 72, number of entries at 80, entry size at 84.
ent_lba=$(u64 "$img" $((512 + 72)))
ent_num=$(u32 "$img" $((512 + 80)))
ent_size=$(u32 "$img" $((512 + 84)))
if [ "$ent_size" -lt 128 ] || [ "$ent_size" -gt 4096 ]; then bad "GPT header: implausible partition entry size $ent_size"; fi
[ "$ent_num" -le 1024 ] || bad "GPT header: implausible number of partition entries $ent_num"
# EFI System Partition type GUID C12A7328-F81F-11D2-BA4B-00A0C93EC93B as stored on disk (mixed endian).
esp_guid="28 73 2a c1 1f f8 d2 11 ba 4b 00 a0 c9 3e c9 3b"
esp=
nparts=0
i=0
# One od call for the whole entry array, one line (of hex bytes) per entry.
ent_bytes=$((ent_num * ent_size))
avail=$((size - ent_lba * 512))
[ "$ent_bytes" -le "$avail" ] || ent_bytes=$((avail / ent_size * ent_size))
while read -r -a e; do
    i=$((i + 1))
    [ ${#e[@]} -ge 48 ] || continue
    t="${e[*]:0:16}"
    [ "$t" = "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00" ] && continue
    nparts=$((nparts + 1))
    if [ "$t" = "$esp_guid" ] && [ -z "$esp" ]; then
        off=$((ent_lba * 512 + (i - 1) * ent_size))
        first=$(u64 "$img" $((off + 32)))
        last=$(u64 "$img" $((off + 40)))
        esp="GPT entry $i: EFI System Partition, LBA $first-$last ($(( (last - first + 1) * 512 / 1024 )) KiB)"
    fi
done < <(if [ "$ent_bytes" -gt 0 ]; then od -An -v -tx1 -w"$ent_size" -j $((ent_lba * 512)) -N "$ent_bytes" -- "$img"; fi)
[ -n "$esp" ] || bad "GPT has $nparts partition(s) but none of type EFI System Partition"

echo "$me: $img: $size bytes"
echo "$me: sector 0: signature 55 AA, protective MBR entry $ee of type 0xEE (entry types: ${types[*]})"
echo "$me: LBA 1: GPT header \"EFI PART\", $nparts partition(s), entries at LBA $ent_lba"
echo "$me: $esp"
echo "$me: OK: hybrid image with protective MBR, GPT and an EFI System Partition"
