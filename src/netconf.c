/* The network settings: their setters for the settings table, the publish syntax, the checks
 * across them, and the sandbox's resolv.conf. Pure (no system calls): runs on the host while
 * the config is built, and in the child for resolv.conf; the unit tests link it too. */
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "schema.h"
#include "util.h"

#define ERR(...) setting_error(err, errsize, __VA_ARGS__)

static const char *const mode_names[] = {
    [NET_NONE] = "none",
    [NET_SLIRP] = "slirp",
    [NET_HOST] = "host",
};

const char *net_mode_name(enum net_mode m)
{
        return (size_t)m < sizeof mode_names / sizeof mode_names[0] ? mode_names[m] : "?";
}

int net_set_mode(struct config *c, const char *v, char *err, size_t errsize)
{
        for (size_t i = 0; i < sizeof mode_names / sizeof mode_names[0]; i++)
                if (streq(v, mode_names[i])) {
                        c->net.mode = (enum net_mode)i;
                        return 0;
                }
        return ERR("'%s' is not none, slirp or host", v);
}

int net_set_port_driver(struct config *c, const char *v, char *err, size_t errsize)
{
        if (streq(v, "splice"))
                c->net.port_driver = PORT_DRIVER_SPLICE;
        else if (streq(v, "slirp"))
                c->net.port_driver = PORT_DRIVER_SLIRP;
        else
                return ERR("'%s' is not splice or slirp", v);
        return 0;
}

int net_set_allow_host_loopback(struct config *c, const char *v, char *err, size_t errsize)
{
        return setting_set_bool(&c->net.allow_host_loopback, v, err, errsize);
}

static int parse_port(const char *s, size_t n, uint16_t *ret)
{
        char buf[8];
        uint32_t v;

        if (n == 0 || n >= sizeof buf)
                return -EINVAL;
        memcpy(buf, s, n);
        buf[n] = 0;
        if (parse_u32(buf, &v) < 0 || v == 0 || v > 65535)
                return -EINVAL;
        *ret = (uint16_t)v;
        return 0;
}

int net_parse_publish(const char *spec, struct net_publish *ret, const char **ret_why)
{
        struct net_publish p = {0};
        const char *s = spec, *slash, *colon;
        char addr[64];
        size_t len;

        *ret_why = NULL;
        slash = strchr(s, '/');
        if (slash) {
                if (streq(slash + 1, "udp"))
                        p.udp = true;
                else if (!streq(slash + 1, "tcp"))
                        return *ret_why = "the protocol after '/' is tcp or udp", -EINVAL;
        }
        len = slash ? (size_t)(slash - s) : strlen(s);

        /* The host address, when there is one: "[v6]:" or "a.b.c.d:" before two ports. */
        strcpy(p.host_addr, "127.0.0.1");
        if (s[0] == '[') {
                const char *close = memchr(s, ']', len);
                if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof addr)
                        return *ret_why = "an IPv6 host address is written [ADDR]:", -EINVAL;
                memcpy(addr, s + 1, (size_t)(close - s - 1));
                addr[close - s - 1] = 0;
                struct in6_addr a6;
                if (inet_pton(AF_INET6, addr, &a6) != 1)
                        return *ret_why = "the host address is not an IPv6 address", -EINVAL;
                inet_ntop(AF_INET6, &a6, p.host_addr, sizeof p.host_addr);
                p.v6 = true;
                len -= (size_t)(close + 2 - s);
                s = close + 2;
        } else {
                const char *first = memchr(s, ':', len);
                const char *second =
                    first ? memchr(first + 1, ':', len - (size_t)(first + 1 - s)) : NULL;
                if (second) {
                        struct in_addr a4;
                        if ((size_t)(first - s) >= sizeof addr)
                                return *ret_why = "the host address is not an IPv4 address",
                                       -EINVAL;
                        memcpy(addr, s, (size_t)(first - s));
                        addr[first - s] = 0;
                        if (inet_pton(AF_INET, addr, &a4) != 1)
                                return *ret_why = "the host address is not an IPv4 address "
                                                  "(write an IPv6 one in brackets)",
                                       -EINVAL;
                        inet_ntop(AF_INET, &a4, p.host_addr, sizeof p.host_addr);
                        len -= (size_t)(first + 1 - s);
                        s = first + 1;
                }
        }
        colon = memchr(s, ':', len);
        if (!colon)
                return *ret_why = "both ports are needed: HOSTPORT:PORT", -EINVAL;
        if (parse_port(s, (size_t)(colon - s), &p.host_port) < 0 ||
            parse_port(colon + 1, len - (size_t)(colon + 1 - s), &p.port) < 0)
                return *ret_why = "a port is a number from 1 to 65535", -EINVAL;
        *ret = p;
        return 0;
}

int net_set_publish(struct config *c, const char *v, char *err, size_t errsize)
{
        struct net_config *n = &c->net;
        struct net_publish p, *np;
        const char *why;

        if (!*v) { /* an empty value clears the list, as for every list setting */
                free(n->publish);
                n->publish = NULL;
                n->n_publish = 0;
                return 0;
        }
        if (net_parse_publish(v, &p, &why) < 0)
                return ERR("'%s': %s (the form is [HOSTIP:]HOSTPORT:PORT[/tcp|/udp])", v, why);
        for (size_t i = 0; i < n->n_publish; i++)
                if (n->publish[i].udp == p.udp && n->publish[i].host_port == p.host_port &&
                    streq(n->publish[i].host_addr, p.host_addr))
                        return ERR("'%s': %s port %s%s%s:%u is already published", v,
                                   p.udp ? "UDP" : "TCP", p.v6 ? "[" : "", p.host_addr,
                                   p.v6 ? "]" : "", p.host_port);
        np = realloc(n->publish, (n->n_publish + 1) * sizeof *np);
        if (!np)
                return ERR("out of memory");
        n->publish = np;
        n->publish[n->n_publish++] = p;
        return 0;
}

