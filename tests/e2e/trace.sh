#!/usr/bin/env bash
# --trace: every step of a real launch, in order, with its time, duration and side: the image
# cache (miss, unpack, hit), the clone and each namespace with its inode, the id maps (helper
# and ranges), each mount, the masked paths, pivot_root, the hostname, loopback, capabilities,
# identity, no_new_privs, seccomp (how many rules), the exec (path and argv), the exit and the
# teardown. --trace=FILE writes it there; --trace-json writes JSON lines. Off, nothing.
source "$(dirname "$0")/../lib/common.sh"
require_sandbox

root=$WORK/root
busybox_probe_image "$root"
mkdir -p "$root/run" # for --read-only
img=$WORK/img.tar.gz
make_tar "$root" "$img"

# steps TEXT: the step names of a text trace, in order.
steps() {
        printf '%s\n' "$1" | sed -n 's/^\[ *[0-9.]* ms + *[0-9.]*\] *[a-z]* *\([a-z_-]*\) .*/\1/p'
}

# in_order TRACE PATTERN...: every PATTERN (an ERE) matches a line, each after the previous.
in_order() {
        local trace=$1 n=0 line pattern
        shift
        for pattern in "$@"; do
                line=$(printf '%s\n' "$trace" | grep -nE -- "$pattern" | awk -F: -v n="$n" '$1 > n {print $1; exit}')
                if [ -z "$line" ]; then
                        echo "no line matching /$pattern/ after line $n"
                        return 1
                fi
                n=$line
        done
}

# --- a first launch: the image is unpacked ------------------------------------------------------
assert_exit 0 sb --trace "$img" "$PROBE" ns
trace=$ERR
ns_out=$OUT
assert_eq "" "$(printf '%s\n' "$trace" | grep -v '^\[' || true)" "every trace line has the [time +duration] form"
assert_match "$trace" '^\[ *[0-9]+\.[0-9]{3} ms \+ *[0-9]+\.[0-9]{3}\] host +image +.*not cached yet' \
        "a line: [time since launch +duration] side step detail (here the image cache miss)"
order=(
        ' host +image .*not cached yet'
        ' host +seccomp .*filter\(s\) ready: compiled'
        ' host +state .*run directory .* created'
        ' host +clone .*pid 1 of the sandbox is host pid [0-9]+'
        ' host +namespace +user:\[[0-9]+\]'
        ' host +namespace +cgroup:\[[0-9]+\]'
        ' host +idmap '
        ' child +child .*ids mapped'
        ' child +image .*unpacked'
        ' child +mount +overlay on / '
        ' child +storage +the root is mounted by kernel overlayfs over 1 layer'
        ' child +mount +proc on /proc \(nosuid,nodev,noexec\)'
        ' child +mask +/proc/'
        ' child +mount +tmpfs on /dev '
        ' child +mount +devpts on /dev/pts'
        ' child +mount +sysfs on /sys '
        ' child +mount +bind .* on /etc/hosts'
        ' child +pivot_root +old root detached'
        ' child +hostname +sandbox'
        ' child +net +lo up'
        ' workload +caps +bounding set [A-Z_,]*CHOWN'
        ' workload +identity +uid 0 gid 0'
        ' workload +no_new_privs '
        ' workload +seccomp +[0-9]+ filter\(s\) installed'
        ' workload +exec +/usr/local/bin/probe argv \["/usr/local/bin/probe", "ns"\]'
        ' init +teardown +pid 1 killed and reaped'
        ' host +exit +pid 1 reaped'
        ' host +teardown +state record [0-9a-f]+ removed'
        ' host +teardown +run directory [0-9a-f]+ removed'
)
if why=$(in_order "$trace" "${order[@]}"); then
        pass "a first launch traces each step in order (${#order[@]} steps, $(nlines "$trace") lines)"
else
        fail "a first launch traces each step in order" "$why" "trace: $trace"
fi
assert_match "$trace" ' host +started +the command is host pid [0-9]+' "the command's host pid is traced"
assert_match "$trace" ' host +state +record .*\.state published, control socket listening' "the state record is traced"
assert_match "$trace" ' host +exit +the command ended: status 0' "the command's end is traced"
for ns in user mnt pid ipc uts net cgroup; do
        assert_match "$trace" " host +namespace +$ns:\\[$(kv "ns.$ns" "$ns_out")\\]\$" \
                "the $ns namespace is traced with the inode the command sees"
