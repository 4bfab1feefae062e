/* The network helper (sandbox-slirp) from the launcher's side (see nethelper.h).
 * Runs on the host, as the invoking user; the helper stays in the host's network namespace and
 * its agent joins the sandbox's, through the namespace fds passed here. */
#include "nethelper.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "macro.h"
#include "net.h"
#include "sys.h"
#include "util.h"

/* Closes *fd if open, and forgets it. */
static void drop_fd(int *fd)
{
        if (*fd >= 0)
                close(TAKE_FD(*fd));
}

static char **helper_argv(const char *path, const struct config *c, int userns_fd, int netns_fd,
                          int exit_fd, int ready_fd)
{
        _cleanup_free_ char *resolv = NULL;
        char **argv = NULL, dns4[48], dns6[48];

        /* The host's name servers, as they are now: a 127.x stub included (docs/networking.md). */
        (void)read_file_at(AT_FDCWD, "/etc/resolv.conf", 1 << 16, &resolv, NULL);
        net_resolv_nameservers(resolv, dns4, dns6);

        strv_push_dup(&argv, path);
        strv_push(&argv, xasprintf("--userns-fd=%d", userns_fd));
        strv_push(&argv, xasprintf("--netns-fd=%d", netns_fd));
        strv_push(&argv, xasprintf("--exit-fd=%d", exit_fd));
        strv_push(&argv, xasprintf("--ready-fd=%d", ready_fd));
        strv_push(&argv, xasprintf("--mtu=%d", NET_MTU));
        if (c->net.allow_host_loopback)
                strv_push_dup(&argv, "--allow-host-loopback");
        if (dns4[0])
                strv_push(&argv, xasprintf("--dns4=%s", dns4));
        if (dns6[0])
                strv_push(&argv, xasprintf("--dns6=%s", dns6));
        for (size_t i = 0; i < c->net.n_publish; i++) {
                const struct net_publish *p = &c->net.publish[i];
                strv_push(&argv,
                          xasprintf("--publish=%s:%s:%u:%u:%s", p->udp ? "udp" : "tcp",
                                    c->net.port_driver == PORT_DRIVER_SPLICE ? "splice" : "slirp",
                                    p->host_port, p->port, p->host_addr));
        }
        return argv;
}

int net_helper_start(const struct config *c, pid_t pid1, int userns_fd, struct net_helper *h)
{
        _cleanup_free_ char *path = helper_path(NET_HELPER_NAME);
        _cleanup_strv_free_ char **argv = NULL;
        _cleanup_close_ int netns_fd = -1;
        int exitp[2] = {-1, -1}, readyp[2] = {-1, -1};
        char ns[64];
        TRACE_BEGIN(t);

        snprintf(ns, sizeof ns, "/proc/%d/ns/net", pid1);
        netns_fd = open(ns, O_RDONLY | O_CLOEXEC);
        if (netns_fd < 0)
                return log_errno(-errno, "opening %s", ns);
        if (pipe2(exitp, O_CLOEXEC) < 0)
                return log_errno(-errno, "pipe");
        if (pipe2(readyp, O_CLOEXEC) < 0) {
                int r = -errno;
                close(exitp[0]);
                close(exitp[1]);
                return log_errno(r, "pipe");
        }
        argv = helper_argv(path, c, userns_fd, netns_fd, exitp[0], readyp[1]);
        h->pid = fork();
        if (h->pid == 0) {
                sigset_t none;
                int pass[] = {userns_fd, netns_fd, exitp[0], readyp[1]};
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                /* A process group of its own: the terminal's Ctrl-C and Ctrl-Z are for the
                 * command, not for the network under it. */
                (void)setpgid(0, 0);
                for (size_t i = 0; i < ARRAY_SIZE(pass); i++)
                        (void)fcntl(pass[i], F_SETFD, 0);
                execv(path, argv);
                log_errno(-errno,
                          "cannot run the network helper %s (is sandbox installed "
                          "completely?)",
                          path);
                _exit(127);
        }
        close(exitp[0]);
        close(readyp[1]);
        h->exit_fd = exitp[1];
        h->ready_fd = readyp[0];
        if (h->pid < 0) {
                int r = -errno;
                net_helper_stop(h);
                return log_errno(r, "fork");
        }
        TRACE(t, "net", "helper %s is host pid %d", path, h->pid);
        return 0;
}

/* Why the helper ended, in the launcher's words, unless it said so itself. */
static void say_why(int status, bool before_ready)
{
        if (WIFSIGNALED(status))
                log_error("the network helper %s was killed by signal %d (%s)%s", NET_HELPER_NAME,
                          WTERMSIG(status), strsignal(WTERMSIG(status)),
                          before_ready ? " before the network was up"
                                       : "; the sandbox has no network: stopping it");
        else if (!before_ready)
                log_error("the network helper %s stopped (status %d); the sandbox has no "
                          "network: stopping it",
                          NET_HELPER_NAME, WEXITSTATUS(status));
        /* Before ready, an exit status means the helper printed its error. */
}

int net_helper_check_ready(struct net_helper *h)
{
        char buf[16] = {0};
        ssize_t n;
        int status;

        do
                n = read(h->ready_fd, buf, sizeof buf - 1);
        while (n < 0 && errno == EINTR);
        if (n < 0 && errno == EAGAIN)
                return 0;
        drop_fd(&h->ready_fd);
        if (n > 0 && streq(buf, "ready\n")) {
                TRACE(0, "net", "the network is up");
                return 1;
        }
        /* EOF: the helper failed; its exit status says whether it explained. */
        if (h->pid > 0 && waitpid(h->pid, &status, 0) == h->pid) {
                h->pid = -1;
                say_why(status, true);
        }
        return -EIO;
}

bool net_helper_reaped(struct net_helper *h)
{
        int status;

        if (h->pid <= 0 || waitpid(h->pid, &status, WNOHANG) != h->pid)
                return false;
        h->pid = -1;
        say_why(status, h->ready_fd >= 0);
        return true;
}

void net_helper_stop(struct net_helper *h)
{
        drop_fd(&h->exit_fd);
        drop_fd(&h->ready_fd);
        if (h->pid > 0)
                (void)waitpid(h->pid, NULL, 0);
        h->pid = -1;
}
