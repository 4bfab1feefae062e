/* The image cache's on-disk protocol: the per-image lock, stale temporaries, publishing by rename,
 * the index. Runs as root in the sandbox's user namespace, before any mount. */
#include "imgcache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "tree.h"

#define NO_SPACE(r) ((r) == -ENOSPC || (r) == -EDQUOT)

bool imgcache_valid_token(const char *s, size_t max)
{
        size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");

        return n > 0 && n <= max && s[n] == 0 && s[0] != '.';
}

static int open_subdir(struct imgcache *c, const char *name)
{
        int fd;

        if (mkdirat(c->fd, name, 0700) < 0 && errno != EEXIST)
                return NO_SPACE(-errno) ? -ENOSPC
                                        : log_errno(-errno, "cannot create '%s/%s'", c->path, name);
        fd = openat(c->fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return log_errno(-errno, "'%s/%s' is not a directory (remove it)", c->path, name);
        return fd;
}

int imgcache_open(const char *path, struct imgcache *ret)
{
        struct imgcache c = IMGCACHE_NULL;
        struct stat st;

        c.path = path;
        if (path[0] != '/')
                return log_error("the image cache '%s' is not an absolute path", path);
        c.fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (c.fd < 0)
                return log_errno(-errno, "cannot open the image cache '%s'", path);
        if (fstat(c.fd, &st) < 0) {
                imgcache_close(&c);
                return log_errno(-errno, "cannot open the image cache '%s'", path);
        }
        /* Images keep their setuid files: only a private cache keeps them unreachable. */
        if (st.st_uid != geteuid() || (st.st_mode & 077)) {
                imgcache_close(&c);
                if (st.st_uid != geteuid())
                        return log_error("the image cache '%s' belongs to uid %u, not to you "
                                         "(point XDG_CACHE_HOME elsewhere)",
                                         path, st.st_uid);
                return log_error("the image cache '%s' is open to other users (mode %04o; run: "
                                 "chmod 700 '%s')",
                                 path, st.st_mode & 07777, path);
        }
        c.images = open_subdir(&c, "images");
        c.index = c.images < 0 ? c.images : open_subdir(&c, "index");
        c.tmp = c.index < 0 ? c.index : open_subdir(&c, "tmp");
        c.layers = c.tmp < 0 ? c.tmp : open_subdir(&c, "layers");
        if (c.layers < 0) {
                int r = c.layers;
                imgcache_close(&c);
                return r;
        }
        *ret = c;
        return 0;
}

void imgcache_close(struct imgcache *c)
{
        closep(&c->fd);
        closep(&c->images);
        closep(&c->index);
        closep(&c->tmp);
        closep(&c->layers);
        c->fd = c->images = c->index = c->tmp = c->layers = -1;
}

int imgcache_lock(const struct imgcache *c, const char *stat_key)
{
        char name[IMGCACHE_STAT_KEY_MAX + 8];
        int fd;

        snprintf(name, sizeof name, "%s.lock", stat_key);
        fd = openat(c->index, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return NO_SPACE(-errno)
                           ? -ENOSPC
                           : log_errno(-errno, "cannot create '%s/index/%s'", c->path, name);
        while (flock(fd, LOCK_EX) < 0) {
                if (errno != EINTR) {
                        int r = log_errno(-errno, "cannot lock '%s/index/%s'", c->path, name);
                        close(fd);
                        return r;
                }
        }
        return fd;
}

/* Whether dir/NAME/ENTRY is of the type wanted, reached without following any symlink. */
static bool has_entry(int dir, const char *name, const char *entry, mode_t type)
{
        _cleanup_close_ int fd = openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;

        return fd >= 0 && fstatat(fd, entry, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
               (st.st_mode & S_IFMT) == type;
}

enum imgcache_kind imgcache_image_kind(const struct imgcache *c, const char *key)
{
        if (has_entry(c->images, key, "rootfs", S_IFDIR))
                return IMGCACHE_ROOTFS;
        if (has_entry(c->images, key, "layers", S_IFREG))
                return IMGCACHE_LAYERS;
        return IMGCACHE_NONE;
}

static bool image_complete(const struct imgcache *c, const char *key)
{
        return imgcache_image_kind(c, key) != IMGCACHE_NONE;
}

bool imgcache_layer_complete(const struct imgcache *c, const char *name)
{
        return has_entry(c->layers, name, "tree", S_IFDIR);
}

static bool valid_key(const char *key, const char *map_fp)
{
        return strlen(key) > 65 && strspn(key, "0123456789abcdef") == 64 && key[64] == '-' &&
               !strcmp(key + 65, map_fp);
}

int imgcache_lookup(const struct imgcache *c, const char *stat_key, const char *map_fp,
                    char ret_key[IMGCACHE_KEY_MAX])
{
        ssize_t n = readlinkat(c->index, stat_key, ret_key, IMGCACHE_KEY_MAX);

        if (n < 0 && errno != ENOENT && errno != EINVAL)
                return log_errno(-errno, "cannot read '%s/index/%s'", c->path, stat_key);
        if (n <= 0 || n >= IMGCACHE_KEY_MAX)
                return 0; /* missing, not a symlink, or not a key: unpack anew */
        ret_key[n] = 0;
        return valid_key(ret_key, map_fp) && image_complete(c, ret_key);
}

/* Whether fd is still the directory under name in dir. */
static bool still_there(int fd, int dir, const char *name)
{
        struct stat st, now;

        return fstat(fd, &st) == 0 && fstatat(dir, name, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
               st.st_dev == now.st_dev && st.st_ino == now.st_ino;
}

int imgcache_hold_layer(const struct imgcache *c, const char *name)
{
        _cleanup_close_ int fd =
            openat(c->layers, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

        if (fd < 0)
                return errno == ENOENT
                           ? -ENOENT
                           : log_errno(-errno, "cannot open '%s/layers/%s'", c->path, name);
        while (flock(fd, LOCK_SH) < 0)
                if (errno != EINTR)
                        return log_errno(-errno, "cannot lock '%s/layers/%s'", c->path, name);
        /* A prune renames what it removes away first: gone means gone. */
        if (!still_there(fd, c->layers, name) || !imgcache_layer_complete(c, name))
                return -ENOENT;
        return TAKE_FD(fd);
}

/* Removes tmp/<name> if its lock is free. The lock is taken on the directory that is there now,
 * and only its holder renames or removes it, so a directory published or recreated meanwhile is
 * never touched. */
static int remove_if_stale(const struct imgcache *c, const char *name)
{
        _cleanup_close_ int fd =
            openat(c->tmp, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int r;

        if (fd < 0)
                return errno == ENOTDIR || errno == ELOOP || errno == ENOENT ? 0 : -errno;
        if (flock(fd, LOCK_EX | LOCK_NB) < 0)
                return errno == EWOULDBLOCK ? 0 : -errno; /* its unpacker is alive */
        if (!still_there(fd, c->tmp, name))
                return 0;
        r = tree_remove_contents(fd);
        if (r < 0)
                return r;
        if (unlinkat(c->tmp, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

void imgcache_clean_stale(const struct imgcache *c)
{
        int dfd = openat(c->tmp, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct dirent *de;
        DIR *d = dfd < 0 ? NULL : fdopendir(dfd);

        if (!d) {
                if (dfd >= 0)
                        close(dfd);
                log_warn("cannot list '%s/tmp' to clean up: %s", c->path, strerror(errno));
                return;
        }
        while ((de = readdir(d))) {
                int r;
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                /* Not fatal: this unpack does not need the space back to be correct. */
                r = remove_if_stale(c, de->d_name);
                if (r < 0)
                        log_warn("cannot remove the stale '%s/tmp/%s': %s", c->path, de->d_name,
                                 strerror(-r));
        }
        closedir(d);
}

static void random_name(char *buf, size_t size)
{
        static const char chars[] =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        unsigned char rnd[6];

        if (getrandom(rnd, sizeof rnd, 0) != sizeof rnd) {
                unsigned long long t =
                    (unsigned long long)getpid() * 2654435761ULL ^ (unsigned long long)clock();
                memcpy(rnd, &t, sizeof rnd);
        }
        snprintf(buf, size, "unpack.");
        for (size_t i = 0; i < sizeof rnd; i++)
                buf[7 + i] = chars[rnd[i] % (sizeof chars - 1)];
        buf[7 + sizeof rnd] = 0;
}

/* mkdtemp(), then the lock. A cleaner that took the lock between the two removed the directory,
 * so it must still be the one under that name. Returns 1 when done, 0 to try another name. */
static int tmp_try(const struct imgcache *c, struct imgcache_tmp *t)
{
        random_name(t->name, sizeof t->name);
        if (mkdirat(c->tmp, t->name, 0700) < 0)
                return errno == EEXIST ? 0 : -errno;
        t->fd = openat(c->tmp, t->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (t->fd < 0)
                return errno == ENOENT ? 0 : -errno;
        if (flock(t->fd, LOCK_EX | LOCK_NB) == 0 && still_there(t->fd, c->tmp, t->name))
                return 1;
        closep(&t->fd);
        t->fd = -1;
        return 0;
}

int imgcache_tmp_create(const struct imgcache *c, struct imgcache_tmp *ret)
{
        struct imgcache_tmp t = IMGCACHE_TMP_NULL;
        int r = 0;

        t.parent = c->tmp;
        for (int i = 0; i < 100 && r == 0; i++)
                r = tmp_try(c, &t);
        if (NO_SPACE(r))
                return -ENOSPC;
        if (r <= 0)
                return log_errno(r ? r : -EEXIST, "cannot create a directory in '%s/tmp'", c->path);
        *ret = t;
        return 0;
}

void imgcache_tmp_discard(struct imgcache_tmp *t)
{
        if (t->fd >= 0 && t->name[0]) {
                int r = tree_remove_contents(t->fd);
                if (r >= 0 && unlinkat(t->parent, t->name, AT_REMOVEDIR) < 0)
                        r = -errno;
                if (r < 0)
                        log_warn("cannot remove the temporary tree 'tmp/%s': %s (the next unpack "
                                 "will)",
                                 t->name, strerror(-r));
        }
        closep(&t->fd);
        t->fd = -1;
}

static int write_all(int fd, const char *buf, size_t len)
{
        while (len > 0) {
                ssize_t n = write(fd, buf, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                buf += n;
                len -= (size_t)n;
        }
        return 0;
}

int imgcache_tmp_write(const struct imgcache_tmp *t, const char *file, const char *text)
{
        _cleanup_close_ int fd =
            openat(t->fd, file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        int r = fd < 0 ? -errno : write_all(fd, text, strlen(text));

        if (NO_SPACE(r))
                return -ENOSPC;
        if (r < 0)
                return log_errno(r, "cannot write 'tmp/%s/%s'", t->name, file);
        return 0;
}

/* Makes t visible as DIR/NAME; complete() tells whether a DIR/NAME there is a finished one. */
static int publish_into(const struct imgcache *c, struct imgcache_tmp *t, int dir,
                        const char *dirname, const char *key,
                        bool (*complete)(const struct imgcache *, const char *))
{
        int r = 0;

        /* The same content reached under another path or stat identity: keep the one there. */
        if (complete(c, key)) {
                imgcache_tmp_discard(t);
                return 0;
        }
        if (renameat2(c->tmp, t->name, dir, key, RENAME_NOREPLACE) == 0) {
                t->name[0] = 0; /* it is images/KEY now: nothing to discard */
                return 0;
        }
        /* A file system without RENAME_NOREPLACE: a plain rename replaces only an empty
         * directory, and a published image is never empty. */
        if (errno == EINVAL)
                r = renameat(c->tmp, t->name, dir, key) < 0 ? -errno : 0;
        else
                r = -errno;
        if (r == 0) {
                t->name[0] = 0;
                return 0;
        }
        if (NO_SPACE(r))
                return -ENOSPC;
        if (r != -EEXIST && r != -ENOTEMPTY)
                return log_errno(r, "cannot move the image into '%s/%s/%s'", c->path, dirname, key);
        imgcache_tmp_discard(t); /* another unpacker won the race */
        if (!complete(c, key))
                return log_error("'%s/%s/%s' is incomplete (run: sandbox image prune)", c->path,
                                 dirname, key);
        return 0;
}

int imgcache_publish(const struct imgcache *c, struct imgcache_tmp *t, const char *key)
{
        return publish_into(c, t, c->images, "images", key, image_complete);
}

int imgcache_publish_layer(const struct imgcache *c, struct imgcache_tmp *t, const char *name)
{
        return publish_into(c, t, c->layers, "layers", name, imgcache_layer_complete);
}

int imgcache_index(const struct imgcache *c, const char *stat_key, const char *key)
{
        char tmp[IMGCACHE_STAT_KEY_MAX + 32];
        int r = 0;

        snprintf(tmp, sizeof tmp, ".%s.tmp.%d", stat_key, (int)getpid());
        (void)unlinkat(c->index, tmp, 0); /* left by a killed unpacker of the same pid */
        if (symlinkat(key, c->index, tmp) < 0)
                r = -errno;
        else if (renameat(c->index, tmp, c->index, stat_key) < 0) {
                r = -errno;
                (void)unlinkat(c->index, tmp, 0);
        }
        if (NO_SPACE(r))
                return -ENOSPC;
        if (r < 0)
                return log_errno(r, "cannot write '%s/index/%s'", c->path, stat_key);
        return 0;
}
