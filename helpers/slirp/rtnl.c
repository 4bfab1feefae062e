/* Just enough rtnetlink to configure the sandbox's tap0 (see rtnl.h).
 * Runs in the helper's agent, inside the sandbox's network namespace. */
#include "rtnl.h"

#include <errno.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct req {
        struct nlmsghdr nh;
        union {
                struct ifinfomsg ifi;
                struct ifaddrmsg ifa;
                struct rtmsg rtm;
                struct fib_rule_hdr frh;
        };
        char attrs[256];
};

static void attr(struct req *r, unsigned short type, const void *data, size_t len)
{
        struct rtattr *a = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->nh.nlmsg_len));

        a->rta_type = type;
        a->rta_len = (unsigned short)RTA_LENGTH(len);
        memcpy(RTA_DATA(a), data, len);
        r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

static void attr_u32(struct req *r, unsigned short type, uint32_t v)
{
        attr(r, type, &v, sizeof v);
}

static void init(struct req *r, uint16_t type, uint16_t flags, size_t body)
{
        memset(r, 0, sizeof *r);
        r->nh.nlmsg_len = (uint32_t)NLMSG_LENGTH(body);
        r->nh.nlmsg_type = type;
        r->nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
        r->nh.nlmsg_seq = 1;
}

/* Sends one request and returns the kernel's acknowledgement: 0 or -errno. */
static int talk(int nl, struct req *r)
{
        struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
        union {
                char buf[1024];
                struct nlmsghdr align;
        } u;
        ssize_t n;

        if (sendto(nl, r, r->nh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0)
                return -errno;
        for (;;) {
                n = recv(nl, u.buf, sizeof u.buf, 0);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                for (struct nlmsghdr *h = &u.align; NLMSG_OK(h, (unsigned)n); h = NLMSG_NEXT(h, n))
                        if (h->nlmsg_type == NLMSG_ERROR) {
                                const struct nlmsgerr *e = NLMSG_DATA(h);
                                if (h->nlmsg_len < NLMSG_LENGTH(sizeof *e))
                                        return -EBADMSG;
                                return e->error;
                        }
        }
}

int rtnl_open(void)
{
        int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        return fd < 0 ? -errno : fd;
}

int rtnl_link_set(int nl, int ifindex, unsigned mtu, bool up)
{
        struct req r;

        init(&r, RTM_NEWLINK, 0, sizeof r.ifi);
        r.ifi.ifi_family = AF_UNSPEC;
        r.ifi.ifi_index = ifindex;
        r.ifi.ifi_flags = up ? IFF_UP : 0;
        r.ifi.ifi_change = IFF_UP;
        if (mtu)
                attr_u32(&r, IFLA_MTU, mtu);
        return talk(nl, &r);
}

int rtnl_addr_add(int nl, int ifindex, int family, const void *addr, unsigned prefixlen, bool nodad)
{
        size_t len = family == AF_INET ? 4 : 16;
        struct req r;

        init(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof r.ifa);
        r.ifa.ifa_family = (unsigned char)family;
        r.ifa.ifa_prefixlen = (unsigned char)prefixlen;
        r.ifa.ifa_flags = nodad ? IFA_F_NODAD : 0;
        r.ifa.ifa_scope = RT_SCOPE_UNIVERSE;
        r.ifa.ifa_index = (unsigned)ifindex;
        attr(&r, IFA_LOCAL, addr, len);
        attr(&r, IFA_ADDRESS, addr, len);
        return talk(nl, &r);
}

static void route_init(struct req *r, int family, uint32_t table, unsigned char type,
                       unsigned char scope)
{
        init(r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, sizeof r->rtm);
        r->rtm.rtm_family = (unsigned char)family;
        r->rtm.rtm_table = table < 256 ? (unsigned char)table : RT_TABLE_UNSPEC;
        r->rtm.rtm_protocol = RTPROT_STATIC;
        r->rtm.rtm_scope = scope;
        r->rtm.rtm_type = type;
        attr_u32(r, RTA_TABLE, table);
}

int rtnl_route_default(int nl, int ifindex, int family, const void *gateway)
{
        struct req r;

        route_init(&r, family, RT_TABLE_MAIN, RTN_UNICAST, RT_SCOPE_UNIVERSE);
        attr(&r, RTA_GATEWAY, gateway, family == AF_INET ? 4 : 16);
        attr_u32(&r, RTA_OIF, (uint32_t)ifindex);
        return talk(nl, &r);
}

int rtnl_route_local_default(int nl, int ifindex, int family, const void *prefsrc, uint32_t table)
{
        struct req r;

        route_init(&r, family, table, RTN_LOCAL, RT_SCOPE_HOST);
        attr_u32(&r, RTA_OIF, (uint32_t)ifindex);
        attr(&r, RTA_PREFSRC, prefsrc, family == AF_INET ? 4 : 16);
        return talk(nl, &r);
}

static void rule_init(struct req *r, int family, uint32_t table, uint32_t prio)
{
        init(r, RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, sizeof r->frh);
        r->frh.family = (unsigned char)family;
        r->frh.action = FR_ACT_TO_TBL;
        r->frh.table = table < 256 ? (unsigned char)table : RT_TABLE_UNSPEC;
        attr_u32(r, FRA_TABLE, table);
        attr_u32(r, FRA_PRIORITY, prio);
}

int rtnl_rule_fwmark(int nl, int family, uint32_t mark, uint32_t table, uint32_t prio)
{
        struct req r;

        rule_init(&r, family, table, prio);
        attr_u32(&r, FRA_FWMARK, mark);
        attr_u32(&r, FRA_FWMASK, 0xffffffff);
        return talk(nl, &r);
}

int rtnl_rule_sport(int nl, int family, uint8_t proto, uint16_t port, uint32_t table, uint32_t prio)
{
        struct fib_rule_port_range range = {port, port};
        struct req r;

        rule_init(&r, family, table, prio);
        attr(&r, FRA_IP_PROTO, &proto, sizeof proto);
        attr(&r, FRA_SPORT_RANGE, &range, sizeof range);
        return talk(nl, &r);
}
