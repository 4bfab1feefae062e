/* The command's environment: reset to a small safe set, plus what the user asks for.
 * Pure, apart from reading the host's TERM and LANG; used by the workload before exec. */
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

char **env_build(const struct config *c, const char *home)
{
        return env_build_with(c, NULL, home);
}

char **env_build_with(const struct config *c, char *const *image_env, const char *home)
{
        char **env = NULL;
        const char *term = getenv("TERM"), *lang = getenv("LANG");

        strv_push(&env, xasprintf("PATH=%s", DEFAULT_PATH));
        strv_push(&env, xasprintf("HOME=%s", home));
        if (term)
                strv_push(&env, xasprintf("TERM=%s", term));
        if (lang)
                strv_push(&env, xasprintf("LANG=%s", lang));
        for (size_t i = 0; image_env && image_env[i]; i++)
                env_set(&env, image_env[i]);
        for (size_t i = 0; c->env && c->env[i]; i++)
                env_set(&env, c->env[i]);
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
