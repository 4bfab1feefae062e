/* Where running sandboxes are recorded, per user and without a daemon: one locked record per
 * sandbox next to its launcher's control socket (see state.h for the protocol).
 * Runs on the host, as the invoking user. */
#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "sys.h"
#include "util.h"

#define RECORD_SUFFIX ".state"
#define SOCKET_SUFFIX ".sock"

static char *state_dir_path(void)
{
        const char *run = getenv("XDG_RUNTIME_DIR"), *xdg = getenv("XDG_CACHE_HOME"),
                   *home = getenv("HOME");
        struct stat st;
        /* Only a runtime directory of our own: after `su`, it may still name another user's. */
        if (run && run[0] == '/' && stat(run, &st) == 0 && S_ISDIR(st.st_mode) &&
            st.st_uid == getuid())
                return xasprintf("%s/sandbox", run);
        if (xdg && xdg[0] == '/')
                return xasprintf("%s/sandbox/state", xdg);
        if (home && home[0] == '/')
                return xasprintf("%s/.cache/sandbox/state", home);
        return NULL;
}

int state_dir_open(struct state_dir *ret, bool create)
{
        struct stat st;

        ret->fd = -1;
        ret->path = state_dir_path();
        if (!ret->path)
                return log_error("none of XDG_RUNTIME_DIR, XDG_CACHE_HOME and HOME is an absolute "
                                 "path; set one so running sandboxes can be recorded");
        if (create && mkdir(ret->path, 0700) < 0 && errno != EEXIST)
                return log_errno(-errno, "creating the state directory %s", ret->path);
        ret->fd = open(ret->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (ret->fd < 0) {
                if (errno == ENOENT && !create)
                        return -ENOENT;
                return log_errno(-errno, "opening the state directory %s", ret->path);
        }
        if (fstat(ret->fd, &st) < 0)
                return log_errno(-errno, "%s", ret->path);
        /* Whoever can write here could point `sandbox enter` anywhere: it must be ours alone. */
        if (st.st_uid != getuid())
                return log_error("the state directory %s belongs to uid %u, not to you; set "
                                 "XDG_RUNTIME_DIR to a directory of your own",
                                 ret->path, st.st_uid);
        if ((st.st_mode & 077) && fchmod(ret->fd, 0700) < 0)
                return log_errno(-errno, "chmod 0700 %s", ret->path);
        return 0;
}

void state_dir_close(struct state_dir *d)
{
        closep(&d->fd);
        free(d->path);
        d->path = NULL;
}

void state_socket_name(const char *id, char buf[32])
{
        snprintf(buf, 32, "%s" SOCKET_SUFFIX, id);
}

static void record_name(const char *id, char buf[32])
{
        snprintf(buf, 32, "%s" RECORD_SUFFIX, id);
}

static int read_fd(int fd, char **ret)
{
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        return read_file_at(AT_FDCWD, path, 1 << 20, ret, NULL);
}

/* Opens a record: 1 and its fd when a launcher holds it, 0 when it is stale, -errno. Only a
 * regular file of ours that nobody else may write counts. */
static int open_record(int dirfd, const char *file, int *ret_fd)
{
        _cleanup_close_ int fd =
            openat(dirfd, file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        struct stat st;

        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 022))
                return -EPERM;
        if (flock(fd, LOCK_SH | LOCK_NB) == 0)
                return 0;
        if (errno != EWOULDBLOCK)
                return -errno;
        *ret_fd = TAKE_FD(fd);
        return 1;
}

/* Loads one live record; 0 when it is stale (and then removes it with its socket). */
static int load_record(int dirfd, const char *id, struct state_record *ret)
{
        char file[32];
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *text = NULL;
        int r;

        record_name(id, file);
        r = open_record(dirfd, file, &fd);
        if (r == 0) {
                TRACE(0, "teardown", "removing the stale state record %s", file);
                state_unpublish(&(struct state_dir){dirfd, NULL}, id);
                return 0;
        }
        if (r < 0)
                return r;
        r = read_fd(fd, &text);
        if (r < 0)
                return r;
        r = record_parse(text, ret);
        if (r < 0)
                return r;
        if (!streq(ret->id, id)) {
                record_free(ret);
                return -EBADMSG;
        }
        return 1;
}

static int cmp_started(const void *a, const void *b)
{
        const struct state_record *x = a, *y = b;
        return (x->started_us > y->started_us) - (x->started_us < y->started_us);
}

/* Calls back for every entry of the directory whose name is <id><suffix>. */
static int for_each_id(int dirfd, const char *suffix, int (*fn)(int dirfd, const char *id, void *),
                       void *userdata)
{
        DIR *dir;
        int r = 0;
        int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        dir = fdopendir(fd);
        if (!dir) {
                r = -errno;
                close(fd);
                return r;
        }
        for (struct dirent *de; (de = readdir(dir)) && r >= 0;) {
                size_t n = strlen(de->d_name), s = strlen(suffix);
                char id[17];
                if (n != 16 + s || !streq(de->d_name + 16, suffix))
                        continue;
                memcpy(id, de->d_name, 16);
                id[16] = 0;
                if (record_id_valid(id))
                        r = fn(dirfd, id, userdata);
        }
        closedir(dir);
        return r;
}

struct loaded {
        struct state_record *v;
        size_t n;
};

