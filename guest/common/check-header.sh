#!/bin/bash
# Checks a built guest image against guest/guest_image.h: the first 32
# bytes of the flat binary are struct guest_image_header, and its offsets
# must name the ELF's entry and BSP stack top (guest/common/entry.asm).
#   check-header.sh <name>.bin <name>.elf
set -eu
bin=$1 elf=$2
base=0xffffffffc0000000       # GUEST_IMAGE_LINK_BASE (bash: 64-bit wrap-around arithmetic)
magic=5453455547545353        # GUEST_IMAGE_MAGIC ("SSTGUEST")

fail() { echo "check-header: $bin: $*" >&2; exit 1; }

set -- $(od -An -v -t x8 -N 32 "$bin")
[ $# -eq 4 ] || fail "shorter than the 32-byte header"
[ "$1" = "$magic" ] || fail "magic 0x$1, expected 0x$magic"
entry=$((0x$2)) size=$((0x$3)) stack=$((0x$4))
file_size=$(wc -c < "$bin")

sym() { nm "$elf" | awk -v s="$1" '$3 == s { print "0x" $1 }'; }
want_entry=$(( $(sym guest_entry) - base ))
want_stack=$(( $(sym bsp_stack_top) - base ))

[ "$entry" -eq "$want_entry" ] || fail "entry_offset $entry, guest_entry is at +$want_entry"
[ "$entry" -lt "$file_size" ] || fail "entry_offset $entry beyond the file ($file_size bytes)"
[ $((size % 4096)) -eq 0 ] || fail "image_size $size is not a 4 KiB multiple"
[ "$size" -ge "$file_size" ] || fail "image_size $size smaller than the file ($file_size bytes)"
[ "$stack" -eq "$want_stack" ] || fail "stack_top_offset $stack, bsp_stack_top is at +$want_stack"
[ "$stack" -le "$size" ] || fail "stack_top_offset $stack beyond image_size $size"
echo "  CHECK   $bin: header ok (entry +$entry, stack top +$stack, $file_size bytes file, $size bytes in memory)"
