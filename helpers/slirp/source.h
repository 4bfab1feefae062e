/* How a client of a published port looks inside the sandbox. Pure; used by the helper's fast
 * paths (splice.c, udprelay.c) and the unit tests. */
#pragma once

#include <sys/socket.h>

/* The source address a connection from `peer` (a client on the host's side) has inside: the
 * client's own address and port, except that the host's loopback (127.0.0.0/8, 0.0.0.0/8, ::1),
 * link-local and IPv4-mapped addresses become the gateway (10.0.2.2, fd00::2), which is how the
 * sandbox names the host, and then the port is the kernel's choice (0). */
void sandbox_source(const struct sockaddr_storage *peer, struct sockaddr_storage *ret);
