/* sandbox stop: SIGTERM to the command, SIGKILL after a grace period; sandbox kill: any signal
 * to the command. Every signal goes through a pidfd checked against the state record, never a
 * bare pid. Runs on the host, as the invoking user. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "macro.h"
#include "procref.h"
#include "target.h"
#include "util.h"
#include "verbs.h"

static const char stop_usage[] = "sandbox stop [-t|--time SECONDS] ID|NAME...";
static const char kill_usage[] = "sandbox kill ID|NAME [SIGNAL]";

/* Whether the process behind pidfd ended within ms (a pidfd polls readable when it does). */
static bool ended_within(int pidfd, int ms)
{
        struct pollfd p = {pidfd, POLLIN, 0};
        int r;
        do
                r = poll(&p, 1, ms);
        while (r < 0 && errno == EINTR);
        return r > 0;
}

/* The command gets SIGTERM (pid 1 would only forward it) and, after the grace period,
 * SIGKILL; pid 1 then kills whatever the command left, reports, and the launcher tears down.
 * Should the command be beyond reach, SIGKILL to pid 1 ends the whole pid namespace. */
static int stop_target(struct target *t, int grace_ms)
{
        /* Gone already is fine: the sandbox is ending; pid 1 is signalled instead. */
        if (t->rec.command_pid > 0)
                t->command_fd =
                    procref_open(t->rec.command_pid, t->rec.command_start, t->rec.pid1, (uid_t)-1);
        (void)pidfd_signal(t->command_fd >= 0 ? t->command_fd : t->pid1_fd, SIGTERM);
        if (ended_within(t->launcher_fd, grace_ms))
                return 0;
        if (t->command_fd >= 0) {
                (void)pidfd_signal(t->command_fd, SIGKILL);
                if (ended_within(t->launcher_fd, 5000))
                        return 0;
        }
        (void)pidfd_signal(t->pid1_fd, SIGKILL);
        if (ended_within(t->launcher_fd, 5000))
                return 0;
        return log_error("sandbox %s is killed, but its launcher (host pid %d) did not exit: is it "
                         "stopped (Ctrl-Z)? It cleans up once it runs again",
                         t->rec.id, t->rec.launcher_pid);
}

static int stop_one(const char *ref, int grace_ms)
{
        struct target t;
        int r = target_open(ref, TARGET_LAUNCHER | TARGET_PID1, &t);
        if (r == 0 && (r = stop_target(&t, grace_ms)) == 0)
                printf("%s\n", ref);
        target_close(&t);
        return r;
}

int verb_stop(char **args)
{
        static const struct option opts[] = {
            {"time", required_argument, NULL, 't'}, {"help", no_argument, NULL, 'h'}, {0}};
        int argc, opt, code = 0, grace_ms = 10000;
        _cleanup_free_ char **argv = verb_argv("stop", args, &argc);

        while ((opt = getopt_long(argc, argv, "+t:h", opts, NULL)) != -1) {
                uint32_t s;
                if (opt == 't' && parse_u32(optarg, &s) == 0 && s <= 3600) {
                        grace_ms = (int)s * 1000;
                } else if (opt == 'h') {
                        printf("Usage: %s\nSends SIGTERM to the command of each sandbox, SIGKILL "
                               "after SECONDS (default 10), and waits until it is gone.\n",
                               stop_usage);
                        return 0;
                } else {
                        return verb_usage_error("stop", stop_usage);
                }
        }
        if (optind >= argc)
                return verb_usage_error("stop", stop_usage);
        for (int i = optind; i < argc; i++)
                if (stop_one(argv[i], grace_ms) < 0)
                        code = EXIT_LAUNCHER;
        return code;
}

/* "TERM", "SIGTERM", "sigterm", "15". */
static int parse_signal(const char *s)
{
        uint32_t n;
        if (parse_u32(s, &n) == 0)
                return n >= 1 && n <= 64 ? (int)n : -EINVAL;
        if (strncasecmp(s, "SIG", 3) == 0)
                s += 3;
        for (int sig = 1; sig < 32; sig++) {
                const char *name = sigabbrev_np(sig);
                if (name && strcasecmp(name, s) == 0)
                        return sig;
        }
        return -EINVAL;
}

int verb_kill(char **args)
{
        static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {0}};
        int argc, opt, sig = SIGKILL, r;
        _cleanup_free_ char **argv = verb_argv("kill", args, &argc);
        struct target t;

        while ((opt = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
                if (opt != 'h')
                        return verb_usage_error("kill", kill_usage);
                printf("Usage: %s\nSends SIGNAL (default KILL; a name such as TERM, or a number) "
                       "to the command of a sandbox.\n",
                       kill_usage);
                return 0;
        }
        if (optind >= argc || argc - optind > 2)
                return verb_usage_error("kill", kill_usage);
        if (argc - optind == 2 && (sig = parse_signal(argv[optind + 1])) < 0)
                return log_error("'%s' is not a signal (a name such as TERM or HUP, or a number)",
                                 argv[optind + 1]),
                       EXIT_LAUNCHER;
        r = target_open(argv[optind], TARGET_LAUNCHER | TARGET_PID1 | TARGET_COMMAND, &t);
        if (r == 0 && (r = pidfd_signal(t.command_fd, sig)) < 0)
                log_errno(r, "sending signal %d to the command of sandbox %s", sig, t.rec.id);
        target_close(&t);
        return r < 0 ? EXIT_LAUNCHER : 0;
}
