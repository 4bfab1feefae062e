/* The sandbox's pid 1: reaps orphans, forwards signals to the command, and when the command
 * ends, kills whatever is left and reports the status to the launcher.
 * Runs inside the sandbox as root of the user namespace, holding only CAP_KILL. */
#include "init.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "log.h"
#include "sync.h"

/* pid 1 needs nothing but the right to signal the command, whatever its uid. Undumpable, so a
 * command without CAP_SYS_PTRACE cannot read its memory or fds through /proc/1. */
static void init_confine(void)
{
        (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        (void)caps_bound(1ULL << 5 /* CAP_KILL */);
        (void)caps_set(1ULL << 5, false);
        (void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

static void finish(int sync_fd, int status)
{
        int code, sig = 0, w, left = 0;
        TRACE_BEGIN(t);

        /* The command is gone: nothing it left behind may outlive it (a double-forked daemon
         * included). */
        (void)kill(-1, SIGKILL);
        while ((w = wait(NULL)) > 0 || (w < 0 && errno == EINTR))
                left += w > 0;
        TRACE(t, "teardown", "pid 1 killed and reaped %d process%s the command left", left,
              left == 1 ? "" : "es");
        if (WIFSIGNALED(status)) {
                sig = WTERMSIG(status);
                code = 128 + sig;
        } else {
                code = WEXITSTATUS(status);
        }
        (void)sync_send(sync_fd, SYNC_EXIT, WIFSIGNALED(status) ? -1 : code, sig);
        _exit(code);
}

_Noreturn void init_run(pid_t command, int sync_fd)
{
        sigset_t all;
        siginfo_t si;

        trace_set_side("init");
        init_confine();
        /* Signals stay blocked (the launcher blocked them before clone); sigwaitinfo takes
         * them one at a time, so nothing here runs in a signal handler. */
        sigfillset(&all);
        for (;;) {
                if (sigwaitinfo(&all, &si) < 0)
                        continue;
                if (si.si_signo == SIGCHLD) {
                        int status;
                        pid_t p;
                        while ((p = waitpid(-1, &status, WNOHANG)) > 0)
                                if (p == command)
                                        finish(sync_fd, status);
                        continue;
                }
                /* A signal the terminal sent (Ctrl-C, Ctrl-\, a resize) already reached the
                 * command's process group; forward only what someone sent to us, which is the
                 * launcher relaying a kill(1). */
                if (si.si_code == SI_KERNEL)
                        continue;
                (void)kill(command, si.si_signo);
        }
}
