/* The frame filter in front of libslirp: what the sandbox sends through tap0 reaches libslirp only
 * if it may. Pure (no system calls); runs in the helper, on every frame, before libslirp. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct filter {
        bool allow_host_loopback;
        bool dns4, dns6; /* an upstream name server of that family exists */
};

enum filter_verdict {
        FILTER_PASS,
        FILTER_DROP_LOOPBACK, /* aimed at the host itself: 10.0.2.x, fd00::x, 127/8, ::1... */
        FILTER_DROP_DNS,      /* at the DNS address, but not DNS, or with no upstream */
        FILTER_DROP_MALFORMED,
};

/* Whether one Ethernet frame from the sandbox may reach libslirp.
 *
 * libslirp's disable_host_loopback stops the aliases 10.0.2.2 and fd00::2, but a sandbox with
 * CAP_NET_RAW can also write frames aimed straight at 127.0.0.1, 0.0.0.0, ::1 or
 * ::ffff:127.0.0.1, which libslirp connects to as given; and its DNS alias 10.0.2.3 forwards
 * any port to the host's name server, which is often a stub on 127.0.0.53. So, unless the host
 * loopback is open: nothing reaches an address of the virtual network but ICMP (answered by
 * libslirp itself), DNS (UDP or TCP port 53, unfragmented, to 10.0.2.3 or fd00::3), and TCP
 * segments that cannot open a connection (the answers of forwarded ones); nothing
 * reaches a loopback, unspecified, broadcast or multicast address but ICMPv6 (neighbour
 * discovery). */
enum filter_verdict filter_frame(const struct filter *f, const uint8_t *frame, size_t len);

/* The answer to a refused frame, so that the sandbox's connect() or send() fails at once
 * ("No route to host") rather than after a timeout: an ICMP or ICMPv6 "administratively
 * prohibited" from the address it tried, quoting its header. Only for unicast TCP and UDP;
 * returns the reply's length in out (at least FILTER_REJECT_MAX bytes), or 0 for none. */
#define FILTER_REJECT_MAX 128
size_t filter_reject(const uint8_t *frame, size_t len, uint8_t *out);
