#!/usr/bin/env bash
# What the command sees: /proc with its sensitive files masked and kernel knobs read-only, a
# tmpfs /dev with only the safe devices, /sys read-only, generated /etc/hosts, /etc/hostname
# and /etc/resolv.conf, hostname `sandbox`, and no path of the host.
source "$(dirname "$0")/../lib/common.sh"
require_sandbox

root=$WORK/root
busybox_probe_image "$root"
echo image-host >"$root/etc/hostname"
echo "# the image's own hosts" >"$root/etc/hosts"
echo "# the image's own resolv.conf" >"$root/etc/resolv.conf"
img=$WORK/img.tar.gz
make_tar "$root" "$img"

assert_exit 0 sb "$img" "$PROBE" mounts
mounts=$OUT
note "mounts inside:"
printf '%s\n' "$mounts" | sed 's/ super=.*//; s/^/#   /'
# mount_line POINT: the mountinfo line of the last mount at POINT (the one visible).
mount_line() {
        printf '%s\n' "$mounts" | grep "^mount=$1 " | tail -n 1 || true
}
is_ro() { # LINE
        grep -Eq ' options=(ro|[^ ]*,ro)(,| )' <<<"$1"
}

# --- /proc ---------------------------------------------------------------------------------------
assert_match "$(mount_line /proc)" "fstype=proc" "/proc is a proc mount"
for p in kcore keys timer_list sched_debug latency_stats interrupts; do
        if [ ! -e "/proc/$p" ]; then
                note "/proc/$p does not exist on this kernel: nothing to mask"
                continue
        fi
        assert_ne "" "$(mount_line "/proc/$p")" "/proc/$p is masked by a mount"
        run sb "$img" "$PROBE" read "/proc/$p"
        if [ "$(field bytes "$OUT")" = 0 ]; then
                pass "/proc/$p reads empty or not at all ($(field errno "$OUT"))"
        else
                fail "/proc/$p reads empty or not at all" "got: $OUT"
        fi
done
run sb "$img" "$PROBE" stat /proc/kcore
assert_no_match "$OUT" "type=reg .*size=[1-9]" "/proc/kcore is not the real (huge) kcore"
for d in acpi scsi; do
        if [ -d "/proc/$d" ]; then
                assert_exit 0 sb "$img" ls -A "/proc/$d"
                assert_eq "" "$OUT" "/proc/$d is empty"
        fi
done
for p in bus fs irq sys sysrq-trigger; do
        if [ ! -e "/proc/$p" ]; then
                note "/proc/$p does not exist on this kernel"
                continue
        fi
        line=$(mount_line "/proc/$p")
        if is_ro "$line"; then
                pass "/proc/$p is mounted read-only"
        else
                fail "/proc/$p is mounted read-only" "mount: ${line:-none}"
        fi
done

# --- /dev --------------------------------------------------------------------------------------
assert_match "$(mount_line /dev)" "fstype=tmpfs" "/dev is a tmpfs"
for spec in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
        IFS=: read -r name maj min <<<"$spec"
        assert_exit 0 sb "$img" "$PROBE" stat "/dev/$name"
        assert_match "$OUT" "type=chr mode=0666 .*rdev=$maj:$min( |$)" "/dev/$name is char $maj:$min, mode 0666"
done
assert_exit 0 sb "$img" "$PROBE" stat /dev/ptmx
assert_match "$OUT" "(type=chr .*rdev=5:2|type=lnk .*link=(/dev/)?pts/ptmx)" "/dev/ptmx is the devpts multiplexer"
assert_match "$(mount_line /dev/pts)" "fstype=devpts" "/dev/pts is a devpts (its own instance)"
assert_match "$(mount_line /dev/mqueue)" "fstype=mqueue" "/dev/mqueue is an mqueue mount"
assert_exit 0 sb "$img" sh -c 'echo x > /dev/shm/f && cat /dev/shm/f'
assert_eq x "$OUT" "/dev/shm is writable"
for spec in fd:/proc/self/fd stdin:/proc/self/fd/0 stdout:/proc/self/fd/1 stderr:/proc/self/fd/2; do
        IFS=: read -r name target <<<"$spec"
        assert_exit 0 sb "$img" readlink "/dev/$name"
        assert_eq "$target" "$OUT" "/dev/$name -> $target"
