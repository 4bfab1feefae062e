/* The network settings of a sandbox ([network] in a profile; --net, -p, --allow-host-loopback,
 * --port-driver) and the fixed addresses of the slirp network. Pure: parsed on the host while
 * the config is built, read by every stage after; the helper gets them on its command line. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The user-mode network, as the sandbox sees it (slirp4netns's defaults, so that what people
 * know about those holds here). */
#define NET_SUBNET4     "10.0.2.0"
#define NET_PREFIX4     24
#define NET_GATEWAY4    "10.0.2.2"
#define NET_DNS4        "10.0.2.3"
#define NET_SANDBOX4    "10.0.2.100"
#define NET_SUBNET6     "fd00::"
#define NET_PREFIX6     64
#define NET_GATEWAY6    "fd00::2"
#define NET_DNS6        "fd00::3"
#define NET_SANDBOX6    "fd00::100"
#define NET_MTU         65520
#define NET_TAP_NAME    "tap0"
#define NET_HELPER_NAME "sandbox-slirp"

enum net_mode {
        NET_NONE,  /* a network namespace with loopback only (the default) */
        NET_SLIRP, /* plus tap0, routed through the user-mode helper */
        NET_HOST,  /* no network namespace: the host's network */
};

enum net_port_driver {
        PORT_DRIVER_SPLICE, /* TCP: accepted on the host, spliced to a socket inside */
        PORT_DRIVER_SLIRP,  /* through libslirp's host forwarding, like slirp4netns */
};

struct net_publish {
        bool udp;
        bool v6;            /* the host address is IPv6: the sandbox's fd00::100 is dialled */
        char host_addr[48]; /* numeric, as inet_ntop writes it */
        uint16_t host_port;
        uint16_t port; /* inside the sandbox */
};

struct net_config {
        enum net_mode mode;
        enum net_port_driver port_driver;
        bool allow_host_loopback;
        struct net_publish *publish;
        size_t n_publish;
};

struct config;
struct setting;

/* Setters for the settings table (schema.c): on error -EINVAL and a message in err. */
int net_set_mode(struct config *c, const char *value, char *err, size_t errsize);
int net_set_publish(struct config *c, const char *value, char *err, size_t errsize);
int net_set_allow_host_loopback(struct config *c, const char *value, char *err, size_t errsize);
int net_set_port_driver(struct config *c, const char *value, char *err, size_t errsize);
/* The settings back as profile lines (`sandbox profile show`). */
void net_show(const struct config *c, const struct setting *s, FILE *f);

/* "[HOSTIP:]HOSTPORT:PORT[/tcp|/udp]", HOSTIP an IPv4 address or an IPv6 one in brackets,
 * 127.0.0.1 when absent. Returns 0, or -EINVAL with *ret_why saying what is wrong. */
int net_parse_publish(const char *spec, struct net_publish *ret, const char **ret_why);

/* The checks across settings, once all are applied (publishing needs slirp...). */
int net_config_check(const struct net_config *n, char *err, size_t errsize);
void net_config_free(struct net_config *n);
const char *net_mode_name(enum net_mode m);

/* The sandbox's /etc/resolv.conf, given the host's (NULL when unreadable). Caller frees. */
char *net_resolv_conf(const struct net_config *n, const char *host_resolv_conf);

/* The first nameserver of each family in a resolv.conf text, numeric, "" when none. */
void net_resolv_nameservers(const char *resolv_conf, char v4[48], char v6[48]);
