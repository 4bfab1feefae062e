/* Confines the unpacker before it parses a byte of the image: no new privileges, and Landlock.
 * Runs as root in the sandbox's user namespace, before any mount. */
#pragma once

#include "landlock_ruleset.h" /* landlock_abi() */

/* Sets no_new_privs, then, where the kernel has Landlock, allows writes only beneath cache_fd's
 * directory and reads only there and of image_fd (a file, or everything beneath a directory); no
 * exec, no TCP, no signals or abstract
 * sockets beyond the process. Files opened before stay usable. Without Landlock, returns 0. */
int confine_self(int cache_fd, int image_fd);
