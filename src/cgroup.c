/* A launch's cgroup from creation to removal: limits written before the clone; cgroup.kill,
 * "populated 0", the kernel's counts and rmdir after. Runs on the host, as the invoking user. */
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup_text.h"
#include "config.h"
#include "log.h"
#include "macro.h"
#include "sys.h"
#include "util.h"

/* How long teardown waits for the kernel to empty the cgroup after killing it. */
#define EMPTY_TIMEOUT_MS 5000
/* Bounds on what a sandbox with --cgroup-delegate may build below its own cgroup (set on the
 * cgroup above it, so they count payload/ too). */
#define DELEGATE_MAX_DEPTH       "17"
#define DELEGATE_MAX_DESCENDANTS "1001"
/* Depth at which removal gives up: the bound above plus our own two levels. */
#define REMOVE_MAX_DEPTH 24

int cg_read(int dirfd, const char *path, char *buf, size_t size)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        ssize_t n;

        if (fd < 0)
                return -errno;
        /* A cgroup file is generated whole on the first read: one read(2) is all of it. */
        n = read(fd, buf, size - 1);
        if (n < 0)
                return -errno;
        if ((size_t)n == size - 1)
                return -EFBIG;
        buf[n] = 0;
        return 0;
}

int cg_write(int dirfd, const char *path, const char *text)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        size_t n = strlen(text);
        ssize_t w;

        if (fd < 0)
                return -errno;
        /* One write per value: cgroup files parse each write(2) on its own. */
        w = write(fd, text, n);
        if (w < 0)
                return -errno;
        return (size_t)w == n ? 0 : -EIO;
}

static int read_u64(int dirfd, const char *path, uint64_t *ret)
{
        char text[64];
        int r = cg_read(dirfd, path, text, sizeof text);
        if (r < 0)
                return r;
        text[strcspn(text, "\n")] = 0;
        return parse_u64(text, ret);
}

/* closep that also forgets the fd: teardown may run twice (after the report, and on the way
 * out). */
static void drop_fd(int *fd)
{
        closep(fd);
        *fd = -1;
}

void cgroup_init(struct cgroup *cg)
{
        *cg = (struct cgroup){.mnt_fd = -1, .base_fd = -1, .fd = -1, .payload_fd = -1};
}

void cgroup_close(struct cgroup *cg)
{
        closep(&cg->payload_fd);
        closep(&cg->fd);
        closep(&cg->base_fd);
        closep(&cg->mnt_fd);
        free(cg->own);
        free(cg->top);
        free(cg->base);
        cgroup_init(cg);
}

/* ---- Removal ----------------------------------------------------------------------------- */

/* rmdir a cgroup and every cgroup below it (a sandbox with --cgroup-delegate makes its own).
 * Never follows anything but directories of this cgroupfs. */
