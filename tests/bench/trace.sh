#!/usr/bin/env bash
# Setup-trace benchmark (not part of ctest): what --trace costs when it is off. Runs as a normal
# user; as root it builds the second launcher and re-runs itself as sandbox-test (like
# launch.sh) on the build tools/test.sh made in $SANDBOX_TEST_TOP (default /var/tmp/sandbox-test).
#
#   tests/bench/trace.sh [RUNS]          RUNS per command, default 60
#
# Compares cached launches of /bin/true on the Alpine minirootfs, run in turn:
#   trace-off      this build, no --trace (the launcher as everyone runs it)
#   compiled-out   the same sources built with -DSANDBOX_TRACE=OFF: every TRACE is gone
#   trace-on       this build with --trace=/dev/null (what tracing costs when asked for)
# and prints medians, the median of the paired differences trace-off - compiled-out with its
# quartiles (an interval around 0: off costs nothing measurable), and the ratio of medians.
# Environment: SANDBOX_BIN, SANDBOX_ALPINE as for launch.sh; SANDBOX_NOTRACE_BIN: a launcher
# built with -DSANDBOX_TRACE=OFF (default: built here into a temporary directory).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-60}

bench_build
bench_alpine

# build_notrace DIR: the launcher and its unpacker from the same sources, trace compiled out.
build_notrace() {
        cmake -S "$src" -B "$1" -DSANDBOX_TRACE=OFF -DSANDBOX_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
                -DCMAKE_C_COMPILER="$(grep -m1 '^CMAKE_C_COMPILER:' "$build/CMakeCache.txt" | cut -d= -f2)" >/dev/null
        cmake --build "$1" -j2 --target sandbox sandbox-unpack >/dev/null
}

if [ "$(id -u)" -eq 0 ]; then
        bench_copy
        # Built as root from the tree tools/test.sh copied (the same sources as $build); only
        # run as the test user.
        build_notrace "$copy/notrace"
        bench_rerun --env "SANDBOX_NOTRACE_BIN=$copy/notrace/sandbox" "$runs"
fi
SANDBOX_BIN=${SANDBOX_BIN:-$build/sandbox}
bench_scratch
if [ -z "${SANDBOX_NOTRACE_BIN:-}" ]; then
        build_notrace "$w/notrace"
        SANDBOX_NOTRACE_BIN=$w/notrace/sandbox
fi
export XDG_CACHE_HOME=$w/cache
img=$SANDBOX_ALPINE

echo "== --trace off vs compiled out: $(uname -r), $(nproc) CPUs, $runs runs per command, interleaved"
echo "   launcher:            $SANDBOX_BIN"
echo "   trace compiled out:  $SANDBOX_NOTRACE_BIN"
"$SANDBOX_BIN" "$img" /bin/true # warm the cache (both builds share it)
"$SANDBOX_NOTRACE_BIN" "$img" /bin/true
if "$SANDBOX_NOTRACE_BIN" --trace "$img" /bin/true 2>&1 | grep -q '^\['; then
        echo "trace.sh: $SANDBOX_NOTRACE_BIN still traces: not a -DSANDBOX_TRACE=OFF build" >&2
        exit 1
fi

# The three commands run in turn (A B C A B C ...), so that a change of the machine's load hits
# all three alike; each launch is timed (wall) and its CPU time taken from the children's rusage.
python3 - "$runs" "$SANDBOX_BIN" "$SANDBOX_NOTRACE_BIN" "$img" <<'EOF'
import resource, statistics, subprocess, sys, time
runs, traced, notrace, img = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
cmds = {
    "trace-off": [traced, img, "/bin/true"],
    "compiled-out": [notrace, img, "/bin/true"],
    "trace-on": [traced, "--trace=/dev/null", img, "/bin/true"],
}
wall = {k: [] for k in cmds}
cpu = {k: [] for k in cmds}
for i in range(runs + 5):
    for name, argv in cmds.items():
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t1 = time.perf_counter()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if i < 5:
            continue  # warmup
        wall[name].append((t1 - t0) * 1e3)
        cpu[name].append((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1e3)


def q(v, f):
    v = sorted(v)
    return v[min(len(v) - 1, int(f * len(v)))]


for name in cmds:
    print("  %-13s wall median %7.3f ms (q1 %7.3f, q3 %7.3f)   cpu median %6.3f ms" % (
        name, statistics.median(wall[name]), q(wall[name], .25), q(wall[name], .75),
        statistics.median(cpu[name])))
for a, b in (("trace-off", "compiled-out"), ("trace-on", "trace-off")):
    d = [x - y for x, y in zip(wall[a], wall[b])]
    dc = [x - y for x, y in zip(cpu[a], cpu[b])]
    print("  %s - %s: median of paired differences %+.3f ms (q1 %+.3f, q3 %+.3f), "
          "ratio of medians %.3f; cpu %+.3f ms" % (
              a, b, statistics.median(d), q(d, .25), q(d, .75),
              statistics.median(wall[a]) / statistics.median(wall[b]), statistics.median(dc)))
EOF
