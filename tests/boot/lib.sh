# Helpers for the boot tests (sourced).  Each test script boots a real image
# in an emulator and checks exact serial lines.  Exit 0 = pass, 1 = fail,
# 77 = skipped (with the reason on stdout).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
ISO=$BUILD/kestrel.iso
TEST_NAME=$(basename "$0" .sh)
WORK=$BUILD/tests/$TEST_NAME
LOG=$WORK/serial.log
mkdir -p "$WORK"

fail() { echo "FAIL: $*"; echo "--- serial log ($LOG) ---"; [ -f "$LOG" ] && tail -n 40 "$LOG"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

# boot_qemu [run-qemu.sh options...]: boots, serial into $LOG.
boot_qemu() {
    local rc=0
    "$ROOT/scripts/run-qemu.sh" --log "$LOG" "$@" >"$WORK/runner.out" 2>&1 || rc=$?
    return $rc
}

boot_bochs() {
    local rc=0
    "$ROOT/scripts/run-bochs.sh" --log "$LOG" --workdir "$WORK/bochs" "$@" >"$WORK/runner.out" 2>&1 || rc=$?
    return $rc
}

# expect_line LINE: the log has LINE exactly (a whole line).
expect_line() {
    grep -Fxq -- "$1" "$LOG" || fail "expected the line '$1'"
}

# expect_no_match REGEX: no line matches.
expect_no_match() {
    if grep -Eq -- "$1" "$LOG"; then
        fail "unexpected line matching '$1': $(grep -E -- "$1" "$LOG" | head -n 1)"
    fi
}

# expect_order LINE1 LINE2: both present, LINE1 first.
expect_order() {
    local a b
    a=$(grep -Fxn -- "$1" "$LOG" | head -n 1 | cut -d: -f1)
    b=$(grep -Fxn -- "$2" "$LOG" | head -n 1 | cut -d: -f1)
    [ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ] || fail "expected '$1' before '$2'"
}

# make_image OUT.iso [SRC:DEST...]: the loader plus the given files.
make_image() {
    local out=$1; shift
    "$ROOT/scripts/mkimage.sh" "$out" "$BUILD/BOOTX64.EFI:EFI/BOOT/BOOTX64.EFI" "$@" >"$WORK/mkimage.out" 2>&1 \
        || { cat "$WORK/mkimage.out"; fail "mkimage failed"; }
}

# make_image_fakeacpi OUT.iso [SRC:DEST...]: like make_image, but the firmware
# starts the test-only fake ACPI firmware (build/fakeacpi.efi, docs/testing.md),
# which installs its ACPI tables and chain-loads the loader from
# EFI/KESTREL/LOADER.EFI.
make_image_fakeacpi() {
    local out=$1; shift
    [ -f "$BUILD/fakeacpi.efi" ] || fail "$BUILD/fakeacpi.efi missing (make build/fakeacpi.efi, or make test)"
    "$ROOT/scripts/mkimage.sh" "$out" "$BUILD/fakeacpi.efi:EFI/BOOT/BOOTX64.EFI" \
        "$BUILD/BOOTX64.EFI:EFI/KESTREL/LOADER.EFI" "$@" >"$WORK/mkimage.out" 2>&1 \
        || { cat "$WORK/mkimage.out"; fail "mkimage failed"; }
}

# need_bochs: the project's Bochs 3.0 (built into the cache on first use).
need_bochs() {
    "$ROOT/scripts/build-bochs.sh" >"$WORK/build-bochs.out" 2>&1 \
        || { tail -n 20 "$WORK/build-bochs.out"; fail "cannot build Bochs 3.0"; }
}

# need_linux: Debian's cloud kernel and the project's initramfs in $WORK
# (vmlinuz, initrd.gz; scripts/fetch-linux.sh, cached).
need_linux() {
    "$ROOT/scripts/fetch-linux.sh" "$WORK" >"$WORK/fetch.out" 2>&1 \
        || { cat "$WORK/fetch.out"; fail "cannot fetch the Linux test payload"; }
}

# make_linux_image OUT.iso INIT [MAKER [CMDLINE...]]: an image booting that
# Linux with kestrel.init=INIT (shell|poweroff|reboot) on the serial console
# and any further command-line words; MAKER is make_image (default) or
# make_image_fakeacpi.
make_linux_image() {
    local out=$1 init=$2 maker=${3:-make_image}
    shift 3 2>/dev/null || shift $#
    need_linux
    printf 'payload = linux\nkernel = \\vmlinuz\ninitrd = \\initrd.gz\ncmdline = console=ttyS0,115200 kestrel.init=%s%s\n' \
        "$init" "${*:+ $*}" >"$WORK/kestrel.cfg"
    "$maker" "$out" "$BUILD/kestrel.elf:kestrel.elf" "$WORK/kestrel.cfg:kestrel.cfg" \
        "$WORK/vmlinuz:vmlinuz" "$WORK/initrd.gz:initrd.gz"
}

# need_kvm [vmx|svm]: skips the test (with detect-kvm.sh's reasons) unless
# QEMU can use KVM with that nested virtualization here; with no argument,
# either (the host's own: VMX on Intel, SVM on AMD). Sets KVM_BACKEND to the
# backend Kestrel uses under -cpu host there (vmx or svm).
need_kvm() {
    local found want=${1:-}
    if ! found=$("$ROOT/scripts/detect-kvm.sh" ${want:+--want "$want"} 2>"$WORK/detect-kvm.err"); then
        skip "no nested ${want:+${want^^} }virtualization through KVM here: $(tr '\n' ' ' <"$WORK/detect-kvm.err" | sed 's/ *$//')"
    fi
    KVM_BACKEND=${found#kvm }
}

# expect_virt_on N: after need_kvm, the log says all N CPUs entered
# $KVM_BACKEND's virtualization (docs/status-lines.md: "vmx root on N/N cpus"
# or "svm on N/N cpus") and has none of the other backend's lines.
expect_virt_on() {
    case "${KVM_BACKEND:-}" in
        vmx) expect_line "kestrel: vmx root on $1/$1 cpus"; expect_no_match '^kestrel: svm' ;;
        svm) expect_line "kestrel: svm on $1/$1 cpus"; expect_no_match '^kestrel: vmx' ;;
        *) fail "expect_virt_on: KVM_BACKEND is '${KVM_BACKEND:-}' (need_kvm first)" ;;
    esac
}

