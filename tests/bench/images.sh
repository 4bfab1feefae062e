#!/usr/bin/env bash
# Images and storage benchmark (not part of ctest). Runs as a normal user with a subordinate
# range; as root it re-runs itself as sandbox-test on the build tools/test.sh made.
#
#   tests/bench/images.sh [RUNS]          RUNS per command, default 10
#   BENCH_SECTIONS="2 3" tests/bench/images.sh    only some of the sections below
#
# In one run, on the Alpine minirootfs (SANDBOX_ALPINE):
#   1. a cached launch of a ~1 GB image (Alpine plus 1 GB of files, as a rootfs tarball and as a
#      layered OCI image) against a cached launch of the 8 MB Alpine image: the same time, since
#      nothing on a cache hit depends on the image's size;
#   2. a metadata-heavy job (unpack a tarball of 20,000 small files, find over them, write
#      2,000 files) on our root (kernel overlayfs, and fuse-overlayfs) against the same job on
#      kernel overlayfs mounted by hand, on fuse-overlayfs mounted by hand, and on plain tmpfs;
#      each job starts from a fresh writable layer and, like a sandbox, throws it away at the end
#      (inside the timed command), all in memory (/dev/shm), with the user's full id map; and the
#      sandbox once more without its seccomp filter, which is what every system call pays;
#   3. the first unpack of a layered image (3 layers, gzip and uncompressed) against `tar x` of
#      its layers into fresh directories, both into memory (/dev/shm).
# Prints medians (hyperfine) and the ratios the issue asks for.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-10}
# The copy and the test user's scratch space go to /var/tmp: a gigabyte does not belong in /tmp.
bench_tmp=/var/tmp

bench_build
bench_alpine
bench_as_test_user --env "BENCH_SECTIONS=${BENCH_SECTIONS:-1 2 3}" "$runs"
SANDBOX_BIN=${SANDBOX_BIN:-$build/sandbox}
bench_require hyperfine unshare python3 fuse-overlayfs
chroot=$(command -v chroot || echo /usr/sbin/chroot)
bench_scratch
export XDG_CACHE_HOME=$w/cache
mkoci=$here/../lib/mkoci.py
alpine=$SANDBOX_ALPINE
rootfs=$w/rootfs
mkdir -p "$rootfs"
tar xzf "$alpine" -C "$rootfs" 2>/dev/null

summary() { # JSON [FIRST OTHER]...: medians, then the ratio of each pair
        python3 - "$@" <<'EOF'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
for name, r in results.items():
    print("  %-34s median %9.2f ms   min %9.2f ms   (%d runs)" % (
        name, r["median"] * 1e3, r["min"] * 1e3, len(r["times"])))
pairs = sys.argv[2:]
# Medians, and minimums: on a busy machine the fastest run is the least disturbed one.
for a, b in zip(pairs[::2], pairs[1::2]):
    print("  ratio %-58s median %.2f   min %.2f" % (a + " / " + b + ":",
          results[a]["median"] / results[b]["median"], results[a]["min"] / results[b]["min"]))
EOF
}

echo "== images and storage benchmark: $(uname -r), $(nproc) CPUs, $runs runs per command"
echo "   launcher: $SANDBOX_BIN"
echo "   scratch:  $w ($(df -T "$w" | awk 'NR == 2 {print $2}'))"

section() { # N: whether to run section N
        [[ " ${BENCH_SECTIONS:-1 2 3} " == *" $1 "* ]]
}

# --- 1. cached launch: 1 GB against 8 MB ---------------------------------------------------
if section 1; then
echo
echo "== 1. cached launch of /bin/true: a 1 GB image against the 8 MB Alpine image"
big=$w/big
mkdir -p "$big/data"
python3 - "$big/data" <<'EOF'
import os, sys
block = os.urandom(1 << 20)
for i in range(1024):  # 1 GiB in 1024 files of 1 MiB, each a little different
    with open(os.path.join(sys.argv[1], "f%04d" % i), "wb") as f:
        f.write(block[i:] + block[:i])
EOF
python3 - "$alpine" "$big" "$w/big.tar" <<'EOF'
import os, sys, tarfile
src, extra, out = sys.argv[1:]
with tarfile.open(src) as i, tarfile.open(out, "w") as o:
    for m in i:
        o.addfile(m, i.extractfile(m) if m.isreg() else None)
    o.add(os.path.join(extra, "data"), arcname="./data")
EOF
cat >"$w/big.json" <<EOF
{"format": "oci-dir", "compress": "none", "images": [{"name": "big", "config": {"Cmd": ["/bin/sh"]},
 "layers": [{"dir": "$rootfs"}, {"dir": "$big"}]}]}
