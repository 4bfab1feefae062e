#!/usr/bin/env bash
# Launch benchmark (not part of ctest). Runs as a normal user; as root it re-runs itself as
# sandbox-test (tools/setup-debian.sh) on the build tools/test.sh made in /var/tmp/sandbox-test.
#
#   tests/bench/launch.sh [RUNS]          RUNS per command, default 40
#
# Measures, on the Alpine minirootfs (SANDBOX_ALPINE):
#   1. a cached launch of /bin/true: sandbox vs bwrap --unshare-all on the same extracted tree vs
#      unshare -Urmpf --mount-proc + chroot; medians and ratios (hyperfine, with warmup);
#   2. a first launch (fresh XDG_CACHE_HOME each run, so it unpacks) vs tar xzf of the same file;
#   3. the resident memory of the launcher and its pid 1 while a sleep runs: VmRSS and Pss.
# Environment: SANDBOX_BIN (default: build/sandbox of this tree, else /var/tmp/sandbox-test/
# build/sandbox), SANDBOX_ALPINE (default: the copy in that build, else ../shared/images).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-40}

bench_build
bench_alpine
bench_as_test_user "$runs"
SANDBOX_BIN=${SANDBOX_BIN:-$build/sandbox}
bench_require hyperfine bwrap unshare python3
chroot=$(command -v chroot || echo /usr/sbin/chroot)
bench_scratch
export XDG_CACHE_HOME=$w/cache
rootfs=$w/rootfs
mkdir -p "$rootfs"
tar xzf "$SANDBOX_ALPINE" -C "$rootfs" 2>/dev/null
img=$SANDBOX_ALPINE

echo "== sandbox launch benchmark: $(uname -r), $(nproc) CPUs, $runs runs per command"
echo "   launcher: $SANDBOX_BIN"
echo "   image:    $img"
"$SANDBOX_BIN" "$img" /bin/true # warm the cache

# summary JSON [BASELINE...]: medians of a hyperfine export, and the first command's ratio to
# each baseline.
summary() {
        python3 - "$@" <<'EOF'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
for name, r in results.items():
    print("  %-22s median %8.2f ms   mean %8.2f ms +- %6.2f   min %8.2f ms" % (
        name, r["median"] * 1e3, r["mean"] * 1e3, r["stddev"] * 1e3, r["min"] * 1e3))
first = next(iter(results))
for other in sys.argv[2:]:
    print("  ratio %s / %s: %.2f" % (first, other, results[first]["median"] / results[other]["median"]))
EOF
}

echo
echo "== 1. cached launch of /bin/true"
hyperfine --style none --warmup 5 --runs "$runs" --export-json "$w/launch.json" -N \
        -n sandbox "$SANDBOX_BIN $img /bin/true" \
        -n bwrap "bwrap --unshare-all --die-with-parent --bind $rootfs / --proc /proc --dev /dev /bin/true" \
        -n unshare+chroot "unshare -Urmpf --mount-proc $chroot $rootfs /bin/true" 2>/dev/null
summary "$w/launch.json" bwrap unshare+chroot

echo
echo "== 2. first launch (fresh XDG_CACHE_HOME: it unpacks) vs tar xzf of the same file"
fresh=$w/fresh
hyperfine --style none --warmup 1 --runs "$((runs / 4 > 5 ? runs / 4 : 5))" --export-json "$w/first.json" \
        --prepare "rm -rf $fresh 2>/dev/null || unshare --map-auto --map-root-user rm -rf $fresh; mkdir -p $fresh" \
        -n "sandbox first launch" "env XDG_CACHE_HOME=$fresh $SANDBOX_BIN $img /bin/true" \
        -n "tar xzf" "tar xzf $img -C $fresh" 2>/dev/null
summary "$w/first.json" "tar xzf"

echo
echo "== 3. resident memory while /bin/sleep runs"
"$SANDBOX_BIN" "$img" /bin/sleep 30 &
launcher=$!
python3 - "$launcher" <<'EOF'
import os, sys, time
launcher = int(sys.argv[1])

def status(pid):
    d = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            d[k] = v.strip()
    return d

def pss(pid):
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        return None

def tree(root):
    kids = {}
    for e in os.listdir("/proc"):
        if e.isdigit():
            try:
                kids.setdefault(int(status(int(e))["PPid"]), []).append(int(e))
            except (OSError, KeyError):
                pass
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += kids.get(p, [])
    return out

deadline = time.monotonic() + 10
while time.monotonic() < deadline:
    procs = tree(launcher)
    names = {p: status(p)["Name"] for p in procs}
    if "sleep" in names.values():
        break
    time.sleep(0.05)
time.sleep(0.3)
total_rss = total_pss = 0
for p in tree(launcher):
    st = status(p)
    nspid = st.get("NSpid", "").split()
    role = "launcher" if p == launcher else ("pid 1 (init)" if nspid[-1:] == ["1"] else st["Name"])
    rss = int(st.get("VmRSS", "0 kB").split()[0])
    ps = pss(p)
    counted = st["Name"] != "sleep"
    print("  %-14s pid %-7d VmRSS %6d kB   Pss %6s kB%s" % (role, p, rss, ps if ps is not None else "n/a",
          "" if counted else "   (the command, not counted)"))
    if counted:
        total_rss += rss
        total_pss += ps or 0
print("  launcher + its processes but the command: VmRSS %d kB, Pss %d kB" % (total_rss, total_pss))
print("  (n/a: smaps_rollup is not readable, e.g. a process that made itself non-dumpable)")
EOF
kill -TERM "$launcher" 2>/dev/null || true
wait "$launcher" 2>/dev/null || true
