/* Id maps: from /etc/subuid-style text to the extents written into /proc/PID/{u,g}id_map.
 * Pure logic (no system calls), shared by the launcher and the unit tests. */
#include "idmap.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

static bool field_is_user(const char *f, size_t n, const char *user_name, uint32_t self_id)
{
        char num[16];
        if (user_name && strlen(user_name) == n && memcmp(f, user_name, n) == 0)
                return true;
        snprintf(num, sizeof num, "%u", self_id);
        return strlen(num) == n && memcmp(f, num, n) == 0;
}

/* Parses "start:count" after the user field; false when malformed. */
static bool parse_range(const char *s, size_t n, uint32_t *ret_start, uint32_t *ret_count)
{
        char buf[64];
        char *colon;
        if (n >= sizeof buf)
                return false;
        memcpy(buf, s, n);
        buf[n] = 0;
        colon = strchr(buf, ':');
        if (!colon)
                return false;
        *colon = 0;
        return parse_u32(buf, ret_start) == 0 && parse_u32(colon + 1, ret_count) == 0 &&
               *ret_count > 0 && (uint64_t)*ret_start + *ret_count <= UINT32_MAX;
}

uint32_t idmap_build(const char *subid, const char *user_name, uint32_t self_id, struct id_map *ret)
{
        memset(ret, 0, sizeof *ret);
        ret->ext[0] = (struct id_extent){.inside = 0, .outside = self_id, .count = 1};
        ret->n = 1;
        ret->total = 1;

        for (const char *line = subid; line && *line;) {
                const char *end = strchrnul(line, '\n');
                const char *colon = memchr(line, ':', (size_t)(end - line));
                uint32_t start, count;

                if (colon && *line != '#' &&
                    field_is_user(line, (size_t)(colon - line), user_name, self_id) &&
                    parse_range(colon + 1, (size_t)(end - colon - 1), &start, &count) &&
                    ret->n < IDMAP_MAX_EXTENTS && (uint64_t)ret->total + count < UINT32_MAX) {
                        ret->ext[ret->n++] = (struct id_extent){
                            .inside = ret->total, .outside = start, .count = count};
                        ret->total += count;
                }
                line = *end ? end + 1 : end;
        }
        return ret->total - 1;
}

bool idmap_contains(const struct id_map *m, uint32_t inside)
{
        return inside < m->total;
}

int idmap_format(const struct id_map *m, char *buf, size_t size)
{
        size_t o = 0;
        for (size_t i = 0; i < m->n; i++) {
                int n = snprintf(buf + o, size - o, "%u %u %u\n", m->ext[i].inside,
                                 m->ext[i].outside, m->ext[i].count);
                if (n < 0 || (size_t)n >= size - o)
                        return -ENAMETOOLONG;
                o += (size_t)n;
        }
        return 0;
}

void idmap_fingerprint(const struct id_map *m, char *buf, size_t size)
{
        uint64_t h = 1469598103934665603ULL; /* FNV-1a over the subordinate extents */
        size_t o;

        if (m->n == 1) {
                snprintf(buf, size, "s");
                return;
        }
        if (m->n == 2) {
                snprintf(buf, size, "r%u-%u", m->ext[1].outside, m->ext[1].count);
                return;
        }
        for (size_t i = 1; i < m->n; i++) {
                const uint32_t v[2] = {m->ext[i].outside, m->ext[i].count};
                const unsigned char *p = (const unsigned char *)v;
                for (size_t k = 0; k < sizeof v; k++)
                        h = (h ^ p[k]) * 1099511628211ULL;
        }
        o = (size_t)snprintf(buf, size, "m%zu-", m->n - 1);
        if (o < size)
                snprintf(buf + o, size - o, "%016llx", (unsigned long long)h);
}
