#!/usr/bin/env bash
# The image helpers of common.sh and mkhostile.py, and the assertion helpers themselves.
source "$(dirname "$0")/../lib/common.sh"
require_probe

# --- assertions report what was expected and what was got ------------------------------------
selftest() { # SCRIPT: runs SCRIPT in a fresh bash with common.sh sourced
        run env TMPDIR="$WORK" bash -c "source '$TESTS_LIB/common.sh'; $1"
}
selftest 'assert_eq a b "the check"'
assert_rc 1 "a failed assert_eq fails the script"
assert_match "$OUT" "^FAIL - the check$" "it prints FAIL and the description"
assert_match "$OUT" "expected: a" "it prints what was expected"
assert_match "$OUT" "got: +b" "it prints what was got"
selftest 'assert_eq a a; assert_contains abc b; assert_not_contains abc x; assert_file_absent /nonexistent; assert_exit 3 sh -c "exit 3"'
assert_rc 0 "passing checks pass the script"
assert_eq 5 "$(grep -c '^ok - ' <<<"$OUT")" "each check prints one ok line"
selftest 'assert_exit 0 sh -c "echo out; echo err >&2; exit 4"'
assert_match "$OUT" "got status: 4" "assert_exit shows the status"
assert_match "$OUT" "stderr: err" "assert_exit shows stderr"
selftest 'skip "no reason"'
assert_rc 77 "skip exits 77"
selftest 'false; echo never'
assert_rc 1 "an unexpected failing command stops the script with a failure"
assert_not_contains "$OUT" never "nothing runs after it"
selftest 'SANDBOX_BIN=/nonexistent; SANDBOX=/nonexistent; require_sandbox'
assert_rc 1 "a missing launcher fails (not skipped)"
assert_match "$OUT" "launcher is not built" "and says so"

