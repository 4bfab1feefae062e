/* The one table of settings: every profile key and every command-line option, with its parser
 * and help text. It drives getopt, --help, profile parsing, the docs and the completions.
 * Pure: setters only fill a struct config that is still being built. */
#include "schema.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "reslimits.h"
#include "util.h"

#define ERR(...) setting_error(err, errsize, __VA_ARGS__)

int setting_error(char *err, size_t errsize, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errsize, fmt, ap);
        va_end(ap);
        return -EINVAL;
}

void setting_set_string(char **field, const char *value)
{
        free(*field);
        *field = xstrdup(value);
}

static int set_string(char **field, const char *value)
{
        setting_set_string(field, value);
        return 0;
}

int setting_parse_bool(const char *v, bool *ret)
{
        if (streq(v, "true") || streq(v, "yes") || streq(v, "1") || streq(v, "on"))
                *ret = true;
        else if (streq(v, "false") || streq(v, "no") || streq(v, "0") || streq(v, "off"))
                *ret = false;
        else
                return -EINVAL;
        return 0;
}

static int apply_user(struct config *c, const char *v, char *err, size_t errsize)
{
        if (parse_uid_gid(v, &c->uid, &c->gid) < 0)
                return ERR("'%s' is not UID or UID:GID (numbers, e.g. 1000:1000)", v);
        c->user_given = true;
        return 0;
}

