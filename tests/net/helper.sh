#!/usr/bin/env bash
# The network helper (sandbox-slirp) and its agent: confined before the command starts (seccomp
# filter, no_new_privs, no capabilities; the agent CAP_NET_ADMIN only; the helper's file system
# one read-only tmpfs with resolv.conf), in the right network namespaces, and gone when the
# sandbox ends, also after a SIGKILL of the launcher. A missing helper, one that dies before the
# network is up and one that dies while the command runs: a clear error, 125, the command never
# run or stopped, nothing left behind.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/lib.sh"
require_sandbox

img=$WORK/img
net_image "$img"
world_start
world_servers --tcp 192.0.2.1:7000:world-tcp

# status_of PID KEY: a field of /proc/PID/status.
status_of() {
        awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null || true
}
# children_of PID: its child pids.
children_of() {
        cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | sed '/^$/d' || true
}
gone() {
        ! kill -0 "$1" 2>/dev/null
}
# start_sleeper: a sandbox running sleep in the background; sets SB_PID, HELPER, AGENT.
start_sleeper() {
        rm -f "$WORK/trace"
        wsb_bg "$WORK/o" "$WORK/e" --trace="$WORK/trace" --net slirp -p 18090:90 "$img" "$@"
        wait_until 20 grep -q 'network is up' "$WORK/trace" ||
                { fail "the sandbox starts" "$(cat "$WORK/e" "$WORK/trace" 2>/dev/null)"; exit 1; }
        HELPER=$(helper_pid "$WORK/trace")
        AGENT=$(children_of "$HELPER" | head -n1)
}

start_sleeper sleep 60
assert_ne "" "$HELPER" "the trace names the helper's pid ($HELPER)"
assert_ne "" "$AGENT" "the helper has its agent ($AGENT)"

# --- confinement ------------------------------------------------------------------------------
assert_eq 2 "$(status_of "$HELPER" Seccomp)" "helper: Seccomp 2 (a filter)"
assert_eq 1 "$(status_of "$HELPER" NoNewPrivs)" "helper: NoNewPrivs 1"
assert_eq 0000000000000000 "$(status_of "$HELPER" CapEff)" "helper: no effective capability"
assert_eq 0000000000000000 "$(status_of "$HELPER" CapPrm)" "helper: no permitted capability"
assert_eq 0000000000000000 "$(status_of "$HELPER" CapBnd)" "helper: an empty bounding set"
assert_eq 0000000000000000 "$(status_of "$HELPER" CapAmb)" "helper: no ambient capability"
assert_eq 2 "$(status_of "$AGENT" Seccomp)" "agent: Seccomp 2"
assert_eq 1 "$(status_of "$AGENT" NoNewPrivs)" "agent: NoNewPrivs 1"
assert_eq 0000000000001000 "$(status_of "$AGENT" CapEff)" \
        "agent: CAP_NET_ADMIN only (in the sandbox's user namespace)"
assert_eq 0000000000001000 "$(status_of "$AGENT" CapBnd)" "agent: nothing else in its bounding set"
# The helper's whole file system: one read-only tmpfs with etc/resolv.conf.
assert_eq "etc" "$(ls -A "/proc/$HELPER/root/" 2>&1)" "helper: its root holds etc/ and nothing else"
assert_eq "resolv.conf" "$(ls -A "/proc/$HELPER/root/etc" 2>&1)" "helper: etc/ holds resolv.conf"
assert_eq "nameserver 192.0.2.53
nameserver 2001:db8::53" "$(cat "/proc/$HELPER/root/etc/resolv.conf" 2>&1)" \
        "helper: its resolv.conf names the host's servers"
