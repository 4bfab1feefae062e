/* [rlimits]: the setrlimit(2) limits of the command, one key per resource ("nofile = 1024:4096"),
 * their setters and show functions for the settings table, and their names for messages.
 * Pure; the workload applies them before exec. */
#include "profile_settings.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "config.h"
#include "macro.h"
#include "reslimits.h"
#include "schema.h"
#include "util.h"

#define ERR(...) setting_error(err, errsize, __VA_ARGS__)

/* --- [rlimits] ---------------------------------------------------------------------------------
 */

static const struct {
        const char *key;
        int resource;
        bool bytes; /* takes sizes with K M G T suffixes */
} rlimit_keys[] = {
    {"as", RLIMIT_AS, true},           {"core", RLIMIT_CORE, true},
    {"cpu", RLIMIT_CPU, false},        {"data", RLIMIT_DATA, true},
    {"fsize", RLIMIT_FSIZE, true},     {"locks", RLIMIT_LOCKS, false},
    {"memlock", RLIMIT_MEMLOCK, true}, {"msgqueue", RLIMIT_MSGQUEUE, true},
    {"nice", RLIMIT_NICE, false},      {"nofile", RLIMIT_NOFILE, false},
    {"nproc", RLIMIT_NPROC, false},    {"rtprio", RLIMIT_RTPRIO, false},
    {"rttime", RLIMIT_RTTIME, false},  {"sigpending", RLIMIT_SIGPENDING, false},
    {"stack", RLIMIT_STACK, true},
};

int rlimit_by_key(const char *key)
{
        for (size_t i = 0; i < ARRAY_SIZE(rlimit_keys); i++)
                if (streq(rlimit_keys[i].key, key))
                        return rlimit_keys[i].resource;
        return -1;
}

const char *rlimit_key(int resource)
{
        for (size_t i = 0; i < ARRAY_SIZE(rlimit_keys); i++)
                if (rlimit_keys[i].resource == resource)
                        return rlimit_keys[i].key;
        return "?";
}

static int parse_rlimit_value(const char *v, bool bytes, uint64_t *ret)
{
        int64_t size;
        if (streq(v, "unlimited") || streq(v, "infinity")) {
                *ret = RLIM_INFINITY;
                return 0;
        }
        if (!bytes)
                return parse_u64(v, ret);
        if (limits_parse_size(v, &size) < 0 || size < 0)
                return -EINVAL;
        *ret = (uint64_t)size;
        return 0;
}

static int apply_rlimit(struct config *c, size_t idx, const char *v, char *err, size_t errsize)
{
        struct rlimit_setting *rl = &c->rlimits[rlimit_keys[idx].resource];
        _cleanup_free_ char *soft = NULL;
        const char *colon = strchr(v, ':');
        uint64_t s, h;

        if (!*v) {
                *rl = (struct rlimit_setting){0};
                return 0;
        }
        soft = colon ? strndup(v, (size_t)(colon - v)) : xstrdup(v);
        if (!soft)
                abort();
        if (parse_rlimit_value(soft, rlimit_keys[idx].bytes, &s) < 0 ||
            (colon && parse_rlimit_value(colon + 1, rlimit_keys[idx].bytes, &h) < 0))
                return ERR("'%s' is not SOFT[:HARD] (numbers%s, or unlimited)", v,
                           rlimit_keys[idx].bytes ? " with K M G T" : "");
        if (!colon)
                h = s;
        if (s > h)
                return ERR("'%s': the soft limit is above the hard limit", v);
        *rl = (struct rlimit_setting){.set = true, .soft = s, .hard = h};
        return 0;
}

#define RLIMIT_SETTER(name, idx)                                                                   \
        int apply_rlimit_##name(struct config *c, const char *v, char *err, size_t errsize)        \
        {                                                                                          \
                return apply_rlimit(c, idx, v, err, errsize);                                      \
        }
RLIMIT_SETTER(as, 0)
RLIMIT_SETTER(core, 1)
RLIMIT_SETTER(cpu, 2)
RLIMIT_SETTER(data, 3)
RLIMIT_SETTER(fsize, 4)
RLIMIT_SETTER(locks, 5)
RLIMIT_SETTER(memlock, 6)
RLIMIT_SETTER(msgqueue, 7)
RLIMIT_SETTER(nice, 8)
RLIMIT_SETTER(nofile, 9)
RLIMIT_SETTER(nproc, 10)
RLIMIT_SETTER(rtprio, 11)
RLIMIT_SETTER(rttime, 12)
RLIMIT_SETTER(sigpending, 13)
RLIMIT_SETTER(stack, 14)

static void show_rlimit_value(uint64_t v, FILE *f)
{
        if (v == RLIM_INFINITY)
                fputs("unlimited", f);
        else
                fprintf(f, "%" PRIu64, v);
}

void show_rlimit(const struct config *c, const struct setting *s, FILE *f)
{
        int res = rlimit_by_key(s->key);
        const struct rlimit_setting *rl;

        if (res < 0 || res >= RLIMIT_COUNT)
                return;
        rl = &c->rlimits[res];
        if (!rl->set)
                return; /* unset is the built-in default */
        fprintf(f, "%s = ", s->key);
        show_rlimit_value(rl->soft, f);
        if (rl->hard != rl->soft) {
                fputc(':', f);
                show_rlimit_value(rl->hard, f);
        }
        fputc('\n', f);
}
