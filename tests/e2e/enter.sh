#!/usr/bin/env bash
# sandbox enter: the entered command lands in every namespace of the sandbox and in its cgroup,
# with the command's uid, gid, capabilities, no_new_privs, seccomp filter, environment and
# working directory, in the sandbox's pid namespace; -u, -e, -w change those. It cannot be
# pointed at a dead sandbox, at another user's state, or through an edited record or a
# recycled pid at a foreign process. The launcher's own file is not what the joining process
# runs (a sealed copy is). Registered for a user with and without a subordinate range.
source "$(dirname "$0")/../lib/common.sh"
require_sandbox

root=$WORK/root
busybox_probe_image "$root"
img=$WORK/img.tar.gz
make_tar "$root" "$img"
assert_exit 0 sb "$img" /bin/true # warm the cache
ranged=1
[ -n "$(subid_range /etc/subuid)" ] || ranged=0

# start NAME [OPTIONS...]: a sandbox running the probe until SIGTERM; sets LAUNCHER, CMDPID.
start() {
        local name=$1
        shift
        sb_bg "$WORK/$name.out" "$WORK/$name.err" --name "$name" "$@" "$img" "$PROBE" signal-wait
        LAUNCHER=$SB_PID
        if ! wait_until 20 grep -q '^ready=1' "$WORK/$name.out"; then
                fail "sandbox $name starts" "stderr: $(cat "$WORK/$name.err")"
                exit 1
        fi
        CMDPID=$(sb ps --json | python3 -c 'import json,sys; print([s["command_pid"] for s in json.load(sys.stdin) if s["name"] == sys.argv[1]][0])' "$name")
}

opts=(--env FOO=bar --workdir /tmp --hostname inner)
[ $ranged = 0 ] || opts+=(--user 1000:1000)
start main "${opts[@]}"
note "the command is host pid $CMDPID"

# --- namespaces ----------------------------------------------------------------------------------
assert_exit 0 sb enter main "$PROBE" ns
for ns in user mnt pid ipc uts net cgroup; do
        want=$(stat -L -c %i "/proc/$CMDPID/ns/$ns")
        assert_eq "$want" "$(kv "ns.$ns" "$OUT")" "enter: in the sandbox's $ns namespace"
done
assert_ne "$(stat -L -c %i /proc/self/ns/mnt)" "$(kv ns.mnt "$OUT")" "enter: not in the host's mount namespace"

# --- the same process as the command --------------------------------------------------------------
assert_exit 0 sb enter main "$PROBE" status
entered_status=$OUT
assert_eq 1 "$(kv NoNewPrivs "$OUT")" "enter: NoNewPrivs is 1"
assert_eq 2 "$(kv Seccomp "$OUT")" "enter: Seccomp is 2 (filter)"
assert_eq "$(awk '/^Seccomp_filters:/ {print $2}' "/proc/$CMDPID/status")" "$(kv Seccomp_filters "$OUT")" \
        "enter: as many seccomp filters as the command"
assert_exit 0 sb enter main "$PROBE" try-syscall tiocsti
assert_eq EPERM "$(printf '%s\n' "$OUT" | grep '^syscall=tiocsti ' | grep -o 'errno=[^ ]*' | cut -d= -f2)" \
        "enter: the command's seccomp filter holds (TIOCSTI fails with EPERM)"
assert_exit 0 sb enter main "$PROBE" caps
for set in CapBnd CapEff CapPrm CapInh CapAmb; do
        assert_eq "$(awk "/^$set:/ {print \$2}" "/proc/$CMDPID/status")" "$(kv "$set" "$OUT")" "enter: $set is the command's"
done
assert_exit 0 sb enter main "$PROBE" ids
if [ $ranged = 1 ]; then
        assert_eq "1000 1000" "$(kv uid "$OUT") $(kv gid "$OUT")" "enter: the command's uid and gid (--user 1000:1000)"
else
        assert_eq "0 0" "$(kv uid "$OUT") $(kv gid "$OUT")" "enter: root, as the command (single-id map)"
