#!/usr/bin/env bash
# Resource limits on the host the suite runs on. The development and CI machines give the test
# users no delegated cgroup v2 subtree (a v1/hybrid layout here; no systemd user session for a
# user that setpriv made), so this covers the paths without one: a launch without limits runs as
# before; one with a limit fails with one line naming what is missing and the fix, before
# anything runs, leaving nothing behind; --limits=best-effort warns once per dropped limit and
# runs; --stats says what it can know without a cgroup; bad values are refused. The limits
# themselves hold in a guest kernel with delegation: tests/guest (guest.limits, guest.systemd).
source "$(dirname "$0")/../lib/common.sh"
require_sandbox

root=$WORK/root
busybox_probe_image "$root"
img=$WORK/img.tar.gz
make_tar "$root" "$img"
assert_exit 0 sb "$img" true # warm the cache: later states compare clean

# The cgroup v2 mount, and whether this user has a delegated subtree (or a systemd manager to
# ask for one): then the launcher would apply limits, and the no-delegation checks do not apply.
mnt=
for m in /sys/fs/cgroup /sys/fs/cgroup/unified; do
        if [ "$(stat -f -c %T "$m" 2>/dev/null)" = cgroup2fs ]; then
                mnt=$m
                break
        fi
done
own=$(sed -n 's/^0:://p' /proc/self/cgroup)
note "cgroup v2 at ${mnt:-nowhere}; this process in ${own:-?}; controllers: $(cat "$mnt/cgroup.controllers" 2>/dev/null || echo none)"
delegated=no
if [ -n "$mnt" ] && [ -n "$own" ] && [ -O "$mnt$own" ] && [ -w "$mnt$own/cgroup.procs" ]; then
        delegated=yes
fi
if [ -n "${XDG_RUNTIME_DIR:-}" ] && [ -S "$XDG_RUNTIME_DIR/systemd/private" ]; then
        delegated=yes
fi

# --- no limits: exactly as before -------------------------------------------------------------
assert_exit 0 sb "$img" sh -c 'echo ran'
assert_eq "ran" "$OUT" "no limits: the command runs"
assert_not_contains "$ERR" "limit" "no limits: nothing is said about limits"
assert_not_contains "$ERR" "cgroup" "no limits: nothing is said about cgroups"

# --- the options' values are checked before anything happens ------------------------------------
assert_exit 125 sb --memory 12X "$img" true
assert_eq "sandbox: --memory: '12X' is not a size (e.g. 512M, 2G, or max)" "$ERR" "a bad size: one line"
assert_exit 125 sb --cpus 0 "$img" true
assert_contains "$ERR" "is not a number of CPUs from 0.01 to 4096" "a bad CPU count: one line"
assert_exit 125 sb --pids 1 "$img" true
assert_eq "sandbox: --pids: '1' is not a number from 2 up, or max" "$ERR" "--pids 1 (init and the command are 2): one line"
assert_exit 125 sb --limits=loose "$img" true
assert_eq "sandbox: --limits: 'loose' is not strict or best-effort" "$ERR" "a bad --limits mode"
assert_exit 0 sb --help
for opt in --memory --memory-swap --pids --cpus --cpu-weight --io-weight --io-max --limits \
        --cgroup-delegate --stats; do
        assert_contains "$OUT" "$opt" "--help lists $opt"
done

if [ "$delegated" = yes ]; then
        note "this host delegates cgroup v2 to $(id -un): the paths without delegation are covered in the guest (tests/guest, places partial and undelegated)"
        assert_exit 0 sb --pids 20 "$img" "$PROBE" fork 100
        assert_match "$OUT" "^forked=1[0-9] errno=EAGAIN$" "with delegation on this host, --pids holds"
        exit 0
fi

# --- strict (the default): one line naming what is missing and the fix; nothing runs ------------
clean=$(host_state)
limits=("--memory 512M" "--memory-swap 1G" "--pids 256" "--cpus 1.5" "--cpu-weight 50"
        "--io-weight 50" "--io-max 8:0 rbps=1048576" "--cgroup-delegate")
