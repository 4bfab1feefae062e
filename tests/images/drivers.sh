#!/usr/bin/env bash
# Storage drivers: kernel overlayfs and fuse-overlayfs show the same merged root of a layered
# image, writes work and vanish, modes are enforced for a non-root user, --read-only works;
# where the kernel refuses (the cache on an overlayfs, as in a container) the launcher falls
# back to fuse-overlayfs and says so in one line, while a forced --storage overlay is a clear
# error; fuse-overlayfs never outlives the sandbox, even when the launcher is killed.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/lib.sh"
require_sandbox

command -v fuse-overlayfs >/dev/null || skip "fuse-overlayfs is not installed (tools/setup-debian.sh installs it)"
[ -r /dev/fuse ] && [ -w /dev/fuse ] || skip "/dev/fuse is not usable by $(id -un) (tools/setup-debian.sh makes it 0666)"

FIXTURE=$WORK/fx
layered_fixture "$FIXTURE"
want=$(expected_subset "$FIXTURE/l1" "$FIXTURE/l2" "$FIXTURE/l3")
img=$WORK/img.tar
mkimage oci-tar "$img" >/dev/null

# --- the same root, whichever mounts it --------------------------------------------------
for driver in overlay fuse-overlayfs; do
        assert_exit 0 inside_view --trace --storage "$driver" "$img"
        assert_eq "$want" "$OUT" "--storage $driver: the merged root matches the reference"
        if [ "$driver" = overlay ]; then
                assert_match "$ERR" "storage.*mounted by kernel overlayfs over 3 layers" "--storage overlay: the trace names the driver"
        else
                assert_match "$ERR" "storage.*mounted by fuse-overlayfs over 3 layers" "--storage fuse-overlayfs: the trace names the driver"
        fi
        assert_no_match "$ERR" "^sandbox: " "--storage $driver: nothing said on stderr"
done
assert_exit 0 sb --user 0 --entrypoint /bin/cat "$img" /proc/self/mountinfo
assert_match "$OUT" " / / .* - overlay " "auto: kernel overlayfs mounts the root where it can"

digest=$(for d in $(layer_dirs); do tree_digest "$d" 2>&1; done)
writes='echo new > /etc/newfile && echo more >> /etc/which && rm /etc/passwd && mkdir /newdir2 &&
rm -r /opt/d && mv /var/x /var/y && chmod 600 /etc/group && cat /etc/newfile /etc/which &&
ls /var/y && stat -c %a /etc/group && [ ! -e /opt/d ] && [ ! -e /etc/passwd ] && echo ok'
assert_exit 0 sb --user 0 --storage fuse-overlayfs "$img" "$writes"
assert_eq "new
l3
more
one
two
600
ok" "$OUT" "fuse-overlayfs: write, append, remove, rename, chmod"
assert_exit 0 inside_view --storage fuse-overlayfs "$img"
assert_eq "$want" "$OUT" "fuse-overlayfs: every write of the previous run is gone"
assert_eq "$digest" "$(for d in $(layer_dirs); do tree_digest "$d" 2>&1; done)" "fuse-overlayfs: the cached layers are unchanged"

# The kernel checks modes on the fuse mount (default_permissions): uid 1000 is not root.
assert_exit 0 sb --user 1000:1000 --storage fuse-overlayfs --entrypoint /bin/sh "$img" -c \
        'echo x > /etc/which 2>/dev/null && echo wrote-etc; echo y > /tmp/mine && cat /tmp/mine; echo z >> /home/user/own && echo wrote-own'
assert_eq "y
wrote-own" "$OUT" "fuse-overlayfs: uid 1000 cannot write root's files, can write its own and /tmp"
assert_exit 0 sb --user 1000:1000 --storage fuse-overlayfs --entrypoint /bin/cat "$img" /home/user/own
assert_eq own "$OUT" "fuse-overlayfs: and can read what the mode allows"
assert_exit 0 sb --user 0 --read-only --storage fuse-overlayfs "$img" 'echo x > /etc/x 2>/dev/null || echo ro; echo y > /tmp/y && cat /tmp/y'
assert_eq "ro
y" "$OUT" "fuse-overlayfs with --read-only: a read-only root, a writable /tmp"

# --- killed launcher: nothing of fuse-overlayfs survives ----------------------------------
sb_bg "$WORK/k.out" "$WORK/k.err" --user 0 --storage fuse-overlayfs --entrypoint /bin/sh "$img" -c 'echo started; exec sleep 300'
wait_until 30 grep -q started "$WORK/k.out" || true
fuse_pid=$(pgrep -P "$SB_PID" -x fuse-overlayfs || true)
pid1=$(pgrep -P "$SB_PID" -x sandbox || true)
sleeper=$( [ -n "$pid1" ] && pgrep -P "$pid1" -x sleep || true)
if [ -n "$fuse_pid" ] && [ -n "$pid1" ] && [ -n "$sleeper" ]; then
        pass "a fuse sandbox runs: launcher $SB_PID, fuse-overlayfs $fuse_pid (the launcher's child), pid 1 $pid1, command $sleeper"
else
        fail "a fuse sandbox runs with its fuse-overlayfs as the launcher's child" "fuse-overlayfs: ${fuse_pid:-none}" "pid 1: ${pid1:-none} command: ${sleeper:-none}" "$(cat "$WORK/k.err")"
