/* Unit tests of the network helper's pure parts (helpers/slirp): the frame filter in front of
 * libslirp, the "administratively prohibited" answers it sends back, and how published-port
 * clients look inside. Frames are built here byte by byte. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include "../unit/check.h"
#include "filter.h"
#include "source.h"

enum { TCP = 6, UDP = 17, ICMP = 1, ICMP6 = 58 };

static uint8_t frame[256];

/* An Ethernet + IPv4 frame to dst, protocol proto, destination port port, TCP flags. */
static size_t v4(const char *dst, int proto, int port, int tcp_flags, int frag)
{
        uint8_t *ip = frame + 14;
        memset(frame, 0, sizeof frame);
        frame[12] = 0x08;
        ip[0] = 0x45;
        ip[3] = 60;
        ip[6] = (uint8_t)(frag >> 8);
        ip[7] = (uint8_t)frag;
        ip[8] = 64;
        ip[9] = (uint8_t)proto;
        inet_pton(AF_INET, "10.0.2.100", ip + 12);
        inet_pton(AF_INET, dst, ip + 16);
        ip[20] = 0xc3;
        ip[22] = (uint8_t)(port >> 8);
        ip[23] = (uint8_t)port;
        ip[20 + 13] = (uint8_t)tcp_flags;
        return 14 + 40;
}

static size_t v6(const char *dst, int nh, int port, int tcp_flags)
{
        uint8_t *ip = frame + 14;
        memset(frame, 0, sizeof frame);
        frame[12] = 0x86;
        frame[13] = 0xdd;
        ip[0] = 0x60;
        ip[5] = 20;
        ip[6] = (uint8_t)nh;
        ip[7] = 64;
        inet_pton(AF_INET6, "fd00::100", ip + 8);
        inet_pton(AF_INET6, dst, ip + 24);
        ip[40 + 2] = (uint8_t)(port >> 8);
        ip[40 + 3] = (uint8_t)port;
        ip[40 + 13] = (uint8_t)tcp_flags;
        return 14 + 60;
}

#define SYN 0x02
#define ACK 0x10
#define MF  0x2000

