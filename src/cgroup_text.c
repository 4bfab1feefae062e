/* The text formats of cgroup v2 files: /proc/self/cgroup, controller lists, flat "key value"
 * files (cgroup.events, memory.events, cpu.stat, ...). Pure; used on the host and in unit tests. */
#include "cgroup_text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const names[] = {"cpu", "io", "memory", "pids"};

const char *cg_controller_name(unsigned bit)
{
        for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
                if (bit == 1u << i)
                        return names[i];
        return NULL;
}

static unsigned controller_bit(const char *word, size_t n)
{
        for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
                if (strlen(names[i]) == n && strncmp(word, names[i], n) == 0)
                        return 1u << i;
        return 0;
}

unsigned cg_parse_controllers(const char *s)
{
        unsigned mask = 0;
        while (*s) {
                size_t n;
                s += strspn(s, " \t\n");
                n = strcspn(s, " \t\n");
                mask |= controller_bit(s, n);
                s += n;
        }
        return mask;
}

void cg_format_controllers(unsigned mask, const char *prefix, const char *sep, char *buf,
                           size_t size)
{
        size_t o = 0;
        buf[0] = 0;
        for (unsigned i = 0; i < sizeof names / sizeof names[0] && o < size; i++) {
                if (!(mask & (1u << i)))
                        continue;
                o += (size_t)snprintf(buf + o, size - o, "%s%s%s", o ? sep : "", prefix, names[i]);
        }
}

/* The v1 hierarchy line "N:ctrl,ctrl:/path" → our controllers in it. "blkio" is v2's io. */
static unsigned v1_controllers(const char *list, size_t n)
{
        unsigned mask = 0;
        while (n > 0) {
                size_t w = strcspn(list, ",:");
                if (w > n)
                        w = n;
                if (w == 5 && strncmp(list, "blkio", 5) == 0)
                        mask |= CG_IO;
                else
                        mask |= controller_bit(list, w);
                if (w >= n)
                        break;
                list += w + 1;
                n -= w + 1;
        }
        return mask;
}

int cg_parse_proc_cgroup(const char *text, char **ret_v2, unsigned *ret_v1)
{
        char *v2 = NULL;
        unsigned v1 = 0;

        for (const char *line = text; *line;) {
                size_t len = strcspn(line, "\n");
                const char *c1 = memchr(line, ':', len), *c2;
                if (c1 && (c2 = memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line)))) {
                        const char *path = c2 + 1;
                        size_t plen = len - (size_t)(path - line);
                        if (c2 == c1 + 1 && c1 - line == 1 && line[0] == '0') {
                                /* "0::/path": the unified hierarchy. */
                                if (plen == 0 || path[0] != '/') {
                                        free(v2);
                                        return -EINVAL;
                                }
                                free(v2);
                                v2 = strndup(path + 1, plen - 1);
                                if (!v2)
                                        return -ENOMEM;
                        } else {
                                v1 |= v1_controllers(c1 + 1, (size_t)(c2 - c1 - 1));
                        }
                }
                line += len + (line[len] == '\n');
        }
        *ret_v2 = v2;
        *ret_v1 = v1;
        return 0;
}

int cg_keyed_get(const char *text, const char *key, uint64_t *ret)
{
        size_t klen = strlen(key);
        for (const char *line = text; *line;) {
                size_t len = strcspn(line, "\n");
                if (len > klen && strncmp(line, key, klen) == 0 && line[klen] == ' ') {
                        char num[32];
                        size_t n = len - klen - 1;
                        if (n == 0 || n >= sizeof num)
                                return -EINVAL;
                        memcpy(num, line + klen + 1, n);
                        num[n] = 0;
                        return parse_u64(num, ret) < 0 ? -EINVAL : 0;
                }
                line += len + (line[len] == '\n');
        }
        return -ENOENT;
}

bool cg_path_in_user_manager(const char *path, unsigned uid)
{
        char want[48];
        size_t n = (size_t)snprintf(want, sizeof want, "user@%u.service", uid);
        for (const char *p = path; *p;) {
                size_t len = strcspn(p, "/");
                if (len == n && strncmp(p, want, n) == 0)
                        return true;
                p += len + (p[len] == '/');
        }
        return false;
}
