/* probe's network subcommands (see the header of probe.c for the output conventions): clients
 * and servers for the network tests, a minimal DNS client, and raw frames aimed at addresses the
 * network helper must refuse. Runs inside sandboxes (as the workload) or on the test's side.
 * libc only; every wait has a timeout, so a probe never hangs a test.
 *
 *   tcp HOST PORT [DATA]     (*) tcp=HOST:PORT ret=0|-1 errno=E, then reply=FIRST-LINE when
 *                            the server answered: connects (3 s), sends DATA and a newline,
 *                            reads until EOF (3 s)
 *   udp HOST PORT [DATA]     (*) udp=HOST:PORT ret= errno=, then reply=: one datagram, one
 *                            answer (2 s; errno=ETIMEDOUT without)
 *   dns NAME [a|aaaa] [SERVER]
 *                            (*) dns=NAME server=S ret= errno= rcode=N answer=A,B (the
 *                            addresses of the answer; empty for none); SERVER defaults to the
 *                            first nameserver of /etc/resolv.conf; UDP, 3 s
 *   serve tcp|udp PORT COUNT listening=PORT once bound to [::]:PORT (IPv4 too), then per client
 *                            peer=ADDR:PORT (IPv4 written as such), answering each with
 *                            "sandbox:PORT peer=ADDR:PORT"; exits after COUNT clients
 *   echo PORT COUNT          listening=PORT once bound to [::]:PORT (IPv4 too), then for each of
 *                            COUNT clients: sends back all it reads until EOF, half-closes, and
 *                            prints echoed=BYTES
 *   unix @NAME               (*) unix=@NAME ret= errno=   (connect to an abstract socket)
 *   raw IFACE DST PROTO PORT (*) raw=DST proto=tcp|udp ret= errno=   (one Ethernet frame
 *                            written on IFACE with AF_PACKET: a TCP SYN or a UDP datagram
 *                            "raw" from the interface's address to DST:PORT, IPv4 or IPv6,
 *                            checksums right; needs CAP_NET_RAW)
 *   ifaddrs                  (*) addr=IFACE family=inet|inet6 address=A prefix=N, and
 *                            mtu=IFACE value=N for every interface
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "probe_net.h"

static const char *errname(int e)
{
        static char buf[16];
        const char *n = e ? strerrorname_np(e) : "0";
        if (n)
                return n;
        snprintf(buf, sizeof buf, "E%d", e);
        return buf;
}

/* HOST (numeric, IPv6 with or without brackets) and PORT into a sockaddr. */
static int make_addr(const char *host, const char *port, struct sockaddr_storage *ss,
                     socklen_t *len)
{
        char h[64];
        size_t n = strlen(host);
        int p = atoi(port);

        memset(ss, 0, sizeof *ss);
        if (host[0] == '[' && n > 2 && host[n - 1] == ']' && n - 2 < sizeof h) {
                memcpy(h, host + 1, n - 2);
                h[n - 2] = 0;
        } else {
                snprintf(h, sizeof h, "%s", host);
        }
        if (inet_pton(AF_INET, h, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
                ss->ss_family = AF_INET;
                ((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)p);
                *len = sizeof(struct sockaddr_in);
                return 0;
        }
        if (inet_pton(AF_INET6, h, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
                ss->ss_family = AF_INET6;
                ((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)p);
                *len = sizeof(struct sockaddr_in6);
                return 0;
        }
        return -1;
}

/* "ADDR:PORT", IPv4-mapped IPv6 written as IPv4, IPv6 in brackets. */
static const char *addr_str(const struct sockaddr_storage *ss)
{
        static char out[80];
        char a[64];

        if (ss->ss_family == AF_INET) {
                const struct sockaddr_in *s = (const void *)ss;
                inet_ntop(AF_INET, &s->sin_addr, a, sizeof a);
                snprintf(out, sizeof out, "%s:%u", a, ntohs(s->sin_port));
        } else {
                const struct sockaddr_in6 *s = (const void *)ss;
                if (IN6_IS_ADDR_V4MAPPED(&s->sin6_addr)) {
                        inet_ntop(AF_INET, &s->sin6_addr.s6_addr[12], a, sizeof a);
                        snprintf(out, sizeof out, "%s:%u", a, ntohs(s->sin6_port));
                } else {
                        inet_ntop(AF_INET6, &s->sin6_addr, a, sizeof a);
                        snprintf(out, sizeof out, "[%s]:%u", a, ntohs(s->sin6_port));
                }
        }
        return out;
}

static int wait_fd(int fd, short events, int ms)
{
        struct pollfd p = {fd, events, 0};
        int r = poll(&p, 1, ms);
        if (r == 0)
                errno = ETIMEDOUT;
        return r > 0 ? 0 : -1;
}

/* The first line of what came, with spaces kept (reply= is the last key of its line). */
static void print_reply(const char *buf, size_t n)
{
        size_t l = strcspn(buf, "\n");
        printf("reply=%.*s\n", (int)(l < n ? l : n), buf);
}

int probe_tcp(int argc, char **argv)
{
        struct sockaddr_storage ss;
        socklen_t len;
        char buf[1024], out[512];
        size_t got = 0;
        int fd, err = 0;

        if (make_addr(argv[0], argv[1], &ss, &len) < 0)
                return fprintf(stderr, "probe: bad address %s\n", argv[0]), 2;
        fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0 || (connect(fd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS))
                err = errno;
        else if (wait_fd(fd, POLLOUT, 3000) < 0)
                err = errno;
        else {
                socklen_t el = sizeof err;
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
        }
        printf("tcp=%s:%s ret=%d errno=%s\n", argv[0], argv[1], err ? -1 : 0, errname(err));
        if (err)
                return 0;
        snprintf(out, sizeof out, "%s\n", argc > 2 ? argv[2] : "probe");
        (void)!write(fd, out, strlen(out));
        while (got < sizeof buf - 1 && wait_fd(fd, POLLIN, 3000) == 0) {
                ssize_t n = read(fd, buf + got, sizeof buf - 1 - got);
                if (n <= 0)
                        break;
                got += (size_t)n;
        }
        buf[got] = 0;
        if (got)
                print_reply(buf, got);
        close(fd);
        return 0;
}

int probe_udp(int argc, char **argv)
{
        struct sockaddr_storage ss;
        socklen_t len;
        char buf[1024];
        const char *data = argc > 2 ? argv[2] : "probe";
        ssize_t n = -1;
        int fd, err = 0;

        if (make_addr(argv[0], argv[1], &ss, &len) < 0)
                return fprintf(stderr, "probe: bad address %s\n", argv[0]), 2;
        fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || sendto(fd, data, strlen(data), 0, (struct sockaddr *)&ss, len) < 0)
                err = errno;
        else if (wait_fd(fd, POLLIN, 2000) < 0 || (n = recv(fd, buf, sizeof buf - 1, 0)) < 0)
                err = errno;
        printf("udp=%s:%s ret=%d errno=%s\n", argv[0], argv[1], err ? -1 : 0, errname(err));
        if (!err && n > 0) {
                buf[n] = 0;
                print_reply(buf, (size_t)n);
        }
        return 0;
}

/* --- dns ------------------------------------------------------------------------------------ */

static int first_nameserver(char *out, size_t size)
{
        char line[256];
        FILE *f = fopen("/etc/resolv.conf", "re");
        int r = -1;

        while (f && r < 0 && fgets(line, sizeof line, f))
                if (sscanf(line, " nameserver %63s", out) == 1 && strlen(out) < size)
                        r = 0;
        if (f)
                fclose(f);
        return r;
}

int probe_dns(int argc, char **argv)
{
        const char *name = argv[0];
        int aaaa = argc > 1 && strcmp(argv[1], "aaaa") == 0;
        char server[64] = "", answers[512] = "";
        uint8_t q[512], r[1500];
        size_t qn = 12;
        struct sockaddr_storage ss;
        socklen_t len;
        ssize_t n = -1;
        int fd, err = 0, rcode = -1;

        if (argc > 2)
                snprintf(server, sizeof server, "%s", argv[2]);
        else if (first_nameserver(server, sizeof server) < 0)
                return printf("dns=%s server= ret=-1 errno=ENOENT rcode=-1 answer=\n", name), 0;
        /* Header: id 0x5b5b, recursion desired, one question. */
        memset(q, 0, sizeof q);
        q[0] = q[1] = 0x5b;
        q[2] = 0x01;
        q[5] = 1;
        for (const char *p = name; *p && qn < sizeof q - 64;) {
                size_t l = strcspn(p, ".");
                if (l == 0 || l > 63)
                        return fprintf(stderr, "probe: bad name %s\n", name), 2;
                q[qn++] = (uint8_t)l;
                memcpy(q + qn, p, l);
                qn += l;
                p += l + (p[l] == '.');
        }
        q[qn++] = 0;
        q[qn++] = 0;
        q[qn++] = aaaa ? 28 : 1;
        q[qn++] = 0;
        q[qn++] = 1;
        if (make_addr(server, "53", &ss, &len) < 0)
                return fprintf(stderr, "probe: bad server %s\n", server), 2;
        fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || sendto(fd, q, qn, 0, (struct sockaddr *)&ss, len) < 0)
                err = errno;
        else if (wait_fd(fd, POLLIN, 3000) < 0 || (n = recv(fd, r, sizeof r, 0)) < 0)
                err = errno;
        if (!err && n >= 12 && r[0] == 0x5b && r[1] == 0x5b) {
                size_t off = 12, an = (size_t)(r[6] << 8 | r[7]);
                rcode = r[3] & 0x0f;
                /* Skip the question: its name, type and class. */
                while (off < (size_t)n && r[off] && r[off] < 64)
                        off += r[off] + 1u;
                off += r[off] >= 0xc0 ? 2 : 1;
                off += 4;
                for (size_t i = 0; i < an && off + 12 <= (size_t)n; i++) {
                        uint16_t type, rdlen;
                        if (r[off] >= 0xc0)
                                off += 2;
                        else {
                                while (off < (size_t)n && r[off])
                                        off += r[off] + 1u;
                                off++;
                        }
                        if (off + 10 > (size_t)n)
                                break;
                        type = (uint16_t)(r[off] << 8 | r[off + 1]);
                        rdlen = (uint16_t)(r[off + 8] << 8 | r[off + 9]);
                        off += 10;
                        if (off + rdlen > (size_t)n)
                                break;
                        if ((type == 1 && rdlen == 4) || (type == 28 && rdlen == 16)) {
                                char a[64];
                                inet_ntop(type == 1 ? AF_INET : AF_INET6, r + off, a, sizeof a);
                                snprintf(answers + strlen(answers),
                                         sizeof answers - strlen(answers), "%s%s",
                                         answers[0] ? "," : "", a);
                        }
                        off += rdlen;
                }
        } else if (!err) {
                err = EBADMSG;
        }
        printf("dns=%s server=%s ret=%d errno=%s rcode=%d answer=%s\n", name, server, err ? -1 : 0,
               errname(err), rcode, answers);
        return 0;
}

