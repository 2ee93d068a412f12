#!/usr/bin/env bash
# Builds Bochs 3.0 (with VMX and SVM, SMP, x86-64) from Debian trixie's source package and installs it into
#   ${KESTREL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kestrel}/bochs-3.0/
# Recipe: shared notes "emulators.md" section 4. Debian 12's own bochs (2.7) cannot run a guest's
# INIT-SIPI-SIPI under VMX, hence this build.
#
# Usage: scripts/build-bochs.sh [--force]
#   --force   rebuild even if a complete build is already installed
# Idempotent: if $PREFIX/bin/bochs exists and the stamp file says the build is complete, it exits 0
# at once. Progress goes to stderr; the last line of stdout is the path of the bochs binary.
# The system's apt sources are never touched: the source package is fetched with a private apt
# configuration in a temporary directory.
# Environment: KESTREL_CACHE (cache root), KESTREL_DEBIAN_MIRROR (override the Debian mirror URI).
set -euo pipefail

me=build-bochs
die() { echo "$me: error: $*" >&2; exit 1; }
say() { echo "$me: $*" >&2; }

force=0
while [ $# -gt 0 ]; do
    case "$1" in
        --force) force=1 ;;
        -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "$me: unknown argument: $1 (usage: $0 [--force])" >&2; exit 2 ;;
    esac
    shift
done

CACHE=${KESTREL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kestrel}
PREFIX=$CACHE/bochs-3.0
BOCHS=$PREFIX/bin/bochs
STAMP=$PREFIX/.kestrel-build-stamp
LOG=$CACHE/bochs-build.log

# The configure flags are part of the stamp: a cached build made with other flags (an older
# VMX-only build, say) is not complete for this script and gets rebuilt.
CONFIGURE_FLAGS=(--with-nogui --without-x11 --without-sdl2 --without-wx --enable-x86-64 --enable-smp
    --enable-vmx=2 --enable-svm --enable-cpu-level=6 --enable-all-optimizations --enable-pci --enable-usb
    --enable-usb-xhci --enable-avx --enable-evex --enable-plugins=no --disable-readline)
FLAGS_LINE="configure_flags=${CONFIGURE_FLAGS[*]}"
complete() {
    [ -x "$BOCHS" ] && [ -f "$STAMP" ] && grep -qx 'complete=yes' "$STAMP" && grep -qxF "$FLAGS_LINE" "$STAMP"
}

if [ "$force" -eq 0 ] && complete; then
    echo "$BOCHS"
    exit 0
fi

mkdir -p "$CACHE" || die "cannot create cache directory $CACHE"

# One build at a time (a second caller waits, then finds the finished build).
exec 9>"$CACHE/bochs-build.lock"
if ! flock -w 900 9; then die "timed out waiting for another build (lock $CACHE/bochs-build.lock)"; fi
if [ "$force" -eq 0 ] && complete; then
    echo "$BOCHS"
    exit 0
fi

for tool in apt-get tar xz make gcc g++ grep sed timeout; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found (run scripts/install-deps.sh; Bochs needs build-essential/g++)"
done
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
[ -r "$KEYRING" ] || die "$KEYRING missing (install debian-archive-keyring)"

# The Debian mirror this machine's apt already uses: the first URIs: line of a deb822 .sources file,
# else the first deb line of sources.list. Security mirrors do not carry trixie's main suite: skip them.
mirror_uri() {
    local f line uri
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        while IFS= read -r line; do
            case "$line" in
                URIs:*)
                    for uri in ${line#URIs:}; do
                        case "$uri" in *security*) continue ;; esac
                        echo "${uri%/}"; return 0
                    done ;;
            esac
        done <"$f"
    done
    if [ -f /etc/apt/sources.list ]; then
        # deb [options] URI suite components
        uri=$(sed -n -E 's/^[[:space:]]*deb(-src)?[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+).*/\3/p' \
                /etc/apt/sources.list | grep -v security | head -n1 || true)
        if [ -n "$uri" ]; then echo "${uri%/}"; return 0; fi
    fi
    return 1
}
uri=${KESTREL_DEBIAN_MIRROR:-}
if [ -z "$uri" ]; then
    uri=$(mirror_uri) || die "found no Debian mirror URI in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list (set KESTREL_DEBIAN_MIRROR)"
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/kestrel-bochs-build.XXXXXX") || die "mktemp failed"
cleanup() { rm -rf "$W"; }
trap cleanup EXIT

