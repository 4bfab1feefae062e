/* The command's own process: identity, capabilities, no_new_privs, seccomp, exec.
 * Starts as root in the user namespace (a child of pid 1, after pivot_root, or a process of
 * `sandbox enter` that joined the namespaces) and drops every privilege the config does not
 * grant before it execs; rlimits, then seccomp come last. */
#include "workload.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "caps.h"
#include "config.h"
#include "env.h"
#include "execdiag.h"
#include "imgconfig.h"
#include "log.h"
#include "macro.h"
#include "profile_settings.h"
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
        if (ids && (!idmap_contains(&ids->uid, *uid) || !idmap_contains(&ids->gid, *gid)))
                return log_error("the image runs as User '%s' (%u:%u), which is not mapped here "
                                 "(%s); pass --user 0, or give your user a range in /etc/subuid "
                                 "and /etc/subgid",
                                 ic->user, *uid, *gid,
                                 ids->why_single ? "only root exists inside" : "beyond your range");
        return 0;
}

static int apply_rlimits(const struct config *c)
{
        for (int res = 0; res < RLIMIT_COUNT; res++) {
                const struct rlimit_setting *rl = &c->rlimits[res];
                struct rlimit cur;
                if (!rl->set)
                        continue;
                if (setrlimit(res, &(struct rlimit){rl->soft, rl->hard}) == 0)
                        continue;
                /* Raising a hard limit needs CAP_SYS_RESOURCE of the host, which no sandbox has. */
                if (errno == EPERM && getrlimit(res, &cur) == 0 && rl->hard > cur.rlim_max)
                        return log_error("[rlimits] %s: the hard limit %llu is above %llu, the "
                                         "most you may set (ulimit -H)",
                                         rlimit_key(res), (unsigned long long)rl->hard,
                                         (unsigned long long)cur.rlim_max);
                return log_errno(-errno, "[rlimits] %s", rlimit_key(res));
        }
        return 0;
}

/* exec /bin/ls argv ["ls", "-l"]: the resolved path and every argument, quoted as JSON. */
static void trace_exec(const char *path, char *const argv[])
{
        char buf[900];
        size_t n = 0;
        for (size_t i = 0; argv[i] && n + 8 < sizeof buf; i++) {
                n += (size_t)snprintf(buf + n, sizeof buf - n, "%s\"", i ? ", " : "");
                for (const char *p = argv[i]; *p && n + 8 < sizeof buf; p++) {
                        if (*p == '"' || *p == '\\')
                                buf[n++] = '\\';
                        buf[n++] = (unsigned char)*p < 0x20 ? '?' : *p;
                }
                buf[n++] = '"';
                buf[n] = 0;
        }
        buf[n] = 0;
        TRACE(0, "exec", "%s argv [%s]", path, buf);
}

/* The sets a root command keeps, by name (CHOWN,DAC_OVERRIDE,...). */
static void trace_caps(const struct config *c, uint32_t uid)
{
        char names[700];
        size_t n = 0;
        names[0] = 0;
        for (unsigned i = 0; i < 64 && n + 34 < sizeof names; i++) {
                char name[32];
                if (!(c->caps_keep & (1ULL << i)))
                        continue;
                caps_upper_name(i, name);
                n += (size_t)snprintf(names + n, sizeof names - n, "%s%s", n ? "," : "", name);
        }
        TRACE(0, "caps", "bounding set %s; effective and permitted %s", n ? names : "(none)",
              uid == 0 ? (n ? names : "(none)") : "(none: not root)");
}

