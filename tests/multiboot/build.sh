#!/usr/bin/env bash
# Builds the multiboot test kernels and their module:
#   OUTDIR/mbtest1.bin  Multiboot 1 kernel (address fields, loaded at 1 MiB)
#   OUTDIR/mbtest2.bin  Multiboot2 kernel (address + entry tags, loaded at 1 MiB)
#   OUTDIR/kmod.bin     the module: "KMOD" then 96 more bytes (100 in all)
# and checks that each kernel's header magic sits where a loader looks
# (v1: 4-aligned offset < 8192; v2: 8-aligned offset < 32768).
#
# Boot either kernel with a command line beginning "mbtest" and the one
# module "kmod.bin kmod-args"; it prints "multiboot: PASS n/n" on COM1.
#
# Usage: tests/multiboot/build.sh OUTDIR   (NASM=... to pick the assembler)
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$1
nasm=${NASM:-nasm}
mkdir -p "$out"

for v in 1 2; do
    # -w+all -Werror: the kernels must assemble without a single warning.
    "$nasm" -f bin -w+all -Werror -DMB_VERSION=$v -o "$out/mbtest$v.bin" "$here/mbtest.asm"
done

# The module: "KMOD", then bytes 0..95.
{
    printf 'KMOD'
    for i in $(seq 0 95); do
        printf "\\$(printf '%03o' "$i")"
    done
} > "$out/kmod.bin"

# First offset (a multiple of align, below limit) holding the little-endian
# dword magic, or nothing.  awk reads to the end: exiting early would kill od
# with SIGPIPE, which pipefail turns into a failure.
find_magic() { # file align limit magic-as-8-hex-digits
    od -A d -t x4 -v -w4 -N "$3" "$1" |
        awk -v a="$2" -v m="$4" '!found && $2 == m && ($1 % a) == 0 { print $1 + 0; found = 1 }'
}

check() { # file what align limit magic
    local off
    off=$(find_magic "$1" "$3" "$4" "$5")
    if [ -z "$off" ]; then
        echo "build.sh: $1: no $2 header magic 0x$5 at a $3-aligned offset below $4" >&2
        exit 1
    fi
    echo "build.sh: $(basename "$1"): $2 header at offset $off"
}

check "$out/mbtest1.bin" "multiboot 1" 4 8192 1badb002
check "$out/mbtest2.bin" "multiboot2" 8 32768 e85250d6

kmod_size=$(wc -c < "$out/kmod.bin")
if [ "$kmod_size" -ne 100 ] || [ "$(head -c 4 "$out/kmod.bin")" != KMOD ]; then
    echo "build.sh: $out/kmod.bin is not \"KMOD\" + 96 bytes" >&2
    exit 1
fi
echo "build.sh: kmod.bin: $kmod_size bytes"
