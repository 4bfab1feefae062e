/* Pure helpers: string vectors, number parsing, small string utilities.
 * No system calls beyond memory allocation; usable on every side and in unit tests. */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static _Noreturn void oom(void)
{
        static const char msg[] = "sandbox: out of memory\n";
        (void)!write(2, msg, sizeof msg - 1);
        abort();
}

void *xcalloc(size_t n, size_t size)
{
        void *p = calloc(n ? n : 1, size ? size : 1);
        if (!p)
                oom();
        return p;
}

char *xstrdup(const char *s)
{
        char *p = strdup(s);
        if (!p)
                oom();
        return p;
}

char *xasprintf(const char *fmt, ...)
{
        va_list ap;
        char *p;
        va_start(ap, fmt);
        if (vasprintf(&p, fmt, ap) < 0)
                oom();
        va_end(ap);
        return p;
}

size_t strv_length(char *const *v)
{
        size_t n = 0;
        while (v && v[n])
                n++;
        return n;
}

void strv_push(char ***v, char *s)
{
        size_t n = strv_length(*v);
        char **nv = realloc(*v, (n + 2) * sizeof(char *));
        if (!nv)
                oom();
        nv[n] = s;
        nv[n + 1] = NULL;
        *v = nv;
}

void strv_push_dup(char ***v, const char *s)
{
        strv_push(v, xstrdup(s));
}

char **strv_copy(char *const *v)
{
        char **r = xcalloc(strv_length(v) + 1, sizeof(char *));
        for (size_t i = 0; v && v[i]; i++)
                r[i] = xstrdup(v[i]);
        return r;
}

bool strv_contains(char *const *v, const char *s)
{
        for (size_t i = 0; v && v[i]; i++)
                if (streq(v[i], s))
                        return true;
        return false;
}

size_t strv_remove(char **v, const char *s)
{
        size_t n = 0, o = 0;
        for (size_t i = 0; v && v[i]; i++) {
                if (streq(v[i], s)) {
                        free(v[i]);
                        n++;
                } else {
                        v[o++] = v[i];
                }
        }
        if (v)
                v[o] = NULL;
        return n;
}

void strv_free(char **v)
{
        for (size_t i = 0; v && v[i]; i++)
                free(v[i]);
        free(v);
}

int parse_u64(const char *s, uint64_t *ret)
{
        uint64_t v = 0;
        if (!s || !*s)
                return -EINVAL;
        for (; *s; s++) {
                if (*s < '0' || *s > '9')
                        return -EINVAL;
                if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
                        return -ERANGE;
                v = v * 10 + (uint64_t)(*s - '0');
        }
        *ret = v;
        return 0;
}

int parse_u32(const char *s, uint32_t *ret)
{
        uint64_t v;
        int r = parse_u64(s, &v);
        if (r < 0)
                return r;
        if (v > UINT32_MAX)
                return -ERANGE;
        *ret = (uint32_t)v;
        return 0;
}

int parse_uid_gid(const char *s, uint32_t *ret_uid, uint32_t *ret_gid)
{
        char buf[32];
        const char *colon = strchr(s, ':');
        uint32_t uid, gid;
        size_t n = colon ? (size_t)(colon - s) : strlen(s);
        int r;

        if (n >= sizeof buf)
                return -EINVAL;
        memcpy(buf, s, n);
        buf[n] = 0;
        r = parse_u32(buf, &uid);
        if (r < 0)
                return r;
        gid = uid;
        if (colon) {
                r = parse_u32(colon + 1, &gid);
                if (r < 0)
                        return r;
        }
        /* (uid_t)-1 means "unchanged" to the kernel; it can never be an identity. */
        if (uid == UINT32_MAX || gid == UINT32_MAX)
                return -ERANGE;
        *ret_uid = uid;
        *ret_gid = gid;
        return 0;
}

bool env_assignment_valid(const char *s)
{
        const char *eq = strchr(s, '=');
        if (!eq || eq == s)
                return false;
        if (isdigit((unsigned char)s[0]))
                return false;
        for (const char *p = s; p < eq; p++)
                if (!isalnum((unsigned char)*p) && *p != '_')
                        return false;
        return true;
}

void hex_encode(const unsigned char *in, size_t n, char *out)
{
        static const char digits[] = "0123456789abcdef";
        for (size_t i = 0; i < n; i++) {
                out[2 * i] = digits[in[i] >> 4];
                out[2 * i + 1] = digits[in[i] & 15];
        }
        out[2 * n] = 0;
}

bool filename_safe(const char *s)
{
        if (!*s || streq(s, ".") || streq(s, ".."))
                return false;
        for (; *s; s++)
                if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' && *s != '-')
                        return false;
        return true;
}

unsigned str_distance(const char *a, const char *b)
{
        enum { MAX = 32 };
        size_t n = strlen(a), m = strlen(b);
        unsigned d[MAX + 1][MAX + 1];

        if (n > MAX || m > MAX)
                return streq(a, b) ? 0 : 9;
        for (size_t i = 0; i <= n; i++)
                d[i][0] = (unsigned)i;
        for (size_t j = 0; j <= m; j++)
                d[0][j] = (unsigned)j;
        for (size_t i = 1; i <= n; i++)
                for (size_t j = 1; j <= m; j++) {
                        unsigned cost =
                            tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
                        unsigned best = d[i - 1][j - 1] + cost;
                        if (d[i - 1][j] + 1 < best)
                                best = d[i - 1][j] + 1;
                        if (d[i][j - 1] + 1 < best)
                                best = d[i][j - 1] + 1;
                        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                            d[i - 2][j - 2] + 1 < best)
                                best = d[i - 2][j - 2] + 1;
                        d[i][j] = best;
                }
        return d[n][m] > 8 ? 9 : d[n][m];
}
