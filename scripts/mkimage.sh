#!/usr/bin/env bash
# Builds Kestrel's boot image: a FAT EFI System Partition image holding the given files, wrapped in a
# hybrid ISO (El Torito EFI boot image + protective MBR + GPT whose EFI System Partition is that image),
# so the same file boots as a CD and when written to a USB stick. Recipe: shared notes, section 2.
#
# Usage: scripts/mkimage.sh OUT.iso SRC:DEST [SRC:DEST ...]
#   SRC   a file on this machine
#   DEST  its path inside the ESP, e.g. EFI/BOOT/BOOTX64.EFI or kestrel.elf (directories are created)
# OVMF has no ISO 9660 driver: everything the loader reads must be inside the ESP, i.e. listed here.
# The ESP is FAT12/16 as mformat picks it (no -F: FAT32 needs more clusters than small images have),
# sized to the contents plus headroom, at least 4 MiB, rounded up to whole MiB.
# The result is checked with scripts/check-image.sh.
set -euo pipefail

me=mkimage
usage() { echo "usage: $0 OUT.iso SRC:DEST [SRC:DEST ...]" >&2; exit 2; }
die() { echo "$me: error: $*" >&2; exit 1; }

if [ $# -ge 1 ] && { [ "$1" = -h ] || [ "$1" = --help ]; }; then usage; fi
[ $# -ge 2 ] || usage
out=$1; shift
case "$out" in -*) usage ;; esac

for tool in mformat mmd mcopy xorriso dd od stat; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found (run scripts/install-deps.sh: needs mtools, xorriso, coreutils)"
done
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ -x "$here/check-image.sh" ] || die "$here/check-image.sh missing"

# Parse and check every SRC:DEST before doing anything. DEST never contains ':', so split at the last one.
srcs=(); dests=()
declare -A seen=()
total=0
for arg in "$@"; do
    case "$arg" in *:*) ;; *) die "argument '$arg' is not SRC:DEST" ;; esac
    src=${arg%:*}
    dest=${arg##*:}
    while [ "${dest#/}" != "$dest" ]; do dest=${dest#/}; done
    [ -n "$src" ] || die "argument '$arg': empty SRC"
    [ -n "$dest" ] || die "argument '$arg': empty DEST"
    case "/$dest/" in */../*|*/./*|*//*) die "argument '$arg': DEST must be a plain relative path (no '.', '..' or '//')" ;; esac
    case "$dest" in */) die "argument '$arg': DEST must name a file, not a directory" ;; esac
    [ -e "$src" ] || die "source file '$src' does not exist"
    [ -f "$src" ] || die "source '$src' is not a regular file"
    [ -r "$src" ] || die "source file '$src' is not readable"
    key=$(printf '%s' "$dest" | tr '[:lower:]' '[:upper:]')   # FAT names are case-insensitive
    [ -z "${seen[$key]:-}" ] || die "DEST '$dest' given twice"
    seen[$key]=1
    srcs+=("$src"); dests+=("$dest")
    total=$((total + $(stat -c %s -- "$src")))
done

# Size: contents + 1/8 + 64 KiB per file (cluster slack and directory entries) + 1 MiB, >= 4 MiB, whole MiB.
MiB=$((1024 * 1024))
need=$((total + total / 8 + ${#srcs[@]} * 65536 + MiB))
mib=$(((need + MiB - 1) / MiB))
[ "$mib" -ge 4 ] || mib=4

W=$(mktemp -d "${TMPDIR:-/tmp}/kestrel-mkimage.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$W"' EXIT
export MTOOLS_SKIP_CHECK=1
esp=$W/esp.img

dd if=/dev/zero of="$esp" bs=1M count="$mib" status=none || die "cannot create $mib MiB ESP image in $W"
mformat -i "$esp" :: >"$W/mtools.log" 2>&1 || { cat "$W/mtools.log" >&2; die "mformat failed"; }

declare -A made=()
for i in "${!srcs[@]}"; do
    dest=${dests[$i]}
    dir=
    IFS=/ read -r -a parts <<<"$dest"
    for ((j = 0; j < ${#parts[@]} - 1; j++)); do
        dir=$dir/${parts[$j]}
        key=$(printf '%s' "$dir" | tr '[:lower:]' '[:upper:]')
        if [ -z "${made[$key]:-}" ]; then
            mmd -i "$esp" "::$dir" >"$W/mtools.log" 2>&1 || { cat "$W/mtools.log" >&2; die "mmd ::$dir failed"; }
            made[$key]=1
        fi
    done
    mcopy -i "$esp" -- "${srcs[$i]}" "::/$dest" >"$W/mtools.log" 2>&1 \
        || { cat "$W/mtools.log" >&2; die "mcopy ${srcs[$i]} -> ::/$dest failed (ESP is $mib MiB)"; }
done

mkdir "$W/iso"
cp "$esp" "$W/iso/efiboot.img"
# Exactly this form: -efi-boot-part --efi-boot-image writes the protective MBR and the GPT whose EFI
# System Partition is the El Torito image (-isohybrid-gpt-basdat alone is silently ignored).
if ! xorriso -as mkisofs -R -J -e efiboot.img -no-emul-boot -efi-boot-part --efi-boot-image \
        -o "$W/out.iso" "$W/iso" >"$W/xorriso.log" 2>&1; then
    cat "$W/xorriso.log" >&2
    die "xorriso failed"
fi

"$here/check-image.sh" "$W/out.iso" >"$W/check.log" 2>&1 || { cat "$W/check.log" >&2; die "xorriso's output is not a valid hybrid image"; }

outdir=$(dirname -- "$out")
[ -d "$outdir" ] || mkdir -p -- "$outdir" || die "cannot create directory $outdir"
if ! cp "$W/out.iso" "$out.tmp.$$" || ! mv -f "$out.tmp.$$" "$out"; then
    rm -f "$out.tmp.$$"
    die "cannot write $out"
fi

echo "$me: $out: $(stat -c %s -- "$out") bytes, ESP $mib MiB (FAT, ${#srcs[@]} file(s), $total bytes of contents)"
for i in "${!srcs[@]}"; do echo "$me:   ${srcs[$i]} -> ${dests[$i]}"; done
# Check the file actually written, not just the temporary one.
"$here/check-image.sh" "$out" || die "$out failed the hybrid-image check"