: >"$LOG" || die "cannot write log $LOG"
fail() {
    echo "$me: error: $*" >&2
    echo "$me: ---- last 30 lines of $LOG ----" >&2
    tail -n 30 "$LOG" >&2 || true
    echo "$me: ---- full build log: $LOG ----" >&2
    exit 1
}

# Private apt configuration: own source list, own lists and caches, so nothing of the system's
# apt state (sources, lists, pkgcache) changes.
mkdir -p "$W/lists/partial" "$W/sources.d" "$W/prefs.d" "$W/cache/archives/partial" "$W/src"
printf 'Types: deb-src\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: %s\n' "$uri" "$KEYRING" \
    >"$W/sources.d/trixie-src.sources"
apt_opts=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$W/sources.d"
          -o "Dir::State::Lists=$W/lists" -o "Dir::Cache=$W/cache"
          -o Dir::Etc::Preferences=/dev/null -o "Dir::Etc::PreferencesParts=$W/prefs.d"
          -o Acquire::Retries=3 -o Acquire::http::Timeout=60)
# apt drops to the _apt user for downloads, which cannot write our private (0700) directories.
if [ "$(id -u)" -eq 0 ]; then apt_opts+=(-o APT::Sandbox::User=root); fi

start=$(date +%s)
say "fetching Bochs 3.0 source from $uri (trixie deb-src); log: $LOG"
{ echo "### $(date -u) build-bochs: mirror $uri, prefix $PREFIX"; } >>"$LOG"
timeout 600 apt-get "${apt_opts[@]}" update >>"$LOG" 2>&1 || fail "apt-get update (private trixie deb-src list) failed"
# The .dsc may answer 404 and apt-get exit non-zero while the tarballs still arrive: test for the
# tarball, not the exit status.
(cd "$W/src" && timeout 900 apt-get "${apt_opts[@]}" source --download-only bochs) >>"$LOG" 2>&1 || true
tarball=
for t in "$W"/src/bochs_3.0*.orig.tar.*; do [ -f "$t" ] && tarball=$t && break; done
[ -n "$tarball" ] || fail "the Bochs 3.0 orig tarball did not arrive (apt-get source bochs from trixie)"
say "got $(basename "$tarball"); configuring and building (about 2-3 minutes)"

tar xf "$tarball" -C "$W/src" >>"$LOG" 2>&1 || fail "cannot unpack $tarball"
srcdir=
for d in "$W"/src/bochs-3.0*/; do [ -f "$d/configure" ] && srcdir=${d%/} && break; done
[ -n "$srcdir" ] || fail "no bochs-3.0*/configure in $tarball"

# Start from an empty prefix so a half-finished earlier install cannot linger.
rm -rf "$PREFIX"
cd "$srcdir"
./configure --prefix="$PREFIX" "${CONFIGURE_FLAGS[@]}" >>"$LOG" 2>&1 || fail "configure failed"