for l in "${limits[@]}"; do
        read -r -a words <<<"$l"
        [ "${words[0]}" != --io-max ] || words=(--io-max "${l#--io-max }")
        assert_exit 125 sb "${words[@]}" "$img" sh -c 'echo RAN'
        shown=$l
        [ "${words[0]}" != --io-max ] || shown="--io-max '${l#--io-max }'"
        assert_match "$ERR" "^sandbox: cannot apply $shown: .+\. Fix: .+; or pass --limits=best-effort to run without it$" \
                "$l: the error names the limit, the cause and the fix"
        assert_eq 1 "$(nlines "$ERR")" "$l: the error is one line"
        assert_eq "" "$OUT" "$l: the command did not run"
done
if [ "$mnt" = /sys/fs/cgroup/unified ]; then
        assert_exit 125 sb --memory 512M "$img" true
        assert_contains "$ERR" "memory is bound to cgroup v1 on this host (a v1/hybrid layout: cgroup v2 at /sys/fs/cgroup/unified has" \
                "on this hybrid host the error says the controllers are on cgroup v1"
        assert_contains "$ERR" "systemd.unified_cgroup_hierarchy=1" "... and how to boot with them on cgroup v2"
elif [ -n "$mnt" ]; then
        assert_exit 125 sb --memory 512M "$img" true
        assert_contains "$ERR" "your cgroup /${own#/} belongs to uid" \
                "without delegation the error names the cgroup that is not the user's"
fi
assert_exit 125 sb --memory 512M --pids 256 --cpus 1.5 "$img" true
assert_match "$ERR" "^sandbox: cannot apply --memory 512M, --pids 256, --cpus 1\.5: .*to run without them$" \
        "several limits: all named in one line"
wait_state "$clean" 5 || true
assert_eq "$clean" "$(host_state)" "a refused launch leaves nothing on the host"

# --- best-effort: a warning per dropped limit, then the command runs ----------------------------
for order in before after; do
        if [ $order = before ]; then
                assert_exit 3 sb --limits=best-effort --memory 512M --pids 256 --cpus 1.5 "$img" sh -c 'echo ran; exit 3'
        else
                assert_exit 3 sb --memory 512M --pids 256 --cpus 1.5 --limits best-effort "$img" sh -c 'echo ran; exit 3'
        fi
        assert_eq "ran" "$OUT" "best-effort ($order the limits): the command runs, its status kept"
        assert_match "$ERR" "^sandbox: warning: --memory 512M dropped: " "best-effort ($order): --memory dropped with a warning"
        assert_match "$ERR" "^sandbox: warning: --pids 256 dropped: " "best-effort ($order): --pids dropped with a warning"
        assert_match "$ERR" "^sandbox: warning: --cpus 1\.5 dropped: " "best-effort ($order): --cpus dropped with a warning"
        assert_eq 3 "$(printf '%s\n' "$ERR" | grep -c 'dropped: ')" "best-effort ($order): one warning per limit"
done
assert_exit 0 sb -q --limits=best-effort --memory 64M "$img" true
assert_contains "$ERR" "warning: --memory 64M dropped" "a dropped limit is said even with --quiet"
assert_exit 0 sb --limits=best-effort "$img" true
assert_eq "" "$ERR" "--limits=best-effort alone changes nothing"

# --- --stats without a cgroup: what wait(2) knows --------------------------------------------
assert_exit 0 sb --stats "$img" "$PROBE" hog 24
assert_match "$ERR" "^sandbox: stats: memory peak (2[4-9]|[3-9][0-9])(\.[0-9])?M \(largest process; no cgroup\), cpu [0-9.]+s \(user [0-9.]+s, system [0-9.]+s\), pids peak unknown \(no cgroup\)$" \
        "--stats: the largest process's peak (a 24M hog), CPU time, no pids peak"
assert_exit 7 sb -q --stats "$img" sh -c 'exit 7'
assert_match "$ERR" "^sandbox: stats: " "--stats prints even with --quiet, and the status is kept"
wait_state "$clean" 5 || true
assert_eq "$clean" "$(host_state)" "nothing is left on the host"
