# shellcheck shell=bash
# Sourced by the end-to-end test scripts (tests/e2e/*.sh) and the infrastructure checks.
#
# Gives: $SANDBOX (the launcher), $SANDBOX_PROBE, $SANDBOX_ALPINE, $WORK (a scratch directory
# of this test), assertion helpers that print one line per check (`ok - ...` or `FAIL - ...`
# with what was expected and what was got), and image builders. A script ends with a summary
# line; its exit status is 1 if any check failed, 77 if it skipped, else 0.
#
# Variables the tests get from CTest (see tests/SandboxTest.cmake), with defaults for a
# by-hand run from the source tree: SANDBOX_BIN, SANDBOX_BUILD_DIR, SANDBOX_SRC_DIR,
# SANDBOX_PROBE, SANDBOX_ALPINE, SANDBOX_VERSION, SANDBOX_ROLE.
set -Eeuo pipefail
shopt -s inherit_errexit

if [ "$(id -u)" -eq 0 ]; then
        echo "FAIL - test bodies never run as root; run it through tests/lib/run-as.sh"
        exit 1
fi

TESTS_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SANDBOX_SRC_DIR=${SANDBOX_SRC_DIR:-$(cd "$TESTS_LIB/../.." && pwd)}
SANDBOX_BUILD_DIR=${SANDBOX_BUILD_DIR:-$SANDBOX_SRC_DIR/build}
SANDBOX=${SANDBOX_BIN:-$SANDBOX_BUILD_DIR/sandbox}
SANDBOX_PROBE=${SANDBOX_PROBE:-$SANDBOX_BUILD_DIR/tests/probe}
SANDBOX_ALPINE=${SANDBOX_ALPINE:-$SANDBOX_BUILD_DIR/images/alpine-minirootfs-3.20.3-x86_64.tar.gz}
SANDBOX_ROLE=${SANDBOX_ROLE:-any}
export TMPDIR=${TMPDIR:-/tmp}
WORK=$(mktemp -d "$TMPDIR/work.XXXXXX")
# Where add_probe and with_alpine_probe put the probe inside images.
# shellcheck disable=SC2034 # used by the scripts that source this file
PROBE=/usr/local/bin/probe

T_CHECKS=0
T_FAILED=0
T_BG_PIDS=()
T_CLEANUP=()

# ---------------------------------------------------------------------------------------------
# Reporting

pass() { # DESC
        T_CHECKS=$((T_CHECKS + 1))
        echo "ok - $1"
}

fail() { # DESC [DETAIL...]
        T_CHECKS=$((T_CHECKS + 1))
        T_FAILED=$((T_FAILED + 1))
        echo "FAIL - $1"
        shift
        local line
        for line in "$@"; do
                printf '%s\n' "$line" | sed 's/^/#   /'
        done
}

skip() { # REASON
        echo "SKIP: $1"
        exit 77
}

# Prints a note that is neither a pass nor a failure.
note() {
        echo "# $*"
}

