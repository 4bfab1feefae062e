/* Published UDP ports (see udprelay.h): a flow per client address, each with its own socket
 * inside, closed after a minute without traffic (as a NAT forgets a UDP mapping).
 * Runs in the helper, in the host's network namespace, on its one event loop. */
#include "udprelay.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "forward.h"
#include "helper.h"
#include "macro.h"
#include "source.h"

#define FLOW_IDLE_MS    60000
#define MAX_FLOWS       1024
#define MAX_PENDING     8 /* datagrams held while the agent opens the flow's socket */
#define DGRAMS_PER_TURN 64
#define DGRAM_MAX       65536

struct udp_listener {
        int fd;
        bool v6;
        uint16_t port; /* inside */
        int idx;
};

struct pending {
        size_t len;
        uint8_t *data;
};

struct udp_flow {
        struct udp_flow *next;
        struct udp_listener *l;
        struct sockaddr_storage client;
        socklen_t client_len;
        uint32_t id;
        int inner; /* -1 while the agent opens it */
        int idx;
        int64_t last_ms;
        struct pending pending[MAX_PENDING];
        size_t n_pending;
};

static uint8_t buf[DGRAM_MAX];

static int64_t now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int udprelay_listen(struct udp_relay *u, const struct forward *f)
{
        _cleanup_close_ int fd = forward_bind(f, SOCK_DGRAM);
        struct udp_listener *nl;

        if (fd < 0)
                return fd;
        nl = realloc(u->listeners, (u->n_listeners + 1) * sizeof *nl);
        if (!nl)
                return -ENOMEM;
        u->listeners = nl;
        u->listeners[u->n_listeners++] =
            (struct udp_listener){.fd = TAKE_FD(fd), .v6 = f->v6, .port = f->port, .idx = -1};
        return 0;
}

static void flow_free(struct udp_relay *u, struct udp_flow *fl)
{
        for (struct udp_flow **p = &u->flows; *p; p = &(*p)->next)
                if (*p == fl) {
                        *p = fl->next;
                        break;
                }
        u->n_flows--;
        if (fl->inner >= 0)
                close(fl->inner);
        for (size_t i = 0; i < fl->n_pending; i++)
                free(fl->pending[i].data);
        free(fl);
}

static bool same_client(const struct udp_flow *fl, const struct udp_listener *l,
                        const struct sockaddr_storage *peer, socklen_t plen)
{
        return fl->l == l && fl->client_len == plen && memcmp(&fl->client, peer, plen) == 0;
}

/* A datagram from a client on the host: on to its flow's socket, opening the flow first. */
static void from_client(struct udp_relay *u, struct udp_listener *l,
                        const struct sockaddr_storage *peer, socklen_t plen, size_t n)
{
        struct udp_flow *fl = u->flows;
        struct sockaddr_storage src;

        while (fl && !same_client(fl, l, peer, plen))
                fl = fl->next;
        if (!fl) {
                if (u->n_flows >= MAX_FLOWS)
                        return; /* dropped, as by a full NAT table */
                fl = calloc(1, sizeof *fl);
                if (!fl)
                        return;
                *fl = (struct udp_flow){
                    .l = l, .client_len = plen, .id = (*u->next_id)++, .inner = -1, .idx = -1};
                memcpy(&fl->client, peer, plen);
                sandbox_source(peer, &src);
                if (agent_dial(u->agent, fl->id, true, l->v6 ? AF_INET6 : AF_INET, l->port, &src) <
                    0) {
                        free(fl);
                        return;
                }
                fl->next = u->flows;
                u->flows = fl;
                u->n_flows++;
        }
        fl->last_ms = now_ms();
        if (fl->inner >= 0) {
                (void)send(fl->inner, buf, n, MSG_DONTWAIT);
        } else if (fl->n_pending < MAX_PENDING) {
                uint8_t *copy = malloc(n ? n : 1);
                if (copy) {
                        memcpy(copy, buf, n);
                        fl->pending[fl->n_pending++] = (struct pending){n, copy};
                }
        }
}

void udprelay_dialled(struct udp_relay *u, uint32_t id, int fd)
{
        struct udp_flow *fl = u->flows;

        while (fl && fl->id != id)
                fl = fl->next;
        if (!fl) {
                if (fd >= 0)
                        close(fd);
                return;
        }
        if (fd < 0) {
                flow_free(u, fl);
                return;
        }
        fl->inner = fd;
        for (size_t i = 0; i < fl->n_pending; i++) {
                (void)send(fd, fl->pending[i].data, fl->pending[i].len, MSG_DONTWAIT);
                free(fl->pending[i].data);
        }
        fl->n_pending = 0;
}

void udprelay_fill(struct udp_relay *u, struct pollset *ps, int *timeout_ms)
{
        int64_t now = now_ms();

        for (size_t i = 0; i < u->n_listeners; i++)
                u->listeners[i].idx = pollset_add(ps, u->listeners[i].fd, POLLIN);
        for (struct udp_flow *fl = u->flows; fl; fl = fl->next) {
                int64_t left = fl->last_ms + FLOW_IDLE_MS - now;
                fl->idx = fl->inner >= 0 ? pollset_add(ps, fl->inner, POLLIN) : -1;
                if (left < 0)
                        left = 0;
                if (*timeout_ms < 0 || left < *timeout_ms)
                        *timeout_ms = (int)left;
        }
}

void udprelay_handle(struct udp_relay *u, struct pollset *ps)
{
        struct udp_flow *fl, *next;
        int64_t now;

        for (size_t i = 0; i < u->n_listeners; i++) {
                struct udp_listener *l = &u->listeners[i];
                if (!(pollset_revents(ps, l->idx) & POLLIN))
                        continue;
                for (int k = 0; k < DGRAMS_PER_TURN; k++) {
                        struct sockaddr_storage peer;
                        socklen_t plen = sizeof peer;
                        ssize_t n = recvfrom(l->fd, buf, sizeof buf, MSG_DONTWAIT,
                                             (struct sockaddr *)&peer, &plen);
                        if (n < 0)
                                break;
                        from_client(u, l, &peer, plen, (size_t)n);
                }
        }
        now = now_ms();
        for (fl = u->flows; fl; fl = next) {
                next = fl->next;
                if (pollset_revents(ps, fl->idx) & (POLLIN | POLLERR)) {
                        /* The sandbox's answers: back to the client, from the published port. */
                        for (int k = 0; k < DGRAMS_PER_TURN; k++) {
                                ssize_t n = recv(fl->inner, buf, sizeof buf, MSG_DONTWAIT);
                                if (n < 0 && errno != EAGAIN && errno != EINTR)
                                        continue; /* an ICMP error, e.g. nothing listens: read on */
                                if (n < 0)
                                        break;
                                (void)sendto(fl->l->fd, buf, (size_t)n, MSG_DONTWAIT,
                                             (struct sockaddr *)&fl->client, fl->client_len);
                                fl->last_ms = now;
                        }
                }
                if (fl->inner >= 0 && now - fl->last_ms >= FLOW_IDLE_MS)
                        flow_free(u, fl);
        }
}