fi
assert_exit 0 sb enter main "$PROBE" env
assert_eq bar "$(kv FOO "$OUT")" "enter: the command's --env"
entered_env=$(printf '%s\n' "$OUT" | sort)
# The command's environment is not readable from the host for a non-root --user (its
# /proc/PID/environ belongs to the mapped uid): a fresh run with the same options shows it.
assert_exit 0 sb "${opts[@]}" "$img" "$PROBE" env
assert_eq "$(printf '%s\n' "$OUT" | sort)" "$entered_env" "enter: the command's whole environment"
assert_exit 0 sb enter main sh -c 'pwd; hostname'
assert_eq "/tmp
inner" "$OUT" "enter: the command's working directory and hostname"
assert_exit 0 sb enter main "$PROBE" fds
assert_eq "0 1 2" "$(printf '%s\n' "$OUT" | sed -n 's/^fd=\([0-9]*\) .*/\1/p' | sort -n | paste -sd' ' -)" \
        "enter: no fd but 0, 1 and 2 reaches the entered command"

# --- the pid namespace and the cgroup -----------------------------------------------------------
assert_exit 0 sb enter main "$PROBE" pid
assert_eq 0 "$(kv ppid "$OUT")" "enter: its parent (sandbox enter) is outside the pid namespace"
entered_pid=$(kv pid "$OUT")
if [ -n "$entered_pid" ] && [ "$entered_pid" -gt 1 ] && [ "$entered_pid" -lt 50 ]; then
        pass "enter: a small pid of the sandbox's pid namespace ($entered_pid)"
else
        fail "enter: a small pid of the sandbox's pid namespace" "got: $entered_pid"
fi
assert_exit 0 sb enter main sh -c 'cat /proc/[0-9]*/cmdline | tr "\0" " "'
assert_contains "$OUT" "signal-wait" "enter: sees the sandbox's own command"
assert_exit 0 sb enter main cat /proc/self/cgroup
assert_eq "$(sb enter main cat /proc/1/cgroup)" "$OUT" "enter: in pid 1's cgroup (seen from inside)"
sb_bg "$WORK/ent.out" "$WORK/ent.err" enter main "$PROBE" sleep 30
wait_until 10 pgrep -P "$SB_PID" || true
ent=$(pgrep -P "$SB_PID" | head -n 1)
if [ -n "$ent" ]; then
        assert_eq "$(awk '/^Uid:/ {print $2}' "/proc/$CMDPID/status")" "$(awk '/^Uid:/ {print $2}' "/proc/$ent/status")" \
                "enter: the same host uid as the command"
        assert_eq "$(cat "/proc/$CMDPID/cgroup")" "$(cat "/proc/$ent/cgroup")" "enter: in the command's cgroup (seen from the host)"
        assert_eq "$(stat -L -c %i "/proc/$CMDPID/ns/pid")" "$(stat -L -c %i "/proc/$ent/ns/pid")" \
                "enter: in the sandbox's pid namespace (seen from the host)"
        assert_ne "/proc/self/exe" "$(readlink "/proc/$ent/exe")" "enter: the entered command runs its own program"
        assert_eq probe "$(basename "$(readlink "/proc/$ent/exe")")" "enter: ... the probe"
        kill -TERM "$SB_PID" 2>/dev/null || true
        wait "$SB_PID" 2>/dev/null || true
        wait_until 5 sh -c "! kill -0 $ent 2>/dev/null" || true
        assert_eq "" "$(ps -o pid= -p "$ent" || true)" "enter: the entered command dies with sandbox enter"
else
        fail "the entered command runs in the background" "stderr: $(cat "$WORK/ent.err")"
fi

# --- what the joining process runs --------------------------------------------------------------
# `sandbox enter` re-executes itself from a sealed in-memory copy before it joins: seen in a
# trace of it (memfd_create, the seals, execveat of the memfd), and in /proc.
if command -v strace >/dev/null; then
        strace -f -o "$WORK/enter.strace" -e trace=memfd_create,execveat,fcntl,prctl "$SANDBOX" enter main true >/dev/null 2>&1 || true
        st=$(cat "$WORK/enter.strace")
        assert_match "$st" 'memfd_create\("sandbox"' "enter: copies the launcher into a memfd"
        assert_match "$st" 'F_ADD_SEALS, F_SEAL_SEAL\|F_SEAL_SHRINK\|F_SEAL_GROW\|F_SEAL_WRITE\) = 0' "enter: seals the copy against writes"
        assert_match "$st" 'execveat\([0-9]+, "", .*AT_EMPTY_PATH\) = 0' "enter: runs the sealed copy"
        assert_match "$st" 'prctl\(PR_SET_DUMPABLE, SUID_DUMP_DISABLE\) = 0' "enter: makes itself undumpable"
