#!/usr/bin/env bash
# Layered images: OCI layouts (a directory, a tar, gzip or zstd layers, a compressed tar, a
# nested multi-platform index) and docker-save archives (a tar, a directory, layers first or
# manifest first, a repeated layer linked to its first copy) run with one command; their
# layers are merged with the whiteouts and opaque directories honoured, checked file by file
# against a reference merge; each layer is unpacked once and shared; NAME:TAG and @sha256:
# pick one image of several; the image's Entrypoint, Cmd, Env, WorkingDir and User are used as
# docker run would, and the command line overrides them.
# Registered for the roles test (a subordinate range) and norange (a single-id map).
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/lib.sh"
require_sandbox

FIXTURE=$WORK/fx
layered_fixture "$FIXTURE"
want=$(expected_subset "$FIXTURE/l1" "$FIXTURE/l2" "$FIXTURE/l3")
# A few lines of the reference, so a broken reference cannot pass unnoticed.
assert_contains "$want" "/etc/which f $(sha256sum <<<l3 | cut -d' ' -f1)" "reference: the top layer's etc/which"
assert_not_contains "$want" "/etc/gone " "reference: etc/gone is whited out"
assert_not_contains "$want" "/opt/d/old " "reference: opt/d is opaque"

# --- every format shows the same merged tree ------------------------------------------------
formats=(oci-dir oci-tar docker-tar docker-dir)
for fmt in "${formats[@]}"; do
        out=$WORK/img-$fmt
        case $fmt in *-tar) out=$out.tar ;; esac
        mkimage "$fmt" "$out" >/dev/null
        assert_exit 0 inside_view "$out"
        assert_eq "$want" "$OUT" "$fmt: the merged root matches the reference, file by file"
done
mkimage oci-tar "$WORK/zstd.tar" 'spec["compress"] = "zstd"' >/dev/null
assert_exit 0 inside_view "$WORK/zstd.tar"
assert_eq "$want" "$OUT" "oci-tar with zstd layers: the same root"
gzip -k -6 "$WORK/img-oci-tar.tar"
assert_exit 0 inside_view "$WORK/img-oci-tar.tar.gz"
assert_eq "$want" "$OUT" "a gzip-compressed OCI archive: the same root"
mkimage docker-tar "$WORK/layers-first.tar" 'spec["first"] = "layers"' >/dev/null
assert_exit 0 inside_view "$WORK/layers-first.tar"
assert_eq "$want" "$OUT" "docker-tar with the layers before manifest.json: the same root"
mkimage oci-tar "$WORK/nested.tar" 'spec["nested"] = True' >/dev/null
assert_exit 0 inside_view "$WORK/nested.tar"
assert_eq "$want" "$OUT" "a multi-platform index: this machine's image"

# Shared: every format above has the same diff ids and the same config, so one image and
# three layers in all (the gzip and zstd blobs differ, their content does not).
assert_eq 3 "$(nlines "$(layer_dirs)")" "the three layers are unpacked once for all formats"
assert_eq 1 "$(nlines "$(image_dirs)")" "and are one image"
layers_before=$(layer_dirs)
mkimage oci-dir "$WORK/other" 'spec["images"][0]["layers"][2] = {"dir": fixture + "/l2"}; spec["images"][0]["layers"][1] = {"dir": fixture + "/l3"}' >/dev/null
assert_exit 0 sb --user 0 --entrypoint /bin/cat "$WORK/other" /etc/which
assert_eq l2 "$OUT" "another image of the same layers in another order runs"
assert_eq "$layers_before" "$(layer_dirs)" "and reuses the three layers (no new layer directory)"
assert_eq 2 "$(nlines "$(image_dirs)")" "it is a second image"

# A cached launch does not run the unpacker.
assert_exit 0 sb --trace --user 0 "$WORK/img-oci-tar.tar" true
assert_match "$ERR" "image.*cache hit" "a second launch is a cache hit"
assert_no_match "$ERR" "unpacked .* into" "and unpacks nothing"

