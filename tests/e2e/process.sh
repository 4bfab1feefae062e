#!/usr/bin/env bash
# Processes: the launcher's own init is pid 1 and the command a child of it; pid 1 reaps
# orphans and forwards signals; SIGKILL of the launcher leaves no process of the sandbox; the
# per-run state of a killed launcher is cleaned by the next run.
source "$(dirname "$0")/../lib/common.sh"
require_sandbox

root=$WORK/root
busybox_probe_image "$root"
img=$WORK/img.tar.gz
make_tar "$root" "$img"

# --- pid 1 and the command ---------------------------------------------------------------------
assert_exit 0 sb "$img" "$PROBE" pid
pid=$(kv pid "$OUT")
assert_ne 1 "$pid" "the command is not pid 1 (it is pid $pid)"
assert_eq 1 "$(kv ppid "$OUT")" "the command's parent is pid 1"
if [ -n "$pid" ] && [ "$pid" -le 10 ]; then
        pass "the command has a small pid ($pid) in a new pid namespace"
else
        fail "the command has a small pid in a new pid namespace" "got pid: $pid"
fi
assert_exit 0 sb "$img" sh -c 'cat /proc/1/comm; ls /proc | grep -c "^[0-9]"'
note "pid 1 is '$(printf '%s\n' "$OUT" | sed -n 1p)'"
assert_ne sh "$(printf '%s\n' "$OUT" | sed -n 1p)" "pid 1 is the launcher's init, not the command"
count=$(printf '%s\n' "$OUT" | tail -n 1)
if [ "$count" -le 5 ]; then
        pass "only the sandbox's processes are visible ($count)"
else
        fail "only the sandbox's processes are visible" "got $count processes in /proc"
fi

# --- orphans are reaped -----------------------------------------------------------------------
# Each (sleep &) subshell exits at once, so its sleep is re-parented to pid 1, which must reap
# it when it exits.
reap='for i in 1 2 3 4 5; do (sleep 0.2 &); done; sleep 1.5
for s in /proc/[0-9]*/stat; do sed "s/^[0-9]* (\(.*\)) \(.\) .*/\2 \1/" "$s"; done'
assert_exit 0 sb "$img" sh -c "$reap"
assert_no_match "$OUT" "^Z " "no zombie is left once orphans exit"
assert_no_match "$OUT" " sleep$" "the orphans are gone"

# --- signals to the launcher reach the command ------------------------------------------------
sb_bg "$WORK/sig.out" "$WORK/sig.err" "$img" "$PROBE" signal-wait
if wait_until 20 grep -q '^ready=1' "$WORK/sig.out"; then
        kill -USR1 "$SB_PID" || true
        wait_until 5 grep -q '^signal=SIGUSR1' "$WORK/sig.out" || true
        kill -TERM "$SB_PID" || true
        rc=0
        timeout 10 tail --pid="$SB_PID" -f /dev/null || true
        wait "$SB_PID" || rc=$?
        out=$(cat "$WORK/sig.out")
        assert_contains "$out" "signal=SIGUSR1" "SIGUSR1 to the launcher reaches the command"
        assert_contains "$out" "signal=SIGTERM" "SIGTERM to the launcher reaches the command"
        assert_eq 0 "$rc" "the launcher exits with the command's status (0) after SIGTERM"
else
        fail "the command starts in the background" "stdout: $(cat "$WORK/sig.out")" "stderr: $(cat "$WORK/sig.err")"
fi

# A command that does not handle SIGTERM dies of it: 128+15.
sb_bg "$WORK/term.out" "$WORK/term.err" "$img" sh -c 'echo up; exec sleep 60'
wait_until 20 grep -q up "$WORK/term.out" || true
kill -TERM "$SB_PID" || true
rc=0
wait "$SB_PID" || rc=$?
assert_eq 143 "$rc" "SIGTERM kills a command without a handler: status 143"

# --- SIGKILL of the launcher leaves nothing ---------------------------------------------------
assert_exit 0 sb "$img" /bin/true # warm the cache, so that the state compared is a clean one
clean_state=$(host_state)
mark=$((400000 + RANDOM))
sb_bg "$WORK/kill.out" "$WORK/kill.err" "$img" sh -c "$PROBE ns; ($PROBE sleep $mark.5 &); exec $PROBE sleep $mark"
if wait_until 20 grep -q '^ns.pid=' "$WORK/kill.out" && wait_until 10 pgrep -u "$(id -u)" -f "probe sleep $mark.5"; then
        pidns=$(kv ns.pid "$(cat "$WORK/kill.out")")
        pass "the sandbox's processes are visible on the host before the kill"
        killed_state=$(host_state)
        kill -KILL "$SB_PID" || true
        wait "$SB_PID" 2>/dev/null || true
        # in_pidns: the user's processes in the sandbox's pid namespace.
        in_pidns() {
                local p
                for p in /proc/[0-9]*; do
                        [ "$(stat -L -c %i "$p/ns/pid" 2>/dev/null)" = "$pidns" ] && echo "${p#/proc/}"
                done
                return 0
        }
        wait_until 5 sh -c "! pgrep -u $(id -u) -f 'probe sleep $mark'" || true
        assert_eq "" "$(pgrep -u "$(id -u)" -f "probe sleep $mark" || true)" \
                "SIGKILL of the launcher kills the command and its orphans"
        assert_eq "" "$(in_pidns)" "no process is left in the sandbox's pid namespace"
        note "left on the host by the killed launcher: $(comm -13 <(printf '%s\n' "$clean_state") <(host_state) | wc -l) paths (while running: $(comm -13 <(printf '%s\n' "$clean_state") <(printf '%s\n' "$killed_state") | wc -l))"
        # The next run removes whatever the killed one left behind.
        assert_exit 0 sb "$img" /bin/true
        wait_state "$clean_state" 5 || true
        assert_eq "$clean_state" "$(host_state)" "the next run cleans the stale per-run state of the killed one"
else
        fail "the sandbox starts in the background" "stdout: $(cat "$WORK/kill.out")" "stderr: $(cat "$WORK/kill.err")"
fi
# Whatever survived (a failure above), by pid.
for p in $(pgrep -u "$(id -u)" -f "probe sleep $mark" || true); do
        kill -KILL "$p" 2>/dev/null || true
done

# --- the Alpine image: its own init-less sh as the command --------------------------------------
if [ -f "$SANDBOX_ALPINE" ]; then
        require_alpine
        assert_exit 0 sb "$SANDBOX_ALPINE" sh -c 'echo $$; cat /proc/1/comm'
        assert_ne 1 "$(printf '%s\n' "$OUT" | sed -n 1p)" "Alpine: the command is not pid 1"
fi