# Check the configured features before spending minutes on the build.
cfg_val() { sed -n -E "s/^#define $1[[:space:]]+([^[:space:]]+).*/\\1/p" config.h | head -n1; }
vmx=$(cfg_val BX_SUPPORT_VMX); smp=$(cfg_val BX_SUPPORT_SMP); x86_64=$(cfg_val BX_SUPPORT_X86_64)
cpu_level=$(cfg_val BX_CPU_LEVEL); pci=$(cfg_val BX_SUPPORT_PCI); avx=$(cfg_val BX_SUPPORT_AVX)
evex=$(cfg_val BX_SUPPORT_EVEX); xhci=$(cfg_val BX_SUPPORT_USB_XHCI); svm=$(cfg_val BX_SUPPORT_SVM)
echo "### config.h: BX_SUPPORT_VMX=$vmx BX_SUPPORT_SMP=$smp BX_SUPPORT_X86_64=$x86_64 BX_CPU_LEVEL=$cpu_level" >>"$LOG"
[ "$vmx" = 2 ] || fail "config.h: BX_SUPPORT_VMX is '$vmx', want 2 (VMX with EPT/VPID/unrestricted guest)"
[ "$svm" = 1 ] || fail "config.h: BX_SUPPORT_SVM is '$svm', want 1 (AMD SVM with nested paging)"
[ "$smp" = 1 ] || fail "config.h: BX_SUPPORT_SMP is '$smp', want 1"
[ "$x86_64" = 1 ] || fail "config.h: BX_SUPPORT_X86_64 is '$x86_64', want 1"

make -j"$(nproc)" >>"$LOG" 2>&1 || fail "make failed"
# make install warns that the BIOS images are missing (the dfsg tarball drops them): harmless, OVMF
# is the ROM and Debian's vgabios gives the VGA BIOS.
make install >>"$LOG" 2>&1 || fail "make install failed"
[ -x "$BOCHS" ] || fail "make install did not produce $BOCHS"

# Verify the binary runs. `bochs --help` may exit non-zero; judge its output. `--help cpu` lists
# the CPU models, among them the one the tests use.
help_out=$(timeout 20 "$BOCHS" --help </dev/null 2>&1 || true)
printf '%s\n' "### bochs --help:" "$help_out" >>"$LOG"
case "$help_out" in
    *"Bochs x86 Emulator 3.0"*) ;;
    *) fail "'$BOCHS --help' did not print a Bochs 3.0 banner" ;;
esac
cpu_out=$(timeout 20 "$BOCHS" --help cpu </dev/null 2>&1 || true)
printf '%s\n' "### bochs --help cpu:" "$cpu_out" >>"$LOG"
case "$cpu_out" in
    *corei7_skylake_x*) ;;
    *) fail "'$BOCHS --help cpu' does not list the corei7_skylake_x model" ;;
esac
case "$cpu_out" in
    *ryzen*) ;;
    *) fail "'$BOCHS --help cpu' does not list the ryzen model (the SVM tests use it)" ;;
esac

elapsed=$(( $(date +%s) - start ))
{
    echo "# Kestrel Bochs build stamp (written by scripts/build-bochs.sh)"
    echo "version=$(basename "$srcdir")"
    echo "source=$(basename "$tarball")"
    echo "mirror=$uri"
    echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "build_seconds=$elapsed"
    echo "BX_SUPPORT_VMX=$vmx"
    echo "BX_SUPPORT_SVM=$svm"
    echo "BX_SUPPORT_SMP=$smp"
    echo "BX_SUPPORT_X86_64=$x86_64"
    echo "BX_CPU_LEVEL=$cpu_level"
    echo "BX_SUPPORT_PCI=$pci"
    echo "BX_SUPPORT_AVX=$avx"
    echo "BX_SUPPORT_EVEX=$evex"
    echo "BX_SUPPORT_USB_XHCI=$xhci"
    echo "$FLAGS_LINE"
    echo "complete=yes"
} >"$STAMP.tmp" || fail "cannot write stamp $STAMP"
mv "$STAMP.tmp" "$STAMP" || fail "cannot write stamp $STAMP"

say "built Bochs in ${elapsed}s: VMX=$vmx SVM=$svm SMP=$smp x86-64=$x86_64; stamp $STAMP"
echo "$BOCHS"
