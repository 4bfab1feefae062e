/* The sandbox's root: a copy-on-write overlay over the read-only image, then pivot_root into it.
 * Runs in the child (root in the user namespace, in its own mount namespace). */
#pragma once

#include <stdbool.h>

/* Stop mount events from flowing between the host and this namespace, before any mount. */
int rootfs_isolate_propagation(void);

/* Mounts overlayfs (lower: the image tree; upper and work: in the run dir) on the run dir's
 * "merged" directory. Returns an O_PATH fd of the new root, or -errno. */
int rootfs_mount_overlay(int lower_fd, const char *rundir);

/* Makes rootfd the root and detaches the old one entirely, so that no host path stays reachable.
 * Every mount whose source is a host path must be done before this. */
int rootfs_pivot(int rootfd);

/* For a read-only root, before the profile's mounts (which may go below them) and pivot:
 * fresh tmpfs on /tmp and /run. */
int rootfs_readonly_scratch(int rootfd);
/* After pivot, once every mount point exists: the root read-only (the mounts on it keep
 * their own flags). */
int rootfs_make_readonly(void);