# --- the Alpine image is checked before use ---------------------------------------------------
mkdir -p "$WORK/img"
selftest "SANDBOX_ALPINE=$WORK/img/alpine-minirootfs-3.20.3-x86_64.tar.gz; require_alpine"
assert_rc 77 "an absent Alpine image skips"
if [ -f "$SANDBOX_ALPINE" ]; then
        require_alpine
        pass "the Alpine image in the build tree matches SHA512SUMS"
        cp "$SANDBOX_ALPINE" "$(dirname "$SANDBOX_ALPINE")/SHA512SUMS" "$WORK/img/"
        printf 'x' | dd of="$WORK/img/$(basename "$SANDBOX_ALPINE")" bs=1 seek=1000 conv=notrunc status=none
        selftest "SANDBOX_ALPINE=$WORK/img/$(basename "$SANDBOX_ALPINE"); require_alpine"
        assert_rc 1 "a corrupted Alpine image fails"
        assert_match "$OUT" "does not match its SHA512" "and says so"
        with_alpine_probe "$WORK/alpine-probe.tar.gz"
        members=$(python3 -c 'import sys, tarfile
for m in tarfile.open(sys.argv[1]):
    print(m.name, m.uid, m.gid, oct(m.mode), m.type.decode())' "$WORK/alpine-probe.tar.gz")
        assert_match "$members" "^\./usr/local/bin/probe 0 0 0o755 0$" "with_alpine_probe: the probe, root-owned, 0755"
        assert_match "$members" "^\./etc/shadow 0 42 " "with_alpine_probe: owners kept (shadow 0:42)"
        assert_eq "$(($(tar tzf "$SANDBOX_ALPINE" | wc -l) + 1))" "$(nlines "$members")" "with_alpine_probe: every Alpine member plus the probe"
else
        note "no Alpine image: its checks not run"
fi

# --- busybox image ------------------------------------------------------------------------------
bb=$WORK/bb
busybox_probe_image "$bb"
assert_eq busybox "$(readlink "$bb/bin/sh")" "bin/sh is a busybox applet"
for applet in sh ls cat echo id mkdir rm touch sleep mount grep sed wc ps kill hostname true \
        false env stat ln readlink find uname head tail tr test stty ping; do
        [ -L "$bb/bin/$applet" ] || fail "applet $applet is missing"
done
pass "the applets are there"
assert_match "$(cat "$bb/etc/passwd")" "^user:x:1000:1000:" "etc/passwd has a uid 1000 user"
assert_match "$(cat "$bb/etc/group")" "^root:x:0:" "etc/group has root"
for d in dev proc sys tmp; do
        assert_eq "" "$(ls -A "$bb/$d")" "$d is an empty directory"
done
assert_exit 0 unshare --user --map-root-user /usr/sbin/chroot "$bb" /bin/sh -c 'echo $((6 * 7)); probe pid | sed -n 1p'
assert_match "$OUT" "^42$" "the image runs /bin/sh in a chroot"
assert_match "$OUT" "^pid=" "the probe runs in it"

# --- make_tar -----------------------------------------------------------------------------------
ln "$bb/etc/group" "$bb/etc/group.hard"
mkdir -p "$bb/home/user"
for fmt in tar tar.gz tar.xz tar.zst; do
        TAR_OWNERS="home/user=1000:1000" make_tar "$bb" "$WORK/bb.$fmt"
        listing=$(tar tvf "$WORK/bb.$fmt")
        assert_match "$listing" "^lrwxrwxrwx 0/0 .* \./bin/sh -> busybox$" "$fmt: symlinks, root-owned"
        assert_match "$listing" "^drwxr-xr-x 1000/1000 .* \./home/user/$" "$fmt: TAR_OWNERS sets an owner"
        assert_match "$listing" "^h.* \./etc/group\.hard link to \./etc/group$|^h.* \./etc/group link to \./etc/group\.hard$" "$fmt: hardlinks kept"
        assert_match "$listing" "^drwxrwxrwt 0/0 .* \./tmp/$" "$fmt: modes kept (tmp 1777)"
done
assert_eq "1f8b" "$(od -An -tx1 -N2 "$WORK/bb.tar.gz" | tr -d ' ')" "tar.gz is gzip"
assert_eq "fd377a585a00" "$(od -An -tx1 -N6 "$WORK/bb.tar.xz" | tr -d ' ')" "tar.xz is xz"
assert_eq "28b52ffd" "$(od -An -tx1 -N4 "$WORK/bb.tar.zst" | tr -d ' ')" "tar.zst is zstd"

# --- tree_digest --------------------------------------------------------------------------------
d1=$(tree_digest "$bb")
assert_eq "$d1" "$(tree_digest "$bb")" "tree_digest is stable"
touch "$bb/etc/passwd"
assert_ne "$d1" "$(tree_digest "$bb")" "tree_digest sees a touched file"

# --- make_foreign_elf ---------------------------------------------------------------------------
make_foreign_elf "$WORK/arm64" 183
run "$WORK/arm64"
assert_rc 126 "a foreign ELF is refused by the kernel (exec format error)"
assert_match "$(od -An -tx1 -j18 -N2 "$WORK/arm64")" "b7 00" "e_machine is 183 (aarch64)"

# --- mkhostile.py -------------------------------------------------------------------------------
mkdir -p "$WORK/victim"
assert_exit 0 python3 "$TESTS_LIB/mkhostile.py" --base "$bb" --victim "$WORK/victim" --tag T "$WORK/hostile"
all="abs abs-victim dotdot dotdot-deep dotdot-inner symlink-tmp symlink-victim symlink-up
symlink-deep symlink-chain hardlink-passwd hardlink-victim hardlink-up hardlink-deep devnodes
setuid longname longpath proc-symlink dev-symlink devnull-symlink"
assert_eq "$(tr -s ' \n' '  ' <<<"$all" | sed 's/ $//')" "$(cut -d' ' -f1 <<<"$OUT" | paste -sd' ' -)" \
        "mkhostile builds one tarball per attack"
names() { python3 -c 'import sys, tarfile
for m in tarfile.open(sys.argv[1]):
    print(m.name, m.type.decode(), m.linkname, m.mode & 0o7777)' "$WORK/hostile/$1.tar"; }
up=$(printf '../%.0s' $(seq 30))
for t in $all; do
        assert_match "$(names "$t")" "^\./bin/sh 2 busybox " "$t: carries the busybox rootfs"
done
assert_match "$(names abs)" "^/evil 0 " "abs: /evil"
assert_match "$(names abs-victim)" "^$WORK/victim/pwned-abs-T 0 " "abs-victim: an absolute path into the victim"
assert_match "$(names dotdot)" "^\.\./\.\./pwned-dotdot-T 0 " "dotdot: ../../"
assert_match "$(names dotdot-deep)" "^$up${WORK#/}/victim/pwned-dotdot-T 0 " "dotdot-deep: ../ x30 into the victim"
assert_match "$(names symlink-tmp)" "^\./tmplnk 2 /tmp " "symlink-tmp: tmplnk -> /tmp"
assert_match "$(names symlink-tmp)" "^\./tmplnk/pwned-tmp-T 0 " "symlink-tmp: then a file through it"
assert_match "$(names symlink-victim)" "^\./lnk 2 $WORK/victim " "symlink-victim: lnk -> the victim"
assert_match "$(names symlink-up)" "^\./up 2 \.\./\.\./\.\. " "symlink-up: up -> ../../.."
assert_match "$(names symlink-chain)" "^\./a 2 b " "symlink-chain: a -> b"
assert_match "$(names hardlink-passwd)" "^\./hl-passwd 1 /etc/passwd " "hardlink-passwd: to /etc/passwd"
assert_match "$(names hardlink-victim)" "^\./hl 1 $WORK/victim/secret " "hardlink-victim: to the victim's file"
assert_match "$(names hardlink-victim)" "^\./hl 0  " "hardlink-victim: then a file of the same name"
assert_match "$(names hardlink-up)" "^\./hl-up 1 \.\./\.\./x " "hardlink-up: to ../../x"
assert_match "$(names devnodes)" "^\./evil-mem 3 " "devnodes: a char device"
assert_match "$(names devnodes)" "^\./evil-disk 4 " "devnodes: a block device"
assert_match "$(names setuid)" "^\./opt/suid/id 0  2541$" "setuid: a setuid-root file (04755)"
assert_match "$(names setuid)" "^\./opt/sgid/id 0  1517$" "setuid: a setgid-root file (02755)"
assert_match "$(names longname)" "^\./L{300} 0 " "longname: a 300-byte name"
assert_match "$(names longpath)" "/pwned-long-T 0 " "longpath: a file at the end of a long path"
assert_match "$(names proc-symlink)" "^\./proc 2 /tmp " "proc-symlink: proc -> /tmp"
assert_no_match "$(names proc-symlink)" "^\./proc 5 " "proc-symlink: no proc directory"
assert_match "$(names dev-symlink)" "^\./dev 2 /etc " "dev-symlink: dev -> /etc"
assert_no_match "$(names dev-symlink)" "^\./dev 5 " "dev-symlink: no dev directory"
assert_match "$(names devnull-symlink)" "^\./dev/null 2 /etc/passwd " "devnull-symlink: dev/null -> /etc/passwd"
assert_eq "" "$(ls -A "$WORK/victim")" "building them wrote nothing into the victim"
