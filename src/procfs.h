/* /proc and /sys inside the sandbox, laid out as runc does: a proc of the sandbox's own pid
 * namespace with the files that leak host details masked, and a read-only sysfs.
 * Runs in the child before pivot_root (the host's /dev/null is the source of the masks). */
#pragma once

#include <stdbool.h>

int procfs_setup(int rootfd);
/* cgroup_rw: the sandbox's cgroup at /sys/fs/cgroup is writable (--cgroup-delegate).
 * host_netns (--net host): the sandbox has no network namespace of its own to mount a sysfs
 * for; the host's /sys is bound read-only instead. */
int sysfs_setup(int rootfd, bool cgroup_rw, bool host_netns);
