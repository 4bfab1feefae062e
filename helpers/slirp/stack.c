/* The user-mode TCP/IP stack (see stack.h): libslirp's callbacks, its timers, and the frames
 * between tap0 and libslirp, each one through the filter first.
 * Runs in the helper, in the host's network namespace. */
#include "stack.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libslirp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "helper.h"
#include "log.h"
#include "net.h"

struct stack_timer {
        struct stack_timer *next;
        SlirpTimerId id;
        void *cb_opaque;
        int64_t expire_ms; /* -1: not armed */
};

/* At most this many frames from the sandbox per turn of the loop, so that a flood on tap0
 * does not starve the other direction. */
#define FRAMES_PER_TURN 64

static int64_t now_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
        struct stack *s = opaque;
        ssize_t n;

        do
                n = write(s->tap, buf, len);
        while (n < 0 && errno == EINTR);
        /* A full queue drops the frame: TCP inside retransmits, as on a real link. */
        return n < 0 && errno == EAGAIN ? (ssize_t)len : n;
}

static void cb_guest_error(const char *msg, void *opaque)
{
        /* The sandbox's misbehaviour is its own business; the trace is not available here. */
        (void)msg;
        (void)opaque;
}

static int64_t cb_clock_get_ns(void *opaque)
{
        (void)opaque;
        return now_ns();
}

static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
        struct stack *s = opaque;
        struct stack_timer *t = calloc(1, sizeof *t);

        if (!t)
                abort();
        t->id = id;
        t->cb_opaque = cb_opaque;
        t->expire_ms = -1;
        t->next = s->timers;
        s->timers = t;
        return t;
}

static void cb_timer_free(void *timer, void *opaque)
{
        struct stack *s = opaque;
        for (struct stack_timer **p = &s->timers; *p; p = &(*p)->next)
                if (*p == timer) {
                        *p = (*p)->next;
                        free(timer);
                        return;
                }
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
        (void)opaque;
        ((struct stack_timer *)timer)->expire_ms = expire_ms;
}

static void cb_noop_fd(int fd, void *opaque)
{
        (void)fd;
        (void)opaque;
}

static void cb_notify(void *opaque)
{
        (void)opaque;
}

static const SlirpCb callbacks = {
    .send_packet = cb_send_packet,
    .guest_error = cb_guest_error,
    .clock_get_ns = cb_clock_get_ns,
    .timer_free = cb_timer_free,
    .timer_mod = cb_timer_mod,
    .register_poll_fd = cb_noop_fd,
    .unregister_poll_fd = cb_noop_fd,
    .notify = cb_notify,
    .timer_new_opaque = cb_timer_new_opaque,
};

int stack_init(struct stack *s, const struct helper_args *a, int tap)
{
        SlirpConfig cfg = {.version = 4};

        memset(s, 0, sizeof *s);
        s->tap = tap;
        s->tap_idx = -1;
        s->filter.allow_host_loopback = a->allow_host_loopback;
        s->filter.dns4 = a->dns4[0] != 0;
        s->filter.dns6 = a->dns6[0] != 0;
        s->frame_size = a->mtu + 14;
        s->frame = malloc(s->frame_size);
        if (!s->frame)
                return log_errno(-ENOMEM, "allocating the frame buffer");
        if (fcntl(tap, F_SETFL, O_RDWR | O_NONBLOCK) < 0)
                return log_errno(-errno, "making %s non-blocking", NET_TAP_NAME);

        cfg.in_enabled = true;
        inet_pton(AF_INET, NET_SUBNET4, &cfg.vnetwork);
        inet_pton(AF_INET, "255.255.255.0", &cfg.vnetmask);
        inet_pton(AF_INET, NET_GATEWAY4, &cfg.vhost);
        inet_pton(AF_INET, NET_DNS4, &cfg.vnameserver);
        /* Required even with DHCP off; the sandbox's address is static. */
        inet_pton(AF_INET, "10.0.2.15", &cfg.vdhcp_start);
        cfg.in6_enabled = true;
        inet_pton(AF_INET6, NET_SUBNET6, &cfg.vprefix_addr6);
        cfg.vprefix_len = NET_PREFIX6;
        inet_pton(AF_INET6, NET_GATEWAY6, &cfg.vhost6);
        inet_pton(AF_INET6, NET_DNS6, &cfg.vnameserver6);
        cfg.if_mtu = cfg.if_mru = a->mtu;
        cfg.disable_host_loopback = !a->allow_host_loopback;
        /* Less parser to attack: no DHCP server, no protocol emulation (the default). */
        cfg.disable_dhcp = true;
        cfg.enable_emu = false;
        s->slirp = slirp_new(&cfg, &callbacks, s);
        if (!s->slirp)
                return log_error("libslirp could not start");
        return 0;
}

