#!/usr/bin/env bash
# Published ports (-p), inwards, by both paths: the splice(2) fast path (the default) and
# libslirp's forwarding (--port-driver=slirp); UDP through the helper's relay. What a server
# inside sees as its client: the host's loopback as the gateway (10.0.2.2, fd00::2), any other
# client with its own address. Bytes cross the fast path intact both ways, with the half-close;
# an unpublished port is refused; a host port in use fails the launch (125) with the reason.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/lib.sh"
require_sandbox

img=$WORK/img
net_image "$img"
world_start

# wait_listening FILE N: until the sandbox's servers printed N listening= lines.
listening_ge() {
        [ "$(grep -c '^listening=' "$1" 2>/dev/null || true)" -ge "$2" ]
}
wait_listening() {
        wait_until 20 listening_ge "$1" "$2"
}

publish=(-p 18080:80 -p 0.0.0.0:18081:81 -p '[::1]:18082:82' -p '[::]:18083:83' -p 18053:53/udp)
servers="$PROBE serve tcp 80 1 & $PROBE serve tcp 81 1 & $PROBE serve tcp 82 1 &
$PROBE serve tcp 83 1 & $PROBE serve udp 53 1 & wait"
for driver in splice slirp; do
        out=$WORK/$driver.out
        wsb_bg "$out" "$WORK/$driver.err" --net slirp --port-driver "$driver" "${publish[@]}" \
                "$img" sh -c "$servers"
        if ! wait_listening "$out" 5; then
                fail "$driver: the sandbox's servers listen" "$(cat "$out" "$WORK/$driver.err")"
                continue
        fi
        run in_world "$SANDBOX_PROBE" tcp 127.0.0.1 18080 hi
        assert_match "$OUT" '^reply=sandbox:80 peer=10\.0\.2\.2:[0-9]+$' \
                "$driver: TCP 127.0.0.1:18080 reaches port 80 inside; the host's loopback is 10.0.2.2 there"
        run in_world "$SANDBOX_PROBE" tcp 192.0.2.1 18081 hi
        assert_match "$OUT" '^reply=sandbox:81 peer=192\.0\.2\.1:[0-9]+$' \
                "$driver: 0.0.0.0:18081: a client at 192.0.2.1 is seen as 192.0.2.1"
        run in_world "$SANDBOX_PROBE" tcp ::1 18082 hi
        assert_match "$OUT" '^reply=sandbox:82 peer=\[fd00::2\]:[0-9]+$' \
                "$driver: TCP [::1]:18082 reaches port 82 inside; ::1 is fd00::2 there"
        run in_world "$SANDBOX_PROBE" tcp 2001:db8::1 18083 hi
        assert_match "$OUT" '^reply=sandbox:83 peer=\[2001:db8::1\]:[0-9]+$' \
                "$driver: [::]:18083: a client at 2001:db8::1 is seen as such"
        run in_world "$SANDBOX_PROBE" udp 127.0.0.1 18053 hi
        assert_match "$OUT" '^reply=sandbox:53 peer=10\.0\.2\.2:[0-9]+$' \
                "$driver: UDP 127.0.0.1:18053 reaches port 53 inside, and the answer comes back"
        wait "$SB_PID" && rc=0 || rc=$?
        assert_eq 0 "$rc" "$driver: the sandbox ends when its five servers had their client"
        assert_eq 5 "$(grep -c '^peer=' "$out")" "$driver: each server inside saw one client"
done

# --- only what is published, and only where -----------------------------------------------------
wsb_bg "$WORK/o" "$WORK/e" --net slirp -p 18080:80 "$img" "$PROBE" serve tcp 80 2
wait_listening "$WORK/o" 1 || fail "the server listens" "$(cat "$WORK/o" "$WORK/e")"
run in_world "$SANDBOX_PROBE" tcp 127.0.0.1 18099
assert_eq ECONNREFUSED "$(field errno "$OUT")" "an unpublished host port is refused"
run in_world "$SANDBOX_PROBE" tcp 192.0.2.1 18080
assert_eq ECONNREFUSED "$(field errno "$OUT")" \
        "a port published on 127.0.0.1 is not on the host's other addresses"
