/* The agent (see agent.h): joins the sandbox's user and network namespaces, creates tap0 there,
 * and then dials the sandbox's published ports on the helper's behalf.
 * Runs as a child of the helper, root of the sandbox's user namespace (capabilities over its
 * network namespace only), until the helper closes its socket. */
#include "agent.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "confine.h"
#include "helper.h"
#include "log.h"
#include "macro.h"
#include "net.h"
#include "rtnl.h"

struct dial_req {
        uint32_t id;
        int32_t family;
        uint16_t port;
        uint8_t udp;
        uint8_t has_src;
        struct sockaddr_storage src;
};

struct dial_resp {
        uint32_t id;
        int32_t err; /* 0: the socket comes with it */
        uint8_t udp;
};

struct hello {
        int32_t err; /* 0: tap0's fd comes with it */
};

/* Which connections can carry their client's address (see setup_source_routing). */
enum {
        KEEP_TCP4 = 1 << 0,
        KEEP_TCP6 = 1 << 1,
        KEEP_UDP4 = 1 << 2,
        KEEP_UDP6 = 1 << 3,
};

static int send_fd(int sock, const void *msg, size_t len, int fd, int flags)
{
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } u;
        struct iovec iov = {(void *)msg, len};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

        if (fd >= 0) {
                mh.msg_control = u.buf;
                mh.msg_controllen = sizeof u.buf;
                struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &fd, sizeof fd);
        }
        return sendmsg(sock, &mh, MSG_NOSIGNAL | flags) < 0 ? -errno : 0;
}

/* Receives one message of exactly len bytes and the fd that may come with it (-1 if none). */
static int recv_fd(int sock, void *msg, size_t len, int *ret_fd, int flags)
{
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } u;
        struct iovec iov = {msg, len};
        struct msghdr mh = {
            .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
        ssize_t n;

        *ret_fd = -1;
        do
                n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | flags);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                        memcpy(ret_fd, CMSG_DATA(c), sizeof(int));
        if (n == 0)
                return -EPIPE;
        if ((size_t)n != len || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
                if (*ret_fd >= 0)
                        close(*ret_fd);
                *ret_fd = -1;
                return -EBADMSG;
        }
        return 0;
}

/* The IPv6 knobs are missing when IPv6 is off, and most others only speed things up: the
 * callers decide what a failure costs. */
static bool write_sysctl(const char *path, const char *value)
{
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        return fd >= 0 && write(fd, value, strlen(value)) == (ssize_t)strlen(value);
}

static int open_tap(void)
{
        struct ifreq ifr = {0};
        _cleanup_close_ int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

        if (fd < 0) {
                if (errno == ENOENT)
                        return log_errno(-errno, "opening /dev/net/tun (is the tun module "
                                                 "loaded? sudo modprobe tun)");
                if (errno == EACCES || errno == EPERM)
                        return log_errno(-errno,
                                         "opening /dev/net/tun (user-mode networking needs it "
                                         "read-write for everyone, as distributions ship it: "
                                         "sudo chmod 666 /dev/net/tun)");
                return log_errno(-errno, "opening /dev/net/tun");
        }
        strcpy(ifr.ifr_name, NET_TAP_NAME);
        ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
        if (ioctl(fd, TUNSETIFF, &ifr) < 0)
                return log_errno(-errno, "creating %s in the sandbox", NET_TAP_NAME);
        return TAKE_FD(fd);
}

/* The routing that lets a connection of the fast path carry its client's address. Our sockets
 * are transparent (bound to an address that is not the sandbox's), so the answers to them must
 * be delivered here, not sent out through tap0: for TCP, our sockets are marked, the server's
 * accepted socket takes the mark of the SYN (tcp_fwmark_accept), and marked packets are local
 * whatever their address; for UDP, whose servers have no accepted socket, it is what leaves a
 * published UDP port that is local. Each piece that fails only costs the client's address.
 * Returns a KEEP_* mask. */
