/* The per-user cache: unpacked images, their index, and per-run directories.
 * Opened on the host; the run-dir sweep runs as root in a user namespace (see sandbox.c). */
#include "cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "sys.h"
#include "util.h"

static const char *const subdirs[] = {"images", "index", "tmp", "run", "layers"};

static char *cache_root_path(void)
{
        const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
        if (xdg && xdg[0] == '/')
                return xasprintf("%s/sandbox", xdg);
        if (home && home[0] == '/')
                return xasprintf("%s/.cache/sandbox", home);
        return NULL;
}

/* mkdir -p for the cache's own path (on the host, as the user). */
static int mkdir_parents(const char *path, mode_t mode)
{
        char buf[PATH_MAX];
        if (strlen(path) >= sizeof buf)
                return -ENAMETOOLONG;
        strcpy(buf, path);
        for (char *p = buf + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = 0;
                if (mkdir(buf, 0755) < 0 && errno != EEXIST)
                        return -errno;
                *p = '/';
        }
        if (mkdir(buf, mode) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

int cache_open(struct cache *ret)
{
        struct stat st;
        int r;

        ret->fd = -1;
        ret->path = cache_root_path();
        if (!ret->path)
                return log_error("neither XDG_CACHE_HOME nor HOME is an absolute path; set one "
                                 "so the image cache has a home");
        ret->fd = open(ret->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (ret->fd < 0) {
                r = mkdir_parents(ret->path, 0700);
                if (r < 0)
                        return log_errno(r, "creating the image cache %s", ret->path);
                ret->fd = open(ret->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (ret->fd < 0)
                        return log_errno(-errno, "opening the image cache %s", ret->path);
        }
        /* 0700: unpacked images keep their setuid bits, reachable only through the sandbox. */
        if (fstat(ret->fd, &st) < 0)
                return log_errno(-errno, "%s", ret->path);
        if (st.st_uid != getuid())
                return log_error("the image cache %s belongs to uid %u, not to you; set "
                                 "XDG_CACHE_HOME to a directory of your own",
                                 ret->path, st.st_uid);
        if ((st.st_mode & 077) && fchmod(ret->fd, 0700) < 0)
                return log_errno(-errno, "chmod 0700 %s", ret->path);
        for (size_t i = 0; i < ARRAY_SIZE(subdirs); i++)
                if ((r = mkdir_exist_ok(ret->fd, subdirs[i], 0700)) < 0)
                        return log_errno(r, "creating %s/%s", ret->path, subdirs[i]);
        return 0;
}

void cache_close(struct cache *c)
{
        closep(&c->fd);
        free(c->path);
        c->path = NULL;
}

void cache_stat_key(const struct stat *st, const char *map_fp, char *buf, size_t size)
{
        snprintf(buf, size, "%lx-%lx-%llx-%llx.%lx-%llx.%lx-%s", (unsigned long)st->st_dev,
                 (unsigned long)st->st_ino, (unsigned long long)st->st_size,
                 (unsigned long long)st->st_mtim.tv_sec, (unsigned long)st->st_mtim.tv_nsec,
                 (unsigned long long)st->st_ctim.tv_sec, (unsigned long)st->st_ctim.tv_nsec,
                 map_fp);
}

int cache_lookup(const struct cache *c, const char *stat_key, char **ret_key)
{
        char link[PATH_MAX], target[256];
        ssize_t n;

        snprintf(link, sizeof link, "index/%s", stat_key);
        n = readlinkat(c->fd, link, target, sizeof target - 1);
        if (n < 0)
                return errno == ENOENT || errno == EINVAL ? 0 : -errno;
        target[n] = 0;
        if (!filename_safe(target))
                return 0; /* not something we wrote: treat as a miss, the unpacker rewrites */
        /* Whether it is complete is checked once it is held (image_hold, in the child). */
        *ret_key = xstrdup(target);
        return 1;
}

int rundir_create(const struct cache *c, struct rundir *ret)
{
        static const char *const parts[] = {"upper", "work", "merged"};
        _cleanup_close_ int lock = -1, run = -1;
        char name[32];
        int r;

        ret->fd = -1;
        r = random_hex16(ret->id);
        if (r < 0)
                return log_errno(r, "getrandom");
        run = openat(c->fd, "run", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (run < 0)
                return log_errno(-errno, "opening %s/run", c->path);
        /* Shared while our dir is created and locked, so a sweep (exclusive) never sees it
         * created but not yet locked. */
        lock = openat(run, ".lock", O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
        if (lock < 0 || flock(lock, LOCK_SH) < 0)
                return log_errno(-errno, "locking %s/run", c->path);
        if (mkdirat(run, ret->id, 0700) < 0)
                return log_errno(-errno, "creating the per-run directory");
        ret->fd = openat(run, ret->id, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (ret->fd < 0 || flock(ret->fd, LOCK_EX) < 0)
                return log_errno(-errno, "locking the per-run directory");
        for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
                snprintf(name, sizeof name, "%s", parts[i]);
                if (mkdirat(ret->fd, name, 0700) < 0)
                        return log_errno(-errno, "creating the per-run directory");
        }
        return 0;
}

void rundir_close(struct rundir *r)
{
        closep(&r->fd);
}

int rundir_sweep(int cache_fd, const char *own_id)
{
        _cleanup_close_ int run = openat(cache_fd, "run", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int lock = -1;
        DIR *d;
        int r = 0;

        if (run < 0)
                return -errno;
        if (own_id)
                r = rm_rf_at(run, own_id);
        lock = openat(run, ".lock", O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
        if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) < 0)
                return r; /* another launch is starting: it sweeps another time */
        d = fdopendir(dup(run));
        if (!d)
                return r;
        for (struct dirent *de; (de = readdir(d));) {
                if (de->d_name[0] == '.')
                        continue;
                _cleanup_close_ int fd =
                    openat(run, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                /* A run dir nobody holds: its launcher was killed or the machine lost power. */
                if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0) {
                        TRACE(0, "teardown", "removing stale run directory %s", de->d_name);
                        int q = rm_rf_at(run, de->d_name);
                        if (q < 0 && r == 0)
                                r = q;
                }
        }
        closedir(d);
        return r;
}