# Owners of layer files are kept (mapped), and the image's files are read-only below the
# writable layer: a write shows up once and never in the cache.
if [ "$SANDBOX_ROLE" = test ]; then
        assert_exit 0 sb --user 0 --entrypoint "" "$WORK/img-oci-dir" stat -c %u:%g /home/user/own
        assert_eq 1000:1000 "$OUT" "a layer file owned by 1000 is owned by 1000 inside"
fi
digest=$(for d in $(layer_dirs); do tree_digest "$d" 2>&1; done)
assert_exit 0 sb --user 0 "$WORK/img-oci-dir" 'echo changed > /etc/which; rm /var/x/one; cat /etc/which; ls /var/x'
assert_eq "changed
two" "$OUT" "the command writes and removes in a layered root"
assert_eq "$digest" "$(for d in $(layer_dirs); do tree_digest "$d" 2>&1; done)" "the cached layers are unchanged"

# --- the image's config, and the command line over it -------------------------------------
img=$WORK/img-oci-tar.tar
if [ "$SANDBOX_ROLE" = test ]; then
        assert_exit 0 sb "$img"
        assert_eq "from-cmd
1000
/srv/app
hello" "$OUT" "Entrypoint + Cmd, Env, WorkingDir (created) and User (by name) are the image's"
        assert_exit 0 sb "$img" 'echo other; id -u'
        assert_eq "other
1000" "$OUT" "a COMMAND replaces Cmd and keeps Entrypoint"
        assert_exit 0 sb --entrypoint /bin/echo "$img" a b
        assert_eq "a b" "$OUT" "--entrypoint replaces Entrypoint"
        assert_exit 0 sb --entrypoint /bin/echo "$img"
        assert_eq "" "$OUT" "--entrypoint drops the image's Cmd"
        assert_exit 0 sb --entrypoint "" "$img" id -u
        assert_eq 1000 "$OUT" "--entrypoint '' runs COMMAND alone, still as the image's User"
        assert_exit 0 sb --user 0 --env GREETING=bye --workdir /tmp "$img"
        assert_eq "from-cmd
0
/tmp
bye" "$OUT" "--user, --env and --workdir beat User, Env and WorkingDir"
        assert_exit 0 sb "$img" 'tool; echo $PATH'
        assert_eq "tool-ran
/usr/local/bin:/bin" "$OUT" "the image's PATH finds its tools"
        # sandbox enter gets the command's identity: the image's User, WorkingDir and Env.
        sb_bg "$WORK/bg.out" "$WORK/bg.err" --name layered "$img" 'echo up; exec sleep 60'
        if wait_until 20 grep -q '^up' "$WORK/bg.out"; then
                assert_exit 0 sb enter layered sh -c 'id -u; pwd; echo $GREETING'
                assert_eq "1000
/srv/app
hello" "$OUT" "enter: the image's User, WorkingDir and Env, as its command has them"
                assert_exit 0 sb enter -u 0 -w / layered sh -c 'id -u; pwd'
                assert_eq "0
/" "$OUT" "enter -u and -w beat the image's User and WorkingDir"
                assert_exit 0 sb stop layered
        else
                fail "a layered image runs in the background" "stderr: $(cat "$WORK/bg.err")"
        fi
        mkimage oci-dir "$WORK/baduser" 'spec["images"][0]["config"]["User"] = "nobody-here"' >/dev/null
        assert_exit 125 sb "$WORK/baduser"
        assert_match "$ERR" "^sandbox: the image runs as User 'nobody-here', but no user 'nobody-here' in the image's /etc/passwd" "an unknown User is refused, naming it"
