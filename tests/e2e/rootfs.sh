#!/usr/bin/env bash
# The root filesystem is a copy-on-write overlay: the command may write anywhere it has the
# permission to, and every write vanishes at exit; the cached image and a directory image stay
# exactly as they were; nothing of a run is left on the host after it.
source "$(dirname "$0")/../lib/common.sh"
require_sandbox

root=$WORK/root
busybox_probe_image "$root"
echo original >"$root/etc/marker-rootfs"
img=$WORK/img.tar.gz
make_tar "$root" "$img"

assert_exit 0 sb "$img" /bin/true
unpacked=$(find_unpacked etc/marker-rootfs | sed -n 1p)
if [ -z "$unpacked" ]; then
        fail "the image is unpacked in the cache ($(cache_root))"
        exit 1
fi
digest=$(tree_digest "$unpacked" 2>&1)
state=$(host_state)

writes='echo new > /etc/newfile && echo more >> /etc/marker-rootfs && rm /bin/ls &&
mkdir /newdir && touch /newdir/f && chmod 600 /etc/passwd && mv /etc/group /etc/group.moved &&
ln -s /etc/newfile /link && cat /etc/newfile /etc/marker-rootfs'
assert_exit 0 sb "$img" sh -c "$writes"
assert_eq "new
original
more" "$OUT" "the command can write, append, remove, rename and chmod anywhere as root"

assert_exit 0 sb "$img" sh -c 'cat /etc/marker-rootfs; for p in /etc/newfile /newdir /link /etc/group.moved; do
        [ -e "$p" ] || [ -L "$p" ] && echo "$p still there"; done; [ -e /bin/ls ] && echo ls-back;
        [ -e /etc/group ] && echo group-back; stat -c %a /etc/passwd'
assert_eq "original
ls-back
group-back
644" "$OUT" "every write of the previous run is gone"
assert_eq "$digest" "$(tree_digest "$unpacked" 2>&1)" "the cached image is unchanged (checksums, owners, modes, times)"
assert_eq "$state" "$(host_state)" "no per-run files are left on the host after exit"

# While a run lives, whatever it keeps on the host is gone once it exits.
sb_bg "$WORK/bg.out" "$WORK/bg.err" "$img" sh -c 'echo started; echo x > /big-write; exec sleep 30'
wait_until 20 grep -q started "$WORK/bg.out" || true
during=$(host_state)
note "files on the host during a run: $(diff <(printf '%s\n' "$state") <(printf '%s\n' "$during") | grep -c '^>' || true)"
kill -TERM "$SB_PID" || true
wait "$SB_PID" || true
wait_state "$state" 5 || true
assert_eq "$state" "$(host_state)" "the per-run state of a terminated run is removed"
assert_eq "$digest" "$(tree_digest "$unpacked" 2>&1)" "the cached image is still unchanged"

# A directory image: the same copy-on-write view, the directory itself never written.
dir_digest=$(tree_digest "$root")
assert_exit 0 sb "$root" sh -c "$writes"
assert_exit 0 sb "$root" sh -c 'cat /etc/marker-rootfs; [ -e /etc/newfile ] || echo clean'
assert_eq "original
clean" "$OUT" "writes to a directory image vanish at exit"
assert_eq "$dir_digest" "$(tree_digest "$root")" "the directory image is unchanged"

# --user 1000 writes where it may, and those writes vanish too.
assert_exit 0 sb --user 1000:1000 "$img" sh -c 'echo u > /tmp/u && cat /tmp/u'
assert_eq u "$OUT" "uid 1000 can write /tmp"
assert_exit 1 sb "$img" test -e /tmp/u
assert_eq "$digest" "$(tree_digest "$unpacked" 2>&1)" "the cached image is unchanged after --user runs"
