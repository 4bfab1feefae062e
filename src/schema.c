/* The one table of settings: every profile key and every command-line option, with its parser
 * and help text. It drives getopt, --help, profile parsing, the docs and the completions.
 * Pure: setters only fill a struct config that is still being built. */
#include "schema.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "profile_settings.h"
#include "record.h"
#include "net.h"
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

void setting_write_text(FILE *f, const char *value)
{
        for (; value && *value; value++) {
                if (*value == '$')
                        fputc('$', f);
                fputc(*value, f);
        }
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

int setting_set_bool(bool *field, const char *v, char *err, size_t errsize)
{
        if (!v) {
                *field = true;
                return 0;
        }
        if (setting_parse_bool(v, field) < 0)
                return ERR("'%s' is not yes or no", v);
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
        if (!*v) { /* the user's home inside */
                free(c->workdir);
                c->workdir = NULL;
                return 0;
        }
        if (v[0] != '/')
                return ERR("'%s' must be an absolute path inside the sandbox", v);
        return set_string(&c->workdir, v);
}

static int apply_quiet(struct config *c, const char *v, char *err, size_t errsize)
{
        return setting_set_bool(&c->quiet, v, err, errsize);
}

static int apply_trace(struct config *c, const char *v, char *err, size_t errsize)
{
        return set_string(&c->trace_path, v ? v : "-");
}

static int apply_trace_json(struct config *c, const char *v, char *err, size_t errsize)
{
        int r = setting_set_bool(&c->trace_json, v, err, errsize);
        if (r < 0)
                return r;
        if (!c->trace_path)
                c->trace_path = xstrdup("-");
        return 0;
}

static int apply_read_only(struct config *c, const char *v, char *err, size_t errsize)
{
        return setting_set_bool(&c->read_only, v, err, errsize);
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
        if (parse_u64(v, &n) < 0 || n < (uint64_t)lo || n > (uint64_t)hi) {
                if (hi == INT64_MAX)
                        return ERR("'%s' is not a number from %lld up, or max", v, (long long)lo);
                return ERR("'%s' is not a number from %lld to %lld", v, (long long)lo,
                           (long long)hi);
        }
        *field = (int64_t)n;
        return 0;
}

static int apply_pids(struct config *c, const char *v, char *err, size_t errsize)
{
        /* The sandbox's init and the command are two processes already. */
        return apply_count(&c->limits.pids_max, v, 2, INT64_MAX, err, errsize);
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
        if (!*v) { /* an empty value clears the list, as for every list */
                strv_free(c->limits.io_max);
                c->limits.io_max = NULL;
                return 0;
        }
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

static int apply_cgroup_delegate(struct config *c, const char *v, char *err, size_t errsize)
{
        return setting_set_bool(&c->limits.delegate, v, err, errsize);
}

static int apply_stats(struct config *c, const char *v, char *err, size_t errsize)
{
        return setting_set_bool(&c->limits.stats, v, err, errsize);
}

/* Operating running sandboxes (session.c): naming, the status report, debugging. */
static int apply_name(struct config *c, const char *v, char *err, size_t errsize)
{
        if (!record_name_valid(v))
                return ERR("'%s' is not a name: 1 to 64 letters, digits, '_', '.' or '-', starting "
                           "with a letter or digit, and not 16 hex digits (that is an id)",
                           v);
        return set_string(&c->name, v);
}

static int apply_status_json(struct config *c, const char *v, char *err, size_t errsize)
{
        const char *fd = startswith(v, "fd:");
        uint32_t n;
        if (!v[0] || (fd && (parse_u32(fd, &n) < 0 || n > 65535)))
                return ERR("'%s' is neither a file nor fd:N (an open file descriptor)", v);
        return set_string(&c->status_json, v);
}

static int apply_stop_at_entry(struct config *c, const char *v, char *err, size_t errsize)
{
        return setting_set_bool(&c->stop_at_entry, v, err, errsize);
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

/* --- show functions of the rows above: the value back as profile lines ------------------------ */

static void show_sandbox(const struct config *c, const struct setting *s, FILE *f)
{
        if (streq(s->key, "user"))
                fprintf(f, "user = %u:%u\n", c->uid, c->gid);
        else if (streq(s->key, "hostname"))
                fprintf(f, "hostname = %s\n", c->hostname);
        else if (streq(s->key, "workdir")) {
                fputs(c->workdir ? "workdir = " : "workdir =", f);
                setting_write_text(f, c->workdir);
                fputc('\n', f);
        } else if (streq(s->key, "entrypoint") && c->entrypoint) {
                fputs(c->entrypoint[0] ? "entrypoint = " : "entrypoint =", f);
                setting_write_text(f, c->entrypoint);
                fputc('\n', f);
        }
}

static void show_read_only(const struct config *c, const struct setting *s, FILE *f)
{
        fprintf(f, "%s = %s\n", s->key, c->read_only ? "yes" : "no");
}

static void show_size(FILE *f, const char *key, int64_t v)
{
        static const char suffix[] = "KMGT";
        int i = -1;
        if (v == LIMIT_UNSET)
                return;
        if (v == LIMIT_MAX) {
                fprintf(f, "%s = max\n", key);
                return;
        }
        while (i < 3 && v >= 1024 && v % 1024 == 0) {
                v /= 1024;
                i++;
        }
        fprintf(f, "%s = %" PRId64, key, v);
        if (i >= 0)
                fputc(suffix[i], f);
        fputc('\n', f);
}

static void show_count(FILE *f, const char *key, int64_t v)
{
        if (v == LIMIT_MAX)
                fprintf(f, "%s = max\n", key);
        else if (v != LIMIT_UNSET)
                fprintf(f, "%s = %" PRId64 "\n", key, v);
}

static void show_limits(const struct config *c, const struct setting *s, FILE *f)
{
        const struct limits *l = &c->limits;
        if (streq(s->key, "memory")) {
                show_size(f, s->key, l->memory_max);
        } else if (streq(s->key, "memory_swap")) {
                show_size(f, s->key, l->memory_swap_max);
        } else if (streq(s->key, "pids")) {
                show_count(f, s->key, l->pids_max);
        } else if (streq(s->key, "cpus")) {
                if (l->cpu_quota_us == LIMIT_MAX) {
                        fputs("cpus = max\n", f);
                } else if (l->cpu_quota_us != LIMIT_UNSET && l->cpu_period_us > 0) {
                        char frac[16];
                        int n = snprintf(frac, sizeof frac, "%05" PRId64,
                                         (l->cpu_quota_us % l->cpu_period_us) * 100000 /
                                             l->cpu_period_us);
                        while (n > 0 && frac[n - 1] == '0')
                                frac[--n] = 0;
                        fprintf(f, "cpus = %" PRId64 "%s%s\n", l->cpu_quota_us / l->cpu_period_us,
                                n ? "." : "", frac);
                }
        } else if (streq(s->key, "cpu_weight")) {
                show_count(f, s->key, l->cpu_weight);
        } else if (streq(s->key, "io_weight")) {
                show_count(f, s->key, l->io_weight);
        } else if (streq(s->key, "io_max")) {
                fputs("io_max =\n", f);
                for (size_t i = 0; l->io_max && l->io_max[i]; i++)
                        fprintf(f, "io_max = %s\n", l->io_max[i]);
        } else if (streq(s->key, "mode")) {
                fprintf(f, "mode = %s\n", l->mode == LIMITS_STRICT ? "strict" : "best-effort");
        } else if (streq(s->key, "delegate")) {
                fprintf(f, "delegate = %s\n", l->delegate ? "yes" : "no");
        } else if (streq(s->key, "stats")) {
                fprintf(f, "stats = %s\n", l->stats ? "yes" : "no");
        }
}

static void show_storage(const struct config *c, const struct setting *s, FILE *f)
{
        static const char *const driver[] = {[STORAGE_AUTO] = "auto",
                                             [STORAGE_OVERLAY] = "overlay",
                                             [STORAGE_FUSE] = "fuse-overlayfs"};
        if (streq(s->key, "driver")) {
                fprintf(f, "driver = %s\n", driver[c->storage.driver]);
        } else if (streq(s->key, "persist") && c->storage.persist) {
                fputs("persist = ", f);
                setting_write_text(f, c->storage.persist);
                fputc('\n', f);
        }
}

/* The order of the rows is the order of --help, of `sandbox profile show` and of the docs. */
const struct setting settings[] = {
    {NULL, "help", NULL, 'h', ARG_NONE, NULL, META_HELP, NULL, "show this help and exit", NULL},
    {NULL, "version", NULL, 'V', ARG_NONE, NULL, META_VERSION, NULL, "show the version and exit",
     NULL},

    /* --- profiles, their sections and keys (issue 4) ------------------------------------ */
    {"profile", "include", "profile", 0, ARG_REQUIRED, "NAME|FILE", META_PROFILE, NULL,
     "start from a profile: a name (sandbox profile list) or a path (default: default)", NULL},
    {"profile", "description", NULL, 0, ARG_REQUIRED, "TEXT", META_PROFILE_KEY, NULL,
     "one line saying what the profile is for (shown by sandbox profile list)", NULL},

    {"sandbox", "user", NULL, 'u', ARG_REQUIRED, "UID[:GID]", META_NONE, apply_user,
     "identity of the command inside (default 0:0, which is you)", show_sandbox},
    {"sandbox", "hostname", NULL, 0, ARG_REQUIRED, "NAME", META_NONE, apply_hostname,
     "hostname inside (default: sandbox)", show_sandbox},
    {"sandbox", "workdir", NULL, 'w', ARG_REQUIRED, "DIR", META_NONE, apply_workdir,
     "working directory inside (default: the image's WorkingDir, else the user's home)",
     show_sandbox},
    {"sandbox", "entrypoint", NULL, 0, ARG_REQUIRED, "PROG", META_NONE, apply_entrypoint,
     "replace a layered image's Entrypoint (\"\" for none; then its Cmd is dropped too)",
     show_sandbox},

    {"namespaces", "ipc", "ns-ipc", 0, ARG_OPTIONAL, "BOOL", META_NONE, apply_ns_ipc,
     "own IPC namespace (no: share the host's System V IPC objects)", show_ns},
    {"namespaces", "uts", "ns-uts", 0, ARG_OPTIONAL, "BOOL", META_NONE, apply_ns_uts,
     "own hostname (no: the host's hostname)", show_ns},
    {"namespaces", "cgroup", "ns-cgroup", 0, ARG_OPTIONAL, "BOOL", META_NONE, apply_ns_cgroup,
     "own cgroup namespace (no: the host's cgroup paths are visible)", show_ns},

    {"filesystem", "read_only", "read-only", 0, ARG_OPTIONAL, "BOOL", META_NONE, apply_read_only,
     "read-only root, with fresh tmpfs on /tmp and /run", show_read_only},
    {"filesystem", "bind", NULL, 0, ARG_REQUIRED, "SRC[:DST]", META_NONE, apply_bind,
     "bind a host path, writable (repeatable)", show_mounts},
    {"filesystem", "ro_bind", "ro-bind", 0, ARG_REQUIRED, "SRC[:DST]", META_NONE, apply_ro_bind,
     "bind a host path, read-only (repeatable)", show_mounts},
    {"filesystem", "dev_bind", "dev-bind", 0, ARG_REQUIRED, "SRC[:DST]", META_NONE, apply_dev_bind,
     "bind a host device, usable inside (repeatable; warns)", show_mounts},
    {"filesystem", "tmpfs", NULL, 0, ARG_REQUIRED, "DST[:size=N,mode=M]", META_NONE, apply_tmpfs,
     "mount a fresh tmpfs (repeatable)", show_mounts},
    {"filesystem", "symlink", NULL, 0, ARG_REQUIRED, "TARGET:PATH", META_NONE, apply_symlink,
     "create PATH as a symlink to TARGET (repeatable)", show_mounts},
    {"filesystem", "dir", NULL, 0, ARG_REQUIRED, "PATH[:MODE]", META_NONE, apply_dir,
     "create a directory (repeatable)", show_mounts},

    {"environment", "clear", "env-clear", 0, ARG_OPTIONAL, "BOOL", META_NONE, apply_env_clear,
     "start without the PATH and HOME defaults", show_env},
    {"environment", "keep", "env-keep", 0, ARG_REQUIRED, "NAME[,NAME]", META_NONE, apply_env_keep,
     "pass these variables of yours (NAME or PREFIX*; default TERM, LANG)", show_env},
    {"environment", "set", "env", 'e', ARG_REQUIRED, "NAME=VALUE", META_NONE, apply_env_set,
     "set a variable in the command's environment (repeatable)", show_env},
    {"environment", "unset", "env-unset", 0, ARG_REQUIRED, "NAME[,NAME]", META_NONE,
     apply_env_unset, "remove variables, defaults included", show_env},

    {"capabilities", "keep", "cap-add", 0, ARG_REQUIRED, "CAP[,CAP]", META_NONE, apply_cap_keep,
     "keep these capabilities (e.g. NET_BIND_SERVICE, or ALL); all others are dropped", show_caps},
    {"capabilities", "drop", "cap-drop", 0, ARG_REQUIRED, "CAP[,CAP]", META_NONE, apply_cap_drop,
     "drop these capabilities from the kept set (ALL: every one)", show_caps},
    {"capabilities", "ambient", "cap-ambient", 0, ARG_REQUIRED, "CAP[,CAP]", META_NONE,
     apply_cap_ambient, "of the kept ones, those a non-root --user gets too (ambient set)",
     show_caps},

    {"seccomp", "enabled", "seccomp", 0, ARG_REQUIRED, "BOOL", META_NONE, apply_seccomp_enabled,
     "load the seccomp filter (no: none at all; warns)", show_seccomp},
    {"seccomp", "default", "seccomp-default", 0, ARG_REQUIRED, "allow|deny", META_NONE,
     apply_seccomp_default, "allow: a deny list (the built-in one); deny: an allow list",
     show_seccomp},
    {"seccomp", "errno", "seccomp-errno", 0, ARG_REQUIRED, "ERRNO", META_NONE, apply_seccomp_errno,
     "errno of denied calls (default EPERM)", show_seccomp},
    {"seccomp", "log", "seccomp-log", 0, ARG_OPTIONAL, "BOOL", META_NONE, apply_seccomp_log,
     "log what would be denied, deny nothing (kernel log, SCMP_ACT_LOG)", show_seccomp},
    {"seccomp", "allow", "seccomp-allow", 0, ARG_REQUIRED, "SYSCALL[,...]", META_NONE,
     apply_seccomp_allow, "allow system calls (lifts built-in denials)", show_seccomp},
    {"seccomp", "deny", "seccomp-deny", 0, ARG_REQUIRED, "SYSCALL[,...]", META_NONE,
     apply_seccomp_deny, "deny system calls", show_seccomp},
    {"seccomp", "rule", "seccomp-rule", 0, ARG_REQUIRED, "'CALL argN OP V -> ACT'", META_NONE,
     apply_seccomp_rule, "an argument rule, e.g. 'socket arg0 == 40 -> EAFNOSUPPORT'",
     show_seccomp},

#define RLIMIT_ROW(name, help)                                                                     \
        {                                                                                          \
                "rlimits", #name, "rlimit-" #name, 0, ARG_REQUIRED, "SOFT[:HARD]", META_NONE,      \
                    apply_rlimit_##name, help, show_rlimit                                         \
        }
    RLIMIT_ROW(as, "address space, bytes (K M G T), or unlimited"),
    RLIMIT_ROW(core, "core file size, bytes (0: no core dumps)"),
    RLIMIT_ROW(cpu, "CPU time, seconds"),
    RLIMIT_ROW(data, "data segment, bytes"),
    RLIMIT_ROW(fsize, "largest file written, bytes"),
    RLIMIT_ROW(locks, "file locks"),
    RLIMIT_ROW(memlock, "locked memory, bytes"),
    RLIMIT_ROW(msgqueue, "POSIX message queues, bytes"),
    RLIMIT_ROW(nice, "highest nice priority, 0-40"),
    RLIMIT_ROW(nofile, "open files"),
    RLIMIT_ROW(nproc, "processes of the user id (counted host-wide)"),
    RLIMIT_ROW(rtprio, "highest real-time priority"),
    RLIMIT_ROW(rttime, "real-time CPU time, microseconds"),
    RLIMIT_ROW(sigpending, "queued signals"),
    RLIMIT_ROW(stack, "stack size, bytes"),
#undef RLIMIT_ROW
    /* --- end of the profiles block ------------------------------------------------------- */

    {"limits", "memory", NULL, 'm', ARG_REQUIRED, "SIZE", META_NONE, apply_memory,
     "memory limit (memory.max), e.g. 512M", show_limits},
    {"limits", "memory_swap", "memory-swap", 0, ARG_REQUIRED, "SIZE", META_NONE, apply_memory_swap,
     "swap limit (memory.swap.max)", show_limits},
    {"limits", "pids", NULL, 0, ARG_REQUIRED, "N", META_NONE, apply_pids,
     "most processes and threads at once (pids.max)", show_limits},
    {"limits", "cpus", NULL, 0, ARG_REQUIRED, "N", META_NONE, apply_cpus,
     "CPU time, in CPUs (cpu.max), e.g. 1.5", show_limits},
    {"limits", "cpu_weight", "cpu-weight", 0, ARG_REQUIRED, "N", META_NONE, apply_cpu_weight,
     "relative CPU share, 1-10000 (cpu.weight)", show_limits},
    {"limits", "io_weight", "io-weight", 0, ARG_REQUIRED, "N", META_NONE, apply_io_weight,
     "relative I/O share, 1-10000 (io.weight)", show_limits},
    {"limits", "io_max", "io-max", 0, ARG_REQUIRED, "'MAJ:MIN rbps=N ...'", META_NONE, apply_io_max,
     "I/O bandwidth limit of one device (io.max), repeatable", show_limits},
    {"limits", "mode", "limits", 0, ARG_REQUIRED, "strict|best-effort", META_NONE,
     apply_limits_mode, "a limit the system cannot apply: an error, or a warning", show_limits},
    {"limits", "delegate", "cgroup-delegate", 0, ARG_OPTIONAL, "BOOL", META_NONE,
     apply_cgroup_delegate, "the sandbox may manage a cgroup subtree of its own", show_limits},
    {"limits", "stats", NULL, 0, ARG_OPTIONAL, "BOOL", META_NONE, apply_stats,
     "at exit, print peak memory, CPU time and peak pids", show_limits},
    /* [network]: setters and show in netconf.c. */
    {"network", "mode", "net", 0, ARG_REQUIRED, "none|slirp|host", META_NONE, net_set_mode,
     "the network: none (loopback only, the default), slirp (user-mode), or host", net_show},
    {"network", "publish", "publish", 'p', ARG_REQUIRED, "[HOSTIP:]HOSTPORT:PORT[/tcp|/udp]",
     META_NONE, net_set_publish,
     "publish a port of the sandbox on the host (repeatable; HOSTIP: 127.0.0.1)", net_show},
    {"network", "allow_host_loopback", "allow-host-loopback", 0, ARG_OPTIONAL, "BOOL", META_NONE,
     net_set_allow_host_loopback,
     "let the sandbox reach the host's 127.0.0.1 and ::1 (as 10.0.2.2, fd00::2)", net_show},
    {"network", "port_driver", "port-driver", 0, ARG_REQUIRED, "splice|slirp", META_NONE,
     net_set_port_driver, "published TCP ports: splice (fast, the default) or slirp", net_show},
    /* [storage]: images and storage. */
    {"storage", "driver", "storage", 0, ARG_REQUIRED, "auto|overlay|fuse-overlayfs", META_NONE,
     apply_storage, "what mounts the root: auto (overlay, else fuse-overlayfs), or one forced",
     show_storage},
    {"storage", "persist", NULL, 0, ARG_REQUIRED, "DIR", META_NONE, apply_persist,
     "keep the writable layer in DIR: the next run with DIR sees the changes", show_storage},
    {NULL, "quiet", NULL, 'q', ARG_NONE, NULL, META_NONE, apply_quiet, "print nothing but errors",
     NULL},
    {NULL, "trace", NULL, 0, ARG_OPTIONAL, "FILE", META_NONE, apply_trace,
     "print each setup step with timings to stderr or FILE", NULL},
    {NULL, "trace-json", NULL, 0, ARG_NONE, NULL, META_NONE, apply_trace_json,
     "write the trace as JSON lines", NULL},
    /* Operating running sandboxes (session.c): sandbox ps, inspect, enter, stop, kill. */
    {NULL, "name", NULL, 0, ARG_REQUIRED, "NAME", META_NONE, apply_name,
     "name the sandbox, for ps, inspect, enter, stop and kill (unique among yours)", NULL},
    {NULL, "status-json", NULL, 0, ARG_REQUIRED, "FILE", META_NONE, apply_status_json,
     "write a JSON line when the command starts and one when it ends (FILE, or fd:N)", NULL},
    {NULL, "stop-at-entry", NULL, 0, ARG_NONE, NULL, META_NONE, apply_stop_at_entry,
     "stop the command at its first instruction and print how to attach gdb", NULL},
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

const char *setting_option(const struct setting *s)
{
        return s->option ? s->option : s->key;
}

bool setting_section_known(const char *section)
{
        for (size_t i = 0; i < settings_count; i++)
                if (settings[i].section && streq(settings[i].section, section))
                        return true;
        return false;
}
