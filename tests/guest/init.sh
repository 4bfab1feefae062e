#!/bin/sh
# pid 1 of the User-Mode Linux guest that tests/guest/run.sh boots. Runs as root INSIDE the VM
# (never on the host): its root file system is the host's / through hostfs, read-only.
#
# It lays cgroup v2 out the way systemd does for a logged-in user 1000 (user.slice/
# user-1000.slice/user@1000.service, chowned to the user as Delegate=yes does, with the files
# /sys/kernel/cgroup/delegate lists), gives uid 1000 a name and a subordinate id range (a few
# files of the read-only /etc are bound over from a tmpfs), then runs the test body as uid 1000
# once per place named in GUEST_PLACES, and reports through /proc/exitcode, which becomes the
# exit status of linux.uml.
#
# Kernel command-line words NAME=value reach it as environment variables:
#   GUEST_BODY     the test script, run as `bash GUEST_BODY PLACE`
#   GUEST_PLACES   where to run it from, comma-separated (default: delegated)
#     delegated    user@1000.service/test.scope: a leaf of a subtree delegated with cpu io memory
#                  pids, like a shell in a systemd user session
#     partial      partial.slice/partial@1000.service/test.scope: delegated, but with pids only
#     undelegated  user-1000.slice/session-1.scope: root's, like a logind session scope
#     systemd      user@1000.service/test.scope, with a systemd --user manager running and
#                  XDG_RUNTIME_DIR set
#   GUEST_TIMEOUT  watchdog of each run of the body, in seconds (default 240)
#   SANDBOX_*, BENCH_RUNS   passed on to the body
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
G=/run/guest
CG=/sys/fs/cgroup
USER_SLICE=$CG/user.slice/user-1000.slice
CTL="+cpu +io +memory +pids"

say() { echo "guest-init: $*"; }

finish() { # STATUS
        sync
        echo "$1" >/proc/exitcode
        echo o >/proc/sysrq-trigger
        sleep 30
}

setup() {
        mount -t proc proc /proc || return 1
        mount -t sysfs sysfs /sys || return 1
        mount -t devtmpfs devtmpfs /dev 2>/dev/null || true
        ln -sfn /proc/self/fd /dev/fd
        mkdir -p /dev/pts /dev/shm
        mount -t devpts devpts /dev/pts 2>/dev/null || true
        mount -t tmpfs -o mode=755 tmpfs /run || return 1
        mount -t cgroup2 -o nsdelegate cgroup2 $CG || return 1
        # The sandbox's root is a kernel overlayfs; in UML it is a module.
        busybox insmod "/usr/lib/uml/modules/$(uname -r)/kernel/fs/overlayfs/overlay.ko" ||
                { say "cannot load overlayfs"; return 1; }

        # uid 1000 with a name and a range for newuidmap/newgidmap.
        mkdir -p $G/etc $G/home $G/tmp $G/cache
        printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' "guest:x:1000:1000:guest:$G/home:/bin/sh" \
                'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin' >$G/etc/passwd
        printf '%s\n' 'root:x:0:' 'guest:x:1000:' 'nogroup:x:65534:' >$G/etc/group
        echo 'guest:100000:65536' >$G/etc/subuid
        echo 'guest:100000:65536' >$G/etc/subgid
        for f in passwd group subuid subgid; do
                mount --bind $G/etc/$f /etc/$f || return 1
        done
        chown 1000:1000 $G/home $G/tmp $G/cache
        chmod 700 $G/home $G/tmp $G/cache

        # The system's side of the tree: controllers enabled down to the user's slice, and pid 1
        # in a leaf of its own (the no-internal-processes rule).
        echo "$CTL" >$CG/cgroup.subtree_control || return 1
        mkdir $CG/init.scope && echo $$ >$CG/init.scope/cgroup.procs || return 1
        mkdir -p $USER_SLICE/session-1.scope $USER_SLICE/partial.slice
        echo "$CTL" >$CG/user.slice/cgroup.subtree_control || return 1
        echo "$CTL" >$USER_SLICE/cgroup.subtree_control || return 1
        echo "+pids" >$USER_SLICE/partial.slice/cgroup.subtree_control || return 1
        delegate $USER_SLICE/user@1000.service || return 1
        delegate $USER_SLICE/partial.slice/partial@1000.service || return 1
}

