#!/usr/bin/env bash
# The network modes and their options: --net none (the default: loopback only, a resolv.conf
# with no server), --net host (the host's network namespace and resolv.conf, the host's /sys
# read-only, a warning), --net slirp (the command's exit status passes through); and the
# options' errors, each one line and 125 before anything exists.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/lib.sh"
require_sandbox

img=$WORK/img
net_image "$img"
world_start
world_servers --tcp 127.0.0.1:7100:lo-tcp

# --- none, the default --------------------------------------------------------------------------
for opt in "" "--net none"; do
        # shellcheck disable=SC2086 # opt is empty or two words
        assert_exit 0 wsb $opt "$img" sh -c 'ls /sys/class/net; cat /etc/resolv.conf'
        assert_eq "lo" "$(head -n1 <<<"$OUT")" "${opt:-no --net}: only lo"
        assert_no_match "$OUT" '^nameserver' "${opt:-no --net}: resolv.conf names no server"
done
assert_exit 0 wsb --net none "$img" "$PROBE" tcp 192.0.2.1 7100
assert_eq ENETUNREACH "$(field errno "$OUT")" "--net none: nothing outside is reachable"

# --- host ---------------------------------------------------------------------------------------
world_net=$(readlink "/proc/$WORLD_PID/ns/net")
run in_world "$SANDBOX" -q --net host "$img" sh -c "$PROBE ns; cat /etc/resolv.conf; $PROBE tcp 127.0.0.1 7100 hi; $PROBE mounts"
assert_eq 0 "$RC" "--net host runs"
assert_eq "$(sed 's/.*\[\(.*\)\]/\1/' <<<"$world_net")" "$(kv ns.net "$OUT")" \
        "--net host: the host's network namespace"
assert_match "$OUT" '^nameserver 192\.0\.2\.53$' "--net host: the host's resolv.conf"
assert_match "$OUT" '^reply=lo-tcp peer=127\.0\.0\.1:[0-9]+ got=hi$' \
        "--net host: the host's loopback services, directly"
assert_match "$OUT" '^mount=/sys fstype=sysfs options=ro,' "--net host: the host's /sys, read-only"
assert_ne "$(kv ns.user "$OUT")" "$(readlink "/proc/$WORLD_PID/ns/user" | sed 's/.*\[\(.*\)\]/\1/')" \
        "--net host: still a user namespace of its own"
assert_eq 1 "$(grep -c 'warning: --net host' <<<"$ERR")" "--net host: one warning line, even with -q"

# --- slirp passes the command's status through -----------------------------------------------------
assert_exit 7 wsb --net slirp "$img" sh -c 'exit 7'
assert_exit 137 wsb --net slirp "$img" sh -c 'kill -9 $$'

# --- the options' errors ---------------------------------------------------------------------------
state=$(net_state)
check_error() { # EXPECTED-STDERR ARG...
        local want=$1
        shift
        run sb "$@" "$img" true
        assert_eq 125 "$RC" "$* → 125"
        assert_eq "$want" "$ERR" "$*: one line, the cause and the fix"
}
check_error "sandbox: --net: 'bridge' is not none, slirp or host" --net bridge
check_error "sandbox: --publish needs --net slirp (with --net none there is no way into the sandbox)" \
        -p 8080:80
check_error "sandbox: --publish needs --net slirp (with --net host there is nothing to publish: the sandbox's ports are the host's)" \
        --net host -p 8080:80
check_error "sandbox: --allow-host-loopback needs --net slirp (with --net none it means nothing)" \
        --allow-host-loopback
check_error "sandbox: --publish: '8080': both ports are needed: HOSTPORT:PORT (the form is [HOSTIP:]HOSTPORT:PORT[/tcp|/udp])" \
        --net slirp -p 8080
check_error "sandbox: --publish: '8080:80/icmp': the protocol after '/' is tcp or udp (the form is [HOSTIP:]HOSTPORT:PORT[/tcp|/udp])" \
        --net slirp -p 8080:80/icmp
check_error "sandbox: --publish: '127.0.0.1:8080:81': TCP port 127.0.0.1:8080 is already published" \
        --net slirp -p 8080:80 -p 127.0.0.1:8080:81
check_error "sandbox: --port-driver: 'builtin' is not splice or slirp" --net slirp --port-driver builtin
assert_eq "$state" "$(net_state)" "no error left anything on the host"
# Whatever the order on the command line.
run wsb -p 18080:80 --allow-host-loopback --net slirp --port-driver slirp "$img" true
assert_eq 0 "$RC" "the options apply in any order (--net slirp last)"

run sb --help
for opt in "--net none|slirp|host" "-p, --publish [HOSTIP:]HOSTPORT:PORT[/tcp|/udp]" \
        "--allow-host-loopback" "--port-driver splice|slirp"; do
        assert_contains "$OUT" "$opt" "--help lists $opt"
done
