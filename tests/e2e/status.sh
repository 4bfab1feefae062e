#!/usr/bin/env bash
# --status-json FILE|fd:N: a JSON line when the command starts (id, name, host pids) and one when
# the launch ends (exit code or signal, OOM, whether the launcher failed, wall and CPU time), for
# CI systems that drive the launcher.
source "$(dirname "$0")/../lib/common.sh"
require_sandbox

root=$WORK/root
busybox_probe_image "$root"
img=$WORK/img.tar.gz
make_tar "$root" "$img"
assert_exit 0 sb "$img" /bin/true

# field FILE LINE EXPR: a Python expression over JSON line number LINE (1-based) of FILE.
jline() {
        python3 -c 'import json, sys
lines = open(sys.argv[1]).read().splitlines()
j = json.loads(lines[int(sys.argv[2]) - 1])
print(eval(sys.argv[3]))' "$@"
}

# --- a command that exits -----------------------------------------------------------------------
st=$WORK/status.json
assert_exit 3 sb --name job --status-json "$st" "$img" sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; exit 3'
assert_eq 2 "$(wc -l <"$st")" "two JSON lines: start and exit"
assert_true "every line is JSON" python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$st"
assert_eq "start job" "$(jline "$st" 1 'j["event"] + " " + j["name"]')" "the first line is the start, with the name"
assert_match "$(jline "$st" 1 'j["id"]')" '^[0-9a-f]{16}$' "the start line has the id"
assert_eq "True" "$(jline "$st" 1 'all(isinstance(j[k], int) and j[k] > 1 for k in ("launcher_pid", "pid1", "command_pid"))')" \
        "the start line has the host pids of the launcher, pid 1 and the command"
assert_eq "$(jline "$st" 1 'j["id"]')" "$(jline "$st" 2 'j["id"]')" "both lines name the same sandbox"
assert_eq "exit 3 None False False" "$(jline "$st" 2 'j["event"] + " " + " ".join(str(j[k]) for k in ("exit_code", "signal", "oom_killed", "launcher_error"))')" \
        "the exit line: exit code 3, no signal, not OOM-killed, no launcher error"
assert_eq "True" "$(jline "$st" 2 '0 < j["wall_time_us"] < 60e6 and j["cpu_user_us"] + j["cpu_system_us"] > 0')" \
        "the exit line has the wall time and the CPU time"

# --- a command killed by a signal ---------------------------------------------------------------
assert_exit 143 sb --status-json "$st" "$img" sh -c 'kill -TERM $$'
assert_eq "exit 143 15 SIGTERM False" "$(jline "$st" 2 'j["event"] + " " + " ".join(str(j[k]) for k in ("exit_code", "signal", "signal_name", "launcher_error"))')" \
        "a command killed by SIGTERM: 143, signal 15"
assert_eq None "$(jline "$st" 2 'j["name"]')" "no --name: the name is null"

# --- an open file descriptor, e.g. a pipe to the CI system ---------------------------------------
out=$(sb --status-json fd:3 "$img" sh -c 'echo to-stdout' 3>&1 1>/dev/null)
assert_eq 2 "$(nlines "$out")" "fd:3 receives the two lines"
assert_contains "$(printf '%s\n' "$out" | sed -n 2p)" '"exit_code":0' "fd:3: the exit line"
assert_exit 125 sb --status-json fd:9 "$img" /bin/true
assert_contains "$ERR" "fd:9" "fd:N that is not open is refused, before anything runs"
assert_exit 125 sb --status-json fd:x "$img" /bin/true

# --- the launcher fails ------------------------------------------------------------------------
assert_exit 125 sb --status-json "$st" "$WORK/no-such-image.tar" /bin/true
assert_eq 1 "$(wc -l <"$st")" "a launch that fails before the command: one exit line"
assert_eq "exit 125 True None" "$(jline "$st" 1 'j["event"] + " " + str(j["exit_code"]) + " " + str(j["launcher_error"]) + " " + str(j["command_pid"])')" \
        "... with exit code 125, launcher_error true, no command pid"
assert_exit 125 sb --status-json "$WORK/no-such-dir/x.json" "$img" /bin/true
assert_contains "$ERR" "no-such-dir/x.json" "an unwritable status file is refused with its name"

# --- the command cannot be found ----------------------------------------------------------------
assert_exit 127 sb --status-json "$st" "$img" no-such-command
assert_eq "127 False" "$(jline "$st" 2 'str(j["exit_code"]) + " " + str(j["launcher_error"])')" \
        "a missing command: 127, reported by the sandbox, not a launcher error"
