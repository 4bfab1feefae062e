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
#include "imgconfig.h"
#include "log.h"
#include "macro.h"
#include "seccomp_filter.h"
#include "sync.h"
#include "sys.h"
#include "userns.h"
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

static int set_identity(uint32_t uid, uint32_t gid)
{
        /* setgroups is denied with a single-id map (the kernel's rule); then the command
         * keeps the one group it has. */
        if (setgroups(0, NULL) < 0 && errno != EPERM)
                return log_errno(-errno, "setgroups");
        if (setresgid(gid, gid, gid) < 0)
                return log_errno(-errno, "setting gid %u", gid);
        if (setresuid(uid, uid, uid) < 0)
                return log_errno(-errno, "setting uid %u", uid);
        return 0;
}

/* The image's User, unless --user was given: names resolved in the image's /etc/passwd and
 * /etc/group (read by hand, like home_of), and the ids checked against the map. */
static int image_identity(const struct config *c, const struct image_config *ic,
                          const struct userns_plan *ids, uint32_t *uid, uint32_t *gid)
{
        _cleanup_free_ char *passwd = NULL, *group = NULL;
        char err[256];

        *uid = c->uid;
        *gid = c->gid;
        if (c->user_given || !ic->present || !ic->user)
                return 0;
        (void)read_file_at(AT_FDCWD, "/etc/passwd", 1 << 20, &passwd, NULL);
        (void)read_file_at(AT_FDCWD, "/etc/group", 1 << 20, &group, NULL);
        if (imgconfig_user(ic->user, passwd, group, uid, gid, err, sizeof err) < 0)
                return log_error("the image runs as User '%s', but %s; pass --user UID[:GID]",
                                 ic->user, err);
        if (!idmap_contains(&ids->uid, *uid) || !idmap_contains(&ids->gid, *gid))
                return log_error("the image runs as User '%s' (%u:%u), which is not mapped here "
                                 "(%s); pass --user 0, or give your user a range in /etc/subuid "
                                 "and /etc/subgid",
                                 ic->user, *uid, *gid,
                                 ids->why_single ? "only root exists inside" : "beyond your range");
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

_Noreturn void workload_exec(const struct config *c, const struct image_config *ic,
                             const struct userns_plan *ids, int sync_fd)
{
        sigset_t none;
        _cleanup_free_ char *home = NULL;
        _cleanup_strv_free_ char **argv = imgconfig_argv(c, ic);
        const char *workdir = imgconfig_workdir(c, ic);
        uint32_t uid, gid;
        char **env;

        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);

        if (image_identity(c, ic, ids, &uid, &gid) < 0)
                fail();
        home = home_of(uid);
        env = env_build_with(c, ic->present ? ic->env : NULL, home);

        /* Bounding set first: dropping from it needs CAP_SETPCAP, gone after setresuid. */
        if (caps_bound(c->caps_keep) < 0 || set_identity(uid, gid) < 0)
                fail();
        /* A root command keeps the configured set; any other uid lost all on setresuid. */
        if (caps_set(uid == 0 ? c->caps_keep : 0, false) < 0)
                fail();
        if (chdir(workdir ? workdir : home) < 0) {
                if (workdir) {
                        log_errno(-errno, "working directory %s", workdir);
                        fail();
                }
                (void)!chdir("/");
        }
        /* sync 2: the launcher learns our host pid from the socket's credentials. */
        (void)sync_send(sync_fd, SYNC_STARTED, 0, 0);

        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
                log_errno(-errno, "no_new_privs");
                fail();
        }
        /* Last, so the filter need not allow anything the setup above does. */
        if (seccomp_apply(c) < 0)
                fail();
        TRACE(0, "exec", "%s", argv[0]);
        exec_command(argv, env);
}
