/* The frame filter in front of libslirp (see filter.h for the rules and why).
 * Pure; runs in the helper on every frame the sandbox sends, so it reads only what it checked
 * is there. */
#include "filter.h"

#include <string.h>

#define ETH_HLEN       14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define PROTO_ICMP     1
#define PROTO_TCP      6
#define PROTO_UDP      17
#define PROTO_ICMPV6   58
#define DNS_PORT       53

/* 10.0.2.0/24, with the gateway at .2 and the DNS alias at .3 (net.h). */
static const uint8_t subnet4[3] = {10, 0, 2};
#define DNS4_HOST 3
/* fd00::/64 and fd00::3. */
static const uint8_t subnet6[8] = {0xfd, 0x00, 0, 0, 0, 0, 0, 0};
static const uint8_t dns6[16] = {0xfd, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3};

static uint16_t be16(const uint8_t *p)
{
        return (uint16_t)(p[0] << 8 | p[1]);
}

/* A TCP segment that cannot open a connection (anything but a SYN without ACK): libslirp
 * connects out only for a bare SYN, so the others may reach its aliases; they are the answers
 * of connections it forwarded in (--port-driver=slirp). */
static bool tcp_answer(int proto, const uint8_t *l4, size_t len)
{
        return proto == PROTO_TCP && len >= 14 && (l4[13] & 0x12) != 0x02;
}

/* The destination port of a TCP or UDP header at l4 (len bytes there), or -1. */
static int dest_port(int proto, const uint8_t *l4, size_t len)
{
        if ((proto != PROTO_TCP && proto != PROTO_UDP) || len < 4)
                return -1;
        return be16(l4 + 2);
}

static enum filter_verdict ipv4(const struct filter *f, const uint8_t *ip, size_t len)
{
        size_t ihl;
        const uint8_t *dst;
        int proto, fragment;

        if (len < 20 || ip[0] >> 4 != 4)
                return FILTER_DROP_MALFORMED;
        ihl = (size_t)(ip[0] & 0x0f) * 4;
        if (ihl < 20 || ihl > len)
                return FILTER_DROP_MALFORMED;
        proto = ip[9];
        dst = ip + 16;
        /* More fragments, or an offset: the ports are not in this one. */
        fragment = (be16(ip + 6) & 0x3fff) != 0;

        if (dst[0] == 127 || dst[0] == 0)
                return FILTER_DROP_LOOPBACK;
        if (memcmp(dst, subnet4, 3) == 0) {
                if (dst[3] == DNS4_HOST && proto != PROTO_ICMP) {
                        if (!f->dns4 || fragment ||
                            dest_port(proto, ip + ihl, len - ihl) != DNS_PORT)
                                return FILTER_DROP_DNS;
                        return FILTER_PASS;
                }
                if (f->allow_host_loopback || proto == PROTO_ICMP ||
                    (!fragment && tcp_answer(proto, ip + ihl, len - ihl)))
                        return FILTER_PASS;
                return FILTER_DROP_LOOPBACK;
        }
        if (f->allow_host_loopback)
                return FILTER_PASS;
        /* Broadcast and multicast: libslirp sends them from the host, whose own sockets
         * hear them (255.255.255.255 it even maps to 127.0.0.1). */
        if ((dst[0] == 255 && dst[1] == 255 && dst[2] == 255 && dst[3] == 255) ||
            (dst[0] & 0xf0) == 0xe0)
                return FILTER_DROP_LOOPBACK;
        return FILTER_PASS;
}

static bool v4_embedding(const uint8_t *a)
{
        static const uint8_t zero[10];
        /* ::a.b.c.d (which covers :: and ::1) and ::ffff:a.b.c.d: libslirp's socket reaches
         * the host's IPv4 loopback through them. */
        return memcmp(a, zero, 10) == 0 &&
               ((a[10] == 0 && a[11] == 0) || (a[10] == 0xff && a[11] == 0xff));
}

static enum filter_verdict ipv6(const struct filter *f, const uint8_t *ip, size_t len)
{
        const uint8_t *dst;
        int nh;

        if (len < 40 || ip[0] >> 4 != 6)
                return FILTER_DROP_MALFORMED;
        nh = ip[6];
        dst = ip + 24;

        if (v4_embedding(dst))
                return FILTER_DROP_LOOPBACK;
        if (memcmp(dst, subnet6, 8) == 0) {
                if (memcmp(dst, dns6, 16) == 0 && nh != PROTO_ICMPV6) {
                        /* Any extension header makes nh something else: refused. */
                        if (!f->dns6 || dest_port(nh, ip + 40, len - 40) != DNS_PORT)
                                return FILTER_DROP_DNS;
                        return FILTER_PASS;
                }
                if (f->allow_host_loopback || nh == PROTO_ICMPV6 ||
                    tcp_answer(nh, ip + 40, len - 40))
                        return FILTER_PASS;
                return FILTER_DROP_LOOPBACK;
        }
        if (f->allow_host_loopback)
                return FILTER_PASS;
        /* Multicast: neighbour discovery and MLD only. */
        if (dst[0] == 0xff && nh != PROTO_ICMPV6)
                return FILTER_DROP_LOOPBACK;
        return FILTER_PASS;
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
        for (size_t i = 0; i + 1 < n; i += 2)
                s += (uint32_t)(p[i] << 8 | p[i + 1]);
        if (n & 1)
                s += (uint32_t)(p[n - 1] << 8);
        return s;
}

