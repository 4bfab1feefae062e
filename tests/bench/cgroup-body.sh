#!/usr/bin/env bash
# The body of tests/bench/cgroup.sh, run inside the test guest (tests/guest/run.sh) as uid 1000:
# what a cgroup with limits adds to a launch, and how long teardown takes with 100 processes.
# Prints medians (ms) of RUNS launches each, interleaved so that drift hits both sides alike.
# With PLACE "host" (run on the host, where nothing is delegated): the launches without limits
# only, for scale: UML runs a system call many times slower than the host's kernel.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/lib.sh" # median, now_us, ms_between
require_sandbox
runs=${BENCH_RUNS:-25}
place=${1:-delegated}
root=$WORK/root
busybox_probe_image "$root"
img=$root
limits=(--memory 256M --pids 1000 --cpus 2 --cpu-weight 100)

# launch ARGS...: wall time of one launch, in ms.
launch() {
        local t0 t1
        t0=$(now_us)
        "$SANDBOX" "$@" >/dev/null 2>&1 || echo "launch failed: $*" >&2
        t1=$(now_us)
        ms_between "$t0" "$t1"
}
# cgroup_us ARGS...: the time the launcher spent in its cgroup steps (plan, create, destroy),
# from its JSON trace.
cgroup_us() {
        "$SANDBOX" --trace="$WORK/trace.json" --trace-json "$@" >/dev/null 2>&1 || true
        grep '"step":"cgroup"' "$WORK/trace.json" | sed 's/.*"dur_us":\([0-9]*\).*/\1/' |
                awk '{s += $1} END {printf "%.3f", s / 1000}'
}
# teardown ARGS...: ms from the command's last instruction (with 100 processes still running)
# to the launcher's exit, both read from CLOCK_REALTIME (UML's monotonic clock drifts from it).
teardown() {
        local out t1
        # The clock starts once all 100 run (exec'ing them is slow under UML).
        # shellcheck disable=SC2016 # for the sandbox's shell
        out=$("$SANDBOX" "$@" "$img" sh -c 'for i in $(seq 100); do sleep 1000 & done
                while [ "$(ps | grep -c "[s]leep 1000")" -lt 100 ]; do sleep 0.05; done
                exec probe clock' 2>/dev/null)
        t1=$(now_us)
        out=${out#clock.realtime_us=}
        ms_between "$out" "$t1"
}

# bare_kill: the peer of teardown, without any sandbox: ms to SIGKILL and reap 100 sleeping
# processes.
bare_kill() {
        local t0 t1 p pids=()
        for ((p = 0; p < 100; p++)); do
                sleep 1000 &
                pids+=($!)
        done
        for p in "${pids[@]}"; do
                until [ "$(cat "/proc/$p/comm" 2>/dev/null)" = sleep ]; do sleep 0.01; done
        done
        t0=$(now_us)
        kill -KILL "${pids[@]}"
        wait "${pids[@]}" 2>/dev/null || true
        t1=$(now_us)
        ms_between "$t0" "$t1"
}

"$SANDBOX" "$img" true
base=() lim=() cgs=() td0=() td1=() bk=()
if [ "$place" = host ]; then
        for ((i = 0; i < runs; i++)); do
                base+=("$(launch "$img" true)")
        done
        for ((i = 0; i < runs / 2 + 1; i++)); do
                td0+=("$(teardown)")
                bk+=("$(bare_kill)")
        done
        echo "# bench (the host's kernel, $runs runs, medians): no limits (none can be applied here)"
        echo "#   launch of /bin/true without limits        $(median %.3f "${base[@]}") ms"
        echo "#   teardown, 100 processes, without limits   $(median %.3f "${td0[@]}") ms"
        echo "#   peer: kill -9 and reap 100 processes      $(median %.3f "${bk[@]}") ms (no sandbox)"
        exit 0
fi
"$SANDBOX" "${limits[@]}" "$img" true
for ((i = 0; i < runs; i++)); do
        base+=("$(launch "$img" true)")
        lim+=("$(launch "${limits[@]}" "$img" true)")
        cgs+=("$(cgroup_us "${limits[@]}" "$img" true)")
done
for ((i = 0; i < runs / 2 + 1; i++)); do
        td0+=("$(teardown)")
        td1+=("$(teardown "${limits[@]}")")
        bk+=("$(bare_kill)")
done
# syscalls ARGS...: how many system calls the launcher process itself makes (not its children).
syscalls() {
        strace -c -o "$WORK/strace.txt" "$SANDBOX" "$@" >/dev/null 2>&1 || true
        awk '$NF == "total" {print $4}' "$WORK/strace.txt"
}
sc0=$(syscalls "$img" true)
sc1=$(syscalls "${limits[@]}" "$img" true)
mb=$(median %.3f "${base[@]}")
ml=$(median %.3f "${lim[@]}")
# Paired: each launch with limits against the launch without just before it.
md=$(for ((i = 0; i < runs; i++)); do awk -v a="${lim[i]}" -v b="${base[i]}" 'BEGIN {printf "%.3f\n", a - b}'; done | median)
echo "# bench ($place, $runs runs, medians): limits: ${limits[*]}"
echo "#   launch of /bin/true without limits        $mb ms"
echo "#   launch of /bin/true with limits           $ml ms"
echo "#   added by the limits (median of the paired differences)  $md ms  (ratio of medians $(awk -v a="$ml" -v b="$mb" 'BEGIN {printf "%.3f", a / b}'))"
echo "#   fastest launch without / with limits      $(printf '%s\n' "${base[@]}" | sort -n | head -n 1) / $(printf '%s\n' "${lim[@]}" | sort -n | head -n 1) ms"
echo "#   the launcher's own cgroup steps (trace)   $(median %.3f "${cgs[@]}") ms"
echo "#   system calls of the launcher process      ${sc0:-?} without, ${sc1:-?} with limits"
echo "#   teardown, 100 processes, without limits   $(median %.3f "${td0[@]}") ms"
echo "#   teardown, 100 processes, with a cgroup    $(median %.3f "${td1[@]}") ms"
echo "#   peer: kill -9 and reap 100 processes      $(median %.3f "${bk[@]}") ms (no sandbox)"
if [ "$place" = systemd ] && command -v systemd-run >/dev/null; then
        sr=() 
        for ((i = 0; i < runs; i++)); do
                t0=$(now_us)
                systemd-run --user --scope -q -p MemoryMax=256M -p TasksMax=1000 true >/dev/null 2>&1
                t1=$(now_us)
                sr+=("$(ms_between "$t0" "$t1")")
        done
        echo "#   peer: systemd-run --user --scope -p MemoryMax -p TasksMax true   $(median %.3f "${sr[@]}") ms"
fi
