#!/usr/bin/env bash
# Profiles and seccomp benchmark (not part of ctest). Runs as a normal user; as root it re-runs
# itself as sandbox-test (tools/setup-debian.sh) on the build tools/test.sh made.
#
#   tests/bench/profiles.sh [RUNS]        RUNS per measurement, default 15
#
# Measures, in one run:
#   1. a loop of 1,000,000 getppid() inside the sandbox (the probe's getppid-loop) with the
#      default seccomp filter against the same loop with --seccomp no: medians of the ns per
#      call over RUNS launches each, interleaved, and their ratio (target: at most 1.10);
#   2. what a profile with two includes (a user's profile -> devel -> default: three files)
#      adds to a launch, against an empty default profile: the medians of the launcher's
#      own "config" step (--trace-json) over many launches (target: under 0.3 ms), and of
#      whole launches with hyperfine, for scale.
# Environment: SANDBOX_BIN (default: build/sandbox of this tree, else the one tools/test.sh
# built in $SANDBOX_TEST_TOP or /var/tmp/sandbox-test), SANDBOX_PROBE.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-15}

bench_build
if [ "$(id -u)" -eq 0 ]; then
        bench_copy
        chmod -R a+rX "$build"
        bench_rerun --env "SANDBOX_PROBE=${SANDBOX_PROBE:-$build/tests/probe}" "$runs"
fi
SANDBOX_BIN=${SANDBOX_BIN:-$build/sandbox}
SANDBOX_PROBE=${SANDBOX_PROBE:-$build/tests/probe}
bench_require hyperfine python3
bench_scratch
export XDG_CACHE_HOME=$w/cache XDG_CONFIG_HOME=$w/config
img=$w/img
mkdir -p "$img"/{bin,dev,proc,sys,tmp,etc,root,run}
cp "$SANDBOX_PROBE" "$img/bin/probe"
chmod 755 "$img/bin/probe"
echo 'root:x:0:0:root:/root:/bin/probe' >"$img/etc/passwd"

echo "== sandbox profiles and seccomp benchmark: $(uname -r), $(nproc) CPUs, $runs runs"
echo "   launcher: $SANDBOX_BIN"

echo
echo "== 1. 1,000,000 getppid() inside the sandbox: default filter vs no filter"
# Every denial of the built-in table lifted: a filter that denies nothing, the cost of having
# a seccomp filter at all.
lift=open_tree,move_mount,fsopen,fsconfig,fsmount,fspick,mount_setattr,clone3,keyctl,add_key
lift=$lift,request_key,userfaultfd,perf_event_open,bpf,kexec_load,kexec_file_load,init_module
lift=$lift,finit_module,delete_module,reboot,syslog,acct,swapon,swapoff,ptrace,process_vm_readv
lift=$lift,process_vm_writev,io_uring_setup,io_uring_enter,io_uring_register,uselib
lift=$lift,open_by_handle_at,lookup_dcookie,quotactl,nfsservctl,vm86,vm86old,ioctl,clone,unshare
lift=$lift,personality,socket
calls=1000000
: >"$w/filter" && : >"$w/none" && : >"$w/empty"
for _ in $(seq "$runs"); do
        "$SANDBOX_BIN" "$img" /bin/probe getppid-loop $calls | sed -n 's/.*ns_per_call=//p' >>"$w/filter"
        "$SANDBOX_BIN" --seccomp no "$img" /bin/probe getppid-loop $calls 2>/dev/null |
                sed -n 's/.*ns_per_call=//p' >>"$w/none"
        "$SANDBOX_BIN" --seccomp-allow "$lift" "$img" /bin/probe getppid-loop $calls |
                sed -n 's/.*ns_per_call=//p' >>"$w/empty"
done
"$SANDBOX_BIN" --trace "$img" /bin/probe exit 0 2>&1 | sed -n 's/.*seccomp *deny filter: /   the default deny filter: /p'
python3 - "$w/filter" "$w/none" "$w/empty" <<'EOF'
import statistics, sys
f, n, e = ([float(x) for x in open(p)] for p in sys.argv[1:4])
mf, mn, me = statistics.median(f), statistics.median(n), statistics.median(e)
print("  default filter        median %7.2f ns/call   min %7.2f   max %7.2f" % (mf, min(f), max(f)))
print("  a filter denying none median %7.2f ns/call   min %7.2f   max %7.2f" % (me, min(e), max(e)))
print("  no filter             median %7.2f ns/call   min %7.2f   max %7.2f" % (mn, min(n), max(n)))
print("  ratio default / none: %.3f   (target <= 1.10)" % (mf / mn))
print("  ratio default / a filter denying nothing: %.3f (what the rules themselves cost)" % (mf / me))
EOF

echo
echo "== 2. a profile with two includes (3 files) against an empty default profile"
mkdir -p "$XDG_CONFIG_HOME/sandbox/profiles"
# A user's profile on the shipped devel, which includes default: three files, two includes,
# and nothing that changes the work of a launch. The baseline reads one trivial default.ini.
cat >"$XDG_CONFIG_HOME/sandbox/profiles/mine.ini" <<'EOF'
[profile]
description = a user's profile on top of devel
include = devel
[sandbox]
hostname = mine
[environment]
set = EDITOR=vi
EOF
printf '# nothing: the built-in defaults\n' >"$XDG_CONFIG_HOME/sandbox/profiles/default.ini"
cd "$w"
# The launcher's own trace times its "config" step (defaults, profile, command line):
# the medians of many launches, with the profile and with the trivial one.
for p in mine default; do
        for _ in $(seq $((runs * 20))); do
                "$SANDBOX_BIN" --trace --trace-json --profile "$p" "$img" /bin/probe exit 0 2>&1 >/dev/null |
                        sed -n '1s/.*"dur_us":\([0-9]*\).*/\1/p'
        done >"$w/config.$p"
done
python3 - "$w/config.mine" "$w/config.default" <<'EOF'
import statistics, sys
m, d = ([int(x) for x in open(p)] for p in sys.argv[1:3])
print("  config step, mine (3 files)    median %6.3f ms   min %6.3f ms" % (statistics.median(m) / 1e3, min(m) / 1e3))
print("  config step, an empty default  median %6.3f ms   min %6.3f ms" % (statistics.median(d) / 1e3, min(d) / 1e3))
print("  added by the two includes: %+.3f ms (median)   (target < 0.3 ms)" % ((statistics.median(m) - statistics.median(d)) / 1e3))
EOF
echo "  whole launches (noisy on a shared machine):"
hyperfine --style none -N --warmup 20 --runs $((runs * 20)) --export-json "$w/launch.json" \
        -n "launch, mine (3 files)" "$SANDBOX_BIN --profile mine $img /bin/probe exit 0" \
        -n "launch, an empty default" "$SANDBOX_BIN $img /bin/probe exit 0" 2>/dev/null
python3 - "$w/launch.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
for x in r:
    print("  %-32s median %8.3f ms   mean %8.3f ms +- %6.3f" % (
        x["command"], x["median"] * 1e3, x["mean"] * 1e3, x["stddev"] * 1e3))
EOF
