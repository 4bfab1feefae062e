/* A layered image's own config (Entrypoint, Cmd, Env, WorkingDir, User), as the unpacker wrote
 * it to images/<key>/config, and how it combines with the command line the way `docker run`
 * does. Pure: parsed in the child, applied by the workload. */
#include "imgconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "util.h"

static int hexval(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* Undoes the unpacker's escaping of one value (n bytes); NULL when it is malformed or would hold
 * a NUL. */
static char *unescape(const char *s, size_t n)
{
        char *out = malloc(n + 1), *o = out;

        if (!out)
                abort();
        for (size_t i = 0; i < n; i++) {
                if (s[i] != '\\') {
                        *o++ = s[i];
                        continue;
                }
                if (++i >= n)
                        goto bad;
                if (s[i] == '\\')
                        *o++ = '\\';
                else if (s[i] == 'n')
                        *o++ = '\n';
                else if (s[i] == 't')
                        *o++ = '\t';
                else if (s[i] == 'x' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
                         hexval(s[i + 2]) >= 0 && (hexval(s[i + 1]) | hexval(s[i + 2]))) {
                        *o++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
                        i += 2;
                } else
                        goto bad;
        }
        *o = 0;
        return out;
bad:
        free(out);
        return NULL;
}

int imgconfig_parse(const char *text, struct image_config *ret)
{
        struct image_config ic = {.present = true};

        for (const char *line = text; *line;) {
                const char *end = strchrnul(line, '\n'), *sp;
                size_t klen;
                char *v;

                if (*line == '#' || line == end)
                        goto next;
                sp = memchr(line, ' ', (size_t)(end - line));
                if (!sp)
                        goto bad;
                klen = (size_t)(sp - line);
                v = unescape(sp + 1, (size_t)(end - sp - 1));
                if (!v)
                        goto bad;
#define KEY(k) (klen == strlen(k) && !memcmp(line, k, klen))
                if (KEY("entrypoint"))
                        strv_push(&ic.entrypoint, v);
                else if (KEY("cmd"))
                        strv_push(&ic.cmd, v);
                else if (KEY("env") && env_assignment_valid(v))
                        strv_push(&ic.env, v);
                else if (KEY("workdir") && !ic.workdir && v[0] == '/')
                        ic.workdir = v;
                else if (KEY("user") && !ic.user)
                        ic.user = v;
                else {
                        free(v);
                        goto bad;
                }
#undef KEY
        next:
                line = *end ? end + 1 : end;
        }
        *ret = ic;
        return 0;
bad:
        imgconfig_free(&ic);
        return -EINVAL;
}

void imgconfig_free(struct image_config *ic)
{
        strv_free(ic->entrypoint);
        strv_free(ic->cmd);
        strv_free(ic->env);
        free(ic->workdir);
        free(ic->user);
        *ic = (struct image_config){0};
}

char **imgconfig_argv(const struct config *c, const struct image_config *ic)
{
        char *const *ep = ic->present ? ic->entrypoint : NULL;
        char *const *cmd = c->argv_given ? c->argv : ic->present ? ic->cmd : NULL;
        char **argv = NULL;

        if (c->entrypoint) {
                /* docker run: a new entrypoint makes the image's Cmd meaningless. */
                ep = NULL;
                if (c->entrypoint[0])
                        strv_push_dup(&argv, c->entrypoint);
                cmd = c->argv_given ? c->argv : NULL;
        }
        for (size_t i = 0; ep && ep[i]; i++)
                strv_push_dup(&argv, ep[i]);
        for (size_t i = 0; cmd && cmd[i]; i++)
                strv_push_dup(&argv, cmd[i]);
        return argv ? argv : strv_copy(c->argv);
}

const char *imgconfig_workdir(const struct config *c, const struct image_config *ic)
{
        if (c->workdir)
                return c->workdir;
        return ic->present ? ic->workdir : NULL;
}

/* Field f (0-based) of the line of a passwd or group text whose field key_field equals key. */
static bool lookup(const char *text, size_t key_field, const char *key, size_t want, char *out,
                   size_t size)
{
        for (const char *line = text; line && *line;) {
                const char *end = strchrnul(line, '\n'), *f[8];
                size_t nf = 0;

                f[nf++] = line;
                for (const char *p = line; p < end && nf < 8; p++)
                        if (*p == ':')
                                f[nf++] = p + 1;
                if (nf > want && nf > key_field) {
                        const char *kend = key_field + 1 < nf ? f[key_field + 1] - 1 : end;
                        const char *wend = want + 1 < nf ? f[want + 1] - 1 : end;
                        if ((size_t)(kend - f[key_field]) == strlen(key) &&
                            !memcmp(f[key_field], key, strlen(key)) &&
                            (size_t)(wend - f[want]) < size) {
                                memcpy(out, f[want], (size_t)(wend - f[want]));
                                out[wend - f[want]] = 0;
                                return true;
                        }
                }
                line = *end ? end + 1 : end;
        }
        return false;
}

int imgconfig_user(const char *spec, const char *passwd, const char *group, uint32_t *ret_uid,
                   uint32_t *ret_gid, char *err, size_t errsize)
{
        char user[256], buf[32];
        const char *colon = strchr(spec, ':'), *grp = colon ? colon + 1 : NULL;
        uint32_t uid, gid = 0;

        snprintf(user, sizeof user, "%.*s", (int)(colon ? (size_t)(colon - spec) : strlen(spec)),
                 spec);
        if (!user[0] || (grp && !grp[0])) {
                snprintf(err, errsize, "'%s' is not USER[:GROUP]", spec);
                return -EINVAL;
        }
        if (parse_u32(user, &uid) < 0) {
                if (!lookup(passwd, 0, user, 2, buf, sizeof buf) || parse_u32(buf, &uid) < 0) {
                        snprintf(err, errsize, "no user '%s' in the image's /etc/passwd", user);
                        return -EINVAL;
                }
        }
        if (grp) {
                if (parse_u32(grp, &gid) < 0 &&
                    (!lookup(group, 0, grp, 2, buf, sizeof buf) || parse_u32(buf, &gid) < 0)) {
                        snprintf(err, errsize, "no group '%s' in the image's /etc/group", grp);
                        return -EINVAL;
                }
        } else {
                char u[16];
                snprintf(u, sizeof u, "%u", uid);
                if (lookup(passwd, 2, u, 3, buf, sizeof buf) && parse_u32(buf, &gid) < 0)
                        gid = 0;
        }
        *ret_uid = uid;
        *ret_gid = gid;
        return 0;
}
