/* sandbox-slirp: the user-mode network of a sandbox started with --net slirp. Exec'd by the
 * launcher on the host, as the invoking user, in the host's network namespace; it stays there,
 * and reaches the sandbox through tap0's fd, which its agent opens inside.
 *
 * The order is the design:
 *   1. arguments; every inherited fd but the four named ones closed
 *   2. agent_start        the agent joins the sandbox's user and network namespaces, creates
 *                         tap0 with its addresses and routes, and hands back its fd; before
 *                         anything is confined (joining needs our full rights over them)
 *   3. libslirp, then the published ports: its host forwards and the splice listeners bind
 *                         host sockets, which the confinement then forbids
 *   4. confine_helper     own root with only resolv.conf, no capabilities, no_new_privs,
 *                         Landlock, seccomp: before the first frame is read
 *   5. "ready" → launcher the launcher lets the command start only now (its sync 2)
 *   6. the loop           until the launcher's exit fd reports EOF (the sandbox is over, or the
 *                         launcher died), or the agent dies
 *   7. the drain          the published ports close; what open connections still carry reaches
 *                         their clients, for at most DRAIN_MS
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent.h"
#include "confine.h"
#include "helper.h"
#include "log.h"
#include "macro.h"
#include "net.h"
#include "pollset.h"
#include "splice.h"
#include "stack.h"
#include "udprelay.h"

/* A server's last answer may still be on its way when the sandbox ends. */
#define DRAIN_MS 2000

static int parse_fd(const char *s)
{
        char *end;
        long v = strtol(s, &end, 10);
        if (*end || v < 3 || v > 1 << 20 || fcntl((int)v, F_GETFD) < 0)
                return -1;
        return (int)v;
}

/* "PROTO:DRIVER:HOSTPORT:PORT:ADDR", what nethelper.c writes. */
static int parse_forward(const char *s, struct forward *ret)
{
        char proto[4], driver[8];
        unsigned hp, p;
        int n = 0;

        memset(ret, 0, sizeof *ret);
        if (sscanf(s, "%3[a-z]:%7[a-z]:%u:%u:%n", proto, driver, &hp, &p, &n) != 4 || n == 0 ||
            hp == 0 || hp > 65535 || p == 0 || p > 65535 || strlen(s + n) >= sizeof ret->host_addr)
                return -EINVAL;
        ret->udp = strcmp(proto, "udp") == 0;
        ret->splice = !ret->udp && strcmp(driver, "splice") == 0;
        ret->v6 = strchr(s + n, ':') != NULL;
        ret->host_port = (uint16_t)hp;
        ret->port = (uint16_t)p;
        strcpy(ret->host_addr, s + n);
        return 0;
}

static int parse_args(int argc, char **argv, struct helper_args *a)
{
        static const struct option opts[] = {
            {"userns-fd", required_argument, NULL, 'u'},
            {"netns-fd", required_argument, NULL, 'n'},
            {"exit-fd", required_argument, NULL, 'e'},
            {"ready-fd", required_argument, NULL, 'r'},
            {"mtu", required_argument, NULL, 'm'},
            {"allow-host-loopback", no_argument, NULL, 'l'},
            {"dns4", required_argument, NULL, '4'},
            {"dns6", required_argument, NULL, '6'},
            {"publish", required_argument, NULL, 'p'},
            {0},
        };
        int o;

        *a = (struct helper_args){
            .userns_fd = -1, .netns_fd = -1, .exit_fd = -1, .ready_fd = -1, .mtu = NET_MTU};
        while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
                struct forward f, *nf;
                switch (o) {
                case 'u':
                        a->userns_fd = parse_fd(optarg);
                        break;
                case 'n':
                        a->netns_fd = parse_fd(optarg);
                        break;
                case 'e':
                        a->exit_fd = parse_fd(optarg);
                        break;
                case 'r':
                        a->ready_fd = parse_fd(optarg);
                        break;
                case 'm':
                        a->mtu = (unsigned)strtoul(optarg, NULL, 10);
                        break;
                case 'l':
                        a->allow_host_loopback = true;
                        break;
                case '4':
                case '6':
                        snprintf(o == '4' ? a->dns4 : a->dns6, sizeof a->dns4, "%s", optarg);
                        break;
                case 'p':
                        if (parse_forward(optarg, &f) < 0)
                                return log_error("%s: bad --publish '%s'", NET_HELPER_NAME, optarg);
                        nf = realloc(a->fwd, (a->n_fwd + 1) * sizeof *nf);
                        if (!nf)
                                return -ENOMEM;
                        a->fwd = nf;
                        a->fwd[a->n_fwd++] = f;
                        break;
                default:
                        return -EINVAL;
                }
        }
        if (optind != argc || a->userns_fd < 0 || a->netns_fd < 0 || a->exit_fd < 0 ||
            a->ready_fd < 0 || a->mtu < 1280 || a->mtu > 65520)
                return log_error("usage: %s --userns-fd N --netns-fd N --exit-fd N --ready-fd N "
                                 "[--mtu N] [--allow-host-loopback] [--dns4 ADDR] [--dns6 ADDR] "
                                 "[--publish PROTO:DRIVER:HOSTPORT:PORT:ADDR]... (an internal "
                                 "helper of sandbox, not meant to be run by hand)",
                                 NET_HELPER_NAME);
        return 0;
}

