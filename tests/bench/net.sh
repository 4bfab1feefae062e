#!/usr/bin/env bash
# Network benchmark (not part of ctest): --net slirp against slirp4netns, in one run, on the same
# machine. Runs as a normal user; as root it re-runs itself as sandbox-test on the build
# tools/test.sh made in /var/tmp/sandbox-test (or SANDBOX_BUILD_DIR).
#
#   tests/bench/net.sh [SECONDS] [REPEATS]     per measurement, default 4 s, 3 repeats
#
# Everything happens in a throw-away user and network namespace of its own (unshare), with
# iperf3 on addresses of its loopback: no traffic leaves the machine. Measured, as medians of
# the repeats, interleaved so that the machine's other load hits every tool alike:
#   1. plain loopback (the ceiling)
#   2. sandbox→host and host→sandbox over the user-mode stack: our helper vs
#      `slirp4netns --configure --mtu=65520 --disable-host-loopback` on an `unshare -rn`
#      namespace (iperf3 client inside; -R for host→sandbox)
#   3. into a published port (iperf3 server inside, client on the host): our splice(2) fast
#      path, our --port-driver=slirp, slirp4netns's add_hostfwd
#   4. the helper's and slirp4netns's CPU (% of one core) and peak resident memory (VmHWM)
#   5. what --net slirp adds to a launch (hyperfine: --net none vs --net slirp)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
secs=${1:-4}
reps=${2:-3}

bench_build sandbox-slirp
bench_as_test_user "$secs" "$reps"
SANDBOX=$build/sandbox
bench_require iperf3 slirp4netns unshare nsenter ip python3 hyperfine
bench_scratch sandbox-netbench
pids=()
cleanup() {
        for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
        bench_cleanup
}
trap cleanup EXIT
export XDG_CACHE_HOME=$w/cache

# The image: iperf3, its libraries, true, and a /tmp iperf3 may write in.
img=$w/img
mkdir -p "$img"/{tmp,etc,dev,proc,sys,usr/bin}
chmod 1777 "$img/tmp"
for bin in "$(type -P iperf3)" "$(type -P true)"; do
        cp "$bin" "$img/usr/bin/"
        for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
                mkdir -p "$img$(dirname "$lib")"
                cp -L "$lib" "$img$lib"
        done
done

# The world: a user and network namespace whose loopback carries 192.0.2.1.
cat >"$w/world.sh" <<'EOF'
ip link set lo up
ip addr add 192.0.2.1/32 dev lo
: >"$1/up"
exec sleep 100000
EOF
unshare --user --map-root-user --net bash "$w/world.sh" "$w" &
world=$!
pids+=("$world")
for _ in $(seq 100); do [ -e "$w/up" ] && break; sleep 0.05; done
W=(nsenter --target "$world" --user --net --preserve-credentials --)

"${W[@]}" iperf3 -s -B 192.0.2.1 -p 5201 >/dev/null 2>&1 &
pids+=($!)

# slirp4netns on a namespace of its own, inside the world, with its API for port forwarding.
"${W[@]}" unshare --user --map-root-user --net sleep 100000 &
s4ns=$!
pids+=("$s4ns")
sleep 0.3
"${W[@]}" slirp4netns --configure --mtu=65520 --disable-host-loopback \
        --api-socket "$w/s4n.sock" "$s4ns" tap0 >"$w/s4n.log" 2>&1 &
s4n=$!
pids+=("$s4n")
for _ in $(seq 100); do [ -S "$w/s4n.sock" ] && break; sleep 0.05; done
S4=("${W[@]}" nsenter --target "$s4ns" --user --net --preserve-credentials --)
"${W[@]}" python3 - "$w/s4n.sock" <<'EOF'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(json.dumps({"execute": "add_hostfwd", "arguments": {"proto": "tcp",
          "host_addr": "127.0.0.1", "host_port": 5303, "guest_port": 5201}}).encode())
reply = s.recv(4096).decode()
if "error" in reply:
    sys.exit("slirp4netns add_hostfwd: " + reply)
EOF

# gbits CMD...: runs an iperf3 client (-J) and prints the received Gbit/s.
gbits() {
        "$@" -J 2>/dev/null | python3 -c '
import json, sys
try:
    print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))
except Exception:
    print("nan")'
}

# cpu_ticks PID: utime+stime of a process and its threads.
cpu_ticks() {
        awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0
}
# hwm PID: its peak resident memory in kB.
hwm() {
        awk '/VmHWM/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0
}

declare -A res
add() { res[$1]="${res[$1]:-} $2"; }
# med NAME: the median of a measurement's runs.
med() { tr ' ' '\n' <<<"${res[$1]}" | median %.6g; }

