/* Unit tests of the network settings (src/netconf.c): the publish syntax, the setters, the
 * checks across settings, the name servers found in a resolv.conf, and the sandbox's own
 * resolv.conf in each mode. Pure; runs unprivileged. */
#include <stdlib.h>
#include <string.h>

#include "../unit/check.h"
#include "config.h"
#include "net.h"

static void publish_ok(const char *spec, bool udp, bool v6, const char *addr, unsigned hp,
                       unsigned p)
{
        struct net_publish r;
        const char *why = NULL;
        int rc = net_parse_publish(spec, &r, &why);

        CHECK_INT(rc, 0);
        if (rc == 0) {
                CHECK_INT(r.udp, udp);
                CHECK_INT(r.v6, v6);
                CHECK_STR(r.host_addr, addr);
                CHECK_INT(r.host_port, hp);
                CHECK_INT(r.port, p);
        } else {
                fprintf(stderr, "  %s: %s\n", spec, why);
        }
}

static void publish_bad(const char *spec, const char *why_part)
{
        struct net_publish r;
        const char *why = NULL;

        CHECK_INT(net_parse_publish(spec, &r, &why), -22);
        CHECK(why != NULL && strstr(why, why_part) != NULL);
        if (why && !strstr(why, why_part))
                fprintf(stderr, "  %s: got '%s', want it to say '%s'\n", spec, why, why_part);
}

static void test_publish_syntax(void)
{
        publish_ok("8080:80", false, false, "127.0.0.1", 8080, 80);
        publish_ok("8080:80/tcp", false, false, "127.0.0.1", 8080, 80);
        publish_ok("5353:53/udp", true, false, "127.0.0.1", 5353, 53);
        publish_ok("0.0.0.0:8080:80", false, false, "0.0.0.0", 8080, 80);
        publish_ok("192.168.1.10:1:65535/udp", true, false, "192.168.1.10", 1, 65535);
        publish_ok("[::1]:8080:80", false, true, "::1", 8080, 80);
        publish_ok("[::]:8080:80/udp", true, true, "::", 8080, 80);
        /* Written as inet_ntop writes it: the helper gets one spelling. */
        publish_ok("[0:0::0001]:9:9", false, true, "::1", 9, 9);

        publish_bad("80", "both ports");
        publish_bad("", "both ports");
        publish_bad("8080:80/sctp", "tcp or udp");
        publish_bad("8080:80/", "tcp or udp");
        publish_bad("0:80", "1 to 65535");
        publish_bad("8080:65536", "1 to 65535");
        publish_bad("8080:-1", "1 to 65535");
        publish_bad("8080: 80", "1 to 65535");
        publish_bad("x:80", "1 to 65535");
        publish_bad("localhost:8080:80", "IPv4");
        publish_bad("1.2.3:8080:80", "IPv4");
        publish_bad("::1:8080:80", "IPv4");
        publish_bad("[::1]8080:80", "[ADDR]:");
        publish_bad("[::1:8080:80", "[ADDR]:");
        publish_bad("[1.2.3.4]:8080:80", "IPv6");
        publish_bad("1.2.3.4:8080:80:90", "1 to 65535");
}

static void test_setters(void)
{
        struct config c = {0};
        char err[256];

        CHECK_INT(net_set_mode(&c, "slirp", err, sizeof err), 0);
        CHECK_INT(c.net.mode, NET_SLIRP);
        CHECK_INT(net_set_mode(&c, "host", err, sizeof err), 0);
        CHECK_INT(c.net.mode, NET_HOST);
        CHECK_INT(net_set_mode(&c, "none", err, sizeof err), 0);
        CHECK_INT(c.net.mode, NET_NONE);
        CHECK_INT(net_set_mode(&c, "bridge", err, sizeof err), -22);
        CHECK(strstr(err, "'bridge' is not none, slirp or host") != NULL);

        CHECK_INT(net_set_port_driver(&c, "slirp", err, sizeof err), 0);
        CHECK_INT(c.net.port_driver, PORT_DRIVER_SLIRP);
        CHECK_INT(net_set_port_driver(&c, "builtin", err, sizeof err), -22);

        CHECK_INT(net_set_allow_host_loopback(&c, "yes", err, sizeof err), 0);
        CHECK_INT(c.net.allow_host_loopback, 1);
        CHECK_INT(net_set_allow_host_loopback(&c, "maybe", err, sizeof err), -22);

        /* Repeatable, and the same host port twice is refused (per protocol). */
        CHECK_INT(net_set_publish(&c, "8080:80", err, sizeof err), 0);
        CHECK_INT(net_set_publish(&c, "8080:81/udp", err, sizeof err), 0);
        CHECK_INT(net_set_publish(&c, "0.0.0.0:8080:82", err, sizeof err), 0);
        CHECK_INT(net_set_publish(&c, "127.0.0.1:8080:83", err, sizeof err), -22);
        CHECK(strstr(err, "TCP port 127.0.0.1:8080 is already published") != NULL);
        CHECK_INT(net_set_publish(&c, "[::1]:8080:80", err, sizeof err), 0);
        CHECK_INT(net_set_publish(&c, "[::1]:8080:80", err, sizeof err), -22);
        CHECK(strstr(err, "[::1]:8080") != NULL);
        CHECK_INT(net_set_publish(&c, "nonsense", err, sizeof err), -22);
        CHECK(strstr(err, "[HOSTIP:]HOSTPORT:PORT[/tcp|/udp]") != NULL);
        CHECK_INT(c.net.n_publish, 4);
        net_config_free(&c.net);
        CHECK_INT(c.net.n_publish, 0);
}