int net_config_check(const struct net_config *n, char *err, size_t errsize)
{
        if (n->mode == NET_SLIRP)
                return 0;
        if (n->n_publish > 0)
                return ERR("--publish needs --net slirp (with --net %s there is %s)",
                           net_mode_name(n->mode),
                           n->mode == NET_HOST ? "nothing to publish: the sandbox's ports are "
                                                 "the host's"
                                               : "no way into the sandbox");
        if (n->allow_host_loopback)
                return ERR("--allow-host-loopback needs --net slirp (with --net %s it %s)",
                           net_mode_name(n->mode),
                           n->mode == NET_HOST ? "is always open" : "means nothing");
        return 0;
}

void net_config_free(struct net_config *n)
{
        free(n->publish);
        n->publish = NULL;
        n->n_publish = 0;
}

/* The value of a "KEY value" line of resolv.conf: leading blanks, then the key, then blanks. */
static const char *line_value(const char *line, const char *key)
{
        const char *v;

        while (*line == ' ' || *line == '\t')
                line++;
        v = startswith(line, key);
        if (!v || (*v != ' ' && *v != '\t'))
                return NULL;
        while (*v == ' ' || *v == '\t')
                v++;
        return v;
}

void net_resolv_nameservers(const char *text, char v4[48], char v6[48])
{
        v4[0] = v6[0] = 0;
        for (const char *line = text; line && *line;) {
                size_t n = strcspn(line, "\n");
                char word[64];
                const char *v = line_value(line, "nameserver");

                if (v && (size_t)(v - line) < n) {
                        size_t w = strcspn(v, " \t\n%#;");
                        struct in6_addr a6;
                        struct in_addr a4;
                        if (w < sizeof word) {
                                memcpy(word, v, w);
                                word[w] = 0;
                                if (!v4[0] && inet_pton(AF_INET, word, &a4) == 1)
                                        inet_ntop(AF_INET, &a4, v4, 48);
                                /* A link-local server needs a scope that means nothing to
                                 * the helper's sockets; such a server is skipped. */
                                else if (!v6[0] && inet_pton(AF_INET6, word, &a6) == 1 &&
                                         !(a6.s6_addr[0] == 0xfe && (a6.s6_addr[1] & 0xc0) == 0x80))
                                        inet_ntop(AF_INET6, &a6, v6, 48);
                        }
                }
                line += n + (line[n] == '\n');
        }
}

/* The host's search list, when it has one: names resolve inside as they do outside. */
static void append_search(char **out, const char *text)
{
        for (const char *line = text; line && *line;) {
                size_t n = strcspn(line, "\n");
                const char *v = line_value(line, "search");
                if (!v)
                        v = line_value(line, "domain");
                if (v && (size_t)(v - line) < n) {
                        size_t w = n - (size_t)(v - line);
                        char *s = xasprintf("%ssearch %.*s\n", *out, (int)w, v);
                        free(*out);
                        *out = s;
                        return;
                }
                line += n + (line[n] == '\n');
        }
}

char *net_resolv_conf(const struct net_config *n, const char *host)
{
        char v4[48], v6[48];
        char *out;

        switch (n->mode) {
        case NET_HOST:
                if (host)
                        return xstrdup(host);
                return xstrdup("# The host's /etc/resolv.conf could not be read.\n");
        case NET_SLIRP:
                net_resolv_nameservers(host, v4, v6);
                out = xasprintf("# The sandbox's user-mode network: %s forwards to the host's "
                                "name server.\n",
                                v4[0] && v6[0] ? NET_DNS4 " and " NET_DNS6
                                : v6[0]        ? NET_DNS6
                                               : NET_DNS4);
                if (!v4[0] && !v6[0]) {
                        free(out);
                        out = xstrdup("# The host names no usable name server in its "
                                      "/etc/resolv.conf, so none is forwarded here.\n");
                }
                if (v4[0]) {
                        char *s = xasprintf("%snameserver " NET_DNS4 "\n", out);
                        free(out);
                        out = s;
                }
                if (v6[0]) {
                        char *s = xasprintf("%snameserver " NET_DNS6 "\n", out);
                        free(out);
                        out = s;
                }
                append_search(&out, host);
                return out;
        case NET_NONE:
        default:
                return xstrdup("# This sandbox has no network (loopback only): no name servers.\n");
        }
}

void net_show(const struct config *c, const struct setting *s, FILE *f)
{
        const struct net_config *n = &c->net;
        if (streq(s->key, "mode")) {
                fprintf(f, "mode = %s\n", net_mode_name(n->mode));
        } else if (streq(s->key, "publish")) {
                fputs("publish =\n", f);
                for (size_t i = 0; i < n->n_publish; i++) {
                        const struct net_publish *p = &n->publish[i];
                        fprintf(f, "publish = %s%s%s:%u:%u/%s\n", p->v6 ? "[" : "", p->host_addr,
                                p->v6 ? "]" : "", p->host_port, p->port, p->udp ? "udp" : "tcp");
                }
        } else if (streq(s->key, "allow_host_loopback")) {
                fprintf(f, "allow_host_loopback = %s\n", n->allow_host_loopback ? "yes" : "no");
        } else if (streq(s->key, "port_driver")) {
                fprintf(f, "port_driver = %s\n",
                        n->port_driver == PORT_DRIVER_SPLICE ? "splice" : "slirp");
        }
}