run in_world "$SANDBOX_PROBE" tcp 127.0.0.1 18080 one
assert_match "$OUT" '^reply=sandbox:80 ' "the published port answers"
run in_world "$SANDBOX_PROBE" tcp 127.0.0.1 18080 two
assert_match "$OUT" '^reply=sandbox:80 ' "and again, a second client"
wait "$SB_PID" || true

# Nothing listens inside: the client sees a refusal (a reset), not a hang.
wsb_bg "$WORK/o" "$WORK/e" --trace="$WORK/t" --net slirp -p 18084:84 "$img" sleep 30
wait_until 20 grep -q 'network is up' "$WORK/t" || fail "the sandbox starts" "$(cat "$WORK/e")"
t0=$(date +%s%N)
run in_world "$SANDBOX_PROBE" tcp 127.0.0.1 18084 hi
ms=$((($(date +%s%N) - t0) / 1000000))
assert_eq "" "$(grep '^reply=' <<<"$OUT" || true)" "no answer from a port nothing listens on inside"
if [ "$ms" -lt 2500 ]; then
        pass "the client is reset at once (${ms} ms), not left to time out (3 s)"
else
        fail "the client is reset at once" "it took ${ms} ms"
fi
kill "$SB_PID" 2>/dev/null || true
wait "$SB_PID" 2>/dev/null || true

# --- bytes intact through the fast path, both ways, with the half-close --------------------------
wsb_bg "$WORK/o" "$WORK/e" --net slirp -p 18085:85 "$img" "$PROBE" echo 85 1
wait_listening "$WORK/o" 1 || fail "the echo server listens" "$(cat "$WORK/o" "$WORK/e")"
cat >"$WORK/xfer.py" <<'EOF'
import hashlib, os, socket, threading
data = os.urandom(24 << 20)
s = socket.create_connection(("127.0.0.1", 18085), timeout=30)
def send():
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
t = threading.Thread(target=send)
t.start()
got = bytearray()
while True:
    chunk = s.recv(1 << 20)
    if not chunk:
        break
    got += chunk
t.join()
print("sent", len(data), hashlib.sha256(data).hexdigest())
print("got", len(got), hashlib.sha256(got).hexdigest())
EOF
run in_world python3 "$WORK/xfer.py"
sent=$(sed -n 's/^sent //p' <<<"$OUT")
got=$(sed -n 's/^got //p' <<<"$OUT")
assert_ne "" "$sent" "24 MiB went in"
assert_eq "$sent" "$got" "24 MiB came back out identical (SHA-256), after the client's half-close"
wait "$SB_PID" || true
assert_match "$(cat "$WORK/o")" '^echoed=25165824$' "the server inside read all of it, then EOF"

# --- a host port in use ---------------------------------------------------------------------------
world_servers --tcp 127.0.0.1:18086:taken --udp 127.0.0.1:18087:taken-udp
run wsb --net slirp -p 18086:80 "$img" true
assert_eq 125 "$RC" "a TCP host port in use fails the launch with 125"
assert_contains "$ERR" "sandbox: publishing TCP port 127.0.0.1:18086 (another program has it): Address already in use" \
        "and says which port and why"
run wsb --net slirp -p 18087:80/udp "$img" true
assert_eq 125 "$RC" "a UDP host port in use: 125 too"
assert_contains "$ERR" "publishing UDP port 127.0.0.1:18087" "and says which"
run wsb --net slirp --port-driver slirp -p 18086:80 "$img" true
assert_eq 125 "$RC" "with --port-driver=slirp too"
assert_contains "$ERR" "publishing TCP port 127.0.0.1:18086" "and says which"
run wsb --net slirp -p 192.0.2.99:18088:80 "$img" true
assert_eq 125 "$RC" "an address the host does not have: 125"
assert_contains "$ERR" "no interface of the host has that address" "and says so"
