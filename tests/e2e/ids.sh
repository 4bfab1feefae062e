#!/usr/bin/env bash
# Identities: root inside is the invoking user. With a /etc/subuid range (role test), ids
# 1..N inside map onto it through newuidmap/newgidmap; without one (role norange), the map is
# the single id, setgroups is denied, and the launcher says so in one line on stderr.
source "$(dirname "$0")/../lib/common.sh"
require_sandbox

root=$WORK/root
busybox_probe_image "$root"
mkdir -p "$root/home/user"
echo mine >"$root/home/user/file"
img=$WORK/img.tar.gz
TAR_OWNERS="home/user=1000:1000 home/user/file=1000:1000" make_tar "$root" "$img"
me=$(id -u)
mygid=$(id -g)

case $SANDBOX_ROLE in
test | any)
        read -r ustart ucount <<<"$(subid_range /etc/subuid)"
        read -r gstart gcount <<<"$(subid_range /etc/subgid)"
        if [ -z "${ustart:-}" ] || [ -z "${gstart:-}" ]; then
                skip "$(id -un) has no subordinate id range"
        fi
        note "ranges: uid $ustart:$ucount, gid $gstart:$gcount"

        assert_exit 0 sb "$img" "$PROBE" ids
        ids=$OUT
        assert_eq 0 "$(kv uid "$ids")" "uid inside is 0"
        assert_eq 0 "$(kv gid "$ids")" "gid inside is 0"
        assert_eq 0 "$(kv euid "$ids")" "euid inside is 0"
        assert_eq "0 $me 1
1 $ustart $ucount" "$(printf '%s\n' "$ids" | sed -n 's/^uid_map=//p')" \
                "uid_map: 0 -> $me, then 1.. -> $ustart ($ucount ids)"
        assert_eq "0 $mygid 1
1 $gstart $gcount" "$(printf '%s\n' "$ids" | sed -n 's/^gid_map=//p')" \
                "gid_map: 0 -> $mygid, then 1.. -> $gstart ($gcount ids)"
        assert_eq allow "$(kv setgroups "$ids")" "setgroups is allowed with a full gid map"
        assert_no_match "$ERR" "(subuid|subordinate|single)" "no single-id notice for a user with a range"

        # The image's owners are seen inside as they are in the tarball.
        assert_exit 0 sb "$img" stat -c '%u:%g' /home/user/file /etc/passwd
        assert_eq "1000:1000
0:0" "$OUT" "image files keep their owners inside (1000:1000 and 0:0)"

        # --user
        assert_exit 0 sb --user 1000:1000 "$img" "$PROBE" ids
        assert_eq 1000 "$(kv uid "$OUT")" "--user 1000:1000: uid 1000"
        assert_eq 1000 "$(kv euid "$OUT")" "--user 1000:1000: euid 1000"
        assert_eq 1000 "$(kv gid "$OUT")" "--user 1000:1000: gid 1000"
        assert_eq 1000 "$(kv egid "$OUT")" "--user 1000:1000: egid 1000"
        assert_no_match "$(kv groups "$OUT" | tr ',' '\n')" '^0$' "--user 1000:1000 keeps no group 0"
        assert_exit 0 sb -u 1000 "$img" "$PROBE" ids
        assert_eq 1000 "$(kv uid "$OUT")" "-u 1000: uid 1000"
        assert_exit 0 sb --user 1000:1000 "$img" sh -c 'echo x > /home/user/new && stat -c %u:%g /home/user/new'
        assert_eq 1000:1000 "$OUT" "files the command creates as 1000 are owned by 1000 inside"
        assert_exit 1 sb --user 1000:1000 "$img" touch /etc/not-mine
        assert_exit 0 sb --user 0:0 "$img" "$PROBE" ids
        assert_eq 0 "$(kv uid "$OUT")" "--user 0:0 is root inside"

        # An id outside the map is refused before anything runs.
        beyond=$((ucount + 1))
        assert_exit 125 sb --user "$beyond" "$img" /bin/true
        assert_match "$ERR" "^sandbox: " "--user $beyond (not mapped) is refused with a message"
        ;;
norange)
        if grep -qE "^($(id -un)|$me):" /etc/subuid /etc/subgid 2>/dev/null; then
                skip "$(id -un) has a subordinate id range"
        fi
        assert_exit 0 sb "$img" "$PROBE" ids
        ids=$OUT
        assert_eq 0 "$(kv uid "$ids")" "uid inside is 0"
        assert_eq "0 $me 1" "$(printf '%s\n' "$ids" | sed -n 's/^uid_map=//p')" \
                "uid_map is the single line 0 $me 1"
        assert_eq "0 $mygid 1" "$(printf '%s\n' "$ids" | sed -n 's/^gid_map=//p')" \
                "gid_map is the single line 0 $mygid 1"
        assert_eq deny "$(kv setgroups "$ids")" "setgroups is denied"
        notice=$(printf '%s\n' "$ERR" | sed '/^$/d')
        assert_eq 1 "$(nlines "$notice")" "exactly one line on stderr"
        assert_match "$notice" "^sandbox: " "the notice starts with 'sandbox: '"
        assert_match "$notice" "(subuid|subordinate|range|single)" "the notice says why (no subuid range)"

        # Files owned by ids that cannot be mapped still come out usable.
        assert_exit 0 sb "$img" cat /home/user/file
        assert_eq mine "$OUT" "an image with files owned by 1000 runs"

        assert_exit 125 sb --user 1000 "$img" /bin/true
        assert_match "$ERR" "^sandbox: .*(1000|subuid|subordinate|range)" \
                "--user 1000 without a range fails with a clear message"

        if [ -f "$SANDBOX_ALPINE" ]; then
                require_alpine
                assert_exit 0 sb "$SANDBOX_ALPINE" cat /etc/alpine-release
                assert_eq 3.20.3 "$OUT" "Alpine (a file of gid 42) runs without a range"
        fi
        ;;
esac
