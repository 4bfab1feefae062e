/* Just enough rtnetlink to configure the sandbox's tap0: link settings, addresses, routes and one
 * policy rule. Runs in the helper's agent, inside the sandbox's network namespace; every call
 * returns 0 or -errno (the kernel's answer), and logs nothing. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* A NETLINK_ROUTE socket; -errno on failure. */
int rtnl_open(void);
int rtnl_link_set(int nl, int ifindex, unsigned mtu, bool up);
/* addr is 4 or 16 bytes (family AF_INET or AF_INET6); nodad: usable at once, no DAD. */
int rtnl_addr_add(int nl, int ifindex, int family, const void *addr, unsigned prefixlen,
                  bool nodad);
/* A default route of the main table through gateway, out of ifindex. */
int rtnl_route_default(int nl, int ifindex, int family, const void *gateway);
/* "local default dev IFINDEX src PREFSRC table TABLE": every destination is this host's, in
 * that table; what answers from an unbound socket comes from prefsrc (4 or 16 bytes). */
int rtnl_route_local_default(int nl, int ifindex, int family, const void *prefsrc, uint32_t table);
/* "from all fwmark MARK lookup TABLE" at priority prio. */
int rtnl_rule_fwmark(int nl, int family, uint32_t mark, uint32_t table, uint32_t prio);
/* "from all ipproto PROTO sport PORT lookup TABLE" at priority prio. */
int rtnl_rule_sport(int nl, int family, uint8_t proto, uint16_t port, uint32_t table,
                    uint32_t prio);
