/* How the helper and its agent confine themselves before they touch a packet: their own view of
 * the file system, no capabilities (the agent: CAP_NET_ADMIN over the sandbox's network only),
 * no_new_privs, Landlock, and a seccomp allow-list. Runs in the helper and in the agent. */
#pragma once

#include <stddef.h>

/* The helper: its own user and mount namespaces whose whole file system is one read-only tmpfs
 * holding /etc/resolv.conf (what libslirp reads to find the host's name server), then no
 * capabilities, no_new_privs, Landlock (read that one file, bind no TCP port, reach no
 * abstract socket), and the seccomp allow-list. Everything the helper needs from outside
 * (sockets, the tap fd, the listening sockets) must be open before. */
int confine_helper(const char *resolv_conf);

/* The agent, already inside the sandbox's namespaces: CAP_NET_ADMIN (transparent, marked
 * sockets) and nothing else, no_new_privs, Landlock with no file access, and a seccomp
 * allow-list of what dialling needs. */
int confine_agent(void);

/* Closes every fd above 2 but the ones listed. */
void close_fds_except(const int *keep, size_t n);
