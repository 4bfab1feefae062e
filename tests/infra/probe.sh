#!/usr/bin/env bash
# The probe, run on the host as the unprivileged test user: it is static, and each subcommand
# prints what tests/probe/probe.c documents, with values that match what the host shows.
source "$(dirname "$0")/../lib/common.sh"
require_probe
P=$SANDBOX_PROBE

run ldd "$P"
assert_ne 0 "$RC" "the probe is statically linked (ldd: $OUT$ERR)"

assert_exit 0 "$P" ids
assert_eq "$(id -u)" "$(kv uid "$OUT")" "ids: uid"
assert_eq "$(id -g)" "$(kv gid "$OUT")" "ids: gid"
assert_eq "$(id -u)" "$(kv euid "$OUT")" "ids: euid"
assert_eq "$(id -G | tr ' ' '\n' | sort -n | paste -sd, -)" "$(kv groups "$OUT" | tr ',' '\n' | sort -n | paste -sd, -)" "ids: groups"
assert_eq "0 0 4294967295" "$(kv uid_map "$OUT")" "ids: uid_map of the initial namespace"
assert_eq allow "$(kv setgroups "$OUT")" "ids: setgroups"
assert_exit 0 unshare --user --map-root-user "$P" ids
assert_eq 0 "$(kv uid "$OUT")" "ids in a user namespace: uid 0"
assert_eq "0 $(id -u) 1" "$(kv uid_map "$OUT")" "ids in a user namespace: the single-id uid_map"
assert_eq deny "$(kv setgroups "$OUT")" "ids in a user namespace: setgroups deny"

assert_exit 0 "$P" ns /proc/self
for ns in user mnt pid ipc uts cgroup net; do
        assert_eq "$(stat -L -c %i "/proc/self/ns/$ns")" "$(kv "ns.$ns" "$OUT")" "ns: ns.$ns is the inode of /proc/self/ns/$ns"
        assert_eq 1 "$(kv "ns.$ns.same" "$OUT")" "ns: ns.$ns.same=1 against /proc/self"
done
assert_exit 0 unshare --user --map-root-user sh -c 'unshare --net --uts "$0" ns /proc/$$' "$P"
assert_eq 0 "$(kv ns.net.same "$OUT")" "ns: a new net namespace differs from the shell's"
assert_eq 1 "$(kv ns.ipc.same "$OUT")" "ns: an unchanged ipc namespace is the same"

assert_exit 0 "$P" caps
assert_eq "$(sed -n 's/^CapBnd:\t//p' /proc/self/status)" "$(kv CapBnd "$OUT")" "caps: CapBnd as in /proc/self/status"
assert_eq 0000000000000000 "$(kv CapEff "$OUT")" "caps: no effective capability"
assert_eq "" "$(kv CapEff.names "$OUT")" "caps: CapEff.names is empty"
assert_exit 0 unshare --user --map-root-user "$P" caps
assert_match "$(kv CapEff.names "$OUT")" "(^|,)SYS_ADMIN(,|$)" "caps: root in a user namespace has SYS_ADMIN, by name"
assert_match "$(kv CapEff.names "$OUT")" "^CHOWN,DAC_OVERRIDE," "caps: names in bit order"

assert_exit 0 "$P" status
assert_eq 0 "$(kv NoNewPrivs "$OUT")" "status: NoNewPrivs=0 on the host"
assert_match "$OUT" "^Seccomp=[0-2]$" "status: Seccomp"
assert_match "$OUT" "^Seccomp_filters=[0-9]+$" "status: Seccomp_filters"
assert_exit 0 setpriv --no-new-privs "$P" status
assert_eq 1 "$(kv NoNewPrivs "$OUT")" "status: NoNewPrivs=1 under setpriv --no-new-privs"

exec 7>"$WORK/fd7"
assert_exit 0 "$P" fds
exec 7>&-
assert_match "$OUT" "^fd=7 target=$WORK/fd7$" "fds: an inherited fd and its target"
assert_match "$OUT" "^fd=0 target=/dev/null$" "fds: stdin"
assert_no_match "$OUT" "target=/proc/[0-9]+/fd" "fds: the listing's own fd is left out"

assert_exit 0 "$P" mounts
assert_match "$OUT" "^mount=/ fstype=[^ ]+ options=[^ ]+ super=[^ ]* root=/ source=" "mounts: the root mount, all fields"
assert_match "$OUT" "^mount=/proc fstype=proc " "mounts: /proc"

assert_exit 0 "$P" hostname
assert_eq "$(uname -n)" "$(kv hostname "$OUT")" "hostname"
assert_exit 0 env -i A=1 "B=x y" "$P" env
assert_eq "A=1
B=x y" "$OUT" "env: exactly the environment, in order"
assert_exit 0 "$P" pid
assert_eq "$$" "$(kv ppid "$OUT")" "pid: ppid is this shell"
assert_match "$OUT" "^pid=[0-9]+$" "pid: pid"

# try-syscall: the format for every name, and the result an unprivileged host user gets.
for name in tiocsti tioclinux ptrace unshare-user clone-newuser mount keyctl bpf perf_event_open \
        userfaultfd io_uring_setup personality socket-vsock socket-alg socket-packet socket-raw \
        chown mknod setuid kill1 reboot bind clone3 fsopen open_tree i386-keyctl i386-unshare-user \
        x32-keyctl; do
        run "$P" try-syscall "$name"
        assert_match "$OUT" "^syscall=$name ret=-?[0-9]+ errno=(0|E[A-Z0-9]+)$" "try-syscall $name: $OUT"