done
if [ -n "$(subid_range /etc/subuid)" ]; then
        read -r start count <<<"$(subid_range /etc/subuid)"
        assert_match "$trace" " idmap +.*newuidmap wrote uid_map 0 $(id -u) 1,1 $start $count; .*newgidmap wrote gid_map" \
                "the id maps are traced with the helper and the ranges"
fi
assert_eq "$(steps "$trace" | grep -c '^mount$')" "$(printf '%s\n' "$trace" | grep -cE ' mount +[a-z0-9.-]+ on /|mount +bind |mount +/[a-z/]+ read-only')" \
        "every mount line names what goes where"
t_prev=0
sorted=1
while read -r t; do
        awk -v a="$t_prev" -v b="$t" 'BEGIN {exit !(b + 0.5 >= a)}' || sorted=0
        t_prev=$t
done < <(printf '%s\n' "$trace" | sed -n 's/^\[ *\([0-9.]*\) ms.*/\1/p')
assert_eq 1 "$sorted" "timestamps only move forward"

# --- a second launch: a cache hit, and a trace of --read-only and --user --------------------------
assert_exit 0 sb --trace --read-only --user 1000:1000 --workdir /tmp "$img" sh -c 'true'
trace=$ERR
assert_match "$trace" ' host +image +.*cache hit' "a second launch traces the cache hit"
assert_no_match "$trace" ' image +unpacked' "... and no unpack"
assert_match "$trace" ' child +mount +/ remounted read-only' "--read-only is traced"
assert_match "$trace" ' child +mount +tmpfs on /tmp ' "... with its tmpfs on /tmp"
assert_match "$trace" ' workload +caps +.*effective and permitted \(none: not root\)' "a non-root command's capabilities are traced"
assert_match "$trace" ' workload +identity +uid 1000 gid 1000, working directory /tmp' "--user and --workdir are traced"
assert_match "$trace" ' workload +exec +/bin/sh argv \["sh", "-c", "true"\]' "a PATH search traces the file it found"

# --- to a file, and as JSON lines -------------------------------------------------------------
assert_exit 0 sb --trace="$WORK/trace.txt" "$img" /bin/true
assert_eq "" "$ERR" "--trace=FILE writes nothing on stderr"
assert_match "$(cat "$WORK/trace.txt")" ' exec +/bin/true' "--trace=FILE writes the trace to FILE"
assert_exit 0 sb --trace-json --trace="$WORK/trace.json" "$img" sh -c 'echo "quote\" backslash\\ tab	end"'
json=$(cat "$WORK/trace.json")
check=$(python3 - "$WORK/trace.json" <<'PY'
import json, sys
steps, sides, bad, last = [], set(), [], -1
for n, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    try:
        j = json.loads(line)
    except ValueError as e:
        bad.append("line %d: %s" % (n, e))
        continue
    if sorted(j) != ["detail", "dur_us", "pid", "side", "step", "t_us"]:
        bad.append("line %d keys %s" % (n, sorted(j)))
    if not all(isinstance(j[k], int) and j[k] >= 0 for k in ("t_us", "dur_us", "pid")):
        bad.append("line %d: numbers %s" % (n, line))
    steps.append(j["step"])
    sides.add(j["side"])
    if j["step"] == "exec":
        path, argv = j["detail"].split(" argv ", 1)
        want = ["sh", "-c", 'echo "quote\\" backslash\\\\ tab?end"']
        print("EXEC", path, "argv ok" if json.loads(argv) == want else "argv %r" % argv)
print("BAD", len(bad), "; ".join(bad[:3]))
print("SIDES", " ".join(sorted(sides)))
print("STEPS", " ".join(s for i, s in enumerate(steps) if s not in steps[:i]))
PY
)
assert_match "$check" '^BAD 0 ' "every --trace-json line is a JSON object with t_us, dur_us, side, pid, step, detail"
assert_match "$check" '^SIDES child host init workload$' "the JSON trace names the four sides"
assert_match "$check" '^STEPS config image seccomp state clone namespace idmap child mount storage mask pivot_root hostname net caps identity ' \
        "the JSON trace has the steps in order"
assert_match "$check" '^EXEC /bin/sh argv ok$' \
        "the exec line gives the argv as a JSON array: quotes and backslashes survive, a tab shows as ?"

# --- off ----------------------------------------------------------------------------------------
assert_exit 0 sb "$img" /bin/true
assert_eq "" "$ERR" "without --trace, nothing is printed"
assert_exit 125 sb --trace="$WORK/no-such-dir/t" "$img" /bin/true
assert_contains "$ERR" "no-such-dir/t" "an unwritable trace file is refused with its name"
