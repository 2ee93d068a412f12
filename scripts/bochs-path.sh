#!/usr/bin/env bash
# Prints the path of the cached Bochs 3.0 binary built by scripts/build-bochs.sh, without building.
# Usage: scripts/bochs-path.sh
# Exits 1 (with a message on stderr) if there is no complete build in the cache.
set -euo pipefail

me=bochs-path
if [ $# -gt 0 ]; then echo "usage: $0" >&2; exit 2; fi
CACHE=${KESTREL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kestrel}
PREFIX=$CACHE/bochs-3.0
BOCHS=$PREFIX/bin/bochs
STAMP=$PREFIX/.kestrel-build-stamp
if [ -x "$BOCHS" ] && [ -f "$STAMP" ] && grep -qx 'complete=yes' "$STAMP" \
   && grep -qx 'BX_SUPPORT_SVM=1' "$STAMP"; then
    echo "$BOCHS"
    exit 0
fi
echo "$me: no complete Bochs 3.0 build with VMX and SVM at $PREFIX (run scripts/build-bochs.sh)" >&2
exit 1