/* --- serve ---------------------------------------------------------------------------------- */

int probe_serve(int argc, char **argv)
{
        int udp = strcmp(argv[0], "udp") == 0, port = atoi(argv[1]), count = atoi(argv[2]);
        struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
        int fd = socket(AF_INET6, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0), off = 0,
            on = 1;

        (void)argc;
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
            (!udp && listen(fd, 16) < 0)) {
                printf("listening=%d ret=-1 errno=%s\n", port, errname(errno));
                return 1;
        }
        printf("listening=%d\n", port);
        for (int i = 0; i < count; i++) {
                struct sockaddr_storage peer;
                socklen_t pl = sizeof peer;
                char buf[256], msg[256];
                ssize_t n;

                if (udp) {
                        n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&peer, &pl);
                        if (n < 0)
                                return 1;
                        printf("peer=%s\n", addr_str(&peer));
                        snprintf(msg, sizeof msg, "sandbox:%d peer=%s\n", port, addr_str(&peer));
                        sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&peer, pl);
                } else {
                        int c = accept4(fd, (struct sockaddr *)&peer, &pl, SOCK_CLOEXEC);
                        if (c < 0)
                                return 1;
                        printf("peer=%s\n", addr_str(&peer));
                        snprintf(msg, sizeof msg, "sandbox:%d peer=%s\n", port, addr_str(&peer));
                        (void)!write(c, msg, strlen(msg));
                        shutdown(c, SHUT_WR);
                        /* Drain what the client sent, so that close sends a FIN, not a reset. */
                        while (wait_fd(c, POLLIN, 1000) == 0 && read(c, buf, sizeof buf) > 0)
                                ;
                        close(c);
                }
        }
        return 0;
}

