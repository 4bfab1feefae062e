/* The network helper (sandbox-slirp) from the launcher's side: started with the sandbox's user
 * and network namespaces, watched until it says the network is up, stopped with the sandbox.
 * Runs on the host, as the invoking user. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

struct config;

struct net_helper {
        pid_t pid;    /* -1: none (or reaped) */
        int exit_fd;  /* write end of the helper's exit pipe: closing it stops the helper */
        int ready_fd; /* read end of its ready pipe; -1 once it answered */
};

#define NET_HELPER_NULL                                                                            \
        {                                                                                          \
                .pid = -1, .exit_fd = -1, .ready_fd = -1                                           \
        }

/* Starts the helper for sandbox pid1 (--net slirp), whose user namespace is userns_fd. */
int net_helper_start(const struct config *c, pid_t pid1, int userns_fd, struct net_helper *h);
/* The ready fd is readable: 1 when the network is up, -errno when the helper failed before
 * (what failed has been said), 0 to wait on. */
int net_helper_check_ready(struct net_helper *h);
/* On SIGCHLD: true when the helper ended, and then it is reaped and the reason said. */
bool net_helper_reaped(struct net_helper *h);
/* Closes the exit fd and waits for the helper to go. */
void net_helper_stop(struct net_helper *h);