static void put_checksum(uint8_t *at, uint32_t s)
{
        while (s >> 16)
                s = (s & 0xffff) + (s >> 16);
        s = ~s & 0xffff;
        at[0] = (uint8_t)(s >> 8);
        at[1] = (uint8_t)s;
}

/* Ethernet header of the answer: back to the sender, from where it sent (the gateway's MAC
 * when it sent to a group address). */
static void reply_ethernet(const uint8_t *frame, uint8_t *out, uint16_t type)
{
        static const uint8_t gateway_mac[6] = {0x52, 0x55, 10, 0, 2, 2};
        memcpy(out, frame + 6, 6);
        memcpy(out + 6, (frame[0] & 1) ? gateway_mac : frame, 6);
        out[12] = (uint8_t)(type >> 8);
        out[13] = (uint8_t)type;
}

size_t filter_reject(const uint8_t *frame, size_t len, uint8_t *out)
{
        const uint8_t *ip = frame + ETH_HLEN;
        size_t iplen = len - ETH_HLEN;

        if (len < ETH_HLEN)
                return 0;
        if (be16(frame + 12) == ETHERTYPE_IPV4 && iplen >= 20 && ip[0] >> 4 == 4) {
                size_t ihl = (size_t)(ip[0] & 0x0f) * 4, quote;
                uint8_t *o = out + ETH_HLEN;
                if (ihl < 20 || ihl > iplen || (ip[9] != PROTO_TCP && ip[9] != PROTO_UDP) ||
                    (ip[16] & 0xf0) == 0xe0 || ip[16] == 255 || (be16(ip + 6) & 0x1fff) != 0)
                        return 0;
                /* The header and 8 bytes of what followed, as RFC 792 asks. */
                quote = ihl + 8 <= iplen ? ihl + 8 : iplen;
                if (ETH_HLEN + 20 + 8 + quote > FILTER_REJECT_MAX)
                        return 0;
                reply_ethernet(frame, out, ETHERTYPE_IPV4);
                memset(o, 0, 28);
                o[0] = 0x45;
                o[2] = (uint8_t)((20 + 8 + quote) >> 8);
                o[3] = (uint8_t)(20 + 8 + quote);
                o[8] = 64;
                o[9] = PROTO_ICMP;
                memcpy(o + 12, ip + 16, 4); /* from the address it tried */
                memcpy(o + 16, ip + 12, 4);
                put_checksum(o + 10, sum16(o, 20, 0));
                o[20] = 3;  /* destination unreachable */
                o[21] = 13; /* communication administratively prohibited */
                memcpy(o + 28, ip, quote);
                put_checksum(o + 22, sum16(o + 20, 8 + quote, 0));
                return ETH_HLEN + 20 + 8 + quote;
        }
        if (be16(frame + 12) == ETHERTYPE_IPV6 && iplen >= 48 && ip[0] >> 4 == 6) {
                uint8_t *o = out + ETH_HLEN;
                size_t plen = 8 + 48; /* ICMPv6 header, then the header and 8 bytes */
                uint32_t s;
                if ((ip[6] != PROTO_TCP && ip[6] != PROTO_UDP) || ip[24] == 0xff ||
                    ETH_HLEN + 40 + plen > FILTER_REJECT_MAX)
                        return 0;
                reply_ethernet(frame, out, ETHERTYPE_IPV6);
                memset(o, 0, 48);
                o[0] = 0x60;
                o[4] = (uint8_t)(plen >> 8);
                o[5] = (uint8_t)plen;
                o[6] = PROTO_ICMPV6;
                o[7] = 64;
                memcpy(o + 8, ip + 24, 16);
                memcpy(o + 24, ip + 8, 16);
                o[40] = 1; /* destination unreachable */
                o[41] = 1; /* communication administratively prohibited */
                memcpy(o + 48, ip, 48);
                /* Over the pseudo-header: addresses, length, next header. */
                s = sum16(o + 8, 32, 0) + (uint32_t)plen + PROTO_ICMPV6;
                put_checksum(o + 42, sum16(o + 40, plen, s));
                return ETH_HLEN + 40 + plen;
        }
        return 0;
}

enum filter_verdict filter_frame(const struct filter *f, const uint8_t *frame, size_t len)
{
        if (len < ETH_HLEN)
                return FILTER_DROP_MALFORMED;
        switch (be16(frame + 12)) {
        case ETHERTYPE_IPV4:
                return ipv4(f, frame + ETH_HLEN, len - ETH_HLEN);
        case ETHERTYPE_IPV6:
                return ipv6(f, frame + ETH_HLEN, len - ETH_HLEN);
        default:
                /* ARP; anything else libslirp ignores. */
                return FILTER_PASS;
        }
}