EOF
python3 "$mkoci" "$w/big.json" "$w/big-oci" >/dev/null
rm -rf "$big"
for i in "$alpine" "$w/big.tar" "$w/big-oci"; do
        "$SANDBOX_BIN" --user 0 "$i" /bin/true # unpacked once, before the clock starts
done
"$SANDBOX_BIN" image ls | sed 's/^/   /'
hyperfine --style none --warmup 5 --runs "$((runs * 3))" --export-json "$w/cached.json" -N \
        -n "alpine (8 MB)" "$SANDBOX_BIN --user 0 $alpine /bin/true" \
        -n "1 GB rootfs tarball" "$SANDBOX_BIN --user 0 $w/big.tar /bin/true" \
        -n "1 GB OCI image, 2 layers" "$SANDBOX_BIN --user 0 $w/big-oci /bin/true"
summary "$w/cached.json" "1 GB rootfs tarball" "alpine (8 MB)" "1 GB OCI image, 2 layers" "alpine (8 MB)"
rm -f "$w/big.tar"
rm -rf "$w/big-oci"
fi

# --- 2. a metadata-heavy job -------------------------------------------------------------
if section 2; then
echo
echo "== 2. a metadata-heavy job: tar x of 20,000 small files, find, write 2,000 files"
# Everything of this section in memory (/dev/shm, a tmpfs, when usable): the root's layers, the
# writable layers, the cache; so that the drivers are compared, not the disks.
m2=$w
if [ -w /dev/shm ] && [ "$(stat -f -c %T /dev/shm)" = tmpfs ]; then
        m2=$(mktemp -d /dev/shm/sandbox-bench.XXXXXX)
        trap 'bench_cleanup; rm -rf "$m2" 2>/dev/null || unshare --map-auto --map-root-user rm -rf "$m2"' EXIT
        cp -a "$rootfs" "$m2/rootfs"
        rootfs=$m2/rootfs
fi
echo "   on $(stat -f -c %T "$m2") ($m2)"
export XDG_CACHE_HOME=$m2/cache
mkdir -p "$w/jobsrc"
python3 - "$w/jobsrc" <<'EOF'
import os, sys
for d in range(200):
    p = os.path.join(sys.argv[1], "d%03d" % d)
    os.makedirs(p)
    for f in range(100):
        with open(os.path.join(p, "f%03d" % f), "w") as fh:
            fh.write("%d %d\n" % (d, f))
EOF
tar cf "$rootfs/job.tar" -C "$w/jobsrc" .
rm -rf "$w/jobsrc"
mkdir -p "$rootfs/work"
# The job is a script in the root, so that no quoting layer can eat its $i.
cat >"$rootfs/job.sh" <<'EOF'
cd /work && tar xf /job.tar && find . | wc -l >/dev/null && mkdir out || exit 1
i=0
while [ $i -lt 2000 ]; do
        echo $i >out/f$i
        i=$((i + 1))
done
EOF
tar cf "$w/jobroot.tar" -C "$rootfs" .
"$SANDBOX_BIN" --user 0 "$w/jobroot.tar" /bin/true
L=$rootfs M=$m2/m U=$m2/u W=$m2/wk
# The by-hand runs get the id map a sandbox gets (the user's subordinate range, through
# newuidmap): fuse-overlayfs does more for each file when more ids are mapped.
userns="unshare --map-auto --map-root-user --mount"
mkdir -p "$M"
fresh="rm -rf $U $W 2>/dev/null || unshare --map-auto --map-root-user rm -rf $U $W; mkdir -p $U $W"
cat >"$w/fuse-by-hand.sh" <<EOF
fuse-overlayfs -f -o lowerdir=$L,upperdir=$U,workdir=$W $M &
pid=\$!
while ! grep -q " $M .* - fuse" /proc/self/mountinfo; do sleep 0.01; done
$chroot $M /bin/sh /job.sh
rc=\$?
kill \$pid
wait \$pid 2>/dev/null
rm -rf $U
exit \$rc
EOF
hyperfine --style none --warmup 1 --runs "$runs" --export-json "$w/meta.json" --prepare "$fresh" \
        -n "plain tmpfs" "$userns sh -c 'mount -t tmpfs t $L/work && $chroot $L /bin/sh /job.sh'" \
        -n "kernel overlayfs by hand" "$userns sh -c 'mount -t overlay o -o lowerdir=$L,upperdir=$U,workdir=$W,userxattr,volatile $M && $chroot $M /bin/sh /job.sh && rm -rf $U'" \
        -n "sandbox (kernel overlayfs)" "$SANDBOX_BIN --user 0 --storage overlay $w/jobroot.tar /bin/sh /job.sh" \
        -n "sandbox (kernel overlayfs, --seccomp no)" "$SANDBOX_BIN --user 0 --storage overlay --seccomp no -q $w/jobroot.tar /bin/sh /job.sh" \
        -n "fuse-overlayfs by hand" "$userns sh $w/fuse-by-hand.sh" \
        -n "sandbox (fuse-overlayfs)" "$SANDBOX_BIN --user 0 --storage fuse-overlayfs $w/jobroot.tar /bin/sh /job.sh" \
        -n "sandbox (fuse-overlayfs, --seccomp no)" "$SANDBOX_BIN --user 0 --storage fuse-overlayfs --seccomp no -q $w/jobroot.tar /bin/sh /job.sh"
