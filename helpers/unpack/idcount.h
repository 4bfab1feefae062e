/* How many ids the user namespace maps: the owners an image may use are 0..count-1.
 * Runs as root in the sandbox's user namespace, before any mount. */
#pragma once

#include <stdint.h>

/* Sums the count column of a uid_map/gid_map text ("inside outside count" lines). */
int idcount_parse(const char *text, uint64_t *ret_count);
/* Reads and parses path, e.g. /proc/self/uid_map. */
int idcount_read(const char *path, uint64_t *ret_count);