int stack_forward(struct stack *s, const struct forward *f)
{
        struct sockaddr_in h4 = {.sin_family = AF_INET}, g4 = {.sin_family = AF_INET};
        struct sockaddr_in6 h6 = {.sin6_family = AF_INET6}, g6 = {.sin6_family = AF_INET6};
        int flags = f->udp ? SLIRP_HOSTFWD_UDP : 0, r;

        errno = 0;

        if (f->v6) {
                inet_pton(AF_INET6, f->host_addr, &h6.sin6_addr);
                h6.sin6_port = htons(f->host_port);
                inet_pton(AF_INET6, NET_SANDBOX6, &g6.sin6_addr);
                g6.sin6_port = htons(f->port);
                r = slirp_add_hostxfwd(s->slirp, (struct sockaddr *)&h6, sizeof h6,
                                       (struct sockaddr *)&g6, sizeof g6,
                                       flags | SLIRP_HOSTFWD_V6ONLY);
        } else {
                inet_pton(AF_INET, f->host_addr, &h4.sin_addr);
                h4.sin_port = htons(f->host_port);
                inet_pton(AF_INET, NET_SANDBOX4, &g4.sin_addr);
                g4.sin_port = htons(f->port);
                r = slirp_add_hostxfwd(s->slirp, (struct sockaddr *)&h4, sizeof h4,
                                       (struct sockaddr *)&g4, sizeof g4, flags);
        }
        return r < 0 ? -(errno ? errno : EADDRINUSE) : 0;
}

static int add_poll(int fd, int events, void *opaque)
{
        short e = 0;
        if (events & SLIRP_POLL_IN)
                e |= POLLIN;
        if (events & SLIRP_POLL_OUT)
                e |= POLLOUT;
        if (events & SLIRP_POLL_PRI)
                e |= POLLPRI;
        return pollset_add(opaque, fd, e);
}

static int get_revents(int idx, void *opaque)
{
        short r = pollset_revents(opaque, idx);
        int e = 0;
        if (r & POLLIN)
                e |= SLIRP_POLL_IN;
        if (r & POLLOUT)
                e |= SLIRP_POLL_OUT;
        if (r & POLLPRI)
                e |= SLIRP_POLL_PRI;
        if (r & (POLLERR | POLLNVAL))
                e |= SLIRP_POLL_ERR;
        if (r & POLLHUP)
                e |= SLIRP_POLL_HUP;
        return e;
}

void stack_fill(struct stack *s, struct pollset *ps, int *timeout_ms)
{
        uint32_t t = *timeout_ms < 0 ? UINT32_MAX : (uint32_t)*timeout_ms;
        int64_t now = now_ns() / 1000000;

        s->tap_idx = pollset_add(ps, s->tap, POLLIN);
        slirp_pollfds_fill(s->slirp, &t, add_poll, ps);
        for (struct stack_timer *tm = s->timers; tm; tm = tm->next)
                if (tm->expire_ms >= 0) {
                        int64_t left = tm->expire_ms - now;
                        uint32_t l = left < 0 ? 0 : left > INT32_MAX ? INT32_MAX : (uint32_t)left;
                        if (l < t)
                                t = l;
                }
        *timeout_ms = t == UINT32_MAX ? -1 : t > INT32_MAX ? INT32_MAX : (int)t;
}

static void read_frames(struct stack *s)
{
        for (int i = 0; i < FRAMES_PER_TURN; i++) {
                ssize_t n = read(s->tap, s->frame, s->frame_size);
                enum filter_verdict v;

                if (n <= 0)
                        return; /* EAGAIN: drained */
                v = filter_frame(&s->filter, s->frame, (size_t)n);
                if (v != FILTER_PASS) {
                        uint8_t reply[FILTER_REJECT_MAX];
                        size_t rn = v == FILTER_DROP_MALFORMED
                                        ? 0
                                        : filter_reject(s->frame, (size_t)n, reply);
                        s->dropped[v]++;
                        if (rn > 0)
                                (void)!write(s->tap, reply, rn);
                        continue;
                }
                slirp_input(s->slirp, s->frame, (int)n);
        }
}

static void run_timers(struct stack *s)
{
        int64_t now = now_ns() / 1000000;
        /* A callback may re-arm or free timers: rescan from the start after each one. */
        for (bool again = true; again;) {
                again = false;
                for (struct stack_timer *tm = s->timers; tm; tm = tm->next)
                        if (tm->expire_ms >= 0 && tm->expire_ms <= now) {
                                tm->expire_ms = -1;
                                slirp_handle_timer(s->slirp, tm->id, tm->cb_opaque);
                                again = true;
                                break;
                        }
        }
}

void stack_handle(struct stack *s, struct pollset *ps, int poll_failed)
{
        slirp_pollfds_poll(s->slirp, poll_failed, get_revents, ps);
        if (pollset_revents(ps, s->tap_idx) & POLLIN)
                read_frames(s);
        run_timers(s);
}
