#!/usr/bin/env bash
# The seccomp filter ([seccomp]): every call of the built-in deny table fails with its errno
# (clean errors, never a kill), also through the foreign ABIs (i386 int 0x80, x32); the same
# calls work once the profile allows them (so it is the filter that stops them); the socket
# families; personality; an allow list (default = deny); the errno key; argument rules; log
# mode; no filter at all. The probe tries each call and prints its errno.
source "$(dirname "$0")/../lib/common.sh"
require_sandbox

root=$WORK/root
busybox_probe_image "$root"
img=$WORK/img.tar.gz
make_tar "$root" "$img"

# errno_of NAME [SANDBOX OPTIONS...] -- [PROBE ARGS...]: the errno the probe reports.
errno_of() {
        local name=$1 opts=() args=()
        shift
        while [ $# -gt 0 ] && [ "$1" != -- ]; do
                opts+=("$1")
                shift
        done
        [ $# -eq 0 ] || shift
        args=("$@")
        run sb "${opts[@]}" "$img" "$PROBE" try-syscall "$name" "${args[@]}"
        printf '%s\n' "$OUT" | grep "^syscall=$name " | grep -o 'errno=[^ ]*' | cut -d= -f2
}

# expect NAME ERRNO DESC [OPTIONS...] [-- ARGS...]
expect() {
        local name=$1 want=$2 desc=$3
        shift 3
        assert_eq "$want" "$(errno_of "$name" "$@")" "$desc"
}

# --- the built-in deny table: each call fails cleanly, with the documented errno -------------
for call in keyctl bpf perf_event_open userfaultfd io_uring_setup ptrace reboot; do
        expect "$call" EPERM "default filter: $call fails with EPERM"
done
for call in clone3 fsopen open_tree; do
        expect "$call" ENOSYS "default filter: $call fails with ENOSYS (so programs fall back)"
done
expect unshare-user EPERM "default filter: unshare(CLONE_NEWUSER) fails with EPERM"
expect clone-newuser EPERM "default filter: clone(CLONE_NEWUSER) fails with EPERM"
expect tioclinux EPERM "default filter: TIOCLINUX fails with EPERM"
assert_exit 0 sb "$img" "$PROBE" try-syscall tiocsti
assert_eq "EPERM EPERM" "$(grep -o 'errno=[^ ]*' <<<"$OUT" | cut -d= -f2 | paste -sd' ' -)" \
        "default filter: TIOCSTI fails, with and without the high 32 bits set"
expect socket-vsock EAFNOSUPPORT "default filter: AF_VSOCK sockets: EAFNOSUPPORT"
expect socket-alg EAFNOSUPPORT "default filter: AF_ALG sockets: EAFNOSUPPORT"
expect socket-packet 0 "default keeps NET_RAW: packet sockets work"
expect socket-raw 0 "default keeps NET_RAW: raw sockets work"
expect personality EPERM "personality(ADDR_NO_RANDOMIZE) fails" -- 0x0040000
expect personality EPERM "personality(READ_IMPLIES_EXEC) fails" -- 0x0400000
expect personality EPERM "personality with bits above 32 fails" -- 0x100000000
expect personality EPERM "personality 0xfffffffe fails" -- 0xfffffffe
for p in 0xffffffff 0 8 0x20000 0x20008; do
        expect personality 0 "personality($p) is harmless and allowed" -- "$p"
done
assert_exit 0 sb "$img" "$PROBE" getppid-loop 10
assert_match "$OUT" "^calls=10 " "ordinary calls are not filtered"

# The same calls through the foreign ABIs a 64-bit process can enter.
expect i386-keyctl EPERM "i386 ABI (int 0x80): keyctl fails with EPERM"
expect i386-unshare-user EPERM "i386 ABI (int 0x80): unshare(CLONE_NEWUSER) fails with EPERM"
expect x32-keyctl EPERM "x32 ABI: keyctl fails with EPERM (the filter answers before the kernel)"

# --- it is the filter: allowed, the same calls work ----------------------------------------
expect keyctl 0 "--seccomp-allow keyctl: keyctl works" --seccomp-allow keyctl
expect io_uring_setup 0 "--seccomp-allow io_uring_setup: io_uring_setup works" \
        --seccomp-allow io_uring_setup
expect userfaultfd 0 "--seccomp-allow userfaultfd: a user-mode userfaultfd works" \
        --seccomp-allow userfaultfd
expect ptrace 0 "--seccomp-allow ptrace: PTRACE_TRACEME works" --seccomp-allow ptrace
expect clone3 0 "--seccomp-allow clone3: clone3 works" --seccomp-allow clone3
expect unshare-user 0 "--seccomp-allow unshare: a nested user namespace can be made" \
        --seccomp-allow unshare
# AF_ALG exists only where the kernel has the crypto user API: compare with no filter at all.
unfiltered=$(errno_of socket-alg --seccomp no)
expect socket-alg "$unfiltered" "--seccomp-allow socket: AF_ALG as without a filter ($unfiltered)" \
        --seccomp-allow socket
expect personality 0 "--seccomp-allow personality: ADDR_NO_RANDOMIZE works" \
        --seccomp-allow personality -- 0x0040000
expect i386-keyctl 0 "--seccomp-allow keyctl: keyctl through int 0x80 works" --seccomp-allow keyctl
# A later --seccomp-deny wins over an allow before it.
expect keyctl EPERM "--seccomp-allow keyctl --seccomp-deny keyctl: denied" \
        --seccomp-allow keyctl --seccomp-deny keyctl
# Raw sockets only with NET_RAW.
expect socket-raw EPERM "without NET_RAW, raw sockets fail (EPERM)" --cap-drop NET_RAW
expect socket-packet EPERM "without NET_RAW, packet sockets fail (EPERM)" --cap-drop NET_RAW

# --- the deny list, errno, argument rules --------------------------------------------------
expect kill1 EPERM "--seccomp-deny kill: kill fails with the default errno" --seccomp-deny kill
expect kill1 ENOSYS "--seccomp-errno ENOSYS: the deny list fails with ENOSYS" \
        --seccomp-deny kill --seccomp-errno ENOSYS
expect kill1 EACCES "--seccomp-rule 'kill arg1 == 0 -> EACCES': the rule matches" \
        --seccomp-rule 'kill arg1 == 0 -> EACCES'
expect kill1 0 "--seccomp-rule 'kill arg1 == 9': other arguments pass" \
        --seccomp-rule 'kill arg1 == 9'
expect socket-raw EPROTO "--seccomp-rule 'socket arg0 == 2 -> EPROTO': AF_INET sockets fail" \
        --seccomp-rule 'socket arg0 == 2 -> EPROTO'
expect socket-packet 0 "... and other families pass" --seccomp-rule 'socket arg0 == 2 -> EPROTO'
expect socket-vsock EAFNOSUPPORT "... and the built-in socket rules stay" \
        --seccomp-rule 'socket arg0 == 2 -> EPROTO'

# --- an allow list: default = deny ---------------------------------------------------------
# What the static probe needs to start and print (found with --seccomp-log), plus getppid.
needs=execve,brk,arch_prctl,set_tid_address,set_robust_list,rseq,prlimit64,mprotect,readlinkat,getrandom,newfstatat,fstat,ioctl,write,exit_group,uname,mmap,getppid,clock_gettime
assert_exit 0 sb --seccomp-default deny --seccomp-allow "$needs" "$img" "$PROBE" getppid-loop 5
assert_match "$OUT" "^calls=5 " "an allow list that names what the probe needs: it runs"
expect kill1 EPERM "an allow list: a call not in it fails with EPERM" \
        --seccomp-default deny --seccomp-allow "$needs"
expect kill1 ENOSYS "an allow list with --seccomp-errno ENOSYS" \
        --seccomp-default deny --seccomp-allow "$needs" --seccomp-errno ENOSYS
expect kill1 0 "an allow list with a conditional allow rule for kill" \
        --seccomp-default deny --seccomp-allow "$needs" --seccomp-rule 'kill arg1 == 0 -> allow'
expect tiocsti EPERM "an allow list that names ioctl keeps the terminal checks" \
        --seccomp-default deny --seccomp-allow "$needs"
expect keyctl EPERM "an allow list: keyctl, not named, fails" \
        --seccomp-default deny --seccomp-allow "$needs"
expect keyctl 0 "an allow list that names keyctl lifts its built-in denial" \
        --seccomp-default deny --seccomp-allow "$needs,keyctl"
assert_exit 0 sb --seccomp-default deny --seccomp-allow "$needs,openat,read,close" "$img" "$PROBE" status
assert_eq 2 "$(kv Seccomp_filters "$OUT")" "an allow list is a second filter on top of the deny filter"
assert_exit 125 sb --seccomp-rule 'kill -> allow' "$img" /bin/true
assert_contains "$ERR" "needs default = deny" "an allow rule without default = deny is refused"

# --- log mode: nothing denied, what would be is logged ---------------------------------------
run sb --seccomp-log "$img" "$PROBE" try-syscall io_uring_setup
assert_eq 0 "$(field errno "$OUT")" "--seccomp-log: io_uring_setup is let through"
assert_contains "$ERR" "log mode" "--seccomp-log warns that nothing is denied"
assert_exit 0 sb --seccomp-log "$img" "$PROBE" status
assert_eq 2 "$(kv Seccomp "$OUT")" "--seccomp-log: a filter is loaded (it logs)"

# --- no filter ------------------------------------------------------------------------------
run sb --seccomp no "$img" "$PROBE" status
assert_eq 0 "$(kv Seccomp "$OUT")" "--seccomp no: no filter"
assert_match "$ERR" "^sandbox: warning: --seccomp: no seccomp filter" "--seccomp no warns"
assert_eq 1 "$(kv NoNewPrivs "$OUT")" "--seccomp no: no_new_privs all the same"

# --- errors ---------------------------------------------------------------------------------
assert_exit 125 sb --seccomp-allow ptrce "$img" /bin/true
assert_contains "$ERR" "sandbox: --seccomp-allow: unknown system call 'ptrce' (did you mean ptrace?)" \
        "an unknown system call is named, with the nearest one"
assert_exit 125 sb --seccomp-rule 'ioctl arg7 == 1' "$img" /bin/true
assert_contains "$ERR" "expected arg0 to arg5" "a bad rule is explained"

# --- the compiled program is cached per policy, and a damaged cache entry is never loaded -----
cache=${XDG_CACHE_HOME:-$HOME/.cache}/sandbox/seccomp
rm -rf "$cache"
assert_exit 0 sb --trace "$img" /bin/true
assert_contains "$ERR" "compiled now" "the first launch with a policy compiles its filter"
assert_exit 0 sb --trace "$img" /bin/true
assert_contains "$ERR" "from the cache" "the next launch with the same policy takes it from the cache"
assert_exit 0 sb --trace --seccomp-allow keyctl "$img" /bin/true
assert_contains "$ERR" "compiled now" "another policy is compiled, not taken from the cache"
for f in "$cache"/*.bpf; do
        head -c 20 /dev/urandom >"$f"
done
expect keyctl EPERM "a damaged cache entry is recompiled: keyctl still fails with EPERM"
assert_exit 0 sb --trace "$img" /bin/true
assert_contains "$ERR" "from the cache" "the recompiled program replaced the damaged entry"