int probe_echo(int argc, char **argv)
{
        int port = atoi(argv[0]), count = atoi(argv[1]);
        struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
        int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0), off = 0, on = 1;
        static char buf[1 << 16];

        (void)argc;
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 16) < 0) {
                printf("listening=%d ret=-1 errno=%s\n", port, errname(errno));
                return 1;
        }
        printf("listening=%d\n", port);
        for (int i = 0; i < count; i++) {
                long long total = 0;
                int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
                ssize_t n;
                if (c < 0)
                        return 1;
                while ((n = read(c, buf, sizeof buf)) > 0) {
                        for (ssize_t w = 0, k; w < n; w += k)
                                if ((k = write(c, buf + w, (size_t)(n - w))) <= 0)
                                        return 1;
                        total += n;
                }
                shutdown(c, SHUT_WR);
                close(c);
                printf("echoed=%lld\n", total);
        }
        return 0;
}

int probe_unix(int argc, char **argv)
{
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        const char *name = argv[0][0] == '@' ? argv[0] + 1 : argv[0];
        size_t n = strlen(name);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), r;

        (void)argc;
        if (n + 1 > sizeof a.sun_path)
                return 2;
        memcpy(a.sun_path + 1, name, n); /* sun_path[0] == 0: abstract */
        r = connect(fd, (struct sockaddr *)&a,
                    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n));
        printf("unix=@%s ret=%d errno=%s\n", name, r < 0 ? -1 : 0, errname(r < 0 ? errno : 0));
        return 0;
}

