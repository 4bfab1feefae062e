#!/usr/bin/env bash
# sandbox ps and sandbox inspect: a running sandbox is listed with its id, name, image, profile,
# the host pids of its pid 1 and of its command, uptime, network and limits; inspect shows its
# namespaces, id maps, mounts, cgroup, seccomp and capabilities as they really are; both forget
# it once it exits, and once its launcher is SIGKILLed (the stale record is removed). --name is
# unique among a user's running sandboxes.
source "$(dirname "$0")/../lib/common.sh"
require_sandbox

root=$WORK/root
busybox_probe_image "$root"
img=$WORK/img.tar.gz
make_tar "$root" "$img"
assert_exit 0 sb "$img" /bin/true # warm the cache

# pyjson EXPR: evaluates a Python expression over the JSON on stdin (bound to j).
pyjson() {
        python3 -c 'import json, sys; j = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

# --- nothing running ----------------------------------------------------------------------------
assert_exit 0 sb ps
assert_eq "ID  NAME  IMAGE  PROFILE  PID1  PID  UPTIME  NETWORK  PORTS  LIMITS" "$(printf '%s' "$OUT" | sed 's/ *$//')" \
        "ps with nothing running prints the header only"
assert_exit 0 sb ps --json
assert_eq "[]" "$OUT" "ps --json with nothing running is an empty array"

# --- one running sandbox ------------------------------------------------------------------------
sb_bg "$WORK/a.out" "$WORK/a.err" --name web --memory 64M --pids 50 --limits best-effort \
        --hostname box --user 1000:1000 "$img" "$PROBE" signal-wait
launcher=$SB_PID
if ! wait_until 20 grep -q '^ready=1' "$WORK/a.out"; then
        fail "the sandbox starts" "stdout: $(cat "$WORK/a.out")" "stderr: $(cat "$WORK/a.err")"
        exit 1
fi
pid1=$(pgrep -P "$launcher" | head -n 1)
command=$(pgrep -P "$pid1" | head -n 1)
note "launcher $launcher, pid 1 $pid1, command $command"

assert_exit 0 sb ps
line=$(printf '%s\n' "$OUT" | sed -n 2p)
assert_eq 2 "$(nlines "$OUT")" "ps lists one sandbox under its header"
read -r id name image profile p1 pc uptime net rest <<<"$line"
assert_match "$id" '^[0-9a-f]{16}$' "ps shows a 16-hex id ($id)"
assert_eq web "$name" "ps shows the --name"
assert_eq img.tar.gz "$image" "ps shows the image"
assert_eq default "$profile" "ps shows the profile (default: none named)"
assert_eq "$pid1" "$p1" "ps shows the host pid of the sandbox's pid 1"
assert_eq "$command" "$pc" "ps shows the host pid of the command"
assert_match "$uptime" '^[0-9]+s$' "ps shows an uptime in seconds ($uptime)"
assert_eq loopback "$net" "ps shows the network mode"
assert_contains "$rest" "memory=64M pids=50" "ps shows the limits asked for"
assert_exit 0 sb ps -q
assert_eq "$id" "$OUT" "ps -q prints the id only"
assert_exit 0 sb ps --format names
assert_eq web "$OUT" "ps --format names prints the name"

assert_exit 0 sb ps --json
assert_eq "1 $id web $pid1 $command loopback 64M" \
        "$(pyjson '" ".join(map(str, [len(j), j[0]["id"], j[0]["name"], j[0]["pid1"], j[0]["command_pid"], j[0]["network"]["mode"], j[0]["limits"]["memory"]]))' <<<"$OUT")" \
        "ps --json: id, name, host pids, network, limits"
assert_eq "$launcher" "$(pyjson 'j[0]["launcher_pid"]' <<<"$OUT")" "ps --json: the launcher's pid"

# The host pids are the real ones: the command is the probe, pid 1 its parent.
assert_eq probe "$(cat "/proc/$command/comm" 2>/dev/null)" "the command's host pid is the probe"
assert_eq "$pid1" "$(awk '/^PPid:/ {print $2}' "/proc/$command/status")" "its parent is pid 1's host pid"

# --- inspect ------------------------------------------------------------------------------------
for ref in "$id" web "${id:0:6}"; do
        assert_exit 0 sb inspect "$ref"
        assert_eq "$id" "$(pyjson 'j[0]["id"]' <<<"$OUT")" "inspect $ref finds the sandbox (id, name or id prefix)"
done
assert_exit 0 sb inspect web
json=$OUT
for ns in user mnt pid ipc uts net cgroup; do
        want=$(stat -L -c %i "/proc/$command/ns/$ns")
        assert_eq "$want" "$(pyjson "j[0]['namespaces']['$ns']" <<<"$json")" "inspect: the $ns namespace inode is the command's"
done
host_ns=$(stat -L -c %i /proc/self/ns/net)
assert_ne "$host_ns" "$(pyjson "j[0]['namespaces']['net']" <<<"$json")" "inspect: the network namespace is not the host's"
read -r sub_start sub_count <<<"$(subid_range /etc/subuid)"
want_map="0 $(id -u) 1"
[ -z "$sub_start" ] || want_map="$want_map;1 $sub_start $sub_count"
assert_eq "$want_map" "$(pyjson '";".join("%d %d %d" % (e["inside"], e["outside"], e["count"]) for e in j[0]["id_maps"]["uid"])' <<<"$json")" \
        "inspect: the uid map (you as root, then your subordinate range)"
assert_eq "$(tr -d ' ' </proc/"$command"/uid_map | paste -sd';' -)" \
        "$(pyjson '";".join("%d%d%d" % (e["inside"], e["outside"], e["count"]) for e in j[0]["id_maps"]["uid"])' <<<"$json")" \
        "inspect: the uid map is the one the kernel has"
mounts=$(pyjson '"\n".join(m["target"] + " " + m["type"] for m in j[0]["mounts"])' <<<"$json")
assert_match "$mounts" '^/ overlay$' "inspect: the root is an overlay"
assert_match "$mounts" '^/proc proc$' "inspect: /proc is a proc mount"
assert_match "$mounts" '^/dev tmpfs$' "inspect: /dev is a tmpfs"
assert_match "$mounts" '^/proc/kcore |^/proc/keys ' "inspect: masked paths are listed"
assert_no_match "$mounts" '^/home |^/tmp/sandbox-test' "inspect: no host path is mounted"
assert_eq "$(sed -n 's/^0:://p' "/proc/$pid1/cgroup")" "$(pyjson 'j[0]["cgroup"]' <<<"$json")" "inspect: the cgroup is pid 1's"
assert_eq "filter 1 True" "$(pyjson '"%s %d %s" % (j[0]["user"]["seccomp"]["mode"], j[0]["user"]["seccomp"]["filters"] > 0, j[0]["user"]["seccomp"]["no_new_privs"])' <<<"$json")" \
        "inspect: seccomp filter and no_new_privs on the command"
assert_eq "1000 1000 [] AUDIT_WRITE,CHOWN,DAC_OVERRIDE,FOWNER,FSETID,KILL,MKNOD,NET_BIND_SERVICE,NET_RAW,SETFCAP,SETGID,SETPCAP,SETUID,SYS_CHROOT" \
        "$(pyjson '"%d %d %s %s" % (j[0]["user"]["uid"], j[0]["user"]["gid"], j[0]["user"]["capabilities"]["effective"], ",".join(sorted(j[0]["user"]["capabilities"]["bounding"])))' <<<"$json")" \
        "inspect: the command's identity and capability sets (uid 1000: none effective)"
assert_eq "$(awk '/^Uid:/ {print $2}' "/proc/$command/status")" "$(pyjson 'j[0]["user"]["host_uid"]' <<<"$json")" \
        "inspect: the command's host uid"
assert_eq box "$(pyjson 'j[0]["hostname"]' <<<"$json")" "inspect: the hostname"
assert_contains "$(pyjson '" ".join(j[0]["command"]["argv"])' <<<"$json")" "--name web" "inspect: the launcher's command line"

assert_exit 125 sb inspect no-such-sandbox
assert_contains "$ERR" "no running sandbox no-such-sandbox" "inspect of an unknown sandbox: 125 and why"
assert_eq "" "$OUT" "... and nothing on stdout"

# --- names are unique -------------------------------------------------------------------------
assert_exit 125 sb --name web "$img" /bin/true
assert_contains "$ERR" "a sandbox named web is already running (id $id)" "a second --name web is refused while the first runs"
assert_exit 125 sb --name 0123456789abcdef "$img" /bin/true
assert_contains "$ERR" "not a name" "a name that reads as an id is refused"
assert_exit 125 sb --name 'a/b' "$img" /bin/true
assert_exit 125 sb --name '' "$img" /bin/true

# --- forgotten after exit -------------------------------------------------------------------------
state_dir=$(cache_root)/state
assert_file_present "$state_dir/$id.state" "the state record exists while the sandbox runs"
assert_eq "700 $(id -u)" "$(stat -c '%a %u' "$state_dir")" "the state directory is 0700 and yours"
kill -TERM "$launcher"
wait "$launcher" || true
assert_exit 0 sb ps -q
assert_eq "" "$OUT" "ps forgets a sandbox once it exited"
assert_file_absent "$state_dir/$id.state" "its state record is removed at exit"
assert_file_absent "$state_dir/$id.sock" "its control socket is removed at exit"
assert_exit 0 sb --name web "$img" /bin/true
pass "the name is free again once the sandbox exited"

# --- forgotten after a SIGKILL of the launcher --------------------------------------------------
sb_bg "$WORK/k.out" "$WORK/k.err" --name doomed "$img" "$PROBE" signal-wait
wait_until 20 grep -q '^ready=1' "$WORK/k.out" || true
assert_exit 0 sb ps --format names
assert_eq doomed "$OUT" "the second sandbox is listed"
kid=$(sb ps -q)
kill -KILL "$SB_PID"
wait "$SB_PID" 2>/dev/null || true
assert_file_present "$state_dir/$kid.state" "a SIGKILLed launcher leaves its record behind"
assert_exit 0 sb ps
assert_eq 1 "$(nlines "$OUT")" "ps does not list a sandbox whose launcher was SIGKILLed"
assert_file_absent "$state_dir/$kid.state" "... and removes its stale record"
assert_file_absent "$state_dir/$kid.sock" "... and its socket"
assert_exit 125 sb inspect doomed
assert_exit 0 sb --name doomed "$img" /bin/true
pass "the name of a SIGKILLed sandbox is free again"

# A launch sweeps stale records too.
sb_bg "$WORK/k2.out" "$WORK/k2.err" "$img" "$PROBE" signal-wait
wait_until 20 grep -q '^ready=1' "$WORK/k2.out" || true
kid=$(sb ps -q)
kill -KILL "$SB_PID"
wait "$SB_PID" 2>/dev/null || true
assert_exit 0 sb "$img" /bin/true
assert_file_absent "$state_dir/$kid.state" "the next launch removes a stale record"
assert_eq ".lock" "$(ls -A "$state_dir")" "nothing but the lock file is left in the state directory"

# --- a sandbox that is still starting ---------------------------------------------------------
# Its record exists from the start (published while the image unpacks), the command does not: ps
# shows it as starting, and nothing may enter or signal a command that is not there yet.
big=$WORK/big
mkdir -p "$big"
cp -a "$root/." "$big/"
python3 - "$big/many" <<'PY'
import os, sys
for d in range(40):
    os.makedirs("%s/%02d" % (sys.argv[1], d))
    for f in range(500):
        open("%s/%02d/%03d" % (sys.argv[1], d, f), "w").close()
PY
make_tar "$big" "$WORK/big.tar"
sb_bg "$WORK/big.out" "$WORK/big.err" --name slow "$WORK/big.tar" "$PROBE" sleep 30
# slow_state: absent, starting or running.
slow_state() {
        sb ps --json | python3 -c 'import json, sys
s = [x["command_pid"] for x in json.load(sys.stdin) if x["name"] == "slow"]
print("absent" if not s else "starting" if s[0] is None else "running")'
}
seen=0 refused=0
for _ in $(seq 500); do
        state=$(slow_state)
        [ "$state" != running ] || break
        if [ "$state" = starting ]; then
                seen=1
                rc=0
                enter_err=$(sb enter slow true 2>&1) || rc=$?
                if [ "$(slow_state)" = starting ]; then
                        # The whole attempt fell inside the start: it must have been refused.
                        [ "$rc" = 125 ] && [[ $enter_err == *"still starting"* ]] && refused=1
                        break
                fi
        fi
        sleep 0.02
done
if [ "$seen" = 1 ]; then
        pass "ps lists a sandbox that is still starting, without a command pid"
        assert_eq 1 "$refused" "enter refuses a sandbox that is still starting ('still starting', 125)"
        assert_match "$(sb ps)" ' slow .* starting ' "the ps table says starting"
else
        note "the unpack was too quick to see the sandbox starting"
fi
wait_until 60 sh -c "'$SANDBOX' ps --json | grep -q '\"command_pid\":[0-9]'" || true
assert_exit 0 sb stop -t 1 slow
wait "$SB_PID" 2>/dev/null || true

# --- bad use ------------------------------------------------------------------------------------
assert_exit 125 sb ps --no-such-option
assert_contains "$ERR" "usage: sandbox ps" "ps: a bad option is a usage error"
assert_exit 125 sb inspect
assert_exit 0 sb ps --help
assert_contains "$OUT" "Usage: sandbox ps" "ps --help"

# --- the network column: mode and published ports ------------------------------------------------
if [ -r /dev/net/tun ] && [ -w /dev/net/tun ]; then
        port=$((20000 + RANDOM % 20000))
        sb_bg "$WORK/net.out" "$WORK/net.err" --name netps --net slirp -p "$port:80" "$img" \
                "$PROBE" signal-wait
        if wait_until 20 grep -q '^ready=1' "$WORK/net.out"; then
                assert_exit 0 sb ps --json
                assert_eq "slirp 127.0.0.1:$port:80/tcp" \
                        "$(pyjson 'j[0]["network"]["mode"] + " " + ",".join(j[0]["network"]["ports"])' <<<"$OUT")" \
                        "ps --json shows --net slirp and the published port"
        else
                fail "a --net slirp sandbox starts" "stderr: $(cat "$WORK/net.err")"
        fi
        sb stop -t 1 netps >/dev/null 2>&1 || true
        wait "$SB_PID" 2>/dev/null || true
else
        note "/dev/net/tun is not read-write here: the --net slirp column is not checked"
fi
