# The hostile guest's verdicts and Kestrel's reports of them, shared by the
# hostile tests on both backends (32 on VMX, 52 on SVM).  Sourced after
# lib.sh; uses $LOG, $VCPUS, $PER_CPU_CASES, $MACHINE_CASES and $MAY_SKIP
# (case names, without the cpuN/ prefix, that this machine may skip).

may_skip() { case " $(echo $MAY_SKIP) " in *" $1 "*) return 0 ;; esac; return 1; }

# case_line NAME: "hostile: NAME refused" (counted in $expected), or skipped
# with a reason where $MAY_SKIP allows.
expected=0
case_line() {
    if grep -Fxq -- "hostile: $1 refused" "$LOG"; then
        expected=$((expected + 1))
    elif may_skip "${1#cpu[0-9]/}" && grep -Eq "^hostile: $1 skipped \(.+\)$" "$LOG"; then
        :
    else
        fail "no 'hostile: $1 refused' line"
    fi
}

# Every case by name, per vCPU and machine-wide; no skip that $MAY_SKIP does
# not allow.
check_case_lines() {
    local cpu c line name
    for cpu in $VCPUS; do
        for c in $PER_CPU_CASES; do case_line "cpu$cpu/$c"; done
    done
    for c in $MACHINE_CASES; do case_line "$c"; done
    while read -r line; do
        name=${line#hostile: }; name=${name%% skipped*}
        may_skip "${name#cpu[0-9]/}" || fail "unexpected skip: $line"
    done < <(grep -E '^hostile: .* skipped \(' "$LOG" || true)
}

# warn CPU REGEX: kestrel: warning: cpu CPU: REGEX ... (reported once)
warn() {
    grep -Eq "^kestrel: warning: cpu $1: $2.* \(reported once\)$" "$LOG" \
        || fail "no warning on cpu $1 matching '$2'"
}

# refused_count CPU KIND: the count of KIND in "kestrel: refused cpuCPU ..." (0 if absent).
refused_count() {
    grep -E "^kestrel: refused cpu$1 total=" "$LOG" | grep -Eo " $2=[0-9]+" | grep -Eo '[0-9]+$' || echo 0
}

# Kestrel came through: every vCPU of $VCPUS left the guest with exit
# statistics, no NMI reached Kestrel outside a guest, no error.
expect_kestrel_survived() {
    local cpu
    for cpu in $VCPUS; do
        grep -Eq "^kestrel: exits cpu$cpu total=[1-9]" "$LOG" || fail "no exit statistics for cpu $cpu"
    done
    expect_no_match 'NMIs? reached it outside the guest'
    expect_no_match 'did not leave the guest'
    expect_no_match '^kestrel: error:'
}
