#!/usr/bin/env bash
# The other profile settings, as the command sees them: capabilities in every set (bounding,
# permitted, effective, inheritable, ambient) for root and for a non-root --user, rlimits,
# namespaces shared with the host, and the environment (keep, set, unset, clear).
source "$(dirname "$0")/../lib/common.sh"
require_sandbox

root=$WORK/root
busybox_probe_image "$root"
img=$WORK/img.tar.gz
make_tar "$root" "$img"

# caps OPTIONS...: runs the probe's caps; sets CAPS to its output.
caps() {
        assert_exit 0 sb "$@" "$img" "$PROBE" caps
        CAPS=$OUT
}
net_bind=0000000000000400 # bit 10
kill_bit=0000000000000020 # bit 5

# --- capabilities ----------------------------------------------------------------------------
caps --cap-add= --cap-add NET_BIND_SERVICE
assert_eq $net_bind "$(kv CapBnd "$CAPS")" "keep NET_BIND_SERVICE: the bounding set is that one"
assert_eq $net_bind "$(kv CapEff "$CAPS")" "root: effective is the kept set"
assert_eq $net_bind "$(kv CapPrm "$CAPS")" "root: permitted is the kept set"
assert_eq 0000000000000000 "$(kv CapInh "$CAPS")" "root: inheritable stays empty"
assert_eq 0000000000000000 "$(kv CapAmb "$CAPS")" "root: ambient stays empty"
caps --cap-add= --cap-add NET_BIND_SERVICE --user 1000:1000
assert_eq 0000000000000000 "$(kv CapEff "$CAPS")" "uid 1000 without ambient: no capability"
caps --cap-add= --cap-add NET_BIND_SERVICE,KILL --cap-ambient NET_BIND_SERVICE --user 1000:1000
assert_eq $net_bind "$(kv CapAmb "$CAPS")" "uid 1000 with ambient NET_BIND_SERVICE: ambient"
assert_eq $net_bind "$(kv CapEff "$CAPS")" "uid 1000: effective NET_BIND_SERVICE"
assert_eq $net_bind "$(kv CapPrm "$CAPS")" "uid 1000: permitted NET_BIND_SERVICE"
assert_eq $net_bind "$(kv CapInh "$CAPS")" "uid 1000: inheritable NET_BIND_SERVICE (ambient needs it)"
assert_eq 0000000000000420 "$(kv CapBnd "$CAPS")" "uid 1000: bounding set is the kept set"
run sb --cap-add= --cap-add NET_BIND_SERVICE --cap-ambient NET_BIND_SERVICE --user 1000:1000 "$img" "$PROBE" try-syscall bind 80
assert_eq 0 "$(field errno "$OUT")" "uid 1000 with ambient NET_BIND_SERVICE binds port 80"
run sb --user 1000:1000 "$img" "$PROBE" try-syscall bind 80
assert_eq EACCES "$(field errno "$OUT")" "uid 1000 by default cannot bind port 80"
# The kept set survives a second exec (a shell running the probe).
assert_exit 0 sb --cap-ambient NET_BIND_SERVICE --user 1000:1000 "$img" sh -c "$PROBE caps"
assert_eq $net_bind "$(kv CapAmb "$OUT")" "ambient survives the exec of a child"
caps --cap-ambient SYS_ADMIN --user 1000:1000
assert_eq 0000000000000000 "$(kv CapAmb "$CAPS")" "an ambient capability that is not kept is not raised"
caps --cap-drop ALL
assert_eq 0000000000000000 "$(kv CapBnd "$CAPS")" "--cap-drop ALL: empty bounding set"
assert_eq 0000000000000000 "$(kv CapEff "$CAPS")" "--cap-drop ALL: nothing effective"
caps --cap-drop CHOWN,KILL
assert_eq 00000000a80425da "$(kv CapBnd "$CAPS")" "--cap-drop CHOWN,KILL: Docker's set minus two"
run sb --cap-drop CHOWN "$img" "$PROBE" try-syscall chown
assert_eq EPERM "$(field errno "$OUT")" "without CHOWN, chown to another owner fails"
run sb "$img" "$PROBE" try-syscall chown
assert_eq 0 "$(field errno "$OUT")" "with CHOWN it works"
assert_exit 125 sb --cap-add NET_BIND "$img" true
assert_contains "$ERR" "unknown capability 'net_bind' (did you mean NET_BIND_SERVICE?)" \
        "an unknown capability is named, with the nearest one"
