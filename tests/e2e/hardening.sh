#!/usr/bin/env bash
# Hardening of the workload: no_new_privs, a seccomp filter (TIOCSTI and TIOCLINUX fail with
# EPERM, also with high bits set in the request), Docker's 14 capabilities as the bounding set,
# no inherited file descriptor but 0, 1 and 2, and an environment reset to PATH HOME TERM LANG
# plus --env.
source "$(dirname "$0")/../lib/common.sh"
require_sandbox

root=$WORK/root
busybox_probe_image "$root"
img=$WORK/img.tar.gz
make_tar "$root" "$img"

docker_caps=00000000a80425fb
docker_names=AUDIT_WRITE,CHOWN,DAC_OVERRIDE,FOWNER,FSETID,KILL,MKNOD,NET_BIND_SERVICE,NET_RAW,SETFCAP,SETGID,SETPCAP,SETUID,SYS_CHROOT
sorted_names() { tr ',' '\n' <<<"$1" | sort | paste -sd, -; }

# --- no_new_privs and seccomp ------------------------------------------------------------------
for who in root 1000:1000; do
        opts=()
        [ "$who" = root ] || opts=(--user "$who")
        assert_exit 0 sb "${opts[@]}" "$img" "$PROBE" status
        assert_eq 1 "$(kv NoNewPrivs "$OUT")" "$who: NoNewPrivs is 1"
        assert_eq 2 "$(kv Seccomp "$OUT")" "$who: Seccomp is 2 (filter)"
        filters=$(kv Seccomp_filters "$OUT")
        if [ -n "$filters" ] && [ "$filters" -ge 1 ]; then
                pass "$who: at least one seccomp filter ($filters)"
        else
                fail "$who: at least one seccomp filter" "got: ${filters:-none}"
        fi
done

# --- capabilities ------------------------------------------------------------------------------
assert_exit 0 sb "$img" "$PROBE" caps
assert_eq $docker_caps "$(kv CapBnd "$OUT")" "root: the bounding set is Docker's 14"
assert_eq $docker_names "$(sorted_names "$(kv CapBnd.names "$OUT")")" "root: the bounding set names"
assert_eq $docker_caps "$(kv CapEff "$OUT")" "root: effective capabilities are the 14"
assert_eq $docker_caps "$(kv CapPrm "$OUT")" "root: permitted capabilities are the 14"
assert_eq 0000000000000000 "$(kv CapAmb "$OUT")" "root: no ambient capability"
assert_exit 0 sb --user 1000:1000 "$img" "$PROBE" caps
assert_eq $docker_caps "$(kv CapBnd "$OUT")" "uid 1000: the bounding set is Docker's 14"
assert_eq 0000000000000000 "$(kv CapEff "$OUT")" "uid 1000: no effective capability"
assert_eq 0000000000000000 "$(kv CapPrm "$OUT")" "uid 1000: no permitted capability"
assert_eq 0000000000000000 "$(kv CapAmb "$OUT")" "uid 1000: no ambient capability"
# What the missing capabilities would allow.
assert_exit 0 sb "$img" "$PROBE" try-syscall mount /tmp
assert_eq EPERM "$(field errno "$OUT")" "mount needs CAP_SYS_ADMIN, which is gone"

# --- file descriptors -----------------------------------------------------------------------------
exec 5<"$root/etc/passwd" 7>"$WORK/fd7" 9<>"$WORK/fd9"
for who in root 1000:1000; do
        opts=()
        [ "$who" = root ] || opts=(--user "$who")
        assert_exit 0 sb "${opts[@]}" "$img" "$PROBE" fds
        assert_eq "0 1 2" "$(printf '%s\n' "$OUT" | sed -n 's/^fd=\([0-9]*\) .*/\1/p' | sort -n | paste -sd' ' -)" \
                "$who: only fds 0, 1 and 2 are open inside (the host had 5, 7 and 9 open)"
done
exec 5<&- 7>&- 9<&-

# --- TIOCSTI and TIOCLINUX ------------------------------------------------------------------------
assert_exit 0 sb "$img" "$PROBE" try-syscall tiocsti
assert_eq EPERM "$(printf '%s\n' "$OUT" | grep '^syscall=tiocsti ' | grep -o 'errno=[^ ]*' | cut -d= -f2)" \
        "TIOCSTI fails with EPERM"
assert_eq EPERM "$(printf '%s\n' "$OUT" | grep '^syscall=tiocsti-high ' | grep -o 'errno=[^ ]*' | cut -d= -f2)" \
        "TIOCSTI with the request's high 32 bits set fails with EPERM"
assert_exit 0 sb "$img" "$PROBE" try-syscall tioclinux
assert_eq EPERM "$(field errno "$OUT")" "TIOCLINUX fails with EPERM"
# On a real terminal, where TIOCSTI would otherwise work.
out=$(script -qec "$SANDBOX $img $PROBE try-syscall tiocsti" /dev/null </dev/null 2>&1 | tr -d '\r' || true)
assert_eq "EPERM EPERM" "$(printf '%s\n' "$out" | grep -o 'syscall=tiocsti.* errno=[^ ]*' | grep -o 'errno=[^ ]*' | cut -d= -f2 | paste -sd' ' -)" \
        "TIOCSTI on a terminal fails with EPERM (both forms)"

# --- environment ----------------------------------------------------------------------------------
export SANDBOX_HOST_SECRET=leaked LD_PRELOAD=/nonexistent.so
assert_exit 0 sb "$img" "$PROBE" env
unset LD_PRELOAD
assert_not_contains "$OUT" "SANDBOX_HOST_SECRET" "a host variable does not reach the command"
assert_not_contains "$OUT" "LD_PRELOAD" "LD_PRELOAD does not reach the command"
keys=$(printf '%s\n' "$OUT" | cut -d= -f1 | sort | paste -sd' ' -)
extra=$(printf '%s\n' "$OUT" | cut -d= -f1 | grep -vxE 'PATH|HOME|TERM|LANG' || true)
assert_eq "" "$extra" "the environment holds only PATH HOME TERM LANG (got: $keys)"
assert_match "$OUT" "^PATH=/" "PATH is set"
assert_eq /root "$(kv HOME "$OUT")" "HOME is root's home in the image"
assert_exit 0 sb --user 1000:1000 "$img" "$PROBE" env
assert_eq /home/user "$(kv HOME "$OUT")" "HOME follows --user (uid 1000's home in the image)"
assert_exit 0 sb --env FOO=bar --env 'SPACED=a b=c' -e X= "$img" "$PROBE" env
assert_match "$OUT" "^FOO=bar$" "--env FOO=bar is set"
assert_match "$OUT" "^SPACED=a b=c$" "--env keeps spaces and = in the value"
assert_match "$OUT" "^X=$" "--env X= sets an empty value"
assert_exit 0 sb --env PATH=/custom:/bin "$img" "$PROBE" env
assert_eq /custom:/bin "$(kv PATH "$OUT")" "--env overrides a default (PATH)"
assert_exit 0 sb --env A=1 --env A=2 "$img" "$PROBE" env
assert_eq "A=2" "$(printf '%s\n' "$OUT" | grep '^A=')" "the last --env of a name wins"
