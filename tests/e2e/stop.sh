#!/usr/bin/env bash
# sandbox stop and sandbox kill: stop sends SIGTERM to the command and SIGKILL after the grace
# period, then waits for the launcher to clean up; kill sends any signal to the command. Both
# find the sandbox by id or name, refuse what is not running, and leave nothing behind.
source "$(dirname "$0")/../lib/common.sh"
require_sandbox

root=$WORK/root
busybox_probe_image "$root"
img=$WORK/img.tar.gz
make_tar "$root" "$img"
assert_exit 0 sb "$img" /bin/true
state=$(listing "$(cache_root)")

# start NAME COMMAND...: a named sandbox in the background; sets LAUNCHER.
start() {
        local name=$1
        shift
        sb_bg "$WORK/$name.out" "$WORK/$name.err" --name "$name" "$img" "$@"
        LAUNCHER=$SB_PID
        wait_until 20 sh -c "'$SANDBOX' ps --format names | grep -qx '$name'" ||
                fail "sandbox $name starts" "stderr: $(cat "$WORK/$name.err")"
}

# finish: the launcher's exit status in RC_LAUNCHER.
finish() {
        RC_LAUNCHER=0
        wait "$LAUNCHER" || RC_LAUNCHER=$?
}

# --- stop: SIGTERM is enough for a command that handles it ---------------------------------------
start polite "$PROBE" signal-wait
wait_until 10 grep -q '^ready=1' "$WORK/polite.out" || true
t0=$SECONDS
assert_exit 0 sb stop polite
assert_eq polite "$OUT" "stop prints the name it was given"
finish
assert_eq 0 "$RC_LAUNCHER" "the command ended on SIGTERM (status 0: it handles it)"
assert_contains "$(cat "$WORK/polite.out")" "signal=SIGTERM" "the command received SIGTERM"
if [ $((SECONDS - t0)) -lt 8 ]; then
        pass "stop did not wait for the grace period ($((SECONDS - t0)) s)"
else
        fail "stop did not wait for the grace period" "took $((SECONDS - t0)) s"
fi
assert_exit 0 sb ps -q
assert_eq "" "$OUT" "a stopped sandbox is gone from ps"

# --- stop: SIGKILL after the grace period ----------------------------------------------------------
start stubborn sh -c 'trap "echo got-term" TERM; echo up; while :; do sleep 0.1; done'
wait_until 10 grep -q up "$WORK/stubborn.out" || true
t0=$SECONDS
assert_exit 0 sb stop -t 1 stubborn
elapsed=$((SECONDS - t0))
finish
assert_eq 137 "$RC_LAUNCHER" "a command ignoring SIGTERM is killed (status 137)"
assert_contains "$(cat "$WORK/stubborn.out")" "got-term" "it got SIGTERM first"
if [ "$elapsed" -ge 1 ] && [ "$elapsed" -le 6 ]; then
        pass "SIGKILL came after the grace period of 1 s (stop took $elapsed s)"
else
        fail "SIGKILL came after the grace period of 1 s" "stop took $elapsed s"
fi

# Several at once, by id and by name.
start one "$PROBE" sleep 60
start two "$PROBE" sleep 60
id_one=$(sb ps --json | python3 -c 'import json,sys; print([s["id"] for s in json.load(sys.stdin) if s["name"] == "one"][0])')
assert_exit 0 sb stop -t 5 "$id_one" two
assert_eq "$id_one
two" "$OUT" "stop takes several sandboxes, by id and by name"
wait_until 10 sh -c "[ -z \"\$('$SANDBOX' ps -q)\" ]" || true
assert_exit 0 sb ps -q
assert_eq "" "$OUT" "both are gone"

# --- kill ------------------------------------------------------------------------------------------
start target "$PROBE" signal-wait
wait_until 10 grep -q '^ready=1' "$WORK/target.out" || true
assert_exit 0 sb kill target USR1
wait_until 5 grep -q '^signal=SIGUSR1' "$WORK/target.out" || true
assert_contains "$(cat "$WORK/target.out")" "signal=SIGUSR1" "kill target USR1 reaches the command"
assert_exit 0 sb kill target SIGHUP
wait_until 5 grep -q '^signal=SIGHUP' "$WORK/target.out" || true
assert_contains "$(cat "$WORK/target.out")" "signal=SIGHUP" "kill accepts SIGHUP"
assert_exit 0 sb kill target 10
wait_until 5 sh -c "[ \$(grep -c '^signal=SIGUSR1' '$WORK/target.out') -ge 2 ]" || true
assert_eq 2 "$(grep -c '^signal=SIGUSR1' "$WORK/target.out")" "kill accepts a number (10 is SIGUSR1)"
assert_exit 125 sb kill target NOSUCHSIG
assert_contains "$ERR" "not a signal" "kill: an unknown signal is refused"
assert_exit 0 sb kill target
finish
assert_eq 137 "$RC_LAUNCHER" "kill without a signal sends SIGKILL (status 137)"

# --- refused ---------------------------------------------------------------------------------------
assert_exit 125 sb stop no-such
assert_contains "$ERR" "no running sandbox no-such" "stop: an unknown sandbox is refused"
assert_exit 125 sb kill no-such TERM
assert_exit 125 sb stop
assert_contains "$ERR" "usage: sandbox stop" "stop without a sandbox is a usage error"
assert_exit 125 sb stop -t abc x
start killed "$PROBE" sleep 60
kill -KILL "$LAUNCHER"
wait "$LAUNCHER" 2>/dev/null || true
assert_exit 125 sb stop killed
assert_contains "$ERR" "no running sandbox killed" "stop: a sandbox whose launcher was SIGKILLed is not running"

# A record whose command pid was recycled: signalled never.
start real "$PROBE" sleep 60
state_dir=$(cache_root)/state
id=$(sb ps -q)
sleep 60 &
decoy=$!
track_pid $decoy
sed -e "s/^id=.*/id=00000000000000b1/" -e "s/^name=.*/name=fake/" -e "s/^command_pid=.*/command_pid=$decoy/" \
        "$state_dir/$id.state" >"$state_dir/00000000000000b1.state"
chmod 600 "$state_dir/00000000000000b1.state"
exec {lockfd}<"$state_dir/00000000000000b1.state"
flock -x "$lockfd" # held by this script: the record looks live
assert_exit 125 sb kill fake TERM
assert_contains "$ERR" "does not match" "kill: a recycled command pid is refused"
assert_eq S "$(awk '{print $3}' "/proc/$decoy/stat")" "... and the process at that pid got nothing"
exec {lockfd}<&-
assert_exit 0 sb stop real # its teardown removes the record nobody holds any more
assert_eq "$state" "$(listing "$(cache_root)")" "nothing is left in the cache and state directory after stop"