# The built-in self-test runs this many checks per vCPU (guest/selftest/checks.c).
SELFTEST_CHECKS_PER_CPU=13

# expect_selftest_passed N: the self-test's story on N vCPUs (APIC IDs 0..N-1):
# it ran on N, every check of every vCPU passed, the halted last AP came back
# through the guest's INIT-SIPI-SIPI, the guest powered off, and each vCPU has
# exit statistics with CPUID exits.
expect_selftest_passed() {
    local n=$1 want=$((SELFTEST_CHECKS_PER_CPU * $1)) apic
    expect_line "kestrel: guest selftest running on $n cpus"
    expect_line "selftest: PASS $want/$want"
    expect_no_match '^selftest: .*FAIL'
    if [ "$n" -gt 1 ]; then
        expect_line "selftest: restart of cpu $((n - 1)) ok"
    fi
    expect_line "kestrel: guest powered off"
    expect_order "kestrel: guest selftest running on $n cpus" "kestrel: guest powered off"
    for ((apic = 0; apic < n; apic++)); do
        grep -Eq "^kestrel: exits cpu$apic total=[1-9][0-9]* .*cpuid=[1-9]" "$LOG" \
            || fail "$n cpus: no exit statistics with CPUID exits for cpu $apic"
    done
}

# make_multiboot_image V: $WORK/mbV.iso with the multiboot V test kernel
# (tests/multiboot/build.sh into $WORK first), its module and command line.
make_multiboot_image() {
    printf 'payload = multiboot\nkernel = \\mbtest.bin\nmodule = \\kmod.bin kmod-args\ncmdline = mbtest v%s\n' "$1" \
        >"$WORK/mb$1.cfg"
    make_image "$WORK/mb$1.iso" "$BUILD/kestrel.elf:kestrel.elf" "$WORK/mb$1.cfg:kestrel.cfg" \
        "$WORK/mbtest$1.bin:mbtest.bin" "$WORK/kmod.bin:kmod.bin"
}

# expect_multiboot_passed V N: the test kernel ran on N vCPUs, every check passed, it powered off.
expect_multiboot_passed() {
    expect_line "kestrel: guest multiboot running on $2 cpus"
    grep -Eq '^multiboot: PASS ([0-9]+)/\1$' "$LOG" || fail "multiboot v$1: no PASS line"
    expect_no_match '^multiboot: .* FAIL'
    expect_line "kestrel: guest powered off"
}