static int collect(int dirfd, const char *id, void *userdata)
{
        struct loaded *l = userdata;
        struct state_record rec;
        if (load_record(dirfd, id, &rec) <= 0)
                return 0; /* stale (removed), or not readable as a record: not a sandbox */
        struct state_record *nv = realloc(l->v, (l->n + 1) * sizeof *nv);
        if (!nv)
                abort();
        l->v = nv;
        l->v[l->n++] = rec;
        return 0;
}

/* A socket whose record is gone belongs to nobody. */
static int sweep_socket(int dirfd, const char *id, void *userdata)
{
        char file[32];
        struct stat st;
        record_name(id, file);
        if (fstatat(dirfd, file, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT) {
                state_socket_name(id, file);
                (void)unlinkat(dirfd, file, 0);
        }
        return 0;
}

int state_load_all(const struct state_dir *d, struct state_record **ret, size_t *ret_n)
{
        struct loaded l = {NULL, 0};
        int r = for_each_id(d->fd, RECORD_SUFFIX, collect, &l);
        if (r < 0) {
                state_records_free(l.v, l.n);
                return r;
        }
        (void)for_each_id(d->fd, SOCKET_SUFFIX, sweep_socket, NULL);
        if (l.n > 1)
                qsort(l.v, l.n, sizeof *l.v, cmp_started);
        *ret = l.v;
        *ret_n = l.n;
        return 0;
}

void state_records_free(struct state_record *v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                record_free(&v[i]);
        free(v);
}

void state_sweep(const struct state_dir *d)
{
        struct state_record *v = NULL;
        size_t n = 0;
        if (state_load_all(d, &v, &n) == 0)
                state_records_free(v, n);
}

int state_resolve(const struct state_dir *d, const char *ref, struct state_record *ret)
{
        struct state_record *v = NULL;
        size_t n = 0, hits = 0, hit = 0;
        int r = state_load_all(d, &v, &n);

        if (r < 0)
                return r;
        /* An exact id, then an exact name, then a unique id prefix. */
        for (size_t i = 0; i < n && !hits; i++)
                if (streq(v[i].id, ref))
                        hits = 1, hit = i;
        for (size_t i = 0; i < n && !hits; i++)
                if (v[i].name && streq(v[i].name, ref))
                        hits = 1, hit = i;
        if (!hits && ref[0])
                for (size_t i = 0; i < n; i++)
                        if (startswith(v[i].id, ref)) {
                                hits++;
                                hit = i;
                        }
        r = hits == 1 ? 0 : hits == 0 ? -ENOENT : -ENOTUNIQ;
        if (r == 0) {
                *ret = v[hit];
                memset(&v[hit], 0, sizeof v[hit]);
        }
        state_records_free(v, n);
        return r;
}

bool state_name_taken(const struct state_dir *d, const char *name, char ret_id[17])
{
        struct state_record *v = NULL;
        size_t n = 0;
        bool taken = false;

        if (state_load_all(d, &v, &n) < 0)
                return false;
        for (size_t i = 0; i < n && !taken; i++)
                if (v[i].name && streq(v[i].name, name)) {
                        taken = true;
                        memcpy(ret_id, v[i].id, 17);
                }
        state_records_free(v, n);
        return taken;
}

/* Locks fd, writes text into it, and gives it the name `file` (by linkat, or by renaming the
 * temporary name `tmp`). Returns the fd (still locked) or -errno; closes it on failure. */
static int fill_and_name(const struct state_dir *d, int fd, const char *text, const char *file,
                         const char *tmp)
{
        char path[64];
        int r = 0;

        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        if (flock(fd, LOCK_EX) < 0)
                r = -errno;
        if (r == 0)
                r = write_all(fd, text, strlen(text));
        if (r == 0 && !tmp && linkat(AT_FDCWD, path, d->fd, file, AT_SYMLINK_FOLLOW) < 0)
                r = -errno;
        if (r == 0 && tmp && renameat(d->fd, tmp, d->fd, file) < 0)
                r = -errno;
        if (r < 0) {
                if (tmp)
                        (void)unlinkat(d->fd, tmp, 0);
                close(fd);
                return r;
        }
        return fd;
}

/* Writes the record into a file nobody can see yet, locks it, then gives it its name: a reader
 * never finds a record that is half written or not yet held. */
static int write_locked(const struct state_dir *d, const struct state_record *r)
{
        _cleanup_free_ char *text = record_format(r);
        char file[32], tmp[48];
        int fd;

        record_name(r->id, file);
        fd = openat(d->fd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
        if (fd >= 0)
                return fill_and_name(d, fd, text, file, NULL);
        if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
                return -errno;
        /* A file system without O_TMPFILE: a named temporary file, renamed. */
        snprintf(tmp, sizeof tmp, ".%s.tmp", r->id);
        fd = openat(d->fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return -errno;
        return fill_and_name(d, fd, text, file, tmp);
}

int state_publish(const struct state_dir *d, const struct state_record *r, char ret_other[17])
{
        _cleanup_close_ int lock = openat(d->fd, ".lock", O_RDONLY | O_CREAT | O_CLOEXEC, 0600);

        if (lock < 0 || flock(lock, LOCK_EX) < 0)
                return -errno;
        if (r->name && state_name_taken(d, r->name, ret_other))
                return -EEXIST;
        return write_locked(d, r);
}

void state_unpublish(const struct state_dir *d, const char *id)
{
        char file[32];
        state_socket_name(id, file);
        (void)unlinkat(d->fd, file, 0);
        record_name(id, file);
        (void)unlinkat(d->fd, file, 0);
}