fi
# fuse-overlayfs is not in the sandbox's pid namespace: the command cannot see it.
assert_exit 0 sb --user 0 --storage fuse-overlayfs --entrypoint /bin/sh "$img" -c 'set -- /proc/[0-9]*; echo $#'
assert_eq 2 "$OUT" "inside a fuse sandbox only pid 1 and the command exist (fuse-overlayfs is not visible)"
kill -KILL "$SB_PID"
wait "$SB_PID" 2>/dev/null || true
alive() { # PID: running (a zombie is dead)
        [ -n "$1" ] && [ -e "/proc/$1" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]
}
gone() {
        ! alive "$fuse_pid" && ! alive "$pid1" && ! alive "$sleeper"
}
wait_until 10 gone || true
for p in fuse_pid pid1 sleeper; do
        if alive "${!p}"; then
                fail "after SIGKILL of the launcher, $p (${!p}) is gone" "$(cat "/proc/${!p}/status" 2>&1 | head -3)"
        else
                pass "after SIGKILL of the launcher, $p is gone"
        fi
done
stale=$(grep -l " - fuse.fuse-overlayfs " /proc/[0-9]*/mountinfo 2>/dev/null | while read -r f; do
        [ "$(stat -c %u "$(dirname "$f")" 2>/dev/null)" = "$(id -u)" ] && echo "$f"; done || true)
assert_eq "" "$stale" "no process of $(id -un) has a fuse-overlayfs mount left"
assert_exit 0 sb --user 0 --entrypoint /bin/true "$img"
assert_eq ".lock" "$(ls -A "$(cache_root)/run")" "the next launch sweeps the killed one's run directory"

# --- fallback where the kernel refuses -----------------------------------------------------
# The cache on an overlayfs, as in a container: overlayfs does not take an overlayfs as its
# upper layer, nor makes whiteout devices in one. Built in a user namespace of the test user,
# where it is root (so the launcher there has a single-id map).
command -v unshare >/dev/null || skip "no unshare (util-linux)"
unshare --user --map-root-user --mount true 2>/dev/null ||
        skip "unshare -Urm does not work here: cannot build a cache on an overlayfs"
make_tar "$FIXTURE/l1" "$WORK/rootfs.tar"
mkdir -p "$WORK/ovl/lower" "$WORK/ovl/upper" "$WORK/ovl/work" "$WORK/ovl/merged"
cat >"$WORK/nested.sh" <<EOF
mount -t overlay overlay -o lowerdir=$WORK/ovl/lower,upperdir=$WORK/ovl/upper,workdir=$WORK/ovl/work,userxattr $WORK/ovl/merged || exit 1
export XDG_CACHE_HOME=$WORK/ovl/merged/cache
mkdir -p \$XDG_CACHE_HOME
launch() { # NAME ARG...
        local name=\$1 rc=0
        shift
        "$SANDBOX" "\$@" >$WORK/\$name.out 2>$WORK/\$name.err || rc=\$?
        echo \$rc >$WORK/\$name.rc
}
launch rootfs --entrypoint /bin/cat $WORK/rootfs.tar /etc/which
launch rootfs-forced --storage overlay --entrypoint /bin/cat $WORK/rootfs.tar /etc/which
launch layered --user 0 --entrypoint /bin/sh $img -c "\$VIEW_SCRIPT"
launch layered-forced --user 0 --storage overlay --entrypoint /bin/true $img
EOF
VIEW_SCRIPT=$VIEW_SCRIPT run timeout 300 unshare --user --map-root-user --mount bash "$WORK/nested.sh"
assert_rc 0 "the fallback scenario runs (an overlayfs holds the cache)"
result() { # NAME: status, stdout, and stderr without the single-id notice
        RC=$(cat "$WORK/$1.rc" 2>&1)
        OUT=$(cat "$WORK/$1.out" 2>&1)
        ERR=$(grep -v 'subordinate id range' "$WORK/$1.err" || true)
}
result rootfs
assert_eq "0 l1" "$RC $OUT" "auto, the kernel refusing: the rootfs image runs"
assert_match "$ERR" "^sandbox: kernel overlayfs refused to mount the root here \(.*\); using fuse-overlayfs$" "auto: one line says the kernel refused and fuse-overlayfs is used"
assert_eq 1 "$(nlines "$ERR")" "auto: and only that line"
result rootfs-forced
assert_eq 125 "$RC" "--storage overlay where the kernel refuses: exit 125"
assert_match "$ERR" "^sandbox: mounting the root with kernel overlayfs .*--storage fuse-overlayfs may do.*: " "--storage overlay: the message names the driver and the way out"
result layered
assert_eq 0 "$RC" "a layered image on that cache runs"
assert_eq "$want" "$OUT" "its whiteouts (kept as .wh. files there) are honoured: the reference root"
assert_match "$ERR" "^sandbox: this image's layers keep their whiteouts as \.wh\. files .*; using fuse-overlayfs$" "one line says why fuse-overlayfs"
assert_eq 1 "$(nlines "$ERR")" "and only that line"
result layered-forced
assert_eq 125 "$RC" "--storage overlay for it: exit 125"
assert_match "$ERR" "^sandbox: this image's layers keep their whiteouts as \.wh\. files .*use --storage fuse-overlayfs$" "with the reason and the fix"
