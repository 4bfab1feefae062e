#!/usr/bin/env bash
# The image cache and `sandbox image ls|rm|prune`: what is cached (sizes, layers shared, last
# use, in use), removal that spares the layers other images share and refuses what a running
# sandbox holds, prune (everything unused, or unused for N days) sweeping what killed launches
# left; many first launches of one layered image at once; a launch killed while it unpacks; a
# disk that fills up while unpacking.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/lib.sh"
require_sandbox
cache=$(cache_root)

FIXTURE=$WORK/fx
layered_fixture "$FIXTURE"
app=$WORK/app.tar
mkimage oci-tar "$app" >/dev/null
tool=$WORK/tool
mkdir -p "$FIXTURE/l4/etc"
echo l4 >"$FIXTURE/l4/etc/which"
mkimage oci-dir "$tool" 'spec["images"][0]["layers"][2] = {"dir": fixture + "/l4"}' >/dev/null
root=$WORK/root
busybox_probe_image "$root"
plain=$WORK/plain.tar.gz
make_tar "$root" "$plain"

ids() { # the IDs `image ls` prints
        "$SANDBOX" image ls | sed -n 's/^\([0-9a-f]\{12\}\) .*/\1/p' | sort
}

# --- ls -----------------------------------------------------------------------------------
assert_exit 0 sb image ls
assert_match "$OUT" "^ID +SIZE +SHARED +LAYERS +LAST USE +IN USE +SOURCE$" "image ls: a header line"
assert_match "$OUT" "^0 images, 0 layers" "image ls on an empty cache: nothing"
for i in "$app" "$tool" "$plain"; do
        assert_exit 0 sb --user 0 --entrypoint /bin/true "$i"
done
assert_exit 0 sb image ls
ls_out=$OUT
assert_eq 3 "$(nlines "$(ids)")" "image ls lists the three images"
assert_match "$ls_out" "^[0-9a-f]{12} +[0-9.]+ [kM]?B +[0-9.]+ [kM]?B +3 +just now +no +$app \(test/app:1\)$" "image ls: the OCI archive, 3 layers, its ref, not in use"
assert_match "$ls_out" "^[0-9a-f]{12} +[0-9.]+ [kM]?B +[0-9.]+ [kM]?B +3 +just now +no +$tool \(test/app:1\)$" "image ls: the OCI directory"
assert_match "$ls_out" "^[0-9a-f]{12} +[0-9.]+ [kM]?B +- +1 +just now +no +$plain$" "image ls: the rootfs tarball (no layers to share)"
assert_match "$ls_out" "^3 images, 4 layers \(2 shared by several images\), [0-9.]+ [kM]?B unpacked in $cache$" "image ls: 4 layers, 2 of them shared"
shared=$(awk -v s="$app" '$NF == "(test/app:1)" && $(NF-1) == s {print $4 $5}' <<<"$ls_out" || true)
[ -n "$shared" ] && [ "$shared" != "0B" ] && pass "the shared layers' size shows ($shared)" || fail "the shared layers' size shows" "$ls_out"

# In use: a running sandbox holds its image.
sb_bg "$WORK/bg.out" "$WORK/bg.err" --user 0 --entrypoint /bin/sh "$app" -c 'echo started; sleep 60'
wait_until 20 grep -q started "$WORK/bg.out" || true
assert_exit 0 sb image ls
assert_match "$OUT" " yes +$app " "image ls: IN USE yes while a sandbox runs it"
app_id=$(awk -v s="$app" '$(NF-1) == s {print $1}' <<<"$OUT")
assert_exit 125 sb image rm "$app_id"
assert_match "$ERR" "^sandbox: image $app_id \($app\) is in use by a running sandbox; it stays" "image rm of an image in use: refused, exit 125"
assert_exit 0 sb image prune
assert_contains "$(ids)" "$app_id" "image prune keeps the image in use"
assert_match "$OUT" "^removed 2 images and [0-9]+ layers?, .* freed$" "and removes the two others"
assert_eq 3 "$(nlines "$(layer_dirs)")" "only the running image's three layers stay"
kill -TERM "$SB_PID" 2>/dev/null || true
wait "$SB_PID" 2>/dev/null || true

