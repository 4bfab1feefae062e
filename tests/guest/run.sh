#!/usr/bin/env bash
# run.sh BODY [PLACE,...]: runs the test script BODY inside a User-Mode Linux guest with pure
# cgroup v2 and a subtree delegated to uid 1000 (as systemd's Delegate=yes does), as uid 1000,
# once from each PLACE (default: delegated; tests/guest/init.sh lists them), with the real
# launcher of the build tree under test. Prints the guest's console; exits with the body's
# status (0, 1, or 77 when every run skipped).
#
# The guest is an ordinary process of the invoking (unprivileged) user: linux.uml, booted with
# the host's / as its read-only root (hostfs), so it runs the freshly built binaries where they
# are and can write nothing on the host. Never run this as root.
#
# Environment: SANDBOX_BIN, SANDBOX_BUILD_DIR, SANDBOX_SRC_DIR, SANDBOX_PROBE, SANDBOX_ALPINE
#              (from CTest; defaults for a by-hand run from the source tree after a build in
#              ./build), GUEST_TIMEOUT (watchdog of the whole guest, default 420 s),
#              GUEST_BODY_TIMEOUT (watchdog of each run of the body in the guest, default 240 s),
#              GUEST_MEM (default 512M), BENCH_RUNS (passed on, for tests/bench/cgroup.sh).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
body=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
places=${2:-delegated}

if [ "$(id -u)" -eq 0 ]; then
        echo "FAIL - run.sh never runs as root; go through tests/lib/run-as.sh"
        exit 1
fi
uml=$(command -v linux.uml || true)
if [ -z "$uml" ]; then
        echo "SKIP: no linux.uml: the guest kernel for the cgroup v2 limit tests is the Debian" \
                "package user-mode-linux (tools/setup-debian.sh installs it)"
        exit 77
fi
version=$("$uml" --version 2>/dev/null | head -n 1)
if [ ! -r "/usr/lib/uml/modules/$version/kernel/fs/overlayfs/overlay.ko" ]; then
        echo "SKIP: no overlayfs module for the UML kernel $version in /usr/lib/uml/modules"
        exit 77
fi
src=${SANDBOX_SRC_DIR:-$(cd "$here/../.." && pwd)}
build=${SANDBOX_BUILD_DIR:-$src/build}
bin=${SANDBOX_BIN:-$build/sandbox}
probe=${SANDBOX_PROBE:-$build/tests/probe}
if [ ! -x "$bin" ] || [ ! -x "$probe" ]; then
        echo "FAIL - the launcher or the probe is not built: $bin, $probe"
        exit 1
fi
# The guest reads them as uid 1000 through hostfs: they must be readable by anyone, as
# tools/test.sh makes the source and build trees.
# UML writes ~/.uml and keeps its memory in a file under TMPDIR (/dev/shm: tmpfs).
scratch=$(mktemp -d "${TMPDIR:-/tmp}/guest.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/home"
# A small block device (ubdb, 98:16 in the guest), for io.max.
truncate -s 8M "$scratch/disk.img"
shm=/dev/shm
[ -w "$shm" ] || shm=$scratch

# shellcheck disable=SC2054 # commas inside the kernel's own arguments
args=(mem="${GUEST_MEM:-512M}" ubd1="$scratch/disk.img" con=null con0=fd:0,fd:1 quiet loglevel=3 panic=-1
        root=/dev/root rootfstype=hostfs rootflags=/ ro init="$here/init.sh"
        GUEST_BODY="$body" GUEST_PLACES="$places" GUEST_TIMEOUT="${GUEST_BODY_TIMEOUT:-240}"
        SANDBOX_BIN="$bin" SANDBOX_BUILD_DIR="$build" SANDBOX_SRC_DIR="$src"
        SANDBOX_PROBE="$probe" SANDBOX_ALPINE="${SANDBOX_ALPINE:-}"
        SANDBOX_TEST_NAME="${SANDBOX_TEST_NAME:-guest}" BENCH_RUNS="${BENCH_RUNS:-}")
set +e
HOME=$scratch/home TMPDIR=$shm timeout -k 10 "${GUEST_TIMEOUT:-420}" "$uml" "${args[@]}" \
        </dev/null | tee "$scratch/console"
rc=${PIPESTATUS[0]}
set -e
# Not booting at all is this machine's business (no ptrace for UML, no memory...), not the
# launcher's: nothing of the launcher has run before init says it is up.
if ! grep -q '^guest-init: up' "$scratch/console"; then
        echo "SKIP: User-Mode Linux did not boot here (status $rc); its console is above"
        exit 77
fi
case $rc in
0 | 1 | 77) exit "$rc" ;;
124 | 137)
        echo "FAIL - the guest did not finish in ${GUEST_TIMEOUT:-420} s (watchdog)"
        exit 1
        ;;
134)
        echo "FAIL - the guest kernel panicked or its init died (status 134)"
        exit 1
        ;;
*)
        echo "FAIL - the guest ended with status $rc"
        exit 1
        ;;
esac