static void test_check(void)
{
        struct net_config n = {0};
        struct net_publish p = {.host_port = 1, .port = 1};
        char err[256];

        CHECK_INT(net_config_check(&n, err, sizeof err), 0);
        n.allow_host_loopback = true;
        CHECK_INT(net_config_check(&n, err, sizeof err), -22);
        CHECK(strstr(err, "--allow-host-loopback needs --net slirp") != NULL);
        n.mode = NET_SLIRP;
        CHECK_INT(net_config_check(&n, err, sizeof err), 0);
        n.publish = &p;
        n.n_publish = 1;
        CHECK_INT(net_config_check(&n, err, sizeof err), 0);
        n.allow_host_loopback = false;
        n.mode = NET_NONE;
        CHECK_INT(net_config_check(&n, err, sizeof err), -22);
        CHECK(strstr(err, "--publish needs --net slirp") != NULL);
        n.mode = NET_HOST;
        CHECK_INT(net_config_check(&n, err, sizeof err), -22);
        CHECK(strstr(err, "the sandbox's ports are the host's") != NULL);
}

static void test_nameservers(void)
{
        char v4[48], v6[48];

        net_resolv_nameservers("nameserver 10.0.0.1\nnameserver 10.0.0.2\n", v4, v6);
        CHECK_STR(v4, "10.0.0.1");
        CHECK_STR(v6, "");
        net_resolv_nameservers("# comment\nsearch example.org\n  nameserver\t2001:db8::53 # x\n"
                               "nameserver 127.0.0.53\n",
                               v4, v6);
        CHECK_STR(v4, "127.0.0.53");
        CHECK_STR(v6, "2001:db8::53");
        /* Link-local servers need a scope: skipped. Garbage is not a server. */
        net_resolv_nameservers("nameserver fe80::1%eth0\nnameserver fd00::1\nnameserver x\n"
                               "nameserverr 1.1.1.1\n",
                               v4, v6);
        CHECK_STR(v4, "");
        CHECK_STR(v6, "fd00::1");
        net_resolv_nameservers(NULL, v4, v6);
        CHECK_STR(v4, "");
        CHECK_STR(v6, "");
}

static void test_resolv_conf(void)
{
        struct net_config n = {.mode = NET_SLIRP};
        const char *host = "search corp.example lab.example\nnameserver 127.0.0.53\n"
                           "options edns0\n";
        char *s;

        s = net_resolv_conf(&n, host);
        CHECK(strstr(s, "nameserver 10.0.2.3\n") != NULL);
        CHECK(strstr(s, "fd00::3") == NULL);
        CHECK(strstr(s, "search corp.example lab.example\n") != NULL);
        CHECK(strstr(s, "127.0.0.53") == NULL);
        free(s);
        s = net_resolv_conf(&n, "nameserver 192.0.2.53\nnameserver 2001:db8::53\n");
        CHECK(strstr(s, "nameserver 10.0.2.3\nnameserver fd00::3\n") != NULL);
        free(s);
        s = net_resolv_conf(&n, "nameserver 2001:db8::53\n");
        CHECK(strstr(s, "nameserver fd00::3\n") != NULL);
        CHECK(strstr(s, "10.0.2.3\n") == NULL);
        free(s);
        s = net_resolv_conf(&n, "");
        CHECK(strstr(s, "nameserver") == NULL || strstr(s, "\nnameserver") == NULL);
        free(s);

        n.mode = NET_HOST;
        s = net_resolv_conf(&n, host);
        CHECK_STR(s, host);
        free(s);
        n.mode = NET_NONE;
        s = net_resolv_conf(&n, host);
        CHECK(strstr(s, "no network") != NULL && strstr(s, "\nnameserver") == NULL);
        free(s);
}

int main(void)
{
        test_publish_syntax();
        test_setters();
        test_check();
        test_nameservers();
        test_resolv_conf();
        CHECK_DONE();
}