# --- rm -----------------------------------------------------------------------------------
assert_exit 0 sb --user 0 --entrypoint /bin/true "$tool"
assert_exit 0 sb --user 0 --entrypoint /bin/true "$plain"
assert_eq 4 "$(nlines "$(layer_dirs)")" "the tool image brings back its own layer"
layers_before=$(layer_dirs)
assert_exit 0 sb image rm "$tool"
assert_match "$OUT" "^removed 1 image and 1 layer, .* freed$" "image rm PATH removes that image and only its own layer"
assert_eq 2 "$(nlines "$(ids)")" "two images left"
assert_eq 3 "$(nlines "$(layer_dirs)")" "the layers the other image shares stay"
assert_exit 0 sb --trace --user 0 --entrypoint /bin/cat "$app" /etc/which
assert_eq l3 "$OUT" "the other image still runs"
assert_match "$ERR" "cache hit" "from the cache"
plain_id=$(sb image ls | awk -v s="$plain" '$NF == s {print $1}')
assert_exit 0 sb image rm "${plain_id:0:6}"
assert_match "$OUT" "^removed 1 image and 0 layers" "image rm with 6 digits of an ID"
assert_exit 125 sb image rm 0000000
assert_match "$ERR" "^sandbox: no cached image is '0000000' \(see sandbox image ls\)" "image rm of nothing: exit 125 with the fix"
assert_exit 125 sb image frobnicate
assert_match "$ERR" "^sandbox: usage: sandbox image ls" "an unknown image verb: usage, exit 125"
assert_exit 0 sb --user 0 --entrypoint /bin/true "$tool"
assert_exit 0 sb --trace --user 0 --entrypoint /bin/true "$plain"
assert_match "$ERR" "unpacked .* into" "after image rm, the next launch unpacks again"

# --- prune --days and the sweeps -----------------------------------------------------------
plain_id=$(sb image ls | awk -v s="$plain" '$NF == s {print $1}')
touch -d '3 days ago' "$cache/images/$plain_id"*
assert_exit 0 sb image ls
assert_match "$OUT" "^$plain_id .* 3 days ago +no +$plain$" "image ls shows the last use"
: >"$cache/index/stale-key.lock"
ln -s nothing-here "$cache/index/dangling"
ln -s x "$cache/index/.k.tmp.999" && touch -h -d '1 hour ago' "$cache/index/.k.tmp.999"
mkdir -p "$cache/tmp/unpack.killed/rootfs"
assert_exit 0 sb image prune --days 1
assert_match "$OUT" "^removed 1 image and 0 layers" "prune --days 1 removes the image unused for 3 days only"
assert_eq 2 "$(nlines "$(ids)")" "the two used today stay"
for f in stale-key.lock dangling .k.tmp.999; do
        assert_file_absent "$cache/index/$f" "prune sweeps index/$f"
done
assert_file_absent "$cache/tmp/unpack.killed" "prune sweeps an unlocked unpack in tmp/"
assert_exit 125 sb image prune --days x
assert_match "$ERR" "^sandbox: usage:" "prune --days x: usage"
assert_exit 0 sb image prune
assert_eq "" "$(ids)" "prune removes every image not in use"
assert_eq "" "$(layer_dirs)" "and every layer"
assert_eq "" "$(ls -A "$cache/tmp")" "and leaves tmp/ empty"

# --- many first launches at once ------------------------------------------------------------
export XDG_CACHE_HOME=$WORK/concurrent
pids=()
for i in 1 2 3 4 5 6 7 8; do
        sb_bg "$WORK/c$i.out" "$WORK/c$i.err" --user 0 --entrypoint /bin/cat "$app" /etc/which /var/x/two
        pids+=("$SB_PID")
