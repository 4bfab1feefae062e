/* Published UDP ports: datagrams received on the host are sent on from a socket the agent
 * connected inside the sandbox, one per client, and the answers go back the same way. libslirp's
 * own UDP forwarding cannot answer a client on the host's loopback while that loopback is closed
 * to the sandbox (it takes the answer for a packet to 10.0.2.2), so every published UDP port
 * goes this way. Runs in the helper, in the host's network namespace. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "pollset.h"

struct agent;
struct forward;
struct udp_flow;
struct udp_listener;

struct udp_relay {
        struct agent *agent;
        uint32_t *next_id; /* shared with the splicer */
        struct udp_listener *listeners;
        size_t n_listeners;
        struct udp_flow *flows; /* a list */
        size_t n_flows;
};

/* Binds the host address of a published UDP port. */
int udprelay_listen(struct udp_relay *u, const struct forward *f);
/* Adds its sockets; lowers *timeout_ms to the next idle flow's expiry. */
void udprelay_fill(struct udp_relay *u, struct pollset *ps, int *timeout_ms);
void udprelay_handle(struct udp_relay *u, struct pollset *ps);
/* The agent's answer to a dial: the connected socket inside, or -errno. */
void udprelay_dialled(struct udp_relay *u, uint32_t id, int fd);