static void test_closed(void)
{
        struct filter f = {.dns4 = true, .dns6 = true};

        /* The world outside passes. */
        CHECK_INT(filter_frame(&f, frame, v4("192.0.2.1", TCP, 80, SYN, 0)), FILTER_PASS);
        CHECK_INT(filter_frame(&f, frame, v4("192.0.2.1", UDP, 53, 0, 0)), FILTER_PASS);
        CHECK_INT(filter_frame(&f, frame, v4("192.0.2.1", UDP, 53, 0, MF)), FILTER_PASS);
        CHECK_INT(filter_frame(&f, frame, v6("2001:db8::1", TCP, 443, SYN)), FILTER_PASS);
        /* The host's loopback through the gateway, in both families and protocols. */
        CHECK_INT(filter_frame(&f, frame, v4("10.0.2.2", TCP, 8080, SYN, 0)), FILTER_DROP_LOOPBACK);
        CHECK_INT(filter_frame(&f, frame, v4("10.0.2.2", UDP, 8080, 0, 0)), FILTER_DROP_LOOPBACK);
        CHECK_INT(filter_frame(&f, frame, v4("10.0.2.77", TCP, 22, SYN, 0)), FILTER_DROP_LOOPBACK);
        CHECK_INT(filter_frame(&f, frame, v6("fd00::2", TCP, 8080, SYN)), FILTER_DROP_LOOPBACK);
        CHECK_INT(filter_frame(&f, frame, v6("fd00::2", UDP, 8080, 0)), FILTER_DROP_LOOPBACK);
        /* ...and aimed straight at it with a raw socket. */
        CHECK_INT(filter_frame(&f, frame, v4("127.0.0.1", TCP, 8080, SYN, 0)),
                  FILTER_DROP_LOOPBACK);
        CHECK_INT(filter_frame(&f, frame, v4("127.1.2.3", UDP, 8080, 0, 0)), FILTER_DROP_LOOPBACK);
        CHECK_INT(filter_frame(&f, frame, v4("0.0.0.0", UDP, 8080, 0, 0)), FILTER_DROP_LOOPBACK);
        CHECK_INT(filter_frame(&f, frame, v4("255.255.255.255", UDP, 8080, 0, 0)),
                  FILTER_DROP_LOOPBACK);
        CHECK_INT(filter_frame(&f, frame, v4("224.0.0.251", UDP, 5353, 0, 0)),
                  FILTER_DROP_LOOPBACK);
        CHECK_INT(filter_frame(&f, frame, v6("::1", TCP, 8080, SYN)), FILTER_DROP_LOOPBACK);
        CHECK_INT(filter_frame(&f, frame, v6("::", UDP, 8080, 0)), FILTER_DROP_LOOPBACK);
        CHECK_INT(filter_frame(&f, frame, v6("::ffff:127.0.0.1", TCP, 80, SYN)),
                  FILTER_DROP_LOOPBACK);
        CHECK_INT(filter_frame(&f, frame, v6("::127.0.0.1", TCP, 80, SYN)), FILTER_DROP_LOOPBACK);
        CHECK_INT(filter_frame(&f, frame, v6("ff02::1", UDP, 80, 0)), FILTER_DROP_LOOPBACK);
        /* Neighbour discovery and ICMP to the gateway (libslirp answers it itself). */
        CHECK_INT(filter_frame(&f, frame, v6("ff02::1:ff00:2", ICMP6, 0, 0)), FILTER_PASS);
        CHECK_INT(filter_frame(&f, frame, v6("fd00::2", ICMP6, 0, 0)), FILTER_PASS);
        CHECK_INT(filter_frame(&f, frame, v4("10.0.2.2", ICMP, 0, 0, 0)), FILTER_PASS);
        /* Answers of connections libslirp forwarded in may reach the gateway; openings not. */
        CHECK_INT(filter_frame(&f, frame, v4("10.0.2.2", TCP, 40000, SYN | ACK, 0)), FILTER_PASS);
        CHECK_INT(filter_frame(&f, frame, v4("10.0.2.2", TCP, 40000, ACK, 0)), FILTER_PASS);
        CHECK_INT(filter_frame(&f, frame, v4("10.0.2.2", TCP, 40000, ACK, MF)),
                  FILTER_DROP_LOOPBACK);
        CHECK_INT(filter_frame(&f, frame, v6("fd00::2", TCP, 40000, SYN | ACK)), FILTER_PASS);
}

static void test_dns(void)
{
        struct filter f = {.dns4 = true, .dns6 = true};

        CHECK_INT(filter_frame(&f, frame, v4("10.0.2.3", UDP, 53, 0, 0)), FILTER_PASS);
        CHECK_INT(filter_frame(&f, frame, v4("10.0.2.3", TCP, 53, SYN, 0)), FILTER_PASS);
        CHECK_INT(filter_frame(&f, frame, v6("fd00::3", UDP, 53, 0)), FILTER_PASS);
        CHECK_INT(filter_frame(&f, frame, v4("10.0.2.3", ICMP, 0, 0, 0)), FILTER_PASS);
        /* Any other port of the DNS alias would be that port of the host's name server, a
         * 127.x stub more often than not. */
        CHECK_INT(filter_frame(&f, frame, v4("10.0.2.3", TCP, 8080, SYN, 0)), FILTER_DROP_DNS);
        CHECK_INT(filter_frame(&f, frame, v4("10.0.2.3", UDP, 54, 0, 0)), FILTER_DROP_DNS);
        CHECK_INT(filter_frame(&f, frame, v4("10.0.2.3", UDP, 53, 0, MF)), FILTER_DROP_DNS);
        CHECK_INT(filter_frame(&f, frame, v4("10.0.2.3", UDP, 53, 0, 1)), FILTER_DROP_DNS);
        CHECK_INT(filter_frame(&f, frame, v6("fd00::3", TCP, 22, SYN)), FILTER_DROP_DNS);
        CHECK_INT(filter_frame(&f, frame, v6("fd00::3", 44 /* fragment */, 53, 0)),
                  FILTER_DROP_DNS);
        /* No upstream of that family: nothing to forward to (libslirp would pick 127.0.0.1). */
        f.dns4 = false;
        CHECK_INT(filter_frame(&f, frame, v4("10.0.2.3", UDP, 53, 0, 0)), FILTER_DROP_DNS);
        f.dns6 = false;
        CHECK_INT(filter_frame(&f, frame, v6("fd00::3", UDP, 53, 0)), FILTER_DROP_DNS);
        /* Still restricted when the loopback is open. */
        f = (struct filter){.allow_host_loopback = true, .dns4 = true};
        CHECK_INT(filter_frame(&f, frame, v4("10.0.2.3", TCP, 8080, SYN, 0)), FILTER_DROP_DNS);
}