static int apply_hostname(struct config *c, const char *v, char *err, size_t errsize)
{
        size_t n = strlen(v);
        if (n == 0 || n > 64)
                return ERR("a hostname has 1 to 64 characters");
        for (const char *p = v; *p; p++)
                if (!(*p == '-' || *p == '.' || (*p >= 'a' && *p <= 'z') ||
                      (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
                        return ERR("'%s' is not a valid hostname (letters, digits, '-', '.')", v);
        return set_string(&c->hostname, v);
}

static int apply_workdir(struct config *c, const char *v, char *err, size_t errsize)
{
        if (v[0] != '/')
                return ERR("'%s' must be an absolute path inside the sandbox", v);
        return set_string(&c->workdir, v);
}

static int apply_env(struct config *c, const char *v, char *err, size_t errsize)
{
        if (!env_assignment_valid(v))
                return ERR("'%s' is not NAME=VALUE", v);
        strv_push_dup(&c->env, v);
        return 0;
}

static int apply_quiet(struct config *c, const char *v, char *err, size_t errsize)
{
        if (setting_parse_bool(v, &c->quiet) < 0)
                return ERR("'%s' is not true or false", v);
        return 0;
}

static int apply_trace(struct config *c, const char *v, char *err, size_t errsize)
{
        return set_string(&c->trace_path, v ? v : "-");
}

static int apply_trace_json(struct config *c, const char *v, char *err, size_t errsize)
{
        if (setting_parse_bool(v, &c->trace_json) < 0)
                return ERR("'%s' is not true or false", v);
        if (!c->trace_path)
                c->trace_path = xstrdup("-");
        return 0;
}

static int apply_read_only(struct config *c, const char *v, char *err, size_t errsize)
{
        if (setting_parse_bool(v, &c->read_only) < 0)
                return ERR("'%s' is not true or false", v);
        return 0;
}

/* [limits]: validated here, applied by cgroup.c. */
static int apply_size_limit(int64_t *field, const char *v, char *err, size_t errsize)
{
        int r = limits_parse_size(v, field);
        if (r == -ERANGE)
                return ERR("'%s' is too large", v);
        if (r < 0)
                return ERR("'%s' is not a size (e.g. 512M, 2G, or max)", v);
        return 0;
}

static int apply_memory(struct config *c, const char *v, char *err, size_t errsize)
{
        int r = apply_size_limit(&c->limits.memory_max, v, err, errsize);
        if (r == 0 && c->limits.memory_max >= 0 && c->limits.memory_max < (1 << 20))
                return ERR("'%s' is below 1M, too little for any command", v);
        return r;
}

static int apply_memory_swap(struct config *c, const char *v, char *err, size_t errsize)
{
        return apply_size_limit(&c->limits.memory_swap_max, v, err, errsize);
}

static int apply_count(int64_t *field, const char *v, int64_t lo, int64_t hi, char *err,
                       size_t errsize)
{
        uint64_t n;
        if (streq(v, "max") && hi == INT64_MAX) {
                *field = LIMIT_MAX;
                return 0;
        }
        if (parse_u64(v, &n) < 0 || n < (uint64_t)lo || n > (uint64_t)hi)
                return ERR("'%s' is not a number from %lld to %lld%s", v, (long long)lo,
                           (long long)hi, hi == INT64_MAX ? " (or max)" : "");
        *field = (int64_t)n;
        return 0;
}

static int apply_pids(struct config *c, const char *v, char *err, size_t errsize)
{
        return apply_count(&c->limits.pids_max, v, 1, INT64_MAX, err, errsize);
}

static int apply_cpus(struct config *c, const char *v, char *err, size_t errsize)
{
        int r = limits_parse_cpus(v, &c->limits.cpu_quota_us, &c->limits.cpu_period_us);
        if (r < 0)
                return ERR("'%s' is not a number of CPUs from 0.01 to 4096 (e.g. 1.5), or max", v);
        return 0;
}

static int apply_cpu_weight(struct config *c, const char *v, char *err, size_t errsize)
{
        return apply_count(&c->limits.cpu_weight, v, 1, 10000, err, errsize);
}

static int apply_io_weight(struct config *c, const char *v, char *err, size_t errsize)
{
        return apply_count(&c->limits.io_weight, v, 1, 10000, err, errsize);
}

static int apply_io_max(struct config *c, const char *v, char *err, size_t errsize)
{
        if (!limits_io_max_valid(v))
                return ERR("'%s' is not 'MAJ:MIN rbps=N wbps=N riops=N wiops=N'", v);
        strv_push_dup(&c->limits.io_max, v);
        return 0;
}

static int apply_limits_mode(struct config *c, const char *v, char *err, size_t errsize)
{
        if (streq(v, "strict"))
                c->limits.mode = LIMITS_STRICT;
        else if (streq(v, "best-effort"))
                c->limits.mode = LIMITS_BEST_EFFORT;
        else
                return ERR("'%s' is not strict or best-effort", v);
        return 0;
}

/* [storage] and the image's own config (images and storage, issue 5). */
static int apply_storage(struct config *c, const char *v, char *err, size_t errsize)
{
        if (streq(v, "auto"))
                c->storage.driver = STORAGE_AUTO;
        else if (streq(v, "overlay"))
                c->storage.driver = STORAGE_OVERLAY;
        else if (streq(v, "fuse-overlayfs"))
                c->storage.driver = STORAGE_FUSE;
        else
                return ERR("'%s' is not auto, overlay or fuse-overlayfs", v);
        return 0;
}

static int apply_persist(struct config *c, const char *v, char *err, size_t errsize)
{
        if (!v[0])
                return ERR("give the directory that keeps the writable layer");
        return set_string(&c->storage.persist, v);
}

static int apply_entrypoint(struct config *c, const char *v, char *err, size_t errsize)
{
        return set_string(&c->entrypoint, v);
}

const struct setting settings[] = {
    {NULL, "help", NULL, 'h', ARG_NONE, NULL, META_HELP, NULL, "show this help and exit"},
    {NULL, "version", NULL, 'V', ARG_NONE, NULL, META_VERSION, NULL, "show the version and exit"},
    {"sandbox", "user", NULL, 'u', ARG_REQUIRED, "UID[:GID]", META_NONE, apply_user,
     "identity of the command inside (default 0:0, which is you)"},
    {"sandbox", "hostname", NULL, 0, ARG_REQUIRED, "NAME", META_NONE, apply_hostname,
     "hostname inside (default: sandbox)"},
    {"sandbox", "workdir", NULL, 'w', ARG_REQUIRED, "DIR", META_NONE, apply_workdir,
     "working directory inside (default: the user's home)"},
    {"environment", "set", "env", 'e', ARG_REQUIRED, "NAME=VALUE", META_NONE, apply_env,
     "set a variable in the command's environment (repeatable)"},
    {"filesystem", "read_only", "read-only", 0, ARG_NONE, NULL, META_NONE, apply_read_only,
     "read-only root, with fresh tmpfs on /tmp and /run"},
    {"limits", "memory", NULL, 'm', ARG_REQUIRED, "SIZE", META_NONE, apply_memory,
     "memory limit (memory.max), e.g. 512M"},
    {"limits", "memory_swap", "memory-swap", 0, ARG_REQUIRED, "SIZE", META_NONE, apply_memory_swap,
     "swap limit (memory.swap.max)"},
    {"limits", "pids", NULL, 0, ARG_REQUIRED, "N", META_NONE, apply_pids,
     "most processes and threads at once (pids.max)"},
    {"limits", "cpus", NULL, 0, ARG_REQUIRED, "N", META_NONE, apply_cpus,
     "CPU time, in CPUs (cpu.max), e.g. 1.5"},
    {"limits", "cpu_weight", "cpu-weight", 0, ARG_REQUIRED, "N", META_NONE, apply_cpu_weight,
     "relative CPU share, 1-10000 (cpu.weight)"},
    {"limits", "io_weight", "io-weight", 0, ARG_REQUIRED, "N", META_NONE, apply_io_weight,
     "relative I/O share, 1-10000 (io.weight)"},
    {"limits", "io_max", "io-max", 0, ARG_REQUIRED, "'MAJ:MIN rbps=N ...'", META_NONE, apply_io_max,
     "I/O bandwidth limit of one device (io.max), repeatable"},
    {"limits", "mode", "limits", 0, ARG_REQUIRED, "strict|best-effort", META_NONE,
     apply_limits_mode, "a limit the system cannot apply: an error, or a warning"},
    /* images and storage */
    {NULL, "entrypoint", NULL, 0, ARG_REQUIRED, "PROG", META_NONE, apply_entrypoint,
     "replace the image's Entrypoint (\"\" for none; then its Cmd is dropped too)"},
    {"storage", "driver", "storage", 0, ARG_REQUIRED, "DRIVER", META_NONE, apply_storage,
     "auto (default), overlay or fuse-overlayfs: what mounts the root"},
    {"storage", "persist", NULL, 0, ARG_REQUIRED, "DIR", META_NONE, apply_persist,
     "keep the writable layer in DIR: the next run with DIR sees the changes"},
    {NULL, "quiet", NULL, 'q', ARG_NONE, NULL, META_NONE, apply_quiet, "print nothing but errors"},
    {NULL, "trace", NULL, 0, ARG_OPTIONAL, "FILE", META_NONE, apply_trace,
     "print each setup step with timings to stderr or FILE"},
    {NULL, "trace-json", NULL, 0, ARG_NONE, NULL, META_NONE, apply_trace_json,
     "write the trace as JSON lines"},
};
const size_t settings_count = sizeof settings / sizeof settings[0];

const struct setting *setting_by_key(const char *section, const char *key)
{
        for (size_t i = 0; i < settings_count; i++)
                if (settings[i].section && streq(settings[i].section, section) &&
                    streq(settings[i].key, key))
                        return &settings[i];
        return NULL;
}
