/* The unpacked tree's path rules: member names made relative, and fd-relative operations that
 * never leave the tree. Runs as root in the sandbox's user namespace, before any mount. */
#include "tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "macro.h"

int tree_sanitize(const char *name, char *out)
{
        size_t o = 0, components = 0;
        const char *p = name;

        if (strnlen(name, PATH_MAX) >= PATH_MAX)
                return -ENAMETOOLONG;
        while (*p) {
                const char *c = p;
                size_t len = strcspn(c, "/");

                p = c[len] ? c + len + 1 : c + len;
                if (len == 0 || (len == 1 && c[0] == '.'))
                        continue;
                if (len == 2 && c[0] == '.' && c[1] == '.')
                        return -EINVAL;
                if (++components > TREE_MAX_COMPONENTS)
                        return -ENAMETOOLONG;
                if (o)
                        out[o++] = '/';
                memcpy(out + o, c, len);
                o += len;
        }
        out[o] = 0;
        return (int)o;
}

int tree_open_in_root(int rootfd, const char *path, int flags)
{
        struct open_how how = {
            .flags = (unsigned long long)(flags | O_CLOEXEC),
            .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };

        /* EAGAIN: a concurrent rename somewhere on the system made the kernel unsure; retry. */
        for (int i = 0; i < 64; i++) {
                long fd = syscall(SYS_openat2, rootfd, *path ? path : ".", &how, sizeof how);
                if (fd >= 0)
                        return (int)fd;
                if (errno != EAGAIN && errno != EINTR)
                        return -errno;
        }
        return -EAGAIN;
}

/* mkdir -p inside the tree: each prefix is first resolved in root; from the first missing one on,
 * directories are made under the fd of the last resolved one and opened without following, so a
 * dangling symlink in the way is an error (ENOTDIR), never a way out. path is modified and
 * restored. */
