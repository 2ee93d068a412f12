#!/usr/bin/env bash
# Installs the Debian packages Kestrel needs to build, image and emulate.
# Called by `make run` / `make test`; safe to run again (installs only what is missing).
set -euo pipefail

PKGS=(build-essential gcc clang lld nasm gnu-efi binutils qemu-system-x86 ovmf vgabios
      xorriso mtools dosfstools cpio gzip xz-utils wget ca-certificates bc
      python3 python3-yaml)

missing=()
for p in "${PKGS[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "kestrel deps: installing missing Debian packages: ${missing[*]}"
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then SUDO=(sudo); else
        echo "kestrel deps: error: not root and no sudo; install as root: apt-get install ${missing[*]}" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
if ! "${SUDO[@]}" apt-get update -q >/dev/null; then
    echo "kestrel deps: error: 'apt-get update' failed (network or apt sources?)" >&2; exit 1
fi
if ! "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"; then
    echo "kestrel deps: error: 'apt-get install ${missing[*]}' failed" >&2; exit 1
fi
echo "kestrel deps: installed ${missing[*]}"
