#!/usr/bin/env bash
# `make bench`: the exit-cost benchmark.  Boots Kestrel with `payload = bench`
# in the project's Bochs 3.0 with ONE CPU, on VMX and on SVM (with more, Bochs' TSC stops
# counting one per instruction) and prints the guest-measured round trips as
# a table.  In Bochs the TSC counts instructions, so the figures are the
# length of Kestrel's host path, not wall time.  Never a pass/fail test.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD:-$root/build}
work=$build/bench
mkdir -p "$work"

printf 'payload = bench\n' >"$work/kestrel.cfg"
"$root/scripts/mkimage.sh" "$work/bench.iso" "$build/BOOTX64.EFI:EFI/BOOT/BOOTX64.EFI" \
    "$build/kestrel.elf:kestrel.elf" "$work/kestrel.cfg:kestrel.cfg" >/dev/null
"$root/scripts/build-bochs.sh" >/dev/null

# One table per backend: Bochs' Intel model runs the VMX backend, its AMD
# model (ryzen: nested paging, next-RIP save) the SVM backend.
bench_table() {
    local model=$1 backend=$2 dir=$work/$2
    mkdir -p "$dir"
    if ! "$root/scripts/run-bochs.sh" --iso "$work/bench.iso" --smp 1 --cpu-model "$model" --timeout 900 \
            --log "$dir/serial.log" --workdir "$dir/bochs" >"$dir/runner.out" 2>&1; then
        echo "bench: the Bochs run ($backend, $model) failed:" >&2
        tail -n 20 "$dir/runner.out" >&2
        return 1
    fi
    if ! grep -q '^bench: done' "$dir/serial.log"; then
        echo "bench: the benchmark guest did not finish ($backend); serial log: $dir/serial.log" >&2
        tail -n 20 "$dir/serial.log" >&2
        return 1
    fi
    local plain
    plain=$(sed -nE 's/^bench: plain-loop ([0-9]+) cycles$/\1/p' "$dir/serial.log")
    echo
    echo "Kestrel exit round trips on $backend, guest-measured in Bochs 3.0 ($model, 1 CPU; TSC = instructions)"
    echo "median of 11 batches of 1,000 iterations each"
    echo
    printf '%-20s %10s %18s\n' "exit" "cycles" "above plain loop"
    printf '%-20s %10s %18s\n' "--------------------" "----------" "------------------"
    sed -nE 's/^bench: ([a-z0-9-]+) ([0-9]+) cycles$/\1 \2/p' "$dir/serial.log" |
    while read -r name cycles; do
        if [ "$name" = plain-loop ]; then
            printf '%-20s %10s %18s\n' "$name" "$cycles" "-"
        else
            printf '%-20s %10s %18s\n' "$name" "$cycles" "$((cycles - plain))"
        fi
    done
    echo "Serial log: $dir/serial.log"
}

bench_table corei7_skylake_x vmx
echo
echo "Reference, measured the same way in the same Bochs (../shared/notes/emulators.md):"
echo "  minimal VMM CPUID 83 total; BitVisor +427; Linux KVM 6.1 about +1,035. Target: CPUID < 100 above the loop."
bench_table ryzen svm
"$root/scripts/bench-linux.sh"
