/* Paths inside the image, resolved without ever leaving it: the classic escape of this field is
 * an image whose /proc or /dev/null is a symlink to a host path, followed by the runtime.
 * Runs in the child (root in the user namespace), before and after pivot_root. */
#pragma once

#include <sys/types.h>

/* Open path relative to rootfd as if rootfd were "/": symlinks, "..", and absolute links all stay
 * inside (RESOLVE_IN_ROOT), magic /proc links are refused. Returns an fd or -errno. */
int root_open(int rootfd, const char *path, int flags, mode_t mode);

/* A directory the runtime mounts over (/proc, /dev, /sys, ...): every component must be a real
 * directory, none may be a symlink (-ELOOP), missing ones are created. Returns an O_PATH fd. */
int root_mkdir_nofollow(int rootfd, const char *path, mode_t mode);

/* Same for a file mount point (bind of a device or a masked /proc file): the parent is resolved
 * with root_mkdir_nofollow, the file created empty when missing; never a symlink. */
int root_mkfile_nofollow(int rootfd, const char *path, mode_t mode);

/* mount(2) onto an fd from the functions above, through /proc/self/fd, so the kernel mounts on
 * exactly the object that was resolved (no second path walk an image could race). */
int mount_on_fd(const char *source, int target_fd, const char *fstype, unsigned long flags,
                const char *data);

/* Bind-mount an fd (any file or directory, e.g. a host /dev node opened before) onto target. */
int bind_fd_on_fd(int source_fd, int target_fd, unsigned long extra_flags);

/* Make the mount at target_fd read-only (keeping the flags the kernel locked on it). */
int remount_ro_fd(int target_fd);