static int rmdir_tree(int parent, const char *name, int depth)
{
        _cleanup_close_ int fd = -1;
        DIR *d;

        if (unlinkat(parent, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
                return 0;
        if (errno != EBUSY && errno != ENOTEMPTY)
                return -errno;
        if (depth >= REMOVE_MAX_DEPTH)
                return -ELOOP;
        fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (!d)
                return -errno;
        fd = -1; /* the DIR owns it */
        for (struct dirent *de; (de = readdir(d));)
                if (de->d_type == DT_DIR && !streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        (void)rmdir_tree(dirfd(d), de->d_name, depth + 1);
        closedir(d);
        return unlinkat(parent, name, AT_REMOVEDIR) == 0 || errno == ENOENT ? 0 : -errno;
}

static int populated(int fd)
{
        char text[256];
        uint64_t v;
        int r = cg_read(fd, "cgroup.events", text, sizeof text);
        if (r < 0)
                return r;
        r = cg_keyed_get(text, "populated", &v);
        return r < 0 ? r : v != 0;
}

/* Waits until cgroup.events says "populated 0": the kernel signals every change of the file
 * with POLLPRI, so this sleeps rather than polls. */
static int wait_empty(int fd, int timeout_ms)
{
        _cleanup_close_ int ev = openat(fd, "cgroup.events", O_RDONLY | O_CLOEXEC);
        unsigned long long deadline = trace_now_us() + (unsigned long long)timeout_ms * 1000;

        if (ev < 0)
                return -errno;
        for (;;) {
                char buf[128];
                ssize_t n = pread(ev, buf, sizeof buf - 1, 0);
                uint64_t v;
                unsigned long long now = trace_now_us();
                struct pollfd p = {ev, POLLPRI, 0};

                if (n < 0)
                        return -errno;
                buf[n] = 0;
                if (cg_keyed_get(buf, "populated", &v) == 0 && v == 0)
                        return 0;
                if (now >= deadline)
                        return -ETIMEDOUT;
                if (poll(&p, 1, (int)((deadline - now) / 1000) + 1) < 0 && errno != EINTR)
                        return -errno;
        }
}

/* SIGKILL to every process in the cgroup at fd and below, for kernels without cgroup.kill. */
static void kill_listed(int fd, int depth)
{
        _cleanup_free_ char *text = NULL;
        DIR *d;
        int dfd;

        /* Any number of pids: not one read(2). */
        if (read_file_at(fd, "cgroup.procs", 1 << 24, &text, NULL) == 0)
                for (char *p = text, *end; *p; p = end + (*end == '\n')) {
                        long pid = strtol(p, &end, 10);
                        if (end == p)
                                break;
                        if (pid > 0)
                                (void)kill((pid_t)pid, SIGKILL);
                }
        if (depth >= REMOVE_MAX_DEPTH)
                return;
        dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0 || !(d = fdopendir(dfd))) {
                if (dfd >= 0)
                        close(dfd);
                return;
        }
        for (struct dirent *de; (de = readdir(d));) {
                _cleanup_close_ int sub = -1;
                if (de->d_type != DT_DIR || streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (sub >= 0)
                        kill_listed(sub, depth + 1);
        }
        closedir(d);
}

/* Every process in the cgroup, daemons that double-forked included: cgroup.kill (Linux 5.14),
 * else freeze the cgroup so nothing forks while we list and kill, then thaw (a frozen task
 * still dies of SIGKILL). */
static void kill_all(int fd)
{
        if (cg_write(fd, "cgroup.kill", "1") == 0)
                return;
        if (cg_write(fd, "cgroup.freeze", "1") == 0) {
                _cleanup_close_ int ev = openat(fd, "cgroup.events", O_RDONLY | O_CLOEXEC);
                for (int i = 0; ev >= 0 && i < 100; i++) {
                        char buf[128];
                        uint64_t v;
                        ssize_t n = pread(ev, buf, sizeof buf - 1, 0);
                        struct pollfd p = {ev, POLLPRI, 0};
                        if (n <= 0)
                                break;
                        buf[n] = 0;
                        if (cg_keyed_get(buf, "frozen", &v) == 0 && v)
                                break;
                        (void)poll(&p, 1, 10);
                }
        }
        kill_listed(fd, 0);
        (void)cg_write(fd, "cgroup.freeze", "0");
}

/* A cgroup of a launcher that died without cleaning up (SIGKILL, power cut): unlocked and
 * empty. Runs while we hold the base exclusively, so no launcher is between mkdir and flock. */
static void sweep_stale(int base_fd)
{
        _cleanup_close_ int dfd = openat(base_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d;

        if (dfd < 0 || !(d = fdopendir(dfd)))
                return;
        dfd = -1;
        for (struct dirent *de; (de = readdir(d));) {
                _cleanup_close_ int fd = -1;
                bool sandbox = startswith(de->d_name, "sandbox-") != NULL;
                if (de->d_type != DT_DIR || (!sandbox && !startswith(de->d_name, "launcher-")))
                        continue;
                fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0 || (sandbox && flock(fd, LOCK_EX | LOCK_NB) < 0))
                        continue;
                if (populated(fd) != 0)
                        continue;
                TRACE(0, "cgroup", "removing the stale cgroup %s", de->d_name);
                (void)rmdir_tree(dirfd(d), de->d_name, 0);
        }
        closedir(d);
}

/* ---- Creation ---------------------------------------------------------------------------- */

/* Turns on the controllers in mask that rel's cgroup.subtree_control lacks; *ret_added gets
 * the ones it turned on. */
static int enable(int mnt_fd, const char *rel, unsigned mask, unsigned *ret_added)
{
        _cleanup_free_ char *path = xasprintf("%s%scgroup.subtree_control", rel, rel[0] ? "/" : "");
        char text[256], words[64];
        unsigned add;
        int r;

        *ret_added = 0;
        r = cg_read(mnt_fd, path, text, sizeof text);
        if (r < 0)
                return r;
        add = mask & ~cg_parse_controllers(text);
        if (!add)
                return 0;
        cg_format_controllers(add, "+", " ", words, sizeof words);
        r = cg_write(mnt_fd, path, words);
        if (r < 0)
                return r;
        *ret_added = add;
        return 0;
}

/* Controllers for the sandbox's cgroup: turned on from the delegated top down to base. */
static int enable_chain(struct cgroup *cg)
{
        size_t len = strlen(cg->top), end = strlen(cg->base);
        for (;;) {
                _cleanup_free_ char *x = strndup(cg->base, len);
                unsigned added;
                int r = enable(cg->mnt_fd, x, cg->want, &added);
                if (r < 0) {
                        char words[64];
                        cg_format_controllers(cg->want, "", " ", words, sizeof words);
                        return log_errno(r,
                                         "enabling the controllers %s in /%s (cgroup v2's "
                                         "no-internal-processes rule: did a process join it?)",
                                         words, x);
                }
                if (len >= end) {
                        cg->enabled_in_base = added;
                        return 0;
                }
                len = (len ? len + 1 : 0);
                len += strcspn(cg->base + len, "/");
        }
}

/* The launcher, alone in base, steps into base/<leaf> so that base may enable controllers. */
static int step_aside(struct cgroup *cg)
{
        _cleanup_free_ char *leaf = xasprintf("%s/%s", cg->base, cg->leaf);
        _cleanup_free_ char *procs = xasprintf("%s/cgroup.procs", leaf);
        char pid[24];
        int r;

        if (mkdirat(cg->mnt_fd, leaf, 0755) < 0 && errno != EEXIST)
                return log_errno(-errno, "creating the cgroup /%s for the launcher", leaf);
        snprintf(pid, sizeof pid, "%d", getpid());
        r = cg_write(cg->mnt_fd, procs, pid);
        if (r < 0) {
                (void)unlinkat(cg->mnt_fd, leaf, AT_REMOVEDIR);
                return log_errno(r, "moving the launcher into /%s", leaf);
        }
        return 0;
}

/* Back where we started, with base as we found it. */
static void step_back(struct cgroup *cg)
{
        _cleanup_free_ char *leaf = xasprintf("%s/%s", cg->base, cg->leaf);
        _cleanup_free_ char *sc = xasprintf("%s/cgroup.subtree_control", cg->base);
        _cleanup_free_ char *procs = xasprintf("%s/cgroup.procs", cg->base);
        char words[64], pid[24];

        if (cg->enabled_in_base) {
                cg_format_controllers(cg->enabled_in_base, "-", " ", words, sizeof words);
                (void)cg_write(cg->mnt_fd, sc, words);
                cg->enabled_in_base = 0;
        }
        snprintf(pid, sizeof pid, "%d", getpid());
        if (cg_write(cg->mnt_fd, procs, pid) < 0 || unlinkat(cg->mnt_fd, leaf, AT_REMOVEDIR) < 0)
                log_warn("could not move the launcher back from the cgroup /%s", leaf);
}

/* One limit: file ← value, or the reason it cannot be had (strict: an error). */
static int write_limit(const struct config *c, struct cgroup *cg, unsigned ctrl, const char *file,
                       const char *value, const char *option)
{
        const char *hint = "";
        int r;

        if (cg->dropped & ctrl)
                return 0;
        r = cg_write(cg->fd, file, value);
        if (r == 0) {
                TRACE(0, "cgroup", "%s = %s", file, value);
                return 0;
        }
        if (r == -ENOENT && streq(file, "memory.swap.max"))
                hint = " (swap accounting is off: boot with swapaccount=1)";
        else if (r == -ENOENT && streq(file, "io.weight"))
                hint = " (this kernel weighs I/O only with io.cost or the BFQ scheduler)";
        else if (r == -ENODEV)
                hint = " (no such block device)";
        else if (r == -ENOENT)
                hint = " (this kernel does not offer it)";
        if (c->limits.mode == LIMITS_STRICT) {
                log_error("cannot apply %s: writing %s = %s: %s%s; or pass --limits=best-effort "
                          "to run without it",
                          option, file, value, strerror(-r), hint);
                return r;
        }
        log_warn("%s dropped: writing %s = %s: %s%s", option, file, value, strerror(-r), hint);
        return 0;
}

static void value_of(int64_t v, char *buf, size_t size)
{
        if (v == LIMIT_MAX)
                snprintf(buf, size, "max");
        else
                snprintf(buf, size, "%lld", (long long)v);
}

static int write_limits(const struct config *c, struct cgroup *cg)
{
        const struct limits *l = &c->limits;
        char v[64], opt[160];
        int r = 0;

#define LIMIT(ctrl, file, option)                                                                  \
        do {                                                                                       \
                if ((r = write_limit(c, cg, ctrl, file, v, option)) < 0)                           \
                        return r;                                                                  \
        } while (0)
        if (l->memory_max != LIMIT_UNSET) {
                value_of(l->memory_max, v, sizeof v);
                LIMIT(CG_MEMORY, "memory.max", "--memory");
        }
        if (l->memory_swap_max != LIMIT_UNSET) {
                value_of(l->memory_swap_max, v, sizeof v);
                LIMIT(CG_MEMORY, "memory.swap.max", "--memory-swap");
        }
        if (l->pids_max != LIMIT_UNSET) {
                value_of(l->pids_max, v, sizeof v);
                LIMIT(CG_PIDS, "pids.max", "--pids");
        }
        if (l->cpu_quota_us != LIMIT_UNSET) {
                if (l->cpu_quota_us == LIMIT_MAX)
                        snprintf(v, sizeof v, "max %lld", (long long)l->cpu_period_us);
                else
                        snprintf(v, sizeof v, "%lld %lld", (long long)l->cpu_quota_us,
                                 (long long)l->cpu_period_us);
                LIMIT(CG_CPU, "cpu.max", "--cpus");
        }
        if (l->cpu_weight != LIMIT_UNSET) {
                value_of(l->cpu_weight, v, sizeof v);
                LIMIT(CG_CPU, "cpu.weight", "--cpu-weight");
        }
        if (l->io_weight != LIMIT_UNSET) {
                snprintf(v, sizeof v, "default %lld", (long long)l->io_weight);
                LIMIT(CG_IO, "io.weight", "--io-weight");
        }
        for (size_t i = 0; l->io_max && l->io_max[i]; i++) {
                snprintf(opt, sizeof opt, "--io-max '%.100s'", l->io_max[i]);
                if ((r = write_limit(c, cg, CG_IO, "io.max", l->io_max[i], opt)) < 0)
                        return r;
        }
#undef LIMIT
        return 0;
}

/* The launcher's leaf (nest_self), the controllers, and base/<name>, flock'ed. */
static int make(struct cgroup *cg)
{
        int r;

        if (cg->nest_self && (r = step_aside(cg)) < 0) {
                cg->nest_self = false;
                return r;
        }
        if ((r = enable_chain(cg)) < 0)
                return r;
        if (mkdirat(cg->base_fd, cg->name, 0755) < 0)
                return log_errno(-errno, "creating the cgroup /%s/%s", cg->base, cg->name);
        cg->fd = openat(cg->base_fd, cg->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        r = cg->fd < 0 ? -errno : flock(cg->fd, LOCK_EX) < 0 ? -errno : 0;
        if (r < 0)
                return log_errno(r, "opening the cgroup /%s/%s", cg->base, cg->name);
        return 0;
}

int cgroup_create(const struct config *c, struct cgroup *cg, const char *run_id)
{
        char words[64];
        int r;
        TRACE_BEGIN(t);

        if (!cg->active)
                return 0;
        snprintf(cg->name, sizeof cg->name, "sandbox-%s", run_id);
        snprintf(cg->leaf, sizeof cg->leaf, "launcher-%s", run_id);
        cg->base_fd =
            openat(cg->mnt_fd, cg->base[0] ? cg->base : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (cg->base_fd < 0)
                return log_errno(-errno, "opening the cgroup /%s", cg->base);
        /* Held while our cgroups are made: exclusive when we can have it, and then nothing of
         * another launcher is between its mkdir and its flock (or its move into its leaf), so
         * what is unlocked and empty is stale; else shared, which keeps such a sweep away. */
        if (flock(cg->base_fd, LOCK_EX | LOCK_NB) == 0)
                sweep_stale(cg->base_fd);
        else
                (void)flock(cg->base_fd, LOCK_SH);
        r = make(cg);
        (void)flock(cg->base_fd, LOCK_UN);
        if (r < 0)
                return r;
        if ((r = write_limits(c, cg)) < 0)
                return r;
        if (cg->delegate) {
                /* The sandbox gets every controller we have, and bounds on what it builds. */
                cg_format_controllers(cg->want, "+", " ", words, sizeof words);
                if (words[0] && (r = cg_write(cg->fd, "cgroup.subtree_control", words)) < 0)
                        return log_errno(r, "enabling %s for the sandbox's own subtree", words);
                (void)cg_write(cg->fd, "cgroup.max.depth", DELEGATE_MAX_DEPTH);
                (void)cg_write(cg->fd, "cgroup.max.descendants", DELEGATE_MAX_DESCENDANTS);
        }
        if (mkdirat(cg->fd, "payload", 0755) < 0)
                return log_errno(-errno, "creating the cgroup /%s/%s/payload", cg->base, cg->name);
        cg->payload_fd = openat(cg->fd, "payload", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (cg->payload_fd < 0)
                return log_errno(-errno, "opening the cgroup /%s/%s/payload", cg->base, cg->name);
        TRACE(t, "cgroup", "created /%s/%s", cg->base, cg->name);
        return 0;
}

int cgroup_attach(struct cgroup *cg, pid_t pid)
{
        char text[24];
        int r;
        snprintf(text, sizeof text, "%d", pid);
        r = cg_write(cg->payload_fd, "cgroup.procs", text);
        if (r < 0)
                return log_errno(r, "moving the sandbox into its cgroup /%s/%s/payload", cg->base,
                                 cg->name);
        return 0;
}

/* ---- Teardown ---------------------------------------------------------------------------- */

static void read_stats(struct cgroup *cg)
{
        struct cgroup_stats *s = &cg->stats;
        char cpu[1024], mem[512], pids[256];

        *s = (struct cgroup_stats){.valid = true};
        if (cg_read(cg->fd, "cpu.stat", cpu, sizeof cpu) == 0) {
                (void)cg_keyed_get(cpu, "usage_usec", &s->usage_usec);
                (void)cg_keyed_get(cpu, "user_usec", &s->user_usec);
                (void)cg_keyed_get(cpu, "system_usec", &s->system_usec);
        }
        s->has_memory = read_u64(cg->fd, "memory.peak", &s->memory_peak) == 0;
        s->has_pids = read_u64(cg->fd, "pids.peak", &s->pids_peak) == 0;
        if (cg_read(cg->fd, "memory.events", mem, sizeof mem) == 0)
                (void)cg_keyed_get(mem, "oom_kill", &s->oom_kills);
        if (cg_read(cg->fd, "pids.events", pids, sizeof pids) == 0)
                (void)cg_keyed_get(pids, "max", &s->pids_denied);
}

void cgroup_destroy(struct cgroup *cg)
{
        TRACE_BEGIN(t);
        int r;

        if (cg->fd >= 0) {
                kill_all(cg->fd);
                r = wait_empty(cg->fd, EMPTY_TIMEOUT_MS);
                read_stats(cg);
                drop_fd(&cg->payload_fd);
                /* payload/ first: unless the sandbox made cgroups of its own, that is all. */
                if (r == 0 && unlinkat(cg->fd, "payload", AT_REMOVEDIR) < 0 && errno != ENOENT &&
                    errno != EBUSY)
                        r = -errno;
                if (r == 0)
                        r = rmdir_tree(cg->base_fd, cg->name, 0);
                if (r < 0)
                        log_warn("could not remove the cgroup /%s/%s (%s); a later run retries",
                                 cg->base, cg->name, strerror(-r));
                drop_fd(&cg->fd);
                TRACE(t, "cgroup", "killed, emptied and removed /%s/%s", cg->base, cg->name);
        }
        if (cg->nest_self && cg->base_fd >= 0) {
                step_back(cg);
                cg->nest_self = false;
        }
}
