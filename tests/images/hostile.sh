#!/usr/bin/env bash
# Hostile layered images, one attack each: whiteouts that try to escape (through '..', through a
# symlink to a host directory), '../' and absolute layer names in manifest.json, a blob that is
# a symlink out of an OCI directory, corrupt layers, configs and manifests (refused, naming the
# digest), owners beyond the subordinate range, device nodes, links out, bombs (a huge JSON,
# too many layers). Each is refused with exit 125 and a one-line reason, or contained: the
# victim directory is untouched, nothing is written outside the cache, no device node but
# overlayfs whiteouts is made, no partial layer or temporary is left.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/lib.sh"
require_sandbox
cache=$(cache_root)

FIXTURE=$WORK/fx
busybox_probe_image "$FIXTURE/l1"
victim=$WORK/victim
mkdir -p "$victim"
echo secret >"$victim/secret"
victim_digest=$(tree_digest "$victim")
victim_xattrs() {
        python3 -c 'import os, sys; print(sorted(os.listxattr(sys.argv[1])))' "$victim"
}
xattrs_before=$(victim_xattrs)

# hostile NAME FORMAT PYTHON: an image whose second layer (or spec) PYTHON shapes.
hostile() {
        mkimage "$2" "$WORK/$1" "spec['images'][0]['config'] = {}
spec['images'][0]['layers'] = [{'dir': fixture + '/l1'}]
$3" >/dev/null
}

contained() { # NAME
        local name=$1 devs left
        assert_eq "$victim_digest" "$(tree_digest "$victim")" "$name: the victim directory is untouched"
        assert_eq "$xattrs_before" "$(victim_xattrs)" "$name: the victim gets no xattr"
        left=$({ find /tmp "$(dirname "$TMPDIR")" -maxdepth 6 -name 'pwned-*' 2>/dev/null || true; } |
                grep -v "^$cache/" || true)
        assert_eq "" "$left" "$name: nothing written outside the cache"
        devs=$(find "$cache" \( -type b -o -type c \) 2>/dev/null | while read -r dev; do
                [ "$(stat -c %t:%T "$dev")" = 0:0 ] || echo "$dev"
        done || true)
        assert_eq "" "$devs" "$name: no device node in the cache but whiteouts"
        assert_eq "" "$(ls -A "$cache/tmp" 2>/dev/null)" "$name: no temporary left"
        for d in $(layer_dirs); do
                [ -f "$d/meta" ] || fail "$name: every layer in the cache is complete" "$d"
        done
}

refused() { # NAME MESSAGE-ERE [IMAGE-SUFFIX]
        run sb --user 0 --entrypoint /bin/true "$WORK/$1${3:-}"
        assert_rc 125 "$1: refused with exit 125"
        assert_match "$ERR" "^sandbox: .*$2" "$1: the message says why ($(printf '%s' "$ERR" | grep -v subordinate | head -n 1 | cut -c1-150))"
        assert_eq 1 "$(nlines "$(grep -v 'subordinate id range' <<<"$ERR" || true)")" "$1: in one line"
        contained "$1"
}

ran() { # NAME COMMAND...: the image runs; OUT has what COMMAND printed
        local name=$1
        shift
        run sb --user 0 --entrypoint "$@"
        assert_rc 0 "$name: contained, the image runs"
        contained "$name"
}

# --- whiteouts --------------------------------------------------------------------------
hostile wh-dotdot.tar oci-tar "spec['images'][0]['layers'].append({'entries': [{'name': '../../.wh.victim'}]})"
refused wh-dotdot.tar "has a '\.\.' component; refusing the image"
hostile wh-dot.tar oci-tar "spec['images'][0]['layers'].append({'entries': [{'name': 'etc/.wh..'}]})"
refused wh-dot.tar "whiteout 'etc/\.wh\.\.' names no file; refusing the layer"
hostile wh-symlink.tar oci-tar "spec['images'][0]['layers'].append({'entries': [
    {'name': 'lnk', 'type': 'symlink', 'link': '$victim'}, {'name': 'lnk/.wh.secret'}]})"