done
ok=0
for i in 1 2 3 4 5 6 7 8; do
        rc=0
        wait "${pids[$((i - 1))]}" || rc=$?
        if [ "$rc" -eq 0 ] && [ "$(cat "$WORK/c$i.out")" = "l3
two" ]; then
                ok=$((ok + 1))
        else
                fail "concurrent first launch $i" "status $rc" "$(cat "$WORK/c$i.out" "$WORK/c$i.err")"
        fi
done
assert_eq 8 "$ok" "8 concurrent first launches of a layered image all run it"
assert_eq 3 "$(nlines "$(layer_dirs)")" "its three layers are unpacked once"
assert_eq 1 "$(nlines "$(image_dirs)")" "one image"
assert_eq "" "$(ls -A "$(cache_root)/tmp")" "no temporary left"

# --- killed while unpacking --------------------------------------------------------------
export XDG_CACHE_HOME=$WORK/killed
mkdir -p "$FIXTURE/many/many"
python3 - "$FIXTURE/many/many" <<'EOF'
import os, sys
for i in range(30000):
    with open(os.path.join(sys.argv[1], "f%05d" % i), "w") as f:
        f.write("%d\n" % i)
EOF
mkimage oci-tar "$WORK/many.tar" 'spec["images"][0]["layers"].append({"dir": fixture + "/many"})' >/dev/null
sb_bg "$WORK/k.out" "$WORK/k.err" --user 0 --entrypoint /bin/true "$WORK/many.tar"
wait_until 60 sh -c "[ \$(find '$(cache_root)/tmp' -type f 2>/dev/null | head -n 300 | wc -l) -ge 200 ]" || true
if kill -KILL "$SB_PID" 2>/dev/null; then
        wait "$SB_PID" 2>/dev/null || true
        note "killed the first launch with $(find "$(cache_root)/tmp" -type f 2>/dev/null | wc -l) files in tmp/"
        pass "the first launch was killed while it unpacked"
else
        fail "the first launch was killed while it unpacked" "it ended first: $(cat "$WORK/k.err")"
fi
sleep 0.5
assert_eq "" "$(image_dirs)" "no image is visible after the kill"
for d in $(layer_dirs); do
        [ -f "$d/meta" ] && [ -d "$d/tree" ] || fail "a layer in layers/ after the kill is complete" "$d"
done
assert_exit 0 sb --user 0 --entrypoint /bin/sh "$WORK/many.tar" -c 'ls /many | wc -l; cat /etc/which'
assert_eq "30000
l3" "$OUT" "the next launch unpacks the whole image"
assert_eq 4 "$(nlines "$(layer_dirs)")" "each layer once"
assert_eq "" "$(ls -A "$(cache_root)/tmp")" "and removes what the killed one left"

# --- the disk fills up ------------------------------------------------------------------
command -v unshare >/dev/null && unshare --user --map-root-user --mount true 2>/dev/null ||
        skip "unshare -Urm does not work here: no small file system for the disk-full case"
mkdir -p "$FIXTURE/big/data" "$WORK/small"
head -c $((24 * 1024 * 1024)) /dev/urandom >"$FIXTURE/big/data/blob"
mkimage oci-tar "$WORK/big.tar" 'spec["compress"] = "none"; spec["images"][0]["layers"].append({"dir": fixture + "/big"})' >/dev/null
cat >"$WORK/full.sh" <<EOF
mount -t tmpfs -o size=16m tmpfs $WORK/small || exit 1
rc=0
XDG_CACHE_HOME=$WORK/small "$SANDBOX" --user 0 --entrypoint /bin/true $WORK/big.tar 2>$WORK/full.err || rc=\$?
echo \$rc >$WORK/full.rc
find $WORK/small/sandbox/layers $WORK/small/sandbox/images $WORK/small/sandbox/tmp -mindepth 1 -maxdepth 1 >$WORK/full.left
for d in \$(find $WORK/small/sandbox/layers -mindepth 1 -maxdepth 1); do
        [ -f \$d/meta ] || echo "\$d incomplete" >>$WORK/full.left
done
EOF
run timeout 120 unshare --user --map-root-user --mount bash "$WORK/full.sh"
assert_rc 0 "the disk-full scenario runs (a 16 MB tmpfs holds the cache)"
assert_eq 125 "$(cat "$WORK/full.rc" 2>&1)" "a disk-full unpack fails with 125"
assert_match "$(cat "$WORK/full.err")" "^sandbox: no space left on device while unpacking .*big.tar into .* \(free some space, or point XDG_CACHE_HOME elsewhere\)$" "with a clear message"
assert_no_match "$(cat "$WORK/full.left")" "(/sandbox/images/|/sandbox/tmp/|incomplete)" "and no partial layer, image or temporary is left"
