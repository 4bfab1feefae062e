# shellcheck shell=bash
# Sourced by the tests of images and storage (tests/images/*.sh), after tests/lib/common.sh.
#
# Gives: layered_fixture (three layer directories with whiteouts and an opaque directory),
# mkimage (an OCI layout or docker-save archive of them, through tests/lib/mkoci.py),
# expected_view (what the merged root must hold, computed from the layer directories by a
# reference implementation of the whiteout rules) and inside_view (what a sandbox sees).

MKOCI=$TESTS_LIB/mkoci.py

# layered_fixture DIR: DIR/l1 (a busybox root with the probe), DIR/l2 and DIR/l3 on top:
#   l1: etc/which=l1, etc/keep, etc/gone, opt/d/{old,sub/deep}, var/x/one, home/user/own (1000)
#   l2: etc/which=l2, .wh.gone, opt/d opaque with opt/d/new, var/x/two, usr/local/bin/tool
#   l3: etc/which=l3, .wh.keep, .wh.x in var (a name no lower layer has), newdir/f
layered_fixture() {
        local d=$1
        busybox_probe_image "$d/l1"
        echo l1 >"$d/l1/etc/which"
        echo keep >"$d/l1/etc/keep"
        echo gone >"$d/l1/etc/gone"
        mkdir -p "$d/l1/opt/d/sub" "$d/l1/var/x" "$d/l1/home/user" "$d/l1/run"
        echo old >"$d/l1/opt/d/old"
        echo deep >"$d/l1/opt/d/sub/deep"
        echo one >"$d/l1/var/x/one"
        echo own >"$d/l1/home/user/own"
        mkdir -p "$d/l2/etc" "$d/l2/opt/d" "$d/l2/var/x" "$d/l2/usr/local/bin"
        echo l2 >"$d/l2/etc/which"
        : >"$d/l2/etc/.wh.gone"
        : >"$d/l2/opt/d/.wh..wh..opq"
        echo new >"$d/l2/opt/d/new"
        echo two >"$d/l2/var/x/two"
        printf '#!/bin/sh\necho tool-ran\n' >"$d/l2/usr/local/bin/tool"
        chmod 755 "$d/l2/usr/local/bin/tool"
        mkdir -p "$d/l3/etc" "$d/l3/var/x" "$d/l3/newdir"
        echo l3 >"$d/l3/etc/which"
        : >"$d/l3/etc/.wh.keep"
        : >"$d/l3/var/x/.wh.nothing-below"
        echo f >"$d/l3/newdir/f"
}

# mkimage FORMAT OUT [PYTHON]: the fixture's layers in FORMAT (oci-dir, oci-tar, docker-tar,
# docker-dir) as the image "test/app:1", with a config; PYTHON may edit `spec` (a dict) first.
# FIXTURE must name the fixture directory. Prints mkoci.py's report (NAME MANIFEST CONFIG).
mkimage() {
        local fmt=$1 out=$2 edit=${3:-}
        python3 - "$FIXTURE" "$fmt" "$WORK/spec.json" "$edit" <<'EOF'
import json, sys
fixture, fmt, path, edit = sys.argv[1:]
spec = {"format": fmt, "images": [{
    "name": "test/app:1",
    "config": {"Entrypoint": ["/bin/sh", "-c"],
               "Cmd": ["echo from-cmd; id -u; pwd; echo $GREETING"],
               "Env": ["GREETING=hello", "PATH=/usr/local/bin:/bin"],
               "WorkingDir": "/srv/app", "User": "user"},
    "layers": [{"dir": fixture + "/l1", "owners": {"home/user/own": [1000, 1000]}},
               {"dir": fixture + "/l2"}, {"dir": fixture + "/l3"}]}]}
exec(edit)
json.dump(spec, open(path, "w"))
EOF
        python3 "$MKOCI" "$WORK/spec.json" "$out"
}

# expected_view DIR...: the merged tree of the layer directories (lowest first) under the
# whiteout rules, as inside_view prints it: "path type mode uid:gid sha256-or-target".
expected_view() {
        python3 - "$@" <<'EOF'
import hashlib, os, stat, sys
merged = {}
for layer in sys.argv[1:]:
    entries = []
    for top, dirs, files in os.walk(layer):
        for n in dirs + files:
            entries.append(os.path.relpath(os.path.join(top, n), layer))
    entries.sort()
    # Whiteouts first: they apply to the layers below, never to this one.
    for rel in entries:
        d, base = os.path.split("/" + rel)
        if base == ".wh..wh..opq":
            for p in [p for p in merged if p.startswith(d + "/")]:
                del merged[p]
        elif base.startswith(".wh."):
            gone = os.path.join(d, base[4:])
            for p in [p for p in merged if p == gone or p.startswith(gone + "/")]:
                del merged[p]
    for rel in entries:
        if os.path.basename(rel).startswith(".wh."):
            continue
        full = os.path.join(layer, rel)
        st = os.lstat(full)
        if stat.S_ISDIR(st.st_mode):
            kind, extra = "d", "-"
        elif stat.S_ISLNK(st.st_mode):
            kind, extra = "l", os.readlink(full)
        else:
            kind, extra = "f", hashlib.sha256(open(full, "rb").read()).hexdigest()
        merged["/" + rel] = (kind, extra)
for p in sorted(merged):
    print(p, *merged[p])
EOF
}

# The script inside_view runs in the sandbox: every path under the listed roots with its type
# and the sha256 of files (busybox find and sha256sum; no /proc, /dev, /sys, /tmp and the
# generated /etc files).
VIEW_SCRIPT='cd / && busybox find bin etc home newdir opt root usr var -xdev -mindepth 1 2>/dev/null |
while read -r p; do
        case /$p in /etc/hosts|/etc/hostname|/etc/resolv.conf) continue ;; esac
        if [ -L "$p" ]; then echo "/$p l $(busybox readlink "$p")"
        elif [ -d "$p" ]; then echo "/$p d -"
        else echo "/$p f $(busybox sha256sum "$p" | busybox cut -d" " -f1)"; fi
done | busybox sort'

# expected_view restricted to the roots VIEW_SCRIPT lists.
expected_subset() {
        expected_view "$@" | grep -E '^/(bin|etc|home|newdir|opt|root|usr|var)(/| )' |
                grep -vE '^/(bin|etc|home|newdir|opt|root|usr|var) ' || true
}

# inside_view SANDBOX-ARG...: VIEW_SCRIPT in a sandbox of the given image and options, as root.
inside_view() {
        sb --user 0 --entrypoint /bin/sh "$@" -c "$VIEW_SCRIPT"
}

# layer_dirs: the layer directories in the cache, one per line.
layer_dirs() {
        [ -d "$(cache_root)/layers" ] || return 0
        find "$(cache_root)/layers" -mindepth 1 -maxdepth 1 | sort
}

# image_dirs: the images in the cache, one per line.
image_dirs() {
        [ -d "$(cache_root)/images" ] || return 0
        find "$(cache_root)/images" -mindepth 1 -maxdepth 1 | sort
}
