#!/usr/bin/env bash
# Namespaces: the command runs in new user, mount, pid, ipc, uts, cgroup and network
# namespaces, and the network namespace has only a loopback interface, which is up.
source "$(dirname "$0")/../lib/common.sh"
require_sandbox
require_probe

root=$WORK/root
busybox_probe_image "$root"
img=$WORK/img.tar.gz
make_tar "$root" "$img"

host=$("$SANDBOX_PROBE" ns)
assert_exit 0 sb "$img" "$PROBE" ns
inside=$OUT
for ns in user mnt pid ipc uts cgroup net; do
        h=$(kv "ns.$ns" "$host")
        i=$(kv "ns.$ns" "$inside")
        [ -n "$h" ] || skip "the host has no /proc/self/ns/$ns"
        if [ -n "$i" ] && [ "$i" != "$h" ]; then
                pass "$ns namespace differs from the host's ($i vs $h)"
        else
                fail "$ns namespace differs from the host's" "host: $h" "inside: ${i:-missing}"
        fi
done

# Children of the command stay in the same namespaces (the pid namespace is not per-process).
assert_exit 0 sb "$img" sh -c "$PROBE ns /proc/self; $PROBE ns /proc/1"
assert_no_match "$OUT" '^ns\.(user|mnt|pid|ipc|uts|cgroup|net)\.same=0' \
        "pid 1 inside shares the command's namespaces"

# --- network: loopback only, and up ----------------------------------------------------------
assert_exit 0 sb "$img" ls /sys/class/net
assert_eq lo "$(printf '%s\n' "$OUT" | tr -s ' \n' '\n' | sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//')" \
        "/sys/class/net lists only lo"
assert_exit 0 sb "$img" cat /proc/net/dev
ifaces=$(printf '%s\n' "$OUT" | sed -n 's/^ *\([^ :|]*\):.*/\1/p' | sort | tr '\n' ' ' | sed 's/ $//')
assert_eq lo "$ifaces" "/proc/net/dev lists only lo"
assert_exit 0 sb "$img" cat /sys/class/net/lo/flags
if [ -n "$OUT" ] && [ $((OUT & 1)) -eq 1 ]; then
        pass "lo is up (flags $OUT)"
else
        fail "lo is up" "expected IFF_UP (0x1) in flags" "got: $OUT"
fi
assert_exit 0 sb "$img" ping -c 1 -W 3 127.0.0.1
assert_contains "$OUT" "1 packets received" "127.0.0.1 answers over lo"
# Nothing of the host's network: its interfaces are not there.
for path in /sys/class/net/*; do
        ifc=${path##*/}
        [ "$ifc" = lo ] && continue
        assert_exit 1 sb "$img" test -e "/sys/class/net/$ifc"
done

