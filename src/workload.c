/* The command's own process: identity, capabilities, no_new_privs, seccomp, exec.
 * Starts as root in the user namespace (a child of pid 1, after pivot_root) and drops every
 * privilege the config does not grant before it execs; seccomp comes last. */
#include "workload.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "caps.h"
#include "config.h"
#include "env.h"
#include "execdiag.h"
#include "log.h"
#include "macro.h"
#include "seccomp_filter.h"
#include "sync.h"
#include "sys.h"
#include "util.h"

static _Noreturn void fail(void)
{
        _exit(EXIT_LAUNCHER);
}

/* Home inside: /root for root, else the image's /etc/passwd entry, else "/". Read by hand:
 * NSS would load the image's own libraries into this still-privileged process. */
static char *home_of(uint32_t uid)
{
        _cleanup_free_ char *passwd = NULL;
        char *home = NULL;
        if (uid == 0)
                return xstrdup("/root");
        if (read_file_at(AT_FDCWD, "/etc/passwd", 1 << 20, &passwd, NULL) == 0)
                home = passwd_home(passwd, uid);
        return home ? home : xstrdup("/");
}

static int set_identity(const struct config *c)
{
        /* setgroups is denied with a single-id map (the kernel's rule); then the command
         * keeps the one group it has. */
        if (setgroups(0, NULL) < 0 && errno != EPERM)
                return log_errno(-errno, "setgroups");
        if (setresgid(c->gid, c->gid, c->gid) < 0)
                return log_errno(-errno, "setting gid %u", c->gid);
        if (setresuid(c->uid, c->uid, c->uid) < 0)
                return log_errno(-errno, "setting uid %u", c->uid);
        return 0;
}

/* execvpe with the sandbox's PATH, remembering the most telling failure. */
static _Noreturn void exec_command(char *const argv[], char *const env[])
{
        const char *cmd = argv[0], *path = env_get(env, "PATH");
        char buf[PATH_MAX];
        const char *tried = NULL;
        int err = ENOENT;

        if (strchr(cmd, '/')) {
                execve(cmd, argv, env);
                _exit(execdiag_report(cmd, cmd, errno));
        }
        for (const char *p = path ? path : ""; *p;) {
                size_t n = strcspn(p, ":");
                if (n > 0 && n + 1 + strlen(cmd) < sizeof buf) {
                        memcpy(buf, p, n);
                        buf[n] = '/';
                        strcpy(buf + n + 1, cmd);
                        execve(buf, argv, env);
                        if (errno != ENOENT || access(buf, F_OK) == 0) {
                                /* It exists but did not run: that is the answer. */
                                err = errno;
                                tried = buf;
                                break;
                        }
                }
                p += n + (p[n] == ':');
        }
        _exit(execdiag_report(cmd, tried, err));
}

_Noreturn void workload_exec(const struct config *c, int sync_fd)
{
        sigset_t none;
        _cleanup_free_ char *home = NULL;
        char **env;

        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);

        home = home_of(c->uid);
        env = env_build(c, home);

        /* Bounding set first: dropping from it needs CAP_SETPCAP, gone after setresuid. */
        if (caps_bound(c->caps_keep) < 0 || set_identity(c) < 0)
                fail();
        /* A root command keeps the configured set; any other uid lost all on setresuid. */
        if (caps_set(c->uid == 0 ? c->caps_keep : 0, false) < 0)
                fail();
        if (chdir(c->workdir ? c->workdir : home) < 0) {
                if (c->workdir) {
                        log_errno(-errno, "working directory %s", c->workdir);
                        fail();
                }
                (void)!chdir("/");
        }
        /* sync 3: the launcher learns our host pid from the socket's credentials. */
        (void)sync_send(sync_fd, SYNC_STARTED, 0, 0);

        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
                log_errno(-errno, "no_new_privs");
                fail();
        }
        /* Last, so the filter need not allow anything the setup above does. */
        if (seccomp_apply(c) < 0)
                fail();
        TRACE(0, "exec", "%s", c->argv[0]);
        exec_command(c->argv, env);
}
