/* The host's side of a published port: its socket, bound where --publish says. Shared by the
 * fast paths of TCP (splice.c) and UDP (udprelay.c). Runs in the helper, in the host's network
 * namespace. */
#pragma once

struct forward;

/* A socket of type (SOCK_STREAM, SOCK_DGRAM) bound to f's host address and port, non-blocking
 * and close-on-exec; a stream socket may rebind a port in TIME_WAIT. Returns it, or -errno. */
int forward_bind(const struct forward *f, int type);