mi=$(cat "/proc/$HELPER/mountinfo")
assert_eq 1 "$(nlines "$mi")" "helper: one mount in its mount namespace"
assert_match "$mi" '^[0-9]+ [0-9]+ [0-9:]+ / / ro,.* - tmpfs ' "helper: it is a read-only tmpfs"
# Namespaces: the helper in the host's network, the agent in the sandbox's.
world_net=$(readlink "/proc/$WORLD_PID/ns/net")
assert_eq "$world_net" "$(readlink "/proc/$HELPER/ns/net")" "helper: in the host's network namespace"
sandbox_pid=$(children_of "$SB_PID" | grep -vx "$HELPER" | head -n1 || true)
sandbox_net=$(readlink "/proc/$sandbox_pid/ns/net" 2>/dev/null || true)
assert_ne "$world_net" "$sandbox_net" "the sandbox has a network namespace of its own"
assert_eq "$sandbox_net" "$(readlink "/proc/$AGENT/ns/net")" "agent: in the sandbox's network namespace"
assert_eq "$(readlink "/proc/$sandbox_pid/ns/user")" "$(readlink "/proc/$AGENT/ns/user")" \
        "agent: in the sandbox's user namespace"
assert_ne "$(readlink "/proc/$SB_PID/ns/user")" "$(readlink "/proc/$HELPER/ns/user")" \
        "helper: in a user namespace of its own (for its private root)"
# The command cannot see them: another pid namespace.
assert_exit 0 wsb --net slirp "$img" sh -c 'cat /proc/[0-9]*/comm'
assert_not_contains "$OUT" "sandbox-slirp" "inside, neither the helper nor its agent can be seen"

# --- gone with the sandbox ---------------------------------------------------------------------
kill -TERM "$SB_PID"
wait "$SB_PID" || true
wait_until 5 gone "$HELPER" && pass "helper gone after the sandbox ended" ||
        fail "helper gone after the sandbox ended" "pid $HELPER: $(cat "/proc/$HELPER/status" 2>/dev/null | head -3)"
wait_until 5 gone "$AGENT" && pass "agent gone after the sandbox ended" || fail "agent gone" "pid $AGENT"

# ...and after a SIGKILL of the launcher: the exit fd, not a timer.
start_sleeper sleep 60
kill -KILL "$SB_PID"
wait "$SB_PID" 2>/dev/null || true
wait_until 5 gone "$HELPER" && pass "helper gone after SIGKILL of the launcher" ||
        fail "helper gone after SIGKILL of the launcher" "pid $HELPER still there"
wait_until 5 gone "$AGENT" && pass "agent gone after SIGKILL of the launcher" ||
        fail "agent gone after SIGKILL of the launcher" "pid $AGENT still there"
assert_eq "" "$(in_world ss -Htln | grep ':18090 ' || true)" "the published port is closed again"

# --- the terminal's signals are for the command ---------------------------------------------------
# As a Ctrl-C would: SIGINT to the launcher's whole process group, here while a shell that ignores
# it runs; its network must outlive the Ctrl-C. (python: a background job of a script starts with
# SIGINT ignored, which the shell could not undo.)
world_cmd
"${WORLD_CMD[@]}" python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.setsid()
os.execv(sys.argv[1], sys.argv[1:])' "$SANDBOX" -q --trace="$WORK/trace2" --net slirp "$img" \
        sh -c "trap '' INT; echo ready >/tmp/ready; sleep 2; $PROBE tcp 192.0.2.1 7000 after-ctrl-c" \
        >"$WORK/o2" 2>"$WORK/e2" &
job=$! # the launcher itself, leader of its own process group
track_pid "$job"
wait_until 20 grep -q 'exec ' "$WORK/trace2" || fail "the sandbox starts" "$(cat "$WORK/e2")"
sleep 0.5
kill -INT -- "-$job"
wait "$job" && rc=0 || rc=$?
assert_eq 0 "$rc" "a Ctrl-C to the whole job leaves the network helper alone"
assert_match "$(cat "$WORK/o2")" '^reply=world-tcp .* got=after-ctrl-c$' \
        "the command's network works after the Ctrl-C"
assert_eq "" "$(cat "$WORK/e2")" "and nothing is said about the helper"

