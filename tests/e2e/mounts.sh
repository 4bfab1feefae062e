#!/usr/bin/env bash
# The profile's mounts ([filesystem]): bind (writes reach the host), ro_bind (read-only, also
# below it), dev_bind (a usable device, with a warning), tmpfs with size and mode, dir,
# symlink, their order, the flags every bind gets (nosuid, nodev), read_only with a mount
# below /tmp, and the targets that are refused: a symlink in the image, /proc, a missing
# source. Everything a test binds lives in its own scratch directory.
source "$(dirname "$0")/../lib/common.sh"
require_sandbox

root=$WORK/root
busybox_probe_image "$root"
mkdir -p "$root/srv" "$root/run"
ln -s /etc "$root/evil"
img=$WORK/img.tar.gz
make_tar "$root" "$img"

host=$WORK/host
mkdir -p "$host/rw" "$host/ro/sub" "$host/file-dir"
echo from-host >"$host/rw/in"
echo read-only >"$host/ro/sub/f"
echo single >"$host/file-dir/single"

# mount_line POINT: the probe's mountinfo record of the last mount at POINT.
mount_line() {
        printf '%s\n' "$MOUNTS" | grep "^mount=$1 " | tail -n 1 || true
}

# --- bind: both ways ---------------------------------------------------------------------------
assert_exit 0 sb --bind "$host/rw:/data" "$img" sh -c 'cat /data/in && echo from-sandbox >/data/out'
assert_eq from-host "$OUT" "bind: the host's file is visible inside"
assert_eq from-sandbox "$(cat "$host/rw/out" 2>&1)" "bind: a write inside reaches the host"
assert_exit 0 sb --bind "$host/rw" "$img" cat "$host/rw/in"
assert_eq from-host "$OUT" "bind SRC alone: the same path inside"
assert_exit 0 sb --bind "$host/file-dir/single:/etc/single" "$img" cat /etc/single
assert_eq single "$OUT" "bind of a single file onto a new file"

# --- ro_bind: read-only, submounts included ------------------------------------------------
assert_exit 0 sb --ro-bind "$host/ro:/ro" "$img" "$PROBE" write /ro/sub/new
assert_eq EROFS "$(field errno "$OUT")" "ro_bind: writing fails with EROFS"
assert_exit 0 sb --ro-bind "$host/ro:/ro" "$img" cat /ro/sub/f
assert_eq read-only "$OUT" "ro_bind: reading works"
# A bind below a read-only bind is read-only as well (mount_setattr AT_RECURSIVE).
assert_exit 0 sb --ro-bind "$host:/h" "$img" "$PROBE" write /h/rw/x
assert_eq EROFS "$(field errno "$OUT")" "ro_bind of a parent: the whole tree is read-only"
assert_file_absent "$host/rw/x" "nothing was written on the host"

# --- flags ------------------------------------------------------------------------------------
assert_exit 0 sb --bind "$host/rw:/data" --ro-bind "$host/ro:/ro" "$img" "$PROBE" mounts
MOUNTS=$OUT
assert_match "$(mount_line /data)" "options=rw,nosuid,nodev" "bind: nosuid,nodev"
assert_match "$(mount_line /ro)" "options=ro,nosuid,nodev" "ro_bind: ro,nosuid,nodev"

# --- dev_bind: devices only when asked, with a warning ---------------------------------------
assert_exit 0 sb --dev-bind /dev/null:/dev/extra-null "$img" sh -c 'echo gone >/dev/extra-null && echo ok'
assert_eq ok "$OUT" "dev_bind: the device works inside"
assert_match "$ERR" "^sandbox: warning: --dev-bind: dev_bind /dev/null gives the sandbox a host device" \
        "dev_bind warns"
assert_exit 125 sb --bind /dev/null:/dev/n2 "$img" true
assert_contains "$ERR" "is a device: binds are nodev, use dev_bind" "a plain bind of a device is refused"

# --- tmpfs, dir, symlink -------------------------------------------------------------------------
assert_exit 0 sb --tmpfs /scratch:size=1M,mode=0700 "$img" "$PROBE" stat /scratch
assert_match "$OUT" "type=dir mode=0700 " "tmpfs: the mode"
assert_exit 0 sb --tmpfs /scratch:size=1M "$img" sh -c 'dd if=/dev/zero of=/scratch/f bs=1024 count=2048 2>&1; echo rc=$?'
assert_contains "$OUT" "No space left" "tmpfs: the size limits what fits"
assert_exit 0 sb --tmpfs /scratch:size=1M "$img" "$PROBE" mounts
MOUNTS=$OUT
assert_match "$(mount_line /scratch)" "fstype=tmpfs options=rw,nosuid,nodev" "tmpfs: nosuid,nodev"
assert_exit 0 sb --dir /made/here:0751 "$img" "$PROBE" stat /made/here
assert_match "$OUT" "type=dir mode=0751 " "dir: created with its mode"
assert_exit 0 sb --symlink /etc/passwd:/pw "$img" "$PROBE" stat /pw
assert_match "$OUT" "type=lnk .*link=/etc/passwd" "symlink: created"
assert_exit 0 sb --symlink /etc/passwd:/pw "$img" head -n1 /pw
assert_eq "root:x:0:0:root:/root:/bin/sh" "$OUT" "symlink: resolves inside the sandbox"