else
        note "no strace: the memfd re-exec is checked through /proc only"
fi
sb_bg "$WORK/hold.out" "$WORK/hold.err" enter main "$PROBE" sleep 20
wait_until 10 sh -c "pgrep -P $SB_PID" || true
joiner=$SB_PID
assert_eq memfd:sandbox "$(cat "/proc/$joiner/comm" 2>/dev/null)" "enter: the joining process runs the sealed copy, not the launcher's file"
if readlink "/proc/$joiner/exe" >/dev/null 2>&1; then
        fail "enter: the joining process is undumpable (its /proc/PID/exe is closed even to its owner)"
else
        pass "enter: the joining process is undumpable (its /proc/PID/exe is closed even to its owner)"
fi
assert_eq 0 "$(awk '/^Seccomp:/ {print $2}' "/proc/$joiner/status" 2>/dev/null || echo gone)" \
        "enter: the joining process holds no filter itself (it waits outside the pid namespace)"
kill -TERM "$joiner" 2>/dev/null || true
wait "$joiner" 2>/dev/null || true

# On a terminal, like docker exec -it: a shell reads what is typed, Ctrl-C stops its foreground
# command and returns to its prompt, and its exit status is enter's.
out=$(python3 - "$SANDBOX" <<'PY' 2>&1 || true
import os, pty, re, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execve(sys.argv[1], [sys.argv[1], "enter", "-e", "PS1=entered> ", "main", "/bin/sh"],
              {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "XDG_CACHE_HOME", "TMPDIR")})
buf = ""
def until(pattern, timeout=10):
    global buf
    end = time.time() + timeout
    while time.time() < end:
        m = re.search(pattern, buf, re.S)
        if m:
            buf = buf[m.end():]
            return True
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                buf += os.read(fd, 4096).decode(errors="replace")
            except OSError:
                break
    return False
print("prompt", until("entered> "))
os.write(fd, b"echo hi-$((6*7))\r")
print("echo", until(r"hi-42.*entered> "))
os.write(fd, b"sleep 100\r")
time.sleep(0.5)
os.write(fd, b"\x03")
print("ctrl-c", until(r"entered> ", 5))
os.write(fd, b"echo rc=$?\r")
print("status", until(r"rc=130"))
os.write(fd, b"exit 5\r")
_, st = os.waitpid(pid, 0)
print("exit", os.WEXITSTATUS(st) if os.WIFEXITED(st) else -1)
PY
)
assert_eq "prompt True
echo True
ctrl-c True
status True
exit 5" "$out" "enter on a terminal: a shell reads input, Ctrl-C stops its command, its exit status is enter's"

# Overrides.
if [ $ranged = 1 ]; then
        assert_exit 0 sb enter -u 0 main "$PROBE" ids
        assert_eq 0 "$(kv uid "$OUT")" "enter -u 0: root instead of the command's uid"
fi
assert_exit 0 sb enter -e X=1 -w / main sh -c 'echo $X $FOO; pwd'
assert_eq "1 bar
/" "$OUT" "enter -e and -w: added to the environment, another working directory"
assert_exit 127 sb enter main no-such-command
assert_contains "$ERR" "no-such-command" "enter: a missing command is 127 with a message"
assert_exit 7 sb enter main sh -c 'exit 7'
pass "enter: the exit status is the entered command's"
RUN_STDIN=/dev/null assert_exit 0 sb enter main
pass "enter without a command runs /bin/sh"

# --- refused targets ------------------------------------------------------------------------------
assert_exit 125 sb enter no-such-sandbox true
assert_contains "$ERR" "no running sandbox no-such-sandbox" "enter: an unknown sandbox is refused"
state_dir=$(cache_root)/state
id=$(sb ps --json | python3 -c 'import json,sys; print([s["id"] for s in json.load(sys.stdin) if s["name"] == "main"][0])')
record=$state_dir/$id.state

# plant ID RECORD-TEXT: a live-looking record named ID (this script holds its lock).
plant() {
        local fd
        printf '%s\n' "$2" >"$state_dir/$1.state"
        chmod 600 "$state_dir/$1.state"
        exec {fd}<"$state_dir/$1.state"
        flock -x "$fd"
}
mark=$WORK/entered-marker
rm -f "$mark"