static void test_open(void)
{
        struct filter f = {.allow_host_loopback = true, .dns4 = true};

        CHECK_INT(filter_frame(&f, frame, v4("10.0.2.2", TCP, 8080, SYN, 0)), FILTER_PASS);
        CHECK_INT(filter_frame(&f, frame, v4("10.0.2.2", UDP, 8080, 0, 0)), FILTER_PASS);
        CHECK_INT(filter_frame(&f, frame, v6("fd00::2", TCP, 8080, SYN)), FILTER_PASS);
        CHECK_INT(filter_frame(&f, frame, v4("255.255.255.255", UDP, 8080, 0, 0)), FILTER_PASS);
        /* Raw frames at 127/8 stay refused: the open way is the gateway. */
        CHECK_INT(filter_frame(&f, frame, v4("127.0.0.1", TCP, 8080, SYN, 0)),
                  FILTER_DROP_LOOPBACK);
        CHECK_INT(filter_frame(&f, frame, v6("::1", TCP, 8080, SYN)), FILTER_DROP_LOOPBACK);
}

static void test_malformed(void)
{
        struct filter f = {0};
        size_t n;

        CHECK_INT(filter_frame(&f, frame, 10), FILTER_DROP_MALFORMED);
        n = v4("192.0.2.1", TCP, 80, SYN, 0);
        CHECK_INT(filter_frame(&f, frame, 14 + 19), FILTER_DROP_MALFORMED);
        frame[14] = 0x44; /* IHL 4: shorter than a header */
        CHECK_INT(filter_frame(&f, frame, n), FILTER_DROP_MALFORMED);
        frame[14] = 0x4f; /* IHL 15: longer than the frame */
        CHECK_INT(filter_frame(&f, frame, 14 + 50), FILTER_DROP_MALFORMED);
        frame[14] = 0x65; /* version 6 in an IPv4 frame */
        CHECK_INT(filter_frame(&f, frame, n), FILTER_DROP_MALFORMED);
        n = v6("2001:db8::1", TCP, 80, SYN);
        CHECK_INT(filter_frame(&f, frame, 14 + 39), FILTER_DROP_MALFORMED);
        /* A port that is not in the frame is not port 53. */
        f.dns4 = true;
        v4("10.0.2.3", UDP, 53, 0, 0);
        CHECK_INT(filter_frame(&f, frame, 14 + 22), FILTER_DROP_DNS);
        /* ARP and the rest: libslirp's business. */
        memset(frame, 0, 60);
        frame[12] = 0x08;
        frame[13] = 0x06;
        CHECK_INT(filter_frame(&f, frame, 60), FILTER_PASS);
}

static uint16_t csum(const uint8_t *p, size_t n, uint32_t s)
{
        for (size_t i = 0; i + 1 < n; i += 2)
                s += (uint32_t)(p[i] << 8 | p[i + 1]);
        if (n & 1)
                s += (uint32_t)(p[n - 1] << 8);
        while (s >> 16)
                s = (s & 0xffff) + (s >> 16);
        return (uint16_t)s;
}