/* --- raw frames ----------------------------------------------------------------------------- */

static uint32_t sum16(const void *data, size_t n, uint32_t s)
{
        const uint8_t *p = data;
        for (size_t i = 0; i + 1 < n; i += 2)
                s += (uint32_t)(p[i] << 8 | p[i + 1]);
        if (n & 1)
                s += (uint32_t)(p[n - 1] << 8);
        return s;
}

static uint16_t fold(uint32_t s)
{
        while (s >> 16)
                s = (s & 0xffff) + (s >> 16);
        return (uint16_t)~s;
}

static int iface_addr(const char *iface, int family, void *out)
{
        struct ifaddrs *ifa, *i;
        int r = -1;

        if (getifaddrs(&ifa) < 0)
                return -1;
        for (i = ifa; i && r < 0; i = i->ifa_next)
                if (i->ifa_addr && i->ifa_addr->sa_family == family &&
                    strcmp(i->ifa_name, iface) == 0) {
                        if (family == AF_INET)
                                memcpy(out, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, 4);
                        else if (!IN6_IS_ADDR_LINKLOCAL(
                                     &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr))
                                memcpy(out, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, 16);
                        else
                                continue;
                        r = 0;
                }
        freeifaddrs(ifa);
        return r;
}

int probe_raw(int argc, char **argv)
{
        const char *iface = argv[0], *dst = argv[1];
        int tcp = strcmp(argv[2], "tcp") == 0, port = atoi(argv[3]);
        uint8_t f[128] = {0}, *l4, ph[40];
        struct sockaddr_ll ll = {.sll_family = AF_PACKET, .sll_halen = 6};
        struct in6_addr d6, s6;
        struct in_addr d4, s4;
        size_t l4len = tcp ? 20 : 8 + 3, iplen, phlen;
        int v6 = strchr(dst, ':') != NULL, fd, r;
        uint32_t s;

        (void)argc;
        if (v6 ? inet_pton(AF_INET6, dst, &d6) != 1 : inet_pton(AF_INET, dst, &d4) != 1)
                return fprintf(stderr, "probe: bad address %s\n", dst), 2;
        if (iface_addr(iface, v6 ? AF_INET6 : AF_INET, v6 ? (void *)&s6 : (void *)&s4) < 0)
                return printf("raw=%s proto=%s ret=-1 errno=EADDRNOTAVAIL\n", dst, argv[2]), 0;
        memset(f, 0xff, 6); /* broadcast: whoever is on the link takes it */
        f[6] = 0x02;        /* a made-up local source MAC */
        f[12] = v6 ? 0x86 : 0x08;
        f[13] = v6 ? 0xdd : 0x00;
        if (v6) {
                uint8_t *ip = f + 14;
                ip[0] = 0x60;
                ip[4] = 0;
                ip[5] = (uint8_t)l4len;
                ip[6] = tcp ? 6 : 17;
                ip[7] = 64;
                memcpy(ip + 8, &s6, 16);
                memcpy(ip + 24, &d6, 16);
                iplen = 40;
                memcpy(ph, &s6, 16);
                memcpy(ph + 16, &d6, 16);
                memset(ph + 32, 0, 8);
                ph[35] = (uint8_t)l4len;
                ph[39] = tcp ? 6 : 17;
                phlen = 40;
        } else {
                uint8_t *ip = f + 14;
                ip[0] = 0x45;
                ip[3] = (uint8_t)(20 + l4len);
                ip[6] = 0x40; /* don't fragment */
                ip[8] = 64;
                ip[9] = tcp ? 6 : 17;
                memcpy(ip + 12, &s4, 4);
                memcpy(ip + 16, &d4, 4);
                s = fold(sum16(ip, 20, 0));
                ip[10] = (uint8_t)(s >> 8);
                ip[11] = (uint8_t)s;
                iplen = 20;
                memcpy(ph, &s4, 4);
                memcpy(ph + 4, &d4, 4);
                ph[8] = 0;
                ph[9] = tcp ? 6 : 17;
                ph[10] = 0;
                ph[11] = (uint8_t)l4len;
                phlen = 12;
        }
        l4 = f + 14 + iplen;
        l4[0] = 0xc3; /* source port 50000 */
        l4[1] = 0x50;
        l4[2] = (uint8_t)(port >> 8);
        l4[3] = (uint8_t)port;
        if (tcp) {
                l4[7] = 1;       /* sequence number 1 */
                l4[12] = 5 << 4; /* header length */
                l4[13] = 0x02;   /* SYN */
                l4[14] = 0xff;   /* window */
                l4[15] = 0xff;
        } else {
                l4[5] = (uint8_t)l4len;
                memcpy(l4 + 8, "raw", 3);
        }
        s = fold(sum16(l4, l4len, sum16(ph, phlen, 0)));
        l4[tcp ? 16 : 6] = (uint8_t)(s >> 8);
        l4[tcp ? 17 : 7] = (uint8_t)s;

        ll.sll_ifindex = (int)if_nametoindex(iface);
        memset(ll.sll_addr, 0xff, 6);
        fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
        r = fd < 0 ? -1
                   : (int)sendto(fd, f, 14 + iplen + l4len, 0, (struct sockaddr *)&ll, sizeof ll);
        printf("raw=%s proto=%s ret=%d errno=%s\n", dst, argv[2], r < 0 ? -1 : 0,
               errname(r < 0 ? errno : 0));
        return 0;
}

