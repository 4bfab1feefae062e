/* The one immutable configuration of a launch: built-in defaults < profile (and its includes)
 * < command line, whatever the order of the options. Runs on the host, before any namespace
 * exists. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "macro.h"
#include "mountspec.h"
#include "profile.h"
#include "profile_settings.h"
#include "schema.h"
#include "seccomp_rules.h"
#include "util.h"

struct config *config_new(void)
{
        struct config *c = xcalloc(1, sizeof *c);
        c->hostname = xstrdup("sandbox");
        c->caps_keep = CAPS_DOCKER_DEFAULT;
        c->ns.ipc = c->ns.uts = c->ns.cgroup = true;
        strv_push_dup(&c->env_keep, "TERM");
        strv_push_dup(&c->env_keep, "LANG");
        c->seccomp.enabled = true;
        c->seccomp.errno_value = EPERM;
        limits_init(&c->limits);
        return c;
}

/* A path of the caller's, resolved, for the danger checks (NULL when unset). */
static char *real_env_path(const char *name)
{
        const char *v = getenv(name);
        return v && *v == '/' ? realpath(v, NULL) : NULL;
}

/* Valid but dangerous settings: one warning line each, naming where they came from. */
static void warn_dangers(struct config *c, const struct setting *s, const char *origin)
{
        _cleanup_free_ char *home = NULL, *runtime = NULL;

        for (size_t i = 0; i < c->n_mounts; i++) {
                struct mount_entry *m = &c->mounts[i];
                const char *why;
                if (m->origin)
                        continue; /* not new */
                m->origin = xstrdup(origin);
                if (!home) {
                        home = real_env_path("HOME");
                        runtime = real_env_path("XDG_RUNTIME_DIR");
                }
                why = mount_danger(m, home, runtime);
                if (why)
                        log_warn("%s: %s %s %s", origin, mount_kind_key(m->kind), m->source, why);
        }
        if (s->apply == apply_seccomp_enabled && !c->seccomp.enabled)
                log_warn("%s: no seccomp filter: terminal injection, new user namespaces and "
                         "every other call the filter stops are allowed",
                         origin);
        else if (s->apply == apply_seccomp_log && c->seccomp.log)
                log_warn("%s: seccomp log mode: nothing is denied; what would be is logged to "
                         "the kernel log (dmesg)",
                         origin);
        else if (s->apply == apply_ns_ipc && !c->ns.ipc)
                log_warn("%s: the sandbox shares the host's System V IPC objects", origin);
        else if (s->apply == apply_cap_keep && (c->caps_keep & (1ULL << 21 /* SYS_ADMIN */)))
                log_warn("%s: keeping SYS_ADMIN lets the command mount, unshare and reconfigure "
                         "its namespaces",
                         origin);
}

int config_apply(struct config *c, const struct setting *s, const char *value, const char *origin)
{
        char err[512] = "";

        if (!s->apply)
                return log_error("%s: not a sandbox setting", origin);
        if (s->apply(c, value, err, sizeof err) < 0)
                return log_error("%s: %s", origin, err);
        warn_dangers(c, s, origin);
        return 0;
}

static int apply_cli(struct config *c, const struct cli *cli)
{
        for (size_t i = 0; i < cli->n_values; i++) {
                const struct setting *s = cli->values[i].setting;
                _cleanup_free_ char *origin = xasprintf("--%s", setting_option(s));
                int r = config_apply(c, s, cli->values[i].value, origin);
                if (r < 0)
                        return r;
        }
        return 0;
}

int config_validate(struct config *c)
{
        char host[HOST_NAME_MAX + 1];

        for (size_t i = 0; i < c->seccomp.n_rules; i++)
                if (c->seccomp.rules[i].action == SC_ACTION_ALLOW && !c->seccomp.default_deny)
                        return log_error("[seccomp] rule for %s: '-> allow' needs default = deny "
                                         "(with default = allow everything is allowed already)",
                                         c->seccomp.rules[i].syscall);
        if (!c->ns.uts) {
                if (!streq(c->hostname, "sandbox"))
                        return log_error("[sandbox] hostname '%s' needs a UTS namespace of its "
                                         "own ([namespaces] uts = yes)",
                                         c->hostname);
                /* The host's: what the command will see, and what /etc/hostname says. */
                if (gethostname(host, sizeof host) == 0) {
                        host[sizeof host - 1] = 0;
                        free(c->hostname);
                        c->hostname = xstrdup(host);
                }
        }
        return 0;
}

int config_build(const struct cli *cli, struct config **ret)
{
        struct config *c = config_new();
        struct profile_ctx ctx;
        int r;

        profile_ctx_init(&ctx);
        /* Without --profile, the profile named "default" when there is one; the built-in
         * defaults are the same settings, so a missing one changes nothing. */
        r = profile_apply(c, cli->profile ? cli->profile : "default", !cli->profile, &ctx);
        if (r == -ENOENT && !cli->profile)
                r = 0;
        profile_ctx_done(&ctx);
        if (r >= 0 && (r = apply_cli(c, cli)) >= 0) {
                char err[256];
                if ((r = net_config_check(&c->net, err, sizeof err)) < 0)
                        log_error("%s", err);
        }
        if (r < 0 || (r = config_validate(c)) < 0) {
                config_free(c);
                return r;
        }
        c->profile = xstrdup(cli->profile ? cli->profile : "default");
        c->image = cli->image ? xstrdup(cli->image) : NULL;
        c->argv = cli->argv && cli->argv[0] ? strv_copy(cli->argv) : NULL;
        c->argv_given = c->argv != NULL;
        if (!c->argv)
                strv_push_dup(&c->argv, "/bin/sh");
        *ret = c;
        return 0;
}

void config_free(struct config *c)
{
        if (!c)
                return;
        free(c->image);
        strv_free(c->argv);
        free(c->hostname);
        free(c->workdir);
        strv_free(c->env);
        strv_free(c->env_keep);
        strv_free(c->env_unset);
        for (size_t i = 0; i < c->n_mounts; i++)
                mount_entry_done(&c->mounts[i]);
        free(c->mounts);
        strv_free(c->seccomp.allow);
        strv_free(c->seccomp.deny);
        for (size_t i = 0; i < c->seccomp.n_rules; i++)
                seccomp_rule_done(&c->seccomp.rules[i]);
        free(c->seccomp.rules);
        free(c->trace_path);
        free(c->profile);
        free(c->name);
        free(c->status_json);
        free(c->entrypoint);
        free(c->storage.persist);
        limits_free(&c->limits);
        net_config_free(&c->net);
        free(c);
}