static int make_dirs(int rootfd, char *path)
{
        _cleanup_close_ int cur = tree_open_in_root(rootfd, "", O_PATH | O_DIRECTORY);
        bool missing = false;
        char *c = path;

        if (cur < 0)
                return cur;
        for (;;) {
                char *slash = strchr(c, '/');
                int next;

                if (slash)
                        *slash = 0;
                next = missing ? -ENOENT : tree_open_in_root(rootfd, path, O_PATH | O_DIRECTORY);
                if (next == -ENOENT) {
                        missing = true;
                        if (mkdirat(cur, c, 0755) < 0 && errno != EEXIST)
                                return -errno;
                        next = openat(cur, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (next < 0)
                                return -errno;
                }
                if (slash)
                        *slash = '/';
                if (next < 0)
                        return next;
                close(cur);
                cur = next;
                if (!slash)
                        return TAKE_FD(cur);
                c = slash + 1;
        }
}

int tree_open_parent(int rootfd, const char *path, bool create, const char **ret_base)
{
        const char *slash = strrchr(path, '/');
        char parent[PATH_MAX];
        size_t len;
        int fd;

        if (!slash) {
                *ret_base = path;
                return tree_open_in_root(rootfd, "", O_PATH | O_DIRECTORY);
        }
        len = (size_t)(slash - path);
        if (len >= sizeof parent)
                return -ENAMETOOLONG;
        memcpy(parent, path, len);
        parent[len] = 0;
        *ret_base = slash + 1;
        fd = tree_open_in_root(rootfd, parent, O_PATH | O_DIRECTORY);
        if (fd != -ENOENT || !create)
                return fd;
        return make_dirs(rootfd, parent);
}

/* Opens a directory for removing what is in it, widening a mode that forbids it (000 and 0555
 * directories exist in real images; root in the user namespace needs no widening, an owner
 * does). Never follows a symlink. */
static int open_dir_for_removal(int parent, const char *name)
{
        int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

        if (fd < 0 && errno == EACCES) {
                if (fchmodat(parent, name, 0700, AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
                fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        return fd < 0 ? -errno : fd;
}

/* One directory on the way down: the subdirectories still to remove, and its identity, checked
 * when climbing back up through "..". */
struct level {
        char **names;
        size_t n, next;
        dev_t dev;
        ino_t ino;
};

static void level_free(struct level *l)
{
        for (size_t i = 0; i < l->n; i++)
                free(l->names[i]);
        free(l->names);
        *l = (struct level){0};
}

static int level_add(struct level *l, const char *name)
{
        char **names = realloc(l->names, (l->n + 1) * sizeof *names);

        if (!names)
                return -ENOMEM;
        l->names = names;
        l->names[l->n] = strdup(name);
        if (!l->names[l->n])
                return -ENOMEM;
        l->n++;
        return 0;
}

/* Unlinks everything but the subdirectories of fd, and lists those into l. */
static int level_fill(int fd, struct level *l)
{
        struct stat st;
        struct dirent *de;
        DIR *d;
        int dfd, r = 0;

        if (fstat(fd, &st) < 0)
                return -errno;
        l->dev = st.st_dev;
        l->ino = st.st_ino;
        if ((st.st_mode & 0700) != 0700 && fchmod(fd, (st.st_mode & 07777) | 0700) < 0)
                return -errno;
        dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        d = fdopendir(dfd);
        if (!d) {
                close(dfd);
                return -errno;
        }
        while (r >= 0 && (errno = 0, de = readdir(d))) {
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                if (de->d_type != DT_DIR && unlinkat(fd, de->d_name, 0) == 0)
                        continue;
                if (de->d_type != DT_DIR && errno != EISDIR && errno != EPERM)
                        r = -errno;
                else
                        r = level_add(l, de->d_name);
        }
        if (r >= 0 && errno)
                r = -errno;
        closedir(d);
        return r;
}

/* Climbs from fd to its parent, which must be the directory l was filled from, and removes the
 * (now empty) child there. Returns the parent's fd. */
static int level_climb(int fd, struct level *l)
{
        _cleanup_close_ int parent = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct stat st;

        if (parent < 0 || fstat(parent, &st) < 0)
                return -errno;
        if (st.st_dev != l->dev || st.st_ino != l->ino)
                return -ESTALE; /* the tree moved under us: stop rather than guess */
        if (unlinkat(parent, l->names[l->next - 1], AT_REMOVEDIR) < 0 && errno != ENOENT)
                return -errno;
        return TAKE_FD(parent);
}

/* Depth-first without one fd per level: symlinks inside an image can make a tree far deeper than
 * any one member name, so the walk keeps a single fd and climbs back through "..". */
int tree_remove_contents(int dirfd)
{
        _cleanup_free_ struct level *stack = NULL;
        _cleanup_close_ int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        size_t depth = 0, cap = 0;
        int r = fd < 0 ? -errno : 0;

        while (r >= 0) {
                if (depth == cap) {
                        struct level *s = realloc(stack, (cap = cap * 2 + 16) * sizeof *s);
                        if (!s) {
                                r = -ENOMEM;
                                break;
                        }
                        stack = s;
                }
                stack[depth] = (struct level){0};
                r = level_fill(fd, &stack[depth++]);
                while (r >= 0 && stack[depth - 1].next == stack[depth - 1].n) {
                        level_free(&stack[--depth]);
                        if (depth == 0)
                                return 0;
                        r = level_climb(fd, &stack[depth - 1]);
                        if (r >= 0) {
                                close(fd);
                                fd = r;
                        }
                }
                if (r < 0)
                        break;
                struct level *l = &stack[depth - 1];
                r = open_dir_for_removal(fd, l->names[l->next++]);
                if (r >= 0) {
                        close(fd);
                        fd = r;
                }
        }
        while (depth > 0)
                level_free(&stack[--depth]);
        return r;
}

int tree_remove_at(int dirfd, const char *name)
{
        _cleanup_close_ int fd = -1;
        int r;

        if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
                return 0;
        if (errno != EISDIR && errno != EPERM)
                return -errno;
        fd = open_dir_for_removal(dirfd, name);
        if (fd < 0)
                return fd;
        r = tree_remove_contents(fd);
        if (r < 0)
                return r;
        if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

int tree_check_space(int fd, uint64_t size)
{
        struct statvfs sv;
        uint64_t avail;

        if (fstatvfs(fd, &sv) < 0)
                return -errno;
        /* f_bavail, not f_bfree: blocks reserved for the host's root are not ours. */
        avail = (uint64_t)sv.f_bavail * (sv.f_frsize ? sv.f_frsize : sv.f_bsize);
        return size > avail ? -ENOSPC : 0;
}

const char *tree_quote(const char *in, char *out, size_t size)
{
        size_t o = 0;

        if (size < 12)
                return "...";
        for (; *in && o + 8 < size; in++) {
                unsigned char c = (unsigned char)*in;
                if (c < 0x20 || c == 0x7f || c == '\\')
                        o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
                else
                        out[o++] = (char)c;
        }
        if (*in) { /* truncated: the loop left at least 8 bytes free */
                memcpy(out + o, "...", 3);
                o += 3;
        }
        out[o] = 0;
        return out;
}
