#!/usr/bin/env bash
# --persist DIR: the writable layer lives in DIR and survives; the next run with the same DIR
# sees the changes (files written, files deleted, with their owners), with either driver; no
# `volatile` for it; a DIR that is a symlink, inside the image cache, not ours, in use by
# another sandbox, or holding another image's changes is refused with exit 125 and a message.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/lib.sh"
require_sandbox

root=$WORK/root
busybox_probe_image "$root"
echo original >"$root/etc/motd"
img=$WORK/img.tar.gz
make_tar "$root" "$img"
P=$WORK/persist

# --- changes survive --------------------------------------------------------------------------
assert_exit 0 sb --persist "$P" "$img" sh -c 'echo 1 > /root/counter; rm /etc/motd; mkdir -p /data; echo kept > /data/file'
assert_exit 0 sb --persist "$P" "$img" sh -c 'cat /root/counter /data/file; [ -e /etc/motd ] || echo motd-still-gone'
assert_eq "1
kept
motd-still-gone" "$OUT" "the next run with DIR sees the files written and the file deleted"
for _ in 1 2 3; do
        run sb --persist "$P" "$img" sh -c 'n=$(cat /root/counter); echo $((n + 1)) > /root/counter'
done
assert_exit 0 sb --persist "$P" "$img" cat /root/counter
assert_eq 4 "$OUT" "three more runs counted on: 4"
assert_exit 0 sb "$img" sh -c 'cat /root/counter 2>/dev/null || echo none; cat /etc/motd'
assert_eq "none
original" "$OUT" "a run without --persist sees the image as it is"
assert_file_present "$P/upper/root/counter" "the writable layer is DIR/upper"
assert_exit 0 sb --persist "$P" "$img" cat /proc/self/mountinfo
assert_no_match "$(grep ' / / ' <<<"$OUT")" "volatile" "a persistent root is not mounted volatile"
assert_exit 0 sb "$img" cat /proc/self/mountinfo
assert_match "$(grep ' / / ' <<<"$OUT")" "volatile" "a throw-away root is"

if [ "$SANDBOX_ROLE" = test ]; then
        read -r ustart _ <<<"$(subid_range /etc/subuid)"
        assert_exit 0 sb --persist "$P" --user 1000:1000 "$img" sh -c 'echo mine > /tmp/by-1000'
        assert_eq "$((ustart + 999))" "$(stat -c %u "$P/upper/tmp/by-1000" 2>&1)" "a file uid 1000 writes belongs to its mapped id on the host"
        assert_exit 0 sb --persist "$P" "$img" stat -c %u /tmp/by-1000
        assert_eq 1000 "$OUT" "and to 1000 inside, next time"
fi

# --- refused ------------------------------------------------------------------------------
ln -s "$P" "$WORK/link"
assert_exit 125 sb --persist "$WORK/link" "$img" true
assert_match "$ERR" "^sandbox: --persist .*link is a symlink; give the directory itself" "a symlink DIR is refused"
mkdir -p "$(cache_root)/mine"
assert_exit 125 sb --persist "$(cache_root)/mine" "$img" true
assert_match "$ERR" "^sandbox: --persist .* is inside the image cache .*; keep it elsewhere" "a DIR inside the image cache is refused"
mkdir -p "$WORK/notmine"
echo precious >"$WORK/notmine/file"
assert_exit 125 sb --persist "$WORK/notmine" "$img" true
assert_match "$ERR" "^sandbox: --persist .*notmine is not empty and was not made by --persist" "a DIR holding other files is refused"
assert_eq precious "$(cat "$WORK/notmine/file")" "and left as it was"
assert_exit 125 sb --persist "$WORK/no/such/parent" "$img" true
assert_match "$ERR" "^sandbox: --persist .*: cannot create it \(its parent must exist\)" "a DIR whose parent is missing is refused"
other=$WORK/other.tar.gz
echo other >"$root/etc/motd"
make_tar "$root" "$other"
assert_exit 125 sb --persist "$P" "$other" true
assert_match "$ERR" "^sandbox: --persist .* holds the changes to another image \(.*\); give another directory" "another image with the same DIR is refused"
sb_bg "$WORK/bg.out" "$WORK/bg.err" --persist "$P" "$img" sh -c 'echo started; sleep 30'
wait_until 20 grep -q started "$WORK/bg.out" || true
assert_exit 125 sb --persist "$P" "$img" true
assert_match "$ERR" "^sandbox: --persist .* is in use by another sandbox" "a DIR in use by a running sandbox is refused"
kill -TERM "$SB_PID" 2>/dev/null || true
wait "$SB_PID" 2>/dev/null || true
assert_exit 0 sb --persist "$P" "$img" true
assert_rc 0 "once it ended, the DIR is free again"

# --- the driver is part of the layer --------------------------------------------------------
if command -v fuse-overlayfs >/dev/null && [ -w /dev/fuse ]; then
        assert_exit 125 sb --persist "$P" --storage fuse-overlayfs "$img" true
        assert_match "$ERR" "^sandbox: --persist .* was written through overlay, .*; use --storage overlay with it" "a layer kept by kernel overlayfs is refused to fuse-overlayfs"
        F=$WORK/persist-fuse
        assert_exit 0 sb --persist "$F" --storage fuse-overlayfs "$img" sh -c 'rm /etc/motd; echo f > /root/f'
        assert_exit 0 sb --trace --persist "$F" "$img" sh -c 'cat /root/f; [ -e /etc/motd ] || echo motd-gone'
        assert_eq "f
motd-gone" "$OUT" "fuse-overlayfs: changes survive too"
        assert_match "$ERR" "storage.*mounted by fuse-overlayfs" "auto uses the driver that wrote the layer"
else
        note "fuse-overlayfs or /dev/fuse unusable: the fuse-overlayfs part is skipped"
fi

# A layered image keeps its changes the same way.
FIXTURE=$WORK/fx
layered_fixture "$FIXTURE"
mkimage oci-tar "$WORK/layered.tar" >/dev/null
L=$WORK/persist-layered
assert_exit 0 sb --user 0 --persist "$L" "$WORK/layered.tar" 'rm /etc/which; echo x > /opt/d/added'
assert_exit 0 sb --user 0 --persist "$L" "$WORK/layered.tar" 'ls /opt/d; cat /etc/which 2>/dev/null || echo which-gone'
assert_eq "added
new
which-gone" "$OUT" "a layered image: changes and deletions over its layers survive"