static unsigned setup_source_routing(const struct helper_args *a, int nl)
{
        static const int families[2] = {AF_INET, AF_INET6};
        struct in6_addr src6;
        struct in_addr src4;
        unsigned kept = 0;

        inet_pton(AF_INET, NET_SANDBOX4, &src4);
        inet_pton(AF_INET6, NET_SANDBOX6, &src6);
        bool accept_mark = write_sysctl("/proc/sys/net/ipv4/tcp_fwmark_accept", "1");
        /* The kernel's own answers (a reset from a port nothing listens on, ICMP errors) take
         * the mark of what they answer, and so find our socket too. */
        (void)write_sysctl("/proc/sys/net/ipv4/fwmark_reflect", "1");
        (void)write_sysctl("/proc/sys/net/ipv6/fwmark_reflect", "1");
        /* The routes go through lo, which the child may not have brought up yet (it does so
         * at the same time; IPv6 takes no route on a device that is down). */
        if (rtnl_link_set(nl, 1, 0, true) < 0)
                return 0;
        for (int i = 0; i < 2; i++) {
                int fam = families[i];
                bool udp_ok = true;
                /* A UDP server answers from its published address, not lo's 127.0.0.1. */
                if (rtnl_route_local_default(nl, 1 /* lo */, fam, i ? (void *)&src6 : (void *)&src4,
                                             AGENT_TABLE) < 0)
                        continue;
                if (accept_mark &&
                    rtnl_rule_fwmark(nl, fam, AGENT_MARK, AGENT_TABLE, AGENT_PRIO) == 0)
                        kept |= i ? KEEP_TCP6 : KEEP_TCP4;
                for (size_t f = 0; f < a->n_fwd; f++)
                        if (a->fwd[f].udp && rtnl_rule_sport(nl, fam, IPPROTO_UDP, a->fwd[f].port,
                                                             AGENT_TABLE, AGENT_PRIO) < 0)
                                udp_ok = false;
                if (udp_ok)
                        kept |= i ? KEEP_UDP6 : KEEP_UDP4;
        }
        return kept;
}

/* tap0 with its addresses, routes and MTU, up. Returns the tap fd. */
static int setup_tap(const struct helper_args *a, unsigned *ret_kept)
{
        _cleanup_close_ int tap = -1, nl = -1;
        struct in_addr addr4, gw4;
        struct in6_addr addr6, gw6;
        int ifindex, r;

        tap = open_tap();
        if (tap < 0)
                return tap;
        ifindex = (int)if_nametoindex(NET_TAP_NAME);
        if (ifindex <= 0)
                return log_errno(-errno, "finding %s in the sandbox", NET_TAP_NAME);
        /* Before the link is up: no duplicate detection to wait for, no router advertisement
         * to add a second address, and a gratuitous ARP and unsolicited neighbour
         * advertisement so that libslirp knows the sandbox before its first packet. */
        (void)write_sysctl("/proc/sys/net/ipv6/conf/" NET_TAP_NAME "/accept_dad", "0");
        (void)write_sysctl("/proc/sys/net/ipv6/conf/" NET_TAP_NAME "/accept_ra", "0");
        (void)write_sysctl("/proc/sys/net/ipv6/conf/" NET_TAP_NAME "/ndisc_notify", "1");
        (void)write_sysctl("/proc/sys/net/ipv4/conf/" NET_TAP_NAME "/arp_notify", "1");

        nl = rtnl_open();
        if (nl < 0)
                return log_errno(nl, "opening a netlink socket in the sandbox");
        inet_pton(AF_INET, NET_SANDBOX4, &addr4);
        inet_pton(AF_INET, NET_GATEWAY4, &gw4);
        inet_pton(AF_INET6, NET_SANDBOX6, &addr6);
        inet_pton(AF_INET6, NET_GATEWAY6, &gw6);
        r = rtnl_link_set(nl, ifindex, a->mtu, false);
        if (r < 0)
                return log_errno(r, "setting the MTU of %s to %u", NET_TAP_NAME, a->mtu);
        r = rtnl_addr_add(nl, ifindex, AF_INET, &addr4, NET_PREFIX4, false);
        if (r < 0)
                return log_errno(r, "adding %s/%d to %s", NET_SANDBOX4, NET_PREFIX4, NET_TAP_NAME);
        /* IPv6 may be off in this kernel: then the sandbox has IPv4 only. */
        bool v6 = rtnl_addr_add(nl, ifindex, AF_INET6, &addr6, NET_PREFIX6, true) == 0;
        r = rtnl_link_set(nl, ifindex, 0, true);
        if (r < 0)
                return log_errno(r, "bringing %s up", NET_TAP_NAME);
        r = rtnl_route_default(nl, ifindex, AF_INET, &gw4);
        if (r < 0)
                return log_errno(r, "adding the default route through %s", NET_GATEWAY4);
        if (v6 && (r = rtnl_route_default(nl, ifindex, AF_INET6, &gw6)) < 0)
                return log_errno(r, "adding the default route through %s", NET_GATEWAY6);
        *ret_kept = setup_source_routing(a, nl);
        return TAKE_FD(tap);
}

