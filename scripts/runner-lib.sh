# Shared by scripts/run-qemu.sh and scripts/run-bochs.sh (sourced, not run): checking the common
# options, turning the emulator's raw serial output into the stripped log, and watching a run until a
# line matches, the emulator ends, or time runs out. The caller sets `me` and the variables below.
#   raw, log          the emulator's raw serial file and the stripped log written from it
#   until, until_set  --until REGEX and whether it was given
#   timeout           seconds, 0 = none
#   interrupted       set to 1 by the caller's INT trap

uerr() { echo "$me: $*" >&2; echo "$me: see $0 --help" >&2; exit 2; }
die() { echo "$me: error: $*" >&2; exit 1; }
need_arg() { [ $# -ge 2 ] || uerr "option $1 needs a value"; }

# runner_check_number NAME VALUE MIN MAX: a whole number in [MIN, MAX] (MAX empty: no upper bound).
runner_check_number() {
    local name=$1 value=$2 min=$3 max=$4
    case "$value" in ''|*[!0-9]*) uerr "$name wants a whole number, not '$value'" ;; esac
    [ "$value" -ge "$min" ] || uerr "$name must be at least $min"
    [ -z "$max" ] || [ "$value" -le "$max" ] || uerr "$name must be at most $max"
}

# runner_check_until: --until, when given, is a non-empty valid extended regex.
runner_check_until() {
    [ "$until_set" -eq 1 ] || return 0
    [ -n "$until" ] || uerr "--until needs a non-empty regex"
    local rc=0
    printf '' | grep -E -- "$until" >/dev/null 2>&1 || rc=$?
    [ "$rc" -le 1 ] || uerr "--until: invalid extended regex '$until'"
}

# Strip ANSI CSI sequences (ESC [ params intermediates final), other ESC sequences (ESC, optional
# intermediates, final byte) and carriage returns. C locale: serial output need not be UTF-8.
runner_strip_log() {
    LC_ALL=C sed -E $'s#\x1b\\[[0-?]*[ -/]*[@-~]##g; s#\x1b[ -/]*[0-~]##g; s#\r##g' "$raw" >"$log.tmp" &&
        mv -f "$log.tmp" "$log"
}

# runner_matched FINAL: does a line of the stripped log match --until? While the emulator runs
# (FINAL 0), an unfinished last line is left out.
runner_matched() {
    local final=$1
    if [ "$final" -eq 0 ] && [ -s "$log" ] && [ -n "$(tail -c 1 "$log")" ]; then
        LC_ALL=C sed '$d' "$log" | LC_ALL=C grep -E -q -- "$until"
    else
        LC_ALL=C grep -E -q -- "$until" "$log"
    fi
}

# runner_stop PID: stop one process the runner started: TERM, up to 5 s, then KILL; reap it.
runner_stop() {
    local p=$1
    if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
        kill "$p" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$p" 2>/dev/null; then kill -KILL "$p" 2>/dev/null || true; fi
    fi
    if [ -n "$p" ]; then wait "$p" 2>/dev/null || true; fi
}

# runner_watch PID T0: polls the run started at T0 (date +%s%N) until --until matches, PID ends, or
# the timeout passes. Sets result (matched|exited|interrupted|timeout) and, when PID ended,
# exit_status; the stripped log is up to date on return. PID is left for the caller to stop.
runner_watch() {
    local pid=$1 t0=$2
    result='' exit_status=''
    while :; do
        sleep 0.2
        runner_strip_log
        if [ "$until_set" -eq 1 ] && runner_matched 0; then result=matched; return; fi
        if ! kill -0 "$pid" 2>/dev/null; then
            exit_status=0; wait "$pid" || exit_status=$?
            runner_strip_log
            result=exited
            [ "$interrupted" -eq 0 ] || result=interrupted
            if [ "$until_set" -eq 1 ] && runner_matched 1; then result=matched; fi
            return
        fi
        if [ "$timeout" -gt 0 ] && [ $(( ($(date +%s%N) - t0) / 1000000 )) -ge $((timeout * 1000)) ]; then
            result=timeout; return
        fi
    done
}

# runner_seconds T0: the time since T0 as "12.3".
runner_seconds() {
    local ms=$(( ($(date +%s%N) - $1) / 1000000 ))
    printf '%d.%01d' $((ms / 1000)) $((ms % 1000 / 100))
}