else
        # Only root exists inside: the image's User cannot be, and the message says what to do.
        assert_exit 125 sb "$img"
        assert_match "$ERR" "^sandbox: the image runs as User 'user' \(1000:1000\), which is not mapped here \(only root exists inside\); pass --user 0" "User 1000 with a single-id map: refused with the fix"
        assert_exit 0 sb --user 0 "$img"
        assert_eq "from-cmd
0
/srv/app
hello" "$OUT" "--user 0 runs it, with the image's Entrypoint, Cmd, Env and WorkingDir"
fi

# --- one image of several -----------------------------------------------------------------
for fmt in oci-tar docker-tar; do
        multi=$WORK/multi-$fmt.tar
        report=$(mkimage "$fmt" "$multi" '
spec["images"].append({"name": "example.com/tool:2", "config": {"Cmd": ["/bin/cat", "/etc/which"]},
    "layers": [{"dir": fixture + "/l1"}, {"dir": fixture + "/l2"}]})')
        cfg_tool=$(awk '$1 == "example.com/tool:2" {print $3}' <<<"$report")
        assert_exit 125 sb --user 0 "$multi"
        assert_match "$ERR" "^sandbox: .*multi-$fmt.tar holds 2 images \(test/app:1, example.com/tool:2\); pick one: .*:NAME or .*@sha256:DIGEST" "$fmt: several images and no name: refused, listing them"
        assert_exit 0 sb --user 0 "$multi:example.com/tool:2"
        assert_eq l2 "$OUT" "$fmt: ARCHIVE:NAME:TAG picks that image"
        assert_exit 0 sb --user 0 --entrypoint /bin/cat "$multi:test/app:1" /etc/which
        assert_eq l3 "$OUT" "$fmt: and the other one"
        assert_exit 0 sb --user 0 "$multi@$cfg_tool"
        assert_eq l2 "$OUT" "$fmt: ARCHIVE@sha256:CONFIG picks by the image id"
        assert_exit 125 sb --user 0 "$multi:nope:1"
        assert_match "$ERR" "^sandbox: .*: no image 'nope:1' in it \(it has: test/app:1, example.com/tool:2\)" "$fmt: an unknown name: refused, listing what is there"
done
man_tool=$(mkimage oci-dir "$WORK/multi-dir" '
spec["images"].append({"name": "tool", "config": {"Cmd": ["/bin/cat", "/etc/which"]},
    "layers": [{"dir": fixture + "/l1"}, {"dir": fixture + "/l2"}]})' | awk '$1 == "tool" {print $2}')
assert_exit 0 sb --user 0 "$WORK/multi-dir@$man_tool"
assert_eq l2 "$OUT" "an OCI directory: DIR@sha256:MANIFEST picks by manifest digest"
assert_exit 0 sb --user 0 "$WORK/multi-dir:docker.io/library/tool:latest"
assert_eq l2 "$OUT" "docker.io/library/NAME:latest names the same image as NAME"
assert_exit 125 sb "$WORK/fx/l1:x"
assert_match "$ERR" "^sandbox: .*l1 is a root file system directory, holding one image: drop ':x'" "a rootfs directory with :NAME is refused"
make_tar "$FIXTURE/l1" "$WORK/rootfs.tar"
assert_exit 125 sb "$WORK/rootfs.tar:x"
assert_match "$ERR" "is a root file system tarball, holding one image: drop ':x'" "a rootfs tarball with :NAME is refused"

# docker save links a layer that repeats to its first copy.
mkimage docker-tar "$WORK/repeat.tar" 'spec["images"][0]["layers"].append({"dir": fixture + "/l2", "path": "again/layer.tar"})' >/dev/null
assert_contains "$(tar tvf "$WORK/repeat.tar")" "again/layer.tar -> ../" "the archive links the repeated layer"
assert_exit 0 sb --user 0 --entrypoint /bin/cat "$WORK/repeat.tar" /etc/which /opt/d/new
assert_eq "l2
new" "$OUT" "a repeated layer (a symlink in the archive) is applied again on top"
