/* The fast path of published TCP ports (see splice.h): each client accepted on the host gets a
 * socket the agent connects inside the sandbox; then two threads, one per direction, carry the
 * bytes between them with splice(2) through a pipe each, never through user space or libslirp.
 * Runs in the helper, in the host's network namespace: accepting and dialling on its event loop,
 * the bytes on the connection's threads. */
#include "splice.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "forward.h"
#include "helper.h"
#include "log.h"
#include "macro.h"
#include "net.h"
#include "source.h"

/* What one pipe may hold: the most an unprivileged process gets (fs.pipe-max-size). */
#define PIPE_BYTES (1 << 20)
/* Clients accepted per listener and turn. */
#define ACCEPTS_PER_TURN 32
/* Each direction of an open connection is a thread blocked in splice(2): no poll(2) between
 * the bytes and no turn of the event loop to wait for. Threads need little stack. */
#define THREAD_STACK (64 * 1024)

struct splice_listener {
        int fd;
        bool v6;
        uint16_t port; /* inside */
        int idx;
};

enum conn_state { DIALING, CONNECTING };

/* A connection the event loop still handles: until the socket inside is connected. */
struct splice_conn {
        struct splice_conn *next;
        uint32_t id;
        enum conn_state state;
        int client, inner;
        int client_idx, inner_idx;
};

/* An open connection, owned by its two threads; the last one out closes it. */
struct relay {
        int client, inner;
        atomic_int refs;
};

struct direction {
        struct relay *r;
        int from, to;
};

/* Open connections, for the drain at the end. */
static atomic_int relays;

int splicer_listen(struct splicer *sp, const struct forward *f)
{
        _cleanup_close_ int fd = forward_bind(f, SOCK_STREAM);
        struct splice_listener *nl;

        if (fd < 0)
                return fd;
        if (listen(fd, SOMAXCONN) < 0)
                return -errno;
        nl = realloc(sp->listeners, (sp->n_listeners + 1) * sizeof *nl);
        if (!nl)
                return -ENOMEM;
        sp->listeners = nl;
        sp->listeners[sp->n_listeners++] =
            (struct splice_listener){.fd = TAKE_FD(fd), .v6 = f->v6, .port = f->port, .idx = -1};
        return 0;
}

/* Closes a socket so that its peer sees a reset, as it would from a refused connection. */
static void close_reset(int fd)
{
        struct linger lg = {1, 0};
        if (fd < 0)
                return;
        (void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        close(fd);
}

static void conn_free(struct splicer *sp, struct splice_conn *c, bool reset)
{
        for (struct splice_conn **p = &sp->conns; *p; p = &(*p)->next)
                if (*p == c) {
                        *p = c->next;
                        break;
                }
        sp->n_conns--;
        if (reset) {
                close_reset(c->client);
                close_reset(c->inner);
        } else {
                closep(&c->client);
                closep(&c->inner);
        }
        free(c);
}

static void accept_clients(struct splicer *sp, struct splice_listener *l)
{
        for (int i = 0; i < ACCEPTS_PER_TURN; i++) {
                struct sockaddr_storage peer, src;
                socklen_t plen = sizeof peer;
                struct splice_conn *c;
                int fd =
                    accept4(l->fd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (fd < 0)
                        return; /* EAGAIN, or a client already gone */
                c = calloc(1, sizeof *c);
                if (!c) {
                        close_reset(fd);
                        return;
                }
                *c = (struct splice_conn){.id = (*sp->next_id)++,
                                          .state = DIALING,
                                          .client = fd,
                                          .inner = -1,
                                          .client_idx = -1,
                                          .inner_idx = -1};
                sandbox_source(&peer, &src);
                if (agent_dial(sp->agent, c->id, false, l->v6 ? AF_INET6 : AF_INET, l->port, &src) <
                    0) {
                        close_reset(fd);
                        free(c);
                        continue;
                }
                c->next = sp->conns;
                sp->conns = c;
                sp->n_conns++;
        }
}

/* Moves everything from d->from to d->to until EOF, then passes the half-close on. An error
 * on either side ends both directions (the other thread wakes up from the shutdown). */
static void *direction_run(void *arg)
{
        struct direction *d = arg;
        struct relay *r = d->r;
        int p[2];
        bool ok = pipe2(p, O_CLOEXEC) == 0;

        if (ok) {
                /* A smaller pipe when the user's pipe quota is spent: slower, still right. */
                (void)fcntl(p[1], F_SETPIPE_SZ, PIPE_BYTES);
                for (;;) {
                        ssize_t n = splice(d->from, NULL, p[1], NULL, PIPE_BYTES, SPLICE_F_MOVE);
                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n <= 0) {
                                ok = n == 0;
                                break;
                        }
                        while (n > 0) {
                                ssize_t m =
                                    splice(p[0], NULL, d->to, NULL, (size_t)n, SPLICE_F_MOVE);
                                if (m < 0 && errno == EINTR)
                                        continue;
                                if (m <= 0)
                                        break;
                                n -= m;
                        }
                        if (n > 0) {
                                ok = false;
                                break;
                        }
                }
                close(p[0]);
                close(p[1]);
        }
        if (ok) {
                (void)shutdown(d->to, SHUT_WR);
        } else {
                (void)shutdown(d->from, SHUT_RDWR);
                (void)shutdown(d->to, SHUT_RDWR);
        }
        if (atomic_fetch_sub(&r->refs, 1) == 1) {
                /* Both directions are done: closing with unsent data left resets, as it
                 * should after an error. */
                close(r->client);
                close(r->inner);
                free(r);
                atomic_fetch_sub(&relays, 1);
        }
        free(d);
        return NULL;
}

/* Hands an open connection to its two threads. */
static int relay_start(int client, int inner)
{
        struct relay *r = calloc(1, sizeof *r);
        struct direction *d[2] = {calloc(1, sizeof **d), calloc(1, sizeof **d)};
        pthread_attr_t attr;
        int started = 0, err = 0;

        if (!r || !d[0] || !d[1]) {
                free(r);
                free(d[0]);
                free(d[1]);
                return -ENOMEM;
        }
        /* Blocking from now on: the threads wait in splice(2). */
        (void)fcntl(client, F_SETFL, O_RDWR);
        (void)fcntl(inner, F_SETFL, O_RDWR);
        *r = (struct relay){.client = client, .inner = inner};
        atomic_init(&r->refs, 2);
        atomic_fetch_add(&relays, 1);
        *d[0] = (struct direction){r, client, inner};
        *d[1] = (struct direction){r, inner, client};
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, THREAD_STACK);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        for (int i = 0; i < 2; i++) {
                pthread_t t;
                err = pthread_create(&t, &attr, direction_run, d[i]);
                if (err)
                        break;
                started++;
        }
        pthread_attr_destroy(&attr);
        if (started == 2)
                return 0;
        /* The thread that did start ends on the shutdown, and the second reference goes with
         * the one that did not. */
        free(d[1]);
        if (started == 0) {
                free(d[0]);
                free(r);
                atomic_fetch_sub(&relays, 1);
                return -err;
        }
        (void)shutdown(client, SHUT_RDWR);
        (void)shutdown(inner, SHUT_RDWR);
        if (atomic_fetch_sub(&r->refs, 1) == 1) {
                close(client);
                close(inner);
                free(r);
                atomic_fetch_sub(&relays, 1);
        }
        return 0;
}

