#!/usr/bin/env bash
# Builds sandbox in ./build and runs a first sandbox, as you (not root).
#   tools/try.sh [IMAGE [COMMAND...]]
# With no IMAGE it uses the Alpine minirootfs from ../shared/images when there is one, and
# otherwise builds a tiny image from the host's static busybox (package busybox-static).
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ "$(id -u)" -eq 0 ]; then
        echo "try.sh: run this as your normal user: sandbox is for users without root" >&2
        exit 1
fi
cmake -S "$src" -B "$src/build" -DSANDBOX_TESTS=OFF >/dev/null
cmake --build "$src/build" -j2 >/dev/null
echo "try.sh: built $src/build/sandbox"

image=${1:-}
[ $# -gt 0 ] && shift
if [ -z "$image" ]; then
        for candidate in "$src"/../shared/images/alpine-minirootfs-*.tar.gz \
                /work/shared/images/alpine-minirootfs-*.tar.gz; do
                if [ -f "$candidate" ]; then
                        image=$candidate
                        break
                fi
        done
fi
if [ -z "$image" ]; then
        # A tiny image: the host's static busybox and its applets.
        busybox=$(command -v busybox || true)
        if [ -z "$busybox" ] || ! file -L "$busybox" 2>/dev/null | grep -q static; then
                busybox=/bin/busybox
        fi
        root=$src/build/tiny-rootfs
        rm -rf "$root"
        mkdir -p "$root"/{bin,etc,root,tmp,proc,sys,dev}
        cp "$busybox" "$root/bin/busybox"
        for applet in $("$root/bin/busybox" --list); do
                [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
        done
        printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
        printf 'root:x:0:\n' >"$root/etc/group"
        image=$src/build/tiny-image.tar.gz
        tar -C "$root" -czf "$image" .
        echo "try.sh: built a tiny busybox image: $image"
fi
if [ $# -eq 0 ]; then
        set -- sh -c 'echo "hello from $(hostname): uid $(id -u), pid $$"; cat /etc/os-release 2>/dev/null | head -n 1; ls /'
fi
echo "try.sh: $src/build/sandbox $image $*"
exec "$src/build/sandbox" "$image" "$@"
