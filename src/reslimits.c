/* Resource limits a sandbox asks for (memory, pids, cpu, io): parsed and validated here, from
 * the command line and the profile's [limits] section; applied through the user's delegated
 * cgroup v2 subtree by cgroup.c. Pure. */
#include "reslimits.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void limits_init(struct limits *l)
{
        *l = (struct limits){
            .memory_max = LIMIT_UNSET,
            .memory_swap_max = LIMIT_UNSET,
            .pids_max = LIMIT_UNSET,
            .cpu_quota_us = LIMIT_UNSET,
            .cpu_period_us = LIMIT_UNSET,
            .cpu_weight = LIMIT_UNSET,
            .io_weight = LIMIT_UNSET,
            .mode = LIMITS_STRICT,
        };
}

void limits_free(struct limits *l)
{
        strv_free(l->io_max);
        l->io_max = NULL;
}

bool limits_any(const struct limits *l)
{
        return l->memory_max != LIMIT_UNSET || l->memory_swap_max != LIMIT_UNSET ||
               l->pids_max != LIMIT_UNSET || l->cpu_quota_us != LIMIT_UNSET ||
               l->cpu_weight != LIMIT_UNSET || l->io_weight != LIMIT_UNSET || l->io_max;
}

bool limits_want_cgroup(const struct limits *l)
{
        return limits_any(l) || l->delegate || l->stats;
}

void limits_format_size(int64_t bytes, char *buf, size_t size)
{
        static const char units[] = "KMGT";
        int u = -1;
        uint64_t v;

        if (bytes == LIMIT_MAX) {
                snprintf(buf, size, "max");
                return;
        }
        v = bytes < 0 ? 0 : (uint64_t)bytes;
        while (u < 3 && v >= (1024ULL << (10 * (u + 1))))
                u++;
        if (u < 0)
                snprintf(buf, size, "%llu", (unsigned long long)v);
        else if (v % (1ULL << (10 * (u + 1))) == 0)
                snprintf(buf, size, "%llu%c", (unsigned long long)(v >> (10 * (u + 1))), units[u]);
        else
                snprintf(buf, size, "%.1f%c", (double)v / (double)(1ULL << (10 * (u + 1))),
                         units[u]);
}

/* Whole and fractional part of a decimal "12.345", scaled by `scale` (integer result). */
static int parse_decimal(const char *s, size_t n, uint64_t scale, uint64_t *ret)
{
        uint64_t whole = 0, frac = 0, div = 1;
        size_t i = 0;
        bool digits = false;

        for (; i < n && isdigit((unsigned char)s[i]); i++, digits = true) {
                if (whole > (UINT64_MAX - 9) / 10)
                        return -ERANGE;
                whole = whole * 10 + (uint64_t)(s[i] - '0');
        }
        if (i < n && s[i] == '.') {
                for (i++; i < n && isdigit((unsigned char)s[i]); i++, digits = true)
                        if (div < 1000000000ULL) {
                                frac = frac * 10 + (uint64_t)(s[i] - '0');
                                div *= 10;
                        }
        }
        if (i != n || !digits)
                return -EINVAL;
        if (whole > UINT64_MAX / scale)
                return -ERANGE;
        *ret = whole * scale + frac * scale / div;
        return 0;
}

int limits_parse_size(const char *s, int64_t *ret)
{
        static const char units[] = "KMGT";
        size_t n = strlen(s);
        uint64_t scale = 1, v;
        const char *u;
        int r;

        if (streq(s, "max")) {
                *ret = LIMIT_MAX;
                return 0;
        }
        if (n > 0 && (u = strchr(units, toupper((unsigned char)s[n - 1]))) && *u) {
                scale = 1ULL << (10 * (u - units + 1));
                n--;
        }
        r = parse_decimal(s, n, scale, &v);
        if (r < 0)
                return r;
        if (v > (uint64_t)INT64_MAX)
                return -ERANGE;
        *ret = (int64_t)v;
        return 0;
}

int limits_parse_cpus(const char *s, int64_t *ret_quota, int64_t *ret_period)
{
        uint64_t quota;
        int r;

        if (streq(s, "max")) {
                *ret_quota = LIMIT_MAX;
                *ret_period = 100000;
                return 0;
        }
        r = parse_decimal(s, strlen(s), 100000, &quota);
        if (r < 0)
                return r;
        /* cgroup v2 takes a quota of at least 1 ms per period. */
        if (quota < 1000 || quota > 100000ULL * 4096)
                return -ERANGE;
        *ret_quota = (int64_t)quota;
        *ret_period = 100000;
        return 0;
}

bool limits_io_max_valid(const char *s)
{
        static const char *const keys[] = {"rbps=", "wbps=", "riops=", "wiops="};
        char *end;
        unsigned long major, minor;
        bool any = false;

        major = strtoul(s, &end, 10);
        if (end == s || *end != ':')
                return false;
        s = end + 1;
        minor = strtoul(s, &end, 10);
        if (end == s || (*end != ' ' && *end != '\t'))
                return false;
        (void)major, (void)minor;
        for (s = end; *s;) {
                bool ok = false;
                while (*s == ' ' || *s == '\t')
                        s++;
                if (!*s)
                        break;
                for (size_t i = 0; i < sizeof keys / sizeof keys[0] && !ok; i++) {
                        const char *v = startswith(s, keys[i]);
                        if (!v)
                                continue;
                        if (startswith(v, "max"))
                                end = (char *)v + 3;
                        else if (isdigit((unsigned char)*v))
                                (void)strtoull(v, &end, 10);
                        else
                                return false;
                        ok = *end == 0 || *end == ' ' || *end == '\t';
                        s = end;
                }
                if (!ok)
                        return false;
                any = true;
        }
        return any;
}
