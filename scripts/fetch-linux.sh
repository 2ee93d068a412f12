#!/usr/bin/env bash
# Fetches the Linux test payload into the cache (no installation): Debian's
# cloud kernel and busybox-static, then builds a small initramfs whose /init
# reports what the guest sees and, as the kernel command line says
# (kestrel.init=shell|poweroff|reboot|survey), opens a shell on the serial
# console, powers off, reboots, or reports memory, NVMe BARs and a disk's md5
# and powers off.
# Usage: scripts/fetch-linux.sh OUTDIR   → OUTDIR/vmlinuz, OUTDIR/initrd.gz
set -euo pipefail
out=${1:?usage: fetch-linux.sh OUTDIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${KESTREL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kestrel}/linux
mkdir -p "$cache" "$out"

download() {   # package name → .deb in $cache (once)
    local pkg=$1
    if ! ls "$cache/${pkg}_"*.deb >/dev/null 2>&1; then
        echo "fetch-linux: downloading $pkg" >&2
        (cd "$cache" && apt-get download "$pkg" >/dev/null 2>"$cache/apt.err") || {
            apt-get update -q >/dev/null 2>&1 || true
            (cd "$cache" && apt-get download "$pkg" >/dev/null 2>"$cache/apt.err") || {
                echo "fetch-linux: error: cannot download $pkg: $(tail -n 1 "$cache/apt.err")" >&2
                exit 1
            }
        }
    fi
    ls "$cache/${pkg}_"*.deb | tail -n 1
}

# linux-image-cloud-amd64 is only a metapackage: the kernel is in the
# versioned package it depends on.
meta=$(download linux-image-cloud-amd64)
real=$(dpkg-deb -f "$meta" Depends | tr ',' '\n' | sed -E 's/^ *//; s/ .*//' | grep -E '^linux-image-[0-9].*-cloud-amd64' | head -n 1)
[ -n "$real" ] || { echo "fetch-linux: error: no kernel package in $meta's Depends" >&2; exit 1; }
kdeb=$(download "$real")
bdeb=$(download busybox-static)

if [ ! -s "$cache/vmlinuz" ] || [ "$kdeb" -nt "$cache/vmlinuz" ]; then
    rm -rf "$cache/k" && mkdir -p "$cache/k"
    dpkg-deb -x "$kdeb" "$cache/k"
    cp "$(ls "$cache"/k/boot/vmlinuz-* | head -n 1)" "$cache/vmlinuz"
    rm -rf "$cache/k"
fi

# The initramfs is cached under a name made from what goes into it (this
# script, /init and the busybox package): worktrees with different /init
# scripts share the cache, and a file's age cannot tell whose it is.
key=$(cat "${BASH_SOURCE[0]}" "$here/linux-init.sh" - <<<"${bdeb##*/}" | sha256sum | cut -c1-16)
initrd=$cache/initrd-$key.gz
if [ ! -s "$initrd" ]; then
    root=$(mktemp -d)
    trap 'rm -rf "$root"' EXIT
    dpkg-deb -x "$bdeb" "$root/pkg"
    mkdir -p "$root/fs/bin" "$root/fs/dev" "$root/fs/proc" "$root/fs/sys"
    cp "$root/pkg/bin/busybox" "$root/fs/bin/busybox"
    for tool in sh mount grep cat echo sleep nproc uname wc head sed tr cut dd md5sum poweroff reboot; do
        ln -s busybox "$root/fs/bin/$tool"
    done
    cp "$here/linux-init.sh" "$root/fs/init"
    chmod +x "$root/fs/init"
    # Written aside and renamed: another run may be reading the cache.
    (cd "$root/fs" && find . | cpio -o -H newc --quiet | gzip -9) >"$initrd.$$"
    mv -f "$initrd.$$" "$initrd"
fi
cp "$cache/vmlinuz" "$out/vmlinuz"
cp "$initrd" "$out/initrd.gz"
echo "fetch-linux: $real -> $out/vmlinuz, initramfs -> $out/initrd.gz" >&2
