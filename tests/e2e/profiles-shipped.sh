#!/usr/bin/env bash
# Each shipped profile really applies its mounts, capabilities, seccomp rules and limits:
# default (what runs without --profile), strict, web, ci and devel, for root and for a
# non-root --user, checked with the probe from inside.
source "$(dirname "$0")/../lib/common.sh"
require_sandbox

root=$WORK/root
busybox_probe_image "$root"
mkdir -p "$root/srv"
echo image-srv >"$root/srv/from-image"
img=$WORK/img.tar.gz
make_tar "$root" "$img"
export XDG_CONFIG_HOME=$WORK/config # no profile of this user's shadows a shipped one

errno_of() { # PROFILE NAME [ARGS...] (with --user from $AS when set)
        local profile=$1 name=$2
        shift 2
        run sb --profile "$profile" ${AS:+--user "$AS"} "$img" "$PROBE" try-syscall "$name" "$@"
        printf '%s\n' "$OUT" | grep "^syscall=$name " | grep -o 'errno=[^ ]*' | cut -d= -f2
}
mount_line() { # POINT: the last mount at POINT in $OUT (probe mounts)
        printf '%s\n' "$OUT" | grep "^mount=$1 " | tail -n 1 || true
}
docker=00000000a80425fb

# --- default: the same as no --profile ---------------------------------------------------------
assert_exit 0 sb --profile default "$img" "$PROBE" caps
with=$OUT
assert_exit 0 sb "$img" "$PROBE" caps
assert_eq "$OUT" "$with" "default: the capabilities of a run without --profile"
assert_eq $docker "$(kv CapEff "$with")" "default: Docker's 14 capabilities for root"
assert_exit 0 sb --profile default --user 1000:1000 "$img" "$PROBE" caps
assert_eq 0000000000000000 "$(kv CapEff "$OUT")" "default: none for a non-root user"
assert_eq 0000000000000000 "$(kv CapAmb "$OUT")" "default: no ambient capability"
for call in ptrace keyctl io_uring_setup unshare-user tiocsti; do
        assert_eq EPERM "$(errno_of default "$call")" "default: $call denied"
done
assert_eq ENOSYS "$(errno_of default clone3)" "default: clone3 is ENOSYS"
assert_exit 0 sb --profile default "$img" sh -c 'touch /new && echo ok'
assert_eq ok "$OUT" "default: the root is writable (copy-on-write)"
assert_exit 0 sb --profile default "$img" "$PROBE" env
assert_eq "" "$(printf '%s\n' "$OUT" | cut -d= -f1 | grep -vxE 'PATH|HOME|TERM|LANG' || true)" \
        "default: the environment is PATH HOME TERM LANG"

# --- strict: read-only root, no capabilities, more denials ----------------------------------
assert_exit 0 sb --profile strict "$img" "$PROBE" caps
for set in CapBnd CapEff CapPrm CapInh CapAmb; do
        assert_eq 0000000000000000 "$(kv $set "$OUT")" "strict: $set is empty"
done
assert_exit 0 sb --profile strict "$img" "$PROBE" write /etc/new
assert_eq EROFS "$(field errno "$OUT")" "strict: the root is read-only"
assert_exit 0 sb --profile strict "$img" "$PROBE" write /tmp/new
assert_eq 0 "$(field errno "$OUT")" "strict: /tmp is a writable tmpfs"
assert_exit 0 sb --profile strict "$img" "$PROBE" mounts
assert_match "$(mount_line /)" "options=ro" "strict: / is mounted read-only"
assert_match "$(mount_line /tmp)" "fstype=tmpfs" "strict: /tmp is a tmpfs"
assert_eq EPERM "$(errno_of strict socket-raw)" "strict: no raw sockets (no NET_RAW)"
assert_eq EPERM "$(errno_of strict socket-packet)" "strict: no packet sockets"
assert_eq EPERM "$(errno_of strict mount /tmp)" "strict: mount denied"
assert_eq EPERM "$(errno_of strict chown)" "strict: no CHOWN even for root"
assert_eq EPERM "$(errno_of strict ptrace)" "strict: ptrace denied"
assert_exit 0 sb --profile strict "$img" cat /proc/self/limits
assert_match "$OUT" "^Max core file size +0 +0 " "strict: no core dumps"
TERM=xterm-strict assert_exit 0 sb --profile strict "$img" "$PROBE" env
assert_not_contains "$OUT" "xterm-strict" "strict: none of the caller's variables"
assert_exit 0 sb --profile strict "$img" "$PROBE" ns
assert_ne "$(stat -L -c %i /proc/self/ns/net)" "$(kv ns.net "$OUT")" "strict: its own network namespace"