/* execvpe with the sandbox's PATH, remembering the most telling failure. */
_Noreturn void workload_exec_argv(char *const argv[], char *const env[])
{
        const char *cmd = argv[0], *path = env_get(env, "PATH");
        char buf[PATH_MAX];
        const char *tried = NULL;
        int err = ENOENT;

        if (strchr(cmd, '/')) {
                trace_exec(cmd, argv);
                execve(cmd, argv, env);
                _exit(execdiag_report(cmd, cmd, errno));
        }
        for (const char *p = path ? path : ""; *p;) {
                size_t n = strcspn(p, ":");
                if (n > 0 && n + 1 + strlen(cmd) < sizeof buf) {
                        memcpy(buf, p, n);
                        buf[n] = '/';
                        strcpy(buf + n + 1, cmd);
                        /* Only when tracing: say which file the search found. */
                        if (trace_on() && access(buf, F_OK) == 0)
                                trace_exec(buf, argv);
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

char **workload_become(const struct config *c, const struct image_config *ic,
                       const struct userns_plan *ids)
{
        static const struct image_config none_given;
        sigset_t none;
        _cleanup_free_ char *home = NULL;
        const char *workdir;
        char **env = NULL;
        uint64_t ambient;
        uint32_t uid, gid;
        TRACE_BEGIN(t);

        trace_set_side("workload");
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);

        if (!ic)
                ic = &none_given;
        if (image_identity(c, ic, ids, &uid, &gid) < 0)
                return NULL;
        workdir = imgconfig_workdir(c, ic);
        ambient = uid != 0 ? c->caps_ambient & c->caps_keep : 0;
        home = home_of(uid);
        env = env_build_with(c, ic->present ? ic->env : NULL, home);

        /* Bounding set first: dropping from it needs CAP_SETPCAP, gone after setresuid. */
        if (caps_bound(c->caps_keep) < 0)
                goto err;
        /* A non-root command that keeps capabilities keeps them across setresuid... */
        if (ambient && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) {
                log_errno(-errno, "PR_SET_KEEPCAPS");
                goto err;
        }
        if (set_identity(uid, gid) < 0)
                goto err;
        /* ...and across exec through the ambient set, which needs them inheritable. A root
         * command keeps the configured set with an empty inheritable set (exec gives root the
         * bounding set anyway); any other uid without ambient lost all on setresuid. */
        if (ambient) {
                if (caps_set(ambient, true) < 0 || caps_raise_ambient(ambient) < 0)
                        goto err;
                (void)prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
        } else if (caps_set(uid == 0 ? c->caps_keep : 0, false) < 0) {
                goto err;
        }
        if (trace_on())
                trace_caps(c, uid);
        if (chdir(workdir ? workdir : home) < 0) {
                if (workdir) {
                        log_errno(-errno, "working directory %s", workdir);
                        goto err;
                }
                (void)!chdir("/");
        }
        TRACE(t, "identity", "uid %u gid %u, working directory %s", uid, gid,
              workdir ? workdir : home);
        return env;
err:
        strv_free(env);
        return NULL;
}

int workload_confine(const struct config *c, const struct seccomp_programs *filters)
{
        int r = apply_rlimits(c);
        if (r < 0)
                return r;
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return log_errno(-errno, "no_new_privs");
        TRACE(0, "no_new_privs", "set: no exec can gain privileges");
        /* Last, so the filter need not allow anything the setup above does. */
        return seccomp_install(filters);
}

/* --stop-at-entry: the launcher traces us from here to our exec, and stops us there. Changing
 * the uid made this process undumpable, and its memory is still the launcher's (owned by the
 * host's user namespace), so the launcher could not attach: dumpable again, for this instant. */
static int wait_for_tracer(int sync_fd)
{
        int r = sync_expect(sync_fd, SYNC_TRACER_READY);
        if (r < 0)
                return log_errno(r, "--stop-at-entry: the launcher did not attach");
        return 0;
}

_Noreturn void workload_exec(const struct config *c, const struct image_config *ic,
                             const struct userns_plan *ids, const struct seccomp_programs *filters,
                             int sync_fd)
{
        char **env = workload_become(c, ic, ids);
        char **argv = ic ? imgconfig_argv(c, ic) : strv_copy(c->argv);

        if (!env)
                fail();
        if (c->stop_at_entry)
                (void)prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
        /* sync 3: the launcher learns our host pid from the socket's credentials. */
        (void)sync_send(sync_fd, SYNC_STARTED, 0, 0);
        if (c->stop_at_entry && wait_for_tracer(sync_fd) < 0)
                fail();
        if (workload_confine(c, filters) < 0)
                fail();
        workload_exec_argv(argv, env);
}
