/* /proc and /sys inside the sandbox, laid out as runc does: a proc of the sandbox's own pid
 * namespace with the files that leak host details masked, and a read-only sysfs.
 * Runs in the child before pivot_root (the host's /dev/null is the source of the masks). */
#pragma once

#include <stdbool.h>

int procfs_setup(int rootfd);
/* cgroup_rw: the sandbox's cgroup at /sys/fs/cgroup is writable (--cgroup-delegate). */
int sysfs_setup(int rootfd, bool cgroup_rw);