summary "$w/meta.json" "sandbox (kernel overlayfs)" "kernel overlayfs by hand" \
        "sandbox (kernel overlayfs, --seccomp no)" "kernel overlayfs by hand" \
        "sandbox (fuse-overlayfs)" "fuse-overlayfs by hand" \
        "sandbox (fuse-overlayfs, --seccomp no)" "fuse-overlayfs by hand" \
        "kernel overlayfs by hand" "plain tmpfs" "fuse-overlayfs by hand" "plain tmpfs" \
        "sandbox (kernel overlayfs)" "plain tmpfs" "sandbox (fuse-overlayfs)" "plain tmpfs"
export XDG_CACHE_HOME=$w/cache
fi

# --- 3. first unpack of a layered image -----------------------------------------------------
section 3 || exit 0
echo
echo "== 3. first unpack of a layered image (Alpine + 2 layers of 10,000 files and 64 MB) vs tar x of its layers"
# Unpacked into memory (/dev/shm, when usable), like section 2: on this VM's disk, writeback of
# the previous run decides the result more than either program does.
m3=$w
if [ -w /dev/shm ] && [ "$(stat -f -c %T /dev/shm)" = tmpfs ]; then
        m3=$(mktemp -d /dev/shm/sandbox-bench.XXXXXX)
        # (and section 2's directory, whose trap this one replaces)
        trap 'bench_cleanup; rm -rf ${m2:-} "$m3" 2>/dev/null || unshare --map-auto --map-root-user rm -rf ${m2:-} "$m3"' EXIT
fi
echo "   into $(stat -f -c %T "$m3") ($m3)"
mkdir -p "$w/l2/usr/share/many" "$w/l3/opt/blobs"
python3 - "$w/l2/usr/share/many" "$w/l3/opt/blobs" <<'EOF'
import os, sys
for i in range(10000):
    with open(os.path.join(sys.argv[1], "f%05d" % i), "w") as f:
        f.write("file %d\n" % i * 20)
for i in range(64):
    with open(os.path.join(sys.argv[2], "b%02d" % i), "wb") as f:
        f.write(os.urandom(1 << 20))
EOF
for how in gzip none; do
        cat >"$w/layered-$how.json" <<EOF
{"format": "oci-dir", "compress": "$how", "images": [{"name": "l", "config": {},
 "layers": [{"dir": "$rootfs"}, {"dir": "$w/l2"}, {"dir": "$w/l3"}]}]}
EOF
        python3 "$mkoci" "$w/layered-$how.json" "$w/layered-$how" >/dev/null
        blobs=$(python3 - "$w/layered-$how" <<'EOF'
import json, sys
d = sys.argv[1]
m = json.load(open(d + "/index.json"))["manifests"][0]["digest"][7:]
print(" ".join(d + "/blobs/sha256/" + l["digest"][7:] for l in json.load(open(d + "/blobs/sha256/" + m))["layers"]))
EOF
)
        x=xf
        [ "$how" = gzip ] && x=xzf
        tarx="i=0; for b in $blobs; do i=\$((i + 1)); mkdir $m3/t/\$i && tar $x \$b -C $m3/t/\$i; done"
        # sync: the previous run's dirty pages and deletions are written back before the next
        # run starts, not during it.
        reset="rm -rf $m3/t $m3/fc 2>/dev/null || unshare --map-auto --map-root-user rm -rf $m3/t $m3/fc; mkdir -p $m3/t $m3/fc; sync"
        hyperfine --style none --warmup 1 --runs "$runs" --export-json "$w/first-$how.json" --prepare "$reset" \
                -n "tar x of the layers ($how)" "sh -c '$tarx'" \
                -n "sandbox first launch ($how)" "env XDG_CACHE_HOME=$m3/fc $SANDBOX_BIN --user 0 $w/layered-$how /bin/true"
        summary "$w/first-$how.json" "sandbox first launch ($how)" "tar x of the layers ($how)"
done
