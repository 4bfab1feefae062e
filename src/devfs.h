/* /dev inside the sandbox: a tmpfs with a few host device nodes bound in (a user namespace cannot
 * mknod), a private devpts, shm and mqueue. Runs in the child before pivot_root, while the
 * host's /dev is still reachable as the source of the binds. */
#pragma once

#include <stdbool.h>

int devfs_setup(int rootfd, bool tty_gid_mapped, bool own_ipc);