void splicer_fill(struct splicer *sp, struct pollset *ps)
{
        for (size_t i = 0; i < sp->n_listeners; i++)
                sp->listeners[i].idx = pollset_add(ps, sp->listeners[i].fd, POLLIN);
        for (struct splice_conn *c = sp->conns; c; c = c->next) {
                c->client_idx = c->inner_idx = -1;
                switch (c->state) {
                case DIALING:
                        /* Only to notice a client that gives up. */
                        if (c->client >= 0)
                                c->client_idx = pollset_add(ps, c->client, 0);
                        break;
                case CONNECTING:
                        c->inner_idx = pollset_add(ps, c->inner, POLLOUT);
                        c->client_idx = pollset_add(ps, c->client, 0);
                        break;
                }
        }
}

void splicer_dialled(struct splicer *sp, uint32_t id, int fd)
{
        struct splice_conn *c = sp->conns;
        while (c && c->id != id)
                c = c->next;
        if (!c) {
                closep(&fd);
                return;
        }
        if (fd < 0 || c->client < 0) {
                /* Nothing listens there inside, or the client left: as a refused port. */
                closep(&fd);
                conn_free(sp, c, true);
                return;
        }
        c->inner = fd;
        c->state = CONNECTING;
}

static void step(struct splicer *sp, struct splice_conn *c, struct pollset *ps)
{
        short cr = pollset_revents(ps, c->client_idx), ir = pollset_revents(ps, c->inner_idx);
        int err = 0, client, inner;
        socklen_t len = sizeof err;

        switch (c->state) {
        case DIALING:
                if (cr & (POLLHUP | POLLERR)) {
                        close_reset(c->client);
                        c->client = -1; /* freed when the agent answers */
                }
                return;
        case CONNECTING:
                if (cr & POLLERR) {
                        conn_free(sp, c, true);
                        return;
                }
                if (!ir)
                        return;
                if (getsockopt(c->inner, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err != 0) {
                        conn_free(sp, c, true);
                        return;
                }
                /* Connected inside: from here the connection belongs to its threads. */
                client = TAKE_FD(c->client);
                inner = TAKE_FD(c->inner);
                conn_free(sp, c, false);
                if (relay_start(client, inner) < 0) {
                        close_reset(client);
                        close_reset(inner);
                }
                return;
        }
}

void splicer_handle(struct splicer *sp, struct pollset *ps)
{
        struct splice_conn *c, *next;

        for (size_t i = 0; i < sp->n_listeners; i++)
                if (pollset_revents(ps, sp->listeners[i].idx) & POLLIN)
                        accept_clients(sp, &sp->listeners[i]);
        for (c = sp->conns; c; c = next) {
                next = c->next;
                step(sp, c, ps);
        }
}

void splicer_drain(struct splicer *sp, int max_ms)
{
        struct timespec tick = {0, 10 * 1000 * 1000};

        for (size_t i = 0; i < sp->n_listeners; i++)
                close(sp->listeners[i].fd);
        sp->n_listeners = 0;
        for (int waited = 0; atomic_load(&relays) > 0 && waited < max_ms; waited += 10)
                nanosleep(&tick, NULL);
}