/* One socket connecting to the sandbox, from src when given; -errno if even the plain
 * connection fails at once. */
static int dial(const struct dial_req *q, unsigned kept)
{
        struct sockaddr_storage dst = {0};
        socklen_t len;
        int family = q->family == AF_INET6 ? AF_INET6 : AF_INET;
        unsigned need = q->udp ? (family == AF_INET ? KEEP_UDP4 : KEEP_UDP6)
                               : (family == AF_INET ? KEEP_TCP4 : KEEP_TCP6);

        if (family == AF_INET) {
                struct sockaddr_in *d = (struct sockaddr_in *)&dst;
                d->sin_family = AF_INET;
                d->sin_port = htons(q->port);
                inet_pton(AF_INET, NET_SANDBOX4, &d->sin_addr);
                len = sizeof *d;
        } else {
                struct sockaddr_in6 *d = (struct sockaddr_in6 *)&dst;
                d->sin6_family = AF_INET6;
                d->sin6_port = htons(q->port);
                inet_pton(AF_INET6, NET_SANDBOX6, &d->sin6_addr);
                len = sizeof *d;
        }
        /* Three tries: the client's address and port, its address with any port (a port
         * already taken), then no source at all (the server sees the sandbox's address). */
        for (int attempt = q->has_src && (kept & need) ? 0 : 2; attempt < 3; attempt++) {
                _cleanup_close_ int s = socket(
                    family, (q->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                if (s < 0)
                        return -errno;
                if (attempt < 2) {
                        struct sockaddr_storage src = q->src;
                        int on = 1;
                        uint32_t mark = AGENT_MARK;
                        if (src.ss_family != family)
                                continue;
                        if (attempt == 1) {
                                if (family == AF_INET)
                                        ((struct sockaddr_in *)&src)->sin_port = 0;
                                else
                                        ((struct sockaddr_in6 *)&src)->sin6_port = 0;
                        }
                        if (setsockopt(s, family == AF_INET ? SOL_IP : SOL_IPV6,
                                       family == AF_INET ? IP_TRANSPARENT : IPV6_TRANSPARENT, &on,
                                       sizeof on) < 0 ||
                            setsockopt(s, SOL_SOCKET, SO_MARK, &mark, sizeof mark) < 0 ||
                            bind(s, (struct sockaddr *)&src, len) < 0)
                                continue;
                }
                if (connect(s, (struct sockaddr *)&dst, len) < 0 && errno != EINPROGRESS) {
                        if (attempt < 2 && (errno == EADDRNOTAVAIL || errno == EADDRINUSE))
                                continue;
                        return -errno;
                }
                return TAKE_FD(s);
        }
        return -EADDRNOTAVAIL;
}

static _Noreturn void serve(int sock, unsigned kept)
{
        for (;;) {
                struct dial_req q;
                struct dial_resp resp;
                int fd, r = recv_fd(sock, &q, sizeof q, &fd, 0);
                if (fd >= 0)
                        close(fd);
                if (r == -EPIPE)
                        _exit(0);
                if (r < 0)
                        continue;
                fd = dial(&q, kept);
                resp.id = q.id;
                resp.err = fd < 0 ? fd : 0;
                resp.udp = q.udp;
                if (send_fd(sock, &resp, sizeof resp, fd, 0) == -EPIPE)
                        _exit(0);
                if (fd >= 0)
                        close(fd);
        }
}

static _Noreturn void agent_main(const struct helper_args *a, int sock, pid_t parent)
{
        struct hello h = {0};
        unsigned kept = 0;
        int tap;

        /* The helper's death ends us; the check closes the race with a death before the
         * prctl. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
                _exit(1);
        if (setns(a->userns_fd, CLONE_NEWUSER) < 0) {
                log_errno(-errno, "joining the sandbox's user namespace");
                _exit(1);
        }
        if (setns(a->netns_fd, CLONE_NEWNET) < 0) {
                log_errno(-errno, "joining the sandbox's network namespace");
                _exit(1);
        }
        /* Nothing of the helper's but our socket: the launcher waits for EOF on the ready
         * pipe, and the helper's other fds are none of our business. */
        {
                int keep[] = {sock};
                close_fds_except(keep, 1);
        }
        tap = setup_tap(a, &kept);
        h.err = tap < 0 ? tap : 0;
        /* tap's fd stays open here too, so that tap0 goes with the agent, after the helper: the
         * kernel takes a good 10 ms to unregister a device, which the launcher, waiting for the
         * helper, then does not wait for. */
        if (send_fd(sock, &h, sizeof h, tap, 0) < 0 || tap < 0)
                _exit(1);
        /* Before the first request: from here on only sockets inside, marked and bound to
         * any address (CAP_NET_ADMIN in the sandbox's namespace), and nothing else. */
        if (confine_agent() < 0)
                _exit(1);
        serve(sock, kept);
}

int agent_start(const struct helper_args *a, struct agent *ret)
{
        int sp[2], tap;
        pid_t parent = getpid();
        struct hello h;
        int r;

        ret->pid = -1;
        ret->sock = -1;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
                return log_errno(-errno, "socketpair");
        ret->pid = fork();
        if (ret->pid < 0) {
                r = -errno;
                close(sp[0]);
                close(sp[1]);
                return log_errno(r, "fork");
        }
        if (ret->pid == 0) {
                close(sp[0]);
                agent_main(a, sp[1], parent);
        }
        close(sp[1]);
        ret->sock = sp[0];
        r = recv_fd(ret->sock, &h, sizeof h, &tap, 0);
        if (r < 0 || h.err < 0 || tap < 0) {
                if (tap >= 0)
                        close(tap);
                /* The agent said why on stderr. */
                return r < 0 ? r : h.err < 0 ? h.err : -EBADMSG;
        }
        return tap;
}

int agent_dial(struct agent *ag, uint32_t id, bool udp, int family, uint16_t port,
               const struct sockaddr_storage *src)
{
        struct dial_req q = {
            .id = id, .family = family, .port = port, .udp = udp, .has_src = src != NULL};

        if (ag->sock < 0)
                return -EPIPE;
        if (src)
                q.src = *src;
        /* Never blocks the event loop: a full queue to the agent refuses the client. */
        return send_fd(ag->sock, &q, sizeof q, -1, MSG_DONTWAIT);
}

int agent_recv(struct agent *ag, uint32_t *ret_id, bool *ret_udp, int *ret_fd)
{
        struct dial_resp resp;
        int fd, r;

        if (ag->sock < 0)
                return -EPIPE;
        r = recv_fd(ag->sock, &resp, sizeof resp, &fd, MSG_DONTWAIT);
        if (r < 0)
                return r;
        *ret_id = resp.id;
        *ret_udp = resp.udp;
        if (resp.err < 0 || fd < 0) {
                if (fd >= 0)
                        close(fd);
                *ret_fd = resp.err < 0 ? resp.err : -EBADMSG;
        } else {
                *ret_fd = fd;
        }
        return 0;
}
