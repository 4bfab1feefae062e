/* The command's environment: reset to a small safe set, plus what the user asks for.
 * Pure, apart from reading the caller's variables that the config keeps (TERM and LANG by
 * default); used by the workload before exec. */
#include "env.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "util.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

const char *env_get(char *const *env, const char *name)
{
        size_t n = strlen(name);
        const char *found = NULL;
        for (size_t i = 0; env && env[i]; i++)
                if (strncmp(env[i], name, n) == 0 && env[i][n] == '=')
                        found = env[i] + n + 1; /* the last one wins */
        return found;
}

static void env_set(char ***env, const char *assignment)
{
        size_t n = strcspn(assignment, "=");
        for (size_t i = 0; *env && (*env)[i]; i++)
                if (strncmp((*env)[i], assignment, n) == 0 && (*env)[i][n] == '=') {
                        free((*env)[i]);
                        (*env)[i] = xstrdup(assignment);
                        return;
                }
        strv_push_dup(env, assignment);
}

static void env_unset(char **env, const char *name)
{
        size_t n = strlen(name), o = 0;
        for (size_t i = 0; env && env[i]; i++) {
                if (strncmp(env[i], name, n) == 0 && env[i][n] == '=')
                        free(env[i]);
                else
                        env[o++] = env[i];
        }
        if (env)
                env[o] = NULL;
}

/* The caller's variables named by keep: exact names in their order, then PREFIX* matches in
 * the order of the caller's environment. */
static void env_keep(char ***env, char *const *keep)
{
        extern char **environ;
        for (size_t k = 0; keep && keep[k]; k++) {
                size_t len = strlen(keep[k]);
                if (len > 0 && keep[k][len - 1] == '*') {
                        for (char **e = environ; e && *e; e++)
                                if (strncmp(*e, keep[k], len - 1) == 0 && strchr(*e, '='))
                                        env_set(env, *e);
                } else {
                        const char *v = getenv(keep[k]);
                        if (v) {
                                char *kv = xasprintf("%s=%s", keep[k], v);
                                env_set(env, kv);
                                free(kv);
                        }
                }
        }
}

char **env_build(const struct config *c, const char *home)
{
        char **env = NULL;

        if (!c->env_clear) {
                strv_push(&env, xasprintf("PATH=%s", DEFAULT_PATH));
                strv_push(&env, xasprintf("HOME=%s", home));
        }
        env_keep(&env, c->env_keep);
        for (size_t i = 0; c->env && c->env[i]; i++)
                env_set(&env, c->env[i]);
        for (size_t i = 0; c->env_unset && c->env_unset[i]; i++)
                env_unset(env, c->env_unset[i]);
        if (!env)
                env = xcalloc(1, sizeof *env);
        return env;
}

char *passwd_home(const char *passwd, uint32_t uid)
{
        char want[16];
        snprintf(want, sizeof want, "%u", uid);
        for (const char *line = passwd; line && *line;) {
                const char *end = strchrnul(line, '\n');
                const char *f[7];
                size_t nf = 0;
                f[nf++] = line;
                for (const char *p = line; p < end && nf < 7; p++)
                        if (*p == ':')
                                f[nf++] = p + 1;
                if (nf == 7) {
                        size_t ulen = (size_t)(f[3] - f[2] - 1);
                        if (ulen == strlen(want) && memcmp(f[2], want, ulen) == 0 &&
                            f[5][0] == '/') {
                                size_t hlen = (size_t)(f[6] - f[5] - 1);
                                return strndup(f[5], hlen);
                        }
                }
                line = *end ? end + 1 : end;
        }
        return NULL;
}
