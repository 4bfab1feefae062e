/* The command's environment: reset to a small safe set, plus what the user asks for.
 * Pure, apart from reading the caller's variables that the config keeps (TERM and LANG by
 * default); used by the workload before exec. */
#include "env.h"

#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "macro.h"
#include "sys.h"
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

void env_remove(char **env, const char *name)
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
        return env_build_with(c, NULL, home);
}

char **env_build_with(const struct config *c, char *const *image_env, const char *home)
{
        char **env = NULL;

        if (!c->env_clear) {
                strv_push(&env, xasprintf("PATH=%s", DEFAULT_PATH));
                strv_push(&env, xasprintf("HOME=%s", home));
        }
        env_keep(&env, c->env_keep);
        /* The image's own Env is part of what the image is (its PATH, say): clear only drops
         * our defaults and the host's variables. */
        for (size_t i = 0; image_env && image_env[i]; i++)
                env_set(&env, image_env[i]);
        for (size_t i = 0; c->env && c->env[i]; i++)
                env_set(&env, c->env[i]);
        for (size_t i = 0; c->env_unset && c->env_unset[i]; i++)
                env_remove(env, c->env_unset[i]);
        if (!env)
                env = xcalloc(1, sizeof *env);
        return env;
}

/* Field `field` (0: name, 5: home) of the passwd line for uid, or NULL. */
static char *passwd_field(const char *passwd, uint32_t uid, unsigned field)
{
        char want[16];
        snprintf(want, sizeof want, "%u", uid);
        for (const char *line = passwd; line && *line;) {
                const char *end = strchrnul(line, '\n');
                const char *f[8];
                size_t nf = 0;
                f[nf++] = line;
                for (const char *p = line; p < end && nf < 7; p++)
                        if (*p == ':')
                                f[nf++] = p + 1;
                f[nf] = end + 1;
                if (nf == 7) {
                        size_t ulen = (size_t)(f[3] - f[2] - 1);
                        size_t len = (size_t)(f[field + 1] - f[field] - 1);
                        if (ulen == strlen(want) && memcmp(f[2], want, ulen) == 0 && len > 0)
                                return strndup(f[field], len);
                }
                line = *end ? end + 1 : end;
        }
        return NULL;
}

char *passwd_home(const char *passwd, uint32_t uid)
{
        char *home = passwd_field(passwd, uid, 5);
        if (home && home[0] != '/') {
                free(home);
                return NULL;
        }
        return home;
}

char *passwd_name(const char *passwd, uint32_t uid)
{
        return passwd_field(passwd, uid, 0);
}

/* The invoking user from the host's /etc/passwd, read by hand: the launcher never goes through
 * NSS, so that it can be linked statically and never loads a module it did not choose. Users
 * known only to a network directory fall back to $USER/$HOME. */
static char *host_passwd_field(char *(*get)(const char *, uint32_t), const char *env_name)
{
        _cleanup_free_ char *passwd = NULL;
        const char *v;
        char *r = NULL;
        if (read_file_at(AT_FDCWD, "/etc/passwd", 1 << 22, &passwd, NULL) == 0)
                r = get(passwd, (uint32_t)getuid());
        if (!r && (v = getenv(env_name)) && *v)
                r = xstrdup(v);
        return r;
}

char *host_user_name(void)
{
        return host_passwd_field(passwd_name, "USER");
}

char *host_user_home(void)
{
        return host_passwd_field(passwd_home, "HOME");
}