# --- web: low ports for any user, a writable /srv ------------------------------------------
AS=1000:1000
assert_eq 0 "$(errno_of web bind 80)" "web: uid 1000 binds port 80"
assert_eq EACCES "$(errno_of default bind 80)" "(default: uid 1000 cannot bind port 80)"
unset AS
assert_eq 0 "$(errno_of web bind 443)" "web: root binds port 443"
assert_exit 0 sb --profile web --user 1000:1000 "$img" "$PROBE" caps
assert_eq 0000000000000400 "$(kv CapAmb "$OUT")" "web: uid 1000 has exactly NET_BIND_SERVICE, ambient"
assert_eq 0000000000000400 "$(kv CapEff "$OUT")" "web: ... and effective"
assert_exit 0 sb --profile web "$img" "$PROBE" caps
assert_eq 00000000000004eb "$(kv CapEff "$OUT")" "web: root keeps what a server needs to drop to its user"
assert_exit 0 sb --profile web --user 1000:1000 "$img" sh -c 'echo data >/srv/file && cat /srv/file'
assert_eq data "$OUT" "web: /srv is writable by a non-root user"
assert_exit 0 sb --profile web "$img" "$PROBE" mounts
assert_match "$(mount_line /srv)" "fstype=tmpfs options=rw,nosuid,nodev" "web: /srv is a tmpfs"
assert_exit 0 sb --profile web "$img" cat /proc/self/limits
assert_match "$OUT" "^Max open files +8192 +8192 " "web: 8192 open files"
assert_eq EPERM "$(errno_of web ptrace)" "web: the default filter (ptrace denied)"

# --- ci: the current directory as /work, limits, no devices --------------------------------------
job=$WORK/job
mkdir -p "$job"
echo source >"$job/input"
( cd "$job" && sb --profile ci "$img" sh -c 'pwd; cat input; echo built >output' ) >"$WORK/ci.out" 2>"$WORK/ci.err" ||
        fail "ci: the job runs" "stderr: $(cat "$WORK/ci.err")"
assert_eq "/work
source" "$(cat "$WORK/ci.out")" "ci: starts in /work, which is the current directory"
assert_eq built "$(cat "$job/output" 2>&1)" "ci: what the job writes stays in the directory"
assert_match "$(cat "$WORK/ci.err")" "^sandbox: warning: --memory 4G dropped" \
        "ci: its [limits] are never silently dropped (best-effort: a warning here)"
( cd "$job" && sb profile show ci ) >"$WORK/ci.show"
assert_match "$(cat "$WORK/ci.show")" "^memory = 4G$" "ci: a memory limit"
assert_match "$(cat "$WORK/ci.show")" "^pids = 4096$" "ci: a pids limit"
( cd "$job" && sb --profile ci "$img" "$PROBE" caps ) >"$WORK/ci.caps" 2>/dev/null
assert_not_contains "$(kv CapEff.names "$(cat "$WORK/ci.caps")")" "MKNOD" "ci: no MKNOD"
( cd "$job" && sb --profile ci "$img" "$PROBE" try-syscall mknod ) >"$WORK/ci.mknod" 2>/dev/null
assert_eq EPERM "$(field errno "$(cat "$WORK/ci.mknod")")" "ci: no device nodes can be made"
( cd "$job" && sb --profile ci "$img" cat /proc/self/limits ) >"$WORK/ci.limits" 2>/dev/null
assert_match "$(cat "$WORK/ci.limits")" "^Max core file size +0 +0 " "ci: no core dumps"
( cd "$job" && sb --profile ci --dev-bind /dev/null:/dev/x "$img" true ) 2>"$WORK/ci.dev" || true
assert_contains "$(cat "$WORK/ci.dev")" "gives the sandbox a host device" \
        "ci: a device bound on top is at least warned about"

# --- devel: ptrace and perf, for root and for a user -------------------------------------------
assert_eq 0 "$(errno_of devel ptrace)" "devel: ptrace works for root"
AS=1000:1000
assert_eq 0 "$(errno_of devel ptrace)" "devel: ptrace works for uid 1000"
assert_ne EPERM "$(errno_of devel perf_event_open)" "devel: perf_event_open is not denied by the filter"
assert_eq 0 "$(errno_of devel personality 0x0040000)" "devel: personality(ADDR_NO_RANDOMIZE) works (gdb)"
unset AS
assert_exit 0 sb --profile devel --user 1000:1000 "$img" "$PROBE" caps
assert_eq 0000000000080000 "$(kv CapAmb "$OUT")" "devel: uid 1000 has SYS_PTRACE, ambient"
assert_eq EPERM "$(errno_of devel keyctl)" "devel: the rest of the default filter stays (keyctl)"
# Everything else of the default filter stays.
assert_exit 0 sb --profile devel "$img" "$PROBE" status
assert_eq 2 "$(kv Seccomp "$OUT")" "devel: still a seccomp filter"
