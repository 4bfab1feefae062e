#!/usr/bin/env bash
# Debugging: --stop-at-entry leaves the command stopped before its first instruction and prints
# its host pid and a gdb line; that very line, run as `gdb -batch`, hits a breakpoint on main of
# a test program in the image, with the program's libraries read from the image (set sysroot
# /proc/PID/root). The sandbox's processes stay attachable by their owner from the host (gdb -p,
# strace -p), pid 1 does not (it is undumpable).
source "$(dirname "$0")/../lib/common.sh"
require_sandbox
command -v gdb >/dev/null || skip "no gdb (tools/setup-debian.sh installs it)"
command -v strace >/dev/null || skip "no strace (tools/setup-debian.sh installs it)"
cc=${CC:-cc}
command -v "$cc" >/dev/null || skip "no C compiler to build the test program (build-essential)"

# A test program with a main, linked against a libc that only the image has: /opt/sblib.
root=$WORK/root
busybox_probe_image "$root"
cat >"$WORK/hello.c" <<'EOF'
#include <stdio.h>
#include <unistd.h>
int main(int argc, char **argv)
{
        printf("hello from %s with %d arguments\n", argv[0], argc - 1);
        return 3;
}
EOF
"$cc" -g -O0 -o "$root/usr/local/bin/hello" "$WORK/hello.c" -Wl,-rpath,/opt/sblib
interp=$(readelf -l "$root/usr/local/bin/hello" | sed -n 's/.*interpreter: \(.*\)\]/\1/p')
libc=$(ldd "$root/usr/local/bin/hello" | awk '/libc\.so/ {print $3}')
mkdir -p "$root/opt/sblib" "$root$(dirname "$interp")"
cp -L "$libc" "$root/opt/sblib/libc.so.6"
cp -L "$interp" "$root$interp"
[ ! -e "/opt/sblib/libc.so.6" ] || skip "the host has /opt/sblib: the test needs a path only the image has"
img=$WORK/img.tar.gz
make_tar "$root" "$img"
assert_exit 3 sb "$img" /usr/local/bin/hello x
assert_eq "hello from /usr/local/bin/hello with 1 arguments" "$OUT" "the test program runs in the image with the image's libc"

# stopped_launch ERRFILE OPTIONS...: starts a --stop-at-entry sandbox; sets PID (the command's
# host pid) and GDB_LINE (the line the launcher printed).
stopped_launch() {
        local err=$1
        shift
        sb_bg "$WORK/out" "$err" --stop-at-entry "$@"
        PID="" GDB_LINE=""
        if wait_until 30 grep -q '^    .*gdb ' "$err"; then
                PID=$(sed -n 's/.*as host pid \([0-9]*\).*/\1/p' "$err")
                GDB_LINE=$(sed -n 's/^    \(.*gdb .*\)/\1/p' "$err")
        else
                fail "--stop-at-entry prints a gdb line" "stderr: $(cat "$err")"
        fi
}

# --- a dynamic program: stopped at entry, then gdb ----------------------------------------------
stopped_launch "$WORK/err" "$img" /usr/local/bin/hello a b
if [ -n "$PID" ]; then
        launcher=$SB_PID
        note "printed: $(cat "$WORK/err")"
        assert_eq T "$(awk '{print $3}' "/proc/$PID/stat")" "the command is stopped (state T)"
        assert_eq hello "$(basename "$(readlink "/proc/$PID/exe")")" "it is the command's program, already exec'd"
        assert_eq 0 "$(grep -c 'libc\.so' "/proc/$PID/maps" || true)" \
                "not one instruction ran: the dynamic loader has not even mapped libc yet"
        assert_eq "" "$(cat "$WORK/out")" "the program printed nothing yet"
        assert_contains "$GDB_LINE" "set sysroot /proc/$PID/root" "the gdb line sets the sysroot to the image"
        assert_contains "$GDB_LINE" "-p $PID" "the gdb line attaches to the host pid"
        assert_contains "$(sb ps --json)" "\"command_pid\":$PID" "ps shows the stopped command's host pid"
        # The printed line, as it is, run in batch mode with a few more commands.
        eval "timeout 60 $GDB_LINE -nx -batch -ex 'info sharedlibrary' -ex 'print argc' -ex continue" \
                >"$WORK/gdb.out" 2>&1 || true
        gdb_out=$(cat "$WORK/gdb.out")
        assert_match "$gdb_out" '^Breakpoint 1, main \(argc=3, argv=' "gdb hits the breakpoint on main"
        assert_match "$gdb_out" '^\$1 = 3$' "gdb reads main's arguments"
        assert_match "$gdb_out" "/proc/$PID/root/opt/sblib/libc\\.so\\.6" "gdb loads libc from the image, through the sysroot"
        assert_no_match "$gdb_out" 'Could not load shared library symbols' "gdb finds every library"
        assert_match "$gdb_out" 'exited with code 03' "the program runs to its end under gdb"
        rc=0
        wait "$launcher" || rc=$?
        assert_eq 3 "$rc" "the launcher exits with the program's status"
        assert_eq "hello from /usr/local/bin/hello with 2 arguments" "$(cat "$WORK/out")" "the program's output"