# --- order: parents first, whatever the order on the command line ----------------------------
assert_exit 0 sb --bind "$host/rw:/t/deep/data" --tmpfs /t "$img" cat /t/deep/data/in
assert_eq from-host "$OUT" "a bind below a tmpfs given after it is not hidden by it"
assert_exit 0 sb --tmpfs /t --bind "$host/rw:/t" "$img" cat /t/in
assert_eq from-host "$OUT" "a later mount on the same target replaces the earlier one"

# --- read_only with mounts below /tmp and /run ----------------------------------------------
assert_exit 0 sb --read-only --bind "$host/rw:/tmp/data" "$img" sh -c 'cat /tmp/data/in; touch /tmp/x && echo tmp-ok; touch /x 2>&1 || true'
assert_contains "$OUT" "from-host" "read_only: a bind below /tmp is not hidden by the fresh tmpfs"
assert_contains "$OUT" "tmp-ok" "read_only: /tmp is writable"
assert_contains "$OUT" "Read-only file system" "read_only: the root is read-only"
assert_exit 0 sb --read-only --bind "$host/rw:/data" "$img" sh -c 'echo w >/data/w && echo ok'
assert_eq ok "$OUT" "read_only: a writable bind stays writable"
assert_exit 0 sb --read-only=no "$img" sh -c 'touch /x && echo ok'
assert_eq ok "$OUT" "--read-only=no: writable"

# --- refused targets and sources ---------------------------------------------------------------
assert_exit 125 sb --bind "$host/rw:/evil/passwd-dir" "$img" true
assert_match "$ERR" "^sandbox: --bind: /evil/passwd-dir: a component of the path is a symlink" \
        "a target through a symlink of the image is refused"
assert_exit 125 sb --tmpfs /proc/sys "$img" true
assert_contains "$ERR" "is in /proc or /sys" "a target in /proc is refused"
assert_exit 125 sb --bind "$WORK/no-such-dir:/x" "$img" true
assert_match "$ERR" "^sandbox: --bind: '.*/no-such-dir': No such file or directory" \
        "a missing source is named"
assert_exit 125 sb --bind relative:/x "$img" true
assert_contains "$ERR" "must be an absolute host path" "a relative source is refused"
assert_exit 125 sb --symlink /elsewhere:/etc/passwd "$img" true
assert_contains "$ERR" "/etc/passwd exists in the image" "a symlink over an existing file is refused"
assert_exit 0 sb --symlink /etc/passwd:/pw --symlink /etc/passwd:/pw "$img" true
assert_exit 125 sb --tmpfs / "$img" true
assert_contains "$ERR" "'/' cannot be a mount target" "a mount on / is refused"

# --- dangerous but valid: warnings ------------------------------------------------------------
assert_exit 0 sb --ro-bind /:/host "$img" true
assert_match "$ERR" "^sandbox: warning: --ro-bind: ro_bind / exposes the host's whole file system" \
        "binding the host's root warns"
fake_home=$WORK/home
mkdir -p "$fake_home"
HOME=$fake_home assert_exit 0 sb --bind "$fake_home:/home/me" "$img" true
assert_match "$ERR" "^sandbox: warning: --bind: bind .*home lets the sandbox write to your whole home" \
        "binding \$HOME writable warns"
HOME=$fake_home assert_exit 0 sb --ro-bind "$fake_home:/home/me" "$img" true
assert_eq "" "$ERR" "binding \$HOME read-only does not warn"
XDG_RUNTIME_DIR=$host/rw assert_exit 0 sb --ro-bind "$host/rw:/run/user" "$img" true
assert_contains "$ERR" "exposes your whole session runtime directory" \
        "binding the whole \$XDG_RUNTIME_DIR warns"

# --- nothing left behind -------------------------------------------------------------------
# (sandbox/ is the launcher's own state directory: that run made $host/rw its XDG_RUNTIME_DIR.)
assert_eq "in out w" "$(ls "$host/rw" | grep -vx sandbox | paste -sd" " -)" \
        "the host directory holds only what was written"
