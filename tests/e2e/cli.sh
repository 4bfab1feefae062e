#!/usr/bin/env bash
# The command line: help, version, verbs, where options end, and every exit status of the
# contract (0, N, 128+N, 125, 126, 127), with the messages that go with them.
source "$(dirname "$0")/../lib/common.sh"
require_sandbox

root=$WORK/root
busybox_probe_image "$root"
echo hello >"$root/etc/marker"
printf 'echo not run\n' >"$root/bin/notexec"
chmod 644 "$root/bin/notexec"
# A dynamically linked host binary: its interpreter does not exist in a busybox image.
cp /bin/true "$root/bin/dyn"
interp=$(python3 -c 'import sys
d = open(sys.argv[1], "rb").read()
print(d[d.index(b"/lib"):].split(b"\0")[0].decode())' /bin/true)
make_foreign_elf "$root/bin/arm64" 183
img=$WORK/img.tar.gz
make_tar "$root" "$img"

# --- help and version ------------------------------------------------------------------------
assert_exit 0 sb --help
assert_contains "$OUT" "Usage" "--help prints the usage on stdout"
assert_contains "$OUT" "--user" "--help lists --user"
assert_contains "$OUT" "--env" "--help lists --env"
assert_exit 0 sb --version
assert_contains "$OUT" "$SANDBOX_VERSION" "--version prints $SANDBOX_VERSION"
assert_exit 0 sb help
assert_contains "$OUT" "Usage" "the verb help prints the usage"
assert_exit 0 sb version
assert_contains "$OUT" "$SANDBOX_VERSION" "the verb version prints the version"

# --- run verb and shorthand -----------------------------------------------------------------
assert_exit 0 sb run "$img" cat /etc/marker
assert_eq hello "$OUT" "sandbox run IMAGE COMMAND runs the command"
assert_exit 0 sb "$img" cat /etc/marker
assert_eq hello "$OUT" "sandbox IMAGE COMMAND is the same as sandbox run"
assert_eq "" "$(foreign_stderr_lines "$ERR")" "the launcher's own stderr lines start with 'sandbox: '"

# No COMMAND: /bin/sh, reading its script from our stdin.
echo 'echo from-sh-$((6 * 7))' >"$WORK/script"
RUN_STDIN=$WORK/script assert_exit 0 sb "$img"
assert_eq from-sh-42 "$OUT" "no COMMAND runs /bin/sh"

# --- where options end -------------------------------------------------------------------------
assert_exit 0 sb "$img" /bin/echo --help --version -u 5
assert_eq "--help --version -u 5" "$OUT" "options after IMAGE belong to the command"
assert_exit 0 sb --env A=1 -- "$img" "$PROBE" env
assert_contains "$OUT" "A=1" "options before -- apply"
cp "$img" "$WORK/-dash.tar.gz"
cd "$WORK" || exit 1
assert_exit 0 sb -- -dash.tar.gz cat /etc/marker
assert_eq hello "$OUT" "after --, an IMAGE may start with '-'"

# --- reserved verbs ---------------------------------------------------------------------------
mkdir -p "$WORK/verbs"
cp -a "$root" "$WORK/verbs/ps"
cd "$WORK/verbs" || exit 1
assert_exit 125 sb --env A=1 ps /bin/true
assert_match "$ERR" "^sandbox: .*verb" "an image named like a verb is refused with a message"
assert_contains "$ERR" "./ps" "the message says to write ./ps"
assert_exit 0 sb --env A=1 ./ps cat /etc/marker
assert_eq hello "$OUT" "./ps runs the directory image named ps"
cd "$WORK" || exit 1

# --- usage errors: 125 ----------------------------------------------------------------------
assert_exit 125 sb --no-such-option "$img" /bin/true
assert_match "$ERR" "^sandbox: " "an unknown option is reported with 'sandbox: '"
assert_exit 125 sb
assert_match "$ERR" "^sandbox: .*IMAGE" "a missing IMAGE is reported"
assert_exit 125 sb --env NOEQUALS "$img" /bin/true
assert_match "$ERR" "^sandbox: " "--env without = is refused"
assert_exit 125 sb --user nobody "$img" /bin/true
assert_match "$ERR" "^sandbox: " "--user that is not a number is refused"

# --- exit statuses ------------------------------------------------------------------------------
assert_exit 0 sb "$img" /bin/true
assert_exit 1 sb "$img" /bin/false
assert_exit 42 sb "$img" /bin/sh -c 'exit 42'
assert_exit 3 sb "$img" "$PROBE" exit 3
assert_exit 255 sb "$img" "$PROBE" exit 255
assert_exit 143 sb "$img" "$PROBE" kill-self TERM
assert_exit 137 sb "$img" "$PROBE" kill-self KILL
assert_exit 139 sb "$img" "$PROBE" kill-self SEGV
assert_exit 129 sb "$img" "$PROBE" kill-self HUP

# 125: the image.
assert_exit 125 sb "$WORK/no-such-image.tar.gz" /bin/true
assert_match "$ERR" "^sandbox: .*no-such-image" "a missing image is named in the message"
head -c 100000 /dev/urandom >"$WORK/garbage.tar.gz"
assert_exit 125 sb "$WORK/garbage.tar.gz" /bin/true
assert_match "$ERR" "^sandbox: " "a corrupt tarball is reported"
head -c 3000 "$img" >"$WORK/truncated.tar.gz"
assert_exit 125 sb "$WORK/truncated.tar.gz" /bin/true
assert_match "$ERR" "^sandbox: " "a truncated tarball is reported"
echo "just text" >"$WORK/text.tar"
assert_exit 125 sb "$WORK/text.tar" /bin/true

# 126: exists but cannot run.
assert_exit 126 sb "$img" /bin/notexec
assert_match "$ERR" "^sandbox: .*notexec" "a file without x permission: 126, named"
assert_exit 126 sb "$img" /tmp
assert_match "$ERR" "^sandbox: " "a directory as command: 126"
assert_exit 126 sb "$img" /bin/dyn
assert_contains "$ERR" "$interp" "a missing ELF interpreter is named ($interp)"
assert_match "$ERR" "^sandbox: " "the interpreter message starts with 'sandbox: '"
assert_exit 126 sb "$img" /bin/arm64
assert_match "$ERR" "^sandbox: .*(aarch64|AArch64|arm64)" "a foreign-architecture binary: 126, aarch64 named"

# 127: not found.
assert_exit 127 sb "$img" /no/such/command
assert_match "$ERR" "^sandbox: .*/no/such/command" "a missing absolute command: 127, named"
assert_exit 127 sb "$img" no-such-command
assert_match "$ERR" "^sandbox: .*no-such-command" "a command not in PATH: 127, named"

# --- user namespaces forbidden: the knob is named ------------------------------------------
# user.max_user_namespaces is per user namespace: set to 0 in one of our own, it forbids the
# launcher's clone there without touching the host.
run unshare -r sh -c 'echo 0 > /proc/sys/user/max_user_namespaces && exec "$0" "$@"' \
        "$SANDBOX" -q "$img" /bin/true
assert_eq 125 "$RC" "no user namespaces allowed: exit 125"
assert_contains "$ERR" "user.max_user_namespaces = 0" "the message names the knob that forbids them"

# --- the Alpine image, end to end ----------------------------------------------------------
if [ -f "$SANDBOX_ALPINE" ]; then
        require_alpine
        assert_exit 0 sb "$SANDBOX_ALPINE" cat /etc/alpine-release
        assert_eq 3.20.3 "$OUT" "the Alpine image runs (musl, its own /bin/sh)"
        assert_exit 7 sb "$SANDBOX_ALPINE" sh -c 'exit 7'
else
        note "no Alpine image: Alpine checks not run"
fi