fi

# --- a non-root static command (the probe), and kill -CONT without a debugger -------------------
stopped_launch "$WORK/err2" --user 1000:1000 "$img" "$PROBE" ids
if [ -n "$PID" ]; then
        launcher=$SB_PID
        # gdb needs /proc/PID/mem, which only the process's own uid may open: for uid 1000
        # inside, the line runs gdb in the sandbox's user namespace.
        assert_match "$GDB_LINE" "^nsenter --user --preserve-credentials -t $PID gdb " \
                "for a non-root command, the line runs gdb in the sandbox's user namespace"
        eval "timeout 60 $GDB_LINE -nx -batch -ex continue" >"$WORK/gdb2.out" 2>&1 || true
        assert_match "$(cat "$WORK/gdb2.out")" '^Breakpoint 1, main \(' "gdb hits main of a static program running as uid 1000"
        assert_no_match "$(cat "$WORK/gdb2.out")" 'Cannot access memory' "gdb reads and writes its memory"
        wait "$launcher" || true
        assert_eq 1000 "$(kv uid "$(cat "$WORK/out")")" "... which ran as uid 1000"
fi
stopped_launch "$WORK/err3" "$img" "$PROBE" pid
if [ -n "$PID" ]; then
        launcher=$SB_PID
        sleep 0.3
        assert_eq "" "$(cat "$WORK/out")" "the stopped command waits for a debugger"
        kill -CONT "$PID"
        rc=0
        wait "$launcher" || rc=$?
        assert_eq 0 "$rc" "kill -CONT lets it run without a debugger"
        assert_match "$(cat "$WORK/out")" '^pid=[0-9]+$' "... to its end"
fi
assert_exit 127 sb --stop-at-entry "$img" no-such-command
assert_contains "$ERR" "no-such-command" "--stop-at-entry with a missing command: 127 and why, no stop"

# --- attaching to a running sandbox from the host -----------------------------------------------
sb_bg "$WORK/run.out" "$WORK/run.err" --name busy "$img" sh -c 'echo up; while :; do sleep 0.2; done'
wait_until 20 grep -q up "$WORK/run.out" || true
cmd=$(sb ps --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["command_pid"])')
pid1=$(sb ps --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["pid1"])')
timeout -s INT 2 strace -f -p "$cmd" >"$WORK/strace.out" 2>&1 || true
assert_match "$(cat "$WORK/strace.out")" 'wait4\(|clone\(|execve\(' "strace -p attaches to the command from the host"
timeout 30 gdb -nx -batch -p "$cmd" -ex 'info proc' >"$WORK/gdb3.out" 2>&1 || true
assert_match "$(cat "$WORK/gdb3.out")" "^process $cmd\$" "gdb -p attaches to the command from the host"
timeout 30 gdb -nx -batch -p "$pid1" -ex 'info proc' >"$WORK/gdb4.out" 2>&1 || true
assert_match "$(cat "$WORK/gdb4.out")" 'ptrace: Operation not permitted' "pid 1 is not attachable (it is undumpable)"
assert_exit 0 sb enter busy "$PROBE" try-syscall ptrace
note "ptrace inside the sandbox (PTRACE_TRACEME): $(field errno "$OUT") (the default seccomp profile decides)"
assert_exit 0 sb stop -t 1 busy
