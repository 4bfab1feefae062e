#!/usr/bin/env bash
# Resource limits for real, in a guest kernel with pure cgroup v2 and a subtree delegated to
# uid 1000 (tests/guest/run.sh boots it; this runs inside as uid 1000, once per place):
#   delegated    the limits hold: a memory hog is OOM-killed at --memory and reported as such,
#                a fork bomb stops at --pids, a busy loop under --cpus 0.2 gets about 20% of a
#                CPU; every limit lands in the sandbox's cgroup; the sandbox sees its cgroup as
#                "/" and cannot write its limits (nor raise them with --cgroup-delegate, which
#                lets it manage a subtree of its own); teardown kills a double-forked daemon and
#                removes the cgroup; a killed launcher's cgroup is swept by the next run; a
#                launcher alone in a delegated cgroup nests in it and leaves it as it was
#   partial      a controller that is not delegated: a clear error, or a warning per limit with
#                --limits=best-effort, and the other limits still hold
#   undelegated  no delegated subtree at all: the error names it and the fix; no limits, no
#                cgroup, runs as before
source "$(dirname "$0")/../lib/common.sh"
require_sandbox

place=${1:-delegated}
cg=${GUEST_CGROUP:-/sys/fs/cgroup}
slice=${GUEST_USER_SLICE:-$cg/user.slice/user-1000.slice}
if [ ! -d "$slice" ]; then
        skip "not in the test guest (no $slice): run through tests/guest/run.sh"
fi

root=$WORK/root
busybox_probe_image "$root"
img=$root

# Every cgroup the launcher made (sandbox-*, launcher-*) anywhere in the user's slice.
launch_cgroups() {
        find "$slice" -mindepth 1 -type d \( -name 'sandbox-*' -o -name 'launcher-*' \) 2>/dev/null |
                sort || true
}

# The sandbox cgroup of the one running launch.
the_cgroup() {
        launch_cgroups | grep '/sandbox-[0-9a-f]*$' | head -n 1
}

check_nothing_left() { # DESC
        assert_eq "" "$(launch_cgroups)" "$1: no cgroup of the launch is left"
}

