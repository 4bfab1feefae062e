# shellcheck shell=bash
# Sourced by the network tests after tests/lib/common.sh: the test's own "outside world".
#
# No test traffic may leave this machine, so each test builds a world of its own: new user,
# network and mount namespaces (unshare, as the test user), whose loopback carries the world's
# addresses (192.0.2.1 and 2001:db8::1, documentation ranges; its "host loopback" is its
# 127.0.0.1 and ::1), whose /etc/resolv.conf is the test's, and whose servers the test starts
# (world.py). Launchers run inside it (in_world, wsb): to them it is the host. Inside, the
# test user is root of that user namespace, with no subordinate range: sandboxes started
# there get a single-id map (the launcher says so; -q silences it).

NET_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WORLD=
WORLD_PID=

# world_start [RESOLV_CONF_LINE...]: the world, with the given resolv.conf (default:
# "nameserver 192.0.2.53" and "nameserver 2001:db8::53").
world_start() {
        command -v unshare >/dev/null && command -v nsenter >/dev/null && command -v ip >/dev/null ||
                skip "needs unshare, nsenter (util-linux) and ip (iproute2)"
        [ -r /dev/net/tun ] && [ -w /dev/net/tun ] ||
                skip "--net slirp needs /dev/net/tun read-write for everyone, as distributions ship it (tools/setup-debian.sh does chmod 666 /dev/net/tun)"
        WORLD=$WORK/world
        mkdir -p "$WORLD"
        if [ $# -gt 0 ]; then
                printf '%s\n' "$@" >"$WORLD/resolv.conf"
        else
                printf '%s\n' "nameserver 192.0.2.53" "nameserver 2001:db8::53" >"$WORLD/resolv.conf"
        fi
        cat >"$WORLD/init.sh" <<'EOF'
set -e
ip link set lo up
for a in 192.0.2.1 192.0.2.53; do ip addr add "$a/32" dev lo; done
for a in 2001:db8::1 2001:db8::53; do ip -6 addr add "$a/128" dev lo nodad; done
mount --bind "$1/resolv.conf" /etc/resolv.conf
: >"$1/up"
exec sleep 3600
EOF
        unshare --user --map-root-user --net --mount bash "$WORLD/init.sh" "$WORLD" \
                >"$WORLD/init.log" 2>&1 &
        WORLD_PID=$!
        track_pid "$WORLD_PID"
        if ! wait_until 10 test -e "$WORLD/up"; then
                cat "$WORLD/init.log" >&2 || true
                skip "could not build the test's network namespace (unprivileged user and network namespaces needed)"
        fi
}

# in_world COMMAND...: runs COMMAND in the world (absolute paths only: its root is "/").
# nsenter execs COMMAND: started in the background, $! is COMMAND's pid.
in_world() {
        nsenter --target "$WORLD_PID" --user --net --mount --preserve-credentials -- "$@"
}
world_cmd() { # the same, as an array for "${WORLD_CMD[@]}" ... &
        WORLD_CMD=(nsenter --target "$WORLD_PID" --user --net --mount --preserve-credentials --)
}

# wsb ARG...: the launcher in the world, with the watchdog of sb.
wsb() {
        in_world timeout -k 5 "${SB_TIMEOUT:-60}" "$SANDBOX" -q "$@"
}

# wsb_bg OUTFILE ERRFILE ARG...: wsb in the background; sets SB_PID (the nsenter, which
# execs into the launcher).
wsb_bg() {
        local out=$1 err=$2
        shift 2
        world_cmd
        "${WORLD_CMD[@]}" "$SANDBOX" -q "$@" >"$out" 2>"$err" </dev/null &
        SB_PID=$!
        track_pid "$SB_PID"
}

# world_servers ARG...: world.py with these servers (see world.py), logging to $WORLD/log;
# returns once they listen.
world_servers() {
        local ready=$WORLD/ready.$RANDOM
        world_cmd
        "${WORLD_CMD[@]}" python3 "$NET_LIB/world.py" --log "$WORLD/log" --ready "$ready" "$@" \
                >>"$WORLD/servers.log" 2>&1 &
        track_pid $!
        if ! wait_until 10 test -e "$ready"; then
                cat "$WORLD/servers.log" >&2 || true
                fail "the world's servers started" "see above"
                exit 1
        fi
        touch "$WORLD/log"
}

# world_log: what the world's servers logged so far.
world_log() {
        cat "$WORLD/log" 2>/dev/null || true
}

# helper_pid TRACEFILE: the host pid of the network helper, from a launcher's --trace.
helper_pid() {
        sed -n 's/.*helper .* is host pid \([0-9]*\).*/\1/p' "$1" | head -n1
}

# net_image DIR: a busybox image with the probe, and sha256sum for the transfer checks.
net_image() {
        busybox_probe_image "$1"
        ln -sf busybox "$1/bin/sha256sum"
}

# net_state: what a launch could leave behind on the host: this test's cache (run directories)
# and its TMPDIR. Narrower than common.sh's host_state, whose /tmp and /dev/shm listing also
# holds what other jobs of the same test user do at the same time.
net_state() {
        {
                listing "$(cache_root)"
                find "$TMPDIR" -mindepth 1 -path "$WORK" -prune -o -print 2>/dev/null || true
        } | sort
}
net_state_is() {
        [ "$(net_state)" = "$1" ]
}