_t_finish() {
        local rc=$?
        local pid
        for pid in "${T_BG_PIDS[@]}"; do
                kill -KILL "$pid" 2>/dev/null || true
        done
        [ ${#T_CLEANUP[@]} -eq 0 ] || rm -rf "${T_CLEANUP[@]}" 2>/dev/null || true
        if [ "$rc" -eq 77 ]; then
                exit 77
        fi
        if [ "$rc" -ne 0 ] && [ "$T_FAILED" -eq 0 ]; then
                echo "FAIL - the test script stopped early (status $rc)"
                T_FAILED=1
        fi
        if [ "$T_FAILED" -gt 0 ]; then
                echo "# $T_FAILED of $T_CHECKS checks failed"
                exit 1
        fi
        echo "# all $T_CHECKS checks passed"
        exit 0
}
trap _t_finish EXIT
trap 'echo "# error: \"$BASH_COMMAND\" failed (status $?) at ${BASH_SOURCE[0]##*/}:$LINENO"' ERR

# Kills the tracked background processes when the script ends.
track_pid() {
        T_BG_PIDS+=("$1")
}

# Removes a path outside $WORK (which run-as.sh removes anyway) when the script ends.
cleanup_path() {
        T_CLEANUP+=("$1")
}

# ---------------------------------------------------------------------------------------------
# Assertions. Each prints one line; none stops the script.

_t_show() { # TEXT -> at most 40 lines, for failure details
        printf '%s' "$1" | sed -n 1,40p
}

assert_eq() { # EXPECTED GOT [DESC]
        local desc=${3:-"'$2' = '$1'"}
        if [ "$1" == "$2" ]; then
                pass "$desc"
        elif [ "$(printf '%s\n' "$1" | wc -l)" -gt 5 ]; then
                fail "$desc" "expected (-) and got (+):" \
                        "$(diff -u <(printf '%s\n' "$1") <(printf '%s\n' "$2") | sed -n '3,42p' || true)"
        else
                fail "$desc" "expected: $(_t_show "$1")" "got:      $(_t_show "$2")"
        fi
}

assert_ne() { # UNEXPECTED GOT [DESC]
        local desc=${3:-"'$2' != '$1'"}
        if [ "$1" != "$2" ]; then
                pass "$desc"
        else
                fail "$desc" "expected anything but: $1" "got: $2"
        fi
}

assert_contains() { # HAYSTACK NEEDLE [DESC]
        local desc=${3:-"output contains '$2'"}
        if [[ $1 == *"$2"* ]]; then
                pass "$desc"
        else
                fail "$desc" "expected to contain: $2" "got: $(_t_show "$1")"
        fi
}

assert_not_contains() { # HAYSTACK NEEDLE [DESC]
        local desc=${3:-"output does not contain '$2'"}
        if [[ $1 != *"$2"* ]]; then
                pass "$desc"
        else
                fail "$desc" "expected not to contain: $2" "got: $(_t_show "$1")"
        fi
}

assert_match() { # TEXT ERE [DESC]   (the ERE must match a line of TEXT)
        local desc=${3:-"output matches /$2/"}
        if grep -Eq -- "$2" <<<"$1"; then
                pass "$desc"
        else
                fail "$desc" "expected a line matching: $2" "got: $(_t_show "$1")"
        fi
}

assert_no_match() { # TEXT ERE [DESC]
        local desc=${3:-"no line matches /$2/"}
        local hits
        hits=$(printf '%s\n' "$1" | grep -E -- "$2" || true)
        if [ -z "$hits" ]; then
                pass "$desc"
        else
                fail "$desc" "expected no line matching: $2" "got: $(_t_show "$hits")"
        fi
}

assert_file_absent() { # PATH [DESC]
        local desc=${2:-"$1 does not exist"}
        if [ -e "$1" ] || [ -L "$1" ]; then
                fail "$desc" "expected: no such file" "got: $(ls -ld "$1" 2>&1)"
        else
                pass "$desc"
        fi
}

assert_file_present() { # PATH [DESC]
        local desc=${2:-"$1 exists"}
        if [ -e "$1" ] || [ -L "$1" ]; then
                pass "$desc"
        else
                fail "$desc" "expected: $1 to exist" "got: no such file"
        fi
}

# assert_true DESC COMMAND [ARG...]: passes when the command succeeds.
assert_true() {
        local desc=$1 out
        shift
        if out=$("$@" 2>&1); then
                pass "$desc"
        else
                fail "$desc" "command failed: $*" "output: $(_t_show "$out")"
        fi
}

# run COMMAND [ARG...]: runs it with stdin from /dev/null (or $RUN_STDIN), sets OUT, ERR, RC.
run() {
        local o="$WORK/.run-out" e="$WORK/.run-err"
        RC=0
        "$@" >"$o" 2>"$e" <"${RUN_STDIN:-/dev/null}" || RC=$?
        OUT=$(cat "$o")
        ERR=$(cat "$e")
        RUN_CMD="$*"
}

# assert_exit CODE COMMAND [ARG...]: runs the command (see run) and checks its exit status;
# OUT, ERR and RC stay set for further checks.
assert_exit() {
        local code=$1
        shift
        run "$@"
        assert_rc "$code" "exit $code: $(_t_short "$*")"
}

# assert_rc CODE [DESC]: checks the status of the last run/assert_exit.
assert_rc() {
        local desc=${2:-"exit status $1: $(_t_short "$RUN_CMD")"}
        if [ "$RC" -eq "$1" ]; then
                pass "$desc"
        else
                local why=""
                [ "$RC" -ne 124 ] || why=" (timed out)"
                fail "$desc" "expected status: $1" "got status: $RC$why" \
                        "stdout: $(_t_show "$OUT")" "stderr: $(_t_show "$ERR")"
        fi
}

_t_short() { # shortens a command line for a check's description
        local s=${1//$WORK\//}
        s=${s//$SANDBOX/sandbox}
        [ ${#s} -le 110 ] || s="${s:0:107}..."
        printf '%s' "$s"
}

# ---------------------------------------------------------------------------------------------
# Running the launcher

# sb ARG...: the launcher, with a watchdog ($SB_TIMEOUT seconds, default 60; 124 on timeout).
sb() {
        timeout -k 5 "${SB_TIMEOUT:-60}" "$SANDBOX" "$@"
}

# sb_bg OUTFILE ERRFILE ARG...: starts the launcher in the background (stdin /dev/null); sets
# SB_PID to the launcher's own pid. Killed at the end of the script if still running. As for
# any background job of a script, SIGINT and SIGQUIT start out ignored.
sb_bg() {
        local out=$1 err=$2
        shift 2
        "$SANDBOX" "$@" >"$out" 2>"$err" </dev/null &
        SB_PID=$!
        track_pid "$SB_PID"
}

# wait_until SECONDS COMMAND [ARG...]: polls the command every 50 ms; returns 1 on timeout.
wait_until() {
        local deadline=$((SECONDS + $1))
        shift
        until "$@" >/dev/null 2>&1; do
                [ "$SECONDS" -lt "$deadline" ] || return 1
                sleep 0.05
        done
}

# nlines TEXT: the number of non-empty lines of TEXT.
nlines() {
        local n
        n=$(grep -c . <<<"$1" || true)
        echo "${n:-0}"
}

# kv KEY TEXT: the value of the first KEY=value line of TEXT (probe output).
kv() {
        printf '%s\n' "$2" | sed -n "s/^$1=//p" | sed -n 1p
}

# field KEY TEXT: the value of the first key=value pair named KEY anywhere in TEXT.
field() {
        { grep -o -- "\(^\| \)$1=[^ ]*" <<<"$2" || true; } | sed -n 1p | sed "s/^ *$1=//"
}

require_sandbox() {
        if [ ! -x "$SANDBOX" ]; then
                echo "FAIL - the launcher is not built: no executable $SANDBOX"
                echo "#   build the project first (tools/test.sh does); src/ provides build/sandbox"
                exit 1
        fi
}

require_probe() {
        [ -x "$SANDBOX_PROBE" ] || {
                echo "FAIL - the probe is not built: no executable $SANDBOX_PROBE"
                exit 1
        }
}

# require_alpine: skips if the Alpine image is absent; fails if its SHA512 does not match.
require_alpine() {
        [ -z "${T_ALPINE_OK:-}" ] || return 0
        if [ ! -f "$SANDBOX_ALPINE" ]; then
                skip "no Alpine image at $SANDBOX_ALPINE (it comes from ../shared/images next to the source tree, or -DSANDBOX_IMAGES_DIR)"
        fi
        local dir name
        dir=$(dirname "$SANDBOX_ALPINE")
        name=$(basename "$SANDBOX_ALPINE")
        if [ ! -r "$dir/SHA512SUMS" ] || ! grep -q " \*\?$name\$" "$dir/SHA512SUMS"; then
                echo "FAIL - no SHA512SUMS entry for $name in $dir"
                exit 1
        fi
        if ! (cd "$dir" && grep " \*\?$name\$" SHA512SUMS | sha512sum -c --quiet -) >/dev/null 2>&1; then
                echo "FAIL - $SANDBOX_ALPINE does not match its SHA512 in $dir/SHA512SUMS"
                exit 1
        fi
        T_ALPINE_OK=1
}

# The first subordinate id range of the current user in FILE (/etc/subuid or /etc/subgid), as
# "START COUNT"; nothing if none.
subid_range() { # FILE
        awk -F: -v n="$(id -un)" -v u="$(id -u)" '($1 == n || $1 == u) && $3 > 0 {print $2, $3; exit}' "$1" 2>/dev/null || true
}

# ---------------------------------------------------------------------------------------------
# Images

BUSYBOX_APPLETS="sh ls cat echo id mkdir rm touch sleep mount grep sed wc ps kill hostname true
false env stat ln readlink find uname head tail tr test [ awk cut sort uniq stty printf chmod cp
mv dd seq tee xargs pwd basename dirname expr timeout umount mkfifo tty ping nc od"

# make_busybox_image DIR: a tiny rootfs from the host's static busybox: /bin/busybox and its
# applets, /etc/passwd and /etc/group with root and user (1000), empty dev proc sys tmp.
make_busybox_image() {
        local dir=$1 bb applet
        bb=$(command -v busybox || echo /bin/busybox)
        [ -x "$bb" ] || { echo "no busybox on the host: install busybox-static" >&2; return 1; }
        if ldd "$bb" >/dev/null 2>&1; then
                echo "$bb is not static: install busybox-static" >&2
                return 1
        fi
        mkdir -p "$dir"/{bin,etc,dev,proc,sys,tmp,root,home/user,usr/bin,usr/local/bin}
        cp "$bb" "$dir/bin/busybox"
        chmod 755 "$dir/bin/busybox"
        for applet in $BUSYBOX_APPLETS; do
                ln -sf busybox "$dir/bin/$applet"
        done
        printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'user:x:1000:1000:user:/home/user:/bin/sh' \
                >"$dir/etc/passwd"
        printf '%s\n' 'root:x:0:' 'user:x:1000:' >"$dir/etc/group"
        chmod 1777 "$dir/tmp"
        chmod 700 "$dir/root"
}

# add_probe DIR: copies the static probe to DIR/usr/local/bin/probe.
add_probe() {
        require_probe
        mkdir -p "$1/usr/local/bin"
        cp "$SANDBOX_PROBE" "$1/usr/local/bin/probe"
        chmod 755 "$1/usr/local/bin/probe"
}

# make_tar DIR OUT: packs DIR's contents (as ./...) into OUT, compressed by OUT's suffix:
# .tar, .tar.gz/.tgz, .tar.xz, .tar.zst. Every entry is owned by 0:0 (root), except those named
# in $TAR_OWNERS, a space-separated list of RELPATH=UID:GID (e.g. "home/user=1000:1000").
# Modes, symlinks and hardlinks are kept; entries are sorted, times kept.
make_tar() {
        local dir=$1 out=$2 compress
        case $out in
        *.tar) compress=(cat) ;;
        *.tar.gz | *.tgz) compress=(gzip -n -6) ;;
        *.tar.xz) compress=(xz -T1 -3) ;;
        *.tar.zst) compress=(zstd -q -3) ;;
        *)
                echo "make_tar: unknown suffix: $out" >&2
                return 1
                ;;
        esac
        python3 - "$dir" "${TAR_OWNERS:-}" <<'EOF' | "${compress[@]}" >"$out"
import os, sys, tarfile
root, owners_spec = sys.argv[1], sys.argv[2]
owners = {}
for item in owners_spec.split():
    path, ids = item.split("=", 1)
    uid, gid = ids.split(":")
    owners[path.strip("/")] = (int(uid), int(gid))
with tarfile.open(fileobj=sys.stdout.buffer, mode="w|", format=tarfile.GNU_FORMAT) as tar:
    def add(rel):
        full = os.path.join(root, rel) if rel else root
        ti = tar.gettarinfo(full, arcname="./" + rel if rel else ".")
        ti.uid, ti.gid = owners.get(rel, (0, 0))
        ti.uname = ti.gname = ""
        if ti.isreg():
            with open(full, "rb") as f:
                tar.addfile(ti, f)
        else:
            tar.addfile(ti)
    add("")
    for top, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(dirs + files):
            add(os.path.relpath(os.path.join(top, name), root))
EOF
}

# with_alpine_probe OUT.tar.gz: the Alpine minirootfs plus the probe at usr/local/bin/probe,
# re-packed with owners and modes kept (never extracted on the host).
with_alpine_probe() {
        require_alpine
        require_probe
        python3 - "$SANDBOX_ALPINE" "$SANDBOX_PROBE" "$1" <<'EOF'
import sys, tarfile
src, probe, out = sys.argv[1:]
with tarfile.open(src, "r:gz") as i, tarfile.open(out, "w:gz", compresslevel=6) as o:
    for m in i:
        if m.name.lstrip("./") == "usr/local/bin/probe":
            continue
        o.addfile(m, i.extractfile(m) if m.isreg() else None)
    ti = o.gettarinfo(probe, arcname="./usr/local/bin/probe")
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = "root"
    ti.mode = 0o755
    with open(probe, "rb") as f:
        o.addfile(ti, f)
EOF
}

# busybox_probe_image DIR: make_busybox_image plus the probe; prints nothing.
busybox_probe_image() {
        make_busybox_image "$1"
        add_probe "$1"
}

# tree_digest DIR: one line per entry under DIR (sorted): path, type, mode, uid, gid, size,
# mtime and ctime in ns, link count, symlink target, and the SHA-256 of readable files.
tree_digest() {
        python3 - "$1" <<'EOF'
import hashlib, os, stat, sys
root = sys.argv[1]
def line(p):
    st = os.lstat(p)
    rel = os.path.relpath(p, root)
    extra = ""
    if stat.S_ISLNK(st.st_mode):
        extra = "-> " + os.readlink(p)
    elif stat.S_ISREG(st.st_mode):
        try:
            with open(p, "rb") as f:
                extra = hashlib.sha256(f.read()).hexdigest()
        except OSError as e:
            extra = "unreadable"
    print(rel, oct(st.st_mode), st.st_uid, st.st_gid, st.st_size if not stat.S_ISDIR(st.st_mode) else "-",
          st.st_mtime_ns, st.st_ctime_ns, st.st_nlink, extra)
line(root)
for top, dirs, files in os.walk(root):
    dirs.sort()
    for n in sorted(dirs + files):
        line(os.path.join(top, n))
EOF
}

# listing DIR: the paths under DIR (sorted), nothing if DIR does not exist.
listing() {
        [ -d "$1" ] || return 0
        { find "$1" -mindepth 1 2>/dev/null || true; } | sort
}

# rm_tree DIR: removes a tree, including files the launcher created under subordinate ids.
rm_tree() {
        [ -e "$1" ] || return 0
        chmod -R u+rwX "$1" 2>/dev/null || true
        rm -rf "$1" 2>/dev/null && return 0
        unshare --map-auto --map-root-user rm -rf "$1" 2>/dev/null
}

# The cache root the launcher uses.
cache_root() {
        printf '%s/sandbox' "${XDG_CACHE_HOME:-$HOME/.cache}"
}

# find_unpacked MARKER: the directories in the cache that hold an unpacked image containing
# the file MARKER (a path relative to the image root, e.g. etc/marker-cache); one per line.
find_unpacked() {
        local hit
        [ -d "$(cache_root)" ] || return 0
        { find "$(cache_root)" -path "*/$1" 2>/dev/null || true; } | while read -r hit; do
                printf '%s\n' "${hit%/"$1"}"
        done | sort
}

# make_foreign_elf OUT MACHINE: a minimal 64-bit little-endian ELF executable header for another
# architecture (MACHINE: e_machine number, 183 = aarch64), mode 755.
make_foreign_elf() {
        python3 - "$1" "$2" <<'PY'
import struct, sys
out, machine = sys.argv[1], int(sys.argv[2])
ehdr = struct.pack("<4sBBBB8xHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 0, 2, machine, 1,
                   0x400078, 64, 0, 0, 64, 56, 1, 0, 0, 0)
phdr = struct.pack("<IIQQQQQQ", 1, 5, 0, 0x400000, 0x400000, 0x80, 0x80, 0x1000)
with open(out, "wb") as f:
    f.write(ehdr + phdr + b"\x00" * 8)
PY
        chmod 755 "$1"
}

# Lines of TEXT that do not start with "sandbox: " (what the launcher itself may print).
foreign_stderr_lines() {
        printf '%s\n' "$1" | grep -v -e '^sandbox: ' -e '^$' || true
}

# host_state: what this user has on the host where a launcher could keep per-run state: the
# cache home, TMPDIR (but $WORK), XDG_RUNTIME_DIR, and the user's entries in /tmp, /var/tmp
# and /dev/shm (but the scratch directories of tests). Sorted paths, one per line.
host_state() {
        local scratch
        scratch=$(dirname "$TMPDIR")
        {
                listing "${XDG_CACHE_HOME:-$HOME/.cache}"
                find "$TMPDIR" -mindepth 1 -path "$WORK" -prune -o -print 2>/dev/null || true
                [ -z "${XDG_RUNTIME_DIR:-}" ] || listing "$XDG_RUNTIME_DIR"
                # Other tests' scratch directories (run-as.sh) are not this test's business.
                find /tmp /var/tmp /dev/shm -maxdepth 3 \( -path "$scratch" -o -name 'sandbox-test.*' \) \
                        -prune -o -user "$(id -u)" -print 2>/dev/null || true
        } | sort
}

# wait_state STATE SECONDS: waits until host_state equals STATE; returns 1 on timeout.
wait_state() {
        local deadline=$((SECONDS + $2))
        until [ "$(host_state)" = "$1" ]; do
                [ "$SECONDS" -lt "$deadline" ] || return 1
                sleep 0.1
        done
}
