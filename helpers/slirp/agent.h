/* The agent: the helper's one process inside the sandbox's user and network namespaces. It creates
 * and configures tap0, hands its fd to the helper, then opens the sockets of the published-port
 * fast path there. Forked by the helper before it confines itself; confines itself in turn. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

struct helper_args;

struct agent {
        pid_t pid;
        int sock; /* SOCK_SEQPACKET to the agent; -1 once it is gone */
};

/* Forks the agent and waits until tap0 is up inside: returns its fd (blocking, close-on-exec),
 * or -errno after the agent said what failed. */
int agent_start(const struct helper_args *a, struct agent *ret);

/* Asks for a socket inside (TCP: connecting, non-blocking; UDP: connected) to the sandbox's
 * own address, port `port`, of family AF_INET or AF_INET6; from `src` when the agent can keep
 * the client's address (NULL: from the sandbox's address). The answer comes with agent_recv,
 * under the same id. */
int agent_dial(struct agent *ag, uint32_t id, bool udp, int family, uint16_t port,
               const struct sockaddr_storage *src);
/* One answer: *ret_fd is the socket, or -errno. Returns 0, -EAGAIN, or -EPIPE when the agent
 * is gone. */
int agent_recv(struct agent *ag, uint32_t *ret_id, bool *ret_udp, int *ret_fd);