refused wh-symlink.tar "cannot make the directories above 'lnk/\.wh\.secret' inside the image"
hostile wh-symlink-in.tar oci-tar "spec['images'][0]['layers'].append({'entries': [
    {'name': 'etc', 'type': 'dir'}, {'name': 'lnk', 'type': 'symlink', 'link': '/etc'},
    {'name': 'lnk/.wh.passwd'}, {'name': 'lnk/.wh..wh..opq'}, {'name': 'lnk/pwned-wh'}]})"
ran wh-symlink-in.tar /bin/ls "$WORK/wh-symlink-in.tar" /etc
assert_eq "hostname
hosts
pwned-wh
resolv.conf" "$OUT" "wh-symlink-in: through a symlink inside the layer, the whiteout and opaque marker apply to the image's /etc (only the sandbox's own files and pwned-wh stay)"

# --- layer names in the manifest --------------------------------------------------------
hostile dotdot-layer.tar docker-tar "spec['images'][0]['layers'].append({'dir': fixture + '/l1', 'path': '../../pwned-layer.tar'})"
refused dotdot-layer.tar "manifest.json names '\.\./\.\./pwned-layer\.tar', which is not a file inside the image"
hostile abs-layer.tar docker-tar "spec['images'][0]['layers'].append({'dir': fixture + '/l1', 'path': '$victim/secret'})"
refused abs-layer.tar "manifest.json names '$victim/secret', which is not a file inside the image"
hostile blob-link oci-dir "spec['images'][0]['layers'].append({'entries': [{'name': 'blob-link'}]})"
blob=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]+"/index.json"))["manifests"][0]["digest"][7:]; print(json.load(open(sys.argv[1]+"/blobs/sha256/"+m))["layers"][1]["digest"][7:])' "$WORK/blob-link")
rm "$WORK/blob-link/blobs/sha256/$blob"
ln -s "$victim/secret" "$WORK/blob-link/blobs/sha256/$blob"
refused blob-link "cannot open layer blobs/sha256/$blob: No such file or directory"

# --- digests ---------------------------------------------------------------------------
hostile corrupt-layer.tar oci-tar "spec['images'][0]['layers'].append({'entries': [{'name': 'c', 'data': 'y' * 4000}], 'corrupt': True})"
refused corrupt-layer.tar "layer sha256:[0-9a-f]{64}(: corrupt or truncated| is corrupt)"
hostile corrupt-raw.tar oci-tar "spec['compress'] = 'none'; spec['images'][0]['layers'].append({'entries': [{'name': 'a', 'data': 'x' * 4000}], 'corrupt': True})"
refused corrupt-raw.tar "layer sha256:[0-9a-f]{64} is corrupt \(its content hashes to sha256:[0-9a-f]{64}\); fetch the image again"
hostile wrong-diff.tar docker-tar "spec['images'][0]['layers'].append({'entries': [{'name': 'a'}], 'wrong_diff': True})"
refused wrong-diff.tar "layer \(uncompressed\) sha256:[0-9a-f]{64} is corrupt"
hostile bad-config.tar docker-tar "spec['images'][0]['corrupt_config'] = True"
refused bad-config.tar "config sha256:[0-9a-f]{64} is corrupt \(its content hashes to sha256:[0-9a-f]{64}\)"
hostile bad-manifest.tar oci-tar "spec['images'][0]['corrupt_manifest'] = True"
refused bad-manifest.tar "blob sha256:[0-9a-f]{64} is corrupt"

# --- owners, devices, links -----------------------------------------------------------
if [ "$SANDBOX_ROLE" = test ]; then
        hostile owner.tar oci-tar "spec['images'][0]['layers'].append({'entries': [{'name': 'far', 'uid': 70000}]})"
        refused owner.tar "'far' is owned by uid 70000, beyond the [0-9]+ ids mapped for you \(extend your range in /etc/subuid\)"