int probe_ifaddrs(int argc, char **argv)
{
        struct ifaddrs *ifa;
        (void)argc;
        (void)argv;
        if (getifaddrs(&ifa) < 0)
                return 1;
        for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
                char a[64];
                int prefix = 0;
                if (!i->ifa_addr ||
                    (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
                        continue;
                const void *addr =
                    i->ifa_addr->sa_family == AF_INET
                        ? (const void *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr
                        : (const void *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
                const uint8_t *m =
                    i->ifa_netmask
                        ? (i->ifa_addr->sa_family == AF_INET
                               ? (const uint8_t *)&((struct sockaddr_in *)i->ifa_netmask)->sin_addr
                               : (const uint8_t *)&((struct sockaddr_in6 *)i->ifa_netmask)
                                     ->sin6_addr)
                        : NULL;
                for (int b = 0; m && b < (i->ifa_addr->sa_family == AF_INET ? 4 : 16); b++)
                        prefix += __builtin_popcount(m[b]);
                inet_ntop(i->ifa_addr->sa_family, addr, a, sizeof a);
                printf("addr=%s family=%s address=%s prefix=%d\n", i->ifa_name,
                       i->ifa_addr->sa_family == AF_INET ? "inet" : "inet6", a, prefix);
        }
        struct if_nameindex *ni = if_nameindex();
        for (struct if_nameindex *p = ni; p && p->if_index; p++) {
                struct ifreq ifr = {0};
                int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", p->if_name);
                if (fd >= 0 && ioctl(fd, SIOCGIFMTU, &ifr) == 0)
                        printf("mtu=%s value=%d\n", p->if_name, ifr.ifr_mtu);
                if (fd >= 0)
                        close(fd);
        }
        if (ni)
                if_freenameindex(ni);
        freeifaddrs(ifa);
        return 0;
}