static void test_reject(void)
{
        uint8_t out[FILTER_REJECT_MAX];
        size_t n = v4("10.0.2.2", TCP, 8080, SYN, 0), r;
        uint8_t sent[128];

        memcpy(frame, "\x52\x55\x0a\x00\x02\x02\x02\x00\x00\x00\x00\x01", 12);
        memcpy(sent, frame, n);
        r = filter_reject(frame, n, out);
        CHECK_INT(r, 14 + 20 + 8 + 28);
        /* Back to the sender's MAC, from the gateway's. */
        CHECK(memcmp(out, sent + 6, 6) == 0 && memcmp(out + 6, sent, 6) == 0);
        /* From the address it tried, to the sandbox; checksums right. */
        CHECK(memcmp(out + 14 + 12, sent + 14 + 16, 4) == 0);
        CHECK(memcmp(out + 14 + 16, sent + 14 + 12, 4) == 0);
        CHECK_INT(csum(out + 14, 20, 0), 0xffff);
        CHECK_INT(out[14 + 20], 3);
        CHECK_INT(out[14 + 21], 13);
        CHECK_INT(csum(out + 14 + 20, r - 14 - 20, 0), 0xffff);
        /* It quotes the header and the ports. */
        CHECK(memcmp(out + 14 + 28, sent + 14, 28) == 0);

        n = v6("fd00::2", UDP, 8080, 0);
        memcpy(sent, frame, n);
        r = filter_reject(frame, n, out);
        CHECK_INT(r, 14 + 40 + 8 + 48);
        CHECK_INT(out[14 + 6], 58);
        CHECK_INT(out[14 + 40], 1);
        CHECK_INT(out[14 + 41], 1);
        CHECK(memcmp(out + 14 + 8, sent + 14 + 24, 16) == 0);
        {
                /* The ICMPv6 checksum covers a pseudo-header: addresses, length, 58. */
                uint32_t s = csum(out + 14 + 8, 32, 0) + 56 + 58;
                CHECK_INT(csum(out + 14 + 40, 56, s), 0xffff);
        }
        /* A group address from the sender gets an answer from the gateway's MAC. */
        memset(frame, 0xff, 6);
        r = filter_reject(frame, n, out);
        CHECK(r > 0 && out[6] == 0x52 && out[11] == 0x02);

        /* Nothing for ICMP, multicast, broadcast, fragments or garbage. */
        CHECK_INT(filter_reject(frame, v4("10.0.2.2", ICMP, 0, 0, 0), out), 0);
        CHECK_INT(filter_reject(frame, v4("255.255.255.255", UDP, 9, 0, 0), out), 0);
        CHECK_INT(filter_reject(frame, v4("224.0.0.1", UDP, 9, 0, 0), out), 0);
        CHECK_INT(filter_reject(frame, v4("10.0.2.2", UDP, 9, 0, 100), out), 0);
        CHECK_INT(filter_reject(frame, v6("ff02::1", UDP, 9, 0), out), 0);
        CHECK_INT(filter_reject(frame, 20, out), 0);
}

static void check_source(const char *peer, int port, const char *want, int want_port)
{
        struct sockaddr_storage in = {0}, out;
        char got[64];
        int gp;

        if (strchr(peer, ':')) {
                struct sockaddr_in6 *a = (struct sockaddr_in6 *)&in;
                a->sin6_family = AF_INET6;
                a->sin6_port = htons((uint16_t)port);
                a->sin6_scope_id = 7;
                inet_pton(AF_INET6, peer, &a->sin6_addr);
                sandbox_source(&in, &out);
                a = (struct sockaddr_in6 *)&out;
                inet_ntop(AF_INET6, &a->sin6_addr, got, sizeof got);
                gp = ntohs(a->sin6_port);
                CHECK_INT(a->sin6_scope_id, 0);
        } else {
                struct sockaddr_in *a = (struct sockaddr_in *)&in;
                a->sin_family = AF_INET;
                a->sin_port = htons((uint16_t)port);
                inet_pton(AF_INET, peer, &a->sin_addr);
                sandbox_source(&in, &out);
                a = (struct sockaddr_in *)&out;
                inet_ntop(AF_INET, &a->sin_addr, got, sizeof got);
                gp = ntohs(a->sin_port);
        }
        CHECK_STR(got, want);
        CHECK_INT(gp, want_port);
}

static void test_source(void)
{
        check_source("192.0.2.7", 40000, "192.0.2.7", 40000);
        check_source("127.0.0.1", 40000, "10.0.2.2", 0);
        check_source("127.9.9.9", 40000, "10.0.2.2", 0);
        check_source("2001:db8::7", 40000, "2001:db8::7", 40000);
        check_source("::1", 40000, "fd00::2", 0);
        check_source("fe80::1", 40000, "fd00::2", 0);
        check_source("::ffff:127.0.0.1", 40000, "fd00::2", 0);
}

int main(void)
{
        test_closed();
        test_dns();
        test_open();
        test_malformed();
        test_reject();
        test_source();
        CHECK_DONE();
}
