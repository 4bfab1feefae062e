#!/usr/bin/env bash
# Resource-limit benchmark (not part of ctest): in the test guest with pure cgroup v2
# (tests/guest/run.sh, User-Mode Linux), what creating, limiting and removing a sandbox's cgroup
# adds to a launch (against the same launch without limits, interleaved), the launcher's own time
# in its cgroup steps (from its trace), teardown of a sandbox with 100 processes, and, with a
# systemd --user manager, the delegated-scope path against systemd-run --user --scope; and, for
# scale, the same launches without limits on the host's own kernel.
#
#   tests/bench/cgroup.sh [RUNS]      RUNS launches per variant, default 25
#
# Runs as a normal user; as root it re-runs itself as sandbox-test on the build tools/test.sh
# made in /var/tmp/sandbox-test. UML runs a syscall far slower than the host: absolute times are
# the guest's, the differences are what to read.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-25}

bench_build
if [ "$(id -u)" -eq 0 ]; then
        bench_copy guest
        bench_rerun --env "SANDBOX_PROBE=$build/tests/probe" --env "SANDBOX_SRC_DIR=$copy" "$runs"
fi
export SANDBOX_BIN=${SANDBOX_BIN:-$build/sandbox} SANDBOX_BUILD_DIR=$build
export SANDBOX_PROBE=${SANDBOX_PROBE:-$build/tests/probe} SANDBOX_SRC_DIR=${SANDBOX_SRC_DIR:-$src}
export GUEST_BODY_TIMEOUT=$((60 + runs * 30)) GUEST_TIMEOUT=$((200 + runs * 60)) BENCH_RUNS=$runs
bash "$here/cgroup-body.sh" host 2>&1 | grep -v '^ok - \|^# all .* checks passed'
bash "$src/tests/guest/run.sh" "$here/cgroup-body.sh" "delegated,systemd" 2>&1 |
        grep -v '^ok - \|^# all .* checks passed'