/* UDP always through the relay; TCP through splice(2), or libslirp's forwarding when asked. */
static int publish(const struct helper_args *a, struct stack *st, struct splicer *sp,
                   struct udp_relay *ur)
{
        for (size_t i = 0; i < a->n_fwd; i++) {
                const struct forward *f = &a->fwd[i];
                int r = f->udp      ? udprelay_listen(ur, f)
                        : f->splice ? splicer_listen(sp, f)
                                    : stack_forward(st, f);
                if (r < 0) {
                        const char *hint = r == -EADDRINUSE ? " (another program has it)"
                                           : r == -EACCES && f->host_port < 1024
                                               ? " (ports below 1024 need privileges on the host:"
                                                 " pick a higher HOSTPORT)"
                                           : r == -EADDRNOTAVAIL
                                               ? " (no interface of the host has that address)"
                                               : "";
                        return log_errno(r, "publishing %s port %s%s%s:%u%s",
                                         f->udp ? "UDP" : "TCP", f->v6 ? "[" : "", f->host_addr,
                                         f->v6 ? "]" : "", f->host_port, hint);
                }
        }
        return 0;
}

/* What libslirp reads to find the host's name servers: those the launcher found. */
static char *helper_resolv_conf(const struct helper_args *a)
{
        static char buf[256];
        snprintf(buf, sizeof buf, "%s%s%s%s%s%s", a->dns4[0] ? "nameserver " : "", a->dns4,
                 a->dns4[0] ? "\n" : "", a->dns6[0] ? "nameserver " : "", a->dns6,
                 a->dns6[0] ? "\n" : "");
        return buf;
}

/* The agent's answers, to whichever fast path asked. Returns -EPIPE once the agent is gone. */
static int agent_answers(struct agent *ag, struct splicer *sp, struct udp_relay *ur)
{
        for (;;) {
                uint32_t id;
                bool udp;
                int fd, r = agent_recv(ag, &id, &udp, &fd);
                if (r == -EAGAIN)
                        return 0;
                if (r == -EPIPE || r == -ECONNRESET)
                        return -EPIPE;
                if (r < 0)
                        return 0;
                if (udp)
                        udprelay_dialled(ur, id, fd);
                else
                        splicer_dialled(sp, id, fd);
        }
}

static int run(struct helper_args *a)
{
        uint32_t next_id = 1;
        struct agent ag;
        struct stack st;
        struct splicer sp = {.agent = &ag, .next_id = &next_id};
        struct udp_relay ur = {.agent = &ag, .next_id = &next_id};
        struct pollset ps = {0};
        int tap, r;

        tap = agent_start(a, &ag);
        if (tap < 0)
                return tap;
        close(TAKE_FD(a->userns_fd));
        close(TAKE_FD(a->netns_fd));
        r = stack_init(&st, a, tap);
        if (r >= 0)
                r = publish(a, &st, &sp, &ur);
        if (r >= 0)
                r = confine_helper(helper_resolv_conf(a));
        if (r < 0)
                return r;
        if (write(a->ready_fd, "ready\n", 6) != 6)
                return -EPIPE; /* the launcher is gone */
        close(TAKE_FD(a->ready_fd));

        for (;;) {
                int timeout = -1, n, exit_idx, agent_idx;

                ps.n = 0;
                exit_idx = pollset_add(&ps, a->exit_fd, POLLIN);
                agent_idx = pollset_add(&ps, ag.sock, POLLIN);
                splicer_fill(&sp, &ps);
                udprelay_fill(&ur, &ps, &timeout);
                stack_fill(&st, &ps, &timeout);
                n = poll(ps.fds, ps.n, timeout);
                if (n < 0 && errno != EINTR)
                        return log_errno(-errno, "poll");
                if (pollset_revents(&ps, exit_idx)) {
                        splicer_drain(&sp, DRAIN_MS); /* the sandbox is over */
                        return 0;
                }
                stack_handle(&st, &ps, n < 0);
                if (pollset_revents(&ps, agent_idx) && agent_answers(&ag, &sp, &ur) == -EPIPE)
                        return log_error("the network helper's agent died");
                splicer_handle(&sp, &ps);
                udprelay_handle(&ur, &ps);
        }
}

int main(int argc, char **argv)
{
        struct helper_args a;
        struct rlimit rl;
        int r;

        /* stdio must be open, or the first socket would become stdout. */
        for (int fd = 0; fd <= STDERR_FILENO; fd++)
                if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
                        return 1;
        if (parse_args(argc, argv, &a) < 0)
                return 1;
        {
                int keep[] = {a.userns_fd, a.netns_fd, a.exit_fd, a.ready_fd};
                close_fds_except(keep, ARRAY_SIZE(keep));
                for (size_t i = 0; i < ARRAY_SIZE(keep); i++)
                        (void)fcntl(keep[i], F_SETFD, FD_CLOEXEC);
        }
        /* A peer that goes away is an error code, not a signal; and the terminal, whose job
         * control the launcher keeps us out of, must not stop us for writing an error line. */
        signal(SIGPIPE, SIG_IGN);
        signal(SIGTTOU, SIG_IGN);
        /* Every spliced connection holds six fds. */
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
                rl.rlim_cur = rl.rlim_max;
                (void)setrlimit(RLIMIT_NOFILE, &rl);
        }
        r = run(&a);
        return r < 0 ? 1 : 0;
}
