#!/usr/bin/env bash
# Hostile images (tests/lib/mkhostile.py), one attack per image: each is refused with a message
# (125) or contained: nothing is written outside the cache, no host file is linked in or
# written through a link (the victim's digest has link counts and times), no device node or
# setuid file becomes usable. An image whose /proc or /dev is a symlink is refused with exit 125.
source "$(dirname "$0")/../lib/common.sh"
require_sandbox

base=$WORK/base
busybox_probe_image "$base"
victim=$WORK/victim
# reset_victim: the directory the attacks aim at, in a known state.
reset_victim() {
        rm -rf "$victim"
        mkdir -p "$victim"
        echo secret >"$victim/secret"
        echo secret2 >"$victim/secret2"
        victim_digest=$(tree_digest "$victim")
}
reset_victim
tag=$$-$RANDOM
python3 "$TESTS_LIB/mkhostile.py" --base "$base" --victim "$victim" --tag "$tag" "$WORK/hostile" >"$WORK/list"
scratch=$(dirname "$TMPDIR")
cache=$(cache_root)

# contained_everywhere: the checks that hold after every hostile image, refused or not.
contained_everywhere() { # NAME
        local name=$1 hit ok dir
        assert_eq "$victim_digest" "$(tree_digest "$victim")" "$name: the victim directory is untouched (content, links, times)"
        assert_file_absent "/tmp/pwned-tmp-$tag" "$name: nothing written through a symlink to /tmp"
        # Any pwned-* file must sit inside an unpacked image (a tree with etc/hostile-base).
        ok=1
        while read -r hit; do
                [ -n "$hit" ] || continue
                dir=$(dirname "$hit")
                while [ "$dir" != / ] && [ ! -e "$dir/etc/hostile-base" ]; do
                        dir=$(dirname "$dir")
                done
                if [ "$dir" = / ] || [[ $dir != "$cache"/* ]]; then
                        ok=0
                        fail "$name: $hit is outside any unpacked image"
                        rm -f "$hit" # so that the next image is judged on its own
                fi
        done < <({ find /tmp "$scratch" "$HOME" -maxdepth 40 -name "pwned-*-$tag" 2>/dev/null || true; } | sort -u)
        [ "$ok" = 0 ] || pass "$name: no file escaped the unpacked image"
        [ "$victim_digest" = "$(tree_digest "$victim")" ] || reset_victim
        hit=$(find "$cache" \( -type b -o -type c \) 2>/dev/null | while read -r dev; do
                [ "$(stat -c %t:%T "$dev")" = 0:0 ] || echo "$dev"
        done || true)
        assert_eq "" "$hit" "$name: no device node in the cache (but overlay whiteouts)"
}

# run_hostile NAME [COMMAND...]: launches the image (with the launcher options in the array
# HOSTILE_OPTS); refused (125 with a message) or ran.
HOSTILE_OPTS=()
run_hostile() {
        local name=$1
        shift
        run sb "${HOSTILE_OPTS[@]}" "$WORK/hostile/$name.tar" "$@"
        case $RC in
        125)
                assert_match "$ERR" "^sandbox: " "$name: refused with a message ($(printf '%s' "$ERR" | sed -n 1p))"
                RESULT=refused
                ;;
        0)
                pass "$name: contained (the image ran)"
                RESULT=ran
                ;;
        *)
                fail "$name: refused (125) or contained (0)" "got status $RC" "stderr: $ERR"
                RESULT=failed
                ;;
        esac
}

for name in abs abs-victim dotdot dotdot-deep dotdot-inner symlink-tmp symlink-victim symlink-up \
        symlink-deep symlink-chain hardlink-passwd hardlink-victim hardlink-up hardlink-deep \
        longname longpath; do
        run_hostile "$name" /bin/sh -c 'cat /etc/hostile-base'
        contained_everywhere "$name"
        if [ "$RESULT" = ran ]; then
                assert_eq "$name" "$OUT" "$name: the image is the one asked for"
        fi
done


# Device nodes: never usable inside.
run_hostile devnodes /bin/sh -c "$PROBE stat /evil-mem; $PROBE stat /evil-disk; $PROBE read /evil-mem"
contained_everywhere devnodes
if [ "$RESULT" = ran ]; then
        assert_no_match "$OUT" "path=/evil-mem .*type=chr .*rdev=1:1( |$)" "devnodes: no /dev/mem-like node inside"
        assert_no_match "$OUT" "path=/evil-disk .*type=blk" "devnodes: no block device inside"
        assert_no_match "$OUT" "path=/evil-mem ret=0 .*bytes=[1-9]" "devnodes: /evil-mem cannot be read as memory"
fi

# Setuid files: no privilege from them inside, and not usable by other host users.
HOSTILE_OPTS=(--user 1000:1000)
run_hostile setuid /bin/sh -c '/opt/suid/id -u; /opt/sgid/id -g'
HOSTILE_OPTS=()
contained_everywhere setuid
if [ "$RESULT" = ran ]; then
        assert_eq "1000
1000" "$OUT" "setuid: setuid/setgid-root files give uid 1000 nothing (no_new_privs)"
fi
exposed=""
while read -r f; do
        [ -n "$f" ] || continue
        dir=$(dirname "$f")
        reachable=1
        # Only the launcher's own directories count: it must not rely on ~/.cache's mode.
        while [ "$dir" != "$(dirname "$cache")" ] && [ "$dir" != / ]; do
                [ $(($(stat -c 0%a "$dir") & 1)) -eq 1 ] || reachable=0
                dir=$(dirname "$dir")
        done
        [ "$reachable" = 0 ] || exposed="$exposed $f"
done < <(find "$cache" -type f -perm /6000 2>/dev/null || true)
assert_eq "" "$exposed" "setuid: no setuid/setgid file in the cache is reachable by other users"

# /proc and /dev as symlinks: refused, saying which.
for spec in proc-symlink:proc dev-symlink:dev; do
        name=${spec%%:*}
        what=${spec#*:}
        run sb "$WORK/hostile/$name.tar" /bin/true
        assert_rc 125 "$name: refused with exit 125"
        assert_match "$ERR" "^sandbox: .*$what" "$name: the message names /$what"
        contained_everywhere "$name"
done

# /dev/null -> /etc/passwd in the image: the real /dev hides it, or the image is refused.
run_hostile devnull-symlink /bin/sh -c "echo pwned > /dev/null; cat /etc/passwd; $PROBE stat /dev/null"
contained_everywhere devnull-symlink
if [ "$RESULT" = ran ]; then
        assert_eq "$(cat "$base/etc/passwd")" "$(printf '%s\n' "$OUT" | grep -v '^path=')" \
                "devnull-symlink: writing /dev/null does not reach /etc/passwd"
        assert_match "$OUT" "path=/dev/null .*type=chr .*rdev=1:3" "devnull-symlink: /dev/null is the real device"
fi
