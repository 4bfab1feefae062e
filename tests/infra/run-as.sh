#!/usr/bin/env bash
# The test runner itself: run-as.sh dropped root (or kept the invoking user), gave the test a
# clean, private scratch space, and the user fits its role (SANDBOX_ROLE).
source "$(dirname "$0")/../lib/common.sh"

assert_ne 0 "$(id -u)" "the test body does not run as uid 0 (uid $(id -u), $(id -un))"
assert_ne 0 "$(id -g)" "the test body does not run as gid 0"
assert_no_match "$(id -G | tr ' ' '\n')" '^0$' "no supplementary group 0"
status=$(cat /proc/self/status)
assert_eq 0000000000000000 "$(sed -n 's/^CapEff:\t//p' <<<"$status")" "no effective capability"
assert_eq 0000000000000000 "$(sed -n 's/^CapPrm:\t//p' <<<"$status")" "no permitted capability"
assert_eq 0 "$(sed -n 's/^NoNewPrivs:\t//p' <<<"$status")" "no_new_privs is off (newuidmap is setuid)"
assert_eq "$(id -un)" "${USER:-}" "USER is the user"
assert_eq "$(getent passwd "$(id -un)" | cut -d: -f6)" "${HOME:-}" "HOME is the user's home"
assert_ne /root "${HOME:-}" "HOME is not root's"
assert_match "$PATH" "^/" "PATH is set"

for var in TMPDIR XDG_CACHE_HOME; do
        dir=${!var:-}
        assert_ne "" "$dir" "$var is set"
        assert_eq "$(id -u)" "$(stat -c %u "$dir" 2>&1)" "$var ($dir) is owned by the user"
        assert_true "$var is writable" touch "$dir/.probe-write"
        rm -f "$dir/.probe-write"
done
assert_eq "" "$(ls -A "$XDG_CACHE_HOME")" "XDG_CACHE_HOME starts empty"
scratch=$(dirname "$TMPDIR")
assert_eq 700 "$(stat -c %a "$scratch")" "the scratch directory ($scratch) is private (0700)"
assert_eq "$scratch" "$(pwd)" "the test starts in its scratch directory"
for var in SANDBOX_BIN SANDBOX_BUILD_DIR SANDBOX_SRC_DIR SANDBOX_PROBE SANDBOX_ALPINE SANDBOX_TEST_NAME; do
        assert_ne "" "${!var:-}" "CTest passes $var (${!var:-})"
done
assert_true "the source tree is readable" test -r "$SANDBOX_SRC_DIR/tests/lib/common.sh"
assert_true "the probe is executable" test -x "$SANDBOX_PROBE"

me=$(id -un)
uid=$(id -u)
case $SANDBOX_ROLE in
test | any)
        assert_match "$(cat /etc/subuid)" "^($me|$uid):[0-9]+:[1-9]" "$me has a /etc/subuid range"
        assert_match "$(cat /etc/subgid)" "^($me|$uid):[0-9]+:[1-9]" "$me has a /etc/subgid range"
        run unshare --map-auto --map-root-user cat /proc/self/uid_map
        assert_rc 0 "newuidmap maps the range (unshare --map-auto)"
        assert_eq 2 "$(nlines "$OUT")" "the map has the user and the range"
        ;;
norange)
        assert_no_match "$(cat /etc/subuid /etc/subgid)" "^($me|$uid):" "$me has no /etc/subuid or /etc/subgid entry"
        run unshare --map-auto --map-root-user true
        assert_ne 0 "$RC" "newuidmap refuses a user without a range"
        run unshare --user --map-root-user cat /proc/self/uid_map
        assert_rc 0 "an unprivileged user namespace can be created (single id)"
        ;;
esac
if [ -c /dev/fuse ]; then
        assert_true "/dev/fuse is usable by the user" test -r /dev/fuse -a -w /dev/fuse
fi
