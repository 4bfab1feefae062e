#!/usr/bin/env bash
# Prepares a Debian 12 machine to build and test sandbox: installs the build and test
# dependencies and creates the two unprivileged test users. Run as root; idempotent.
#
#   sandbox-test     has a subordinate id range 200000:65536 in /etc/subuid and /etc/subgid
#   sandbox-norange  has no entry at all in /etc/subuid or /etc/subgid
#
# Does not run `apt-get update`; .ci/run does that first.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
        echo "setup-debian.sh: run as root (it installs packages and creates users)" >&2
        exit 1
fi

say() { printf 'setup-debian: %s\n' "$*"; }

packages=(
        # build
        build-essential cmake pkg-config clang clang-format
        libarchive-dev nettle-dev libcap-dev libseccomp-dev libinih-dev libslirp-dev libjson-c-dev
        libglib2.0-dev # libslirp's pkg-config file requires glib-2.0, and Debian's -dev omits it
        # runtime of the launcher
        uidmap fuse-overlayfs slirp4netns
        # tests: images, probes, terminals, process checks
        busybox-static python3 util-linux bsdutils procps iproute2 tar gzip xz-utils zstd
        passwd coreutils findutils
        # comparison, benchmarks and debugging
        bubblewrap iperf3 hyperfine gdb strace
        # resource limits: the systemd scope helper (sd-bus); the guest kernel with pure cgroup
        # v2 the limit tests boot (tests/guest), and the systemd --user it runs there
        libsystemd-dev user-mode-linux systemd
        # shells whose completions are tested, and man to render the man page
        bash-completion zsh fish man-db
)
say "installing ${#packages[@]} packages"
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${packages[@]}"

# Removes every line of a subordinate-id file that belongs to the user (by name or uid).
drop_subids() { # FILE NAME UID
        local file=$1 name=$2 uid=$3
        [ -f "$file" ] || return 0
        if grep -qE "^($name|$uid):" "$file"; then
                sed -i -E "/^($name|$uid):/d" "$file"
                say "removed the $file entries of $name"
        fi
}

ensure_user() { # NAME
        local name=$1
        if id -u "$name" >/dev/null 2>&1; then
                say "user $name exists (uid $(id -u "$name"))"
        else
                useradd --create-home --home-dir "/home/$name" --shell /bin/bash "$name"
                say "created user $name (uid $(id -u "$name"))"
        fi
}

# sandbox-test: exactly one range, 200000:65536. Debian's useradd adds a range of its own
# choosing, so anything else is replaced.
ensure_user sandbox-test
uid=$(id -u sandbox-test)
touch /etc/subuid /etc/subgid
for file in /etc/subuid /etc/subgid; do
        if [ "$(grep -cE "^(sandbox-test|$uid):" "$file")" = 1 ] &&
                grep -qx 'sandbox-test:200000:65536' "$file"; then
                say "$file: sandbox-test already has 200000:65536"
                continue
        fi
        drop_subids "$file" sandbox-test "$uid"
        if [ "$file" = /etc/subuid ]; then
                usermod --add-subuids 200000-265535 sandbox-test
        else
                usermod --add-subgids 200000-265535 sandbox-test
        fi
        say "$file: gave sandbox-test 200000:65536"
done
other=$(awk -F: '$1 != "sandbox-test" && $2 < 265536 && $2 + $3 > 200000 {print $1}' \
        /etc/subuid /etc/subgid | sort -u)
[ -z "$other" ] || say "warning: ranges of $other overlap 200000:65536"

# sandbox-norange: no subordinate ids at all.
ensure_user sandbox-norange
drop_subids /etc/subuid sandbox-norange "$(id -u sandbox-norange)"
drop_subids /etc/subgid sandbox-norange "$(id -u sandbox-norange)"
say "sandbox-norange has no /etc/subuid or /etc/subgid entry"

# Distributions normally ship /dev/fuse as 0666; some minimal images and containers do not.
if [ -c /dev/fuse ]; then
        chmod 666 /dev/fuse
        say "chmod 666 /dev/fuse"
else
        say "no /dev/fuse on this machine (the launcher must do without fuse-overlayfs)"
fi

# --net slirp's helper creates tap0 inside the sandbox: Debian's udev makes /dev/net/tun 0666,
# machines without udev (containers, minimal VMs) leave the kernel's 0600.
if [ -c /dev/net/tun ]; then
        chmod 666 /dev/net/tun
        say "chmod 666 /dev/net/tun"
else
        say "no /dev/net/tun on this machine (--net slirp will say so; sudo modprobe tun)"
fi

say "done"
