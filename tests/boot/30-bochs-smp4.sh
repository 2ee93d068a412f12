#!/usr/bin/env bash
# The project's Bochs 3.0 (emulated VMX), 4 CPUs: all come online through
# INIT-SIPI-SIPI in x2APIC mode, every CPU enters VMX root operation, and
# the run ends by itself; Bochs logs no VMX misuse.
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/build-bochs.sh" >"$WORK/build-bochs.out" 2>&1 \
    || { tail -n 20 "$WORK/build-bochs.out"; fail "cannot build Bochs 3.0"; }
rc=0
boot_bochs --iso "$ISO" --smp 4 --timeout 400 || rc=$?
[ $rc -eq 0 ] || fail "Bochs run did not end normally (runner status $rc: $(tail -n 3 "$WORK/runner.out"))"
expect_line "kestrel: cpus online 4/4"
expect_line "kestrel: vmx root on 4/4 cpus"
expect_order "kestrel: cpus online 4/4" "kestrel: vmx root on 4/4 cpus"
expect_no_match '^kestrel: (error|warning):'
echo "ok: 4/4 CPUs online and in VMX root under Bochs 3.0"
