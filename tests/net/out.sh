#!/usr/bin/env bash
# --net slirp, outwards: tap0 with its addresses, routes and MTU; /etc/resolv.conf names the DNS
# forwarder; names resolve through 10.0.2.3 and fd00::3 (the world's DNS server sees the query
# come from the host); TCP and UDP reach the world's servers over IPv4 and IPv6; the command's
# very first packet finds the network up. All inside the test's own network namespace.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/lib.sh"
require_sandbox

img=$WORK/img
net_image "$img"
world_start
world_servers --tcp 192.0.2.1:7000:world-tcp --udp 192.0.2.1:7000:world-udp \
        --tcp '[2001:db8::1]:7000:world-tcp6' --udp '[2001:db8::1]:7000:world-udp6' \
        --dns 192.0.2.53:53 --dns '[2001:db8::53]:53'

# --- the interface ---------------------------------------------------------------------------
assert_exit 0 wsb --net slirp "$img" "$PROBE" ifaddrs
assert_match "$OUT" '^addr=tap0 family=inet address=10\.0\.2\.100 prefix=24$' "tap0 has 10.0.2.100/24"
assert_match "$OUT" '^addr=tap0 family=inet6 address=fd00::100 prefix=64$' "tap0 has fd00::100/64"
assert_match "$OUT" '^mtu=tap0 value=65520$' "tap0's MTU is 65520"
assert_match "$OUT" '^addr=lo family=inet address=127\.0\.0\.1 ' "lo is there and up"
assert_eq 1 "$(grep -c '^addr=tap0 family=inet6 address=fd00:' <<<"$OUT")" \
        "one global IPv6 address (no second one from a router advertisement)"
assert_exit 0 wsb --net slirp "$img" cat /proc/net/route /proc/net/ipv6_route
assert_match "$OUT" '^tap0[[:space:]]+00000000[[:space:]]+0202000A' "IPv4 default route via 10.0.2.2"
assert_match "$OUT" '^0{32} 00 0{32} 00 fd000000000000000000000000000002 .* tap0$' \
        "IPv6 default route via fd00::2"

# --- DNS -------------------------------------------------------------------------------------
assert_exit 0 wsb --net slirp "$img" cat /etc/resolv.conf
assert_match "$OUT" '^nameserver 10\.0\.2\.3$' "resolv.conf names 10.0.2.3"
assert_match "$OUT" '^nameserver fd00::3$' "resolv.conf names fd00::3 (the host has an IPv6 server)"
assert_not_contains "$OUT" "192.0.2.53" "resolv.conf does not name the host's own server"
assert_exit 0 wsb --net slirp "$img" "$PROBE" dns world.test
assert_eq "0 0 192.0.2.1" "$(field ret "$OUT") $(field rcode "$OUT") $(field answer "$OUT")" \
        "world.test resolves through 10.0.2.3 (the resolv.conf default)"
assert_eq 10.0.2.3 "$(field server "$OUT")" "the query went to 10.0.2.3"
assert_exit 0 wsb --net slirp "$img" "$PROBE" dns world.test aaaa fd00::3
assert_eq "0 2001:db8::1" "$(field rcode "$OUT") $(field answer "$OUT")" \
        "world.test's AAAA resolves through fd00::3"
assert_exit 0 wsb --net slirp "$img" "$PROBE" dns nosuch.test
assert_eq 3 "$(field rcode "$OUT")" "a missing name is NXDOMAIN, from the world's server"
assert_match "$(world_log)" '^dns peer=192\.0\.2\.53:[0-9]+ qname=world\.test qtype=1 proto=udp$' \
        "the world's DNS server got the IPv4 query, from the host's side"
assert_match "$(world_log)" '^dns peer=\[2001:db8::53\]:[0-9]+ qname=world\.test qtype=28 proto=udp$' \
        "the world's DNS server got the IPv6 query"

# --- TCP and UDP, IPv4 and IPv6 --------------------------------------------------------------
for addr in 192.0.2.1 2001:db8::1; do
        v=4 && [ "$addr" = 192.0.2.1 ] || v=6
        tag=world-tcp && [ $v = 4 ] || tag=world-tcp6
        assert_exit 0 wsb --net slirp "$img" "$PROBE" tcp "$addr" 7000 hello-$v
        assert_eq "0" "$(field ret "$OUT")" "IPv$v: TCP to $addr:7000 connects"
        assert_match "$OUT" "^reply=$tag peer=.* got=hello-$v\$" "IPv$v: TCP data goes both ways"
        tag=world-udp && [ $v = 4 ] || tag=world-udp6
        assert_exit 0 wsb --net slirp "$img" "$PROBE" udp "$addr" 7000 ping-$v
        assert_match "$OUT" "^reply=$tag peer=.* got=ping-$v\$" "IPv$v: a UDP datagram and its answer"
done
assert_match "$(world_log)" '^tcp world-tcp peer=192\.0\.2\.1:[0-9]+ got=hello-4$' \
        "the world saw the TCP client as the host (NAT)"

# --- no race at start --------------------------------------------------------------------------
# The command's first act is a connection: it must find tap0 up and the helper reading it.
ok=0
for i in 1 2 3 4 5 6 7 8; do
        run wsb --net slirp "$img" "$PROBE" tcp 192.0.2.1 7000 first-$i
        [ "$(field ret "$OUT")" = 0 ] && [[ $OUT == *"got=first-$i"* ]] && ok=$((ok + 1))
done
assert_eq 8 "$ok" "8 of 8 commands whose first packet is a TCP connection got through"
assert_exit 0 wsb --trace="$WORK/trace" --net slirp "$img" true
order=$(grep -n -E 'the network is up| exec +/' "$WORK/trace" | sed -n 's/^\([0-9]*\):.*\(network is up\|exec\).*/\2/p' | paste -sd, -)
assert_eq "network is up,network is up,exec" "$order" \
        "the trace has the network up (launcher, child) before the exec"