hz=$(getconf CLK_TCK)
ours_cpu="" ours_rss="" s4n_cpu="" s4n_rss=""
client=(iperf3 -c 192.0.2.1 -p 5201 -t "$secs" -f g)
echo "== network benchmark: $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); $reps x ${secs}s each"
echo "   launcher: $SANDBOX"
for r in $(seq "$reps"); do
        add loopback "$(gbits "${W[@]}" "${client[@]}")"

        # Ours, sandbox→host and host→sandbox, with the helper's CPU and memory.
        for dir in out in; do
                extra=()
                [ "$dir" = in ] && extra=(-R)
                rm -f "$w/trace" # or the last run's helper pid could be read from it
                "${W[@]}" "$SANDBOX" -q --trace="$w/trace" --net slirp "$img" /usr/bin/iperf3 \
                        "${client[@]:1}" "${extra[@]}" -J >"$w/ours.json" 2>/dev/null &
                sb=$!
                h=
                for _ in $(seq 100); do
                        h=$(sed -n 's/.*helper .* is host pid \([0-9]*\).*/\1/p' "$w/trace" 2>/dev/null | head -n1 || true)
                        [ -n "$h" ] && break
                        sleep 0.02
                done
                # Sampled while it runs: the last sample before the helper ends counts.
                sleep 0.5
                t0=$(cpu_ticks "$h") s0=$(date +%s%N) t1=$t0 s1=$s0 hwm=0
                while kill -0 "$sb" 2>/dev/null; do
                        t=$(cpu_ticks "$h")
                        m=$(awk '/VmHWM/ {print $2}' "/proc/$h/status" 2>/dev/null || true)
                        [ "$t" -gt 0 ] && t1=$t s1=$(date +%s%N)
                        [ -n "$m" ] && hwm=$m
                        sleep 0.2
                done
                wait "$sb" || true
                ours_rss="$ours_rss $hwm"
                ours_cpu="$ours_cpu $(( (t1 - t0) * 100 * 1000000000 / hz / (s1 - s0 + 1) ))"
                add "ours-$dir" "$(python3 -c 'import json,sys; print("%.2f" % (json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]/1e9))' "$w/ours.json" 2>/dev/null || echo nan)"
        done

        # slirp4netns, the same two ways.
        t0=$(cpu_ticks "$s4n") s0=$(date +%s%N)
        add s4n-out "$(gbits "${S4[@]}" "${client[@]}")"
        t1=$(cpu_ticks "$s4n") s1=$(date +%s%N)
        s4n_cpu="$s4n_cpu $(( (t1 - t0) * 100 * 1000000000 / hz / (s1 - s0) ))"
        add s4n-in "$(gbits "${S4[@]}" "${client[@]}" -R)"
        s4n_rss="$s4n_rss $(hwm "$s4n")"

        # Into a published port: the fast path, libslirp's forwarding, slirp4netns's.
        for driver in splice slirp; do
                "${W[@]}" "$SANDBOX" -q --net slirp --port-driver "$driver" -p 127.0.0.1:5301:5201 \
                        "$img" /usr/bin/iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
                sb=$!
                sleep 0.6
                add "pub-$driver" "$(gbits "${W[@]}" iperf3 -c 127.0.0.1 -p 5301 -t "$secs" -f g)"
                wait "$sb" || true
        done
        "${S4[@]}" iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
        sb=$!
        sleep 0.4
        add pub-s4n "$(gbits "${W[@]}" iperf3 -c 127.0.0.1 -p 5303 -t "$secs" -f g)"
        wait "$sb" || true
done

show() { # NAME LABEL
        printf '  %-46s %6s Gbit/s   (runs:%s)\n' "$2" "$(med "$1")" "${res[$1]}"
}
ratio() { # A B
        python3 -c 'import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print("%.2fx" % (a / b) if b else "n/a")' \
                "$(med "$1")" "$(med "$2")"
}
echo
echo "-- throughput (medians)"
show loopback "plain loopback"
show ours-out "sandbox->host, sandbox-slirp"
show s4n-out "sandbox->host, slirp4netns"
show ours-in "host->sandbox, sandbox-slirp"
show s4n-in "host->sandbox, slirp4netns"
show pub-splice "published port in, splice fast path"
show pub-slirp "published port in, --port-driver=slirp"
show pub-s4n "published port in, slirp4netns add_hostfwd"
echo
echo "-- ratios"
echo "  sandbox->host, ours / slirp4netns:            $(ratio ours-out s4n-out)   (target >= 1.0x)"
echo "  host->sandbox, ours / slirp4netns:            $(ratio ours-in s4n-in)"
echo "  published port in, fast path / slirp4netns:  $(ratio pub-splice pub-s4n)   (target >= 3x)"
echo "  published port in, fast path / loopback:     $(ratio pub-splice loopback)"
echo
echo "-- helper (during sandbox->host and host->sandbox)"
echo "  sandbox-slirp: CPU % of a core:$ours_cpu   peak RSS kB:$ours_rss   (target < 4096)"
echo "  slirp4netns:   CPU % of a core:$s4n_cpu   peak RSS kB:$s4n_rss"

echo
echo "-- launch: what --net slirp adds"
hyperfine -N --warmup 5 --runs 30 --export-json "$w/launch.json" \
        -n none "$SANDBOX -q --net none $img /usr/bin/true" \
        -n slirp "$SANDBOX -q --net slirp $img /usr/bin/true" >/dev/null
python3 - "$w/launch.json" <<'EOF'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
n, s = r["none"]["median"] * 1e3, r["slirp"]["median"] * 1e3
print("  --net none   median %7.2f ms" % n)
print("  --net slirp  median %7.2f ms   (+%.2f ms; target < 10 ms)" % (s, s - n))
EOF