delegated() {
        local ud=$slice/user@1000.service dir out rc pid ratio

        # --- no limits: as before, no cgroup ---------------------------------------------------
        sb_bg "$WORK/nl.out" "$WORK/nl.err" "$img" sh -c 'echo up; exec sleep 30'
        wait_until 30 grep -q up "$WORK/nl.out" || true
        assert_eq "" "$(launch_cgroups)" "a launch without limits makes no cgroup"
        kill -TERM "$SB_PID" 2>/dev/null || true
        wait "$SB_PID" 2>/dev/null || true

        # --- every limit lands in the sandbox's cgroup; the sandbox runs in payload/ -----------
        # run.sh gives the guest a disk, ubdb.
        local disk io=()
        disk=$(cat /sys/block/ubdb/dev 2>/dev/null || true)
        [ -z "$disk" ] || io=(--io-max "$disk rbps=1048576 wiops=100")
        sb_bg "$WORK/l.out" "$WORK/l.err" --memory 96M --memory-swap 0 --pids 33 --cpus 0.5 \
                --cpu-weight 50 "${io[@]}" "$img" sh -c 'echo up; exec sleep 30'
        if wait_until 30 grep -q up "$WORK/l.out"; then
                dir=$(the_cgroup)
                assert_contains "$dir" "$ud/sandbox-" "the cgroup is made in the delegated subtree"
                assert_eq "100663296" "$(cat "$dir/memory.max" 2>&1)" "--memory 96M: memory.max"
                assert_eq "0" "$(cat "$dir/memory.swap.max" 2>&1)" "--memory-swap 0: memory.swap.max"
                assert_eq "33" "$(cat "$dir/pids.max" 2>&1)" "--pids 33: pids.max"
                assert_eq "50000 100000" "$(cat "$dir/cpu.max" 2>&1)" "--cpus 0.5: cpu.max"
                assert_eq "50" "$(cat "$dir/cpu.weight" 2>&1)" "--cpu-weight 50: cpu.weight"
                if [ -n "$disk" ]; then
                        assert_eq "$disk rbps=1048576 wbps=max riops=max wiops=100" \
                                "$(cat "$dir/io.max" 2>&1)" "--io-max '$disk rbps=1048576 wiops=100': io.max"
                else
                        note "no disk in the guest: io.max not checked"
                fi
                pid=$(head -n 1 "$dir/payload/cgroup.procs" 2>/dev/null || true)
                assert_ne "" "$pid" "the sandbox's processes are in payload/"
                assert_eq "" "$(cat "$dir/cgroup.procs")" "none sit in the cgroup that holds the limits"
                assert_eq "0::/${dir#"$cg"/}/payload" "$(cat "/proc/$pid/cgroup" 2>&1)" \
                        "pid 1 of the sandbox is in its payload cgroup"
        else
                fail "a sandbox with limits starts" "$(cat "$WORK/l.err")"
        fi
        kill -TERM "$SB_PID" 2>/dev/null || true
        rc=0
        wait "$SB_PID" || rc=$?
        assert_eq 143 "$rc" "SIGTERM still ends the command (143)"
        check_nothing_left "after SIGTERM"

        # --- memory: a hog is OOM-killed at the limit, and it is said so ------------------------
        assert_exit 137 sb --memory 64M "$img" "$PROBE" hog 256
        assert_contains "$ERR" "sandbox: killed: out of memory (limit 64M)" \
                "the OOM kill is reported with the limit"
        assert_not_contains "$OUT" "hog=done" "the hog never got its 256M"
        assert_no_match "$OUT" "hog.mb=(6[4-9]|[7-9][0-9]|[1-9][0-9][0-9])$" \
                "the hog got no more than 64M"
        assert_exit 0 sb --memory 64M --stats "$img" "$PROBE" hog 16
        assert_contains "$OUT" "hog=done mb=16" "under the limit the command runs to its end"
        assert_match "$ERR" "^sandbox: stats: memory peak (1[6-9]|[2-5][0-9])(\.[0-9])?M, cpu [0-9.]+s \(user [0-9.]+s, system [0-9.]+s\), pids peak [0-9]+$" \
                "--stats: the peak memory of the 16M hog, CPU time and peak pids"
        check_nothing_left "after the OOM kill"

        # --- pids: a fork bomb stops at pids.max -----------------------------------------------
        assert_exit 0 sb --pids 32 --stats "$img" "$PROBE" fork 200
        out=$(kv forked "$(printf '%s\n' "$OUT" | sed 's/ errno=/\nerrno=/')")
        if [ -n "$out" ] && [ "$out" -ge 20 ] && [ "$out" -le 31 ]; then
                pass "the fork bomb stopped at pids.max 32 ($out children, with init and itself)"
        else
                fail "the fork bomb stops at pids.max 32" "got: $OUT"
        fi
        assert_contains "$OUT" "errno=EAGAIN" "the fork past the limit fails with EAGAIN"
        assert_contains "$ERR" "the process limit (32) refused" "refused forks are reported"
        assert_match "$ERR" "pids peak 3[0-2]$" "--stats: the pids high-water mark is the limit"

        # --- cpu: --cpus 0.2 gives about 20% of a CPU --------------------------------------------
        assert_exit 0 sb --cpus 0.2 "$img" "$PROBE" spin 3
        ratio=$(printf '%s\n' "$OUT" | awk '{split($1, w, "="); split($2, c, "="); if (w[2] > 0) printf "%d", 100 * c[2] / w[2]}')
        note "a busy loop under --cpus 0.2 got ${ratio:-?}% of a CPU ($OUT)"
        if [ -n "$ratio" ] && [ "$ratio" -ge 12 ] && [ "$ratio" -le 28 ]; then
                pass "--cpus 0.2: a busy loop gets about 20% of a CPU ($ratio%)"
        else
                fail "--cpus 0.2: a busy loop gets about 20% of a CPU" "got: $OUT"
        fi

        # --- the sandbox's view: its own cgroup as /, read-only, no limits in reach -------------
        assert_exit 0 sb --memory 64M --pids 50 "$img" sh -c 'cat /proc/self/cgroup
                ls /sys/fs/cgroup/memory.max 2>&1 || true
                echo max > /sys/fs/cgroup/pids.max && echo write=ok; exit 0'
        assert_eq "0::/" "$(printf '%s\n' "$OUT" | sed -n 1p)" "inside, the sandbox's cgroup is /"
        assert_contains "$OUT" "No such file" "the limits are not in the sandbox's own cgroup"
        assert_contains "$ERR" "Read-only file system" "/sys/fs/cgroup is read-only inside"
        assert_not_contains "$OUT" "write=ok" "the sandbox cannot write its cgroup"

        # --- --cgroup-delegate: a subtree of its own, the limits still out of reach -------------
        cat >"$WORK/nest.sh" <<'EOF'
cd /sys/fs/cgroup
if echo max > memory.max 2>/dev/null; then echo rootmax=written; else echo rootmax=denied; fi
mkdir init.scope job || exit 3
echo 1 > init.scope/cgroup.procs && echo $$ > init.scope/cgroup.procs || exit 4
echo "+memory +pids" > cgroup.subtree_control && echo enable=ok
echo max > job/memory.max && echo jobmax=ok
sh -c 'echo $$ > /sys/fs/cgroup/job/cgroup.procs; exec probe hog 256'
echo hogstatus=$?
EOF
        cp "$WORK/nest.sh" "$root/nest.sh"
        assert_exit 0 sb --memory 64M --cgroup-delegate "$img" sh /nest.sh
        assert_contains "$OUT" "enable=ok" "--cgroup-delegate: the sandbox enables controllers for its children"
        assert_contains "$OUT" "jobmax=ok" "--cgroup-delegate: ... and sets limits on them"
        assert_contains "$OUT" "hogstatus=137" "a hog in a child cgroup set to max is still OOM-killed at 64M"
        assert_contains "$ERR" "killed: out of memory (limit 64M)" "that OOM kill is reported"
        note "writing memory.max of its own root cgroup: $(printf '%s\n' "$OUT" | sed -n 's/^rootmax=//p')"
        check_nothing_left "after --cgroup-delegate (the nested cgroups included)"

        # --- teardown: a double-forked daemon does not survive ----------------------------------
        mark=$((700000 + RANDOM))
        assert_exit 0 sb --pids 64 --trace "$img" sh -c "($PROBE sleep $mark.5 &); echo started"
        assert_contains "$ERR" "killed, emptied and removed" "teardown: cgroup.kill, populated 0, rmdir"
        wait_until 5 sh -c "! pgrep -f 'probe sleep $mark.5'" || true
        assert_eq "" "$(pgrep -f "probe sleep $mark.5" || true)" "the double-forked daemon is gone"
        check_nothing_left "after the daemon"

        # --- a killed launcher: its processes die with it, the next run sweeps its cgroup --------
        sb_bg "$WORK/k.out" "$WORK/k.err" --pids 64 "$img" sh -c "echo up; exec $PROBE sleep $mark.7"
        if wait_until 30 grep -q up "$WORK/k.out"; then
                kill -KILL "$SB_PID" 2>/dev/null || true
                wait "$SB_PID" 2>/dev/null || true
                wait_until 5 sh -c "! pgrep -f 'probe sleep $mark.7'" || true
                assert_eq "" "$(pgrep -f "probe sleep $mark.7" || true)" \
                        "SIGKILL of the launcher kills the sandbox's processes"
                note "left by the killed launcher: $(launch_cgroups | sed "s|$slice/||" | tr '\n' ' ')"
                assert_exit 0 sb --pids 64 "$img" true
                check_nothing_left "the next launch swept the killed one's cgroup"
        else
                fail "a sandbox starts in the background" "$(cat "$WORK/k.err")"
        fi

        # --- the launcher alone in a delegated cgroup nests in it, and leaves it as it was -------
        mkdir "$ud/solo.scope"
        # shellcheck disable=SC2016 # for the inner shell
        run timeout 60 sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$ud/solo.scope" \
                "$SANDBOX" --trace --pids 20 "$img" "$PROBE" fork 100
        assert_rc 0 "a launcher alone in its delegated cgroup runs"
        assert_contains "$ERR" "base /${ud#"$cg"/}/solo.scope (the launcher is alone there)" \
                "it nests the sandbox's cgroup in its own"
        assert_match "$OUT" "^forked=1[0-9] errno=EAGAIN$" "... and --pids 20 holds there"
        assert_eq "" "$(find "$ud/solo.scope" -mindepth 1 -type d)" "no cgroup is left in it"
        assert_eq "" "$(cat "$ud/solo.scope/cgroup.subtree_control")" \
                "the controllers it enabled there are off again"
        rmdir "$ud/solo.scope" || fail "the launcher's cgroup can be removed after it"

        # --- what this kernel cannot do fails clearly, and leaves nothing -----------------------
        if [ -e "$ud/io.weight" ]; then
                note "this kernel has io.weight"
        else
                assert_exit 125 sb --io-weight 100 "$img" true
                assert_eq "sandbox: cannot apply --io-weight: writing io.weight = default 100: No such file or directory (this kernel weighs I/O only with io.cost or the BFQ scheduler); or pass --limits=best-effort to run without it" \
                        "$ERR" "--io-weight without io.cost: one line naming the cause"
                check_nothing_left "after the failed --io-weight"
                assert_exit 0 sb --limits=best-effort --io-weight 100 --pids 20 "$img" "$PROBE" fork 50
                assert_contains "$ERR" "warning: --io-weight dropped" "best-effort: a warning for the dropped limit"
                assert_contains "$OUT" "errno=EAGAIN" "best-effort: the other limits hold"
        fi
        assert_exit 125 sb --io-max '250:99 rbps=1000' "$img" true
        assert_match "$ERR" "^sandbox: cannot apply --io-max '250:99 rbps=1000': writing io.max = 250:99 rbps=1000: .+; or pass --limits=best-effort to run without it$" \
                "--io-max on a device that does not exist: one line"
        assert_eq 1 "$(nlines "$ERR")" "... and only one"
        check_nothing_left "after the failed --io-max"
}

