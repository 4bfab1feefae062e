#!/usr/bin/env bash
# The host's loopback is closed to --net slirp by default, on every route: through the gateway
# (10.0.2.2, fd00::2) over TCP and UDP, through the DNS alias on any port but 53 (the world's
# name server here is a stub on 127.0.0.53, as with systemd-resolved), through other addresses
# of the virtual network, and with raw frames aimed straight at 127.0.0.1, ::1,
# ::ffff:127.0.0.1, 0.0.0.0 or the broadcast address (root inside has CAP_NET_RAW).
# --allow-host-loopback opens the gateway routes, with a warning. The host's abstract unix
# sockets are out of reach but with --net host, which warns.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/lib.sh"
require_sandbox

img=$WORK/img
net_image "$img"
# The world's resolver is a loopback stub, and loopback services listen next to it.
world_start "nameserver 127.0.0.53"
abstract=sandbox-test-$$-$RANDOM
world_servers --dns 127.0.0.53:53 \
        --tcp 127.0.0.1:7100:lo-tcp --udp 127.0.0.1:7100:lo-udp \
        --tcp '[::1]:7100:lo6-tcp' --udp '[::1]:7100:lo6-udp' \
        --tcp 127.0.0.53:7100:stub-tcp --udp 127.0.0.53:7100:stub-udp \
        --udp 192.0.2.1:7200:world-udp --abstract "$abstract"

# loopback_hits: the lines the world's loopback servers logged.
loopback_hits() {
        world_log | grep -E '^(tcp|udp) (lo|lo6|stub)-' || true
}

# --- closed: every route, and a control that would show a leak ---------------------------------
tries=(
        "tcp 10.0.2.2 7100" "udp 10.0.2.2 7100"
        "tcp fd00::2 7100" "udp fd00::2 7100"
        "tcp 10.0.2.3 7100" "udp 10.0.2.3 7100"
        "tcp fd00::3 7100" "udp fd00::3 7100"
        "tcp 10.0.2.9 7100"
        "raw tap0 127.0.0.1 tcp 7100" "raw tap0 127.0.0.1 udp 7100"
        "raw tap0 127.0.0.53 udp 7100" "raw tap0 0.0.0.0 udp 7100"
        "raw tap0 255.255.255.255 udp 7100" "raw tap0 10.0.2.255 udp 7100"
        "raw tap0 ::1 tcp 7100" "raw tap0 ::1 udp 7100"
        "raw tap0 ::ffff:127.0.0.1 udp 7100" "raw tap0 :: udp 7100"
)
script=""
for t in "${tries[@]}"; do
        script+="$PROBE $t; "
done
# The control: a raw frame to the world's ordinary address goes through, so the raw frames
# above would have too, were they not stopped.
script+="$PROBE raw tap0 192.0.2.1 udp 7200; sleep 1; $PROBE dns world.test"
assert_exit 0 wsb --net slirp "$img" sh -c "$script"
for proto in tcp udp; do
        for a in 10.0.2.2 fd00::2 10.0.2.3 fd00::3; do
                r=$(grep "^$proto=$a:7100 " <<<"$OUT" || true)
                if [ -n "$r" ] && [ "$(field ret "$r")" = -1 ]; then
                        pass "$proto to $a:7100 fails ($(field errno "$r"))"
                else
                        fail "$proto to $a:7100 fails" "got: $r"
                fi
        done
done
r=$(grep '^tcp=10.0.2.2:7100 ' <<<"$OUT" || true)
assert_eq EHOSTUNREACH "$(field errno "$r")" \
        "TCP through the gateway fails at once, administratively prohibited (not a timeout)"
assert_eq 20 "$(grep -c '^\(tcp\|udp\|raw\)=' <<<"$OUT")" "all 19 attempts and the control were made"
assert_eq "" "$(loopback_hits)" "no loopback service of the host saw any of them"
assert_match "$(world_log)" '^udp world-udp peer=[^ ]+ got=raw$' \
        "control: a raw frame to an ordinary address does get through"
assert_match "$OUT" '^dns=world\.test server=10\.0\.2\.3 ret=0 errno=0 rcode=0 answer=192\.0\.2\.1$' \
        "DNS through 10.0.2.3 reaches the host's stub on 127.0.0.53 (port 53 only)"

# --- open with the option -------------------------------------------------------------------------
assert_exit 0 wsb --net slirp --allow-host-loopback "$img" sh -c \
        "$PROBE tcp 10.0.2.2 7100 via-gw4; $PROBE udp 10.0.2.2 7100 via-gw4u;
         $PROBE tcp fd00::2 7100 via-gw6; $PROBE udp fd00::2 7100 via-gw6u;
         $PROBE tcp 10.0.2.3 7100 via-dns"
assert_match "$OUT" '^reply=lo-tcp peer=127\.0\.0\.1:[0-9]+ got=via-gw4$' \
        "--allow-host-loopback: TCP 10.0.2.2:7100 reaches the host's 127.0.0.1:7100"
assert_match "$OUT" '^reply=lo-udp peer=127\.0\.0\.1:[0-9]+ got=via-gw4u$' \
        "--allow-host-loopback: UDP too"
assert_match "$OUT" '^reply=lo6-tcp peer=\[::1\]:[0-9]+ got=via-gw6$' \
        "--allow-host-loopback: TCP [fd00::2]:7100 reaches the host's [::1]:7100"
assert_match "$OUT" '^reply=lo6-udp peer=\[::1\]:[0-9]+ got=via-gw6u$' \
        "--allow-host-loopback: UDP over IPv6 too"
assert_eq -1 "$(field ret "$(grep '^tcp=10.0.2.3:7100 ' <<<"$OUT")")" \
        "--allow-host-loopback: the DNS alias stays port 53 only"
assert_eq "" "$(world_log | grep 'stub-tcp' || true)" "the stub's other ports stay out of reach"
run in_world "$SANDBOX" --net slirp --allow-host-loopback "$img" true
assert_contains "$ERR" "sandbox: warning: --allow-host-loopback: the sandbox reaches every service bound to this host's 127.0.0.1 and ::1" \
        "--allow-host-loopback warns"
run in_world "$SANDBOX" -q --net slirp --allow-host-loopback "$img" true
assert_contains "$ERR" "warning: --allow-host-loopback" "even with -q"

# --- abstract unix sockets --------------------------------------------------------------------------
run in_world "$SANDBOX_PROBE" unix "@$abstract"
assert_eq 0 "$(field ret "$OUT")" "control: the host's abstract socket @$abstract answers on the host"
for mode in slirp none; do
        assert_exit 0 wsb --net "$mode" "$img" "$PROBE" unix "@$abstract"
        assert_eq ECONNREFUSED "$(field errno "$OUT")" "--net $mode: the host's abstract socket is out of reach"
done
run in_world "$SANDBOX" --net host "$img" "$PROBE" unix "@$abstract"
assert_eq 0 "$(field ret "$OUT")" "--net host: it is reachable, as the warning says"
assert_contains "$ERR" "sandbox: warning: --net host: the sandbox shares your network namespace" \
        "--net host warns"
assert_contains "$ERR" "abstract unix sockets such as X11's" "and names abstract sockets"