done
assert_exit 0 sb "$img" ls -A /dev
extra=$(printf '%s\n' "$OUT" | tr -s ' \n' '\n' | sed '/^$/d' |
        grep -vxE 'null|zero|full|random|urandom|tty|pts|ptmx|shm|mqueue|fd|stdin|stdout|stderr|console|core' || true)
assert_eq "" "$extra" "/dev holds nothing but the listed entries"
assert_exit 0 sb "$img" find /dev -type b
assert_eq "" "$OUT" "no block device in /dev"
assert_exit 0 sb "$img" sh -c 'echo gone > /dev/null && head -c 16 /dev/zero | od -An -tx1 | tr -d " \n"'
assert_eq 00000000000000000000000000000000 "$OUT" "/dev/null swallows writes and /dev/zero reads zeros"
assert_exit 0 sb "$img" "$PROBE" write /dev/full
assert_eq ENOSPC "$(field errno "$OUT")" "/dev/full is full"
assert_exit 0 sb "$img" sh -c 'head -c 32 /dev/urandom | wc -c'
assert_eq 32 "$OUT" "/dev/urandom gives bytes"

# --- /sys -------------------------------------------------------------------------------------
line=$(mount_line /sys)
assert_match "$line" "fstype=sysfs" "/sys is a sysfs"
if is_ro "$line"; then pass "/sys is mounted read-only"; else fail "/sys is mounted read-only" "mount: $line"; fi
assert_exit 0 sb "$img" "$PROBE" write /sys/kernel/new-file
assert_eq EROFS "$(field errno "$OUT")" "creating a file in /sys fails with EROFS"
if [ -d /sys/firmware ]; then
        assert_exit 0 sb "$img" ls -A /sys/firmware
        assert_eq "" "$OUT" "/sys/firmware is empty"
fi

# --- /etc and the hostname ---------------------------------------------------------------------
assert_exit 0 sb "$img" cat /etc/hostname
assert_eq sandbox "$OUT" "/etc/hostname is generated: sandbox (not the image's)"
assert_exit 0 sb "$img" cat /etc/hosts
assert_match "$OUT" "^127\.0\.0\.1[[:space:]].*localhost" "/etc/hosts maps localhost"
assert_match "$OUT" "[[:space:]]sandbox([[:space:]]|$)" "/etc/hosts names sandbox"
assert_not_contains "$OUT" "the image's own hosts" "/etc/hosts is generated, not the image's"
assert_exit 0 sb "$img" cat /etc/resolv.conf
assert_not_contains "$OUT" "the image's own resolv.conf" "/etc/resolv.conf is generated, not the image's"
assert_exit 0 sb "$img" "$PROBE" hostname
assert_eq sandbox "$(kv hostname "$OUT")" "the hostname is sandbox"
assert_exit 0 sb "$img" hostname
assert_eq sandbox "$OUT" "hostname(1) says sandbox"

# --- nothing of the host ---------------------------------------------------------------------
marker=$(mktemp /tmp/sandbox-host-marker.XXXXXX)
cleanup_path "$marker"
echo host >"$WORK/host-file"
for path in "$marker" "$WORK/host-file" "$SANDBOX" "$HOME" "$SANDBOX_BUILD_DIR"; do
        assert_exit 0 sb "$img" "$PROBE" stat "$path"
        assert_eq ENOENT "$(field errno "$OUT")" "the host's $path is not visible"
done
assert_exit 0 sb "$img" "$PROBE" chroot-escape "$marker"
note "chroot escape attempt: $OUT"
assert_eq 0 "$(field exists "$OUT")" "a chroot-and-chdir(..) escape does not reach the host's files"
mount_points=$(printf '%s\n' "$mounts" | sed -n 's/^mount=\([^ ]*\) .*/\1/p')
assert_no_match "$mount_points" "^($HOME|$TMPDIR|/home|/var/tmp|/usr/lib)(/|$)" \
        "no mount inside is at a host path"

# --- the same view in the Alpine image ------------------------------------------------------------
if [ -f "$SANDBOX_ALPINE" ]; then
        require_alpine
        assert_exit 0 sb "$SANDBOX_ALPINE" sh -c 'hostname; cat /etc/hostname; ls /dev | wc -l; test -c /dev/null && echo null-ok'
        assert_eq sandbox "$(printf '%s\n' "$OUT" | sed -n 1p)" "Alpine: hostname sandbox"
        assert_contains "$OUT" null-ok "Alpine: /dev/null is a char device"
fi