partial() {
        local top=${slice#"$cg"/}/partial.slice/partial@1000.service
        assert_exit 125 sb --memory 64M "$img" true
        assert_contains "$ERR" "sandbox: cannot apply --memory 64M: the memory controller is not delegated to you (your subtree /$top offers: pids)" \
                "a controller not delegated: named, with the subtree that lacks it"
        assert_contains "$ERR" "Delegate=cpu cpuset io memory pids" "the error gives the systemd drop-in"
        assert_contains "$ERR" "--limits=best-effort" "and the way to run without"
        assert_eq 1 "$(nlines "$ERR")" "the error is one line"
        check_nothing_left "after the error"

        assert_exit 0 sb --limits=best-effort --memory 64M --cpus 1 --pids 16 "$img" "$PROBE" fork 100
        assert_contains "$ERR" "sandbox: warning: --memory 64M dropped: the memory controller is not delegated" \
                "best-effort: a warning for --memory"
        assert_contains "$ERR" "sandbox: warning: --cpus 1 dropped: the cpu controller is not delegated" \
                "best-effort: a warning for --cpus"
        assert_match "$OUT" "^forked=1[0-5] errno=EAGAIN$" "best-effort: --pids still holds"
        check_nothing_left "after best-effort"
}

undelegated() {
        assert_exit 0 sb "$img" "$PROBE" hog 8
        assert_eq "" "$ERR" "no limits: runs as before, silently"
        assert_exit 125 sb --memory 64M --pids 10 "$img" true
        assert_contains "$ERR" "sandbox: cannot apply --memory 64M, --pids 10: your cgroup /${slice#"$cg"/}/session-1.scope belongs to uid 0: nothing delegated a cgroup v2 subtree to you" \
                "no delegated subtree: the error says so"
        assert_contains "$ERR" "loginctl enable-linger" "... and how to get one"
        assert_eq 1 "$(nlines "$ERR")" "the error is one line"
        assert_exit 0 sb --limits=best-effort --memory 64M --pids 10 "$img" "$PROBE" fork 20
        assert_contains "$ERR" "warning: --memory 64M dropped" "best-effort: --memory dropped with a warning"
        assert_contains "$ERR" "warning: --pids 10 dropped" "best-effort: --pids dropped with a warning"
        assert_contains "$OUT" "forked=20 errno=0" "best-effort: the command runs without the limits"
        assert_exit 0 sb --stats "$img" true
        assert_match "$ERR" "^sandbox: stats: memory peak .* \(largest process; no cgroup\), cpu .*, pids peak unknown \(no cgroup\)$" \
                "--stats without a cgroup says what it cannot know"
}

case $place in
delegated) delegated ;;
partial) partial ;;
undelegated) undelegated ;;
*) skip "no checks for place '$place'" ;;
esac
