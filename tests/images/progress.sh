#!/usr/bin/env bash
# The progress bar: while a large image unpacks, a one-line bar on stderr when stderr is a
# terminal (driven through a pty by Python), erased when done; nothing when stderr is not a
# terminal, with --quiet, or for a small image.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/lib.sh"
require_sandbox

FIXTURE=$WORK/fx
busybox_probe_image "$FIXTURE/l1"
mkdir -p "$FIXTURE/big"
head -c $((40 * 1024 * 1024)) /dev/urandom >"$FIXTURE/big/blob"
mkimage oci-tar "$WORK/layered.tar" "spec['compress'] = 'none'
spec['images'][0]['config'] = {}
spec['images'][0]['layers'] = [{'dir': fixture + '/l1'}, {'dir': fixture + '/big'}]" >/dev/null
cp -r "$FIXTURE/l1" "$FIXTURE/rootfs"
cp "$FIXTURE/big/blob" "$FIXTURE/rootfs/blob"
make_tar "$FIXTURE/rootfs" "$WORK/rootfs.tar"
make_tar "$FIXTURE/l1" "$WORK/small.tar"

# on_pty NAME ARG...: runs the launcher with stdin, stdout and stderr on a pty, in a fresh cache;
# the raw bytes it wrote go to $WORK/NAME.pty.
on_pty() {
        local name=$1
        shift
        XDG_CACHE_HOME=$WORK/cache-$name python3 - "$WORK/$name.pty" "$SANDBOX" "$@" <<'EOF'
import os, pty, sys
out = sys.argv[1]
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
data = b""
while True:
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    if not chunk:
        break
    data += chunk
_, status = os.waitpid(pid, 0)
open(out, "wb").write(data)
sys.exit(os.waitstatus_to_exitcode(status))
EOF
}

for kind in layered rootfs; do
        run on_pty "$kind" --user 0 --entrypoint /bin/echo "$WORK/$kind.tar" done
        assert_rc 0 "$kind: the launch on a terminal succeeds"
        bar=$(tr '\r' '\n' <"$WORK/$kind.pty" | sed 's/\x1b\[K//g')
        assert_match "$bar" "^sandbox: unpacking $kind\.tar +[0-9]+% \([0-9]+ of [0-9]+ MB\)$" "$kind: a progress bar on the terminal"
        assert_contains "$(cat -v "$WORK/$kind.pty")" "^M^[[K" "$kind: the bar is rewritten in place and erased"
        assert_match "$bar" "^done" "$kind: the command's output starts on a clean line"
        # Not a terminal: nothing but the command's output.
        XDG_CACHE_HOME=$WORK/cache-$kind-notty run sb --user 0 --entrypoint /bin/echo "$WORK/$kind.tar" done
        assert_eq "0 done" "$RC $OUT" "$kind: without a terminal the launch succeeds"
        assert_not_contains "$ERR" "unpacking" "$kind: and draws no bar"
done
run on_pty quiet --quiet --user 0 --entrypoint /bin/echo "$WORK/layered.tar" done
assert_rc 0 "--quiet on a terminal: the launch succeeds"
assert_not_contains "$(cat "$WORK/quiet.pty")" "unpacking" "--quiet: no bar"
run on_pty small --user 0 --entrypoint /bin/echo "$WORK/small.tar" done
assert_rc 0 "a small image on a terminal: the launch succeeds"
assert_not_contains "$(cat "$WORK/small.pty")" "unpacking" "a small image: no bar"