done
expect_errno() { # NAME ERRNO [ARG...]
        local name=$1 want=$2
        shift 2
        run "$P" try-syscall "$name" "$@"
        assert_eq "$want" "$(printf '%s\n' "$OUT" | grep "^syscall=$name " | grep -o 'errno=[^ ]*' | cut -d= -f2)" \
                "try-syscall $name $*: $want"
}
expect_errno tiocsti ENOTTY
expect_errno tiocsti-high ENOTTY
expect_errno tioclinux ENOTTY
expect_errno mount EPERM "$WORK"
expect_errno mknod EPERM "$WORK/node"
expect_errno setuid EPERM 0
expect_errno chown EPERM "$WORK/fd7" 0 0
expect_errno kill1 EPERM
expect_errno reboot EPERM
expect_errno socket-raw EPERM
expect_errno personality 0
expect_errno clone3 0
expect_errno userfaultfd 0
expect_errno fsopen EPERM
if [ "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start 2>/dev/null || echo 1024)" -gt 80 ]; then
        expect_errno bind EACCES 80
fi
run "$P" try-syscall i386-keyctl
assert_match "$OUT" "errno=(0|ENOSYS)$" "i386-keyctl runs the call (ENOSYS: the kernel has no i386 ABI)"
assert_exit 0 unshare --user --map-root-user --mount "$P" try-syscall mount "$WORK"
assert_eq "syscall=mount ret=0 errno=0" "$OUT" "try-syscall mount succeeds with CAP_SYS_ADMIN (user+mount ns)"
assert_exit 0 "$P" getppid-loop 1000
assert_match "$OUT" "^calls=1000 ns_per_call=[0-9]+\.[0-9]+$" "getppid-loop: calls and ns per call"
run "$P" try-syscall no-such-call
assert_rc 2 "try-syscall of an unknown name: status 2"

assert_exit 0 "$P" write "$WORK/w" hello
assert_eq "path=$WORK/w ret=0 errno=0" "$OUT" "write: creates"
assert_exit 0 "$P" write "$WORK/w"
assert_eq "helloprobe" "$(tr -d '\n' <"$WORK/w")" "write: appends (default data probe)"
assert_exit 0 "$P" write /proc/version
assert_eq EACCES "$(field errno "$OUT")" "write: reports errno (EACCES on /proc/version)"
assert_exit 0 "$P" read "$WORK/w"
assert_eq "path=$WORK/w ret=0 errno=0 bytes=11" "$OUT" "read: counts bytes"
assert_exit 0 "$P" read "$WORK/none"
assert_eq "path=$WORK/none ret=-1 errno=ENOENT bytes=0" "$OUT" "read: reports ENOENT"
assert_exit 0 "$P" stat "$WORK/w"
assert_match "$OUT" "^path=$WORK/w ret=0 errno=0 type=reg mode=0644 uid=$(id -u) gid=$(id -g) size=11 nlink=1 ino=[0-9]+ dev=[0-9]+:[0-9]+ rdev=0:0$" "stat: a regular file"
assert_exit 0 "$P" stat /dev/null
assert_match "$OUT" "type=chr mode=0666 .*rdev=1:3$" "stat: /dev/null"
ln -s target "$WORK/lnk"
assert_exit 0 "$P" stat "$WORK/lnk"
assert_match "$OUT" "type=lnk .* link=target$" "stat: a symlink, not followed"
assert_exit 0 "$P" stat "$WORK/none"
assert_eq "path=$WORK/none ret=-1 errno=ENOENT" "$OUT" "stat: ENOENT"

assert_exit 0 "$P" chroot-escape /etc/passwd
assert_eq "chroot=EPERM escaped-path=/etc/passwd exists=1" "$OUT" "chroot-escape: EPERM without CAP_SYS_CHROOT"

assert_exit 0 "$P" sleep 0.2
assert_eq slept=0.2 "$OUT" "sleep"

"$P" signal-wait >"$WORK/sw" &
pid=$!
track_pid "$pid"
wait_until 10 grep -q '^ready=1$' "$WORK/sw" || true
kill -USR1 "$pid" || true
wait_until 5 grep -q '^signal=SIGUSR1$' "$WORK/sw" || true
kill -WINCH "$pid" || true
wait_until 5 grep -q '^signal=SIGWINCH$' "$WORK/sw" || true
kill -TERM "$pid" || true
rc=0
wait "$pid" || rc=$?
assert_eq "ready=1
signal=SIGUSR1
signal=SIGWINCH
signal=SIGTERM" "$(cat "$WORK/sw")" "signal-wait: prints each signal, ends on SIGTERM"
assert_eq 0 "$rc" "signal-wait: exits 0 after SIGTERM"

assert_exit 42 "$P" exit 42
assert_exit 143 "$P" kill-self TERM
assert_exit 137 "$P" kill-self SIGKILL
assert_exit 138 "$P" kill-self 10
assert_exit 139 "$P" kill-self segv
assert_exit 2 "$P" kill-self NOSUCH
assert_exit 2 "$P"
assert_exit 2 "$P" no-such-subcommand
assert_contains "$ERR" "usage: probe" "usage on stderr"
