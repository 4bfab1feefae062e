/* The profile's mounts ([filesystem] bind, ro_bind, dev_bind, tmpfs, symlink, dir).
 * Runs in the child, root in the user namespace, after /proc /dev /sys and before pivot_root. */
#pragma once

struct config;

/* Applies c's mounts inside the root rootfd, parents first. Prints what failed. */
int mounts_apply(int rootfd, const struct config *c);
