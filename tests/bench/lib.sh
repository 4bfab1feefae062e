# shellcheck shell=bash
# What the benchmarks under tests/bench share: finding the build and the Alpine image, running
# again as the test user when started as root, tools, a scratch directory, medians and timing.
# Sourced on the host (by the scripts, as root and again as the test user) and in the test guest.
#
# Gives: $here (tests/bench), $src (the tree), $bench (the script's name, for its messages), and
# the functions below. The sourcing script keeps its own `set` options.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
bench=$(basename "$0")

bench_die() {
        echo "$bench: $*" >&2
        exit 1
}

# bench_build [HELPER...]: sets $build, the build to measure, with the launcher and the HELPERs
# in it. As root: SANDBOX_BUILD_DIR, else the one tools/test.sh made in $SANDBOX_TEST_TOP
# (default /var/tmp/sandbox-test). As a user: the first of SANDBOX_BUILD_DIR, ./build of this
# tree and that one.
# shellcheck disable=SC2120 # the arguments are optional
bench_build() {
        local b h made=${SANDBOX_TEST_TOP:-/var/tmp/sandbox-test}/build
        if [ "$(id -u)" -eq 0 ]; then
                build=${SANDBOX_BUILD_DIR:-$made}
                for h in sandbox "$@"; do
                        [ -x "$build/$h" ] || bench_die "as root, run tools/test.sh first (it builds $build)"
                done
                return 0
        fi
        for b in "${SANDBOX_BUILD_DIR:-}" "$src/build" "$made"; do
                [ -n "$b" ] || continue
                for h in sandbox "$@"; do
                        [ -x "$b/$h" ] || continue 2
                done
                build=$b
                return 0
        done
        bench_die "no built launcher${1:+ and $*}; run tools/test.sh first"
}

# bench_alpine: sets SANDBOX_ALPINE, unless set, to the Alpine minirootfs in $build (where the
# test suite's build keeps it), else in ../shared/images.
bench_alpine() {
        local f name=alpine-minirootfs-3.20.3-x86_64.tar.gz
        if [ -z "${SANDBOX_ALPINE:-}" ]; then
                for f in "$build/images/$name" "$src/../shared/images/$name"; do
                        [ -f "$f" ] && SANDBOX_ALPINE=$f && break
                done
        fi
        [ -f "${SANDBOX_ALPINE:-}" ] || bench_die "no Alpine image (set SANDBOX_ALPINE)"
        bench_uses_alpine=1
}

# bench_copy [DIR...]: as root, sets $copy, a fresh directory (in $bench_tmp, default /tmp,
# removed at exit) holding tests/bench, tests/lib and the DIRs of tests/, and the Alpine image
# when bench_alpine found one: what the test user needs to read.
# shellcheck disable=SC2120 # the arguments are optional
bench_copy() {
        local d
        copy=$(mktemp -d "${bench_tmp:-/tmp}/sandbox-bench.XXXXXX")
        trap 'rm -rf "$copy"' EXIT
        mkdir -p "$copy/tests"
        cp -r "$here" "$src/tests/lib" "$copy/tests/"
        for d in "$@"; do
                cp -r "$src/tests/$d" "$copy/tests/"
        done
        if [ -n "${bench_uses_alpine:-}" ]; then
                cp "$SANDBOX_ALPINE" "$copy/alpine.tar.gz"
                SANDBOX_ALPINE=$copy/alpine.tar.gz
        fi
}

# bench_rerun [--env VAR=VALUE]... ARG...: runs the copy of this script with the ARGs as the
# test user (tests/lib/run-as.sh), on $build, with SANDBOX_BIN, SANDBOX_BUILD_DIR, the Alpine
# image and the VARs; then exits with its status.
bench_rerun() {
        local envs=(--env "SANDBOX_BIN=$build/sandbox" --env "SANDBOX_BUILD_DIR=$build")
        [ -n "${bench_uses_alpine:-}" ] && envs+=(--env "SANDBOX_ALPINE=$SANDBOX_ALPINE")
        while [ "${1:-}" = --env ]; do
                envs+=("$1" "$2")
                shift 2
        done
        chmod -R a+rX "$copy"
        # The test user's scratch space goes where the copy is.
        SANDBOX_TEST_TMPROOT=${bench_tmp:-${SANDBOX_TEST_TMPROOT:-/tmp}} bash "$copy/tests/lib/run-as.sh" "${envs[@]}" \
                test bash "$copy/tests/bench/$bench" "$@"
        exit $?
}

# bench_as_test_user [--env VAR=VALUE]... ARG...: as root, bench_copy and bench_rerun; as a user,
# nothing.
bench_as_test_user() {
        if [ "$(id -u)" -eq 0 ]; then
                bench_copy
                bench_rerun "$@"
        fi
}

# bench_require TOOL...: each of them on the PATH, or a line that names the missing one.
bench_require() {
        local t
        for t in "$@"; do
                command -v "$t" >/dev/null || bench_die "needs $t (tools/setup-debian.sh)"
        done
}

# bench_scratch [PREFIX]: sets $w, a fresh directory in $TMPDIR, removed at exit (bench_cleanup).
# shellcheck disable=SC2120 # the arguments are optional
bench_scratch() {
        w=$(mktemp -d "${TMPDIR:-/tmp}/${1:-sandbox-bench}.XXXXXX")
        trap bench_cleanup EXIT
}

# Removes $w, even what a sandbox left there owned by its subordinate ids.
bench_cleanup() {
        rm -rf "$w" 2>/dev/null || unshare --map-auto --map-root-user rm -rf "$w" 2>/dev/null || true
}

# median [FORMAT [NUMBER...]]: the median of the NUMBERs, or else of the numbers on stdin (one a
# line, blank lines skipped), printed with printf's FORMAT (default %.3f).
median() {
        local format=${1:-%.3f}
        if [ $# -gt 1 ]; then
                shift
                printf '%s\n' "$@" | median "$format"
                return
        fi
        sort -g | awk -v f="$format" 'NF {v[++n] = $1}
                END {if (n % 2) m = v[(n + 1) / 2]; else m = (v[n / 2] + v[n / 2 + 1]) / 2; printf f, m}'
}

# now_us: the wall clock (CLOCK_REALTIME) in microseconds.
now_us() {
        local t=$EPOCHREALTIME
        echo "${t/./}"
}

# ms_between T0 T1: the milliseconds from T0 to T1 (both from now_us), with 3 decimals.
ms_between() {
        echo "$((($2 - $1) / 1000)).$(printf '%03d' $((($2 - $1) % 1000)))"
}