# A record pointing at another user's processes: the host's pid 1 (root) as launcher and pid 1.
init_start=$(awk '{print $22}' /proc/1/stat)
fake=$(sed -e "s/^id=.*/id=00000000000000a1/" -e "s/^name=.*/name=foreign/" \
        -e "s/^launcher_pid=.*/launcher_pid=1/" -e "s/^launcher_start=.*/launcher_start=$init_start/" \
        -e "s/^pid1=.*/pid1=1/" -e "s/^pid1_start=.*/pid1_start=$init_start/" "$record")
plant 00000000000000a1 "$fake"
assert_exit 125 sb enter foreign sh -c "touch $mark"
assert_contains "$ERR" "does not match" "enter: a record naming another user's processes is refused"
assert_file_absent "$mark" "... and nothing ran"

# A record whose pids were recycled: our own processes, not a sandbox, at the recorded pids.
sleep 60 &
decoy=$!
track_pid $decoy
decoy_start=$(awk '{print $22}' "/proc/$decoy/stat")
fake=$(sed -e "s/^id=.*/id=00000000000000a2/" -e "s/^name=.*/name=recycled/" \
        -e "s/^pid1=.*/pid1=$decoy/" "$record")
plant 00000000000000a2 "$fake"
assert_exit 125 sb enter recycled sh -c "touch $mark"
assert_contains "$ERR" "does not match" "enter: a recycled pid (another start time) is refused"
fake=$(sed -e "s/^id=.*/id=00000000000000a3/" -e "s/^name=.*/name=recycled2/" \
        -e "s/^launcher_pid=.*/launcher_pid=$$/" -e "s/^launcher_start=.*/launcher_start=$(awk '{print $22}' /proc/$$/stat)/" \
        -e "s/^pid1=.*/pid1=$decoy/" -e "s/^pid1_start=.*/pid1_start=$decoy_start/" "$record")
plant 00000000000000a3 "$fake"
assert_exit 125 sb enter recycled2 sh -c "touch $mark"
assert_contains "$ERR" "does not answer" "enter: a record naming our own processes, not a launcher: refused"
assert_file_absent "$mark" "a record naming our own non-sandbox processes leads nowhere"

# A record of the real sandbox, edited to claim other namespaces: what the launcher hands over
# no longer matches, and nothing is joined.
fake=$(sed -e "s/^id=.*/id=00000000000000a4/" -e "s/^name=.*/name=edited/" \
        -e "s/^ns.mnt=.*/ns.mnt=$(stat -L -c %i /proc/self/ns/mnt)/" "$record")
plant 00000000000000a4 "$fake"
ln -s "$state_dir/$id.sock" "$state_dir/00000000000000a4.sock"
assert_exit 125 sb enter edited sh -c "touch $mark"
assert_contains "$ERR" "refusing" "enter: a record edited to name other namespaces is refused"
assert_file_absent "$mark" "... and nothing ran"

# Another user's state directory (here: one that is not yours).
other=$WORK/other-runtime
mkdir -p "$other/sandbox"
chmod 755 "$other/sandbox"
if [ -O "$other/sandbox" ]; then
        # We cannot make a directory of another owner; a world-writable parent shows the rule
        # that matters: a state directory must be yours and private. Group/other write is
        # refused, and the directory is made 0700 again.
        XDG_RUNTIME_DIR=$other run sb ps
        assert_eq "700" "$(stat -c %a "$other/sandbox")" "a state directory open to others is made 0700"
fi
# An XDG_RUNTIME_DIR of another user (after su, say) is not used: the cache's state is.
XDG_RUNTIME_DIR=/ run sb ps --format names
assert_contains "$OUT" main "an XDG_RUNTIME_DIR that is not yours is ignored for the cache's"
assert_file_absent /sandbox "nothing is created in it"

# --- a dead sandbox -----------------------------------------------------------------------------
kill -TERM "$LAUNCHER"
wait "$LAUNCHER" || true
assert_exit 125 sb enter main true
assert_contains "$ERR" "no running sandbox main" "enter: a sandbox that exited is refused"
start dead
kill -KILL "$LAUNCHER"
wait "$LAUNCHER" 2>/dev/null || true
assert_exit 125 sb enter dead sh -c "touch $mark"
assert_contains "$ERR" "no running sandbox dead" "enter: a sandbox whose launcher was SIGKILLed is refused"
assert_file_absent "$mark" "nothing ran in any refused case"
