/* Only the caller's own ids, mapped to 0, in a user namespace it has just entered: what a user
 * without a subordinate range gets. Runs in the unpacker's unit tests and fuzz targets. */
#pragma once

#include <sys/types.h>

/* Writes setgroups ("deny"), uid_map and gid_map of the calling process, which has unshared
 * CLONE_NEWUSER since it read uid and gid (there they read as the overflow ids). Returns 0, or
 * -errno. */
int userns_map_self(uid_t uid, gid_t gid);