fi
hostile devices.tar oci-tar "spec['images'][0]['layers'].append({'entries': [{'name': 'evil-mem', 'type': 'char'}]})"
ran devices.tar /bin/sh "$WORK/devices.tar" -c "[ -e /evil-mem ] && echo present || echo absent"
assert_eq absent "$OUT" "devices: a device node in a layer is skipped"
assert_match "$ERR" "note: skipped 1 device nodes" "devices: with a note"
hostile hardlink-up.tar oci-tar "spec['images'][0]['layers'].append({'entries': [{'name': 'h', 'type': 'hardlink', 'link': '../../../$victim/secret'}]})"
refused hardlink-up.tar "hard link 'h' points to .*, which cannot be in the image"
hostile hardlink-abs.tar oci-tar "spec['images'][0]['layers'].append({'entries': [{'name': 'h', 'type': 'hardlink', 'link': '$victim/secret'}]})"
refused hardlink-abs.tar "hard link 'h' points to .*, which is not a file in the image"
hostile write-through.tar oci-tar "spec['images'][0]['layers'].append({'entries': [
    {'name': 's', 'type': 'symlink', 'link': '$victim/secret'}, {'name': 's', 'data': 'pwned'}]})"
ran write-through.tar /bin/cat "$WORK/write-through.tar" /s
assert_eq pwned "$OUT" "write-through: the file replaced the symlink inside the image"
hostile dir-through.tar oci-tar "spec['images'][0]['layers'].append({'entries': [
    {'name': 'd', 'type': 'symlink', 'link': '$victim'}, {'name': 'd/pwned-through', 'data': 'x'}]})"
refused dir-through.tar "cannot make the directories above 'd/pwned-through' inside the image"

# --- bombs -----------------------------------------------------------------------------
hostile huge-json.tar docker-tar ""
python3 - "$WORK/huge-json.tar" <<'EOF'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "a") as t:
    data = b"[" + b" " * (5 << 20) + b"]"
    ti = tarfile.TarInfo("manifest.json")
    ti.size = len(data)
    t.addfile(ti, io.BytesIO(data))
EOF
refused huge-json.tar "'manifest.json' is not a JSON file of at most 4194304 bytes"
hostile many-layers.tar oci-tar "spec['compress'] = 'none'
spec['images'][0]['layers'] += [{'entries': [{'name': 'f%d' % i}]} for i in range(128)]"
refused many-layers.tar "129 layers, more than the 128 overlayfs can stack"
hostile not-tar.tar oci-tar "spec['compress'] = 'none'
spec['images'][0]['layers'].append({'entries': [{'name': 'to-be-junk'}]})"
python3 - "$WORK/not-tar.tar" "$WORK/not-tar2.tar" <<'EOF'
import hashlib, io, json, sys, tarfile
# Replace the second layer with bytes that are no tar, under a matching digest.
src, dst = sys.argv[1:]
junk = bytes(range(256)) * 64
files = {}
with tarfile.open(src) as t:
    for m in t.getmembers():
        files[m.name] = (m, t.extractfile(m).read() if m.isfile() else None)
idx = json.loads(files["index.json"][1])
mname = "blobs/sha256/" + idx["manifests"][0]["digest"][7:]
man = json.loads(files[mname][1])
old = man["layers"][1]["digest"][7:]
new = hashlib.sha256(junk).hexdigest()
man["layers"][1].update(digest="sha256:" + new, size=len(junk))
mb = json.dumps(man).encode()
idx["manifests"][0].update(digest="sha256:" + hashlib.sha256(mb).hexdigest(), size=len(mb))
files.pop(mname)
files.pop("blobs/sha256/" + old)
out = {"index.json": json.dumps(idx).encode(), "blobs/sha256/" + new: junk,
       "blobs/sha256/" + hashlib.sha256(mb).hexdigest(): mb}
with tarfile.open(dst, "w") as t:
    for name, (m, data) in files.items():
        if name in out or data is None:
            continue
        t.addfile(m, io.BytesIO(data))
    for name, data in out.items():
        ti = tarfile.TarInfo(name)
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
EOF
refused not-tar2.tar "layer sha256:[0-9a-f]{64}: (not a tar archive|corrupt or truncated)"