assert_exit 0 sb --cap-add SYS_ADMIN "$img" true
assert_contains "$ERR" "keeping SYS_ADMIN" "keeping SYS_ADMIN warns"

# --- rlimits --------------------------------------------------------------------------------------
assert_exit 0 sb --rlimit-nofile 64:128 --rlimit-core 0 "$img" cat /proc/self/limits
assert_match "$OUT" "^Max open files +64 +128 " "nofile 64:128 applies"
assert_match "$OUT" "^Max core file size +0 +0 " "core 0 applies"
assert_exit 0 sb --rlimit-fsize 1M "$img" cat /proc/self/limits
assert_match "$OUT" "^Max file size +1048576 +1048576 " "fsize 1M: sizes take suffixes"
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ]; then
        assert_exit 125 sb --rlimit-nofile "$((hard + 1))" "$img" true
        assert_contains "$ERR" "[rlimits] nofile: the hard limit $((hard + 1)) is above $hard" \
                "raising a hard limit above the caller's is refused, with both numbers"
fi

# --- namespaces shared with the host --------------------------------------------------------------
host_ipc=$(stat -L -c %i /proc/self/ns/ipc)
host_uts=$(stat -L -c %i /proc/self/ns/uts)
assert_exit 0 sb "$img" "$PROBE" ns
assert_ne "$host_ipc" "$(kv ns.ipc "$OUT")" "by default the IPC namespace is new"
assert_exit 0 sb --ns-ipc=no "$img" "$PROBE" ns
assert_eq "$host_ipc" "$(kv ns.ipc "$OUT")" "--ns-ipc=no shares the host's IPC namespace"
assert_contains "$ERR" "shares the host's System V IPC" "--ns-ipc=no warns"
assert_exit 0 sb --ns-uts=no "$img" "$PROBE" hostname
assert_eq "$(uname -n)" "$(kv hostname "$OUT")" "--ns-uts=no: the host's hostname"
assert_exit 0 sb --ns-uts=no "$img" "$PROBE" ns
assert_eq "$host_uts" "$(kv ns.uts "$OUT")" "--ns-uts=no shares the UTS namespace"
assert_exit 0 sb --ns-uts=no "$img" cat /etc/hostname
assert_eq "$(uname -n)" "$OUT" "--ns-uts=no: /etc/hostname says the host's name"
assert_exit 125 sb --ns-uts=no --hostname other "$img" true
assert_contains "$ERR" "needs a UTS namespace of its own" "a hostname without a UTS namespace is refused"
host_cgroup=$(stat -L -c %i /proc/self/ns/cgroup)
assert_exit 0 sb --ns-cgroup=no "$img" "$PROBE" ns
assert_eq "$host_cgroup" "$(kv ns.cgroup "$OUT")" "--ns-cgroup=no shares the cgroup namespace"

# --- environment -----------------------------------------------------------------------------------
export KEEP_ME=kept LC_SANDBOX_A=a LC_SANDBOX_B=b SECRET=no
assert_exit 0 sb --env-keep KEEP_ME,LC_SANDBOX_* "$img" "$PROBE" env
assert_match "$OUT" "^KEEP_ME=kept$" "--env-keep NAME passes a variable of the caller"
assert_match "$OUT" "^LC_SANDBOX_A=a$" "--env-keep PREFIX* passes the matching ones"
assert_match "$OUT" "^LC_SANDBOX_B=b$" "--env-keep PREFIX* passes all of them"
assert_not_contains "$OUT" "SECRET" "a variable not kept stays out"
assert_exit 0 sb --env-unset PATH,HOME "$img" "$PROBE" env
assert_no_match "$OUT" "^(PATH|HOME)=" "--env-unset removes the defaults"
assert_exit 0 sb --env-clear --env-keep= -e ONLY=1 "$img" "$PROBE" env
assert_eq "ONLY=1" "$OUT" "--env-clear --env-keep=: only what is set"
assert_exit 0 sb --env-unset A -e A=2 "$img" "$PROBE" env
assert_match "$OUT" "^A=2$" "a set after an unset wins"
assert_exit 0 sb -e A=1 --env-unset A "$img" "$PROBE" env
assert_no_match "$OUT" "^A=" "an unset after a set wins"
assert_exit 0 sb -e A=1 --env= -e B=2 "$img" "$PROBE" env
assert_no_match "$OUT" "^A=" "--env= clears the variables set before it"
assert_match "$OUT" "^B=2$" "... and later ones still apply"
