/* --stop-at-entry: the command stopped right before its first instruction, for a debugger.
 * The launcher (host) traces the command from sync 2 to its exec; at the exec stop the new
 * program is loaded and has not run an instruction yet. There it queues SIGSTOP, lets the
 * signal be taken, and detaches injecting it: the command is left in an ordinary job-control
 * stop, which gdb and strace attach to like to any stopped process. Runs on the host. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "procref.h"
#include "sandbox.h"
#include "sync.h"

enum {
        UNTRACED,
        TRACED,   /* seized, waiting for the exec */
        STOPPING, /* exec seen, SIGSTOP queued, waiting for its delivery stop */
};

int entrystop_attach(struct sandbox *sb)
{
        int r;
        /* EXITKILL: if the launcher dies while tracing, the command dies with it (the whole
         * sandbox does anyway). Tracing from outside needs no help from inside: the launcher
         * owns the sandbox's user namespace, and the command made itself dumpable. */
        if (ptrace(PTRACE_SEIZE, sb->command, NULL,
                   (void *)(long)(PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL)) < 0)
                return log_errno(-errno, "--stop-at-entry: attaching to the command (host pid %d)",
                                 sb->command);
        sb->session.tracing = TRACED;
        r = sync_send(sb->sync_fd[0], SYNC_TRACER_READY, 0, 0);
        if (r < 0)
                return log_errno(r, "--stop-at-entry: the command is gone");
        TRACE(0, "stop-at-entry", "tracing the command (host pid %d) until its exec", sb->command);
        return 0;
}

/* Printed whatever --quiet says: the user asked for it. */
static void say_how_to_attach(const struct sandbox *sb)
{
        pid_t p = sb->command;
        char msg[1200], join[96] = "";
        int n;

        /* gdb reads memory through /proc/PID/mem, which the kernel opens only to the process's
         * own uid (or with CAP_DAC_OVERRIDE over it): for a command of another mapped uid, gdb
         * runs in the sandbox's user namespace, where the user holds that capability; the rest
         * of the system it sees stays the host's. */
        if (sb->cfg->uid != 0)
                snprintf(join, sizeof join, "nsenter --user --preserve-credentials -t %d ", p);
        /* The sysroot: the program's libraries are the image's. SIGSTOP is what holds the
         * command; gdb must not hand it back each time it resumes. */
        n = snprintf(
            msg, sizeof msg,
            "sandbox: the command is stopped before its first instruction, as host pid %d "
            "(sandbox %s). Debug it with:\n"
            "    %sgdb -q -iex 'set sysroot /proc/%d/root' -iex 'handle SIGSTOP nostop "
            "noprint nopass' -p %d -ex 'break main' -ex continue\n"
            "sandbox: or trace it with strace -f -p %d, then kill -CONT %d; or let it run: "
            "kill -CONT %d\n",
            p, sb->run.id, join, p, p, p, p, p);
        if (n > 0)
                (void)!write(STDERR_FILENO, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg);
}

void entrystop_on_sigchld(struct sandbox *sb)
{
        struct session *s = &sb->session;
        int status;
        pid_t w;

        while (s->tracing && (w = waitpid(sb->command, &status, WNOHANG | __WALL)) > 0) {
                if (!WIFSTOPPED(status)) {
                        s->tracing = UNTRACED; /* it ended before its exec: exec failed */
                        break;
                }
                int event = status >> 16, sig = WSTOPSIG(status);
                if (event == PTRACE_EVENT_EXEC && s->tracing == TRACED) {
                        /* The new program is loaded; not one of its instructions ran. */
                        s->tracing = STOPPING;
                        /* Without a pidfd, the pid is safe too: a tracee's pid cannot be
                         * reused before its tracer has seen it end. */
                        if (s->command_fd < 0 || pidfd_signal(s->command_fd, SIGSTOP) < 0)
                                (void)kill(sb->command, SIGSTOP);
                        (void)ptrace(PTRACE_CONT, sb->command, NULL, NULL);
                } else if (event == 0 && sig == SIGSTOP && s->tracing == STOPPING) {
                        (void)ptrace(PTRACE_DETACH, sb->command, NULL, (void *)(long)SIGSTOP);
                        s->tracing = UNTRACED;
                        TRACE(0, "stop-at-entry",
                              "the command (host pid %d) is stopped at its "
                              "first instruction",
                              sb->command);
                        say_how_to_attach(sb);
                } else if (event == 0) {
                        /* Any other signal: deliver it as if we were not there. */
                        (void)ptrace(PTRACE_CONT, sb->command, NULL, (void *)(long)sig);
                } else {
                        (void)ptrace(PTRACE_CONT, sb->command, NULL, NULL);
                }
        }
}
