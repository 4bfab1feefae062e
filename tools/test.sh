#!/usr/bin/env bash
# The test command: builds the project (warnings are errors) and runs the whole CTest suite.
# Its last lines are CTest's summary and its exit status is CTest's.
#
# As root (CI): copies the source tree (without .git and build directories) to
# /var/tmp/sandbox-test/src, builds it in /var/tmp/sandbox-test/build, makes both world-
# readable, and runs ctest as root there; every test drops to an unprivileged test user itself
# (tests/lib/run-as.sh), so the test users need tools/setup-debian.sh to have run.
# As a normal user: builds in ./build of the source tree and runs ctest there; tests that need
# a user of another kind skip with the reason.
#
# Environment: SANDBOX_IMAGES_DIR  where alpine-minirootfs-*.tar.gz and SHA512SUMS are (default:
#                                  ../shared/images next to the source tree, or next to the
#                                  repository this one was cloned from)
#              CTEST_ARGS          extra ctest arguments, e.g. "-R e2e.cli -V"
#              SANDBOX_TEST_TOP    where a root run builds its copy (default /var/tmp/sandbox-test)
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

images_dir=${SANDBOX_IMAGES_DIR:-}
if [ -z "$images_dir" ]; then
        candidates=("$src/../shared/images")
        # A clone of a local repository (git clone /work/main /tmp/x) finds the images next
        # to where it came from.
        origin=$(git -C "$src" config --get remote.origin.url 2>/dev/null || true)
        origin=${origin#file://}
        case $origin in /*) candidates+=("$origin/../shared/images") ;; esac
        # The development machines keep them here.
        candidates+=(/work/shared/images)
        for dir in "${candidates[@]}"; do
                if [ -f "$dir/SHA512SUMS" ]; then
                        images_dir=$(cd "$dir" && pwd)
                        break
                fi
        done
fi
cmake_args=(-DSANDBOX_WERROR=ON -DSANDBOX_FUZZ=ON -DCMAKE_C_COMPILER=gcc)
[ -z "$images_dir" ] || cmake_args+=("-DSANDBOX_IMAGES_DIR=$images_dir")
read -r -a ctest_extra <<<"${CTEST_ARGS:-}"

if [ "$(id -u)" -eq 0 ]; then
        top=${SANDBOX_TEST_TOP:-/var/tmp/sandbox-test}
        for user in sandbox-test sandbox-norange; do
                id -u "$user" >/dev/null 2>&1 ||
                        { echo "test.sh: no user $user; run tools/setup-debian.sh first" >&2; exit 1; }
        done
        install -d -m 755 "$top"
        # One run at a time: a second one would replace the tree under the first one's tests.
        exec 200>"$top/.lock"
        if ! flock -n 200; then
                echo "test.sh: another run holds $top/.lock; waiting for it" >&2
                flock 200
        fi
        rm -rf "$top/src"
        mkdir -p "$top/src"
        tar -C "$src" --exclude=./.git --exclude='./build*' --exclude='./cmake-build-*' -cf - . |
                tar -C "$top/src" -xf -
        echo "test.sh: building a copy of $src in $top (as root; tests run as sandbox-test/sandbox-norange)"
        cmake -S "$top/src" -B "$top/build" "${cmake_args[@]}"
        cmake --build "$top/build" -j2
        chmod -R a+rX "$top/src" "$top/build"
        exec ctest --test-dir "$top/build" --output-on-failure "${ctest_extra[@]}"
fi

cmake -S "$src" -B "$src/build" "${cmake_args[@]}"
cmake --build "$src/build" -j2
exec ctest --test-dir "$src/build" --output-on-failure "${ctest_extra[@]}"