# delegate DIR: what systemd's Delegate=yes does for a unit of user 1000; then a leaf the user
# made (test.scope) for the body.
delegate() {
        mkdir "$1" || return 1
        chown 1000:1000 "$1" || return 1
        while read -r f; do
                [ ! -e "$1/$f" ] || chown 1000:1000 "$1/$f" || return 1
        done </sys/kernel/cgroup/delegate
        setpriv --reuid=1000 --regid=1000 --clear-groups mkdir "$1/test.scope"
}

start_systemd() {
        if [ ! -x /usr/lib/systemd/systemd ]; then
                echo "SKIP: no /usr/lib/systemd/systemd on the host (package systemd)"
                return 2
        fi
        mkdir -p /run/systemd/system /run/user/1000
        chown 1000:1000 /run/user/1000
        chmod 700 /run/user/1000
        # Started in user@1000.service/init.scope, where systemd --user puts itself (a place run
        # before may have enabled controllers in user@1000.service: no processes there).
        mkdir -p $USER_SLICE/user@1000.service/init.scope
        chown 1000:1000 $USER_SLICE/user@1000.service/init.scope \
                $USER_SLICE/user@1000.service/init.scope/cgroup.procs
        # shellcheck disable=SC2016 # for the inner shell
        sh -c 'echo $$ >"$1/cgroup.procs" && exec setpriv --reuid=1000 --regid=1000 \
                --clear-groups env -i HOME=$2 XDG_RUNTIME_DIR=/run/user/1000 PATH=/usr/bin:/bin \
                /usr/lib/systemd/systemd --user' \
                sh $USER_SLICE/user@1000.service/init.scope $G/home >$G/systemd.log 2>&1 &
        i=0
        while [ ! -S /run/user/1000/systemd/private ]; do
                i=$((i + 1))
                if [ $i -gt 600 ]; then
                        say "systemd --user did not start in 60 s:"
                        cat $G/systemd.log
                        return 1
                fi
                sleep 0.1
        done
}

# run_body PLACE: the body as uid 1000, from the cgroup of that place, with a watchdog.
run_body() {
        case $1 in
        delegated | systemd) dir=$USER_SLICE/user@1000.service/test.scope ;;
        partial) dir=$USER_SLICE/partial.slice/partial@1000.service/test.scope ;;
        undelegated) dir=$USER_SLICE/session-1.scope ;;
        *)
                say "unknown place '$1'"
                return 1
                ;;
        esac
        rt=
        [ "$1" != systemd ] || rt=XDG_RUNTIME_DIR=/run/user/1000
        rm -rf $G/tmp/* 2>/dev/null
        # shellcheck disable=SC2016 # expanded by the inner shell
        timeout -k 5 "${GUEST_TIMEOUT:-240}" sh -c 'echo $$ >"$1/cgroup.procs" && shift &&
                exec setpriv --reuid=1000 --regid=1000 --clear-groups "$@"' \
                sh "$dir" env -i HOME=$G/home USER=guest LOGNAME=guest \
                PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 TMPDIR=$G/tmp \
                XDG_CACHE_HOME=$G/cache $rt GUEST_PLACE="$1" GUEST_CGROUP="$CG" \
                GUEST_USER_SLICE="$USER_SLICE" \
                SANDBOX_BIN="$SANDBOX_BIN" SANDBOX_BUILD_DIR="$SANDBOX_BUILD_DIR" \
                SANDBOX_SRC_DIR="$SANDBOX_SRC_DIR" SANDBOX_PROBE="$SANDBOX_PROBE" \
                SANDBOX_ALPINE="$SANDBOX_ALPINE" SANDBOX_TEST_NAME="$SANDBOX_TEST_NAME" \
                SANDBOX_ROLE=guest BENCH_RUNS="$BENCH_RUNS" bash "$GUEST_BODY" "$1"
}

echo "guest-init: up ($(uname -r))"
if ! setup; then
        say "setting up the guest failed"
        finish 1
fi
overall=77
for place in $(echo "${GUEST_PLACES:-delegated}" | tr , ' '); do
        if [ "$place" = systemd ]; then
                start_systemd
                case $? in
                0) ;;
                2) continue ;;
                *)
                        overall=1
                        continue
                        ;;
                esac
        fi
        echo "# --- place: $place"
        run_body "$place"
        rc=$?
        [ $rc -ne 124 ] && [ $rc -ne 137 ] || echo "FAIL - the body did not finish in ${GUEST_TIMEOUT:-240} s (guest watchdog)"
        case $rc in
        0) [ $overall -ne 77 ] || overall=0 ;;
        77) ;;
        *) overall=1 ;;
        esac
done
finish $overall
