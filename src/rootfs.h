/* The sandbox's root, once storage.c has mounted it: mount propagation, pivot_root into it, and a
 * read-only root on request. Runs in the child (root in the user namespace, in its own mount
 * namespace). */
#pragma once

#include <stdbool.h>

/* Stop mount events from flowing between the host and this namespace, before any mount. */
int rootfs_isolate_propagation(void);

/* Makes rootfd the root and detaches the old one entirely, so that no host path stays reachable.
 * Every mount whose source is a host path must be done before this. */
int rootfs_pivot(int rootfd);

/* For a read-only root, before the profile's mounts (which may go below them) and pivot:
 * fresh tmpfs on /tmp and /run. */
int rootfs_readonly_scratch(int rootfd);
/* After pivot, once every mount point exists: the root read-only (the mounts on it keep
 * their own flags). */
int rootfs_make_readonly(void);