# --- a helper that dies while the command runs ---------------------------------------------------
# A run first, which removes the run directory the killed launcher could not (core behaviour).
wsb --net none "$img" true || true
state=$(net_state)
start_sleeper sleep 60
kill -SEGV "$HELPER"
t0=$SECONDS
wait "$SB_PID" && rc=0 || rc=$?
assert_eq 125 "$rc" "the helper killed while the command runs: the launcher stops the sandbox, 125"
[ $((SECONDS - t0)) -lt 10 ] && pass "at once, not at the end of the command's 60 s" ||
        fail "at once" "took $((SECONDS - t0)) s"
assert_contains "$(cat "$WORK/e")" \
        "sandbox: the network helper sandbox-slirp was killed by signal 11 (Segmentation fault); the sandbox has no network: stopping it" \
        "and says why in one line"
wait_until 5 gone "$AGENT" && pass "its agent is gone" || fail "its agent is gone" "pid $AGENT"
wait_until 10 net_state_is "$state" && pass "nothing left on the host" || fail "nothing left on the host" \
        "$(diff <(printf '%s\n' "$state") <(net_state) || true)"

# --- the sandbox fails while the helper starts: it goes too ---------------------------------------
bad=$WORK/bad
net_image "$bad"
rm -rf "$bad/proc"
ln -s /etc "$bad/proc"
state=$(net_state)
run in_world "$SANDBOX" -q --trace="$WORK/trace3" --net slirp "$bad" true
assert_eq 125 "$RC" "an image the child refuses (its /proc is a symlink), with --net slirp: 125"
assert_eq "sandbox: the image's /proc is a symlink; refusing to mount over it: Too many levels of symbolic links" "$ERR" \
        "one line, the child's; nothing from the helper"
h3=$(helper_pid "$WORK/trace3")
assert_ne "" "$h3" "the helper had started ($h3)"
wait_until 5 gone "$h3" && pass "and is gone" || fail "and is gone" "pid $h3"
wait_until 10 net_state_is "$state" && pass "nothing left on the host" || fail "nothing left on the host" \
        "$(diff <(printf '%s\n' "$state") <(net_state) || true)"

# --- a missing helper, and one that dies before the network is up --------------------------------
mkdir -p "$WORK/bin"
cp "$SANDBOX" "$WORK/bin/sandbox"
libexec_helper=$(grep -ao '/[[:print:]]*/libexec/sandbox' "$SANDBOX" | head -n1 || true)
if [ -e "${libexec_helper:-/nonexistent}/sandbox-slirp" ]; then
        note "an installed helper in $libexec_helper: the missing-helper case cannot be shown here"
else
        state=$(net_state)
        run in_world "$WORK/bin/sandbox" -q --net slirp "$img" touch /tmp/ran
        assert_eq 125 "$RC" "no helper: 125"
        assert_match "$ERR" "^sandbox: cannot run the network helper .*/sandbox-slirp \(is sandbox installed completely\?\): No such file or directory$" \
                "no helper: one line that names it"
        assert_eq "$state" "$(net_state)" "no helper: nothing left on the host"
fi
printf '#!/bin/sh\nkill -SEGV $$\n' >"$WORK/bin/sandbox-slirp"
chmod 755 "$WORK/bin/sandbox-slirp"
state=$(net_state)
run in_world "$WORK/bin/sandbox" -q --net slirp "$img" sh -c 'echo ran'
assert_eq 125 "$RC" "a helper that crashes at start: 125"
assert_eq "" "$OUT" "the command never ran"
assert_contains "$ERR" "sandbox: the network helper sandbox-slirp was killed by signal 11 (Segmentation fault) before the network was up" \
        "and the launcher says so"
assert_eq "$state" "$(net_state)" "nothing left on the host"
printf '#!/bin/sh\necho "sandbox: something went wrong in the helper" >&2\nexit 1\n' >"$WORK/bin/sandbox-slirp"
run in_world "$WORK/bin/sandbox" -q --net slirp "$img" sh -c 'echo ran'
assert_eq 125 "$RC" "a helper that fails at start: 125"
assert_eq "" "$OUT" "the command never ran"
assert_eq "sandbox: something went wrong in the helper" "$ERR" "the helper's own line, and no second one"
