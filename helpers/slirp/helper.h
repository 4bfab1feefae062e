/* What the launcher tells sandbox-slirp on its command line, parsed once in main.c and then only
 * read. Runs in the helper (host network namespace, the invoking user's process). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct forward {
        bool udp, v6;
        bool splice;        /* TCP through the agent and splice(2), not libslirp */
        char host_addr[48]; /* numeric */
        uint16_t host_port, port;
};

struct helper_args {
        int userns_fd, netns_fd; /* the sandbox's namespaces (/proc/PID/ns/...) */
        int exit_fd;             /* read end of a pipe the launcher holds: EOF means stop */
        int ready_fd;            /* "ready\n" goes there once the network is up */
        unsigned mtu;
        bool allow_host_loopback;
        char dns4[48], dns6[48]; /* the host's name servers; "" for none */
        struct forward *fwd;
        size_t n_fwd;
};

/* The agent's routing for connections whose client address the sandbox sees (agent.c). */
#define AGENT_MARK  0x73620001U
#define AGENT_TABLE 29538U /* 0x7362 */
#define AGENT_PRIO  100U
