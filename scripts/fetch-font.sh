#!/usr/bin/env bash
# Puts the framebuffer console's font (Lat15-VGA16.psf, the classic VGA
# 8x16 glyphs, from Debian's console-setup-linux package) at OUT.  The .deb is
# downloaded, not installed, and the font cached outside the clone.
# Usage: scripts/fetch-font.sh OUT
set -euo pipefail
out=${1:?usage: fetch-font.sh OUT}
cache=${KESTREL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kestrel}/fonts
font=$cache/Lat15-VGA16.psf

if [ ! -s "$font" ]; then
    mkdir -p "$cache"
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    echo "fetch-font: downloading console-setup-linux (for the framebuffer console font)" >&2
    if ! (cd "$tmp" && apt-get download console-setup-linux >/dev/null 2>"$tmp/err"); then
        # Package lists may be missing on a fresh machine: refresh once.
        apt-get update -q >/dev/null 2>&1 || true
        (cd "$tmp" && apt-get download console-setup-linux >/dev/null 2>"$tmp/err") || {
            echo "fetch-font: error: cannot download console-setup-linux: $(tail -n 1 "$tmp/err")" >&2
            exit 1
        }
    fi
    dpkg-deb -x "$tmp"/console-setup-linux_*.deb "$tmp/x"
    zcat "$tmp/x/usr/share/consolefonts/Lat15-VGA16.psf.gz" >"$tmp/font.psf"
    mv "$tmp/font.psf" "$font"
fi
mkdir -p "$(dirname "$out")"
cp "$font" "$out"
