/* The fast path of published TCP ports: accepted on the host, connected inside the sandbox
 * through a socket the agent opens there, and the bytes moved by splice(2), never through
 * libslirp's TCP. Runs in the helper, in the host's network namespace. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "pollset.h"

struct agent;
struct forward;
struct splice_conn;

struct splicer {
        struct agent *agent;
        uint32_t *next_id; /* shared with the UDP relay: one id space for the agent's answers */
        struct splice_listener *listeners;
        size_t n_listeners;
        struct splice_conn *conns; /* a list */
        size_t n_conns;
};

/* Binds and listens on the host address of a published TCP port. */
int splicer_listen(struct splicer *sp, const struct forward *f);
void splicer_fill(struct splicer *sp, struct pollset *ps);
/* After poll: new clients, bytes to move. */
void splicer_handle(struct splicer *sp, struct pollset *ps);
/* The agent's answer to a dial: the socket inside, or -errno. */
void splicer_dialled(struct splicer *sp, uint32_t id, int fd);
/* The sandbox is over: no new client, and what the open connections still carry (a server's
 * last answer, in socket buffers and pipes) reaches their clients, for at most max_ms. */
void splicer_drain(struct splicer *sp, int max_ms);
