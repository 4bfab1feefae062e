#!/usr/bin/env bash
# The systemd path, in the test guest (tests/guest/run.sh, place "systemd"): a real systemd
# --user manager runs in user@1000.service and the launcher starts in a cgroup of that tree, so
# it asks the manager over D-Bus (the sandbox-scope helper, sd-bus) for a transient scope with
# Delegate=yes, nests the sandbox's cgroup in it, and the limits hold; the scope goes away with
# the launcher.
source "$(dirname "$0")/../lib/common.sh"
require_sandbox

cg=${GUEST_CGROUP:-/sys/fs/cgroup}
slice=${GUEST_USER_SLICE:-$cg/user.slice/user-1000.slice}
ud=$slice/user@1000.service
if [ "${1:-}" != systemd ] || [ ! -S "${XDG_RUNTIME_DIR:-/nonexistent}/systemd/private" ]; then
        skip "no systemd --user manager here: run through tests/guest/run.sh with place systemd"
fi
if [ ! -x "$(dirname "$SANDBOX")/sandbox-scope" ]; then
        fail "the sandbox-scope helper is built next to the launcher (libsystemd-dev installed?)"
        exit 1
fi

root=$WORK/root
busybox_probe_image "$root"
img=$root

scopes() {
        find "$ud" -mindepth 1 -type d -name 'sandbox-*.scope' 2>/dev/null | sort || true
}

assert_exit 137 sb --trace --memory 64M "$img" "$PROBE" hog 256
assert_contains "$ERR" "systemd --user made a delegated scope: /${ud#"$cg"/}/app.slice/sandbox-" \
        "the launcher asks systemd --user for a delegated scope over D-Bus"
assert_match "$ERR" "base /.*/sandbox-[0-9a-f]*\.scope \(the launcher is alone there\)" \
        "the sandbox's cgroup is nested in that scope"
assert_contains "$ERR" "sandbox: killed: out of memory (limit 64M)" "--memory holds there, and the OOM kill is reported"

sb_bg "$WORK/s.out" "$WORK/s.err" --pids 20 "$img" sh -c "echo up; $PROBE fork 100; exec sleep 30"
if wait_until 60 grep -q forked "$WORK/s.out"; then
        assert_match "$(cat "$WORK/s.out")" "^forked=1[0-9] errno=EAGAIN$" "--pids holds in the scope"
        scope=$(scopes | head -n 1)
        assert_ne "" "$scope" "the scope is in the manager's tree while the launch runs"
        assert_eq "1" "$(find "$scope" -mindepth 1 -maxdepth 1 -type d -name 'sandbox-*' | wc -l)" \
                "the sandbox's cgroup is inside the scope"
        kill -TERM "$SB_PID" 2>/dev/null || true
        wait "$SB_PID" 2>/dev/null || true
        wait_until 20 sh -c "[ -z \"\$(find '$ud' -mindepth 1 -type d -name 'sandbox-*.scope')\" ]" || true
        assert_eq "" "$(scopes)" "the scope goes away with the launcher"
else
        fail "a sandbox starts in a scope" "$(cat "$WORK/s.err")"
fi
